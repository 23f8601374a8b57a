#include "manager.h"

#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "clock.h"
#include "configfindings.h"
#include "diag.h"
#include "loadconf.h"
#include "net.h"
#include "say.h"
#include "util.h"

static void on_alert(void *userdata, const struct alert *a) {
        struct manager *m = userdata;
        m->alerts++;
        metrics_add(&m->metrics, METRIC_ALERTS, (const char *[]) { cause_id(a->cause), alert_state_name(a->state) }, 1);
        outputs_send(&m->out, a);
        if (m->push)
                net_module()->push_alert(m->push, a);
        if (!outputs_any(&m->out) && !m->failed) {
                say_at(LOG_CRIT, "no output takes alerts any more: stopping");
                m->failed = -EPIPE;
                ev_break(m->loop, EVBREAK_ALL);
        }
}

/* The diagnosis's clock is the wall clock, libev's timers are monotonic: at least 1 ms, so that
 * a due time the flush did not clear cannot spin the loop. */
static void arm_due(struct manager *m, uint64_t now) {
        uint64_t due = diag_next_due(m->feed.diag);
        ev_timer_stop(m->loop, &m->due_timer);
        if (due == UINT64_MAX)
                return;
        double after = due > now + 1000 ? (double) (due - now) / 1e6 : 0.001;
        ev_timer_set(&m->due_timer, after, 0.);
        ev_timer_start(m->loop, &m->due_timer);
}

/* Sends what is due and the status, and sets the next due time. */
static void flush(struct manager *m) {
        char status[sizeof(m->notify.status)];
        uint64_t now = clock_realtime_usec();
        m->feed.changed = false;
        diag_flush(m->feed.diag, now, on_alert, m);
        diag_status(m->feed.diag, status, sizeof(status));
        if (m->waiting && strncmp(status, "FIRING", 6) != 0)
                snprintf(status, sizeof(status), "waiting for a PHP-FPM pool");
        notify_status(&m->notify, status);
        arm_due(m, now);
}

static void put_log(void *userdata, const char *path, const struct tail_position *p) {
        struct statefile_log l = { .dev = p->dev, .ino = p->ino, .offset = p->offset, .fp_len = p->fp_len,
                                   .fp_hash = p->fp_hash };
        if (strlen(path) < sizeof(l.path)) {
                memcpy(l.path, path, strlen(path) + 1);
                statefile_add_log(userdata, &l);
        }
}

static void put_finding(void *userdata, const struct diag_saved_finding *f) {
        struct statefile_finding s = { .kind = (enum statefile_target_kind) f->kind, .first_seen = f->first_seen,
                                       .lines = f->lines };
        snprintf(s.cause, sizeof(s.cause), "%s", cause_id(f->cause));
        snprintf(s.target, sizeof(s.target), "%s", f->target);
        statefile_add_finding(userdata, &s);
}

/* /dev/kmsg's position as a log's: the next record's sequence number and the boot it belongs to. */
static void put_kmsg(struct manager *m, struct statefile *s) {
        if (m->kmsg.fd < 0 || !m->kmsg.pos.next_seq)
                return;
        struct statefile_log l = { .path = KMSG_PATH, .offset = m->kmsg.pos.next_seq, .fp_hash = m->kmsg.pos.boot };
        statefile_add_log(s, &l);
}

static void start_kmsg(struct manager *m) {
        const struct statefile_log *l = statefile_find_log(&m->loaded, KMSG_PATH);
        struct kmsg_position saved = { l ? l->offset : 0, l ? l->fp_hash : 0 };
        kmsg_start(&m->kmsg, &saved);
}

/* Each log's position and the firing findings, to the state directory. A failure is said once
 * (until a write works again); the daemon goes on without. */
static void save_state(struct manager *m) {
        struct statefile s = { 0 };
        ev_timer_stop(m->loop, &m->save_timer);
        if (!m->state_dir[0])
                return;         /* another badgatewayd keeps the state there */
        m->saved_lines = m->feed.lines;
        m->saved_alerts = m->alerts;
        tailers_positions(&m->tailers, put_log, &s);
        put_kmsg(m, &s);
        journalwatch_cursor(&m->journal, s.journal_cursor, sizeof(s.journal_cursor));
        if (m->feed.diag)
                diag_export_firing(m->feed.diag, put_finding, &s);
        int r = statefile_save(m->state_dir, &s);
        statefile_clear(&s);
        if (r < 0 && !m->state_failing)
                say_at(LOG_WARNING, "state directory %s: %s; where each log was read and what fires are not kept across a restart",
                    m->state_dir, strerror(-r));
        else if (r == 0 && m->state_failing)
                say_at(LOG_NOTICE, "state directory %s: written again", m->state_dir);
        m->state_failing = r < 0;
}

static void on_save(EV_P_ ev_timer *w, int revents) {
        save_state(w->data);
}

/* Something to keep came since the last write: one write a second at most. */
static void schedule_save(struct manager *m) {
        if ((m->feed.lines != m->saved_lines || m->alerts != m->saved_alerts) && !ev_is_active(&m->save_timer)) {
                ev_timer_set(&m->save_timer, 1., 0.);
                ev_timer_start(m->loop, &m->save_timer);
        }
}

static const struct tail_position *saved_position(void *userdata, const char *path) {
        static struct tail_position p[STATEFILE_MAX_LOGS];
        struct manager *m = userdata;
        const struct statefile_log *l = statefile_find_log(&m->loaded, path);
        if (!l)
                return NULL;
        size_t i = (size_t) (l - m->loaded.logs);
        p[i] = (struct tail_position) { l->dev, l->ino, l->offset, l->fp_len, l->fp_hash };
        return &p[i];
}

static void choose_state_dir(struct manager *m) {
        const char *env = getenv("STATE_DIRECTORY");
        const char *dir = m->opt.state_dir ? m->opt.state_dir : env && *env ? env : DEFAULT_STATE_DIR;
        size_t n = m->opt.state_dir ? strlen(dir) : strcspn(dir, ":");  /* systemd: the first of a list */
        snprintf(m->state_dir, sizeof(m->state_dir), "%.*s", (int) n, dir);
}

/* One daemon per state directory: a second one (run by hand beside the service) would resume from
 * the other's offsets and overwrite them. It goes on without state, and says so. */
static void lock_state_dir(struct manager *m) {
        if (mkdir(m->state_dir, 0700) == 0)     /* a hand run's --state-dir; systemd makes the service's */
                say("state directory %s: made", m->state_dir);
        m->state_lock = open(m->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (m->state_lock < 0 || flock(m->state_lock, LOCK_EX | LOCK_NB) == 0)
                return;         /* a directory that is not there yet is said when it is written */
        say_at(LOG_WARNING, "another badgatewayd keeps its state in %s: this one goes on without (no resume, no saved findings)",
            m->state_dir);
        close(m->state_lock);
        m->state_lock = -1;
        m->state_dir[0] = '\0';
}

/* The state file of the last run: its findings go into the new diagnosis as firing, its
 * positions to the tailers. Corrupt or foreign: said, and a fresh start. */
static void load_state(struct manager *m) {
        char err[512];
        size_t restored = 0, gone = 0;
        if (!m->state_dir[0])
                return;
        int r = statefile_load(m->state_dir, &m->loaded, err, sizeof(err));
        if (r < 0 && r != -ENOENT)
                say_at(LOG_WARNING, "warning: state file %s; starting afresh", err);
        if (r < 0)
                return;
        if (m->loaded.n_skipped)
                say_at(LOG_WARNING, "warning: state file in %s: %zu entr%s left out (%s); the rest is used", m->state_dir,
                    m->loaded.n_skipped, m->loaded.n_skipped == 1 ? "y" : "ies", err);
        uint64_t now = clock_realtime_usec();
        size_t unknown = 0;
        for (size_t i = 0; i < m->loaded.n_findings; i++) {
                const struct statefile_finding *f = &m->loaded.findings[i];
                struct diag_saved_finding d = { cause_from_id(f->cause), (enum diag_target_kind) f->kind, f->target,
                                                f->first_seen, f->lines };
                int q = diag_restore(m->feed.diag, &d, now);
                if (q == -ENOENT)       /* its pool is gone from the configuration: resolved, once */
                        diag_resolve_saved(m->feed.diag, &d, now, on_alert, m);
                restored += q == 0;
                gone += q == -ENOENT;
                unknown += q == -EINVAL;
        }
        if (restored || gone)
                say("restored %zu finding%s firing before the stop%s", restored, restored == 1 ? "" : "s",
                    gone ? "; resolved those whose pools are gone" : "");
        if (unknown)
                say_at(LOG_WARNING, "warning: state file in %s: %zu finding%s of a cause this version does not know left out",
                    m->state_dir, unknown, unknown == 1 ? "" : "s");
        m->tailers.saved = saved_position;
        m->tailers.saved_userdata = m;
        m->tailers.catch_up = m->cfg->catch_up_bytes;
        m->tailers.catch_up_age = m->cfg->catch_up_age_usec;
}

/* After every callback of a loop turn, before the loop sleeps: one flush however many lines,
 * probes and unit changes came in the turn, and READY=1 once the first probes are all in. */
static void on_prepare(EV_P_ ev_prepare *w, int revents) {
        struct manager *m = w->data;
        bool ready = !m->notify.ready && pools_unanswered(&m->pools) == 0;
        if (ready && m->tailers.hold)
                tailers_release(&m->tailers);   /* the catch-up, judged with every pool's first probe in */
        if (ready && m->journal.hold)
                journalwatch_release(&m->journal);
        if (m->feed.worker_sigkill) {
                m->feed.worker_sigkill = false;
                pools_read_cgroups(&m->pools);
        }
        if (m->feed.changed || ready)
                flush(m);
        if (ready)
                notify_ready(&m->notify);
        schedule_save(m);
}

/* A summary or a resolution is due without new evidence: the next flush sends it. */
static void on_due(EV_P_ ev_timer *w, int revents) {
        struct manager *m = w->data;
        m->feed.changed = true;
}

static void put_firing(void *userdata, const struct diag_saved_finding *f) {
        metrics_set(userdata, METRIC_FINDINGS_FIRING,
                    (const char *[]) { cause_id(f->cause), f->target, cause_severity(f->cause) }, 1);
}

/* The counters as they stand, with what is read off the tailers, the outputs and the diagnosis
 * right now; exposition text for the exporter. */
static char *render_metrics(void *userdata, size_t *len) {
        struct manager *m = userdata;
        tailers_count(&m->tailers, &m->metrics);
        journalwatch_count(&m->journal, &m->metrics);
        outputs_count(&m->out, &m->metrics);
        if (m->push)
                net_module()->push_count(m->push, &m->metrics);
        metrics_clear(&m->metrics, METRIC_FINDINGS_FIRING);
        if (m->feed.diag)
                diag_export_firing(m->feed.diag, put_firing, &m->metrics);
        return metrics_render(&m->metrics, len);
}

static void on_probe_tick(EV_P_ ev_timer *w, int revents) {
        struct manager *m = w->data;
        pools_probe_round(&m->pools);
        outputs_retry(&m->out);         /* what a full disk kept back */
        exporter_tick(&m->exporter);
}

static void each_firing(void *userdata, uint64_t now, diag_alert_fn fn, void *fn_userdata) {
        struct manager *m = userdata;
        diag_each_firing(m->feed.diag, now, fn, fn_userdata);
}

/* [Alertmanager] and [Webhook]: made when one is first set (net_for_config() loaded the module),
 * kept after: a reload that turns them off has push_configure() drop their queues and say so. */
static int configure_push(struct manager *m) {
        if (!m->push && !m->cfg->alertmanager_url[0] && !m->cfg->webhook_url[0])
                return 0;
        if (!m->push && !(m->push = net_module()->push_new(m->loop, each_firing, m)))
                return -ENOMEM;
        return net_module()->push_configure(m->push, m->cfg);
}

static void resolve_identity(struct manager *m) {
        int r = m->cfg->nginx_user[0] ? sock_identity_from_user(m->cfg->nginx_user, &m->nginx_id) : -ENOENT;
        m->have_nginx_id = r == 0;
        if (r < 0 && !m->cfg->nginx_user[0])
                say_at(LOG_WARNING, "nginx's user is not known (no nginx configuration found); socket permissions are not checked");
        else if (r < 0)
                say_at(LOG_WARNING, "nginx user '%s': %s; socket permissions are not checked", m->cfg->nginx_user,
                        r == -ENOENT ? "no such user" : strerror(-r));
}

static int new_diag(struct manager *m) {
        struct diag *fresh;
        int r = loadconf_new_diag(m->cfg, false, &fresh);
        if (r < 0)
                return r;
        size_t lost = m->feed.diag ? diag_adopt(fresh, m->feed.diag) : 0;
        if (lost)
                say("%zu firing finding%s belonged to pools that are gone: resolved", lost, lost == 1 ? "" : "s");
        if (lost)
                diag_resolve_gone(m->feed.diag, fresh, clock_realtime_usec(), on_alert, m);
        diag_free(m->feed.diag);
        diag_set_kernel_log(fresh, m->kmsg.fd >= 0 || journalwatch_reads_kernel(&m->journal));
        m->feed.diag = fresh;
        return 0;
}

/* The configuration's own findings (a fastcgi_pass no pool serves…), as state the diagnosis
 * holds: set again after every reading. */
static void feed_config(struct manager *m) {
        const struct host_conf *h = loadconf_host(m->cfg);
        struct config_findings_count count;
        loadconf_say_problems(m->cfg);
        int r = h ? config_findings_feed(m->feed.diag, h, clock_realtime_usec(), &count) : 0;
        if (r < 0)
                say_at(LOG_ERR, "configuration findings: %s", strerror(-r));
        else if (h)
                config_findings_say(&count, say);
        m->feed.changed = true;
}

/* What the diagnosis was made from; when it stays, so do its findings. */
static bool same_diag_inputs(const struct config *a, const struct config *b) {
        if (a->n_pools != b->n_pools || a->resolve_after_usec != b->resolve_after_usec ||
            a->summary_interval_usec != b->summary_interval_usec || strcmp(a->nginx_user, b->nginx_user) != 0)
                return false;
        for (int i = 0; i < a->n_pools; i++) {
                const struct pool_config *x = &a->pools[i], *y = &b->pools[i];
                if (strcmp(x->name, y->name) != 0 || !address_same(&x->address, &y->address) ||
                    strcmp(x->unit, y->unit) != 0)
                        return false;
        }
        return true;
}

/* The kernel's records come from /dev/kmsg where it can be read, else from the journal's kernel
 * transport; the diagnosis knows whether either is read. */
static void update_journal(struct manager *m, const char *cursor) {
        m->journal.kernel_elsewhere = m->kmsg.fd >= 0;
        journalwatch_update(&m->journal, m->cfg, cursor);
        diag_set_kernel_log(m->feed.diag, m->kmsg.fd >= 0 || journalwatch_reads_kernel(&m->journal));
}

static int update_tailers(struct manager *m) {
        struct log_ref logs[CONFIG_MAX_LOGS + CONFIG_MAX_POOLS];
        size_t n = loadconf_logs(m->cfg, logs);
        return tailers_update(&m->tailers, logs, n, m->cfg->read_from_start);
}

static int start_pools(struct manager *m) {
        struct pool_spec specs[CONFIG_MAX_POOLS];
        size_t n = (size_t) m->cfg->n_pools;
        for (size_t i = 0; i < n; i++) {
                const struct pool_config *pc = &m->cfg->pools[i];
                specs[i] = (struct pool_spec) { pc, loadconf_probe_options(m->cfg, pc) };
        }
        return pools_start(&m->pools, specs, n, m->have_nginx_id ? &m->nginx_id : NULL);
}

static void start_probe_tick(struct manager *m) {
        ev_timer_stop(m->loop, &m->probe_tick);
        ev_timer_set(&m->probe_tick, 0., (double) m->cfg->probe_interval_usec / 1e6);
        ev_timer_start(m->loop, &m->probe_tick);
}

/* Takes the new config (*c gets the old one back); a negative errno leaves the daemon unable to go on. */
static int apply(struct manager *m, struct config **c) {
        tailers_drain(&m->tailers);
        journalwatch_drain(&m->journal);
        flush(m);               /* what the old config's logs and probes showed, before they go */
        pools_free(&m->pools);
        bool keep = same_diag_inputs(m->cfg, *c);
        struct config *old = m->cfg;
        m->cfg = *c;
        *c = old;
        resolve_identity(m);
        int r = keep ? 0 : new_diag(m);
        if (r == 0)
                feed_config(m);
        if (r == 0)
                r = update_tailers(m);
        if (r == 0)
                update_journal(m, NULL);
        if (r == 0)
                r = start_pools(m);
        if (r < 0)
                return r;
        start_probe_tick(m);
        exporter_configure(&m->exporter, m->cfg);
        if ((r = configure_push(m)) < 0)
                return r;
        say("config reloaded from %s: %d pool%s, %zu log%s%s", loadconf_source(m->cfg), m->cfg->n_pools,
                m->cfg->n_pools == 1 ? "" : "s", m->tailers.n_logs, m->tailers.n_logs == 1 ? "" : "s",
                keep ? "" : "; findings carried over");
        return 0;
}

struct watch_list {
        const char *root;               /* the host configuration's root, "" for the host */
        char **paths;
        size_t n;
};

static void watch_add(void *userdata, const char *path) {
        struct watch_list *l = userdata;
        char **more = realloc(l->paths, (l->n + 1) * sizeof(*more));
        if (!more || path[0] != '/')
                return;
        l->paths = more;
        if (asprintf(&l->paths[l->n], "%s%s", l->root, path) >= 0)
                l->n++;
}

/* The files whose change is a reload: badgatewayd.conf and its drop-ins, and every file and
 * include nginx's and php-fpm's configuration was read from. */
static void watch_config(struct manager *m) {
        char file[PATH_MAX];
        const char *given = m->opt.config_file ? m->opt.config_file : DEFAULT_CONFIG;
        const struct host_conf *h = loadconf_host(m->cfg);
        struct watch_list l = { .root = "" };
        if (given[0] == '/' || !getcwd(file, sizeof(file)) ||
            snprintf(file + strlen(file), sizeof(file) - strlen(file), "/%s", given) >= (int) (sizeof(file) - strlen(file)))
                snprintf(file, sizeof(file), "%s", given);      /* --config bgw.conf: from the start's directory */
        watch_add(&l, file);
        char dropins[PATH_MAX + 16];
        snprintf(dropins, sizeof(dropins), "%s.d/*.conf", file);       /* config_load()'s drop-ins */
        watch_add(&l, dropins);
        if (h) {
                l.root = h->root;
                host_conf_sources(h, watch_add, &l);
        }
        confwatcher_set(&m->confwatcher, (const char *const *) l.paths, l.n);
        for (size_t i = 0; i < l.n; i++)
                free(l.paths[i]);
        free(l.paths);
}


static void reload(struct manager *m) {
        _cleanup_(config_freep) struct config *c = calloc(1, sizeof(*c));
        struct config_error err;
        notify_reloading();
        outputs_reopen(&m->out);
        int r = c ? loadconf(c, m->opt.config_file, &err) : -ENOMEM;
        bool still_waiting = m->waiting && c && loadconf_no_pool(c, r);
        if (r == 0 || still_waiting)
                r = net_for_config(c, &err);
        if (c && r < 0)
                say_at(LOG_ERR, "reload failed, the running config stays: %s", err.text);
        else if (!c || (r = apply(m, &c)) < 0) {
                say_at(LOG_ERR, "reload failed: %s", strerror(-r));
                m->failed = r;
                ev_break(m->loop, EVBREAK_ALL);
                return;
        }
        if (r == 0 && m->waiting && !still_waiting)
                say_at(LOG_NOTICE, "found %d PHP-FPM pool%s: %s", m->cfg->n_pools, m->cfg->n_pools == 1 ? "" : "s",
                       loadconf_source(m->cfg));
        if (r == 0)
                m->waiting = still_waiting;
        watch_config(m);
        flush(m);               /* READY=1 carries the status of the diagnosis now in use */
        notify_ready(&m->notify);
}

static void on_hup(EV_P_ ev_signal *w, int revents) {
        reload(w->data);
}

static void on_config_changed(void *userdata) {
        struct manager *m = userdata;
        say("the configuration changed: reloading");
        reload(m);
}

static void on_stop(EV_P_ ev_signal *w, int revents) {
        struct manager *m = w->data;
        notify_stopping();
        say_at(LOG_NOTICE, "stopping on SIG%s", sigabbrev_np(w->signum));
        tailers_drain(&m->tailers);
        kmsg_drain(&m->kmsg);
        journalwatch_drain(&m->journal);
        flush(m);               /* the loop ends before the next prepare */
        ev_break(EV_A_ EVBREAK_ALL);
}

static void init_watchers(struct manager *m) {
        ev_signal_init(&m->sig_term, on_stop, SIGTERM);
        ev_signal_init(&m->sig_int, on_stop, SIGINT);
        ev_signal_init(&m->sig_hup, on_hup, SIGHUP);
        ev_timer_init(&m->probe_tick, on_probe_tick, 0., 1.);
        ev_timer_init(&m->due_timer, on_due, 0., 0.);
        ev_prepare_init(&m->flush_before_sleep, on_prepare);
        ev_timer_init(&m->save_timer, on_save, 1., 0.);
        m->save_timer.data = m;
        m->sig_term.data = m->sig_int.data = m->sig_hup.data = m;
        m->probe_tick.data = m->due_timer.data = m->flush_before_sleep.data = m;
        ev_signal_start(m->loop, &m->sig_term);
        ev_signal_start(m->loop, &m->sig_int);
        ev_signal_start(m->loop, &m->sig_hup);
        ev_prepare_start(m->loop, &m->flush_before_sleep);
}

/* /dev/kmsg unreadable (the shipped unit's ProtectKernelLogs=): said only when the journal does not
 * carry the kernel's records either. */
static void say_kernel_source(const struct manager *m, const char *kmsg_path, int k) {
        if (k < 0 && !journalwatch_reads_kernel(&m->journal))
                say_at(LOG_NOTICE, "%s: %s, and the journal's kernel records are not read; an OOM kill is proven only by "
                       "the pool unit's cgroup", kmsg_path, strerror(-k));
}

int manager_start(struct manager *m, struct ev_loop *loop, const struct manager_options *opt) {
        struct config_error err;
        *m = (struct manager) { .loop = loop, .opt = *opt, .state_lock = -1, .kmsg = { .fd = -1 } };
        metrics_init(&m->metrics);
        m->feed.metrics = &m->metrics;
        exporter_init(&m->exporter, loop, render_metrics, m);
        tailers_init(&m->tailers, loop, &m->feed);
        journalwatch_init(&m->journal, loop, &m->feed);
        pools_init(&m->pools, loop, &m->feed);
        init_watchers(m);
        /* BADGATEWAYD_KMSG: another file, or none, in place of /dev/kmsg (for tests) */
        const char *kmsg_path = getenv("BADGATEWAYD_KMSG") ? getenv("BADGATEWAYD_KMSG") : KMSG_PATH;
        int k = kmsg_path[0] ? kmsg_open(&m->kmsg, loop, &m->feed, kmsg_path) : -ENOENT;
        if (!(m->cfg = calloc(1, sizeof(*m->cfg))))
                return -ENOMEM;
        int r = loadconf(m->cfg, opt->config_file, &err);
        m->waiting = loadconf_no_pool(m->cfg, r);       /* installed before php-fpm: wait for its pools */
        if (r == 0 || m->waiting)
                r = net_for_config(m->cfg, &err);
        if (r < 0) {
                fprintf(stderr, "%s\n", err.text);
                return -EINVAL;
        }
        if ((r = outputs_open(&m->out, &opt->out)) < 0 || (r = configure_push(m)) < 0)
                return r;
        resolve_identity(m);
        if ((r = new_diag(m)) < 0)
                return r;
        feed_config(m);
        choose_state_dir(m);
        lock_state_dir(m);
        load_state(m);
        m->tailers.hold = m->journal.hold = true;
        r = update_tailers(m);
        m->tailers.saved = NULL;        /* a reload's new logs start as configured */
        start_kmsg(m);
        if (r == 0)
                update_journal(m, m->loaded.journal_cursor);
        if (r < 0 || (r = start_pools(m)) < 0)
                return r;
        say_kernel_source(m, kmsg_path[0] ? kmsg_path : KMSG_PATH, k);
        if ((r = confwatcher_start(&m->confwatcher, loop, on_config_changed, m)) < 0)
                return r;
        watch_config(m);
        start_probe_tick(m);
        exporter_configure(&m->exporter, m->cfg);
        notify_watchdog_start(&m->notify, loop);
        m->started = true;
        save_state(m);          /* an unwritable state directory is said now */
        say_at(LOG_NOTICE, "started: %d pool%s, %zu log%s, config %s", m->cfg->n_pools, m->cfg->n_pools == 1 ? "" : "s",
                m->tailers.n_logs, m->tailers.n_logs == 1 ? "" : "s", loadconf_source(m->cfg));
        if (m->waiting)
                say_at(LOG_NOTICE, "%s yet%s; waiting: the pools are read when php-fpm's configuration appears there",
                       LOADCONF_NO_POOL, err.text + strlen(LOADCONF_NO_POOL));
        return 0;
}

void manager_stop(struct manager *m) {
        ev_signal_stop(m->loop, &m->sig_term);
        ev_signal_stop(m->loop, &m->sig_int);
        ev_signal_stop(m->loop, &m->sig_hup);
        ev_prepare_stop(m->loop, &m->flush_before_sleep);
        ev_timer_stop(m->loop, &m->probe_tick);
        ev_timer_stop(m->loop, &m->due_timer);
        if (m->started)
                save_state(m);
        ev_timer_stop(m->loop, &m->save_timer);
        notify_watchdog_stop(&m->notify, m->loop);
        confwatcher_stop(&m->confwatcher);
        exporter_stop(&m->exporter);
        pools_free(&m->pools);
        tailers_free(&m->tailers);
        kmsg_close(&m->kmsg);
        journalwatch_free(&m->journal);
        if (m->push)
                net_module()->push_close(m->push, 2.);  /* the last alerts, if Alertmanager takes them */
        m->push = NULL;
        outputs_close(&m->out);
        if (m->started)
                say("stopped: %llu lines read, %llu classified, %llu alerts", (unsigned long long) m->feed.lines,
                        (unsigned long long) m->feed.classified, (unsigned long long) m->alerts);
        m->feed.diag = diag_free(m->feed.diag);
        statefile_clear(&m->loaded);
        metrics_free(&m->metrics);
        config_free(m->cfg);
        m->cfg = NULL;
        if (m->state_lock >= 0)
                close(m->state_lock);   /* after the last save: the next daemon may take the directory */
        m->state_lock = -1;
}
