/*
 * nginx's configuration against php-fpm's, before any request fails. Reads what
 * host_conf_load() found (or a struct host_conf filled by hand) and reports, in this order:
 *   nginx_error_log_level, nginx_error_log_off    each error_log that hides error-level lines
 *   socket_mismatch                               a fastcgi_pass target no pool listens on
 *   fastcgi_read_timeout_short                    a pass whose read timeout ends before its
 *                                                 pool's request_terminate_timeout
 *   fpm_log_level                                 a master whose log_level hides warnings
 *   fpm_memory_overcommit                         pm.max_children x memory_limit over the memory
 *   fpm_unit_missing                              a pool whose master no enabled unit runs
 *   socket_permission                             a pool's unix socket nginx's user may not open
 * The only I/O is looking up accounts with host_user()/host_group() (the root's etc/passwd and
 * etc/group, or the host's name service).
 */
#pragma once
#include <stddef.h>

#include "host.h"
#include "kinds.h"

enum { CROSSCHECK_SUMMARY_MAX = 512, CROSSCHECK_REMEDY_MAX = 256 };

struct crosscheck_finding {
        enum cause cause;
        const char *pool;               /* the pool it concerns, or NULL: nginx's own (error_log),
                                         * or socket_mismatch, which concerns no pool */
        const struct address *listen;   /* that pool's listen, when it has one: names repeat across
                                         * masters and badgatewayd.conf, addresses do not; or NULL */
        const char *upstream;           /* socket_mismatch: the address nginx sends to, normalised
                                         * ("unix:/run/php/php7.4-fpm.sock"); NULL otherwise */
        const char *file;               /* where to edit, as the host names it */
        unsigned line;                  /* 1-based; 0: the file as a whole */
        char summary[CROSSCHECK_SUMMARY_MAX];   /* one sentence naming file:line and the numbers */
        char remedy[CROSSCHECK_REMEDY_MAX];     /* one specific remedy, or "" */
};

/* Called once per finding. Every pointer in f stays valid as long as the struct host_conf's
 * configurations do; summary and remedy only during the call. */
typedef void crosscheck_fn(void *userdata, const struct crosscheck_finding *f);

/*
 * Calls fn for each finding, in the order above (within a check: nginx's error_logs and passes
 * in the order nginx reads them, then masters and their pools in order). What the checks assume:
 *   - socket_mismatch and the timeout check look only at targets on this host (unix sockets,
 *     loopback): a variable, a host name nginx would resolve, or another machine's IP gives none.
 *     A pass through an upstream group is checked for each server that is not `down`.
 *   - socket_permission: unix sockets only. nginx's workers run as nginx's `user` (nginx's
 *     built-in "nobody" when the directive is absent) with the group `user` names (else the one
 *     named like the user; "nogroup" or else "nobody" without the directive) and every group
 *     that lists the user; uid 0 may always connect. The socket is what php-fpm 8.2 makes of
 *     listen.owner/group/mode (fpm_unix.c): owner and group unset are the master's, taken to be
 *     root:root; a named listen.owner also gives its primary group unless listen.group is set;
 *     mode defaults to 0660. With listen.acl_users or listen.acl_groups set, php-fpm ignores
 *     owner and group and adds rw ACL entries: a user or group listed there that nginx's worker
 *     is (or is in) may connect. A name that does not resolve is reported as such (php-fpm or
 *     nginx refuse to start), never guessed; under a root where not even "root" resolves (no
 *     etc/passwd) nothing is judged.
 *   - fastcgi_read_timeout: the pass's effective value (its location, server, http), nginx's
 *     default 60s when none; compared only when request_terminate_timeout > 0.
 *   - fpm_memory_overcommit: memory_limit from php_admin_value[memory_limit], else
 *     php_value[memory_limit], else php.ini's default 128M (said so); against the unit's
 *     MemoryMax, else the machine's RAM; nothing when neither is known. memory_limit = -1 (no
 *     limit) is a finding only under a MemoryMax, which then bounds every script.
 *   - fpm_unit_missing: a master with no unit, or whose unit file is disabled, masked or absent;
 *     nothing when the unit file's state was not looked at (HOST_UNIT_UNKNOWN).
 * A check that compares nginx with php-fpm needs both; the others run on the side they read.
 */
void crosscheck_run(const struct host_conf *h, crosscheck_fn *fn, void *userdata);
/* Whether crosscheck_run() names every local address nginx's fastcgi_pass lines reach that no pool
 * serves (socket_mismatch): nginx's configuration was read, php-fpm's masters were found, no
 * fastcgi_pass holds a variable and every pool's listen is known. When true, a local address it
 * does not name is one nginx, as configured now, does not send to unserved. */
bool crosscheck_passes_known(const struct host_conf *h);
