#include "journal_lines.h"

#include <string.h>

size_t journal_lines(const struct journal_entry *e, char *buf, size_t size, journal_lines_fn fn, void *userdata) {
        const char *p = e->message, *end = e->message + e->message_len;
        size_t lines = 0;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *stop = nl ? nl : end;
                if (stop > p) {
                        struct logline ll;
                        struct event ev;
                        size_t len = journal_line(e, p, (size_t) (stop - p), buf, size);
                        if (classify_line(buf, len, &ll, &ev) != KIND_NONE && (ev.source == SOURCE_KERNEL) != e->kernel)
                                ev.kind = KIND_NONE;
                        fn(userdata, e, buf, len, len == size, &ll, &ev);
                        lines++;
                }
                p = nl ? nl + 1 : end;
        }
        return lines;
}

struct counted {
        struct journal_scan *s;
        journal_lines_fn fn;
        void *userdata;
};

static void count_line(void *userdata, const struct journal_entry *e, const char *line, size_t len, bool cut,
                       const struct logline *ll, const struct event *ev) {
        struct counted *c = userdata;
        c->s->truncated += cut;
        c->fn(c->userdata, e, line, len, cut, ll, ev);
}

int journal_scan(struct journal_scan *s, struct journal *j, char *buf, size_t size, journal_lines_fn fn,
                 void *userdata) {
        struct journal_entry e;
        struct counted c = { s, fn, userdata };
        int r;
        while ((r = journal_next(j, &e)) > 0) {
                if (s->since && e.realtime < s->since) {
                        s->old_entries++;
                        continue;
                }
                s->entries++;
                s->lines += journal_lines(&e, buf, size, count_line, &c);
        }
        return r;
}
