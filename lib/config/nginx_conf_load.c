/* nginx_conf_load(): the files behind nginx_conf_parse(), found as nginx finds them, under a root. */
#include "nginx_conf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(NGINX_LOAD_FILE_MAX == 16 << 20, "why() says 16 MiB");

struct loader {
        struct nginx_conf *c;
        int root;                       /* O_PATH descriptor of the root directory */
        char prefix[PATH_MAX];          /* main file's directory with its '/': nginx's conf prefix */
        size_t reads, bytes;
        bool capped;                    /* a read cap was reported */
};

enum { LINKS_MAX = 40 };        /* symlinks followed in one path: the kernel's MAXSYMLINKS */

/* A path walked one component at a time from root, as if root were "/". */
struct walk {
        int root;
        int dir;                /* the directory reached so far */
        unsigned depth;         /* its components below root: ".." stops at 0 */
        unsigned links;
        char todo[PATH_MAX];    /* what is left to walk */
};

/* Moves to directory fd, closing the one before; false (errno set) when fd < 0. */
static bool walk_to(struct walk *w, int fd) {
        if (fd < 0)
                return false;
        close(w->dir);
        w->dir = fd;
        return true;
}

/* The symlink name's target in front of rest; from root when the target is absolute. */
static int walk_link(struct walk *w, const char *name, const char *rest) {
        char target[PATH_MAX], next[PATH_MAX];
        if (++w->links > LINKS_MAX)
                return -ELOOP;
        ssize_t n = readlinkat(w->dir, name, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        if ((size_t) snprintf(next, sizeof(next), "%s%s", target, rest) >= sizeof(next))
                return -ENAMETOOLONG;
        if (target[0] == '/') {
                if (!walk_to(w, fcntl(w->root, F_DUPFD_CLOEXEC, 3)))
                        return -errno;
                w->depth = 0;
        }
        memcpy(w->todo, next, strlen(next) + 1);
        return 0;
}

/* One step down; the last component opened with flags, a symlink there followed if follow. */
static int walk_down(struct walk *w, const char *name, bool last, int flags, bool follow, const char **rest) {
        struct stat st;
        if (fstatat(w->dir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        if (S_ISLNK(st.st_mode) && (!last || follow)) {
                int r = walk_link(w, name, *rest);
                *rest = w->todo;
                return r < 0 ? r : 0;
        }
        if (last) {
                int fd = openat(w->dir, name, flags | O_NOFOLLOW | O_CLOEXEC);
                return fd < 0 ? -errno : fd;
        }
        if (!walk_to(w, openat(w->dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)))
                return -errno;
        w->depth++;
        return 0;
}

/* An open descriptor for what w->todo names, or -errno. */
static int walk(struct walk *w, int flags, bool follow) {
        const char *p = w->todo;
        char name[NAME_MAX + 1];
        for (;;) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 0) {           /* "/", "dir/": the directory reached */
                        int fd = openat(w->dir, ".", flags | O_CLOEXEC);
                        return fd < 0 ? -errno : fd;
                }
                if (n > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(name, p, n);
                name[n] = '\0';
                p += n;
                bool last = p[strspn(p, "/")] == '\0';
                if (strcmp(name, "..") == 0 && w->depth > 0) {
                        if (!walk_to(w, openat(w->dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC)))
                                return -errno;
                        w->depth--;
                } else if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
                        int r = walk_down(w, name, last, flags, follow, &p);
                        if (r != 0)
                                return r;
                }
        }
}

/*
 * path opened as if root were "/", like openat2()'s RESOLVE_IN_ROOT (not used: valgrind and
 * older kernels lack it): ".." stops at root, a symlink's target is walked in its place, from
 * root when absolute. follow: whether a symlink as the last component is followed. An open
 * descriptor, or -1 with errno set.
 */
static int open_in_root(int root, const char *path, int flags, bool follow) {
        struct walk w = { .root = root, .dir = fcntl(root, F_DUPFD_CLOEXEC, 3) };
        size_t n = strlen(path);
        int r = n < sizeof(w.todo) ? 0 : -ENAMETOOLONG;
        if (w.dir < 0)
                return -1;
        if (r == 0) {
                memcpy(w.todo, path, n + 1);
                r = walk(&w, flags, follow);
        }
        close(w.dir);
        if (r < 0)
                errno = -r;
        return r < 0 ? -1 : r;
}

/* glob(3)'s GLOB_ALTDIRFUNC hooks take no user pointer: the root they read under. */
static __thread int glob_root = -1;

static void *glob_opendir(const char *path) {
        int fd = open_in_root(glob_root, path, O_RDONLY | O_DIRECTORY, true);
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

static int stat_in_root(const char *path, struct stat *st, bool follow) {
        int fd = open_in_root(glob_root, path, O_PATH, follow);
        if (fd < 0)
                return -1;
        int r = fstat(fd, st);
        close(fd);
        return r;
}

static int glob_stat(const char *path, struct stat *st) {
        return stat_in_root(path, st, true);
}

static int glob_lstat(const char *path, struct stat *st) {
        return stat_in_root(path, st, false);
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
        int fd = open_in_root(l->root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, true);
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
