#pragma once
#include <stdint.h>

/*
 * A time span in systemd.time(7)'s grammar, as systemd's parse_time() reads it: terms of a
 * number (a fraction allowed: "1.5s", ".5h") and a unit, with or without spaces between them
 * and between terms: "5 min", "1h 30min", "1h30m", "500msec", "2 weeks". Units, case-sensitive:
 * us usec µs μs, ms msec, s sec second seconds, m min minute minutes, h hr hour hours,
 * d day days, w week weeks, M month months (30.44 days), y year years (365.25 days).
 * A bare number is seconds. Fraction digits past the microsecond are dropped.
 * 0 with *usec set, -EINVAL (not a time span: empty, a sign, an unknown unit), or -ERANGE
 * (more than UINT64_MAX µs).
 */
int duration_parse(const char *s, uint64_t *usec);
/* "5s", "1min 30s", "250ms" — the shortest exact form; buf of 32 bytes. */
const char *duration_format(uint64_t usec, char buf[static 32]);
