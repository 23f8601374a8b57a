#include "timestamp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int digits(const char *p, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                        return -1;
                v = v * 10 + (p[i] - '0');
        }
        return v;
}

static bool valid(const struct timestamp *t) {
        return t->year >= 1970 && t->month >= 1 && t->month <= 12 && t->day >= 1 && t->day <= 31 &&
               t->hour >= 0 && t->hour <= 23 && t->min >= 0 && t->min <= 59 && t->sec >= 0 &&
               t->sec <= 60;
}

/* "HH:MM:SS" at p */
static bool parse_clock(const char *p, struct timestamp *t) {
        if (p[2] != ':' || p[5] != ':')
                return false;
        t->hour = digits(p, 2);
        t->min = digits(p + 3, 2);
        t->sec = digits(p + 6, 2);
        return true;
}

bool timestamp_parse_nginx(struct span s, struct timestamp *t) {
        const char *p = s.p;
        if (s.n < 19 || p[4] != '/' || p[7] != '/' || p[10] != ' ')
                return false;
        t->year = digits(p, 4);
        t->month = digits(p + 5, 2);
        t->day = digits(p + 8, 2);
        t->usec = 0;
        return parse_clock(p + 11, t) && valid(t);
}

static int month_from_abbr(const char *p) {
        static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        for (int m = 0; m < 12; m++)
                if (memcmp(names + 3 * m, p, 3) == 0)
                        return m + 1;
        return -1;
}

bool timestamp_parse_fpm(struct span s, struct timestamp *t) {
        const char *p = s.p;
        if (s.n < 20 || p[2] != '-' || p[6] != '-' || p[11] != ' ')
                return false;
        t->day = digits(p, 2);
        t->month = month_from_abbr(p + 3);
        t->year = digits(p + 7, 4);
        t->usec = 0;
        if (!parse_clock(p + 12, t))
                return false;
        if (s.n >= 27 && p[20] == '.') {
                int us = digits(p + 21, 6);
                t->usec = us < 0 ? 0 : us;
        }
        return valid(t);
}

int64_t timestamp_key(const struct timestamp *t) {
        int64_t days = ((int64_t) t->year * 12 + t->month) * 31 + t->day;
        int64_t secs = ((days * 24 + t->hour) * 60 + t->min) * 60 + t->sec;
        return secs * 1000000 + t->usec;
}

const char *timestamp_iso(const struct timestamp *t, char buf[static 32]) {
        int n = snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02d", t->year, t->month, t->day,
                         t->hour, t->min, t->sec);
        if (t->usec && n > 0 && n < 25)
                snprintf(buf + n, 32 - (size_t) n, ".%06d", t->usec);
        return buf;
}

struct timestamp timestamp_from_time(time_t when) {
        struct tm tm;
        if (!localtime_r(&when, &tm))
                return (struct timestamp) { 0 };
        return (struct timestamp) { tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                  tm.tm_hour, tm.tm_min, tm.tm_sec, 0 };
}

enum { MAX_AGE_DAYS = 36500 };

static int parse_age(const char *s, long *seconds) {
        char unit = 0, extra = 0;
        long v, scale;
        if (s[0] < '0' || s[0] > '9' || sscanf(s, "%ld%c%c", &v, &unit, &extra) != 2)
                return -EINVAL;
        switch (unit) {
        case 's': scale = 1; break;
        case 'm': scale = 60; break;
        case 'h': scale = 3600; break;
        case 'd': scale = 86400; break;
        default: return -EINVAL;
        }
        if (v > MAX_AGE_DAYS * 86400L / scale)
                return -ERANGE;
        *seconds = v * scale;
        return 0;
}

int timestamp_parse_since(const char *s, time_t now, struct timestamp *t) {
        long age;
        int r = parse_age(s, &age);
        if (r == 0) {
                *t = timestamp_from_time(now - age);
                return valid(t) ? 0 : -ERANGE;
        }
        if (r == -ERANGE)
                return r;
        char sep = 0, extra = 0;
        *t = (struct timestamp) { 0 };
        int n = sscanf(s, "%4d-%2d-%2d%c%2d:%2d:%2d%c", &t->year, &t->month, &t->day, &sep,
                       &t->hour, &t->min, &t->sec, &extra);
        bool date_only = n == 3;
        bool with_clock = (n == 6 || n == 7) && (sep == ' ' || sep == 'T');
        if (!(date_only || with_clock) || !valid(t))
                return -EINVAL;
        return 0;
}
