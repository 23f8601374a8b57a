/*
 * Alerts waiting to be sent over HTTP (daemon/push.c), oldest first, bounded. An item may have a
 * key (Alertmanager: the alert's id): a newer item with the same key replaces one that is not
 * being sent, as only an alert's latest state matters there. The oldest items are taken for a
 * request; they leave when it is delivered, or stay for a retry when it fails.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum { PUSH_QUEUE_MAX = 256 };  /* items; past this the oldest not being sent goes */

struct push_item {
        char *key;              /* NULL: never replaced (the webhook's: every alert is sent) */
        char *body;             /* JSON text */
};

struct push_queue {
        struct push_item items[PUSH_QUEUE_MAX];
        size_t n;
        size_t taken;           /* items[0..taken) are in the request being sent */
        uint64_t delivered;     /* items delivered */
        uint64_t dropped;       /* items dropped: the queue was full, out of memory, or refused */
};

/* Takes over body (malloc'd; freed on error); key is copied, NULL for none. A full queue drops
 * its oldest item not being sent. 0, or -ENOMEM (counted as dropped). */
int push_queue_put(struct push_queue *q, const char *key, char *body);
/* Marks up to max of the oldest items as being sent; how many (0 when empty or already taken). */
size_t push_queue_take(struct push_queue *q, size_t max);
/* The i-th taken item's body, i < taken. */
const char *push_queue_body(const struct push_queue *q, size_t i);
/* The taken items were delivered: they leave, counted in delivered. */
void push_queue_delivered(struct push_queue *q);
/* The taken items were refused for good (HTTP 400): they leave, counted in dropped. */
void push_queue_refused(struct push_queue *q);
/* The request failed: the taken items stay for the next one, except those a newer item with the
 * same key has replaced meanwhile. */
void push_queue_untake(struct push_queue *q);
/* Frees every item; the counts stay. */
void push_queue_clear(struct push_queue *q);
