/* Timestamps as nginx and php-fpm write them (local time, no zone). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "span.h"

struct timestamp {
        int year, month, day, hour, min, sec;
        int usec;       /* php-fpm debug format only; 0 otherwise */
};

/* "2026/11/25 13:23:11" */
bool timestamp_parse_nginx(struct span s, struct timestamp *t);
/* "25-Nov-2026 13:24:13" or "25-Nov-2026 13:23:15.673798" */
bool timestamp_parse_fpm(struct span s, struct timestamp *t);
/*
 * A wrapper's time, converted to the local time nginx's and php-fpm's own timestamps (and
 * --since) are read in, so that timestamp_key orders them all alike:
 * RFC 3339 "2026-03-12T14:01:06.123456789Z", "…+01:00", "…+0100" (docker, the json-file
 * driver, RFC 5424, journalctl -o short-iso): the zone is applied; with no zone, local time.
 */
bool timestamp_parse_rfc3339(struct span s, struct timestamp *t);
/* Its length at p (0: not one): date, 'T', clock, optional fraction and zone. */
size_t timestamp_rfc3339_len(const char *p, size_t n);
/*
 * BSD syslog "Mar 12 14:01:06" or "Mar  2 14:01:06.123456" (RFC 3164, journalctl -o short,
 * short-precise): local time with no year; the year is now's, or the one before when that
 * would put the time more than two days after now (December's lines read in January).
 */
bool timestamp_parse_bsd(struct span s, time_t now, struct timestamp *t);
size_t timestamp_bsd_len(const char *p, size_t n);
/* Orders timestamps without a time-zone lookup (months of 31 days: order, not duration). */
int64_t timestamp_key(const struct timestamp *t);
/* "2026-11-25T13:23:11" (".673798" appended when usec != 0); buf of 32 bytes. */
const char *timestamp_iso(const struct timestamp *t, char buf[static 32]);
struct timestamp timestamp_from_time(time_t when);
/* The instant t names in local time (mktime(), DST as the zone says), in µs since the epoch; 0
 * when it is no time mktime() can represent. */
uint64_t timestamp_usec(const struct timestamp *t);
/*
 * --since, as systemd.time(7) "PARSING TIMESTAMPS" reads a timestamp (systemd's
 * parse_timestamp()): "2026-11-25", "2026-11-25 13:00[:00[.frac]]", "2026-11-25T13:00:00", a clock
 * alone ("13:00": today), each local unless a zone follows, "Z" or "+01:00"/"+0100" directly
 * after or " UTC" after a space (zone names other than UTC are not read); "now", and 00:00 of
 * "today", "yesterday", "tomorrow"; "@SECONDS[.frac]" since the epoch; or an age counted back
 * from now, at most 100 years: a duration_parse() time span ("90s", "15m", "1h 30min",
 * "2 weeks"), also as journalctl writes it ("-2h", "2h ago"). now: the time ages count back
 * from. 0 with *t in local time; -ERANGE for an age past 100 years; -EINVAL for anything else.
 */
int timestamp_parse_since(const char *s, time_t now, struct timestamp *t);
