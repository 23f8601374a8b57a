/*
 * Where alerts go: journald (one entry per alert, with fields to filter on), or JSON lines (one
 * compact alert_to_json() object per line) on a stream or an appended file. Both write whole
 * alerts or report an error; neither writes invalid JSON.
 */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "alert.h"

#define SINK_JOURNAL_SOCKET "/run/systemd/journal/socket"

/*
 * One journal entry: MESSAGE (the summary), MESSAGE_ID (the cause's, or its resolved one from
 * cause_resolved_message_id() when the alert is resolved), PRIORITY, SYSLOG_IDENTIFIER=badgatewayd and
 * BADGATEWAY_{CAUSE,STATE,POOL,UPSTREAM,UNIT,ALERT_ID,JSON} (the empty ones left out). 0, or -errno:
 * -ENOENT when journald's socket is missing, -ECONNREFUSED when nothing listens on it, -ENOMEM…
 * Any error means the alert is not in the journal: hand it to sink_journal_fallback().
 */
int sink_journal_emit(const struct alert *a);

/*
 * Alerts for a journal that took some and then went away (journald stopped or restarting): kept,
 * the oldest dropped past SINK_JOURNAL_QUEUE_MAX, and sent first once it is back. A journal never
 * reached keeps nothing: its alerts go to sink_journal_fallback() (no journald on this host).
 */
enum { SINK_JOURNAL_QUEUE_MAX = 256 };
struct journal_entry;
struct sink_journal_queue {
        struct journal_entry **ring;    /* SINK_JOURNAL_QUEUE_MAX slots, made at the first keep */
        size_t head, n;
        bool reached;                   /* journald took an entry once */
        int error;                      /* why the last send failed; 0 when the last one worked */
        uint64_t late, dropped;         /* entries sent from the queue; dropped past its bound */
};
/* The alert, after whatever was kept. 0: in the journal; 1: kept (q->error says why it is not
 * sent); -errno: neither (journald never reached, or no memory): hand it to the fallback. */
int sink_journal_send(struct sink_journal_queue *q, const struct alert *a);
/* Sends what was kept, oldest first. 0 when nothing is left; else the -errno that stopped it. */
int sink_journal_retry(struct sink_journal_queue *q);
size_t sink_journal_pending(const struct sink_journal_queue *q);
/* Frees what is still kept (count it with sink_journal_pending() first). */
void sink_journal_queue_free(struct sink_journal_queue *q);

/* One of the daemon's own messages as a journal entry (MESSAGE, PRIORITY, SYSLOG_IDENTIFIER=
 * badgatewayd), through journald's socket: a stdout/stderr stream to journald does not survive
 * journald's stop, the socket is asked anew each time. 0, or -errno as sink_journal_emit(). */
int sink_journal_print(int priority, const char *message);

/* Alerts the journal refused, as JSON lines on a stream (stderr), with a one-time notice why. */
struct sink_fallback {
        FILE *f;
        bool announced;
        const char *prefix;     /* before the notice: sd-daemon(3)'s "<3>" when f is the journal's
                                 * stream, so that it has a priority; NULL: none */
};

void sink_fallback_init(struct sink_fallback *fb, FILE *f);
/* err: what sink_journal_emit() returned. 0, or -errno. */
int sink_journal_fallback(struct sink_fallback *fb, const struct alert *a, int err);

/* Lines kept while a JSON-lines sink cannot write (ENOSPC, EFBIG): past either cap the oldest go. */
enum { SINK_JSONL_QUEUE_MAX = 256, SINK_JSONL_QUEUE_BYTES = 4 << 20 };

struct sink_jsonl {
        FILE *f;
        char path[PATH_MAX];    /* empty: f is the caller's stream, never closed or reopened */
        bool cut;               /* the last line may be unterminated: start the next on a new line */
        char *queue[SINK_JSONL_QUEUE_MAX];     /* lines not yet written, oldest at head */
        size_t head, n, bytes;
        uint64_t written;       /* alerts written */
        uint64_t dropped;       /* alerts dropped: the queue was full, or out of memory */
};

/* A stream the caller owns (stdout). */
void sink_jsonl_stream(struct sink_jsonl *s, FILE *f);
/* Appends to path (created 0640, less the umask). 0, or -errno. */
int sink_jsonl_open(struct sink_jsonl *s, const char *path);
/* Opens the path anew (after log rotation), then closes the old file; keeps it on failure. */
int sink_jsonl_reopen(struct sink_jsonl *s);
/* Queues the alert's line and writes every queued line it can, oldest first. 0 when all are
 * written; else -errno (-ENOSPC, -EFBIG, -EPIPE, -ENOMEM…) with the rest kept for the next call. */
int sink_jsonl_write(struct sink_jsonl *s, const struct alert *a);
/* Writes what is queued: 0 when nothing is left, or -errno as sink_jsonl_write(). */
int sink_jsonl_flush(struct sink_jsonl *s);
/* Lines queued, not yet written. */
size_t sink_jsonl_pending(const struct sink_jsonl *s);
/* Closes the file (not a stream of the caller's); queued lines are freed: flush first. */
void sink_jsonl_close(struct sink_jsonl *s);
/* alert_to_json() as compact text on one line (malloc'd), or NULL when out of memory. */
char *sink_alert_json(const struct alert *a);
/* The alert as one compact JSON line on f, flushed. 0, or -errno. */
int sink_jsonl_put(FILE *f, const struct alert *a);
