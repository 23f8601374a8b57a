#pragma once
#include <stdint.h>

/* "5s", "250ms", "2min", "1h30m", "90" (seconds) → microseconds. -EINVAL or -ERANGE. */
int duration_parse(const char *s, uint64_t *usec);
/* "5s", "1min 30s", "250ms" — the shortest exact form; buf of 32 bytes. */
const char *duration_format(uint64_t usec, char buf[static 32]);
