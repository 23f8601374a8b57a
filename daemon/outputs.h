/* Where the daemon's alerts go: journald under systemd, JSON lines on stdout otherwise, or what
 * the flags ask for (both if both are given). */
#pragma once
#include <stdbool.h>

#include "alert.h"
#include "sink.h"

struct outputs_options {
        bool to_stdout;                 /* --stdout */
        bool to_journal;                /* --journal */
        const char *file;               /* --jsonl FILE */
};

struct outputs {
        bool journal;
        struct sink_fallback fallback;
        bool to_stdout;
        struct sink_jsonl out;
        bool to_file;
        struct sink_jsonl file;
        int last_error;                 /* logged once until it changes */
};

/* Under systemd: $JOURNAL_STREAM or $INVOCATION_ID is set. */
bool outputs_under_systemd(void);
/* 0, or -errno when the file cannot be opened. */
int outputs_open(struct outputs *o, const struct outputs_options *opt);
void outputs_send(struct outputs *o, const struct alert *a);
/* The file anew, after logrotate moved it (on SIGHUP). */
void outputs_reopen(struct outputs *o);
void outputs_close(struct outputs *o);
