#include <errno.h>

#include "fixtures.h"
#include "timestamp.h"

START_TEST(test_nginx_time) {
        struct timestamp t;
        ck_assert(timestamp_parse_nginx(SPAN_LIT("2026/11/25 13:23:11"), &t));
        char iso[32];
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-11-25T13:23:11");
        ck_assert(!timestamp_parse_nginx(SPAN_LIT("2026/13/25 13:23:11"), &t));
        ck_assert(!timestamp_parse_nginx(SPAN_LIT("2026/11/25 1x:23:11"), &t));
        ck_assert(!timestamp_parse_nginx(SPAN_LIT("2026/11/25"), &t));
}
END_TEST

START_TEST(test_fpm_time) {
        struct timestamp t;
        char iso[32];
        ck_assert(timestamp_parse_fpm(SPAN_LIT("25-Nov-2026 13:24:13"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-11-25T13:24:13");
        ck_assert(timestamp_parse_fpm(SPAN_LIT("25-Nov-2026 13:23:15.673798"), &t));
        ck_assert_str_eq(timestamp_iso(&t, iso), "2026-11-25T13:23:15.673798");
        ck_assert(!timestamp_parse_fpm(SPAN_LIT("25-Foo-2026 13:24:13"), &t));
}
END_TEST

START_TEST(test_order) {
        struct timestamp a, b, c;
        ck_assert(timestamp_parse_nginx(SPAN_LIT("2026/11/25 13:23:11"), &a));
        ck_assert(timestamp_parse_fpm(SPAN_LIT("25-Nov-2026 13:23:11.000001"), &b));
        ck_assert(timestamp_parse_fpm(SPAN_LIT("01-Dec-2026 00:00:00"), &c));
        ck_assert(timestamp_key(&a) < timestamp_key(&b));
        ck_assert(timestamp_key(&b) < timestamp_key(&c));
}
END_TEST

START_TEST(test_since) {
        struct timestamp t, now_t;
        ck_assert_int_eq(timestamp_parse_since("2028-02-29", 0, &t), 0);
        ck_assert_int_eq(timestamp_parse_since("2000-02-29", 0, &t), 0);
        ck_assert_int_eq(timestamp_parse_since("2026-11-25", 0, &t), 0);
        ck_assert_int_eq(t.hour, 0);
        ck_assert_int_eq(timestamp_parse_since("2026-11-25 13:00", 0, &t), 0);
        ck_assert_int_eq(t.hour, 13);
        ck_assert_int_eq(timestamp_parse_since("2026-11-25T13:00:30", 0, &t), 0);
        ck_assert_int_eq(t.sec, 30);
        time_t now = 1800000000;
        now_t = timestamp_from_time(now);
        ck_assert_int_eq(timestamp_parse_since("2h", now, &t), 0);
        ck_assert(timestamp_key(&t) < timestamp_key(&now_t));
        struct timestamp exact = timestamp_from_time(now - 7200);
        ck_assert(timestamp_key(&t) == timestamp_key(&exact));
        ck_assert_int_eq(timestamp_parse_since("9000000000000000000s", now, &t), -ERANGE);
        ck_assert_int_eq(timestamp_parse_since("15111111111111m", now, &t), -ERANGE);
        ck_assert_int_eq(timestamp_parse_since("3650d", now, &t), 0);
        /* systemd.time(7)'s spans, and journalctl's "-2h" and "2h ago" */
        static const char *const ages[] = { "-2h", "2h ago", "2 hours", "1h 60min", "120 min", "1.5h 30m", " 2h" };
        for (unsigned i = 0; i < sizeof(ages) / sizeof(ages[0]); i++) {
                ck_assert_msg(timestamp_parse_since(ages[i], now, &t) == 0, "refused '%s'", ages[i]);
                ck_assert_msg(timestamp_key(&t) == timestamp_key(&exact), "'%s' is not 2h ago", ages[i]);
        }
        ck_assert_int_eq(timestamp_parse_since("5w", now, &t), 0);
        exact = timestamp_from_time(now - 5 * 7 * 86400);
        ck_assert(timestamp_key(&t) == timestamp_key(&exact));
        ck_assert_int_eq(timestamp_parse_since("101y", now, &t), -ERANGE);
        static const char *bad[] = { "", "yesterdays", "Now", "@", "@-5", "@12x", "@99999999999999999999", "2026-11-25x", "2026-11-25 13", "5 fortnights", "--2h", "2h ago ago",
                                     "ago", "-", "+2h",
                                     "2026-11-25 13:00:00 junk", "2026-02-30 25:00", "2026-02-30",
                                     "2026-04-31 10:00", "2025-02-29", "2100-02-29", "2026-11-25T", "2026-11-25 UTCx",
                                     "2026-11-25 13:00 utc", "2026-11-25 13:00+25:00", "13:", "25:00",
                                     "2026-11-25 13:00Z junk" };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(timestamp_parse_since(bad[i], now, &t) < 0, "accepted '%s'", bad[i]);
}
END_TEST

/* What systemd.time(7) takes besides spans: now, today, yesterday, tomorrow, @EPOCH, and a zone
 * after the time ("Z", "+01:00" directly, " UTC" after a space); a clock alone is today's. */
static struct timestamp utc(int y, int mo, int d, int h, int mi, int sec) {
        struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec };
        return timestamp_from_time(timegm(&tm));
}

START_TEST(test_since_systemd_forms) {
        struct timestamp t, want;
        time_t now = 1800000000;        /* 2027-01-15T08:00:00Z */
        struct timestamp today = timestamp_from_time(now);
        ck_assert_int_eq(timestamp_parse_since("now", now, &t), 0);
        ck_assert(timestamp_key(&t) == timestamp_key(&today));
        ck_assert_int_eq(timestamp_parse_since("today", now, &t), 0);
        ck_assert(t.year == today.year && t.month == today.month && t.day == today.day);
        ck_assert(t.hour == 0 && t.min == 0 && t.sec == 0 && t.usec == 0);
        struct timestamp yday = timestamp_from_time(now - 86400);
        ck_assert_int_eq(timestamp_parse_since("yesterday", now, &t), 0);
        ck_assert(t.year == yday.year && t.month == yday.month && t.day == yday.day && t.hour == 0);
        struct timestamp tmrw = timestamp_from_time(now + 86400);
        ck_assert_int_eq(timestamp_parse_since("tomorrow", now, &t), 0);
        ck_assert(t.year == tmrw.year && t.month == tmrw.month && t.day == tmrw.day && t.hour == 0);
        ck_assert_int_eq(timestamp_parse_since("@1800000000", 0, &t), 0);
        ck_assert(timestamp_key(&t) == timestamp_key(&today));
        ck_assert_int_eq(timestamp_parse_since("@1800000000.25", 0, &t), 0);
        ck_assert_int_eq(t.usec, 250000);
        want = utc(2026, 11, 25, 13, 0, 0);
        static const char *const at_13_utc[] = { "2026-11-25 13:00Z", "2026-11-25T13:00:00Z", "2026-11-25 13:00:00 UTC",
                                                 "2026-11-25T14:00:00+01:00", "2026-11-25 08:00-0500",
                                                 "2026-11-25T13:00:00.000000z" };
        for (unsigned i = 0; i < sizeof(at_13_utc) / sizeof(at_13_utc[0]); i++) {
                ck_assert_msg(timestamp_parse_since(at_13_utc[i], now, &t) == 0, "refused '%s'", at_13_utc[i]);
                ck_assert_msg(timestamp_key(&t) == timestamp_key(&want), "'%s' is not 13:00 UTC", at_13_utc[i]);
        }
        ck_assert_int_eq(timestamp_parse_since("2026-11-25 UTC", now, &t), 0);
        want = utc(2026, 11, 25, 0, 0, 0);
        ck_assert(timestamp_key(&t) == timestamp_key(&want));
        ck_assert_int_eq(timestamp_parse_since("2026-11-25 13:00:30.5", now, &t), 0);
        ck_assert(t.sec == 30 && t.usec == 500000);
        ck_assert_int_eq(timestamp_parse_since("07:30", now, &t), 0);    /* today's */
        ck_assert(t.year == today.year && t.month == today.month && t.day == today.day && t.hour == 7 && t.min == 30);
        ck_assert_int_eq(timestamp_parse_since("07:30 UTC", now, &t), 0);
        want = utc(2027, 1, 15, 7, 30, 0);
        ck_assert(timestamp_key(&t) == timestamp_key(&want));
}
END_TEST

int main(void) {
        Suite *s = suite_create("timestamp");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_nginx_time);
        tcase_add_test(tc, test_fpm_time);
        tcase_add_test(tc, test_order);
        tcase_add_test(tc, test_since);
        tcase_add_test(tc, test_since_systemd_forms);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
