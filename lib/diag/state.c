/* What the state evidence of a target shows right now. The probe's outcome row names its cause;
 * the unit and the socket check add theirs; a restart's single failed probe shows nothing. */
#include <string.h>

#include "target.h"

bool state_probe_ok(const struct target *t) {
        return t->have_probe && t->probe.outcome == PROBE_OK;
}

bool state_any_pool_ok(const struct diag *d) {
        for (size_t i = 0; i < d->n_pools; i++)
                if (state_probe_ok(&d->targets[i]))
                        return true;
        return false;
}

bool state_alive(const struct target *t) {
        enum probe_outcome o = t->probe.outcome;
        return t->have_probe && (o == PROBE_OK || o == PROBE_BACKLOG_FULL || o == PROBE_SATURATED);
}

bool state_any_pool_alive(const struct diag *d) {
        for (size_t i = 0; i < d->n_pools; i++)
                if (state_alive(&d->targets[i]))
                        return true;
        return false;
}

static bool unit_is(const struct target *t, const char *active_state) {
        return t->have_unit && strcmp(t->unit_state.active_state, active_state) == 0;
}

static bool unit_down(const struct target *t) {
        const struct unit_state *u = &t->unit_state;
        return t->have_unit && (strcmp(u->load_state, "not-found") == 0 || unit_is(t, "failed") ||
                                unit_is(t, "inactive") || strcmp(u->sub_state, "auto-restart") == 0);
}

bool state_oom_killed(const struct target *t) {
        return t->have_unit && strcmp(t->unit_state.result, "oom-kill") == 0;
}

/* Nothing at the pool's address while its unit runs: the pool listens somewhere else. A cause
 * needs `needed` failed probes in a row. */
static enum cause probe_cause(const struct target *t, unsigned needed) {
        if (!t->have_probe || t->probe_fails < needed)
                return CAUSE_NONE;
        enum cause c = probe_outcome_cause(t->probe.outcome);
        return c == CAUSE_FPM_DOWN && unit_is(t, "active") ? CAUSE_SOCKET_MISMATCH : c;
}

/* A restart passes through inactive: the unit counts once a probe agrees (or there is none). */
static enum cause unit_cause(const struct target *t) {
        return unit_down(t) && (t->probe_fails > 0 || !t->have_probe) ? CAUSE_FPM_DOWN : CAUSE_NONE;
}

static enum cause socket_cause(const struct target *t) {
        return t->have_socket && t->socket_denials >= t->confirmations ? CAUSE_SOCKET_PERMISSION : CAUSE_NONE;
}

bool state_shows(const struct target *t, enum cause c) {
        return c != CAUSE_NONE &&
               (probe_cause(t, t->confirmations) == c || unit_cause(t) == c || socket_cause(t) == c);
}

bool state_unexplained(const struct target *t) {
        return t->is_pool && t->have_probe && t->probe.outcome != PROBE_OK && t->probe_fails >= t->confirmations &&
               probe_outcome_cause(t->probe.outcome) == CAUSE_NONE;
}

bool state_holds(const struct target *t, enum cause c) {
        return state_shows(t, c) || (c != CAUSE_NONE && probe_cause(t, 1) == c);
}

bool state_blind(const struct target *t) {
        return t->is_pool && t->have_probe && t->probe.outcome == PROBE_PERMISSION;
}

bool state_any_pool_blind(const struct diag *d) {
        bool blind = false;
        for (size_t i = 0; i < d->n_pools; i++)
                blind |= state_blind(&d->targets[i]);
        return blind && !state_any_pool_ok(d);
}

/* The last line was written resolve_after or more before the last flush. */
static bool lines_old(const struct diag *d, const struct finding *f) {
        return d->flushed_at > f->last_written && d->flushed_at - f->last_written >= d->s.resolve_after_usec;
}

bool state_clears(const struct diag *d, const struct target *t, enum cause c) {
        const struct finding *f = &t->f[c];
        bool probed_after = t->have_probe && t->probe_at >= f->last_written;
        switch (c) {
        case CAUSE_FPM_DOWN:
                return probed_after && state_alive(t);
        case CAUSE_SOCKET_PERMISSION:
                return t->have_socket && t->sock_verdict == SOCKCHECK_OK && t->socket_at >= f->last_written;
        case CAUSE_SOCKET_MISMATCH:     /* config.have is false here: the configuration read shows it no more */
                return t->is_pool ? probed_after && state_alive(t) : d->s.one_round && d->passes_known;
        case CAUSE_POOL_SATURATED:      /* a worker's death is an event: a probe after it shows nothing */
                return d->s.one_round && t->is_pool && probed_after && state_probe_ok(t);
        default:
                return false;
        }
}

bool state_past(const struct diag *d, const struct target *t, enum cause c) {
        const struct finding *f = &t->f[c];
        if (!f->lines || f->config.have || state_holds(t, c) || t->is_nginx)
                return false;
        return lines_old(d, f) || state_clears(d, t, c);
}

int state_priority(const struct diag *d, const struct target *t, enum cause c) {
        int prio = cause_priority(c);
        return state_past(d, t, c) && prio < LOG_WARNING ? LOG_WARNING : prio;
}

bool state_config_only(const struct target *t, enum cause c) {
        const struct finding *f = &t->f[c];
        return f->config.have && !f->lines && !state_shows(t, c);
}
