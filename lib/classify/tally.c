#include "tally.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void tally_init(struct tally *t) {
        memset(t, 0, sizeof(*t));
}

static void note_time(struct tally_kind *tk, const struct timestamp *when) {
        if (!when)
                return;
        if (!tk->have_time || timestamp_key(when) < timestamp_key(&tk->first))
                tk->first = *when;
        if (!tk->have_time || timestamp_key(when) > timestamp_key(&tk->last))
                tk->last = *when;
        tk->have_time = true;
}

static int note_label(struct tally_kind *tk, struct span label) {
        for (size_t i = 0; i < tk->nlabels; i++) {
                struct tally_label *l = &tk->labels[i];
                if (strlen(l->text) == label.n && (!label.n || memcmp(l->text, label.p, label.n) == 0)) {
                        l->count++;
                        return 0;
                }
        }
        if (tk->nlabels == TALLY_LABELS) {
                tk->other++;
                return 0;
        }
        char *copy = strndup(label.p ? label.p : "", label.n);
        if (!copy)
                return -ENOMEM;
        tk->labels[tk->nlabels++] = (struct tally_label) { copy, 1 };
        return 0;
}

int tally_add(struct tally *t, enum event_kind k, struct span label, const struct timestamp *when) {
        if ((unsigned) k >= KIND__MAX)
                return -EINVAL;
        struct tally_kind *tk = &t->kinds[k];
        tk->count++;
        note_time(tk, when);
        return note_label(tk, label);
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

size_t tally_cause(const struct tally *t, enum cause c) {
        size_t sum = 0;
        for (unsigned k = 1; k < KIND__MAX; k++)
                if (kind_info((enum event_kind) k)->causes & (1u << c))
                        sum += t->kinds[k].count;
        return sum;
}

void tally_done(struct tally *t) {
        for (unsigned k = 0; k < KIND__MAX; k++)
                for (size_t i = 0; i < t->kinds[k].nlabels; i++)
                        free(t->kinds[k].labels[i].text);
        tally_init(t);
}
