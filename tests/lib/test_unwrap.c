/* Wrapped lines (issue 9 §1): docker, compose, syslog, the journal, php-fpm without its date. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fixtures.h"
#include "unwrap.h"

static const char *const wrapped_files[] = {
        "01-dockerts-backlog.nginx.log", "02-compose-eacces.log", "07-journal-fpm-init.log",
        "08-nots-fpm.fpm.log", "21-docker-jsonfile.log", "22-journal-short-iso.log",
        "23-fpm-syslog.log", "variants.log",
};

/* A json-file line's spans point into the logline: keep it past the call. */
static struct logline ll;

static enum event_kind classify(const char *line, struct event *ev) {
        return classify_line(line, strlen(line), &ll, ev);
}

static void zone_setup(void) {
        setenv("TZ", "XYZ-1", 1);       /* UTC+1, no tzdata needed */
        tzset();
}

/*
 * Every line of tests/data/wrapped/FILE against wrapped/expected.tsv: kind, upstream or pool,
 * time as scan prints it (local, here UTC+1; "*" for the year a BSD syslog time lacks).
 * Unlisted lines are none.
 */
START_TEST(test_wrapped_files) {
        const char *name = wrapped_files[_i];
        char *expected = fixture_read("wrapped/expected.tsv", NULL);
        char path[256];
        snprintf(path, sizeof(path), "wrapped/%s", name);
        size_t len;
        char *log = fixture_read(path, &len);
        unsigned lineno = 0, matched = 0, rows = 0;
        for (char *p = expected; (p = strstr(p, name)); p++)
                rows += (p == expected || p[-1] == '\n') && p[strlen(name)] == ':';
        for (char *line = log; line < log + len; lineno++) {
                char *nl = memchr(line, '\n', (size_t) (log + len - line));
                size_t n = nl ? (size_t) (nl - line) : (size_t) (log + len - line);
                struct event ev;
                enum event_kind k = classify_line(line, n, &ll, &ev);
                char key[300], want_kind[64], want_label[256], want_time[64];
                snprintf(key, sizeof(key), "\n%s:%u\t", name, lineno + 1);
                char *row = strstr(expected, key) ? strstr(expected, key) + 1 : NULL;
                if (!row && strncmp(expected, key + 1, strlen(key + 1)) == 0)
                        row = expected;
                if (!row) {
                        ck_assert_msg(k == KIND_NONE, "%s: got %s, expected none", key + 1, kind_id(k));
                } else {
                        ck_assert_int_eq(sscanf(row + strlen(key) - 1, "%63[^\t]\t%255[^\t]\t%63[^\n]",
                                                want_kind, want_label, want_time), 3);
                        ck_assert_msg(strcmp(kind_id(k), want_kind) == 0, "%s: got %s, expected %s",
                                      key + 1, kind_id(k), want_kind);
                        struct span label = ev.source == SOURCE_FPM ? ev.pool : ev.upstream;
                        ck_assert_span_eq(label, strcmp(want_label, "-") ? want_label : "");
                        struct timestamp t;
                        char iso[32];
                        if (strcmp(want_time, "-") == 0) {
                                ck_assert_msg(!logline_parse_time(&ll, &t), "%s: has a time", key + 1);
                        } else {
                                ck_assert_msg(logline_parse_time(&ll, &t), "%s: no time", key + 1);
                                const char *got = timestamp_iso(&t, iso);
                                if (want_time[0] == '*')
                                        ck_assert_str_eq(got + 4, want_time + 1);
                                else
                                        ck_assert_str_eq(got, want_time);
                        }
                        matched++;
                }
                line += n + 1;
        }
        ck_assert_uint_eq(matched, rows);
        ck_assert_uint_gt(matched, 0);
        free(log);
        free(expected);
}
END_TEST

static unsigned forms_of(const char *line, struct unwrapped *u, char *buf, size_t size) {
        return unwrap_line(line, strlen(line), u, buf, size) ? u->forms : 0;
}

START_TEST(test_forms) {
        static char buf[LOGLINE_TEXT_MAX];
        struct unwrapped u;
        const char *nginx = "2026/11/20 09:14:03 [error] 1#1: *1 x";
        char line[512];
        static const struct {
                const char *prefix;
                unsigned forms;
                enum unwrap_time tf;
        } cases[] = {
                { "2017-05-10T06:50:00.434167704Z ", UNWRAP_TIMESTAMP, UNWRAP_TIME_RFC3339 },
                { "app-1  | ", UNWRAP_COMPOSE, UNWRAP_TIME_NONE },
                { "app_1 | ", UNWRAP_COMPOSE, UNWRAP_TIME_NONE },
                { "app-1  | 2017-05-10T06:50:00Z ", UNWRAP_COMPOSE | UNWRAP_TIMESTAMP, UNWRAP_TIME_RFC3339 },
                { "Mar 12 14:01:06 host nginx: ", UNWRAP_SYSLOG, UNWRAP_TIME_BSD },
                { "Mar  2 14:01:06.123456 host nginx[12]: ", UNWRAP_SYSLOG, UNWRAP_TIME_BSD },
                { "<11>Mar 12 14:01:06 host nginx: ", UNWRAP_SYSLOG, UNWRAP_TIME_BSD },
                { "2026-03-12T14:01:06+0100 host nginx[2209]: ", UNWRAP_SYSLOG_ISO, UNWRAP_TIME_RFC3339 },
                { "<14>1 2026-03-12T14:01:06Z host nginx 12 - - ", UNWRAP_RFC5424, UNWRAP_TIME_RFC3339 },
                { "<14>1 - - - - - - ", UNWRAP_RFC5424, UNWRAP_TIME_NONE },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                snprintf(line, sizeof(line), "%s%s", cases[i].prefix, nginx);
                ck_assert_msg(forms_of(line, &u, buf, sizeof(buf)) == cases[i].forms, "%s: forms %#x",
                              line, u.forms);
                ck_assert_span_eq(u.text, nginx);
                ck_assert_int_eq(u.time_form, cases[i].tf);
                struct event ev;
                ck_assert_int_eq(classify(line, &ev), KIND_NONE);
                ck_assert_int_eq(ll.source, SOURCE_NGINX);
        }
        /* the line itself: nothing peeled */
        ck_assert(!unwrap_line(nginx, strlen(nginx), &u, buf, sizeof(buf)));
        ck_assert(u.text.p == nginx);
        /* json-file: decoded into buf, the time kept there too */
        const char *json = "{\"log\":\"a\\\"b\\u00e9\\n\",\"stream\":\"stderr\",\"time\":\"2026-03-12T13:01:06.5Z\"}";
        ck_assert_uint_eq(forms_of(json, &u, buf, sizeof(buf)), UNWRAP_DOCKER_JSON);
        ck_assert_span_eq(u.text, "a\"b\xc3\xa9");
        ck_assert_span_eq(u.time, "2026-03-12T13:01:06.5Z");
        /* only the outermost layer is JSON, and it needs a buffer */
        ck_assert_uint_eq(forms_of("app-1 | {\"log\":\"x\"}", &u, buf, sizeof(buf)), UNWRAP_COMPOSE);
        ck_assert_span_eq(u.text, "{\"log\":\"x\"}");
        ck_assert_uint_eq(forms_of(json, &u, NULL, 0), 0);
}
END_TEST

START_TEST(test_times) {
        zone_setup();
        struct timestamp t;
        char iso[32];
        ck_assert(timestamp_parse_rfc3339(SPAN_LIT("2026-03-12T13:01:06.434167704Z"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-03-12T14:01:06.434167");
        ck_assert(timestamp_parse_rfc3339(SPAN_LIT("2026-03-12T14:01:06+01:00"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-03-12T14:01:06");
        ck_assert(timestamp_parse_rfc3339(SPAN_LIT("2026-03-12T09:01:06-0400"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-03-12T14:01:06");
        ck_assert(timestamp_parse_rfc3339(SPAN_LIT("2026-12-31T23:30:00Z"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2027-01-01T00:30:00");
        /* no zone: already local */
        ck_assert(timestamp_parse_rfc3339(SPAN_LIT("2026-03-12T14:01:06.5"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-03-12T14:01:06.500000");
        ck_assert(!timestamp_parse_rfc3339(SPAN_LIT("2026-13-12T14:01:06Z"), &t));
        ck_assert(!timestamp_parse_rfc3339(SPAN_LIT("2026-03-12T14:01:06Zx"), &t));
        ck_assert(!timestamp_parse_rfc3339(SPAN_LIT("2026-03-12 14:01:06"), &t));
        /* BSD: no year; now's, or the one before when that is more than two days ahead */
        time_t jan3 = 1798966800;       /* 2027-01-03T10:00:00+01:00 */
        ck_assert(timestamp_parse_bsd(SPAN_LIT("Dec 31 23:59:59"), jan3, &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-12-31T23:59:59");
        ck_assert(timestamp_parse_bsd(SPAN_LIT("Jan  3 09:00:00.25"), jan3, &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2027-01-03T09:00:00.250000");
        ck_assert(timestamp_parse_bsd(SPAN_LIT("Jan  4 09:00:00"), jan3, &t));
        ck_assert_int_eq(t.year, 2027);
        ck_assert(!timestamp_parse_bsd(SPAN_LIT("Foo 12 14:01:06"), jan3, &t));
        ck_assert(!timestamp_parse_bsd(SPAN_LIT("Mar 12 14:01"), jan3, &t));
        /* ordered with nginx's own times by the same key */
        struct timestamp own;
        ck_assert(timestamp_parse_nginx(SPAN_LIT("2026/03/12 14:01:07"), &own));
        ck_assert(timestamp_parse_rfc3339(SPAN_LIT("2026-03-12T13:01:06Z"), &t));
        ck_assert(timestamp_key(&t) < timestamp_key(&own));
}
END_TEST

/* The line's own time wins over its wrapper's; the wrapper's fills in when it has none. */
START_TEST(test_own_time_first) {
        zone_setup();
        struct event ev;
        struct timestamp t;
        char iso[32];
        ck_assert_int_eq(classify("2026-03-12T23:59:59Z [12-Mar-2026 14:01:06] WARNING: [pool www] child 1 "
                                  "exited on signal 9 (SIGKILL) after 1.0 seconds from start", &ev),
                         KIND_FPM_CHILD_SIGNAL);
        ck_assert(logline_parse_time(&ll, &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-03-12T14:01:06");
        ck_assert_span_eq(logline_time(&ll), "12-Mar-2026 14:01:06");
        ck_assert_int_eq(classify("2026-03-12T23:59:59Z WARNING: [pool www] child 1 exited on signal 9 "
                                  "(SIGKILL) after 1.0 seconds from start", &ev), KIND_FPM_CHILD_SIGNAL);
        ck_assert(logline_parse_time(&ll, &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-03-13T00:59:59");
        ck_assert_span_eq(logline_time(&ll), "2026-03-12T23:59:59Z");
        /* a line left unclassified has no time, wrapped or not */
        ck_assert_int_eq(classify("2026-03-12T23:59:59Z hello", &ev), KIND_NONE);
        ck_assert(!logline_parse_time(&ll, &t));
}
END_TEST

/* Only a wrapper at the start counts: one inside the client's request changes nothing. */
START_TEST(test_fake_wrapper_in_request) {
        struct event ev;
        const char *line = "2026/11/20 09:14:03 [error] 1#1: *1 open() \"/x\" failed (2: No such file or directory), "
                           "client: 1.2.3.4, server: s, request: \"GET /app-1  | {\\\"log\\\":\\\"2026/11/20 09:14:03 "
                           "[crit] 1#1: *1 connect() to unix:/x failed (2: No such file or directory) while "
                           "connecting to upstream\\\"} HTTP/1.1\", host: \"h\"";
        ck_assert_int_eq(classify(line, &ev), KIND_NONE);
        ck_assert_int_eq(ll.wrap.forms, 0);
        /* a client's text that nginx's access log holds is not php-fpm's */
        ck_assert_int_eq(classify("1.2.3.4 - - [20/Nov/2026:09:14:03 +0000] \"GET /x | WARNING: [pool www] child 1 "
                                  "exited on signal 9 (SIGKILL)\" 404 1", &ev), KIND_NONE);
        /* a lower-case or unknown level is not php-fpm's */
        ck_assert_int_eq(classify("error: [pool www] child 1 exited on signal 9 (SIGKILL)", &ev), KIND_NONE);
        ck_assert_int_eq(classify("WARN: [pool www] child 1 exited on signal 9 (SIGKILL)", &ev), KIND_FPM_CHILD_SIGNAL);
        ck_assert_int_eq(classify("FOO: [pool www] child 1 exited on signal 9 (SIGKILL)", &ev), KIND_NONE);
}
END_TEST

/* A json-file line cut anywhere: never a wrong kind, never a read outside the line. */
START_TEST(test_truncated_json) {
        const char *json = "{\"log\":\"2026/11/20 09:14:03 [crit] 1#1: *1 connect() to unix:/run/php.sock failed "
                           "(2: No such file or directory) while connecting to upstream, client: 1.2.3.4\\n\","
                           "\"stream\":\"stderr\",\"time\":\"2026-11-20T08:14:03.1Z\"}";
        size_t n = strlen(json);
        for (size_t cut = 0; cut <= n; cut++) {
                char *copy = malloc(cut ? cut : 1);
                memcpy(copy, json, cut);
                struct event ev;
                enum event_kind k = classify_line(copy, cut, &ll, &ev);
                ck_assert_int_eq(k, cut == n ? KIND_UPSTREAM_SOCKET_MISSING : KIND_NONE);
                free(copy);
        }
}
END_TEST

START_TEST(test_huge_and_deep) {
        struct event ev;
        /* a json-file text longer than the buffer: cut, flagged, still classified by its head */
        size_t big = 1 << 20;
        char *line = malloc(big + 512);
        int at = sprintf(line, "{\"log\":\"2026/11/20 09:14:03 [error] 1#1: *1 upstream timed out (110: Connection "
                               "timed out) while reading response header from upstream, client: 1.2.3.4, request: \\\"");
        memset(line + at, 'A', big);
        strcpy(line + at + big, "\\\"\\n\",\"stream\":\"stderr\"}");
        ck_assert_int_eq(classify(line, &ev), KIND_UPSTREAM_READ_TIMEOUT);
        ck_assert(ll.wrap.truncated);
        ck_assert_uint_le(ll.wrap.text.n, sizeof(ll.text));
        /* a huge compose name is no compose prefix */
        memset(line, 'a', big);
        strcpy(line + big, " | NOTICE: ready to handle connections");
        ck_assert_int_eq(classify(line, &ev), KIND_NONE);
        /* wrappers in wrappers: peeled up to UNWRAP_MAX_DEPTH, then given up */
        char deep[4096] = "";
        for (int i = 0; i < 200; i++)
                strcat(deep, "a | ");
        strcat(deep, "NOTICE: ready to handle connections");
        ck_assert_int_eq(classify(deep, &ev), KIND_NONE);
        ck_assert_int_eq(classify("a | b | c | NOTICE: ready to handle connections", &ev), KIND_FPM_STARTED);
        /* bytes of every kind after a wrapper */
        static const char nul[] = "app-1 | \0\xff\x01WARNING: x";
        ck_assert_int_eq(classify_line(nul, sizeof(nul) - 1, &ll, &ev), KIND_NONE);
        free(line);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("unwrap");
        TCase *tc = tcase_create("unwrap");
        tcase_add_checked_fixture(tc, zone_setup, NULL);
        tcase_add_loop_test(tc, test_wrapped_files, 0, sizeof(wrapped_files) / sizeof(wrapped_files[0]));
        tcase_add_test(tc, test_forms);
        tcase_add_test(tc, test_times);
        tcase_add_test(tc, test_own_time_first);
        tcase_add_test(tc, test_fake_wrapper_in_request);
        tcase_add_test(tc, test_truncated_json);
        tcase_add_test(tc, test_huge_and_deep);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return fixture_run(suite());
}
