/* fpm_conf_load(): the file I/O around the pure reader in fpm_conf.c. */
#include "fpm_conf.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct loader {
        const char *root;       /* no trailing '/'; "" for the host */
        char *glob_root;        /* root with glob(3)'s special characters escaped */
};

/* Reads fd whole into *buf; 0, or a positive errno (EFBIG past FPM_CONF_FILE_SIZE_MAX). */
static int read_all(int fd, char **buf, size_t *n) {
        size_t cap = 0;
        *buf = NULL;
        *n = 0;
        for (;;) {
                if (*n == cap) {
                        if (cap > FPM_CONF_FILE_SIZE_MAX)
                                return EFBIG;
                        cap = cap ? cap * 2 : 16384;
                        char *p = realloc(*buf, cap);
                        if (!p)
                                return ENOMEM;
                        *buf = p;
                }
                ssize_t r = read(fd, *buf + *n, cap - *n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        return errno;
                if (r == 0)
                        return *n > FPM_CONF_FILE_SIZE_MAX ? EFBIG : 0;
                *n += (size_t) r;
        }
}

/* Opens what the host calls path, under the root; a FIFO must not block us. */
static int open_file(const struct loader *l, const char *path, struct stat *st) {
        char full[PATH_MAX];
        const char *sep = !*l->root || *path == '/' ? "" : "/";
        if ((size_t) snprintf(full, sizeof(full), "%s%s%s", l->root, sep, path) >= sizeof(full))
                return -ENAMETOOLONG;
        int fd = open(full, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        if (!S_ISREG(st->st_mode)) {
                close(fd);
                return S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
        }
        return fd;
}

static const char *why(int e) {
        return e == EINVAL ? "not a regular file" : e == EFBIG ? "over the 4 MiB read of a configuration file" :
               strerror(e);
}

/* Reads and parses path; a problem is said at the include= line (from), or about path itself. */
static void load_file(struct fpm_conf *c, const struct loader *l, const char *path, const char *from, int line) {
        struct stat st;
        char *buf = NULL;
        size_t n = 0;
        int fd = open_file(l, path, &st), e = fd < 0 ? -fd : 0;
        if (fd >= 0 && (size_t) st.st_size > FPM_CONF_FILE_SIZE_MAX)
                e = EFBIG;
        else if (fd >= 0)
                e = read_all(fd, &buf, &n);
        if (fd >= 0)
                close(fd);
        if (e == 0)
                fpm_conf_parse(c, path, buf, n);
        else if (from)
                fpm_conf_diag(c, from, line, FPM_CONF_ERROR, "cannot read %s: %s (php-fpm refuses to start)", path,
                              why(e));
        else
                fpm_conf_diag(c, path, 0, FPM_CONF_ERROR, "cannot read it: %s", why(e));
        free(buf);
}

static int follow_include(void *ctx, struct fpm_conf *c, const char *pattern, const char *file, int line) {
        const struct loader *l = ctx;
        size_t root = strlen(l->root);
        char *full;
        if (asprintf(&full, "%s%s", l->glob_root, pattern) < 0)
                return 0;
        glob_t g = { 0 };
        int r = glob(full, GLOB_ERR | GLOB_MARK, NULL, &g), matched = 0;
        free(full);
        if (r == GLOB_NOMATCH)
                fpm_conf_diag(c, file, line, FPM_CONF_WARNING, "include: nothing matches %s (php-fpm goes on)", pattern);
        else if (r != 0)
                fpm_conf_diag(c, file, line, FPM_CONF_ERROR, "include: cannot list %s: %s (php-fpm refuses to start)",
                              pattern, r == GLOB_NOSPACE ? strerror(ENOMEM) : "a directory is missing or unreadable");
        for (size_t i = 0; r == 0 && i < g.gl_pathc; i++) {
                const char *path = g.gl_pathv[i] + root;
                size_t n = strlen(path);
                if (n && path[n - 1] == '/')
                        continue;       /* GLOB_MARK: a directory, which php-fpm skips */
                matched++;
                load_file(c, l, path, file, line);
        }
        globfree(&g);
        return matched;
}

static char *escape_glob(const char *s) {
        char *out = malloc(strlen(s) * 2 + 1), *o = out;
        for (; out && *s; s++) {
                if (strchr("*?[]\\", *s))
                        *o++ = '\\';
                *o++ = *s;
        }
        if (out)
                *o = '\0';
        return out;
}

/* "/usr/local/etc/php-fpm.conf" → "/usr/local": php-fpm's default file is PHP_SYSCONFDIR/php-fpm.conf. */
static char *prefix_of(const char *main_path) {
        static const char tail[] = "/etc/php-fpm.conf";
        size_t n = strlen(main_path), t = sizeof(tail) - 1;
        if (n <= t || strcmp(main_path + n - t, tail) != 0)
                return NULL;
        return strndup(main_path, n - t);
}

struct fpm_conf *fpm_conf_load(const char *root, const char *main_path, const struct fpm_conf_options *o) {
        struct fpm_conf_options opt = o ? *o : (struct fpm_conf_options) { 0 };
        char *php_prefix = NULL, *localstatedir = NULL, *root_copy = strdup(root ? root : "");
        if (!root_copy)
                return NULL;
        size_t rn = strlen(root_copy);
        while (rn && root_copy[rn - 1] == '/')
                root_copy[--rn] = '\0';
        struct loader l = { .root = root_copy, .glob_root = escape_glob(root_copy) };
        if (!opt.php_prefix && (php_prefix = prefix_of(main_path))) {
                opt.php_prefix = php_prefix;
                if (asprintf(&localstatedir, "%s/var", php_prefix) >= 0 && !opt.localstatedir)
                        opt.localstatedir = localstatedir;
        }
        opt.include = follow_include;
        opt.include_ctx = &l;
        struct fpm_conf *c = l.glob_root ? fpm_conf_new(&opt) : NULL;
        if (c) {
                load_file(c, &l, main_path, NULL, 0);
                fpm_conf_finish(c);
        }
        free(l.glob_root);
        free(root_copy);
        free(php_prefix);
        free(localstatedir);
        return c;
}
