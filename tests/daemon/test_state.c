/* badgatewayd run across restarts, as a process: the state directory keeps where each log was
 * read and what fires. Lines written while it is stopped (in the same file, or split by a
 * rotation) are read exactly once; a finding firing across a restart is not sent again and
 * resolves once; a corrupt state file is a warning and a fresh start. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "servers.h"

enum {
        PROBE_INTERVAL_MS = 200,
        RESOLVE_AFTER_MS = 1000,
        READY_MS = 5000,
};

static char dir[128];

static void newdir(void) {
        fixture_newdir(dir);
        chmod(dir, 0755);
}

static const char *path_in(const char *name) {
        return fixture_path(dir, name);
}

static const char *config(const struct fpm_env *e, const char *daemon_extra) {
        static char text[2048];
        const char *conf = path_in("bgw.conf");
        snprintf(text, sizeof(text),
                 "[Daemon]\nProbeInterval = %dms\nProbeTimeout = 500ms\nResolveAfter = %dms\n%s"
                 "[Nginx]\nErrorLog = %s/error.log\nUser = %s\n[Pool www]\nListen = %s\n",
                 PROBE_INTERVAL_MS, RESOLVE_AFTER_MS, daemon_extra, dir, servers_nginx_user(),
                 fpm_env_socket(e, 0));
        write_file(conf, text);
        return conf;
}

/* Reads what comes for ms (bgw_pump() returns at the first output). */
static void pump_for(struct bgw *b, int ms) {
        long long end = harness_now_ms() + harness_ms(ms);
        for (long long now; (now = harness_now_ms()) < end;)
                bgw_pump(b, (int) (end - now));
}

static void start(struct bgw *b, const char *conf) {
        unlink(path_in("notify"));      /* the last run's */
        const char *args[] = { "run", "--config", conf, "--stdout", "--state-dir", path_in("state"), NULL };
        bgw_start(b, dir, args, NULL);
        int ready = bgw_wait_note(b, 0, "READY=1", READY_MS);
        ck_assert_msg(ready >= 0, "no READY=1; stderr: %s", b->err ? b->err : "");
}

/* Numbered lines nginx could have written; none is evidence. */
static void append_numbered(const char *log, int from, int n) {
        static char buf[200 * 100];
        for (int done = 0; done < n; done += 100) {
                size_t len = 0;
                for (int i = done; i < n && i < done + 100; i++)
                        len += (size_t) snprintf(buf + len, sizeof(buf) - len,
                                                 "2026/11/25 13:23:20 [notice] 6586#6586: line %d\n", from + i);
                append_file(log, buf, len);
        }
}

/* "stopped: N lines read": what this run read. */
static long long lines_read(const struct bgw *b) {
        const char *p = strstr(b->err, "stopped: ");
        ck_assert_msg(p, "no 'stopped:' in %s", b->err);
        return strtoll(p + strlen("stopped: "), NULL, 10);
}

static void stop(struct bgw *b) {
        ck_assert_int_eq(bgw_stop(b), 0);
}

static size_t count_alerts(const struct bgw *b, const char *cause, const char *state) {
        size_t n = 0;
        for (size_t i = 0; i < json_array_size(b->alerts); i++) {
                json_t *a = json_array_get(b->alerts, i);
                n += strcmp(json_string_value(json_object_get(a, "cause")) ?: "", cause) == 0 &&
                     strcmp(json_string_value(json_object_get(a, "state")) ?: "", state) == 0;
        }
        return n;
}

/* A new directory with an empty error.log and a state directory, php-fpm up: the config. */
static const char *prepare(struct fpm_env *e, const char *daemon_extra) {
        newdir();
        fpm_up(e);
        write_file(path_in("error.log"), "");
        mkdir(path_in("state"), 0700);
        return config(e, daemon_extra);
}

/* prepare(), then a first run that reads 10 lines and stops: the state the test restarts from. */
static const char *after_first_run(struct fpm_env *e, const char *daemon_extra) {
        struct bgw b;
        const char *conf = prepare(e, daemon_extra);
        start(&b, conf);
        append_numbered(path_in("error.log"), 0, 10);
        pump_for(&b, 500);
        stop(&b);
        ck_assert_int_eq(lines_read(&b), 10);
        bgw_free(&b);
        return conf;
}

/* Starts b on conf; waits for it to say it caught up n lines written while it was stopped. */
static void restart_catching_up(struct bgw *b, const char *conf, int n) {
        char want[96];
        start(b, conf);
        snprintf(want, sizeof(want), "caught up %d lines written while stopped", n);
        ck_assert_msg(bgw_wait_stderr(b, want, 2000), "%s", b->err);
}

/* Stops b, says what it read against want (what: the case), and checks it read exactly that. */
static void stop_expect_read(struct bgw *b, long long want, const char *what) {
        stop(b);
        long long got = lines_read(b);
        fprintf(stderr, "%s: %lld read (lost %lld, duplicated %lld)\n", what, got, got < want ? want - got : 0,
                got > want ? got - want : 0);
        ck_assert_int_eq(got, want);
        bgw_free(b);
}

enum { WHILE_STOPPED = 5000 };

START_TEST(test_lines_while_stopped) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "");
        append_numbered(path_in("error.log"), 10, WHILE_STOPPED);
        restart_catching_up(&b, conf, WHILE_STOPPED);
        ck_assert_msg(strstr(b.err, "resuming at byte"), "%s", b.err);
        append_numbered(path_in("error.log"), 10 + WHILE_STOPPED, 7);
        pump_for(&b, 500);
        char what[96];
        snprintf(what, sizeof(what), "restart, %d lines written while stopped + 7 after", WHILE_STOPPED);
        stop_expect_read(&b, WHILE_STOPPED + 7, what);
        fpm_down(&e);
}
END_TEST

START_TEST(test_rotated_while_stopped) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "");
        append_numbered(path_in("error.log"), 10, 3000);
        ck_assert_int_eq(rename(path_in("error.log"), path_in("error.log.1")), 0);
        write_file(path_in("error.log"), "");
        append_numbered(path_in("error.log"), 3010, 2000);
        restart_catching_up(&b, conf, 5000);
        ck_assert_msg(strstr(b.err, "rotated while stopped; reading the rest of"), "%s", b.err);
        append_numbered(path_in("error.log"), 5010, 5);
        pump_for(&b, 500);
        stop_expect_read(&b, 5005, "rotated while stopped, 3000 + 2000 lines + 5 after");
        fpm_down(&e);
}
END_TEST

/* Rotated twice while stopped (the middle file must be read too). */
START_TEST(test_rotated_twice_while_stopped) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "");
        append_numbered(path_in("error.log"), 10, 1000);
        ck_assert_int_eq(rename(path_in("error.log"), path_in("error.log.1")), 0);
        append_numbered(path_in("error.log"), 1010, 2000);
        ck_assert_int_eq(rename(path_in("error.log.1"), path_in("error.log.2")), 0);
        ck_assert_int_eq(rename(path_in("error.log"), path_in("error.log.1")), 0);
        append_numbered(path_in("error.log"), 3010, 3000);
        restart_catching_up(&b, conf, 6000);
        ck_assert_msg(strstr(b.err, "error.log.2 from byte"), "%s", b.err);
        stop_expect_read(&b, 6000, "rotated twice while stopped, 1000 + 2000 + 3000 lines");
        fpm_down(&e);
}
END_TEST

/* logrotate's copytruncate while stopped: error.log.1 is a copy (found by its fingerprint), the
 * same inode starts again from 0. */
START_TEST(test_copytruncate_while_stopped) {
        struct fpm_env e;
        struct bgw b;
        char *copy;
        const char *conf = after_first_run(&e, "");
        append_numbered(path_in("error.log"), 10, 400);
        ck_assert_int_ge(asprintf(&copy, "cp '%s' '%s'", path_in("error.log"), path_in("error.log.1")), 0);
        ck_assert_int_eq(system(copy), 0);
        free(copy);
        ck_assert_int_eq(truncate(path_in("error.log"), 0), 0);
        append_numbered(path_in("error.log"), 410, 300);
        restart_catching_up(&b, conf, 700);
        stop_expect_read(&b, 700, "copytruncate while stopped, 400 + 300 lines");
        fpm_down(&e);
}
END_TEST

/* Rotated and compressed while stopped: the new file is read, the .gz said and skipped. */
START_TEST(test_rotated_compressed) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "");
        append_numbered(path_in("error.log"), 10, 100);
        ck_assert_int_eq(rename(path_in("error.log"), path_in("error.log.1.gz")), 0);  /* as gzip would leave it */
        append_numbered(path_in("error.log"), 110, 20);
        restart_catching_up(&b, conf, 20);
        ck_assert_msg(strstr(b.err, "error.log.1.gz: the rotated file is already compressed"), "%s", b.err);
        stop_expect_read(&b, 20, "rotated and compressed while stopped, 20 lines in the new file");
        fpm_down(&e);
}
END_TEST

/* More written while stopped than CatchUp: only the last part is read, and the skip is said. */
START_TEST(test_catch_up_bound) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "CatchUp = 10K\n");
        append_numbered(path_in("error.log"), 10, 2000);       /* ~100 KB */
        start(&b, conf);
        ck_assert_msg(bgw_wait_stderr(&b, "are more than CatchUp (10240): skipped to the last 10240", 2000), "%s",
                      b.err);
        stop(&b);
        long long got = lines_read(&b);
        fprintf(stderr, "CatchUp = 10K, ~100 KB written while stopped: %lld lines read\n", got);
        ck_assert_int_gt(got, 150);
        ck_assert_int_lt(got, 250);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

START_TEST(test_firing_across_restart) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = prepare(&e, "");
        start(&b, conf);
        fpm_quit(&e);
        ck_assert_msg(bgw_wait_alert(&b, 0, "fpm_down", "firing", PROBE_INTERVAL_MS + 2000) >= 0, "%s", b.out);
        stop(&b);
        bgw_free(&b);

        start(&b, conf);
        ck_assert_msg(strstr(b.err, "restored 1 finding firing before the stop"), "%s", b.err);
        pump_for(&b, 3 * PROBE_INTERVAL_MS + RESOLVE_AFTER_MS);
        ck_assert_msg(json_array_size(b.alerts) == 0, "alerts while still down: %s", b.out);
        stop(&b);
        bgw_free(&b);

        start(&b, conf);        /* a second restart, still down */
        pump_for(&b, 2 * PROBE_INTERVAL_MS);
        fpm_restart(&e);
        int resolved = bgw_wait_alert(&b, 0, "fpm_down", "resolved", PROBE_INTERVAL_MS + RESOLVE_AFTER_MS + 3000);
        ck_assert_msg(resolved >= 0, "not resolved; stdout: %s stderr: %s", b.out, b.err);
        pump_for(&b, RESOLVE_AFTER_MS + 2 * PROBE_INTERVAL_MS);
        stop(&b);
        size_t fired = count_alerts(&b, "fpm_down", "firing"), res = count_alerts(&b, "fpm_down", "resolved");
        fprintf(stderr, "fpm_down across two restarts: %zu more firing, %zu resolved\n", fired, res);
        ck_assert_uint_eq(fired, 0);
        ck_assert_uint_eq(res, 1);
        bgw_free(&b);

        start(&b, conf);        /* resolved: nothing restored */
        ck_assert_msg(!strstr(b.err, "restored"), "%s", b.err);
        stop(&b);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

static void expect_fresh_start(const struct fpm_env *e, const char *want) {
        struct bgw b;
        start(&b, config(e, ""));
        ck_assert_msg(strstr(b.err, want), "want '%s' in %s", want, b.err);
        append_numbered(path_in("error.log"), 0, 3);
        pump_for(&b, 500);
        stop(&b);
        ck_assert_int_eq(lines_read(&b), 3);
        bgw_free(&b);
}

/* A second daemon on the same state directory (run by hand beside the service) takes nothing from
 * it and writes nothing to it: it says so; the first keeps its state. */
START_TEST(test_state_dir_locked) {
        struct fpm_env e;
        struct bgw a, b;
        char other[128];
        const char *conf = prepare(&e, "");
        start(&a, conf);
        fixture_newdir(other);
        chmod(other, 0755);
        const char *args[] = { "run", "--config", conf, "--stdout", "--state-dir", path_in("state"), NULL };
        bgw_start(&b, other, args, NULL);
        ck_assert_msg(bgw_wait_stderr(&b, "another badgatewayd keeps its state in", 5000), "%s", b.err ? b.err : "");
        stop(&b);
        bgw_free(&b);
        append_numbered(path_in("error.log"), 0, 3);
        pump_for(&a, 1500);
        stop(&a);
        ck_assert_int_eq(lines_read(&a), 3);
        bgw_free(&a);
        fpm_down(&e);
}
END_TEST

/* A finding firing at the stop whose pool is gone from the configuration at the next start:
 * resolved once at that start, not left firing for ever. */
START_TEST(test_gone_pool_resolved_at_start) {
        struct fpm_env e;
        struct bgw b;
        char extra[300];
        const char *conf = prepare(&e, "");
        snprintf(extra, sizeof(extra), "[Pool gone]\nListen = %s/gone.sock\n", dir);
        append_file(conf, extra, strlen(extra));
        start(&b, conf);
        ck_assert_msg(bgw_wait_alert(&b, 0, "fpm_down", "firing", PROBE_INTERVAL_MS * 3 + 2000) >= 0, "%s", b.out);
        stop(&b);
        bgw_free(&b);
        start(&b, config(&e, ""));      /* [Pool gone] removed */
        int resolved = bgw_wait_alert(&b, 0, "fpm_down", "resolved", 2000);
        ck_assert_msg(resolved >= 0, "not resolved; stdout: %s stderr: %s", b.out, b.err);
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(b.alerts, (size_t) resolved), "pool")), "gone");
        stop(&b);
        ck_assert_uint_eq(count_alerts(&b, "fpm_down", "resolved"), 1);
        ck_assert_uint_eq(count_alerts(&b, "fpm_down", "firing"), 0);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* --state-dir that does not exist yet (a hand run): made, mode 0700, and the state kept there. */
START_TEST(test_state_dir_made) {
        struct fpm_env e;
        struct bgw b;
        struct stat st;
        newdir();
        fpm_up(&e);
        write_file(path_in("error.log"), "");
        const char *args[] = { "run", "--config", config(&e, ""), "--stdout", "--state-dir", path_in("new-state"), NULL };
        bgw_start(&b, dir, args, NULL);
        ck_assert_msg(bgw_wait_note(&b, 0, "READY=1", READY_MS) >= 0, "no READY=1; stderr: %s", b.err ? b.err : "");
        stop(&b);
        ck_assert_msg(strstr(b.err, "state directory ") && strstr(b.err, ": made"), "%s", b.err);
        ck_assert_int_eq(stat(path_in("new-state"), &st), 0);
        ck_assert_int_eq(st.st_mode & 07777, 0700);
        ck_assert_int_eq(access(path_in("new-state/state.json"), F_OK), 0);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

START_TEST(test_corrupt_state) {
        struct fpm_env e;
        prepare(&e, "");
        write_file(path_in("state/state.json"), "{\"schema\": 1, \"logs\": [");
        expect_fresh_start(&e, "warning: state file");
        write_file(path_in("state/state.json"), "{\"schema\": 99, \"logs\": [], \"findings\": []}");
        expect_fresh_start(&e, "not a badgatewayd state file of schema 1");
        ck_assert_int_eq(unlink(path_in("state/state.json")), 0);
        ck_assert_int_eq(mkdir(path_in("state/state.json"), 0700), 0);
        expect_fresh_start(&e, "not a regular file");
        ck_assert_int_eq(rmdir(path_in("state/state.json")), 0);
        /* a state directory that is a file: said once, the daemon goes on */
        ck_assert_int_eq(rmdir(path_in("state")), 0);
        write_file(path_in("state"), "");
        struct bgw b;
        start(&b, config(&e, ""));
        append_numbered(path_in("error.log"), 0, 3);
        pump_for(&b, 2500);
        stop(&b);
        ck_assert_int_eq(lines_read(&b), 3);
        const char *first = strstr(b.err, "state directory ");
        ck_assert_msg(first && !strstr(first + 1, "state directory "), "%s", b.err);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* A connect() failure to unix:/nonexistent/NAME.sock as nginx logs it, stamped age seconds ago
 * (nginx's local time). */
static void append_failure(const char *name, long age) {
        char when[32], line[512];
        time_t t = time(NULL) - age;
        struct tm tm;
        strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", localtime_r(&t, &tm));
        int n = snprintf(line, sizeof(line),
                         "%s [error] 4242#4242: *1 connect() to unix:/nonexistent/%s.sock failed (2: No such file or "
                         "directory) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / "
                         "HTTP/1.1\", upstream: \"fastcgi://unix:/nonexistent/%s.sock:\", host: \"x\"\n",
                         when, name, name);
        append_file(path_in("error.log"), line, (size_t) n);
}

/* The first firing alert for unix:/nonexistent/NAME.sock, waited for; NULL after ms. */
static json_t *firing_for(struct bgw *b, const char *name, int ms) {
        char upstream[128];
        snprintf(upstream, sizeof(upstream), "unix:/nonexistent/%s.sock", name);
        long long end = harness_now_ms() + harness_ms(ms);
        do {
                for (size_t i = 0; i < json_array_size(b->alerts); i++) {
                        json_t *a = json_array_get(b->alerts, i);
                        if (strcmp(json_string_value(json_object_get(a, "upstream")) ?: "", upstream) == 0 &&
                            strcmp(json_string_value(json_object_get(a, "state")) ?: "", "firing") == 0)
                                return a;
                }
                bgw_pump(b, 100);
        } while (harness_now_ms() < end);
        return NULL;
}

static json_int_t late_lines(json_t *a) {
        return json_integer_value(json_object_get(json_object_get(a, "evidence"), "late_lines"));
}

/* A log with no file at the stop is kept as such: a file made there while stopped is read whole. */
START_TEST(test_absent_at_stop) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = prepare(&e, "");
        start(&b, conf);
        append_numbered(path_in("error.log"), 0, 10);
        pump_for(&b, 300);
        unlink(path_in("error.log"));
        ck_assert_msg(bgw_wait_stderr(&b, "deleted", 2000), "%s", b.err);
        pump_for(&b, 300);
        stop(&b);
        ck_assert_int_eq(lines_read(&b), 10);
        bgw_free(&b);
        append_numbered(path_in("error.log"), 10, 20);
        restart_catching_up(&b, conf, 20);
        stop(&b);
        long long got = lines_read(&b);
        bgw_free(&b);
        /* never there while it ran: no position but "absent" */
        unlink(path_in("error.log"));
        unlink(path_in("state/state.json"));
        start(&b, conf);
        pump_for(&b, 300);
        stop(&b);
        bgw_free(&b);
        append_numbered(path_in("error.log"), 30, 15);
        restart_catching_up(&b, conf, 15);
        ck_assert_msg(strstr(b.err, "no file there at the stop"), "%s", b.err);
        stop(&b);
        long long got2 = lines_read(&b);
        fprintf(stderr, "deleted before the stop, 20 lines in a file made while stopped: %lld read; "
                "no file while it ran, 15 lines in a file made while stopped: %lld read\n", got, got2);
        ck_assert_int_eq(got, 20);
        ck_assert_int_eq(got2, 15);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* Lines written while the daemon was stopped make an alert marked late; a line read live does not. */
START_TEST(test_late_alert) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "");
        append_failure("late", 60);
        append_failure("late", 30);
        start(&b, conf);
        json_t *a = firing_for(&b, "late", 3000);
        ck_assert_msg(a, "no alert for the lines written while stopped: %s", b.out ? b.out : "");
        ck_assert_msg(json_is_true(json_object_get(a, "late")), "not marked late");
        ck_assert_int_eq(late_lines(a), 2);
        append_failure("live", 0);
        json_t *l = firing_for(&b, "live", 3000);
        ck_assert_msg(l, "no alert for the line written live");
        ck_assert_msg(json_is_false(json_object_get(l, "late")), "a live line's alert marked late");
        ck_assert_int_eq(late_lines(l), 0);
        /* one cause for one line, caught up or live: the catch-up is judged once pool www answered */
        const char *late_cause = json_string_value(json_object_get(a, "cause"));
        const char *live_cause = json_string_value(json_object_get(l, "cause"));
        ck_assert_str_eq(live_cause, "socket_mismatch");
        ck_assert_str_eq(late_cause, live_cause);
        fprintf(stderr, "late: the caught-up alert late=true late_lines=%lld cause %s; the live one late=false "
                "cause %s\n", (long long) late_lines(a), late_cause, live_cause);
        stop(&b);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* CatchUpAge: of what was written while stopped, lines older than it by their own time are skipped. */
START_TEST(test_catch_up_age) {
        struct fpm_env e;
        struct bgw b;
        const char *conf = after_first_run(&e, "CatchUpAge = 15min\n");
        for (int i = 0; i < 3; i++)
                append_failure("old", 3600);
        append_failure("recent", 60);
        append_failure("recent", 30);
        start(&b, conf);
        ck_assert_msg(bgw_wait_stderr(&b, "3 of them older than CatchUpAge (900 s) by their own time: skipped", 3000),
                      "%s", b.err);
        json_t *a = firing_for(&b, "recent", 3000);
        ck_assert_msg(a, "no alert for the recent lines");
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(a, "evidence"), "lines")), 2);
        ck_assert_msg(!firing_for(&b, "old", 500), "an alert for lines older than CatchUpAge");
        stop(&b);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* An nginx line, now: connect() to the upstream in field (nginx's `upstream: "…"`) refused. */
static void append_refused(const char *field) {
        char when[32], line[1024];
        time_t t = time(NULL);
        struct tm tm;
        strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", localtime_r(&t, &tm));
        int n = snprintf(line, sizeof(line),
                         "%s [error] 4242#4242: *1 connect() failed (111: Connection refused) while connecting to "
                         "upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"%s\", "
                         "host: \"x\"\n", when, field);
        append_file(path_in("error.log"), line, (size_t) n);
}

static bool has_id(json_t *ids, const char *id) {
        for (size_t i = 0; i < json_array_size(ids); i++)
                if (strcmp(json_string_value(json_array_get(ids, i)), id) == 0)
                        return true;
        return false;
}

/* Upstreams named by log lines hold any bytes (a client's Host through proxy_pass http://$host)
 * and can be a whole host name long: the state is still written, and after a restart the same
 * findings (same ids) are restored, not sent again, and resolve once. */
START_TEST(test_odd_upstreams_across_restart) {
        struct fpm_env e;
        struct bgw b;
        char longest[300];
        const char *conf = prepare(&e, "ResolveAfter = 1min\n");      /* firing at the stop */
        start(&b, conf);
        append_failure("x\xff", 0);
        append_refused("http://\xe9vil.example:80/");
        snprintf(longest, sizeof(longest), "http://%0253d:8080/", 0);   /* 253 bytes: the longest name */
        memset(longest + strlen("http://"), 'a', 253);
        append_refused(longest);
        pump_for(&b, 2500);             /* the alerts, and a save a second after them */
        stop(&b);
        ck_assert_msg(!strstr(b.err, "state directory"), "%s", b.err);
        json_t *fired = json_array();
        for (size_t i = 0; i < json_array_size(b.alerts); i++)
                json_array_append(fired, json_object_get(json_array_get(b.alerts, i), "id"));
        ck_assert_msg(json_array_size(fired) == 3, "%s", b.out);
        bgw_free(&b);
        char state[4096] = "";
        FILE *f = fopen(path_in("state/state.json"), "r");
        ck_assert_ptr_nonnull(f);
        state[fread(state, 1, sizeof(state) - 1, f)] = '\0';
        fclose(f);
        ck_assert_msg(strstr(state, "\"target_hex\"") && strstr(state, "aaa:8080\""), "%s", state);

        start(&b, config(&e, ""));      /* ResolveAfter back to a second */
        ck_assert_msg(strstr(b.err, "restored 3 findings firing before the stop"), "%s", b.err);
        pump_for(&b, RESOLVE_AFTER_MS + 4 * PROBE_INTERVAL_MS + 1000);
        stop(&b);
        for (size_t i = 0; i < json_array_size(b.notes); i++) {        /* systemd ignores a STATUS= not UTF-8 */
                json_t *note = json_array_get(b.notes, i), *utf8;
                utf8 = json_stringn(json_string_value(note), json_string_length(note));
                ck_assert_msg(utf8, "a notification that is not UTF-8: %s", json_string_value(note));
                json_decref(utf8);
        }
        size_t resolved = 0;
        for (size_t i = 0; i < json_array_size(b.alerts); i++) {
                json_t *a = json_array_get(b.alerts, i);
                const char *id = json_string_value(json_object_get(a, "id"));
                ck_assert_msg(strcmp(json_string_value(json_object_get(a, "state")), "resolved") == 0 && has_id(fired, id),
                              "after the restart: %s", b.out);
                resolved++;
        }
        fprintf(stderr, "upstreams with bytes not UTF-8 and a 253-byte name: %zu firing, after a restart %zu resolved "
                "with the same ids, 0 sent again\n", json_array_size(fired), resolved);
        ck_assert_uint_eq(resolved, 3);
        bgw_free(&b);
        json_decref(fired);
        fpm_down(&e);
}
END_TEST

int main(void) {
        if (access(fpm_env_binary(), X_OK) < 0) {
                printf("skipped: no %s (set PHP_FPM)\n", fpm_env_binary());
                return 77;
        }
        Suite *s = suite_create("state");
        TCase *tc = tcase_create("restart");
        tcase_add_unchecked_fixture(tc, harness_setup, harness_teardown);
        tcase_set_timeout(tc, 300);
        tcase_add_test(tc, test_lines_while_stopped);
        tcase_add_test(tc, test_odd_upstreams_across_restart);
        tcase_add_test(tc, test_rotated_while_stopped);
        tcase_add_test(tc, test_rotated_twice_while_stopped);
        tcase_add_test(tc, test_copytruncate_while_stopped);
        tcase_add_test(tc, test_rotated_compressed);
        tcase_add_test(tc, test_catch_up_bound);
        tcase_add_test(tc, test_late_alert);
        tcase_add_test(tc, test_absent_at_stop);
        tcase_add_test(tc, test_catch_up_age);
        tcase_add_test(tc, test_firing_across_restart);
        tcase_add_test(tc, test_corrupt_state);
        tcase_add_test(tc, test_state_dir_locked);
        tcase_add_test(tc, test_gone_pool_resolved_at_start);
        tcase_add_test(tc, test_state_dir_made);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
