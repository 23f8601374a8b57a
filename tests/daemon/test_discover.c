/* Discovery on a stock Debian host: which names in /run/php become pools, and how. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discover_sockets.h"
#include "fixtures.h"

static struct config *c;

static void setup(void) {
        c = calloc(1, sizeof(*c));
}

static void teardown(void) {
        free(c);
}

START_TEST(test_version) {
        char v[16];
        ck_assert(discover_version("php8.2-fpm.sock", v, sizeof(v)));
        ck_assert_str_eq(v, "8.2");
        ck_assert(discover_version("php7.4-fpm.sock", v, sizeof(v)));
        ck_assert_str_eq(v, "7.4");
        ck_assert(discover_version("php8-fpm.sock", v, sizeof(v)));
        ck_assert_str_eq(v, "8");
        ck_assert(!discover_version("php-fpm.sock", v, sizeof(v)));
        ck_assert(!discover_version("php8.2-fpm.pid", v, sizeof(v)));
        ck_assert(!discover_version("php8.2-fpm.sock.bak", v, sizeof(v)));
        ck_assert(!discover_version("phpx-fpm.sock", v, sizeof(v)));
        ck_assert(!discover_version("php.8-fpm.sock", v, sizeof(v)));
        ck_assert(!discover_version("www.sock", v, sizeof(v)));
        ck_assert(!discover_version("-fpm.sock", v, sizeof(v)));
        ck_assert(!discover_version("php8.2.12345678901234-fpm.sock", v, 8));
}
END_TEST

START_TEST(test_pools) {
        const char *names[] = { "php8.2-fpm.pid", "php-fpm.sock", "php8.2-fpm.sock", "php7.4-fpm.sock",
                                "php8.10-fpm.sock", "." };
        ck_assert_int_eq(discover_config(c, "/run/php", names, 6), 3);
        ck_assert_int_eq(c->n_pools, 3);
        ck_assert_str_eq(c->pools[0].name, "php7.4-fpm");
        ck_assert_str_eq(c->pools[1].name, "php8.2-fpm");
        ck_assert_str_eq(c->pools[2].name, "php8.10-fpm");
        ck_assert_str_eq(c->pools[1].listen, "/run/php/php8.2-fpm.sock");
        ck_assert_int_eq(c->pools[1].address.kind, ADDRESS_UNIX);
        ck_assert_str_eq(c->pools[1].address.text, "unix:/run/php/php8.2-fpm.sock");
        ck_assert_str_eq(c->pools[1].unit, "php8.2-fpm.service");
        ck_assert_str_eq(c->pools[1].log, "/var/log/php8.2-fpm.log");
        ck_assert_str_eq(c->pools[1].ping_path, "");
        ck_assert_int_eq(c->n_nginx_logs, 1);
        ck_assert_str_eq(c->nginx_logs[0], "/var/log/nginx/error.log");
        ck_assert_str_eq(c->nginx_user, "www-data");
        ck_assert_str_eq(c->file, "");
        ck_assert_uint_eq(c->probe_interval_usec, 5000000);
}
END_TEST

START_TEST(test_none) {
        const char *names[] = { "php-fpm.sock", "lock" };
        ck_assert_int_eq(discover_config(c, "/run/php", names, 2), 0);
        ck_assert_int_eq(c->n_pools, 0);
        ck_assert_int_eq(c->n_nginx_logs, 1);
        ck_assert_int_eq(discover_config(c, "/run/php", NULL, 0), 0);
}
END_TEST

/* No socket can be bound at a path longer than sun_path holds: no pool there. */
START_TEST(test_path_too_long) {
        char dir[ADDRESS_PATH_MAX + 1];
        const char *names[] = { "php8.2-fpm.sock" };
        memset(dir, 'd', sizeof(dir) - 1);
        dir[0] = '/';
        dir[sizeof(dir) - 1] = '\0';
        ck_assert_int_eq(discover_config(c, dir, names, 1), 0);
        ck_assert_int_eq(c->n_pools, 0);
        dir[ADDRESS_PATH_MAX - sizeof("/php8.2-fpm.sock") + 1] = '\0';
        ck_assert_int_eq(discover_config(c, dir, names, 1), 1);
        ck_assert_uint_eq(strlen(address_unix_path(&c->pools[0].address)), ADDRESS_PATH_MAX);
}
END_TEST

START_TEST(test_too_many) {
        enum { N = CONFIG_MAX_POOLS + 3 };
        static char buf[N][32];
        const char *names[N];
        for (int i = 0; i < N; i++) {
                snprintf(buf[i], sizeof(buf[i]), "php%d.0-fpm.sock", i);
                names[i] = buf[i];
        }
        ck_assert_int_eq(discover_config(c, "/run/php", names, N), -E2BIG);
        ck_assert_int_eq(c->n_pools, CONFIG_MAX_POOLS);
        ck_assert_str_eq(c->pools[0].name, "php0.0-fpm");
}
END_TEST

int main(void) {
        Suite *s = suite_create("discover");
        TCase *tc = tcase_create("discover");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_version);
        tcase_add_test(tc, test_pools);
        tcase_add_test(tc, test_none);
        tcase_add_test(tc, test_path_too_long);
        tcase_add_test(tc, test_too_many);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
