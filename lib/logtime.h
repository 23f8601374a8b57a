/* Timestamps as nginx and php-fpm write them (local time, no zone). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "span.h"

struct logtime {
        int year, month, day, hour, min, sec;
        int usec;       /* php-fpm debug format only; 0 otherwise */
};

/* "2026/11/25 13:23:11" */
bool logtime_parse_nginx(struct span s, struct logtime *t);
/* "25-Nov-2026 13:24:13" or "25-Nov-2026 13:23:15.673798" */
bool logtime_parse_fpm(struct span s, struct logtime *t);
/* Orders timestamps without a time-zone lookup (months of 31 days: order, not duration). */
int64_t logtime_key(const struct logtime *t);
/* "2026-11-25T13:23:11" (".673798" appended when usec != 0); buf of 32 bytes. */
const char *logtime_iso(const struct logtime *t, char buf[static 32]);
struct logtime logtime_from_time(time_t when);
/*
 * --since: "2026-11-25", "2026-11-25 13:00[:00]", "2026-11-25T13:00:00",
 * or an age ("90s", "15m", "2h", "3d", at most 100 years) counted back from now.
 */
int logtime_parse_since(const char *s, time_t now, struct logtime *t);
