/* badgatewayd run: the Manager owns every watcher, and every callback gets it (or a part that
 * points back to it) as userdata. lib/ knows nothing of libev; this is the wiring. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "diag.h"
#include <ev.h>
#include "outputs.h"
#include "probe.h"
#include "sockcheck.h"
#include "tail.h"
#include "unit.h"

struct manager;

struct log_watch {
        struct manager *m;
        char *path;
        int pool;                       /* the pool whose php-fpm log this is; -1 for nginx's */
        struct tail *tail;
        ev_io io;
        int last_error;                 /* logged once until it changes */
};

struct pool_watch {
        struct manager *m;
        size_t index;
        const struct pool_config *pc;
        struct probe *probe;
        ev_io probe_io;
        ev_timer probe_timer;
        bool probing;
        int probe_error, sock_error;    /* the last local errors, logged once */
        struct unit *unit;
        ev_io unit_io;
        ev_timer unit_timer;
};

struct manager_options {
        const char *config_file;        /* NULL: the default file, else discovery */
        struct outputs_options out;
};

struct manager {
        struct ev_loop *loop;
        struct manager_options opt;
        struct config *cfg;
        struct sock_identity nginx_id;
        bool have_nginx_id;
        struct sockcheck_result sock;   /* scratch: too large for the stack */
        struct diag *diag;
        struct outputs out;
        struct log_watch **logs;
        size_t n_logs;
        struct pool_watch *pools;
        size_t n_pools;
        size_t first_round_left;        /* probes of the first round still running */
        bool started;
        bool ready;
        uint64_t now;                   /* CLOCK_REALTIME µs of the batch being handled */
        ev_timer probe_tick, due_timer, watchdog;
        ev_signal sig_term, sig_int, sig_hup;
        char status[256];
        uint64_t lines, classified, alerts;
        int failed;                     /* why the loop was broken, if not by a signal */
};

/* 0 or a negative errno; config errors are printed and give -EINVAL. */
int manager_start(struct manager *m, struct ev_loop *loop, const struct manager_options *opt);
void manager_stop(struct manager *m);

/* Evidence came in: send what is due and the status, and set the next due time. */
void manager_flush(struct manager *m);

/* logs.c: one tailer per nginx error log and per pool log. */
int logs_update(struct manager *m, const struct config *c);
void logs_drain(struct manager *m);
void logs_free(struct manager *m);

/* pools.c: probes, socket checks and unit followers. */
int pools_start(struct manager *m);
void pools_probe_round(struct manager *m);
void pools_free(struct manager *m);

/* notify.c: sd_notify. */
void notify_ready(struct manager *m);
void notify_reloading(void);
void notify_stopping(void);
void notify_status(struct manager *m, const char *status);
void notify_watchdog_start(struct manager *m);
