/* What survives a restart: per followed log its file's identity and how far it was read, and the
 * findings that were firing. One JSON file (jansson) in the state directory, replaced atomically.
 * Plain data and file I/O only: the daemon fills it from the tailers and the diagnosis. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"

enum {
        STATEFILE_SCHEMA = 1,
        STATEFILE_MAX_LOGS = 256,
        STATEFILE_MAX_FINDINGS = 1024,
        STATEFILE_FP_MAX = 64,          /* the fingerprint covers at most the first 64 bytes */
        STATEFILE_CAUSE_MAX = 64,
        STATEFILE_TARGET_MAX = ADDRESS_TEXT_MAX,       /* an upstream's address, whole: a cut one is another */
        STATEFILE_CURSOR_MAX = 512,     /* a journal cursor, its NUL included */
};

#define STATEFILE_NAME "state.json"

/* A log as it was read: the file the path named, and the offset of the first byte not delivered. */
struct statefile_log {
        char path[PATH_MAX];
        uint64_t dev, ino, offset;
        uint32_t fp_len;                /* how many of the first bytes fp_hash covers (≤ 64) */
        uint64_t fp_hash;               /* the tail's fingerprint of them (struct tail_position) */
};

enum statefile_target_kind { STATEFILE_POOL, STATEFILE_NGINX, STATEFILE_UPSTREAM };

/* A finding firing when the state was written: enough to resolve it once later. */
struct statefile_finding {
        char cause[STATEFILE_CAUSE_MAX];        /* cause_id() */
        enum statefile_target_kind kind;
        char target[STATEFILE_TARGET_MAX];      /* pool name, "nginx", or the upstream's address */
        uint64_t first_seen;                    /* CLOCK_REALTIME µs */
        uint64_t lines;
};

struct statefile {
        struct statefile_log *logs;
        size_t n_logs;
        struct statefile_finding *findings;
        size_t n_findings;
        char journal_cursor[STATEFILE_CURSOR_MAX];      /* the last journal entry read (sd-journal's
                                                         * cursor); "" none. Optional in the file. */
        size_t n_skipped;               /* entries that could not be read, left out (the first's
                                         * reason in statefile_parse()'s err); the rest is kept */
};

void statefile_clear(struct statefile *s);
/* Appends a copy; -ENOMEM, or -E2BIG past the limits. */
int statefile_add_log(struct statefile *s, const struct statefile_log *l);
int statefile_add_finding(struct statefile *s, const struct statefile_finding *f);
const struct statefile_log *statefile_find_log(const struct statefile *s, const char *path);

/* Parses text (not NUL-terminated) into s (cleared first). 0, or -EINVAL with why in err:
 * not JSON, another schema, a field missing or of the wrong type or range. s is empty then. */
int statefile_parse(const char *text, size_t n, struct statefile *s, char *err, size_t err_size);
/* The JSON text, malloc'd and NUL-terminated; NULL for want of memory. Strings that are valid
 * UTF-8 are kept as they are; others (a path or an upstream's address with any bytes) as
 * "KEY_hex" (json_set_exact()), so the same bytes come back. statefile_parse() reads both. */
char *statefile_format(const struct statefile *s);

/* dir/state.json into s. 0; -ENOENT when there is none (a first start); else a negative errno
 * with why in err (not a regular file, unreadable, corrupt): a fresh start, s empty. */
int statefile_load(const char *dir, struct statefile *s, char *err, size_t err_size);
/* Writes dir/state.json atomically: a temp file in dir, fsync, rename over, fsync dir. */
int statefile_save(const char *dir, const struct statefile *s);
