/* Follow one log file by path with inotify, across rotation, without losing a line. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#define TAIL_LINE_CAP_DEFAULT (64 * 1024)

enum tail_start {
        TAIL_START_END,         /* like tail -f: from the start of the line being written now */
        TAIL_START_BEGIN,       /* the whole current file, then follow */
};

enum tail_line_flags {
        TAIL_LINE_TRUNCATED = 1 << 0,   /* longer than the cap: the first cap bytes, rest dropped */
        TAIL_LINE_UNTERMINATED = 1 << 1, /* file rotated away, deleted or truncated with no final newline */
};

enum tail_notice {
        TAIL_OPENED,            /* the path names a file (again); files appearing later are read from 0 */
        TAIL_ROTATED,           /* renamed away; still read until the writer has moved on */
        TAIL_TRUNCATED,         /* shrank or was rewritten below our offset (copytruncate): restarted at 0 */
        TAIL_DELETED,           /* unlinked; still read until the writer has moved on; waiting for the path */
        TAIL_OVERFLOW,          /* inotify queue overflowed: everything was rescanned */
};

struct tail_callbacks {
        /* One line without its '\n', bytes unchanged; the pointer is valid only during the call. */
        void (*line)(void *userdata, const char *line, size_t len, unsigned flags);
        /* May be NULL. bytes_lost is 0 when unknown. */
        void (*notice)(void *userdata, enum tail_notice what, uint64_t bytes_lost);
};

struct tail;

/* The path and its directories need not exist yet. line_cap 0 means TAIL_LINE_CAP_DEFAULT.
 * Call tail_process() once right after, for TAIL_OPENED and, with TAIL_START_BEGIN, the existing lines. */
int tail_new(struct tail **ret, const char *path, enum tail_start start, size_t line_cap);

/* Non-blocking inotify fd: call tail_process() when it is readable. */
int tail_fd(const struct tail *t);

/* Reads pending events, rescans the path and drains every open file; never blocks. 0, or -errno:
 * -EISDIR or -EINVAL when the path names a directory or what is not a regular file (a FIFO, a
 * device), which is not followed until it is one.
 * Callbacks must not call tail_process() or tail_free() on t. */
int tail_process(struct tail *t, const struct tail_callbacks *cb, void *userdata);

/* Closes everything; a partial last line not yet delivered is dropped. Returns NULL. */
struct tail *tail_free(struct tail *t);
