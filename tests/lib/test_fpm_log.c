#include <string.h>

#include "fixtures.h"
#include "fpm_log.h"

static struct fpm_line parse(const char *line) {
        struct fpm_line l;
        ck_assert_int_eq(fpm_parse(line, strlen(line), &l), 0);
        return l;
}

START_TEST(test_default_format) {
        struct fpm_line l = parse("[25-Nov-2026 13:23:20] WARNING: [pool c5kill] child 6563 exited on signal 9 "
                                  "(SIGKILL) after 10.510350 seconds from start");
        ck_assert_span_eq(l.time, "25-Nov-2026 13:23:20");
        ck_assert_span_eq(l.level, "WARNING");
        ck_assert_int_eq(l.lvl, LEVEL_WARN);
        ck_assert_span_eq(l.pool, "c5kill");
        ck_assert_uint_eq(l.pid.n, 0);
        ck_assert_span_eq(l.message, "child 6563 exited on signal 9 (SIGKILL) after 10.510350 seconds from start");
}
END_TEST

START_TEST(test_debug_format) {
        struct fpm_line l = parse("[25-Nov-2026 13:23:15.673798] WARNING: pid 6709, fpm_children_bury(), line 289: "
                                  "[pool victim] child 6711 exited on signal 9 (SIGKILL) after 3.501234 seconds from start");
        ck_assert_span_eq(l.time, "25-Nov-2026 13:23:15.673798");
        ck_assert_span_eq(l.pid, "6709");
        ck_assert_span_eq(l.pool, "victim");
        ck_assert(SPAN_STARTS(l.message, "child 6711 exited"));
}
END_TEST

START_TEST(test_master_line) {
        struct fpm_line l = parse("[25-Nov-2026 13:24:42] NOTICE: Finishing ...");
        ck_assert_ptr_null(l.pool.p);
        ck_assert_int_eq(l.lvl, LEVEL_NOTICE);
        ck_assert_span_eq(l.message, "Finishing ...");
        l = parse("[25-Nov-2026 13:24:42] ALERT: [pool www] pm.max_children must be a positive value");
        ck_assert_int_eq(l.lvl, LEVEL_ALERT);
        ck_assert_span_eq(l.pool, "www");
}
END_TEST

START_TEST(test_not_fpm) {
        struct fpm_line l;
        static const char *bad[] = {
                "", "[", "[25-Nov-2026 13:24:42]", "[25-Nov-2026 13:24:42] BOGUS: x",
                "2026/11/25 13:23:15 [error] 1#1: x", "[25-Nov-2026 13:24:42 NOTICE: no bracket",
        };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_int_lt(fpm_parse(bad[i], strlen(bad[i]), &l), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("fpm_log");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_default_format);
        tcase_add_test(tc, test_debug_format);
        tcase_add_test(tc, test_master_line);
        tcase_add_test(tc, test_not_fpm);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
