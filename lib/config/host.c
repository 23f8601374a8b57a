/* host_conf_load(): nginx's main file and every php-fpm master under a root, with the unit that
 * runs each master and, on the host, the machine's memory. The masters are found first, then their
 * units, then each php-fpm.conf is read with the environment its unit gives php-fpm. */
#include "host_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "under_root.h"

#define NGINX_MAIN "/etc/nginx/nginx.conf"
#define NGINX_PREFIX "/usr/share/nginx"         /* Debian's and RHEL's --prefix */
#define NGINX_USER "nobody"                     /* nginx's own default (NGX_USER) */

const struct host_fpm_place host_fpm_places[] = {
        { "/etc/php/*/fpm/php-fpm.conf", "" },          /* Debian, Ubuntu: php<version>-fpm.service */
        { "/etc/php-fpm.conf", "php-fpm.service" },     /* RHEL, Fedora */
        { "/usr/local/etc/php-fpm.conf", NULL },        /* the official php container image */
        { NULL, NULL },
};

const char *host_unit_file_str(enum host_unit_file s) {
        static const char *const words[] = {
                [HOST_UNIT_UNKNOWN] = "unknown", [HOST_UNIT_NOT_FOUND] = "not-found",
                [HOST_UNIT_ENABLED] = "enabled", [HOST_UNIT_DISABLED] = "disabled",
                [HOST_UNIT_STATIC] = "static", [HOST_UNIT_MASKED] = "masked",
        };
        return (unsigned) s < sizeof(words) / sizeof(words[0]) ? words[s] : "unknown";
}

static bool on_host(const struct host_conf *h) {
        return !h->root[0];
}

/* MemTotal of /proc/meminfo, in bytes; 0 when it cannot be read. */
static uint64_t read_ram(void) {
        FILE *f = fopen("/proc/meminfo", "re");
        char line[256];
        uint64_t kib = 0;
        while (f && fgets(line, sizeof(line), f) && sscanf(line, "MemTotal: %" SCNu64 " kB", &kib) != 1)
                ;
        if (f)
                fclose(f);
        return kib * 1024;
}

/* Where nginx's main file is, and what its build says of the prefix and the default user. */
static void nginx_defaults(struct host_conf *h, const struct host_paths *p) {
        struct host_nginx_build b = { 0 };
        if (on_host(h))
                host_nginx_build_read(&b, HOST_NGINX_V_TIMEOUT_MS);
        const char *main = p && p->nginx_conf && p->nginx_conf[0] ? p->nginx_conf :
                           b.conf_path[0] ? b.conf_path : NGINX_MAIN;
        snprintf(h->nginx_wanted, sizeof(h->nginx_wanted), "%s", main);
        snprintf(h->nginx_prefix, sizeof(h->nginx_prefix), "%s", b.prefix[0] ? b.prefix : NGINX_PREFIX);
        snprintf(h->nginx_default_user, sizeof(h->nginx_default_user), "%s", b.user[0] ? b.user : NGINX_USER);
}

static int load_nginx(struct host_conf *h) {
        int r = nginx_conf_load(&h->nginx, h->root[0] ? h->root : NULL, h->nginx_wanted);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && h->nginx) {
                size_t n = h->nginx->n_diags;
                snprintf(h->nginx_unread, sizeof(h->nginx_unread), "%s", n ? h->nginx->diags[n - 1].text : strerror(-r));
                nginx_conf_free(h->nginx);      /* no nginx here */
                h->nginx = NULL;
        }
        if (h->nginx)
                snprintf(h->nginx_path, sizeof(h->nginx_path), "%s", h->nginx_wanted);
        return 0;
}

static void looked(struct host_conf *h, const char *what) {
        size_t n = strlen(h->fpm_looked);
        snprintf(h->fpm_looked + n, sizeof(h->fpm_looked) - n, "%s%s", n ? ", " : "", what);
}

/* A master by its path; its configuration is read once its unit is known (read_masters). */
static int add_master(struct host_conf *h, const char *path) {
        if (h->n_masters == HOST_MASTERS_MAX) {
                h->n_masters_dropped++;
                return 0;
        }
        struct host_master *m = &h->masters[h->n_masters++];
        *m = (struct host_master) { .unit_file = HOST_UNIT_UNKNOWN };
        snprintf(m->path, sizeof(m->path), "%s", path);
        return 0;
}

/* A master that no unit runs: on the host someone started it by hand, from an environment like
 * ours at best; under a root nothing is known of it. */
static int guess_env(const struct host_conf *h, struct host_master *m) {
        struct host_env e = { 0 };
        extern char **environ;
        for (char **p = environ; on_host(h) && p && *p; p++)
                if (host_env_put(&e, *p) == -ENOMEM)
                        return host_env_clear(&e), -ENOMEM;
        m->env = host_env_take(&e);
        m->env_from = on_host(h) ? HOST_ENV_PROCESS : HOST_ENV_NONE;
        return m->env ? 0 : -ENOMEM;
}

/* Each master's php-fpm.conf, read with its environment, and its php.ini's memory_limit. */
static int read_masters(struct host_conf *h) {
        for (size_t i = 0; i < h->n_masters; i++) {
                struct host_master *m = &h->masters[i];
                if (!m->env && guess_env(h, m) < 0)
                        return -ENOMEM;
                struct fpm_conf_options o = { .env = fpm_conf_envp, .env_ctx = m->env };
                if (!(m->conf = fpm_conf_load(h->root[0] ? h->root : NULL, m->path, &o)))
                        return -ENOMEM;
                host_php_ini(h, m);
        }
        return 0;
}

/* The masters at the default places: every match of each glob, inside the root. */
static int default_masters(struct host_conf *h) {
        int r = 0;
        for (size_t i = 0; host_fpm_places[i].pattern; i++) {
                glob_t g;
                looked(h, host_fpm_places[i].pattern);
                if (under_root_glob(h->root_fd, host_fpm_places[i].pattern, 0, &g) == 0)
                        for (size_t k = 0; r == 0 && k < g.gl_pathc; k++)
                                r = add_master(h, g.gl_pathv[k]);
                globfree(&g);
        }
        return r;
}

static int load_masters(struct host_conf *h, const struct host_paths *p) {
        h->fpm_default_places = !p || !p->fpm_confs || !p->n_fpm_confs;
        if (h->fpm_default_places)
                return default_masters(h);
        int r = 0;
        for (size_t i = 0; r == 0 && i < p->n_fpm_confs; i++) {
                looked(h, p->fpm_confs[i]);
                r = add_master(h, p->fpm_confs[i]);
        }
        return r;
}

size_t host_conf_problems(const struct host_conf *h, void (*fn)(void *userdata, const char *file, unsigned line,
                                                                const char *text), void *userdata) {
        size_t n = 0;
        if (h->nginx) {
                for (size_t i = 0; i < h->nginx->n_diags; i++)
                        fn(userdata, h->nginx->diags[i].at.file, h->nginx->diags[i].at.line, h->nginx->diags[i].text);
                n += h->nginx->n_diags + h->nginx->n_diags_dropped;
        }
        for (size_t m = 0; m < h->n_masters; m++) {
                const struct fpm_conf *c = h->masters[m].conf;
                for (size_t i = 0; i < c->n_diags; i++)
                        fn(userdata, c->diags[i].file, (unsigned) c->diags[i].line, c->diags[i].text);
                n += c->n_diags + c->n_diags_dropped;
        }
        return n;
}

void host_conf_sources(const struct host_conf *h, void (*fn)(void *userdata, const char *path), void *userdata) {
        if (h->nginx_wanted[0])
                fn(userdata, h->nginx_wanted);
        for (size_t i = 0; h->nginx && i < h->nginx->n_files; i++)
                fn(userdata, h->nginx->files[i]);
        for (size_t i = 0; h->nginx && i < h->nginx->n_includes; i++)
                fn(userdata, h->nginx->includes[i]);
        for (size_t i = 0; h->fpm_default_places && host_fpm_places[i].pattern; i++)
                fn(userdata, host_fpm_places[i].pattern);
        for (size_t m = 0; m < h->n_masters; m++) {
                const struct fpm_conf *c = h->masters[m].conf;
                char scan[PATH_MAX + 8];
                fn(userdata, h->masters[m].path);
                if (h->masters[m].php_ini[0])
                        fn(userdata, h->masters[m].php_ini);
                for (const char *p = h->masters[m].php_ini_scan; *p;) {
                        size_t n = strcspn(p, ":");
                        if (n && n < PATH_MAX) {
                                snprintf(scan, sizeof(scan), "%.*s/*.ini", (int) n, p);
                                fn(userdata, scan);
                        }
                        p += n + (p[n] == ':');
                }
                if (!c)
                        continue;
                for (size_t i = 0; i < c->n_files; i++)
                        fn(userdata, c->files[i]);
                for (size_t i = 0; i < c->n_includes; i++)
                        fn(userdata, c->includes[i].pattern);
        }
}

/* systemd is the init on the host, or the root is a systemd system's tree: only there is a
 * php-fpm without an enabled unit one that nothing starts (a container's runs as its PID 1). */
static bool runs_systemd(const struct host_conf *h) {
        struct stat st;
        if (on_host(h))
                return sd_booted() > 0;
        return (under_root_stat(h->root_fd, "/lib/systemd/system", &st) == 0 && S_ISDIR(st.st_mode)) ||
               (under_root_stat(h->root_fd, "/usr/lib/systemd/system", &st) == 0 && S_ISDIR(st.st_mode)) ||
               (under_root_stat(h->root_fd, "/etc/systemd/system", &st) == 0 && S_ISDIR(st.st_mode));
}

static void load_units(struct host_conf *h) {
        h->systemd = runs_systemd(h);
        if (!h->n_masters)
                return;
        h->units_from_bus = on_host(h) && sd_booted() > 0 && host_units_from_bus(h) == 0;
        if (!h->units_from_bus)
                host_units_from_files(h);
}

int host_conf_load(struct host_conf *h, const struct host_paths *p) {
        const char *root = p && p->root && p->root[0] ? p->root : NULL;
        *h = (struct host_conf) { .root_fd = -1 };
        if (root && strlen(root) >= sizeof(h->root))
                return -ENAMETOOLONG;
        if (root && strcmp(root, "/") != 0)
                snprintf(h->root, sizeof(h->root), "%s", root);
        h->root_fd = open(root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (h->root_fd < 0)
                return -errno;
        if (on_host(h))
                h->ram_bytes = read_ram();
        nginx_defaults(h, p);
        int r = load_nginx(h);
        if (r == 0)
                r = load_masters(h, p);
        if (r == 0)
                load_units(h);
        if (r == 0)
                r = read_masters(h);
        return r;
}

void host_conf_free(struct host_conf *h) {
        if (h->nginx)
                nginx_conf_free(h->nginx);
        h->nginx = NULL;
        for (size_t i = 0; i < h->n_masters; i++) {
                if (h->masters[i].conf)
                        fpm_conf_free(h->masters[i].conf);
                host_env_strv_free(h->masters[i].env);
                h->masters[i].conf = NULL;
                h->masters[i].env = NULL;
        }
        h->n_masters = 0;
        if (h->root_fd >= 0)
                close(h->root_fd);
        h->root_fd = -1;
}
