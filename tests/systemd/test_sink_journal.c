/* lib/sink_journal.c against the real journald of tests/systemd/sdenv.sh, and with none listening.
 * Run it as: tests/systemd/sdenv.sh run DIR -- test_sink_journal
 * Alerts are sent from a child that joins the environment's mount namespace (libsystemd always
 * sends to /run/systemd/journal/socket); journalctl reads them back from there too. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "resolved.h"
#include "sink.h"
#include "../lib/fixtures.h"

enum { MAX_ENTRIES = 16, CHILD_SETUP_FAILED = 250 };

static char token[32];  /* makes this run's alert ids unique in the journal */

struct output {
        char *text;
        size_t len;
        int status;     /* the child's exit code, or -1 */
};

static int enter_sdenv(void) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%s/ns/mnt", getenv("SDENV_PID"));
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = setns(fd, CLONE_NEWNS) < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* A mount namespace of our own: what we mount there is gone when the child exits. */
static int private_mounts(void) {
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return -errno;
        return 0;
}

/* Runs fn in a child with its stdout on a pipe; collects the output and the exit code. */
static void run_child(int (*fn)(void *ctx), void *ctx, struct output *out) {
        int p[2];
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        fflush(NULL);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (dup2(p[1], STDOUT_FILENO) < 0)
                        _exit(CHILD_SETUP_FAILED);
                _exit(fn(ctx));
        }
        close(p[1]);
        FILE *mem = open_memstream(&out->text, &out->len);
        char buf[65536];
        ssize_t n;
        while ((n = read(p[0], buf, sizeof(buf))) > 0)
                fwrite(buf, 1, (size_t) n, mem);
        fclose(mem);
        close(p[0]);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        out->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        ck_assert_msg(out->status != CHILD_SETUP_FAILED, "the child could not set itself up");
}

static int emit_child(void *ctx) {
        if (enter_sdenv() < 0)
                return CHILD_SETUP_FAILED;
        return -sink_journal_emit(ctx);
}

static int emit_in_sdenv(const struct alert *a) {
        struct output out = { 0 };
        run_child(emit_child, (void *) a, &out);
        free(out.text);
        return -out.status;
}

static int journalctl_child(void *ctx) {
        char *const *argv = ctx;
        if (enter_sdenv() < 0)
                return CHILD_SETUP_FAILED;
        execvp(argv[0], argv);
        return CHILD_SETUP_FAILED;
}

/* Entries matching both fields (journalctl -o json -a: long fields in full). */
static int query(const char *match1, const char *match2, json_t *entries[MAX_ENTRIES]) {
        char *argv[] = { "journalctl", "-o", "json", "-a", "--no-pager", (char *) match1, (char *) match2, NULL };
        struct output out = { 0 };
        int n = 0;
        run_child(journalctl_child, argv, &out);
        for (char *line = strtok(out.text, "\n"); line && n < MAX_ENTRIES; line = strtok(NULL, "\n")) {
                json_error_t err;
                entries[n] = json_loads(line, 0, &err);
                ck_assert_msg(entries[n], "journalctl printed no JSON: %s (%s)", line, err.text);
                n++;
        }
        free(out.text);
        return n;
}

/* A resolved alert has a MESSAGE_ID of its own, with its own catalog entry. */
static const char *message_id(const struct alert *a) {
        return a->state == ALERT_RESOLVED ? cause_resolved_message_id(a->cause) : cause_message_id(a->cause);
}

/* journald writes asynchronously: wait for the entry to show. */
static json_t *entry_for(const struct alert *a) {
        char m1[64], m2[sizeof(((struct alert *) 0)->id) + 32];
        snprintf(m1, sizeof(m1), "MESSAGE_ID=%s", message_id(a));
        snprintf(m2, sizeof(m2), "BADGATEWAY_ALERT_ID=%s", a->id);
        json_t *e[MAX_ENTRIES];
        for (int tries = 0; tries < 100; tries++) {
                int n = query(m1, m2, e);
                ck_assert_int_le(n, 1);
                if (n == 1)
                        return e[0];
                usleep(100000);
        }
        ck_abort_msg("no journal entry for %s", a->id);
        return NULL;
}

/* A field as bytes: journalctl prints text as a string, other bytes as an array of numbers. */
static char *field(json_t *e, const char *name, size_t *len) {
        json_t *v = json_object_get(e, name);
        if (!v)
                return NULL;
        if (json_is_string(v)) {
                *len = json_string_length(v);
                char *s = malloc(*len + 1);
                memcpy(s, json_string_value(v), *len + 1);
                return s;
        }
        ck_assert_msg(json_is_array(v), "%s is neither a string nor bytes", name);
        *len = json_array_size(v);
        char *s = malloc(*len + 1);
        for (size_t i = 0; i < *len; i++)
                s[i] = (char) json_integer_value(json_array_get(v, i));
        s[*len] = '\0';
        return s;
}

static void expect_field(json_t *e, const char *name, const char *want) {
        size_t len;
        char *got = field(e, name, &len);
        if (!want[0]) {
                ck_assert_msg(!got, "%s should be absent, is '%s'", name, got);
                return;
        }
        ck_assert_msg(got, "%s is missing", name);
        ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0, "%s is '%s', not '%s'", name, got, want);
        free(got);
}

static void expect_entry(json_t *e, const struct alert *a) {
        char prio[8];
        snprintf(prio, sizeof(prio), "%d", a->state == ALERT_RESOLVED ? LOG_NOTICE : cause_priority(a->cause));
        expect_field(e, "MESSAGE", a->summary);
        expect_field(e, "MESSAGE_ID", message_id(a));
        ck_assert_str_ne(cause_resolved_message_id(a->cause), cause_message_id(a->cause));
        expect_field(e, "PRIORITY", prio);
        expect_field(e, "SYSLOG_IDENTIFIER", "badgatewayd");
        expect_field(e, "_TRANSPORT", "journal");
        expect_field(e, "BADGATEWAY_CAUSE", cause_id(a->cause));
        expect_field(e, "BADGATEWAY_STATE", alert_state_name(a->state));
        expect_field(e, "BADGATEWAY_POOL", a->pool);
        expect_field(e, "BADGATEWAY_UPSTREAM", a->upstream);
        expect_field(e, "BADGATEWAY_UNIT", a->unit);
        expect_field(e, "BADGATEWAY_ALERT_ID", a->id);
        size_t len;
        char *text = field(e, "BADGATEWAY_JSON", &len);
        ck_assert_ptr_nonnull(text);
        json_error_t err;
        json_t *got = json_loadb(text, len, 0, &err), *want = alert_to_json(a);
        ck_assert_msg(got, "BADGATEWAY_JSON is not JSON: %s", err.text);
        ck_assert(json_equal(got, want));
        json_decref(got);
        json_decref(want);
        free(text);
}

static void set(char *dst, size_t size, const char *src) {
        snprintf(dst, size, "%s", src);
}

#define SET(dst, src) set(dst, sizeof(dst), src)

/* label tells apart the alerts of one run */
static void make_alert(struct alert *a, enum cause c, enum alert_state state, const char *pool, const char *label) {
        memset(a, 0, sizeof(*a));
        a->cause = c;
        a->state = state;
        snprintf(a->id, sizeof(a->id), "%s/%s/%s-%s", cause_id(c), pool[0] ? pool : "unix:/run/php/old.sock", token,
                 label);
        SET(a->pool, pool);
        SET(a->upstream, pool[0] ? "unix:/run/php/php8.2-fpm.sock" : "unix:/run/php/old.sock");
        SET(a->unit, pool[0] ? "php8.2-fpm.service" : "");
        snprintf(a->summary, sizeof(a->summary), "%s for pool %s: %s.", state == ALERT_RESOLVED ? "Resolved" : "Firing",
                 pool[0] ? pool : "(none)", cause_text(c));
        a->evidence.lines = 7;
        a->evidence.kinds[KIND_UPSTREAM_SOCKET_MISSING] = 7;
        SET(a->evidence.samples[0], "2026/11/25 13:00:00 [crit] 1#1: *1 connect() to unix:/run/php/x.sock failed");
        a->evidence.n_samples = 1;
        SET(a->remedy[0], "systemctl start php8.2-fpm.service");
        a->n_remedies = 1;
        a->first_seen_usec = 1795612991000000ULL;
        a->last_seen_usec = 1795613001000000ULL;
}

START_TEST(test_every_field_read_back) {
        static const enum cause causes[] = { CAUSE_FPM_DOWN, CAUSE_SOCKET_PERMISSION, CAUSE_WORKER_KILLED,
                                             CAUSE_POOL_SATURATED, CAUSE_UPSTREAM_TIMEOUT, CAUSE_SCRIPT_CONFIG };
        enum { N = sizeof(causes) / sizeof(causes[0]) };
        struct alert a[N + 2];
        for (int i = 0; i < N; i++)
                make_alert(&a[i], causes[i], ALERT_FIRING, "www", "fields");
        make_alert(&a[N], CAUSE_FPM_DOWN, ALERT_RESOLVED, "www", "resolved");
        make_alert(&a[N + 1], CAUSE_SOCKET_MISMATCH, ALERT_FIRING, "", "nopool");
        for (int i = 0; i < N + 2; i++)
                ck_assert_int_eq(emit_in_sdenv(&a[i]), 0);
        for (int i = 0; i < N + 2; i++) {
                json_t *e = entry_for(&a[i]);
                expect_entry(e, &a[i]);
                if (i == 0) {
                        char *s = json_dumps(e, JSON_COMPACT);
                        printf("example entry: %s\n", s);
                        free(s);
                }
                json_decref(e);
        }
}
END_TEST

START_TEST(test_hostile_bytes_read_back) {
        struct alert a;
        make_alert(&a, CAUSE_WORKER_KILLED, ALERT_FIRING, "www", "hostile");
        SET(a.summary, "Worker killed serving \"GET /\xff\xfe\"\nBADGATEWAY_FORGED=1\x01\x1b[2J\ttab");
        SET(a.upstream, "unix:/run/php/\xc3\x28\n.sock");
        SET(a.evidence.samples[0], "GET /\xff\xfe\xc0\x80 HTTP/1.1\r\n\x01\x02\x7f=");
        SET(a.evidence.samples[1], "FIELD=injected\nMESSAGE=forged");
        a.evidence.n_samples = 2;
        ck_assert_int_eq(emit_in_sdenv(&a), 0);
        json_t *e = entry_for(&a);
        expect_entry(e, &a);
        ck_assert_ptr_null(json_object_get(e, "BADGATEWAY_FORGED"));
        ck_assert_ptr_null(json_object_get(e, "FIELD"));
        json_decref(e);
}
END_TEST

struct catalog_ctx {
        const char *catalog;
        const char *match;
};

static int copy_file(const char *from, const char *to) {
        FILE *in = fopen(from, "re"), *out = in ? fopen(to, "we") : NULL;
        int ch, r = in && out ? 0 : -1;
        while (r == 0 && (ch = getc(in)) != EOF)
                putc(ch, out);
        if (out && fclose(out) != 0)
                r = -1;
        if (in)
                fclose(in);
        return r;
}

/* journalctl -x with our catalog, on tmpfs over the catalog directories of a private namespace. */
static int catalog_child(void *ctx) {
        struct catalog_ctx *c = ctx;
        if (enter_sdenv() < 0 || private_mounts() < 0 ||
            mount("tmpfs", "/usr/lib/systemd/catalog", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0 ||
            mount("tmpfs", "/var/lib/systemd/catalog", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0 ||
            copy_file(c->catalog, "/usr/lib/systemd/catalog/badgatewayd.catalog") < 0)
                return CHILD_SETUP_FAILED;
        execlp("sh", "sh", "-c", "journalctl --update-catalog && exec journalctl -x -a --no-pager \"$1\"", "sh",
               c->match, (char *) NULL);
        return CHILD_SETUP_FAILED;
}

START_TEST(test_catalog_explains_entry) {
        const char *catalog = getenv("BADGATEWAYD_CATALOG");
        ck_assert_msg(catalog && catalog[0] == '/', "BADGATEWAYD_CATALOG must be the catalog's absolute path");
        struct alert a;
        make_alert(&a, CAUSE_FPM_DOWN, ALERT_FIRING, "www", "catalog");
        ck_assert_int_eq(emit_in_sdenv(&a), 0);
        json_decref(entry_for(&a));
        char match[sizeof(a.id) + 32];
        snprintf(match, sizeof(match), "BADGATEWAY_ALERT_ID=%s", a.id);
        struct catalog_ctx ctx = { catalog, match };
        struct output out = { 0 };
        run_child(catalog_child, &ctx, &out);
        ck_assert_int_eq(out.status, 0);
        ck_assert_msg(strstr(out.text, "Subject: PHP-FPM is down"), "no catalog text in: %s", out.text);
        /* the catalog names no field an alert may lack (a pool without a unit has no BADGATEWAY_UNIT) */
        ck_assert_msg(strstr(out.text, "systemctl status UNIT"), "no unit-neutral steps: %s", out.text);
        char want[sizeof(a.id) + 64];
        snprintf(want, sizeof(want), "badgatewayd alert %s is firing.", a.id);
        ck_assert_msg(strstr(out.text, want), "no '%s' in: %s", want, out.text);
        ck_assert_msg(!strstr(out.text, "What resolved means:"), "the resolved text under a firing entry: %s", out.text);
        free(out.text);

        /* the same alert resolved: what resolved means, not what to check */
        make_alert(&a, CAUSE_FPM_DOWN, ALERT_RESOLVED, "www", "catalog");
        ck_assert_int_eq(emit_in_sdenv(&a), 0);
        json_decref(entry_for(&a));
        snprintf(match, sizeof(match), "MESSAGE_ID=%s", cause_resolved_message_id(a.cause));
        out = (struct output) { 0 };    /* the resolved entries of this run: this one and test_every_field_read_back's */
        run_child(catalog_child, &ctx, &out);
        ck_assert_int_eq(out.status, 0);
        ck_assert_msg(strstr(out.text, "Subject: Resolved: PHP-FPM is down"), "no resolved catalog text in: %s", out.text);
        ck_assert_msg(strstr(out.text, "What resolved means:"), "%s", out.text);
        ck_assert_msg(!strstr(out.text, "What to check:"), "the firing steps under a resolved entry: %s", out.text);
        snprintf(want, sizeof(want), "badgatewayd alert %s is resolved.", a.id);
        ck_assert_msg(strstr(out.text, want), "no '%s' in: %s", want, out.text);
        printf("journalctl -x, a resolved entry:\n%s", out.text);
        free(out.text);
}
END_TEST

struct absent_ctx {
        const struct alert *a;
        bool stale_socket;
};

/* A socket file nobody listens on, as a dead journald leaves it. */
static int stale_socket(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SINK_JOURNAL_SOCKET };
        if (mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0)
                return -1;
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int r = fd >= 0 && bind(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0 ? 0 : -1;
        if (fd >= 0)
                close(fd);
        return r;
}

/* Outside the environment, with an empty /run: sends, then falls back to stdout twice. */
static int absent_child(void *ctx) {
        struct absent_ctx *c = ctx;
        if (private_mounts() < 0 || mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") < 0 ||
            (c->stale_socket && stale_socket() < 0))
                return CHILD_SETUP_FAILED;
        int r = sink_journal_emit(c->a);
        struct sink_fallback fb;
        sink_fallback_init(&fb, stdout);
        if (r < 0 && (sink_journal_fallback(&fb, c->a, r) < 0 || sink_journal_fallback(&fb, c->a, r) < 0))
                return CHILD_SETUP_FAILED;
        return -r;
}

static void expect_fallback(bool stale, int want_err, const char *reason) {
        struct alert a;
        make_alert(&a, CAUSE_POOL_SATURATED, ALERT_FIRING, "www", "absent");
        struct absent_ctx ctx = { &a, stale };
        struct output out = { 0 };
        run_child(absent_child, &ctx, &out);
        ck_assert_int_eq(-out.status, want_err);
        char notice[200];
        snprintf(notice, sizeof(notice), "badgatewayd: journald unavailable (%s); alert follows:\n", reason);
        ck_assert_msg(strncmp(out.text, notice, strlen(notice)) == 0, "fallback printed: %s", out.text);
        json_t *want = alert_to_json(&a);
        int lines = 0;
        for (char *line = strtok(out.text + strlen(notice), "\n"); line; line = strtok(NULL, "\n"), lines++) {
                json_t *got = json_loads(line, JSON_ALLOW_NUL, NULL);
                ck_assert_msg(got && json_equal(got, want), "not the alert: %s", line);
                json_decref(got);
        }
        ck_assert_int_eq(lines, 2);
        json_decref(want);
        free(out.text);
}

START_TEST(test_no_socket_falls_back) {
        expect_fallback(false, -ENOENT, "no socket at /run/systemd/journal/socket");
}
END_TEST

START_TEST(test_nobody_listening_falls_back) {
        expect_fallback(true, -ECONNREFUSED, "nothing listens on /run/systemd/journal/socket");
}
END_TEST

int main(void) {
        if (!getenv("SDENV_PID")) {
                puts("SKIP: run this under tests/systemd/sdenv.sh run DIR -- test_sink_journal");
                return 77;
        }
        snprintf(token, sizeof(token), "%ld-%d", (long) time(NULL), (int) getpid());
        Suite *s = suite_create("sink_journal");
        TCase *tc = tcase_create("journald");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_every_field_read_back);
        tcase_add_test(tc, test_hostile_bytes_read_back);
        tcase_add_test(tc, test_catalog_explains_entry);
        tcase_add_test(tc, test_no_socket_falls_back);
        tcase_add_test(tc, test_nobody_listening_falls_back);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
