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
/* Orders timestamps without a time-zone lookup (months of 31 days: order, not duration). */
int64_t timestamp_key(const struct timestamp *t);
/* "2026-11-25T13:23:11" (".673798" appended when usec != 0); buf of 32 bytes. */
const char *timestamp_iso(const struct timestamp *t, char buf[static 32]);
struct timestamp timestamp_from_time(time_t when);
/*
 * --since: "2026-11-25", "2026-11-25 13:00[:00]", "2026-11-25T13:00:00",
 * or an age ("90s", "15m", "2h", "3d", at most 100 years) counted back from now.
 */
int timestamp_parse_since(const char *s, time_t now, struct timestamp *t);
