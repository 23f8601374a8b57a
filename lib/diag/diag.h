/*
 * Correlation: evidence in, alerts out. One finding per root cause per target, where a target
 * is a configured pool or an upstream address nginx uses that no pool serves. Pure: no I/O,
 * the caller passes the time (CLOCK_REALTIME µs) and receives alerts through a callback.
 *
 * A finding fires on its first evidence, sends at most one summary per summary interval while
 * evidence keeps coming, and resolves when its state evidence (probe, socket check, unit) is
 * clear and no matching line came for resolve_after.
 *
 * Targets: each configured pool; each upstream address nginx uses that no pool serves; and nginx
 * itself, for what its own configuration shows (alerts name it "nginx", with empty pool and
 * upstream).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "address.h"
#include "alert.h"
#include "cgroup_oom.h"
#include "classify.h"
#include "listeners.h"
#include "probe.h"
#include "sockcheck.h"
#include "unit.h"

struct diag_pool {
        const char *name;
        const struct address *listen;   /* the pool's Listen=, parsed at load */
        const char *listen_resolved;    /* the socket's path with symlinks followed, or NULL */
        const char *unit;               /* "php8.2-fpm.service", or NULL */
        /* From php-fpm's own configuration, for the remedies; each NULL when not read: */
        const char *conf_at;            /* "FILE:LINE" of the pool's [NAME] */
        const char *terminate_timeout;  /* request_terminate_timeout as written ("3s"), when set */
        const char *terminate_at;       /* "FILE:LINE" where it is set */
        const char *pid_file;           /* the master's [global] pid = (its pid file) */
};

struct diag_settings {
        uint64_t resolve_after_usec;
        uint64_t summary_interval_usec;
        const char *nginx_user;         /* named in permission findings */
        /* Probe results or socket checks in a row that make a state finding: a php-fpm restart
         * removes and recreates its socket, so the daemon asks for 2; a one-shot check for 1. */
        unsigned confirmations;
        /* One round (`check`): every line is read after the fact, each with its own time, and the
         * state evidence is taken once, before them: a probe that answers after the last line
         * shows a full pool over. */
        bool one_round;
        /* How long a worker's reset in nginx's log waits for php-fpm's line naming the signal that
         * killed it (nginx logs first): 2 s in the daemon; 0 for a check that has read every
         * line already. µs. */
        uint64_t pairing_usec;
        /* The kernel's records are read (/dev/kmsg, the journal's kernel transport): a worker's
         * SIGKILL with no OOM record within pairing_usec was not the OOM killer's. */
        bool kernel_log;
        /* A unix socket's path with its symlinks followed (/var/run/php/x.sock → /run/php/x.sock),
         * asked when a line names a socket no pool has by that name; 0, or -errno to keep the
         * name. NULL: names are compared as written. The only I/O the diagnosis asks for. */
        int (*canonical)(void *userdata, const char *path, char *out, size_t size);
        void *canonical_userdata;
};

enum diag_health {
        DIAG_OK = 0,
        DIAG_WARNING = 1,
        DIAG_CRITICAL = 2,
        DIAG_UNKNOWN = 3,               /* nothing probed yet */
};

typedef void (*diag_alert_fn)(void *userdata, const struct alert *a);

struct diag;

int diag_new(struct diag **ret, const struct diag_settings *s, const struct diag_pool *pools, size_t n);
struct diag *diag_free(struct diag *d);
/* Whether the kernel's records are read from now on (diag_settings.kernel_log). */
void diag_set_kernel_log(struct diag *d, bool on);
/* After a reload: takes over the findings and state evidence (configuration findings included)
 * of old's pools (matched by name), nginx and unknown upstreams, so that what fires keeps firing
 * and resolves once. Returns how many
 * firing findings had no counterpart (a pool that is gone). */
size_t diag_adopt(struct diag *d, const struct diag *old);
/* Before old goes: a resolved alert for each finding of old still firing on a pool d does not
 * have (gone from the configuration), so that no alert stays firing for ever. Returns how many. */
size_t diag_resolve_gone(const struct diag *old, const struct diag *d, uint64_t now, diag_alert_fn fn, void *userdata);

/* A classified line (kind != KIND_NONE). log_pool: the pool whose php-fpm log it came from, -1 for
 * nginx's logs; php-fpm lines naming a pool are matched by that name first. */
void diag_log(struct diag *d, const struct event *ev, const char *line, size_t len, int log_pool,
              uint64_t now);
/* Whether the lines diag_log() gets from now on were written while the daemon was stopped (read
 * in the catch-up at start): counted apart, and an alert that carries any says "late" (its
 * first_line, last_line are when they were read, not written). */
void diag_set_late(struct diag *d, bool late);
/* The time the lines diag_log() gets from now on were written, by their own timestamp (µs since
 * the epoch; timestamp_usec()); 0: when they arrive. `check` reads lines minutes old: a pool whose
 * probe answers after the last refusal was written is no longer down (state_past in words). */
void diag_set_written(struct diag *d, uint64_t usec);
void diag_probe(struct diag *d, size_t pool, const struct probe_result *r, uint64_t now);
void diag_socket(struct diag *d, size_t pool, const struct sockcheck_result *r, uint64_t now);
void diag_unit(struct diag *d, size_t pool, const struct unit_state *u, uint64_t now);
/* The oom_kill counter of the pool unit's cgroup (cgroup_oom_kills()), read when the unit's
 * cgroup is known and again when a worker dies of SIGKILL: a rise since the last reading proves
 * the OOM killer killed the worker php-fpm names (within DIAG_OOM_MATCH_USEC). */
void diag_cgroup_oom(struct diag *d, size_t pool, uint64_t count, enum cgroup_version v, uint64_t now);
/* Who holds the TCP port of a pool whose probe was refused or answered by something that is not
 * FastCGI (listeners_port_holder()); named in the alert until a probe has another outcome. */
void diag_port_holder(struct diag *d, size_t pool, const struct listener_owner *holder, uint64_t now);

/* A finding of nginx's and php-fpm's configuration (lib/config's crosscheck, converted by the
 * daemon). Strings are copied; they may be cut to the alert's sizes. */
struct diag_config_finding {
        enum cause cause;
        const char *pool;               /* the pool it concerns, matched by name; or NULL */
        const struct address *pool_listen;      /* that pool's listen: when set, the pool is the
                                                 * one listening there, whatever its name here */
        const char *upstream;           /* socket_mismatch: the address nginx sends to ("unix:/x.sock",
                                         * as address_parse() reads it); or NULL */
        const char *file;               /* where to edit, as the host names it */
        unsigned line;                  /* 1-based; 0: the file as a whole */
        const char *summary;            /* the alert's summary while no log line or state evidence
                                         * backs the finding */
        const char *remedy;             /* one specific remedy, put first; or NULL */
};

/*
 * The configuration's findings, the whole current set each call: an item absent from a later
 * call is no longer shown by the configuration. Each is placed on the pool it names, else on
 * the upstream address (made a target as an unserved address in a line would be), else on
 * nginx. It is state evidence: a new one fires at the next diag_flush(), it holds while it is
 * in the set, and once absent it resolves (once) when no matching line came for resolve_after
 * and no other state evidence shows the cause. While present it also decides lines: a line whose
 * kind's alternative cause is a configuration finding on its target counts toward that finding
 * (a 502 to a stale socket joins socket_mismatch). Two items with the same cause and target: the
 * first one's words are kept. Returns how many items could not be placed (a pool this
 * diagnosis does not watch, or no room for another upstream).
 */
size_t diag_config(struct diag *d, const struct diag_config_finding *f, size_t n, uint64_t now);
/* Whether the configuration given to diag_config() names every unserved address nginx sends to
 * (crosscheck_passes_known()): then, in a one-round check, a socket_mismatch on an address it
 * does not name is history (nginx's configuration was fixed and reloaded). False at the start. */
void diag_set_passes_known(struct diag *d, bool known);

/* Emits every alert that is due: new findings, summaries, resolutions. Call after each batch of
 * evidence and when diag_next_due() comes. */
void diag_flush(struct diag *d, uint64_t now, diag_alert_fn fn, void *userdata);
/* When diag_flush() has something to do without new evidence (a summary or a resolution), or
 * UINT64_MAX. */
uint64_t diag_next_due(const struct diag *d);

/* A firing finding as it outlives the process (the daemon's state file). */
enum diag_target_kind { DIAG_TARGET_POOL, DIAG_TARGET_NGINX, DIAG_TARGET_UPSTREAM };
struct diag_saved_finding {
        enum cause cause;
        enum diag_target_kind kind;
        const char *target;             /* pool name, "nginx", or the upstream's address as alerts name it */
        uint64_t first_seen, lines;
};
/* Calls fn for every firing finding. */
void diag_export_firing(const struct diag *d, void (*fn)(void *userdata, const struct diag_saved_finding *f),
                        void *userdata);
/* A finding that was firing before a restart and has no target any more (its pool is gone from
 * the configuration): its one resolved alert, so that it does not stay firing for ever. */
void diag_resolve_saved(const struct diag *d, const struct diag_saved_finding *s, uint64_t now, diag_alert_fn fn,
                        void *userdata);
/* A finding that was firing before a restart: firing again without an alert, so it is never sent
 * twice. It resolves once by the usual rules, as if a matching line had come now; a pool's
 * finding holds until that pool's first probe is in. 0; -ENOENT when its pool is not watched
 * any more (or no room for its upstream); -EINVAL for no cause. */
int diag_restore(struct diag *d, const struct diag_saved_finding *f, uint64_t now);

/* The current verdict in a line, for sd_notify STATUS= and `badgatewayd check`:
 * "OK: 2 of 2 pools healthy", "FIRING fpm_down www: nothing listens at …", or, when a pool's
 * probes fail in a way no cause names, "WARNING: 0 of 1 pool healthy; pool www: probe: …".
 * Printable UTF-8 always: other bytes (an upstream's address from a log line) as "\xNN". */
const char *diag_status(const struct diag *d, char *buf, size_t size);
/* The worst firing finding's (critical for LOG_ERR and above, else warning; a finding whose lines
 * are history, as the pool answers its probe after the last of them, is a warning), warning for a
 * pool whose probes fail in a way no cause names, unknown before any probe, else OK. */
enum diag_health diag_health(const struct diag *d);
/* Pool pool's name (diag_pool.name, as given to diag_new()), or NULL past the last pool. */
const char *diag_pool_name(const struct diag *d, size_t pool);
/* Firing findings right now, for `check --json`: calls fn with the alert as it would be sent. */
void diag_each_firing(const struct diag *d, uint64_t now, diag_alert_fn fn, void *userdata);
