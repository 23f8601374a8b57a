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

enum {
        DIAG_OOM_KILLS = 8,             /* the kernel's latest OOM kills, whoever the victim */
        DIAG_KILLED_PIDS = 4,           /* a finding's latest workers php-fpm saw die of SIGKILL */
        DIAG_OOM_MATCH_USEC = 10000000, /* a kernel record and php-fpm's line about one pid: this close */
        DIAG_FAILED_TIMES = 16,         /* a finding's latest failed requests whose times are kept */
        DIAG_RELOAD_USEC = 5000000,     /* a php-fpm reload and the resets it caused: this close */
};

/* One OOM kill as the kernel reported it: its summary, its Killed process record, and the usage
 * record of the memory cgroup that ran out, which come in that order. */
struct oom_kill {
        long pid;
        uint64_t at;                    /* arrival of its latest record, µs */
        bool killed;                    /* the Killed process record came */
        bool memcg;                     /* a memory cgroup's limit ran out, not the machine */
        char comm[16];
        long anon_rss_kb, total_vm_kb, limit_kb;        /* -1 if not known */
        char cgroup[256];               /* oom_memcg, else task_memcg */
        char task_cgroup[256];          /* task_memcg: the victim's own cgroup */
        char line[ALERT_SAMPLE_MAX];    /* the Killed process record as read: a sample of the finding */
};

enum oom_proof {
        OOM_UNPROVEN,
        OOM_BY_KERNEL_LOG,              /* the kernel's record names the worker's pid */
        OOM_BY_CGROUP,                  /* the pool's cgroup counted an OOM kill as the worker died */
};

/* worker_killed: the workers killed by SIGKILL, and what proves the OOM killer did it. */
struct finding_oom {
        long pids[DIAG_KILLED_PIDS];
        uint64_t at[DIAG_KILLED_PIDS];  /* arrival of php-fpm's line, µs */
        unsigned n;                     /* kills seen; the latest is at (n - 1) % DIAG_KILLED_PIDS */
        enum oom_proof proof;
        struct oom_kill kill;           /* OOM_BY_KERNEL_LOG: the kernel's record */
};

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
        uint64_t first_written, last_written;   /* the earliest and latest matching line's own time
                                                 * (diag_set_written()), else its arrival; µs */
        uint64_t failed_written;        /* the latest of nginx's failed requests among them; 0: none */
        uint64_t last_emit;
        uint64_t lines, lines_since_emit;
        uint64_t late_lines, late_since_emit;   /* of those, written while the daemon was stopped */
        uint32_t kind_counts[KIND__MAX];
        char samples[ALERT_SAMPLES][ALERT_SAMPLE_MAX];
        int n_samples;
        int signal;                     /* worker_killed: the last signal php-fpm reported */
        long value;                     /* max_children, memory_limit… from the last line that had one */
        struct finding_config config;
        struct finding_oom oom;
        uint64_t reload_written;        /* php-fpm's latest reload line (fpm_reloading), its own time; 0: none */
        uint64_t failed_times[DIAG_FAILED_TIMES];       /* nginx's latest lines of it, their own time (a ring) */
        unsigned n_failed;
};

struct target {
        bool is_pool;
        bool is_nginx;                  /* nginx itself, for its own configuration's findings (error_log) */
        char name[64];                  /* pool name; "nginx"; empty for an upstream no pool serves */
        struct address address;         /* the pool's Listen=, or the upstream nginx names */
        enum upstream_proto proto;      /* pools: FastCGI; an upstream: the scheme its lines name */
        bool is_other;                  /* the upstreams beyond DIAG_MAX_FOREIGN at once, together */
        bool have_resolved;
        struct address resolved;        /* a pool's socket with links followed */
        char unit[256];
        char conf_at[PATH_MAX + 16];    /* diag_pool's: "" when not known */
        char terminate_timeout[32], terminate_at[PATH_MAX + 16];
        char pid_file[PATH_MAX];
        bool have_probe, have_socket, have_unit;
        uint64_t probe_at, socket_at;   /* when the last probe result and socket check came, µs */
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
        bool have_cgroup;               /* the unit's cgroup's oom_kill counter was read */
        uint64_t cgroup_oom_kills;
        enum cgroup_version cgroup_version;
        uint64_t cgroup_oom_at;         /* when the counter was last seen rising, µs; 0: never */
        struct finding f[CAUSE__MAX];
};

struct diag {
        struct diag_settings s;
        char nginx_user[64];
        struct target *targets;         /* pools first, then nginx, then upstreams no pool serves */
        size_t n_pools, n_targets;
        struct oom_kill oom[DIAG_OOM_KILLS];    /* a ring: the kernel's latest OOM kills */
        unsigned n_oom;
        long pending_limit_kb;          /* a memory cgroup's usage record, for the kill that follows */
        uint64_t pending_limit_at;
        bool late;                      /* diag_set_late() */
        uint64_t written;               /* diag_set_written(): 0, the lines' arrival */
        uint64_t flushed_at;            /* the last diag_flush()'s now: what state_past() ages lines by */
        bool passes_known;              /* diag_set_passes_known() */
};

/* snprintf that may cut: names and summaries are bounded on purpose. */
__attribute__((format(printf, 3, 4))) static inline void diag_put(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

/* diag.c: how many of the finding's latest failed requests were within DIAG_RELOAD_USEC of a
 * php-fpm reload: the reload cut them (0 without a reload line). */
unsigned diag_reload_cut(const struct finding *f);

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
/* The pool's socket takes connections: its probe answered, or its backlog is full or every
 * worker busy (pool_saturated): alive, not down. */
bool state_alive(const struct target *t);
/* Some configured pool is state_alive(). */
bool state_any_pool_alive(const struct diag *d);
/* systemd ended the unit for an OOM kill (Result=oom-kill). */
bool state_oom_killed(const struct target *t);

/* oom.c: a kernel record (SOURCE_KERNEL) into the ring, matched to the pools' killed workers. */
void oom_kernel_event(struct diag *d, const struct event *ev, const char *line, size_t len, uint64_t now);
/* oom.c: php-fpm said SIGKILL killed worker pid of t: matched to the kernel's records and the cgroup. */
void oom_worker_sigkill(struct diag *d, struct target *t, long pid, uint64_t now);
/* oom.c: a SIGKILL with no proof yet, while a kernel record or the cgroup counter may still come:
 * the verdict waits until oom_due(). */
bool oom_awaiting(const struct diag *d, const struct target *t, enum cause c, uint64_t now);
uint64_t oom_due(const struct diag *d, const struct target *t, enum cause c);
/* oom.c: how the worker died, for worker_killed's summary, when SIGKILL killed it. */
void oom_words(const struct diag *d, const struct target *t, const struct finding *f, char *buf, size_t size);
/* oom.c: the memory limit that applied to a proven OOM kill: "the unit's MemoryMax 256 MB". */
void oom_limit_words(const struct target *t, const struct finding *f, char *buf, size_t size);
void oom_fill_evidence(const struct target *t, const struct finding *f, struct alert_oom *o);

/* The pool's probe was refused to this process itself (EACCES): its state is not known. */
bool state_blind(const struct target *t);
/* Some configured pool is state_blind() and none answers its probe. */
bool state_any_pool_blind(const struct diag *d);
/* The finding's lines are history: the last of them was written resolve_after or more before the
 * last diag_flush() (the daemon resolves such a finding), or state evidence taken after it shows
 * the cause gone: fpm_down, a pool's socket_mismatch: the pool is state_alive(); socket_permission:
 * the socket check allows nginx's user; and in a one-round check also pool_saturated: the probe
 * answers; an unserved upstream's socket_mismatch: nginx's configuration as read now, which
 * names every unserved address (diag_set_passes_known()), no longer shows it. Only for findings its lines alone back (no configuration
 * finding, no state evidence that holds). */
bool state_past(const struct diag *d, const struct target *t, enum cause c);
/* State evidence taken after the finding's last line shows its cause gone (state_past()'s second
 * half, without its first conditions). */
bool state_clears(const struct diag *d, const struct target *t, enum cause c);
/* cause_priority(), LOG_WARNING for a finding that is history (state_past()). */
int state_priority(const struct diag *d, const struct target *t, enum cause c);

/* The finding is backed by the configuration alone: no line, no state evidence. */
bool state_config_only(const struct target *t, enum cause c);

/* A target nginx reaches by proxy_pass, uwsgi_pass, scgi_pass or grpc_pass: not PHP-FPM. */
static inline bool target_proxied(const struct target *t) {
        return !t->is_pool && t->proto != PROTO_FASTCGI && t->proto != PROTO_UNKNOWN;
}

/* words.c: "www", "nginx" or the upstream's address: the target as alerts name it. */
const char *words_who(const struct target *t);
/* words.c: the alert for a finding, with its summary, evidence and remedies. */
void words_fill_alert(const struct diag *d, const struct target *t, enum cause c, struct alert *a);
/* What cause c means, in the words that fit t's upstream (cause_text() for PHP-FPM). */
const char *words_what(const struct target *t, enum cause c);
/* A resolved alert's summary: what it was and for how long. */
void words_resolved(const struct target *t, enum cause c, uint64_t now, struct alert *a);
