/* The one table of event kinds and root causes. Adding a kind is one row here. */
#pragma once
#include <stdbool.h>
#include <syslog.h>

/*
 * Root causes a diagnosis can name (the seed's causes and their neighbours):
 * name, id, journal MESSAGE_ID (fixed forever, made with systemd-id128 new), syslog priority,
 * what it means.
 */
#define CAUSE_LIST(X)                                                                   \
        X(FPM_DOWN, "fpm_down", "d19a380c21834a18a086b9a5b3e945c8", LOG_CRIT,              \
          "PHP-FPM is not running, crashed or never started")                           \
        X(SOCKET_MISMATCH, "socket_mismatch", "a4bf58a4b33d4768a9f74b248701cec1", LOG_CRIT,  \
          "fastcgi_pass names a socket or port nobody serves")                          \
        X(SOCKET_PERMISSION, "socket_permission", "73d40285a909461c94e50317f139c4e2", LOG_CRIT, \
          "nginx's worker user may not connect to the socket")                          \
        X(WORKER_KILLED, "worker_killed", "7af1c7cd0638413ebe42c68140bf95bb", LOG_ERR,       \
          "a PHP-FPM worker died mid-request (OOM kill, crash, terminate timeout)")       \
        X(POOL_SATURATED, "pool_saturated", "051c13dbd79e46969e53aa99ed084709", LOG_ERR,     \
          "every PHP-FPM worker is busy (max_children, listen backlog)")                \
        X(UPSTREAM_TIMEOUT, "upstream_timeout", "4034de12a2cb4439b9e83aa6be499ad8", LOG_WARNING, \
          "a script ran past nginx's fastcgi_read_timeout")                             \
        X(PHP_MEMORY_EXHAUSTED, "php_memory_exhausted", "dced598141d74858b7b71ba151df02a6", LOG_WARNING, \
          "a script hit PHP's memory_limit")                                            \
        X(PHP_FATAL, "php_fatal", "e6ab18102eb8431886497114667bf560", LOG_WARNING,           \
          "a script died of a PHP fatal error")                                         \
        X(HEADER_TOO_BIG, "header_too_big", "a02f02b78c96457a82366bedd48c5df4", LOG_ERR,     \
          "response headers exceed fastcgi_buffer_size")                                \
        X(NOT_FASTCGI, "not_fastcgi", "9db050b7ea6043df8a1db6af37d15bb7", LOG_CRIT,          \
          "fastcgi_pass points at something that does not speak FastCGI")               \
        X(APP_BAD_RESPONSE, "app_bad_response", "401452d426d54a35ae4959e305c00f3b", LOG_ERR, \
          "the application sent an invalid or truncated response")                      \
        X(SCRIPT_CONFIG, "script_config", "7cfd72cbec2548b8b3e6f1f28cbac76d", LOG_WARNING,   \
          "SCRIPT_FILENAME, file permissions or security.limit_extensions are wrong")   \
        X(NGINX_ERROR_LOG_LEVEL, "nginx_error_log_level", "b78f09254c314b58a436e95724ee578b", LOG_WARNING, \
          "nginx's error_log level is above error and hides the lines that name a 502's cause") \
        X(NGINX_ERROR_LOG_OFF, "nginx_error_log_off", "96736c5cd2fa47b39518569e6f486ef9", LOG_WARNING, \
          "error_log off: nginx writes its errors to a file named off")                   \
        X(FPM_LOG_LEVEL, "fpm_log_level", "804ea9a91d5a41338ba3ada9878ab427", LOG_WARNING,   \
          "php-fpm's log_level is above warning and hides worker deaths and max_children") \
        X(FASTCGI_READ_TIMEOUT_SHORT, "fastcgi_read_timeout_short", "7a295912a90d49d68cba368304beb10a", LOG_WARNING, \
          "fastcgi_read_timeout is shorter than the pool's request_terminate_timeout")    \
        X(FPM_MEMORY_OVERCOMMIT, "fpm_memory_overcommit", "18fa8f596df8472a9e963d40357fb4f2", LOG_WARNING, \
          "pm.max_children x memory_limit is more memory than the pool may use")         \
        X(FPM_UNIT_MISSING, "fpm_unit_missing", "6d5c8abae6654b198026e014119aed50", LOG_WARNING, \
          "a PHP-FPM pool has no systemd unit, or its unit is disabled")                 \
        X(UPSTREAM_TLS, "upstream_tls", "3b02abc86e204499a80bc6495e9a0b9a", LOG_ERR,         \
          "the TLS handshake with the upstream failed (SNI, protocols, certificate)")   \
        X(KEEPALIVE_CLOSED, "keepalive_closed", "3a12403c929943ccbc60a5b2e5ab4588", LOG_ERR, \
          "the upstream closed an idle kept-alive connection that nginx reused")

enum cause {
        CAUSE_NONE = 0,
#define X(name, id, msgid, prio, text) CAUSE_##name,
        CAUSE_LIST(X)
#undef X
        CAUSE__MAX,
};

#define C(name) (1u << CAUSE_##name)

/* Causes only the configuration shows (nginx's and php-fpm's files): no log line decides them. */
#define CAUSES_FROM_CONFIG                                                              \
        (C(NGINX_ERROR_LOG_LEVEL) | C(NGINX_ERROR_LOG_OFF) | C(FPM_LOG_LEVEL) |         \
         C(FASTCGI_READ_TIMEOUT_SHORT) | C(FPM_MEMORY_OVERCOMMIT) | C(FPM_UNIT_MISSING))

/*
 * How a line's cause is decided: its kind's row names the cause and the alternative, and when the
 * alternative wins. No switch decides again.
 */
enum kind_decide {
        DECIDE_ALT_IF_STATE = 1 << 0,   /* the target's state evidence shows alt (a saturated pool) */
        DECIDE_ALT_IF_UNSERVED = 1 << 1, /* no pool serves the address while a pool answers elsewhere */
        DECIDE_SUPPORTS = 1 << 2,       /* backs a finding up, never starts one (a restart logs these) */
};

/*
 * id, log source, syslog priority, causes it points to (bit set, as scan shows them), the cause it
 * decides, the alternative and when it wins (enum kind_decide), what it means.
 * The ids are a contract: scan --json, alerts and tests use them.
 */
#define KIND_LIST(X)                                                                     \
        X(UPSTREAM_SOCKET_MISSING, "upstream_socket_missing", NGINX, LOG_CRIT,           \
          C(FPM_DOWN) | C(SOCKET_MISMATCH), FPM_DOWN, SOCKET_MISMATCH, DECIDE_ALT_IF_UNSERVED, \
          "connect() to the unix socket failed: no such file (2)")                      \
        X(UPSTREAM_REFUSED, "upstream_refused", NGINX, LOG_ERR,                          \
          C(FPM_DOWN) | C(SOCKET_MISMATCH), FPM_DOWN, SOCKET_MISMATCH, DECIDE_ALT_IF_UNSERVED, \
          "connect() to the upstream was refused (111): nothing listens, or a stale socket") \
        X(UPSTREAM_PERMISSION_DENIED, "upstream_permission_denied", NGINX, LOG_CRIT,     \
          C(SOCKET_PERMISSION), SOCKET_PERMISSION, NONE, 0,                              \
          "connect() to the unix socket failed: permission denied (13)")                \
        X(UPSTREAM_BACKLOG_FULL, "upstream_backlog_full", NGINX, LOG_ERR,                \
          C(POOL_SATURATED), POOL_SATURATED, NONE, 0,                                    \
          "the unix socket's listen backlog is full (11)")                              \
        X(UPSTREAM_CONNECT_ERROR, "upstream_connect_error", NGINX, LOG_ERR,              \
          C(FPM_DOWN) | C(SOCKET_MISMATCH), FPM_DOWN, SOCKET_MISMATCH, DECIDE_ALT_IF_UNSERVED, \
          "connect() to the upstream failed with another error")                        \
        X(UPSTREAM_RESET, "upstream_reset", NGINX, LOG_ERR,                              \
          C(WORKER_KILLED), WORKER_KILLED, NONE, 0,                                      \
          "the upstream reset the connection mid-request (104)")                        \
        X(UPSTREAM_CLOSED, "upstream_closed", NGINX, LOG_ERR,                            \
          C(WORKER_KILLED), WORKER_KILLED, NONE, 0,                                      \
          "the upstream closed the connection before a full response")                   \
        X(UPSTREAM_CONNECT_TIMEOUT, "upstream_connect_timeout", NGINX, LOG_ERR,          \
          C(POOL_SATURATED), POOL_SATURATED, NONE, 0,                                    \
          "connecting to the upstream timed out (TCP backlog full or host unreachable)") \
        X(UPSTREAM_READ_TIMEOUT, "upstream_read_timeout", NGINX, LOG_ERR,                \
          C(UPSTREAM_TIMEOUT) | C(POOL_SATURATED) | C(FASTCGI_READ_TIMEOUT_SHORT), UPSTREAM_TIMEOUT, POOL_SATURATED, \
          DECIDE_ALT_IF_STATE, \
          "the upstream sent nothing within fastcgi_read_timeout (504)")                 \
        X(UPSTREAM_HEADER_TOO_BIG, "upstream_header_too_big", NGINX, LOG_ERR,            \
          C(HEADER_TOO_BIG), HEADER_TOO_BIG, NONE, 0,                                    \
          "the upstream's response headers do not fit fastcgi_buffer_size")              \
        X(UPSTREAM_PROTOCOL_ERROR, "upstream_protocol_error", NGINX, LOG_ERR,            \
          C(NOT_FASTCGI), NOT_FASTCGI, NONE, 0,                                          \
          "the upstream's answer is not valid FastCGI")                                 \
        X(UPSTREAM_INVALID_HEADER, "upstream_invalid_header", NGINX, LOG_ERR,            \
          C(APP_BAD_RESPONSE), APP_BAD_RESPONSE, NONE, 0,                                \
          "the application sent a malformed response header or status")               \
        X(UPSTREAM_TRUNCATED, "upstream_truncated", NGINX, LOG_ERR,                     \
          C(APP_BAD_RESPONSE), APP_BAD_RESPONSE, NONE, 0,                                \
          "the FastCGI response ended before the body it promised (Content-Length)")    \
        X(UPSTREAM_STREAM_BROKEN, "upstream_stream_broken", NGINX, LOG_ERR,             \
          C(APP_BAD_RESPONSE), APP_BAD_RESPONSE, NONE, 0,                                \
          "the FastCGI stream broke mid-response: bytes that are no FastCGI record")    \
        X(UPSTREAM_TLS_FAILED, "upstream_tls_failed", NGINX, LOG_ERR,                   \
          C(UPSTREAM_TLS), UPSTREAM_TLS, NONE, 0,                                        \
          "the TLS handshake with an https/grpcs/suwsgi upstream failed")               \
        X(UPSTREAM_SEND_CLOSED, "upstream_send_closed", NGINX, LOG_ERR,                 \
          C(KEEPALIVE_CLOSED), KEEPALIVE_CLOSED, NONE, 0,                                \
          "a proxied upstream closed the connection while nginx sent the request (32, 104)") \
        X(NO_LIVE_UPSTREAMS, "no_live_upstreams", NGINX, LOG_ERR,                        \
          C(FPM_DOWN), FPM_DOWN, NONE, 0,                                                \
          "every server of the upstream group is marked down")                          \
        X(UPSTREAM_DISABLED, "upstream_disabled", NGINX, LOG_WARNING,                    \
          C(FPM_DOWN) | C(SOCKET_MISMATCH), FPM_DOWN, SOCKET_MISMATCH,                   \
          DECIDE_ALT_IF_UNSERVED | DECIDE_SUPPORTS,                                      \
          "nginx took a failing upstream server out for fail_timeout")                  \
        X(PHP_MEMORY_EXHAUSTED, "php_memory_exhausted", NGINX, LOG_ERR,                  \
          C(PHP_MEMORY_EXHAUSTED), PHP_MEMORY_EXHAUSTED, NONE, 0,                        \
          "PHP fatal error: allowed memory size exhausted")                             \
        X(PHP_TIME_LIMIT, "php_time_limit", NGINX, LOG_ERR,                              \
          C(PHP_FATAL), PHP_FATAL, NONE, 0,                                              \
          "PHP fatal error: maximum execution time exceeded")                           \
        X(PHP_FATAL, "php_fatal", NGINX, LOG_ERR,                                        \
          C(PHP_FATAL), PHP_FATAL, NONE, 0,                                              \
          "PHP fatal error")                                                            \
        X(SCRIPT_NOT_FOUND, "script_not_found", NGINX, LOG_WARNING,                      \
          C(SCRIPT_CONFIG), SCRIPT_CONFIG, NONE, 0,                                      \
          "php-fpm could not find the script (Primary script unknown)")                 \
        X(SCRIPT_DENIED, "script_denied", NGINX, LOG_WARNING,                            \
          C(SCRIPT_CONFIG), SCRIPT_CONFIG, NONE, 0,                                      \
          "php-fpm refused to open the script (permissions or security.limit_extensions)") \
        X(FPM_CHILD_SIGNAL, "fpm_child_signal", FPM, LOG_WARNING,                        \
          C(WORKER_KILLED), WORKER_KILLED, NONE, 0,                                      \
          "a PHP-FPM worker was killed by a signal")                                    \
        X(FPM_CHILD_EXIT, "fpm_child_exit", FPM, LOG_WARNING,                            \
          C(WORKER_KILLED), WORKER_KILLED, NONE, 0,                                      \
          "a PHP-FPM worker exited with a non-zero code")                               \
        X(FPM_MAX_CHILDREN, "fpm_max_children", FPM, LOG_WARNING,                        \
          C(POOL_SATURATED), POOL_SATURATED, NONE, 0,                                    \
          "the pool reached its max_children limit")                                    \
        X(FPM_POOL_BUSY, "fpm_pool_busy", FPM, LOG_WARNING,                              \
          C(POOL_SATURATED), POOL_SATURATED, NONE, 0,                                    \
          "the pool is spawning children fast: too few spare servers")                  \
        X(FPM_REQUEST_TERMINATED, "fpm_request_terminated", FPM, LOG_WARNING,            \
          C(WORKER_KILLED) | C(UPSTREAM_TIMEOUT), WORKER_KILLED, NONE, 0,                \
          "request_terminate_timeout killed a running request")                         \
        X(FPM_SLOW_REQUEST, "fpm_slow_request", FPM, LOG_NOTICE,                         \
          C(UPSTREAM_TIMEOUT), UPSTREAM_TIMEOUT, NONE, 0,                                \
          "a request ran past request_slowlog_timeout")                                 \
        X(FPM_STOPPING, "fpm_stopping", FPM, LOG_NOTICE,                                 \
          C(FPM_DOWN), FPM_DOWN, NONE, DECIDE_SUPPORTS,                                  \
          "the PHP-FPM master is shutting down")                                        \
        X(FPM_STARTED, "fpm_started", FPM, LOG_INFO,                                     \
          0, NONE, NONE, 0,                                                              \
          "the PHP-FPM master started and is ready")                                    \
        X(FPM_BIND_FAILED, "fpm_bind_failed", FPM, LOG_ERR,                              \
          C(FPM_DOWN), FPM_DOWN, NONE, 0,                                                \
          "PHP-FPM could not bind its listening socket")                                \
        X(FPM_INIT_FAILED, "fpm_init_failed", FPM, LOG_ERR,                              \
          C(FPM_DOWN), FPM_DOWN, NONE, 0,                                                \
          "PHP-FPM failed to initialise and did not start")                             \
        X(FPM_LOG_REOPENED, "fpm_log_reopened", FPM, LOG_INFO,                           \
          0, NONE, NONE, 0,                                                              \
          "PHP-FPM reopened its log (rotation)")                                     \
        X(FPM_RELOADING, "fpm_reloading", FPM, LOG_NOTICE,                               \
          C(WORKER_KILLED), WORKER_KILLED, NONE, DECIDE_SUPPORTS,                        \
          "the PHP-FPM master reloads (SIGUSR2): it ends its workers, in-flight requests too") \
        X(FPM_RELOADED, "fpm_reloaded", FPM, LOG_NOTICE,                                 \
          C(WORKER_KILLED), WORKER_KILLED, NONE, DECIDE_SUPPORTS,                        \
          "the PHP-FPM master's workers are gone and it re-executes itself (reloading: execvp)") \
        X(KERNEL_OOM_KILL, "kernel_oom_kill", KERNEL, LOG_ERR,                           \
          C(WORKER_KILLED), WORKER_KILLED, NONE, DECIDE_SUPPORTS,                        \
          "the kernel's OOM killer killed a process (Killed process PID, with its memory)") \
        X(KERNEL_OOM_SUMMARY, "kernel_oom_summary", KERNEL, LOG_INFO,                    \
          C(WORKER_KILLED), WORKER_KILLED, NONE, DECIDE_SUPPORTS,                        \
          "the kernel's OOM summary: constraint, memory cgroup and victim (oom-kill:)")  \
        X(KERNEL_MEMCG_USAGE, "kernel_memcg_usage", KERNEL, LOG_INFO,                    \
          C(WORKER_KILLED), WORKER_KILLED, NONE, DECIDE_SUPPORTS,                        \
          "an OOM report's memory cgroup usage and limit (memory: usage …, limit …)")

enum event_kind {
        KIND_NONE = 0,
#define X(name, id, src, prio, causes, cause, alt, decide, text) KIND_##name,
        KIND_LIST(X)
#undef X
        KIND__MAX,
};

enum log_source {
        SOURCE_NONE,
        SOURCE_NGINX,
        SOURCE_FPM,
        SOURCE_KERNEL,  /* the kernel's own records: /dev/kmsg, the journal's kernel transport */
};

struct kind_info {
        const char *id;
        enum log_source source;
        int priority;           /* syslog priority, LOG_CRIT … LOG_INFO */
        unsigned causes;        /* bit set of 1u << enum cause: what it points to */
        enum cause cause;       /* what it decides… */
        enum cause alt;         /* …unless this one wins (CAUSE_NONE: never) */
        unsigned decide;        /* enum kind_decide */
        const char *text;
};

const struct kind_info *kind_info(enum event_kind k);
const char *kind_id(enum event_kind k);
enum event_kind kind_from_id(const char *id);
const char *cause_id(enum cause c);
const char *cause_text(enum cause c);
const char *cause_message_id(enum cause c);     /* 32 hex digits */
int cause_priority(enum cause c);               /* syslog priority */
enum cause cause_from_id(const char *id);
/*
 * The kind of nginx's "connect() … failed (E: …)" line for errno E, and of the probe's own failed
 * connect(): UPSTREAM_CONNECT_ERROR for an errno not in the table. nginx prints the kernel's errno
 * (ngx_connection_error() via ngx_log_error()): Linux numbers, and nginx for Windows prints
 * WSAGetLastError()'s, which no Linux errno reaches (the WSA_ rows below). The value is kept as
 * logged.
 */
enum windows_errno {
        WSA_ECONNABORTED = 10053,
        WSA_ECONNRESET = 10054,
        WSA_ETIMEDOUT = 10060,
        WSA_ECONNREFUSED = 10061,
};
/* The largest errno a line may carry: Windows' WSA values run to 11xxx. */
enum { ERRNO_LOGGED_MAX = 0xffff };

#define CONNECT_ERRNO_LIST(X)                                                           \
        X(ENOENT, UPSTREAM_SOCKET_MISSING)                                              \
        X(ENOTDIR, UPSTREAM_SOCKET_MISSING)     /* a file where the path needs a directory */ \
        X(ECONNREFUSED, UPSTREAM_REFUSED)                                               \
        X(WSA_ECONNREFUSED, UPSTREAM_REFUSED)                                           \
        X(EACCES, UPSTREAM_PERMISSION_DENIED)                                           \
        X(EAGAIN, UPSTREAM_BACKLOG_FULL)        /* a unix socket's full listen queue */  \
        X(ETIMEDOUT, UPSTREAM_CONNECT_TIMEOUT)                                          \
        X(WSA_ETIMEDOUT, UPSTREAM_CONNECT_TIMEOUT)

/*
 * The errnos of recv()/readv()/writev()/send() that mean the upstream went away mid-request
 * (UPSTREAM_RESET); any other errno of those calls is not an event.
 */
#define RESET_ERRNO_LIST(X)                                                             \
        X(ECONNRESET)                                                                   \
        X(EPIPE)                                                                        \
        X(WSA_ECONNRESET)                                                               \
        X(WSA_ECONNABORTED)     /* Windows' send() on a connection the peer closed */

enum event_kind kind_of_connect_errno(int e);
bool errno_is_reset(int e);
/* "fpm_down, socket_mismatch" into buf; returns buf. */
const char *kind_causes_str(enum event_kind k, char *buf, unsigned size);
