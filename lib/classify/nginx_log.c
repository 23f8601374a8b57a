#include "nginx_log.h"

#include <errno.h>

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static struct span take_digits(const char **p, const char *end) {
        const char *start = *p;
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

/* The first '"' that one of the keys follows (each key starts with '"'), or NULL. */
static const char *closing_quote(struct span s, const char *const *keys) {
        const char *end = s.p + s.n;
        for (const char *q = s.p; (q = memchr(q, '"', (size_t) (end - q))); q++)
                for (const char *const *k = keys; *k; k++)
                        if (span_has_prefix(span_range(q, end), *k, strlen(*k)))
                                return q;
        return NULL;
}

/* A quoted value runs to the first closer, else to a final quote at the end of the line. */
static struct span quoted_value(struct span *t, const char *const *closers) {
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

static const char *const after_request[] = {
        "\", subrequest: \"", "\", upstream: \"", "\", host: \"", "\", referrer: \"", NULL,
};
static const char *const after_host[] = { "\", referrer: \"", NULL };
static const char *const after_upstream[] = { "\"", NULL };

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
                l->referrer = quoted_value(&t, (const char *const[]) { NULL });
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
