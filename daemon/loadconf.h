/* Which config the daemon and `check` use: --config FILE, else the default file, else what a
 * stock Debian/Ubuntu host shows in /run/php. */
#pragma once
#include "config.h"
#include "diag.h"
#include "probe.h"

#define DEFAULT_CONFIG "/etc/badgatewayd/badgatewayd.conf"

enum { EXIT_CONFIG = 78 };      /* EX_CONFIG */

/* 0, or a negative errno with err saying what and where. file NULL: the default, or discovery. */
int loadconf(struct config *c, const char *file, struct config_error *err);
/* The file read, or "discovered in /run/php". */
const char *loadconf_source(const struct config *c);

/* A diagnosis for the config's pools and settings. one_round: `check`'s single round, every line
 * read at once: one probe result counts and a reset waits for no php-fpm line; else the daemon's. */
int loadconf_new_diag(const struct config *c, bool one_round, struct diag **ret);

/* How a pool is probed: PingPath or StatusPath when set, ProbeTimeout for connect and answer. */
struct probe_options loadconf_probe_options(const struct config *c, const struct pool_config *pc);

struct log_ref {
        const char *path;
        int pool;       /* whose php-fpm log; -1 for nginx's */
};

/* Every log path once, nginx's first; pools sharing php-fpm's global error_log share it (the
 * first pool is the fallback for lines that name no pool). Returns how many; out holds
 * CONFIG_MAX_LOGS + CONFIG_MAX_POOLS. */
size_t loadconf_logs(const struct config *c, struct log_ref *out);

/* badgatewayd --check-config [--config FILE]; returns the exit code. */
int check_config_main(int argc, char **argv);
