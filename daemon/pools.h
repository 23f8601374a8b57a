/* Per pool, on a libev loop: a FastCGI probe each round, a check of its unix socket as nginx's
 * user, and a follower of its systemd unit. Results go into the feed's diagnosis (pool i is the
 * diagnosis's pool i) and mark the feed changed. Nothing is flushed here: that is the loop owner's
 * job. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include <ev.h>

#include "config.h"
#include "feed.h"
#include "probe.h"
#include "sockcheck.h"

struct diag;

/* What one pool needs. */
struct pool_spec {
        const struct pool_config *config;       /* name, Listen, Unit; must outlive the pools */
        struct probe_options probe;             /* copied by the probe */
};

struct pool_watch;

struct pools {
        struct ev_loop *loop;
        struct feed *feed;
        struct sock_identity nginx_id;
        bool check_sockets;                     /* nginx_id was given */
        struct sockcheck_result sock;           /* scratch: too large for the stack */
        struct pool_watch *pools;
        size_t n_pools;
};

/* No pools yet; loop and feed must outlive p. */
void pools_init(struct pools *p, struct ev_loop *loop, struct feed *feed);
/* Makes a probe and, when the pool names a unit, a unit follower (reading the unit at once) for
 * each of specs[0..n). A Listen the probe cannot use is said on stderr and the pool goes
 * unprobed. nginx_id NULL: sockets are not checked. No probe runs until pools_probe_round().
 * 0, or -ENOMEM or an sd-bus error, after which p holds some pools (pools_free() them). */
int pools_start(struct pools *p, const struct pool_spec *specs, size_t n, const struct sock_identity *nginx_id);
/* Checks every unix socket now, and starts a probe for each pool whose last one is done. */
void pools_probe_round(struct pools *p);
/* Pools whose first probe has neither finished nor failed to start: 0 once the first round is
 * in (also when no pool can be probed). */
size_t pools_unanswered(const struct pools *p);
/* Reads the oom_kill counter of each pool unit's cgroup (ControlGroup under /sys/fs/cgroup, v2 or
 * v1) into the diagnosis: when a unit is (re)read, and when a worker died of SIGKILL. */
void pools_read_cgroups(struct pools *p);
/* Stops every watcher and closes probes and followers; p can be started again. */
void pools_free(struct pools *p);

/* What a finished probe of pool i tells diagnosis d: its result and, when a TCP pool's probe is
 * refused, answered by something that is not FastCGI, left unanswered or closed, and the outcome
 * is new (changed is true),
 * who holds the port (listeners_port_holder(): a scan of /proc). Shared with `check`. */
void pools_probe_evidence(struct diag *d, size_t i, const struct address *a, const struct probe_result *r,
                          bool changed, uint64_t now);
