/* A byte range inside a caller's buffer: parsers return these instead of copies. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct span {
        const char *p;
        size_t n;
};

#define SPAN_NULL ((struct span) { NULL, 0 })
#define SPAN_LIT(s) ((struct span) { (s), sizeof(s) - 1 })

static inline struct span span_make(const char *p, size_t n) {
        return (struct span) { p, n };
}

static inline struct span span_range(const char *from, const char *to) {
        return (struct span) { from, (size_t) (to - from) };
}

static inline bool span_has_prefix(struct span s, const char *lit, size_t n) {
        return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static inline bool span_has_suffix(struct span s, const char *lit, size_t n) {
        return s.n >= n && memcmp(s.p + s.n - n, lit, n) == 0;
}

/* Drops a known prefix; the span is left alone when it does not match. */
static inline bool span_skip(struct span *s, const char *lit, size_t n) {
        if (!span_has_prefix(*s, lit, n))
                return false;
        s->p += n;
        s->n -= n;
        return true;
}

#define SPAN_STARTS(s, lit) span_has_prefix((s), (lit), sizeof(lit) - 1)
#define SPAN_ENDS(s, lit) span_has_suffix((s), (lit), sizeof(lit) - 1)
#define SPAN_SKIP(s, lit) span_skip((s), (lit), sizeof(lit) - 1)

/* The first place lit (n bytes) occurs in s, or NULL. */
const char *span_find(struct span s, const char *lit, size_t n);

#define SPAN_FIND(s, lit) span_find((s), (lit), sizeof(lit) - 1)

bool span_eq_str(struct span s, const char *str);
const char *span_rfind(struct span s, const char *lit, size_t n);
/* Reads a decimal number at the start of *s and advances past it; false if none or overflow. */
bool span_take_long(struct span *s, long *out);
/* "3.014159" → seconds as a double; advances past the number. The value is held to 15
 * significant digits (DBL_DIG), so that printed with %.15g (EVENT_JSON_FLAGS) it is the text
 * php-fpm logged and reads back as the same double. */
bool span_take_seconds(struct span *s, double *out);
