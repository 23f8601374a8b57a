/* The daemon's tailers and pools in-process: a real log file, a real libev loop and a real
 * diagnosis, with the manager's part (one flush per loop turn, before the loop sleeps) played
 * here by the test's own prepare watcher. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <ev.h>

#include "address.h"
#include "clock.h"
#include "diag.h"
#include "feed.h"
#include "fixtures.h"
#include "pools.h"
#include "tailers.h"

enum { BURST = 1000, TIMEOUT_S = 5 };

#define SOCK "/run/php/php8.2-fpm.sock"
#define FAILURE                                                                                          \
        "2026/11/25 13:23:11 [crit] 1234#1234: *%d connect() to unix:" SOCK " failed (2: No such file " \
        "or directory) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / "   \
        "HTTP/1.1\", upstream: \"fastcgi://unix:" SOCK ":\", host: \"localhost\"\n"

struct rig {
        char dir[128];
        char log[256];
        struct ev_loop *loop;
        struct feed feed;
        struct tailers tailers;
        struct pools pools;
        ev_timer tick;                  /* so that one turn of the loop never blocks for long */
        ev_prepare prepare;
        unsigned flushes;               /* prepare calls that found the feed changed */
        struct alert alerts[8];
        int n_alerts;
};

static struct rig *rig;

static void collect(void *userdata, const struct alert *a) {
        struct rig *r = userdata;
        ck_assert_int_lt(r->n_alerts, 8);
        r->alerts[r->n_alerts++] = *a;
}

static void flush(struct rig *r) {
        r->flushes++;
        r->feed.changed = false;
        diag_flush(r->feed.diag, clock_realtime_usec(), collect, r);
}

/* What the manager's prepare watcher does, counted. */
static void on_prepare(EV_P_ ev_prepare *w, int revents) {
        struct rig *r = w->data;
        if (r->feed.changed)
                flush(r);
}

static void on_tick(EV_P_ ev_timer *w, int revents) {
}

static void setup(void) {
        static struct address listen;
        static const struct diag_pool pool = { .name = "www", .listen = &listen, .listen_resolved = NULL, .unit = NULL };
        ck_assert_int_eq(address_parse(&listen, SOCK, strlen(SOCK)), 0);
        struct diag_settings s = { .resolve_after_usec = 60000000, .summary_interval_usec = 300000000,
                                   .nginx_user = "www-data", .confirmations = 1 };
        rig = calloc(1, sizeof(*rig));
        ck_assert_ptr_nonnull(rig);
        fixture_newdir(rig->dir);
        snprintf(rig->log, sizeof(rig->log), "%s/error.log", rig->dir);
        FILE *f = fopen(rig->log, "w");
        ck_assert_ptr_nonnull(f);
        fclose(f);
        ck_assert_ptr_nonnull(rig->loop = ev_loop_new(EVFLAG_AUTO));
        ck_assert_int_eq(diag_new(&rig->feed.diag, &s, &pool, 1), 0);
        tailers_init(&rig->tailers, rig->loop, &rig->feed);
        pools_init(&rig->pools, rig->loop, &rig->feed);
        ev_timer_init(&rig->tick, on_tick, 0.05, 0.05);
        ev_timer_start(rig->loop, &rig->tick);
        ev_prepare_init(&rig->prepare, on_prepare);
        rig->prepare.data = rig;
}

static void teardown(void) {
        tailers_free(&rig->tailers);
        pools_free(&rig->pools);
        ev_timer_stop(rig->loop, &rig->tick);
        ev_prepare_stop(rig->loop, &rig->prepare);
        ev_loop_destroy(rig->loop);
        diag_free(rig->feed.diag);
        free(rig);
}

static void follow_log(void) {
        struct log_ref ref = { rig->log, -1, 0 };
        ck_assert_int_eq(tailers_update(&rig->tailers, &ref, 1, false), 0);
        ck_assert_uint_eq(rig->tailers.n_logs, 1);
}

/* n failure lines in one write(2) to path. */
static void append_to(const char *path, int n) {
        size_t size = (size_t) n * 512 + 1, len = 0;
        char *buf = malloc(size);
        ck_assert_ptr_nonnull(buf);
        for (int i = 0; i < n; i++)
                len += (size_t) snprintf(buf + len, size - len, FAILURE, i + 1);
        ck_assert_uint_lt(len, size);
        FILE *f = fopen(path, "a");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(setvbuf(f, NULL, _IONBF, 0), 0);
        ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
        fclose(f);
        free(buf);
}

static void append_failures(int n) {
        append_to(rig->log, n);
}

/* Turns the loop until done says so, at most TIMEOUT_S seconds; false on timeout. */
static bool run_until(bool (*done)(const struct rig *)) {
        double end = ev_time() + TIMEOUT_S;
        while (!done(rig))
                if (ev_time() > end || !ev_run(rig->loop, EVRUN_ONCE))
                        return false;
        return true;
}

static bool changed(const struct rig *r) {
        return r->feed.changed;
}

static bool burst_read(const struct rig *r) {
        return r->feed.classified == BURST;
}

static void assert_fpm_down_firing(const struct alert *a) {
        ck_assert_str_eq(cause_id(a->cause), "fpm_down");
        ck_assert_int_eq(a->state, ALERT_FIRING);
        ck_assert_str_eq(a->pool, "www");
}

START_TEST(test_line_marks_changed) {
        follow_log();
        ck_assert(!rig->feed.changed);
        append_failures(1);
        ck_assert_msg(run_until(changed), "the feed was not marked changed in %d s", TIMEOUT_S);
        ck_assert_uint_eq(rig->feed.lines, 1);
        ck_assert_uint_eq(rig->feed.classified, 1);
        flush(rig);
        ck_assert_int_eq(rig->n_alerts, 1);
        assert_fpm_down_firing(&rig->alerts[0]);
        ck_assert_uint_eq(rig->alerts[0].evidence.lines, 1);
}
END_TEST

/* Lines the tailer reads before the loop runs count too: read-from-start of a file with one. */
START_TEST(test_read_from_start) {
        append_failures(1);
        struct log_ref ref = { rig->log, -1, 0 };
        ck_assert_int_eq(tailers_update(&rig->tailers, &ref, 1, true), 0);
        ck_assert_uint_eq(rig->feed.classified, 1);
        ck_assert(rig->feed.changed);
        tailers_drain(&rig->tailers);
        ck_assert_uint_eq(rig->feed.lines, 1);
}
END_TEST

START_TEST(test_burst_one_flush) {
        follow_log();
        ev_prepare_start(rig->loop, &rig->prepare);
        ev_run(rig->loop, EVRUN_ONCE);
        ck_assert_uint_eq(rig->flushes, 0);
        append_failures(BURST);
        ck_assert_msg(run_until(burst_read), "%llu of %d lines classified", (unsigned long long) rig->feed.classified,
                      BURST);
        for (int i = 0; i < 4; i++)     /* a few more turns: the burst must not flush again */
                ev_run(rig->loop, EVRUN_ONCE);
        ck_assert_uint_eq(rig->feed.lines, BURST);
        ck_assert_uint_eq(rig->flushes, 1);
        ck_assert_int_eq(rig->n_alerts, 1);
        assert_fpm_down_firing(&rig->alerts[0]);
        ck_assert_uint_eq(rig->alerts[0].evidence.lines, BURST);
}
END_TEST

static bool one_classified(const struct rig *r) {
        return r->feed.classified == 1;
}

/* No descriptor left when the log is first followed (EMFILE, as under a low ulimit -n): it is
 * kept, tried again, and followed once descriptors are free. */
START_TEST(test_log_retried_after_emfile) {
        struct rlimit was, low;
        int fds[256], n = 0;
        ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &was), 0);
        low = (struct rlimit) { 256, was.rlim_max };
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
        while (n < 256 && (fds[n] = dup(0)) >= 0)
                n++;
        ck_assert_int_eq(errno, EMFILE);
        struct log_ref ref = { rig->log, -1, 0 };
        int r = tailers_update(&rig->tailers, &ref, 1, false);
        while (n > 0)
                close(fds[--n]);
        ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &was), 0);
        ck_assert_int_eq(r, 0);
        ck_assert_uint_eq(rig->tailers.n_logs, 1);
        double end = ev_time() + TAILERS_RETRY_SECONDS + TIMEOUT_S;
        while (ev_time() < end && ev_is_active(&rig->tailers.retry))
                ev_run(rig->loop, EVRUN_ONCE);
        ck_assert_msg(!ev_is_active(&rig->tailers.retry), "the log was not followed again");
        append_failures(1);
        ck_assert_msg(run_until(one_classified), "a line after the retry was not read");
}
END_TEST

/* stderr to a file of the test's dir while the daemon's words are looked at. */
static int capture_stderr(const char *path) {
        int saved = dup(STDERR_FILENO), fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        ck_assert_int_ge(saved, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
        close(fd);
        return saved;
}

/* What was said since capture_stderr(); stderr is put back. */
static char *captured(int saved, const char *path) {
        size_t n;
        fflush(stderr);
        ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        FILE *f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        char *text = calloc(1, 8192);
        ck_assert_ptr_nonnull(text);
        n = fread(text, 1, 8191, f);
        text[n] = '\0';
        fclose(f);
        fprintf(stderr, "%s", text);
        return text;
}

static unsigned count_in(const char *text, const char *what) {
        unsigned n = 0;
        for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

static const struct tail_position *absent_at_stop(void *userdata, const char *path) {
        static const struct tail_position absent = TAIL_POSITION_ABSENT;
        return &absent;
}

/* A FIFO as a log: refused, said once, never "followed again" while the events of its
 * directory's neighbours come; at a restart (saved with no file) it gets the same words, not
 * "no file there at the stop". Its writer finds no reader. */
static void fifo_refused_once(bool restarted) {
        char fifo[300], out[300], other[300];
        snprintf(fifo, sizeof(fifo), "%s/fifo.log", rig->dir);
        snprintf(out, sizeof(out), "%s/stderr", rig->dir);
        snprintf(other, sizeof(other), "%s.other", rig->dir);   /* in the parent: an event that skips the rescan */
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        if (restarted)
                rig->tailers.saved = absent_at_stop;
        int saved = capture_stderr(out);
        struct log_ref ref = { fifo, -1, 0 };
        ck_assert_int_eq(tailers_update(&rig->tailers, &ref, 1, false), 0);
        for (int i = 0; i < 5; i++) {
                append_to(other, 1);
                double end = ev_time() + 0.1;
                while (ev_time() < end)
                        ev_run(rig->loop, EVRUN_ONCE);
        }
        int w = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        int werr = errno;
        char *text = captured(saved, out);
        unlink(other);
        ck_assert_msg(w < 0 && werr == ENXIO, "the FIFO has a reader");
        ck_assert_uint_eq(count_in(text, "fifo.log: not a regular file (a FIFO, a device or a socket); trying again every"), 1);
        ck_assert_uint_eq(count_in(text, "followed again"), 0);
        ck_assert_uint_eq(count_in(text, "no file there at the stop"), 0);
        ck_assert_uint_eq(count_in(text, "fifo.log: "), 1);
        free(text);
}

START_TEST(test_fifo_refused_once) {
        fifo_refused_once(false);
}
END_TEST

START_TEST(test_fifo_refused_at_restart) {
        fifo_refused_once(true);
}
END_TEST

/* Pool www listening at prefix, the test's dir, "/" and file. */
static bool both_read(const struct rig *r) {
        return r->feed.classified == 2 * BURST;
}

/* Two logs readable in the same turn: two callbacks, still one flush. */
START_TEST(test_two_logs_one_flush) {
        char second[256];
        snprintf(second, sizeof(second), "%s/second.log", rig->dir);
        struct log_ref refs[] = { { rig->log, -1, 0 }, { second, -1, 0 } };
        append_to(second, 0);
        ck_assert_int_eq(tailers_update(&rig->tailers, refs, 2, false), 0);
        ck_assert_uint_eq(rig->tailers.n_logs, 2);
        ev_prepare_start(rig->loop, &rig->prepare);
        append_failures(BURST);
        append_to(second, BURST);
        ck_assert_msg(run_until(both_read), "%llu of %d lines classified",
                      (unsigned long long) rig->feed.classified, 2 * BURST);
        ev_run(rig->loop, EVRUN_ONCE);
        ck_assert_uint_eq(rig->flushes, 1);
        ck_assert_int_eq(rig->n_alerts, 1);
        ck_assert_uint_eq(rig->alerts[0].evidence.lines, 2 * BURST);
}
END_TEST

static struct pool_config pool_at(const char *prefix, const char *file) {
        struct pool_config pc = { .name = "www" };
        snprintf(pc.listen, sizeof(pc.listen), "%s%s/%s", prefix, rig->dir, file);
        ck_assert_int_eq(address_parse(&pc.address, pc.listen, strlen(pc.listen)), 0);
        return pc;
}

static void start_pool(const struct pool_config *pc, int timeout_ms) {
        struct pool_spec spec = { pc, { .connect_timeout_ms = timeout_ms, .answer_timeout_ms = timeout_ms } };
        struct sock_identity me;
        struct passwd *pw = getpwuid(getuid());
        ck_assert_ptr_nonnull(pw);
        ck_assert_int_eq(sock_identity_from_user(pw->pw_name, &me), 0);
        ck_assert_int_eq(pools_start(&rig->pools, &spec, 1, &me), 0);
        ck_assert_uint_eq(pools_unanswered(&rig->pools), 1);
}

/* Nothing at the socket's path: the socket check and the probe both say so at once. */
START_TEST(test_pool_socket_missing) {
        struct pool_config pc = pool_at("unix:", "nothing.sock");
        start_pool(&pc, 500);
        pools_probe_round(&rig->pools);
        ck_assert(rig->feed.changed);
        ck_assert_uint_eq(pools_unanswered(&rig->pools), 0);
        flush(rig);
        ck_assert_int_eq(rig->n_alerts, 1);
        assert_fpm_down_firing(&rig->alerts[0]);
        ck_assert(rig->alerts[0].evidence.probe.have);
        ck_assert_str_eq(rig->alerts[0].evidence.probe.outcome, "socket_missing");
}
END_TEST

static bool answered(const struct rig *r) {
        return pools_unanswered(&r->pools) == 0;
}

/* A socket that listens but never answers: the probe runs on the loop until its deadline. */
START_TEST(test_pool_saturated) {
        struct pool_config pc = pool_at("", "busy.sock");
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_uint_lt(strlen(pc.listen), sizeof(sa.sun_path));
        memcpy(sa.sun_path, pc.listen, strlen(pc.listen));
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(fd, 8), 0);
        start_pool(&pc, 100);
        pools_probe_round(&rig->pools);
        ck_assert_uint_eq(pools_unanswered(&rig->pools), 1);
        ck_assert(run_until(answered));
        ck_assert(rig->feed.changed);
        flush(rig);
        ck_assert_int_eq(rig->n_alerts, 1);
        ck_assert_str_eq(cause_id(rig->alerts[0].cause), "pool_saturated");
        ck_assert_str_eq(rig->alerts[0].evidence.probe.outcome, "saturated");
        close(fd);
}
END_TEST

int main(void) {
        Suite *s = suite_create("tailers");
        TCase *tc = tcase_create("tailers");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_line_marks_changed);
        tcase_add_test(tc, test_read_from_start);
        tcase_add_test(tc, test_burst_one_flush);
        tcase_add_test(tc, test_two_logs_one_flush);
        tcase_add_test(tc, test_pool_socket_missing);
        tcase_add_test(tc, test_pool_saturated);
        tcase_add_test(tc, test_log_retried_after_emfile);
        tcase_add_test(tc, test_fifo_refused_once);
        tcase_add_test(tc, test_fifo_refused_at_restart);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
