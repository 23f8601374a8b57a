/* A journal entry's MESSAGE as log lines: what the daemon's journal source and `scan --journal`
 * both classify, one path for both. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "classify.h"
#include "journal.h"

/* Called for each line; line (len bytes, no NUL) is the entry's line in the form journal_line()
 * builds, cut when it did not fit the buffer; ev->kind is KIND_NONE when it is no event. */
typedef void (*journal_lines_fn)(void *userdata, const struct journal_entry *e, const char *line, size_t len,
                                 bool cut, const struct logline *ll, const struct event *ev);

/* Each non-empty line of e's MESSAGE (split at '\n'), made the line a tailed log would hold
 * (journal_line(), into buf of size >= 128 bytes, reused per line) and classified with
 * classify_line(). The kernel's kinds count only in an entry of the kernel's transport (any
 * process may write their words), and only the kernel's kinds in such an entry: ev->kind is
 * KIND_NONE otherwise. Returns how many lines fn was given. */
size_t journal_lines(const struct journal_entry *e, char *buf, size_t size, journal_lines_fn fn, void *userdata);

/* What journal_scan() read. */
struct journal_scan {
        uint64_t since;                 /* realtime µs: older entries are counted, not read; 0: none */
        uint64_t entries, lines;        /* read, at or after since */
        uint64_t old_entries;           /* before since (the seek lets out-of-order ones through) */
        uint64_t truncated;             /* lines cut to the buffer */
};

/* Reads j to its end (journal_next() until 0), handing each line of every entry at or after
 * s->since to fn as journal_lines() does, buf of size bytes. 0, or journal_next()'s negative
 * errno (what was read before it stays counted). */
int journal_scan(struct journal_scan *s, struct journal *j, char *buf, size_t size, journal_lines_fn fn,
                 void *userdata);
