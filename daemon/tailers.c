/* One tailer per log path: nginx's error logs and each pool's php-fpm log. A reload keeps the
 * tailers whose path stays, and with them their offsets and any rotation in progress. */
#include "tailers.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "address.h"
#include "classify.h"
#include "clock.h"
#include "diag.h"
#include "metrics.h"
#include "say.h"
#include "tail.h"
#include "timestamp.h"

struct log_watch {
        struct tailers *t;
        char *path;
        int pool;                       /* the pool whose php-fpm log this is; -1 for nginx's */
        uint64_t pools;                 /* every pool whose log it is (struct log_ref) */
        struct tail *tail;
        ev_io io;
        bool from_start;
        const struct tail_position *saved;      /* until the first start: resume there */
        bool catching_up;                       /* the first read after a resume */
        bool old;                               /* the last timed line was older than since_key */
        int64_t since_key;                      /* timestamp_key() of now - catch_up_age */
        uint64_t skipped_old;                   /* lines of the catch-up older than catch_up_age */
        int last_error;                 /* logged once until it changes; retried while < 0 */
        uint64_t lines, rotations, truncations;         /* since this tailer was made */
};

/* What an event is about: the pool php-fpm names, else the upstream nginx names, else the pool
 * whose log it is (php-fpm's master names none), else the log's writer. */
static void count_event(struct metrics *m, const struct event *ev, const char *pool) {
        char label[ADDRESS_TEXT_MAX + 8], buf[ADDRESS_TEXT_MAX + 8];
        struct span t = ev->pool.n ? ev->pool : address_unix_label(ev->upstream, buf, sizeof(buf));
        if (t.n)
                snprintf(label, sizeof(label), "%.*s", (int) t.n, t.p);
        else
                snprintf(label, sizeof(label), "%s", pool ? pool : ev->source == SOURCE_FPM ? "php-fpm" : "nginx");
        metrics_add(m, METRIC_EVENTS, (const char *[]) { kind_id(ev->kind), label }, 1);
}

void tailers_feed_event(struct feed *f, const struct log_ref *ref, const struct event *ev, const char *line,
                        size_t len, uint64_t now) {
        int pools[CONFIG_MAX_POOLS];
        size_t n = loadconf_line_pools(ref, ev, pools);
        for (size_t i = 0; i < n; i++) {
                const char *pool = pools[i] >= 0 ? diag_pool_name(f->diag, (size_t) pools[i]) : NULL;
                if (f->metrics)
                        count_event(f->metrics, ev, pool);
                diag_log(f->diag, ev, line, len, pools[i], now);
        }
}

/* A line of the catch-up older than CatchUpAge by its own time (scanfile's --since rule). */
static bool too_old(struct log_watch *w, const struct logline *ll) {
        struct timestamp ts;
        if (logline_parse_time(ll, &ts))
                w->old = timestamp_key(&ts) < w->since_key;
        return w->old;
}

static void on_line(void *userdata, const char *line, size_t len, unsigned flags) {
        struct log_watch *w = userdata;
        struct feed *f = w->t->feed;
        struct logline ll;
        struct event ev;
        f->lines++;
        w->lines++;
        enum event_kind k = classify_line(line, len, &ll, &ev);
        if (w->catching_up && w->t->catch_up_age && too_old(w, &ll)) {
                w->skipped_old++;
                return;
        }
        if (k == KIND_NONE)
                return;
        f->classified++;
        diag_set_late(f->diag, w->catching_up);
        tailers_feed_event(f, &(struct log_ref) { w->path, w->pool, w->pools }, &ev, line, len, w->t->now);
        f->changed = true;
        f->worker_sigkill |= ev.kind == KIND_FPM_CHILD_SIGNAL && ev.signal == SIGKILL;
}

static void on_notice(void *userdata, enum tail_notice what, uint64_t lost) {
        static const char *const text[] = {
                [TAIL_OPENED] = "opened",
                [TAIL_ROTATED] = "rotated; reading the old file until its writer moves on",
                [TAIL_TRUNCATED] = "truncated; reading again from the start",
                [TAIL_DELETED] = "deleted; waiting for it to come back",
                [TAIL_OVERFLOW] = "inotify queue overflowed; rescanned",
        };
        struct log_watch *w = userdata;
        w->rotations += what == TAIL_ROTATED;
        w->truncations += what == TAIL_TRUNCATED;
        int prio = lost || what == TAIL_TRUNCATED || what == TAIL_OVERFLOW ? LOG_WARNING : LOG_INFO;
        if (lost)
                say_at(prio, "%s: %s (%llu bytes lost)", w->path, text[what], (unsigned long long) lost);
        else
                say_at(prio, "%s: %s", w->path, text[what]);
}

static const struct tail_callbacks callbacks = { on_line, on_notice };

static void on_readable(EV_P_ ev_io *io, int revents);

/* The tail itself: tail_new() fails for want of an inotify instance or a descriptor (EMFILE). */
static void say_resumed(const struct log_watch *w, const struct tail_resume_report *rep) {
        if (rep->how == TAIL_RESUMED_SAME)
                say("%s: resuming at byte %llu (%llu bytes written while stopped)", w->path,
                    (unsigned long long) w->saved->offset, (unsigned long long) rep->pending);
        else if (rep->how == TAIL_RESUMED_ROTATED)
                say_at(LOG_NOTICE, "%s: rotated while stopped; reading the rest of %s from byte %llu, then %s%sthe new file",
                    w->path, rep->rotated_path, (unsigned long long) w->saved->offset,
                    rep->rotated_after ? w->path : "", rep->rotated_after ? ".1, " : "");
        else if (rep->how == TAIL_RESUMED_ABSENT)
                say("%s: no file there at the stop; one made since is read from its start (%llu bytes)", w->path,
                    (unsigned long long) rep->pending);
        else
                say("%s: not the file read before the stop (rotated away or rewritten); reading it from the start",
                    w->path);
        if (rep->compressed)
                say_at(LOG_WARNING, "%s: the rotated file is already compressed; the rest of it was skipped "
                    "(%llu bytes compressed, read to byte %llu before the stop)", rep->compressed_path,
                    (unsigned long long) rep->compressed_size, (unsigned long long) w->saved->offset);
        if (rep->skipped)
                say_at(LOG_WARNING, "%s: %llu bytes written while stopped are more than CatchUp (%llu): skipped to the last %llu",
                    w->path, (unsigned long long) rep->skipped, (unsigned long long) w->t->catch_up,
                    (unsigned long long) rep->pending);
}

static int start_tail(struct log_watch *w) {
        struct tail_resume_report rep;
        int r = w->saved ? tail_resume(&w->tail, w->path, w->saved, w->t->catch_up, 0, &rep) :
                tail_new(&w->tail, w->path, w->from_start ? TAIL_START_BEGIN : TAIL_START_END, 0);
        if (r < 0)
                return r;
        if (w->saved) {
                say_resumed(w, &rep);
                w->catching_up = true;
                struct timestamp since = timestamp_from_time(time(NULL) - (time_t) (w->t->catch_up_age / 1000000));
                w->since_key = timestamp_key(&since);
                w->old = false;
                w->skipped_old = 0;
        }
        w->saved = NULL;
        ev_io_init(&w->io, on_readable, tail_fd(w->tail), EV_READ);
        w->io.data = w;
        ev_io_start(w->t->loop, &w->io);
        return 0;
}

static void arm_retry(struct tailers *t) {
        if (!ev_is_active(&t->retry))
                ev_timer_again(t->loop, &t->retry);
}

/* An error (EACCES, EMFILE) is said once, and retried every TAILERS_RETRY_SECONDS until it goes,
 * as a missing file is waited for. */
static void process(struct log_watch *w) {
        if (!w->tail && w->saved && w->t->hold)
                return;         /* its catch-up waits for tailers_release() */
        w->t->now = clock_realtime_usec();
        uint64_t lines = w->t->feed->lines;
        int r = w->tail ? 0 : start_tail(w);
        if (r == 0)
                r = tail_process(w->tail, &callbacks, w);
        if (r == 0 && w->catching_up) {
                say("%s: caught up %llu lines written while stopped", w->path,
                    (unsigned long long) (w->t->feed->lines - lines));
                if (w->skipped_old)
                        say_at(LOG_WARNING, "%s: %llu of them older than CatchUpAge (%llu s) by their own time: skipped", w->path,
                            (unsigned long long) w->skipped_old, (unsigned long long) (w->t->catch_up_age / 1000000));
                w->catching_up = false;
        }
        if (r < 0 && r != w->last_error)
                say_at(LOG_WARNING, "%s: %s; trying again every %ds", w->path,
                    r == -EINVAL ? "not a regular file (a FIFO, a device or a socket)" : strerror(-r),
                    TAILERS_RETRY_SECONDS);
        else if (r == 0 && w->last_error < 0)
                say("%s: followed again", w->path);
        w->last_error = r;
        if (r < 0)
                arm_retry(w->t);
}

static void on_readable(EV_P_ ev_io *io, int revents) {
        process(io->data);
}

static void on_retry(EV_P_ ev_timer *timer, int revents) {
        struct tailers *t = timer->data;
        bool failing = false;
        for (size_t i = 0; i < t->n_logs; i++)
                if (t->logs[i]->last_error < 0) {
                        process(t->logs[i]);
                        failing |= t->logs[i]->last_error < 0;
                }
        if (!failing)
                ev_timer_stop(EV_A_ timer);
}

static struct log_watch *watch_free(struct log_watch *w) {
        if (!w)
                return NULL;
        if (w->tail)
                ev_io_stop(w->t->loop, &w->io);
        tail_free(w->tail);
        free(w->path);
        free(w);
        return NULL;
}

static int watch_new(struct tailers *t, const char *path, int pool, bool from_start, struct log_watch **ret) {
        struct log_watch *w = calloc(1, sizeof(*w));
        struct stat st;
        if (!w || !(w->path = strdup(path))) {
                free(w);
                return -ENOMEM;
        }
        w->t = t;
        w->pool = pool;
        w->from_start = from_start;
        w->saved = t->saved ? t->saved(t->saved_userdata, path) : NULL;
        if (stat(path, &st) < 0 && errno == ENOENT)
                say_at(LOG_WARNING, "%s: %s; waiting for it", path, strerror(errno));
        process(w);
        *ret = w;
        return 0;
}

/* The watch for path among the old ones, taken out of the array. */
static struct log_watch *take(struct tailers *t, const char *path) {
        for (size_t i = 0; i < t->n_logs; i++) {
                struct log_watch *w = t->logs[i];
                if (w && strcmp(w->path, path) == 0) {
                        t->logs[i] = NULL;
                        return w;
                }
        }
        return NULL;
}

void tailers_init(struct tailers *t, struct ev_loop *loop, struct feed *feed) {
        *t = (struct tailers) { .loop = loop, .feed = feed };
        ev_timer_init(&t->retry, on_retry, 0., TAILERS_RETRY_SECONDS);
        t->retry.data = t;
}

int tailers_update(struct tailers *t, const struct log_ref *want, size_t n, bool from_start) {
        struct log_watch **logs = calloc(n ? n : 1, sizeof(*logs));
        size_t made = 0;
        if (!logs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct log_watch *w = take(t, want[i].path);
                if (!w && watch_new(t, want[i].path, want[i].pool, from_start, &w) == -ENOMEM) {
                        while (made > 0)
                                watch_free(logs[--made]);
                        free(logs);
                        return -ENOMEM;
                }
                if (w) {
                        w->pool = want[i].pool;
                        w->pools = want[i].pools;
                        logs[made++] = w;
                }
        }
        tailers_free(t);
        t->logs = logs;
        t->n_logs = made;
        for (size_t i = 0; i < made; i++)
                if (logs[i]->last_error < 0)
                        arm_retry(t);
        return 0;
}

void tailers_release(struct tailers *t) {
        t->hold = false;
        for (size_t i = 0; i < t->n_logs; i++)
                if (!t->logs[i]->tail && t->logs[i]->saved)
                        process(t->logs[i]);
}

void tailers_drain(struct tailers *t) {
        for (size_t i = 0; i < t->n_logs; i++)
                process(t->logs[i]);
}

void tailers_free(struct tailers *t) {
        ev_timer_stop(t->loop, &t->retry);
        for (size_t i = 0; i < t->n_logs; i++)
                watch_free(t->logs[i]);
        free(t->logs);
        t->logs = NULL;
        t->n_logs = 0;
}

void tailers_positions(const struct tailers *t, void (*fn)(void *userdata, const char *path,
                                                           const struct tail_position *p), void *userdata) {
        for (size_t i = 0; i < t->n_logs; i++) {
                const struct log_watch *w = t->logs[i];
                struct tail_position p;
                if (w->tail && tail_position(w->tail, &p) == 0)
                        fn(userdata, w->path, &p);
                else if (w->saved)
                        fn(userdata, w->path, w->saved);        /* not read yet: keep what was saved */
                else if (w->tail)
                        fn(userdata, w->path, &TAIL_POSITION_ABSENT);   /* no file: one made meanwhile is read whole */
        }
}

void tailers_count(const struct tailers *t, struct metrics *m) {
        metrics_clear(m, METRIC_LOG_LINES);
        metrics_clear(m, METRIC_LOG_ROTATIONS);
        metrics_clear(m, METRIC_LOG_TRUNCATIONS);
        for (size_t i = 0; i < t->n_logs; i++) {
                const struct log_watch *w = t->logs[i];
                const char *log[] = { w->path };
                metrics_set(m, METRIC_LOG_LINES, log, (double) w->lines);
                metrics_set(m, METRIC_LOG_ROTATIONS, log, (double) w->rotations);
                metrics_set(m, METRIC_LOG_TRUNCATIONS, log, (double) w->truncations);
        }
}
