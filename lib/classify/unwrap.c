#include "unwrap.h"

#include <jansson.h>
#include <string.h>

#include "fpm_log.h"

/* What one form peels off: the text inside, and the wrapper's time if it has one. */
struct peel {
        struct span text, time;
        enum unwrap_time time_form;
        bool truncated;
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static size_t min_size(size_t a, size_t b) {
        return a < b ? a : b;
}

bool unwrap_is_inner(const char *p, size_t n) {
        if (n >= 20 && is_digit(p[0]) && p[4] == '/' && p[7] == '/' && p[10] == ' ')
                return true;    /* nginx: "2026/03/12 14:01:06 [" */
        if (n >= 13 && p[0] == '[' && p[3] == '-' && p[7] == '-' && p[12] == ' ')
                return true;    /* php-fpm: "[12-Mar-2026 14:01:06] " */
        struct fpm_line l;
        return fpm_parse_dateless(p, n, &l) == 0;
}

/* A syslog tag: "ident" or "ident[pid]", no spaces or colons, at most 128 bytes. */
static bool is_tag(const char *p, const char *end) {
        if (p >= end || end - p > 128)
                return false;
        const char *open = memchr(p, '[', (size_t) (end - p));
        if (open == p)
                return false;
        if (open) {
                if (end - open < 3 || end[-1] != ']')
                        return false;
                for (const char *d = open + 1; d < end - 1; d++)
                        if (!is_digit(*d))
                                return false;
                end = open;
        }
        for (const char *c = p; c < end; c++)
                if (*c == ':' || *c == ' ' || *c == ']' || (unsigned char) *c < 0x20)
                        return false;
        return true;
}

/* "host ident[pid]: ", "host ident: " or (no host) "ident[pid]: " */
static bool take_host_tag(struct span *t) {
        const char *p = t->p, *end = p + t->n;
        const char *sp = memchr(p, ' ', min_size(t->n, 256));
        if (!sp || sp == p)
                return false;
        if (sp[-1] == ':' && is_tag(p, sp - 1)) {
                *t = span_range(sp + 1, end);
                return true;
        }
        const char *q = sp + 1;
        const char *sp2 = memchr(q, ' ', min_size((size_t) (end - q), 130));
        if (!sp2 || sp2[-1] != ':' || !is_tag(q, sp2 - 1))
                return false;
        *t = span_range(sp2 + 1, end);
        return true;
}

/* The json-file driver's line: jansson decodes it into buf (only the outermost layer). */
static unsigned peel_json(struct span in, struct peel *o, char *buf, size_t size) {
        if (!buf || size < 128 || !SPAN_STARTS(in, "{\"log\":"))
                return 0;
        json_t *root = json_loadb(in.p, in.n, JSON_ALLOW_NUL, NULL);
        json_t *log = json_object_get(root, "log"), *tm = json_object_get(root, "time");
        unsigned form = 0;
        if (json_is_string(log)) {
                /* the text first, the time in the last 64 bytes */
                size_t len = json_string_length(log), cap = size - 64;
                if (len > cap) {
                        len = cap;
                        o->truncated = true;
                }
                memcpy(buf, json_string_value(log), len);
                if (len && buf[len - 1] == '\n')
                        len--;
                if (len && buf[len - 1] == '\r')
                        len--;
                o->text = span_make(buf, len);
                size_t tn = json_is_string(tm) ? json_string_length(tm) : 0;
                if (tn > 0 && tn < 64 && timestamp_rfc3339_len(json_string_value(tm), tn) == tn) {
                        memcpy(buf + size - 64, json_string_value(tm), tn);
                        o->time = span_make(buf + size - 64, tn);
                        o->time_form = UNWRAP_TIME_RFC3339;
                }
                form = UNWRAP_DOCKER_JSON;
        }
        json_decref(root);
        return form;
}

/* "<PRI>" (1 to 3 digits): its length, or 0 */
static size_t pri_len(struct span in) {
        size_t i = 1;
        if (in.n < 3 || in.p[0] != '<')
                return 0;
        while (i < in.n && i <= 3 && is_digit(in.p[i]))
                i++;
        return i > 1 && i < in.n && in.p[i] == '>' ? i + 1 : 0;
}

/* "<14>1 TIME HOST APP PROCID MSGID SD MSG": TIME may be "-", SD "-" or "[…]…" */
static unsigned peel_rfc5424(struct span in, struct peel *o) {
        size_t at = pri_len(in);
        if (!at || in.n < at + 2 || in.p[at] != '1' || in.p[at + 1] != ' ')
                return 0;
        struct span t = span_range(in.p + at + 2, in.p + in.n);
        size_t tl = t.n > 0 && t.p[0] == '-' ? 1 : timestamp_rfc3339_len(t.p, t.n);
        if (!tl || tl >= t.n || t.p[tl] != ' ')
                return 0;
        if (t.p[0] != '-') {
                o->time = span_make(t.p, tl);
                o->time_form = UNWRAP_TIME_RFC3339;
        }
        t = span_range(t.p + tl + 1, t.p + t.n);
        for (int field = 0; field < 4; field++) {       /* HOST APP PROCID MSGID */
                const char *sp = memchr(t.p, ' ', min_size(t.n, 256));
                if (!sp || sp == t.p)
                        return 0;
                t = span_range(sp + 1, t.p + t.n);
        }
        const char *p = t.p, *end = t.p + t.n;
        if (p < end && *p == '-') {
                p++;
        } else {
                while (p < end && *p == '[') {  /* SD-ELEMENTs; '"', '\\' and ']' escaped in values */
                        bool quoted = false;
                        for (p++; p < end && (quoted || *p != ']'); p++) {
                                if (*p == '\\' && p + 1 < end)
                                        p++;
                                else if (*p == '"')
                                        quoted = !quoted;
                        }
                        if (p >= end)
                                return 0;
                        p++;
                }
                if (p == t.p)
                        return 0;
        }
        if (p < end && *p != ' ')
                return 0;
        if (p < end)
                p++;
        if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
                p += 3;
        o->text = span_range(p, end);
        return UNWRAP_RFC5424;
}

/* docker logs -t "TIME line", or the journal's short-iso "TIME host ident[pid]: line" */
static unsigned peel_rfc3339(struct span in, struct peel *o) {
        if (in.n < 21 || !is_digit(in.p[0]))
                return 0;
        size_t tl = timestamp_rfc3339_len(in.p, in.n);
        if (!tl || tl >= in.n || in.p[tl] != ' ')
                return 0;
        o->time = span_make(in.p, tl);
        o->time_form = UNWRAP_TIME_RFC3339;
        struct span t = span_range(in.p + tl + 1, in.p + in.n);
        o->text = t;
        if (unwrap_is_inner(t.p, t.n) || !take_host_tag(&t))
                return UNWRAP_TIMESTAMP;
        o->text = t;
        return UNWRAP_SYSLOG_ISO;
}

/* "[<PRI>]Mar 12 14:01:06[.123456] host ident[pid]: line" */
static unsigned peel_bsd(struct span in, struct peel *o) {
        size_t at = pri_len(in);
        struct span t = span_range(in.p + at, in.p + in.n);
        if (t.n < 16 || t.p[0] < 'A' || t.p[0] > 'S')
                return 0;
        size_t tl = timestamp_bsd_len(t.p, t.n);
        if (!tl || tl >= t.n || t.p[tl] != ' ')
                return 0;
        struct span rest = span_range(t.p + tl + 1, t.p + t.n);
        if (!take_host_tag(&rest))
                return 0;
        o->time = span_make(t.p, tl);
        o->time_form = UNWRAP_TIME_BSD;
        o->text = rest;
        return UNWRAP_SYSLOG;
}

/* docker compose's "app-1  | line" (compose v1: "app_1  | ") */
static unsigned peel_compose(struct span in, struct peel *o) {
        const char *p = in.p, *end = in.p + in.n, *name_end;
        for (name_end = p; name_end < end && name_end - p <= 64; name_end++) {
                char c = *name_end;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
                      c == '_' || c == '.'))
                        break;
        }
        if (name_end == p || name_end - p > 64 || name_end >= end || *name_end != ' ')
                return 0;
        const char *bar = name_end;
        while (bar < end && *bar == ' ' && bar - name_end <= 64)
                bar++;
        if (bar >= end || *bar != '|' || (bar + 1 < end && bar[1] != ' '))
                return 0;
        o->text = span_range(bar + 1 < end ? bar + 2 : end, end);
        return UNWRAP_COMPOSE;
}

/* "6,1234,5678901,-;text" or with more fields before ';' ("…,-,caller=T12;"): no wall-clock time */
static unsigned peel_kmsg(struct span in, struct peel *o) {
        const char *p = in.p, *end = in.p + in.n;
        for (int field = 0; field < 3; field++) {       /* priority, sequence, timestamp */
                const char *start = p;
                while (p < end && is_digit(*p) && p - start < 20)
                        p++;
                if (p == start || p >= end || *p != ',')
                        return 0;
                p++;
        }
        const char *semi = memchr(p, ';', min_size((size_t) (end - p), 64));
        if (!semi || semi == p)
                return 0;
        o->text = span_range(semi + 1, end);
        return UNWRAP_KMSG;
}

/* "[16665.539750] text": seconds since boot, as dmesg and the kernel's console print them */
static unsigned peel_dmesg(struct span in, struct peel *o) {
        const char *p = in.p + 1, *end = in.p + in.n;
        while (p < end && *p == ' ')
                p++;
        const char *digits = p;
        while (p < end && is_digit(*p) && p - digits < 12)
                p++;
        if (p == digits || p >= end || *p != '.')
                return 0;
        const char *frac = ++p;
        while (p < end && is_digit(*p) && p - frac < 9)
                p++;
        if (p == frac || end - p < 2 || p[0] != ']' || p[1] != ' ')
                return 0;
        o->text = span_range(p + 2, end);
        return UNWRAP_DMESG;
}

static unsigned peel(struct span in, struct peel *o, char *buf, size_t size) {
        if (in.n == 0)
                return 0;
        unsigned form;
        switch (in.p[0]) {
        case '{': return peel_json(in, o, buf, size);
        case '[': return peel_dmesg(in, o);
        case '<':
                if ((form = peel_rfc5424(in, o)))
                        return form;
                return peel_bsd(in, o);
        default: break;
        }
        if ((form = peel_rfc3339(in, o)) || (form = peel_bsd(in, o)))
                return form;
        *o = (struct peel) { 0 };
        if (is_digit(in.p[0]) && (form = peel_kmsg(in, o)))
                return form;
        *o = (struct peel) { 0 };
        return peel_compose(in, o);
}

bool unwrap_line(const char *p, size_t n, struct unwrapped *u, char *buf, size_t size) {
        *u = (struct unwrapped) { .text = span_make(p, n) };
        for (int depth = 0; depth < UNWRAP_MAX_DEPTH; depth++) {
                if (depth > 0 && unwrap_is_inner(u->text.p, u->text.n))
                        break;
                struct peel o = { 0 };
                unsigned form = peel(u->text, &o, depth == 0 ? buf : NULL, size);
                if (!form)
                        break;
                u->forms |= form;
                u->text = o.text;
                u->truncated |= o.truncated;
                if (!u->time.p && o.time.p) {
                        u->time = o.time;
                        u->time_form = o.time_form;
                }
        }
        return u->forms != 0;
}

bool unwrap_parse_time(const struct unwrapped *u, time_t now, struct timestamp *t) {
        switch (u->time_form) {
        case UNWRAP_TIME_RFC3339: return timestamp_parse_rfc3339(u->time, t);
        case UNWRAP_TIME_BSD: return timestamp_parse_bsd(u->time, now, t);
        default: return false;
        }
}
