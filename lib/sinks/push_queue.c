#include "push_queue.h"

#include <errno.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

static void remove_at(struct push_queue *q, size_t i) {
        free(q->items[i].key);
        free(q->items[i].body);
        memmove(&q->items[i], &q->items[i + 1], (q->n - i - 1) * sizeof(q->items[0]));
        q->n--;
        if (i < q->taken)
                q->taken--;
}

/* Another item with i's key after it. */
static bool superseded(const struct push_queue *q, size_t i) {
        for (size_t j = i + 1; q->items[i].key && j < q->n; j++)
                if (q->items[j].key && strcmp(q->items[j].key, q->items[i].key) == 0)
                        return true;
        return false;
}

int push_queue_put(struct push_queue *q, const char *key, char *body) {
        char *k = key ? strdup(key) : NULL;
        if (!body || (key && !k)) {
                free(body);
                free(k);
                q->dropped++;
                return -ENOMEM;
        }
        for (size_t i = q->taken; key && i < q->n; i++)
                if (q->items[i].key && strcmp(q->items[i].key, key) == 0) {
                        free(q->items[i].body);
                        free(k);
                        q->items[i].body = body;
                        return 0;
                }
        if (q->n == PUSH_QUEUE_MAX && q->taken < q->n) {
                remove_at(q, q->taken);
                q->dropped++;
        } else if (q->n == PUSH_QUEUE_MAX) {    /* all in flight: only with a take() of all */
                free(body);
                free(k);
                q->dropped++;
                return 0;
        }
        q->items[q->n++] = (struct push_item) { k, body };
        return 0;
}

size_t push_queue_take(struct push_queue *q, size_t max) {
        if (q->taken)
                return 0;
        q->taken = q->n < max ? q->n : max;
        return q->taken;
}

const char *push_queue_body(const struct push_queue *q, size_t i) {
        return i < q->taken ? q->items[i].body : NULL;
}

static void remove_taken(struct push_queue *q) {
        while (q->taken)
                remove_at(q, 0);
}

void push_queue_delivered(struct push_queue *q) {
        q->delivered += q->taken;
        remove_taken(q);
}

void push_queue_refused(struct push_queue *q) {
        q->dropped += q->taken;
        remove_taken(q);
}

void push_queue_untake(struct push_queue *q) {
        size_t n = q->taken;
        q->taken = 0;
        for (size_t i = n; i-- > 0;)
                if (superseded(q, i))
                        remove_at(q, i);
}

void push_queue_clear(struct push_queue *q) {
        q->taken = 0;
        while (q->n)
                remove_at(q, q->n - 1);
}
