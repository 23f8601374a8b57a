/* lib/unit.c against a real systemd manager, system bus and php-fpm unit.
 * Run it as: tests/systemd/sdenv.sh run DIR -- test_unit_live */
#include <check.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "unit.h"
#include "../lib/fixtures.h"

#define FPM_UNIT "bgw-php-fpm.service"
#define SEC 1000000ULL

struct event {
        enum unit_event ev;
        struct unit_state st;
        uint64_t at;
};

struct log {
        struct event ev[512];
        size_t n;
};

typedef bool (*pred_fn)(const struct event *e, const void *ctx);

static uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * SEC + (uint64_t) ts.tv_nsec / 1000;
}

static void on_event(enum unit_event ev, const struct unit_state *st, void *userdata) {
        struct log *l = userdata;
        uint64_t at = now_usec();
        if (l->n < sizeof(l->ev) / sizeof(l->ev[0]))
                l->ev[l->n++] = (struct event) { .ev = ev, .st = *st, .at = at };
}

/* Drives the unit the way the daemon's loop will: poll its fd until its timeout, then process.
 * Returns the index of the first event from `from` on that satisfies pred, or -1 on timeout. */
static int pump_until(struct unit *u, struct log *l, size_t from, pred_fn pred, const void *ctx,
                      uint64_t timeout) {
        uint64_t deadline = now_usec() + timeout;
        for (;;) {
                for (; from < l->n; from++)
                        if (pred(&l->ev[from], ctx))
                                return (int) from;
                uint64_t now = now_usec(), due;
                if (now >= deadline)
                        return -1;
                ck_assert_int_eq(unit_timeout_usec(u, &due), 0);
                if (due > deadline)
                        due = deadline;
                struct pollfd p = { .fd = unit_fd(u) };
                if (p.fd >= 0)
                        p.events = (short) unit_events(u);
                poll(&p, p.fd >= 0, due > now ? (int) ((due - now + 999) / 1000) : 0);
                ck_assert_int_eq(unit_process(u, now_usec()), 0);
        }
}

static bool is_event(const struct event *e, const void *ctx) {
        return e->ev == *(const enum unit_event *) ctx;
}

static bool is_running(const struct event *e, const void *ctx) {
        return e->ev != UNIT_DISCONNECTED && strcmp(e->st.active_state, "active") == 0 &&
               strcmp(e->st.sub_state, "running") == 0 && e->st.main_pid > 0;
}

static bool is_killed(const struct event *e, const void *ctx) {
        return e->ev == UNIT_CHANGED && strcmp(e->st.result, "signal") == 0 &&
               e->st.exec_main_status == 9 && strcmp(e->st.sub_state, "auto-restart") == 0;
}

static bool is_restarted(const struct event *e, const void *ctx) {
        return is_running(e, ctx) && e->st.n_restarts == *(const uint32_t *) ctx;
}

static bool has_new_pid(const struct event *e, const void *ctx) {
        return is_running(e, ctx) && e->st.main_pid != *(const uint32_t *) ctx;
}

static int systemctl(const char *fmt, ...) {
        const char *bin = getenv("SDENV_BIN");
        ck_assert_msg(bin != NULL, "SDENV_BIN unset: run under tests/systemd/sdenv.sh run DIR -- …");
        char args[256], cmd[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(args, sizeof(args), fmt, ap);
        va_end(ap);
        snprintf(cmd, sizeof(cmd), "'%s/systemctl' %s", bin, args);
        return system(cmd);
}

static long nspid_of(long pid) {
        char path[64], line[256];
        long last = -1;
        snprintf(path, sizeof(path), "/proc/%ld/status", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -1;
        while (fgets(line, sizeof(line), f))
                if (strncmp(line, "NSpid:", 6) == 0) {
                        char *p = strrchr(line, '\t');
                        last = p ? strtol(p + 1, NULL, 10) : -1;
                }
        fclose(f);
        return last;
}

/* MainPID is a PID in the manager's namespace: find that process's PID here. */
static pid_t host_pid(uint32_t ns_pid) {
        const char *mgr = getenv("SDENV_PID");
        char path[300];
        struct stat want, st;
        pid_t found = 0;
        ck_assert_ptr_nonnull(mgr);
        snprintf(path, sizeof(path), "/proc/%s/ns/pid", mgr);
        ck_assert_int_eq(stat(path, &want), 0);
        DIR *d = opendir("/proc");
        ck_assert_ptr_nonnull(d);
        struct dirent *e;
        while (!found && (e = readdir(d))) {
                char *end;
                long p = strtol(e->d_name, &end, 10);
                if (*end || p <= 0)
                        continue;
                snprintf(path, sizeof(path), "/proc/%ld/ns/pid", p);
                if (stat(path, &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev &&
                    nspid_of(p) == (long) ns_pid)
                        found = (pid_t) p;
        }
        closedir(d);
        return found;
}

static bool comm_starts(pid_t pid, const char *prefix) {
        char path[64], comm[32] = "";
        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        bool ok = fgets(comm, sizeof(comm), f) && strncmp(comm, prefix, strlen(prefix)) == 0;
        fclose(f);
        return ok;
}

/* A unit followed from a fresh connection, once it reports the php-fpm unit running. */
static struct unit *open_running(struct log *l, int *at) {
        struct unit *u;
        ck_assert_int_eq(systemctl("start " FPM_UNIT), 0);
        ck_assert_int_eq(unit_open(&u, FPM_UNIT, on_event, l), 0);
        *at = pump_until(u, l, 0, is_running, NULL, 5 * SEC);
        ck_assert_msg(*at >= 0, "no running state within 5 s");
        return u;
}

START_TEST(test_active) {
        struct log *l = calloc(1, sizeof(*l));
        int i;
        struct unit *u = open_running(l, &i);
        const struct unit_state *st = &l->ev[i].st;
        char verdict[128];
        ck_assert_int_eq(l->ev[0].ev, UNIT_CONNECTED);
        ck_assert_str_eq(st->load_state, "loaded");
        ck_assert_uint_gt(st->main_pid, 0);
        ck_assert_uint_gt(st->active_enter_usec, 0);
        unit_state_describe(st, verdict, sizeof(verdict));
        ck_assert_msg(strncmp(verdict, "active (running", 15) == 0, "verdict: %s", verdict);

        struct unit_state once;
        ck_assert_int_eq(unit_read(FPM_UNIT, &once), 0);
        ck_assert_uint_eq(once.main_pid, st->main_pid);
        ck_assert(unit_state_equal(&once, unit_state(u)));
        unit_close(u);
        free(l);
}
END_TEST

START_TEST(test_kill_restart) {
        struct log *l = calloc(1, sizeof(*l));
        int i;
        struct unit *u = open_running(l, &i);
        uint32_t ns_pid = l->ev[i].st.main_pid, want = l->ev[i].st.n_restarts + 1;
        ck_assert_uint_gt(ns_pid, 0);
        pid_t pid = host_pid(ns_pid);
        ck_assert_int_gt(pid, 1);
        ck_assert_msg(comm_starts(pid, "php-fpm"), "host pid %d is not php-fpm", (int) pid);

        uint64_t t0 = now_usec();
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int k = pump_until(u, l, (size_t) i + 1, is_killed, NULL, SEC);
        ck_assert_msg(k >= 0, "no Result=signal/auto-restart callback within 1 s of the kill");
        int r = pump_until(u, l, (size_t) k + 1, is_restarted, &want, 5 * SEC);
        ck_assert_msg(r >= 0, "not active again with NRestarts=%u within 5 s", want);
        printf("kill -9 of MainPID -> callback with Result=signal: %.3f ms; active again (NRestarts=%u) after %.3f ms\n",
               (double) (l->ev[k].at - t0) / 1000.0, want, (double) (l->ev[r].at - t0) / 1000.0);
        fflush(stdout);
        ck_assert_int_eq(l->ev[k].st.exec_main_code, CLD_KILLED);
        unit_close(u);
        free(l);
}
END_TEST

START_TEST(test_not_found) {
        struct log *l = calloc(1, sizeof(*l));
        struct unit *u;
        enum unit_event connected = UNIT_CONNECTED;
        char verdict[64];
        ck_assert_int_eq(unit_open(&u, "bgw-does-not-exist.service", on_event, l), 0);
        int i = pump_until(u, l, 0, is_event, &connected, 5 * SEC);
        ck_assert_int_ge(i, 0);
        ck_assert_str_eq(l->ev[i].st.load_state, "not-found");
        unit_state_describe(&l->ev[i].st, verdict, sizeof(verdict));
        ck_assert_str_eq(verdict, "not-found");

        struct unit_state once;
        ck_assert_int_eq(unit_read("bgw-does-not-exist.service", &once), 0);
        ck_assert_str_eq(once.load_state, "not-found");
        unit_close(u);
        free(l);
}
END_TEST

START_TEST(test_bus_restart) {
        struct log *l = calloc(1, sizeof(*l));
        int i;
        struct unit *u = open_running(l, &i);
        enum unit_event down = UNIT_DISCONNECTED, up = UNIT_CONNECTED;
        uint64_t t0 = now_usec();
        ck_assert_int_eq(systemctl("restart dbus.service"), 0);
        int d = pump_until(u, l, (size_t) i + 1, is_event, &down, 5 * SEC);
        ck_assert_msg(d >= 0, "no disconnect reported within 5 s of restarting dbus");
        ck_assert(!unit_connected(u));
        int c = pump_until(u, l, (size_t) d + 1, is_event, &up, 15 * SEC);
        ck_assert_msg(c >= 0, "no reconnect within 15 s");
        ck_assert(is_running(&l->ev[c], NULL));
        printf("dbus restart: disconnect reported after %.3f ms, reconnected and re-read after %.3f ms\n",
               (double) (l->ev[d].at - t0) / 1000.0, (double) (l->ev[c].at - t0) / 1000.0);
        fflush(stdout);

        /* the new connection is subscribed too: a restart of the unit arrives as a change */
        uint32_t old = l->ev[c].st.main_pid;
        ck_assert_int_eq(systemctl("restart " FPM_UNIT), 0);
        ck_assert_int_ge(pump_until(u, l, (size_t) c + 1, has_new_pid, &old, 5 * SEC), 0);
        unit_close(u);
        free(l);
}
END_TEST

/* dbus-daemon killed: dbus.service has no Restart=, so it is the reconnect itself that
 * socket-activates a new one through dbus.socket. */
START_TEST(test_bus_killed) {
        struct log *l = calloc(1, sizeof(*l));
        int i;
        struct unit *u = open_running(l, &i);
        enum unit_event down = UNIT_DISCONNECTED, up = UNIT_CONNECTED;
        struct unit_state bus;
        ck_assert_int_eq(unit_read("dbus.service", &bus), 0);
        ck_assert_uint_gt(bus.main_pid, 0);
        pid_t pid = host_pid(bus.main_pid);
        ck_assert_int_gt(pid, 1);
        ck_assert_msg(comm_starts(pid, "dbus-daemon"), "host pid %d is not dbus-daemon", (int) pid);
        uint64_t t0 = now_usec();
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int d = pump_until(u, l, (size_t) i + 1, is_event, &down, 5 * SEC);
        ck_assert_msg(d >= 0, "no disconnect reported within 5 s of killing dbus-daemon");
        int c = pump_until(u, l, (size_t) d + 1, is_event, &up, 15 * SEC);
        ck_assert_msg(c >= 0, "no reconnect within 15 s");
        ck_assert(is_running(&l->ev[c], NULL));
        printf("dbus-daemon killed: disconnect reported after %.3f ms, reconnected and re-read after %.3f ms\n",
               (double) (l->ev[d].at - t0) / 1000.0, (double) (l->ev[c].at - t0) / 1000.0);
        fflush(stdout);
        unit_close(u);
        free(l);
}
END_TEST

int main(void) {
        Suite *s = suite_create("unit_live");
        TCase *tc = tcase_create("systemd");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_active);
        tcase_add_test(tc, test_kill_restart);
        tcase_add_test(tc, test_not_found);
        tcase_add_test(tc, test_bus_restart);
        tcase_add_test(tc, test_bus_killed);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
