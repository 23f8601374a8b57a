#include <limits.h>

#include "fixtures.h"

START_TEST(test_prefix_suffix_skip) {
        struct span s = SPAN_LIT("connect() to unix:/x failed");
        ck_assert(SPAN_STARTS(s, "connect() "));
        ck_assert(!SPAN_STARTS(s, "connect() failed"));
        ck_assert(SPAN_ENDS(s, " failed"));
        ck_assert(SPAN_SKIP(&s, "connect() to "));
        ck_assert_span_eq(s, "unix:/x failed");
        ck_assert(!SPAN_SKIP(&s, "nope"));
        ck_assert_span_eq(s, "unix:/x failed");
}
END_TEST

START_TEST(test_find_rfind) {
        struct span s = SPAN_LIT("a (1) b (2) c");
        ck_assert_ptr_eq(SPAN_FIND(s, " ("), s.p + 1);
        ck_assert_ptr_eq(span_rfind(s, " (", 2), s.p + 7);
        ck_assert_ptr_null(span_rfind(s, "zz", 2));
        ck_assert_ptr_null(span_rfind(SPAN_LIT("a"), "ab", 2));
        struct span whole = SPAN_LIT("ab");
        ck_assert_ptr_eq(span_rfind(whole, "ab", 2), whole.p);
}
END_TEST

START_TEST(test_take_long) {
        struct span s = SPAN_LIT("6586#6586");
        long v;
        ck_assert(span_take_long(&s, &v));
        ck_assert_int_eq(v, 6586);
        ck_assert_span_eq(s, "#6586");
        ck_assert(!span_take_long(&s, &v));
        struct span huge = SPAN_LIT("99999999999999999999999");
        ck_assert(!span_take_long(&huge, &v));
        ck_assert_uint_eq(huge.n, 23);
}
END_TEST

START_TEST(test_take_seconds) {
        struct span s = SPAN_LIT("10.510350 seconds");
        double v;
        ck_assert(span_take_seconds(&s, &v));
        ck_assert_double_eq_tol(v, 10.51035, 1e-9);
        ck_assert_span_eq(s, " seconds");
        struct span whole = SPAN_LIT("3 sec");
        ck_assert(span_take_seconds(&whole, &v));
        ck_assert_double_eq(v, 3.0);
        struct span dot = SPAN_LIT("7.x");
        ck_assert(span_take_seconds(&dot, &v));
        ck_assert_span_eq(dot, ".x");
}
END_TEST

int main(void) {
        Suite *s = suite_create("span");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_prefix_suffix_skip);
        tcase_add_test(tc, test_find_rfind);
        tcase_add_test(tc, test_take_long);
        tcase_add_test(tc, test_take_seconds);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
