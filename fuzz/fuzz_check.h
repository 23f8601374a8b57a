/* Shared by the fuzz targets: the entry point's prototype and the checks they make. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "span.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort() rather than assert(): the checks must hold in every build type. */
#define FUZZ_CHECK(cond)                                                                 \
        do {                                                                             \
                if (!(cond)) {                                                           \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                         \
                }                                                                        \
        } while (0)

/* A span is unset (NULL, 0) or lies wholly inside data[0, size). */
static inline void check_span_in(struct span s, const uint8_t *data, size_t size, const char *what) {
        if (!s.p) {
                if (s.n != 0) {
                        fprintf(stderr, "span %s: NULL pointer with length %zu\n", what, s.n);
                        abort();
                }
                return;
        }
        uintptr_t lo = (uintptr_t) data, p = (uintptr_t) s.p;
        if (p < lo || p - lo > size || s.n > size - (p - lo)) {
                fprintf(stderr, "span %s: [%+td, +%zu) is outside the %zu-byte input\n", what,
                        (ptrdiff_t) (p - lo), s.n, size);
                abort();
        }
}

#define CHECK_SPAN(s, data, size) check_span_in((s), (data), (size), #s)
