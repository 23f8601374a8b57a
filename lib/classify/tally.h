/* Counts events per kind: how many, first and last time, and the top upstreams or pools. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kinds.h"
#include "timestamp.h"
#include "span.h"

enum { TALLY_LABELS = 64 };     /* distinct labels kept per kind; the rest count as other */

struct tally_label {
        char *text;
        size_t len;             /* bytes of text (NUL-terminated too; it may hold NUL bytes of its own) */
        size_t count;
};

/* count events in the minute that starts `minute` minutes after 1970-01-01 00:00 of the log's own
 * (local) clock */
struct tally_run {
        int64_t minute;
        size_t count;
};

struct tally_kind {
        size_t count;
        struct timestamp first, last;
        int64_t first_key, last_key;    /* their timestamp_key() */
        bool have_time;
        struct tally_label labels[TALLY_LABELS];
        size_t nlabels;
        size_t last_label;      /* the label the last event had: tried first */
        size_t other;           /* events whose label did not fit */
        struct tally_run *runs; /* one per minute in the order lines came; a minute may repeat */
        size_t nruns, runs_cap;
};

struct tally {
        struct tally_kind kinds[KIND__MAX];
        struct timestamp day;   /* the day of the last minute worked out, and its first minute */
        int64_t day_minute;
        bool have_day;
};

void tally_init(struct tally *t);
/* label: the upstream or the pool (may be empty); when: NULL if the line had no time. */
int tally_add(struct tally *t, enum event_kind k, struct span label, const struct timestamp *when);
/* Indexes of the labels of kind k, most counted first, into idx[TALLY_LABELS]; returns how many. */
size_t tally_top(const struct tally *t, enum event_kind k, size_t idx[TALLY_LABELS]);
/* Minutes since 1970-01-01 00:00 of t's own clock (no zone: the log's local time). */
int64_t tally_minute(const struct timestamp *t);
/*
 * Events of kind k per bucket of `width` minutes from minute `start`, into counts[n] (zeroed
 * first); events outside the n buckets are not counted. Returns the largest count.
 */
size_t tally_buckets(const struct tally *t, enum event_kind k, int64_t start, int64_t width, size_t *counts,
                     size_t n);
/* The first and last minute of any timed event of any kind; false when none had a time. */
bool tally_span(const struct tally *t, int64_t *first, int64_t *last);
/* Events that point to cause c. */
size_t tally_cause(const struct tally *t, enum cause c);
void tally_done(struct tally *t);
