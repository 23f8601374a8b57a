/* Follow one log file by path. Every tail_process() is a full rescan: re-stat the path, drain each open
 * file to its end. Events only wake us up, so a coalesced, unexpected or overflowed event cannot lose data.
 *
 * When the path moves to a new file the old one stays open, because its writer may not have reopened
 * yet (nginx until SIGUSR1; logrotate "create" makes the new file before that). The old file is closed
 * once a newer file has yielded data (which proves the writer moved on) and, in a later pass, the old
 * file yields nothing. Old files are drained before the current one in every pass. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tail.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_SIZE (64 * 1024)
#define PRINT_SIZE 16
#define MAX_OLD 8
#define EVENT_READS 16
#define MAX_DIR_STEPS 64

#define FILE_MASK (IN_MODIFY | IN_ATTRIB | IN_MOVE_SELF | IN_DELETE_SELF)
#define DIR_MASK (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ATTRIB | \
                  IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
/* The directory's own parent: its IN_DELETE_SELF comes late or never while a deleted file in it
 * stays open (the file's dentry pins the directory's), so a directory removed and made again is
 * seen here. */
#define PARENT_MASK (IN_CREATE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE | IN_ONLYDIR)

struct file {
        struct file *next;              /* older files first */
        int fd;
        int wd;
        dev_t dev;
        ino_t ino;
        uint64_t off;
        char *line;                     /* the partial line, at most line_cap bytes */
        size_t len;
        bool skip;                      /* dropping the rest of an over-long line */
        bool had_data;
        uint64_t got;                   /* bytes read in the current pass */
        bool moved_on;                  /* a newer file had data at the end of an earlier pass */
        unsigned char print[PRINT_SIZE]; /* the bytes just before off */
        size_t nprint;
};

struct tail {
        int ifd;
        char *path;                     /* absolute, without repeated or trailing '/' */
        size_t dir_len;                 /* path[0, dir_len) is the file's directory */
        size_t wdir_len;                /* path[0, wdir_len) is the watched directory */
        int wdir_wd;
        int parent_wd;                  /* the watched directory's parent, when it is the file's own */
        bool dir_replaced;              /* the parent saw the directory's name come or go */
        size_t events, other_files;     /* read in this pass; of them, the parent's other names */
        dev_t wdir_dev;
        ino_t wdir_ino;
        struct file *cur;
        struct file *old;
        size_t nold;
        size_t line_cap;
        bool opened_pending;
        bool overflow;
        int refused;                    /* -EISDIR or -EINVAL while the path names what is not a
                                         * regular file (a FIFO, a device); 0 otherwise */
        char *buf;
        const struct tail_callbacks *cb;
        void *userdata;
};

static void keep_error(int *r, int q) {
        if (*r == 0 && q < 0)
                *r = q;
}

static void notice(struct tail *t, enum tail_notice what) {
        if (t->cb->notice)
                t->cb->notice(t->userdata, what, 0);
}

static void deliver(struct tail *t, const char *p, size_t n, unsigned flags) {
        t->cb->line(t->userdata, p, n, flags);
}

static bool same_inode(const struct file *f, const struct stat *st) {
        return f->dev == st->st_dev && f->ino == st->st_ino;
}

/* The prefix of the path that is its parent directory; 0 above "/". */
static size_t parent_len(const char *path, size_t len) {
        if (len <= 1)
                return 0;
        const char *slash = memrchr(path, '/', len);
        return slash == path ? 1 : (size_t) (slash - path);
}

static int stat_prefix(struct tail *t, size_t len, struct stat *st) {
        char c = t->path[len];
        t->path[len] = '\0';
        int r = stat(t->path, st) < 0 ? -errno : 0;
        t->path[len] = c;
        return r;
}

static int open_prefix(struct tail *t, size_t len, int flags) {
        char c = t->path[len];
        t->path[len] = '\0';
        int fd = open(t->path, flags);
        int r = fd < 0 ? -errno : fd;
        t->path[len] = c;
        return r;
}

/* Watching through /proc ties the watch to the inode we opened, not to whatever the path names now. */
static int watch_fd(struct tail *t, int fd, uint32_t mask) {
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        int wd = inotify_add_watch(t->ifd, proc, mask);
        return wd < 0 ? -errno : wd;
}

static bool wd_used(const struct tail *t, int wd) {
        if (t->wdir_wd == wd || t->parent_wd == wd || (t->cur && t->cur->wd == wd))
                return true;
        for (const struct file *f = t->old; f; f = f->next)
                if (f->wd == wd)
                        return true;
        return false;
}

static void unwatch(struct tail *t, int *wd) {
        int w = *wd;
        *wd = -1;
        if (w >= 0 && !wd_used(t, w))
                inotify_rm_watch(t->ifd, w);
}

static void forget_wd(struct tail *t, int wd) {
        if (t->wdir_wd == wd)
                t->wdir_wd = t->parent_wd = -1;
        if (t->parent_wd == wd)
                t->parent_wd = -1;
        if (t->cur && t->cur->wd == wd)
                t->cur->wd = -1;
        for (struct file *f = t->old; f; f = f->next)
                if (f->wd == wd)
                        f->wd = -1;
}

/* Is name the last component of the file's directory? */
static bool is_dir_name(const struct tail *t, const char *name) {
        size_t from = parent_len(t->path, t->dir_len);
        from += from > 1;       /* past the '/' that ends a parent other than "/" */
        size_t n = t->dir_len - from;
        return strlen(name) == n && memcmp(name, t->path + from, n) == 0;
}

static void scan_events(struct tail *t, const char *p, size_t n) {
        const char *end = p + n;
        while (p < end) {
                const struct inotify_event *ev = (const struct inotify_event *) p;
                bool other_file = ev->wd == t->parent_wd && !(ev->mask & (IN_IGNORED | IN_Q_OVERFLOW)) &&
                                  !(ev->len && is_dir_name(t, ev->name));
                t->events++;
                t->other_files += other_file;   /* /var/log's other files come and go all day */
                if (ev->mask & IN_Q_OVERFLOW)
                        t->overflow = true;
                if (ev->mask & IN_IGNORED)
                        forget_wd(t, ev->wd);
                else if (ev->wd == t->parent_wd && ev->len && is_dir_name(t, ev->name))
                        t->dir_replaced = true;
                p += sizeof *ev + ev->len;
        }
}

/* Bounded so that a writer producing events as fast as we read them cannot keep us here. */
static int read_events(struct tail *t) {
        for (int i = 0; i < EVENT_READS; i++) {
                ssize_t n = read(t->ifd, t->buf, READ_SIZE);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return errno == EAGAIN ? 0 : -errno;
                scan_events(t, t->buf, (size_t) n);
        }
        return 0;
}

/* The parent of the file's own directory, once that is the one watched. */
static int watch_parent(struct tail *t) {
        int prev = t->parent_wd, wd = -1;
        if (t->wdir_len == t->dir_len && t->dir_len > 1) {
                int fd = open_prefix(t, parent_len(t->path, t->dir_len), O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (fd < 0)
                        return fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
                wd = watch_fd(t, fd, PARENT_MASK);
                close(fd);
                if (wd < 0)
                        return wd;
        }
        t->parent_wd = wd;
        if (prev != wd)
                unwatch(t, &prev);
        return 0;
}

static int rewatch_dir(struct tail *t, size_t len) {
        struct stat st;
        int fd = open_prefix(t, len, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd == -ENOENT || fd == -ENOTDIR)
                return 0;
        if (fd < 0)
                return fd;
        int wd = fstat(fd, &st) < 0 ? -errno : watch_fd(t, fd, DIR_MASK);
        close(fd);
        if (wd < 0)
                return wd;
        int prev = t->wdir_wd;
        t->wdir_wd = wd;
        t->wdir_len = len;
        t->wdir_dev = st.st_dev;
        t->wdir_ino = st.st_ino;
        t->dir_replaced = false;
        if (prev != wd)
                unwatch(t, &prev);
        return watch_parent(t);
}

/* Watch the file's directory, or its nearest existing ancestor until the directory exists. After each
 * new watch look again: a deeper directory may have appeared before the watch was in place. */
static int watch_dirs(struct tail *t) {
        for (int i = 0; i < MAX_DIR_STEPS; i++) {
                struct stat st;
                size_t len = t->dir_len;
                int r;
                while ((r = stat_prefix(t, len, &st)) < 0 || !S_ISDIR(st.st_mode)) {
                        if (len == 1)
                                return r < 0 ? r : -ENOTDIR;
                        len = parent_len(t->path, len);
                }
                if (t->wdir_wd >= 0 && !t->dir_replaced && len == t->wdir_len &&
                    st.st_dev == t->wdir_dev && st.st_ino == t->wdir_ino)
                        return 0;
                r = rewatch_dir(t, len);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Remembers the last bytes read, to notice a file rewritten from 0 that has grown past our offset. */
static void remember(struct file *f, const char *p, size_t n) {
        if (n >= PRINT_SIZE) {
                memcpy(f->print, p + n - PRINT_SIZE, PRINT_SIZE);
                f->nprint = PRINT_SIZE;
                return;
        }
        size_t keep = f->nprint + n > PRINT_SIZE ? PRINT_SIZE - n : f->nprint;
        memmove(f->print, f->print + f->nprint - keep, keep);
        memcpy(f->print + keep, p, n);
        f->nprint = keep + n;
}

static bool print_matches(struct file *f) {
        unsigned char b[PRINT_SIZE];
        ssize_t n;
        if (f->nprint == 0)
                return true;
        do
                n = pread(f->fd, b, f->nprint, (off_t) (f->off - f->nprint));
        while (n < 0 && errno == EINTR);
        return n < 0 || ((size_t) n == f->nprint && memcmp(b, f->print, f->nprint) == 0);
}

/* Adds n bytes to the line; complete says a newline follows them. */
static void add(struct tail *t, struct file *f, const char *p, size_t n, bool complete) {
        if (f->len + n > t->line_cap) {
                memcpy(f->line + f->len, p, t->line_cap - f->len);
                deliver(t, f->line, t->line_cap, TAIL_LINE_TRUNCATED);
                f->len = 0;
                f->skip = !complete;
        } else if (complete && f->len == 0) {
                deliver(t, p, n, 0);
        } else {
                memcpy(f->line + f->len, p, n);
                f->len += n;
                if (complete) {
                        deliver(t, f->line, f->len, 0);
                        f->len = 0;
                }
        }
}

static void feed(struct tail *t, struct file *f, const char *p, size_t n) {
        const char *end = p + n;
        remember(f, p, n);
        f->off += n;
        f->got += n;
        f->had_data = true;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                if (f->skip)
                        f->skip = !nl;
                else
                        add(t, f, p, (size_t) ((nl ? nl : end) - p), nl != NULL);
                p = nl ? nl + 1 : end;
        }
}

static void flush_partial(struct tail *t, struct file *f) {
        if (f->len > 0)
                deliver(t, f->line, f->len, TAIL_LINE_UNTERMINATED);
        f->len = 0;
        f->skip = false;
}

static int open_rotated(const struct tail *t, int k, bool gz, struct stat *st, char *name, size_t size) {
        snprintf(name, size, "%s.%d%s", t->path, k, gz ? ".gz" : "");
        int fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, st) < 0 || !S_ISREG(st->st_mode)) {
                close(fd);
                return -EINVAL;
        }
        return fd;
}

/* copytruncate: the copy (path.1) holds what was written up to the copy. When its bytes just
 * before our offset are the ones we read there, its part past our offset is read before the
 * file starts over: only what came between the copy and the truncation is lost. */
static void read_copy(struct tail *t, struct file *f) {
        struct stat st;
        char name[4096 + 8];    /* as tail_resume_report's rotated_path */
        unsigned char b[PRINT_SIZE];
        if (f->nprint == 0)
                return;
        int fd = open_rotated(t, 1, false, &st, name, sizeof(name));
        if (fd < 0)
                return;
        bool same = (uint64_t) st.st_size > f->off && (uint64_t) st.st_ino != (uint64_t) f->ino &&
                    pread(fd, b, f->nprint, (off_t) (f->off - f->nprint)) == (ssize_t) f->nprint &&
                    memcmp(b, f->print, f->nprint) == 0;
        for (uint64_t size = (uint64_t) st.st_size; same && f->off < size;) {
                ssize_t n = pread(fd, t->buf, READ_SIZE, (off_t) f->off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                feed(t, f, t->buf, (size_t) n);
        }
        close(fd);
}

static void restart(struct tail *t, struct file *f) {
        read_copy(t, f);
        flush_partial(t, f);
        notice(t, TAIL_TRUNCATED);
        f->off = 0;
        f->nprint = 0;
}

/* Reads up to the size seen at the start; later writes raise an event and get the next pass. */
static int drain(struct tail *t, struct file *f) {
        struct stat st;
        if (fstat(f->fd, &st) < 0)
                return -errno;
        uint64_t size = (uint64_t) st.st_size;
        if (size < f->off || (size > f->off && !print_matches(f)))
                restart(t, f);
        while (f->off < size) {
                ssize_t n = pread(f->fd, t->buf, READ_SIZE, (off_t) f->off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                feed(t, f, t->buf, (size_t) n);
        }
        return 0;
}

static void close_file(struct tail *t, struct file *f, bool flush) {
        if (flush)
                flush_partial(t, f);
        unwatch(t, &f->wd);
        close(f->fd);
        free(f->line);
        free(f);
}

static int new_file(struct tail *t, int fd, const struct stat *st, struct file **ret) {
        struct file *f = calloc(1, sizeof *f);
        if (!f)
                return -ENOMEM;
        f->fd = fd;
        f->dev = st->st_dev;
        f->ino = st->st_ino;
        f->line = malloc(t->line_cap);
        f->wd = f->line ? watch_fd(t, fd, FILE_MASK) : -ENOMEM;
        if (f->wd < 0) {
                int r = f->wd;
                free(f->line);
                free(f);
                return r;
        }
        *ret = f;
        return 0;
}

/* 1 with an fd when the path names a regular file, 0 when it names nothing we can follow. */
static int open_path(struct tail *t, int *fd, struct stat *st) {
        *fd = open(t->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (*fd < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        int r = fstat(*fd, st) < 0 ? -errno : S_ISREG(st->st_mode) ? 1 : 0;
        if (r <= 0)
                close(*fd);
        return r;
}

/* Starts at the beginning of the line being written, so that line is delivered whole. */
static int seek_end(struct tail *t, struct file *f) {
        struct stat st;
        ssize_t n;
        if (fstat(f->fd, &st) < 0)
                return -errno;
        uint64_t size = (uint64_t) st.st_size;
        size_t want = size < READ_SIZE ? (size_t) size : READ_SIZE;
        uint64_t from = size - want;
        do
                n = pread(f->fd, t->buf, want, (off_t) from);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        const char *nl = memrchr(t->buf, '\n', (size_t) n);
        if (nl)
                f->off = from + (uint64_t) (nl - t->buf) + 1;
        else if (from == 0)
                f->off = 0;
        else {
                f->off = from + (uint64_t) n;
                f->skip = true;
        }
        remember(f, t->buf, (size_t) (f->off - from));
        return 0;
}

static struct file *unlist_old(struct tail *t, const struct stat *st) {
        for (struct file **p = &t->old; *p; p = &(*p)->next) {
                struct file *f = *p;
                if (same_inode(f, st)) {
                        *p = f->next;
                        f->next = NULL;
                        t->nold--;
                        return f;
                }
        }
        return NULL;
}

static void close_oldest(struct tail *t) {
        struct file *f = t->old;
        t->old = f->next;
        t->nold--;
        drain(t, f);
        close_file(t, f, true);
}

static void retire(struct tail *t) {
        struct file *f = t->cur;
        struct file **p = &t->old;
        struct stat st;
        drain(t, f);
        t->cur = NULL;
        notice(t, fstat(f->fd, &st) == 0 && st.st_nlink == 0 ? TAIL_DELETED : TAIL_ROTATED);
        while (*p)
                p = &(*p)->next;
        *p = f;
        if (++t->nold > MAX_OLD)
                close_oldest(t);
}

static int adopt(struct tail *t) {
        struct stat st;
        struct file *f;
        int fd;
        int r = open_path(t, &fd, &st);
        if (r <= 0)
                return r;
        f = unlist_old(t, &st);
        if (f) {
                close(fd);
                f->moved_on = false;
        }
        else {
                r = new_file(t, fd, &st, &f);
                if (r < 0) {
                        close(fd);
                        return r;
                }
        }
        t->cur = f;
        notice(t, TAIL_OPENED);
        return 0;
}

/* What tail_process() says of a path that names st: -EISDIR, -EINVAL (a FIFO, a device), or 0. */
static int refusal(const struct stat *st) {
        return S_ISREG(st->st_mode) ? 0 : S_ISDIR(st->st_mode) ? -EISDIR : -EINVAL;
}

static int follow_path(struct tail *t) {
        struct stat st;
        int r = t->wdir_len == t->dir_len ? stat_prefix(t, strlen(t->path), &st) : -ENOENT;
        if (r < 0 && r != -ENOENT && r != -ENOTDIR)
                return r;
        bool present = r == 0 && S_ISREG(st.st_mode);
        if (present && t->cur && same_inode(t->cur, &st))
                return 0;
        if (t->cur)
                retire(t);
        t->refused = r == 0 ? refusal(&st) : 0;
        if (t->refused)
                return t->refused;      /* a FIFO or a device: never a log */
        return present ? adopt(t) : 0;
}

static void close_idle(struct tail *t) {
        struct file **p = &t->old;
        while (*p) {
                struct file *f = *p;
                if (f->moved_on && f->got == 0) {
                        *p = f->next;
                        t->nold--;
                        close_file(t, f, true);
                } else
                        p = &f->next;
        }
}

static void mark_moved_on(struct tail *t) {
        const struct file *newest = NULL;
        if (t->cur && t->cur->had_data)
                newest = t->cur;
        else
                for (const struct file *f = t->old; f; f = f->next)
                        if (f->had_data)
                                newest = f;
        if (!newest)
                return;
        for (struct file *f = t->old; f && f != newest; f = f->next)
                f->moved_on = true;
}

static int pass(struct tail *t) {
        int r;
        if (t->cur)
                t->cur->got = 0;
        for (struct file *f = t->old; f; f = f->next)
                f->got = 0;
        r = watch_dirs(t);
        if (r == 0)
                r = follow_path(t);
        for (struct file *f = t->old; f; f = f->next)
                keep_error(&r, drain(t, f));
        /* before marking, so a file is closed only in a pass after the newer file's data was seen */
        close_idle(t);
        if (t->cur)
                keep_error(&r, drain(t, t->cur));
        mark_moved_on(t);
        return r;
}

int tail_process(struct tail *t, const struct tail_callbacks *cb, void *userdata) {
        if (!t || !cb || !cb->line)
                return -EINVAL;
        t->cb = cb;
        t->userdata = userdata;
        t->events = t->other_files = 0;
        int r = read_events(t);
        if (r == 0 && t->events && t->events == t->other_files) {
                t->cb = NULL;           /* only the parent's other entries moved: nothing to look at */
                t->userdata = NULL;
                return t->refused;      /* and what the path names is as it was */
        }
        if (t->opened_pending)
                notice(t, TAIL_OPENED);
        if (t->overflow)
                notice(t, TAIL_OVERFLOW);
        t->opened_pending = false;
        t->overflow = false;
        keep_error(&r, pass(t));
        t->cb = NULL;
        t->userdata = NULL;
        return r;
}

static int set_path(struct tail *t, const char *path) {
        char *cwd = NULL;
        if (path[0] != '/' && !(cwd = getcwd(NULL, 0)))
                return -errno;
        int r = asprintf(&t->path, "%s/%s", cwd ? cwd : "", path);
        free(cwd);
        if (r < 0) {
                t->path = NULL;
                return -ENOMEM;
        }
        char *d = t->path;
        for (const char *s = t->path; *s; s++)
                if (!(*s == '/' && d > t->path && d[-1] == '/'))
                        *d++ = *s;
        *d = '\0';
        if (d[-1] == '/')
                return -EINVAL;
        t->dir_len = parent_len(t->path, (size_t) (d - t->path));
        return 0;
}

static int open_first(struct tail *t, enum tail_start start) {
        struct stat st;
        int fd;
        int r = t->wdir_len == t->dir_len ? open_path(t, &fd, &st) : 0;
        if (r <= 0)
                return r;
        r = new_file(t, fd, &st, &t->cur);
        if (r < 0) {
                close(fd);
                return r;
        }
        t->opened_pending = true;
        return start == TAIL_START_END ? seek_end(t, t->cur) : 0;
}

int tail_new(struct tail **ret, const char *path, enum tail_start start, size_t line_cap) {
        int r;
        if (!ret || !path || !*path || (start != TAIL_START_END && start != TAIL_START_BEGIN))
                return -EINVAL;
        struct tail *t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->ifd = -1;
        t->wdir_wd = -1;
        t->line_cap = line_cap ? line_cap : TAIL_LINE_CAP_DEFAULT;
        r = set_path(t, path);
        if (r == 0 && !(t->buf = malloc(READ_SIZE)))
                r = -ENOMEM;
        if (r == 0 && (t->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
                r = -errno;
        if (r == 0)
                r = watch_dirs(t);
        if (r == 0)
                r = open_first(t, start);
        if (r < 0) {
                tail_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

/* FNV-1a over the first want bytes; 0 with *got the bytes there were, or -errno. */
static int fingerprint(int fd, size_t want, uint64_t *hash, uint32_t *got) {
        unsigned char b[TAIL_FP_MAX];
        ssize_t n;
        if (want > sizeof(b))
                want = sizeof(b);
        do
                n = pread(fd, b, want, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        uint64_t h = 0xcbf29ce484222325ULL;
        for (ssize_t i = 0; i < n; i++) {
                h ^= b[i];
                h *= 0x100000001b3ULL;
        }
        *hash = h;
        *got = (uint32_t) n;
        return 0;
}

int tail_position(const struct tail *t, struct tail_position *p) {
        const struct file *f = t ? t->cur : NULL;
        for (const struct file *o = t ? t->old : NULL; !f && o; o = o->next)
                if (!o->next)
                        f = o;
        if (!f)
                return -ENOENT;
        *p = (struct tail_position) { .dev = f->dev, .ino = f->ino };
        p->offset = f->skip ? f->off : f->off - f->len;
        return fingerprint(f->fd, TAIL_FP_MAX, &p->fp_hash, &p->fp_len);
}

/* The file holds what was saved: its fingerprint, and at least offset bytes. */
static bool holds(int fd, const struct stat *st, const struct tail_position *saved) {
        uint64_t h = 0;
        uint32_t n = 0;
        return (uint64_t) st->st_size >= saved->offset && fingerprint(fd, saved->fp_len, &h, &n) == 0 &&
               n == saved->fp_len && h == saved->fp_hash;
}

/* Reads f from off, delivering from the next line's start when off is inside a line. */
static int start_at(struct tail *t, struct file *f, uint64_t off) {
        ssize_t n = 0;
        size_t want = off < PRINT_SIZE ? (size_t) off : PRINT_SIZE;
        do
                n = want ? pread(f->fd, t->buf, want, (off_t) (off - want)) : 0;
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        f->off = off;
        f->nprint = 0;
        f->len = 0;
        remember(f, t->buf, (size_t) n);
        f->skip = n > 0 && t->buf[n - 1] != '\n';
        return 0;
}

static uint64_t file_size(const struct file *f) {
        struct stat st;
        return fstat(f->fd, &st) == 0 ? (uint64_t) st.st_size : 0;
}

/* path.k (k > 0), or path.k.gz: an fd when it is a regular file, else -errno. */

/* Appends a file to the old ones (oldest first), read from off. */
static int add_old(struct tail *t, int fd, const struct stat *st, uint64_t off) {
        struct file *f, **p = &t->old;
        int r = new_file(t, fd, st, &f);
        if (r < 0) {
                close(fd);
                return r;
        }
        while (*p)
                p = &(*p)->next;
        *p = f;
        t->nold++;
        return start_at(t, f, off);
}

/* path.1 or path.2 when it holds the saved file: its rest, then each newer rotated file whole,
 * then the current one. None: a compressed path.1.gz or path.2.gz is said. */
static int resume_rotated(struct tail *t, const struct tail_position *saved, struct tail_resume_report *rep) {
        struct stat st;
        char name[sizeof(rep->rotated_path)];
        for (int k = 1; k <= TAIL_RESUME_ROTATED_MAX; k++) {
                int fd = open_rotated(t, k, false, &st, rep->rotated_path, sizeof(rep->rotated_path));
                if (fd < 0)
                        continue;
                bool same = ((uint64_t) st.st_dev == saved->dev && (uint64_t) st.st_ino == saved->ino &&
                             (uint64_t) st.st_size >= saved->offset) || holds(fd, &st, saved);
                if (!same) {
                        close(fd);
                        continue;
                }
                rep->how = TAIL_RESUMED_ROTATED;
                int r = add_old(t, fd, &st, saved->offset);
                for (int j = k - 1; j >= 1 && r == 0; j--) {
                        fd = open_rotated(t, j, false, &st, name, sizeof(name));
                        if (fd >= 0 && (r = add_old(t, fd, &st, 0)) == 0)
                                rep->rotated_after++;
                }
                return r;
        }
        rep->rotated_path[0] = '\0';
        for (int k = 1; k <= TAIL_RESUME_ROTATED_MAX; k++) {
                int fd = open_rotated(t, k, true, &st, rep->compressed_path, sizeof(rep->compressed_path));
                if (fd >= 0) {
                        close(fd);
                        rep->compressed = true;
                        rep->compressed_size = (uint64_t) st.st_size;
                        return 0;
                }
        }
        return 0;
}

/* Skips what is past the bound, oldest first: the rotated files' rest, then the new file's start. */
static int bound(struct tail *t, uint64_t catch_up, struct tail_resume_report *rep) {
        struct file *files[MAX_OLD + 1];
        uint64_t rest[MAX_OLD + 1];
        size_t n = 0;
        for (struct file *f = t->old; f && n < MAX_OLD; f = f->next)
                files[n++] = f;
        if (t->cur)
                files[n++] = t->cur;
        rep->pending = 0;
        for (size_t i = 0; i < n; i++) {
                uint64_t size = file_size(files[i]);
                rest[i] = size > files[i]->off ? size - files[i]->off : 0;
                rep->pending += rest[i];
        }
        if (!catch_up || rep->pending <= catch_up)
                return 0;
        uint64_t skip = rep->pending - catch_up;
        rep->skipped = skip;
        rep->pending = catch_up;
        for (size_t i = 0; i < n && skip; i++) {
                uint64_t k = skip < rest[i] ? skip : rest[i];
                skip -= k;
                if (k == rest[i] && files[i] != t->cur) {
                        t->old = files[i]->next;        /* the oldest left: the list's head */
                        t->nold--;
                        close_file(t, files[i], false);
                } else if (k) {
                        int r = start_at(t, files[i], files[i]->off + k);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int tail_resume(struct tail **ret, const char *path, const struct tail_position *saved, uint64_t catch_up,
                size_t line_cap, struct tail_resume_report *rep) {
        struct tail *t;
        struct stat st;
        if (!saved || !rep)
                return -EINVAL;
        *rep = (struct tail_resume_report) { .how = TAIL_RESUMED_NEW };
        int r = tail_new(&t, path, TAIL_START_BEGIN, line_cap);
        if (r < 0)
                return r;
        if (stat(t->path, &st) == 0 && (r = refusal(&st)) < 0) {
                tail_free(t);           /* nothing to resume: a FIFO or a device is never read */
                return r;
        }
        struct file *f = t->cur;
        bool same = f && (uint64_t) f->dev == saved->dev && (uint64_t) f->ino == saved->ino;
        if (tail_position_absent(saved))
                rep->how = TAIL_RESUMED_ABSENT;         /* read from 0 as tail_new() set it */
        else if (same && fstat(f->fd, &st) == 0 && holds(f->fd, &st, saved)) {
                rep->how = TAIL_RESUMED_SAME;
                r = start_at(t, f, saved->offset);
        } else
                r = resume_rotated(t, saved, rep);      /* also when a new file got the old inode number */
        if (r == 0)
                r = bound(t, catch_up, rep);
        if (r < 0) {
                tail_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

int tail_fd(const struct tail *t) {
        return t ? t->ifd : -EINVAL;
}

struct tail *tail_free(struct tail *t) {
        if (!t)
                return NULL;
        while (t->old) {
                struct file *f = t->old;
                t->old = f->next;
                close_file(t, f, false);
        }
        if (t->cur)
                close_file(t, t->cur, false);
        t->cur = NULL;
        if (t->ifd >= 0)
                close(t->ifd);
        free(t->buf);
        free(t->path);
        free(t);
        return NULL;
}
