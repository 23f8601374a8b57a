#include "duration.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct {
        const char *name;
        uint64_t usec;
} units[] = {
        { "us", 1 },
        { "ms", 1000 },
        { "s", 1000000 },
        { "sec", 1000000 },
        { "m", 60000000 },
        { "min", 60000000 },
        { "h", 3600000000ULL },
        { "d", 86400000000ULL },
};

static int unit_of(const char *s, size_t n, uint64_t *usec) {
        for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++)
                if (strlen(units[i].name) == n && memcmp(units[i].name, s, n) == 0) {
                        *usec = units[i].usec;
                        return 0;
                }
        return -EINVAL;
}

/* One "<digits><unit>" term at *s; a bare number counts as seconds. */
static int term(const char **s, uint64_t *usec) {
        const char *p = *s;
        uint64_t v = 0, mult = 1000000;
        if (*p < '0' || *p > '9')
                return -EINVAL;
        for (; *p >= '0' && *p <= '9'; p++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return -ERANGE;
                v = v * 10 + (uint64_t) (*p - '0');
        }
        size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        if (n > 0 && unit_of(p, n, &mult) < 0)
                return -EINVAL;
        if (v > UINT64_MAX / mult)
                return -ERANGE;
        *usec = v * mult;
        *s = p + n;
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
        } show[] = { { "d", 86400000000ULL }, { "h", 3600000000ULL }, { "min", 60000000 },
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
