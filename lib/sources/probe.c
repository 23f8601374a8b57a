#include "probe.h"

#include "clock.h"
#include "sockcheck.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum {
        DEFAULT_TIMEOUT_MS = 1000,
        PATH_LEN_MAX = 255,
        REQUEST_MAX = 2048,
        ANSWER_MAX = 64 * 1024,
        READ_CHUNK = 4096,
        REQUEST_ID = 1,
};

enum state { IDLE, CONNECTING, SENDING, READING, DONE };

struct probe {
        struct sockaddr_storage addr;
        socklen_t addr_len;
        enum probe_mode mode;
        int connect_timeout_ms;
        int answer_timeout_ms;
        char path[PATH_LEN_MAX + 1];
        char ping_response[64];
        enum state state;
        int fd;
        uint64_t started_us;            /* clock_monotonic_usec() */
        uint64_t sent_us;
        uint64_t deadline_us;
        char request[REQUEST_MAX];
        size_t request_len;
        size_t request_sent;
        char answer[ANSWER_MAX];        /* STDOUT of a ping or status request */
        size_t answer_len;
        struct probe_result result;
        struct fcgi_decoder dec;
};

static const struct {
        const char *id;
        enum event_kind kind;
        enum cause cause;
        const char *text;
} outcomes[] = {
#define X(name, id, kind, cause, text) { id, KIND_##kind, CAUSE_##cause, text },
        PROBE_OUTCOME_LIST(X)
#undef X
};

const char *probe_outcome_id(enum probe_outcome o) {
        return o < PROBE__OUTCOME_MAX ? outcomes[o].id : "?";
}

const char *probe_outcome_text(enum probe_outcome o) {
        return o < PROBE__OUTCOME_MAX ? outcomes[o].text : "?";
}

enum cause probe_outcome_cause(enum probe_outcome o) {
        return o < PROBE__OUTCOME_MAX ? outcomes[o].cause : CAUSE_NONE;
}

static int set_options(struct probe *p, const struct probe_options *opt) {
        static const struct probe_options defaults = { .mode = PROBE_VALUES };
        if (!opt)
                opt = &defaults;
        const char *path = opt->path ? opt->path : opt->mode == PROBE_STATUS ? "/status" : "/ping";
        const char *pong = opt->ping_response ? opt->ping_response : "pong";
        if (path[0] == '\0')
                return -EINVAL;
        if (strlen(path) >= sizeof(p->path) || strlen(pong) >= sizeof(p->ping_response))
                return -ENAMETOOLONG;
        strcpy(p->path, path);
        strcpy(p->ping_response, pong);
        p->mode = opt->mode;
        p->connect_timeout_ms = opt->connect_timeout_ms > 0 ? opt->connect_timeout_ms : DEFAULT_TIMEOUT_MS;
        p->answer_timeout_ms = opt->answer_timeout_ms > 0 ? opt->answer_timeout_ms : DEFAULT_TIMEOUT_MS;
        return 0;
}

static int put_request(struct probe *p, struct fcgi_buf *b) {
        bool status = p->mode == PROBE_STATUS;
        char uri[PATH_LEN_MAX + sizeof("?json")];
        snprintf(uri, sizeof(uri), "%s%s", p->path, status ? "?json" : "");
        struct span path = span_make(p->path, strlen(p->path));
        const struct fcgi_pair params[] = {
                { SPAN_LIT("REQUEST_METHOD"), SPAN_LIT("GET") },
                { SPAN_LIT("SCRIPT_NAME"), path },
                /* php-fpm answers "Primary script unknown" without one, even for ping and status */
                { SPAN_LIT("SCRIPT_FILENAME"), path },
                { SPAN_LIT("REQUEST_URI"), span_make(uri, strlen(uri)) },
                { SPAN_LIT("QUERY_STRING"), status ? SPAN_LIT("json") : SPAN_LIT("") },
                { SPAN_LIT("SERVER_PROTOCOL"), SPAN_LIT("HTTP/1.1") },
                { SPAN_LIT("GATEWAY_INTERFACE"), SPAN_LIT("CGI/1.1") },
                { SPAN_LIT("REMOTE_ADDR"), SPAN_LIT("127.0.0.1") },
        };
        int r = fcgi_put_begin_request(b, REQUEST_ID, 0);
        if (r == 0)
                r = fcgi_put_params(b, REQUEST_ID, params, sizeof(params) / sizeof(params[0]));
        if (r == 0)
                r = fcgi_put_params_end(b, REQUEST_ID);
        if (r == 0)
                r = fcgi_put_stdin(b, REQUEST_ID, SPAN_NULL);
        return r;
}

static int build_request(struct probe *p) {
        struct fcgi_buf b = { p->request, sizeof(p->request), 0 };
        int r = p->mode == PROBE_VALUES ? fcgi_put_get_values(&b) : put_request(p, &b);
        p->request_len = b.len;
        return r;
}

int probe_new(struct probe **ret, const struct address *address, const struct probe_options *opt) {
        struct probe *p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->fd = -1;
        int r = address_sockaddr(address, &p->addr, &p->addr_len);
        if (r == 0)
                r = set_options(p, opt);
        if (r == 0)
                r = build_request(p);
        if (r < 0) {
                free(p);
                return r;
        }
        *ret = p;
        return 0;
}

struct probe *probe_free(struct probe *p) {
        if (p && p->fd >= 0)
                close(p->fd);
        free(p);
        return NULL;
}

static void reset(struct probe *p) {
        p->result = (struct probe_result) {
                .connect_us = -1,
                .rtt_us = -1,
                .values = { -1, -1, -1 },
        };
        struct probe_status *st = &p->result.status;
        st->accepted_conn = st->listen_queue = st->max_listen_queue = -1;
        st->idle_processes = st->active_processes = st->total_processes = -1;
        st->max_active_processes = st->max_children_reached = st->slow_requests = -1;
        fcgi_decoder_init(&p->dec);
        p->request_sent = 0;
        p->answer_len = 0;
}

static void finish(struct probe *p, enum probe_outcome o, int error) {
        if (p->fd >= 0)
                close(p->fd);
        p->fd = -1;
        p->state = DONE;
        p->result.outcome = o;
        p->result.error = error;
}

__attribute__((format(printf, 2, 3)))
static void set_detail(struct probe *p, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->result.detail, sizeof(p->result.detail), fmt, ap);
        va_end(ap);
}

/* Finishes on a whole answer, right or wrong: that is when the round trip ends. */
static void answered(struct probe *p, enum probe_outcome o) {
        p->result.rtt_us = (long) (clock_monotonic_usec() - p->sent_us);
        finish(p, o, o == PROBE_NOT_FASTCGI ? EPROTO : 0);
}

static enum probe_outcome connect_outcome(const struct probe *p, int e) {
        enum event_kind k = kind_of_connect_errno(e);
        if (k == KIND_UPSTREAM_BACKLOG_FULL && p->addr.ss_family != AF_UNIX)
                return PROBE_UNREACHABLE;       /* EAGAIN on TCP: no local port left, not a backlog */
        for (unsigned o = 0; o < PROBE__OUTCOME_MAX; o++)
                if (outcomes[o].kind == k)
                        return (enum probe_outcome) o;
        return PROBE_UNREACHABLE;
}

/* connect() to a unix path that is a directory or a regular file fails as a stale socket would
 * (ECONNREFUSED): the detail says which it is. */
static void connect_failed(struct probe *p, int e) {
        const struct sockaddr_un *un = (const struct sockaddr_un *) &p->addr;
        struct stat st;
        if (e == ECONNREFUSED && p->addr.ss_family == AF_UNIX && un->sun_path[0] && stat(un->sun_path, &st) == 0 &&
            !S_ISSOCK(st.st_mode))
                set_detail(p, "%.100s is %s, not a socket", un->sun_path, sockcheck_type_words(st.st_mode));
        finish(p, connect_outcome(p, e), e);
}

static void keep_stderr(struct probe *p, struct span s) {
        const char *eol = memchr(s.p, '\n', s.n);
        if (p->result.detail[0] == '\0' && s.n > 0)
                set_detail(p, "stderr: %.*s", (int) (eol ? (size_t) (eol - s.p) : s.n), s.p);
}

static int http_status(struct span head) {
        while (head.n > 0) {
                const char *eol = SPAN_FIND(head, "\r\n");
                struct span line = span_range(head.p, eol ? eol : head.p + head.n);
                if (line.n >= 7 && strncasecmp(line.p, "Status:", 7) == 0) {
                        struct span v = span_make(line.p + 7, line.n - 7);
                        long code;
                        while (v.n > 0 && v.p[0] == ' ')
                                v = span_make(v.p + 1, v.n - 1);
                        return span_take_long(&v, &code) && code >= 100 && code <= 999 ? (int) code : 0;
                }
                if (!eol)
                        break;
                head = span_range(eol + 2, head.p + head.n);
        }
        return 200;
}

static void copy_string(json_t *root, const char *key, char *to, size_t size) {
        const char *s = json_string_value(json_object_get(root, key));
        snprintf(to, size, "%s", s ? s : "");
}

static int parse_status(struct span body, struct probe_status *st) {
        static const struct {
                const char *key;
                size_t offset;
        } numbers[] = {
                { "accepted conn", offsetof(struct probe_status, accepted_conn) },
                { "listen queue", offsetof(struct probe_status, listen_queue) },
                { "max listen queue", offsetof(struct probe_status, max_listen_queue) },
                { "idle processes", offsetof(struct probe_status, idle_processes) },
                { "active processes", offsetof(struct probe_status, active_processes) },
                { "total processes", offsetof(struct probe_status, total_processes) },
                { "max active processes", offsetof(struct probe_status, max_active_processes) },
                { "max children reached", offsetof(struct probe_status, max_children_reached) },
                { "slow requests", offsetof(struct probe_status, slow_requests) },
        };
        json_t *root = json_loadb(body.p, body.n, 0, NULL);
        if (!json_is_object(root)) {
                json_decref(root);
                return -EBADMSG;
        }
        for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
                json_t *v = json_object_get(root, numbers[i].key);
                long *to = (long *) ((char *) st + numbers[i].offset);
                *to = json_is_integer(v) ? (long) json_integer_value(v) : -1;
        }
        copy_string(root, "pool", st->pool, sizeof(st->pool));
        copy_string(root, "process manager", st->process_manager, sizeof(st->process_manager));
        json_decref(root);
        return 0;
}

static void judge_body(struct probe *p, struct span body) {
        if (p->mode == PROBE_PING && !span_eq_str(body, p->ping_response)) {
                set_detail(p, "ping answered \"%.*s\", not \"%s\"", (int) (body.n < 40 ? body.n : 40), body.p,
                           p->ping_response);
                answered(p, PROBE_BAD_ANSWER);
        } else if (p->mode == PROBE_STATUS && parse_status(body, &p->result.status) < 0) {
                set_detail(p, "status answer is not a JSON object");
                answered(p, PROBE_BAD_ANSWER);
        } else {
                answered(p, PROBE_OK);
        }
}

static void judge_answer(struct probe *p) {
        struct span all = span_make(p->answer, p->answer_len);
        const char *sep = SPAN_FIND(all, "\r\n\r\n");
        if (!sep) {
                set_detail(p, "answer has no end of headers");
                answered(p, PROBE_BAD_ANSWER);
                return;
        }
        p->result.http_status = http_status(span_range(all.p, sep));
        if (p->result.http_status != 200) {
                if (p->result.detail[0] == '\0')
                        set_detail(p, "HTTP status %d", p->result.http_status);
                answered(p, PROBE_BAD_ANSWER);
                return;
        }
        judge_body(p, span_range(sep + 4, all.p + all.n));
}

static void end_request(struct probe *p, struct span content) {
        struct fcgi_end end;
        if (fcgi_parse_end_request(content, &end) < 0) {
                set_detail(p, "END_REQUEST of %zu bytes", content.n);
                answered(p, PROBE_BAD_ANSWER);
        } else if (end.protocol_status != FCGI_REQUEST_COMPLETE) {
                set_detail(p, "END_REQUEST protocolStatus %u", end.protocol_status);
                answered(p, PROBE_BAD_ANSWER);
        } else {
                judge_answer(p);
        }
}

static void keep_stdout(struct probe *p, struct span s) {
        if (s.n > sizeof(p->answer) - p->answer_len) {
                set_detail(p, "answer longer than %zu bytes", sizeof(p->answer));
                answered(p, PROBE_BAD_ANSWER);
                return;
        }
        memcpy(p->answer + p->answer_len, s.p, s.n);
        p->answer_len += s.n;
}

static void unexpected(struct probe *p, const struct fcgi_record *rec) {
        set_detail(p, "unexpected record type %u for request %u", rec->type, rec->request_id);
        answered(p, PROBE_BAD_ANSWER);
}

static void on_record(struct probe *p, const struct fcgi_record *rec) {
        if (p->mode == PROBE_VALUES) {
                if (rec->type != FCGI_GET_VALUES_RESULT || rec->request_id != 0)
                        unexpected(p, rec);
                else if (fcgi_parse_values(rec->content, &p->result.values) < 0)
                        answered(p, PROBE_BAD_ANSWER);
                else
                        answered(p, PROBE_OK);
        } else if (rec->request_id != REQUEST_ID) {
                unexpected(p, rec);
        } else if (rec->type == FCGI_STDOUT) {
                keep_stdout(p, rec->content);
        } else if (rec->type == FCGI_STDERR) {
                keep_stderr(p, rec->content);
        } else if (rec->type == FCGI_END_REQUEST) {
                end_request(p, rec->content);
        } else {
                unexpected(p, rec);
        }
}

static void not_fastcgi(struct probe *p) {
        unsigned char c = p->dec.error_byte;
        p->result.bad_byte = c;
        p->result.bad_offset = p->dec.error_offset;
        set_detail(p, "byte %u at %llu where FastCGI has version 1%s", c,
                   (unsigned long long) p->dec.error_offset, c == 'H' ? ": an HTTP server?" : "");
        answered(p, PROBE_NOT_FASTCGI);
}

static void feed(struct probe *p, struct span in) {
        struct fcgi_record rec;
        while (p->state == READING) {
                int r = fcgi_decode(&p->dec, &in, &rec);
                if (r == 0)
                        return;
                if (r < 0) {
                        not_fastcgi(p);
                        return;
                }
                on_record(p, &rec);
        }
}

static void at_eof(struct probe *p) {
        if (p->result.detail[0] == '\0')
                set_detail(p, fcgi_decode_eof(&p->dec) < 0 ? "closed inside a record" : "closed before the answer");
        finish(p, PROBE_CLOSED, 0);
}

static void read_some(struct probe *p) {
        char buf[READ_CHUNK];
        while (p->state == READING) {
                ssize_t n = recv(p->fd, buf, sizeof(buf), 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n < 0)
                        finish(p, PROBE_CLOSED, errno);
                else if (n == 0)
                        at_eof(p);
                else
                        feed(p, span_make(buf, (size_t) n));
        }
}

static void send_some(struct probe *p) {
        while (p->request_sent < p->request_len) {
                ssize_t n = send(p->fd, p->request + p->request_sent, p->request_len - p->request_sent,
                                 MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n < 0) {
                        finish(p, PROBE_CLOSED, errno);
                        return;
                }
                p->request_sent += (size_t) n;
        }
        p->sent_us = clock_monotonic_usec();
        p->state = READING;
        read_some(p);
}

static void connected(struct probe *p) {
        uint64_t now = clock_monotonic_usec();
        p->result.connect_us = (long) (now - p->started_us);
        p->deadline_us = now + (uint64_t) p->answer_timeout_ms * 1000;
        p->state = SENDING;
        send_some(p);
}

static int check_connect(struct probe *p) {
        int e = 0;
        socklen_t len = sizeof(e);
        if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0)
                return -errno;
        if (e) {
                connect_failed(p, e);
                return 0;
        }
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof(peer);
        if (getpeername(p->fd, (struct sockaddr *) &peer, &peer_len) == 0)
                connected(p);
        return 0;       /* not connected yet: woken too early */
}

int probe_start(struct probe *p) {
        if (p->state != IDLE && p->state != DONE)
                return -EBUSY;
        reset(p);
        int fd = socket(p->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        p->fd = fd;
        p->started_us = clock_monotonic_usec();
        p->deadline_us = p->started_us + (uint64_t) p->connect_timeout_ms * 1000;
        p->state = CONNECTING;
        int e = connect(fd, (struct sockaddr *) &p->addr, p->addr_len) == 0 ? 0 : errno;
        if (e == 0)
                connected(p);
        else if (e != EINPROGRESS && e != EINTR)
                connect_failed(p, e);
        return 0;
}

int probe_step(struct probe *p) {
        switch (p->state) {
        case CONNECTING:
                return check_connect(p);
        case SENDING:
                send_some(p);
                return 0;
        case READING:
                read_some(p);
                return 0;
        default:
                return 0;
        }
}

int probe_timeout(struct probe *p) {
        if (p->state == CONNECTING) {
                finish(p, PROBE_CONNECT_TIMEOUT, ETIMEDOUT);
        } else if (p->state == SENDING || p->state == READING) {
                if (p->dec.offset > 0)
                        set_detail(p, "%llu bytes of answer by then", (unsigned long long) p->dec.offset);
                finish(p, PROBE_SATURATED, ETIMEDOUT);
        }
        return 0;
}

int probe_fd(const struct probe *p) {
        return p->fd;
}

short probe_events(const struct probe *p) {
        switch (p->state) {
        case CONNECTING:
        case SENDING:
                return POLLOUT;
        case READING:
                return POLLIN;
        default:
                return 0;
        }
}

uint64_t probe_deadline(const struct probe *p) {
        return p->deadline_us;
}

bool probe_done(const struct probe *p) {
        return p->state == DONE;
}

const struct probe_result *probe_result(const struct probe *p) {
        return &p->result;
}
