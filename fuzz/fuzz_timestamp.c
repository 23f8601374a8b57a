/* --since arguments and log timestamps from arbitrary bytes (a NUL-terminated copy). */
#include <string.h>

#include "fuzz_check.h"
#include "timestamp.h"

/* 2026-11-25 13:23:11 UTC: a fixed "now" keeps runs reproducible */
static const time_t NOW = 1795612991;

static void check_valid(const struct timestamp *t) {
        FUZZ_CHECK(t->month >= 1 && t->month <= 12);
        FUZZ_CHECK(t->day >= 1 && t->day <= 31);
        FUZZ_CHECK(t->hour >= 0 && t->hour <= 23);
        FUZZ_CHECK(t->min >= 0 && t->min <= 59);
        FUZZ_CHECK(t->sec >= 0 && t->sec <= 60);
        FUZZ_CHECK(t->usec >= 0 && t->usec <= 999999);
        char iso[32];
        const char *s = timestamp_iso(t, iso);
        FUZZ_CHECK(memchr(s, '\0', 32) != NULL);
        (void) timestamp_key(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        FUZZ_CHECK(s);
        memcpy(s, data, size);
        s[size] = '\0';
        struct timestamp t;
        if (timestamp_parse_since(s, NOW, &t) == 0)
                check_valid(&t);
        struct span sp = span_make(s, size);
        if (timestamp_parse_nginx(sp, &t))
                check_valid(&t);
        if (timestamp_parse_fpm(sp, &t))
                check_valid(&t);
        free(s);
        return 0;
}
