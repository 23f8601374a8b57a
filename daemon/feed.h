/* What the tailers and the pools feed evidence into. The manager owns it: they put evidence in
 * the diagnosis and mark it changed, and the manager flushes once per loop turn, before the loop
 * sleeps. Plain data: there is no feed.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct diag;
struct metrics;

struct feed {
        struct diag *diag;              /* the manager's; swapped on reload, so read it each time */
        bool changed;                   /* evidence came since the manager's last flush */
        uint64_t lines, classified;     /* log lines read, and those classified as evidence */
        struct metrics *metrics;        /* the numbers Prometheus reads; NULL: not counted */
        bool worker_sigkill;            /* a worker died of SIGKILL: the pools' cgroup counters are read
                                         * before the next flush (diag_cgroup_oom()) */
};
