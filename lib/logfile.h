/* Reads a whole log file line by line, plain or gzip (detected by its magic bytes). */
#pragma once
#include <stddef.h>

enum logfile_flags {
        LOGFILE_LINE_TRUNCATED = 1 << 0,        /* longer than the cap: first cap bytes only */
        LOGFILE_LINE_UNTERMINATED = 1 << 1,     /* last line of the file had no newline */
};

struct logfile;

/* 0 or a negative errno (the file's own error: ENOENT, EACCES, EISDIR…). */
int logfile_open(struct logfile **ret, const char *path, size_t line_cap);
/* 1 with a line (without its '\n'), 0 at the end, or a negative errno. */
int logfile_next(struct logfile *f, const char **line, size_t *len, unsigned *flags);
struct logfile *logfile_close(struct logfile *f);
