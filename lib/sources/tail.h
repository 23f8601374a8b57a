/* Follow one log file by path with inotify, across rotation, without losing a line. */
#pragma once
#include <stdbool.h>
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

/* Where a log was read to, kept across a restart: the file (device, inode and a fingerprint of
 * its first bytes) and the offset of the first byte of the first line not yet delivered. */
enum { TAIL_FP_MAX = 64 };
struct tail_position {
        uint64_t dev, ino, offset;
        uint32_t fp_len;                /* how many of the first bytes fp_hash covers: min(size, 64) */
        uint64_t fp_hash;               /* FNV-1a 64 of them */
};

/* The file being read (the newest, when the path names none right now). -ENOENT when there is
 * none; -errno when its first bytes cannot be read. */
int tail_position(const struct tail *t, struct tail_position *p);

enum { TAIL_RESUME_ROTATED_MAX = 2 };     /* path.1 and path.2 are looked at */

enum tail_resumed {
        TAIL_RESUMED_SAME,      /* the same file: from the saved offset */
        TAIL_RESUMED_ROTATED,   /* the saved file is now path.1 (or .2): its rest, then the newer ones */
        TAIL_RESUMED_NEW,       /* the saved file is gone or was rewritten: the file there from 0 */
        TAIL_RESUMED_ABSENT,    /* no file at the stop (TAIL_POSITION_ABSENT): the file there from 0 */
};

struct tail_resume_report {
        enum tail_resumed how;
        char rotated_path[4096];        /* ROTATED: path.1 or path.2, read from the saved offset */
        unsigned rotated_after;         /* newer rotated files then read whole (path.1 after path.2) */
        uint64_t pending;               /* bytes left to read, within the bound */
        uint64_t skipped;               /* bytes past the catch-up bound, not read */
        bool compressed;                /* no plain path.1 or .2 holds it, path.1.gz or .2.gz is there */
        char compressed_path[4096 + 8];
        uint64_t compressed_size;       /* its size on disk */
};

/* A log with no file when its position was taken: device and inode 0. Saved like any position,
 * so that a file made there while the daemon was stopped is read from its start. */
#define TAIL_POSITION_ABSENT ((struct tail_position) { 0 })
static inline bool tail_position_absent(const struct tail_position *p) {
        return p->dev == 0 && p->ino == 0;
}

/* As tail_new(), but from a saved position (TAIL_POSITION_ABSENT: the file there from 0): the same file (device, inode and fingerprint, and at
 * least offset bytes) is read from the offset; when path names another file and path.1 (or
 * path.2) is the saved one (its inode or fingerprint), its rest is read first, then the newer
 * rotated files and path's file from 0. At
 * most catch_up bytes are read of what was written meanwhile (0: no bound): the oldest are
 * skipped, to a line's start. Errors as tail_new(), and -EISDIR or -EINVAL (nothing resumed)
 * when the path names what is not a regular file, as tail_process() would say. */
int tail_resume(struct tail **ret, const char *path, const struct tail_position *saved, uint64_t catch_up,
                size_t line_cap, struct tail_resume_report *report);

/* Non-blocking inotify fd: call tail_process() when it is readable. */
int tail_fd(const struct tail *t);

/* Reads pending events, rescans the path and drains every open file; never blocks. 0, or -errno:
 * -EISDIR or -EINVAL when the path names a directory or what is not a regular file (a FIFO, a
 * device), which is not followed (nor opened) until it is one: each call returns that error
 * until then, whatever events came.
 * Callbacks must not call tail_process() or tail_free() on t. */
int tail_process(struct tail *t, const struct tail_callbacks *cb, void *userdata);

/* Closes everything; a partial last line not yet delivered is dropped. Returns NULL. */
struct tail *tail_free(struct tail *t);
