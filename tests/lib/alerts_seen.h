/* The alerts a diag hands its callback in the diag tests, in order; each must make JSON that
 * reads back. */
#pragma once
#include "diag.h"

enum { ALERTS_SEEN_MAX = 64 };

struct alerts_seen {
        struct alert a[ALERTS_SEEN_MAX];
        int n;
};

/* A diag alert callback: ud is a struct alerts_seen. */
void alerts_seen_collect(void *ud, const struct alert *a);
