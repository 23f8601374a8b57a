#include "readahead.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The caller holds one chunk, the thread may fill the other three meanwhile. */
enum { SLOTS = 4 };

struct slot {
        char *buf;              /* headroom, then the chunk */
        ssize_t got;            /* the read's result: bytes, 0 at the end, or a negative errno */
        bool full;              /* read, not yet taken by the caller */
};

struct readahead {
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t filled, emptied;
        readahead_fn fn;
        void *source;
        size_t chunk, headroom;
        struct slot slots[SLOTS];
        unsigned fill_at, take_at;      /* ring positions: the thread fills, the caller takes */
        int held;                       /* the slot the caller holds, -1 before the first */
        bool stop;                      /* the caller's: end the thread */
        bool ended;                     /* the caller has taken the end or an error */
        ssize_t last;                   /* then what it was */
};

/* Waits for the slot after the last one filled to be free; false if told to stop. */
static bool wait_free(struct readahead *ra, struct slot *s) {
        pthread_mutex_lock(&ra->lock);
        while (!ra->stop && (s->full || ra->held == (int) ra->fill_at))
                pthread_cond_wait(&ra->emptied, &ra->lock);
        bool go = !ra->stop;
        pthread_mutex_unlock(&ra->lock);
        return go;
}

static void *reader(void *arg) {
        struct readahead *ra = arg;
        for (;;) {
                struct slot *s = &ra->slots[ra->fill_at];
                if (!wait_free(ra, s))
                        return NULL;
                ssize_t got = ra->fn(ra->source, s->buf + ra->headroom, ra->chunk);
                pthread_mutex_lock(&ra->lock);
                s->got = got;
                s->full = true;
                ra->fill_at = (ra->fill_at + 1) % SLOTS;
                pthread_cond_signal(&ra->filled);
                pthread_mutex_unlock(&ra->lock);
                if (got <= 0)
                        return NULL;
        }
}

static void free_all(struct readahead *ra) {
        for (unsigned i = 0; i < SLOTS; i++)
                free(ra->slots[i].buf);
        free(ra);
}

/* The thread takes no signal: they stay the caller's (SIGINT, SIGPIPE on its output). */
static int start_thread(struct readahead *ra) {
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        int r = pthread_create(&ra->thread, NULL, reader, ra);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return -r;
}

int readahead_start(struct readahead **ret, readahead_fn fn, void *source, size_t chunk, size_t headroom) {
        struct readahead *ra = calloc(1, sizeof(*ra));
        if (!ra)
                return -ENOMEM;
        *ra = (struct readahead) { .fn = fn, .source = source, .chunk = chunk, .headroom = headroom, .held = -1 };
        for (unsigned i = 0; i < SLOTS; i++)
                if (!(ra->slots[i].buf = malloc(headroom + chunk))) {
                        free_all(ra);
                        return -ENOMEM;
                }
        pthread_mutex_init(&ra->lock, NULL);
        pthread_cond_init(&ra->filled, NULL);
        pthread_cond_init(&ra->emptied, NULL);
        int r = start_thread(ra);
        if (r < 0) {
                free_all(ra);
                return r;
        }
        *ret = ra;
        return 0;
}

static struct slot *wait_filled(struct readahead *ra) {
        struct slot *s = &ra->slots[ra->take_at];
        pthread_mutex_lock(&ra->lock);
        while (!s->full)
                pthread_cond_wait(&ra->filled, &ra->lock);
        pthread_mutex_unlock(&ra->lock);
        return s;
}

int readahead_next(struct readahead *ra, const char *keep, size_t keep_len, char **data, size_t *len) {
        if (ra->ended) {        /* the thread is gone: the held slot is still the caller's */
                char *at = ra->slots[ra->held].buf + ra->headroom;
                if (keep_len)
                        memmove(at - keep_len, keep, keep_len);
                *data = at;
                *len = 0;
                return (int) ra->last;
        }
        struct slot *s = wait_filled(ra);
        char *at = s->buf + ra->headroom;
        if (keep_len)   /* keep lies in the held slot: ours until it is given back below */
                memcpy(at - keep_len, keep, keep_len);
        pthread_mutex_lock(&ra->lock);
        s->full = false;
        ra->held = (int) ra->take_at;
        ra->take_at = (ra->take_at + 1) % SLOTS;
        pthread_cond_signal(&ra->emptied);
        pthread_mutex_unlock(&ra->lock);
        *data = at;
        *len = s->got > 0 ? (size_t) s->got : 0;
        if (s->got > 0)
                return 1;
        ra->ended = true;
        ra->last = s->got;
        return (int) s->got;
}

void readahead_stop(struct readahead *ra) {
        if (!ra)
                return;
        pthread_mutex_lock(&ra->lock);
        ra->stop = true;
        pthread_cond_broadcast(&ra->emptied);
        pthread_mutex_unlock(&ra->lock);
        pthread_join(ra->thread, NULL);
        pthread_mutex_destroy(&ra->lock);
        pthread_cond_destroy(&ra->filled);
        pthread_cond_destroy(&ra->emptied);
        free_all(ra);
}
