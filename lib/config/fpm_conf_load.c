/* fpm_conf_load(): the file I/O around the pure reader in fpm_conf.c. */
#include "fpm_conf.h"
#include "under_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct loader {
        int root;       /* O_PATH descriptor of the root directory: "/" for the host */
};

static const char *why(int e) {
        return e == EINVAL ? "not a regular file" : e == EFBIG ? "over the 4 MiB read of a configuration file" :
               strerror(e);
}

/* Reads and parses path; a problem is said at the include= line (from), or about path itself. */
static void load_file(struct fpm_conf *c, const struct loader *l, const char *path, const char *from, int line) {
        char *buf = NULL;
        size_t n = 0;
        int e = -under_root_read(l->root, path, FPM_CONF_FILE_SIZE_MAX, &buf, &n);
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
        glob_t g;
        int r = under_root_glob(l->root, pattern, GLOB_ERR | GLOB_MARK, &g), matched = 0;
        if (r == GLOB_NOMATCH)
                fpm_conf_diag(c, file, line, FPM_CONF_WARNING, "include: nothing matches %s (php-fpm goes on)", pattern);
        else if (r != 0)
                fpm_conf_diag(c, file, line, FPM_CONF_ERROR, "include: cannot list %s: %s (php-fpm refuses to start)",
                              pattern, r == GLOB_NOSPACE ? strerror(ENOMEM) : "a directory is missing or unreadable");
        for (size_t i = 0; r == 0 && i < g.gl_pathc; i++) {
                const char *path = g.gl_pathv[i];
                size_t n = strlen(path);
                if (n && path[n - 1] == '/')
                        continue;       /* GLOB_MARK: a directory, which php-fpm skips */
                matched++;
                load_file(c, l, path, file, line);
        }
        globfree(&g);
        return matched;
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
        char *php_prefix = NULL, *localstatedir = NULL;
        struct loader l = { .root = open(root && *root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC) };
        int root_error = l.root < 0 ? errno : 0;
        if (!opt.php_prefix && (php_prefix = prefix_of(main_path))) {
                opt.php_prefix = php_prefix;
                if (asprintf(&localstatedir, "%s/var", php_prefix) >= 0 && !opt.localstatedir)
                        opt.localstatedir = localstatedir;
        }
        opt.include = follow_include;
        opt.include_ctx = &l;
        struct fpm_conf *c = fpm_conf_new(&opt);
        if (c && root_error)
                fpm_conf_diag(c, main_path, 0, FPM_CONF_ERROR, "cannot read it: the root %s: %s", root,
                              strerror(root_error));
        else if (c)
                load_file(c, &l, main_path, NULL, 0);
        if (c)
                fpm_conf_finish(c);
        if (l.root >= 0)
                close(l.root);
        free(php_prefix);
        free(localstatedir);
        return c;
}
