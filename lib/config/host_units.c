/* Each php-fpm master's systemd unit from the unit files under the root, read as systemd reads
 * them: the first unit directory that has the unit wins, its drop-ins <unit>.d/NAME.conf from every
 * directory apply in the order of their names (a name in an earlier directory hides the same name
 * in a later one), and the .wants/ and .requires/ links in etc/systemd/system enable it. */
#include "host_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "under_root.h"

enum { UNIT_FILE_MAX = 1 << 20, DROPINS_MAX = 64, EXEC_TEXT_MAX = 8192, CANDIDATES_MAX = 64, ENV_TEXT_MAX = 16384 };

/* systemd's system unit path, highest priority first (run/ holds nothing a host's files say). */
static const char *const unit_dirs[] = { "/etc/systemd/system", "/usr/local/lib/systemd/system",
                                         "/lib/systemd/system", "/usr/lib/systemd/system" };
enum { N_UNIT_DIRS = sizeof(unit_dirs) / sizeof(unit_dirs[0]) };

struct unit_file {
        bool found, masked, has_install;
        char memory[64];                /* the last MemoryMax= value; "" for none */
        char exec[EXEC_TEXT_MAX];       /* every ExecStart= command, one a line */
        char env[ENV_TEXT_MAX];         /* every Environment= value (DefaultEnvironment= in system.conf),
                                         * one a line */
        char env_files[ENV_TEXT_MAX];   /* every EnvironmentFile= path, one a line */
        char section[32];               /* the section being read */
};

int host_memory_parse(const char *value, uint64_t ram_bytes, uint64_t *bytes) {
        static const char units[] = "KMGTPE";
        char *end;
        if (!value[0] || strcmp(value, "infinity") == 0)
                return *bytes = 0, 0;
        errno = 0;
        double n = strtod(value, &end);
        if (end == value || errno || n < 0 || (value[0] < '0' || value[0] > '9'))
                return -EINVAL;
        if (strcmp(end, "%") == 0)
                return n > 100 ? -EINVAL : (*bytes = (uint64_t) ((double) ram_bytes * n / 100.0), 0);
        const char *u = *end ? strchr(units, *end) : NULL;
        if (*end && (!u || end[1]))
                return -EINVAL;
        double scale = 1;
        for (const char *p = units; u && p <= u; p++)
                scale *= 1024;
        if (n * scale >= 18446744073709551615.0)
                return -EINVAL;
        *bytes = (uint64_t) (n * scale);
        return 0;
}

/* "-y", "--fpm-config" then the path, or "--fpm-config=PATH", "-yPATH"; words split on white space. */
bool host_exec_names_conf(const char *command, const char *conf) {
        const char *p = command;
        bool next_is_conf = false;
        size_t cl = strlen(conf);
        while (*(p += strspn(p, " \t\n"))) {
                size_t n = strcspn(p, " \t\n");
                const char *value = next_is_conf ? p : NULL;
                next_is_conf = (n == 2 && strncmp(p, "-y", 2) == 0) || (n == 12 && strncmp(p, "--fpm-config", 12) == 0);
                if (!value && n > 13 && strncmp(p, "--fpm-config=", 13) == 0)
                        value = p + 13;
                else if (!value && n > 2 && strncmp(p, "-y", 2) == 0 && p[2] != '-')
                        value = p + 2;
                if (value && (size_t) (p + n - value) == cl && strncmp(value, conf, cl) == 0)
                        return true;
                p += n;
        }
        return false;
}

void host_unit_by_name(const char *conf_path, char *unit, size_t size) {
        char version[32], rest[8];
        unit[0] = '\0';
        for (size_t i = 0; host_fpm_places[i].pattern; i++) {
                const struct host_fpm_place *pl = &host_fpm_places[i];
                if (!pl->unit || fnmatch(pl->pattern, conf_path, FNM_PATHNAME) != 0)
                        continue;
                if (pl->unit[0])
                        snprintf(unit, size, "%s", pl->unit);
                else if (sscanf(conf_path, "/etc/php/%31[^/]/fpm/php-fpm.conf%7s", version, rest) == 1)
                        snprintf(unit, size, "php%s-fpm.service", version);
                return;
        }
}

/* value as a line of list; an empty value resets the list (ExecStart=, Environment=, EnvironmentFile=). */
static void append_line(char *list, size_t size, const char *value) {
        size_t have = strlen(list), n = strlen(value);
        if (!value[0]) {
                list[0] = '\0';
                return;
        }
        if (have + n + 2 <= size) {
                memcpy(list + have, value, n);
                memcpy(list + have + n, "\n", 2);
        }
}

static bool install_key(const char *key, const char *value) {
        static const char *const keys[] = { "WantedBy", "RequiredBy", "UpheldBy", "Alias", "Also" };
        for (size_t i = 0; value[0] && i < sizeof(keys) / sizeof(keys[0]); i++)
                if (strcmp(key, keys[i]) == 0)
                        return true;
        return false;
}

/* One logical line (continuations joined): a section header or "Key=value". */
static void unit_line(struct unit_file *u, char *line) {
        line += strspn(line, " \t");
        size_t n = strlen(line);
        while (n && strchr(" \t\r", line[n - 1]))
                line[--n] = '\0';
        if (!n || line[0] == '#' || line[0] == ';')
                return;
        if (line[0] == '[' && line[n - 1] == ']') {
                snprintf(u->section, sizeof(u->section), "%.*s", (int) (n - 2), line + 1);
                return;
        }
        char *eq = strchr(line, '=');
        if (!eq)
                return;
        char *key = line, *value = eq + 1, *kend = eq;
        while (kend > key && strchr(" \t", kend[-1]))
                kend--;
        *kend = '\0';
        value += strspn(value, " \t");
        if (strcmp(u->section, "Service") == 0 && strcmp(key, "ExecStart") == 0)
                append_line(u->exec, sizeof(u->exec), value);
        else if ((strcmp(u->section, "Service") == 0 && strcmp(key, "Environment") == 0) ||
                 (strcmp(u->section, "Manager") == 0 && strcmp(key, "DefaultEnvironment") == 0))
                append_line(u->env, sizeof(u->env), value);
        else if (strcmp(u->section, "Service") == 0 && strcmp(key, "EnvironmentFile") == 0)
                append_line(u->env_files, sizeof(u->env_files), value);
        else if (strcmp(u->section, "Service") == 0 && strcmp(key, "MemoryMax") == 0)
                snprintf(u->memory, sizeof(u->memory), "%s", value);
        else if (strcmp(u->section, "Install") == 0 && install_key(key, value))
                u->has_install = true;
}

/* A unit file's text, line by line; a line ending in '\' goes on at the next one. */
static void unit_text(struct unit_file *u, char *text, bool is_dropin) {
        char *logical = text, *out = text;
        u->section[0] = '\0';
        bool had_install = u->has_install;
        for (char *p = text; *p; p++) {
                if (*p == '\\' && p[1] == '\n') {
                        *out++ = ' ';
                        p++;
                } else if (*p == '\n') {
                        *out = '\0';
                        unit_line(u, logical);
                        logical = out = p + 1;
                } else {
                        *out++ = *p;
                }
        }
        *out = '\0';
        unit_line(u, logical);
        if (is_dropin)
                u->has_install = had_install;   /* [Install] counts in the unit file itself */
}

/* A unit file's text, NUL-terminated (malloc'd), or NULL. */
static char *read_text(int root, const char *path) {
        char *text = NULL;
        size_t n;
        if (under_root_read(root, path, UNIT_FILE_MAX, &text, &n) < 0)
                return NULL;
        char *z = realloc(text, n + 1);
        if (!z) {
                free(text);
                return NULL;
        }
        z[n] = '\0';
        return z;
}

/* name's symlink target in dir under root, or "" when it is no symlink. */
static void link_target(int root, const char *dir, const char *name, char *buf, size_t size) {
        int fd = under_root_open(root, dir);
        ssize_t n = fd >= 0 ? readlinkat(fd, name, buf, size - 1) : -1;
        buf[n > 0 ? n : 0] = '\0';
        if (fd >= 0)
                close(fd);
}

static bool is_dev_null(int root, const char *path, const char *dir, const char *name) {
        char target[PATH_MAX];
        struct stat st;
        link_target(root, dir, name, target, sizeof(target));
        if (strcmp(target, "/dev/null") == 0)
                return true;
        return under_root_stat(root, path, &st) == 0 &&
               ((S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) || (S_ISREG(st.st_mode) && st.st_size == 0));
}

/* The unit file itself: the first unit directory that has an entry of that name. */
static void read_fragment(int root, const char *name, struct unit_file *u) {
        for (size_t i = 0; i < N_UNIT_DIRS && !u->found; i++) {
                char path[PATH_MAX];
                struct stat st;
                snprintf(path, sizeof(path), "%s/%s", unit_dirs[i], name);
                if (under_root_lstat(root, path, &st) < 0)
                        continue;
                u->found = true;
                u->masked = is_dev_null(root, path, unit_dirs[i], name);
                char *text = u->masked ? NULL : read_text(root, path);
                if (text)
                        unit_text(u, text, false);
                free(text);
        }
}

struct dropin {
        char path[PATH_MAX];
        const char *base;       /* its name, inside path */
};

static int by_base(const void *a, const void *b) {
        return strcmp(((const struct dropin *) a)->base, ((const struct dropin *) b)->base);
}

static void add_dropin(struct dropin *d, size_t *n, const char *path) {
        const char *base = strrchr(path, '/') + 1;
        for (size_t i = 0; i < *n; i++)
                if (strcmp(d[i].base, base) == 0)
                        return;         /* a higher directory has this name: it hides this one */
        if (*n == DROPINS_MAX || strlen(path) >= sizeof(d[*n].path))
                return;
        snprintf(d[*n].path, sizeof(d[*n].path), "%s", path);
        d[*n].base = strrchr(d[*n].path, '/') + 1;
        (*n)++;
}

static void read_dropins(int root, const char *name, struct unit_file *u) {
        struct dropin *d = calloc(DROPINS_MAX, sizeof(*d));
        size_t n = 0;
        if (!d)
                return;
        for (size_t i = 0; i < N_UNIT_DIRS; i++) {
                char pattern[PATH_MAX];
                glob_t g;
                snprintf(pattern, sizeof(pattern), "%s/%s.d/*.conf", unit_dirs[i], name);
                if (under_root_glob(root, pattern, 0, &g) == 0)
                        for (size_t k = 0; k < g.gl_pathc; k++)
                                add_dropin(d, &n, g.gl_pathv[k]);
                globfree(&g);
        }
        qsort(d, n, sizeof(d[0]), by_base);
        for (size_t i = 0; i < n; i++) {
                char *text = read_text(root, d[i].path);
                if (text)
                        unit_text(u, text, true);
                free(text);
        }
        free(d);
}

static bool enabled(int root, const char *name) {
        static const char *const kinds[] = { "wants", "requires" };
        bool yes = false;
        for (size_t i = 0; i < 2 && !yes; i++) {
                char pattern[PATH_MAX];
                glob_t g;
                snprintf(pattern, sizeof(pattern), "/etc/systemd/system/*.%s/%s", kinds[i], name);
                yes = under_root_glob(root, pattern, GLOB_NOESCAPE, &g) == 0 && g.gl_pathc > 0;
                globfree(&g);
        }
        return yes;
}

static void read_unit(int root, const char *name, struct unit_file *u) {
        *u = (struct unit_file) { 0 };
        read_fragment(root, name, u);
        if (u->found && !u->masked)
                read_dropins(root, name, u);
}

static enum host_unit_file unit_file_state(int root, const char *name, const struct unit_file *u) {
        if (!u->found)
                return HOST_UNIT_NOT_FOUND;
        if (u->masked)
                return HOST_UNIT_MASKED;
        if (enabled(root, name))
                return HOST_UNIT_ENABLED;
        return u->has_install ? HOST_UNIT_DISABLED : HOST_UNIT_STATIC;
}

/* The php*-fpm*.service names in every unit directory, once each. */
static size_t candidates(int root, char names[][HOST_UNIT_MAX], size_t max) {
        size_t n = 0;
        for (size_t i = 0; i < N_UNIT_DIRS; i++) {
                char pattern[PATH_MAX];
                glob_t g;
                snprintf(pattern, sizeof(pattern), "%s/php*-fpm*.service", unit_dirs[i]);
                if (under_root_glob(root, pattern, 0, &g) != 0)
                        g.gl_pathc = 0;
                for (size_t k = 0; k < g.gl_pathc; k++) {
                        const char *base = strrchr(g.gl_pathv[k], '/') + 1;
                        size_t j = 0;
                        while (j < n && strcmp(names[j], base) != 0)
                                j++;
                        if (j == n && n < max && strlen(base) < HOST_UNIT_MAX)
                                snprintf(names[n++], HOST_UNIT_MAX, "%s", base);
                }
                globfree(&g);
        }
        return n;
}

/* The manager's DefaultEnvironment=: etc/systemd/system.conf, then its system.conf.d/ drop-ins. */
static void manager_env(int root, struct unit_file *u) {
        glob_t g;
        char *text = read_text(root, "/etc/systemd/system.conf");
        *u = (struct unit_file) { 0 };
        if (text)
                unit_text(u, text, false);
        free(text);
        if (under_root_glob(root, "/etc/systemd/system.conf.d/*.conf", 0, &g) != 0)
                g.gl_pathc = 0;
        for (size_t k = 0; k < g.gl_pathc; k++) {
                if ((text = read_text(root, g.gl_pathv[k])))
                        unit_text(u, text, true);
                free(text);
        }
        globfree(&g);
}

/* What the unit gives php-fpm: the manager's defaults, Environment=, then EnvironmentFile=. */
static void set_env(struct host_conf *h, struct host_master *m, const struct unit_file *u, const char *defaults) {
        struct host_env e = { 0 };
        host_env_assignments(&e, defaults);
        host_env_assignments(&e, u->env);
        host_env_files(&e, h->root_fd, u->env_files);
        host_env_strv_free(m->env);
        m->env = host_env_take(&e);
        m->env_from = HOST_ENV_UNIT;
}

static void set_unit(struct host_conf *h, struct host_master *m, const char *name, const struct unit_file *u,
                     const char *defaults) {
        snprintf(m->unit, sizeof(m->unit), "%s", name);
        m->unit_file = unit_file_state(h->root_fd, name, u);
        if (host_memory_parse(u->memory, h->ram_bytes, &m->memory_max) < 0)
                m->memory_max = 0;
        if (u->found && !u->masked)
                set_env(h, m, u, defaults);
}

void host_units_from_files(struct host_conf *h) {
        char (*names)[HOST_UNIT_MAX] = calloc(CANDIDATES_MAX, HOST_UNIT_MAX);
        struct unit_file *found = calloc(1, sizeof(*found)), *manager = calloc(1, sizeof(*manager));
        if (manager)
                manager_env(h->root_fd, manager);
        const char *defaults = manager ? manager->env : "";
        size_t n = names && found ? candidates(h->root_fd, names, CANDIDATES_MAX) : 0;
        for (size_t i = 0; names && found && i < h->n_masters; i++) {
                struct host_master *m = &h->masters[i];
                bool done = false;
                for (size_t k = 0; k < n && !done; k++) {
                        read_unit(h->root_fd, names[k], found);
                        if ((done = !found->masked && host_exec_names_conf(found->exec, m->path)))
                                set_unit(h, m, names[k], found, defaults);
                }
                char by_name[HOST_UNIT_MAX];
                host_unit_by_name(m->path, by_name, sizeof(by_name));
                if (!done && by_name[0]) {
                        read_unit(h->root_fd, by_name, found);
                        set_unit(h, m, by_name, found, defaults);
                }
        }
        free(names);
        free(found);
        free(manager);
}
