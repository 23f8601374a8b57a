/* nginx error.log lines: "TIME [level] PID#TID: *CONN message, client: …, upstream: "…", …" */
#pragma once
#include <stdbool.h>

#include "address.h"
#include "level.h"
#include "span.h"

struct nginx_line {
        struct span time;       /* "2026/11/25 13:23:11" */
        struct span level;      /* "crit" */
        enum log_level lvl;
        struct span pid, tid, conn;     /* digits; conn is empty when the line has none */
        struct span rest;       /* message and trailer: everything after the head */
        struct span message;    /* rest up to the first ", client: " (nginx_split_message) */
        struct span trailer;    /* from ", client: " on; empty if there is none */
        /* Set by nginx_parse_fields(); the request, host and referrer come from the client. */
        struct span client, server, request, upstream, host, referrer;
        char label[ADDRESS_TEXT_MAX];   /* an event's upstream when it had to be rewritten */
};

/* Head only (time, level, pid, tid, conn, rest): what every line needs. -EINVAL if not nginx. */
int nginx_parse_head(const char *p, size_t n, struct nginx_line *l);
/* Splits rest into message and trailer. */
void nginx_split_message(struct nginx_line *l);
/* Reads the context fields nginx appends (client, server, request, upstream, host, referrer). */
void nginx_parse_fields(struct nginx_line *l);
/* Both of the above. */
void nginx_parse_trailer(struct nginx_line *l);
int nginx_parse(const char *p, size_t n, struct nginx_line *l);
