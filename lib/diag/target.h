/*
 * What the diagnosis holds per target, shared inside lib/diag and nowhere else. The files depend
 * one way: diag.c (the engine) → words.c (summaries, remedies) → state.c (what the probe, socket
 * check and unit show) → this header.
 */
#pragma once
#include <stdarg.h>
#include <stdio.h>

#include "diag.h"

enum { DIAG_MAX_FOREIGN = 16, DIAG_WHERE_MAX = 256 };

/* What nginx's and php-fpm's configuration say of a finding (diag_config()). */
struct finding_config {
        bool have;                      /* in the configuration's current set of findings */
        bool seen;                      /* in the set diag_config() is applying */
        char file[PATH_MAX];
        unsigned line;
        char summary[ALERT_SUMMARY_MAX];
        char remedy[ALERT_REMEDY_MAX];
};

struct finding {
        bool firing;
        bool fresh;                     /* new triggering evidence since the last flush */
        bool restored;                  /* diag_restore(): fired before a restart */
        uint64_t first_seen, last_seen;
        uint64_t first_line, last_line; /* arrival of matching lines; 0 if none */
        uint64_t last_emit;
        uint64_t lines, lines_since_emit;
        uint64_t late_lines, late_since_emit;   /* of those, written while the daemon was stopped */
        uint32_t kind_counts[KIND__MAX];
        char samples[ALERT_SAMPLES][ALERT_SAMPLE_MAX];
        int n_samples;
        int signal;                     /* worker_killed: the last signal php-fpm reported */
        long value;                     /* max_children, memory_limit… from the last line that had one */
        struct finding_config config;
};

struct target {
        bool is_pool;
        bool is_nginx;                  /* nginx itself, for its own configuration's findings (error_log) */
        char name[64];                  /* pool name; "nginx"; empty for an upstream no pool serves */
        struct address address;         /* the pool's Listen=, or the upstream nginx names */
        bool have_resolved;
        struct address resolved;        /* a pool's socket with links followed */
        char unit[256];
        bool have_probe, have_socket, have_unit;
        unsigned probe_fails, socket_denials;   /* in a row: one alone may be a restart */
        unsigned confirmations;                 /* how many in a row count */
        struct probe_result probe;
        enum sockcheck_verdict sock_verdict;
        char sock_where[DIAG_WHERE_MAX];
        uid_t sock_uid;
        gid_t sock_gid;
        mode_t sock_mode;
        bool sock_acl;                  /* sock_where's POSIX ACL decided the verdict */
        struct unit_state unit_state;
        bool have_holder;
        struct listener_owner holder;   /* who holds the pool's TCP port, when the probe failed */
        struct finding f[CAUSE__MAX];
};

struct diag {
        struct diag_settings s;
        char nginx_user[64];
        struct target *targets;         /* pools first, then nginx, then upstreams no pool serves */
        size_t n_pools, n_targets;
        bool late;                      /* diag_set_late() */
};

/* snprintf that may cut: names and summaries are bounded on purpose. */
__attribute__((format(printf, 3, 4))) static inline void diag_put(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

/* state.c: does the state evidence (probe, socket check, unit) show cause c right now? */
bool state_shows(const struct target *t, enum cause c);
/* Whether a firing finding for c is still backed by the state: as state_shows(), but one failed
 * probe is enough. A php-fpm stopped and started between two probes shows one failure after the
 * start (the unit "activating"): without this the finding would resolve and fire again. */
bool state_holds(const struct target *t, enum cause c);
/* A pool's probes fail in a way no cause names (closed, a wrong answer, refused to the daemon
 * itself): not healthy, and no finding to say so. */
bool state_unexplained(const struct target *t);
/* The pool's last probe answered as FastCGI should. */
bool state_probe_ok(const struct target *t);
/* Some configured pool answers its probe. */
bool state_any_pool_ok(const struct diag *d);
/* systemd ended the unit for an OOM kill (Result=oom-kill). */
bool state_oom_killed(const struct target *t);

/* The finding is backed by the configuration alone: no line, no state evidence. */
bool state_config_only(const struct target *t, enum cause c);

/* words.c: "www", "nginx" or the upstream's address: the target as alerts name it. */
const char *words_who(const struct target *t);
/* words.c: the alert for a finding, with its summary, evidence and remedies. */
void words_fill_alert(const struct diag *d, const struct target *t, enum cause c, struct alert *a);
/* A resolved alert's summary: what it was and for how long. */
void words_resolved(const struct target *t, enum cause c, uint64_t now, struct alert *a);
