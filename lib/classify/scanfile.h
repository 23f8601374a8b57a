/* A whole log file read for its classified lines: the loop `scan` and `check` share. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"

enum { SCANFILE_LINE_CAP = 64 * 1024 };

struct scanfile {
        bool have_since;
        int64_t since;                  /* timestamp_key(): older lines are counted, not handed on */
        size_t lines, old_lines, truncated;     /* over every file read */
        size_t file_lines;              /* in the file being read: the line number handed on */
        bool opened;                    /* whether the last file could be opened */
        bool regular_only;              /* refuse FIFOs too (READLINES_REGULAR_ONLY): check's logs */
};

/* Called for each classified line at or after since; spans point into the line. */
typedef void (*scanfile_fn)(void *userdata, const struct scanfile *s, const char *line, size_t len,
                           unsigned flags, const struct logline *ll, const struct event *ev);

/* 0, or a negative errno: the file could not be opened (opened is false), or reading failed
 * after file_lines lines. Lines without a time of their own go with the last line that had one. */
int scanfile_read(struct scanfile *s, const char *path, scanfile_fn fn, void *userdata);
/* The same over an open descriptor (standard input: fd 0) from where it stands, plain or gzip;
 * fd stays open. 0, or a negative errno (EISDIR: fd is a directory). */
int scanfile_read_fd(struct scanfile *s, int fd, scanfile_fn fn, void *userdata);
