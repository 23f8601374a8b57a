/* conf/badgatewayd.conf, as shipped, against the parser: it must load, name no pool, log or user
 * (those come from nginx's and php-fpm's own configuration), and mean what it says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fixtures.h"
#include "url.h"

static const char *conf_path(void) {
        const char *p = getenv("BADGATEWAYD_CONF");
        ck_assert_msg(p && *p, "BADGATEWAYD_CONF is not set");
        return p;
}

START_TEST(test_loads) {
        static struct config c;
        struct config_error err;
        ck_assert_msg(config_load(&c, conf_path(), &err) == 0, "%s", err.text);
        ck_assert_int_eq(c.n_pools, 0);
        ck_assert_int_eq(c.n_nginx_logs, 0);
        ck_assert_str_eq(c.nginx_user, "");
        ck_assert_str_eq(c.nginx_conf, "");
        ck_assert_int_eq(c.n_fpm_confs, 0);
}
END_TEST

static char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        int ch;
        while ((ch = getc(f)) != EOF)
                putc(ch, mem);
        fclose(f);
        fclose(mem);
        return text;
}

/* Every commented-out "#Key = value" line, made active, must parse; [Daemon]'s equal the defaults. */
static char *uncomment_settings(const char *text) {
        char *out = malloc(strlen(text) + 1), *o = out;
        ck_assert_ptr_nonnull(out);
        for (const char *p = text; *p;) {
                size_t n = strcspn(p, "\n");
                bool setting = p[0] == '#' && p[1] >= 'A' && p[1] <= 'Z' && memchr(p, '=', n);
                bool duplicate = setting && strncmp(p, "#ErrorLog", 9) == 0 && memmem(p, n, "example.com", 11);
                if (setting && !duplicate)
                        p++, n--;
                memcpy(o, p, n);
                o += n;
                p += n;
                if (*p == '\n')
                        *o++ = *p++;
        }
        *o = '\0';
        return out;
}

START_TEST(test_commented_values_are_the_defaults) {
        static struct config shipped, active, defaults;
        struct config_error err;
        ck_assert_msg(config_load(&shipped, conf_path(), &err) == 0, "%s", err.text);
        char *text = read_text(conf_path());
        char *on = uncomment_settings(text);
        ck_assert_msg(config_parse_string(&active, "uncommented", on, &err) == 0, "%s", err.text);
        config_defaults(&defaults);
        ck_assert_uint_eq(active.probe_interval_usec, defaults.probe_interval_usec);
        ck_assert_uint_eq(active.probe_timeout_usec, defaults.probe_timeout_usec);
        ck_assert_uint_eq(active.resolve_after_usec, defaults.resolve_after_usec);
        ck_assert_uint_eq(active.summary_interval_usec, defaults.summary_interval_usec);
        ck_assert_int_eq(active.read_from_start, defaults.read_from_start);
        ck_assert_uint_eq(active.alertmanager_resend_usec, defaults.alertmanager_resend_usec);
        ck_assert_str_eq(active.alertmanager_url, "http://127.0.0.1:9093");
        ck_assert_str_eq(shipped.alertmanager_url, "");
        ck_assert_str_eq(shipped.webhook_url, "");
        ck_assert_str_eq(active.nginx_user, "www-data");
        ck_assert_int_eq(active.n_nginx_logs, 1);
        ck_assert_str_eq(active.nginx_logs[0], "/var/log/nginx/error.log");
        ck_assert_str_eq(active.nginx_conf, "/etc/nginx/nginx.conf");
        ck_assert_int_eq(active.n_fpm_confs, 1);
        ck_assert_int_eq(active.n_pools, 0);
        ck_assert_int_eq(shipped.n_pools, 0);
        free(on);
        free(text);
}
END_TEST

int main(void) {
        Suite *s = suite_create("shipped_conf");
        TCase *tc = tcase_create("conf");
        config_set_url_check(url_check);        /* the daemon's: the shipped example URL passes it */
        tcase_add_test(tc, test_loads);
        tcase_add_test(tc, test_commented_values_are_the_defaults);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
