/* [Metrics]: the daemon's numbers for Prometheus, two ways, both off unless set.
 *  - Listen=: GET /metrics over HTTP with libmicrohttpd, driven from the libev loop: MHD's epoll
 *    fd is one ev_io and MHD_get_timeout() one ev_timer, so every request is answered inside a
 *    loop callback with text rendered there and then (no thread, no lock, no stale snapshot).
 *    That part is exporter_http.c, in badgatewayd-net.so (net.h); the rest needs no HTTP.
 *  - TextfileDirectory=: badgatewayd.prom there for node_exporter's textfile collector, written
 *    to a temp file in the same directory and renamed over, every ProbeInterval.
 * The text comes from the manager's render callback (metrics_render() of its counters). */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "config.h"

#define EXPORTER_TEXTFILE "badgatewayd.prom"

/* The exposition text, malloc'd, its length in *len; NULL on ENOMEM. */
typedef char *(*exporter_render_fn)(void *userdata, size_t *len);

struct MHD_Daemon;

struct exporter {
        struct ev_loop *loop;
        exporter_render_fn render;
        void *userdata;
        struct MHD_Daemon *mhd;         /* NULL: not serving */
        ev_io io;                       /* MHD's epoll fd */
        ev_timer timer;                 /* MHD's next timeout */
        char listen[ADDRESS_TEXT_MAX];  /* as configured; "": no HTTP endpoint */
        struct address address;
        bool listen_failing;            /* the last try to listen failed (said once) */
        uint16_t port;                  /* the port bound (Listen=…:0 takes a free one) */
        char dir[PATH_MAX];             /* TextfileDirectory; "": no textfile */
        int textfile_error;             /* the last write's errno, said once until it changes */
        uint64_t requests;              /* answered, for the stop message */
};

/* Serves and writes nothing yet; loop must outlive e. */
void exporter_init(struct exporter *e, struct ev_loop *loop, exporter_render_fn render, void *userdata);
/* Takes c's [Metrics]: starts, keeps (the same Listen=) or stops the HTTP endpoint, and sets the
 * textfile's directory. A Listen= that cannot be bound (EADDRINUSE…) is said on stderr and tried
 * again at each exporter_tick(); never an error that stops the daemon. */
void exporter_configure(struct exporter *e, const struct config *c);
/* Every ProbeInterval: writes the textfile, and tries again to listen if that failed. */
void exporter_tick(struct exporter *e);
/* badgatewayd-net.so's part (exporter_http.c), called through net_module() (net.h): serve /metrics
 * at e->address (said; a failure is said once, leaves e->mhd NULL and e->listen_failing set)… */
void exporter_serve(struct exporter *e);
/* …and stop serving (e->mhd NULL after). */
void exporter_unserve(struct exporter *e);
/* Stops serving; the textfile stays (node_exporter's node_textfile_mtime_seconds dates it). */
void exporter_stop(struct exporter *e);
