/*
 * One alert: a root cause firing or resolved for one pool or upstream, with the evidence and
 * the remedy. Plain data, filled by the diagnosis and read by the sinks (journald, JSON lines).
 */
#pragma once
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "kinds.h"

enum {
        ALERT_SCHEMA = 1,
        ALERT_SAMPLES = 3,
        ALERT_SAMPLE_MAX = 512,
        ALERT_REMEDIES = 4,
        ALERT_SUMMARY_MAX = 512,        /* bytes of a summary, NUL included */
        ALERT_REMEDY_MAX = 256,         /* bytes of one remedy, NUL included */
};

enum alert_state {
        ALERT_FIRING,
        ALERT_RESOLVED,
};

struct alert_probe {
        bool have;
        char outcome[24];       /* probe_outcome_id(): "ok", "socket_missing", "saturated"… */
        int err;
        int64_t rtt_us;         /* -1 when there was no answer */
};

struct alert_socket {
        bool have;
        char verdict[24];       /* sockcheck_verdict_name() */
        char path[PATH_MAX];    /* the socket, or the directory that denies access */
        bool have_owner;        /* something is at path: uid, gid and mode are its (not "missing") */
        uid_t uid;
        gid_t gid;
        mode_t mode;
        bool acl;               /* a POSIX ACL on path decided the verdict */
        char user[64];          /* whose access was judged (nginx's worker user) */
};

struct alert_holder {
        bool have;
        int pid;                /* 0 when the holder's /proc/PID/fd could not be read */
        char comm[16];
};

struct alert_unit {
        bool have;
        char load_state[32], active_state[32], sub_state[32], result[32];
        unsigned n_restarts;
        int exec_main_status;
};

/* worker_killed: what proves that the OOM killer killed the worker. */
struct alert_oom {
        bool have;
        char proof[16];                 /* "kernel_log" (the kernel's record), "cgroup" (its oom_kill counter) */
        long pid;                       /* the worker; -1 if the proof names none */
        char comm[16];
        long anon_rss_kb, total_vm_kb;  /* kB; -1 if not known */
        long limit_kb;                  /* the memory cgroup's limit from the kernel's report; -1 */
        uint64_t memory_max;            /* the unit's MemoryMax=, bytes; 0 if none */
        char cgroup[256];               /* the memory cgroup that ran out, or the unit's ControlGroup */
        char cgroup_version[4];         /* "v1", "v2" for a cgroup counter's proof */
};

/* Where nginx's or php-fpm's configuration shows the cause (a finding of diag_config()). */
struct alert_config {
        bool have;
        char file[PATH_MAX];            /* as the host names it */
        unsigned line;                  /* 1-based; 0: the file as a whole */
};

struct alert_evidence {
        uint64_t lines;                 /* matching log lines while this alert fires */
        uint64_t lines_since_last;      /* since the previous alert for it */
        uint64_t late_lines;            /* of lines_since_last, written while the daemon was stopped */
        uint64_t first_line_usec, last_line_usec;       /* CLOCK_REALTIME, 0 if none */
        uint32_t kinds[KIND__MAX];      /* the lines of each event kind (enum event_kind) */
        char samples[ALERT_SAMPLES][ALERT_SAMPLE_MAX];  /* the first few lines, as read */
        int n_samples;
        int signal;                     /* worker_killed: the signal php-fpm reported */
        struct alert_probe probe;
        struct alert_socket socket;
        struct alert_unit unit;
        struct alert_holder port_holder;        /* who holds a TCP pool's port the probe failed on */
        struct alert_config config;             /* the configuration's file:line, when it shows the cause */
        struct alert_oom oom;                   /* worker_killed: the OOM killer's record or counter */
};

struct alert {
        char id[320];                   /* "fpm_down/1795612991/www": cause, first seen, target (≤ 256):
                                         * the pool, the upstream, or "nginx" for nginx's own */
        enum cause cause;
        enum alert_state state;
        bool repeat;                    /* a summary of an alert that keeps firing */
        bool late;                      /* some of its lines were written while the daemon was stopped
                                         * and read at its start (evidence.late_lines) */
        bool past;                      /* its lines are history: state evidence taken after the last
                                         * of them shows the cause gone (the pool answers now); `check`
                                         * counts it a warning whatever the cause's severity (the
                                         * alert's own stays the cause's: Alertmanager's labels name
                                         * one alert for its whole life) */
        char pool[64];                  /* empty when the target is an upstream nobody serves, or nginx */
        char upstream[PATH_MAX];        /* as nginx names it: unix:/path, host:port, group; empty for nginx */
        char unit[256];
        char summary[ALERT_SUMMARY_MAX];        /* one sentence a sysadmin can act on */
        struct alert_evidence evidence;
        char remedy[ALERT_REMEDIES][ALERT_REMEDY_MAX];
        int n_remedies;
        uint64_t first_seen_usec, last_seen_usec;       /* CLOCK_REALTIME */
};

const char *alert_state_name(enum alert_state s);
/* "critical", "error", "warning", "notice" from the cause's syslog priority. */
const char *alert_severity(const struct alert *a);
/* The same for a cause. */
const char *cause_severity(enum cause c);
/* The whole alert as a JSON object (schema ALERT_SCHEMA); NULL on allocation failure. */
json_t *alert_to_json(const struct alert *a);
/* The kinds counted, as text: "upstream_socket_missing=12, fpm_stopping=1" ("" for none), cut
 * to size bytes. */
void alert_kinds_words(const struct alert_evidence *e, char *buf, size_t size);
/* RFC 3339 UTC with microseconds ("2026-11-29T19:41:22.123456Z"), or JSON null for 0. */
json_t *alert_json_time(uint64_t usec);
