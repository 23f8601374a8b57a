/* badgatewayd scan end to end: the real binary on real files, its output parsed back. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "fixtures.h"

static char dir[128];

static void setup(void) {
        fixture_newdir(dir);
}

static void teardown(void) {
        dir[0] = '\0';
}

static const char *path(const char *name) {
        static char p[2][256];
        static int next;
        char *out = p[next++ % 2];
        snprintf(out, 256, "%s/%s", dir, name);
        return out;
}

static void write_file(const char *name, const void *data, size_t n) {
        FILE *f = fopen(path(name), "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, n, f), n);
        fclose(f);
}

struct run {
        char *out, *err;
        int status;
};

/* Runs badgatewayd with args (a shell-quoted string) in dir, its standard input piped from the
 * command pipe_from when not NULL, capturing stdout and stderr. */
static struct run run_piped(const char *pipe_from, const char *args) {
        char cmd[1024];
        const char *bin = getenv("BADGATEWAYD");
        ck_assert_ptr_nonnull(bin);
        snprintf(cmd, sizeof(cmd), "cd '%s' && %s%s'%s' %s >out.txt 2>err.txt", dir, pipe_from ? pipe_from : "",
                 pipe_from ? " | " : "", bin, args);
        int st = system(cmd);
        struct run r = { fixture_slurp(path("out.txt"), NULL), fixture_slurp(path("err.txt"), NULL),
                         WIFEXITED(st) ? WEXITSTATUS(st) : -1 };
        return r;
}

static struct run run(const char *args) {
        return run_piped(NULL, args);
}

static void run_free(struct run *r) {
        free(r->out);
        free(r->err);
}

/* Every stdout line must be a JSON object; returns the last one (the summary), counting the rest. */
static json_t *parse_lines(const char *out, int *events) {
        json_t *last = NULL;
        *events = 0;
        for (const char *p = out; *p;) {
                const char *nl = strchr(p, '\n');
                ck_assert_ptr_nonnull(nl);
                json_error_t err;
                json_t *obj = json_loadb(p, (size_t) (nl - p), JSON_ALLOW_NUL, &err);
                ck_assert_msg(obj != NULL, "invalid JSON line: %.*s (%s)", (int) (nl - p), p, err.text);
                ck_assert(json_is_object(obj));
                if (last) {
                        json_decref(last);
                        (*events)++;
                }
                last = obj;
                p = nl + 1;
        }
        ck_assert_ptr_nonnull(last);
        return last;
}

START_TEST(test_json_fields) {
        static const char log[] =
                "2026/11/25 13:23:11 [info] 6586#6586: *3 client 127.0.0.1 closed keepalive connection\n"
                "2026/11/25 13:23:11 [crit] 6586#6586: *5 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"h\"\n";
        write_file("error.log", log, sizeof(log) - 1);
        struct run r = run("scan --json error.log");
        ck_assert_int_eq(r.status, 0);
        int events;
        json_t *summary = parse_lines(r.out, &events);
        ck_assert_int_eq(events, 1);
        json_t *first = json_loadb(r.out, (size_t) (strchr(r.out, '\n') - r.out), 0, NULL);
        ck_assert_str_eq(json_string_value(json_object_get(first, "kind")), "upstream_socket_missing");
        ck_assert_str_eq(json_string_value(json_object_get(first, "file")), "error.log");
        ck_assert_int_eq(json_integer_value(json_object_get(first, "line")), 2);
        ck_assert_str_eq(json_string_value(json_object_get(first, "time")), "2026-11-25T13:23:11");
        ck_assert_str_eq(json_string_value(json_object_get(first, "level")), "crit");
        ck_assert_str_eq(json_string_value(json_object_get(first, "upstream")), "unix:/run/php/php8.2-fpm.sock");
        ck_assert_int_eq(json_integer_value(json_object_get(first, "errno")), 2);
        json_t *s = json_object_get(summary, "summary");
        ck_assert_int_eq(json_integer_value(json_object_get(s, "lines")), 2);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(s, "kinds"), "upstream_socket_missing")), 1);
        json_decref(first);
        json_decref(summary);
        run_free(&r);
}
END_TEST

START_TEST(test_hostile_log_gives_valid_json) {
        /* invalid UTF-8, NUL, control bytes, a 200 KiB line, a line cut mid-way at the end */
        size_t big = 200 * 1024;
        char *log = malloc(big + 4096);
        size_t n = 0;
        n += (size_t) sprintf(log + n, "2026/11/25 13:24:11 [error] 1#1: *92 upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream, client: 127.0.0.1, server: s, request: \"GET /\xff\xfe\x01\x02");
        log[n++] = '\0';
        n += (size_t) sprintf(log + n, "\xc3\x28 HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:8080\", host: \"h\"\n");
        n += (size_t) sprintf(log + n, "2026/11/25 13:24:12 [error] 1#1: *93 no live upstreams while connecting to upstream, client: 1.1.1.1, server: s, request: \"GET /");
        memset(log + n, 'A', big);
        n += big;
        n += (size_t) sprintf(log + n, " HTTP/1.1\", upstream: \"fastcgi://grp\"\n");
        n += (size_t) sprintf(log + n, "[25-Nov-2026 13:23:20] WARNING: [pool www] child 6563 exited on signal 9 (SIGKILL) aft");
        write_file("hostile.log", log, n);
        free(log);
        struct run r = run("scan --json hostile.log");
        ck_assert_int_eq(r.status, 0);
        int events;
        json_t *summary = parse_lines(r.out, &events);
        ck_assert_int_eq(events, 3);
        json_t *s = json_object_get(summary, "summary");
        ck_assert_int_eq(json_integer_value(json_object_get(s, "lines")), 3);
        ck_assert_int_eq(json_integer_value(json_object_get(s, "truncated")), 1);
        ck_assert_ptr_nonnull(strstr(r.out, "\\\\xff\\\\xfe\\u0001\\u0002\\u0000\\\\xc3("));
        json_decref(summary);
        run_free(&r);
}
END_TEST

START_TEST(test_missing_file_exit_2_others_scanned) {
        static const char log[] = "[25-Nov-2026 13:23:45] WARNING: [pool p] server reached max_children setting (1), consider raising it\n";
        write_file("fpm.log", log, sizeof(log) - 1);
        struct run r = run("scan --json nope.log fpm.log");
        ck_assert_int_eq(r.status, 2);
        ck_assert_str_eq(r.err, "badgatewayd: nope.log: No such file or directory (errno 2)\n");
        ck_assert_ptr_nonnull(strstr(r.out, "\"fpm_max_children\""));
        run_free(&r);
        r = run("scan .");
        ck_assert_int_eq(r.status, 2);
        ck_assert_str_eq(r.err, "badgatewayd: .: Is a directory (errno 21)\n");
        /* nothing read: no word of failures found or not */
        ck_assert_msg(!strstr(r.out, "No upstream failures") && strstr(r.out, "No input could be read.\n"), "%s", r.out);
        run_free(&r);
}
END_TEST

START_TEST(test_gzip_and_since_and_table) {
        gzFile gz = gzopen(path("old.log.gz"), "wb");
        gzputs(gz, "2026/11/24 10:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 1.1.1.1, server: s, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\"\n"
                   "2026/11/25 10:00:00 [error] 1#1: *2 connect() failed (111: Connection refused) while connecting to upstream, client: 1.1.1.1, server: s, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\"\n");
        gzclose(gz);
        struct run r = run("scan --json --since 2026-11-25 old.log.gz");
        ck_assert_int_eq(r.status, 0);
        int events;
        json_t *summary = parse_lines(r.out, &events);
        ck_assert_int_eq(events, 1);
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(summary, "summary"), "before_since")), 1);
        json_decref(summary);
        run_free(&r);
        r = run("scan old.log.gz");
        ck_assert_int_eq(r.status, 0);
        ck_assert_ptr_nonnull(strstr(r.out, "upstream_refused"));
        ck_assert_ptr_nonnull(strstr(r.out, "127.0.0.1:9000 (2)"));
        ck_assert_ptr_nonnull(strstr(r.out, "fpm_down"));
        run_free(&r);
}
END_TEST

START_TEST(test_usage_errors) {
        struct run r = run("scan");
        ck_assert_int_eq(r.status, 64);
        ck_assert_msg(strstr(r.err, "no FILE given (- reads standard input)\nusage: badgatewayd scan "), "%s", r.err);
        ck_assert_str_eq(r.out, "");
        run_free(&r);
        r = run("scan --since someday x.log");
        ck_assert_int_eq(r.status, 64);
        ck_assert_ptr_nonnull(strstr(r.err, "--since"));
        run_free(&r);
        r = run("scan - x.log - < /dev/null");
        ck_assert_int_eq(r.status, 64);
        ck_assert_msg(strstr(r.err, "- (standard input) given 2 times"), "%s", r.err);
        ck_assert_str_eq(r.out, "");
        run_free(&r);
        r = run("frobnicate");
        ck_assert_int_eq(r.status, 64);
        run_free(&r);
}
END_TEST

/* FILE "-" is standard input, plain or gzip, from a pipe or a redirected file; its lines say
 * "file":"-"; a file named "-" is still read as ./-. */
START_TEST(test_stdin) {
        static const char log[] =
                "2026/11/25 10:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 1.1.1.1, server: s, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\"\n"
                "[25-Nov-2026 10:00:01] WARNING: [pool www] server reached pm.max_children setting (5), consider raising it\n";
        write_file("in.log", log, sizeof(log) - 1);
        gzFile gz = gzopen(path("in.log.gz"), "wb");
        ck_assert_ptr_nonnull(gz);
        gzputs(gz, log);
        gzclose(gz);
        for (int i = 0; i < 4; i++) {
                const char *name = i % 2 ? "in.log.gz" : "in.log";
                char args[64], cat[64];
                snprintf(args, sizeof(args), i < 2 ? "scan --json - < %s" : "scan --json -", name);
                snprintf(cat, sizeof(cat), "cat %s", name);
                struct run r = run_piped(i < 2 ? NULL : cat, args);
                ck_assert_msg(r.status == 0, "%d %s: %d %s", i, args, r.status, r.err);
                int events;
                json_t *summary = parse_lines(r.out, &events);
                ck_assert_msg(events == 2, "%d %s: %s", i, args, r.out);
                ck_assert_msg(strstr(r.out, "{\"file\":\"-\",\"line\":1,") && strstr(r.out, "{\"file\":\"-\",\"line\":2,"),
                              "%d %s: %s", i, args, r.out);
                ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(summary, "summary"), "lines")), 2);
                json_decref(summary);
                run_free(&r);
        }
        struct run r = run("scan - in.log < in.log.gz");   /* with a file: 2 files, 4 lines */
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, "badgatewayd scan: 2 files, 4 lines, 4 classified\n"), "%s", r.out);
        run_free(&r);
        r = run("scan - < .");
        ck_assert_int_eq(r.status, 2);
        ck_assert_str_eq(r.err, "badgatewayd: standard input: Is a directory (errno 21)\n");
        run_free(&r);
        write_file("-", log, 212);      /* the first line only */
        r = run("scan --json ./- < in.log");
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, "\"file\":\"./-\"") && strstr(r.out, "\"lines\":1,"), "%s", r.out);
        run_free(&r);
}
END_TEST

/* php-fpm's dateless stderr after an old dated nginx line: --since skips the old line, never the
 * line that has no time of its own (nothing says it is old). */
START_TEST(test_since_keeps_dateless_events) {
        static const char text[] =
                "2020/01/01 00:00:00 [error] 7#7: *1 connect() to unix:/run/php/x.sock failed (111: Connection refused) "
                "while connecting to upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: "
                "\"fastcgi://unix:/run/php/x.sock:\", host: \"h\"\n"
                "WARNING: [pool www] child 123 exited on signal 9 (SIGKILL) after 1.5 seconds from start\n";
        int events;
        write_file("dj.log", text, sizeof(text) - 1);
        struct run r = run("scan --json --since 1h dj.log");
        ck_assert_int_eq(r.status, 0);
        json_t *summary = parse_lines(r.out, &events);
        ck_assert_int_eq(events, 1);
        ck_assert_msg(strstr(r.out, "\"kind\":\"fpm_child_signal\""), "%s", r.out);
        json_decref(summary);
        run_free(&r);
}
END_TEST

/* Each line says the causes its kind points to, and php-fpm's seconds as it logged them. */
START_TEST(test_json_causes_and_seconds) {
        static const char text[] =
                "[25-Nov-2026 13:02:01] WARNING: [pool www] child 1 exited on signal 9 (SIGKILL) after 664.260371 seconds from start\n"
                "2026/11/25 13:02:02 [error] 7#7: *1 connect() failed (111: Connection refused) while connecting to upstream, "
                "client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\"\n";
        int events;
        write_file("c.log", text, sizeof(text) - 1);
        struct run r = run("scan --json c.log");
        ck_assert_int_eq(r.status, 0);
        json_t *summary = parse_lines(r.out, &events);
        ck_assert_int_eq(events, 2);
        ck_assert_msg(strstr(r.out, "\"kind\":\"fpm_child_signal\",\"causes\":[\"worker_killed\"]"), "%s", r.out);
        ck_assert_msg(strstr(r.out, "\"seconds\":664.260371,"), "%s", r.out);
        ck_assert_msg(strstr(r.out, "\"kind\":\"upstream_refused\",\"causes\":[\"fpm_down\",\"socket_mismatch\"]"), "%s", r.out);
        json_decref(summary);
        run_free(&r);
}
END_TEST

/* The table's timeline: "it started at 13:02 and stopped at 13:17", in blocks or in ASCII. */
START_TEST(test_table_timeline) {
        FILE *f = fopen(path("t.log"), "w");
        ck_assert_ptr_nonnull(f);
        for (int m = 2; m <= 17; m++)
                for (int i = 0; i < (m == 5 ? 8 : 1); i++)
                        fprintf(f, "2026/11/25 13:%02d:%02d [error] 7#7: *1 connect() failed (111: Connection refused) while "
                                   "connecting to upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", "
                                   "upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\"\n", m, i);
        fprintf(f, "2026/11/25 13:40:00 [error] 7#7: *1 recv() failed (104: Connection reset by peer) while reading "
                   "response header from upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", "
                   "upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\"\n");
        fclose(f);
        struct run r = run("scan --ascii t.log");
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, "When (one mark per 1 min, from 2026-11-25 13:02 to 13:41;"), "%s", r.out);
        /* 13:02-13:17 one mark each, 13:05 eight times (the top), nothing until 13:40 */
        char want[256];
        snprintf(want, sizeof(want), "  upstream_refused           |...@............%23s| 13:02 to 13:17, at most 8 per 1 min\n", "");
        ck_assert_msg(strstr(r.out, want), "%s", r.out);
        snprintf(want, sizeof(want), "  upstream_reset             |%38s@| 13:40 to 13:40, at most 1 per 1 min\n", "");
        ck_assert_msg(strstr(r.out, want), "%s", r.out);
        run_free(&r);
        unsetenv("LC_ALL");
        unsetenv("LC_CTYPE");
        setenv("LANG", "C.UTF-8", 1);   /* the locale decides the marks */
        r = run("scan t.log");
        snprintf(want, sizeof(want), "|▁▁▁█▁▁▁▁▁▁▁▁▁▁▁▁%23s| 13:02 to 13:17", "");
        ck_assert_msg(strstr(r.out, want), "%s", r.out);
        run_free(&r);
        setenv("LANG", "C", 1);
        r = run("scan t.log");
        ck_assert_msg(strstr(r.out, "|...@"), "%s", r.out);
        run_free(&r);
}
END_TEST

/* Labels with a NUL byte or an escape sequence (both reach nginx's and php-fpm's logs): two
 * labels that differ after a NUL stay two (the tally read past a label cut at the NUL), and the
 * table shows them escaped, never the terminal's control bytes. */
START_TEST(test_table_labels_escaped) {
        static const char nginx[] = "2026/11/25 13:23:15 [error] 1#1: *1 connect() to unix:/run/a%c%s.sock failed (2: No "
                                    "such file or directory) while connecting to upstream, client: 127.0.0.1, server: s, "
                                    "request: \"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/a%c%s.sock:\", host: \"h\"\n";
        char buf[4096];
        size_t n = 0;
        n += (size_t) snprintf(buf + n, sizeof(buf) - n, nginx, 0, "bcdefghijklmnop", 0, "bcdefghijklmnop");
        n += (size_t) snprintf(buf + n, sizeof(buf) - n, nginx, 0, "zz", 0, "zz");
        n += (size_t) snprintf(buf + n, sizeof(buf) - n, nginx, 0, "zz", 0, "zz");
        n += (size_t) snprintf(buf + n, sizeof(buf) - n, "[29-Nov-2026 10:00:00] WARNING: [pool w\033[31mred] child 12 "
                               "exited on signal 9 (SIGKILL) after 1.5 seconds from start\n");
        write_file("l.log", buf, n);
        struct run r = run("scan l.log");
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, "unix:/run/a\\x00zz.sock (2), unix:/run/a\\x00bcdefghijklmnop.sock (1)"), "%s", r.out);
        ck_assert_msg(strstr(r.out, "pool w\\x1b[31mred (1)"), "%s", r.out);
        ck_assert_ptr_null(strchr(r.out, '\033'));
        run_free(&r);
}
END_TEST

/* Lines 129 years apart: the marks stay on the ladder's last step, whole years. */
START_TEST(test_table_timeline_years) {
        static const char line[] = "%s [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to "
                                   "upstream, client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: "
                                   "\"fastcgi://127.0.0.1:9000\", host: \"h\"\n";
        char buf[1024];
        size_t n = (size_t) snprintf(buf, sizeof(buf), line, "1970/01/02 00:00:00");
        n += (size_t) snprintf(buf + n, sizeof(buf) - n, line, "2099/12/31 23:59:00");
        write_file("y.log", buf, n);
        struct run r = run("scan --ascii y.log");
        ck_assert_int_eq(r.status, 0);
        ck_assert_msg(strstr(r.out, "When (one mark per 1095 d, from 1970-01-01 00:00 to "), "%s", r.out);
        run_free(&r);
}
END_TEST

int main(void) {
        Suite *s = suite_create("scan_cli");
        TCase *tc = tcase_create("cli");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_json_fields);
        tcase_add_test(tc, test_hostile_log_gives_valid_json);
        tcase_add_test(tc, test_missing_file_exit_2_others_scanned);
        tcase_add_test(tc, test_gzip_and_since_and_table);
        tcase_add_test(tc, test_usage_errors);
        tcase_add_test(tc, test_stdin);
        tcase_add_test(tc, test_since_keeps_dateless_events);
        tcase_add_test(tc, test_json_causes_and_seconds);
        tcase_add_test(tc, test_table_timeline);
        tcase_add_test(tc, test_table_labels_escaped);
        tcase_add_test(tc, test_table_timeline_years);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
