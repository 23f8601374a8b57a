#include "readlines.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "readahead.h"

struct readlines {
        int fd;
        gzFile gz;              /* NULL for a plain file */
        struct readahead *ahead;        /* a regular file's reading thread; NULL: read here */
        char *buf;              /* our own, or the chunk readahead lent us */
        size_t size;            /* allocated: line_cap + read chunk */
        size_t cap;
        size_t start, end;      /* unconsumed bytes are buf[start, end) */
        bool eof;
        bool skipping;          /* dropping the rest of an over-long line */
};

enum { CHUNK = 256 * 1024 };

static bool is_gzip(int fd) {
        unsigned char magic[2];
        ssize_t n = pread(fd, magic, 2, 0);
        return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* -EISDIR, or -EINVAL for what is no file or pipe (a device: /dev/zero never ends), or for
 * anything but a regular file when regular_only. */
static int kind_error(const struct stat *st, bool regular_only) {
        if (S_ISDIR(st->st_mode))
                return -EISDIR;
        if (S_ISREG(st->st_mode) || (!regular_only && S_ISFIFO(st->st_mode)))
                return 0;
        return -EINVAL;
}

/* Opened without blocking (a FIFO with no writer would block in open), then blocking reads. */
static int open_checked(const char *path, bool regular_only, struct stat *st) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        int r = fstat(fd, st) < 0 ? -errno : kind_error(st, regular_only);
        if (r == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

static ssize_t read_some(struct readlines *f, char *to, size_t n);

static ssize_t read_chunk(void *source, char *to, size_t n) {
        return read_some(source, to, n);
}

/* A regular file of more than a chunk is read on a second thread: pipes stay here, where a
 * writer that never closes could leave the thread blocked. Without a thread, read here. */
static void read_ahead(struct readlines *f) {
        struct stat st;
        if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= CHUNK)
                return;
        static char no_bytes[1];
        if (readahead_start(&f->ahead, read_chunk, f, CHUNK, f->cap) < 0) {
                f->ahead = NULL;
                return;
        }
        free(f->buf);   /* the thread's chunks take its place */
        f->buf = no_bytes;
}

/* Takes fd. gzip: the magic bytes of a regular file, read where it starts; what cannot be read
 * twice (a pipe, standard input at any offset) goes through zlib, which passes plain text as is. */
static int wrap(struct readlines **ret, int fd, size_t line_cap, bool gzip) {
        struct readlines *f = calloc(1, sizeof(*f));
        if (!f || !(f->buf = malloc(line_cap + CHUNK))) {
                free(f);
                close(fd);
                return -ENOMEM;
        }
        f->fd = fd;
        f->cap = line_cap;
        f->size = line_cap + CHUNK;
        if (gzip) {
                f->gz = gzdopen(dup(fd), "rb");
                if (!f->gz) {
                        readlines_close(f);
                        return -ENOMEM;
                }
                gzbuffer(f->gz, CHUNK);
        }
        read_ahead(f);
        *ret = f;
        return 0;
}

int readlines_open(struct readlines **ret, const char *path, size_t line_cap, unsigned flags) {
        struct stat st;
        int fd = open_checked(path, flags & READLINES_REGULAR_ONLY, &st);
        if (fd < 0)
                return fd;
        return wrap(ret, fd, line_cap, S_ISREG(st.st_mode) ? is_gzip(fd) : true);
}

int readlines_open_fd(struct readlines **ret, int fd, size_t line_cap) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (copy < 0)
                return -errno;
        return wrap(ret, copy, line_cap, true);
}

static ssize_t read_some(struct readlines *f, char *to, size_t n) {
        if (f->gz) {
                int got = gzread(f->gz, to, (unsigned) n);
                int zerr = Z_OK;
                if (got <= 0)
                        gzerror(f->gz, &zerr);
                if (got < 0 || zerr == Z_BUF_ERROR)     /* Z_BUF_ERROR at the end: truncated file */
                        return zerr == Z_ERRNO ? -errno : -EBADMSG;
                return got;
        }
        for (;;) {
                ssize_t got = read(f->fd, to, n);
                if (got >= 0 || errno != EINTR)
                        return got < 0 ? -errno : got;
        }
}

/* The next chunk from the reading thread, the unconsumed bytes put in front of it. */
static int fill_ahead(struct readlines *f) {
        size_t keep = f->end - f->start;
        char *data;
        size_t len;
        int r = readahead_next(f->ahead, f->buf + f->start, keep, &data, &len);
        if (r < 0)
                return r;
        f->buf = data - keep;
        f->start = 0;
        f->end = keep + len;
        f->eof = r == 0;
        return 0;
}

/* Moves the unconsumed bytes to the front and reads more behind them. */
static int fill(struct readlines *f) {
        if (f->ahead)
                return fill_ahead(f);
        if (f->start > 0) {
                memmove(f->buf, f->buf + f->start, f->end - f->start);
                f->end -= f->start;
                f->start = 0;
        }
        ssize_t got = read_some(f, f->buf + f->end, f->size - f->end);
        if (got < 0)
                return (int) got;
        if (got == 0)
                f->eof = true;
        f->end += (size_t) got;
        return 0;
}

static int emit(struct readlines *f, size_t len, size_t consumed, unsigned fl,
                const char **line, size_t *n, unsigned *flags) {
        *line = f->buf + f->start;
        *n = len;
        *flags = fl;
        f->start += consumed;
        return 1;
}

int readlines_next(struct readlines *f, const char **line, size_t *len, unsigned *flags) {
        for (;;) {
                char *from = f->buf + f->start;
                size_t avail = f->end - f->start;
                char *nl = memchr(from, '\n', avail);
                size_t n = nl ? (size_t) (nl - from) : avail;
                if (f->skipping) {
                        f->skipping = nl == NULL;
                        f->start = nl ? (size_t) (nl + 1 - f->buf) : f->end;
                        if (nl)
                                continue;
                } else if (nl && n <= f->cap) {
                        return emit(f, n, n + 1, 0, line, len, flags);
                } else if (avail > f->cap) {   /* a line of exactly cap bytes is whole */
                        f->skipping = true;
                        return emit(f, f->cap, f->cap, READLINES_LINE_TRUNCATED, line, len, flags);
                } else if (f->eof && avail > 0) {
                        return emit(f, avail, avail, READLINES_LINE_UNTERMINATED, line, len, flags);
                }
                if (f->eof)
                        return 0;
                int r = fill(f);
                if (r < 0)
                        return r;
        }
}

struct readlines *readlines_close(struct readlines *f) {
        if (!f)
                return NULL;
        if (f->ahead)
                readahead_stop(f->ahead);
        else
                free(f->buf);
        if (f->gz)
                gzclose(f->gz);
        close(f->fd);
        free(f);
        return NULL;
}
