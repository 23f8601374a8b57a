/* badgatewayd.conf: INI, read with libinih. Every error names file:line and the key. */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "address.h"

enum { CONFIG_MAX_LOGS = 16, CONFIG_MAX_POOLS = 32, CONFIG_NAME_MAX = 64 };

struct pool_config {
        char name[CONFIG_NAME_MAX];
        char listen[PATH_MAX];          /* as written: "/run/php/php8.2-fpm.sock", "unix:/…", "127.0.0.1:9000", "[::1]:9000" */
        struct address address;         /* listen, parsed: UNIX, INET, INET6 or ANY */
        char unit[256];                 /* "php8.2-fpm.service", or empty */
        char log[PATH_MAX];             /* php-fpm's error_log, or empty */
        char ping_path[256];            /* pool's ping.path, or empty: probe with FCGI_GET_VALUES */
        char status_path[256];          /* pool's pm.status_path, or empty */
        int line;                       /* where its section starts */
};

struct config {
        char file[PATH_MAX];            /* empty when built from defaults */
        uint64_t probe_interval_usec;
        uint64_t probe_timeout_usec;
        uint64_t resolve_after_usec;    /* evidence must stay clear this long before "resolved" */
        uint64_t summary_interval_usec; /* at most one summary per firing alert in this interval */
        bool read_from_start;           /* tail logs from their beginning instead of their end */
        char nginx_logs[CONFIG_MAX_LOGS][PATH_MAX];
        int n_nginx_logs;
        char nginx_user[CONFIG_NAME_MAX];
        struct pool_config pools[CONFIG_MAX_POOLS];
        int n_pools;
};

struct config_error {
        char text[PATH_MAX + 512];      /* "FILE:LINE: unknown key 'X' in [Daemon]; did you mean 'Y'?" */
};

void config_defaults(struct config *c);
/* Parses text as if read from `file` (used in messages). 0, or -EINVAL with err filled. */
int config_parse_string(struct config *c, const char *file, const char *text, struct config_error *err);
/* 0, -errno when the file cannot be read, or -EINVAL; err always says what and where. */
int config_load(struct config *c, const char *file, struct config_error *err);
