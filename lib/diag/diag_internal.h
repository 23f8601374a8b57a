/* Shared by diag.c (the engine) and diag_text.c (summaries and remedies). Not a public API. */
#pragma once
#include "diag.h"

enum { DIAG_MAX_FOREIGN = 16, DIAG_ADDRESS_MAX = 256 };

struct finding {
        bool firing;
        bool fresh;                     /* new triggering evidence since the last flush */
        uint64_t first_seen, last_seen;
        uint64_t first_line, last_line; /* arrival of matching lines; 0 if none */
        uint64_t last_emit;
        uint64_t lines, lines_since_emit;
        uint32_t kind_counts[KIND__MAX];
        char samples[ALERT_SAMPLES][ALERT_SAMPLE_MAX];
        int n_samples;
        int signal;                     /* worker_killed: the last signal php-fpm reported */
        long value;                     /* max_children, memory_limit… from the last line that had one */
};

struct target {
        bool is_pool;
        char name[64];                  /* pool name; empty for an upstream no pool serves */
        char address[DIAG_ADDRESS_MAX]; /* normalised: "unix:/path", "host:port", "*:port", group */
        char resolved[DIAG_ADDRESS_MAX];/* the socket with links followed, normalised; or empty */
        char unit[256];
        bool have_probe, have_socket, have_unit;
        unsigned probe_fails, socket_denials;   /* in a row: one alone may be a restart */
        unsigned confirmations;                 /* how many in a row count */
        struct probe_result probe;
        enum sockcheck_verdict sock_verdict;
        char sock_where[DIAG_ADDRESS_MAX];
        uid_t sock_uid;
        gid_t sock_gid;
        mode_t sock_mode;
        struct unit_state unit_state;
        struct finding f[CAUSE__MAX];
};

struct diag {
        struct diag_settings s;
        char nginx_user[64];
        struct target *targets;         /* pools first, then upstreams no pool serves */
        size_t n_pools, n_targets;
};

/* Does the state evidence (probe, socket check, unit) show this cause right now? */
/* snprintf that may cut: names and summaries are bounded on purpose. */
__attribute__((format(printf, 3, 4))) void diag_put(char *buf, size_t size, const char *fmt, ...);
bool diag_state_shows(const struct diag *d, const struct target *t, enum cause c);
bool diag_probe_ok(const struct target *t);
void diag_resolved_summary(const struct target *t, enum cause c, uint64_t now, struct alert *a);
void diag_fill_alert(const struct diag *d, const struct target *t, enum cause c, struct alert *a);
