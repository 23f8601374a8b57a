/* Counts events per kind: how many, first and last time, and the top upstreams or pools. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "kinds.h"
#include "timestamp.h"
#include "span.h"

enum { TALLY_LABELS = 64 };     /* distinct labels kept per kind; the rest count as other */

struct tally_label {
        char *text;
        size_t count;
};

struct tally_kind {
        size_t count;
        struct timestamp first, last;
        bool have_time;
        struct tally_label labels[TALLY_LABELS];
        size_t nlabels;
        size_t other;           /* events whose label did not fit */
};

struct tally {
        struct tally_kind kinds[KIND__MAX];
};

void tally_init(struct tally *t);
/* label: the upstream or the pool (may be empty); when: NULL if the line had no time. */
int tally_add(struct tally *t, enum event_kind k, struct span label, const struct timestamp *when);
/* Indexes of the labels of kind k, most counted first, into idx[TALLY_LABELS]; returns how many. */
size_t tally_top(const struct tally *t, enum event_kind k, size_t idx[TALLY_LABELS]);
/* Events that point to cause c. */
size_t tally_cause(const struct tally *t, enum cause c);
void tally_done(struct tally *t);
