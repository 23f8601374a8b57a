/*
 * OOM kills proven, not guessed: php-fpm's "child N exited on signal 9 (SIGKILL)" says only that
 * something killed the worker. The kernel's record naming the same pid (kernel_log.h), or the
 * oom_kill counter of the pool's cgroup rising at that moment (cgroup_oom.h), says it was the
 * OOM killer; with the kernel's records read and neither, it was not.
 */
#include <signal.h>
#include <string.h>

#include "target.h"

static bool close_in_time(uint64_t a, uint64_t b) {
        return (a > b ? a - b : b - a) < DIAG_OOM_MATCH_USEC;
}

static void put_span_text(char *buf, size_t size, struct span s) {
        diag_put(buf, size, "%.*s", (int) (s.n < size ? s.n : size - 1), s.p ? s.p : "");
}

/* The ring's record for pid from the last seconds, else a fresh slot (the oldest is reused). */
static struct oom_kill *record_for(struct diag *d, long pid, uint64_t now) {
        for (unsigned i = 0; i < DIAG_OOM_KILLS && i < d->n_oom; i++) {
                struct oom_kill *k = &d->oom[i];
                if (k->pid == pid && close_in_time(k->at, now))
                        return k;
        }
        struct oom_kill *k = &d->oom[d->n_oom++ % DIAG_OOM_KILLS];
        *k = (struct oom_kill) { .pid = pid, .anon_rss_kb = -1, .total_vm_kb = -1, .limit_kb = -1 };
        if (d->pending_limit_at && close_in_time(d->pending_limit_at, now))
                k->limit_kb = d->pending_limit_kb;
        return k;
}

/* The victim's cgroup is the pool unit's or below it. */
static bool in_unit_cgroup(const struct target *t, const struct oom_kill *k) {
        const char *cg = t->have_unit ? t->unit_state.control_group : "";
        size_t n = strlen(cg);
        return n > 1 && strncmp(k->task_cgroup, cg, n) == 0 && (k->task_cgroup[n] == '\0' || k->task_cgroup[n] == '/');
}

/* Record k is about the worker php-fpm said died at `at`: the same pid, or, when php-fpm runs in a
 * PID namespace of its own (a container, a test manager) and logs pids the kernel does not, a
 * victim in the pool unit's cgroup at the same moment. */
static bool same_kill(const struct target *t, const struct oom_kill *k, long pid, uint64_t at) {
        if (!close_in_time(k->at, at))
                return false;
        return k->pid == pid || in_unit_cgroup(t, k);
}

static bool worker_of(const struct target *t, const struct finding_oom *o, const struct oom_kill *k) {
        for (unsigned i = 0; i < DIAG_KILLED_PIDS && i < o->n; i++)
                if (same_kill(t, k, o->pids[i], o->at[i]))
                        return true;
        return false;
}

/* The kernel's record backs the finding up: its proof, its figures, and its line as a sample. */
static void prove_by_record(struct finding *f, const struct oom_kill *k) {
        bool counted = f->oom.proof == OOM_BY_KERNEL_LOG && f->oom.kill.killed;
        f->oom.proof = OOM_BY_KERNEL_LOG;
        f->oom.kill = *k;
        if (counted || !k->killed)
                return;
        f->kind_counts[KIND_KERNEL_OOM_KILL]++;
        if (f->n_samples < ALERT_SAMPLES)
                diag_put(f->samples[f->n_samples++], sizeof(f->samples[0]), "%s", k->line);
}

void oom_kernel_event(struct diag *d, const struct event *ev, const char *line, size_t len, uint64_t now) {
        const struct kernel_oom *r = &ev->oom;
        if (ev->kind == KIND_KERNEL_MEMCG_USAGE) {
                d->pending_limit_kb = r->limit_kb;
                d->pending_limit_at = now;
                return;
        }
        if (r->pid < 0)
                return;
        struct oom_kill *k = record_for(d, r->pid, now);
        k->at = now;
        put_span_text(k->comm, sizeof(k->comm), r->comm);
        k->memcg |= r->memcg;
        if (ev->kind == KIND_KERNEL_OOM_KILL) {
                k->killed = true;
                k->anon_rss_kb = r->anon_rss_kb;
                k->total_vm_kb = r->total_vm_kb;
                diag_put(k->line, sizeof(k->line), "%.*s", (int) (len < sizeof(k->line) ? len : sizeof(k->line) - 1), line);
        }
        if (r->oom_memcg.p || r->task_memcg.p)
                put_span_text(k->cgroup, sizeof(k->cgroup), r->oom_memcg.p ? r->oom_memcg : r->task_memcg);
        if (r->task_memcg.p)
                put_span_text(k->task_cgroup, sizeof(k->task_cgroup), r->task_memcg);
        for (size_t i = 0; i < d->n_pools; i++) {
                struct finding *f = &d->targets[i].f[CAUSE_WORKER_KILLED];
                if (worker_of(&d->targets[i], &f->oom, k))
                        prove_by_record(f, k);
        }
}

/* The pool's cgroup counted an OOM kill close to the worker's death. */
static bool cgroup_rose_at(const struct target *t, uint64_t at) {
        return t->cgroup_oom_at && close_in_time(t->cgroup_oom_at, at);
}

void oom_worker_sigkill(struct diag *d, struct target *t, long pid, uint64_t now) {
        struct finding *f = &t->f[CAUSE_WORKER_KILLED];
        unsigned slot = f->oom.n++ % DIAG_KILLED_PIDS;
        f->oom.pids[slot] = pid;
        f->oom.at[slot] = now;
        for (unsigned i = 0; i < DIAG_OOM_KILLS && i < d->n_oom; i++)
                if (same_kill(t, &d->oom[i], pid, now))
                        prove_by_record(f, &d->oom[i]);
        if (f->oom.proof == OOM_UNPROVEN && cgroup_rose_at(t, now))
                f->oom.proof = OOM_BY_CGROUP;
}

void diag_cgroup_oom(struct diag *d, size_t pool, uint64_t count, enum cgroup_version v, uint64_t now) {
        if (pool >= d->n_pools)
                return;
        struct target *t = &d->targets[pool];
        if (t->have_cgroup && count > t->cgroup_oom_kills)
                t->cgroup_oom_at = now;
        t->have_cgroup = true;
        t->cgroup_oom_kills = count;
        t->cgroup_version = v;
        struct finding *f = &t->f[CAUSE_WORKER_KILLED];
        unsigned last = (f->oom.n - 1) % DIAG_KILLED_PIDS;
        if (f->oom.n && f->oom.proof == OOM_UNPROVEN && cgroup_rose_at(t, f->oom.at[last]))
                f->oom.proof = OOM_BY_CGROUP;
}

/* Something could still prove an OOM kill: the kernel's records are read, or the cgroup's counter. */
static bool can_prove(const struct diag *d, const struct target *t) {
        return d->s.kernel_log || t->have_cgroup;
}

static uint64_t last_kill(const struct finding *f) {
        return f->oom.n ? f->oom.at[(f->oom.n - 1) % DIAG_KILLED_PIDS] : 0;
}

bool oom_awaiting(const struct diag *d, const struct target *t, enum cause c, uint64_t now) {
        const struct finding *f = &t->f[c];
        return c == CAUSE_WORKER_KILLED && !f->firing && t->is_pool && f->signal == SIGKILL && f->oom.n &&
               f->oom.proof == OOM_UNPROVEN && can_prove(d, t) && now - last_kill(f) < d->s.pairing_usec;
}

uint64_t oom_due(const struct diag *d, const struct target *t, enum cause c) {
        const struct finding *f = &t->f[c];
        if (c != CAUSE_WORKER_KILLED || f->firing || !t->is_pool || f->signal != SIGKILL || !f->oom.n ||
            f->oom.proof != OOM_UNPROVEN || !can_prove(d, t))
                return UINT64_MAX;
        return last_kill(f) + d->s.pairing_usec;
}

static long mb(long kb) {
        return (kb + 512) / 1024;
}

/* "the unit's MemoryMax 256 MB", "memory cgroup /x's limit 64 MB", "the machine's memory" */
void oom_limit_words(const struct target *t, const struct finding *f, char *buf, size_t size) {
        const struct oom_kill *k = &f->oom.kill;
        uint64_t max = t->have_unit ? t->unit_state.memory_max : 0;
        if (max && max != UINT64_MAX)
                diag_put(buf, size, "the unit's MemoryMax %llu MB", (unsigned long long) ((max + (1 << 19)) >> 20));
        else if (f->oom.proof == OOM_BY_KERNEL_LOG && k->memcg && k->limit_kb >= 0)
                diag_put(buf, size, "memory cgroup %s at %ld MB", k->cgroup[0] ? k->cgroup : "?", mb(k->limit_kb));
        else if (f->oom.proof == OOM_BY_KERNEL_LOG && k->memcg)
                diag_put(buf, size, "memory cgroup %s", k->cgroup[0] ? k->cgroup : "?");
        else if (f->oom.proof == OOM_BY_KERNEL_LOG)
                diag_put(buf, size, "the machine's memory, no cgroup limit");
        else
                diag_put(buf, size, "the %s cgroup %s", cgroup_version_name(t->cgroup_version),
                         t->have_unit && t->unit_state.control_group[0] ? t->unit_state.control_group : "?");
}

void oom_words(const struct diag *d, const struct target *t, const struct finding *f, char *buf, size_t size) {
        char limit[400];
        const struct oom_kill *k = &f->oom.kill;
        switch (f->oom.proof) {
        case OOM_BY_KERNEL_LOG:
                oom_limit_words(t, f, limit, sizeof(limit));
                if (k->anon_rss_kb >= 0)
                        diag_put(buf, size, "OOM-killed by the kernel (pid %ld, anon-rss %ld MB; limit: %s)", k->pid,
                                 mb(k->anon_rss_kb), limit);
                else
                        diag_put(buf, size, "OOM-killed by the kernel (pid %ld; limit: %s)", k->pid, limit);
                return;
        case OOM_BY_CGROUP:
                oom_limit_words(t, f, limit, sizeof(limit));
                diag_put(buf, size, "OOM-killed by the kernel (the cgroup's oom_kill counter rose; limit: %s)", limit);
                return;
        default:
                break;
        }
        if (d->s.kernel_log)
                diag_put(buf, size, "killed by SIGKILL, not by the OOM killer (no kernel record)");
        else if (t->have_cgroup)
                diag_put(buf, size, "killed by SIGKILL, not by the OOM killer (the %s cgroup's oom_kill counter "
                         "did not rise)", cgroup_version_name(t->cgroup_version));
        else
                diag_put(buf, size, "killed by SIGKILL (no kernel log is read: an OOM kill cannot be told from kill -9)");
}

void oom_fill_evidence(const struct target *t, const struct finding *f, struct alert_oom *o) {
        *o = (struct alert_oom) { .pid = -1, .anon_rss_kb = -1, .total_vm_kb = -1, .limit_kb = -1 };
        if (f->oom.proof == OOM_UNPROVEN)
                return;
        o->have = true;
        o->memory_max = t->have_unit ? t->unit_state.memory_max : 0;
        if (f->oom.proof == OOM_BY_CGROUP) {
                diag_put(o->proof, sizeof(o->proof), "cgroup");
                diag_put(o->cgroup, sizeof(o->cgroup), "%s", t->have_unit ? t->unit_state.control_group : "");
                diag_put(o->cgroup_version, sizeof(o->cgroup_version), "%s", cgroup_version_name(t->cgroup_version));
                return;
        }
        const struct oom_kill *k = &f->oom.kill;
        diag_put(o->proof, sizeof(o->proof), "kernel_log");
        o->pid = k->pid;
        diag_put(o->comm, sizeof(o->comm), "%s", k->comm);
        o->anon_rss_kb = k->anon_rss_kb;
        o->total_vm_kb = k->total_vm_kb;
        o->limit_kb = k->memcg ? k->limit_kb : -1;
        diag_put(o->cgroup, sizeof(o->cgroup), "%s", k->cgroup);
}
