/*
 * One log line in, one event out. Pure: no I/O, no allocation, spans point into the line.
 * Only nginx's own message decides the kind; the request, host and referrer that a client
 * sends never do.
 */
#pragma once
#include <stdbool.h>

#include "fpm_log.h"
#include "kernel_log.h"
#include "kinds.h"
#include "timestamp.h"
#include "nginx_log.h"
#include "span.h"
#include "unwrap.h"

enum upstream_phase {
        PHASE_NONE,
        PHASE_CONNECT,  /* while connecting to upstream */
        PHASE_SEND,     /* while sending request to upstream */
        PHASE_HEADER,   /* while reading response header from upstream */
        PHASE_BODY,     /* while reading upstream: the response was already flowing */
        PHASE_TLS,      /* while SSL handshaking to upstream: https://, grpcs://, suwsgi:// */
};

struct event {
        enum event_kind kind;
        enum log_source source;
        int err;                /* errno nginx reported, 0 if none */
        enum upstream_phase phase;
        struct span upstream;   /* "unix:/path", "host:port", "[v6]:port" or a group name */
        enum upstream_proto proto;      /* from the upstream field's scheme; pools speak FastCGI */
        struct span pool;       /* php-fpm pool */
        long child_pid;         /* -1 if none */
        int signal;             /* 0 if none */
        struct span signal_name;        /* "SIGKILL" */
        bool core_dumped;
        int exit_code;          /* fpm_child_exit */
        double seconds;         /* -1 if none: run time, timeout, slowlog */
        long value;             /* max_children setting, protocol version byte…; -1 if none */
        struct span detail;     /* PHP's message, the script, the bind address… */
        struct kernel_oom oom;  /* a kernel record's figures (source SOURCE_KERNEL): child_pid and
                                 * detail are then the victim's pid and command */
};

/* A json-file line's decoded text: docker cuts its lines at 16 KiB. */
enum { LOGLINE_TEXT_MAX = 16384 + 64 };

struct logline {
        enum log_source source; /* SOURCE_NONE: neither format */
        struct nginx_line nginx;
        struct fpm_line fpm;
        struct unwrapped wrap;  /* wrap.forms == 0: the line was nginx's or php-fpm's own text */
        char text[LOGLINE_TEXT_MAX];    /* set only for a json-file line: spans then point here */
};

/*
 * Detects the format, parses and classifies. Returns the event's kind (KIND_NONE for most lines).
 * A line that does not start with nginx's or php-fpm's head is unwrapped first (unwrap.h):
 * docker's, compose's, syslog's and the journal's forms, and php-fpm's text without its date;
 * then the kernel's OOM records, bare or in /dev/kmsg's, dmesg's or syslog's form.
 * The spans then point into the line, or into ll->text for a json-file line, or into
 * ll->nginx.label for an upstream that had to be rewritten (unix:///x is unix:/x).
 */
enum event_kind classify_line(const char *p, size_t n, struct logline *ll, struct event *ev);
enum event_kind classify_nginx(struct nginx_line *l, struct event *ev);
enum event_kind classify_fpm(const struct fpm_line *l, struct event *ev);
/* The kernel's OOM records (kernel_log.h) in their bare text: KERNEL_OOM_KILL, _SUMMARY, MEMCG_USAGE. */
enum event_kind classify_kernel(const char *p, size_t n, struct event *ev);
const char *upstream_phase_name(enum upstream_phase ph);
/*
 * The line's own timestamp span (nginx or php-fpm form), else its wrapper's, and its parsed
 * value, as local time (a wrapper's zone applied; see unwrap.h). None for an unclassified line.
 */
struct span logline_time(const struct logline *ll);
bool logline_parse_time(const struct logline *ll, struct timestamp *t);
