/* The configuration's findings into the diagnosis: crosscheck over a host filled by hand, fed
 * with config_findings_feed(), fired by the next flush with file:line and the remedy. */
#include <stdlib.h>
#include <string.h>

#include "configfindings.h"
#include "fixtures.h"

static const char nginx_text[] = "user www-data;\nerror_log /var/log/nginx/error.log crit;\nhttp { server { location / "
                                 "{ fastcgi_pass unix:/run/php/php7.4-fpm.sock; } } }\n";
static const char fpm_text[] = "[www]\nuser = www-data\nlisten = /run/php/php8.2-fpm.sock\npm = static\n"
                               "pm.max_children = 5\nlisten.mode = 0666\n";

struct seen {
        char ids[8][320];
        int n;
};

static void collect(void *userdata, const struct alert *a) {
        struct seen *s = userdata;
        ck_assert_int_lt(s->n, 8);
        ck_assert(a->evidence.config.have);
        snprintf(s->ids[s->n++], sizeof(s->ids[0]), "%s", a->id);
}

START_TEST(test_feed) {
        struct host_conf *h = calloc(1, sizeof(*h));
        ck_assert_ptr_nonnull(h);
        h->root_fd = -1;
        ck_assert_ptr_nonnull(h->nginx = nginx_conf_new(NULL, NULL));
        ck_assert_int_eq(nginx_conf_parse(h->nginx, "/etc/nginx/nginx.conf", nginx_text, strlen(nginx_text)), 0);
        ck_assert_ptr_nonnull(h->masters[0].conf = fpm_conf_new(NULL));
        fpm_conf_parse(h->masters[0].conf, "/etc/php/8.2/fpm/php-fpm.conf", fpm_text, strlen(fpm_text));
        fpm_conf_finish(h->masters[0].conf);
        snprintf(h->masters[0].unit, sizeof(h->masters[0].unit), "php8.2-fpm.service");
        h->masters[0].unit_file = HOST_UNIT_DISABLED;
        h->n_masters = 1;
        h->systemd = true;

        struct address listen;
        ck_assert_int_eq(address_parse(&listen, "/run/php/php8.2-fpm.sock", 24), 0);
        const struct diag_pool pool = { .name = "www", .listen = &listen, .listen_resolved = NULL, .unit = "php8.2-fpm.service" };
        const struct diag_settings s = { .resolve_after_usec = 60000000, .summary_interval_usec = 300000000,
                                         .confirmations = 1 };
        struct diag *d;
        ck_assert_int_eq(diag_new(&d, &s, &pool, 1), 0);
        struct config_findings_count count;
        ck_assert_int_eq(config_findings_feed(d, h, 1000000, &count), 0);
        ck_assert_uint_eq(count.unwatched + count.dropped, 0);
        struct seen seen = { .n = 0 };
        diag_flush(d, 1000000, collect, &seen);
        ck_assert_int_eq(seen.n, 3);
        ck_assert_str_eq(seen.ids[0], "fpm_unit_missing/1/www");         /* pools, nginx, upstreams */
        ck_assert_str_eq(seen.ids[1], "nginx_error_log_level/1/nginx");
        ck_assert_str_eq(seen.ids[2], "socket_mismatch/1/unix:/run/php/php7.4-fpm.sock");
        /* the same configuration read again: nothing new */
        ck_assert_int_eq(config_findings_feed(d, h, 2000000, &count), 0);
        ck_assert_uint_eq(count.unwatched + count.dropped, 0);
        diag_flush(d, 2000000, collect, &seen);
        ck_assert_int_eq(seen.n, 3);
        diag_free(d);
        nginx_conf_free(h->nginx);
        fpm_conf_free(h->masters[0].conf);
        free(h);
}
END_TEST

/* 300 locations that pass to one stale socket are one finding: the ones after it (another stale
 * socket, the pool's permissions) are all there, none past a cap. */
START_TEST(test_many_passes_one_finding) {
        struct config_findings *out = calloc(1, sizeof(*out));
        struct host_conf *h = calloc(1, sizeof(*h));
        size_t size = 300 * 80 + 512, n = 0;
        char *text = malloc(size);
        ck_assert(out && h && text);
        n += (size_t) snprintf(text + n, size - n, "user www-data;\nhttp { server {\n");
        for (int i = 0; i < 300; i++)
                n += (size_t) snprintf(text + n, size - n, "location /a%d { fastcgi_pass unix:/run/php/php7.4-fpm.sock; }\n", i);
        n += (size_t) snprintf(text + n, size - n, "location /b { fastcgi_pass unix:/run/php/php5.sock; } } }\n");
        h->root_fd = -1;
        ck_assert_ptr_nonnull(h->nginx = nginx_conf_new(NULL, NULL));
        ck_assert_int_eq(nginx_conf_parse(h->nginx, "/etc/nginx/nginx.conf", text, n), 0);
        ck_assert_ptr_nonnull(h->masters[0].conf = fpm_conf_new(NULL));
        static const char pool[] = "[www]\nlisten = /run/php/php8.2-fpm.sock\nlisten.mode = 0600\n";
        fpm_conf_parse(h->masters[0].conf, "/etc/php/8.2/fpm/php-fpm.conf", pool, strlen(pool));
        fpm_conf_finish(h->masters[0].conf);
        h->n_masters = 1;
        config_findings(h, out);
        ck_assert_uint_eq(out->merged, 299);
        ck_assert_uint_eq(out->dropped, 0);
        int mismatches = 0;
        for (size_t i = 0; i < out->n; i++)
                mismatches += out->items[i].cause == CAUSE_SOCKET_MISMATCH;
        ck_assert_int_eq(mismatches, 2);
        nginx_conf_free(h->nginx);
        fpm_conf_free(h->masters[0].conf);
        free(h);
        free(text);
        free(out);
}
END_TEST

int main(void) {
        Suite *s = suite_create("configfindings");
        TCase *tc = tcase_create("feed");
        tcase_add_test(tc, test_feed);
        tcase_add_test(tc, test_many_passes_one_finding);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
