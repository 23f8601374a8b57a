#include "clock.h"

#include <time.h>

static uint64_t usec_of(clockid_t id) {
        struct timespec ts;
        clock_gettime(id, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

uint64_t clock_realtime_usec(void) {
        return usec_of(CLOCK_REALTIME);
}

uint64_t clock_monotonic_usec(void) {
        return usec_of(CLOCK_MONOTONIC);
}
