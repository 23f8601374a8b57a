/* nginx's configuration against php-fpm's: a host written under a temp root (nginx.conf,
 * php-fpm.conf and a pool, etc/passwd and etc/group), read with the loaders, then checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crosscheck.h"
#include "fixtures.h"
#include "host_parts.h"

enum { SEEN_MAX = 16 };

struct seen {
        struct crosscheck_finding f[SEEN_MAX];
        char file[SEEN_MAX][256], pool[SEEN_MAX][64], upstream[SEEN_MAX][128];
        int n;
        bool passes_known;              /* crosscheck_passes_known() */
};

/* One host: what the test writes; NULL fields take the defaults below. */
struct world {
        const char *nginx;              /* /etc/nginx/nginx.conf */
        const char *pool;               /* /etc/php/8.2/fpm/pool.d/www.conf */
        const char *global;             /* lines of php-fpm.conf's [global] */
        const char *unit;               /* NULL: php8.2-fpm.service; "": none */
        enum host_unit_file unit_file;
        uint64_t memory_max, ram;
        bool no_accounts;               /* no etc/passwd, no etc/group */
        bool var_run_link;              /* var/run -> /run, as on Debian */
        bool no_systemd;                /* a container's php-fpm: no unit starts it */
        const char *php_ini;            /* /etc/php/8.2/fpm/php.ini; NULL: none */
        const char *conf_d;             /* /etc/php/8.2/fpm/conf.d/50-site.ini; NULL: none */
};

#define MB (1ULL << 20)
#define GB (1ULL << 30)

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33::/var/www:/usr/sbin/nologin\n"
                             "apache:x:48:48::/:/sbin/nologin\nnginx:x:101:101::/:/sbin/nologin\n"
                             "nobody:x:65534:65534::/:/usr/sbin/nologin\n";
static const char group[] = "root:x:0:\nwww-data:x:33:\napache:x:48:\nnginx:x:101:\nweb:x:500:nginx\n"
                            "nogroup:x:65534:\n";

#define NGINX_OF(user, pass) user "\nhttp {\n server {\n  server_name example.com;\n  location ~ \\.php$ {\n   " \
                             pass "\n  }\n }\n}\n"
#define STOCK_NGINX NGINX_OF("user www-data;", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;")
#define POOL_OF(extra) "[www]\nuser = www-data\ngroup = www-data\nlisten = /run/php/php8.2-fpm.sock\n" \
                       "pm = static\npm.max_children = 5\n" extra
#define STOCK_POOL POOL_OF("listen.owner = www-data\nlisten.group = www-data\n")

static struct seen seen;

static void collect(void *ud, const struct crosscheck_finding *f) {
        struct seen *s = ud;
        ck_assert_int_lt(s->n, SEEN_MAX);
        s->f[s->n] = *f;
        snprintf(s->file[s->n], sizeof(s->file[0]), "%s", f->file);
        snprintf(s->pool[s->n], sizeof(s->pool[0]), "%s", f->pool ? f->pool : "");
        snprintf(s->upstream[s->n], sizeof(s->upstream[0]), "%s", f->upstream ? f->upstream : "");
        s->f[s->n].file = s->file[s->n];
        s->f[s->n].pool = f->pool ? s->pool[s->n] : NULL;
        s->f[s->n].upstream = f->upstream ? s->upstream[s->n] : NULL;
        fprintf(stderr, "finding %s: %s\n", cause_id(f->cause), f->summary);
        s->n++;
}

/* root + path, its directories made. */
static void put(const char *root, const char *path, const char *text) {
        char full[512];
        snprintf(full, sizeof(full), "%s%s", root, path);
        for (char *p = full + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                ck_assert(mkdir(full, 0755) == 0 || errno == EEXIST);
                *p = '/';
        }
        FILE *f = fopen(full, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

static void write_world(const char *root, const struct world *w) {
        char conf[1024];
        snprintf(conf, sizeof(conf), "[global]\npid = /run/php/php8.2-fpm.pid\n%s\ninclude = /etc/php/8.2/fpm/pool.d/*.conf\n",
                 w->global ? w->global : "");
        if (!w->no_accounts) {
                put(root, "/etc/passwd", passwd);
                put(root, "/etc/group", group);
        }
        put(root, "/etc/nginx/nginx.conf", w->nginx ? w->nginx : STOCK_NGINX);
        put(root, "/etc/php/8.2/fpm/php-fpm.conf", conf);
        put(root, "/etc/php/8.2/fpm/pool.d/www.conf", w->pool ? w->pool : STOCK_POOL);
        if (w->var_run_link) {
                char var[512], run[512];
                snprintf(var, sizeof(var), "%s/var", root);
                snprintf(run, sizeof(run), "%s/run/php", root);
                ck_assert(mkdir(var, 0755) == 0 || errno == EEXIST);
                snprintf(var, sizeof(var), "%s/var/run", root);
                ck_assert_int_eq(symlink("/run", var), 0);
                snprintf(var, sizeof(var), "%s/run", root);
                ck_assert(mkdir(var, 0755) == 0 || errno == EEXIST);
                ck_assert_int_eq(mkdir(run, 0755), 0);
        }
        if (w->php_ini)
                put(root, "/etc/php/8.2/fpm/php.ini", w->php_ini);
        if (w->conf_d)
                put(root, "/etc/php/8.2/fpm/conf.d/50-site.ini", w->conf_d);
}

/* The findings of one host; the first one's text is in seen.f[0]. */
static struct seen *check_world(const struct world *w) {
        char dir[128];
        struct host_conf *h = calloc(1, sizeof(*h));
        ck_assert_ptr_nonnull(h);
        memset(&seen, 0, sizeof(seen));
        write_world(fixture_newdir(dir), w);
        snprintf(h->root, sizeof(h->root), "%s", dir);
        ck_assert_int_ge(h->root_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC), 0);
        ck_assert_int_eq(nginx_conf_load(&h->nginx, dir, "/etc/nginx/nginx.conf"), 0);
        struct host_master *m = &h->masters[h->n_masters++];
        ck_assert_ptr_nonnull(m->conf = fpm_conf_load(dir, "/etc/php/8.2/fpm/php-fpm.conf", NULL));
        snprintf(m->path, sizeof(m->path), "/etc/php/8.2/fpm/php-fpm.conf");
        host_php_ini(h, m);
        snprintf(m->unit, sizeof(m->unit), "%s", w->unit ? w->unit : "php8.2-fpm.service");
        m->unit_file = w->unit_file;
        m->memory_max = w->memory_max;
        h->ram_bytes = w->ram;
        h->systemd = !w->no_systemd;
        crosscheck_run(h, collect, &seen);
        seen.passes_known = crosscheck_passes_known(h);
        nginx_conf_free(h->nginx);
        fpm_conf_free(m->conf);
        close(h->root_fd);
        free(h);
        return &seen;
}

static int count(const struct world *w, enum cause c) {
        struct seen *s = check_world(w);
        int n = 0;
        for (int i = 0; i < s->n; i++)
                n += s->f[i].cause == c;
        return n;
}

/* The one finding of cause c: its summary. */
static const struct crosscheck_finding *only(const struct world *w, enum cause c) {
        struct seen *s = check_world(w);
        const struct crosscheck_finding *found = NULL;
        for (int i = 0; i < s->n; i++)
                if (s->f[i].cause == c) {
                        ck_assert_msg(!found, "two %s findings", cause_id(c));
                        found = &s->f[i];
                }
        ck_assert_msg(found, "no %s finding", cause_id(c));
        return found;
}

/* ---- socket_mismatch ---- */

#define POOLS "[www]\nuser = www-data\ngroup = www-data\npm = static\npm.max_children = 2\n" \
              "listen = /run/php/php8.2-fpm.sock\nlisten.owner = www-data\nlisten.group = www-data\n" \
              "[api]\nuser = www-data\ngroup = www-data\npm = static\npm.max_children = 2\nlisten = 9000\n"

static const char *server(const char *pass) {
        static char text[1024];
        snprintf(text, sizeof(text), "user www-data;\nhttp {\n upstream php { server 127.0.0.1:9000; server "
                 "unix:/run/php/old.sock backup; server unix:/run/php/gone.sock down; }\n server {\n  server_name "
                 "example.com;\n  location ~ \\.php$ {\n   %s\n  }\n }\n}\n", pass);
        return text;
}

static int mismatches(const char *pass) {
        return count(&(struct world) { .nginx = server(pass), .pool = POOLS }, CAUSE_SOCKET_MISMATCH);
}

/* One socket by other names: /var/run links to /run on Debian, "..", doubled slashes. The same
 * names of a socket no pool has are still a mismatch (each pass is read, none dropped). */
START_TEST(test_same_socket_other_names) {
        static const char *const served[] = {
                "fastcgi_pass unix:/var/run/php/php8.2-fpm.sock;",
                "fastcgi_pass unix:/run/php/../php/php8.2-fpm.sock;",
                "fastcgi_pass unix:///run/php/php8.2-fpm.sock;",
                "fastcgi_pass unix:/run//php/./php8.2-fpm.sock;",
        };
        static const char *const unserved[] = {
                "fastcgi_pass unix:/var/run/php/php7.4-fpm.sock;",
                "fastcgi_pass unix:///run/php/php7.4-fpm.sock;",
        };
        for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++)
                ck_assert_msg(count(&(struct world) { .nginx = server(served[i]), .pool = POOLS, .var_run_link = true },
                                    CAUSE_SOCKET_MISMATCH) == 0, "%s", served[i]);
        for (size_t i = 0; i < sizeof(unserved) / sizeof(unserved[0]); i++)
                ck_assert_msg(count(&(struct world) { .nginx = server(unserved[i]), .pool = POOLS, .var_run_link = true },
                                    CAUSE_SOCKET_MISMATCH) == 1, "%s", unserved[i]);
}
END_TEST

START_TEST(test_served_targets) {
        ck_assert_int_eq(mismatches("fastcgi_pass unix:/run/php/php8.2-fpm.sock;"), 0);
        /* "listen = 9000" serves every local address */
        ck_assert_int_eq(mismatches("fastcgi_pass 127.0.0.1:9000;"), 0);
        ck_assert_int_eq(mismatches("fastcgi_pass localhost:9000;"), 0);
        /* not checkable here: known per request, or a name nginx resolves */
        ck_assert_int_eq(mismatches("fastcgi_pass $backend;"), 0);
        ck_assert_int_eq(mismatches("fastcgi_pass php:9000;"), 0);
        /* another machine's php-fpm: nothing here describes it */
        ck_assert_int_eq(mismatches("fastcgi_pass 10.0.0.5:9001;"), 0);
        ck_assert_int_eq(mismatches("fastcgi_pass [2001:db8::5]:9001;"), 0);
        /* other modules are not PHP-FPM's business */
        ck_assert_int_eq(mismatches("proxy_pass http://unix:/run/app.sock:/;"), 0);
}
END_TEST

START_TEST(test_unserved_targets) {
        const struct crosscheck_finding *f =
                only(&(struct world) { .nginx = server("fastcgi_pass unix:/run/php/php7.4-fpm.sock;"), .pool = POOLS },
                     CAUSE_SOCKET_MISMATCH);
        ck_assert_str_eq(f->file, "/etc/nginx/nginx.conf");
        ck_assert_uint_eq(f->line, 7);
        ck_assert_ptr_null(f->pool);
        ck_assert_str_eq(f->upstream, "unix:/run/php/php7.4-fpm.sock");
        ck_assert_str_eq(f->summary,
                         "fastcgi_pass at /etc/nginx/nginx.conf:7 (server example.com, location ~ \\.php$) sends "
                         "requests to unix:/run/php/php7.4-fpm.sock, where no PHP-FPM pool listens; the pools listen "
                         "at unix:/run/php/php8.2-fpm.sock (pool www), *:9000 (pool api).");
        ck_assert_str_eq(f->remedy, "point fastcgi_pass at /etc/nginx/nginx.conf:7 to a pool's listen address, then "
                                    "nginx -t && systemctl reload nginx");
        ck_assert_int_eq(mismatches("fastcgi_pass 127.0.0.1:9001;"), 1);
        ck_assert_int_eq(mismatches("fastcgi_pass [::1]:9001;"), 1);
        /* through the group: its backup server nobody serves; the down one does not count */
        f = only(&(struct world) { .nginx = server("fastcgi_pass php;"), .pool = POOLS }, CAUSE_SOCKET_MISMATCH);
        ck_assert_msg(strstr(f->summary, "unix:/run/php/old.sock (through upstream php)"), "%s", f->summary);
        ck_assert_str_eq(f->upstream, "unix:/run/php/old.sock");
}
END_TEST

/* Whether a socket_mismatch the cross-check does not name is one nginx no longer sends to. */
START_TEST(test_passes_known) {
        ck_assert(check_world(&(struct world) { .nginx = server("fastcgi_pass unix:/run/php/php7.4-fpm.sock;"),
                                                .pool = POOLS })->passes_known);
        ck_assert(!check_world(&(struct world) { .nginx = server("fastcgi_pass $backend;"), .pool = POOLS })->passes_known);
        ck_assert(!check_world(&(struct world) { .pool = POOL_OF("listen = ${SOCKDIR}/x.sock\n") })->passes_known);
        struct host_conf *h = calloc(1, sizeof(*h));    /* nginx's configuration not found */
        ck_assert_ptr_nonnull(h);
        ck_assert(!crosscheck_passes_known(h));
        free(h);
}
END_TEST

START_TEST(test_nothing_to_compare) {
        struct host_conf *h = calloc(1, sizeof(*h));
        ck_assert_ptr_nonnull(h);
        h->root_fd = -1;
        memset(&seen, 0, sizeof(seen));
        crosscheck_run(h, collect, &seen);
        ck_assert_int_eq(seen.n, 0);
        free(h);
        /* the stock Debian pair: nothing to say */
        ck_assert_int_eq(check_world(&(struct world) { .unit_file = HOST_UNIT_ENABLED, .ram = 4 * GB })->n, 0);
}
END_TEST

/* ---- socket_permission ---- */

static int denials(const char *nginx_user, const char *pool_extra) {
        char nginx[512], pool[512];
        snprintf(nginx, sizeof(nginx), NGINX_OF("%s", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;"), nginx_user);
        snprintf(pool, sizeof(pool), POOL_OF("%s"), pool_extra);
        return count(&(struct world) { .nginx = nginx, .pool = pool }, CAUSE_SOCKET_PERMISSION);
}

static const struct crosscheck_finding *denial(const char *nginx_user, const char *pool_extra) {
        static char nginx[512], pool[512];
        snprintf(nginx, sizeof(nginx), NGINX_OF("%s", "fastcgi_pass unix:/run/php/php8.2-fpm.sock;"), nginx_user);
        snprintf(pool, sizeof(pool), POOL_OF("%s"), pool_extra);
        return only(&(struct world) { .nginx = nginx, .pool = pool }, CAUSE_SOCKET_PERMISSION);
}

START_TEST(test_socket_owner_group_mode) {
        ck_assert_int_eq(denials("user www-data;", "listen.owner = www-data\nlisten.group = www-data\n"), 0);
        ck_assert_int_eq(denials("user www-data;", "listen.mode = 0666\n"), 0);
        ck_assert_int_eq(denials("user root;", ""), 0);         /* root may always connect */
        ck_assert_int_eq(denials("user nginx web;", "listen.group = web\n"), 0);
        ck_assert_int_eq(denials("user nginx;", "listen.group = web\n"), 0);    /* nginx is listed in web */
        ck_assert_int_eq(denials("user www-data;", "listen.owner = 33\n"), 0);  /* a uid as php-fpm takes it */
        ck_assert_int_eq(denials("user www-data;", "listen.owner = www-data\n"), 0); /* group: its primary */
        const struct crosscheck_finding *f = denial("user www-data;", "");
        ck_assert_str_eq(f->pool, "www");
        ck_assert_str_eq(f->file, "/etc/php/8.2/fpm/pool.d/www.conf");
        ck_assert_uint_eq(f->line, 4);
        ck_assert_str_eq(f->summary,
                         "nginx's user www-data may not connect to pool www's socket /run/php/php8.2-fpm.sock: php-fpm "
                         "makes it owner root (listen.owner not set: the master's user, root assumed), group root "
                         "(listen.group not set: the master's, root assumed), mode 0660 (php-fpm's default); www-data "
                         "is neither its owner nor in its group, and the mode gives others no write permission (502, "
                         "13: Permission denied).");
        ck_assert_str_eq(f->remedy, "in [www] (/etc/php/8.2/fpm/pool.d/www.conf:1): listen.owner = www-data, "
                                    "listen.group = www-data, listen.mode = 0660; then systemctl restart php8.2-fpm.service");
        f = denial("user www-data;", "listen.owner = www-data\nlisten.group = www-data\nlisten.mode = 0400\n");
        ck_assert_uint_eq(f->line, 7);
        ck_assert_msg(strstr(f->summary, "www-data owns it, but the mode gives its owner no write permission"), "%s",
                      f->summary);
        f = denial("", "");     /* no user directive: nginx's built-in nobody */
        ck_assert_msg(strstr(f->summary, "nginx's user nobody may not connect"), "%s", f->summary);
}
END_TEST

START_TEST(test_socket_acl) {
        /* Debian's and RHEL's documented pools: the ACL decides, owner and group are ignored */
        ck_assert_int_eq(denials("user www-data;", "listen.acl_users = www-data\n"), 0);
        ck_assert_int_eq(denials("user nginx;", "listen.acl_users = apache,nginx\n"), 0);
        ck_assert_int_eq(denials("user nginx;", "listen.acl_groups = web\n"), 0);
        const struct crosscheck_finding *f = denial("user www-data;", "listen.acl_users = apache,nginx\n"
                                                    "listen.owner = www-data\n");
        ck_assert_uint_eq(f->line, 7);
        ck_assert_str_eq(f->summary,
                         "nginx's user www-data may not connect to pool www's socket /run/php/php8.2-fpm.sock: php-fpm "
                         "makes it root:root (with an ACL php-fpm ignores listen.owner and listen.group: the master's "
                         "user, root assumed), mode 0660 (php-fpm's default), with rw only for listen.acl_users = "
                         "apache,nginx; www-data is in none of them, and the mode gives others no write permission "
                         "(502, 13: Permission denied).");
        ck_assert_str_eq(f->remedy, "add www-data to listen.acl_users at /etc/php/8.2/fpm/pool.d/www.conf:7, then "
                                    "systemctl restart php8.2-fpm.service");
}
END_TEST

START_TEST(test_socket_names_not_found) {
        const struct crosscheck_finding *f = denial("user www-data;", "listen.owner = ghost\n");
        ck_assert_str_eq(f->summary, "listen.owner = ghost at /etc/php/8.2/fpm/pool.d/www.conf:7 names ghost php-fpm "
                                     "cannot look up (no such name here): it refuses to start pool www (\"cannot get "
                                     "uid for user 'ghost'\").");
        f = denial("user www-data;", "listen.acl_groups = web,ghosts\n");
        ck_assert_msg(strstr(f->summary, "names ghosts php-fpm cannot look up"), "%s", f->summary);
        f = denial("user ghost;", "");
        ck_assert_ptr_null(f->pool);
        ck_assert_str_eq(f->file, "/etc/nginx/nginx.conf");
        ck_assert_uint_eq(f->line, 1);
        ck_assert_str_eq(f->summary, "nginx's user ghost (the user directive at /etc/nginx/nginx.conf:1) cannot be "
                                     "looked up (no such name here): nginx will not start its workers, and whether "
                                     "they may connect to php-fpm's sockets cannot be judged.");
        f = denial("user www-data ghosts;", "");
        ck_assert_msg(strstr(f->summary, "nginx's group ghosts (the user directive at /etc/nginx/nginx.conf:1)"), "%s",
                      f->summary);
        /* no account database under the root: nothing can be judged, nothing is said */
        ck_assert_int_eq(count(&(struct world) { .nginx = NGINX_OF("user ghost;", "fastcgi_pass unix:/x.sock;"),
                                                 .no_accounts = true }, CAUSE_SOCKET_PERMISSION), 0);
        /* a TCP pool has no file permissions */
        ck_assert_int_eq(count(&(struct world) { .nginx = NGINX_OF("user ghost;", "fastcgi_pass 127.0.0.1:9000;"),
                                                 .pool = "[www]\nuser = www-data\nlisten = 9000\npm = static\n"
                                                         "pm.max_children = 5\n" }, CAUSE_SOCKET_PERMISSION), 0);
}
END_TEST

/* ---- risks ---- */

static int error_log_findings(const char *main_lines, enum cause c) {
        char nginx[512];
        snprintf(nginx, sizeof(nginx), "user www-data;\n%s\nhttp { server { location / { fastcgi_pass "
                 "unix:/run/php/php8.2-fpm.sock; } } }\n", main_lines);
        return count(&(struct world) { .nginx = nginx }, c);
}

START_TEST(test_error_log_level) {
        ck_assert_int_eq(error_log_findings("error_log /var/log/nginx/error.log;", CAUSE_NGINX_ERROR_LOG_LEVEL), 0);
        ck_assert_int_eq(error_log_findings("error_log /var/log/nginx/error.log warn;", CAUSE_NGINX_ERROR_LOG_LEVEL), 0);
        ck_assert_int_eq(error_log_findings("error_log /var/log/nginx/error.log debug_http;", CAUSE_NGINX_ERROR_LOG_LEVEL), 0);
        /* a second log of the block still takes error-level lines */
        ck_assert_int_eq(error_log_findings("error_log syslog:server=unix:/dev/log crit;\nerror_log /var/log/nginx/e.log;",
                                            CAUSE_NGINX_ERROR_LOG_LEVEL), 0);
        ck_assert_int_eq(error_log_findings("error_log stderr emerg;", CAUSE_NGINX_ERROR_LOG_LEVEL), 1);
        const struct crosscheck_finding *f =
                only(&(struct world) { .nginx = "user www-data;\nerror_log /var/log/nginx/error.log crit;\n" },
                     CAUSE_NGINX_ERROR_LOG_LEVEL);
        ck_assert_ptr_null(f->pool);
        ck_assert_uint_eq(f->line, 2);
        ck_assert_str_eq(f->summary, "error_log /var/log/nginx/error.log crit at /etc/nginx/nginx.conf:2 (main): nginx "
                                     "logs only crit and worse, so the error-level lines that name a 502's cause "
                                     "(connect() failed, upstream prematurely closed, upstream timed out) are never "
                                     "written.");
        ck_assert_str_eq(f->remedy, "error_log /var/log/nginx/error.log error; at /etc/nginx/nginx.conf:2 (or warn), "
                                    "then nginx -t && systemctl reload nginx");
}
END_TEST

START_TEST(test_error_log_off) {
        ck_assert_int_eq(error_log_findings("error_log /var/log/nginx/off.log;", CAUSE_NGINX_ERROR_LOG_OFF), 0);
        const struct crosscheck_finding *f =
                only(&(struct world) { .nginx = "user www-data;\nerror_log off;\n" }, CAUSE_NGINX_ERROR_LOG_OFF);
        ck_assert_str_eq(f->summary, "error_log off at /etc/nginx/nginx.conf:2 (main): nginx has no \"off\" switch for "
                                     "error_log, it writes its errors to a file named off under its prefix, where "
                                     "nobody looks for the lines that name a 502's cause.");
        ck_assert_int_eq(error_log_findings("error_log off;", CAUSE_NGINX_ERROR_LOG_LEVEL), 0);
}
END_TEST

START_TEST(test_fpm_log_level) {
        ck_assert_int_eq(count(&(struct world) { .global = "log_level = notice" }, CAUSE_FPM_LOG_LEVEL), 0);
        ck_assert_int_eq(count(&(struct world) { .global = "log_level = warning" }, CAUSE_FPM_LOG_LEVEL), 0);
        ck_assert_int_eq(count(&(struct world) { .global = "log_level = alert" }, CAUSE_FPM_LOG_LEVEL), 1);
        const struct crosscheck_finding *f = only(&(struct world) { .global = "log_level = error" }, CAUSE_FPM_LOG_LEVEL);
        ck_assert_str_eq(f->pool, "www");
        ck_assert_str_eq(f->file, "/etc/php/8.2/fpm/php-fpm.conf");
        ck_assert_uint_eq(f->line, 3);
        ck_assert_str_eq(f->summary, "log_level = error at /etc/php/8.2/fpm/php-fpm.conf:3: php-fpm logs only errors "
                                     "and worse, so its warnings that name a 502's cause (\"child ... exited on "
                                     "signal 9\", \"server reached pm.max_children\") are never written.");
        ck_assert_str_eq(f->remedy, "log_level = notice at /etc/php/8.2/fpm/php-fpm.conf:3 (php-fpm's default), then "
                                    "systemctl reload php8.2-fpm.service");
}
END_TEST

static struct world timeouts(const char *location_line, const char *pool_line) {
        static char nginx[512], pool[512];
        snprintf(nginx, sizeof(nginx), "user www-data;\nhttp {\n fastcgi_read_timeout 90;\n server {\n  location ~ "
                 "\\.php$ {\n   fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n   %s\n  }\n }\n}\n", location_line);
        snprintf(pool, sizeof(pool), STOCK_POOL "%s\n", pool_line);
        return (struct world) { .nginx = nginx, .pool = pool };
}

START_TEST(test_read_timeout) {
        struct world w = timeouts("fastcgi_read_timeout 30s;", "request_terminate_timeout = 0");
        ck_assert_int_eq(count(&w, CAUSE_FASTCGI_READ_TIMEOUT_SHORT), 0);       /* 0: no limit in php-fpm */
        w = timeouts("fastcgi_read_timeout 300s;", "request_terminate_timeout = 120s");
        ck_assert_int_eq(count(&w, CAUSE_FASTCGI_READ_TIMEOUT_SHORT), 0);
        w = timeouts("fastcgi_read_timeout 2m;", "request_terminate_timeout = 120");
        ck_assert_int_eq(count(&w, CAUSE_FASTCGI_READ_TIMEOUT_SHORT), 0);       /* equal is not shorter */
        w = timeouts("fastcgi_read_timeout 30s;", "request_terminate_timeout = 120s");
        const struct crosscheck_finding *f = only(&w, CAUSE_FASTCGI_READ_TIMEOUT_SHORT);
        ck_assert_str_eq(f->pool, "www");
        ck_assert_uint_eq(f->line, 7);
        ck_assert_str_eq(f->summary, "fastcgi_read_timeout 30s at /etc/nginx/nginx.conf:7 is shorter than pool www's "
                                     "request_terminate_timeout 120s (/etc/php/8.2/fpm/pool.d/www.conf:9): nginx "
                                     "answers 504 while PHP keeps running.");
        ck_assert_str_eq(f->remedy, "fastcgi_read_timeout 120s; at /etc/nginx/nginx.conf:7 (at least the pool's "
                                    "request_terminate_timeout), then nginx -t && systemctl reload nginx");
        w = timeouts("", "request_terminate_timeout = 5m");     /* http's 90 applies */
        ck_assert_msg(strstr(only(&w, CAUSE_FASTCGI_READ_TIMEOUT_SHORT)->summary, "fastcgi_read_timeout 90 at "
                             "/etc/nginx/nginx.conf:3 is shorter than pool www's request_terminate_timeout 300s"),
                      "%s", seen.f[0].summary);
        w = (struct world) { .pool = STOCK_POOL "request_terminate_timeout = 61\n" };
        ck_assert_str_eq(only(&w, CAUSE_FASTCGI_READ_TIMEOUT_SHORT)->summary,
                         "fastcgi_read_timeout 60s (nginx's default: none set for fastcgi_pass at "
                         "/etc/nginx/nginx.conf:6) is shorter than pool www's request_terminate_timeout 61s "
                         "(/etc/php/8.2/fpm/pool.d/www.conf:9): nginx answers 504 while PHP keeps running.");
}
END_TEST

START_TEST(test_memory_overcommit) {
        ck_assert_int_eq(count(&(struct world) { 0 }, CAUSE_FPM_MEMORY_OVERCOMMIT), 0);   /* nothing known */
        ck_assert_int_eq(count(&(struct world) { .ram = 4 * GB }, CAUSE_FPM_MEMORY_OVERCOMMIT), 0);  /* 5 x 128M */
        ck_assert_int_eq(count(&(struct world) { .pool = STOCK_POOL "php_admin_value[memory_limit] = -1\n", .ram = GB },
                               CAUSE_FPM_MEMORY_OVERCOMMIT), 0);
        const struct crosscheck_finding *f = only(&(struct world) { .ram = 512 * MB }, CAUSE_FPM_MEMORY_OVERCOMMIT);
        ck_assert_str_eq(f->summary, "pm.max_children 5 at /etc/php/8.2/fpm/pool.d/www.conf:6 x memory_limit 128M "
                                     "(set neither in the pool nor in /etc/php/8.2/fpm/php.ini or the *.ini files of "
                                     "/etc/php/8.2/fpm/conf.d: PHP's built-in 128M assumed) = 640M in pool www is more "
                                     "than the machine's 512M of RAM: with every worker at its limit the kernel "
                                     "OOM-kills workers mid-request (502).");
        ck_assert_str_eq(f->remedy, "pm.max_children = 4 at /etc/php/8.2/fpm/pool.d/www.conf:6 (what fits at "
                                    "memory_limit 128M), or lower memory_limit");
        f = only(&(struct world) { .pool = STOCK_POOL "php_value[memory_limit] = 64M\n"
                                           "php_admin_value[memory_limit] = 1G\n", .memory_max = 2 * GB, .ram = 64 * GB },
                 CAUSE_FPM_MEMORY_OVERCOMMIT);
        ck_assert_str_eq(f->summary, "pm.max_children 5 at /etc/php/8.2/fpm/pool.d/www.conf:6 x memory_limit 1G = 5G "
                                     "in pool www is more than php8.2-fpm.service's MemoryMax=2G: with every worker at "
                                     "its limit the kernel OOM-kills workers mid-request (502).");
        f = only(&(struct world) { .pool = STOCK_POOL "php_admin_value[memory_limit] = -1\n", .memory_max = GB },
                 CAUSE_FPM_MEMORY_OVERCOMMIT);
        ck_assert_str_eq(f->summary, "memory_limit = -1 (no limit) at /etc/php/8.2/fpm/pool.d/www.conf:9 in pool www "
                                     "with pm.max_children 5: one script may take all of php8.2-fpm.service's "
                                     "MemoryMax=1G, and the kernel OOM-kills workers mid-request (502).");
}
END_TEST


/* memory_limit from php.ini (and conf.d, the last one winning) when the pool sets none; the pool's
 * own still wins. */
START_TEST(test_memory_limit_from_php_ini) {
        const char *ini = "[PHP]\nengine = On\n\nmemory_limit = 1G\n";
        const struct crosscheck_finding *f =
                only(&(struct world) { .php_ini = ini, .memory_max = 2 * GB, .ram = 64 * GB }, CAUSE_FPM_MEMORY_OVERCOMMIT);
        ck_assert_str_eq(f->summary, "pm.max_children 5 at /etc/php/8.2/fpm/pool.d/www.conf:6 x memory_limit 1G at "
                                     "/etc/php/8.2/fpm/php.ini:4 = 5G in pool www is more than php8.2-fpm.service's "
                                     "MemoryMax=2G: with every worker at its limit the kernel OOM-kills workers "
                                     "mid-request (502).");
        ck_assert_str_eq(f->remedy, "pm.max_children = 2 at /etc/php/8.2/fpm/pool.d/www.conf:6 (what fits at "
                                    "memory_limit 1G), or lower memory_limit");
        /* 5 x 128M would not fit in 512M; php.ini's 64M does */
        ck_assert_int_eq(count(&(struct world) { .php_ini = "memory_limit = 64M\n", .ram = 512 * MB },
                               CAUSE_FPM_MEMORY_OVERCOMMIT), 0);
        /* conf.d comes after php.ini */
        f = only(&(struct world) { .php_ini = "memory_limit = 64M\n", .conf_d = "; site\nmemory_limit = \"512M\"\n",
                                   .ram = GB }, CAUSE_FPM_MEMORY_OVERCOMMIT);
        ck_assert_msg(strstr(f->summary, "x memory_limit 512M at /etc/php/8.2/fpm/conf.d/50-site.ini:2 = 2.5G"), "%s",
                      f->summary);
        /* the pool's php_admin_value wins over php.ini */
        ck_assert_int_eq(count(&(struct world) { .pool = STOCK_POOL "php_admin_value[memory_limit] = 64M\n",
                                                 .php_ini = "memory_limit = 1G\n", .ram = GB },
                               CAUSE_FPM_MEMORY_OVERCOMMIT), 0);
        /* -1 in php.ini under a MemoryMax= */
        f = only(&(struct world) { .php_ini = "memory_limit = -1\n", .memory_max = GB }, CAUSE_FPM_MEMORY_OVERCOMMIT);
        ck_assert_str_eq(f->summary, "memory_limit = -1 (no limit) at /etc/php/8.2/fpm/php.ini:1 in pool www with "
                                     "pm.max_children 5: one script may take all of php8.2-fpm.service's MemoryMax=1G, "
                                     "and the kernel OOM-kills workers mid-request (502).");
        ck_assert_str_eq(f->remedy, "memory_limit = 256M (a real limit) at /etc/php/8.2/fpm/php.ini:1");
}
END_TEST

/* A pool whose listen names an unset ${VAR}: where it listens is unknown, so no fastcgi_pass is
 * said to reach nothing, and its socket is not judged. */
START_TEST(test_listen_unset_var) {
        ck_assert_int_eq(count(&(struct world) { .pool = POOL_OF("listen = ${SOCKDIR}/php8.2-fpm.sock\n") },
                               CAUSE_SOCKET_MISMATCH), 0);
        ck_assert_int_eq(count(&(struct world) { .nginx = server("fastcgi_pass unix:/run/php/php7.4-fpm.sock;"),
                                                 .pool = POOLS "[env]\nuser = www-data\npm = static\n"
                                                         "pm.max_children = 1\nlisten = ${SOCKDIR}/env.sock\n" },
                               CAUSE_SOCKET_MISMATCH), 0);
        /* the same without the variable: no pool there */
        ck_assert_int_eq(count(&(struct world) { .nginx = server("fastcgi_pass unix:/run/php/php7.4-fpm.sock;"),
                                                 .pool = POOLS }, CAUSE_SOCKET_MISMATCH), 1);
        /* a socket nginx's user cannot open, but its path or its owner named an unset variable */
        ck_assert_int_eq(count(&(struct world) { .pool = POOL_OF("listen = ${SOCKDIR}/x.sock\nlisten.owner = root\n"
                                                                 "listen.group = root\nlisten.mode = 0600\n") },
                               CAUSE_SOCKET_PERMISSION), 0);
        ck_assert_int_eq(count(&(struct world) { .pool = POOL_OF("listen.owner = ${OWNER}\nlisten.group = root\n"
                                                                 "listen.mode = 0600\n") },
                               CAUSE_SOCKET_PERMISSION), 0);
        ck_assert_int_eq(count(&(struct world) { .pool = POOL_OF("listen.owner = root\nlisten.group = root\n"
                                                                 "listen.mode = 0600\n") },
                               CAUSE_SOCKET_PERMISSION), 1);
}
END_TEST

START_TEST(test_unit_missing) {
        ck_assert_int_eq(count(&(struct world) { .unit_file = HOST_UNIT_ENABLED }, CAUSE_FPM_UNIT_MISSING), 0);
        ck_assert_int_eq(count(&(struct world) { .unit_file = HOST_UNIT_STATIC }, CAUSE_FPM_UNIT_MISSING), 0);
        ck_assert_int_eq(count(&(struct world) { .unit_file = HOST_UNIT_UNKNOWN }, CAUSE_FPM_UNIT_MISSING), 0);
        const struct crosscheck_finding *f = only(&(struct world) { .unit_file = HOST_UNIT_DISABLED }, CAUSE_FPM_UNIT_MISSING);
        ck_assert_str_eq(f->pool, "www");
        ck_assert_str_eq(f->summary, "php8.2-fpm.service, which runs pool www (/etc/php/8.2/fpm/pool.d/www.conf:1), is "
                                     "disabled: php-fpm does not start at boot; nginx answers 502 while it is not "
                                     "running.");
        ck_assert_str_eq(f->remedy, "systemctl enable --now php8.2-fpm.service");
        f = only(&(struct world) { .unit_file = HOST_UNIT_MASKED }, CAUSE_FPM_UNIT_MISSING);
        ck_assert_str_eq(f->remedy, "systemctl unmask php8.2-fpm.service && systemctl enable --now php8.2-fpm.service");
        f = only(&(struct world) { .unit_file = HOST_UNIT_NOT_FOUND }, CAUSE_FPM_UNIT_MISSING);
        ck_assert_msg(strstr(f->summary, "php8.2-fpm.service, which runs pool www (/etc/php/8.2/fpm/pool.d/www.conf:1), "
                                         "has no unit file"), "%s", f->summary);
        ck_assert_int_eq(count(&(struct world) { .unit = "", .no_systemd = true }, CAUSE_FPM_UNIT_MISSING), 0);
        f = only(&(struct world) { .unit = "" }, CAUSE_FPM_UNIT_MISSING);
        ck_assert_str_eq(f->summary, "pool www (/etc/php/8.2/fpm/pool.d/www.conf:1) belongs to "
                                     "/etc/php/8.2/fpm/php-fpm.conf, which no systemd unit known here runs: nothing "
                                     "starts it at boot or after a crash, and nginx answers 502 until someone does.");
}
END_TEST

int main(void) {
        Suite *s = suite_create("crosscheck");
        TCase *tc = tcase_create("passes");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_test(tc, test_served_targets);
        tcase_add_test(tc, test_same_socket_other_names);
        tcase_add_test(tc, test_unserved_targets);
        tcase_add_test(tc, test_nothing_to_compare);
        tcase_add_test(tc, test_passes_known);
        tcase_add_test(tc, test_read_timeout);
        suite_add_tcase(s, tc);
        TCase *ts = tcase_create("sockets");
        tcase_add_unchecked_fixture(ts, fixture_base_create, fixture_base_remove);
        tcase_add_test(ts, test_socket_owner_group_mode);
        tcase_add_test(ts, test_socket_acl);
        tcase_add_test(ts, test_socket_names_not_found);
        suite_add_tcase(s, ts);
        TCase *tr = tcase_create("risks");
        tcase_add_unchecked_fixture(tr, fixture_base_create, fixture_base_remove);
        tcase_add_test(tr, test_error_log_level);
        tcase_add_test(tr, test_error_log_off);
        tcase_add_test(tr, test_fpm_log_level);
        tcase_add_test(tr, test_memory_overcommit);
        tcase_add_test(tr, test_memory_limit_from_php_ini);
        tcase_add_test(tr, test_listen_unset_var);
        tcase_add_test(tr, test_unit_missing);
        suite_add_tcase(s, tr);
        return fixture_run(s);
}
