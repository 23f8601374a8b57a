/* Where the daemon's alerts go: journald under systemd, JSON lines on stdout otherwise, or what
 * the flags ask for (both if both are given). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "sink.h"

struct outputs_options {
        bool to_stdout;                 /* --stdout */
        bool to_journal;                /* --journal */
        const char *file;               /* --jsonl FILE */
};

/* A JSON-lines sink and what was said about it. */
struct jsonl_output {
        bool on;
        const char *name;               /* "stdout", or the file's path */
        struct sink_jsonl sink;
        int error;                      /* the last write's: said once until it changes; retried while < 0 */
        uint64_t written_before, dropped_before;        /* the sink's counts when it began failing */
};

struct outputs {
        bool journal;
        struct sink_fallback fallback;
        int journal_error;
        struct sink_journal_queue journal_queue;        /* while journald is gone after taking some */
        bool journal_failing;                           /* said; "again" is said once it works */
        uint64_t late_before, dropped_before;           /* the queue's counts when it began failing */
        struct jsonl_output out;        /* stdout */
        struct jsonl_output file;       /* --jsonl FILE */
};

/* Under systemd: $JOURNAL_STREAM or $INVOCATION_ID is set. */
bool outputs_under_systemd(void);
/* 0, or -errno when the file cannot be opened. */
int outputs_open(struct outputs *o, const struct outputs_options *opt);
/* To every sink. A JSON-lines sink that fails (ENOSPC) keeps what it could not write (bounded,
 * SINK_JSONL_QUEUE_MAX) and says so once; one closed for good (EPIPE) is dropped. */
void outputs_send(struct outputs *o, const struct alert *a);
/* Writes what failing sinks kept; says when one works again, with what was written late and dropped. */
void outputs_retry(struct outputs *o);
/* Some sink still takes alerts. */
bool outputs_any(const struct outputs *o);
/* The file anew, after logrotate moved it (on SIGHUP). */
void outputs_reopen(struct outputs *o);
/* Writes what it can, says what could not be written or was dropped, and closes. */
void outputs_close(struct outputs *o);
/* Each JSON-lines output's alerts dropped into m's METRIC_ALERTS_DROPPED ("stdout", the file's path). */
struct metrics;
void outputs_count(const struct outputs *o, struct metrics *m);
