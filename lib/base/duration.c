#include "duration.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define USEC_MIN 60000000ULL
#define USEC_DAY 86400000000ULL

/* systemd.time(7)'s units; src/basic/time-util.c in systemd has the same list. */
static const struct {
        const char *name;
        uint64_t usec;
} units[] = {
        { "us", 1 }, { "usec", 1 }, { "\xc2\xb5s", 1 }, { "\xce\xbcs", 1 },
        { "ms", 1000 }, { "msec", 1000 },
        { "s", 1000000 }, { "sec", 1000000 }, { "second", 1000000 }, { "seconds", 1000000 },
        { "m", USEC_MIN }, { "min", USEC_MIN }, { "minute", USEC_MIN }, { "minutes", USEC_MIN },
        { "h", 60 * USEC_MIN }, { "hr", 60 * USEC_MIN }, { "hour", 60 * USEC_MIN }, { "hours", 60 * USEC_MIN },
        { "d", USEC_DAY }, { "day", USEC_DAY }, { "days", USEC_DAY },
        { "w", 7 * USEC_DAY }, { "week", 7 * USEC_DAY }, { "weeks", 7 * USEC_DAY },
        { "M", 2629800000000ULL }, { "month", 2629800000000ULL }, { "months", 2629800000000ULL },
        { "y", 31557600000000ULL }, { "year", 31557600000000ULL }, { "years", 31557600000000ULL },
};

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Letters, and the bytes of µ (U+00B5) and μ (U+03BC) in UTF-8. */
static size_t unit_len(const char *p) {
        size_t n = 0;
        while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') || p[n] == '\xc2' ||
               p[n] == '\xb5' || p[n] == '\xce' || p[n] == '\xbc')
                n++;
        return n;
}

static int unit_of(const char *s, size_t n, uint64_t *usec) {
        for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
                if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0) {
                        *usec = units[i].usec;
                        return 0;
                }
        return -EINVAL;
}

/* The digits at *p as an integer; -ERANGE past UINT64_MAX. */
static int whole(const char **p, uint64_t *v) {
        *v = 0;
        for (; is_digit(**p); (*p)++) {
                if (*v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                *v = *v * 10 + (uint64_t) (**p - '0');
        }
        return 0;
}

/* The fraction digits at *p (after the '.') times mult: each digit weighs mult/10^k. */
static uint64_t fraction(const char **p, uint64_t mult) {
        uint64_t sum = 0, weight = mult;
        for (; is_digit(**p); (*p)++) {
                weight /= 10;
                sum += weight * (uint64_t) (**p - '0');
        }
        return sum;
}

/* One term at *s: "5s", "1.5 min", ".5h"; a bare number counts as seconds. */
static int term(const char **s, uint64_t *usec) {
        const char *p = *s, *frac = NULL;
        uint64_t v, mult = 1000000;
        if (!is_digit(*p) && !(*p == '.' && is_digit(p[1])))
                return -EINVAL;
        int r = whole(&p, &v);
        if (r < 0)
                return r;
        if (*p == '.') {
                if (!is_digit(p[1]))    /* "5.s", "1..5s": systemd's parse_time() wants a digit */
                        return -EINVAL;
                frac = ++p;
                p += strspn(p, "0123456789");
        }
        const char *u = p + strspn(p, " \t");
        size_t n = unit_len(u);
        if (n > 0) {
                if (unit_of(u, n, &mult) < 0)
                        return -EINVAL;
                p = u + n;
        }
        if (v > UINT64_MAX / mult)
                return -ERANGE;
        v *= mult;
        uint64_t f = frac ? fraction(&frac, mult) : 0;
        if (v > UINT64_MAX - f)
                return -ERANGE;
        *usec = v + f;
        *s = p;
        return 0;
}

int duration_parse(const char *s, uint64_t *usec) {
        uint64_t total = 0;
        s += strspn(s, " \t");
        if (!*s)
                return -EINVAL;
        while (*s) {
                uint64_t part;
                int r = term(&s, &part);
                if (r < 0)
                        return r;
                if (total > UINT64_MAX - part)
                        return -ERANGE;
                total += part;
                s += strspn(s, " \t");
        }
        *usec = total;
        return 0;
}

const char *duration_format(uint64_t usec, char buf[static 32]) {
        static const struct {
                const char *name;
                uint64_t usec;
        } show[] = { { "d", USEC_DAY }, { "h", 60 * USEC_MIN }, { "min", USEC_MIN },
                     { "s", 1000000 }, { "ms", 1000 }, { "us", 1 } };
        size_t used = 0;
        buf[0] = '\0';
        for (unsigned i = 0; i < sizeof(show) / sizeof(show[0]) && usec; i++) {
                uint64_t n = usec / show[i].usec;
                if (!n)
                        continue;
                int w = snprintf(buf + used, 32 - used, "%s%llu%s", used ? " " : "",
                                 (unsigned long long) n, show[i].name);
                if (w < 0 || (size_t) w >= 32 - used) {
                        buf[used] = '\0';      /* drop the part that did not fit */
                        break;
                }
                used += (size_t) w;
                usec -= n * show[i].usec;
        }
        return used ? buf : strcpy(buf, "0");
}
