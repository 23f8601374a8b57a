#include "timestamp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duration.h"

static int digits(const char *p, int n) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                        return -1;
                v = v * 10 + (p[i] - '0');
        }
        return v;
}

static int days_in_month(int year, int month) {
        static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return month == 2 && leap ? 29 : days[month - 1];
}

/* An impossible date (2026-02-30) is invalid too: mktime() would quietly move it on. */
static bool valid(const struct timestamp *t) {
        return t->year >= 1970 && t->month >= 1 && t->month <= 12 && t->day >= 1 &&
               t->day <= days_in_month(t->year, t->month) &&
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

static bool two_digits(int v) {
        return v >= 0 && v <= 99;
}

/* v (0-99) as two digits, then sep */
static char *put2(char *p, int v, char sep) {
        p[0] = (char) ('0' + v / 10);
        p[1] = (char) ('0' + v % 10);
        p[2] = sep;
        return p + 3;
}

/* What the snprintf below prints, without it: scan --json writes one per line. */
static bool iso_fast(const struct timestamp *t, char buf[static 32]) {
        if (t->year < 0 || t->year > 9999 || !two_digits(t->month) || !two_digits(t->day) || !two_digits(t->hour) ||
            !two_digits(t->min) || !two_digits(t->sec) || t->usec)
                return false;
        char *p = put2(buf, t->year / 100, '\0');
        p = put2(p - 1, t->year % 100, '-');
        p = put2(p, t->month, '-');
        p = put2(p, t->day, 'T');
        p = put2(p, t->hour, ':');
        p = put2(p, t->min, ':');
        put2(p, t->sec, '\0');
        return true;
}

const char *timestamp_iso(const struct timestamp *t, char buf[static 32]) {
        if (iso_fast(t, buf))
                return buf;
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

uint64_t timestamp_usec(const struct timestamp *t) {
        struct tm tm = { .tm_year = t->year - 1900, .tm_mon = t->month - 1, .tm_mday = t->day, .tm_hour = t->hour,
                         .tm_min = t->min, .tm_sec = t->sec, .tm_isdst = -1 };
        time_t when = mktime(&tm);
        if (when == (time_t) -1 || when < 0)
                return 0;
        return (uint64_t) when * 1000000 + (uint64_t) (t->usec > 0 ? t->usec : 0);
}

enum { MAX_AGE_DAYS = 36500 };

/* An age in systemd.time(7)'s grammar ("90s", "5 min", "1h 30min"), optionally as journalctl
 * writes a relative time: "-2h" or "2h ago". */
static int parse_age(const char *s, long *seconds) {
        char text[64];
        s += *s == '-';
        size_t n = strlen(s);
        if (n >= sizeof(text))
                return -EINVAL;
        memcpy(text, s, n + 1);
        if (n > 4 && strcmp(text + n - 4, " ago") == 0)
                text[n - 4] = '\0';
        uint64_t usec;
        int r = duration_parse(text, &usec);
        if (r < 0)
                return r;
        if (usec / 1000000 > MAX_AGE_DAYS * 86400ULL)
                return -ERANGE;
        *seconds = (long) (usec / 1000000);
        return 0;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* ".123456789" at p: its length, and the first six digits as microseconds */
static size_t fraction(const char *p, size_t n, int *usec) {
        if (n < 2 || p[0] != '.' || !is_digit(p[1]))
                return 0;
        size_t i = 1;
        int us = 0;
        for (; i < n && is_digit(p[i]); i++)
                if (i <= 6)
                        us = us * 10 + (p[i] - '0');
        for (size_t k = i; k <= 6; k++)
                us *= 10;
        if (i > 32)
                return 0;
        if (usec)
                *usec = us;
        return i;
}

/* "Z", "+01:00", "+0100" at p: its length (0 if none), offset east of UTC in seconds */
static size_t zone(const char *p, size_t n, long *offset) {
        if (n >= 1 && (p[0] == 'Z' || p[0] == 'z')) {
                *offset = 0;
                return 1;
        }
        if (n < 5 || (p[0] != '+' && p[0] != '-'))
                return 0;
        int h = digits(p + 1, 2), m;
        size_t len;
        if (p[3] == ':' && n >= 6) {
                m = digits(p + 4, 2);
                len = 6;
        } else {
                m = digits(p + 3, 2);
                len = 5;
        }
        if (h < 0 || h > 23 || m < 0 || m > 59)
                return 0;
        *offset = (p[0] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
        return len;
}

size_t timestamp_rfc3339_len(const char *p, size_t n) {
        if (n < 19 || p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != 't') || p[13] != ':' ||
            p[16] != ':')
                return 0;
        for (int i = 0; i < 19; i++)
                if (i != 4 && i != 7 && i != 10 && i != 13 && i != 16 && !is_digit(p[i]))
                        return 0;
        size_t len = 19;
        len += fraction(p + len, n - len, NULL);
        long off;
        len += zone(p + len, n - len, &off);
        return len;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, int m, int d) {
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        int64_t yoe = y - era * 400;
        int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

bool timestamp_parse_rfc3339(struct span s, struct timestamp *t) {
        size_t len = timestamp_rfc3339_len(s.p, s.n);
        if (!len || len != s.n)
                return false;
        const char *p = s.p;
        *t = (struct timestamp) { .year = digits(p, 4), .month = digits(p + 5, 2), .day = digits(p + 8, 2) };
        parse_clock(p + 11, t);
        size_t at = 19 + fraction(p + 19, s.n - 19, &t->usec);
        if (!valid(t) || t->year > 9999)
                return false;
        long off;
        if (!zone(p + at, s.n - at, &off))
                return true;    /* no zone: local time already */
        int usec = t->usec;
        int64_t secs = ((days_from_civil(t->year, t->month, t->day) * 24 + t->hour) * 60 + t->min) * 60 +
                       t->sec - off;
        *t = timestamp_from_time((time_t) secs);
        t->usec = usec;
        return valid(t);
}

size_t timestamp_bsd_len(const char *p, size_t n) {
        if (n < 15 || p[3] != ' ' || (p[4] != ' ' && !is_digit(p[4])) || !is_digit(p[5]) || p[6] != ' ' ||
            p[9] != ':' || p[12] != ':' || month_from_abbr(p) < 0)
                return 0;
        static const int at[] = { 7, 8, 10, 11, 13, 14 };
        for (unsigned i = 0; i < sizeof(at) / sizeof(at[0]); i++)
                if (!is_digit(p[at[i]]))
                        return 0;
        return 15 + fraction(p + 15, n - 15, NULL);
}

bool timestamp_parse_bsd(struct span s, time_t now, struct timestamp *t) {
        size_t len = timestamp_bsd_len(s.p, s.n);
        if (!len || len != s.n)
                return false;
        const char *p = s.p;
        struct timestamp today = timestamp_from_time(now);
        *t = (struct timestamp) { .year = today.year, .month = month_from_abbr(p),
                                  .day = p[4] == ' ' ? digits(p + 5, 1) : digits(p + 4, 2) };
        parse_clock(p + 7, t);
        fraction(p + 15, s.n - 15, &t->usec);
        if (timestamp_key(t) - timestamp_key(&today) > 2 * 86400 * INT64_C(1000000))
                t->year--;
        return valid(t);
}

/* "now", or 00:00:00 local of "today", "yesterday", "tomorrow" (systemd.time(7)'s special
 * expressions); false for any other word. The day is counted on the calendar, not as 86400 s,
 * so a day of 23 or 25 hours is still one day. */
static bool since_word(const char *s, time_t now, struct timestamp *t) {
        static const struct { const char *word; int days; } words[] = {
                { "today", 0 }, { "yesterday", -1 }, { "tomorrow", 1 },
        };
        if (strcmp(s, "now") == 0) {
                *t = timestamp_from_time(now);
                return true;
        }
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
                struct tm tm;
                if (strcmp(s, words[i].word) != 0 || !localtime_r(&now, &tm))
                        continue;
                tm.tm_mday += words[i].days;
                tm.tm_hour = 12;        /* mktime() moves the date on; noon is in every day */
                tm.tm_isdst = -1;
                time_t noon = mktime(&tm);
                *t = timestamp_from_time(noon);
                t->hour = t->min = t->sec = t->usec = 0;
                return noon != (time_t) -1;
        }
        return false;
}

/* "@1795612991" or "@1795612991.5": seconds since the epoch, UTC (systemd.time(7)). */
static int since_epoch(const char *s, struct timestamp *t) {
        char *end;
        if (s[0] != '@' || !is_digit(s[1]))
                return -EINVAL;
        errno = 0;
        long long secs = strtoll(s + 1, &end, 10);
        int usec = 0;
        end += fraction(end, strlen(end), &usec);
        if (*end || errno || secs > 253402300799LL)     /* 9999-12-31T23:59:59Z */
                return -EINVAL;
        *t = timestamp_from_time((time_t) secs);
        t->usec = usec;
        return valid(t) ? 0 : -EINVAL;
}

/* 1 to max digits at *p, moved past them; -1 when none. */
static int number(const char **p, int max) {
        int v = 0, n = 0;
        for (; n < max && is_digit(**p); n++, (*p)++)
                v = v * 10 + (**p - '0');
        return n ? v : -1;
}

/* "2026-11-25", "13:00[:30[.5]]", or both with ' ' or 'T' between; then "Z", "+01:00", "+0100" or
 * " UTC" (systemd.time(7), RFC 3339). Local time without a zone; a zone is applied. */
static int since_absolute(const char *s, time_t now, struct timestamp *t) {
        const char *p = s;
        bool have_date = is_digit(p[0]) && is_digit(p[1]) && is_digit(p[2]) && is_digit(p[3]) && p[4] == '-';
        *t = timestamp_from_time(now);
        t->hour = t->min = t->sec = t->usec = 0;
        if (have_date) {
                t->year = number(&p, 4);
                p++;
                t->month = number(&p, 2);
                if (*p++ != '-' || (t->day = number(&p, 2)) < 0)
                        return -EINVAL;
                if ((*p == ' ' || *p == 'T') && is_digit(p[1]))
                        p++;
        }
        if (!have_date || p[-1] == ' ' || p[-1] == 'T') {
                if ((t->hour = number(&p, 2)) < 0 || *p++ != ':' || (t->min = number(&p, 2)) < 0)
                        return -EINVAL;
                if (*p == ':' && (p++, (t->sec = number(&p, 2)) < 0))
                        return -EINVAL;
                p += fraction(p, strlen(p), &t->usec);
        }
        long off = 0;
        size_t z = zone(p, strlen(p), &off);
        if (!z && strcmp(p, " UTC") == 0)
                z = 4;
        if (p[z] || !valid(t) || t->year > 9999)
                return -EINVAL;
        if (!z)
                return 0;
        if (!have_date) {       /* a clock alone in a zone: that zone's today */
                time_t there = now + off;
                struct tm tm;
                if (!gmtime_r(&there, &tm))
                        return -EINVAL;
                t->year = tm.tm_year + 1900, t->month = tm.tm_mon + 1, t->day = tm.tm_mday;
        }
        int usec = t->usec;
        int64_t secs = ((days_from_civil(t->year, t->month, t->day) * 24 + t->hour) * 60 + t->min) * 60 + t->sec - off;
        *t = timestamp_from_time((time_t) secs);
        t->usec = usec;
        return valid(t) ? 0 : -EINVAL;
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
        if (since_word(s, now, t))
                return valid(t) ? 0 : -EINVAL;
        if (s[0] == '@')
                return since_epoch(s, t);
        return since_absolute(s, now, t);
}
