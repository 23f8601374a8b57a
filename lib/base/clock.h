/* The two clocks, in microseconds: the wall clock stamps evidence and alerts, the monotonic clock
 * times probes, timeouts and reconnects (it does not jump when the wall clock is set). */
#pragma once
#include <stdint.h>

/* CLOCK_REALTIME µs since the epoch. */
uint64_t clock_realtime_usec(void);
/* CLOCK_MONOTONIC µs since an unspecified start (boot). */
uint64_t clock_monotonic_usec(void);
