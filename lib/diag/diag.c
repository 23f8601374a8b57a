#include "target.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"

/* An upstream nginx names that is no address (or too long for one) is a target all the same. */
static void upstream_address(struct span upstream, struct address *a) {
        if (upstream.n && address_parse(a, upstream.p, upstream.n) == 0)
                return;
        if (!upstream.n)
                upstream = SPAN_LIT("unknown upstream");
        *a = (struct address) { .kind = ADDRESS_GROUP };
        diag_put(a->text, sizeof(a->text), "%.*s", (int) (upstream.n < sizeof(a->text) ? upstream.n : sizeof(a->text) - 1),
                 upstream.p);
}

/* Pools, nginx, the upstreams no pool serves, and one for the upstreams beyond those. */
static size_t targets_max(const struct diag *d) {
        return d->n_pools + 1 + DIAG_MAX_FOREIGN + 1;
}

static void add_nginx(struct diag *d) {
        struct target *t = &d->targets[d->n_targets++];
        t->is_nginx = true;
        diag_put(t->name, sizeof(t->name), "nginx");
        t->confirmations = 1;
}

int diag_new(struct diag **ret, const struct diag_settings *s, const struct diag_pool *pools, size_t n) {
        struct diag *d = calloc(1, sizeof(*d));
        if (!d || !(d->targets = calloc(n + 1 + DIAG_MAX_FOREIGN + 1, sizeof(*d->targets)))) {
                free(d);
                return -ENOMEM;
        }
        d->s = *s;
        diag_put(d->nginx_user, sizeof(d->nginx_user), "%s", s->nginx_user ? s->nginx_user : "www-data");
        d->s.nginx_user = d->nginx_user;
        for (size_t i = 0; i < n; i++) {
                struct target *t = &d->targets[i];
                t->is_pool = true;
                diag_put(t->name, sizeof(t->name), "%s", pools[i].name);
                t->address = *pools[i].listen;
                t->proto = PROTO_FASTCGI;
                t->have_resolved = pools[i].listen_resolved &&
                                   address_parse(&t->resolved, pools[i].listen_resolved, strlen(pools[i].listen_resolved)) == 0;
                diag_put(t->unit, sizeof(t->unit), "%s", pools[i].unit ? pools[i].unit : "");
                diag_put(t->conf_at, sizeof(t->conf_at), "%s", pools[i].conf_at ? pools[i].conf_at : "");
                diag_put(t->terminate_timeout, sizeof(t->terminate_timeout), "%s",
                         pools[i].terminate_timeout ? pools[i].terminate_timeout : "");
                diag_put(t->terminate_at, sizeof(t->terminate_at), "%s", pools[i].terminate_at ? pools[i].terminate_at : "");
                diag_put(t->pid_file, sizeof(t->pid_file), "%s", pools[i].pid_file ? pools[i].pid_file : "");
                t->confirmations = s->confirmations ? s->confirmations : 1;
        }
        d->n_pools = d->n_targets = n;
        add_nginx(d);
        *ret = d;
        return 0;
}

struct diag *diag_free(struct diag *d) {
        if (d)
                free(d->targets);
        free(d);
        return NULL;
}

void diag_set_kernel_log(struct diag *d, bool on) {
        d->s.kernel_log = on;
}

/* The target that has address addr (a pool's listen or its socket's link target), or NULL. */
static struct target *target_at(struct diag *d, const struct address *addr) {
        for (size_t i = 0; i < d->n_targets; i++) {
                const struct target *t = &d->targets[i];
                if (t->is_nginx)
                        continue;
                if (address_same(&t->address, addr) || (t->have_resolved && address_same(&t->resolved, addr)))
                        return &d->targets[i];
        }
        return NULL;
}

/* An upstream's target that holds nothing any more: its findings resolved (or never were). */
static bool target_idle(const struct target *t) {
        for (unsigned c = 1; c < CAUSE__MAX; c++)
                if (t->f[c].first_seen || t->f[c].firing || t->f[c].lines)
                        return false;
        return true;
}

/* A new target for an address no pool serves, in the place of one whose findings resolved when
 * all are taken; NULL when there is no room for one. */
static struct target *new_upstream(struct diag *d, const struct address *addr) {
        struct target *t = NULL;
        for (size_t i = d->n_pools + 1; i < d->n_targets && !t; i++)
                if (!d->targets[i].is_other && target_idle(&d->targets[i]))
                        t = &d->targets[i];
        if (!t && d->n_targets + 1 < targets_max(d))
                t = &d->targets[d->n_targets++];
        if (!t)
                return NULL;
        *t = (struct target) { .address = *addr };
        return t;
}

static const char OTHER_UPSTREAMS[] = "other upstreams";

/* The one target for the upstreams that find no room of their own: named as such, never as one
 * of them. */
static struct target *other_upstreams(struct diag *d) {
        for (size_t i = d->n_pools + 1; i < d->n_targets; i++)
                if (d->targets[i].is_other)
                        return &d->targets[i];
        struct target *t = &d->targets[d->n_targets++];
        *t = (struct target) { .is_other = true, .address = { .kind = ADDRESS_GROUP } };
        diag_put(t->address.text, sizeof(t->address.text), "%s", OTHER_UPSTREAMS);
        return t;
}

/* The pool whose socket a unix address names through a symlink, or NULL. */
static struct target *pool_by_canonical(struct diag *d, const struct address *addr) {
        char real[ADDRESS_TEXT_MAX];
        struct address canon;
        const char *path = address_unix_path(addr);
        if (!path || !d->s.canonical || d->s.canonical(d->s.canonical_userdata, path, real, sizeof(real)) < 0 ||
            strcmp(real, path) == 0 || address_parse(&canon, real, strlen(real)) < 0)
                return NULL;
        struct target *t = target_at(d, &canon);
        return t && t->is_pool ? t : NULL;
}

/* The target an upstream address belongs to; one is made for an address no pool serves. */
static struct target *target_for_address(struct diag *d, struct span upstream, enum upstream_proto proto) {
        struct address addr;
        if (!upstream.n && d->n_pools == 1)
                return &d->targets[0];  /* a line cut before its trailer: the only pool it can be */
        upstream_address(upstream, &addr);
        struct target *t = target_at(d, &addr);
        if (!t)
                t = pool_by_canonical(d, &addr);
        if (!t)
                t = new_upstream(d, &addr);
        if (!t)
                t = other_upstreams(d);
        if (!t->is_pool && proto != PROTO_UNKNOWN)
                t->proto = proto;
        return t;
}

/* Whether php-fpm's "[pool NAME]" names pool t: its name, or "NAME (UNIT)" as the configuration
 * reader names a pool whose name two masters share. */
static bool pool_named(const struct target *t, struct span name) {
        size_t n = strlen(t->name);
        return span_eq_str(name, t->name) ||
               (n > name.n + 3 && memcmp(t->name, name.p, name.n) == 0 && memcmp(t->name + name.n, " (", 2) == 0 &&
                t->name[n - 1] == ')');
}

/* A php-fpm line goes to the pool it names: the log's own pool first (two masters may both have a
 * "www"), then any configured pool of that name. A line naming a pool no one configured is
 * another pool of a master log several share (Debian's /var/log/php8.2-fpm.log): not watched,
 * not counted. A line naming no pool (the master's own) goes with the log's pool. */
static struct target *target_for_fpm(struct diag *d, const struct event *ev, int log_pool) {
        struct target *own = log_pool >= 0 && (size_t) log_pool < d->n_pools ? &d->targets[log_pool] : NULL;
        if (!ev->pool.n || (own && pool_named(own, ev->pool)))
                return own;
        for (size_t i = 0; i < d->n_pools; i++)
                if (pool_named(&d->targets[i], ev->pool))
                        return &d->targets[i];
        return NULL;
}

static struct target *target_for_event(struct diag *d, const struct event *ev, int log_pool) {
        if (ev->source == SOURCE_FPM)
                return target_for_fpm(d, ev, log_pool);
        return target_for_address(d, ev->upstream, ev->proto);
}

/* Which cause a line supports: its kind's row decides, with what is known of its target; a
 * configuration finding for the alternative on the target decides for it. */
static enum cause cause_of(const struct diag *d, const struct target *t, enum event_kind k) {
        const struct kind_info *ki = kind_info(k);
        for (unsigned c = 1; c < CAUSE__MAX; c++)     /* fastcgi_read_timeout_short takes the 504s it explains */
                if ((ki->causes & CAUSES_FROM_CONFIG & (1u << c)) && t->f[c].config.have)
                        return (enum cause) c;
        bool alt = (ki->alt != CAUSE_NONE && t->f[ki->alt].config.have) ||
                   ((ki->decide & DECIDE_ALT_IF_STATE) && state_shows(t, ki->alt)) ||
                   ((ki->decide & DECIDE_ALT_IF_UNSERVED) && !t->is_pool && !target_proxied(t) &&
                    state_any_pool_alive(d));
        return alt ? ki->alt : ki->cause;
}

static void keep_sample(struct finding *f, const char *line, size_t len) {
        if (f->n_samples == ALERT_SAMPLES)
                return;
        size_t n = len < ALERT_SAMPLE_MAX - 1 ? len : ALERT_SAMPLE_MAX - 1;
        memcpy(f->samples[f->n_samples], line, n);
        f->samples[f->n_samples++][n] = '\0';
}

/* A reload's time, and the times of the failed requests it may have cut. */
static void note_time(struct finding *f, enum event_kind k, uint64_t written) {
        if (k == KIND_FPM_RELOADING)
                f->reload_written = written;
        else if (kind_info(k)->source == SOURCE_NGINX)
                f->failed_times[f->n_failed++ % DIAG_FAILED_TIMES] = written;
}

unsigned diag_reload_cut(const struct finding *f) {
        unsigned n = 0, kept = f->n_failed < DIAG_FAILED_TIMES ? f->n_failed : DIAG_FAILED_TIMES;
        for (unsigned i = 0; f->reload_written && i < kept; i++) {
                uint64_t at = f->failed_times[i], r = f->reload_written;
                n += (at > r ? at - r : r - at) <= DIAG_RELOAD_USEC;
        }
        return n;
}

void diag_log(struct diag *d, const struct event *ev, const char *line, size_t len, int log_pool,
              uint64_t now) {
        if (ev->source == SOURCE_KERNEL) {
                oom_kernel_event(d, ev, line, len, now);
                return;
        }
        struct target *t = target_for_event(d, ev, log_pool);
        enum cause c = t ? cause_of(d, t, ev->kind) : CAUSE_NONE;
        if (c == CAUSE_NONE)
                return;
        struct finding *f = &t->f[c];
        /* a supporting line (php-fpm's stop, logged before any probe fails) is kept for
         * ResolveAfter: the finding it backs may start meanwhile */
        bool trigger = !(kind_info(ev->kind)->decide & DECIDE_SUPPORTS);
        if (!trigger && !f->firing && !f->fresh && !f->config.have && f->lines &&
            now - f->last_line >= d->s.resolve_after_usec)
                *f = (struct finding) { 0 };
        f->kind_counts[ev->kind]++;
        f->lines++;
        f->lines_since_emit++;
        if (d->late) {
                f->late_lines++;
                f->late_since_emit++;
        }
        keep_sample(f, line, len);
        if (ev->signal)
                f->signal = ev->signal;
        if (ev->value >= 0)
                f->value = ev->value;
        if (!f->first_line)
                f->first_line = now;
        f->last_line = now;
        uint64_t written = d->written ? d->written : now;
        if (!f->first_written || written < f->first_written)
                f->first_written = written;
        if (written > f->last_written)  /* logs are read one after another: not in time order */
                f->last_written = written;
        if (kind_info(ev->kind)->source == SOURCE_NGINX && written > f->failed_written)
                f->failed_written = written;
        if (!f->first_seen)
                f->first_seen = now;
        f->last_seen = now;
        f->fresh |= trigger;
        note_time(f, ev->kind, f->last_written);
        if (c == CAUSE_WORKER_KILLED && ev->kind == KIND_FPM_CHILD_SIGNAL && ev->signal == SIGKILL &&
            ev->child_pid >= 0 && t->is_pool)
                oom_worker_sigkill(d, t, ev->child_pid, now);
}

/* Where a configuration finding belongs; NULL for a pool this diagnosis does not watch. */
static struct target *target_for_config(struct diag *d, const struct diag_config_finding *cf) {
        if (cf->pool_listen) {  /* another master's pool of the same name is not this one */
                for (size_t i = 0; i < d->n_pools; i++)
                        if (address_same(&d->targets[i].address, cf->pool_listen))
                                return &d->targets[i];
                return NULL;
        }
        if (cf->pool) {
                for (size_t i = 0; i < d->n_pools; i++)
                        if (strcmp(d->targets[i].name, cf->pool) == 0)
                                return &d->targets[i];
                return NULL;
        }
        if (cf->upstream) {
                struct address addr;
                upstream_address(span_make(cf->upstream, strlen(cf->upstream)), &addr);
                struct target *t = target_at(d, &addr);
                return t ? t : new_upstream(d, &addr);
        }
        return &d->targets[d->n_pools];         /* nginx */
}

static void config_put(struct finding *f, const struct diag_config_finding *cf, uint64_t now) {
        struct finding_config *c = &f->config;
        if (c->seen)
                return;         /* the first one of the set speaks */
        if (!c->have && !f->firing)
                f->fresh = true;
        if (!f->first_seen)
                f->first_seen = now;
        f->last_seen = now;
        c->have = c->seen = true;
        diag_put(c->file, sizeof(c->file), "%s", cf->file ? cf->file : "");
        c->line = cf->line;
        diag_put(c->summary, sizeof(c->summary), "%s", cf->summary ? cf->summary : "");
        diag_put(c->remedy, sizeof(c->remedy), "%s", cf->remedy ? cf->remedy : "");
}

/* After a set is applied: what it no longer holds is gone; a finding that never fired and has
 * nothing else behind it is forgotten. */
static void config_sweep(struct finding *f) {
        struct finding_config *c = &f->config;
        if (c->have && !c->seen) {
                c->have = false;
                if (!f->firing && !f->lines)
                        *f = (struct finding) { 0 };
        }
        c->seen = false;
}

size_t diag_config(struct diag *d, const struct diag_config_finding *f, size_t n, uint64_t now) {
        size_t lost = 0;
        for (size_t i = 0; i < n; i++) {
                struct target *t = (unsigned) f[i].cause > CAUSE_NONE && f[i].cause < CAUSE__MAX ?
                                   target_for_config(d, &f[i]) : NULL;
                if (t)
                        config_put(&t->f[f[i].cause], &f[i], now);
                lost += !t;
        }
        for (size_t i = 0; i < d->n_targets; i++)
                for (unsigned c = 1; c < CAUSE__MAX; c++)
                        config_sweep(&d->targets[i].f[c]);
        return lost;
}

/* State evidence changed: every cause it can show is looked at again at the next flush. */
static void state_changed(struct diag *d, struct target *t, uint64_t now) {
        for (unsigned c = 1; c < CAUSE__MAX; c++) {
                struct finding *f = &t->f[c];
                if (!state_shows(t, (enum cause) c))
                        continue;
                if (!f->first_seen)
                        f->first_seen = now;
                f->last_seen = now;
                f->fresh = true;
        }
}

void diag_probe(struct diag *d, size_t pool, const struct probe_result *r, uint64_t now) {
        if (pool >= d->n_pools)
                return;
        struct target *t = &d->targets[pool];
        if (!t->have_probe || t->probe.outcome != r->outcome)
                t->have_holder = false;
        t->probe = *r;
        t->have_probe = true;
        t->probe_at = now;
        t->probe_fails = r->outcome == PROBE_OK ? 0 : t->probe_fails + 1;
        state_changed(d, t, now);
}

void diag_socket(struct diag *d, size_t pool, const struct sockcheck_result *r, uint64_t now) {
        if (pool >= d->n_pools)
                return;
        struct target *t = &d->targets[pool];
        t->have_socket = true;
        t->socket_at = now;
        t->sock_verdict = r->verdict;
        bool denied = r->verdict == SOCKCHECK_SOCKET_DENIED || r->verdict == SOCKCHECK_DIR_DENIED;
        t->socket_denials = denied ? t->socket_denials + 1 : 0;
        diag_put(t->sock_where, sizeof(t->sock_where), "%s", r->where);
        t->sock_uid = r->uid;
        t->sock_gid = r->gid;
        t->sock_mode = r->mode;
        t->sock_acl = r->acl;
        state_changed(d, t, now);
}

void diag_port_holder(struct diag *d, size_t pool, const struct listener_owner *holder, uint64_t now) {
        if (pool >= d->n_pools)
                return;
        struct target *t = &d->targets[pool];
        t->have_holder = true;
        t->holder = *holder;
        state_changed(d, t, now);
}

void diag_unit(struct diag *d, size_t pool, const struct unit_state *u, uint64_t now) {
        if (pool >= d->n_pools)
                return;
        struct target *t = &d->targets[pool];
        bool started = strcmp(u->active_state, "active") == 0 &&
                       (!t->have_unit || strcmp(t->unit_state.active_state, "active") != 0);
        if (started)
                t->probe_fails = 0;     /* failed probes from before the start say nothing now */
        t->unit_state = *u;
        t->have_unit = true;
        state_changed(d, t, now);
}

/* A restored finding of a pool is not judged before the pool's first probe. */
static bool restored_unprobed(const struct target *t, const struct finding *f) {
        return f->restored && t->is_pool && !t->have_probe;
}

static bool active(const struct diag *d, const struct target *t, enum cause c, uint64_t now) {
        const struct finding *f = &t->f[c];
        return (f->firing ? state_holds(t, c) : state_shows(t, c)) || f->config.have || restored_unprobed(t, f) ||
               (f->last_line && now - f->last_line < d->s.resolve_after_usec);
}

static void emit(const struct diag *d, const struct target *t, enum cause c, enum alert_state st, bool repeat,
                 uint64_t now, diag_alert_fn fn, void *userdata) {
        static struct alert a;  /* large: kept off the stack */
        words_fill_alert(d, t, c, &a);
        if (st == ALERT_RESOLVED)
                words_resolved(t, c, now, &a);
        a.state = st;
        a.repeat = repeat;
        fn(userdata, &a);
}

static bool awaiting_signal(const struct diag *d, const struct target *t, enum cause c, uint64_t now) {
        const struct finding *f = &t->f[c];
        return c == CAUSE_WORKER_KILLED && !f->firing && !f->signal && t->is_pool &&
               now - f->first_line < d->s.pairing_usec;
}

static void flush_one(struct diag *d, struct target *t, enum cause c, uint64_t now, diag_alert_fn fn, void *ud) {
        struct finding *f = &t->f[c];
        bool on = active(d, t, c, now);
        if (awaiting_signal(d, t, c, now) || oom_awaiting(d, t, c, now))
                return;
        if (!f->firing && f->fresh) {  /* fires even if its lines aged while it waited */
                f->firing = true;
                emit(d, t, c, ALERT_FIRING, false, now, fn, ud);
        } else if (f->firing && on && f->lines_since_emit && now - f->last_emit >= d->s.summary_interval_usec) {
                emit(d, t, c, ALERT_FIRING, true, now, fn, ud);
        } else if (f->firing && !on) {
                emit(d, t, c, ALERT_RESOLVED, false, now, fn, ud);
                *f = (struct finding) { 0 };
                return;
        } else if (!f->firing) {
                if (!on)
                        *f = (struct finding) { 0 };    /* stale supporting evidence */
                return;
        } else {
                return;
        }
        f->fresh = false;
        f->last_emit = now;
        f->lines_since_emit = 0;
        f->late_since_emit = 0;
}

void diag_set_late(struct diag *d, bool late) {
        d->late = late;
}

void diag_set_passes_known(struct diag *d, bool known) {
        d->passes_known = known;
}

void diag_set_written(struct diag *d, uint64_t usec) {
        d->written = usec;
}

void diag_flush(struct diag *d, uint64_t now, diag_alert_fn fn, void *userdata) {
        d->flushed_at = now;
        for (size_t i = 0; i < d->n_targets; i++)
                for (unsigned c = 1; c < CAUSE__MAX; c++)
                        flush_one(d, &d->targets[i], (enum cause) c, now, fn, userdata);
}

static uint64_t due_of(const struct diag *d, const struct target *t, enum cause c) {
        const struct finding *f = &t->f[c];
        uint64_t due = UINT64_MAX;
        if (!f->firing && c == CAUSE_WORKER_KILLED && f->fresh && !f->signal && t->is_pool)
                return f->first_line + d->s.pairing_usec;
        if (f->fresh && oom_due(d, t, c) != UINT64_MAX)
                return oom_due(d, t, c);
        if (!f->firing && !f->fresh && f->lines && !f->config.have)
                return f->last_line + d->s.resolve_after_usec;  /* supporting lines go stale */
        if (!f->firing)
                return f->fresh ? 0 : UINT64_MAX;
        if (f->lines_since_emit)
                due = f->last_emit + d->s.summary_interval_usec;
        if (!state_holds(t, c) && !f->config.have && !restored_unprobed(t, f) &&
            f->last_line + d->s.resolve_after_usec < due)
                due = f->last_line + d->s.resolve_after_usec;
        return due;
}

uint64_t diag_next_due(const struct diag *d) {
        uint64_t due = UINT64_MAX;
        for (size_t i = 0; i < d->n_targets; i++)
                for (unsigned c = 1; c < CAUSE__MAX; c++) {
                        uint64_t t = due_of(d, &d->targets[i], (enum cause) c);
                        if (t < due)
                                due = t;
                }
        return due;
}

static const struct target *unexplained(const struct diag *d) {
        for (size_t i = 0; i < d->n_pools; i++)
                if (state_unexplained(&d->targets[i]))
                        return &d->targets[i];
        return NULL;
}

enum diag_health diag_health(const struct diag *d) {
        enum diag_health h = DIAG_OK;
        bool probed = d->n_pools == 0;
        for (size_t i = 0; i < d->n_targets; i++) {
                const struct target *t = &d->targets[i];
                probed |= t->have_probe;
                for (unsigned c = 1; c < CAUSE__MAX; c++) {
                        if (!t->f[c].firing)
                                continue;
                        enum diag_health this = state_priority(d, t, (enum cause) c) <= LOG_ERR ? DIAG_CRITICAL : DIAG_WARNING;
                        if (this > h)
                                h = this;
                }
        }
        if (h == DIAG_OK && unexplained(d))
                return DIAG_WARNING;
        return h == DIAG_OK && !probed ? DIAG_UNKNOWN : h;
}

void diag_each_firing(const struct diag *d, uint64_t now, diag_alert_fn fn, void *userdata) {
        for (size_t i = 0; i < d->n_targets; i++)
                for (unsigned c = 1; c < CAUSE__MAX; c++)
                        if (d->targets[i].f[c].firing)
                                emit(d, &d->targets[i], (enum cause) c, ALERT_FIRING, false, now, fn, userdata);
}

/* The most severe firing finding, for the status line. */
static bool worst_firing(const struct diag *d, const struct target **wt, enum cause *wc, size_t *count) {
        int best = (LOG_DEBUG + 1) * 2;
        *count = 0;
        for (size_t i = 0; i < d->n_targets; i++)
                for (unsigned c = 1; c < CAUSE__MAX; c++) {
                        if (!d->targets[i].f[c].firing)
                                continue;
                        (*count)++;
                        /* of two of one priority, the one that is not history */
                        int rank = state_priority(d, &d->targets[i], (enum cause) c) * 2 +
                                   state_past(d, &d->targets[i], (enum cause) c);
                        if (rank < best) {
                                best = rank;
                                *wt = &d->targets[i];
                                *wc = (enum cause) c;
                        }
                }
        return *count > 0;
}

static const char *verdict(const struct diag *d, char *buf, size_t size) {
        const struct target *t = NULL;
        enum cause c = CAUSE_NONE;
        size_t firing, healthy = 0;
        if (worst_firing(d, &t, &c, &firing)) {
                static struct alert a;
                words_fill_alert(d, t, c, &a);
                int n = snprintf(buf, size, "FIRING %s %s: %s", cause_id(c), words_who(t), a.summary);
                if (firing > 1 && n > 0 && (size_t) n < size)
                        snprintf(buf + n, size - (size_t) n, " (+%zu more)", firing - 1);
                return buf;
        }
        for (size_t i = 0; i < d->n_pools; i++)
                healthy += state_probe_ok(&d->targets[i]);
        const struct target *odd = unexplained(d);
        int n = snprintf(buf, size, "%s: %zu of %zu pool%s healthy", odd ? "WARNING" : "OK", healthy, d->n_pools,
                         d->n_pools == 1 ? "" : "s");
        if (odd && n > 0 && (size_t) n < size)
                snprintf(buf + n, size - (size_t) n, "; pool %s: probe: %s%s%s%s", odd->name,
                         probe_outcome_text(odd->probe.outcome), odd->probe.detail[0] ? " (" : "",
                         odd->probe.detail, odd->probe.detail[0] ? ")" : "");
        return buf;
}

/* The verdict's words, bytes that are not printable UTF-8 (an upstream's address from a log
 * line) as "\xNN": systemd ignores a STATUS= that is not UTF-8. */
const char *diag_status(const struct diag *d, char *buf, size_t size) {
        static char raw[1024];
        verdict(d, raw, sizeof(raw));
        return text_quote(buf, size, raw, strlen(raw), sizeof(raw));
}

static bool same_target(const struct target *a, const struct target *b) {
        if (a->is_pool != b->is_pool || a->is_nginx != b->is_nginx)
                return false;
        return a->is_pool || a->is_nginx ? strcmp(a->name, b->name) == 0 : strcmp(a->address.text, b->address.text) == 0;
}

static struct target *counterpart(struct diag *d, const struct target *old) {
        for (size_t i = 0; i < d->n_targets; i++)
                if (same_target(&d->targets[i], old))
                        return &d->targets[i];
        if (old->is_other)
                return other_upstreams(d);
        if (old->is_pool)
                return NULL;
        struct target *t = new_upstream(d, &old->address);
        return t ? t : other_upstreams(d);
}

size_t diag_adopt(struct diag *d, const struct diag *old) {
        size_t lost = 0;
        for (size_t i = 0; i < old->n_targets; i++) {
                const struct target *o = &old->targets[i];
                struct target *t = counterpart(d, o);
                for (unsigned c = 1; c < CAUSE__MAX; c++)
                        lost += !t && o->f[c].firing;
                if (!t)
                        continue;
                memcpy(t->f, o->f, sizeof(t->f));
                if (!t->is_pool)
                        t->proto = o->proto;
                t->have_probe = o->have_probe, t->probe = o->probe, t->probe_fails = o->probe_fails;
                t->probe_at = o->probe_at, t->socket_at = o->socket_at;
                t->have_socket = o->have_socket, t->sock_verdict = o->sock_verdict;
                t->socket_denials = o->socket_denials, t->sock_uid = o->sock_uid, t->sock_gid = o->sock_gid;
                t->sock_mode = o->sock_mode;
                t->sock_acl = o->sock_acl;
                diag_put(t->sock_where, sizeof(t->sock_where), "%s", o->sock_where);
                t->have_unit = o->have_unit, t->unit_state = o->unit_state;
                t->have_cgroup = o->have_cgroup, t->cgroup_oom_kills = o->cgroup_oom_kills;
                t->cgroup_version = o->cgroup_version, t->cgroup_oom_at = o->cgroup_oom_at;
        }
        memcpy(d->oom, old->oom, sizeof(d->oom));
        d->n_oom = old->n_oom;
        d->pending_limit_kb = old->pending_limit_kb, d->pending_limit_at = old->pending_limit_at;
        return lost;
}

static bool has_pool(const struct diag *d, const char *name) {
        for (size_t i = 0; i < d->n_pools; i++)
                if (strcmp(d->targets[i].name, name) == 0)
                        return true;
        return false;
}

size_t diag_resolve_gone(const struct diag *old, const struct diag *d, uint64_t now, diag_alert_fn fn, void *userdata) {
        size_t n = 0;
        for (size_t i = 0; i < old->n_pools; i++) {
                const struct target *t = &old->targets[i];
                for (unsigned c = 1; c < CAUSE__MAX && !has_pool(d, t->name); c++)
                        if (t->f[c].firing) {
                                emit(old, t, (enum cause) c, ALERT_RESOLVED, false, now, fn, userdata);
                                n++;
                        }
        }
        return n;
}

void diag_export_firing(const struct diag *d, void (*fn)(void *userdata, const struct diag_saved_finding *f),
                        void *userdata) {
        for (size_t i = 0; i < d->n_targets; i++) {
                const struct target *t = &d->targets[i];
                for (unsigned c = 1; c < CAUSE__MAX; c++) {
                        const struct finding *f = &t->f[c];
                        if (!f->firing)
                                continue;
                        struct diag_saved_finding s = {
                                .cause = (enum cause) c,
                                .kind = t->is_pool ? DIAG_TARGET_POOL : t->is_nginx ? DIAG_TARGET_NGINX : DIAG_TARGET_UPSTREAM,
                                .target = t->is_pool || t->is_nginx ? t->name : t->address.text,
                                .first_seen = f->first_seen,
                                .lines = f->lines,
                        };
                        fn(userdata, &s);
                }
        }
}

static struct target *saved_target(struct diag *d, const struct diag_saved_finding *s) {
        if (s->kind == DIAG_TARGET_POOL) {
                for (size_t i = 0; i < d->n_pools; i++)
                        if (strcmp(d->targets[i].name, s->target) == 0)
                                return &d->targets[i];
                return NULL;
        }
        if (s->kind == DIAG_TARGET_NGINX)
                return &d->targets[d->n_pools];
        if (strcmp(s->target, OTHER_UPSTREAMS) == 0)
                return other_upstreams(d);
        struct address addr;
        upstream_address(span_make(s->target, strlen(s->target)), &addr);
        struct target *t = target_at(d, &addr);
        return t ? t : new_upstream(d, &addr);
}

void diag_resolve_saved(const struct diag *d, const struct diag_saved_finding *s, uint64_t now, diag_alert_fn fn,
                        void *userdata) {
        static struct target t;         /* large: kept off the stack */
        if ((unsigned) s->cause <= CAUSE_NONE || s->cause >= CAUSE__MAX || !s->target)
                return;
        memset(&t, 0, sizeof(t));
        t.is_pool = s->kind == DIAG_TARGET_POOL;
        diag_put(t.name, sizeof(t.name), "%s", t.is_pool ? s->target : "");
        upstream_address(span_make(s->target, strlen(s->target)), &t.address);
        struct finding *f = &t.f[s->cause];
        f->firing = true;
        f->first_seen = s->first_seen && s->first_seen < now ? s->first_seen : now;
        f->last_seen = now;
        f->lines = s->lines;
        emit(d, &t, s->cause, ALERT_RESOLVED, false, now, fn, userdata);
}

int diag_restore(struct diag *d, const struct diag_saved_finding *s, uint64_t now) {
        if ((unsigned) s->cause <= CAUSE_NONE || s->cause >= CAUSE__MAX || !s->target)
                return -EINVAL;
        struct target *t = saved_target(d, s);
        if (!t)
                return -ENOENT;
        struct finding *f = &t->f[s->cause];
        if (f->firing)
                return 0;
        f->first_written = f->last_written = now;
        f->firing = true;
        f->restored = true;
        f->fresh = false;
        f->first_seen = s->first_seen && s->first_seen < now ? s->first_seen : now;
        f->last_seen = f->last_line = f->first_line = f->last_emit = now;
        f->lines = s->lines;
        return 0;
}

const char *diag_pool_name(const struct diag *d, size_t pool) {
        return pool < d->n_pools ? d->targets[pool].name : NULL;
}
