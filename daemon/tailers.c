/* One tailer per log path: nginx's error logs and each pool's php-fpm log. A reload keeps the
 * tailers whose path stays, and with them their offsets and any rotation in progress. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "classify.h"
#include "clock.h"
#include "loadconf.h"
#include "say.h"
#include "manager.h"

static void on_line(void *userdata, const char *line, size_t len, unsigned flags) {
        struct log_watch *w = userdata;
        struct manager *m = w->m;
        struct logline ll;
        struct event ev;
        m->lines++;
        if (classify_line(line, len, &ll, &ev) == KIND_NONE)
                return;
        m->classified++;
        diag_log(m->diag, &ev, line, len, w->pool, m->now);
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
        if (lost)
                say("%s: %s (%llu bytes lost)", w->path, text[what], (unsigned long long) lost);
        else
                say("%s: %s", w->path, text[what]);
}

static const struct tail_callbacks callbacks = { on_line, on_notice };

static void process(struct log_watch *w) {
        w->m->now = clock_realtime_usec();
        int r = tail_process(w->tail, &callbacks, w);
        if (r < 0 && r != w->last_error)
                say("%s: %s", w->path, strerror(-r));
        w->last_error = r;
}

static void on_readable(EV_P_ ev_io *io, int revents) {
        struct log_watch *w = io->data;
        process(w);
        manager_flush(w->m);
}

static struct log_watch *watch_free(struct manager *m, struct log_watch *w) {
        if (!w)
                return NULL;
        ev_io_stop(m->loop, &w->io);
        tail_free(w->tail);
        free(w->path);
        free(w);
        return NULL;
}

static int watch_new(struct manager *m, const char *path, int pool, struct log_watch **ret) {
        struct log_watch *w = calloc(1, sizeof(*w));
        struct stat st;
        if (!w || !(w->path = strdup(path))) {
                free(w);
                return -ENOMEM;
        }
        w->m = m;
        w->pool = pool;
        int r = tail_new(&w->tail, path, m->cfg->read_from_start ? TAIL_START_BEGIN : TAIL_START_END, 0);
        if (r < 0) {
                say("%s: cannot follow: %s", path, strerror(-r));
                watch_free(m, w);
                return r;
        }
        if (stat(path, &st) < 0)
                say("%s: %s; waiting for it", path, strerror(errno));
        ev_io_init(&w->io, on_readable, tail_fd(w->tail), EV_READ);
        w->io.data = w;
        ev_io_start(m->loop, &w->io);
        process(w);
        *ret = w;
        return 0;
}

/* The watch for path among the old ones, taken out of the array. */
static struct log_watch *take(struct manager *m, const char *path) {
        for (size_t i = 0; i < m->n_logs; i++) {
                struct log_watch *w = m->logs[i];
                if (w && strcmp(w->path, path) == 0) {
                        m->logs[i] = NULL;
                        return w;
                }
        }
        return NULL;
}

int logs_update(struct manager *m, const struct config *c) {
        struct log_ref want[CONFIG_MAX_LOGS + CONFIG_MAX_POOLS];
        size_t n = loadconf_logs(c, want), made = 0;
        struct log_watch **logs = calloc(n ? n : 1, sizeof(*logs));
        if (!logs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct log_watch *w = take(m, want[i].path);
                if (!w && watch_new(m, want[i].path, want[i].pool, &w) == -ENOMEM) {
                        while (made > 0)
                                watch_free(m, logs[--made]);
                        free(logs);
                        return -ENOMEM;
                }
                if (w) {
                        w->pool = want[i].pool;
                        logs[made++] = w;
                }
        }
        logs_free(m);
        m->logs = logs;
        m->n_logs = made;
        return 0;
}

void logs_drain(struct manager *m) {
        for (size_t i = 0; i < m->n_logs; i++)
                process(m->logs[i]);
}

void logs_free(struct manager *m) {
        for (size_t i = 0; i < m->n_logs; i++)
                watch_free(m, m->logs[i]);
        free(m->logs);
        m->logs = NULL;
        m->n_logs = 0;
}
