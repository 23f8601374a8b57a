/*
 * One log line in, one event out. Pure: no I/O, no allocation, spans point into the line.
 * Only nginx's own message decides the kind; the request, host and referrer that a client
 * sends never do.
 */
#pragma once
#include <stdbool.h>

#include "fpm_log.h"
#include "kinds.h"
#include "timestamp.h"
#include "nginx_log.h"
#include "span.h"

enum upstream_phase {
        PHASE_NONE,
        PHASE_CONNECT,  /* while connecting to upstream */
        PHASE_SEND,     /* while sending request to upstream */
        PHASE_HEADER,   /* while reading response header from upstream */
        PHASE_BODY,     /* while reading upstream: the response was already flowing */
};

struct event {
        enum event_kind kind;
        enum log_source source;
        int err;                /* errno nginx reported, 0 if none */
        enum upstream_phase phase;
        struct span upstream;   /* "unix:/path", "host:port", "[v6]:port" or a group name */
        struct span pool;       /* php-fpm pool */
        long child_pid;         /* -1 if none */
        int signal;             /* 0 if none */
        struct span signal_name;        /* "SIGKILL" */
        bool core_dumped;
        int exit_code;          /* fpm_child_exit */
        double seconds;         /* -1 if none: run time, timeout, slowlog */
        long value;             /* max_children setting, protocol version byte…; -1 if none */
        struct span detail;     /* PHP's message, the script, the bind address… */
};

struct logline {
        enum log_source source; /* SOURCE_NONE: neither format */
        struct nginx_line nginx;
        struct fpm_line fpm;
};

/* Detects the format, parses and classifies. Returns the event's kind (KIND_NONE for most lines). */
enum event_kind classify_line(const char *p, size_t n, struct logline *ll, struct event *ev);
enum event_kind classify_nginx(struct nginx_line *l, struct event *ev);
enum event_kind classify_fpm(const struct fpm_line *l, struct event *ev);
const char *upstream_phase_name(enum upstream_phase ph);
/* The line's own timestamp span (nginx or php-fpm form) and its parsed value. */
struct span logline_time(const struct logline *ll);
bool logline_parse_time(const struct logline *ll, struct timestamp *t);
