/*
 * Alerts pushed over HTTP from the loop: to Alertmanager's API v2 (POST /api/v2/alerts: every
 * firing and resolved alert, and what fires again every ResendInterval so that Alertmanager does
 * not resolve it by itself), and to a webhook (each alert's JSON object, as the JSON-lines sinks
 * write it). libcurl's multi interface runs on the libev loop (its sockets as ev_io, its timeout
 * as an ev_timer). Each target keeps a bounded queue (push_queue.h) and retries with a backoff of
 * 1 s doubling to 30 s; a failure, a full queue and the recovery are each said once.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "config.h"
#include "diag.h"
#include "metrics.h"

enum {
        PUSH_BATCH_MAX = 64,            /* alerts in one POST to Alertmanager */
        PUSH_TIMEOUT_MS = 10000,        /* one request, connecting included */
        PUSH_REPLY_MAX = 256,           /* bytes of an error reply kept */
        PUSH_REPLY_SAID = 200,          /* of which at most this many are logged, escaped */
};

/* What fires now: the manager passes diag_each_firing() of its current diagnosis. */
typedef void (*push_firing_fn)(void *userdata, uint64_t now, diag_alert_fn fn, void *fn_userdata);

struct push;

/* Sends nothing before push_configure(); loop must outlive it. NULL when out of memory. */
struct push *push_new(struct ev_loop *loop, push_firing_fn firing, void *userdata);
/* Takes [Alertmanager] and [Webhook] from c, at start and on every reload: a new URL gets what is
 * queued; a target turned off drops its queue (said). 0, or -ENOMEM when curl cannot start. */
int push_configure(struct push *p, const struct config *c);
/* Queues the alert for every target that is on, and sends when nothing is in flight. */
void push_alert(struct push *p, const struct alert *a);
/* Each target's alerts dropped (queue full, refused) into m's METRIC_ALERTS_DROPPED, after
 * outputs_count(): output="alertmanager", "webhook". */
void push_count(const struct push *p, struct metrics *m);
/* Waits up to grace_s seconds on the loop for what is queued (not for a target that fails), says
 * what was left undelivered or dropped, and frees everything, p included. */
void push_close(struct push *p, double grace_s);
