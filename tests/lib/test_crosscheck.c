/* nginx's configuration against php-fpm's, on configurations given as text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosscheck.h"
#include "fixtures.h"

struct seen {
        struct crosscheck_finding f[8];
        char file[8][256];      /* f[i].file points into the configuration, freed after the run */
        int n;
};

static void collect(void *ud, const struct crosscheck_finding *f) {
        struct seen *s = ud;
        ck_assert_int_lt(s->n, 8);
        snprintf(s->file[s->n], sizeof(s->file[0]), "%s", f->file);
        s->f[s->n] = *f;
        s->f[s->n].file = s->file[s->n];
        s->n++;
}

static struct seen seen;

static struct seen *run(const char *nginx_text, const char *fpm_text) {
        struct seen *s = &seen;
        memset(s, 0, sizeof(*s));
        struct nginx_conf *n = nginx_conf_new(NULL, NULL);
        struct fpm_conf *f = fpm_conf_new(NULL);
        ck_assert_ptr_nonnull(n);
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(nginx_conf_parse(n, "/etc/nginx/nginx.conf", nginx_text, strlen(nginx_text)), 0);
        fpm_conf_parse(f, "/etc/php/8.2/fpm/php-fpm.conf", fpm_text, strlen(fpm_text));
        fpm_conf_finish(f);
        const struct fpm_conf *fpm[] = { f };
        struct crosscheck_input in = { n, fpm, 1 };
        crosscheck_run(&in, collect, s);
        nginx_conf_free(n);
        fpm_conf_free(f);
        return s;
}

#define POOLS "[www]\nuser = www-data\ngroup = www-data\npm = static\npm.max_children = 2\n" \
              "listen = /run/php/php8.2-fpm.sock\n[api]\nuser = www-data\ngroup = www-data\npm = static\n" \
              "pm.max_children = 2\nlisten = 9000\n"

static const char *server(const char *pass) {
        static char text[1024];
        snprintf(text, sizeof(text), "http {\n upstream php { server 127.0.0.1:9000; server unix:/run/php/old.sock backup;"
                 " server unix:/run/php/gone.sock down; }\n server {\n  server_name example.com;\n"
                 "  location ~ \\.php$ {\n   %s\n  }\n }\n}\n", pass);
        return text;
}

START_TEST(test_served_targets) {
        ck_assert_int_eq(run(server("fastcgi_pass unix:/run/php/php8.2-fpm.sock;"), POOLS)->n, 0);
        ck_assert_int_eq(run(server("fastcgi_pass unix:///run/php/php8.2-fpm.sock;"), POOLS)->n, 0);
        /* "listen = 9000" serves every local address */
        ck_assert_int_eq(run(server("fastcgi_pass 127.0.0.1:9000;"), POOLS)->n, 0);
        ck_assert_int_eq(run(server("fastcgi_pass localhost:9000;"), POOLS)->n, 0);
        /* not checkable here: known per request, or a name nginx resolves */
        ck_assert_int_eq(run(server("fastcgi_pass $backend;"), POOLS)->n, 0);
        ck_assert_int_eq(run(server("fastcgi_pass php:9000;"), POOLS)->n, 0);
        /* another machine's php-fpm: nothing here describes it */
        ck_assert_int_eq(run(server("fastcgi_pass 10.0.0.5:9001;"), POOLS)->n, 0);
        ck_assert_int_eq(run(server("fastcgi_pass [2001:db8::5]:9001;"), POOLS)->n, 0);
        /* other modules are not PHP-FPM's business */
        ck_assert_int_eq(run(server("proxy_pass http://unix:/run/app.sock:/;"), POOLS)->n, 0);
}
END_TEST

START_TEST(test_unserved_targets) {
        struct seen *s = run(server("fastcgi_pass unix:/run/php/php7.4-fpm.sock;"), POOLS);
        ck_assert_int_eq(s->n, 1);
        ck_assert_int_eq(s->f[0].cause, CAUSE_SOCKET_MISMATCH);
        ck_assert_str_eq(s->f[0].file, "/etc/nginx/nginx.conf");
        ck_assert_uint_eq(s->f[0].line, 6);
        ck_assert_str_eq(s->f[0].summary,
                         "fastcgi_pass at /etc/nginx/nginx.conf:6 (server example.com, location ~ \\.php$) sends "
                         "requests to unix:/run/php/php7.4-fpm.sock, where no PHP-FPM pool listens; the pools listen "
                         "at unix:/run/php/php8.2-fpm.sock (pool www), *:9000 (pool api).");
        ck_assert_int_eq(run(server("fastcgi_pass 127.0.0.1:9001;"), POOLS)->n, 1);
        ck_assert_int_eq(run(server("fastcgi_pass [::1]:9001;"), POOLS)->n, 1);
        /* through the group: its backup server nobody serves; the down one does not count */
        s = run(server("fastcgi_pass php;"), POOLS);
        ck_assert_int_eq(s->n, 1);
        ck_assert_msg(strstr(s->f[0].summary, "unix:/run/php/old.sock (through upstream php)"), "%s", s->f[0].summary);
}
END_TEST

START_TEST(test_nothing_to_compare) {
        struct crosscheck_input in = { NULL, NULL, 0 };
        memset(&seen, 0, sizeof(seen));
        crosscheck_run(&in, collect, &seen);
        ck_assert_int_eq(seen.n, 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("crosscheck");
        TCase *tc = tcase_create("passes");
        tcase_add_test(tc, test_served_targets);
        tcase_add_test(tc, test_unserved_targets);
        tcase_add_test(tc, test_nothing_to_compare);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
