/* Files under a root taken as "/": a path walked one component at a time (see under_root.h). */
#include "under_root.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
        if (++w->links > UNDER_ROOT_LINKS_MAX)
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

/* path opened with flags under root; follow: whether a symlink at its end is followed. */
static int open_in_root(int root, const char *path, int flags, bool follow) {
        struct walk w = { .root = root, .dir = fcntl(root, F_DUPFD_CLOEXEC, 3) };
        size_t n = strlen(path);
        if (w.dir < 0)
                return -errno;
        int r = n < sizeof(w.todo) ? 0 : -ENAMETOOLONG;
        if (r == 0) {
                memcpy(w.todo, path, n + 1);
                r = walk(&w, flags, follow);
        }
        close(w.dir);
        return r;
}

int under_root_open(int root, const char *path) {
        return open_in_root(root, path, O_RDONLY | O_NOCTTY | O_NONBLOCK, true);
}

static int stat_in_root(int root, const char *path, struct stat *st, bool follow) {
        int fd = open_in_root(root, path, O_PATH, follow);
        if (fd < 0)
                return fd;
        int r = fstat(fd, st) < 0 ? -errno : 0;
        close(fd);
        return r;
}

int under_root_stat(int root, const char *path, struct stat *st) {
        return stat_in_root(root, path, st, true);
}

int under_root_lstat(int root, const char *path, struct stat *st) {
        return stat_in_root(root, path, st, false);
}

/* glob(3)'s GLOB_ALTDIRFUNC hooks take no user pointer: the root they read under. */
static __thread int glob_root = -1;

static void *glob_opendir(const char *path) {
        int fd = open_in_root(glob_root, path, O_RDONLY | O_DIRECTORY, true);
        DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
        if (fd < 0)
                errno = -fd;    /* glob(3) reads it: GLOB_ERR, or a missing directory skipped */
        else if (!d)
                close(fd);
        return d;
}

static struct dirent *glob_readdir(void *d) {
        return readdir(d);
}

static void glob_closedir(void *d) {
        closedir(d);
}

/* The hooks' convention: -1 with errno set. */
static int glob_result(int r) {
        if (r < 0)
                errno = -r;
        return r < 0 ? -1 : 0;
}

static int glob_stat(const char *path, struct stat *st) {
        return glob_result(under_root_stat(glob_root, path, st));
}

static int glob_lstat(const char *path, struct stat *st) {
        return glob_result(under_root_lstat(glob_root, path, st));
}

int under_root_glob(int root, const char *pattern, int flags, glob_t *g) {
        *g = (glob_t) { .gl_opendir = glob_opendir, .gl_readdir = glob_readdir, .gl_closedir = glob_closedir,
                        .gl_lstat = glob_lstat, .gl_stat = glob_stat };
        int saved = glob_root;
        glob_root = root;
        int r = glob(pattern, flags | GLOB_ALTDIRFUNC, NULL, g);
        glob_root = saved;
        return r;
}

/* buf grown to twice *cap, at most max + 1 bytes: a read that fills that is over max. */
static char *grow(char *buf, size_t *cap, size_t max) {
        size_t want = *cap > max / 2 ? max + 1 : *cap * 2;
        char *p = realloc(buf, want);
        if (!p)
                free(buf);
        *cap = want;
        return p;
}

/* fd, a regular file, read to its end: st_size + 1 bytes asked first, so growth is seen;
 * cap never passes max + 1. */
static int read_fd(int fd, size_t max, char **text, size_t *n) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        *n = (size_t) st.st_size;
        if ((uintmax_t) st.st_size > max)
                return -EFBIG;
        size_t cap = *n + 1, got = 0;
        char *buf = malloc(cap);
        while (buf && got <= max) {
                if (got == cap && !(buf = grow(buf, &cap, max)))
                        break;
                ssize_t r = read(fd, buf + got, cap - got);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0) {
                        int e = -errno;
                        free(buf);
                        return e;
                }
                if (r == 0) {
                        *text = buf;
                        *n = got;
                        return 0;
                }
                got += (size_t) r;
        }
        if (!buf)
                return -ENOMEM;
        free(buf);      /* got is max + 1: it grew past max while read */
        *n = got;
        return -EFBIG;
}

int under_root_read(int root, const char *path, size_t max, char **text, size_t *n) {
        *text = NULL;
        *n = 0;
        if (max >= SIZE_MAX / 2)
                max = SIZE_MAX / 2;
        int fd = under_root_open(root, path);
        if (fd < 0)
                return fd;
        int r = read_fd(fd, max, text, n);
        close(fd);
        return r;
}

/* The host's name of what fd is open on, as a path under root ("" for root itself); -EXDEV
 * when it lies outside root (it cannot: the walk stays inside). */
static int name_under_root(int root, int fd, char *out, size_t size) {
        char link[64], real[PATH_MAX], top[PATH_MAX];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", root);
        ssize_t t = readlink(link, top, sizeof(top) - 1);
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, real, sizeof(real) - 1);
        if (t < 0 || n < 0)
                return -errno;
        top[t] = real[n] = '\0';
        size_t skip = strcmp(top, "/") == 0 ? 0 : (size_t) t;
        if (strncmp(real, top, skip) != 0 || (real[skip] != '/' && real[skip] != '\0'))
                return -EXDEV;
        return (size_t) snprintf(out, size, "%s", real + skip) < size ? 0 : -ENAMETOOLONG;
}

/* "a/./b/../c" → "a/c" in place; ".." above the start stops there, as under a root. */
static void tidy(char *path) {
        char *out = path, *p = path;
        while (*p) {
                p += strspn(p, "/");
                size_t n = strcspn(p, "/");
                if (n == 1 && p[0] == '.') {
                        p += n;
                } else if (n == 2 && p[0] == '.' && p[1] == '.') {
                        while (out > path && *--out != '/')
                                ;
                        p += n;
                } else if (n) {
                        *out++ = '/';
                        memmove(out, p, n);
                        out += n;
                        p += n;
                }
        }
        *out = '\0';
}

int under_root_canonical(int root, const char *path, char *out, size_t size) {
        char dir[PATH_MAX], rest[PATH_MAX] = "";
        if (!path || path[0] != '/' || strlen(path) >= sizeof(dir))
                return -EINVAL;
        snprintf(dir, sizeof(dir), "%s", path);
        tidy(dir);
        for (;;) {      /* the longest part that exists, its links followed; the rest as written */
                int fd = open_in_root(root, dir[0] ? dir : "/", O_PATH | O_CLOEXEC, true);
                if (fd >= 0) {
                        int r = name_under_root(root, fd, out, size);
                        close(fd);
                        if (r == 0 && (size_t) snprintf(out + strlen(out), size - strlen(out), "%s", rest) >= size - strlen(out))
                                r = -ENAMETOOLONG;
                        if (r == 0 && !out[0])
                                snprintf(out, size, "/");
                        return r;
                }
                char *slash = strrchr(dir, '/');
                if (!slash || (fd != -ENOENT && fd != -ENOTDIR && fd != -EACCES))
                        return fd;
                char joined[PATH_MAX];
                if ((size_t) snprintf(joined, sizeof(joined), "%s%s", slash, rest) >= sizeof(joined))
                        return -ENAMETOOLONG;
                memcpy(rest, joined, strlen(joined) + 1);
                *slash = '\0';
        }
}
