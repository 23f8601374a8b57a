/* host_conf_load() on root trees: Debian 12's stock nginx and php-fpm copied under a temp root,
 * with etc/passwd, etc/group and unit files with drop-ins the tests write; MemoryMax= values,
 * ExecStart's --fpm-config and -y, and `nginx -V`'s output. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "host.h"
#include "host_parts.h"

static char root[128];

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...) {
        char cmd[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        ck_assert_msg(system(cmd) == 0, "failed: %s", cmd);
}

/* path (under root) with text; its directories made. */
static void put(const char *path, const char *text) {
        char full[PATH_MAX];
        snprintf(full, sizeof(full), "%s%s", root, path);
        sh("mkdir -p \"$(dirname '%s')\"", full);
        FILE *f = fopen(full, "we");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void link_at(const char *target, const char *path) {
        sh("mkdir -p \"$(dirname '%s%s')\" && ln -sfn '%s' '%s%s'", root, path, target, root, path);
}

static const char debian_unit[] =
        "[Unit]\nDescription=The PHP 8.2 FastCGI Process Manager\n\n[Service]\nType=notify\n"
        "ExecStart=/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf\n"
        "ExecReload=/bin/kill -USR2 $MAINPID\n\n[Install]\nWantedBy=multi-user.target\n";

/* Debian 12's stock nginx and php8.2-fpm configuration under a fresh root, with accounts; the
 * units are each test's own. */
static void stock_root(void) {
        fixture_newdir(root);
        const char *data = getenv("TEST_DATA_DIR");
        ck_assert_ptr_nonnull(data);
        sh("cp -R '%s/nginx-debian12/etc' '%s/' && cp -R '%s/php-debian12/etc/php' '%s/etc/'", data, root, data, root);
        put("/etc/passwd", "root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n");
        put("/etc/group", "root:x:0:\nwww-data:x:33:\nweb:x:1001:www-data\n");
}

static struct host_conf h;

static void load(const struct host_paths *p) {
        struct host_paths dflt = { .root = root };
        ck_assert_int_eq(host_conf_load(&h, p ? p : &dflt), 0);
}

static void teardown(void) {
        host_conf_free(&h);
}

/* Debian's unit, enabled, two drop-in directories: the later name wins, a name in etc/ hides the
 * same name in lib/. */
START_TEST(test_stock_enabled_with_dropins) {
        stock_root();
        put("/lib/systemd/system/php8.2-fpm.service", debian_unit);
        link_at("/lib/systemd/system/php8.2-fpm.service",
                "/etc/systemd/system/multi-user.target.wants/php8.2-fpm.service");
        put("/lib/systemd/system/php8.2-fpm.service.d/10-memory.conf", "[Service]\nMemoryMax=4G\n");
        put("/etc/systemd/system/php8.2-fpm.service.d/10-memory.conf", "[Service]\nMemoryMax=256M\n");
        put("/etc/systemd/system/php8.2-fpm.service.d/20-more.conf", "# later\n[Service]\nMemoryMax=512M\n");
        load(NULL);
        ck_assert_str_eq(h.root, root);
        ck_assert_str_eq(h.nginx_path, "/etc/nginx/nginx.conf");
        ck_assert_ptr_nonnull(h.nginx);
        ck_assert_str_eq(h.nginx->user.user, "www-data");
        ck_assert_str_eq(h.nginx_prefix, "/usr/share/nginx");
        ck_assert_str_eq(h.nginx_default_user, "nobody");
        ck_assert_uint_eq(h.n_masters, 1);
        ck_assert_str_eq(h.masters[0].path, "/etc/php/8.2/fpm/php-fpm.conf");
        ck_assert_str_eq(h.masters[0].unit, "php8.2-fpm.service");
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_ENABLED);
        ck_assert_uint_eq(h.masters[0].memory_max, 512ULL << 20);
        ck_assert_uint_eq(h.masters[0].conf->n_pools, 1);
        ck_assert_str_eq(h.masters[0].conf->pools[0].name, "www");
        ck_assert_uint_eq(h.ram_bytes, 0);
        ck_assert(!h.units_from_bus);
        ck_assert_str_eq(h.fpm_looked, "/etc/php/*/fpm/php-fpm.conf, /etc/php-fpm.conf, /usr/local/etc/php-fpm.conf");
        struct host_user u;
        ck_assert_int_eq(host_user(&h, "www-data", &u), 0);
        ck_assert_uint_eq(u.uid, 33);
        ck_assert_uint_eq(u.n_groups, 2);
        gid_t g;
        ck_assert_int_eq(host_group(&h, "web", &g), 0);
        ck_assert_uint_eq(g, 1001);
}
END_TEST

/* A drop-in's empty MemoryMax= resets it; infinity is none. */
START_TEST(test_dropin_reset) {
        stock_root();
        put("/usr/lib/systemd/system/php8.2-fpm.service", debian_unit);
        put("/usr/lib/systemd/system/php8.2-fpm.service.d/10.conf", "[Service]\nMemoryMax=1G\n");
        put("/etc/systemd/system/php8.2-fpm.service.d/20.conf", "[Service]\nMemoryMax=\n");
        load(NULL);
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_DISABLED);
        ck_assert_uint_eq(h.masters[0].memory_max, 0);
}
END_TEST

START_TEST(test_masked) {
        stock_root();
        put("/lib/systemd/system/php8.2-fpm.service", debian_unit);
        link_at("/dev/null", "/etc/systemd/system/php8.2-fpm.service");
        link_at("/lib/systemd/system/php8.2-fpm.service",
                "/etc/systemd/system/multi-user.target.wants/php8.2-fpm.service");
        load(NULL);
        ck_assert_str_eq(h.masters[0].unit, "php8.2-fpm.service");
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_MASKED);
}
END_TEST

START_TEST(test_static_and_not_found) {
        stock_root();
        load(NULL);
        ck_assert_str_eq(h.masters[0].unit, "php8.2-fpm.service");
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_NOT_FOUND);
        host_conf_free(&h);
        put("/lib/systemd/system/php8.2-fpm.service",
            "[Service]\nExecStart=/usr/sbin/php-fpm8.2 \\\n  --nodaemonize \\\n  --fpm-config /etc/php/8.2/fpm/php-fpm.conf\n");
        load(NULL);
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_STATIC);
}
END_TEST

/* A master given by path; the unit whose ExecStart names it (-y), whatever its name. */
START_TEST(test_exec_start_names_the_master) {
        stock_root();
        put("/opt/site/php-fpm.conf", "[global]\nerror_log = /var/log/site-fpm.log\n[site]\nlisten = 127.0.0.1:9001\n"
                                      "user = www-data\npm = static\npm.max_children = 4\n");
        put("/etc/systemd/system/php-fpm-site.service",
            "[Service]\nExecStart=/usr/sbin/php-fpm8.2 -F -y /opt/site/php-fpm.conf\nMemoryMax=2G\n"
            "[Install]\nWantedBy=multi-user.target\n");
        put("/etc/systemd/system/php8.2-fpm.service", debian_unit);
        link_at("/etc/systemd/system/php-fpm-site.service", "/etc/systemd/system/web.target.requires/php-fpm-site.service");
        const char *confs[] = { "/opt/site/php-fpm.conf", "/etc/php/8.2/fpm/php-fpm.conf", "/nowhere/php-fpm.conf" };
        struct host_paths p = { .root = root, .nginx_conf = "/etc/nginx/nginx.conf", .fpm_confs = confs,
                                .n_fpm_confs = 3 };
        load(&p);
        ck_assert_uint_eq(h.n_masters, 3);
        ck_assert_str_eq(h.masters[0].unit, "php-fpm-site.service");
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_ENABLED);
        ck_assert_uint_eq(h.masters[0].memory_max, 2ULL << 30);
        ck_assert_str_eq(h.masters[0].conf->pools[0].name, "site");
        ck_assert_str_eq(h.masters[1].unit, "php8.2-fpm.service");
        ck_assert_int_eq(h.masters[1].unit_file, HOST_UNIT_DISABLED);
        ck_assert_str_eq(h.masters[2].unit, "");
        ck_assert_uint_eq(h.masters[2].conf->n_pools, 0);
        ck_assert_uint_ge(h.masters[2].conf->n_diags, 1);
        ck_assert_str_eq(h.fpm_looked, "/opt/site/php-fpm.conf, /etc/php/8.2/fpm/php-fpm.conf, /nowhere/php-fpm.conf");
}
END_TEST

/* RHEL's place and unit; the official image's place has no unit; no nginx. */
START_TEST(test_rhel_and_image) {
        fixture_newdir(root);
        put("/etc/php-fpm.conf", "[www]\nlisten = /run/php-fpm/www.sock\nuser = apache\npm = ondemand\n"
                                 "pm.max_children = 50\n");
        put("/usr/lib/systemd/system/php-fpm.service",
            "[Service]\nExecStart=/usr/sbin/php-fpm --nodaemonize\n[Install]\nWantedBy=multi-user.target\n");
        put("/usr/local/etc/php-fpm.conf", "[www]\nlisten = 9000\nuser = www-data\npm = static\npm.max_children = 2\n");
        load(NULL);
        ck_assert_ptr_null(h.nginx);
        ck_assert_str_eq(h.nginx_path, "");
        ck_assert_str_eq(h.nginx_wanted, "/etc/nginx/nginx.conf");
        ck_assert_uint_eq(h.n_masters, 2);
        ck_assert_str_eq(h.masters[0].path, "/etc/php-fpm.conf");
        ck_assert_str_eq(h.masters[0].unit, "php-fpm.service");
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_DISABLED);
        ck_assert_str_eq(h.masters[1].path, "/usr/local/etc/php-fpm.conf");
        ck_assert_str_eq(h.masters[1].unit, "");
        ck_assert_int_eq(h.masters[1].unit_file, HOST_UNIT_UNKNOWN);
}
END_TEST

/* Two Debian versions side by side: each its own unit, never a fixed version. */
START_TEST(test_two_versions) {
        stock_root();
        sh("cp -R '%s/etc/php/8.2' '%s/etc/php/8.3'", root, root);
        put("/lib/systemd/system/php8.3-fpm.service", "[Service]\nExecStart=/usr/sbin/php-fpm8.3 --fpm-config=/etc/php/8.3/fpm/php-fpm.conf\n");
        load(NULL);
        ck_assert_uint_eq(h.n_masters, 2);
        ck_assert_str_eq(h.masters[0].unit, "php8.2-fpm.service");
        ck_assert_int_eq(h.masters[0].unit_file, HOST_UNIT_NOT_FOUND);
        ck_assert_str_eq(h.masters[1].path, "/etc/php/8.3/fpm/php-fpm.conf");
        ck_assert_str_eq(h.masters[1].unit, "php8.3-fpm.service");
        ck_assert_int_eq(h.masters[1].unit_file, HOST_UNIT_STATIC);
}
END_TEST

START_TEST(test_bad_root) {
        struct host_paths p = { .root = "/nonexistent-root" };
        ck_assert_int_eq(host_conf_load(&h, &p), -ENOENT);
        host_conf_free(&h);
        p.root = "/etc/hostname";
        ck_assert_int_eq(host_conf_load(&h, &p), -ENOTDIR);
}
END_TEST

START_TEST(test_memory_parse) {
        uint64_t b = 7;
        ck_assert_int_eq(host_memory_parse("512M", 0, &b), 0);
        ck_assert_uint_eq(b, 512ULL << 20);
        ck_assert_int_eq(host_memory_parse("1073741824", 0, &b), 0);
        ck_assert_uint_eq(b, 1ULL << 30);
        ck_assert_int_eq(host_memory_parse("1.5G", 0, &b), 0);
        ck_assert_uint_eq(b, 3ULL << 29);
        ck_assert_int_eq(host_memory_parse("2T", 0, &b), 0);
        ck_assert_uint_eq(b, 2ULL << 40);
        ck_assert_int_eq(host_memory_parse("100K", 0, &b), 0);
        ck_assert_uint_eq(b, 102400);
        ck_assert_int_eq(host_memory_parse("50%", 8ULL << 30, &b), 0);
        ck_assert_uint_eq(b, 4ULL << 30);
        ck_assert_int_eq(host_memory_parse("50%", 0, &b), 0);
        ck_assert_uint_eq(b, 0);
        b = 7;
        ck_assert_int_eq(host_memory_parse("infinity", 0, &b), 0);
        ck_assert_uint_eq(b, 0);
        b = 7;
        ck_assert_int_eq(host_memory_parse("lots", 0, &b), -EINVAL);
        ck_assert_int_eq(host_memory_parse("5X", 0, &b), -EINVAL);
        ck_assert_int_eq(host_memory_parse("-1", 0, &b), -EINVAL);
        ck_assert_int_eq(host_memory_parse("150%", 100, &b), -EINVAL);
        ck_assert_int_eq(host_memory_parse("5MB", 0, &b), -EINVAL);
        ck_assert_uint_eq(b, 7);
}
END_TEST

START_TEST(test_exec_names_conf) {
        const char *c = "/etc/php/8.2/fpm/php-fpm.conf";
        ck_assert(host_exec_names_conf("/usr/sbin/php-fpm8.2 --nodaemonize --fpm-config /etc/php/8.2/fpm/php-fpm.conf", c));
        ck_assert(host_exec_names_conf("php-fpm --fpm-config=/etc/php/8.2/fpm/php-fpm.conf -F", c));
        ck_assert(host_exec_names_conf("php-fpm -y /etc/php/8.2/fpm/php-fpm.conf", c));
        ck_assert(host_exec_names_conf("x\nphp-fpm -y/etc/php/8.2/fpm/php-fpm.conf\n", c));
        ck_assert(!host_exec_names_conf("php-fpm -y /etc/php/8.2/fpm/php-fpm.conf.bak", c));
        ck_assert(!host_exec_names_conf("php-fpm -c /etc/php/8.2/fpm/php-fpm.conf", c));
        ck_assert(!host_exec_names_conf("php-fpm /etc/php/8.2/fpm/php-fpm.conf", c));
        ck_assert(!host_exec_names_conf("php-fpm -y", c));
        ck_assert(!host_exec_names_conf("", c));
}
END_TEST

START_TEST(test_unit_by_name) {
        char u[HOST_UNIT_MAX];
        host_unit_by_name("/etc/php/8.2/fpm/php-fpm.conf", u, sizeof(u));
        ck_assert_str_eq(u, "php8.2-fpm.service");
        host_unit_by_name("/etc/php/7.4/fpm/php-fpm.conf", u, sizeof(u));
        ck_assert_str_eq(u, "php7.4-fpm.service");
        host_unit_by_name("/etc/php-fpm.conf", u, sizeof(u));
        ck_assert_str_eq(u, "php-fpm.service");
        host_unit_by_name("/usr/local/etc/php-fpm.conf", u, sizeof(u));
        ck_assert_str_eq(u, "");
        host_unit_by_name("/opt/php-fpm.conf", u, sizeof(u));
        ck_assert_str_eq(u, "");
}
END_TEST

static const char nginx_v[] =
        "nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.15\nTLS SNI support enabled\n"
        "configure arguments: --with-cc-opt='-g -O2 -ffile-prefix-map=/build/nginx=. -fPIC' "
        "--with-ld-opt='-Wl,-z,relro -Wl,-z,now -fPIC' --prefix=/usr/share/nginx/ "
        "--conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=stderr "
        "--lock-path=/var/lock/nginx.lock --with-debug\n";

START_TEST(test_nginx_build_parse) {
        struct host_nginx_build b;
        host_nginx_build_parse(nginx_v, &b);
        ck_assert_str_eq(b.conf_path, "/etc/nginx/nginx.conf");
        ck_assert_str_eq(b.prefix, "/usr/share/nginx");
        ck_assert_str_eq(b.user, "");
        host_nginx_build_parse("configure arguments: --prefix=/etc/nginx --user=nginx --group=nginx "
                               "--conf-path=/etc/nginx/nginx.conf", &b);
        ck_assert_str_eq(b.user, "nginx");
        ck_assert_str_eq(b.prefix, "/etc/nginx");
        host_nginx_build_parse("nginx version: nginx/1.25.3\n", &b);
        ck_assert_str_eq(b.conf_path, "");
}
END_TEST

/* The host's own nginx -V, when nginx is installed (Debian's nginx-light in CI). */
START_TEST(test_nginx_build_read) {
        struct host_nginx_build b;
        int r = host_nginx_build_read(&b, HOST_NGINX_V_TIMEOUT_MS);
        if (r == -ENOENT && access("/usr/sbin/nginx", X_OK) < 0)
                return;
        ck_assert_int_eq(r, 0);
        ck_assert_str_ne(b.conf_path, "");
}
END_TEST


static const char *env_of(const struct host_master *m, const char *name) {
        return fpm_conf_envp(m->env, name);
}

/* The unit's Environment= (quoted, over several lines and drop-ins) and EnvironmentFile=, over
 * system.conf's DefaultEnvironment=: php-fpm.conf's ${VAR} read as php-fpm would read them. */
START_TEST(test_unit_environment) {
        stock_root();
        put("/lib/systemd/system/php8.2-fpm.service", debian_unit);
        put("/etc/systemd/system.conf", "[Manager]\nDefaultEnvironment=SOCKDIR=/wrong POOL_USER=nobody\n");
        put("/etc/systemd/system/php8.2-fpm.service.d/env.conf",
            "[Service]\nEnvironment=\"SOCKDIR=/run/php sites\" 'NAME=a b'\n"
            "Environment=POOL_USER=www-data PCT=100%% BAD-NAME=x noassignment\n"
            "EnvironmentFile=-/etc/default/php-fpm-missing\nEnvironmentFile=/etc/default/php-fpm\n");
        put("/etc/default/php-fpm", "# comment\n; another\nSOCKDIR = \"/run/php\"\nCHILDREN=7 \nQUOTED='x \\y'\n"
                                    "GOES=on\\\nand on\n");
        put("/etc/php/8.2/fpm/pool.d/env.conf", "[env]\nlisten = ${SOCKDIR}/env.sock\nuser = ${POOL_USER}\n"
                                                "pm = static\npm.max_children = ${CHILDREN}\n"
                                                "listen.owner = ${NOT_IN_UNIT}\n");
        load(NULL);
        const struct host_master *m = &h.masters[0];
        ck_assert_int_eq(m->env_from, HOST_ENV_UNIT);
        ck_assert_str_eq(env_of(m, "SOCKDIR"), "/run/php");     /* the file wins over Environment= */
        ck_assert_str_eq(env_of(m, "NAME"), "a b");
        ck_assert_str_eq(env_of(m, "POOL_USER"), "www-data");   /* the unit wins over the manager */
        ck_assert_str_eq(env_of(m, "PCT"), "100%");
        ck_assert_str_eq(env_of(m, "CHILDREN"), "7");
        ck_assert_str_eq(env_of(m, "QUOTED"), "x \\y");
        ck_assert_str_eq(env_of(m, "GOES"), "onand on");
        ck_assert_ptr_null(env_of(m, "BAD-NAME"));
        ck_assert_ptr_null(env_of(m, "noassignment"));
        const struct fpm_conf_pool *p = fpm_conf_find_pool(m->conf, "env");
        ck_assert_ptr_nonnull(p);
        ck_assert_str_eq(p->v[FPM_POOL_LISTEN].text, "/run/php/env.sock");
        ck_assert_ptr_null(p->v[FPM_POOL_LISTEN].unset_var);
        ck_assert_str_eq(p->v[FPM_POOL_USER].text, "www-data");
        ck_assert_int_eq(p->v[FPM_POOL_PM_MAX_CHILDREN].number, 7);
        ck_assert_str_eq(p->v[FPM_POOL_LISTEN_OWNER].unset_var, "NOT_IN_UNIT");
        /* an empty Environment= resets what came before it */
        host_conf_free(&h);
        put("/etc/systemd/system/php8.2-fpm.service.d/zz-reset.conf", "[Service]\nEnvironment=\nEnvironmentFile=\n");
        load(NULL);
        ck_assert_str_eq(env_of(&h.masters[0], "SOCKDIR"), "/wrong");
        ck_assert_ptr_null(env_of(&h.masters[0], "NAME"));
        p = fpm_conf_find_pool(h.masters[0].conf, "env");
        ck_assert_str_eq(p->v[FPM_POOL_LISTEN].text, "/wrong/env.sock");
}
END_TEST

/* A master no unit runs, under a root: nothing is known of its environment, every ${VAR} is unset
 * and says so. */
START_TEST(test_no_unit_no_environment) {
        fixture_newdir(root);
        put("/usr/local/etc/php-fpm.conf", "[www]\nlisten = ${SOCKDIR}/www.sock\nuser = www-data\npm = static\n"
                                           "pm.max_children = 2\n");
        load(NULL);
        ck_assert_uint_eq(h.n_masters, 1);
        ck_assert_int_eq(h.masters[0].env_from, HOST_ENV_NONE);
        ck_assert_ptr_nonnull(h.masters[0].env);
        ck_assert_ptr_null(h.masters[0].env[0]);
        const struct fpm_conf_value *v = &h.masters[0].conf->pools[0].v[FPM_POOL_LISTEN];
        ck_assert_str_eq(v->text, "/www.sock");
        ck_assert_str_eq(v->unset_var, "SOCKDIR");
        ck_assert_str_eq(v->written, "${SOCKDIR}/www.sock");
}
END_TEST

START_TEST(test_env_parsers) {
        struct host_env e = { 0 };
        host_env_assignments(&e, "A=1 \"B=two words\" C='x\"y' D=\"q\\\"t\" E=a\\ b F=tab\\there A=again =x 9X=no");
        char **v = host_env_take(&e);
        ck_assert_str_eq(fpm_conf_envp(v, "A"), "again");
        ck_assert_str_eq(fpm_conf_envp(v, "B"), "two words");
        ck_assert_str_eq(fpm_conf_envp(v, "C"), "x\"y");
        ck_assert_str_eq(fpm_conf_envp(v, "D"), "q\"t");
        ck_assert_str_eq(fpm_conf_envp(v, "E"), "a b");
        ck_assert_str_eq(fpm_conf_envp(v, "F"), "tab\there");
        ck_assert_ptr_null(fpm_conf_envp(v, "9X"));
        host_env_strv_free(v);
        host_env_file_text(&e, "  A=1\n#B=2\nC = \"x \\\"y\\\" \\n\" \nD='$HOME \\x'\nE=plain # not a comment  \nnoeq\nF=\n");
        v = host_env_take(&e);
        ck_assert_str_eq(fpm_conf_envp(v, "A"), "1");
        ck_assert_ptr_null(fpm_conf_envp(v, "B"));
        ck_assert_str_eq(fpm_conf_envp(v, "C"), "x \"y\" \\n");
        ck_assert_str_eq(fpm_conf_envp(v, "D"), "$HOME \\x");
        ck_assert_str_eq(fpm_conf_envp(v, "E"), "plain # not a comment");
        ck_assert_str_eq(fpm_conf_envp(v, "F"), "");
        ck_assert_ptr_null(fpm_conf_envp(v, "noeq"));
        host_env_strv_free(v);
}
END_TEST

/* Debian: php.ini beside php-fpm.conf, then conf.d/ in alphabetical order; the last one wins,
 * [PATH=…] sections and comments are not the master's. */
START_TEST(test_php_ini_debian) {
        stock_root();
        load(NULL);
        ck_assert_str_eq(h.masters[0].php_ini, "/etc/php/8.2/fpm/php.ini");
        ck_assert_str_eq(h.masters[0].php_ini_scan, "/etc/php/8.2/fpm/conf.d");
        ck_assert_int_eq(h.masters[0].memory_limit.bytes, 0);   /* no php.ini: PHP's default */
        ck_assert_str_eq(h.masters[0].memory_limit.file, "");
        host_conf_free(&h);
        put("/etc/php/8.2/fpm/php.ini", "[PHP]\n; memory_limit = 2G\nmax_execution_time = 30\n"
                                        "memory_limit = 128M\n[PATH=/var/www/big]\nmemory_limit = 4G\n");
        load(NULL);
        ck_assert_int_eq(h.masters[0].memory_limit.bytes, 128LL << 20);
        ck_assert_str_eq(h.masters[0].memory_limit.file, "/etc/php/8.2/fpm/php.ini");
        ck_assert_int_eq(h.masters[0].memory_limit.line, 4);
        host_conf_free(&h);
        put("/etc/php/8.2/fpm/conf.d/20-site.ini", "\n  memory_limit = \"1G\" ; for the shop\n");
        put("/etc/php/8.2/fpm/conf.d/10-opcache.ini", "memory_limit=256M\n");
        put("/etc/php/8.2/fpm/conf.d/30-odd.ini", "memory_limit = E_ALL\nMemory_Limit = 64M\n");
        put("/etc/php/8.2/fpm/conf.d/40-not.conf", "memory_limit = 32M\n");
        load(NULL);
        ck_assert_int_eq(h.masters[0].memory_limit.bytes, 1LL << 30);
        ck_assert_str_eq(h.masters[0].memory_limit.text, "1G");
        ck_assert_str_eq(h.masters[0].memory_limit.file, "/etc/php/8.2/fpm/conf.d/20-site.ini");
        ck_assert_int_eq(h.masters[0].memory_limit.line, 2);
        host_conf_free(&h);
        put("/etc/php/8.2/fpm/conf.d/99-unlimited.ini", "memory_limit = -1\n");
        load(NULL);
        ck_assert_int_eq(h.masters[0].memory_limit.bytes, -1);
}
END_TEST

/* RHEL's /etc/php.ini and /etc/php.d/; the image's /usr/local/etc/php/; the unit's PHPRC and
 * PHP_INI_SCAN_DIR. */
START_TEST(test_php_ini_layouts) {
        fixture_newdir(root);
        put("/etc/php-fpm.conf", "[www]\nlisten = /run/php-fpm/www.sock\nuser = apache\npm = static\npm.max_children = 5\n");
        put("/etc/php.ini", "memory_limit = 256M\n");
        put("/etc/php.d/50-app.ini", "memory_limit = 512m\n");
        put("/usr/local/etc/php-fpm.conf", "[www]\nlisten = 9000\nuser = www-data\npm = static\npm.max_children = 2\n");
        put("/usr/local/etc/php/php.ini", "memory_limit = '768M'\n");
        put("/usr/local/etc/php/conf.d/docker-php-ext-x.ini", "extension=x\n");
        load(NULL);
        ck_assert_uint_eq(h.n_masters, 2);
        ck_assert_str_eq(h.masters[0].php_ini, "/etc/php.ini");
        ck_assert_str_eq(h.masters[0].php_ini_scan, "/etc/php.d");
        ck_assert_int_eq(h.masters[0].memory_limit.bytes, 512LL << 20);
        ck_assert_str_eq(h.masters[0].memory_limit.file, "/etc/php.d/50-app.ini");
        ck_assert_str_eq(h.masters[1].php_ini, "/usr/local/etc/php/php.ini");
        ck_assert_str_eq(h.masters[1].php_ini_scan, "/usr/local/etc/php/conf.d");
        ck_assert_int_eq(h.masters[1].memory_limit.bytes, 768LL << 20);
        host_conf_free(&h);
        put("/usr/lib/systemd/system/php-fpm.service",
            "[Service]\nExecStart=/usr/sbin/php-fpm --nodaemonize\nEnvironment=PHPRC=/srv/ini "
            "PHP_INI_SCAN_DIR=:/srv/ini/more\n");
        put("/srv/ini/php.ini", "memory_limit = 64M\n");
        put("/srv/ini/more/a.ini", "memory_limit = 96M\n");
        load(NULL);
        ck_assert_str_eq(h.masters[0].php_ini, "/srv/ini/php.ini");
        ck_assert_str_eq(h.masters[0].php_ini_scan, "/etc/php.d:/srv/ini/more");
        ck_assert_int_eq(h.masters[0].memory_limit.bytes, 96LL << 20);
        ck_assert_str_eq(h.masters[0].memory_limit.file, "/srv/ini/more/a.ini");
}
END_TEST

int main(void) {
        Suite *s = suite_create("host");
        TCase *tc = tcase_create("host");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, NULL, teardown);
        tcase_add_test(tc, test_stock_enabled_with_dropins);
        tcase_add_test(tc, test_dropin_reset);
        tcase_add_test(tc, test_masked);
        tcase_add_test(tc, test_static_and_not_found);
        tcase_add_test(tc, test_exec_start_names_the_master);
        tcase_add_test(tc, test_rhel_and_image);
        tcase_add_test(tc, test_two_versions);
        tcase_add_test(tc, test_bad_root);
        tcase_add_test(tc, test_memory_parse);
        tcase_add_test(tc, test_exec_names_conf);
        tcase_add_test(tc, test_unit_by_name);
        tcase_add_test(tc, test_nginx_build_parse);
        tcase_add_test(tc, test_nginx_build_read);
        tcase_add_test(tc, test_unit_environment);
        tcase_add_test(tc, test_no_unit_no_environment);
        tcase_add_test(tc, test_env_parsers);
        tcase_add_test(tc, test_php_ini_debian);
        tcase_add_test(tc, test_php_ini_layouts);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
