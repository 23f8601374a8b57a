#include "fpm_log.h"

#include <errno.h>

/* "pid 6709, fpm_children_bury(), line 289: " */
static void skip_debug_origin(struct span *m, struct fpm_line *l) {
        struct span t = *m;
        if (!SPAN_SKIP(&t, "pid "))
                return;
        const char *digits = t.p;
        long pid;
        if (!span_take_long(&t, &pid))
                return;
        struct span pid_digits = span_range(digits, t.p);
        if (!SPAN_SKIP(&t, ", "))
                return;
        const char *colon = SPAN_FIND(t, ": ");
        if (!colon || !SPAN_FIND(span_range(t.p, colon), "(), line "))
                return;
        l->pid = pid_digits;
        *m = span_range(colon + 2, m->p + m->n);
}

static void take_pool(struct span *m, struct fpm_line *l) {
        if (!SPAN_STARTS(*m, "[pool "))
                return;
        struct span t = span_range(m->p + 6, m->p + m->n);
        const char *close = SPAN_FIND(t, "] ");
        if (!close)
                return;
        l->pool = span_range(t.p, close);
        *m = span_range(close + 2, m->p + m->n);
}

/* What follows the level: "[pool www] child 12 exited…", with its debug origin and pool taken. */
static void take_message(struct span m, struct fpm_line *l) {
        skip_debug_origin(&m, l);
        take_pool(&m, l);
        l->message = m;
}

int fpm_parse(const char *p, size_t n, struct fpm_line *l) {
        if (n < 24 || p[0] != '[' || p[3] != '-' || p[7] != '-' || p[12] != ' ')
                return -EINVAL;
        struct span rest = span_make(p + 1, n - 1);
        const char *close = SPAN_FIND(rest, "] ");
        if (!close || close - rest.p > 27)
                return -EINVAL;
        *l = (struct fpm_line) { .time = span_range(rest.p, close) };
        rest = span_range(close + 2, p + n);
        const char *colon = SPAN_FIND(span_make(rest.p, rest.n < 12 ? rest.n : 12), ": ");
        if (!colon)
                return -EINVAL;
        l->level = span_range(rest.p, colon);
        l->lvl = level_from_span(l->level);
        if (l->lvl == LEVEL_UNKNOWN)
                return -EINVAL;
        take_message(span_range(colon + 2, p + n), l);
        return 0;
}

/* php-fpm's level names are upper case: "WARNING", "NOTICE", "ERROR", "ALERT", "DEBUG"… */
static bool fpm_level(struct span s, struct fpm_line *l) {
        for (size_t i = 0; i < s.n; i++)
                if (s.p[i] < 'A' || s.p[i] > 'Z')
                        return false;
        l->level = s;
        l->lvl = level_from_span(s);
        return l->lvl != LEVEL_UNKNOWN;
}

int fpm_parse_dateless(const char *p, size_t n, struct fpm_line *l) {
        if (n < 7 || p[0] < '@' || p[0] > '[')
                return -EINVAL;
        struct span head = span_make(p, n < 10 ? n : 10);
        const char *end;
        *l = (struct fpm_line) { 0 };
        if (p[0] == '[') {
                end = SPAN_FIND(head, "] ");
                if (!end || !fpm_level(span_range(p + 1, end), l))
                        return -EINVAL;
        } else {
                end = SPAN_FIND(head, ": ");
                if (!end || !fpm_level(span_range(p, end), l))
                        return -EINVAL;
        }
        take_message(span_range(end + 2, p + n), l);
        return 0;
}
