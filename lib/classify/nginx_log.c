#include "nginx_log.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Bytes that are not digits in 8 bytes read at once: a nonzero byte for each. */
static uint64_t non_digits(const char *p) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t high = (x & 0xf0f0f0f0f0f0f0f0u) ^ 0x3030303030303030u;      /* 0 iff 0x3_ */
        uint64_t low = ((x & 0x0f0f0f0f0f0f0f0fu) + 0x0606060606060606u) & 0xf0f0f0f0f0f0f0f0u;   /* 0 iff _0 to _9 */
        return high | low;
}

/* Where the first nonzero byte of non_digits() lies, in the order the bytes were in memory. */
static unsigned first_set_byte(uint64_t bad) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        return (unsigned) __builtin_clzll(bad) / 8;
#else
        return (unsigned) __builtin_ctzll(bad) / 8;
#endif
}

/* Pids, tids and connection numbers: eight bytes at a time where the line has them. */
static struct span take_digits(const char **p, const char *end) {
        const char *start = *p;
        while (end - *p >= 8) {
                uint64_t bad = non_digits(*p);
                if (bad) {
                        *p += first_set_byte(bad);
                        return span_range(start, *p);
                }
                *p += 8;
        }
        while (*p < end && is_digit(**p))
                (*p)++;
        return span_range(start, *p);
}

static bool take_char(const char **p, const char *end, char c) {
        if (*p >= end || **p != c)
                return false;
        (*p)++;
        return true;
}

/* The level's closing bracket within 16 bytes of q: the longest name is 7 bytes. */
static const char *level_end(const char *q, const char *end) {
        const char *stop = end - q < 16 ? end : q + 16;
        for (; q < stop; q++)
                if (*q == ']')
                        return q;
        return NULL;
}

int nginx_parse_head(const char *p, size_t n, struct nginx_line *l) {
        const char *end = p + n;
        if (n < 24 || p[4] != '/' || p[7] != '/' || p[10] != ' ' || p[13] != ':' || p[19] != ' ' ||
            p[20] != '[')
                return -EINVAL;
        const char *q = p + 21;
        const char *close = level_end(q, end);
        if (!close)
                return -EINVAL;
        l->time = span_make(p, 19);
        l->trailer = l->client = l->server = l->request = SPAN_NULL;
        l->upstream = l->host = l->referrer = l->conn = SPAN_NULL;
        l->level = span_range(q, close);
        l->lvl = level_from_span(l->level);
        q = close + 1;
        if (!take_char(&q, end, ' '))
                return -EINVAL;
        l->pid = take_digits(&q, end);
        if (!take_char(&q, end, '#'))
                return -EINVAL;
        l->tid = take_digits(&q, end);
        if (!take_char(&q, end, ':'))
                return -EINVAL;
        take_char(&q, end, ' ');
        if (take_char(&q, end, '*')) {
                l->conn = take_digits(&q, end);
                take_char(&q, end, ' ');
        }
        l->rest = span_range(q, end);
        l->message = l->rest;
        return 0;
}

/* What may follow a quoted value: the next field's key, with the value's closing quote. */
struct closer {
        const char *text;
        size_t n;
};
#define CLOSER(lit) { lit, sizeof(lit) - 1 }

/* The first '"' that one of the closers starts at, or NULL. */
static const char *closing_quote(struct span s, const struct closer *closers) {
        const char *end = s.p + s.n;
        for (const char *q = s.p; (q = memchr(q, '"', (size_t) (end - q))); q++)
                for (const struct closer *k = closers; k->text; k++)
                        if (span_has_prefix(span_range(q, end), k->text, k->n))
                                return q;
        return NULL;
}

/* A quoted value runs to the first closer, else to a final quote at the end of the line. */
static struct span quoted_value(struct span *t, const struct closer *closers) {
        const char *stop = closing_quote(*t, closers);
        const char *end = t->p + t->n;
        if (!stop)
                stop = (t->n > 0 && end[-1] == '"') ? end - 1 : end;
        struct span v = span_range(t->p, stop);
        *t = span_range(stop < end && *stop == '"' ? stop + 1 : stop, end);
        return v;
}

/* The message ends at the first ", client: ": commas are rare, so look at each one. */
static const char *find_client(struct span s) {
        const char *end = s.p + s.n;
        for (const char *c = s.p; (c = memchr(c, ',', (size_t) (end - c))); c++)
                if (SPAN_STARTS(span_range(c, end), ", client: "))
                        return c;
        return NULL;
}

static struct span plain_value(struct span *t) {
        const char *comma = SPAN_FIND(*t, ", ");
        const char *end = t->p + t->n;
        struct span v = span_range(t->p, comma ? comma : end);
        *t = span_range(comma ? comma : end, end);
        return v;
}

static const struct closer after_request[] = {
        CLOSER("\", subrequest: \""), CLOSER("\", upstream: \""), CLOSER("\", host: \""),
        CLOSER("\", referrer: \""), { 0 },
};
static const struct closer after_host[] = { CLOSER("\", referrer: \""), { 0 } };
static const struct closer after_upstream[] = { CLOSER("\""), { 0 } };
static const struct closer none[] = { { 0 } };

void nginx_split_message(struct nginx_line *l) {
        const char *cut = find_client(l->rest);
        if (!cut)
                return;
        l->message = span_range(l->rest.p, cut);
        l->trailer = span_range(cut, l->rest.p + l->rest.n);
}

void nginx_parse_fields(struct nginx_line *l) {
        if (!l->trailer.p)
                return;
        struct span t = span_range(l->trailer.p + 10, l->trailer.p + l->trailer.n);
        l->client = plain_value(&t);
        if (SPAN_SKIP(&t, ", server: "))
                l->server = plain_value(&t);
        if (SPAN_SKIP(&t, ", request: \""))
                l->request = quoted_value(&t, after_request);
        if (SPAN_SKIP(&t, ", subrequest: \""))
                quoted_value(&t, after_request);
        if (SPAN_SKIP(&t, ", upstream: \""))
                l->upstream = quoted_value(&t, after_upstream);
        if (SPAN_SKIP(&t, ", host: \""))
                l->host = quoted_value(&t, after_host);
        if (SPAN_SKIP(&t, ", referrer: \""))
                l->referrer = quoted_value(&t, none);
}

void nginx_parse_trailer(struct nginx_line *l) {
        nginx_split_message(l);
        nginx_parse_fields(l);
}

int nginx_parse(const char *p, size_t n, struct nginx_line *l) {
        int r = nginx_parse_head(p, n, l);
        if (r < 0)
                return r;
        nginx_parse_trailer(l);
        return 0;
}
