/* Per pool: a FastCGI probe every ProbeInterval, a socket check as nginx's user, and a follower of
 * its systemd unit. */
#include "pools.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "listeners.h"
#include "loadconf.h"
#include "metrics.h"
#include "cgroup_oom.h"
#include "say.h"
#include "unit.h"

struct pool_watch {
        struct pools *p;
        size_t index;
        const struct pool_config *pc;
        struct probe *probe;
        ev_io probe_io;
        ev_timer probe_timer;
        bool probing;
        uint64_t probe_started;         /* CLOCK_MONOTONIC µs */
        bool answered;                  /* a probe finished, or could not start */
        enum probe_outcome last_outcome;
        int probe_error, sock_error;    /* the last local errors, logged once */
        struct unit *unit;
        ev_io unit_io;
        ev_timer unit_timer;
        bool bus_lost;                  /* said "no system bus"; "back" is said once it is */
};

static int ev_events(int poll_events) {
        return (poll_events & POLLIN ? EV_READ : 0) | (poll_events & POLLOUT ? EV_WRITE : 0);
}

static double seconds_until(uint64_t due, uint64_t now) {
        return due > now ? (double) (due - now) / 1e6 : 0.;
}

/* php-fpm's status page, as the probe last read it: a family without the field (or without an
 * answer) has no series for the pool. */
static void count_status(struct metrics *m, const char *pool, const struct probe_status *st) {
        static const struct {
                enum metric_family family;
                size_t offset;
        } fields[] = {
                { METRIC_POOL_ACCEPTED, offsetof(struct probe_status, accepted_conn) },
                { METRIC_POOL_ACTIVE, offsetof(struct probe_status, active_processes) },
                { METRIC_POOL_IDLE, offsetof(struct probe_status, idle_processes) },
                { METRIC_POOL_TOTAL, offsetof(struct probe_status, total_processes) },
                { METRIC_POOL_LISTEN_QUEUE, offsetof(struct probe_status, listen_queue) },
                { METRIC_POOL_MAX_CHILDREN_REACHED, offsetof(struct probe_status, max_children_reached) },
                { METRIC_POOL_SLOW_REQUESTS, offsetof(struct probe_status, slow_requests) },
        };
        const char *labels[] = { pool };
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
                long v = st ? *(const long *) ((const char *) st + fields[i].offset) : -1;
                if (v >= 0)
                        metrics_set(m, fields[i].family, labels, (double) v);
                else
                        metrics_remove(m, fields[i].family, labels);
        }
}

static void count_probe(struct pool_watch *pw, const struct probe_result *r) {
        struct metrics *m = pw->p->feed->metrics;
        const char *labels[] = { pw->pc->name };
        bool status = pw->pc->status_path[0] && r->outcome == PROBE_OK;
        if (!m)
                return;
        metrics_set(m, METRIC_POOL_UP, labels, r->outcome == PROBE_OK);
        metrics_observe(m, METRIC_PROBE_DURATION, labels,
                        (double) (clock_monotonic_usec() - pw->probe_started) / 1e6);
        count_status(m, pw->pc->name, status ? &r->status : NULL);
}

static void probe_finished(struct pool_watch *pw) {
        struct pools *p = pw->p;
        ev_io_stop(p->loop, &pw->probe_io);
        ev_timer_stop(p->loop, &pw->probe_timer);
        const struct probe_result *r = probe_result(pw->probe);
        bool changed = !pw->answered || r->outcome != pw->last_outcome;
        pw->probing = false;
        pw->answered = true;
        pw->last_outcome = r->outcome;
        count_probe(pw, r);
        pools_probe_evidence(p->feed->diag, pw->index, &pw->pc->address, r, changed, clock_realtime_usec());
        p->feed->changed = true;
}

static bool holder_matters(const struct address *a, enum probe_outcome o) {
        bool tcp = a->kind == ADDRESS_INET || a->kind == ADDRESS_INET6 || a->kind == ADDRESS_ANY;
        return tcp && (o == PROBE_REFUSED || o == PROBE_NOT_FASTCGI || o == PROBE_SATURATED || o == PROBE_CLOSED);
}

void pools_probe_evidence(struct diag *d, size_t i, const struct address *a, const struct probe_result *r,
                          bool changed, uint64_t now) {
        struct listener_owner holder;
        diag_probe(d, i, r, now);
        if (changed && holder_matters(a, r->outcome) && listeners_port_holder(a->port, &holder) == 0)
                diag_port_holder(d, i, &holder, now);
}

/* The fd is new for every probe and its events change as the probe goes: set both every time. */
static void probe_arm(struct pool_watch *pw, bool watch_fd) {
        struct ev_loop *loop = pw->p->loop;
        ev_io_stop(loop, &pw->probe_io);
        ev_timer_stop(loop, &pw->probe_timer);
        if (probe_done(pw->probe)) {
                probe_finished(pw);
                return;
        }
        if (watch_fd) {
                ev_io_set(&pw->probe_io, probe_fd(pw->probe), ev_events(probe_events(pw->probe)));
                ev_io_start(loop, &pw->probe_io);
        }
        int64_t left = (int64_t) probe_deadline(pw->probe) - (int64_t) clock_monotonic_usec();
        ev_timer_set(&pw->probe_timer, left > 0 ? (double) left / 1e6 : 0., 0.);
        ev_timer_start(loop, &pw->probe_timer);
}

static void on_probe_io(EV_P_ ev_io *io, int revents) {
        struct pool_watch *pw = io->data;
        int r = probe_step(pw->probe);
        if (r < 0)
                say_at(LOG_WARNING, "pool %s: probe: %s; waiting for its deadline", pw->pc->name, strerror(-r));
        probe_arm(pw, r == 0);
}

static void on_probe_timer(EV_P_ ev_timer *t, int revents) {
        struct pool_watch *pw = t->data;
        if (clock_monotonic_usec() >= probe_deadline(pw->probe))
                probe_timeout(pw->probe);
        probe_arm(pw, ev_is_active(&pw->probe_io) || probe_done(pw->probe));
}

/* Local errors (EMFILE…) are logged when they start or change, not every round. */
static void local_error(struct pool_watch *pw, int *last, int r, const char *what) {
        if (r < 0 && r != *last)
                say_at(LOG_ERR, "pool %s: cannot %s: %s", pw->pc->name, what, strerror(-r));
        *last = r;
}

static void probe_begin(struct pool_watch *pw) {
        pw->probe_started = clock_monotonic_usec();
        int r = probe_start(pw->probe);
        local_error(pw, &pw->probe_error, r, "probe");
        if (r < 0) {
                pw->answered = true;
                return;
        }
        pw->probing = true;
        probe_arm(pw, true);
}

static void judge_socket(struct pool_watch *pw, uint64_t now) {
        struct pools *p = pw->p;
        const char *path = address_unix_path(&pw->pc->address);
        if (!path || !p->check_sockets)
                return;
        int r = sockcheck_unix(path, &p->nginx_id, &p->sock);
        local_error(pw, &pw->sock_error, r, "check the socket");
        if (r < 0)
                return;
        diag_socket(p->feed->diag, pw->index, &p->sock, now);
        p->feed->changed = true;
}

void pools_probe_round(struct pools *p) {
        uint64_t now = clock_realtime_usec();
        for (size_t i = 0; i < p->n_pools; i++)
                judge_socket(&p->pools[i], now);
        for (size_t i = 0; i < p->n_pools; i++)
                if (p->pools[i].probe && !p->pools[i].probing)
                        probe_begin(&p->pools[i]);
}

size_t pools_unanswered(const struct pools *p) {
        size_t n = 0;
        for (size_t i = 0; i < p->n_pools; i++)
                n += p->pools[i].probe && !p->pools[i].answered;
        return n;
}

/* The unit's cgroup's oom_kill counter, if the unit has a cgroup and the counter can be read. */
static void read_cgroup(struct pool_watch *pw) {
        const struct unit_state *st = pw->unit ? unit_state(pw->unit) : NULL;
        uint64_t count;
        enum cgroup_version v;
        if (!st || !st->control_group[0] || cgroup_oom_kills("/sys/fs/cgroup", st->control_group, &count, &v) < 0)
                return;
        diag_cgroup_oom(pw->p->feed->diag, pw->index, count, v, clock_realtime_usec());
        pw->p->feed->changed = true;
}

void pools_read_cgroups(struct pools *p) {
        for (size_t i = 0; i < p->n_pools; i++)
                read_cgroup(&p->pools[i]);
}

static void on_unit(enum unit_event ev, const struct unit_state *st, void *userdata) {
        struct pool_watch *pw = userdata;
        if (ev == UNIT_DISCONNECTED) {
                say_at(LOG_WARNING, "%s: no system bus; retrying", pw->pc->unit);
                pw->bus_lost = true;
                return;
        }
        if (ev == UNIT_CONNECTED && pw->bus_lost) {
                say_at(LOG_NOTICE, "%s: system bus back; the unit is followed again", pw->pc->unit);
                pw->bus_lost = false;
        }
        metrics_set(pw->p->feed->metrics, METRIC_UNIT_RESTARTS, (const char *[]) { pw->pc->name, pw->pc->unit },
                    st->n_restarts);
        diag_unit(pw->p->feed->diag, pw->index, st, clock_realtime_usec());
        pw->p->feed->changed = true;
        read_cgroup(pw);
}

/* The bus fd changes when unit.c reconnects: ask for fd, events and timeout after every call. */
static void unit_arm(struct pool_watch *pw) {
        struct ev_loop *loop = pw->p->loop;
        uint64_t due;
        int fd = unit_fd(pw->unit), events = unit_events(pw->unit);
        ev_io_stop(loop, &pw->unit_io);
        ev_timer_stop(loop, &pw->unit_timer);
        if (fd >= 0 && events >= 0) {
                ev_io_set(&pw->unit_io, fd, ev_events(events));
                ev_io_start(loop, &pw->unit_io);
        }
        if (unit_timeout_usec(pw->unit, &due) == 0 && due != UINT64_MAX) {
                ev_timer_set(&pw->unit_timer, seconds_until(due, clock_monotonic_usec()), 0.);
                ev_timer_start(loop, &pw->unit_timer);
        }
}

static void unit_run(struct pool_watch *pw) {
        if (unit_process(pw->unit, clock_monotonic_usec()) < 0)
                say_at(LOG_ERR, "%s: %s", pw->pc->unit, strerror(ENOMEM));
        unit_arm(pw);
}

static void on_unit_io(EV_P_ ev_io *io, int revents) {
        unit_run(io->data);
}

static void on_unit_timer(EV_P_ ev_timer *t, int revents) {
        unit_run(t->data);
}

static int pool_init(struct pools *p, struct pool_watch *pw, size_t i, const struct pool_spec *spec) {
        const struct pool_config *pc = spec->config;
        *pw = (struct pool_watch) { .p = p, .index = i, .pc = pc };
        ev_io_init(&pw->probe_io, on_probe_io, -1, 0);
        ev_timer_init(&pw->probe_timer, on_probe_timer, 0., 0.);
        ev_io_init(&pw->unit_io, on_unit_io, -1, 0);
        ev_timer_init(&pw->unit_timer, on_unit_timer, 0., 0.);
        pw->probe_io.data = pw->probe_timer.data = pw->unit_io.data = pw->unit_timer.data = pw;
        int r = probe_new(&pw->probe, &pc->address, &spec->probe);
        if (r < 0) {
                say_at(LOG_WARNING, "pool %s: Listen=%s: %s", pc->name, pc->listen,
                        r == -EINVAL ? "not an address the probe can use" : strerror(-r));
                return r == -ENOMEM ? r : 0;
        }
        if (pc->unit[0] && (r = unit_open(&pw->unit, pc->unit, on_unit, pw)) < 0)
                return r;
        if (pw->unit) {
                ev_timer_set(&pw->unit_timer, 0., 0.);
                ev_timer_start(p->loop, &pw->unit_timer);
        }
        return 0;
}

void pools_init(struct pools *p, struct ev_loop *loop, struct feed *feed) {
        *p = (struct pools) { .loop = loop, .feed = feed };
}

/* The gauges of the pools of the configuration before. */
static void forget_pools(struct metrics *m) {
        static const enum metric_family gauges[] = { METRIC_POOL_UP, METRIC_UNIT_RESTARTS, METRIC_POOL_ACCEPTED,
                METRIC_POOL_ACTIVE, METRIC_POOL_IDLE, METRIC_POOL_TOTAL, METRIC_POOL_LISTEN_QUEUE,
                METRIC_POOL_MAX_CHILDREN_REACHED, METRIC_POOL_SLOW_REQUESTS };
        for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]); i++)
                metrics_clear(m, gauges[i]);
}

/* Each pool's name and the upstream nginx names for it (tailers_feed_event()'s target): always
 * their own series of badgatewayd_events_total, however many other upstreams nginx names. */
static int keep_pool_targets(struct metrics *m, const struct pool_spec *specs, size_t n) {
        enum { TARGET_MAX = ADDRESS_TEXT_MAX + 16 };
        if (!m)
                return 0;
        char (*text)[TARGET_MAX] = calloc(n ? n : 1, TARGET_MAX);
        const char **targets = calloc(n ? 2 * n : 1, sizeof(*targets));
        size_t k = 0;
        int r = -ENOMEM;
        if (text && targets) {
                for (size_t i = 0; i < n; i++) {
                        const struct address *a = &specs[i].config->address;
                        targets[k++] = specs[i].config->name;
                        if (a->kind == ADDRESS_UNIX)
                                targets[k++] = a->text;
                        else if (a->kind == ADDRESS_INET || a->kind == ADDRESS_INET6) {
                                snprintf(text[i], TARGET_MAX, "fastcgi://%s", a->text);
                                targets[k++] = text[i];
                        }
                }
                r = metrics_keep_targets(m, targets, k);
        }
        free(text);
        free(targets);
        return r;
}

int pools_start(struct pools *p, const struct pool_spec *specs, size_t n, const struct sock_identity *nginx_id) {
        forget_pools(p->feed->metrics);
        if (keep_pool_targets(p->feed->metrics, specs, n) < 0)
                return -ENOMEM;
        p->pools = calloc(n ? n : 1, sizeof(*p->pools));
        if (!p->pools)
                return -ENOMEM;
        p->n_pools = n;
        p->check_sockets = nginx_id != NULL;
        if (nginx_id)
                p->nginx_id = *nginx_id;
        for (size_t i = 0; i < n; i++) {
                int r = pool_init(p, &p->pools[i], i, &specs[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

void pools_free(struct pools *p) {
        for (size_t i = 0; i < p->n_pools; i++) {
                struct pool_watch *pw = &p->pools[i];
                ev_io_stop(p->loop, &pw->probe_io);
                ev_timer_stop(p->loop, &pw->probe_timer);
                ev_io_stop(p->loop, &pw->unit_io);
                ev_timer_stop(p->loop, &pw->unit_timer);
                probe_free(pw->probe);
                unit_close(pw->unit);
        }
        free(p->pools);
        p->pools = NULL;
        p->n_pools = 0;
}
