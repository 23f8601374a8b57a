/* nginx_conf_load(): the files behind nginx_conf_parse(), found as nginx finds them, under a root. */
#include "nginx_conf.h"
#include "under_root.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(NGINX_LOAD_FILE_MAX == 16 << 20, "why() says 16 MiB");

struct loader {
        struct nginx_conf *c;
        int root;                       /* O_PATH descriptor of the root directory */
        char prefix[PATH_MAX];          /* main file's directory with its '/': nginx's conf prefix */
        size_t reads, bytes;
        bool capped;                    /* a read cap was reported */
        struct stat reading[NGINX_CONF_INCLUDE_DEPTH + 2];     /* the files being read, the main one first */
        size_t n_reading;
};

/* Reports at the include (from, line), or at the main file itself (from NULL). */
static void cannot_read(struct loader *l, const char *path, const char *from, unsigned line, const char *what) {
        if (from)
                nginx_conf_report(l->c, from, line, "cannot read \"%s\": %s", path, what);
        else
                nginx_conf_report(l->c, path, 0, "cannot read \"%s\": %s", path, what);
}

/* Within the caps: false, reported once, when this file would pass one. */
static bool may_read(struct loader *l, size_t size, const char *path, const char *from, unsigned line) {
        char what[128];
        if (l->reads < NGINX_LOAD_MAX_READS && size <= NGINX_LOAD_TOTAL_MAX - l->bytes) {
                l->reads++;
                l->bytes += size;
                return true;
        }
        if (l->reads < NGINX_LOAD_MAX_READS)
                snprintf(what, sizeof(what), "more than %d bytes read in all: it and the rest are not read",
                         NGINX_LOAD_TOTAL_MAX);
        else
                snprintf(what, sizeof(what), "more than %d files read: it and the rest are not read",
                         NGINX_LOAD_MAX_READS);
        if (!l->capped)
                cannot_read(l, path, from, line, what);
        l->capped = true;
        return false;
}

/* path's bytes within the caps: -E2BIG, reported, past a total cap; -errno as under_root_read(). */
static int read_capped(struct loader *l, const char *path, const char *from, unsigned line, char **text, size_t *n) {
        size_t left = NGINX_LOAD_TOTAL_MAX - l->bytes, max = left < NGINX_LOAD_FILE_MAX ? left : NGINX_LOAD_FILE_MAX;
        int r = under_root_read(l->root, path, l->reads < NGINX_LOAD_MAX_READS ? max : 0, text, n);
        if (r < 0 && (r != -EFBIG || *n > NGINX_LOAD_FILE_MAX))
                return r;
        if (may_read(l, *n, path, from, line))  /* r is 0: an -EFBIG under 16 MiB is past a total cap */
                return 0;
        free(*text);
        *text = NULL;
        return -E2BIG;
}

static const char *why(int r) {
        if (r == -EINVAL)
                return "not a regular file";
        if (r == -EFBIG)
                return "larger than 16 MiB";
        return strerror(-r);
}

/* st is a file being read already, under this name or another: an include loop. */
static bool reading(const struct loader *l, const struct stat *st) {
        for (size_t i = 0; i < l->n_reading; i++)
                if (l->reading[i].st_dev == st->st_dev && l->reading[i].st_ino == st->st_ino)
                        return true;
        return false;
}

/* Reads path under the root and parses it where the include stands. */
static int read_and_parse(struct loader *l, const char *path, const char *from, unsigned line) {
        char *text = NULL;
        size_t n = 0;
        struct stat st;
        bool known = under_root_stat(l->root, path, &st) == 0;
        if (known && reading(l, &st)) {
                nginx_conf_report_loop(l->c, from, line, path);
                return 0;
        }
        int r = read_capped(l, path, from, line, &text, &n);
        if (r < 0 && r != -ENOMEM && r != -E2BIG)
                cannot_read(l, path, from, line, why(r));
        if (r < 0)
                return r;
        bool push = known && l->n_reading < sizeof(l->reading) / sizeof(l->reading[0]);
        if (push)
                l->reading[l->n_reading++] = st;
        r = nginx_conf_parse(l->c, path, text, n);
        if (push)
                l->n_reading--;
        free(text);
        return r;
}

/* The matches of a pattern, sorted, as glob(3) gives them to ngx_conf_include(); none is fine. */
static int include_glob(struct loader *l, const char *pattern, const char *from, unsigned line) {
        glob_t g;
        int r = under_root_glob(l->root, pattern, 0, &g);
        if (r == GLOB_NOSPACE) {
                globfree(&g);
                return -ENOMEM;
        }
        for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
                r = read_and_parse(l, g.gl_pathv[i], from, line) == -ENOMEM ? -ENOMEM : 0;
        globfree(&g);
        return r == -ENOMEM ? r : 0;
}

static int include(void *ud, const char *pattern, const char *from, unsigned line) {
        struct loader *l = ud;
        char path[PATH_MAX];
        int n = snprintf(path, sizeof(path), "%s%s", pattern[0] == '/' ? "" : l->prefix, pattern);
        if (n < 0 || (size_t) n >= sizeof(path)) {
                nginx_conf_report(l->c, from, line, "include \"%.64s...\": the path is too long", pattern);
                return 0;
        }
        nginx_conf_note_include(l->c, path);
        if (strpbrk(path, "*?["))
                return include_glob(l, path, from, line);
        int r = read_and_parse(l, path, from, line);
        return r == -ENOMEM ? r : 0;
}

int nginx_conf_load(struct nginx_conf **out, const char *root, const char *main_path) {
        struct loader l = { .root = -1 };
        const char *slash = main_path ? strrchr(main_path, '/') : NULL;
        *out = NULL;
        if (!main_path || main_path[0] != '/' || (size_t) (slash - main_path) + 1 >= sizeof(l.prefix))
                return -EINVAL;
        memcpy(l.prefix, main_path, (size_t) (slash - main_path) + 1);
        if (!(l.c = nginx_conf_new(include, &l)))
                return -ENOMEM;
        int r;
        l.root = open(root && *root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (l.root < 0) {
                r = -errno;
                nginx_conf_report(l.c, main_path, 0, "cannot open the root \"%.200s\": %s", root ? root : "/", strerror(-r));
        } else {
                r = read_and_parse(&l, main_path, NULL, 0);
                close(l.root);
        }
        if (r == -ENOMEM) {
                nginx_conf_free(l.c);
                return r;
        }
        *out = l.c;
        return r;
}
