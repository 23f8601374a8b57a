/* badgatewayd.conf: INI, read with libinih. Every error names file:line and the key. Every
 * section and key is optional: what it does not name (pools, nginx's logs and user) the daemon
 * takes from nginx's and php-fpm's own configuration (daemon/loadconf.c). */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "address.h"

enum { CONFIG_LINE_MAX = 65536,      /* bytes of a line of badgatewayd.conf, its '\n' included */
       CONFIG_MAX_LOGS = 16, CONFIG_MAX_POOLS = 32, CONFIG_NAME_MAX = 64, CONFIG_MAX_FPM_CONFS = 16,
       CONFIG_SOURCE_MAX = PATH_MAX + 2048, CONFIG_URL_MAX = 1024 };

struct host_conf;

/* [Journal] Follow=: the journal as a log source (daemon/journalwatch.c). */
enum config_journal_follow { CONFIG_JOURNAL_AUTO, CONFIG_JOURNAL_YES, CONFIG_JOURNAL_NO };
enum { CONFIG_MAX_JOURNAL_MATCHES = 32, CONFIG_JOURNAL_NAME_MAX = 128 };

struct pool_config {
        char name[CONFIG_NAME_MAX];
        char listen[PATH_MAX];          /* as written: "/run/php/php8.2-fpm.sock", "unix:/…", "127.0.0.1:9000", "[::1]:9000" */
        struct address address;         /* listen, parsed: UNIX, INET, INET6 or ANY */
        char unit[256];                 /* "php8.2-fpm.service", or empty */
        char log[PATH_MAX];             /* php-fpm's error_log, or empty */
        char ping_path[256];            /* pool's ping.path, or empty: probe with FCGI_GET_VALUES */
        char status_path[256];          /* pool's pm.status_path, or empty */
        int line;                       /* where its section starts */
        /* From php-fpm's configuration (empty for a [Pool] of badgatewayd.conf), for remedies: */
        char conf_at[PATH_MAX + 16];    /* "FILE:LINE" of [NAME] */
        char terminate_timeout[32];     /* request_terminate_timeout as written, when set */
        char terminate_at[PATH_MAX + 16];       /* "FILE:LINE" where it is set */
        char pid_file[PATH_MAX];        /* the master's pid = */
};

struct config {
        char file[PATH_MAX];            /* empty when built from defaults; FILE.d for drop-ins alone */
        char source[CONFIG_SOURCE_MAX]; /* where the pools came from (loadconf_source()); "" */
        uint64_t probe_interval_usec;
        uint64_t probe_timeout_usec;
        uint64_t resolve_after_usec;    /* evidence must stay clear this long before "resolved" */
        uint64_t summary_interval_usec; /* at most one summary per firing alert in this interval */
        bool read_from_start;           /* tail logs from their beginning instead of their end */
        uint64_t catch_up_bytes;        /* at start, at most this much of what a log got while stopped */
        uint64_t catch_up_age_usec;     /* and of that, no line older than this by its own time; 0: any */
        char nginx_logs[CONFIG_MAX_LOGS][PATH_MAX];     /* [Nginx] ErrorLog=; none: nginx's own */
        int n_nginx_logs;
        char nginx_user[CONFIG_NAME_MAX];       /* [Nginx] User=; "": nginx's own `user` */
        char nginx_conf[PATH_MAX];              /* [Nginx] Config=: nginx's main file; "": the default */
        char nginx_conf_from[PATH_MAX];         /* the file and line of that Config=, for messages */
        int nginx_conf_line;
        char fpm_confs[CONFIG_MAX_FPM_CONFS][PATH_MAX]; /* [PHP-FPM] Config=: php-fpm.conf files */
        int n_fpm_confs;                        /* 0: the default places */
        struct pool_config pools[CONFIG_MAX_POOLS];     /* [Pool NAME]; none: php-fpm's own pools */
        int n_pools;
        char metrics_listen[ADDRESS_TEXT_MAX];  /* [Metrics] Listen=, as written; "": no HTTP endpoint */
        struct address metrics_address;         /* parsed: INET, INET6 or ANY; port 0: a free one */
        char metrics_textfile_dir[PATH_MAX];    /* [Metrics] TextfileDirectory=; "": no textfile */
        enum config_journal_follow journal_follow;      /* [Journal] Follow=; auto: when journald runs */
        char journal_units[CONFIG_MAX_JOURNAL_MATCHES][CONFIG_JOURNAL_NAME_MAX];  /* [Journal] Units=;
                                                 * none: nginx.service and the pools' units */
        int n_journal_units;
        char journal_identifiers[CONFIG_MAX_JOURNAL_MATCHES][CONFIG_JOURNAL_NAME_MAX]; /* [Journal]
                                                 * Identifiers=; none: nginx, php-fpm */
        int n_journal_identifiers;
        bool journal_kernel;                    /* [Journal] Kernel=: the kernel's messages (default yes) */
        char alertmanager_url[CONFIG_URL_MAX];  /* [Alertmanager] URL=: "" for none */
        uint64_t alertmanager_resend_usec;      /* [Alertmanager] ResendInterval=: firing alerts again */
        char webhook_url[CONFIG_URL_MAX];       /* [Webhook] URL=: "" for none */
        struct host_conf *host;                 /* nginx's and php-fpm's configuration as read by
                                                 * loadconf(); owned, NULL when not read; freed by
                                                 * config_free() */
};

struct config_error {
        char text[PATH_MAX + 512];      /* "FILE:LINE: unknown key 'X' in [Daemon]; did you mean 'Y'?" */
};

/* Checks a push URL ([Alertmanager] URL=, [Webhook] URL=) the way the program that sends to it
 * reads it (badgatewayd: daemon/url.c, libcurl's parser, in its network module). 0 when url is
 * fine; -EINVAL with *why saying what is wrong with it ("no host"); another -errno when it cannot
 * check at all, *why then saying why ("cannot load …"). *why: static, or valid until the next call. */
typedef int config_url_check_fn(const char *url, const char **why);
/* The checker config_load() and config_parse_string() use from now on, for the whole process.
 * Without one (NULL, the start) every URL= is an error: "this program has no URL checker". */
void config_set_url_check(config_url_check_fn *check);

/* Every setting at its default: no pools, no logs, no user (discovery fills them), host NULL. */
void config_defaults(struct config *c);
/* Frees c, its host_conf included; NULL is fine. */
void config_free(struct config *c);
/* Parses text as if read from `file` (used in messages). 0, or -EINVAL with err filled. */
int config_parse_string(struct config *c, const char *file, const char *text, struct config_error *err);
/* file, then its drop-ins FILE.d/\*.conf (lib/config/dropins.h); drop-ins without file are read
 * alone (c->file is then "FILE.d"). 0, -errno when a file cannot be read, or -EINVAL; err always
 * says what and where. -ENOENT with c at its defaults (c->file "") when neither file nor any
 * drop-in exists. */
int config_load(struct config *c, const char *file, struct config_error *err);
/* The sections badgatewayd.conf knows, NULL-terminated: "Daemon", …, "Pool NAME" (any
 * "[Pool X]"). Static storage. */
const char *const *config_sections(void);
/* The keys of one of those sections, NULL-terminated, static storage; NULL for an unknown
 * section. */
const char *const *config_section_keys(const char *section);
