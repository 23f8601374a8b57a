#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "event_json.h"
#include "fixtures.h"
#include "tally.h"

static const char refused_line[] =
        "2026/11/25 13:23:15 [error] 6586#6586: *11 connect() to unix:/srv/lab/run/victim.sock failed "
        "(111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: c2, "
        "request: \"GET /ok.php HTTP/1.1\", upstream: \"fastcgi://unix:/srv/lab/run/victim.sock:\", "
        "host: \"127.0.0.1:18082\"";

/* The event's spans may point into the logline (a rewritten upstream): it lives until the next call. */
static enum event_kind classify(const char *line, struct event *ev) {
        static struct logline ll;
        return classify_line(line, strlen(line), &ll, ev);
}

/* An nginx line with the usual trailer around a message. */
/* noinline: GCC 12 at -O3 takes the returned text for a pointer to the local and warns (dangling-pointer). */
__attribute__((noinline)) static char *nginx_line(const char *level, const char *message, const char *upstream) {
        char *out = NULL;
        int n = asprintf(&out, "2026/11/25 13:23:15 [%s] 6586#6586: *11 %s, client: 127.0.0.1, "
                               "server: s, request: \"GET /x.php HTTP/1.1\", upstream: \"%s\", "
                               "host: \"127.0.0.1\"", level, message, upstream);
        ck_assert_int_ge(n, 0);
        return out;
}

/* The event's spans point into the line: it lives until the next call. */
static enum event_kind classify_nginx_msg(const char *message, const char *upstream, struct event *ev) {
        static char *line;
        free(line);
        line = nginx_line("error", message, upstream);
        return classify(line, ev);
}

static unsigned rows_for(const char *expected, const char *name) {
        unsigned rows = 0;
        size_t n = strlen(name);
        for (const char *p = expected; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                if (strncmp(p, name, n) == 0 && p[n] == ':')
                        rows++;
        return rows;
}

/* Every line of a fixture log against tests/data/expected-kinds.tsv; unlisted lines are none. */
static void check_fixture(const char *name) {
        char *expected = fixture_read("expected-kinds.tsv", NULL);
        size_t len;
        char *log = fixture_read(name, &len);
        unsigned lineno = 0, matched = 0;
        for (char *line = log; line < log + len; lineno++) {
                char *nl = memchr(line, '\n', (size_t) (log + len - line));
                size_t n = nl ? (size_t) (nl - line) : (size_t) (log + len - line);
                struct logline ll;
                struct event ev;
                enum event_kind k = classify_line(line, n, &ll, &ev);
                char key[128], want_kind[64], want_label[512];
                snprintf(key, sizeof(key), "\n%s:%u\t", name, lineno + 1);
                char *row = strstr(expected, key) ? strstr(expected, key) + 1 : NULL;
                if (!row && strncmp(expected, key + 1, strlen(key + 1)) == 0)
                        row = expected;
                if (!row) {
                        ck_assert_msg(k == KIND_NONE, "%s: got %s, expected none", key + 1, kind_id(k));
                } else {
                        ck_assert_int_eq(sscanf(row + strlen(key) - 1, "%63[^\t]\t%511[^\n]", want_kind, want_label), 2);
                        struct span label = ev.source == SOURCE_FPM ? ev.pool : ev.upstream;
                        ck_assert_msg(strcmp(kind_id(k), want_kind) == 0, "%s: got %s, expected %s", key + 1,
                                      kind_id(k), want_kind);
                        ck_assert_span_eq(label, strcmp(want_label, "-") ? want_label : "");
                        matched++;
                }
                line += n + 1;
        }
        ck_assert_uint_eq(matched, rows_for(expected, name));
        ck_assert_uint_gt(matched, 10);
        free(log);
        free(expected);
}

START_TEST(test_corpus_nginx) {
        check_fixture("nginx-error.log");
}
END_TEST

START_TEST(test_corpus_fpm) {
        check_fixture("php-fpm.log");
}
END_TEST

START_TEST(test_connect_errnos) {
        static const struct {
                const char *message, *upstream, *kind, *label;
                int err;
        } cases[] = {
                { "connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream",
                  "fastcgi://unix:/run/php/php8.2-fpm.sock:", "upstream_socket_missing", "unix:/run/php/php8.2-fpm.sock", 2 },
                { "connect() to unix:/run/a.sock failed (111: Connection refused) while connecting to upstream",
                  "fastcgi://unix:/run/a.sock:", "upstream_refused", "unix:/run/a.sock", 111 },
                { "connect() failed (111: Connection refused) while connecting to upstream",
                  "fastcgi://127.0.0.1:9000", "upstream_refused", "127.0.0.1:9000", 111 },
                { "connect() to unix:/run/a.sock failed (13: Permission denied) while connecting to upstream",
                  "fastcgi://unix:/run/a.sock:", "upstream_permission_denied", "unix:/run/a.sock", 13 },
                { "connect() to unix:/run/a.sock failed (11: Resource temporarily unavailable) while connecting to upstream",
                  "fastcgi://unix:/run/a.sock:", "upstream_backlog_full", "unix:/run/a.sock", 11 },
                { "connect() failed (113: No route to host) while connecting to upstream",
                  "fastcgi://[2001:db8::1]:9000", "upstream_connect_error", "[2001:db8::1]:9000", 113 },
                { "upstream timed out (110: Connection timed out) while connecting to upstream",
                  "fastcgi://127.0.0.1:9000", "upstream_connect_timeout", "127.0.0.1:9000", 110 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct event ev;
                enum event_kind k = classify_nginx_msg(cases[i].message, cases[i].upstream, &ev);
                ck_assert_str_eq(kind_id(k), cases[i].kind);
                ck_assert_span_eq(ev.upstream, cases[i].label);
                ck_assert_int_eq(ev.err, cases[i].err);
                ck_assert_int_eq(ev.phase, PHASE_CONNECT);
        }
}
END_TEST

START_TEST(test_mid_request_kinds) {
        static const struct {
                const char *message, *kind;
                enum upstream_phase phase;
        } cases[] = {
                { "recv() failed (104: Connection reset by peer) while reading response header from upstream", "upstream_reset", PHASE_HEADER },
                { "readv() failed (104: Connection reset by peer) while reading upstream", "upstream_reset", PHASE_BODY },
                { "writev() failed (32: Broken pipe) while sending request to upstream", "upstream_reset", PHASE_SEND },
                { "upstream prematurely closed connection while reading response header from upstream", "upstream_closed", PHASE_HEADER },
                { "upstream prematurely closed FastCGI stdout while reading upstream", "upstream_closed", PHASE_BODY },
                { "upstream timed out (110: Connection timed out) while reading response header from upstream", "upstream_read_timeout", PHASE_HEADER },
                { "upstream timed out (110: Connection timed out) while reading upstream", "upstream_read_timeout", PHASE_BODY },
                { "upstream timed out (110: Connection timed out) while sending request to upstream", "upstream_read_timeout", PHASE_SEND },
                { "upstream sent too big header while reading response header from upstream", "upstream_header_too_big", PHASE_HEADER },
                { "upstream sent invalid FastCGI record type: 2 while reading response header from upstream", "upstream_protocol_error", PHASE_HEADER },
                { "upstream sent invalid header: \"x\\x00...\" while reading response header from upstream", "upstream_invalid_header", PHASE_HEADER },
                { "upstream sent invalid status \"abc\" while reading response header from upstream", "upstream_invalid_header", PHASE_HEADER },
                { "upstream prematurely closed FastCGI request while reading upstream", "upstream_truncated", PHASE_BODY },
                { "no live upstreams while connecting to upstream", "no_live_upstreams", PHASE_CONNECT },
                { "upstream server temporarily disabled while reading response header from upstream", "upstream_disabled", PHASE_HEADER },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct event ev;
                enum event_kind k = classify_nginx_msg(cases[i].message, "fastcgi://unix:/run/a.sock:", &ev);
                ck_assert_msg(strcmp(kind_id(k), cases[i].kind) == 0, "%s → %s", cases[i].message, kind_id(k));
                ck_assert_int_eq(ev.phase, cases[i].phase);
                ck_assert_span_eq(ev.upstream, "unix:/run/a.sock");
        }
}
END_TEST

/* One line of a field file (tests/data/field/, lines from real hosts): its kind, upstream or
 * detail (NULL: not checked) and errno. */
struct field_case {
        const char *file;
        unsigned line;
        const char *kind, *upstream, *detail;
        int err;
};

static void check_field(const struct field_case *c) {
        char name[128];
        size_t len;
        snprintf(name, sizeof(name), "field/%s", c->file);
        char *log = fixture_read(name, &len), *line = log;
        for (unsigned i = 1; i < c->line && line; i++)
                line = memchr(line, '\n', (size_t) (log + len - line)), line = line ? line + 1 : NULL;
        ck_assert_msg(line != NULL, "%s has no line %u", c->file, c->line);
        char *nl = memchr(line, '\n', (size_t) (log + len - line));
        size_t n = nl ? (size_t) (nl - line) : (size_t) (log + len - line);
        struct logline ll;
        struct event ev;
        enum event_kind k = classify_line(line, n, &ll, &ev);
        ck_assert_msg(strcmp(kind_id(k), c->kind) == 0, "%s:%u: got %s, expected %s", c->file, c->line,
                      kind_id(k), c->kind);
        if (c->upstream)
                ck_assert_span_eq(ev.upstream, c->upstream);
        if (c->detail)
                ck_assert_span_eq(ev.detail, c->detail);
        ck_assert_msg(ev.err == c->err, "%s:%u: errno %d, expected %d", c->file, c->line, ev.err, c->err);
        free(log);
}

/* nginx for Windows logs WSAGetLastError()'s values, kept as logged. */
START_TEST(test_field_windows_errno) {
        static const struct field_case cases[] = {
                { "14-windows-errno.nginx.log", 1, "upstream_refused", "127.0.0.1:9010", NULL, 10061 },
                { "14-windows-errno.nginx.log", 2, "upstream_read_timeout", "127.0.0.1:9005", NULL, 10060 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
        static const struct {
                const char *message, *kind;
                int err;
        } kind_cases[] = {
                { "upstream timed out (10060: A connection attempt failed) while connecting to upstream",
                  "upstream_connect_timeout", 10060 },
                { "connect() failed (10060: A connection attempt failed) while connecting to upstream",
                  "upstream_connect_timeout", 10060 },
                { "WSARecv() failed (10054: An existing connection was forcibly closed by the remote host) while reading response header from upstream",
                  "upstream_reset", 10054 },
                { "recv() failed (10054: An existing connection was forcibly closed by the remote host) while reading response header from upstream",
                  "upstream_reset", 10054 },
                { "WSASend() failed (10053: An established connection was aborted) while sending request to upstream",
                  "upstream_reset", 10053 },
                { "WSARecv() failed (10035: A non-blocking socket operation could not be completed) while reading upstream",
                  "none", 0 },
                { "connect() failed (10065: A socket operation was attempted to an unreachable host) while connecting to upstream",
                  "upstream_connect_error", 10065 },
        };
        for (unsigned i = 0; i < sizeof(kind_cases) / sizeof(kind_cases[0]); i++) {
                struct event ev;
                enum event_kind k = classify_nginx_msg(kind_cases[i].message, "fastcgi://127.0.0.1:9010", &ev);
                ck_assert_msg(strcmp(kind_id(k), kind_cases[i].kind) == 0, "%s → %s", kind_cases[i].message, kind_id(k));
                ck_assert_int_eq(ev.err, kind_cases[i].err);
        }
}
END_TEST

/* php-fpm 8.2's reload (kill -USR2, systemctl reload php8.2-fpm), as it logged it here */
START_TEST(test_field_fpm_reload) {
        static const struct field_case cases[] = {
                { "21-fpm-reload.fpm.log", 1, "fpm_reloading", NULL, NULL, 0 },
                { "21-fpm-reload.fpm.log", 2, "fpm_reloaded", NULL, NULL, 0 },
                { "21-fpm-reload.fpm.log", 3, "none", NULL, NULL, 0 },
                { "21-fpm-reload.fpm.log", 4, "fpm_started", NULL, NULL, 0 },
                { "21-fpm-reload.fpm.log", 5, "fpm_started", NULL, NULL, 0 },
                { "21-fpm-reload.fpm.log", 6, "none", NULL, NULL, 0 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
}
END_TEST

/* old php-fpm wrote the bind address without quotes */
START_TEST(test_field_bind_noquote) {
        static const struct field_case cases[] = {
                { "04-bind-noquote.fpm.log", 1, "none", NULL, NULL, 0 },
                { "04-bind-noquote.fpm.log", 3, "fpm_bind_failed", NULL, "127.0.0.1:9000", 98 },
                { "04-bind-noquote.fpm.log", 4, "fpm_init_failed", NULL, NULL, 0 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
        static const struct {
                const char *line, *detail;
                int err;
        } forms[] = {
                { "[07-Sep-2014 21:12:26] ERROR: unable to bind listening socket for address '/run/php/www.sock': Address already in use (98)",
                  "/run/php/www.sock", 98 },
                { "[07-Sep-2014 21:12:26] ERROR: unable to bind listening socket for address [::]:9000: Address already in use (98)",
                  "[::]:9000", 98 },
                { "[07-Sep-2014 21:12:26] ERROR: unable to bind listening socket for address /run/php/www.sock: Permission denied (13)",
                  "/run/php/www.sock", 13 },
                { "[07-Sep-2014 21:12:26] ERROR: unable to bind listening socket for address 127.0.0.1:9000",
                  "127.0.0.1:9000", 0 },
        };
        for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                struct event ev;
                ck_assert_int_eq(classify(forms[i].line, &ev), KIND_FPM_BIND_FAILED);
                ck_assert_span_eq(ev.detail, forms[i].detail);
                ck_assert_int_eq(ev.err, forms[i].err);
        }
}
END_TEST

/* fastcgi_pass unix:///path: nginx prints it as written; the label is the pool's unix:/path */
START_TEST(test_field_unix_triple_slash) {
        static const struct field_case cases[] = {
                { "20-unix-triple-slash.nginx.log", 1, "upstream_read_timeout", "unix:/var/run/php-fpm.sock", NULL, 110 },
                { "20-unix-triple-slash.nginx.log", 2, "upstream_read_timeout", "unix:/var/run/php-fpm.sock", NULL, 110 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
        struct event ev;
        classify_nginx_msg("connect() to unix:///run//php.sock failed (2: No such file or directory) while connecting to upstream",
                           "fastcgi://unix:///run//php.sock:", &ev);
        ck_assert_int_eq(ev.kind, KIND_UPSTREAM_SOCKET_MISSING);
        ck_assert_span_eq(ev.upstream, "unix:/run/php.sock");
        classify_nginx_msg("upstream timed out (110: Connection timed out) while reading upstream",
                           "fastcgi://unix:///run/php.sock:", &ev);
        ck_assert_span_eq(ev.upstream, "unix:/run/php.sock");
        struct address pool, seen;
        ck_assert_int_eq(address_parse(&pool, "/run/php.sock", 13), 0);
        ck_assert_int_eq(address_parse(&seen, ev.upstream.p, ev.upstream.n), 0);
        ck_assert(address_same(&pool, &seen));
}
END_TEST

/* the application's response, not FastCGI itself, is broken: neither not_fastcgi nor worker_killed */
START_TEST(test_field_app_bad_response) {
        static const struct field_case cases[] = {
                { "11-invalid-header.nginx.log", 1, "upstream_invalid_header", "unix:/var/run/cgi-php.socket-1", NULL, 0 },
                { "13-premature-fcgi-request.nginx.log", 1, "upstream_truncated",
                  "unix:/var/run/nextcloud-php-fpm.sock", NULL, 0 },
                { "13-premature-fcgi-request.nginx.log", 2, "upstream_truncated",
                  "unix:/var/run/nextcloud-php-fpm.sock", NULL, 0 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
        enum event_kind kinds[] = { KIND_UPSTREAM_INVALID_HEADER, KIND_UPSTREAM_TRUNCATED };
        for (unsigned i = 0; i < 2; i++) {
                const struct kind_info *k = kind_info(kinds[i]);
                ck_assert_int_eq(k->cause, CAUSE_APP_BAD_RESPONSE);
                ck_assert_uint_eq(k->causes, 1u << CAUSE_APP_BAD_RESPONSE);
        }
}
END_TEST

START_TEST(test_protocol_version_value) {
        struct event ev;
        classify_nginx_msg("upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream",
                           "fastcgi://127.0.0.1:8080", &ev);
        ck_assert_int_eq(ev.kind, KIND_UPSTREAM_PROTOCOL_ERROR);
        ck_assert_int_eq(ev.value, 72);
        ck_assert_int_eq(kind_info(ev.kind)->cause, CAUSE_NOT_FASTCGI);
        /* once the body flows, the stream that began as FastCGI broke: not the wrong port */
        classify_nginx_msg("upstream sent unsupported FastCGI protocol version: 0 while reading upstream",
                           "fastcgi://unix:/run/php/php-fpm.sock:", &ev);
        ck_assert_int_eq(ev.kind, KIND_UPSTREAM_STREAM_BROKEN);
        ck_assert_int_eq(ev.value, 0);
        ck_assert_int_eq(kind_info(ev.kind)->cause, CAUSE_APP_BAD_RESPONSE);
        classify_nginx_msg("upstream sent invalid FastCGI record type: 9 while reading upstream",
                           "fastcgi://127.0.0.1:9000", &ev);
        ck_assert_int_eq(ev.kind, KIND_UPSTREAM_STREAM_BROKEN);
}
END_TEST

/* field 09: TLS to an https upstream, and a plain reset on an http one */
START_TEST(test_field_tls) {
        static const struct field_case cases[] = {
                { "09-ssl-peer-closed.nginx.log", 1, "upstream_tls_failed", "203.0.113.69:8443", NULL, 104 },
                { "09-ssl-peer-closed.nginx.log", 2, "upstream_reset", "203.0.113.69:8080", NULL, 104 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
        ck_assert_int_eq(kind_info(KIND_UPSTREAM_TLS_FAILED)->cause, CAUSE_UPSTREAM_TLS);
        static const struct {
                const char *message, *kind, *detail;
                int err;
        } forms[] = {
                { "SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert "
                  "number 40) while SSL handshaking to upstream", "upstream_tls_failed",
                  "SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40", 0 },
                { "peer closed connection in SSL handshake while SSL handshaking to upstream", "upstream_tls_failed", NULL, 0 },
                { "upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream",
                  "upstream_tls_failed", "certificate verify error: (10:certificate has expired)", 0 },
                { "upstream SSL certificate does not match \"example.com\" while SSL handshaking to upstream",
                  "upstream_tls_failed", "certificate does not match \"example.com\"", 0 },
                { "recv() failed (104: Connection reset by peer) while SSL handshaking to upstream", "upstream_tls_failed", NULL, 104 },
                { "upstream timed out (110: Connection timed out) while SSL handshaking to upstream",
                  "upstream_connect_timeout", NULL, 110 },
                /* a client's TLS, not the upstream's */
                { "peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking",
                  "none", NULL, 0 },
                { "SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking",
                  "none", NULL, 0 },
        };
        for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                struct event ev;
                enum event_kind k = classify_nginx_msg(forms[i].message, "https://203.0.113.69:8443/x", &ev);
                ck_assert_msg(strcmp(kind_id(k), forms[i].kind) == 0, "%s → %s", forms[i].message, kind_id(k));
                ck_assert_int_eq(ev.err, forms[i].err);
                if (forms[i].detail)
                        ck_assert_span_eq(ev.detail, forms[i].detail);
                if (k != KIND_NONE)
                        ck_assert_int_eq(ev.proto, PROTO_HTTP);
        }
}
END_TEST

/* field 15: EPIPE sending to a kept-alive http:// upstream; the same to php-fpm stays a reset */
START_TEST(test_field_keepalive) {
        static const struct field_case c = { "15-writev-keepalive.nginx.log", 1, "upstream_send_closed",
                                             "100.81.255.198:8000", NULL, 32 };
        check_field(&c);
        ck_assert_int_eq(kind_info(KIND_UPSTREAM_SEND_CLOSED)->cause, CAUSE_KEEPALIVE_CLOSED);
        static const struct {
                const char *message, *upstream, *kind;
        } forms[] = {
                { "writev() failed (32: Broken pipe) while sending request to upstream", "fastcgi://127.0.0.1:9000", "upstream_reset" },
                { "send() failed (104: Connection reset by peer) while sending request to upstream", "uwsgi://127.0.0.1:3031", "upstream_send_closed" },
                { "writev() failed (32: Broken pipe) while sending request to upstream", "grpc://127.0.0.1:50051", "upstream_send_closed" },
                { "recv() failed (104: Connection reset by peer) while reading response header from upstream",
                  "http://127.0.0.1:8000/", "upstream_reset" },
        };
        for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                struct event ev;
                enum event_kind k = classify_nginx_msg(forms[i].message, forms[i].upstream, &ev);
                ck_assert_msg(strcmp(kind_id(k), forms[i].kind) == 0, "%s → %s", forms[i].message, kind_id(k));
        }
}
END_TEST

/* field 19: the kinds of a proxied upstream's connect errors, and the upstream's protocol */
START_TEST(test_field_ipv6_unreachable) {
        static const struct field_case cases[] = {
                { "19-ipv6-unreachable.nginx.log", 1, "upstream_refused", "203.0.113.26:8080", NULL, 111 },
                { "19-ipv6-unreachable.nginx.log", 2, "upstream_connect_error", "[2001:db8:3030::681c:31a]:8080", NULL, 101 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                check_field(&cases[i]);
        static const struct {
                const char *field;
                enum upstream_proto proto;
        } protos[] = {
                { "fastcgi://unix:/x.sock:", PROTO_FASTCGI }, { "http://10.0.0.1:80/", PROTO_HTTP },
                { "https://h:443/", PROTO_HTTP }, { "uwsgi://127.0.0.1:3031", PROTO_UWSGI },
                { "suwsgi://127.0.0.1:3031", PROTO_UWSGI }, { "scgi://127.0.0.1:4000", PROTO_SCGI },
                { "grpcs://[::1]:50051", PROTO_GRPC }, { "memcached://127.0.0.1:11211", PROTO_OTHER },
                { "127.0.0.1:9000", PROTO_UNKNOWN }, { "", PROTO_UNKNOWN },
        };
        for (unsigned i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
                ck_assert_int_eq(address_upstream_proto(span_make(protos[i].field, strlen(protos[i].field))), protos[i].proto);
}
END_TEST

START_TEST(test_php_stderr) {
        static const struct {
                const char *message, *kind;
                long value;
        } cases[] = {
                { "FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Allowed memory size of 134217728 bytes exhausted (tried to allocate 20480 bytes) in /x.php on line 3\" while reading response header from upstream", "php_memory_exhausted", 134217728 },
                { "FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Maximum execution time of 30 seconds exceeded in /x.php on line 9\" while reading response header from upstream", "php_time_limit", 30 },
                { "FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function f() in /x.php:2\" while reading response header from upstream", "php_fatal", -1 },
                { "FastCGI sent in stderr: \"PHP message: PHP Parse error:  syntax error, unexpected end of file in /x.php on line 4\" while reading response header from upstream", "php_fatal", -1 },
                { "FastCGI sent in stderr: \"Primary script unknown\" while reading response header from upstream", "script_not_found", -1 },
                { "FastCGI sent in stderr: \"Access to the script '/x.txt' has been denied (see security.limit_extensions)\" while reading response header from upstream", "script_denied", -1 },
                { "FastCGI sent in stderr: \"Unable to open primary script: /x.php (Permission denied)\" while reading response header from upstream", "script_denied", -1 },
                /* warnings and notices on good requests are not failures */
                { "FastCGI sent in stderr: \"PHP message: PHP Warning:  Undefined variable $v in /x.php on line 1\" while reading response header from upstream", "none", -1 },
                { "FastCGI sent in stderr: \"PHP message: PHP Deprecated:  f(): x is deprecated in /x.php on line 1\" while reading upstream", "none", -1 },
                /* a warning quoting user text that looks like a fatal error stays a warning */
                { "FastCGI sent in stderr: \"PHP message: PHP Warning:  file(Allowed memory size PHP Fatal error:  Allowed memory size of 1 bytes exhausted): Failed to open stream\" while reading response header from upstream", "none", -1 },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct event ev;
                enum event_kind k = classify_nginx_msg(cases[i].message, "fastcgi://unix:/run/a.sock:", &ev);
                ck_assert_msg(strcmp(kind_id(k), cases[i].kind) == 0, "%s → %s", cases[i].message, kind_id(k));
                if (k != KIND_NONE)
                        ck_assert_int_eq(ev.value, cases[i].value);
        }
}
END_TEST

START_TEST(test_benign_nginx) {
        static const char *lines[] = {
                "2026/11/25 13:23:11 [info] 6586#6586: *3 client 127.0.0.1 closed keepalive connection",
                "2026/11/25 13:24:18 [info] 6586#6586: *99 epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too while sending request to upstream, client: 127.0.0.1, server: c10abort, request: \"GET /slow.php?s=2 HTTP/1.1\", upstream: \"fastcgi://unix:/srv/lab/run/main.sock:\", host: \"127.0.0.1:18105\"",
                "2026/11/25 13:24:18 [info] 6586#6586: *99 client prematurely closed connection while reading client request body, client: 1.2.3.4, server: s, request: \"POST / HTTP/1.1\", host: \"h\"",
                "2026/11/25 13:24:18 [error] 6586#6586: *99 open() \"/var/www/html/favicon.ico\" failed (2: No such file or directory), client: 1.2.3.4, server: s, request: \"GET /favicon.ico HTTP/1.1\", host: \"h\"",
                "2026/11/25 13:24:18 [error] 6586#6586: *99 recv() failed (104: Connection reset by peer) while reading client request line, client: 1.2.3.4, server: s",
                "2026/11/25 13:24:18 [crit] 6586#6586: *99 connect() to 10.0.0.1:53 failed (111: Connection refused) while resolving, resolver: 10.0.0.1:53",
                "2026/11/25 13:24:42 [notice] 6583#6583: signal 3 (SIGQUIT) received from 6434, shutting down",
        };
        for (unsigned i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
                struct event ev;
                ck_assert_msg(classify(lines[i], &ev) == KIND_NONE, "%s", lines[i]);
                ck_assert_ptr_null(ev.upstream.p);
        }
}
END_TEST

START_TEST(test_request_cannot_decide) {
        /* An attacker's request line quoting a failure must not make a benign line a failure… */
        struct event ev;
        ck_assert_int_eq(classify("2026/11/25 13:24:11 [info] 6586#6586: *94 client sent invalid method while reading "
                                  "client request line, client: 127.0.0.1, server: plain, request: \"connect() to "
                                  "unix:/x failed (2: No such file or directory) while connecting to upstream\"",
                                  &ev), KIND_NONE);
        /* …nor a failure another failure, nor move its upstream. */
        char *line = nginx_line("error", "recv() failed (104: Connection reset by peer) while reading response header from upstream",
                                "fastcgi://unix:/run/real.sock:");
        char *spoofed;
        ck_assert_int_ge(asprintf(&spoofed, "%.*s%s", (int) (strstr(line, "GET") - line), line,
                                  "GET /connect() to unix:/x failed (2: No such file or directory), client: 1.1.1.1 HTTP/1.1\", "
                                  "upstream: \"fastcgi://unix:/run/real.sock:\", host: \"h\""), 0);
        ck_assert_int_eq(classify(spoofed, &ev), KIND_UPSTREAM_RESET);
        ck_assert_span_eq(ev.upstream, "unix:/run/real.sock");
        free(line);
        free(spoofed);
}
END_TEST

START_TEST(test_hostile_bytes) {
        /* control bytes, NUL and invalid UTF-8 in the request; the message still decides */
        static const char line[] = "2026/11/25 13:23:15 [error] 1#1: *1 connect() to unix:/run/a.sock failed (2: No such "
                                   "file or directory) while connecting to upstream, client: 127.0.0.1, server: s, "
                                   "request: \"\x01\x02\0\xff\xfe\xc3\x28 HTTP/1.1\", upstream: \"fastcgi://unix:/run/a.sock:\"";
        struct logline ll;
        struct event ev;
        ck_assert_int_eq(classify_line(line, sizeof(line) - 1, &ll, &ev), KIND_UPSTREAM_SOCKET_MISSING);
        ck_assert_span_eq(ev.upstream, "unix:/run/a.sock");
        ck_assert_uint_eq(ll.nginx.request.n, 16);
}
END_TEST

START_TEST(test_huge_line) {
        size_t big = 1 << 20;
        char *request = malloc(big + 1);
        memset(request, 'A', big);
        request[big] = '\0';
        char *line = nginx_line("error", "upstream timed out (110: Connection timed out) while reading response header from upstream",
                                "fastcgi://unix:/run/a.sock:");
        char *huge;
        ck_assert_int_ge(asprintf(&huge, "%s, referrer: \"%s\"", line, request), 0);
        struct event ev;
        ck_assert_int_eq(classify(huge, &ev), KIND_UPSTREAM_READ_TIMEOUT);
        ck_assert_span_eq(ev.upstream, "unix:/run/a.sock");
        free(request);
        free(line);
        free(huge);
}
END_TEST

START_TEST(test_empty_and_cut_lines) {
        struct logline ll;
        struct event ev;
        ck_assert_int_eq(classify_line("", 0, &ll, &ev), KIND_NONE);
        ck_assert_int_eq(ll.source, SOURCE_NONE);
        ck_assert_int_eq(classify_line("\n", 1, &ll, &ev), KIND_NONE);
        /* cut inside the message: not enough to say; cut after it: the kind is already known.
         * A cut inside ", client: " itself may go either way. */
        size_t msg_end = (size_t) (strstr(refused_line, ", client: ") - refused_line);
        for (size_t cut = 0; cut <= sizeof(refused_line) - 1; cut++) {
                char *copy = malloc(cut + 1);
                memcpy(copy, refused_line, cut);
                enum event_kind k = classify_line(copy, cut, &ll, &ev);
                if (cut == msg_end || cut >= msg_end + 10)
                        ck_assert_int_eq(k, KIND_UPSTREAM_REFUSED);
                else if (cut < msg_end)
                        ck_assert_int_eq(k, KIND_NONE);
                free(copy);
        }
}
END_TEST

static enum event_kind fpm(const char *message, struct event *ev) {
        static char *line;
        free(line);
        ck_assert_int_ge(asprintf(&line, "[25-Nov-2026 13:23:20] WARNING: %s", message), 0);
        return classify(line, ev);
}

START_TEST(test_fpm_children) {
        struct event ev;
        ck_assert_int_eq(fpm("[pool www] child 7066 exited on signal 11 (SIGSEGV - core dumped) after 48.821719 seconds from start", &ev),
                         KIND_FPM_CHILD_SIGNAL);
        ck_assert_int_eq(ev.signal, 11);
        ck_assert_span_eq(ev.signal_name, "SIGSEGV");
        ck_assert(ev.core_dumped);
        ck_assert_int_eq(ev.child_pid, 7066);
        ck_assert_double_eq_tol(ev.seconds, 48.821719, 1e-6);
        ck_assert_span_eq(ev.pool, "www");
        ck_assert_int_eq(fpm("[pool www] child 12 exited with code 255 after 1.000000 seconds from start", &ev), KIND_FPM_CHILD_EXIT);
        ck_assert_int_eq(ev.exit_code, 255);
        ck_assert_int_eq(fpm("[pool www] child 12 exited with code 0 after 1.000000 seconds from start", &ev), KIND_NONE);
        ck_assert_int_eq(fpm("[pool www] child 12 exited on signal 3 (SIGQUIT) after 1.000000 seconds from start", &ev), KIND_NONE);
        ck_assert_int_eq(fpm("[pool www] child 12 started", &ev), KIND_NONE);
        /* a worker's stderr is the application's text, whatever it says */
        ck_assert_int_eq(fpm("[pool www] child 6572 said into stderr: \"child 1 exited on signal 9 (SIGKILL) after 1 seconds\"", &ev), KIND_NONE);
}
END_TEST

START_TEST(test_fpm_pool_and_master) {
        struct event ev;
        ck_assert_int_eq(fpm("[pool c7dyn] server reached pm.max_children setting (2), consider raising it", &ev), KIND_FPM_MAX_CHILDREN);
        ck_assert_int_eq(ev.value, 2);
        ck_assert_int_eq(fpm("[pool c7ondemand] server reached max_children setting (1), consider raising it", &ev), KIND_FPM_MAX_CHILDREN);
        ck_assert_int_eq(ev.value, 1);
        ck_assert_int_eq(fpm("[pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 13 total children", &ev), KIND_FPM_POOL_BUSY);
        ck_assert_int_eq(fpm("unable to bind listening socket for address '/run/php/php8.2-fpm.sock': Address already in use (98)", &ev), KIND_FPM_BIND_FAILED);
        ck_assert_span_eq(ev.detail, "/run/php/php8.2-fpm.sock");
        ck_assert_int_eq(ev.err, 98);
        ck_assert_int_eq(fpm("FPM initialization failed", &ev), KIND_FPM_INIT_FAILED);
        ck_assert_int_eq(fpm("Terminating ...", &ev), KIND_FPM_STOPPING);
        ck_assert_int_eq(fpm("fpm is running, pid 6559", &ev), KIND_FPM_STARTED);
        ck_assert_int_eq(fpm("[pool www] Finishing ...", &ev), KIND_NONE);
}
END_TEST

START_TEST(test_fpm_terminated_reads_from_the_right) {
        struct event ev;
        /* the request string is the client's: a fake ending inside it must not be taken */
        ck_assert_int_eq(fpm("[pool t] child 6570, script '/srv/slow.php' (request: \"GET /slow.php?x=') execution timed "
                             "out (999.0 sec), terminating\") execution timed out (2.016550 sec), terminating", &ev),
                         KIND_FPM_REQUEST_TERMINATED);
        ck_assert_double_eq_tol(ev.seconds, 2.01655, 1e-6);
        ck_assert_int_eq(ev.child_pid, 6570);
        ck_assert_int_eq(fpm("[pool t] child 6570, script '/srv/slow.php' (request: \"GET /slow.php?s=4\") executing too slow "
                             "(1.015282 sec), logging", &ev), KIND_FPM_SLOW_REQUEST);
        ck_assert_span_eq(ev.detail, "/srv/slow.php");
}
END_TEST

START_TEST(test_fpm_debug_format) {
        struct event ev;
        ck_assert_int_eq(classify("[25-Nov-2026 13:23:15.673798] WARNING: pid 6709, fpm_children_bury(), line 289: [pool victim] "
                                  "child 6711 exited on signal 9 (SIGKILL) after 3.501234 seconds from start", &ev),
                         KIND_FPM_CHILD_SIGNAL);
        ck_assert_span_eq(ev.pool, "victim");
        ck_assert_int_eq(ev.signal, 9);
}
END_TEST

START_TEST(test_every_kind_has_an_entry) {
        for (unsigned k = 0; k < KIND__MAX; k++) {
                const struct kind_info *ki = kind_info((enum event_kind) k);
                ck_assert_ptr_nonnull(ki->id);
                ck_assert_int_eq(kind_from_id(ki->id), k);
                ck_assert_ptr_nonnull(ki->text);
        }
        ck_assert_int_eq(kind_from_id("no_such_kind"), KIND_NONE);
        char buf[128];
        ck_assert_str_eq(kind_causes_str(KIND_UPSTREAM_SOCKET_MISSING, buf, sizeof(buf)), "fpm_down, socket_mismatch");
}
END_TEST

/* README.md's table and the man page's are written by hand: they must name every kind. */
START_TEST(test_docs_list_every_kind) {
        char *readme = fixture_read("../../README.md", NULL);
        char *man = fixture_read("../../man/badgatewayd.8", NULL);
        for (unsigned k = 1; k < KIND__MAX; k++) {
                const char *id = kind_id((enum event_kind) k);
                char cell[96], row[96];
                snprintf(cell, sizeof(cell), "| `%s` |", id);
                snprintf(row, sizeof(row), "\n%s\t", id);
                ck_assert_msg(strstr(readme, cell) != NULL, "README.md does not list %s", id);
                ck_assert_msg(strstr(man, row) != NULL, "man/badgatewayd.8 does not list %s", id);
        }
        for (unsigned c = 1; c < CAUSE__MAX; c++)
                ck_assert_msg(strstr(man, cause_id((enum cause) c)) != NULL, "man page lacks %s", cause_id((enum cause) c));
        free(readme);
        free(man);
}
END_TEST

/* php-fpm's seconds print as logged and read back as the same double (what scan --json relies on) */
START_TEST(test_seconds_as_logged) {
        static const char *const cases[][2] = {
                { "664.260371", "664.260371" }, { "3.264", "3.264" }, { "10.510350", "10.51035" },
                { "0.000123", "0.000123" }, { "1109.895754", "1109.895754" }, { "7", "7.0" },
                { "1.12345678901234567", "1.12345678901235" }, { "123456789012345678", "1.23456789012346e17" },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct span t = span_make(cases[i][0], strlen(cases[i][0]));
                double v;
                ck_assert(span_take_seconds(&t, &v));
                json_t *j = json_real(v);
                char *text = json_dumps(j, JSON_ENCODE_ANY | EVENT_JSON_FLAGS);
                ck_assert_str_eq(text, cases[i][1]);
                json_t *back = json_loads(text, JSON_DECODE_ANY, NULL);
                ck_assert(json_real_value(back) == v);
                json_decref(back);
                json_decref(j);
                free(text);
        }
}
END_TEST

/* Minutes of the log's own clock: real lengths of months and leap years, so that a timeline has no
 * gap at a month's end; lines out of order land in their own minute. */
START_TEST(test_tally_minutes) {
        struct timestamp epoch = { 1970, 1, 1, 0, 0, 0, 0 }, leap = { 2000, 3, 1, 0, 0, 0, 0 };
        struct timestamp nov30 = { 2026, 11, 30, 23, 59, 30, 0 }, dec1 = { 2026, 12, 1, 0, 0, 5, 0 };
        struct timestamp feb28 = { 2024, 2, 28, 12, 0, 0, 0 }, mar1 = { 2024, 3, 1, 12, 0, 0, 0 };
        ck_assert_int_eq(tally_minute(&epoch), 0);
        ck_assert_int_eq(tally_minute(&leap), 11017 * 1440);
        ck_assert_int_eq(tally_minute(&dec1) - tally_minute(&nov30), 1);
        ck_assert_int_eq(tally_minute(&mar1) - tally_minute(&feb28), 2 * 1440);
        struct tally t;
        tally_init(&t);
        ck_assert_int_eq(tally_add(&t, KIND_UPSTREAM_RESET, SPAN_LIT("a"), &nov30), 0);
        ck_assert_int_eq(tally_add(&t, KIND_UPSTREAM_RESET, SPAN_LIT("a"), &dec1), 0);
        ck_assert_int_eq(tally_add(&t, KIND_UPSTREAM_RESET, SPAN_LIT("a"), &nov30), 0);
        ck_assert_int_eq(tally_add(&t, KIND_UPSTREAM_RESET, SPAN_LIT("a"), NULL), 0);
        size_t counts[3];
        ck_assert_uint_eq(tally_buckets(&t, KIND_UPSTREAM_RESET, tally_minute(&nov30), 1, counts, 3), 2);
        ck_assert_uint_eq(counts[0], 2);
        ck_assert_uint_eq(counts[1], 1);
        ck_assert_uint_eq(counts[2], 0);
        int64_t first, last;
        ck_assert(tally_span(&t, &first, &last));
        ck_assert_int_eq(first, tally_minute(&nov30));
        ck_assert_int_eq(last, tally_minute(&dec1));
        tally_done(&t);
        ck_assert(!tally_span(&t, &first, &last));
}
END_TEST

/* Events with no label (a php-fpm line that names no pool) count under one empty label. */
START_TEST(test_tally_empty_label) {
        struct tally t;
        tally_init(&t);
        ck_assert_int_eq(tally_add(&t, KIND_FPM_CHILD_SIGNAL, (struct span) { NULL, 0 }, NULL), 0);
        ck_assert_int_eq(tally_add(&t, KIND_FPM_CHILD_SIGNAL, (struct span) { NULL, 0 }, NULL), 0);
        ck_assert_uint_eq(t.kinds[KIND_FPM_CHILD_SIGNAL].nlabels, 1);
        ck_assert_uint_eq(t.kinds[KIND_FPM_CHILD_SIGNAL].labels[0].count, 2);
        tally_done(&t);
}
END_TEST

int main(void) {
        Suite *s = suite_create("classify");
        TCase *tc = tcase_create("nginx");
        tcase_add_test(tc, test_corpus_nginx);
        tcase_add_test(tc, test_connect_errnos);
        tcase_add_test(tc, test_mid_request_kinds);
        tcase_add_test(tc, test_protocol_version_value);
        tcase_add_test(tc, test_field_tls);
        tcase_add_test(tc, test_tally_minutes);
        tcase_add_test(tc, test_seconds_as_logged);
        tcase_add_test(tc, test_field_keepalive);
        tcase_add_test(tc, test_field_ipv6_unreachable);
        tcase_add_test(tc, test_field_windows_errno);
        tcase_add_test(tc, test_field_unix_triple_slash);
        tcase_add_test(tc, test_field_app_bad_response);
        tcase_add_test(tc, test_php_stderr);
        tcase_add_test(tc, test_benign_nginx);
        tcase_add_test(tc, test_request_cannot_decide);
        tcase_add_test(tc, test_hostile_bytes);
        tcase_add_test(tc, test_huge_line);
        tcase_add_test(tc, test_empty_and_cut_lines);
        suite_add_tcase(s, tc);
        TCase *tf = tcase_create("php-fpm");
        tcase_add_test(tf, test_corpus_fpm);
        tcase_add_test(tf, test_fpm_children);
        tcase_add_test(tf, test_fpm_pool_and_master);
        tcase_add_test(tf, test_fpm_terminated_reads_from_the_right);
        tcase_add_test(tf, test_fpm_debug_format);
        tcase_add_test(tf, test_field_bind_noquote);
        tcase_add_test(tf, test_field_fpm_reload);
        tcase_add_test(tf, test_every_kind_has_an_entry);
        tcase_add_test(tf, test_docs_list_every_kind);
        tcase_add_test(tf, test_tally_empty_label);
        suite_add_tcase(s, tf);
        return fixture_run(s);
}
