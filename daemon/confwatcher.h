/* The configuration files in the loop: a change (an edit, a package upgrade, a new vhost) calls
 * back once the files have been still for CONFWATCHER_SETTLE_MS, so that a save in progress is
 * never read half-written. A file held open for writing delays the call up to
 * CONFWATCHER_PATIENCE_MS after the first change. */
#pragma once
#include <ev.h>
#include <stddef.h>

#include "confwatch.h"

enum { CONFWATCHER_SETTLE_MS = 1000, CONFWATCHER_PATIENCE_MS = 10000 };

struct confwatcher {
        struct ev_loop *loop;
        struct confwatch *watch;
        ev_io io;
        ev_timer settle;
        ev_tstamp first_change;         /* ev_now() of the first change not yet called back; 0: none */
        void (*changed)(void *userdata);
        void *userdata;
};

/* 0 or -errno (inotify). changed runs from the loop, never inside confwatcher_set(). */
int confwatcher_start(struct confwatcher *cw, struct ev_loop *loop, void (*changed)(void *userdata),
                      void *userdata);
/* Watches these files and glob patterns (absolute paths) instead of the previous set; changes
 * not yet called back are dropped (the caller has just read the files). Returns how many could
 * not be watched (the first said on stderr). */
size_t confwatcher_set(struct confwatcher *cw, const char *const *paths, size_t n);
void confwatcher_stop(struct confwatcher *cw);
