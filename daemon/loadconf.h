/* Which config the daemon and `check` use: --config FILE, else the default file (when it or a
 * drop-in of its FILE.d/ exists; config_load() reads drop-ins without their file too),
 * completed from nginx's and php-fpm's own configuration (lib/config/host.h): pools when the file
 * names none, nginx's error logs when it gives no ErrorLog=, nginx's user when it gives no User=. */
#pragma once
#include "config.h"
#include "diag.h"
#include "probe.h"

#include "paths.h"       /* DEFAULT_CONFIG: sysconfdir/badgatewayd/badgatewayd.conf, by meson */

enum { EXIT_CONFIG = 78 };      /* EX_CONFIG */
#define LOADCONF_NO_POOL "no PHP-FPM pool found"        /* loadconf()'s error starts so */

/*
 * Fills c (its old contents are not freed: a fresh or config_defaults()'d config). file NULL: the
 * default file, or none when it does not exist. Then reads nginx's and php-fpm's configuration
 * (the file's [Nginx] Config= and [PHP-FPM] Config=, else the host's usual places) into c->host,
 * and takes from it what the file does not say:
 *   - pools (only when the file names none): one per php-fpm pool whose listen is a unix path, an
 *     IP address and port or a port; a host name is said on stderr and skipped. Its unit is the
 *     master's (none when no such unit file exists), its Log the master's [global] error_log when
 *     that is a file, PingPath and StatusPath its ping.path and pm.status_path. A name two masters
 *     share becomes "NAME (UNIT)".
 *   - nginx's logs (when no ErrorLog=): every error_log that is a file, a relative one under
 *     nginx's prefix, once each.
 *   - nginx's user (when no User=): its `user`, else the user its build defaults to; "" when no
 *     nginx configuration was found.
 * 0; -ENOENT with err "no PHP-FPM pool found: looked in …" when no pool is found anywhere; or
 * another negative errno with err saying what and where. Free c with config_free() either way.
 */
int loadconf(struct config *c, const char *file, struct config_error *err);
/* Whether loadconf()'s result r says only that no pool was found: the file and nginx's and
 * php-fpm's configuration read well, without a pool in them (php-fpm not installed yet). */
bool loadconf_no_pool(const struct config *c, int r);
/* Where the pools came from: the file read, or "php-fpm's configuration (/etc/php/8.2/fpm/php-fpm.conf)". */
const char *loadconf_source(const struct config *c);
/* nginx's and php-fpm's configuration as loadconf() read it (NULL before, or when it failed
 * before reading it); it lives as long as c. */
const struct host_conf *loadconf_host(const struct config *c);

static inline void config_freep(struct config **c) {
        config_free(*c);
}

/* A diagnosis for the config's pools and settings. one_round: `check`'s single round, every line
 * read at once: one probe result counts and a reset waits for no php-fpm line; else the daemon's. */
int loadconf_new_diag(const struct config *c, bool one_round, struct diag **ret);

/* How a pool is probed: PingPath or StatusPath when set, ProbeTimeout for connect and answer. */
struct probe_options loadconf_probe_options(const struct config *c, const struct pool_config *pc);

struct log_ref {
        const char *path;
        int pool;       /* whose php-fpm log; -1 for nginx's */
        uint64_t pools; /* bit i: pool i logs there too (Log=, or the error_log discovery found); 0: pool alone */
};

/* Every log path once, nginx's first; pools sharing php-fpm's global error_log share it (the
 * first pool is the fallback for lines that name no pool). Returns how many; out holds
 * CONFIG_MAX_LOGS + CONFIG_MAX_POOLS. */
size_t loadconf_logs(const struct config *c, struct log_ref *out);

struct event;
/* The pools a classified line of ref's log is evidence for (diag_log()'s log_pool), into out
 * (CONFIG_MAX_POOLS of them): a line of php-fpm's master, which names no pool (stopping, started,
 * bind and init failures), is about each pool whose log it is; any other line goes with
 * ref->pool alone (diag_log() matches a pool a line names itself). Returns how many (at least 1). */
size_t loadconf_line_pools(const struct log_ref *ref, const struct event *ev, int *out);

/* Says on stderr each problem found reading nginx's and php-fpm's configuration ("FILE:LINE:
 * what"); returns how many. */
size_t loadconf_say_problems(const struct config *c);

/* badgatewayd --check-config [--config FILE]; returns the exit code. */
int check_config_main(int argc, char **argv);
