/*
 * php-fpm's own configuration: php-fpm.conf, the files its include= lines name, [global] and
 * every pool, read the way php-fpm 8.2 reads them, each value with the file and line it came from.
 *
 * The format is php-src's: sapi/fpm/fpm/fpm_conf.c (fpm_conf_load_ini_file reads one line at a
 * time and hands each line alone to Zend's INI scanner, Zend/zend_ini_scanner.l, in
 * ZEND_INI_SCANNER_NORMAL mode; fpm_conf_set_* read the values; fpm_conf_expand_pool_name
 * replaces $pool; fpm_conf_post_process and fpm_conf_process_all_pools give the defaults and
 * refuse what php-fpm will not start with). So, as php-fpm does:
 *   - `;` starts a comment, at a line's start or inside a value; `#` does not (php ≥ 7): a `#`
 *     line is a key without '=' and php-fpm refuses to start.
 *   - keys are matched case-insensitively; `include` only in lower case, in any section.
 *   - "…" quotes take \" \\ \$ escapes and ${VAR}; '…' quotes are raw; the spaces around a "…"
 *     string are dropped; an unquoted yes/on/true is "1" and no/off/false/none/null is "".
 *   - ${VAR} is the caller's environment's VAR, "" when unset (${VAR:-default}: php ≥ 8.3); a
 *     value that named an unset one says which (fpm_conf_value.unset_var). php-fpm looks a name
 *     up among php.ini's directives before its environment; this reader knows only the latter.
 *   - $pool in a string value is the pool's name; outside a pool php-fpm refuses it.
 *   - a section seen again reopens its pool (names compare case-insensitively); [global] is the
 *     globals. The section carries across include= files: keys at the top of an included file
 *     belong to the section open where it was included.
 *   - relative paths: include=, a pool's prefix, listen, slowlog and access.log are relative to
 *     the prefix (php-fpm -p, else the pool's prefix for pool paths, else PHP_PREFIX, /usr on
 *     Debian); pid and error_log to the prefix, else PHP_LOCALSTATEDIR (/var).
 *   - a repeated key: the last one wins; php_value[…] and php_admin_value[…]: the first one wins,
 *     and php_admin_value wins over php_value.
 * PHP constants inside values (E_ALL) and the INI operators | & ^ ~ ! ( ) are not evaluated: a
 * value with an operator is not kept, and is a warning where php would compute a number from it,
 * an error where php's grammar refuses the line.
 *
 * Never fatal: a missing include, an unreadable file, a bad value, a key outside any section,
 * garbage bytes or an over-long line is a diagnostic with file:line; the rest is still read.
 * Keys this reader does not know are skipped without a word (php-fpm has many).
 *
 * Bounds on hostile input (each past it is a diagnostic, never a silent cut). All told a
 * configuration holds at most 16 MiB of text, 1024 pools of about 1 KiB and 256 diagnostics;
 * fpm_conf_load() holds one file's contents per include level (5 at most, each under 8 MiB).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "address.h"

enum {
        FPM_CONF_LINE_MAX = 65536,      /* bytes of one line; a longer one is skipped whole */
        FPM_CONF_VALUE_MAX = 4096,      /* bytes of one value after ${VAR} and $pool */
        FPM_CONF_NAME_MAX = 256,        /* bytes of a pool's name */
        FPM_CONF_POOLS_MAX = 1024,      /* pools kept */
        FPM_CONF_FILES_MAX = 1024,      /* file reads, the main one included (a file read twice counts twice) */
        FPM_CONF_INCLUDES_MAX = 256,    /* include= lines recorded (all are still followed) */
        FPM_CONF_DIAGS_MAX = 256,       /* diagnostics kept; the rest are counted */
        FPM_CONF_DEPTH_MAX = 5,         /* files deep: php-fpm's own limit */
        FPM_CONF_FILE_SIZE_MAX = 4 << 20, /* bytes of one file fpm_conf_load() reads */
        FPM_CONF_TEXT_MAX = 16 << 20,   /* bytes of all values and names stored, each counted with */
        FPM_CONF_TEXT_OVERHEAD = 32,    /* this much more for its allocation */
        FPM_CONF_DIAG_TEXT = 320,       /* bytes of one diagnostic's text */
};

/* id, the key as written, its kind (how the value reads), the default php-fpm uses (NULL: none). */
#define FPM_GLOBAL_KEYS(X)                                                              \
        X(PID, "pid", PATH, NULL)                                                       \
        X(ERROR_LOG, "error_log", PATH, "log/php-fpm.log")                              \
        X(LOG_LEVEL, "log_level", LOG_LEVEL, "notice")

#define FPM_POOL_KEYS(X)                                                                \
        X(LISTEN, "listen", LISTEN, NULL)                                               \
        X(LISTEN_OWNER, "listen.owner", STRING, NULL)                                   \
        X(LISTEN_GROUP, "listen.group", STRING, NULL)                                   \
        X(LISTEN_MODE, "listen.mode", MODE, "0660")                                     \
        X(LISTEN_ACL_USERS, "listen.acl_users", LIST, NULL)                             \
        X(LISTEN_ACL_GROUPS, "listen.acl_groups", LIST, NULL)                           \
        X(LISTEN_BACKLOG, "listen.backlog", INT, "-1")                                  \
        X(USER, "user", STRING, NULL)                                                   \
        X(GROUP, "group", STRING, NULL)                                                 \
        X(PM, "pm", PM, NULL)                                                           \
        X(PM_MAX_CHILDREN, "pm.max_children", INT, NULL)                                \
        X(PING_PATH, "ping.path", URI, NULL)                                            \
        X(STATUS_PATH, "pm.status_path", URI, NULL)                                     \
        X(REQUEST_TERMINATE_TIMEOUT, "request_terminate_timeout", TIME, "0")            \
        X(REQUEST_SLOWLOG_TIMEOUT, "request_slowlog_timeout", TIME, "0")                \
        X(SLOWLOG, "slowlog", PATH, NULL)                                               \
        X(CATCH_WORKERS_OUTPUT, "catch_workers_output", BOOL, "no")                     \
        X(ACCESS_LOG, "access.log", PATH, NULL)                                         \
        X(PREFIX, "prefix", PATH, NULL)                                                 \
        X(PHP_VALUE_MEMORY_LIMIT, "php_value[memory_limit]", SIZE, NULL)                \
        X(PHP_ADMIN_VALUE_MEMORY_LIMIT, "php_admin_value[memory_limit]", SIZE, NULL)

/*
 * What a value's number holds, by kind:
 *   STRING, LIST, URI  none (0); LIST is comma-separated, see fpm_conf_list()
 *   PATH               none; text is absolute once fpm_conf_finish() ran (error_log may be "syslog")
 *   LISTEN             none; the pool's address holds it parsed
 *   INT                the number (php-fpm's atoi)
 *   TIME               seconds (30, 30s, 5m, 1h, 1d)
 *   BOOL               1 or 0
 *   MODE               the mode bits, as strtoul(text, 8) reads them (0660)
 *   PM                 enum fpm_pm
 *   LOG_LEVEL          the syslog priority: LOG_DEBUG, LOG_NOTICE, LOG_WARNING, LOG_ERR, LOG_ALERT
 *   SIZE               bytes (128M, 1G; -1: no limit), as PHP reads a quantity
 */
enum fpm_key_kind {
        FPM_KIND_STRING,
        FPM_KIND_LIST,
        FPM_KIND_URI,
        FPM_KIND_PATH,
        FPM_KIND_LISTEN,
        FPM_KIND_INT,
        FPM_KIND_TIME,
        FPM_KIND_BOOL,
        FPM_KIND_MODE,
        FPM_KIND_PM,
        FPM_KIND_LOG_LEVEL,
        FPM_KIND_SIZE,
};

enum fpm_global_key {
#define X(id, name, kind, def) FPM_GLOBAL_##id,
        FPM_GLOBAL_KEYS(X)
#undef X
        FPM_GLOBAL__MAX,
};

enum fpm_pool_key {
#define X(id, name, kind, def) FPM_POOL_##id,
        FPM_POOL_KEYS(X)
#undef X
        FPM_POOL__MAX,
};

enum fpm_pm {
        FPM_PM_STATIC = 1,
        FPM_PM_DYNAMIC,
        FPM_PM_ONDEMAND,
};

struct fpm_conf_value {
        const char *text;       /* NUL-terminated, as php-fpm has it (after ${VAR} and $pool); NULL:
                                 * not set and no default */
        const char *file;       /* where it was set (one of fpm_conf.files); NULL for a default */
        int line;               /* 1-based; 0 for a default */
        bool ok;                /* number holds the value's meaning (set and readable, or a default) */
        long long number;       /* by the key's kind, see enum fpm_key_kind */
        const char *unset_var;  /* the first ${VAR} the value names that the environment given does not
                                 * set (and no :-fallback covers): text holds '' in its place, as
                                 * php-fpm would read it there, but the php-fpm that runs may well have
                                 * it; NULL when every variable was set */
        const char *written;    /* with unset_var: the value as the file writes it ("${SOCKDIR}/www.sock");
                                 * NULL otherwise */
};

struct fpm_conf_pool {
        const char *name;               /* as in [NAME] */
        const char *file;               /* where [NAME] first appears */
        int line;
        struct fpm_conf_value v[FPM_POOL__MAX];
        bool has_address;               /* address holds listen, parsed */
        struct address address;         /* UNIX, INET, INET6, ANY (listen = 9000) or HOST */
};

struct fpm_conf_include {
        const char *pattern;    /* the glob, absolute (as php-fpm resolves it) */
        const char *file;       /* the include= line */
        int line;
        int matched;            /* files it matched; -1 when nobody followed it (no include callback) */
};

enum fpm_conf_severity {
        FPM_CONF_WARNING,       /* php-fpm starts; the value is odd, ignored, or not read here */
        FPM_CONF_ERROR,         /* php-fpm refuses to start with this configuration */
};

struct fpm_conf_diag {
        const char *file;       /* one of fpm_conf.files, or the path that could not be read */
        int line;               /* 1-based; 0: the file as a whole */
        enum fpm_conf_severity severity;
        char text[FPM_CONF_DIAG_TEXT];  /* one line, without file:line */
};

struct fpm_conf_state;

struct fpm_conf {
        struct fpm_conf_value global[FPM_GLOBAL__MAX];
        struct fpm_conf_pool *pools;                 /* in the order php-fpm creates them */
        size_t n_pools;
        const char **files;                     /* every file read, as the host names it; [0] the main one */
        size_t n_files;
        struct fpm_conf_include *includes;
        size_t n_includes;
        struct fpm_conf_diag *diags;            /* in the order found */
        size_t n_diags;
        size_t n_diags_dropped;                 /* found past FPM_CONF_DIAGS_MAX */
        struct fpm_conf_state *state;           /* the reader's own */
};

/* Called for each include= line with the pattern made absolute; reads what it matches with
 * fpm_conf_parse() and returns how many files matched. */
typedef int (*fpm_conf_include_fn)(void *ctx, struct fpm_conf *c, const char *pattern,
                                   const char *file, int line);
/* The value of environment variable name, or NULL when unset. */
typedef const char *(*fpm_conf_env_fn)(void *ctx, const char *name);

struct fpm_conf_options {
        const char *prefix;             /* php-fpm's -p, or NULL */
        const char *php_prefix;         /* PHP_PREFIX php-fpm was built with; NULL: "/usr" */
        const char *localstatedir;      /* PHP_LOCALSTATEDIR; NULL: "/var" */
        fpm_conf_env_fn env;            /* NULL: every ${VAR} is unset */
        void *env_ctx;
        fpm_conf_include_fn include;    /* NULL: include= lines are recorded, not followed */
        void *include_ctx;
};

/* An fpm_conf_env_fn over an environ-style array ("NAME=value", NULL-terminated) given as ctx. */
const char *fpm_conf_envp(void *envp, const char *name);

/* A new, empty configuration; the options and their three directories are copied. NULL on ENOMEM. */
struct fpm_conf *fpm_conf_new(const struct fpm_conf_options *o);
struct fpm_conf *fpm_conf_free(struct fpm_conf *c);

/*
 * Reads n bytes of text (no NUL needed; a NUL inside is a diagnostic) as the file named `file`,
 * the host's path (it names the file in values and diagnostics). Pure: include= lines go to the
 * options' include callback, which calls this again for each file, FPM_CONF_DEPTH_MAX deep at
 * most. Pools, values and diagnostics add up in c across calls.
 */
void fpm_conf_parse(struct fpm_conf *c, const char *file, const char *text, size_t n);

/* Records a diagnostic (the loader's unreadable files, for one). line 0: the file as a whole. */
void fpm_conf_diag(struct fpm_conf *c, const char *file, int line, enum fpm_conf_severity severity,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * After the last fpm_conf_parse(): what php-fpm does once every file is read. Fills the
 * defaults, makes paths absolute, parses each listen, and reports what php-fpm refuses: no pool,
 * a pool without listen, user, pm or a positive pm.max_children, a ping.path or pm.status_path
 * php-fpm rejects, request_slowlog_timeout without slowlog. Call it once.
 */
void fpm_conf_finish(struct fpm_conf *c);

/*
 * Reads main_path and everything it includes, as php-fpm would, under root (a directory taken
 * as "/", like systemctl --root; NULL, "" or "/" for the host), then fpm_conf_finish(). Paths in
 * the result are the host's, without root. include= globs are expanded with glob(3), sorted;
 * a directory is skipped, a file that is not a regular file or is over FPM_CONF_FILE_SIZE_MAX
 * bytes is a diagnostic. Every path is resolved inside root (under_root.h, as nginx_conf_load()
 * does): ".." stops at root and a symlink, absolute or relative, is followed inside it. A root
 * that cannot be opened is a diagnostic at main_path. When o->php_prefix is NULL and main_path
 * is "P/etc/php-fpm.conf" (the official image's /usr/local/etc/php-fpm.conf), PHP_PREFIX is P
 * and PHP_LOCALSTATEDIR P/var.
 * o may be NULL; its include callback is the loader's own. NULL only on ENOMEM: a main file that
 * cannot be read is a diagnostic.
 */
struct fpm_conf *fpm_conf_load(const char *root, const char *main_path, const struct fpm_conf_options *o);

/* The key's name as written ("pm.max_children") and its kind. */
const char *fpm_global_key_name(enum fpm_global_key k);
const char *fpm_pool_key_name(enum fpm_pool_key k);
enum fpm_key_kind fpm_pool_key_kind(enum fpm_pool_key k);

/* The pool named name (case-insensitive, as php-fpm matches sections), or NULL. */
const struct fpm_conf_pool *fpm_conf_find_pool(const struct fpm_conf *c, const char *name);

/* The items of a LIST value ("apache,nginx"), split on ',' as php-fpm splits them (no trimming):
 * fills up to max spans into v->text and returns how many items there are (0 when unset). */
size_t fpm_conf_list(const struct fpm_conf_value *v, struct span *items, size_t max);

/* "FILE:LINE: error: TEXT" (":LINE" left out for line 0) into buf; returns buf. */
const char *fpm_conf_diag_format(const struct fpm_conf_diag *d, char *buf, size_t size);
