/* A non-blocking FastCGI probe of one php-fpm pool: the caller polls one fd, there is no loop inside. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "address.h"
#include "fcgi.h"
#include "kinds.h"

enum probe_mode {
        PROBE_VALUES,   /* GET_VALUES, closed as soon as it is answered: needs no pool setting */
        PROBE_PING,     /* a request to ping.path; the body must be ping.response */
        PROBE_STATUS,   /* a request to pm.status_path?json */
};

/*
 * id; the kind nginx logs for the same failure (the probe's connect() errno goes through
 * kind_of_connect_errno()); the cause a confirmed outcome shows (fpm_down becomes socket_mismatch
 * while the pool's unit is active); what it means.
 */
#define PROBE_OUTCOME_LIST(X)                                                            \
        X(OK, "ok", NONE, NONE, "answered as FastCGI should")                             \
        X(SOCKET_MISSING, "socket_missing", UPSTREAM_SOCKET_MISSING, FPM_DOWN,            \
          "no socket file at that path (ENOENT)")                                       \
        X(REFUSED, "refused", UPSTREAM_REFUSED, FPM_DOWN,                                 \
          "connection refused: nothing listens, or a stale socket file")                \
        /* the daemon's own access proves nothing for nginx's user: the socket check judges that */ \
        X(PERMISSION, "permission", UPSTREAM_PERMISSION_DENIED, NONE,                     \
          "not allowed to connect to the socket (EACCES)")                              \
        X(BACKLOG_FULL, "backlog_full", UPSTREAM_BACKLOG_FULL, POOL_SATURATED,            \
          "the unix socket's listen backlog is full (EAGAIN)")                          \
        X(CONNECT_TIMEOUT, "connect_timeout", UPSTREAM_CONNECT_TIMEOUT, POOL_SATURATED,   \
          "connect() did not finish in time")                                           \
        X(UNREACHABLE, "unreachable", UPSTREAM_CONNECT_ERROR, FPM_DOWN,                   \
          "connect() failed with another error")                                        \
        X(SATURATED, "saturated", NONE, POOL_SATURATED,                                   \
          "connected, but no answer in time: every worker is busy")                     \
        X(NOT_FASTCGI, "not_fastcgi", UPSTREAM_PROTOCOL_ERROR, NOT_FASTCGI,               \
          "the peer does not speak FastCGI")                                            \
        X(CLOSED, "closed", UPSTREAM_CLOSED, NONE,                                        \
          "the peer closed the connection without a whole answer")                      \
        X(BAD_ANSWER, "bad_answer", NONE, NONE, "FastCGI, but not the expected answer")

enum probe_outcome {
#define X(name, id, kind, cause, text) PROBE_##name,
        PROBE_OUTCOME_LIST(X)
#undef X
        PROBE__OUTCOME_MAX,
};

struct probe_options {
        enum probe_mode mode;
        const char *path;               /* ping.path or pm.status_path; NULL: "/ping" or "/status" */
        const char *ping_response;      /* NULL: "pong" */
        int connect_timeout_ms;         /* 0: 1000 */
        int answer_timeout_ms;          /* from connect to the whole answer; 0: 1000 */
};

/* pm.status_path?json; -1 or "" where the answer lacks a field. */
struct probe_status {
        char pool[64];
        char process_manager[16];
        long accepted_conn;
        long listen_queue;              /* php-fpm reports it for TCP pools only */
        long max_listen_queue;
        long idle_processes;
        long active_processes;
        long total_processes;
        long max_active_processes;
        long max_children_reached;
        long slow_requests;
};

struct probe_result {
        enum probe_outcome outcome;
        int error;                      /* errno behind the outcome, 0 if none */
        long connect_us;                /* -1: not connected */
        long rtt_us;                    /* request written to answer complete; -1: no answer */
        struct fcgi_values values;      /* GET_VALUES_RESULT */
        int http_status;                /* ping/status: the Status header, else 200; 0: no answer */
        struct probe_status status;
        unsigned char bad_byte;         /* not_fastcgi: e.g. 'H' (72) when an HTTP server answered */
        uint64_t bad_offset;            /* not_fastcgi: where that byte came in the answer */
        char detail[128];               /* e.g. php-fpm's stderr "Primary script unknown" */
};

struct probe;

/* A probe of address (address_parse()'s; copied, an ANY one is reached at 127.0.0.1), idle until
 * probe_start(). -EINVAL for a HOST or GROUP address (a name lookup would block) or an empty
 * opt->path, -ENAMETOOLONG for an opt->path or ping_response too long, -ENOMEM. */
int probe_new(struct probe **ret, const struct address *address, const struct probe_options *opt);
struct probe *probe_free(struct probe *p);

/* Opens a non-blocking socket and connects; the probe may be done at once (a unix socket
 * fails or even answers right away). A failing target is an outcome, not an error: errors
 * are local (EMFILE…), or -EBUSY while the probe runs. A done probe may start again. */
int probe_start(struct probe *p);

/* While running: poll probe_fd() for probe_events() and call probe_step() when it is ready,
 * probe_timeout() once clock_monotonic_usec() passes probe_deadline(). When the probe is done the
 * fd is already closed: stop watching it. */
int probe_fd(const struct probe *p);
short probe_events(const struct probe *p);
/* CLOCK_MONOTONIC µs (clock_monotonic_usec()) by which the probe times out. */
uint64_t probe_deadline(const struct probe *p);
int probe_step(struct probe *p);
int probe_timeout(struct probe *p);

bool probe_done(const struct probe *p);
const struct probe_result *probe_result(const struct probe *p);

const char *probe_outcome_id(enum probe_outcome o);
const char *probe_outcome_text(enum probe_outcome o);
/* The cause a confirmed outcome shows; CAUSE_NONE for ok and for what proves nothing. */
enum cause probe_outcome_cause(enum probe_outcome o);
