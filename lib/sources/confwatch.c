#include "confwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

enum { OPEN_WRITES_MAX = 64, NAME_KEEP = 256, READS_MAX = 16 };

#define DIR_MASK (IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
                  IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

/* A name that matters in a watched directory; "" for any (an include directory). */
struct wanted {
        int wd;
        char name[NAME_KEEP];
};

struct open_write {
        int wd;
        char name[NAME_KEEP];
};

struct confwatch {
        int fd;
        struct wanted wanted[CONFWATCH_MAX];
        int n_wanted;
        struct open_write writes[OPEN_WRITES_MAX];     /* modified, not yet closed */
        int n_writes;
};

int confwatch_new(struct confwatch **ret) {
        struct confwatch *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0) {
                int e = errno;
                free(w);
                return -e;
        }
        *ret = w;
        return 0;
}

struct confwatch *confwatch_free(struct confwatch *w) {
        if (w)
                close(w->fd);
        free(w);
        return NULL;
}

int confwatch_fd(const struct confwatch *w) {
        return w->fd;
}

void confwatch_clear(struct confwatch *w) {
        for (int i = 0; i < w->n_wanted; i++)
                inotify_rm_watch(w->fd, w->wanted[i].wd);      /* EINVAL for one removed already */
        w->n_wanted = 0;
        w->n_writes = 0;
}

static int watch_dir(struct confwatch *w, const char *dir, const char *name) {
        if (strlen(name) >= NAME_KEEP)
                return -ENAMETOOLONG;
        int wd = inotify_add_watch(w->fd, dir, DIR_MASK);
        if (wd < 0)
                return -errno;
        for (int i = 0; i < w->n_wanted; i++)
                if (w->wanted[i].wd == wd && (!w->wanted[i].name[0] || strcmp(w->wanted[i].name, name) == 0))
                        return 0;       /* already wanted, by name or as any name */
        if (w->n_wanted == CONFWATCH_MAX)
                return -ENOSPC;
        w->wanted[w->n_wanted].wd = wd;
        strcpy(w->wanted[w->n_wanted++].name, name);
        return 0;
}

/* dir for name, or its nearest ancestor that exists for the component leading to it: a
 * directory made later shows up there. dir is cut in place. */
static int watch_dir_or_ancestor(struct confwatch *w, char *dir, const char *name) {
        char component[NAME_KEEP];
        int r;
        while ((r = watch_dir(w, dir, name)) == -ENOENT || r == -ENOTDIR) {
                char *slash = strrchr(dir, '/');
                if (!slash || !dir[1] || strlen(slash + 1) >= sizeof(component))
                        return r;       /* "/" itself */
                strcpy(component, slash + 1);
                name = component;
                slash[slash == dir] = '\0';    /* "/etc" → "/" */
        }
        return r;
}

/* path split at its last '/' before the first wildcard: "/etc/nginx" and "nginx.conf", or
 * "/etc/php" and "" (any name) for "/etc/php/ *\/fpm/php-fpm.conf". */
static void split(const char *path, char *dir, size_t size, const char **name) {
        size_t wild = strcspn(path, "*?[");
        snprintf(dir, size, "%.*s", (int) wild, path);
        char *slash = strrchr(dir, '/');
        *name = path[wild] ? "" : path + (slash - dir) + 1;
        if (slash)
                slash[slash == dir] = '\0';
}

/* A pattern with its wildcard in a directory ("/etc/php/ *\/fpm/php-fpm.conf"): the rest of it
 * under each directory that matches now, so that a directory made inside one is seen too
 * (php8.2-fpm installed where php8.2-common made /etc/php/8.2 before). */
static int watch_matches(struct confwatch *w, const char *path) {
        size_t wild = strcspn(path, "*?[");
        const char *rest = path[wild] ? strchr(path + wild, '/') : NULL;
        char prefix[PATH_MAX], sub[PATH_MAX];
        struct stat st;
        glob_t g;
        if (!rest)
                return 0;
        snprintf(prefix, sizeof(prefix), "%.*s", (int) (rest - path), path);
        if (glob(prefix, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) != 0)
                return 0;
        int r = 0;
        for (size_t i = 0; i < g.gl_pathc && r >= 0; i++)
                if (stat(g.gl_pathv[i], &st) == 0 && S_ISDIR(st.st_mode) &&
                    snprintf(sub, sizeof(sub), "%s%s", g.gl_pathv[i], rest) < (int) sizeof(sub))
                        r = confwatch_add(w, sub);
        globfree(&g);
        return r;
}

int confwatch_add(struct confwatch *w, const char *path) {
        char dir[PATH_MAX], real[PATH_MAX];
        const char *name;
        if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
                return -EINVAL;
        split(path, dir, sizeof(dir), &name);
        int r = watch_dir_or_ancestor(w, dir, name);
        if (r == 0 && strpbrk(path, "*?["))
                return watch_matches(w, path);
        if (r < 0 || strpbrk(path, "*?[") || !realpath(path, real) || strcmp(real, path) == 0)
                return r;
        split(real, dir, sizeof(dir), &name);
        return watch_dir_or_ancestor(w, dir, name);
}

static bool editors_own(const char *name) {
        size_t n = strlen(name);
        return name[0] == '.' || (n && name[n - 1] == '~') ||
               (n > 4 && (strcmp(name + n - 4, ".swp") == 0 || strcmp(name + n - 4, ".swx") == 0));
}

static bool wanted(const struct confwatch *w, int wd, const char *name) {
        for (int i = 0; i < w->n_wanted; i++)
                if (w->wanted[i].wd == wd && (!w->wanted[i].name[0] || strcmp(w->wanted[i].name, name) == 0))
                        return true;
        return false;
}

static int find_write(const struct confwatch *w, int wd, const char *name) {
        for (int i = 0; i < w->n_writes; i++)
                if (w->writes[i].wd == wd && strncmp(w->writes[i].name, name, NAME_KEEP - 1) == 0)
                        return i;
        return -1;
}

/* Keeps track of files open for writing; returns whether the event is a change. */
static bool note(struct confwatch *w, const struct inotify_event *ev) {
        const char *name = ev->len ? ev->name : "";
        if (ev->mask & IN_Q_OVERFLOW)
                return true;
        if (ev->mask & IN_IGNORED || (ev->len && (editors_own(name) || !wanted(w, ev->wd, name))))
                return false;
        int i = find_write(w, ev->wd, name);
        if ((ev->mask & IN_MODIFY) && i < 0 && w->n_writes < OPEN_WRITES_MAX) {
                struct open_write *o = &w->writes[w->n_writes++];
                o->wd = ev->wd;
                strncpy(o->name, name, NAME_KEEP - 1);
                o->name[NAME_KEEP - 1] = '\0';
        }
        if ((ev->mask & (IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM)) && i >= 0)
                w->writes[i] = w->writes[--w->n_writes];
        return true;
}

/* Bounded: a writer whose writes our reads cause (strace -o into a watched directory) would
 * otherwise keep us here for ever, deaf to SIGTERM. What is left wakes the loop again. */
bool confwatch_read(struct confwatch *w) {
        char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool changed = false;
        ssize_t n;
        for (int reads = 0; reads < READS_MAX && (n = read(w->fd, buf, sizeof(buf))) > 0; reads++)
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *ev = (const struct inotify_event *) p;
                        changed |= note(w, ev);
                        p += sizeof(*ev) + ev->len;
                }
        return changed;
}

bool confwatch_writing(const struct confwatch *w) {
        return w->n_writes > 0;
}
