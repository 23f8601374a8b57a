/* loadconf(): badgatewayd.conf completed from nginx's and php-fpm's own configuration, written by
 * the test in a temp dir and named with [Nginx] Config= and [PHP-FPM] Config=. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixtures.h"
#include "host.h"
#include "loadconf.h"

static char dir[128];
static struct config *c;
static struct config_error err;

static void put(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *name, const char *fmt, ...) {
        char path[512], cmd[600];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
        ck_assert_int_eq(system(cmd), 0);
        FILE *f = fopen(path, "we");
        ck_assert_ptr_nonnull(f);
        va_list ap;
        va_start(ap, fmt);
        vfprintf(f, fmt, ap);
        va_end(ap);
        fclose(f);
}

/* nginx with every kind of error_log; two masters, each with a pool [www]. */
static void tree(void) {
        fixture_newdir(dir);
        put("nginx/nginx.conf",
            "user nginxu;\nerror_log logs/err.log;\nerror_log /var/log/a.log warn;\nerror_log /var/log/a.log;\n"
            "error_log stderr;\nerror_log syslog:server=unix:/dev/log;\nevents { }\n"
            "http {\n  error_log off;\n  include sites/*.conf;\n}\n");
        put("nginx/sites/site.conf", "server { error_log /srv/site.log crit; location ~ \\.php$ { fastcgi_pass unix:/run/x.sock; } }\n");
        put("a/php-fpm.conf",
            "[global]\nerror_log = %s/a/fpm.log\npid = /run/a-fpm.pid\n"
            "[www]\nlisten = /run/x.sock\nuser = www-data\npm = static\npm.max_children = 2\nping.path = /ping\n"
            "pm.status_path = /status\nrequest_terminate_timeout = 3s\n"
            "[tcp]\nlisten = 127.0.0.1:9001\nuser = www-data\npm = static\npm.max_children = 2\n"
            "[any]\nlisten = 9002\nuser = www-data\npm = static\npm.max_children = 2\n"
            "[v6]\nlisten = [::1]:9003\nuser = www-data\npm = static\npm.max_children = 2\n"
            "[named]\nlisten = php:9000\nuser = www-data\npm = static\npm.max_children = 2\n", dir);
        put("b/php-fpm.conf", "[global]\nerror_log = syslog\n"
                              "[www]\nlisten = /run/y.sock\nuser = www-data\npm = static\npm.max_children = 2\n");
}

static int load(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int load(const char *fmt, ...) {
        char text[4096], path[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        put("badgatewayd.conf", "%s", text);
        snprintf(path, sizeof(path), "%s/badgatewayd.conf", dir);
        c = calloc(1, sizeof(*c));
        ck_assert_ptr_nonnull(c);
        return loadconf(c, path, &err);
}

static void teardown(void) {
        config_free(c);
        c = NULL;
}

START_TEST(test_pools_logs_user_from_configuration) {
        tree();
        ck_assert_msg(load("[Nginx]\nConfig = %s/nginx/nginx.conf\n[PHP-FPM]\nConfig = %s/a/php-fpm.conf\n"
                           "Config = %s/b/php-fpm.conf\n", dir, dir, dir) == 0, "%s", err.text);
        char want[PATH_MAX + 64];
        ck_assert_int_eq(c->n_pools, 5);
        snprintf(want, sizeof(want), "www (%s/a/php-fpm.conf)", dir);
        ck_assert_str_eq(c->pools[0].name, want);
        ck_assert_str_eq(c->pools[0].listen, "/run/x.sock");
        ck_assert_int_eq(c->pools[0].address.kind, ADDRESS_UNIX);
        ck_assert_str_eq(c->pools[0].unit, "");
        snprintf(want, sizeof(want), "%s/a/fpm.log", dir);
        ck_assert_str_eq(c->pools[0].log, want);
        ck_assert_str_eq(c->pools[0].ping_path, "/ping");
        ck_assert_str_eq(c->pools[0].status_path, "/status");
        /* what the remedies name: where the pool is, its request_terminate_timeout, the pid file */
        snprintf(want, sizeof(want), "%s/a/php-fpm.conf:4", dir);
        ck_assert_str_eq(c->pools[0].conf_at, want);
        ck_assert_str_eq(c->pools[0].terminate_timeout, "3s");
        snprintf(want, sizeof(want), "%s/a/php-fpm.conf:11", dir);
        ck_assert_str_eq(c->pools[0].terminate_at, want);
        ck_assert_str_eq(c->pools[0].pid_file, "/run/a-fpm.pid");
        ck_assert_str_eq(c->pools[1].terminate_timeout, "");
        ck_assert_str_eq(c->pools[1].name, "tcp");
        ck_assert_int_eq(c->pools[1].address.kind, ADDRESS_INET);
        ck_assert_str_eq(c->pools[1].address.text, "127.0.0.1:9001");
        ck_assert_str_eq(c->pools[1].ping_path, "");
        ck_assert_str_eq(c->pools[2].name, "any");
        ck_assert_int_eq(c->pools[2].address.kind, ADDRESS_ANY);
        ck_assert_str_eq(c->pools[3].name, "v6");
        ck_assert_int_eq(c->pools[3].address.kind, ADDRESS_INET6);
        snprintf(want, sizeof(want), "www (%s/b/php-fpm.conf)", dir);
        ck_assert_str_eq(c->pools[4].name, want);
        ck_assert_str_eq(c->pools[4].log, "");          /* error_log = syslog */
        ck_assert_str_eq(c->pools[4].pid_file, "");
        const struct host_conf *h = loadconf_host(c);
        ck_assert_ptr_nonnull(h);
        ck_assert_uint_eq(h->n_masters, 2);
        char logs[4][PATH_MAX + 16];
        snprintf(logs[0], sizeof(logs[0]), "%s/logs/err.log", h->nginx_prefix);
        snprintf(logs[2], sizeof(logs[2]), "%s/off", h->nginx_prefix);
        ck_assert_int_eq(c->n_nginx_logs, 4);
        ck_assert_str_eq(c->nginx_logs[0], logs[0]);
        ck_assert_str_eq(c->nginx_logs[1], "/var/log/a.log");
        ck_assert_str_eq(c->nginx_logs[2], logs[2]);
        ck_assert_str_eq(c->nginx_logs[3], "/srv/site.log");
        ck_assert_str_eq(c->nginx_user, "nginxu");
        snprintf(want, sizeof(want), "php-fpm's configuration (%s/a/php-fpm.conf, %s/b/php-fpm.conf)", dir, dir);
        ck_assert_str_eq(loadconf_source(c), want);
}
END_TEST

/* What badgatewayd.conf names wins: its pools replace php-fpm's, ErrorLog= and User= nginx's. */
START_TEST(test_explicit_values_win) {
        tree();
        ck_assert_msg(load("[Nginx]\nConfig = %s/nginx/nginx.conf\nErrorLog = /var/log/mine.log\nUser = someone\n"
                           "[PHP-FPM]\nConfig = %s/a/php-fpm.conf\n[Pool mine]\nListen = /run/m.sock\n", dir, dir) == 0,
                      "%s", err.text);
        ck_assert_int_eq(c->n_pools, 1);
        ck_assert_str_eq(c->pools[0].name, "mine");
        ck_assert_int_eq(c->n_nginx_logs, 1);
        ck_assert_str_eq(c->nginx_logs[0], "/var/log/mine.log");
        ck_assert_str_eq(c->nginx_user, "someone");
        ck_assert_str_eq(loadconf_source(c), c->file);
        ck_assert_ptr_nonnull(loadconf_host(c));
        ck_assert_ptr_nonnull(loadconf_host(c)->nginx);
        ck_assert_uint_eq(loadconf_host(c)->n_masters, 1);
}
END_TEST

/* nginx without a `user` line runs its workers as its build's user. */
START_TEST(test_nginx_default_user) {
        tree();
        put("nginx/nginx.conf", "events { }\n");
        ck_assert_msg(load("[Nginx]\nConfig = %s/nginx/nginx.conf\n[PHP-FPM]\nConfig = %s/b/php-fpm.conf\n", dir, dir) == 0,
                      "%s", err.text);
        ck_assert_str_ne(c->nginx_user, "");
        ck_assert_str_eq(c->nginx_user, loadconf_host(c)->nginx_default_user);
        ck_assert_int_eq(c->n_nginx_logs, 0);
}
END_TEST

/* [Nginx] Config= naming what cannot be read as nginx's file (a typo, a directory, a device) is an
 * error at its file:line, as nginx itself would refuse to start; the pools are not read on. */
START_TEST(test_nginx_config_unreadable) {
        char want[1024];
        tree();
        ck_assert_int_eq(load("[PHP-FPM]\nConfig = %s/b/php-fpm.conf\n[Nginx]\nConfig = %s/nowhere/nginx.conf\n", dir, dir),
                         -EINVAL);
        snprintf(want, sizeof(want), "%s/badgatewayd.conf:4: Config: cannot read \"%s/nowhere/nginx.conf\": No such file "
                 "or directory (nginx's main file)", dir, dir);
        ck_assert_str_eq(err.text, want);
        config_free(c);
        ck_assert_int_eq(load("[Nginx]\nConfig = %s\n[PHP-FPM]\nConfig = %s/b/php-fpm.conf\n", dir, dir), -EINVAL);
        snprintf(want, sizeof(want), "%s/badgatewayd.conf:2: Config: cannot read \"%s\": Is a directory (nginx's main file)",
                 dir, dir);
        ck_assert_str_eq(err.text, want);
        config_free(c);
        ck_assert_int_eq(load("[Nginx]\nConfig = /dev/zero\n[PHP-FPM]\nConfig = %s/b/php-fpm.conf\n", dir), -EINVAL);
        snprintf(want, sizeof(want), "%s/badgatewayd.conf:2: Config: cannot read \"/dev/zero\": not a regular file "
                 "(nginx's main file)", dir);
        ck_assert_str_eq(err.text, want);
}
END_TEST

/* No pool anywhere: one sentence saying where it looked. */
START_TEST(test_no_pools) {
        char want[1024];
        tree();
        ck_assert_int_eq(load("[Nginx]\nConfig = %s/nginx/nginx.conf\n[PHP-FPM]\nConfig = %s/none/php-fpm.conf\n", dir, dir),
                         -ENOENT);
        snprintf(want, sizeof(want), "no PHP-FPM pool found: looked in %s/badgatewayd.conf (no [Pool NAME] section) and "
                 "in php-fpm's configuration at %s/none/php-fpm.conf (%s/none/php-fpm.conf: cannot read it: No such "
                 "file or directory)", dir, dir, dir);
        ck_assert_str_eq(err.text, want);
        config_free(c);
        put("c/php-fpm.conf", "[global]\n[only]\nlisten = php:9000\nuser = x\npm = static\npm.max_children = 1\n");
        ck_assert_int_eq(load("[PHP-FPM]\nConfig = %s/c/php-fpm.conf\n", dir), -ENOENT);
        ck_assert_msg(strstr(err.text, "php-fpm.conf: no pool with a listen address to watch)"), "%s", err.text);
        config_free(c);
        ck_assert_int_eq(load("[PHP-FPM]\nConfig = %s/a/php-fpm.conf\nConfig = relative.conf\n", dir), -EINVAL);
        ck_assert_msg(strstr(err.text, "Config: 'relative.conf' is not an absolute path"), "%s", err.text);
}
END_TEST

/* --config FILE that does not exist, with drop-ins in FILE.d: their pools and settings, named
 * by the directory; drop-ins with no pool: discovery, and the sentence names the directory. */
START_TEST(test_dropins_without_main_file) {
        char path[256], want[1024];
        tree();
        snprintf(path, sizeof(path), "%s/badgatewayd.conf", dir);
        put("badgatewayd.conf.d/50-pool.conf", "[Nginx]\nConfig = %s/nginx/nginx.conf\n[PHP-FPM]\nConfig = %s/none/php-fpm.conf\n"
            "[Pool mine]\nListen = /run/m.sock\n[Daemon]\nProbeInterval = 42s\n", dir, dir);
        c = calloc(1, sizeof(*c));
        ck_assert_ptr_nonnull(c);
        ck_assert_msg(loadconf(c, path, &err) == 0, "%s", err.text);
        snprintf(want, sizeof(want), "%s.d", path);
        ck_assert_str_eq(loadconf_source(c), want);
        ck_assert_int_eq(c->n_pools, 1);
        ck_assert_str_eq(c->pools[0].name, "mine");
        ck_assert_uint_eq(c->probe_interval_usec, 42000000);
        ck_assert_str_eq(c->nginx_user, "nginxu");      /* from the nginx.conf the drop-in names */
        config_free(c);
        put("badgatewayd.conf.d/50-pool.conf", "[Nginx]\nConfig = %s/nginx/nginx.conf\n[PHP-FPM]\nConfig = %s/none/php-fpm.conf\n",
            dir, dir);
        c = calloc(1, sizeof(*c));
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(loadconf(c, path, &err), -ENOENT);
        snprintf(want, sizeof(want), "no PHP-FPM pool found: looked in %s.d (no [Pool NAME] section) and in php-fpm's "
                 "configuration at %s/none/php-fpm.conf", path, dir);
        ck_assert_msg(strncmp(err.text, want, strlen(want)) == 0, "%s", err.text);
        config_free(c);
        snprintf(want, sizeof(want), "%s/badgatewayd.conf.d/50-pool.conf", dir);
        ck_assert_int_eq(unlink(want), 0);
        c = calloc(1, sizeof(*c));
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(loadconf(c, path, &err), -ENOENT);     /* --config names a file: neither is an error */
        snprintf(want, sizeof(want), "%s: No such file or directory", path);
        ck_assert_str_eq(err.text, want);
}
END_TEST

int main(void) {
        Suite *s = suite_create("loadconf");
        TCase *tc = tcase_create("loadconf");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, NULL, teardown);
        tcase_add_test(tc, test_pools_logs_user_from_configuration);
        tcase_add_test(tc, test_explicit_values_win);
        tcase_add_test(tc, test_nginx_default_user);
        tcase_add_test(tc, test_nginx_config_unreadable);
        tcase_add_test(tc, test_no_pools);
        tcase_add_test(tc, test_dropins_without_main_file);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
