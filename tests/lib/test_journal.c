/* The journal as a source, what runs without journald: [Journal] in badgatewayd.conf, the cursor
 * in the state file, and an entry's line as the classifier reads it (journal_line()). Following a
 * real journald is tests/systemd/test_journal.sh. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "config.h"
#include "fixtures.h"
#include "journal.h"
#include "statefile.h"

static struct config c;
static struct config_error err;

static int parse(const char *text) {
        return config_parse_string(&c, "/etc/badgatewayd/badgatewayd.conf", text, &err);
}

START_TEST(test_config_defaults) {
        ck_assert_int_eq(parse("[Daemon]\nProbeInterval = 1s\n"), 0);
        ck_assert_int_eq(c.journal_follow, CONFIG_JOURNAL_AUTO);
        ck_assert_int_eq(c.n_journal_units, 0);
        ck_assert_int_eq(c.n_journal_identifiers, 0);
        ck_assert(c.journal_kernel);
}
END_TEST

START_TEST(test_config_keys) {
        ck_assert_int_eq(parse("[Journal]\nFollow = yes\nUnits = nginx.service  php8.2-fpm.service\n"
                               "Units = php8.3-fpm.service\nIdentifiers = php-fpm\nKernel = no\n"), 0);
        ck_assert_int_eq(c.journal_follow, CONFIG_JOURNAL_YES);
        ck_assert_int_eq(c.n_journal_units, 3);
        ck_assert_str_eq(c.journal_units[0], "nginx.service");
        ck_assert_str_eq(c.journal_units[1], "php8.2-fpm.service");
        ck_assert_str_eq(c.journal_units[2], "php8.3-fpm.service");
        ck_assert_int_eq(c.n_journal_identifiers, 1);
        ck_assert_str_eq(c.journal_identifiers[0], "php-fpm");
        ck_assert(!c.journal_kernel);
        /* an empty assignment resets the list (a drop-in's), as in systemd */
        ck_assert_int_eq(parse("[Journal]\nUnits = a.service b.service\nUnits =\nUnits = c.service\n"), 0);
        ck_assert_int_eq(c.n_journal_units, 1);
        ck_assert_str_eq(c.journal_units[0], "c.service");
        ck_assert_int_eq(parse("[Journal]\nFollow = no\n"), 0);
        ck_assert_int_eq(c.journal_follow, CONFIG_JOURNAL_NO);
        ck_assert_int_eq(parse("[Journal]\nFollow = auto\n"), 0);
        ck_assert_int_eq(c.journal_follow, CONFIG_JOURNAL_AUTO);
}
END_TEST

START_TEST(test_config_errors) {
        char many[64 * 40] = "[Journal]\nUnits =";
        ck_assert_int_eq(parse("[Journal]\nFollow = maybe\n"), -EINVAL);
        ck_assert_msg(strstr(err.text, ":2:") && strstr(err.text, "Follow"), "%s", err.text);
        ck_assert_int_eq(parse("[Journal]\nUnit = nginx.service\n"), -EINVAL);
        ck_assert_msg(strstr(err.text, "did you mean 'Units'"), "%s", err.text);
        for (int i = 0; i < CONFIG_MAX_JOURNAL_MATCHES + 1; i++)
                snprintf(many + strlen(many), sizeof(many) - strlen(many), " u%d.service", i);
        strcat(many, "\n");
        ck_assert_int_eq(parse(many), -EINVAL);
        ck_assert_msg(strstr(err.text, "more than 32"), "%s", err.text);
}
END_TEST

START_TEST(test_statefile_cursor) {
        static const char cursor[] = "s=0123456789abcdef0123456789abcdef;i=2a;b=fedcba9876543210fedcba9876543210;"
                                     "m=1f2e3d;t=5f2d1c0b0a090;x=1122334455667788";
        struct statefile s = { 0 }, back = { 0 };
        char why[256];
        snprintf(s.journal_cursor, sizeof(s.journal_cursor), "%s", cursor);
        char *text = statefile_format(&s);
        ck_assert_ptr_nonnull(text);
        ck_assert_int_eq(statefile_parse(text, strlen(text), &back, why, sizeof(why)), 0);
        ck_assert_str_eq(back.journal_cursor, cursor);
        free(text);
        /* without one (a state file of an older version): none, nothing skipped */
        static const char old[] = "{\"schema\": 1, \"logs\": [], \"findings\": []}";
        ck_assert_int_eq(statefile_parse(old, strlen(old), &back, why, sizeof(why)), 0);
        ck_assert_str_eq(back.journal_cursor, "");
        ck_assert_uint_eq(back.n_skipped, 0);
        /* a bad one costs the cursor only */
        static const char bad[] = "{\"schema\": 1, \"logs\": [], \"findings\": [], \"journal\": {\"cursor\": 7}}";
        ck_assert_int_eq(statefile_parse(bad, strlen(bad), &back, why, sizeof(why)), 0);
        ck_assert_str_eq(back.journal_cursor, "");
        ck_assert_uint_eq(back.n_skipped, 1);
        ck_assert_msg(strstr(why, "journal"), "%s", why);
        statefile_clear(&back);
}
END_TEST

/* php-fpm's syslog text has no date: the line gets the entry's; nginx's keeps its own. */
START_TEST(test_line_classified) {
        struct journal_entry e = { .realtime = 1796000000123456ULL, .identifier = "php-fpm", .pid = 4242 };
        static const char fpm[] = "[WARNING] [pool www] child 80 exited on signal 9 (SIGKILL) after 12.5 seconds from start";
        static const char ngx[] = "2026/11/29 19:41:22 [error] 13#13: *5 upstream timed out (110: Connection timed out) "
                                  "while reading response header from upstream, client: 127.0.0.1, server: t, request: "
                                  "\"GET /x.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/x.sock:\", host: \"t\"";
        char line[1024];
        struct logline ll;
        struct event ev;
        setenv("TZ", "UTC", 1);
        size_t n = journal_line(&e, fpm, strlen(fpm), line, sizeof(line));
        ck_assert_msg(strncmp(line, "2026-11-30T00:53:20.123456+0000 ", 32) == 0 && memmem(line, n, " php-fpm[4242]: [WARNING]", 25), "%.*s",
                      (int) n, line);
        ck_assert_int_eq(classify_line(line, n, &ll, &ev), KIND_FPM_CHILD_SIGNAL);
        ck_assert_span_eq(ev.pool, "www");
        ck_assert_span_eq(logline_time(&ll), "2026-11-30T00:53:20.123456+0000");
        snprintf(e.identifier, sizeof(e.identifier), "nginx");
        n = journal_line(&e, ngx, strlen(ngx), line, sizeof(line));
        ck_assert_int_eq(classify_line(line, n, &ll, &ev), KIND_UPSTREAM_READ_TIMEOUT);
        ck_assert_span_eq(logline_time(&ll), "2026/11/29 19:41:22");
        /* an identifier that would not read as a syslog tag, and a line longer than the buffer */
        snprintf(e.identifier, sizeof(e.identifier), "my app: x");
        n = journal_line(&e, fpm, strlen(fpm), line, 128);
        ck_assert_uint_eq(n, 128);
        ck_assert_msg(memmem(line, n, " my_app__x[4242]: [WARNING]", 27), "%.*s", (int) n, line);
}
END_TEST

int main(void) {
        Suite *s = suite_create("journal");
        TCase *tc = tcase_create("journal");
        tcase_add_test(tc, test_config_defaults);
        tcase_add_test(tc, test_config_keys);
        tcase_add_test(tc, test_config_errors);
        tcase_add_test(tc, test_statefile_cursor);
        tcase_add_test(tc, test_line_classified);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
