/* A php-fpm pool's or an nginx upstream's address: parsed once, compared by its normalised text. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "span.h"

enum address_kind {
        ADDRESS_UNIX,   /* unix:/run/php/x.sock */
        ADDRESS_INET,   /* 127.0.0.1:9000 */
        ADDRESS_INET6,  /* [::1]:9000 */
        ADDRESS_ANY,    /* *:9000, every local address: php-fpm's "listen = 9000" */
        ADDRESS_HOST,   /* php.example.com:9000, a name: never resolved, that would block */
        ADDRESS_GROUP,  /* php_backend, an nginx upstream group: no port */
};

enum {
        ADDRESS_PATH_MAX = 107,         /* bytes of a unix socket path: sockaddr_un.sun_path less its NUL */
        ADDRESS_NAME_MAX = 253,         /* bytes of a host or group name: a DNS name's longest */
        ADDRESS_TEXT_MAX = ADDRESS_NAME_MAX + sizeof(":65535"),
};

struct address {
        enum address_kind kind;
        uint16_t port;                  /* host byte order; 0 for UNIX and GROUP */
        char text[ADDRESS_TEXT_MAX];    /* normalised, NUL-terminated: "unix:/path", "127.0.0.1:9000",
                                         * "[::1]:9000", "*:9000", "host:port", "group" */
};

/*
 * Parses n bytes of s (no NUL needed; a NUL inside is malformed) into *a:
 *   unix:/path, unix:///path, /path   → UNIX "unix:/path" (runs of '/' collapsed)
 *   127.0.0.1:9000, localhost:9000    → INET "127.0.0.1:9000"
 *   [::1]:9000                        → INET6 "[::1]:9000" (inet_ntop's form)
 *   9000, *:9000, 0.0.0.0:9000, [::]:9000 → ANY "*:9000"
 *   php.example.com:9000              → HOST, as written
 *   php_backend                       → GROUP, as written: a name that does not start with a digit
 * and what nginx prints in its error log's `upstream: "…"` field (ngx_http_log_error_handler in
 * src/http/ngx_http_request.c: schema, peer name, ":" after a unix peer, then the request URI),
 * reduced by address_upstream_field(): fastcgi://unix:/run/x.sock:, http://10.0.0.2:8000/upload,
 * fastcgi://[::1]:9000, fastcgi://php_backend.
 * Ports are decimal, 1 to 65535. Returns 0; -EINVAL for a malformed address (empty, "unix:", a
 * relative path, a port missing, 0 or too big, a bad IPv4 or IPv6 address, a name over
 * ADDRESS_NAME_MAX bytes); -ENAMETOOLONG for a unix path over ADDRESS_PATH_MAX bytes. *a is
 * unchanged on error.
 */
int address_parse(struct address *a, const char *s, size_t n);

/* Whether nginx reaching b reaches a: the same normalised text, or one is ANY and the other an
 * INET, INET6 or ANY address with the same port. A HOST name is not known to be local. */
bool address_same(const struct address *a, const struct address *b);

/* The socket's path (NUL-terminated, inside a->text) for UNIX, else NULL. */
const char *address_unix_path(const struct address *a);

/* Fills *ss and *len for connect(): ANY connects to 127.0.0.1:port. 0, or -EINVAL for HOST and
 * GROUP, which only a name lookup could turn into a socket address. */
int address_sockaddr(const struct address *a, struct sockaddr_storage *ss, socklen_t *len);

/*
 * The upstream inside nginx's `upstream:` field, without copying: drops the scheme
 * ("fastcgi://", "http://"), the ":" nginx puts after a unix peer and the request URI after it
 * ("http://unix:/x.sock:/upload"), and the URI after any other peer ("http://10.0.0.2:8000/upload"
 * → "10.0.0.2:8000"). A field without a scheme comes back whole. The result lies inside field.
 * Runs for every classified nginx line: a few byte compares and one short search.
 */
struct span address_upstream_field(struct span field);
/*
 * A unix label with repeated slashes, "unix:///run/x.sock" (nginx prints fastcgi_pass's text as
 * written), as address_parse() writes it, "unix:/run/x.sock", into buf; s itself when it has none
 * or is not a unix label, or when it does not fit.
 */
struct span address_unix_label(struct span s, char *buf, size_t size);

/* The protocol nginx speaks to an upstream, from the scheme of its `upstream:` field (u->schema,
 * set by each module's pass directive). */
enum upstream_proto {
        PROTO_UNKNOWN,  /* no scheme: a line cut before its trailer */
        PROTO_FASTCGI,  /* fastcgi:// (fastcgi_pass) */
        PROTO_HTTP,     /* http://, https:// (proxy_pass) */
        PROTO_UWSGI,    /* uwsgi://, suwsgi:// (uwsgi_pass) */
        PROTO_SCGI,     /* scgi:// (scgi_pass) */
        PROTO_GRPC,     /* grpc://, grpcs:// (grpc_pass) */
        PROTO_OTHER,    /* memcached:// and any scheme not above */
        PROTO__MAX,
};

/* The protocol named by field's scheme ("http://10.0.0.2:8000/x" → PROTO_HTTP); PROTO_UNKNOWN
 * for a field without one. */
enum upstream_proto address_upstream_proto(struct span field);
