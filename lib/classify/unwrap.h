/*
 * The wrappers a log line may come in — a container runtime's, a journal's, syslog's — peeled
 * off to find nginx's or php-fpm's own text inside, with the wrapper's timestamp for the lines
 * that carry none of their own. One table of forms (unwrap.c); classify_line tries it only on
 * a line that does not start with nginx's or php-fpm's own head, so their plain logs cost
 * nothing more. No I/O; no allocation except jansson's, for a json-file line.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "span.h"
#include "timestamp.h"

enum unwrap_form {
        UNWRAP_DOCKER_JSON = 1u << 0,   /* {"log":"…\n","stream":"stderr","time":"…"} (json-file driver) */
        UNWRAP_TIMESTAMP = 1u << 1,     /* "2017-05-10T06:50:00.434167704Z " (docker logs -t) */
        UNWRAP_COMPOSE = 1u << 2,       /* "app-1  | " (docker compose logs) */
        UNWRAP_RFC5424 = 1u << 3,       /* "<14>1 2026-03-12T14:01:06Z host app 27159 - - " */
        UNWRAP_SYSLOG = 1u << 4,        /* "Mar 12 14:01:06 host php-fpm7.2[27159]: " (RFC 3164,
                                           journalctl -o short, short-precise) */
        UNWRAP_SYSLOG_ISO = 1u << 5,    /* "2026-03-12T14:01:06+0100 host nginx[2209]: " (-o short-iso) */
        UNWRAP_KMSG = 1u << 6,          /* "6,1234,5678901,-;" (/dev/kmsg: priority, sequence, µs since
                                           boot, flags; Documentation/ABI/testing/dev-kmsg) */
        UNWRAP_DMESG = 1u << 7,         /* "[16665.539750] " (dmesg, and syslog's kernel lines) */
};

enum unwrap_time {
        UNWRAP_TIME_NONE,
        UNWRAP_TIME_RFC3339,    /* with its zone (or local when it has none) */
        UNWRAP_TIME_BSD,        /* local, no year */
};

/* Wrappers inside wrappers (compose's prefix on docker's timestamp…) are peeled up to this. */
enum { UNWRAP_MAX_DEPTH = 4 };

struct unwrapped {
        struct span text;       /* nginx's or php-fpm's text: into the line, or into buf */
        struct span time;       /* the outermost wrapper's timestamp; SPAN_NULL if none */
        enum unwrap_time time_form;
        unsigned forms;         /* the unwrap_form bits peeled; 0: text is the whole line */
        bool truncated;         /* a json-file text longer than buf, cut */
};

/*
 * Peels the line's wrappers. Returns false (u->text = the whole line) when it has none.
 * A json-file line's text is decoded into buf (spans then point there; size >= 128).
 */
bool unwrap_line(const char *p, size_t n, struct unwrapped *u, char *buf, size_t size);
/* True if p starts like nginx's or php-fpm's own text (dated or not): where peeling stops. */
bool unwrap_is_inner(const char *p, size_t n);
/* The wrapper's time as local time (timestamp.h): now gives a BSD syslog time its year. */
bool unwrap_parse_time(const struct unwrapped *u, time_t now, struct timestamp *t);
