/*
 * nginx's own configuration, read without nginx: who its workers run as, where it logs, and
 * where each location passes requests (fastcgi_pass and its kin), with file:line for each.
 *
 * The parser is pure: nginx_conf_parse() takes a file's bytes and never opens a file; an
 * `include` is handed to the caller's callback. nginx_conf_load() is that caller for files
 * on disk. Tokens are read as nginx 1.22's ngx_conf_read_token() reads them
 * (src/core/ngx_conf_file.c; ngx_conf_parse() and ngx_conf_include() for blocks and
 * includes): directives end with ';', blocks are '{' '}', '#' starts a comment only where a
 * token could start, "double" and 'single' quotes, a backslash escapes the next byte
 * (\" \' \\ \t \r \n are replaced, any other stays as written), and "${" inside a word does
 * not open a block.
 *
 * Problems are never fatal: each is a diagnostic with file:line, in nginx's words where nginx
 * has some, and reading goes on:
 *   - a stray '}' (ignored), ';' or '{' without a directive; a directive cut by '}' or by the
 *     end of the file (dropped); a block left open at the end of a file (closed there: an
 *     included file cannot close its includer's blocks, as in nginx);
 *   - an unterminated quote (its directive is dropped, reading goes on at the next line), a
 *     byte glued to a closing quote, a token or comment of 4096 bytes or more (nginx refuses
 *     it), a control byte (the first per file), a UTF-8 byte order mark;
 *   - a collected directive nginx would refuse: in the wrong block, with the wrong number of
 *     arguments, duplicated, or with a target that is no address (not collected);
 *   - an include loop: a file included while it is being read (nginx reads it again and again
 *     until a directive is duplicate, or crashes); said once at that include, the file is not
 *     read again; an include nested deeper than NGINX_CONF_INCLUDE_DEPTH files;
 *   - from the loader, a file it cannot read.
 * Unknown directives are not collected and not reported (nginx has hundreds), nor is anything
 * inside a block this reader does not follow (events, stream, mail, types, map, geo, ...).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "address.h"

/* Caps: what a hostile or broken file can make this reader keep. Past a cap, one diagnostic
 * says so and the rest of that kind is not collected. */
enum {
        NGINX_CONF_TOKEN_MAX = 4095,    /* bytes of a token or comment; nginx's own limit: a longer
                                         * one fills its 4096-byte NGX_CONF_BUFFER, "too long parameter" */
        NGINX_CONF_ARGS_MAX = 32,       /* arguments kept per directive; more are counted */
        NGINX_CONF_NEST_MAX = 64,       /* blocks inside blocks; deeper ones are not read */
        NGINX_CONF_INCLUDE_DEPTH = 16,  /* files included inside included files */
        NGINX_CONF_MAX_BLOCKS = 32768,
        NGINX_CONF_MAX_PASSES = 8192,
        NGINX_CONF_MAX_UPSTREAMS = 2048,
        NGINX_CONF_MAX_SERVERS = 8192,  /* upstream servers, in all upstreams */
        NGINX_CONF_MAX_ERROR_LOGS = 1024,
        NGINX_CONF_MAX_SETTINGS = 16384,
        NGINX_CONF_MAX_FILES = 1024,    /* distinct files parsed */
        NGINX_CONF_MAX_DIAGS = 256,     /* more are counted in n_diags_dropped */
        NGINX_CONF_DIAG_TEXT_MAX = 256, /* bytes of one message, NUL included */
        NGINX_CONF_STRINGS_MAX = 16 << 20,      /* bytes of text kept, in all */
};

/* Where something is: the file as nginx names it (the include's path, not under a root) and
 * its 1-based line. For a directive, the line its name starts on (nginx's own messages cite
 * the line of its ';' or '{'). file is "" and line 0 for what is not set. */
struct nginx_at {
        const char *file;
        unsigned line;
};

/* The block a directive stands in. Blocks this reader does not follow are NGINX_OTHER. */
enum nginx_context {
        NGINX_MAIN,             /* the top level: user, error_log, http { } */
        NGINX_HTTP,
        NGINX_SERVER,           /* server { } inside http */
        NGINX_LOCATION,         /* location { }, in a server or another location */
        NGINX_SERVER_IF,        /* if (...) { } in a server */
        NGINX_LOCATION_IF,      /* if (...) { } in a location */
        NGINX_LIMIT_EXCEPT,     /* limit_except METHOD { } in a location */
        NGINX_UPSTREAM,         /* upstream NAME { } inside http */
        NGINX_OTHER,            /* events, stream, mail, types, map, ... and what they hold */
};

/* The settings collected where set, for a later look at the one that applies to a pass. */
enum nginx_setting_name {
        NGINX_FASTCGI_READ_TIMEOUT,
        NGINX_FASTCGI_CONNECT_TIMEOUT,
        NGINX_FASTCGI_BUFFER_SIZE,
        NGINX_FASTCGI_BUFFERS,
        NGINX_FASTCGI_KEEP_CONN,
        NGINX_SETTING_COUNT,
};

struct nginx_block {
        enum nginx_context kind;
        int parent;                     /* index in blocks; -1 for the main context, blocks[0] */
        const char *args;               /* as written, joined by one space: "~ \.php$" for a
                                         * location, the upstream's name, an if's condition; "" */
        const char *server_name;        /* NGINX_SERVER: first name of its first server_name,
                                         * wherever in the block it stands; NULL when it has none */
        int settings[NGINX_SETTING_COUNT];      /* index in settings of each one set directly in
                                                 * this block, or -1 */
        int pass;                       /* index in passes of the first pass set here, or -1 */
        struct nginx_at at;
};

/* `user USER [GROUP];` in the main context. nginx takes the group of USER's name when GROUP is
 * not given, and ignores the directive unless its master runs as root. */
struct nginx_user {
        bool set;                       /* false: no user directive; nginx then uses its built-in
                                         * user (./configure --user=, "nobody" by default) */
        const char *user, *group;       /* "" when not set */
        struct nginx_at at;
};

enum nginx_log_kind {
        NGINX_LOG_FILE,                 /* a path as written; a relative one is under nginx's
                                         * prefix (-p), "off" is a file named off */
        NGINX_LOG_STDERR,
        NGINX_LOG_SYSLOG,               /* "syslog:server=...,..." */
        NGINX_LOG_MEMORY,               /* "memory:32m", debug builds only */
};

/* `error_log TARGET [LEVEL];` */
struct nginx_error_log {
        enum nginx_log_kind kind;
        const char *target;             /* as written: "/var/log/nginx/error.log", "stderr", ... */
        const char *level;              /* emerg alert crit error warn notice info debug; "error"
                                         * when not given, "debug" for debug_http and its kin */
        enum nginx_context context;     /* MAIN, HTTP, SERVER or LOCATION */
        int block;                      /* index in blocks */
        struct nginx_at at;
};

enum nginx_target_kind {
        NGINX_TARGET_ADDRESS,           /* address holds it: UNIX, INET, INET6, ANY, HOST, or GROUP
                                         * for an upstream's name */
        NGINX_TARGET_VARIABLE,          /* it holds a '$': known only per request, never guessed */
};

struct nginx_target {
        enum nginx_target_kind kind;
        const char *text;               /* as written, quotes and escapes resolved */
        struct address address;         /* NGINX_TARGET_ADDRESS only */
};

enum nginx_pass_module {
        NGINX_FASTCGI_PASS,
        NGINX_UWSGI_PASS,
        NGINX_SCGI_PASS,
        NGINX_GRPC_PASS,
        NGINX_PROXY_PASS,               /* only one to a unix socket: http://unix:/path:/uri */
};

struct nginx_pass {
        enum nginx_pass_module module;
        struct nginx_target target;     /* scheme and URI dropped: "http://unix:/x.sock:/app" is
                                         * unix:/x.sock */
        const char *server_name;        /* first name of the enclosing server's server_name; "" */
        const char *location;           /* the innermost enclosing location's args: "~ \.php$" */
        int block;                      /* index in blocks: a location, an if or a limit_except */
        struct nginx_at at;
};

/* `server ADDRESS [weight=N] [backup] [down] ...;` in an upstream. */
struct nginx_upstream_server {
        struct nginx_target target;     /* port 80 added when none, as nginx does: never VARIABLE */
        int weight;                     /* 1 unless weight=N */
        bool backup, down;
        struct nginx_at at;
};

struct nginx_upstream {
        const char *name;
        size_t first_server, n_servers; /* its servers: servers[first_server ...] */
        int keepalive;                  /* `keepalive N;` connections kept per worker; 0 if not set */
        struct nginx_at keepalive_at;
        int block;                      /* index in blocks */
        struct nginx_at at;
};

/* One of enum nginx_setting_name where it is set. */
struct nginx_setting {
        enum nginx_setting_name name;
        const char *value;              /* as written, arguments joined by one space: "60s", "8 16k" */
        enum nginx_context context;     /* HTTP, SERVER or LOCATION */
        int block;                      /* index in blocks */
        struct nginx_at at;
};

struct nginx_diag {
        struct nginx_at at;             /* line 0: the file as a whole (it could not be read) */
        char text[NGINX_CONF_DIAG_TEXT_MAX];    /* "unexpected \"}\"": no file:line, control
                                                 * bytes shown as '?' */
};

struct nginx_conf_private;

/* What was read. Arrays are in the order nginx reads the directives (includes expanded in
 * place); every pointer stays valid until nginx_conf_free(). */
struct nginx_conf {
        struct nginx_user user;
        struct nginx_error_log *error_logs;
        size_t n_error_logs;
        struct nginx_pass *passes;
        size_t n_passes;
        struct nginx_upstream *upstreams;
        size_t n_upstreams;
        struct nginx_upstream_server *servers;
        size_t n_servers;
        struct nginx_setting *settings;
        size_t n_settings;
        struct nginx_block *blocks;     /* blocks[0] is the main context */
        size_t n_blocks;
        const char **files;             /* each file parsed, once, in the order first read */
        size_t n_files;
        const char **includes;          /* each include's path as the loader resolved it (absolute;
                                         * a glob, or a file that may be missing), once: with files,
                                         * where a change to the configuration can come from */
        size_t n_includes;
        struct nginx_diag *diags;
        size_t n_diags;
        size_t n_diags_dropped;         /* past NGINX_CONF_MAX_DIAGS */
        struct nginx_conf_private *priv;
};

/*
 * Asked for each `include PATTERN;` (pattern as written, unquoted; from_file and line: the
 * directive's). The callback finds the files, reads each and hands it to nginx_conf_parse()
 * on the same nginx_conf, which reads it inside the block the include stands in. It reports
 * its own problems with nginx_conf_report(). Returns 0, or a negative errno (-ENOMEM) that
 * stops the reading: nginx_conf_parse() returns it.
 */
typedef int nginx_include_fn(void *ud, const char *pattern, const char *from_file, unsigned line);

/* An empty configuration; include may be NULL (includes are then skipped). NULL on ENOMEM. */
struct nginx_conf *nginx_conf_new(nginx_include_fn *include, void *ud);
void nginx_conf_free(struct nginx_conf *c);

/*
 * Parses n bytes of text (any bytes; no NUL needed) as the file named `file`. Called by the
 * caller for the main file, and from the include callback for each included one: that file is
 * read in the block its include stands in, and must close the blocks it opens. What it finds
 * is appended to c; problems become diagnostics. Returns 0, -ENOMEM, or the callback's error.
 */
int nginx_conf_parse(struct nginx_conf *c, const char *file, const char *text, size_t n);

/* Reports an include loop at the include (from, line): file, which it names, is being read
 * already. nginx_conf_parse() says it for a file named as one under way; for loaders that know
 * the same file by another name (a symlink). */
void nginx_conf_report_loop(struct nginx_conf *c, const char *from, unsigned line, const char *file);

/* Records an include's resolved path in includes (at most NGINX_CONF_MAX_FILES); for loaders. */
void nginx_conf_note_include(struct nginx_conf *c, const char *path);

/* Adds a diagnostic at file:line (line 0: the file as a whole), printf-style; for loaders. */
void nginx_conf_report(struct nginx_conf *c, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The loader's caps on what it reads; each, when reached, is a diagnostic. */
enum {
        NGINX_LOAD_FILE_MAX = 16 << 20,         /* bytes of one file: a larger one is not read */
        NGINX_LOAD_TOTAL_MAX = 64 << 20,        /* bytes read in all */
        NGINX_LOAD_MAX_READS = 4096,            /* files read, the same one counted each time */
};

/*
 * Reads nginx's configuration from disk as nginx would from `main_path` (absolute, as nginx
 * names it: "/etc/nginx/nginx.conf"), every file looked up under `root` as if root were "/"
 * (like systemctl --root; NULL, "" or "/" for the host): the path is walked one component at
 * a time, ".." stops at root and a symlink's target, absolute or not, is walked inside root
 * (as openat2's RESOLVE_IN_ROOT would; at most 40 symlinks a path). An include's relative path is relative to main_path's directory
 * (nginx's conf prefix, not the including file's); a pattern with * ? or [ is expanded with
 * glob(3), sorted, without dot files, and may match nothing, as in ngx_conf_include(). A file
 * that cannot be read (missing, a directory, a FIFO or device, over a cap) is a diagnostic at
 * its include's file:line, and reading goes on; so is a file that is being read already, under
 * whatever name (an include loop, through symlinks too: the same device and inode).
 * Returns 0 with *out set when main_path was read, whatever else went wrong; -errno with *out
 * set and a diagnostic at main_path, line 0, when it or root could not be opened or read
 * (-ENOENT: no nginx here); -ENOMEM, or -EINVAL (main_path not absolute), with *out NULL.
 * Free *out with nginx_conf_free().
 */
int nginx_conf_load(struct nginx_conf **out, const char *root, const char *main_path);

/* The setting that applies to pass p: the one in its block, else in the nearest enclosing
 * location, server or http that sets it; NULL when none does (nginx's default applies). */
const struct nginx_setting *nginx_conf_effective(const struct nginx_conf *c, const struct nginx_pass *p,
                                                 enum nginx_setting_name name);

/* The first upstream named name, or NULL: where a pass's GROUP target leads. */
const struct nginx_upstream *nginx_conf_upstream(const struct nginx_conf *c, const char *name);

/* "fastcgi_read_timeout", "fastcgi_pass", "location": the directive's or block's name. */
const char *nginx_setting_str(enum nginx_setting_name name);
const char *nginx_pass_str(enum nginx_pass_module module);
const char *nginx_context_str(enum nginx_context context);
