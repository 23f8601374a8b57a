#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "fixtures.h"
#include "fpm_conf.h"

static const char FILE_T[] = "/etc/php/8.2/fpm/pool.d/t.conf";
static char *environment[] = { "FPM_RUN=/run/php", "FPM_USER=web", "FPM_CHILDREN=12", "EMPTY=", NULL };

static struct fpm_conf *c;

static void teardown(void) {
        c = fpm_conf_free(c);
}

/* text read as FILE_T, then finished. */
static struct fpm_conf *parse_with(const char *text, const struct fpm_conf_options *o) {
        fpm_conf_free(c);
        c = fpm_conf_new(o);
        ck_assert_ptr_nonnull(c);
        fpm_conf_parse(c, FILE_T, text, strlen(text));
        fpm_conf_finish(c);
        return c;
}

static struct fpm_conf *parse(const char *text) {
        struct fpm_conf_options o = { .env = fpm_conf_envp, .env_ctx = environment };
        return parse_with(text, &o);
}

/* A pool php-fpm starts, and one more line. */
#define POOL(extra) "[www]\nuser = www-data\npm = static\npm.max_children = 5\nlisten = /run/php/www.sock\n" extra

static const struct fpm_conf_pool *pool(const char *name) {
        const struct fpm_conf_pool *p = fpm_conf_find_pool(c, name);
        ck_assert_msg(p != NULL, "no pool [%s]", name);
        return p;
}

static const struct fpm_conf_value *pv(const char *name, enum fpm_pool_key k) {
        return &pool(name)->v[k];
}

static void dump_diags(void) {
        char buf[1024];
        for (size_t i = 0; i < c->n_diags; i++)
                fprintf(stderr, "  %s\n", fpm_conf_diag_format(&c->diags[i], buf, sizeof(buf)));
}

/* The diagnostic, formatted, is there. */
static void expect_diag(const char *want) {
        char buf[1024];
        for (size_t i = 0; i < c->n_diags; i++)
                if (strcmp(fpm_conf_diag_format(&c->diags[i], buf, sizeof(buf)), want) == 0)
                        return;
        dump_diags();
        ck_abort_msg("no diagnostic '%s'", want);
}

static void expect_diags(size_t n) {
        if (c->n_diags != n)
                dump_diags();
        ck_assert_uint_eq(c->n_diags, n);
}

static void expect_no_diags(void) {
        expect_diags(0);
}

/* text, and where it was set (file NULL, line 0: a default). */
static void value_is(const struct fpm_conf_value *v, const char *text, const char *file, int line, int at) {
        ck_assert_msg(v->text && strcmp(v->text, text) == 0, "line %d: text '%s', not '%s'", at,
                      v->text ? v->text : "(null)", text);
        ck_assert_msg(file ? v->file && strcmp(v->file, file) == 0 : !v->file, "line %d: file %s, not %s", at,
                      v->file ? v->file : "(null)", file ? file : "(null)");
        ck_assert_msg(v->line == line, "line %d: set at line %d, not %d", at, v->line, line);
}

#define ck_value(v, text, file, line) value_is((v), (text), (file), (line), __LINE__)

/* ---- the stock Debian 12 files ---- */

static const char DEB_MAIN[] = "/etc/php/8.2/fpm/php-fpm.conf";
static const char DEB_WWW[] = "/etc/php/8.2/fpm/pool.d/www.conf";

static char *data_path(const char *name) {
        const char *dir = getenv("TEST_DATA_DIR");
        char *p;
        ck_assert_int_ge(asprintf(&p, "%s/%s", dir ? dir : "tests/data", name), 0);
        return p;
}

START_TEST(test_debian12_stock) {
        char *root = data_path("php-debian12");
        c = fpm_conf_load(root, DEB_MAIN, NULL);
        free(root);
        ck_assert_ptr_nonnull(c);
        expect_no_diags();
        ck_assert_uint_eq(c->n_files, 2);
        ck_assert_str_eq(c->files[0], DEB_MAIN);
        ck_assert_str_eq(c->files[1], DEB_WWW);
        ck_value(&c->global[FPM_GLOBAL_PID], "/run/php/php8.2-fpm.pid", DEB_MAIN, 19);
        ck_value(&c->global[FPM_GLOBAL_ERROR_LOG], "/var/log/php8.2-fpm.log", DEB_MAIN, 26);
        ck_value(&c->global[FPM_GLOBAL_LOG_LEVEL], "notice", NULL, 0);
        ck_assert_int_eq(c->global[FPM_GLOBAL_LOG_LEVEL].number, LOG_NOTICE);
        ck_assert_uint_eq(c->n_includes, 1);
        ck_assert_str_eq(c->includes[0].pattern, "/etc/php/8.2/fpm/pool.d/*.conf");
        ck_assert_str_eq(c->includes[0].file, DEB_MAIN);
        ck_assert_int_eq(c->includes[0].line, 145);
        ck_assert_int_eq(c->includes[0].matched, 1);

        ck_assert_uint_eq(c->n_pools, 1);
        const struct fpm_conf_pool *p = pool("www");
        ck_assert_str_eq(p->file, DEB_WWW);
        ck_assert_int_eq(p->line, 4);
        ck_assert(p->has_address);
        ck_assert_int_eq(p->address.kind, ADDRESS_UNIX);
        ck_assert_str_eq(p->address.text, "unix:/run/php/php8.2-fpm.sock");
        ck_value(&p->v[FPM_POOL_LISTEN], "/run/php/php8.2-fpm.sock", DEB_WWW, 41);
        ck_value(&p->v[FPM_POOL_USER], "www-data", DEB_WWW, 28);
        ck_value(&p->v[FPM_POOL_GROUP], "www-data", DEB_WWW, 29);
        ck_value(&p->v[FPM_POOL_LISTEN_OWNER], "www-data", DEB_WWW, 53);
        ck_value(&p->v[FPM_POOL_LISTEN_GROUP], "www-data", DEB_WWW, 54);
        ck_value(&p->v[FPM_POOL_LISTEN_MODE], "0660", NULL, 0);
        ck_assert_int_eq(p->v[FPM_POOL_LISTEN_MODE].number, 0660);
        ck_value(&p->v[FPM_POOL_LISTEN_BACKLOG], "-1", NULL, 0);
        ck_value(&p->v[FPM_POOL_PM], "dynamic", DEB_WWW, 116);
        ck_assert_int_eq(p->v[FPM_POOL_PM].number, FPM_PM_DYNAMIC);
        ck_value(&p->v[FPM_POOL_PM_MAX_CHILDREN], "5", DEB_WWW, 127);
        ck_assert_int_eq(p->v[FPM_POOL_PM_MAX_CHILDREN].number, 5);
        ck_assert(p->v[FPM_POOL_PM_MAX_CHILDREN].ok);
        ck_value(&p->v[FPM_POOL_REQUEST_TERMINATE_TIMEOUT], "0", NULL, 0);
        ck_value(&p->v[FPM_POOL_CATCH_WORKERS_OUTPUT], "no", NULL, 0);
        ck_assert_int_eq(p->v[FPM_POOL_CATCH_WORKERS_OUTPUT].number, 0);
        /* commented out in the stock file: not set, no default */
        ck_assert_ptr_null(p->v[FPM_POOL_LISTEN_ACL_USERS].text);
        ck_assert_ptr_null(p->v[FPM_POOL_PING_PATH].text);
        ck_assert_ptr_null(p->v[FPM_POOL_SLOWLOG].text);
        ck_assert_ptr_null(p->v[FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT].text);
        ck_assert(!p->v[FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT].ok);
}
END_TEST

/* The same two files, read by the pure parser from memory. */
START_TEST(test_debian12_pure) {
        size_t n_main, n_www;
        char *main_text = fixture_read("php-debian12/etc/php/8.2/fpm/php-fpm.conf", &n_main);
        char *www_text = fixture_read("php-debian12/etc/php/8.2/fpm/pool.d/www.conf", &n_www);
        c = fpm_conf_new(NULL);
        fpm_conf_parse(c, DEB_MAIN, main_text, n_main);
        ck_assert_uint_eq(c->n_includes, 1);
        ck_assert_int_eq(c->includes[0].matched, -1);   /* no include callback: recorded only */
        fpm_conf_parse(c, DEB_WWW, www_text, n_www);
        fpm_conf_finish(c);
        expect_no_diags();
        ck_value(pv("www", FPM_POOL_PM_MAX_CHILDREN), "5", DEB_WWW, 127);
        free(main_text);
        free(www_text);
}
END_TEST

/* ---- the variants tree ---- */

#define VAR_MAIN "/etc/php/8.2/fpm/php-fpm.conf"
#define VAR_POOL(f) "/etc/php/8.2/fpm/pool.d/" f

static void load_variants(void) {
        char *root = data_path("fpm-variants");
        struct fpm_conf_options o = { .env = fpm_conf_envp, .env_ctx = environment };
        c = fpm_conf_load(root, VAR_MAIN, &o);
        free(root);
        ck_assert_ptr_nonnull(c);
}

START_TEST(test_variants_includes) {
        load_variants();
        /* glob(3) order, the directory z-dir.conf skipped */
        static const char *const files[] = { VAR_MAIN, VAR_POOL("a-stale.conf"), VAR_POOL("b-tcp.conf"),
                                             VAR_POOL("c-site.conf"), VAR_POOL("d-rhel.conf"),
                                             VAR_POOL("e-env.conf"), VAR_POOL("f-odd.conf"),
                                             VAR_POOL("g-garbage.conf") };
        ck_assert_uint_eq(c->n_files, 8);
        for (unsigned i = 0; i < 8; i++)
                ck_assert_str_eq(c->files[i], files[i]);
        ck_assert_uint_eq(c->n_includes, 3);
        ck_assert_int_eq(c->includes[0].matched, 7);
        ck_assert_str_eq(c->includes[1].pattern, "/etc/php/8.2/fpm/pool.d/nothere.conf");
        ck_assert_int_eq(c->includes[1].matched, 0);
        expect_diag(VAR_MAIN ":7: warning: include: nothing matches /etc/php/8.2/fpm/pool.d/nothere.conf "
                    "(php-fpm goes on)");
        expect_diag(VAR_MAIN ":8: error: include: cannot list /etc/php/8.2/fpm/missing.d/*.conf: a directory "
                    "is missing or unreadable (php-fpm refuses to start)");
        /* relative pid and error_log: under PHP_LOCALSTATEDIR; $HOME without braces stays */
        ck_value(&c->global[FPM_GLOBAL_PID], "/var/run/php-fpm.pid", VAR_MAIN, 3);
        ck_value(&c->global[FPM_GLOBAL_ERROR_LOG], "/var/log/$HOME-not-expanded.log", VAR_MAIN, 4);
        ck_value(&c->global[FPM_GLOBAL_LOG_LEVEL], "warning", VAR_MAIN, 5);
        ck_assert_int_eq(c->global[FPM_GLOBAL_LOG_LEVEL].number, LOG_WARNING);
        static const char *const pools[] = { "legacy", "tcp", "port", "v6", "site", "rhel", "env", "odd", "garbage" };
        ck_assert_uint_eq(c->n_pools, 9);
        for (unsigned i = 0; i < 9; i++)
                ck_assert_str_eq(c->pools[i].name, pools[i]);
}
END_TEST

START_TEST(test_variants_listen) {
        load_variants();
        ck_value(pv("legacy", FPM_POOL_LISTEN), "/run/php/php7.4-fpm.sock", VAR_POOL("a-stale.conf"), 4);
        ck_assert_str_eq(pool("legacy")->address.text, "unix:/run/php/php7.4-fpm.sock");
        ck_value(pv("tcp", FPM_POOL_LISTEN), "127.0.0.1:9000", VAR_POOL("b-tcp.conf"), 3);
        ck_assert_int_eq(pool("tcp")->address.kind, ADDRESS_INET);
        ck_assert_str_eq(pool("tcp")->address.text, "127.0.0.1:9000");
        ck_value(pv("port", FPM_POOL_LISTEN), "9001", VAR_POOL("b-tcp.conf"), 9);
        ck_assert_int_eq(pool("port")->address.kind, ADDRESS_ANY);
        ck_assert_str_eq(pool("port")->address.text, "*:9001");
        ck_value(pv("v6", FPM_POOL_LISTEN), "[::]:9002", VAR_POOL("b-tcp.conf"), 15);
        ck_assert_str_eq(pool("v6")->address.text, "*:9002");
        ck_assert_int_eq(pool("v6")->line, 13);
        /* $pool */
        ck_value(pv("site", FPM_POOL_LISTEN), "/run/php/site.sock", VAR_POOL("c-site.conf"), 4);
        ck_assert_str_eq(pool("site")->address.text, "unix:/run/php/site.sock");
        ck_value(pv("site", FPM_POOL_SLOWLOG), "/var/log/php-fpm/site.slow.log", VAR_POOL("c-site.conf"), 11);
        ck_value(pv("site", FPM_POOL_ACCESS_LOG), "/var/log/php-fpm/site.access.log", VAR_POOL("c-site.conf"), 12);
}
END_TEST

START_TEST(test_variants_values) {
        load_variants();
        const char *site = VAR_POOL("c-site.conf");
        ck_value(pv("site", FPM_POOL_LISTEN_ACL_USERS), "www-data", site, 5);
        ck_value(pv("site", FPM_POOL_LISTEN_MODE), "0660", site, 6);
        ck_value(pv("site", FPM_POOL_REQUEST_TERMINATE_TIMEOUT), "5m", site, 9);
        ck_assert_int_eq(pv("site", FPM_POOL_REQUEST_TERMINATE_TIMEOUT)->number, 300);
        ck_assert_int_eq(pv("site", FPM_POOL_REQUEST_SLOWLOG_TIMEOUT)->number, 30);
        ck_value(pv("site", FPM_POOL_CATCH_WORKERS_OUTPUT), "1", site, 13);    /* unquoted yes */
        ck_assert_int_eq(pv("site", FPM_POOL_CATCH_WORKERS_OUTPUT)->number, 1);
        ck_value(pv("site", FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT), "256M", site, 14);
        ck_assert_int_eq(pv("site", FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT)->number, 256LL << 20);
        ck_value(pv("site", FPM_POOL_PING_PATH), "/ping", site, 15);
        ck_value(pv("site", FPM_POOL_STATUS_PATH), "/status", site, 16);
        ck_value(pv("site", FPM_POOL_PM_MAX_CHILDREN), "20", site, 8);

        const char *rhel = VAR_POOL("d-rhel.conf");
        ck_value(pv("rhel", FPM_POOL_LISTEN_ACL_USERS), "apache,nginx", rhel, 6);
        struct span items[4];
        ck_assert_uint_eq(fpm_conf_list(pv("rhel", FPM_POOL_LISTEN_ACL_USERS), items, 4), 2);
        ck_assert_span_eq(items[0], "apache");
        ck_assert_span_eq(items[1], "nginx");
        ck_assert_uint_eq(fpm_conf_list(pv("rhel", FPM_POOL_LISTEN_ACL_GROUPS), items, 4), 0);
        ck_value(pv("rhel", FPM_POOL_USER), "apache", rhel, 3);

        const char *env = VAR_POOL("e-env.conf");
        ck_value(pv("env", FPM_POOL_USER), "web", env, 2);
        ck_value(pv("env", FPM_POOL_LISTEN), "/run/php/env.sock", env, 3);
        ck_value(pv("env", FPM_POOL_LISTEN_OWNER), "${NOT_EXPANDED}", env, 4);
        ck_value(pv("env", FPM_POOL_LISTEN_GROUP), "", env, 5);
        expect_diag(VAR_POOL("e-env.conf") ":5: warning: ${FPM_UNSET} is not set in the environment given: "
                    "php-fpm reads ''");
        ck_value(pv("env", FPM_POOL_PM_MAX_CHILDREN), "12", env, 7);
        ck_assert_int_eq(pv("env", FPM_POOL_PM_MAX_CHILDREN)->number, 12);
}
END_TEST

START_TEST(test_variants_odd) {
        load_variants();
        const char *odd = VAR_POOL("f-odd.conf");
        ck_assert_int_eq(pool("odd")->line, 2);
        ck_value(pv("odd", FPM_POOL_USER), "www data", odd, 3);
        ck_value(pv("odd", FPM_POOL_LISTEN), "/run/php/odd.sock", odd, 4);
        ck_value(pv("odd", FPM_POOL_LISTEN_OWNER), "o;dd", odd, 5);
        ck_value(pv("odd", FPM_POOL_LISTEN_GROUP), "a\"b\\c$d", odd, 6);
        ck_value(pv("odd", FPM_POOL_PM), "static", odd, 7);
        ck_value(pv("odd", FPM_POOL_PM_MAX_CHILDREN), "7", odd, 8);
        expect_diag(VAR_POOL("f-odd.conf") ":9: error: '# not a comment for php-fpm': '#' starts no comment for "
                    "php-fpm (only ';' does, since PHP 7): it refuses to start");
        ck_value(pv("odd", FPM_POOL_CATCH_WORKERS_OUTPUT), "yes", odd, 10);    /* quoted: as written */
        ck_assert_int_eq(pv("odd", FPM_POOL_CATCH_WORKERS_OUTPUT)->number, 1);
        ck_value(pv("odd", FPM_POOL_PHP_VALUE_MEMORY_LIMIT), "64M", odd, 11);
        expect_diag(VAR_POOL("f-odd.conf") ":12: error: 'PHP_ADMIN_VALUE[...]' is no array php-fpm knows (env, "
                    "php_value, php_flag, php_admin_value, php_admin_flag; in lower case): it refuses to start");
        ck_assert_ptr_null(pv("odd", FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT)->text);
        ck_value(pv("odd", FPM_POOL_LISTEN_MODE), "0640", odd, 13);    /* keys match in any case */
        ck_assert_int_eq(pv("odd", FPM_POOL_LISTEN_MODE)->number, 0640);

        const char *g = VAR_POOL("g-garbage.conf");
        expect_diag(VAR_POOL("g-garbage.conf") ":4: error: '\\x01\\x02\\xff\\xfe binary' is no 'key = value', "
                    "'[section]' or ';' comment: php-fpm refuses to start");
        ck_value(pv("garbage", FPM_POOL_PM_MAX_CHILDREN), "2", g, 6);  /* read on past the garbage */
        expect_diag(VAR_POOL("g-garbage.conf") ":7: warning: a NUL byte at byte 18: php-fpm reads the line only "
                    "up to it");
        ck_value(pv("garbage", FPM_POOL_LISTEN_OWNER), "ab", g, 7);
}
END_TEST

/* ---- listen ---- */

START_TEST(test_listen_forms) {
        static const struct { const char *listen, *address; enum address_kind kind; } cases[] = {
                { "/run/php/x.sock", "unix:/run/php/x.sock", ADDRESS_UNIX },
                { "127.0.0.1:9000", "127.0.0.1:9000", ADDRESS_INET },
                { "9000", "*:9000", ADDRESS_ANY },
                { "[::]:9000", "*:9000", ADDRESS_ANY },
                { "0.0.0.0:9000", "*:9000", ADDRESS_ANY },
                { "[::1]:9000", "[::1]:9000", ADDRESS_INET6 },
                { "localhost:9000", "127.0.0.1:9000", ADDRESS_INET },
                { "php.internal:9000", "php.internal:9000", ADDRESS_HOST },
                { "\"/run/php/$pool.sock\"", "unix:/run/php/www.sock", ADDRESS_UNIX },
                { "www.sock", "unix:/usr/www.sock", ADDRESS_UNIX },     /* relative: PHP_PREFIX */
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text), "[www]\nuser = u\npm = static\npm.max_children = 1\nlisten = %s\n",
                         cases[i].listen);
                parse(text);
                const struct fpm_conf_pool *p = pool("www");
                ck_assert_msg(p->has_address, "%s", cases[i].listen);
                ck_assert_str_eq(p->address.text, cases[i].address);
                ck_assert_int_eq(p->address.kind, cases[i].kind);
                ck_assert(p->v[FPM_POOL_LISTEN].ok);
                ck_assert_int_eq(p->v[FPM_POOL_LISTEN].line, 5);
                expect_no_diags();
        }
}
END_TEST

START_TEST(test_listen_bad) {
        parse("[www]\nuser = u\npm = static\npm.max_children = 1\nlisten = \n");
        ck_assert(!pool("www")->has_address);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:5: error: [www] has no listen address: php-fpm refuses to start");
        parse("[www]\nuser = u\npm = static\npm.max_children = 1\n");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: error: [www] has no listen address: php-fpm refuses to start");
        parse("[www]\nuser = u\npm = static\npm.max_children = 1\nlisten = unix:/run/php/x.sock\n");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:5: error: listen: 'unix:/run/php/x.sock': php-fpm takes 'unix:' "
                    "for a host name; write the socket's path alone");
        parse("[www]\nuser = u\npm = static\npm.max_children = 1\nlisten = 127.0.0.1:99999\n");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:5: error: listen: '127.0.0.1:99999' is no address php-fpm can "
                    "listen on (a path, a port, ip:port or [ip6]:port)");
        char text[512], want[512], path[120];
        memset(path, 'x', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = '\0';
        snprintf(text, sizeof(text), "[www]\nuser = u\npm = static\npm.max_children = 1\nlisten = %s\n", path);
        parse(text);
        snprintf(want, sizeof(want), "/etc/php/8.2/fpm/pool.d/t.conf:5: error: listen: '%.65s...' is longer than a "
                 "unix socket path may be (107 bytes)", path);
        expect_diag(want);
        /* the last listen wins, as in php-fpm */
        parse(POOL("listen = /run/php/second.sock\n"));
        ck_value(pv("www", FPM_POOL_LISTEN), "/run/php/second.sock", FILE_T, 6);
        expect_no_diags();
}
END_TEST

START_TEST(test_prefixes) {
        struct fpm_conf_options o = { .prefix = "/opt/fpm" };
        parse_with("[global]\nerror_log = log/fpm.log\npid = fpm.pid\ninclude = etc/*.conf\n"
                   POOL("slowlog = slow.log\n[other]\nprefix = /srv/$pool\nlisten = php.sock\naccess.log = a.log\n"
                        "user = u\npm = static\npm.max_children = 1\n"), &o);
        ck_value(&c->global[FPM_GLOBAL_ERROR_LOG], "/opt/fpm/log/fpm.log", FILE_T, 2);
        ck_value(&c->global[FPM_GLOBAL_PID], "/opt/fpm/fpm.pid", FILE_T, 3);
        ck_assert_str_eq(c->includes[0].pattern, "/opt/fpm/etc/*.conf");
        ck_value(pv("www", FPM_POOL_SLOWLOG), "/opt/fpm/slow.log", FILE_T, 10);
        ck_value(pv("other", FPM_POOL_PREFIX), "/srv/other", FILE_T, 12);
        ck_value(pv("other", FPM_POOL_LISTEN), "/srv/other/php.sock", FILE_T, 13);
        ck_assert_str_eq(pool("other")->address.text, "unix:/srv/other/php.sock");
        ck_value(pv("other", FPM_POOL_ACCESS_LOG), "/srv/other/a.log", FILE_T, 14);
        expect_no_diags();

        /* no -p: PHP_PREFIX for includes and pools, PHP_LOCALSTATEDIR for the globals */
        parse("include = etc/*.conf\n" POOL(""));
        ck_assert_str_eq(c->includes[0].pattern, "/usr/etc/*.conf");
        ck_value(&c->global[FPM_GLOBAL_ERROR_LOG], "/var/log/php-fpm.log", NULL, 0);
        ck_assert_ptr_null(c->global[FPM_GLOBAL_PID].text);
        parse("[global]\nerror_log = syslog\n" POOL(""));
        ck_value(&c->global[FPM_GLOBAL_ERROR_LOG], "syslog", FILE_T, 2);
}
END_TEST

/* The official image: /usr/local/etc/php-fpm.conf includes etc/php-fpm.d/<glob> under /usr/local. */
static void write_file(const char *dir, const char *name, const char *text) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

/* mkdir -p dir/sub */
static void make_dirs(const char *dir, const char *sub) {
        char path[512];
        int n = snprintf(path, sizeof(path), "%s/%s", dir, sub);
        for (int i = (int) strlen(dir) + 1; i <= n; i++)
                if (path[i] == '/' || path[i] == '\0') {
                        char was = path[i];
                        path[i] = '\0';
                        ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s", path);
                        path[i] = was;
                }
}

START_TEST(test_docker_layout) {
        char dir[128];
        fixture_newdir(dir);
        make_dirs(dir, "usr/local/etc/php-fpm.d");
        write_file(dir, "usr/local/etc/php-fpm.conf", "[global]\ninclude=etc/php-fpm.d/*.conf\n");
        write_file(dir, "usr/local/etc/php-fpm.d/zz-docker.conf",
                   "[global]\ndaemonize = no\nerror_log = /proc/self/fd/2\n\n[www]\nlisten = 9000\n");
        write_file(dir, "usr/local/etc/php-fpm.d/www.conf",
                   "[www]\nuser = www-data\ngroup = www-data\nlisten = 127.0.0.1:9000\npm = dynamic\n"
                   "pm.max_children = 5\n");
        c = fpm_conf_load(dir, "/usr/local/etc/php-fpm.conf", NULL);
        expect_no_diags();
        ck_assert_str_eq(c->includes[0].pattern, "/usr/local/etc/php-fpm.d/*.conf");
        ck_assert_uint_eq(c->n_pools, 1);
        /* www.conf first, zz-docker.conf after it: its listen = 9000 wins */
        ck_value(pv("www", FPM_POOL_LISTEN), "9000", "/usr/local/etc/php-fpm.d/zz-docker.conf", 6);
        ck_assert_str_eq(pool("www")->address.text, "*:9000");
        ck_value(&c->global[FPM_GLOBAL_ERROR_LOG], "/proc/self/fd/2", "/usr/local/etc/php-fpm.d/zz-docker.conf", 3);
}
END_TEST

/* ---- values ---- */

START_TEST(test_envp) {
        char *envp[] = { "A=1", "AB=2", "B=", NULL };
        ck_assert_str_eq(fpm_conf_envp(envp, "A"), "1");
        ck_assert_str_eq(fpm_conf_envp(envp, "AB"), "2");
        ck_assert_str_eq(fpm_conf_envp(envp, "B"), "");
        ck_assert_ptr_null(fpm_conf_envp(envp, "C"));
        ck_assert_ptr_null(fpm_conf_envp(NULL, "A"));
}
END_TEST

START_TEST(test_env) {
        parse("[www]\nuser = ${FPM_USER}\npm = static\npm.max_children = ${ FPM_CHILDREN }\n"
              "listen = \"${FPM_RUN}/$pool.sock\"\nlisten.owner = '${FPM_USER}'\n"
              "listen.group = x${EMPTY}y\nslowlog = /log/${NOPE:-fallback}.log\n"
              "access.log = /log/${NOPE}.log\n");
        ck_value(pv("www", FPM_POOL_USER), "web", FILE_T, 2);
        ck_assert_int_eq(pv("www", FPM_POOL_PM_MAX_CHILDREN)->number, 12);
        ck_value(pv("www", FPM_POOL_LISTEN), "/run/php/www.sock", FILE_T, 5);
        ck_value(pv("www", FPM_POOL_LISTEN_OWNER), "${FPM_USER}", FILE_T, 6);
        ck_value(pv("www", FPM_POOL_LISTEN_GROUP), "xy", FILE_T, 7);
        ck_value(pv("www", FPM_POOL_SLOWLOG), "/log/fallback.log", FILE_T, 8);
        ck_value(pv("www", FPM_POOL_ACCESS_LOG), "/log/.log", FILE_T, 9);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:9: warning: ${NOPE} is not set in the environment given: "
                    "php-fpm reads ''");
        expect_diags(1);
        /* a value that named an unset variable says which, and how it was written */
        ck_assert_str_eq(pv("www", FPM_POOL_ACCESS_LOG)->unset_var, "NOPE");
        ck_assert_str_eq(pv("www", FPM_POOL_ACCESS_LOG)->written, "/log/${NOPE}.log");
        ck_assert_ptr_null(pv("www", FPM_POOL_SLOWLOG)->unset_var);     /* the fallback covers it */
        ck_assert_ptr_null(pv("www", FPM_POOL_LISTEN)->unset_var);
        ck_assert_ptr_null(pv("www", FPM_POOL_LISTEN_GROUP)->unset_var); /* set, if empty */
        ck_assert_ptr_null(pv("www", FPM_POOL_LISTEN)->written);
        parse("[www]\nuser = web\npm = static\npm.max_children = 1\nlisten = ${SOCKDIR}/www.sock ; the socket\n"
              "listen.owner = \"${A}${B}\"\n");
        ck_value(pv("www", FPM_POOL_LISTEN), "/www.sock", FILE_T, 5);
        ck_assert_str_eq(pv("www", FPM_POOL_LISTEN)->unset_var, "SOCKDIR");
        ck_assert_str_eq(pv("www", FPM_POOL_LISTEN)->written, "${SOCKDIR}/www.sock");
        ck_assert_str_eq(pv("www", FPM_POOL_LISTEN_OWNER)->unset_var, "A");     /* the first one */
        ck_assert_str_eq(pv("www", FPM_POOL_LISTEN_OWNER)->written, "\"${A}${B}\"");
        /* a relative listen under a prefix that names an unset variable */
        parse("[www]\nuser = web\npm = static\npm.max_children = 1\nprefix = ${HOME_DIR}\nlisten = www.sock\n");
        ck_assert_str_eq(pv("www", FPM_POOL_LISTEN)->unset_var, "HOME_DIR");
        ck_assert_str_eq(pv("www", FPM_POOL_LISTEN)->written, "www.sock");
        /* without an environment every variable is unset */
        parse_with("[www]\nuser = ${FPM_USER}\n", NULL);
        ck_value(pv("www", FPM_POOL_USER), "", FILE_T, 2);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:2: warning: ${FPM_USER} is not set in the environment given: "
                    "php-fpm reads ''");
        parse(POOL("listen.owner = ${FPM_USER\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: '${' without a closing '}': php-fpm refuses to start");
        parse(POOL("listen.owner = ${}\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: '${}': no variable name: php-fpm refuses to start");
}
END_TEST

START_TEST(test_quotes_and_comments) {
        parse("; a comment\n  ; an indented one\n[www] ; after the section\n"
              "user = \"www data\" ; a quoted blank\n"
              "group = a \"b\" c\n"
              "listen.owner = a 'b' c\n"
              "listen.group = \"C:\\dir\\\"\n"
              "listen = /run/php/a.sock;comment without a blank\n"
              "slowlog = \"/log/a;b.log\"\n"
              "access.log = '/log/$pool\"x'\n"
              "pm = \tstatic\t\n"
              "pm.max_children = 3 ; trailing blanks and a comment\n"
              "ping.path = /o'k\n");
        ck_value(pv("www", FPM_POOL_USER), "www data", FILE_T, 4);
        ck_value(pv("www", FPM_POOL_GROUP), "abc", FILE_T, 5);          /* blanks around "…" go */
        ck_value(pv("www", FPM_POOL_LISTEN_OWNER), "a b c", FILE_T, 6);  /* around '…' they stay */
        ck_value(pv("www", FPM_POOL_LISTEN_GROUP), "C:\\dir\\", FILE_T, 7);
        ck_value(pv("www", FPM_POOL_LISTEN), "/run/php/a.sock", FILE_T, 8);
        ck_value(pv("www", FPM_POOL_SLOWLOG), "/log/a;b.log", FILE_T, 9);
        ck_value(pv("www", FPM_POOL_ACCESS_LOG), "/log/www\"x", FILE_T, 10);   /* $pool even in '…' */
        ck_value(pv("www", FPM_POOL_PM), "static", FILE_T, 11);
        ck_value(pv("www", FPM_POOL_PM_MAX_CHILDREN), "3", FILE_T, 12);
        ck_value(pv("www", FPM_POOL_PING_PATH), "/o", FILE_T, 13);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:13: warning: a \"'\" without its closing \"'\": php-fpm reads the "
                    "value only up to it");
        expect_diags(1);

        parse(POOL("listen.owner = \"never closed\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: a '\"' without its closing '\"': php-fpm refuses to start");
        parse(POOL("listen.owner = a=b\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: a second '=' in the line: php-fpm refuses to start "
                    "(quote the value)");
        ck_assert_ptr_null(pv("www", FPM_POOL_LISTEN_OWNER)->text);
        parse(POOL("listen.owner = a|b\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: '|' is an INI operator: php computes a number from the "
                    "value (quote the value); not read here");
        parse(POOL("listen.owner = /a~b\nenv[X] = a(b)\nphp_value[error_reporting] = E_ALL & ~(E_NOTICE | E_STRICT)\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: '~': php's INI grammar cannot read the operators in "
                    "this value: php-fpm refuses to start (quote the value)");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:7: error: '(': php's INI grammar cannot read the operators in "
                    "this value: php-fpm refuses to start (quote the value)");
        expect_diags(2);
        parse(POOL("# listen.owner = x\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: '# listen.owner = x': '#' starts no comment for php-fpm "
                    "(only ';' does, since PHP 7): it refuses to start");
        ck_assert_ptr_null(pv("www", FPM_POOL_LISTEN_OWNER)->text);
        parse(POOL("[broken\nuser = x\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: no closing ']': php-fpm refuses to start");
        parse(POOL("[www] junk\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: 'junk' after [www]: php-fpm refuses to start");
        parse(POOL("just words\n= value\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: 'just words' is no 'key = value', '[section]' or ';' "
                    "comment: php-fpm refuses to start");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:7: error: no key before '=': php-fpm refuses to start");
        /* unknown keys: neither kept nor reported, even with odd values */
        parse(POOL("pm.start_servers = 2\nphp_admin_value[error_reporting] = E_ALL & ~E_DEPRECATED\n"
                   "env[PATH] = ${NOT_SET_ANYWHERE}\nsecurity.limit_extensions = .php\n"));
        expect_no_diags();
}
END_TEST

START_TEST(test_booleans) {
        static const struct { const char *text; int value; } cases[] = {
                { "yes", 1 }, { "On", 1 }, { "TRUE", 1 }, { "1", 1 }, { "\"yes\"", 1 }, { "'true'", 1 },
                { "no", 0 }, { "off", 0 }, { "none", 0 }, { "null", 0 }, { "0", 0 }, { "\"\"", 0 }, { "", 0 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text), POOL("catch_workers_output = %s\n"), cases[i].text);
                parse(text);
                ck_assert_msg(pv("www", FPM_POOL_CATCH_WORKERS_OUTPUT)->ok, "%s", cases[i].text);
                ck_assert_int_eq(pv("www", FPM_POOL_CATCH_WORKERS_OUTPUT)->number, cases[i].value);
                expect_no_diags();
        }
        static const char *const bad[] = { "maybe", "\"Yes\"", "2", "\"null\"" };
        for (unsigned i = 0; i < 4; i++) {
                char text[256];
                snprintf(text, sizeof(text), POOL("catch_workers_output = %s\n"), bad[i]);
                parse(text);
                ck_assert_msg(!pv("www", FPM_POOL_CATCH_WORKERS_OUTPUT)->ok, "%s", bad[i]);
                expect_diags(1);
                ck_assert_int_eq(c->diags[0].severity, FPM_CONF_ERROR);
        }
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: catch_workers_output: 'null' is not a boolean (yes or "
                    "no): php-fpm refuses to start");
}
END_TEST

START_TEST(test_bad_values) {
        parse(POOL("pm.max_children = many\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: pm.max_children: 'many' is not a whole number: php-fpm "
                    "refuses to start");
        ck_value(pv("www", FPM_POOL_PM_MAX_CHILDREN), "many", FILE_T, 6);
        ck_assert(!pv("www", FPM_POOL_PM_MAX_CHILDREN)->ok);

        parse(POOL("listen.mode = 0999\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: listen.mode: '0999' is not an octal mode: php-fpm "
                    "reads 0000");
        ck_assert_int_eq(pv("www", FPM_POOL_LISTEN_MODE)->number, 0);
        parse(POOL("listen.mode = 666\n"));
        ck_assert_int_eq(pv("www", FPM_POOL_LISTEN_MODE)->number, 0666);
        parse(POOL("listen.mode = \n"));
        ck_assert_int_eq(pv("www", FPM_POOL_LISTEN_MODE)->number, 0660);
        expect_no_diags();

        parse(POOL("pm = lazy\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: pm: 'lazy' is not a process manager (static, dynamic or "
                    "ondemand): php-fpm refuses to start");
        parse(POOL("pm = OnDemand\n"));
        ck_assert_int_eq(pv("www", FPM_POOL_PM)->number, FPM_PM_ONDEMAND);
        parse("[global]\nlog_level = verbose\n" POOL(""));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:2: error: log_level: 'verbose' is not a level (debug, notice, "
                    "warning, error, alert): php-fpm refuses to start");
        parse("[global]\nlog_level = WARN\n" POOL(""));
        ck_assert_int_eq(c->global[FPM_GLOBAL_LOG_LEVEL].number, LOG_WARNING);
        parse(POOL("listen.backlog = 4096\n"));
        ck_assert_int_eq(pv("www", FPM_POOL_LISTEN_BACKLOG)->number, 4096);
        parse(POOL("listen.backlog = 99999999999\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: listen.backlog: '99999999999' is out of php-fpm's "
                    "range (an int)");
}
END_TEST

START_TEST(test_times) {
        static const struct { const char *text; long long seconds; } cases[] = {
                { "30", 30 }, { "30s", 30 }, { "5m", 300 }, { "1h", 3600 }, { "1d", 86400 }, { "0", 0 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text), POOL("request_terminate_timeout = %s\n"), cases[i].text);
                parse(text);
                ck_assert(pv("www", FPM_POOL_REQUEST_TERMINATE_TIMEOUT)->ok);
                ck_assert_int_eq(pv("www", FPM_POOL_REQUEST_TERMINATE_TIMEOUT)->number, cases[i].seconds);
                expect_no_diags();
        }
        parse(POOL("request_terminate_timeout = 5x\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: request_terminate_timeout: '5x' is not a time (30, 30s, "
                    "5m, 1h, 1d): php-fpm refuses to start");
        parse(POOL("request_terminate_timeout = \"\"\n"));
        ck_assert(!pv("www", FPM_POOL_REQUEST_TERMINATE_TIMEOUT)->ok);
        parse(POOL("request_terminate_timeout = 1.5m\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: request_terminate_timeout: '1.5m' is not a whole "
                    "number and a unit: php-fpm reads 60 seconds");
        ck_assert_int_eq(pv("www", FPM_POOL_REQUEST_TERMINATE_TIMEOUT)->number, 60);
        parse(POOL("request_slowlog_timeout = 5s\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: [www]: request_slowlog_timeout needs slowlog: php-fpm "
                    "refuses to start");
}
END_TEST

START_TEST(test_memory_limit) {
        parse(POOL("php_admin_value[memory_limit] = 256M\n"));
        ck_value(pv("www", FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT), "256M", FILE_T, 6);
        ck_assert_int_eq(pv("www", FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT)->number, 256LL << 20);
        expect_no_diags();
        static const struct { const char *text; long long bytes; } cases[] = {
                { "128M", 128LL << 20 }, { "1G", 1LL << 30 }, { "512k", 512LL << 10 }, { "-1", -1 },
                { "1048576", 1048576 }, { " 64 M ", 64LL << 20 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text), POOL("php_value[memory_limit] = \"%s\"\n"), cases[i].text);
                parse(text);
                ck_assert_msg(pv("www", FPM_POOL_PHP_VALUE_MEMORY_LIMIT)->ok, "%s", cases[i].text);
                ck_assert_int_eq(pv("www", FPM_POOL_PHP_VALUE_MEMORY_LIMIT)->number, cases[i].bytes);
        }
        parse(POOL("php_admin_value[memory_limit] = 128MB\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: php_admin_value[memory_limit]: '128MB' is not a PHP "
                    "size (digits and one of K, M, G; -1 for no limit)");
        /* the first one wins (fpm_conf_set_array prepends; checked against php-fpm 8.2) */
        parse(POOL("php_admin_value[memory_limit] = 64M\n[www]\nphp_admin_value[memory_limit] = 96M\n"));
        ck_value(pv("www", FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT), "64M", FILE_T, 6);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:8: warning: php_admin_value[memory_limit] is set again: php-fpm "
                    "keeps the first one, '64M' from /etc/php/8.2/fpm/pool.d/t.conf:6");
        parse("[global]\nphp_admin_value[memory_limit] = 64M\n" POOL(""));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:2: error: php_admin_value[memory_limit]: arrays are not allowed "
                    "in [global]: php-fpm refuses to start");
}
END_TEST

START_TEST(test_acl_lists) {
        parse(POOL("listen.acl_users = apache, nginx\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: listen.acl_users: 'apache, nginx' has a blank around a "
                    "name: php-fpm looks the name up with it and refuses to start");
        parse(POOL("listen.acl_groups = www-data,\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: listen.acl_groups: an empty name in 'www-data,': php-fpm "
                    "looks up '' and refuses to start");
        parse(POOL("listen.owner = www-data\nlisten.acl_users = www-data\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: listen.owner is ignored: listen.acl_users or "
                    "listen.acl_groups is set (php-fpm says so at start)");
        struct span items[2];
        parse(POOL("listen.acl_users = a,b,c\n"));
        ck_assert_uint_eq(fpm_conf_list(pv("www", FPM_POOL_LISTEN_ACL_USERS), items, 2), 3);
        ck_assert_span_eq(items[1], "b");
}
END_TEST

/* ---- sections ---- */

START_TEST(test_sections) {
        parse("pid = /run/a.pid\n" POOL("[other]\nuser = o\npm = static\npm.max_children = 1\nlisten = 9000\n"
              "[WWW]\nlisten.owner = reopened\n[GLOBAL]\nlog_level = debug\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: warning: 'pid' comes before any [section]: php-fpm reads it as "
                    "part of [global]");
        ck_value(&c->global[FPM_GLOBAL_PID], "/run/a.pid", FILE_T, 1);
        ck_assert_uint_eq(c->n_pools, 2);
        ck_value(pv("www", FPM_POOL_LISTEN_OWNER), "reopened", FILE_T, 13);
        ck_assert_int_eq(pool("www")->line, 2);
        ck_assert_int_eq(c->global[FPM_GLOBAL_LOG_LEVEL].number, LOG_DEBUG);
        expect_diags(1);

        parse("listen = /run/php/x.sock\n" POOL(""));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: error: 'listen' comes before any [section]: php-fpm reads it as "
                    "part of [global], where it is no key, and refuses to start");
        parse("[global]\nlisten = /run/php/x.sock\n" POOL("pid = /run/x.pid\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:2: error: 'listen' belongs in a pool's section: in [global] php-fpm "
                    "refuses to start (unknown entry)");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:8: error: 'pid' belongs in [global]: in a pool's section php-fpm "
                    "refuses to start (unknown entry)");
        parse("[global]\nerror_log = /log/$pool.log\n" POOL(""));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:2: error: error_log: '$pool' outside a pool: php-fpm refuses to start");
        parse("[ sp ]\nuser = u\npm = static\npm.max_children = 1\nlisten = /run/$pool.sock\n");
        ck_value(pv(" sp ", FPM_POOL_LISTEN), "/run/ sp .sock", FILE_T, 5);   /* as php-fpm: blanks kept */
}
END_TEST

START_TEST(test_required) {
        parse("[www]\nlisten = /run/php/www.sock\n");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: error: [www] has no user: php-fpm started as root refuses to start");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: error: [www] has no pm (static, dynamic or ondemand): php-fpm "
                    "refuses to start");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: error: [www]: pm.max_children must be a positive number: "
                    "php-fpm refuses to start");
        ck_assert_ptr_null(pv("www", FPM_POOL_PM_MAX_CHILDREN)->text);   /* no default: absent */
        expect_diags(3);
        parse(POOL("pm.max_children = 0\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: [www]: pm.max_children must be a positive number: "
                    "php-fpm refuses to start");
        parse(POOL("ping.path = ping\npm.status_path = /st atus\n"));
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: error: ping.path: 'ping' must start with '/' and hold only "
                    "letters, digits and /_-.~: php-fpm refuses to start");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:7: error: pm.status_path: '/st atus' must start with '/' and hold "
                    "only letters, digits and /_-.~: php-fpm refuses to start");
        parse("; nothing but a comment\n");
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf: error: no pool section: php-fpm refuses to start");
}
END_TEST

/* ---- hostile input ---- */

START_TEST(test_long_line) {
        size_t big = 1 << 20;
        const char *head = POOL("; a 1 MiB comment follows\n"), *tail = "\nlisten.owner = after\n";
        char *text = malloc(strlen(head) + big + strlen(tail) + 1);
        strcpy(text, head);
        memset(text + strlen(head), 'x', big);
        text[strlen(head)] = ';';
        strcpy(text + strlen(head) + big, tail);
        parse(text);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:7: warning: a line of 1048576 bytes, over the 65536 read here: "
                    "skipped whole");
        ck_value(pv("www", FPM_POOL_LISTEN_OWNER), "after", FILE_T, 8);
        expect_diags(1);
        /* a value over FPM_CONF_VALUE_MAX is not kept; one just under is */
        memset(text, 'a', 5000);
        sprintf(text, POOL("slowlog = /"));
        size_t n = strlen(text);
        memset(text + n, 'a', FPM_CONF_VALUE_MAX);
        strcpy(text + n + FPM_CONF_VALUE_MAX, "\n");
        parse(text);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: a value over 4096 bytes: not kept");
        ck_assert_ptr_null(pv("www", FPM_POOL_SLOWLOG)->text);
        strcpy(text + n + FPM_CONF_VALUE_MAX - 1, "\n");
        parse(text);
        ck_assert_uint_eq(strlen(pv("www", FPM_POOL_SLOWLOG)->text), FPM_CONF_VALUE_MAX);
        free(text);
}
END_TEST

START_TEST(test_bytes) {
        /* CRLF, a byte-order mark (php's INI scanner skips it), control bytes in a value */
        parse("\xef\xbb\xbf[www]\r\nuser = www-data\r\npm = static\r\npm.max_children = 5\r\nlisten = /run/a.sock\r\n"
              "listen.owner = a\x01" "b\n");
        ck_value(pv("www", FPM_POOL_LISTEN), "/run/a.sock", FILE_T, 5);
        ck_assert_int_eq(pool("www")->line, 1);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: listen.owner: a control byte (0x01) in the value");
        expect_diags(1);
        static const char nul[] = POOL("listen.owner = x\0y\npm.max_children = 9\n");
        c = fpm_conf_free(c);
        c = fpm_conf_new(NULL);
        fpm_conf_parse(c, FILE_T, nul, sizeof(nul) - 1);
        fpm_conf_finish(c);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:6: warning: a NUL byte at byte 17: php-fpm reads the line only up to it");
        ck_value(pv("www", FPM_POOL_LISTEN_OWNER), "x", FILE_T, 6);
        ck_value(pv("www", FPM_POOL_PM_MAX_CHILDREN), "9", FILE_T, 7);
}
END_TEST

START_TEST(test_caps) {
        /* pools past FPM_CONF_POOLS_MAX: one diagnostic, their keys go nowhere */
        size_t size = (FPM_CONF_POOLS_MAX + 2) * 64;
        char *text = malloc(size), *p = text;
        for (int i = 0; i < FPM_CONF_POOLS_MAX + 2; i++)
                p += sprintf(p, "[p%d]\nuser = u\n", i);
        parse(text);
        ck_assert_uint_eq(c->n_pools, FPM_CONF_POOLS_MAX);
        char want[256];
        snprintf(want, sizeof(want), "/etc/php/8.2/fpm/pool.d/t.conf:%d: warning: more than %d pools: [p%d] and the "
                 "pools after it are not kept", 2 * FPM_CONF_POOLS_MAX + 1, FPM_CONF_POOLS_MAX, FPM_CONF_POOLS_MAX);
        expect_diag(want);
        /* diagnostics past FPM_CONF_DIAGS_MAX are counted */
        ck_assert_uint_eq(c->n_diags, FPM_CONF_DIAGS_MAX);
        ck_assert_uint_gt(c->n_diags_dropped, 0);
        /* a pool name over FPM_CONF_NAME_MAX */
        memset(text, 'n', 400);
        text[0] = '[';
        strcpy(text + 300, "]\nuser = u\n");
        parse(text);
        ck_assert_uint_eq(c->n_pools, 0);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: warning: a pool name over 255 bytes: not kept");
        free(text);
}
END_TEST

/* Each include= reads *ctx files holding one pool each. */
static int include_n(void *ctx, struct fpm_conf *conf, const char *pattern, const char *file, int line) {
        static const char text[] = "[www]\nuser = u\n";
        int n = *(int *) ctx;
        for (int i = 0; i < n; i++)
                fpm_conf_parse(conf, i % 2 ? "/b.conf" : "/a.conf", text, sizeof(text) - 1);
        return n;
}

START_TEST(test_caps_files_and_text) {
        /* include= lines past FPM_CONF_INCLUDES_MAX are followed, not recorded */
        int n = 0;
        struct fpm_conf_options o = { .include = include_n, .include_ctx = &n };
        char *many = malloc(300 * 16 + 1), *m = many;
        for (int i = 0; i < 300; i++)
                m += sprintf(m, "include = /%03d\n", i);
        parse_with(many, &o);
        free(many);
        ck_assert_uint_eq(c->n_includes, FPM_CONF_INCLUDES_MAX);
        ck_assert_str_eq(c->includes[255].pattern, "/255");
        ck_assert_int_eq(c->includes[255].matched, 0);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:257: warning: more than 256 include= lines: the rest are followed, "
                    "not recorded");
        /* past FPM_CONF_FILES_MAX reads */
        n = FPM_CONF_FILES_MAX + 10;
        o.include = include_n;
        fpm_conf_free(c);
        c = fpm_conf_new(&o);
        fpm_conf_parse(c, FILE_T, "include = /x", 12);
        expect_diag("/etc/php/8.2/fpm/pool.d/t.conf:1: warning: more than 1024 files: /b.conf and the files after it "
                    "are not read");

        /* stored text past FPM_CONF_TEXT_MAX: one diagnostic, the rest not kept */
        size_t value = 4000, lines = FPM_CONF_TEXT_MAX / value + 64, size = lines * (value + 16) + 64;
        char *text = malloc(size), *p = text;
        p += sprintf(p, "[www]\n");
        for (size_t i = 0; i < lines; i++) {
                p += sprintf(p, "slowlog = /");
                memset(p, 's', value);
                p += value;
                *p++ = '\n';
        }
        *p = '\0';
        parse(text);
        free(text);
        char want[256];
        snprintf(want, sizeof(want), "/etc/php/8.2/fpm/pool.d/t.conf:%zu: warning: over %d bytes of values: the rest "
                 "are not kept", (size_t) FPM_CONF_TEXT_MAX / (value + 1 + FPM_CONF_TEXT_OVERHEAD) + 2,
                 FPM_CONF_TEXT_MAX);
        expect_diag(want);
        ck_assert_uint_eq(strlen(pv("www", FPM_POOL_SLOWLOG)->text), value + 1);
}
END_TEST

/* ---- the loader: files, globs, depth ---- */

START_TEST(test_load_depth_and_cycles) {
        char dir[128], main_path[256];
        fixture_newdir(dir);
        /* a file that includes itself: php-fpm stops at 5 files deep and refuses to start */
        snprintf(main_path, sizeof(main_path), "%s/self.conf", dir);
        char text[512];
        snprintf(text, sizeof(text), "[global]\ninclude = %s\n" POOL(""), main_path);
        write_file(dir, "self.conf", text);
        c = fpm_conf_load(NULL, main_path, NULL);
        char want[1024];
        snprintf(want, sizeof(want), "%s:2: error: %s: more than 5 files deep: not read (php-fpm refuses to start)",
                 main_path, main_path);
        expect_diag(want);
        ck_assert_uint_eq(c->n_files, 1);
        ck_assert_uint_eq(c->n_pools, 1);
        expect_diags(1);
}
END_TEST

START_TEST(test_load_files) {
        char dir[128], path[512], want[1024];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/d", dir);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof(path), "%s/fifo.conf", dir);
        ck_assert_int_eq(mkfifo(path, 0644), 0);
        write_file(dir, "d/10.conf", "[b]\nuser = u\n");
        write_file(dir, "d/9.conf", "[a]\nuser = u\npm.max_children = 9\n");
        write_file(dir, "d/C.conf", "pm.max_children = 3\n");      /* before any section: [a]'s */
        write_file(dir, "main.conf", "[global]\ninclude = /d/*.conf\ninclude = /fifo.conf\n"
                   "include = /d/../d/10.conf\n[a]\nlisten = 9000\n");
        c = fpm_conf_load(dir, "/main.conf", NULL);
        /* glob(3)'s order: "10" < "9" < "C" */
        ck_assert_uint_eq(c->n_files, 5);
        ck_assert_str_eq(c->files[4], "/d/../d/10.conf");      /* as glob(3) gives it */
        ck_assert_str_eq(c->files[1], "/d/10.conf");
        ck_assert_str_eq(c->files[2], "/d/9.conf");
        ck_assert_str_eq(c->files[3], "/d/C.conf");
        expect_diag("/d/C.conf:1: warning: 'pm.max_children' comes before any [section] in this file: php-fpm reads "
                    "it as part of [a], the section open at the include in /main.conf:2");
        ck_value(pv("a", FPM_POOL_PM_MAX_CHILDREN), "3", "/d/C.conf", 1);
        expect_diag("/main.conf:3: error: cannot read /fifo.conf: not a regular file (php-fpm refuses to start)");
        ck_assert_int_eq(c->includes[2].matched, 1);
        ck_value(pv("a", FPM_POOL_LISTEN), "9000", "/main.conf", 6);

        c = fpm_conf_free(c);
        c = fpm_conf_load(dir, "/nothere.conf", NULL);
        expect_diag("/nothere.conf: error: cannot read it: No such file or directory");
        expect_diags(1);      /* nothing read: no word on pools */
        ck_assert_uint_eq(c->n_files, 0);

        /* over FPM_CONF_FILE_SIZE_MAX */
        c = fpm_conf_free(c);
        write_file(dir, "big.conf", "");
        snprintf(path, sizeof(path), "%s/big.conf", dir);
        ck_assert_int_eq(truncate(path, FPM_CONF_FILE_SIZE_MAX + 1), 0);
        write_file(dir, "m2.conf", "include = /big.conf\n");
        c = fpm_conf_load(dir, "/m2.conf", NULL);
        snprintf(want, sizeof(want), "/m2.conf:1: error: cannot read /big.conf: over the 4 MiB read of a "
                 "configuration file (php-fpm refuses to start)");
        expect_diag(want);
}
END_TEST

static void link_at(const char *dir, const char *name, const char *target) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        ck_assert_int_eq(symlink(target, path), 0);
}

#define NAMED(name) "[" name "]\nuser = u\npm = static\npm.max_children = 1\nlisten = /run/" name ".sock\n"

/* Nothing outside the root is read: not through "..", not through a symlink; symlinks inside it,
 * absolute or relative, to files or directories, resolve there, as for nginx in test_nginx_conf.
 * (Before under_root.c, "/.." and an absolute symlink led out of the root.) */
START_TEST(test_load_stays_in_root) {
        char dir[128], root[160], outside[200];
        fixture_newdir(dir);
        snprintf(root, sizeof(root), "%s/root", dir);
        snprintf(outside, sizeof(outside), "%s/outside.conf", dir);
        write_file(dir, "outside.conf", NAMED("outside"));
        make_dirs(dir, "root/etc/php/8.2/fpm/real");
        make_dirs(root, "etc/php/8.2/fpm/pool.d");
        write_file(root, "etc/php/8.2/fpm/php-fpm.conf", "[global]\n"
                   "include = /../outside.conf\n"
                   "include = /etc/php/8.2/fpm/up.conf\n"
                   "include = /etc/php/8.2/fpm/host.conf\n"
                   "include = /etc/php/8.2/fpm/abs.conf\n"
                   "include = /etc/php/8.2/fpm/linked/*.conf\n"
                   "include = /etc/php/8.2/fpm/linked/../../../../../../../etc/php/8.2/fpm/real/dot.conf\n");
        link_at(root, "etc/php/8.2/fpm/up.conf", "../../../../../outside.conf");
        link_at(root, "etc/php/8.2/fpm/host.conf", outside);
        link_at(root, "etc/php/8.2/fpm/abs.conf", "/etc/php/8.2/fpm/real/abs.conf");
        link_at(root, "etc/php/8.2/fpm/linked", "/etc/php/8.2/fpm/pool.d");
        write_file(root, "etc/php/8.2/fpm/real/abs.conf", NAMED("abs"));
        write_file(root, "etc/php/8.2/fpm/real/dot.conf", NAMED("dot"));
        write_file(root, "etc/php/8.2/fpm/pool.d/www.conf", NAMED("www"));
        c = fpm_conf_load(root, DEB_MAIN, NULL);
        ck_assert_ptr_null(fpm_conf_find_pool(c, "outside"));
        /* the symlinks exist, so glob(3) lists them; what they name under the root does not */
        expect_diag("/etc/php/8.2/fpm/php-fpm.conf:2: warning: include: nothing matches /../outside.conf (php-fpm "
                    "goes on)");
        expect_diag("/etc/php/8.2/fpm/php-fpm.conf:3: error: cannot read /etc/php/8.2/fpm/up.conf: No such file or "
                    "directory (php-fpm refuses to start)");
        expect_diag("/etc/php/8.2/fpm/php-fpm.conf:4: error: cannot read /etc/php/8.2/fpm/host.conf: No such file or "
                    "directory (php-fpm refuses to start)");
        expect_diags(3);
        ck_assert_uint_eq(c->n_pools, 3);
        ck_value(pv("abs", FPM_POOL_LISTEN), "/run/abs.sock", "/etc/php/8.2/fpm/abs.conf", 5);
        ck_value(pv("www", FPM_POOL_LISTEN), "/run/www.sock", "/etc/php/8.2/fpm/linked/www.conf", 5);
        ck_value(pv("dot", FPM_POOL_LISTEN), "/run/dot.sock",
                 "/etc/php/8.2/fpm/linked/../../../../../../../etc/php/8.2/fpm/real/dot.conf", 5);
}
END_TEST

Suite *fpm_conf_suite(void);
Suite *fpm_conf_suite(void) {
        Suite *s = suite_create("fpm_conf");
        TCase *t = tcase_create("fpm_conf");
        tcase_add_unchecked_fixture(t, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(t, NULL, teardown);
        tcase_add_test(t, test_debian12_stock);
        tcase_add_test(t, test_debian12_pure);
        tcase_add_test(t, test_variants_includes);
        tcase_add_test(t, test_variants_listen);
        tcase_add_test(t, test_variants_values);
        tcase_add_test(t, test_variants_odd);
        tcase_add_test(t, test_listen_forms);
        tcase_add_test(t, test_listen_bad);
        tcase_add_test(t, test_prefixes);
        tcase_add_test(t, test_docker_layout);
        tcase_add_test(t, test_envp);
        tcase_add_test(t, test_env);
        tcase_add_test(t, test_quotes_and_comments);
        tcase_add_test(t, test_booleans);
        tcase_add_test(t, test_bad_values);
        tcase_add_test(t, test_times);
        tcase_add_test(t, test_memory_limit);
        tcase_add_test(t, test_acl_lists);
        tcase_add_test(t, test_sections);
        tcase_add_test(t, test_required);
        tcase_add_test(t, test_long_line);
        tcase_add_test(t, test_bytes);
        tcase_add_test(t, test_caps);
        tcase_add_test(t, test_caps_files_and_text);
        tcase_add_test(t, test_load_depth_and_cycles);
        tcase_add_test(t, test_load_files);
        tcase_add_test(t, test_load_stays_in_root);
        suite_add_tcase(s, t);
        return s;
}

int main(void) {
        return fixture_run(fpm_conf_suite());
}
