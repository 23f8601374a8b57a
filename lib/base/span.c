#include "span.h"

#include <float.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

bool span_eq_str(struct span s, const char *str) {
        size_t n = strlen(str);
        return s.n == n && (n == 0 || memcmp(s.p, str, n) == 0);
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
        /* the decimal as logged, read by strtod (correctly rounded; no setlocale() anywhere, so
         * '.' is the radix), then held to DBL_DIG digits: printed with %.15g it reads back as
         * the same double, and a value php-fpm printed (%f, 6 decimals) prints as it was logged */
        char text[64], held[32];
        snprintf(text, sizeof(text), "%ld.%0*ld", whole, (int) digits, frac);
        snprintf(held, sizeof(held), "%.*g", DBL_DIG, strtod(text, NULL));
        *out = strtod(held, NULL);
        return true;
}
