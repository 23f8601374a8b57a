/* badgatewayd run: the manager owns the loop's wiring. It feeds the tailers and the pools (which
 * only put evidence in and mark the feed changed), and flushes the diagnosis itself: once per
 * loop turn, before the loop sleeps, and where order matters (stop, reload). lib/ knows nothing
 * of libev; this is the wiring. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "config.h"
#include "confwatcher.h"
#include "exporter.h"
#include "feed.h"
#include "metrics.h"
#include "kmsg.h"
#include "journalwatch.h"
#include "notify.h"
#include "outputs.h"
#include "pools.h"
#include "push.h"
#include "sockcheck.h"
#include "statefile.h"
#include "tailers.h"

#define DEFAULT_STATE_DIR "/var/lib/badgatewayd"

struct manager_options {
        const char *config_file;        /* NULL: the default file, else discovery */
        const char *state_dir;          /* NULL: $STATE_DIRECTORY, else DEFAULT_STATE_DIR */
        struct outputs_options out;
};

struct manager {
        struct ev_loop *loop;
        struct manager_options opt;
        struct config *cfg;
        struct sock_identity nginx_id;
        bool have_nginx_id;
        struct feed feed;               /* the diagnosis, and whether evidence came since the last flush */
        struct outputs out;
        struct push *push;              /* [Alertmanager], [Webhook] (badgatewayd-net.so); NULL: none yet */
        struct tailers tailers;
        struct kmsg kmsg;               /* the kernel's records, where it can be read (fd -1 if not) */
        struct journalwatch journal;    /* the journal as a log source */
        struct pools pools;
        struct notify notify;
        struct confwatcher confwatcher; /* a change to the configuration files is a reload */
        bool started;
        bool waiting;                   /* no PHP-FPM pool found yet: php-fpm's configuration is watched for one */
        ev_prepare flush_before_sleep;
        ev_timer probe_tick, due_timer;
        ev_signal sig_term, sig_int, sig_hup;
        uint64_t alerts;
        char state_dir[PATH_MAX];       /* "": no state (another daemon holds the directory) */
        int state_lock;                 /* the directory, flock()ed while this daemon runs; -1 */
        struct statefile loaded;        /* as read at start: the tailers resume from it */
        ev_timer save_timer;            /* the state is written at most once a second */
        uint64_t saved_lines, saved_alerts;
        bool state_failing;             /* the last write failed (said once) */
        int failed;                     /* why the loop was broken, if not by a signal */
        struct metrics metrics;         /* what the feed, the alerts and the outputs count */
        struct exporter exporter;       /* [Metrics]: /metrics and the textfile */
};

/* Reads the config, opens the outputs and starts every watcher on loop; ev_run() it next.
 * 0 or a negative errno; config errors are printed and give -EINVAL. Call manager_stop() either way. */
int manager_start(struct manager *m, struct ev_loop *loop, const struct manager_options *opt);
/* Stops every watcher and frees what m holds; says what was read if it had started. */
void manager_stop(struct manager *m);
