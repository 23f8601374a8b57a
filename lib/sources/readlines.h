/* Reads a whole log file line by line, plain or gzip (detected by its magic bytes; on a pipe by
 * zlib, which passes what is not gzip through as it is). */
#pragma once
#include <stddef.h>

enum readlines_flags {
        READLINES_LINE_TRUNCATED = 1 << 0,        /* longer than the cap: first cap bytes only */
        READLINES_LINE_UNTERMINATED = 1 << 1,     /* last line of the file had no newline */
};

struct readlines;

enum readlines_open_flags {
        READLINES_REGULAR_ONLY = 1 << 0,        /* refuse a FIFO too: a log named in a config */
};

/* 0 or a negative errno: the file's own (ENOENT, EACCES…), EISDIR, or EINVAL for what is not a
 * regular file or a pipe (a device), or not a regular file with READLINES_REGULAR_ONLY. */
int readlines_open(struct readlines **ret, const char *path, size_t line_cap, unsigned flags);
/* The same over an open descriptor (standard input: fd 0), read from where it stands, plain or
 * gzip (zlib's gzdopen tells them apart); fd stays the caller's (a copy is read and closed).
 * 0, -EISDIR, or a negative errno of fstat/fcntl. */
int readlines_open_fd(struct readlines **ret, int fd, size_t line_cap);
/* 1 with a line (without its '\n'), 0 at the end, or a negative errno. */
int readlines_next(struct readlines *f, const char **line, size_t *len, unsigned *flags);
struct readlines *readlines_close(struct readlines *f);
