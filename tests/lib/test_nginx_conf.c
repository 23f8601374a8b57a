/* nginx_conf: the pure parser on texts, the loader on Debian 12's stock tree and on trees the
 * tests write under a temp root. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "nginx_conf.h"

static struct nginx_conf *c;

static void teardown(void) {
        nginx_conf_free(c);
        c = NULL;
}

/* ---- helpers ---- */

static void parse_n(const char *text, size_t n) {
        nginx_conf_free(c);
        c = nginx_conf_new(NULL, NULL);
        ck_assert_ptr_nonnull(c);
        ck_assert_int_eq(nginx_conf_parse(c, "/etc/nginx/nginx.conf", text, n), 0);
}

static void parse(const char *text) {
        parse_n(text, strlen(text));
}

static void dump_diags(void) {
        for (size_t i = 0; i < c->n_diags; i++)
                fprintf(stderr, "  diag %s:%u: %s\n", c->diags[i].at.file, c->diags[i].at.line, c->diags[i].text);
}

/* The diagnostic at file:line whose text holds want; fails the test when there is none. */
static const struct nginx_diag *diag_at(const char *file, unsigned line, const char *want) {
        for (size_t i = 0; i < c->n_diags; i++) {
                const struct nginx_diag *d = &c->diags[i];
                if (strcmp(d->at.file, file) == 0 && d->at.line == line && strstr(d->text, want))
                        return d;
        }
        dump_diags();
        ck_abort_msg("no diagnostic at %s:%u with '%s'", file, line, want);
        return NULL;
}

#define MAIN "/etc/nginx/nginx.conf"

static void expect_diags(size_t n) {
        if (c->n_diags != n)
                dump_diags();
        ck_assert_uint_eq(c->n_diags, n);
}

static void expect_at(struct nginx_at at, const char *file, unsigned line) {
        ck_assert_str_eq(at.file, file);
        ck_assert_uint_eq(at.line, line);
}

static void expect_pass(size_t i, enum nginx_pass_module m, enum address_kind kind, const char *address,
                        const char *file, unsigned line) {
        ck_assert_uint_gt(c->n_passes, i);
        const struct nginx_pass *p = &c->passes[i];
        ck_assert_int_eq(p->module, m);
        ck_assert_int_eq(p->target.kind, NGINX_TARGET_ADDRESS);
        ck_assert_int_eq(p->target.address.kind, kind);
        ck_assert_str_eq(p->target.address.text, address);
        expect_at(p->at, file, line);
}

static void mkdirs(const char *path) {
        char buf[4096];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *p = buf + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                mkdir(buf, 0755);
                *p = '/';
        }
}

/* Writes text to root + path, making the directories. */
static void put(const char *root, const char *path, const char *text) {
        char full[4096];
        snprintf(full, sizeof(full), "%s%s", root, path);
        mkdirs(full);
        FILE *f = fopen(full, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

/* Copies a file of Debian 12's stock tree (or any fixture) to root + path. */
static void put_fixture(const char *root, const char *path, const char *fixture) {
        char *text = fixture_read(fixture, NULL);
        put(root, path, text);
        free(text);
}

static void put_stock(const char *root, const char *path) {
        char fixture[256];
        snprintf(fixture, sizeof(fixture), "nginx-debian12%s", path);
        put_fixture(root, path, fixture);
}

static void link_at(const char *root, const char *path, const char *target) {
        char full[4096];
        snprintf(full, sizeof(full), "%s%s", root, path);
        mkdirs(full);
        ck_assert_int_eq(symlink(target, full), 0);
}

static int load(const char *root) {
        nginx_conf_free(c);
        c = NULL;
        int r = nginx_conf_load(&c, root, MAIN);
        ck_assert_ptr_nonnull(c);
        return r;
}

static void expect_files(const char *const *want, size_t n) {
        for (size_t i = 0; i < c->n_files && i < n; i++)
                ck_assert_str_eq(c->files[i], want[i]);
        ck_assert_uint_eq(c->n_files, n);
}

/* ---- Debian 12 ---- */

START_TEST(test_debian12_stock) {
        char root[4096];
        snprintf(root, sizeof(root), "%s/nginx-debian12", getenv("TEST_DATA_DIR"));
        ck_assert_int_eq(load(root), 0);
        expect_diags(0);
        ck_assert(c->user.set);
        ck_assert_str_eq(c->user.user, "www-data");
        ck_assert_str_eq(c->user.group, "www-data");
        expect_at(c->user.at, MAIN, 1);
        ck_assert_uint_eq(c->n_error_logs, 1);
        ck_assert_int_eq(c->error_logs[0].kind, NGINX_LOG_FILE);
        ck_assert_str_eq(c->error_logs[0].target, "/var/log/nginx/error.log");
        ck_assert_str_eq(c->error_logs[0].level, "error");
        ck_assert_int_eq(c->error_logs[0].context, NGINX_MAIN);
        expect_at(c->error_logs[0].at, MAIN, 4);
        ck_assert_uint_eq(c->n_passes, 0);      /* the php location is commented out */
        /* both symlinks are absolute and resolve inside the root; conf.d/ matches nothing */
        static const char *const files[] = { MAIN, "/etc/nginx/modules-enabled/50-mod-http-echo.conf",
                                             "/etc/nginx/mime.types", "/etc/nginx/sites-enabled/default" };
        expect_files(files, 4);
        /* what a change can come from: each include as resolved, a glob matching nothing included */
        ck_assert_uint_eq(c->n_includes, 4);
        ck_assert_str_eq(c->includes[0], "/etc/nginx/modules-enabled/*.conf");
        ck_assert_str_eq(c->includes[1], "/etc/nginx/mime.types");
        ck_assert_str_eq(c->includes[2], "/etc/nginx/conf.d/*.conf");
        ck_assert_str_eq(c->includes[3], "/etc/nginx/sites-enabled/*");
        ck_assert_uint_eq(c->n_blocks, 4);
        ck_assert_int_eq(c->blocks[1].kind, NGINX_HTTP);
        expect_at(c->blocks[1].at, MAIN, 12);
        ck_assert_int_eq(c->blocks[2].kind, NGINX_SERVER);
        ck_assert_int_eq(c->blocks[2].parent, 1);
        ck_assert_str_eq(c->blocks[2].server_name, "_");
        expect_at(c->blocks[2].at, "/etc/nginx/sites-enabled/default", 21);
        ck_assert_int_eq(c->blocks[3].kind, NGINX_LOCATION);
        ck_assert_str_eq(c->blocks[3].args, "/");
        expect_at(c->blocks[3].at, "/etc/nginx/sites-enabled/default", 48);
}
END_TEST

static void stock_root(const char *root) {
        static const char *const paths[] = { MAIN, "/etc/nginx/mime.types", "/etc/nginx/fastcgi.conf",
                                             "/etc/nginx/fastcgi_params", "/etc/nginx/snippets/fastcgi-php.conf" };
        for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
                put_stock(root, paths[i]);
}

/* Debian 12's default site with its php location uncommented: php7.4's socket, left from
 * Debian 11, on a host whose php-fpm is 8.2. */
START_TEST(test_debian12_php_location) {
        char root[128];
        fixture_newdir(root);
        stock_root(root);
        put_fixture(root, "/etc/nginx/sites-enabled/default", "nginx-variants/default-php74");
        ck_assert_int_eq(load(root), 0);
        expect_diags(0);
        ck_assert_uint_eq(c->n_passes, 1);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/run/php/php7.4-fpm.sock",
                    "/etc/nginx/sites-enabled/default", 60);
        ck_assert_str_eq(c->passes[0].target.text, "unix:/run/php/php7.4-fpm.sock");
        ck_assert_str_eq(c->passes[0].server_name, "_");
        ck_assert_str_eq(c->passes[0].location, "~ \\.php$");
        expect_at(c->blocks[c->passes[0].block].at, "/etc/nginx/sites-enabled/default", 56);
        /* "snippets/fastcgi-php.conf" and, inside it, "fastcgi.conf": both from /etc/nginx/ */
        static const char *const files[] = { MAIN, "/etc/nginx/mime.types", "/etc/nginx/sites-enabled/default",
                                             "/etc/nginx/snippets/fastcgi-php.conf", "/etc/nginx/fastcgi.conf" };
        expect_files(files, 5);
        for (int s = 0; s < NGINX_SETTING_COUNT; s++)
                ck_assert_ptr_null(nginx_conf_effective(c, &c->passes[0], s));
}
END_TEST

/* ---- targets ---- */

START_TEST(test_tcp_and_quotes) {
        parse("http {\n"
              "  server { # { a brace in a comment opens nothing\n"
              "    server_name 'ex;ample.org' b.org;\n"
              "    location /tcp { fastcgi_pass 127.0.0.1:9000; }\n"
              "    location /q { fastcgi_pass \"unix:/run/php/x.sock\"; }\n"
              "    location '/b c' {\n"
              "      fastcgi_param SCRIPT \"a;b}{#c\";\n"
              "      fastcgi_pass # a comment inside the directive\n"
              "        'unix:/run/php/y.sock' ;\n"
              "    }\n"
              "    location /e { fastcgi_param X ${var}; fastcgi_pass \"unix:/run/\\\"q\\\".sock\"; }\n"
              "    location /h { fastcgi_pass localhost:9001; } location /v6 { fastcgi_pass [::1]:9002; }\n"
              "    location /n { fastcgi_pass php.example.com:9000; }\n"
              "  }\n"
              "}\n");
        expect_diags(0);
        ck_assert_uint_eq(c->n_passes, 7);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_INET, "127.0.0.1:9000", MAIN, 4);
        ck_assert_uint_eq(c->passes[0].target.address.port, 9000);
        ck_assert_str_eq(c->passes[0].server_name, "ex;ample.org");
        ck_assert_str_eq(c->passes[0].location, "/tcp");
        expect_pass(1, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/run/php/x.sock", MAIN, 5);
        expect_pass(2, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/run/php/y.sock", MAIN, 8);
        ck_assert_str_eq(c->passes[2].location, "/b c");
        expect_pass(3, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/run/\"q\".sock", MAIN, 11);
        expect_pass(4, NGINX_FASTCGI_PASS, ADDRESS_INET, "127.0.0.1:9001", MAIN, 12);
        expect_pass(5, NGINX_FASTCGI_PASS, ADDRESS_INET6, "[::1]:9002", MAIN, 12);
        expect_pass(6, NGINX_FASTCGI_PASS, ADDRESS_HOST, "php.example.com:9000", MAIN, 13);
}
END_TEST

START_TEST(test_other_passes) {
        parse("http { server {\n"
              "  location /g { grpc_pass grpcs://[::1]:50051; }\n"
              "  location /u { uwsgi_pass uwsgi://unix:/run/uwsgi/app.sock; }\n"
              "  location /s { scgi_pass unix:/run/scgi.sock; }\n"
              "  location /p { proxy_pass http://unix:/run/app.sock:/api/; }\n"
              "  location /P { proxy_pass HTTPS://UNIX:/run/app2.sock; }\n"
              "  location /t { proxy_pass http://127.0.0.1:8080/; }\n"
              "  location /l { limit_except GET { proxy_pass http://unix:/run/ro.sock; } }\n"
              "  location /x { proxy_pass unix:/run/app.sock; }\n"
              "} }\n");
        ck_assert_uint_eq(c->n_passes, 6);
        expect_pass(0, NGINX_GRPC_PASS, ADDRESS_INET6, "[::1]:50051", MAIN, 2);
        expect_pass(1, NGINX_UWSGI_PASS, ADDRESS_UNIX, "unix:/run/uwsgi/app.sock", MAIN, 3);
        expect_pass(2, NGINX_SCGI_PASS, ADDRESS_UNIX, "unix:/run/scgi.sock", MAIN, 4);
        expect_pass(3, NGINX_PROXY_PASS, ADDRESS_UNIX, "unix:/run/app.sock", MAIN, 5);
        ck_assert_str_eq(c->passes[3].target.text, "http://unix:/run/app.sock:/api/");
        expect_pass(4, NGINX_PROXY_PASS, ADDRESS_UNIX, "unix:/run/app2.sock", MAIN, 6);
        expect_pass(5, NGINX_PROXY_PASS, ADDRESS_UNIX, "unix:/run/ro.sock", MAIN, 8);
        ck_assert_int_eq(c->blocks[c->passes[5].block].kind, NGINX_LIMIT_EXCEPT);
        ck_assert_str_eq(c->passes[5].location, "/l");
        expect_diags(1);
        diag_at(MAIN, 9, "invalid URL prefix in \"proxy_pass\"");
}
END_TEST

START_TEST(test_variable_targets) {
        parse("http { server { server_name a.example;\n"
              "  location /v { fastcgi_pass $backend; }\n"
              "  location /w { fastcgi_pass unix:/run/php/php$ver-fpm.sock; }\n"
              "  location /p { proxy_pass http://unix:$sock:/; }\n"
              "  location /q { proxy_pass $scheme://unix:/run/x.sock; }\n"
              "  location /i { if ($x) { fastcgi_pass ${up}; } }\n"
              "} }\n");
        expect_diags(0);
        ck_assert_uint_eq(c->n_passes, 4);
        static const char *const texts[] = { "$backend", "unix:/run/php/php$ver-fpm.sock", "http://unix:$sock:/", "${up}" };
        static const unsigned lines[] = { 2, 3, 4, 6 };
        for (size_t i = 0; i < 4; i++) {
                ck_assert_int_eq(c->passes[i].target.kind, NGINX_TARGET_VARIABLE);
                ck_assert_str_eq(c->passes[i].target.text, texts[i]);
                expect_at(c->passes[i].at, MAIN, lines[i]);
                ck_assert_str_eq(c->passes[i].server_name, "a.example");
        }
        ck_assert_int_eq(c->blocks[c->passes[3].block].kind, NGINX_LOCATION_IF);
        ck_assert_str_eq(c->passes[3].location, "/i");
}
END_TEST

START_TEST(test_bad_targets) {
        char text[1024], path[200];
        memset(path, 'x', sizeof(path) - 1);
        path[sizeof(path) - 1] = '\0';
        snprintf(text, sizeof(text),
                 "http { server { location / {\n"
                 "  fastcgi_pass unix:/%s;\n"
                 "  fastcgi_pass http://127.0.0.1:9000;\n"
                 "  fastcgi_pass 127.0.0.1:9000:9001;\n"
                 "  fastcgi_pass unix:/a.sock unix:/b.sock;\n"
                 "  fastcgi_pass unix:/c.sock;\n"
                 "  fastcgi_pass unix:/d.sock;\n"
                 "} fastcgi_pass unix:/e.sock;\n"
                 "location /f { fastcgi_pass /run/php/php8.2-fpm.sock; }\n"
                 "location /g { fastcgi_pass 9000; }\n"
                 "upstream u { server /run/php/x.sock; }\n"
                 "} }\n", path);
        parse(text);
        ck_assert_uint_eq(c->n_passes, 1);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/c.sock", MAIN, 6);
        diag_at(MAIN, 2, "a unix socket path is at most 107 bytes");
        diag_at(MAIN, 3, "invalid target \"http://127.0.0.1:9000\" in \"fastcgi_pass\"");
        diag_at(MAIN, 4, "invalid target");
        diag_at(MAIN, 5, "invalid number of arguments in \"fastcgi_pass\" directive");
        diag_at(MAIN, 7, "\"fastcgi_pass\" directive is duplicate (first at /etc/nginx/nginx.conf:6)");
        diag_at(MAIN, 8, "\"fastcgi_pass\" directive is not allowed here (in server)");
        diag_at(MAIN, 9, "invalid target \"/run/php/php8.2-fpm.sock\" in \"fastcgi_pass\": a unix socket is written unix:/path");
        diag_at(MAIN, 10, "invalid target \"9000\" in \"fastcgi_pass\": not an address nginx takes");
        diag_at(MAIN, 11, "\"upstream\" directive is not allowed here (in server)");
        expect_diags(9);
}
END_TEST

/* ---- upstreams ---- */

/* What nginx -t refuses about upstream names, wherever the upstream block stands. */
START_TEST(test_upstream_names_nginx_refuses) {
        parse("http {\nserver {\n location / { fastcgi_pass php_undefined; }\n location /b { fastcgi_pass php:9000; }\n"
              " location /c { fastcgi_pass php; }\n location /d { fastcgi_pass other:9000; }\n}\n"
              "upstream php { server unix:/run/php/a.sock; }\n}\n");
        diag_at(MAIN, 3, "fastcgi_pass php_undefined: no upstream \"php_undefined\" and no port");
        diag_at(MAIN, 4, "fastcgi_pass php:9000: upstream \"php\" may not have a port");
        expect_diags(2);
}
END_TEST

START_TEST(test_upstream) {
        parse("http {\n"
              "  upstream php {\n"
              "    server unix:/run/php/php8.2-fpm.sock weight=3 max_fails=2;\n"
              "    server 127.0.0.1:9001 backup;\n"
              "    server 10.0.0.5 down;\n"
              "    server [::1];\n"
              "    server php-fpm;\n"
              "    keepalive 8;\n"
              "  }\n"
              "  upstream php { server 127.0.0.1:1; }\n"
              "  upstream other { server 127.0.0.1:2 weight=0; server 127.0.0.1:3; keepalive x; keepalive 2; keepalive 3; }\n"
              "  server { location ~ \\.php$ { fastcgi_pass php; } }\n"
              "  server 127.0.0.1:4;\n"
              "}\n");
        ck_assert_uint_eq(c->n_upstreams, 2);
        const struct nginx_upstream *u = nginx_conf_upstream(c, "php");
        ck_assert_ptr_eq(u, &c->upstreams[0]);
        expect_at(u->at, MAIN, 2);
        ck_assert_int_eq(u->keepalive, 8);
        expect_at(u->keepalive_at, MAIN, 8);
        ck_assert_uint_eq(u->n_servers, 5);
        const struct nginx_upstream_server *s = &c->servers[u->first_server];
        static const char *const texts[] = { "unix:/run/php/php8.2-fpm.sock", "127.0.0.1:9001", "10.0.0.5:80",
                                             "[::1]:80", "php-fpm:80" };
        static const enum address_kind kinds[] = { ADDRESS_UNIX, ADDRESS_INET, ADDRESS_INET, ADDRESS_INET6, ADDRESS_HOST };
        for (size_t i = 0; i < 5; i++) {
                ck_assert_str_eq(s[i].target.address.text, texts[i]);
                ck_assert_int_eq(s[i].target.address.kind, kinds[i]);
                expect_at(s[i].at, MAIN, 3 + (unsigned) i);
        }
        ck_assert_int_eq(s[0].weight, 3);
        ck_assert_int_eq(s[1].weight, 1);
        ck_assert(!s[0].backup && s[1].backup && !s[2].backup);
        ck_assert(!s[1].down && s[2].down);
        ck_assert_str_eq(s[2].target.text, "10.0.0.5");
        const struct nginx_upstream *o = nginx_conf_upstream(c, "other");
        ck_assert_uint_eq(o->n_servers, 1);
        ck_assert_str_eq(c->servers[o->first_server].target.address.text, "127.0.0.1:3");
        ck_assert_int_eq(o->keepalive, 2);
        ck_assert_ptr_null(nginx_conf_upstream(c, "nope"));
        ck_assert_uint_eq(c->n_passes, 1);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_GROUP, "php", MAIN, 12);
        ck_assert_ptr_eq(nginx_conf_upstream(c, c->passes[0].target.address.text), u);
        diag_at(MAIN, 10, "duplicate upstream \"php\" (first at /etc/nginx/nginx.conf:2)");
        diag_at(MAIN, 11, "invalid parameter \"weight=0\"");
        diag_at(MAIN, 11, "invalid value \"x\" in \"keepalive\" directive");
        diag_at(MAIN, 11, "\"keepalive\" directive is duplicate (first at /etc/nginx/nginx.conf:11)");
        diag_at(MAIN, 13, "\"server\" directive is not allowed here (in http)");
        expect_diags(5);
}
END_TEST

/* ---- user, error_log, settings ---- */

START_TEST(test_user) {
        parse("worker_processes auto;\n");
        ck_assert(!c->user.set);
        ck_assert_str_eq(c->user.user, "");
        expect_at(c->user.at, "", 0);
        parse("user nginx;\n");
        ck_assert(c->user.set);
        ck_assert_str_eq(c->user.group, "nginx");
        parse("\n\nuser www-data adm;\nuser nobody;\nhttp { user x; }\nuser a b c;\n");
        ck_assert_str_eq(c->user.user, "www-data");
        ck_assert_str_eq(c->user.group, "adm");
        expect_at(c->user.at, MAIN, 3);
        diag_at(MAIN, 4, "\"user\" directive is duplicate (first at /etc/nginx/nginx.conf:3)");
        diag_at(MAIN, 5, "\"user\" directive is not allowed here (in http)");
        diag_at(MAIN, 6, "invalid number of arguments in \"user\" directive");
        expect_diags(3);
}
END_TEST

START_TEST(test_error_log) {
        parse("error_log /var/log/nginx/error.log;\n"
              "error_log stderr warn;\n"
              "error_log syslog:server=unix:/dev/log,tag=nginx notice;\n"
              "error_log memory:32m debug;\n"
              "error_log off;\n"
              "error_log logs/err.log debug_http debug_core;\n"
              "error_log /x.log info crit;\n"
              "error_log /y.log verbose;\n"
              "http {\n"
              "  error_log /var/log/nginx/http.log crit;\n"
              "  server { error_log /var/log/nginx/site.log; location / { error_log /l.log; if ($a) { error_log /i.log; } } }\n"
              "}\n"
              "events { error_log /e.log; }\n");
        static const struct { enum nginx_log_kind kind; const char *target, *level; enum nginx_context in; } want[] = {
                { NGINX_LOG_FILE, "/var/log/nginx/error.log", "error", NGINX_MAIN },
                { NGINX_LOG_STDERR, "stderr", "warn", NGINX_MAIN },
                { NGINX_LOG_SYSLOG, "syslog:server=unix:/dev/log,tag=nginx", "notice", NGINX_MAIN },
                { NGINX_LOG_MEMORY, "memory:32m", "debug", NGINX_MAIN },
                { NGINX_LOG_FILE, "off", "error", NGINX_MAIN },
                { NGINX_LOG_FILE, "logs/err.log", "debug", NGINX_MAIN },
                { NGINX_LOG_FILE, "/var/log/nginx/http.log", "crit", NGINX_HTTP },
                { NGINX_LOG_FILE, "/var/log/nginx/site.log", "error", NGINX_SERVER },
                { NGINX_LOG_FILE, "/l.log", "error", NGINX_LOCATION },
        };
        static const unsigned lines[] = { 1, 2, 3, 4, 5, 6, 10, 11, 11 };
        ck_assert_uint_eq(c->n_error_logs, 9);
        for (size_t i = 0; i < 9; i++) {
                const struct nginx_error_log *l = &c->error_logs[i];
                ck_assert_int_eq(l->kind, want[i].kind);
                ck_assert_str_eq(l->target, want[i].target);
                ck_assert_str_eq(l->level, want[i].level);
                ck_assert_int_eq(l->context, want[i].in);
                ck_assert_int_eq(c->blocks[l->block].kind, want[i].in);
                expect_at(l->at, MAIN, lines[i]);
        }
        diag_at(MAIN, 7, "duplicate log level \"crit\"");
        diag_at(MAIN, 8, "invalid log level \"verbose\"");
        diag_at(MAIN, 11, "\"error_log\" directive is not allowed here (in if in location)");
        expect_diags(3);        /* events { } is not followed */
}
END_TEST

START_TEST(test_settings_effective) {
        parse("http {\n"
              "  fastcgi_read_timeout 30s;\n"
              "  fastcgi_keep_conn on;\n"
              "  server {\n"
              "    fastcgi_buffers 8 16k;\n"
              "    fastcgi_connect_timeout 5s;\n"
              "    location ~ \\.php$ {\n"
              "      fastcgi_read_timeout 300;\n"
              "      fastcgi_buffer_size 32k;\n"
              "      fastcgi_pass unix:/run/php/a.sock;\n"
              "      location /admin { fastcgi_pass unix:/run/php/b.sock; fastcgi_connect_timeout 1s; }\n"
              "    }\n"
              "    location /api { fastcgi_pass 127.0.0.1:9000; fastcgi_read_timeout 10; fastcgi_read_timeout 20; }\n"
              "  }\n"
              "  fastcgi_buffers 4;\n"
              "}\n"
              "fastcgi_read_timeout 1s;\n");
        ck_assert_uint_eq(c->n_passes, 3);
        const struct nginx_setting *s = nginx_conf_effective(c, &c->passes[0], NGINX_FASTCGI_READ_TIMEOUT);
        ck_assert_str_eq(s->value, "300");
        ck_assert_int_eq(s->context, NGINX_LOCATION);
        expect_at(s->at, MAIN, 8);
        s = nginx_conf_effective(c, &c->passes[0], NGINX_FASTCGI_BUFFERS);
        ck_assert_str_eq(s->value, "8 16k");
        ck_assert_int_eq(s->context, NGINX_SERVER);
        expect_at(s->at, MAIN, 5);
        s = nginx_conf_effective(c, &c->passes[0], NGINX_FASTCGI_KEEP_CONN);
        ck_assert_str_eq(s->value, "on");
        ck_assert_int_eq(s->context, NGINX_HTTP);
        expect_at(s->at, MAIN, 3);
        /* a nested location inherits from the one around it */
        ck_assert_str_eq(nginx_conf_effective(c, &c->passes[1], NGINX_FASTCGI_READ_TIMEOUT)->value, "300");
        ck_assert_str_eq(nginx_conf_effective(c, &c->passes[1], NGINX_FASTCGI_CONNECT_TIMEOUT)->value, "1s");
        ck_assert_str_eq(nginx_conf_effective(c, &c->passes[0], NGINX_FASTCGI_CONNECT_TIMEOUT)->value, "5s");
        ck_assert_str_eq(nginx_conf_effective(c, &c->passes[2], NGINX_FASTCGI_READ_TIMEOUT)->value, "10");
        ck_assert_ptr_null(nginx_conf_effective(c, &c->passes[2], NGINX_FASTCGI_BUFFER_SIZE));
        ck_assert_uint_eq(c->n_settings, 8);
        diag_at(MAIN, 13, "\"fastcgi_read_timeout\" directive is duplicate (first at /etc/nginx/nginx.conf:13)");
        diag_at(MAIN, 15, "invalid number of arguments in \"fastcgi_buffers\" directive");
        diag_at(MAIN, 17, "\"fastcgi_read_timeout\" directive is not allowed here (in main)");
        expect_diags(3);
}
END_TEST

/* ---- broken files ---- */

START_TEST(test_unbalanced_braces) {
        parse("http {\n"
              "  server {\n"
              "    location / { fastcgi_pass unix:/a.sock; }\n"
              "  }\n"
              "}\n"
              "}\n"
              "user nginx;\n");
        expect_diags(1);
        diag_at(MAIN, 6, "unexpected \"}\"");
        expect_at(c->user.at, MAIN, 7);
        ck_assert_uint_eq(c->n_passes, 1);

        parse("http {\n"
              "  server {\n"
              "    location / {\n"
              "      fastcgi_pass unix:/a.sock;\n"
              "    }\n"
              "  }\n");
        expect_diags(1);
        diag_at(MAIN, 1, "unexpected end of file, expecting \"}\": this \"http\" block is not closed");
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/a.sock", MAIN, 4);

        parse("http { server {\n"
              "  location / { fastcgi_pass unix:/a.sock }\n"
              "  location /b { fastcgi_pass unix:/b.sock; }\n"
              "  ;\n"
              "  { fastcgi_pass unix:/c.sock; }\n"
              "  location /d { fastcgi_pass unix:/d.sock {} }\n"
              "  location /e;\n"
              "  fastcgi_pass");
        diag_at(MAIN, 2, "unexpected \"}\": directive \"fastcgi_pass\" is not terminated by \";\"");
        diag_at(MAIN, 4, "unexpected \";\"");
        diag_at(MAIN, 5, "unexpected \"{\"");
        diag_at(MAIN, 6, "directive \"fastcgi_pass\" is not terminated by \";\"");
        diag_at(MAIN, 7, "directive \"location\" has no opening \"{\"");
        diag_at(MAIN, 8, "unexpected end of file, expecting \";\" or \"}\": directive \"fastcgi_pass\" is not terminated");
        diag_at(MAIN, 1, "this \"server\" block is not closed");
        expect_diags(7);
        ck_assert_uint_eq(c->n_passes, 1);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/b.sock", MAIN, 3);
}
END_TEST

START_TEST(test_quote_errors) {
        parse("user www-data;\n"
              "http {\n"
              "  fastcgi_read_timeout '60s;\n"
              "  server {\n"
              "    location / { fastcgi_pass unix:/a.sock; }\n"
              "    location /b { fastcgi_pass \"unix:/b.sock\"x; fastcgi_pass \"unix:/c.sock\"#; }\n"
              "  }\n"
              "}\n");
        diag_at(MAIN, 3, "unterminated ' quote: reading goes on at the next line");
        diag_at(MAIN, 6, "unexpected \"x\" after a quoted string");
        diag_at(MAIN, 6, "unexpected \"#\" after a quoted string");
        expect_diags(3);
        ck_assert_uint_eq(c->n_settings, 0);
        ck_assert_uint_eq(c->n_passes, 1);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/a.sock", MAIN, 5);
        ck_assert_int_eq(c->blocks[c->passes[0].block].parent, 2);     /* still inside http's server */
}
END_TEST

START_TEST(test_garbage_bytes) {
        static const char text[] = "user www-data;\n"
                                   "\x01\x02garbage\x00\xff;\n"
                                   "http { server { location / { fastcgi_pass 127.0.0.1:9000; } } }\n"
                                   "\x7f\n";
        parse_n(text, sizeof(text) - 1);
        expect_diags(2);
        diag_at(MAIN, 2, "control byte 0x01: the file is binary or damaged");
        diag_at(MAIN, 4, "unexpected end of file, expecting \";\" or \"}\": directive \"?\" is not terminated");
        ck_assert(c->user.set);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_INET, "127.0.0.1:9000", MAIN, 3);

        static const char nul[] = "http { server { location / { fastcgi_pass unix:/a\0b.sock; } } }\n";
        parse_n(nul, sizeof(nul) - 1);
        diag_at(MAIN, 1, "control byte 0x00");
        ck_assert_uint_eq(c->n_passes, 1);      /* cut at the NUL, as nginx's C strings are */

        parse("\xef\xbb\xbfuser www-data;\nerror_log /x.log;\n");
        diag_at(MAIN, 1, "a UTF-8 byte order mark");
        ck_assert(!c->user.set);        /* nginx: unknown directive "\xef\xbb\xbfuser" */
        ck_assert_uint_eq(c->n_error_logs, 1);
        expect_diags(1);
}
END_TEST

static char *huge(const char *head, char fill, size_t n, const char *tail) {
        size_t h = strlen(head), t = strlen(tail);
        char *s = malloc(h + n + t + 1);
        memcpy(s, head, h);
        memset(s + h, fill, n);
        memcpy(s + h + n, tail, t + 1);
        return s;
}

START_TEST(test_huge_lines) {
        char *s = huge("http {\n server {\n  location / {\n   fastcgi_param X ", 'a', 1 << 20,
                       ";\n   fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n  }\n }\n}\n");
        parse(s);
        free(s);
        expect_diags(1);
        diag_at(MAIN, 4, "too long parameter \"aaaaaaaaaa...\" started: 4096 bytes or more, nginx refuses it");
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/run/php/php8.2-fpm.sock", MAIN, 5);

        s = huge("# ", 'x', 1 << 20, "\nuser nginx;\n");
        parse(s);
        free(s);
        expect_diags(1);
        diag_at(MAIN, 1, "too long parameter \"# xxxxxxxx...\" started");
        expect_at(c->user.at, MAIN, 2);

        s = huge("\n\nhttp { server { location / { fastcgi_pass \"unix:/", 'q', 5000, "\"; } } }\nuser nginx;\n");
        parse(s);
        free(s);
        expect_diags(1);
        diag_at(MAIN, 3, "too long parameter");
        ck_assert_uint_eq(c->n_passes, 0);
        expect_at(c->user.at, MAIN, 4);

        /* 4095 bytes is what nginx still takes */
        s = huge("#", 'x', NGINX_CONF_TOKEN_MAX - 1, "\nuser nginx;\n");
        parse(s);
        free(s);
        expect_diags(0);
}
END_TEST

START_TEST(test_caps) {
        char *s = huge("", '{', 100, "");
        /* 100 anonymous blocks: each "{" is reported, the 65th also as too deep */
        parse(s);
        free(s);
        diag_at(MAIN, 1, "blocks nested deeper than 64: what they hold is not read");
        ck_assert_uint_eq(c->n_diags + c->n_diags_dropped, 102);

        s = huge("", ';', 300, "\nuser nginx;\n");
        parse(s);
        free(s);
        ck_assert_uint_eq(c->n_diags, NGINX_CONF_MAX_DIAGS);
        ck_assert_uint_eq(c->n_diags_dropped, 300 - NGINX_CONF_MAX_DIAGS);
        expect_at(c->user.at, MAIN, 2);

        char *nest = malloc(4096), *p = nest;
        p += sprintf(p, "http { server {\n");
        for (int i = 0; i < 70; i++)
                p += sprintf(p, "location /%d {", i);
        p += sprintf(p, "\nfastcgi_pass unix:/deep.sock;\n");
        for (int i = 0; i < 70; i++)
                *p++ = '}';
        sprintf(p, "\nlocation /after { fastcgi_pass unix:/after.sock; } } }\n");
        parse(nest);
        free(nest);
        expect_diags(1);
        diag_at(MAIN, 2, "blocks nested deeper than 64");
        ck_assert_uint_eq(c->n_passes, 1);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/after.sock", MAIN, 5);
        ck_assert_str_eq(c->passes[0].location, "/after");
}
END_TEST

/* ---- includes: the parser's callback ---- */

struct mem_file {
        const char *name, *text;
};

static const struct mem_file *mem_files;

/* Files from mem_files; ud is &c, the conf being read. */
static int mem_include(void *ud, const char *pattern, const char *from, unsigned line) {
        struct nginx_conf *conf = *(struct nginx_conf **) ud;
        for (const struct mem_file *f = mem_files; f->name; f++)
                if (strcmp(f->name, pattern) == 0)
                        return nginx_conf_parse(conf, f->name, f->text, strlen(f->text));
        if (strcmp(pattern, "enomem") == 0)
                return -ENOMEM;
        nginx_conf_report(conf, from, line, "no file %s", pattern);
        return 0;
}

static int parse_mem(const struct mem_file *files, const char *text) {
        nginx_conf_free(c);
        mem_files = files;
        c = nginx_conf_new(mem_include, &c);
        ck_assert_ptr_nonnull(c);
        return nginx_conf_parse(c, MAIN, text, strlen(text));
}

START_TEST(test_include_context) {
        static const struct mem_file files[] = {
                { "site.conf", "location ~ \\.php$ {\n  include php.conf;\n}\n}\n" },
                { "php.conf", "fastcgi_read_timeout 120s;\nfastcgi_pass unix:/run/php/php8.2-fpm.sock;\n" },
                { "open.conf", "server {\n" },
                { NULL, NULL },
        };
        ck_assert_int_eq(parse_mem(files, "http {\n"
                                          "  server {\n"
                                          "    include site.conf;\n"
                                          "    server_name after.example;\n"
                                          "    location /x { include missing.conf; }\n"
                                          "  }\n"
                                          "  include open.conf;\n"
                                          "  upstream u { server unix:/u.sock; }\n"
                                          "}\n"), 0);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_UNIX, "unix:/run/php/php8.2-fpm.sock", "php.conf", 2);
        ck_assert_str_eq(c->passes[0].location, "~ \\.php$");
        ck_assert_str_eq(c->passes[0].server_name, "after.example");
        expect_at(c->blocks[c->passes[0].block].at, "site.conf", 1);
        const struct nginx_setting *s = nginx_conf_effective(c, &c->passes[0], NGINX_FASTCGI_READ_TIMEOUT);
        ck_assert_int_eq(s->context, NGINX_LOCATION);
        expect_at(s->at, "php.conf", 1);
        diag_at("site.conf", 4, "unexpected \"}\": it closes no block this file opened");
        diag_at(MAIN, 5, "no file missing.conf");
        diag_at("open.conf", 1, "this \"server\" block is not closed");
        expect_diags(3);
        /* open.conf's server ended with it: the upstream is in http */
        ck_assert_uint_eq(c->n_upstreams, 1);
        static const char *const names[] = { MAIN, "site.conf", "php.conf", "open.conf" };
        expect_files(names, 4);
}
END_TEST

START_TEST(test_include_loop_and_errors) {
        static const struct mem_file files[] = {
                { "loop.conf", "include loop.conf;\nerror_log /var/log/loop.log;\n" },
                { MAIN, "user www-data;\ninclude /etc/nginx/nginx.conf;\nerror_log /var/log/main.log;\n" },
                { "a.conf", "include b.conf;\n" },
                { "b.conf", "include a.conf;\n" },
                { NULL, NULL },
        };
        /* a loop is said once, where it closes, and each file of it is read once */
        ck_assert_int_eq(parse_mem(files, "include loop.conf;\nuser nginx;\n"), 0);
        expect_diags(1);
        diag_at("loop.conf", 1, "include loop: \"loop.conf\" is being read already, not read again (nginx refuses it");
        ck_assert(c->user.set);
        ck_assert_uint_eq(c->n_files, 2);
        ck_assert_uint_eq(c->n_error_logs, 1);

        /* the main file includes itself: no "duplicate" for its own user */
        ck_assert_int_eq(parse_mem(files, files[1].text), 0);
        expect_diags(1);
        diag_at(MAIN, 2, "include loop: \"/etc/nginx/nginx.conf\" is being read already");
        ck_assert_uint_eq(c->n_error_logs, 1);
        ck_assert_uint_eq(c->n_files, 1);

        ck_assert_int_eq(parse_mem(files, "include a.conf;\n"), 0);
        expect_diags(1);
        diag_at("b.conf", 1, "include loop: \"a.conf\"");
        ck_assert_uint_eq(c->n_files, 3);

        ck_assert_int_eq(parse_mem(files, "include enomem;\nuser nginx;\n"), -ENOMEM);
        ck_assert(!c->user.set);

        ck_assert_int_eq(parse_mem(files, "include;\ninclude a b;\n"), 0);
        diag_at(MAIN, 1, "invalid number of arguments in \"include\" directive");
        diag_at(MAIN, 2, "invalid number of arguments in \"include\" directive");
        expect_diags(2);

        /* no callback: includes are skipped */
        parse("include /etc/nginx/conf.d/*.conf;\n");
        expect_diags(0);
}
END_TEST

/* ---- the loader ---- */

START_TEST(test_load_globs_and_relative) {
        char root[128];
        fixture_newdir(root);
        put(root, MAIN, "user nginx;\n"
                        "http {\n"
                        "  include conf.d/*.conf;\n"
                        "  include /etc/nginx/vhosts/*/site.conf;\n"
                        "  include /etc/nginx/none.d/*.conf;\n"
                        "  include missing.conf;\n"
                        "}\n");
        put(root, "/etc/nginx/conf.d/b.conf", "fastcgi_read_timeout 60s;\n");
        put(root, "/etc/nginx/conf.d/a.conf", "upstream php { server unix:/run/php/php8.2-fpm.sock; }\n");
        put(root, "/etc/nginx/conf.d/9.conf", "\n");
        put(root, "/etc/nginx/conf.d/10.conf", "\n");
        put(root, "/etc/nginx/conf.d/.hidden.conf", "user hidden;\n");
        put(root, "/etc/nginx/conf.d/c.txt", "user txt;\n");
        put(root, "/etc/nginx/vhosts/one/site.conf", "server {\n  server_name one.example;\n  include snippets/php.conf;\n}\n");
        put(root, "/etc/nginx/vhosts/two/site.conf", "server { server_name two.example; location / { fastcgi_pass php; } }\n");
        put(root, "/etc/nginx/snippets/php.conf", "location ~ \\.php$ {\n    fastcgi_pass 127.0.0.1:9000;\n}\n");
        ck_assert_int_eq(load(root), 0);
        static const char *const files[] = {
                MAIN, "/etc/nginx/conf.d/10.conf", "/etc/nginx/conf.d/9.conf", "/etc/nginx/conf.d/a.conf",
                "/etc/nginx/conf.d/b.conf", "/etc/nginx/vhosts/one/site.conf", "/etc/nginx/snippets/php.conf",
                "/etc/nginx/vhosts/two/site.conf",
        };
        expect_files(files, 8);
        ck_assert_str_eq(c->user.user, "nginx");
        expect_diags(1);
        diag_at(MAIN, 6, "cannot read \"/etc/nginx/missing.conf\": No such file or directory");
        ck_assert_uint_eq(c->n_passes, 2);
        expect_pass(0, NGINX_FASTCGI_PASS, ADDRESS_INET, "127.0.0.1:9000", "/etc/nginx/snippets/php.conf", 2);
        ck_assert_str_eq(c->passes[0].server_name, "one.example");
        expect_pass(1, NGINX_FASTCGI_PASS, ADDRESS_GROUP, "php", "/etc/nginx/vhosts/two/site.conf", 1);
        const struct nginx_setting *s = nginx_conf_effective(c, &c->passes[1], NGINX_FASTCGI_READ_TIMEOUT);
        ck_assert_int_eq(s->context, NGINX_HTTP);
        expect_at(s->at, "/etc/nginx/conf.d/b.conf", 1);
        expect_at(nginx_conf_upstream(c, "php")->at, "/etc/nginx/conf.d/a.conf", 1);
}
END_TEST

/* Nothing outside the root is read: not through "..", not through a symlink; symlinks inside
 * it, absolute or relative, to files or directories, resolve there. */
START_TEST(test_load_stays_in_root) {
        char dir[128], root[160], outside[200];
        fixture_newdir(dir);
        snprintf(root, sizeof(root), "%s/root", dir);
        snprintf(outside, sizeof(outside), "%s/outside.conf", dir);
        put(dir, "/outside.conf", "user outside;\n");
        put(root, MAIN, "include ../../../outside.conf;\n"
                        "include /etc/nginx/up.conf;\n"
                        "include /etc/nginx/abs.conf;\n"
                        "include /etc/nginx/host.conf;\n"
                        "include /etc/nginx/loop.conf;\n"
                        "include /etc/nginx/real/../real/./rel.conf;\n"
                        "include /etc/nginx/linked/*.conf;\n"
                        "include /etc/nginx/linked/../../../../../etc/nginx/real/dot.conf;\n");
        link_at(root, "/etc/nginx/up.conf", "../../../outside.conf");
        link_at(root, "/etc/nginx/abs.conf", "/etc/nginx/real/abs.conf");
        link_at(root, "/etc/nginx/host.conf", outside);
        link_at(root, "/etc/nginx/loop.conf", "loop2.conf");
        link_at(root, "/etc/nginx/loop2.conf", "/etc/nginx/loop.conf");
        link_at(root, "/etc/nginx/real/rel.conf", "../sub/./rel.conf");
        link_at(root, "/etc/nginx/linked", "/etc/nginx/sub");
        put(root, "/etc/nginx/real/abs.conf", "error_log /var/log/abs.log;\n");
        put(root, "/etc/nginx/real/dot.conf", "error_log /var/log/dot.log;\n");
        put(root, "/etc/nginx/sub/rel.conf", "error_log /var/log/rel.log;\n");
        ck_assert_int_eq(load(root), 0);
        ck_assert(!c->user.set);
        diag_at(MAIN, 1, "cannot read \"/etc/nginx/../../../outside.conf\": No such file or directory");
        diag_at(MAIN, 2, "cannot read \"/etc/nginx/up.conf\": No such file or directory");
        diag_at(MAIN, 4, "cannot read \"/etc/nginx/host.conf\": No such file or directory");
        diag_at(MAIN, 5, "cannot read \"/etc/nginx/loop.conf\": Too many levels of symbolic links");
        expect_diags(4);
        static const char *const logs[] = { "/var/log/abs.log", "/var/log/rel.log", "/var/log/rel.log", "/var/log/dot.log" };
        static const char *const files[] = { "/etc/nginx/abs.conf", "/etc/nginx/real/../real/./rel.conf",
                                             "/etc/nginx/linked/rel.conf",
                                             "/etc/nginx/linked/../../../../../etc/nginx/real/dot.conf" };
        ck_assert_uint_eq(c->n_error_logs, 4);
        for (size_t i = 0; i < 4; i++) {
                ck_assert_str_eq(c->error_logs[i].target, logs[i]);
                expect_at(c->error_logs[i].at, files[i], 1);
        }
}
END_TEST

START_TEST(test_load_unreadable) {
        char root[128], path[256];
        fixture_newdir(root);
        put(root, MAIN, "include /etc/nginx/dir.conf;\n"
                        "include /etc/nginx/fifo.conf;\n"
                        "include /etc/nginx/conf.d/*;\n"
                        "user nginx;\n");
        snprintf(path, sizeof(path), "%s/etc/nginx/dir.conf", root);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/etc/nginx/fifo.conf", root);
        ck_assert_int_eq(mkfifo(path, 0644), 0);
        put(root, "/etc/nginx/conf.d/sub/x.conf", "user sub;\n");
        ck_assert_int_eq(load(root), 0);
        diag_at(MAIN, 1, "cannot read \"/etc/nginx/dir.conf\": Is a directory");
        diag_at(MAIN, 2, "cannot read \"/etc/nginx/fifo.conf\": not a regular file");
        diag_at(MAIN, 3, "cannot read \"/etc/nginx/conf.d/sub\": Is a directory");
        expect_diags(3);
        ck_assert_str_eq(c->user.user, "nginx");

        /* no nginx here */
        nginx_conf_free(c);
        c = NULL;
        snprintf(path, sizeof(path), "%s/nowhere", root);
        ck_assert_int_eq(nginx_conf_load(&c, path, MAIN), -ENOENT);
        diag_at(MAIN, 0, "cannot open the root");
        nginx_conf_free(c);
        fixture_newdir(root);
        ck_assert_int_eq(nginx_conf_load(&c, root, MAIN), -ENOENT);
        expect_diags(1);
        diag_at(MAIN, 0, "cannot read \"/etc/nginx/nginx.conf\": No such file or directory");
        ck_assert_uint_eq(c->n_files, 0);
        nginx_conf_free(c);
        c = (struct nginx_conf *) 1;
        ck_assert_int_eq(nginx_conf_load(&c, root, "nginx.conf"), -EINVAL);
        ck_assert_ptr_null(c);
}
END_TEST

/* A chain deeper than NGINX_CONF_INCLUDE_DEPTH files that is no loop: cut there, said once. */
START_TEST(test_include_too_deep) {
        enum { N = NGINX_CONF_INCLUDE_DEPTH + 2 };
        static char names[N][16], texts[N][40];
        static struct mem_file files[N + 1];
        for (int i = 0; i < N; i++) {
                snprintf(names[i], sizeof(names[i]), "d%d.conf", i);
                snprintf(texts[i], sizeof(texts[i]), "include d%d.conf;\nerror_log /l%d;\n", i + 1, i);
                files[i] = (struct mem_file) { names[i], texts[i] };
        }
        files[N] = (struct mem_file) { NULL, NULL };
        ck_assert_int_eq(parse_mem(files, "include d0.conf;\n"), 0);
        expect_diags(1);
        diag_at("d15.conf", 1, "includes nested deeper than 16 files");
        ck_assert_uint_eq(c->n_error_logs, NGINX_CONF_INCLUDE_DEPTH);
}
END_TEST

/* Loops on disk: through a glob, through the main file, and through a symlink (the same file
 * under another name); each said once, each file's directives read once per include. */
START_TEST(test_load_include_loop) {
        char root[128];
        fixture_newdir(root);
        put(root, MAIN, "http {\n  include loop/*.conf;\n}\n");
        put(root, "/etc/nginx/loop/a.conf", "include loop/b.conf;\n");
        put(root, "/etc/nginx/loop/b.conf", "include loop/a.conf;\n");
        ck_assert_int_eq(load(root), 0);
        ck_assert_uint_eq(c->n_files, 3);
        diag_at("/etc/nginx/loop/b.conf", 1, "include loop: \"/etc/nginx/loop/a.conf\" is being read already");
        diag_at("/etc/nginx/loop/a.conf", 1, "include loop: \"/etc/nginx/loop/b.conf\" is being read already");
        expect_diags(2);

        fixture_newdir(root);
        put(root, MAIN, "user www-data;\n"
                        "include /etc/nginx/nginx.conf;\n"
                        "error_log /var/log/nginx/error.log;\n"
                        "http { server { location ~ \\.php$ { fastcgi_pass unix:/run/php/x.sock; } } }\n"
                        "include sites/*;\n");
        put(root, "/etc/nginx/sites/real.conf", "error_log /var/log/real.log;\ninclude sites/alias.conf;\n");
        link_at(root, "/etc/nginx/sites/alias.conf", "/etc/nginx/sites/real.conf");
        ck_assert_int_eq(load(root), 0);
        diag_at(MAIN, 2, "include loop: \"/etc/nginx/nginx.conf\" is being read already, not read again "
                         "(nginx refuses it: it reads the file over and over until a directive is duplicate or it crashes)");
        diag_at("/etc/nginx/sites/real.conf", 2, "include loop: \"/etc/nginx/sites/alias.conf\"");
        diag_at("/etc/nginx/sites/alias.conf", 2, "include loop: \"/etc/nginx/sites/alias.conf\"");
        expect_diags(3);
        ck_assert_uint_eq(c->n_passes, 1);
        ck_assert_uint_eq(c->n_error_logs, 3);  /* main, real.conf, alias.conf from the glob */
        ck_assert_str_eq(c->user.user, "www-data");
}
END_TEST

int main(void) {
        Suite *s = suite_create("nginx_conf");
        TCase *tc = tcase_create("nginx_conf");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, NULL, teardown);
        tcase_add_test(tc, test_debian12_stock);
        tcase_add_test(tc, test_debian12_php_location);
        tcase_add_test(tc, test_tcp_and_quotes);
        tcase_add_test(tc, test_other_passes);
        tcase_add_test(tc, test_variable_targets);
        tcase_add_test(tc, test_bad_targets);
        tcase_add_test(tc, test_upstream);
        tcase_add_test(tc, test_upstream_names_nginx_refuses);
        tcase_add_test(tc, test_user);
        tcase_add_test(tc, test_error_log);
        tcase_add_test(tc, test_settings_effective);
        tcase_add_test(tc, test_unbalanced_braces);
        tcase_add_test(tc, test_quote_errors);
        tcase_add_test(tc, test_garbage_bytes);
        tcase_add_test(tc, test_huge_lines);
        tcase_add_test(tc, test_caps);
        tcase_add_test(tc, test_include_context);
        tcase_add_test(tc, test_include_loop_and_errors);
        tcase_add_test(tc, test_load_globs_and_relative);
        tcase_add_test(tc, test_load_stays_in_root);
        tcase_add_test(tc, test_load_unreadable);
        tcase_add_test(tc, test_load_include_loop);
        tcase_add_test(tc, test_include_too_deep);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
