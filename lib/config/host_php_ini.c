/*
 * The php.ini a php-fpm master's PHP reads, for its memory_limit: php-fpm finds php.ini as PHP
 * does (main/php_ini.c): PHPRC (a file, or a directory holding php-fpm-fcgi.ini or php.ini), then
 * PHP_CONFIG_FILE_PATH, which each build sets; then every *.ini of the scan directories
 * (PHP_INI_SCAN_DIR, ':'-separated, an empty item for the build's own, else the build's) in
 * alphabetical order. The build's directories are not known here, so they come from the layout
 * the master's php-fpm.conf is in:
 *   - P/etc/php-fpm.conf with P "" (RHEL, Fedora): /etc/php.ini and /etc/php.d/;
 *   - P/etc/php-fpm.conf otherwise (the official image, P /usr/local): P/etc/php/php.ini and
 *     P/etc/php/conf.d/;
 *   - anything else (Debian's /etc/php/8.2/fpm/php-fpm.conf): php.ini and conf.d/ beside it;
 * and when that place has neither, RHEL's and then the image's places. The directory of php-fpm's
 * binary, which PHP also looks in, is not (no distribution puts a php.ini there).
 */
#include "host_parts.h"

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "under_root.h"

enum { INI_FILE_MAX = 4 << 20, SCAN_DIRS_MAX = 16 };

static const char *env_get(char **env, const char *name) {
        size_t n = strlen(name);
        for (char **p = env; p && *p; p++)
                if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
                        return *p + n + 1;
        return NULL;
}

/* PHP's quantity: an optional '-', digits, one of K, M, G (either case). */
static bool php_size(const char *t, long long *bytes) {
        const char *p = t + (*t == '-');
        long long n = 0;
        size_t digits = strspn(p, "0123456789");
        if (!digits || digits > 12)
                return false;
        for (size_t i = 0; i < digits; i++)
                n = n * 10 + (p[i] - '0');
        const char *u = p + digits;
        int shift = !*u ? 0 : u[1] ? -1 : strchr("kK", *u) ? 10 : strchr("mM", *u) ? 20 : strchr("gG", *u) ? 30 : -1;
        if (shift < 0)
                return false;
        *bytes = (*t == '-' ? -1 : 1) * (n << shift);
        return *bytes != 0 || *t != '-';
}

/* One "key = value" line (blanks trimmed around it); sets *v when the key is memory_limit. */
static void ini_line(const char *file, int line, char *s, struct host_php_ini_value *v) {
        char *eq = strchr(s, '=');
        if (!eq)
                return;
        char *kend = eq;
        while (kend > s && strchr(" \t", kend[-1]))
                kend--;
        if ((size_t) (kend - s) != strlen("memory_limit") || strncmp(s, "memory_limit", 12) != 0)
                return;
        char *val = eq + 1 + strspn(eq + 1, " \t"), *end;
        if ((*val == '"' || *val == '\'') && (end = strchr(val + 1, *val))) {
                val++;
        } else {
                end = val + strcspn(val, ";");
                while (end > val && strchr(" \t", end[-1]))
                        end--;
        }
        *end = '\0';
        long long bytes;
        if (strlen(val) >= sizeof(v->text) || !php_size(val, &bytes))
                return;         /* a constant, an expression, ${VAR}: not read here */
        v->bytes = bytes;
        snprintf(v->text, sizeof(v->text), "%s", val);
        snprintf(v->file, sizeof(v->file), "%s", file);
        v->line = line;
}

void host_php_ini_text(const char *file, const char *text, struct host_php_ini_value *v) {
        char *copy = strdup(text), *save = NULL;
        bool skip = false;      /* inside [HOST=…] or [PATH=…]: for some sites only */
        int line = 0;
        for (char *s = copy; s; s = save) {
                save = strchr(s, '\n');
                if (save)
                        *save++ = '\0';
                line++;
                s += strspn(s, " \t");
                size_t n = strlen(s);
                while (n && strchr(" \t\r", s[n - 1]))
                        s[--n] = '\0';
                if (s[0] == '[')
                        skip = strncasecmp(s + 1, "HOST=", 5) == 0 || strncasecmp(s + 1, "PATH=", 5) == 0;
                else if (!skip && s[0] && s[0] != ';')
                        ini_line(file, line, s, v);
        }
        free(copy);
}

static void read_ini(int root, const char *path, struct host_php_ini_value *v) {
        char *text = NULL;
        size_t n;
        char *z = under_root_read(root, path, INI_FILE_MAX, &text, &n) == 0 && !memchr(text, '\0', n) ?
                  strndup(text, n) : NULL;      /* text has no NUL of its own */
        if (z)
                host_php_ini_text(path, z, v);
        free(z);
        free(text);
}

/* dir/name ("/" alone taken as ""); "" when it does not fit. */
static void join(char *out, const char *dir, const char *name) {
        int w = snprintf(out, PATH_MAX, "%s/%s", strcmp(dir, "/") ? dir : "", name);
        if (w < 0 || w >= PATH_MAX)
                out[0] = '\0';
}

static bool is_file(int root, const char *path) {
        struct stat st;
        return under_root_stat(root, path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool is_dir(int root, const char *path) {
        struct stat st;
        return under_root_stat(root, path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* dir/php-fpm-fcgi.ini, else dir/php.ini, into ini when one is there. */
static bool ini_in(int root, const char *dir, char *ini, size_t size) {
        static const char *const names[] = { "php-fpm-fcgi.ini", "php.ini" };
        for (size_t i = 0; i < 2; i++) {
                char path[PATH_MAX];
                join(path, dir, names[i]);
                if (path[0] && is_file(root, path))
                        return snprintf(ini, size, "%s", path), true;
        }
        return false;
}

/* The build's directories for the master's layout: *dir (PHP_CONFIG_FILE_PATH) and *scan. */
static void layout(int root, const char *conf, char *dir, char *scan) {
        static const char tail[] = "/etc/php-fpm.conf";
        size_t n = strlen(conf), t = sizeof(tail) - 1;
        const char *slash = strrchr(conf, '/');
        if (n > t && strcmp(conf + n - t, tail) == 0) {
                snprintf(dir, PATH_MAX, "%.*s/etc/php", (int) (n - t), conf);
                join(scan, dir, "conf.d");
        } else if (n == t && strcmp(conf, tail) == 0) {
                snprintf(dir, PATH_MAX, "/etc");
                snprintf(scan, PATH_MAX, "/etc/php.d");
        } else {
                snprintf(dir, PATH_MAX, "%.*s", slash && slash != conf ? (int) (slash - conf) : 1, conf);
                join(scan, dir, "conf.d");
        }
        char probe[PATH_MAX];
        if (ini_in(root, dir, probe, sizeof(probe)) || is_dir(root, scan))
                return;
        static const char *const others[][2] = { { "/etc", "/etc/php.d" },
                                                 { "/usr/local/etc/php", "/usr/local/etc/php/conf.d" } };
        for (size_t i = 0; i < 2; i++)
                if (ini_in(root, others[i][0], probe, sizeof(probe)) || is_dir(root, others[i][1])) {
                        snprintf(dir, PATH_MAX, "%s", others[i][0]);
                        snprintf(scan, PATH_MAX, "%s", others[i][1]);
                        return;
                }
}

/* PHPRC: a file is php.ini itself; a directory is looked in before the build's. */
static void find_ini(const struct host_conf *h, const struct host_master *m, const char *dir, char *ini) {
        const char *rc = env_get(m->env, "PHPRC");
        if (rc && rc[0] == '/' && is_file(h->root_fd, rc) && strlen(rc) < PATH_MAX)
                snprintf(ini, PATH_MAX, "%s", rc);
        else if (!(rc && rc[0] == '/' && ini_in(h->root_fd, rc, ini, PATH_MAX)) && !ini_in(h->root_fd, dir, ini, PATH_MAX))
                join(ini, dir, "php.ini");
}

/* PHP_INI_SCAN_DIR: ':'-separated, an empty item stands for the build's; set but empty: none. */
static void find_scan(const struct host_master *m, const char *scan, char *out) {
        const char *env = env_get(m->env, "PHP_INI_SCAN_DIR");
        size_t used = 0;
        out[0] = '\0';
        if (!env) {
                snprintf(out, PATH_MAX, "%s", scan);
                return;
        }
        for (const char *p = env; *env;) {
                size_t n = strcspn(p, ":");
                const char *item = n ? p : scan;
                int w = snprintf(out + used, PATH_MAX - used, "%s%.*s", used ? ":" : "", (int) (n ? n : strlen(scan)),
                                 item);
                if (w < 0 || (size_t) w >= PATH_MAX - used)
                        break;
                used += (size_t) w;
                if (!p[n])
                        break;
                p += n + 1;
        }
}

void host_php_ini(const struct host_conf *h, struct host_master *m) {
        char dir[PATH_MAX], scan[PATH_MAX];
        layout(h->root_fd, m->path, dir, scan);
        find_ini(h, m, dir, m->php_ini);
        find_scan(m, scan, m->php_ini_scan);
        m->memory_limit = (struct host_php_ini_value) { 0 };
        read_ini(h->root_fd, m->php_ini, &m->memory_limit);
        for (const char *p = m->php_ini_scan; *p;) {
                size_t n = strcspn(p, ":");
                char pattern[PATH_MAX];
                glob_t g;
                if (n && n + 7 < sizeof(pattern)) {
                        snprintf(pattern, sizeof(pattern), "%.*s/*.ini", (int) n, p);
                        if (under_root_glob(h->root_fd, pattern, 0, &g) == 0)
                                for (size_t k = 0; k < g.gl_pathc; k++)
                                        read_ini(h->root_fd, g.gl_pathv[k], &m->memory_limit);
                        globfree(&g);
                }
                p += n + (p[n] == ':');
        }
}
