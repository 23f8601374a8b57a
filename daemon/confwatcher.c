#include "confwatcher.h"

#include <string.h>

#include "say.h"

static void arm(struct confwatcher *cw, double after) {
        ev_timer_stop(cw->loop, &cw->settle);
        ev_timer_set(&cw->settle, after, 0.);
        ev_timer_start(cw->loop, &cw->settle);
}

static void on_settled(EV_P_ ev_timer *w, int revents) {
        struct confwatcher *cw = w->data;
        double waited = ev_now(EV_A) - cw->first_change;
        double patience = CONFWATCHER_PATIENCE_MS / 1e3;
        if (confwatch_writing(cw->watch) && waited < patience) {
                arm(cw, CONFWATCHER_SETTLE_MS / 1e3);   /* a save in progress */
                return;
        }
        cw->first_change = 0;
        cw->changed(cw->userdata);
}

static void on_events(EV_P_ ev_io *w, int revents) {
        struct confwatcher *cw = w->data;
        if (!confwatch_read(cw->watch))
                return;
        if (!cw->first_change)
                cw->first_change = ev_now(EV_A);
        arm(cw, CONFWATCHER_SETTLE_MS / 1e3);
}

int confwatcher_start(struct confwatcher *cw, struct ev_loop *loop, void (*changed)(void *userdata),
                      void *userdata) {
        *cw = (struct confwatcher) { .loop = loop, .changed = changed, .userdata = userdata };
        int r = confwatch_new(&cw->watch);
        if (r < 0)
                return r;
        ev_io_init(&cw->io, on_events, confwatch_fd(cw->watch), EV_READ);
        ev_timer_init(&cw->settle, on_settled, 0., 0.);
        cw->io.data = cw->settle.data = cw;
        ev_io_start(loop, &cw->io);
        return 0;
}

size_t confwatcher_set(struct confwatcher *cw, const char *const *paths, size_t n) {
        size_t failed = 0;
        confwatch_read(cw->watch);      /* changes so far are in the reading this set comes from */
        ev_timer_stop(cw->loop, &cw->settle);
        cw->first_change = 0;
        confwatch_clear(cw->watch);
        for (size_t i = 0; i < n; i++) {
                int r = confwatch_add(cw->watch, paths[i]);
                if (r < 0 && failed++ == 0)
                        say_at(LOG_WARNING, "configuration changes in %s are not followed: %s", paths[i], strerror(-r));
        }
        return failed;
}

void confwatcher_stop(struct confwatcher *cw) {
        if (!cw->watch)
                return;
        ev_io_stop(cw->loop, &cw->io);
        ev_timer_stop(cw->loop, &cw->settle);
        cw->watch = confwatch_free(cw->watch);
}
