#include "tally.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tally_init(struct tally *t) {
        memset(t, 0, sizeof(*t));
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (March-based years, so that
 * February's length only matters at a year's end). */
static int64_t days_from_civil(int64_t y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

int64_t tally_minute(const struct timestamp *t) {
        return days_from_civil(t->year, t->month, t->day) * 1440 + t->hour * 60 + t->min;
}

/* tally_minute for lines in time order: the day is worked out again only when it changes. */
static int64_t minute_of(struct tally *t, const struct timestamp *when) {
        if (!t->have_day || when->year != t->day.year || when->month != t->day.month || when->day != t->day.day) {
                t->day = *when;
                t->day_minute = days_from_civil(when->year, when->month, when->day) * 1440;
                t->have_day = true;
        }
        return t->day_minute + when->hour * 60 + when->min;
}

/* The common case, lines in time order, costs one compare: the minute is the last run's. */
static int note_minute(struct tally_kind *tk, int64_t minute) {
        if (tk->nruns && tk->runs[tk->nruns - 1].minute == minute) {
                tk->runs[tk->nruns - 1].count++;
                return 0;
        }
        if (tk->nruns == tk->runs_cap) {
                size_t cap = tk->runs_cap ? tk->runs_cap * 2 : 64;
                struct tally_run *r = realloc(tk->runs, cap * sizeof(*r));
                if (!r)
                        return -ENOMEM;
                tk->runs = r;
                tk->runs_cap = cap;
        }
        tk->runs[tk->nruns++] = (struct tally_run) { minute, 1 };
        return 0;
}

static void note_time(struct tally_kind *tk, const struct timestamp *when) {
        if (!when)
                return;
        int64_t key = timestamp_key(when);
        if (!tk->have_time || key < tk->first_key) {
                tk->first = *when;
                tk->first_key = key;
        }
        if (!tk->have_time || key > tk->last_key) {
                tk->last = *when;
                tk->last_key = key;
        }
        tk->have_time = true;
}

static bool label_is(const struct tally_label *l, struct span label) {
        return l->len == label.n && (!label.n || memcmp(l->text, label.p, label.n) == 0);
}

static int note_label(struct tally_kind *tk, struct span label) {
        if (tk->nlabels && label_is(&tk->labels[tk->last_label], label)) {
                tk->labels[tk->last_label].count++;
                return 0;
        }
        for (size_t i = 0; i < tk->nlabels; i++) {
                struct tally_label *l = &tk->labels[i];
                if (label_is(l, label)) {
                        l->count++;
                        tk->last_label = i;
                        return 0;
                }
        }
        if (tk->nlabels == TALLY_LABELS) {
                tk->other++;
                return 0;
        }
        char *copy = malloc(label.n + 1);      /* not strndup: a label may hold NUL bytes */
        if (!copy)
                return -ENOMEM;
        if (label.n)
                memcpy(copy, label.p, label.n);
        copy[label.n] = '\0';
        tk->last_label = tk->nlabels;
        tk->labels[tk->nlabels++] = (struct tally_label) { copy, label.n, 1 };
        return 0;
}

int tally_add(struct tally *t, enum event_kind k, struct span label, const struct timestamp *when) {
        if ((unsigned) k >= KIND__MAX)
                return -EINVAL;
        struct tally_kind *tk = &t->kinds[k];
        tk->count++;
        note_time(tk, when);
        int r = when ? note_minute(tk, minute_of(t, when)) : 0;
        int l = note_label(tk, label);
        return r < 0 ? r : l;
}

size_t tally_top(const struct tally *t, enum event_kind k, size_t idx[TALLY_LABELS]) {
        const struct tally_kind *tk = &t->kinds[k];
        for (size_t i = 0; i < tk->nlabels; i++) {
                size_t j = i;
                while (j > 0 && tk->labels[idx[j - 1]].count < tk->labels[i].count) {
                        idx[j] = idx[j - 1];
                        j--;
                }
                idx[j] = i;
        }
        return tk->nlabels;
}

size_t tally_buckets(const struct tally *t, enum event_kind k, int64_t start, int64_t width, size_t *counts,
                     size_t n) {
        const struct tally_kind *tk = &t->kinds[k];
        size_t most = 0;
        memset(counts, 0, n * sizeof(*counts));
        for (size_t i = 0; i < tk->nruns && width > 0; i++) {
                int64_t b = tk->runs[i].minute - start;
                if (b < 0 || (b /= width) >= (int64_t) n)
                        continue;
                counts[b] += tk->runs[i].count;
                if (counts[b] > most)
                        most = counts[b];
        }
        return most;
}

bool tally_span(const struct tally *t, int64_t *first, int64_t *last) {
        bool any = false;
        for (unsigned k = 1; k < KIND__MAX; k++) {
                const struct tally_kind *tk = &t->kinds[k];
                if (!tk->have_time)
                        continue;
                int64_t f = tally_minute(&tk->first), l = tally_minute(&tk->last);
                if (!any || f < *first)
                        *first = f;
                if (!any || l > *last)
                        *last = l;
                any = true;
        }
        return any;
}

size_t tally_cause(const struct tally *t, enum cause c) {
        size_t sum = 0;
        for (unsigned k = 1; k < KIND__MAX; k++)
                if (kind_info((enum event_kind) k)->causes & (1u << c))
                        sum += t->kinds[k].count;
        return sum;
}

void tally_done(struct tally *t) {
        for (unsigned k = 0; k < KIND__MAX; k++) {
                for (size_t i = 0; i < t->kinds[k].nlabels; i++)
                        free(t->kinds[k].labels[i].text);
                free(t->kinds[k].runs);
        }
        tally_init(t);
}
