#include "address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

_Static_assert(ADDRESS_PATH_MAX + 1 == sizeof(((struct sockaddr_un *) 0)->sun_path), "sun_path");
_Static_assert(sizeof("unix:") + ADDRESS_PATH_MAX <= ADDRESS_TEXT_MAX, "a unix address fits text");

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_alpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool in_set(char c, const char *set) {
        return c != '\0' && strchr(set, c);
}

static bool all_digits(struct span s, const char *also) {
        for (size_t i = 0; i < s.n; i++)
                if (!is_digit(s.p[i]) && !in_set(s.p[i], also))
                        return false;
        return true;
}

/* "9000" → 9000: decimal digits only, 1 to 65535. */
static bool parse_port(struct span s, uint16_t *port) {
        unsigned long v = 0;
        if (s.n == 0 || !all_digits(s, ""))
                return false;
        for (size_t i = 0; i < s.n && v <= 65535; i++)
                v = v * 10 + (unsigned long) (s.p[i] - '0');
        if (v == 0 || v > 65535)
                return false;
        *port = (uint16_t) v;
        return true;
}

/* A host or upstream group name: letters, digits, '.', '-' and '_'. */
static bool is_name(struct span s) {
        if (s.n == 0 || s.n > ADDRESS_NAME_MAX)
                return false;
        for (size_t i = 0; i < s.n; i++)
                if (!is_alpha(s.p[i]) && !is_digit(s.p[i]) && !in_set(s.p[i], ".-_"))
                        return false;
        return true;
}

static void set_port_text(struct address *r, enum address_kind kind, const char *host, uint16_t port) {
        r->kind = kind;
        r->port = port;
        snprintf(r->text, sizeof(r->text), "%s:%u", host, (unsigned) port);
}

static int parse_unix(struct address *r, struct span path) {
        char out[ADDRESS_PATH_MAX + 1];
        size_t n = 0;
        if (path.n == 0 || path.p[0] != '/')
                return -EINVAL;
        for (size_t i = 0; i < path.n; i++) {
                if (path.p[i] == '/' && n > 0 && out[n - 1] == '/')
                        continue;       /* unix:///x is unix:/x */
                if (n == ADDRESS_PATH_MAX)
                        return -ENAMETOOLONG;
                out[n++] = path.p[i];
        }
        r->kind = ADDRESS_UNIX;
        snprintf(r->text, sizeof(r->text), "unix:%.*s", (int) n, out);
        return 0;
}

static int parse_inet6(struct address *r, struct span s) {
        const char *close = memchr(s.p, ']', s.n), *end = s.p + s.n;
        char host[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 2];
        struct in6_addr in6;
        uint16_t port;
        if (!close || end - close < 2 || close[1] != ':' || !parse_port(span_range(close + 2, end), &port))
                return -EINVAL;
        size_t n = (size_t) (close - s.p - 1);
        if (n >= sizeof(host))
                return -EINVAL;
        memcpy(host, s.p + 1, n);
        host[n] = '\0';
        if (inet_pton(AF_INET6, host, &in6) != 1)
                return -EINVAL;
        if (IN6_IS_ADDR_UNSPECIFIED(&in6)) {
                set_port_text(r, ADDRESS_ANY, "*", port);
                return 0;
        }
        inet_ntop(AF_INET6, &in6, host, sizeof(host));
        snprintf(text, sizeof(text), "[%s]", host);
        set_port_text(r, ADDRESS_INET6, text, port);
        return 0;
}

/* An IPv4 address, "*" or "localhost"; 1 when it is one, 0 when not, -EINVAL when it tried. */
static int try_inet(struct address *r, struct span host, uint16_t port) {
        char buf[INET_ADDRSTRLEN];
        struct in_addr in;
        if (span_eq_str(host, "*")) {
                set_port_text(r, ADDRESS_ANY, "*", port);
                return 1;
        }
        if (host.n == 9 && strncasecmp(host.p, "localhost", 9) == 0)
                host = SPAN_LIT("127.0.0.1");
        if (host.n < sizeof(buf)) {
                memcpy(buf, host.p, host.n);
                buf[host.n] = '\0';
                if (inet_pton(AF_INET, buf, &in) == 1) {
                        bool any = in.s_addr == htonl(INADDR_ANY);
                        inet_ntop(AF_INET, &in, buf, sizeof(buf));
                        set_port_text(r, any ? ADDRESS_ANY : ADDRESS_INET, any ? "*" : buf, port);
                        return 1;
                }
        }
        return all_digits(host, ".") ? -EINVAL : 0;     /* 1.2.3, 300.1.1.1: an IPv4 address gone wrong */
}

static int parse_host_port(struct address *r, struct span host, struct span port_text) {
        uint16_t port;
        char name[ADDRESS_NAME_MAX + 1];
        if (!parse_port(port_text, &port))
                return -EINVAL;
        int r4 = try_inet(r, host, port);
        if (r4 != 0)
                return r4 < 0 ? r4 : 0;
        if (!is_name(host))
                return -EINVAL;
        snprintf(name, sizeof(name), "%.*s", (int) host.n, host.p);
        set_port_text(r, ADDRESS_HOST, name, port);
        return 0;
}

/* No colon: a port (php-fpm's "listen = 9000") or an nginx upstream group. */
static int parse_bare(struct address *r, struct span s) {
        uint16_t port;
        if (all_digits(s, "")) {
                if (!parse_port(s, &port))
                        return -EINVAL;
                set_port_text(r, ADDRESS_ANY, "*", port);
                return 0;
        }
        /* 127.0.0.1 or 90x: an address or a port gone wrong, not a group */
        if (is_digit(s.p[0]) || !is_name(s))
                return -EINVAL;
        r->kind = ADDRESS_GROUP;
        snprintf(r->text, sizeof(r->text), "%.*s", (int) s.n, s.p);
        return 0;
}

/* The length of "scheme://" at the start of s (RFC 3986's scheme), or 0. */
static size_t scheme_length(struct span s) {
        size_t i = 0;
        while (i < s.n && (is_alpha(s.p[i]) || (i > 0 && (is_digit(s.p[i]) || in_set(s.p[i], "+-.")))))
                i++;
        return i > 0 && span_has_prefix(span_make(s.p + i, s.n - i), "://", 3) ? i + 3 : 0;
}

struct span address_upstream_field(struct span f) {
        size_t skip = scheme_length(f);
        if (skip == 0)
                return f;
        f = span_make(f.p + skip, f.n - skip);
        const char *end;
        if (SPAN_STARTS(f, "unix:") && f.n > 5) {
                /* nginx writes ":" after a unix peer's path, then the URI: empty for FastCGI */
                if (f.p[f.n - 1] == ':')
                        return span_make(f.p, f.n - 1);
                end = span_find(span_make(f.p + 5, f.n - 5), ":/", 2);
        } else {
                end = memchr(f.p, '/', f.n);
        }
        return end ? span_range(f.p, end) : f;
}

enum upstream_proto address_upstream_proto(struct span f) {
#define SCHEME(lit, proto) { lit, sizeof(lit) - 1, proto }
        static const struct {
                const char *scheme;
                size_t n;
                enum upstream_proto proto;
        } schemes[] = {
                SCHEME("fastcgi://", PROTO_FASTCGI), SCHEME("http://", PROTO_HTTP), SCHEME("https://", PROTO_HTTP),
                SCHEME("uwsgi://", PROTO_UWSGI), SCHEME("suwsgi://", PROTO_UWSGI), SCHEME("scgi://", PROTO_SCGI),
                SCHEME("grpc://", PROTO_GRPC), SCHEME("grpcs://", PROTO_GRPC),
        };
#undef SCHEME
        for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
                if (span_has_prefix(f, schemes[i].scheme, schemes[i].n))
                        return schemes[i].proto;
        return scheme_length(f) ? PROTO_OTHER : PROTO_UNKNOWN;
}

struct span address_unix_label(struct span s, char *buf, size_t size) {
        if (!SPAN_STARTS(s, "unix:") || !span_find(s, "//", 2) || s.n >= size)
                return s;
        size_t n = 0;
        for (size_t i = 0; i < s.n; i++)
                if (!(s.p[i] == '/' && n > 0 && buf[n - 1] == '/'))
                        buf[n++] = s.p[i];
        buf[n] = '\0';
        return span_make(buf, n);
}

static int parse(struct address *r, struct span s) {
        if (s.n == 0)
                return -EINVAL;
        if (SPAN_SKIP(&s, "unix:") || s.p[0] == '/')
                return parse_unix(r, s);
        if (s.p[0] == '[')
                return parse_inet6(r, s);
        const char *colon = memchr(s.p, ':', s.n);
        if (!colon)
                return parse_bare(r, s);
        return parse_host_port(r, span_range(s.p, colon), span_range(colon + 1, s.p + s.n));
}

int address_parse(struct address *a, const char *s, size_t n) {
        struct address r = { 0 };
        struct span in = span_make(s, n);
        if (n == 0 || memchr(s, '\0', n))
                return -EINVAL;
        if (!SPAN_STARTS(in, "unix:"))
                in = address_upstream_field(in);
        int e = parse(&r, in);
        if (e == 0)
                *a = r;
        return e;
}

static bool is_ip(const struct address *a) {
        return a->kind == ADDRESS_INET || a->kind == ADDRESS_INET6 || a->kind == ADDRESS_ANY;
}

bool address_same(const struct address *a, const struct address *b) {
        if (strcmp(a->text, b->text) == 0)
                return true;
        if (a->port != b->port || !is_ip(a) || !is_ip(b))
                return false;
        return a->kind == ADDRESS_ANY || b->kind == ADDRESS_ANY;
}

const char *address_unix_path(const struct address *a) {
        return a->kind == ADDRESS_UNIX ? a->text + 5 : NULL;
}

static int sockaddr_unix(const struct address *a, struct sockaddr_storage *ss, socklen_t *len) {
        struct sockaddr_un *un = (struct sockaddr_un *) ss;
        const char *path = address_unix_path(a);
        size_t n = strlen(path);
        if (n == 0 || n > ADDRESS_PATH_MAX)
                return -EINVAL;
        un->sun_family = AF_UNIX;
        memcpy(un->sun_path, path, n + 1);
        *len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
}

/* The text before the port's ':', less `trim` bytes at each end ("[" and "]"), as a C string. */
static bool host_of(const struct address *a, size_t trim, char *host, size_t size) {
        const char *colon = strrchr(a->text, ':');
        if (!colon || (size_t) (colon - a->text) < 2 * trim || (size_t) (colon - a->text) - 2 * trim >= size)
                return false;
        size_t n = (size_t) (colon - a->text) - 2 * trim;
        memcpy(host, a->text + trim, n);
        host[n] = '\0';
        return true;
}

static int sockaddr_inet(const struct address *a, struct sockaddr_storage *ss, socklen_t *len) {
        struct sockaddr_in *in = (struct sockaddr_in *) ss;
        char host[INET_ADDRSTRLEN];
        in->sin_family = AF_INET;
        in->sin_port = htons(a->port);
        if (a->kind == ADDRESS_ANY)
                in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        else if (!host_of(a, 0, host, sizeof(host)) || inet_pton(AF_INET, host, &in->sin_addr) != 1)
                return -EINVAL;
        *len = sizeof(*in);
        return 0;
}

static int sockaddr_inet6(const struct address *a, struct sockaddr_storage *ss, socklen_t *len) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;
        char host[INET6_ADDRSTRLEN];
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(a->port);
        if (!host_of(a, 1, host, sizeof(host)) || inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
                return -EINVAL;
        *len = sizeof(*in6);
        return 0;
}

int address_sockaddr(const struct address *a, struct sockaddr_storage *ss, socklen_t *len) {
        memset(ss, 0, sizeof(*ss));
        switch (a->kind) {
        case ADDRESS_UNIX:
                return sockaddr_unix(a, ss, len);
        case ADDRESS_INET:
        case ADDRESS_ANY:
                return sockaddr_inet(a, ss, len);
        case ADDRESS_INET6:
                return sockaddr_inet6(a, ss, len);
        default:
                return -EINVAL;
        }
}
