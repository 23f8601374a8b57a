#include "manager.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "loadconf.h"
#include "say.h"
#include "util.h"

static void on_alert(void *userdata, const struct alert *a) {
        struct manager *m = userdata;
        m->alerts++;
        outputs_send(&m->out, a);
}

/* The diagnosis's clock is the wall clock, libev's timers are monotonic: at least 1 ms, so that
 * a due time the flush did not clear cannot spin the loop. */
static void arm_due(struct manager *m, uint64_t now) {
        uint64_t due = diag_next_due(m->diag);
        ev_timer_stop(m->loop, &m->due_timer);
        if (due == UINT64_MAX)
                return;
        double after = due > now + 1000 ? (double) (due - now) / 1e6 : 0.001;
        ev_timer_set(&m->due_timer, after, 0.);
        ev_timer_start(m->loop, &m->due_timer);
}

void manager_flush(struct manager *m) {
        char status[sizeof(m->status)];
        uint64_t now = clock_realtime_usec();
        diag_flush(m->diag, now, on_alert, m);
        notify_status(m, diag_status(m->diag, status, sizeof(status)));
        arm_due(m, now);
}

static void on_due(EV_P_ ev_timer *w, int revents) {
        manager_flush(w->data);
}

static void on_probe_tick(EV_P_ ev_timer *w, int revents) {
        pools_probe_round(w->data);
}

static void resolve_identity(struct manager *m) {
        int r = sock_identity_from_user(m->cfg->nginx_user, &m->nginx_id);
        m->have_nginx_id = r == 0;
        if (r < 0)
                say("nginx user '%s': %s; socket permissions are not checked", m->cfg->nginx_user,
                        r == -ENOENT ? "no such user" : strerror(-r));
}

static int new_diag(struct manager *m) {
        struct diag *fresh;
        int r = loadconf_new_diag(m->cfg, 2, &fresh);   /* a restart shows as one failed probe */
        if (r < 0)
                return r;
        size_t lost = m->diag ? diag_adopt(fresh, m->diag) : 0;
        if (lost)
                say("%zu firing finding%s belonged to pools that are gone", lost, lost == 1 ? "" : "s");
        diag_free(m->diag);
        m->diag = fresh;
        return 0;
}

/* What the diagnosis was made from; when it stays, so do its findings. */
static bool same_diag_inputs(const struct config *a, const struct config *b) {
        if (a->n_pools != b->n_pools || a->resolve_after_usec != b->resolve_after_usec ||
            a->summary_interval_usec != b->summary_interval_usec || strcmp(a->nginx_user, b->nginx_user) != 0)
                return false;
        for (int i = 0; i < a->n_pools; i++) {
                const struct pool_config *x = &a->pools[i], *y = &b->pools[i];
                if (strcmp(x->name, y->name) != 0 || strcmp(x->listen, y->listen) != 0 ||
                    strcmp(x->unit, y->unit) != 0)
                        return false;
        }
        return true;
}

static void start_probe_tick(struct manager *m) {
        ev_timer_stop(m->loop, &m->probe_tick);
        ev_timer_set(&m->probe_tick, 0., (double) m->cfg->probe_interval_usec / 1e6);
        ev_timer_start(m->loop, &m->probe_tick);
}

/* Takes the new config (*c gets the old one back); a negative errno leaves the daemon unable to go on. */
static int apply(struct manager *m, struct config **c) {
        logs_drain(m);
        manager_flush(m);
        pools_free(m);
        bool keep = same_diag_inputs(m->cfg, *c);
        struct config *old = m->cfg;
        m->cfg = *c;
        *c = old;
        resolve_identity(m);
        int r = keep ? 0 : new_diag(m);
        if (r == 0)
                r = logs_update(m, m->cfg);
        if (r == 0)
                r = pools_start(m);
        if (r < 0)
                return r;
        start_probe_tick(m);
        say("config reloaded from %s: %d pool%s, %zu log%s%s", loadconf_source(m->cfg), m->cfg->n_pools,
                m->cfg->n_pools == 1 ? "" : "s", m->n_logs, m->n_logs == 1 ? "" : "s",
                keep ? "" : "; findings carried over");
        return 0;
}

static void on_hup(EV_P_ ev_signal *w, int revents) {
        struct manager *m = w->data;
        _cleanup_(freep) struct config *c = calloc(1, sizeof(*c));
        struct config_error err;
        notify_reloading();
        outputs_reopen(&m->out);
        int r = c ? loadconf(c, m->opt.config_file, &err) : -ENOMEM;
        if (c && r < 0)
                say("reload failed, the running config stays: %s", err.text);
        else if (!c || (r = apply(m, &c)) < 0) {
                say("reload failed: %s", strerror(-r));
                m->failed = r;
                ev_break(EV_A_ EVBREAK_ALL);
                return;
        }
        manager_flush(m);
        notify_ready(m);
}

static void on_stop(EV_P_ ev_signal *w, int revents) {
        struct manager *m = w->data;
        notify_stopping();
        say("stopping on SIG%s", sigabbrev_np(w->signum));
        logs_drain(m);
        manager_flush(m);
        ev_break(EV_A_ EVBREAK_ALL);
}

static void init_watchers(struct manager *m) {
        ev_signal_init(&m->sig_term, on_stop, SIGTERM);
        ev_signal_init(&m->sig_int, on_stop, SIGINT);
        ev_signal_init(&m->sig_hup, on_hup, SIGHUP);
        ev_timer_init(&m->probe_tick, on_probe_tick, 0., 1.);
        ev_timer_init(&m->due_timer, on_due, 0., 0.);
        m->sig_term.data = m->sig_int.data = m->sig_hup.data = m;
        m->probe_tick.data = m->due_timer.data = m->watchdog.data = m;
        ev_signal_start(m->loop, &m->sig_term);
        ev_signal_start(m->loop, &m->sig_int);
        ev_signal_start(m->loop, &m->sig_hup);
}

int manager_start(struct manager *m, struct ev_loop *loop, const struct manager_options *opt) {
        struct config_error err;
        *m = (struct manager) { .loop = loop, .opt = *opt };
        init_watchers(m);
        if (!(m->cfg = calloc(1, sizeof(*m->cfg))))
                return -ENOMEM;
        int r = loadconf(m->cfg, opt->config_file, &err);
        if (r < 0) {
                fprintf(stderr, "%s\n", err.text);
                return -EINVAL;
        }
        if ((r = outputs_open(&m->out, &opt->out)) < 0)
                return r;
        resolve_identity(m);
        if ((r = new_diag(m)) < 0 || (r = logs_update(m, m->cfg)) < 0 || (r = pools_start(m)) < 0)
                return r;
        start_probe_tick(m);
        notify_watchdog_start(m);
        m->started = true;
        say("started: %d pool%s, %zu log%s, config %s", m->cfg->n_pools, m->cfg->n_pools == 1 ? "" : "s",
                m->n_logs, m->n_logs == 1 ? "" : "s", loadconf_source(m->cfg));
        return 0;
}

void manager_stop(struct manager *m) {
        ev_signal_stop(m->loop, &m->sig_term);
        ev_signal_stop(m->loop, &m->sig_int);
        ev_signal_stop(m->loop, &m->sig_hup);
        ev_timer_stop(m->loop, &m->probe_tick);
        ev_timer_stop(m->loop, &m->due_timer);
        ev_timer_stop(m->loop, &m->watchdog);
        pools_free(m);
        logs_free(m);
        outputs_close(&m->out);
        if (m->started)
                say("stopped: %llu lines read, %llu classified, %llu alerts", (unsigned long long) m->lines,
                        (unsigned long long) m->classified, (unsigned long long) m->alerts);
        m->diag = diag_free(m->diag);
        free(m->cfg);
        m->cfg = NULL;
}
