/* nginx_conf_load(): the files behind nginx_conf_parse(), found as nginx finds them, under a root. */
#include "nginx_conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(NGINX_LOAD_FILE_MAX == 16 << 20, "why() says 16 MiB");

struct loader {
        struct nginx_conf *c;
        int root;                       /* O_PATH descriptor of the root directory */
        char prefix[PATH_MAX];          /* main file's directory with its '/': nginx's conf prefix */
        size_t reads, bytes;
        bool capped;                    /* a read cap was reported */
};

/* path resolved inside root: "..", and symlinks absolute or not, never leave it. */
static int open_in_root(int root, const char *path, int flags) {
        struct open_how how = { .flags = (uint64_t) (flags | O_CLOEXEC),
                                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
        int fd = (int) syscall(SYS_openat2, root, path, &how, sizeof(how));
        if (fd >= 0 || errno != ENOSYS)
                return fd;
        while (*path == '/')    /* before Linux 5.6: under root, but symlinks are not confined */
                path++;
        return openat(root, *path ? path : ".", flags | O_CLOEXEC);
}

/* glob(3)'s GLOB_ALTDIRFUNC hooks take no user pointer: the root they read under. */
static __thread int glob_root = -1;

static void *glob_opendir(const char *path) {
        int fd = open_in_root(glob_root, path, O_RDONLY | O_DIRECTORY);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (fd >= 0 && !d)
                close(fd);
        return d;
}

static struct dirent *glob_readdir(void *d) {
        return readdir(d);
}

static void glob_closedir(void *d) {
        closedir(d);
}

static int stat_in_root(const char *path, struct stat *st, int flags) {
        int fd = open_in_root(glob_root, path, O_PATH | flags);
        if (fd < 0)
                return -1;
        int r = fstat(fd, st);
        close(fd);
        return r;
}

static int glob_stat(const char *path, struct stat *st) {
        return stat_in_root(path, st, 0);
}

static int glob_lstat(const char *path, struct stat *st) {
        return stat_in_root(path, st, O_NOFOLLOW);
}

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

/* A regular file whole into *text (malloc'd) and *n. -errno; -EINVAL: not a regular file,
 * -E2BIG: past a cap (already reported). */
static int read_fd(struct loader *l, int fd, const char *path, const char *from, unsigned line, char **text, size_t *n) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        if (st.st_size > NGINX_LOAD_FILE_MAX)
                return -EFBIG;
        size_t size = (size_t) st.st_size, got = 0;
        if (!may_read(l, size, path, from, line))
                return -E2BIG;
        char *buf = malloc(size ? size : 1);
        while (buf && got < size) {
                ssize_t r = read(fd, buf + got, size - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        int e = -errno;
                        free(buf);
                        return e;
                }
                if (r == 0)     /* it shrank: what is there */
                        break;
                got += (size_t) r;
        }
        *text = buf;
        *n = got;
        return buf ? 0 : -ENOMEM;
}

static const char *why(int r) {
        if (r == -EINVAL)
                return "not a regular file";
        if (r == -EFBIG)
                return "larger than 16 MiB";
        return strerror(-r);
}

/* Reads path under the root and parses it where the include stands. */
static int read_and_parse(struct loader *l, const char *path, const char *from, unsigned line) {
        char *text = NULL;
        size_t n = 0;
        int fd = open_in_root(l->root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
        int r = fd < 0 ? -errno : read_fd(l, fd, path, from, line, &text, &n);
        if (fd >= 0)
                close(fd);
        if (r < 0 && r != -ENOMEM && r != -E2BIG)
                cannot_read(l, path, from, line, why(r));
        if (r < 0)
                return r;
        r = nginx_conf_parse(l->c, path, text, n);
        free(text);
        return r;
}

/* The matches of a pattern, sorted, as glob(3) gives them to ngx_conf_include(); none is fine. */
static int include_glob(struct loader *l, const char *pattern, const char *from, unsigned line) {
        glob_t g = { .gl_opendir = glob_opendir, .gl_readdir = glob_readdir, .gl_closedir = glob_closedir,
                     .gl_lstat = glob_lstat, .gl_stat = glob_stat };
        int saved = glob_root;
        glob_root = l->root;
        int r = glob(pattern, GLOB_ALTDIRFUNC, NULL, &g);
        glob_root = saved;
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
                nginx_conf_report(l.c, main_path, 0, "cannot open the root \"%.200s\": %s", root, strerror(-r));
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
