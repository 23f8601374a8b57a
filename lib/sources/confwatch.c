#include "confwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

enum { OPEN_WRITES_MAX = 64, NAME_KEEP = 64 };

#define DIR_MASK (IN_CLOSE_WRITE | IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
                  IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)

struct open_write {
        int wd;
        char name[NAME_KEEP];
};

struct confwatch {
        int fd;
        int wds[CONFWATCH_MAX];
        int n_wds;
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
        for (int i = 0; i < w->n_wds; i++)
                inotify_rm_watch(w->fd, w->wds[i]);
        w->n_wds = 0;
        w->n_writes = 0;
}

static int watch_dir(struct confwatch *w, const char *dir) {
        int wd = inotify_add_watch(w->fd, dir, DIR_MASK);
        if (wd < 0)
                return -errno;
        for (int i = 0; i < w->n_wds; i++)
                if (w->wds[i] == wd)
                        return 0;       /* the same directory by another name */
        if (w->n_wds == CONFWATCH_MAX)
                return -ENOSPC;
        w->wds[w->n_wds++] = wd;
        return 0;
}

/* dir, or its nearest ancestor that exists: a directory made later shows up there. */
static int watch_dir_or_ancestor(struct confwatch *w, char *dir) {
        int r;
        while ((r = watch_dir(w, dir)) == -ENOENT || r == -ENOTDIR) {
                char *slash = strrchr(dir, '/');
                if (!slash || !dir[1])
                        return r;       /* "/" itself */
                slash[slash == dir] = '\0';    /* "/etc" → "/" */
        }
        return r;
}

/* The directory part of path, cut before the first wildcard. */
static void dir_of(const char *path, char *out, size_t size) {
        size_t n = strcspn(path, "*?[");
        if (n >= size)
                n = size - 1;
        memcpy(out, path, n);
        out[n] = '\0';
        if (!path[n]) {
                char *slash = strrchr(out, '/');
                if (slash)
                        slash[slash == out] = '\0';
                return;
        }
        char *slash = strrchr(out, '/');        /* "/etc/php/" of "/etc/php/ *" */
        if (slash)
                slash[slash == out] = '\0';
}

int confwatch_add(struct confwatch *w, const char *path) {
        char dir[PATH_MAX], real[PATH_MAX];
        if (!path || path[0] != '/')
                return -EINVAL;
        dir_of(path, dir, sizeof(dir));
        int r = watch_dir_or_ancestor(w, dir);
        if (r < 0 || strpbrk(path, "*?[") || !realpath(path, real) || strcmp(real, path) == 0)
                return r;
        dir_of(real, dir, sizeof(dir));
        return watch_dir_or_ancestor(w, dir);
}

static bool editors_own(const char *name) {
        size_t n = strlen(name);
        return name[0] == '.' || (n && name[n - 1] == '~') ||
               (n > 4 && (strcmp(name + n - 4, ".swp") == 0 || strcmp(name + n - 4, ".swx") == 0));
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
        if (ev->mask & IN_IGNORED || (ev->len && editors_own(name)))
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

bool confwatch_read(struct confwatch *w) {
        char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool changed = false;
        ssize_t n;
        while ((n = read(w->fd, buf, sizeof(buf))) > 0)
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
