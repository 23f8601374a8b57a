#include "span.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

bool span_eq_str(struct span s, const char *str) {
        size_t n = strlen(str);
        return s.n == n && (n == 0 || memcmp(s.p, str, n) == 0);
}

/* memchr on the first byte, then memcmp: the needles are a few bytes and the lines short, where
 * glibc's memmem spends more setting up its two-way search than it saves. */
const char *span_find(struct span s, const char *lit, size_t n) {
        if (n == 0)
                return s.p;
        if (s.n < n)
                return NULL;
        const char *last = s.p + (s.n - n);
        for (const char *q = s.p; q <= last; q++) {
                q = memchr(q, lit[0], (size_t) (last - q) + 1);
                if (!q)
                        return NULL;
                if (memcmp(q + 1, lit + 1, n - 1) == 0)
                        return q;
        }
        return NULL;
}

const char *span_rfind(struct span s, const char *lit, size_t n) {
        if (s.n < n)
                return NULL;
        for (const char *p = s.p + s.n - n;; p--) {
                if (*p == *lit && memcmp(p, lit, n) == 0)
                        return p;
                if (p == s.p)
                        return NULL;
        }
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

bool span_take_long(struct span *s, long *out) {
        size_t i = 0;
        long v = 0;
        while (i < s->n && is_digit(s->p[i])) {
                int d = s->p[i] - '0';
                if (v > (LONG_MAX - d) / 10)
                        return false;
                v = v * 10 + d;
                i++;
        }
        if (i == 0)
                return false;
        s->p += i;
        s->n -= i;
        *out = v;
        return true;
}

bool span_take_seconds(struct span *s, double *out) {
        long whole, frac = 0;
        size_t digits = 0;
        if (!span_take_long(s, &whole))
                return false;
        if (s->n > 0 && s->p[0] == '.') {
                struct span f = { s->p + 1, s->n - 1 };
                size_t before = f.n;
                if (span_take_long(&f, &frac)) {
                        digits = before - f.n;
                        *s = f;
                }
        }
        /* Held to DBL_DIG (15) significant digits, so that %.15g (EVENT_JSON_FLAGS) prints the
         * text as logged and it reads back as the same double. php-fpm's %f values (6 decimals)
         * have fewer: N / 10^digits, both exact in a double, is the correctly rounded value, as
         * strtod would give. More digits (never php-fpm's): rounded to 15 through the text. */
        static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
                                        1e13, 1e14, 1e15 };
        const long limit = 1000000000000000L;   /* 10^15 */
        if (digits < 16 && whole < limit / (long) pow10[digits] && whole * (long) pow10[digits] + frac < limit) {
                *out = (double) (whole * (long) pow10[digits] + frac) / pow10[digits];
                return true;
        }
        char text[64], held[32];
        snprintf(text, sizeof(text), "%ld.%0*ld", whole, (int) digits, frac);
        snprintf(held, sizeof(held), "%.*g", DBL_DIG, strtod(text, NULL));
        *out = strtod(held, NULL);
        return true;
}
