#include "classify.h"

#include <stdint.h>

#include "address.h"

static void event_init(struct event *ev, enum log_source src) {
        *ev = (struct event) {
                .kind = KIND_NONE, .source = src, .child_pid = -1, .seconds = -1, .value = -1,
                .oom = { .pid = -1, .total_vm_kb = -1, .anon_rss_kb = -1, .file_rss_kb = -1,
                         .shmem_rss_kb = -1, .uid = -1, .usage_kb = -1, .limit_kb = -1 },
        };
}

static enum event_kind set_kind(struct event *ev, enum event_kind k) {
        ev->kind = k;
        return k;
}

/* "… failed (111: Connection refused) …" → 111 */
static int errno_in(struct span m) {
        const char *at = SPAN_FIND(m, "failed (");
        if (!at && !(at = SPAN_FIND(m, "timed out (")))
                return 0;
        struct span t = span_range(SPAN_FIND(span_range(at, m.p + m.n), "(") + 1, m.p + m.n);
        long e;
        if (!span_take_long(&t, &e) || !SPAN_STARTS(t, ":") || e > ERRNO_LOGGED_MAX)
                return 0;
        return (int) e;
}

static enum upstream_phase phase_of(struct span m) {
        if (SPAN_ENDS(m, " while connecting to upstream"))
                return PHASE_CONNECT;
        if (SPAN_ENDS(m, " while sending request to upstream"))
                return PHASE_SEND;
        if (SPAN_ENDS(m, " while reading response header from upstream"))
                return PHASE_HEADER;
        if (SPAN_ENDS(m, " while reading upstream"))
                return PHASE_BODY;
        if (SPAN_ENDS(m, " while SSL handshaking to upstream"))
                return PHASE_TLS;
        return PHASE_NONE;
}

/* connect() to unix:/run/php.sock failed (2: No such file or directory) while connecting … */
static enum event_kind rule_connect_to(struct nginx_line *l, struct span m, struct event *ev) {
        if (ev->phase != PHASE_CONNECT)
                return KIND_NONE;
        struct span t = span_range(m.p + 13, m.p + m.n);
        const char *failed = SPAN_FIND(t, " failed (");
        if (!failed)
                return KIND_NONE;
        ev->upstream = span_range(t.p, failed);
        ev->err = errno_in(m);
        return kind_of_connect_errno(ev->err);
}

/* connect() failed (111: Connection refused) while connecting to upstream — the TCP form */
static enum event_kind rule_connect_failed(struct nginx_line *l, struct span m, struct event *ev) {
        if (ev->phase != PHASE_CONNECT)
                return KIND_NONE;
        ev->err = errno_in(m);
        return kind_of_connect_errno(ev->err);
}

static enum event_kind rule_timed_out(struct nginx_line *l, struct span m, struct event *ev) {
        ev->err = errno_in(m);
        switch (ev->phase) {
        case PHASE_CONNECT:
        case PHASE_TLS: return KIND_UPSTREAM_CONNECT_TIMEOUT;   /* the connection was never set up */
        case PHASE_NONE: return KIND_NONE;
        default: return KIND_UPSTREAM_READ_TIMEOUT;
        }
}

/* recv()/readv()/writev()/send() failed (104: Connection reset by peer) while … upstream;
 * WSARecv()/WSASend() failed (10054: …) from nginx for Windows */
static enum event_kind rule_io_failed(struct nginx_line *l, struct span m, struct event *ev) {
        ev->err = errno_in(m);
        bool mid_request = ev->phase != PHASE_NONE && ev->phase != PHASE_CONNECT;
        if (!errno_is_reset(ev->err) || !mid_request)
                return KIND_NONE;
        return ev->phase == PHASE_TLS ? KIND_UPSTREAM_TLS_FAILED : KIND_UPSTREAM_RESET;
}

/*
 * The TLS handshake towards the upstream (ngx_ssl_handshake() and ngx_ssl_connection_error() in
 * src/event/ngx_event_openssl.c, ngx_http_upstream_ssl_handshake() for the certificate checks):
 *   peer closed connection in SSL handshake (104: Connection reset by peer) while SSL handshaking to upstream
 *   SSL_do_handshake() failed (SSL: error:0A000410:…:SSL alert number 40) while SSL handshaking to upstream
 *   upstream SSL certificate verify error: (10:certificate has expired) while SSL handshaking to upstream
 *   upstream SSL certificate does not match "example.com" while SSL handshaking to upstream
 * The same words "while SSL handshaking" with a client are about the client's TLS: not an event.
 */
static enum event_kind rule_tls(struct nginx_line *l, struct span m, struct event *ev) {
        if (ev->phase != PHASE_TLS)
                return KIND_NONE;
        struct span why = span_range(m.p, m.p + m.n - (sizeof(" while SSL handshaking to upstream") - 1));
        if (SPAN_STARTS(why, "upstream SSL certificate ")) {
                ev->detail = span_range(why.p + sizeof("upstream SSL ") - 1, why.p + why.n);
                return KIND_UPSTREAM_TLS_FAILED;
        }
        const char *open = SPAN_FIND(why, " (");
        if (!open || !SPAN_ENDS(why, ")"))
                return KIND_UPSTREAM_TLS_FAILED;
        struct span inside = span_range(open + 2, why.p + why.n - 1), t = inside;
        long e;
        if (span_take_long(&t, &e) && SPAN_STARTS(t, ":") && e <= ERRNO_LOGGED_MAX)
                ev->err = (int) e;
        else if (SPAN_STARTS(inside, "SSL: "))
                ev->detail = inside;    /* OpenSSL's error queue */
        return KIND_UPSTREAM_TLS_FAILED;
}

static enum event_kind rule_closed(struct nginx_line *l, struct span m, struct event *ev) {
        return ev->phase != PHASE_NONE ? KIND_UPSTREAM_CLOSED : KIND_NONE;
}

/* the application's response is FastCGI, but not a valid or complete HTTP response */
static enum event_kind rule_invalid_header(struct nginx_line *l, struct span m, struct event *ev) {
        return KIND_UPSTREAM_INVALID_HEADER;
}

static enum event_kind rule_truncated(struct nginx_line *l, struct span m, struct event *ev) {
        return ev->phase != PHASE_NONE ? KIND_UPSTREAM_TRUNCATED : KIND_NONE;
}

static enum event_kind rule_too_big(struct nginx_line *l, struct span m, struct event *ev) {
        return KIND_UPSTREAM_HEADER_TOO_BIG;
}

/*
 * Records that are not FastCGI. While reading the response header they mean the peer never spoke
 * FastCGI (version 72 is the 'H' of an HTTP server's "HTTP/1.1"); once the response was flowing
 * (while reading upstream) the stream that began as FastCGI broke.
 */
static enum event_kind rule_protocol(struct nginx_line *l, struct span m, struct event *ev) {
        struct span t = m;
        if (SPAN_SKIP(&t, "upstream sent unsupported FastCGI protocol version: ") ||
            SPAN_SKIP(&t, "upstream sent invalid FastCGI record type: ") ||
            SPAN_SKIP(&t, "upstream sent unexpected FastCGI record: "))
                span_take_long(&t, &ev->value);
        return ev->phase == PHASE_BODY ? KIND_UPSTREAM_STREAM_BROKEN : KIND_UPSTREAM_PROTOCOL_ERROR;
}

static enum event_kind rule_no_live(struct nginx_line *l, struct span m, struct event *ev) {
        return KIND_NO_LIVE_UPSTREAMS;
}

static enum event_kind rule_disabled(struct nginx_line *l, struct span m, struct event *ev) {
        return KIND_UPSTREAM_DISABLED;
}

static enum event_kind php_fatal_kind(struct span fatal, struct event *ev) {
        struct span t = fatal;
        while (t.n > 0 && t.p[0] == ' ')
                t = span_make(t.p + 1, t.n - 1);
        if (SPAN_SKIP(&t, "Allowed memory size of ")) {
                span_take_long(&t, &ev->value);
                return KIND_PHP_MEMORY_EXHAUSTED;
        }
        if (SPAN_SKIP(&t, "Maximum execution time of ")) {
                span_take_long(&t, &ev->value);
                return KIND_PHP_TIME_LIMIT;
        }
        return KIND_PHP_FATAL;
}

/* A PHP log message framed as php-fpm sends it: at the start of the text or after "PHP message: ". */
static enum event_kind php_message(struct span m, struct event *ev) {
        if (SPAN_SKIP(&m, "PHP Fatal error:"))
                return php_fatal_kind(m, ev);
        return SPAN_STARTS(m, "PHP Parse error:") ? KIND_PHP_FATAL : KIND_NONE;
}

/* One pass over PHP's text: each "PHP message: " frame, and the first message. */
static enum event_kind php_messages(struct span s, struct event *ev) {
        static const char frame[] = "PHP message: ";
        enum event_kind k = php_message(s, ev);
        const char *end = s.p + s.n, *hit;
        for (struct span t = s; k == KIND_NONE && (hit = SPAN_FIND(t, frame)); ) {
                t = span_range(hit + sizeof(frame) - 1, end);
                k = php_message(t, ev);
        }
        return k;
}

/* php-fpm's own refusals; "Unable to open primary script: X (Permission denied)" ends the text. */
static bool script_denied(struct span s) {
        if (SPAN_STARTS(s, "Access to the script '"))
                return SPAN_ENDS(s, "' has been denied (see security.limit_extensions)");
        return SPAN_STARTS(s, "Unable to open primary script: ") ||
               (SPAN_ENDS(s, ")") && SPAN_FIND(s, "; Unable to open primary script: "));
}

/* FastCGI sent in stderr: "…" while reading response header from upstream */
static enum event_kind rule_stderr(struct nginx_line *l, struct span m, struct event *ev) {
        struct span s = span_range(m.p + 25, m.p + m.n);
        const char *close = span_rfind(s, "\" while ", 8);
        if (close)
                s = span_range(s.p, close);
        ev->detail = s;
        if (SPAN_STARTS(s, "Primary script unknown"))
                return KIND_SCRIPT_NOT_FOUND;
        if (script_denied(s))
                return KIND_SCRIPT_DENIED;
        return php_messages(s, ev);
}

typedef enum event_kind (*nginx_rule)(struct nginx_line *, struct span, struct event *);

#define RULE(lit, fn) { lit, sizeof(lit) - 1, fn }
static const struct {
        const char *prefix;
        size_t n;
        nginx_rule fn;
} nginx_rules[] = {
        RULE("connect() to ", rule_connect_to),
        RULE("connect() failed (", rule_connect_failed),
        RULE("upstream timed out (", rule_timed_out),
        RULE("upstream prematurely closed FastCGI request", rule_truncated),
        RULE("upstream prematurely closed ", rule_closed),
        RULE("upstream sent too big header", rule_too_big),
        RULE("upstream sent invalid header", rule_invalid_header),
        RULE("upstream sent invalid status \"", rule_invalid_header),
        RULE("upstream sent ", rule_protocol),
        RULE("upstream split a header line in FastCGI records", rule_protocol),
        RULE("upstream server temporarily disabled", rule_disabled),
        RULE("upstream SSL certificate ", rule_tls),
        RULE("no live upstreams", rule_no_live),
        RULE("FastCGI sent in stderr: \"", rule_stderr),
        RULE("recv() failed (", rule_io_failed),
        RULE("readv() failed (", rule_io_failed),
        RULE("writev() failed (", rule_io_failed),
        RULE("send() failed (", rule_io_failed),
        RULE("sendfile() failed (", rule_io_failed),
        RULE("WSARecv() failed (", rule_io_failed),     /* nginx for Windows */
        RULE("WSASend() failed (", rule_io_failed),
        RULE("peer closed connection in SSL handshake", rule_tls),
        RULE("SSL_do_handshake() failed", rule_tls),
};

enum { N_RULES = sizeof(nginx_rules) / sizeof(nginx_rules[0]) };

/* The rules a message's first byte leaves to try: [from, to) of nginx_rules. Rules that share a
 * first byte stand together in the table; where they do not, the range spans what lies between,
 * which costs time, never a match. */
static struct {
        uint8_t from, to;
} rules_by_byte[256];

__attribute__((constructor)) static void index_rules(void) {
        for (unsigned i = 0; i < N_RULES; i++) {
                unsigned char c = (unsigned char) nginx_rules[i].prefix[0];
                if (rules_by_byte[c].to == 0)
                        rules_by_byte[c].from = (uint8_t) i;
                rules_by_byte[c].to = (uint8_t) (i + 1);
        }
}

static int nginx_rule_for(struct span rest) {
        if (rest.n < 8)
                return -1;
        unsigned char c = (unsigned char) rest.p[0];
        for (unsigned i = rules_by_byte[c].from; i < rules_by_byte[c].to; i++) {
                const char *want = nginx_rules[i].prefix;
                if (want[1] == rest.p[1] && span_has_prefix(rest, want, nginx_rules[i].n))
                        return (int) i;
        }
        return -1;
}

enum event_kind classify_nginx(struct nginx_line *l, struct event *ev) {
        event_init(ev, SOURCE_NGINX);
        int rule = nginx_rule_for(l->rest);
        if (rule < 0)
                return KIND_NONE;
        nginx_split_message(l);
        ev->phase = phase_of(l->message);
        enum event_kind k = nginx_rules[rule].fn(l, l->message, ev);
        if (k == KIND_NONE) {
                event_init(ev, SOURCE_NGINX);
                return KIND_NONE;
        }
        nginx_parse_fields(l);
        ev->proto = address_upstream_proto(l->upstream);
        /* a proxied upstream closes idle kept-alive connections on its own; php-fpm does not */
        if (k == KIND_UPSTREAM_RESET && ev->phase == PHASE_SEND && ev->proto != PROTO_FASTCGI &&
            ev->proto != PROTO_UNKNOWN)
                k = KIND_UPSTREAM_SEND_CLOSED;
        if (!ev->upstream.p)
                ev->upstream = address_upstream_field(l->upstream);
        /* fastcgi_pass unix:///run/x.sock is the pool's unix:/run/x.sock */
        ev->upstream = address_unix_label(ev->upstream, l->label, sizeof(l->label));
        return set_kind(ev, k);
}

/* " after 10.510350 seconds from start" */
static void take_run_time(struct span t, struct event *ev) {
        if (SPAN_SKIP(&t, " after "))
                span_take_seconds(&t, &ev->seconds);
}

/* "9 (SIGKILL) after …" or "11 (SIGSEGV - core dumped) after …" */
static enum event_kind child_signal(struct span t, struct event *ev) {
        long sig;
        if (!span_take_long(&t, &sig) || sig > 64 || !SPAN_SKIP(&t, " ("))
                return KIND_NONE;
        const char *close = SPAN_FIND(t, ")");
        if (!close)
                return KIND_NONE;
        struct span name = span_range(t.p, close);
        const char *core = SPAN_FIND(name, " - core dumped");
        ev->core_dumped = core != NULL;
        ev->signal_name = core ? span_range(name.p, core) : name;
        ev->signal = (int) sig;
        take_run_time(span_range(close + 1, t.p + t.n), ev);
        /* SIGQUIT is php-fpm's own graceful stop of an idle child */
        return sig == 3 ? KIND_NONE : KIND_FPM_CHILD_SIGNAL;
}

static enum event_kind child_exit(struct span t, struct event *ev) {
        long code;
        if (!span_take_long(&t, &code) || code > 255)
                return KIND_NONE;
        ev->exit_code = (int) code;
        take_run_time(t, ev);
        return code != 0 ? KIND_FPM_CHILD_EXIT : KIND_NONE;
}

/* ", script '/x.php' (request: "GET /x.php") execution timed out (2.016550 sec), terminating":
 * the request is the client's, so read from the right. */
static enum event_kind child_script(struct span t, struct event *ev) {
        enum event_kind k;
        static const char timed[] = " execution timed out (", slow[] = " executing too slow (";
        const char *at;
        if (SPAN_ENDS(t, " sec), terminating") && (at = span_rfind(t, timed, sizeof(timed) - 1))) {
                k = KIND_FPM_REQUEST_TERMINATED;
                at += sizeof(timed) - 1;
        } else if (SPAN_ENDS(t, " sec), logging") && (at = span_rfind(t, slow, sizeof(slow) - 1))) {
                k = KIND_FPM_SLOW_REQUEST;
                at += sizeof(slow) - 1;
        } else {
                return KIND_NONE;
        }
        struct span secs = span_range(at, t.p + t.n);
        span_take_seconds(&secs, &ev->seconds);
        struct span script = t;
        if (SPAN_SKIP(&script, ", script '")) {
                const char *end = span_rfind(span_range(script.p, at), "' (request: \"", 13);
                ev->detail = end ? span_range(script.p, end) : SPAN_NULL;
        }
        return k;
}

static enum event_kind rule_child(struct span m, struct event *ev) {
        struct span t = span_range(m.p + 6, m.p + m.n);
        if (!span_take_long(&t, &ev->child_pid))
                return KIND_NONE;
        if (SPAN_SKIP(&t, " exited on signal "))
                return child_signal(t, ev);
        if (SPAN_SKIP(&t, " exited with code "))
                return child_exit(t, ev);
        if (SPAN_STARTS(t, ", script '"))
                return child_script(t, ev);
        return KIND_NONE;
}

static enum event_kind rule_max_children(struct span m, struct event *ev) {
        struct span t = m;
        if (!SPAN_SKIP(&t, "server reached pm.max_children setting (") &&
            !SPAN_SKIP(&t, "server reached max_children setting ("))
                return KIND_NONE;
        span_take_long(&t, &ev->value);
        return KIND_FPM_MAX_CHILDREN;
}

/* unable to bind listening socket for address '/run/php.sock': Address already in use (98);
 * old php-fpm (5.x) wrote the address without quotes: … for address 127.0.0.1:9000: Address … */
static const char bind_prefix[] = "unable to bind listening socket for address ";

static enum event_kind rule_bind(struct span m, struct event *ev) {
        struct span t = span_range(m.p + sizeof(bind_prefix) - 1, m.p + m.n);
        const char *close;
        if (SPAN_SKIP(&t, "'"))
                close = SPAN_FIND(t, "': ");
        else
                close = SPAN_FIND(t, ": ");
        ev->detail = close ? span_range(t.p, close) : t;
        const char *paren = span_rfind(t, " (", 2);
        if (paren && SPAN_ENDS(t, ")")) {
                struct span e = span_range(paren + 2, t.p + t.n);
                long err;
                if (span_take_long(&e, &err) && err < 4096)
                        ev->err = (int) err;
        }
        return KIND_FPM_BIND_FAILED;
}

static enum event_kind master_message(struct span m) {
        static const struct {
                const char *text;
                enum event_kind kind;
        } fixed[] = {
                { "Finishing ...", KIND_FPM_STOPPING },
                { "Terminating ...", KIND_FPM_STOPPING },
                { "exiting, bye-bye!", KIND_FPM_STOPPING },
                { "ready to handle connections", KIND_FPM_STARTED },
                { "FPM initialization failed", KIND_FPM_INIT_FAILED },
                { "error log file re-opened", KIND_FPM_LOG_REOPENED },
                { "Reloading in progress ...", KIND_FPM_RELOADING },    /* fpm_events.c, on SIGUSR2 */
        };
        for (unsigned i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
                if (span_eq_str(m, fixed[i].text))
                        return fixed[i].kind;
        if (SPAN_STARTS(m, "fpm is running, pid "))
                return KIND_FPM_STARTED;
        if (SPAN_STARTS(m, "reloading: execvp("))     /* fpm_process_ctl.c's fpm_pctl_exec() */
                return KIND_FPM_RELOADED;
        return KIND_NONE;
}

enum event_kind classify_fpm(const struct fpm_line *l, struct event *ev) {
        event_init(ev, SOURCE_FPM);
        ev->pool = l->pool;
        struct span m = l->message;
        enum event_kind k = KIND_NONE;
        if (SPAN_STARTS(m, "child "))
                k = rule_child(m, ev);
        else if (SPAN_STARTS(m, "server reached "))
                k = rule_max_children(m, ev);
        else if (SPAN_STARTS(m, "seems busy ("))
                k = KIND_FPM_POOL_BUSY;
        else if (span_has_prefix(m, bind_prefix, sizeof(bind_prefix) - 1))
                k = rule_bind(m, ev);
        else if (!l->pool.p)
                k = master_message(m);
        if (k == KIND_NONE) {
                event_init(ev, SOURCE_FPM);
                return KIND_NONE;
        }
        return set_kind(ev, k);
}

enum event_kind classify_kernel(const char *p, size_t n, struct event *ev) {
        static const enum event_kind kinds[] = {
                [KERNEL_NONE] = KIND_NONE, [KERNEL_OOM_KILLED] = KIND_KERNEL_OOM_KILL,
                [KERNEL_OOM_SUMMARY] = KIND_KERNEL_OOM_SUMMARY, [KERNEL_MEMCG_USAGE] = KIND_KERNEL_MEMCG_USAGE,
        };
        event_init(ev, SOURCE_KERNEL);
        enum event_kind k = kinds[kernel_parse(p, n, &ev->oom)];
        if (k == KIND_NONE) {
                event_init(ev, SOURCE_NONE);
                return KIND_NONE;
        }
        ev->child_pid = ev->oom.pid;
        ev->detail = ev->oom.comm;
        return set_kind(ev, k);
}

/* nginx's or php-fpm's own text, dated; -1 if it is neither */
static int classify_dated(const char *p, size_t n, struct logline *ll, struct event *ev) {
        if (n > 0 && p[0] >= '0' && p[0] <= '9' && nginx_parse_head(p, n, &ll->nginx) == 0) {
                ll->source = SOURCE_NGINX;
                return (int) classify_nginx(&ll->nginx, ev);
        }
        if (n > 0 && p[0] == '[' && fpm_parse(p, n, &ll->fpm) == 0) {
                ll->source = SOURCE_FPM;
                return (int) classify_fpm(&ll->fpm, ev);
        }
        return -1;
}

/* Not nginx's or php-fpm's dated text: a wrapper's, or php-fpm's without its date. Kept out of
 * classify_line so that the hot path stays as small as it was. */
__attribute__((noinline)) static enum event_kind classify_wrapped(const char *p, size_t n, struct logline *ll,
                                                                  struct event *ev) {
        int k;
        if (unwrap_line(p, n, &ll->wrap, ll->text, sizeof(ll->text))) {
                p = ll->wrap.text.p;
                n = ll->wrap.text.n;
                if ((k = classify_dated(p, n, ll, ev)) >= 0)
                        return (enum event_kind) k;
        }
        if (fpm_parse_dateless(p, n, &ll->fpm) == 0) {
                ll->source = SOURCE_FPM;
                return classify_fpm(&ll->fpm, ev);
        }
        enum event_kind kk = classify_kernel(p, n, ev);
        if (kk != KIND_NONE)
                ll->source = SOURCE_KERNEL;
        return kk;
}

enum event_kind classify_line(const char *p, size_t n, struct logline *ll, struct event *ev) {
        ll->source = SOURCE_NONE;
        ll->wrap.forms = 0;     /* the rest of wrap is set by unwrap_line, read only after it */
        /* the hot path: a plain nginx or php-fpm line costs what it did before unwrapping */
        if (n > 0 && p[0] >= '0' && p[0] <= '9' && nginx_parse_head(p, n, &ll->nginx) == 0) {
                ll->source = SOURCE_NGINX;
                return classify_nginx(&ll->nginx, ev);
        }
        if (n > 0 && p[0] == '[' && fpm_parse(p, n, &ll->fpm) == 0) {
                ll->source = SOURCE_FPM;
                return classify_fpm(&ll->fpm, ev);
        }
        return classify_wrapped(p, n, ll, ev);
}

const char *upstream_phase_name(enum upstream_phase ph) {
        static const char *const names[] = {
                [PHASE_NONE] = "", [PHASE_CONNECT] = "connect", [PHASE_SEND] = "send",
                [PHASE_HEADER] = "header", [PHASE_BODY] = "body", [PHASE_TLS] = "tls",
        };
        return (unsigned) ph <= PHASE_TLS ? names[ph] : "";
}

struct span logline_time(const struct logline *ll) {
        struct span own = SPAN_NULL;
        switch (ll->source) {
        case SOURCE_NGINX: own = ll->nginx.time; break;
        case SOURCE_FPM: own = ll->fpm.time; break;
        case SOURCE_KERNEL: break;      /* the kernel's text has no wall-clock time of its own */
        default: return SPAN_NULL;
        }
        return own.p ? own : ll->wrap.time;
}

bool logline_parse_time(const struct logline *ll, struct timestamp *t) {
        switch (ll->source) {
        case SOURCE_NGINX: return timestamp_parse_nginx(ll->nginx.time, t);
        case SOURCE_FPM:
                if (ll->fpm.time.p)
                        return timestamp_parse_fpm(ll->fpm.time, t);
                return unwrap_parse_time(&ll->wrap, time(NULL), t);
        case SOURCE_KERNEL: return unwrap_parse_time(&ll->wrap, time(NULL), t);
        default: return false;
        }
}
