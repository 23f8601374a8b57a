#include "nginx_conf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Text kept for the result: strings never move once handed out. */
struct chunk {
        struct chunk *next;
        size_t used, size;
        char data[];
};

/* The block a directive stands in, while its file is read. */
struct frame {
        enum nginx_context kind;
        int block;              /* index in blocks; the enclosing recorded block for OTHER */
        int upstream;           /* NGINX_UPSTREAM: index in upstreams, else -1 */
        struct span name;       /* "location", for "not closed" */
        unsigned line;
};

enum full_bit {
        FULL_BLOCKS = 1 << 0,
        FULL_PASSES = 1 << 1,
        FULL_UPSTREAMS = 1 << 2,
        FULL_SERVERS = 1 << 3,
        FULL_ERROR_LOGS = 1 << 4,
        FULL_SETTINGS = 1 << 5,
        FULL_FILES = 1 << 6,
        FULL_STRINGS = 1 << 7,
};

struct nginx_conf_private {
        nginx_include_fn *include;
        void *ud;
        struct chunk *chunks;
        size_t strings;         /* bytes kept in chunks */
        size_t cap_blocks, cap_passes, cap_upstreams, cap_servers, cap_error_logs, cap_settings,
                cap_files, cap_includes, cap_diags;
        unsigned full;          /* enum full_bit: caps already reported */
        unsigned depth;         /* nginx_conf_parse() calls under way */
        const char *reading[NGINX_CONF_INCLUDE_DEPTH + 2];     /* their files, the main one first */
        struct frame cur;       /* where the include being read stands */
        const char *inc_file;   /* the include being read: its file and line */
        unsigned inc_line;
        bool oom;
};

struct parse {
        struct nginx_conf *c;
        const char *file;
        const char *p, *end;
        unsigned line;
        struct frame frames[NGINX_CONF_NEST_MAX + 1];  /* [0]: the block this file is read in */
        size_t depth;           /* frames open above [0] */
        size_t unread;          /* blocks open past NGINX_CONF_NEST_MAX */
        struct span args[NGINX_CONF_ARGS_MAX];
        size_t n_args;          /* counted past NGINX_CONF_ARGS_MAX */
        unsigned dline;         /* the directive's first line */
        bool bad;               /* a token nginx refuses: the directive is not collected */
        bool glued;             /* a byte right after a closing quote: a word, even '#' */
        int error;              /* the include callback's */
};

struct directive {
        const struct span *args;        /* [0]: the name */
        size_t n;                       /* with the name; only NGINX_CONF_ARGS_MAX are kept */
        unsigned line;
        const struct frame *in;
};

enum tok { TOK_WORD, TOK_SEMI, TOK_OPEN, TOK_CLOSE, TOK_DROP, TOK_EOF };

/* ---- memory ---- */

static char *arena_alloc(struct nginx_conf *c, size_t n) {
        struct nginx_conf_private *pv = c->priv;
        if (pv->strings + n > NGINX_CONF_STRINGS_MAX)
                return NULL;
        struct chunk *k = pv->chunks;
        if (!k || k->size - k->used < n) {
                size_t size = n > 65536 ? n : 65536;
                k = malloc(sizeof(*k) + size);
                if (!k) {
                        pv->oom = true;
                        return NULL;
                }
                *k = (struct chunk) { .next = pv->chunks, .size = size };
                pv->chunks = k;
        }
        char *p = k->data + k->used;
        k->used += n;
        pv->strings += n;
        return p;
}

static char *arena_copy(struct nginx_conf *c, const char *s, size_t n) {
        char *p = arena_alloc(c, n + 1);
        if (p) {
                memcpy(p, s, n);
                p[n] = '\0';
        }
        return p;
}

/* Room for one more item, zeroed, in an array of *n items with room for *cap; NULL at max
 * (the caller reports) or on ENOMEM. arrp points to the array's pointer. */
static void *grow(struct nginx_conf *c, void *arrp, size_t *n, size_t *cap, size_t size, size_t max) {
        char *arr;
        memcpy(&arr, arrp, sizeof(arr));
        if (*n >= max)
                return NULL;
        if (*n == *cap) {
                size_t want = *cap ? *cap * 2 : 16;
                if (want > max)
                        want = max;
                char *more = realloc(arr, want * size);
                if (!more) {
                        c->priv->oom = true;
                        return NULL;
                }
                arr = more;
                memcpy(arrp, &arr, sizeof(arr));
                *cap = want;
        }
        char *slot = arr + (*n)++ * size;
        memset(slot, 0, size);
        return slot;
}

/* ---- diagnostics ---- */

static bool is_control(unsigned char ch) {
        return (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f;
}

static const char *diag_file(struct nginx_conf *c, const char *file) {
        for (size_t i = 0; i < c->n_files; i++)
                if (strcmp(c->files[i], file) == 0)
                        return c->files[i];
        const char *copy = arena_copy(c, file, strlen(file));
        return copy ? copy : "";
}

static void vreport(struct nginx_conf *c, const char *file, unsigned line, const char *fmt, va_list ap) {
        struct nginx_conf_private *pv = c->priv;
        struct nginx_diag *d = grow(c, &c->diags, &c->n_diags, &pv->cap_diags, sizeof(*d), NGINX_CONF_MAX_DIAGS);
        if (!d) {
                c->n_diags_dropped++;
                return;
        }
        d->at = (struct nginx_at) { diag_file(c, file), line };
        vsnprintf(d->text, sizeof(d->text), fmt, ap);
        for (char *p = d->text; *p; p++)
                if (is_control((unsigned char) *p) || *p == '\n' || *p == '\r' || *p == '\t')
                        *p = '?';
}

void nginx_conf_report(struct nginx_conf *c, const char *file, unsigned line, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vreport(c, file, line, fmt, ap);
        va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void report(struct parse *ps, unsigned line, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vreport(ps->c, ps->file, line, fmt, ap);
        va_end(ap);
}

/* Up to 64 bytes of a token for a message, "..." when cut. */
static const char *clip(struct span s, char buf[static 72]) {
        size_t n = s.n > 64 ? 64 : s.n;
        memcpy(buf, s.p, n);
        strcpy(buf + n, s.n > n ? "..." : "");
        return buf;
}

static void cap_reached(struct parse *ps, unsigned line, enum full_bit bit, size_t max, const char *what) {
        struct nginx_conf_private *pv = ps->c->priv;
        if (pv->oom || (pv->full & bit))
                return;
        pv->full |= bit;
        if (bit == FULL_STRINGS)
                report(ps, line, "more than %zu bytes of text kept: the rest is not collected", max);
        else
                report(ps, line, "more than %zu %s: the rest are not collected", max, what);
}

/* A token as nginx stores it, escapes resolved as ngx_conf_read_token()'s copy does. */
static size_t unescape(struct span s, char *out) {
        size_t n = 0;
        for (size_t i = 0; i < s.n; i++) {
                char ch = s.p[i];
                if (ch == '\\' && i + 1 < s.n) {
                        char next = s.p[i + 1];
                        const char *from = "\"'\\trn", *to = "\"'\\\t\r\n";
                        const char *hit = strchr(from, next);
                        if (next && hit) {
                                out[n++] = to[hit - from];
                                i++;
                                continue;
                        }
                }
                out[n++] = ch;
        }
        return n;
}

/* Arguments from..n-1 unescaped and joined by one space, kept; NULL past a cap. */
static const char *keep_args(struct parse *ps, const struct directive *d, size_t from) {
        size_t n = d->n < NGINX_CONF_ARGS_MAX ? d->n : NGINX_CONF_ARGS_MAX, size = 1;
        for (size_t i = from; i < n; i++)
                size += d->args[i].n + 1;
        char *out = arena_alloc(ps->c, size);
        if (!out) {
                cap_reached(ps, d->line, FULL_STRINGS, NGINX_CONF_STRINGS_MAX, "");
                return NULL;
        }
        size_t len = 0;
        for (size_t i = from; i < n; i++) {
                if (i > from)
                        out[len++] = ' ';
                len += unescape(d->args[i], out + len);
        }
        out[len] = '\0';
        return out;
}

static const char *keep_arg(struct parse *ps, const struct directive *d, size_t i) {
        struct directive one = { d->args + i, 1, d->line, d->in };
        return keep_args(ps, &one, 0);
}

/* ---- tokens, as ngx_conf_read_token() reads them ---- */

static bool is_space(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static void too_long(struct parse *ps, unsigned line, struct span s) {
        char buf[72];
        s.n = s.n > 10 ? 10 : s.n;
        report(ps, line, "too long parameter \"%s...\" started: %d bytes or more, nginx refuses it",
               clip(s, buf), NGINX_CONF_TOKEN_MAX + 1);
}

static void skip_space(struct parse *ps) {
        while (ps->p < ps->end && is_space(*ps->p))
                if (*ps->p++ == '\n')
                        ps->line++;
}

/* A comment runs to the end of its line; nginx holds it whole in its buffer too. */
static void skip_comment(struct parse *ps) {
        const char *nl = memchr(ps->p, '\n', (size_t) (ps->end - ps->p));
        const char *stop = nl ? nl : ps->end;
        if (stop - ps->p > NGINX_CONF_TOKEN_MAX)
                too_long(ps, ps->line, span_range(ps->p, stop));
        ps->p = stop;
}

/* A backslash takes the next byte as it is, a newline included. */
static void skip_escaped(struct parse *ps) {
        ps->p++;
        if (ps->p < ps->end && *ps->p++ == '\n')
                ps->line++;
}

static enum tok lex_word(struct parse *ps, struct span *s) {
        const char *start = ps->p;
        bool variable = false;
        while (ps->p < ps->end) {
                char ch = *ps->p;
                if (ch == '\\') {
                        skip_escaped(ps);
                        variable = false;
                        continue;
                }
                if (is_space(ch) || ch == ';' || (ch == '{' && !variable))
                        break;
                if (ch != '{')  /* "${" and "${{": braces after a '$' stay in the word */
                        variable = ch == '$';
                ps->p++;
        }
        *s = span_range(start, ps->p);
        return TOK_WORD;
}

/* Back to the end of the line a quote opened on, that quote's directive dropped. */
static enum tok unterminated(struct parse *ps, const char *quote, unsigned line) {
        report(ps, line, "unterminated %c quote: reading goes on at the next line", *quote);
        const char *nl = memchr(quote, '\n', (size_t) (ps->end - quote));
        ps->p = nl ? nl : ps->end;
        ps->line = line;
        return TOK_DROP;
}

static enum tok lex_quoted(struct parse *ps, struct span *s) {
        const char *quote = ps->p++;
        unsigned line = ps->line;
        while (ps->p < ps->end && *ps->p != *quote) {
                if (*ps->p == '\\')
                        skip_escaped(ps);
                else if (*ps->p++ == '\n')
                        ps->line++;
        }
        if (ps->p == ps->end)
                return unterminated(ps, quote, line);
        *s = span_range(quote + 1, ps->p++);
        char next = ps->p < ps->end ? *ps->p : ' ';
        if (!is_space(next) && next != ';' && next != '{' && next != ')') {
                report(ps, ps->line, "unexpected \"%c\" after a quoted string", next ? next : '?');
                ps->bad = ps->glued = true;
        }
        return TOK_WORD;
}

static enum tok lex(struct parse *ps, struct span *s, unsigned *line) {
        for (;;) {
                skip_space(ps);
                *line = ps->line;
                if (ps->p == ps->end)
                        return TOK_EOF;
                char ch = *ps->p;
                bool glued = ps->glued;
                ps->glued = false;
                if (ch == '#' && !glued) {
                        skip_comment(ps);
                        continue;
                }
                if (ch == ';' || ch == '{' || ch == '}') {
                        ps->p++;
                        return ch == ';' ? TOK_SEMI : ch == '{' ? TOK_OPEN : TOK_CLOSE;
                }
                enum tok t = ch == '"' || ch == '\'' ? lex_quoted(ps, s) : lex_word(ps, s);
                if (t == TOK_WORD && s->n > NGINX_CONF_TOKEN_MAX) {
                        too_long(ps, *line, *s);
                        ps->bad = true;
                }
                return t;
        }
}

/* ---- what is collected ---- */

#define IN(k) (1u << (k))
#define IN_LOCATION (IN(NGINX_LOCATION) | IN(NGINX_LOCATION_IF))
#define IN_HSL (IN(NGINX_HTTP) | IN(NGINX_SERVER) | IN(NGINX_LOCATION))

static struct nginx_block *block_of(struct parse *ps, const struct directive *d) {
        return &ps->c->blocks[d->in->block];
}

static void on_user(struct parse *ps, const struct directive *d, int which) {
        struct nginx_user *u = &ps->c->user;
        if (u->set) {
                report(ps, d->line, "\"user\" directive is duplicate (first at %s:%u)", u->at.file, u->at.line);
                return;
        }
        const char *user = keep_arg(ps, d, 1), *group = d->n == 3 ? keep_arg(ps, d, 2) : user;
        if (user && group)
                *u = (struct nginx_user) { true, user, group, { ps->file, d->line } };
}

static const char *const log_levels[] = { "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug", NULL };
static const char *const debug_levels[] = { "debug_core", "debug_alloc", "debug_mutex", "debug_event",
                                            "debug_http", "debug_mail", "debug_stream", NULL };

static const char *find_word(struct span s, const char *const *words) {
        for (; *words; words++)
                if (span_eq_str(s, *words))
                        return *words;
        return NULL;
}

/* ngx_log_set_levels(): one level at most, debug_* flags imply "debug". NULL when refused. */
static const char *log_level(struct parse *ps, const struct directive *d) {
        const char *level = NULL;
        bool debug = false;
        char buf[72];
        for (size_t i = 2; i < d->n; i++) {
                const char *named = find_word(d->args[i], log_levels);
                if (named && level) {
                        report(ps, d->line, "duplicate log level \"%s\"", named);
                        return NULL;
                }
                if (!named && !find_word(d->args[i], debug_levels)) {
                        report(ps, d->line, "invalid log level \"%s\"", clip(d->args[i], buf));
                        return NULL;
                }
                level = named ? named : level;
                debug = debug || !named;
        }
        return level ? level : debug ? "debug" : "error";
}

static enum nginx_log_kind log_kind(const char *target) {
        if (strcmp(target, "stderr") == 0)
                return NGINX_LOG_STDERR;
        if (strncmp(target, "syslog:", 7) == 0)
                return NGINX_LOG_SYSLOG;
        if (strncmp(target, "memory:", 7) == 0)
                return NGINX_LOG_MEMORY;
        return NGINX_LOG_FILE;
}

static void on_error_log(struct parse *ps, const struct directive *d, int which) {
        struct nginx_conf *c = ps->c;
        const char *level = log_level(ps, d), *target = level ? keep_arg(ps, d, 1) : NULL;
        if (!target)
                return;
        struct nginx_error_log *l = grow(c, &c->error_logs, &c->n_error_logs, &c->priv->cap_error_logs,
                                         sizeof(*l), NGINX_CONF_MAX_ERROR_LOGS);
        if (!l) {
                cap_reached(ps, d->line, FULL_ERROR_LOGS, NGINX_CONF_MAX_ERROR_LOGS, "error_log directives");
                return;
        }
        *l = (struct nginx_error_log) { log_kind(target), target, level, d->in->kind, d->in->block,
                                        { ps->file, d->line } };
}

static struct span drop_prefix(struct span s, const char *const *schemes) {
        for (; *schemes; schemes++) {
                size_t n = strlen(*schemes);
                if (s.n >= n && strncasecmp(s.p, *schemes, n) == 0)
                        return span_make(s.p + n, s.n - n);
        }
        return s;
}

static struct span drop_scheme(struct span s, enum nginx_pass_module m) {
        static const char *const none[] = { NULL }, *const uwsgi[] = { "uwsgi://", "suwsgi://", NULL },
                          *const grpc[] = { "grpc://", "grpcs://", NULL }, *const http[] = { "http://", "https://", NULL };
        const char *const *by_module[] = { none, uwsgi, none, grpc, http };
        return drop_prefix(s, by_module[m]);
}

static bool is_unix(struct span s) {
        return s.n >= 5 && strncasecmp(s.p, "unix:", 5) == 0;
}

/* address_parse() as ngx_parse_url() sees it: "UNIX:" is "unix:"; a bare path (php-fpm's
 * listen form) and a bare port are no address to nginx. */
static int parse_address(struct address *a, struct span s) {
        char buf[ADDRESS_PATH_MAX + 8];
        if (s.n && s.p[0] == '/')
                return -EINVAL;
        if (!is_unix(s) || memcmp(s.p, "unix:", 5) == 0) {
                int r = address_parse(a, s.p, s.n);
                return r == 0 && a->kind == ADDRESS_ANY && !memchr(s.p, ':', s.n) ? -EINVAL : r;
        }
        if (s.n >= sizeof(buf))
                return -ENAMETOOLONG;
        memcpy(buf, "unix:", 5);
        memcpy(buf + 5, s.p + 5, s.n - 5);
        return address_parse(a, buf, s.n);
}

/* What a pass leads to, as ngx_http_*_pass() and ngx_parse_url() take it. 0, or -EINVAL,
 * -ENAMETOOLONG for what nginx refuses. */
static int pass_target(struct nginx_target *t, const char *text, enum nginx_pass_module m) {
        *t = (struct nginx_target) { .kind = NGINX_TARGET_VARIABLE, .text = text };
        if (strchr(text, '$'))
                return 0;
        struct span s = drop_scheme(span_make(text, strlen(text)), m);
        if (m == NGINX_PROXY_PASS && is_unix(s)) {
                const char *uri = memchr(s.p + 5, ':', s.n - 5);      /* unix:/x.sock:/uri */
                s = uri ? span_range(s.p, uri) : s;
        }
        if (!is_unix(s) && SPAN_FIND(s, "://"))
                return -EINVAL;         /* "unix:///run/x.sock" is a path with slashes doubled */
        t->kind = NGINX_TARGET_ADDRESS;
        return parse_address(&t->address, s);
}

/* proxy_pass is collected only towards a unix socket; false (and maybe a word) otherwise. */
static bool proxy_to_unix(struct parse *ps, const struct directive *d) {
        static const char *const http[] = { "http://", "https://", NULL };
        struct span s = d->args[1], rest = drop_prefix(s, http);
        if (rest.p != s.p)
                return is_unix(rest);
        if (is_unix(s))
                report(ps, d->line, "invalid URL prefix in \"proxy_pass\": a unix socket is http://unix:/path");
        return false;
}

static const char *target_error(int r, const char *text) {
        if (r == -ENAMETOOLONG)
                return "a unix socket path is at most 107 bytes";
        return text[0] == '/' ? "a unix socket is written unix:/path" : "not an address nginx takes";
}

static void add_pass(struct parse *ps, const struct directive *d, enum nginx_pass_module m, struct nginx_target *t) {
        struct nginx_conf *c = ps->c;
        struct nginx_pass *p = grow(c, &c->passes, &c->n_passes, &c->priv->cap_passes, sizeof(*p),
                                    NGINX_CONF_MAX_PASSES);
        if (!p) {
                cap_reached(ps, d->line, FULL_PASSES, NGINX_CONF_MAX_PASSES, "passes");
                return;
        }
        *p = (struct nginx_pass) { m, *t, "", "", d->in->block, { ps->file, d->line } };
        if (block_of(ps, d)->pass < 0)
                block_of(ps, d)->pass = (int) (c->n_passes - 1);
}

static void on_pass(struct parse *ps, const struct directive *d, int which) {
        enum nginx_pass_module m = (enum nginx_pass_module) which;
        if (m == NGINX_PROXY_PASS && !proxy_to_unix(ps, d))
                return;
        int first = block_of(ps, d)->pass;
        if (first >= 0 && ps->c->passes[first].module == m) {
                report(ps, d->line, "\"%s\" directive is duplicate (first at %s:%u)", nginx_pass_str(m),
                       ps->c->passes[first].at.file, ps->c->passes[first].at.line);
                return;
        }
        const char *text = keep_arg(ps, d, 1);
        struct nginx_target t;
        int r = text ? pass_target(&t, text, m) : 0;
        if (r < 0)
                report(ps, d->line, "invalid target \"%.64s\" in \"%s\": %s", text, nginx_pass_str(m), target_error(r, text));
        else if (text)
                add_pass(ps, d, m, &t);
}

/* An upstream server's address: port 80 when none (ngx_http_upstream_server's default_port). */
static int server_target(struct nginx_target *t, const char *text) {
        char buf[ADDRESS_NAME_MAX + 8];
        struct span s = span_make(text, strlen(text));
        *t = (struct nginx_target) { .kind = NGINX_TARGET_ADDRESS, .text = text };
        bool bracket = s.n && s.p[0] == '[';
        bool no_port = bracket ? !SPAN_FIND(s, "]:") : !memchr(s.p, ':', s.n);
        if (!is_unix(s) && SPAN_FIND(s, "://"))
                return -EINVAL;         /* "unix:///run/x.sock" is a path with slashes doubled */
        if (is_unix(s) || (s.n && s.p[0] == '/') || !no_port)     /* a bare path is refused there */
                return parse_address(&t->address, s);
        if (s.n + 3 >= sizeof(buf))
                return -EINVAL;
        snprintf(buf, sizeof(buf), "%s:80", text);
        return parse_address(&t->address, span_make(buf, s.n + 3));
}

/* "weight=5" → 5; 0 when it is not weight=N with N from 1 to INT_MAX. */
static int weight_of(struct span s) {
        long v;
        if (!SPAN_SKIP(&s, "weight=") || !span_take_long(&s, &v) || s.n != 0 || v < 1 || v > INT32_MAX)
                return 0;
        return (int) v;
}

/* weight=N, backup and down: the rest (max_fails=, fail_timeout=, ...) is not kept. */
static bool server_flags(struct parse *ps, const struct directive *d, struct nginx_upstream_server *s) {
        size_t n = d->n < NGINX_CONF_ARGS_MAX ? d->n : NGINX_CONF_ARGS_MAX;
        char buf[72];
        s->weight = 1;
        for (size_t i = 2; i < n; i++) {
                struct span a = d->args[i];
                s->backup = s->backup || span_eq_str(a, "backup");
                s->down = s->down || span_eq_str(a, "down");
                if (SPAN_STARTS(a, "weight=") && !(s->weight = weight_of(a))) {
                        report(ps, d->line, "invalid parameter \"%s\"", clip(a, buf));
                        return false;
                }
        }
        return true;
}

static void on_server(struct parse *ps, const struct directive *d, int which) {
        struct nginx_conf *c = ps->c;
        const char *text = d->in->upstream >= 0 ? keep_arg(ps, d, 1) : NULL;
        struct nginx_upstream_server s = { 0 };
        if (!text)
                return;
        int r = server_target(&s.target, text);
        if (r < 0) {
                report(ps, d->line, "invalid server \"%.64s\": %s", text, target_error(r, text));
                return;
        }
        if (!server_flags(ps, d, &s))
                return;
        s.at = (struct nginx_at) { ps->file, d->line };
        struct nginx_upstream_server *slot = grow(c, &c->servers, &c->n_servers, &c->priv->cap_servers,
                                                  sizeof(*slot), NGINX_CONF_MAX_SERVERS);
        if (!slot) {
                cap_reached(ps, d->line, FULL_SERVERS, NGINX_CONF_MAX_SERVERS, "upstream servers");
                return;
        }
        *slot = s;
        c->upstreams[d->in->upstream].n_servers++;
}

static void on_keepalive(struct parse *ps, const struct directive *d, int which) {
        struct nginx_upstream *u = d->in->upstream >= 0 ? &ps->c->upstreams[d->in->upstream] : NULL;
        struct span s = d->args[1];
        long v;
        char buf[72];
        if (!u)
                return;
        if (u->keepalive > 0) {
                report(ps, d->line, "\"keepalive\" directive is duplicate (first at %s:%u)", u->keepalive_at.file,
                       u->keepalive_at.line);
        } else if (!span_take_long(&s, &v) || s.n != 0 || v < 1 || v > INT32_MAX) {
                report(ps, d->line, "invalid value \"%s\" in \"keepalive\" directive", clip(d->args[1], buf));
        } else {
                u->keepalive = (int) v;
                u->keepalive_at = (struct nginx_at) { ps->file, d->line };
        }
}

static void on_server_name(struct parse *ps, const struct directive *d, int which) {
        if (!block_of(ps, d)->server_name)
                block_of(ps, d)->server_name = keep_arg(ps, d, 1);
}

static void on_setting(struct parse *ps, const struct directive *d, int which) {
        struct nginx_conf *c = ps->c;
        enum nginx_setting_name name = (enum nginx_setting_name) which;
        int first = block_of(ps, d)->settings[name];
        if (first >= 0) {
                report(ps, d->line, "\"%s\" directive is duplicate (first at %s:%u)", nginx_setting_str(name),
                       c->settings[first].at.file, c->settings[first].at.line);
                return;
        }
        const char *value = keep_args(ps, d, 1);
        struct nginx_setting *s = value ? grow(c, &c->settings, &c->n_settings, &c->priv->cap_settings,
                                               sizeof(*s), NGINX_CONF_MAX_SETTINGS) : NULL;
        if (!s) {
                if (value)
                        cap_reached(ps, d->line, FULL_SETTINGS, NGINX_CONF_MAX_SETTINGS, "fastcgi_* settings");
                return;
        }
        *s = (struct nginx_setting) { name, value, d->in->kind, d->in->block, { ps->file, d->line } };
        block_of(ps, d)->settings[name] = (int) (c->n_settings - 1);
}

static void on_include(struct parse *ps, const struct directive *d, int which) {
        struct nginx_conf_private *pv = ps->c->priv;
        char *pattern = malloc(d->args[1].n + 1);
        if (!pattern) {
                pv->oom = true;
                return;
        }
        pattern[unescape(d->args[1], pattern)] = '\0';
        if (pv->depth > NGINX_CONF_INCLUDE_DEPTH) {
                report(ps, d->line, "includes nested deeper than %d files: \"%.64s\" is not read",
                       NGINX_CONF_INCLUDE_DEPTH, pattern);
        } else if (pv->include) {
                struct frame saved = pv->cur;
                const char *saved_file = pv->inc_file;
                unsigned saved_line = pv->inc_line;
                pv->cur = *d->in;
                pv->inc_file = ps->file;
                pv->inc_line = d->line;
                ps->error = pv->include(pv->ud, pattern, ps->file, d->line);
                ps->error = ps->error > 0 ? 0 : ps->error;
                pv->cur = saved;
                pv->inc_file = saved_file;
                pv->inc_line = saved_line;
        }
        free(pattern);
}

struct rule {
        const char *name;
        unsigned contexts;      /* IN(k) for each context nginx takes it in; ~0u: any */
        size_t min, max;        /* arguments, the name not counted */
        void (*handle)(struct parse *ps, const struct directive *d, int which);
        int which;
};

static const struct rule rules[] = {
        { "include", ~0u, 1, 1, on_include, 0 },
        { "user", IN(NGINX_MAIN), 1, 2, on_user, 0 },
        { "error_log", IN(NGINX_MAIN) | IN_HSL, 1, NGINX_CONF_ARGS_MAX - 1, on_error_log, 0 },
        { "fastcgi_pass", IN_LOCATION, 1, 1, on_pass, NGINX_FASTCGI_PASS },
        { "uwsgi_pass", IN_LOCATION, 1, 1, on_pass, NGINX_UWSGI_PASS },
        { "scgi_pass", IN_LOCATION, 1, 1, on_pass, NGINX_SCGI_PASS },
        { "grpc_pass", IN_LOCATION, 1, 1, on_pass, NGINX_GRPC_PASS },
        { "proxy_pass", IN_LOCATION | IN(NGINX_LIMIT_EXCEPT), 1, 1, on_pass, NGINX_PROXY_PASS },
        { "server", IN(NGINX_UPSTREAM), 1, SIZE_MAX, on_server, 0 },
        { "keepalive", IN(NGINX_UPSTREAM), 1, 1, on_keepalive, 0 },
        { "server_name", IN(NGINX_SERVER), 1, SIZE_MAX, on_server_name, 0 },
        { "fastcgi_read_timeout", IN_HSL, 1, 1, on_setting, NGINX_FASTCGI_READ_TIMEOUT },
        { "fastcgi_connect_timeout", IN_HSL, 1, 1, on_setting, NGINX_FASTCGI_CONNECT_TIMEOUT },
        { "fastcgi_buffer_size", IN_HSL, 1, 1, on_setting, NGINX_FASTCGI_BUFFER_SIZE },
        { "fastcgi_buffers", IN_HSL, 2, 2, on_setting, NGINX_FASTCGI_BUFFERS },
        { "fastcgi_keep_conn", IN_HSL, 1, 1, on_setting, NGINX_FASTCGI_KEEP_CONN },
};

static const struct rule *find_rule(struct span name) {
        for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
                if (span_eq_str(name, rules[i].name))
                        return &rules[i];
        return NULL;
}

/* The blocks this reader follows, by the block they open in. */
struct block_rule {
        const char *name;
        enum nginx_context parent, kind;
        size_t min, max;
};

static const struct block_rule block_rules[] = {
        { "http", NGINX_MAIN, NGINX_HTTP, 0, 0 },
        { "server", NGINX_HTTP, NGINX_SERVER, 0, 0 },
        { "upstream", NGINX_HTTP, NGINX_UPSTREAM, 1, 1 },
        { "location", NGINX_SERVER, NGINX_LOCATION, 1, 2 },
        { "location", NGINX_LOCATION, NGINX_LOCATION, 1, 2 },
        { "if", NGINX_SERVER, NGINX_SERVER_IF, 1, SIZE_MAX },
        { "if", NGINX_LOCATION, NGINX_LOCATION_IF, 1, SIZE_MAX },
        { "limit_except", NGINX_LOCATION, NGINX_LIMIT_EXCEPT, 1, SIZE_MAX },
};

/* A rule for name in parent; else any rule for name (a block where nginx takes none), or NULL. */
static const struct block_rule *find_block_rule(struct span name, enum nginx_context parent) {
        const struct block_rule *any = NULL;
        for (size_t i = 0; i < sizeof(block_rules) / sizeof(block_rules[0]); i++) {
                if (!span_eq_str(name, block_rules[i].name))
                        continue;
                if (block_rules[i].parent == parent)
                        return &block_rules[i];
                any = &block_rules[i];
        }
        return any;
}

static bool args_fit(struct parse *ps, const struct directive *d, const char *name, size_t min, size_t max) {
        if (d->n - 1 >= min && d->n - 1 <= max)
                return true;
        report(ps, d->line, "invalid number of arguments in \"%s\" directive", name);
        return false;
}

static void directive(struct parse *ps, const struct directive *d) {
        enum nginx_context in = d->in->kind;
        const struct rule *r = find_rule(d->args[0]);
        if (ps->bad || ps->unread || (in == NGINX_OTHER && (!r || r->handle != on_include)))
                return;
        if (!r) {
                if (find_block_rule(d->args[0], in))
                        report(ps, d->line, "directive \"%s\" has no opening \"{\"", find_block_rule(d->args[0], in)->name);
                return;
        }
        if (!(r->contexts & IN(in)))
                report(ps, d->line, "\"%s\" directive is not allowed here (in %s)", r->name, nginx_context_str(in));
        else if (args_fit(ps, d, r->name, r->min, r->max))
                r->handle(ps, d, r->which);
}

/* ---- blocks ---- */

static int add_block(struct parse *ps, const struct directive *d, enum nginx_context kind) {
        struct nginx_conf *c = ps->c;
        const char *args = keep_args(ps, d, 1);
        struct nginx_block *b = args ? grow(c, &c->blocks, &c->n_blocks, &c->priv->cap_blocks, sizeof(*b),
                                            NGINX_CONF_MAX_BLOCKS) : NULL;
        if (!b) {
                if (args)
                        cap_reached(ps, d->line, FULL_BLOCKS, NGINX_CONF_MAX_BLOCKS, "blocks");
                return -1;
        }
        *b = (struct nginx_block) { kind, d->in->block, args, NULL, { 0 }, -1, { ps->file, d->line } };
        for (int i = 0; i < NGINX_SETTING_COUNT; i++)
                b->settings[i] = -1;
        return (int) (c->n_blocks - 1);
}

static int add_upstream(struct parse *ps, const struct directive *d, int block) {
        struct nginx_conf *c = ps->c;
        const char *name = c->blocks[block].args;
        for (size_t i = 0; i < c->n_upstreams; i++) {
                if (strcmp(c->upstreams[i].name, name) == 0) {
                        report(ps, d->line, "duplicate upstream \"%.64s\" (first at %s:%u)", name,
                               c->upstreams[i].at.file, c->upstreams[i].at.line);
                        return -1;
                }
        }
        struct nginx_upstream *u = grow(c, &c->upstreams, &c->n_upstreams, &c->priv->cap_upstreams, sizeof(*u),
                                        NGINX_CONF_MAX_UPSTREAMS);
        if (!u) {
                cap_reached(ps, d->line, FULL_UPSTREAMS, NGINX_CONF_MAX_UPSTREAMS, "upstreams");
                return -1;
        }
        *u = (struct nginx_upstream) { name, c->n_servers, 0, 0, { "", 0 }, block, { ps->file, d->line } };
        return (int) (c->n_upstreams - 1);
}

/* What the block opened by d is, reported when nginx would refuse it: NGINX_OTHER if not followed. */
static enum nginx_context block_kind(struct parse *ps, const struct directive *d) {
        enum nginx_context in = d->in->kind;
        if (d->n == 0 || in == NGINX_OTHER || ps->bad)
                return NGINX_OTHER;
        const struct block_rule *b = find_block_rule(d->args[0], in);
        const struct rule *r = find_rule(d->args[0]);
        if (r && !b)
                report(ps, d->line, "directive \"%s\" is not terminated by \";\"", r->name);
        if (!b)
                return NGINX_OTHER;
        if (b->parent != in) {
                report(ps, d->line, "\"%s\" directive is not allowed here (in %s)", b->name, nginx_context_str(in));
                return NGINX_OTHER;
        }
        return args_fit(ps, d, b->name, b->min, b->max) ? b->kind : NGINX_OTHER;
}

static void open_block(struct parse *ps, const struct directive *d) {
        if (ps->unread || ps->depth == NGINX_CONF_NEST_MAX) {
                if (ps->unread++ == 0)
                        report(ps, d->line, "blocks nested deeper than %d: what they hold is not read",
                               NGINX_CONF_NEST_MAX);
                return;
        }
        enum nginx_context kind = block_kind(ps, d);
        int block = kind == NGINX_OTHER ? d->in->block : add_block(ps, d, kind), upstream = -1;
        if (block < 0) {
                kind = NGINX_OTHER;
                block = d->in->block;
        }
        if (kind == NGINX_UPSTREAM && (upstream = add_upstream(ps, d, block)) < 0)
                kind = NGINX_OTHER;
        struct span name = d->n ? d->args[0] : SPAN_LIT("{");
        ps->frames[++ps->depth] = (struct frame) { kind, block, upstream, name, d->line };
}

static void close_block(struct parse *ps, unsigned line) {
        if (ps->unread)
                ps->unread--;
        else if (ps->depth > 0)
                ps->depth--;
        else
                report(ps, line, "unexpected \"}\"%s", ps->c->priv->depth > 1 ? ": it closes no block this file opened" : "");
}

/* ---- the loop ---- */

static struct directive pending(struct parse *ps) {
        return (struct directive) { ps->args, ps->n_args, ps->dline, &ps->frames[ps->depth] };
}

static void clear(struct parse *ps) {
        ps->n_args = 0;
        ps->bad = false;
}

static void add_arg(struct parse *ps, struct span s, unsigned line) {
        if (ps->n_args == 0)
                ps->dline = line;
        if (ps->n_args < NGINX_CONF_ARGS_MAX)
                ps->args[ps->n_args] = s;
        if (ps->n_args < SIZE_MAX)
                ps->n_args++;
}

static void on_semicolon(struct parse *ps, unsigned line) {
        struct directive d = pending(ps);
        if (ps->n_args == 0)
                report(ps, line, "unexpected \";\"");
        else
                directive(ps, &d);
        clear(ps);
}

static void on_open(struct parse *ps, unsigned line) {
        struct directive d = pending(ps);
        if (ps->n_args == 0) {
                report(ps, line, "unexpected \"{\"");
                d.line = line;
        }
        open_block(ps, &d);
        clear(ps);
}

static void on_close(struct parse *ps, unsigned line) {
        char buf[72];
        if (ps->n_args > 0)
                report(ps, ps->dline, "unexpected \"}\": directive \"%s\" is not terminated by \";\"",
                       clip(ps->args[0], buf));
        clear(ps);
        close_block(ps, line);
}

static void on_eof(struct parse *ps) {
        char buf[72];
        if (ps->n_args > 0)
                report(ps, ps->dline, "unexpected end of file, expecting \";\" or \"}\": directive \"%s\" is not terminated",
                       clip(ps->args[0], buf));
        if (ps->depth > 0) {
                const struct frame *f = &ps->frames[ps->depth];
                report(ps, f->line, "unexpected end of file, expecting \"}\": this \"%s\" block is not closed",
                       clip(f->name, buf));
        }
        clear(ps);
}

static void read_all(struct parse *ps) {
        for (;;) {
                struct span s = SPAN_NULL;
                unsigned line;
                enum tok t = lex(ps, &s, &line);
                if (t == TOK_WORD)
                        add_arg(ps, s, line);
                else if (t == TOK_SEMI)
                        on_semicolon(ps, line);
                else if (t == TOK_OPEN)
                        on_open(ps, line);
                else if (t == TOK_CLOSE)
                        on_close(ps, line);
                else if (t == TOK_DROP)
                        clear(ps);
                if (t == TOK_EOF)
                        on_eof(ps);
                if (t == TOK_EOF || ps->error)
                        return;
        }
}

/* nginx reads any byte; these only come from a binary or damaged file. One report per file. */
static void check_bytes(struct parse *ps, const char *text, size_t n) {
        unsigned line = 1;
        if (n >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
                report(ps, 1, "a UTF-8 byte order mark: nginx reads it as part of the first directive's name");
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char) text[i];
                line += ch == '\n';
                if (is_control(ch)) {
                        report(ps, line, "control byte 0x%02x: the file is binary or damaged (later ones are not reported)", ch);
                        return;
                }
        }
}

static const char *add_file(struct nginx_conf *c, const char *file) {
        for (size_t i = 0; i < c->n_files; i++)
                if (strcmp(c->files[i], file) == 0)
                        return c->files[i];
        const char *copy = arena_copy(c, file, strlen(file));
        const char **slot = copy ? grow(c, &c->files, &c->n_files, &c->priv->cap_files, sizeof(*slot),
                                        NGINX_CONF_MAX_FILES) : NULL;
        if (slot)
                *slot = copy;
        return slot ? copy : NULL;
}

void nginx_conf_report_loop(struct nginx_conf *c, const char *from, unsigned line, const char *file) {
        nginx_conf_report(c, from, line, "include loop: \"%.80s\" is being read already, not read again (nginx "
                          "refuses it: it reads the file over and over until a directive is duplicate or it crashes)",
                          file);
}

/* file is one of the files whose reading is under way: an include loop. */
static bool reading(const struct nginx_conf_private *pv, const char *file) {
        for (unsigned i = 0; i < pv->depth; i++)
                if (strcmp(pv->reading[i], file) == 0)
                        return true;
        return false;
}

void nginx_conf_note_include(struct nginx_conf *c, const char *path) {
        for (size_t i = 0; i < c->n_includes; i++)
                if (strcmp(c->includes[i], path) == 0)
                        return;
        const char *copy = arena_copy(c, path, strlen(path));
        const char **slot = copy ? grow(c, &c->includes, &c->n_includes, &c->priv->cap_includes, sizeof(*slot),
                                        NGINX_CONF_MAX_FILES) : NULL;
        if (slot)
                *slot = copy;
}

/* The innermost location's args and its server's first name, for each pass. */
/* What nginx -t refuses in a pass's target, from ngx_http_upstream_add() and
 * ngx_http_upstream_init_round_robin(): a name with no upstream block and no port, or a port
 * after an upstream's name. */
static void check_upstream_name(struct nginx_conf *c, const struct nginx_pass *p) {
        const struct address *a = &p->target.address;
        if (p->target.kind != NGINX_TARGET_ADDRESS)
                return;
        if (a->kind == ADDRESS_GROUP && !nginx_conf_upstream(c, a->text))
                nginx_conf_report(c, p->at.file, p->at.line, "%s %s: no upstream \"%s\" and no port: nginx refuses "
                                  "it (\"no port in upstream\")", nginx_pass_str(p->module), a->text, a->text);
        const char *colon = a->kind == ADDRESS_HOST ? strrchr(a->text, ':') : NULL;
        for (size_t i = 0; colon && i < c->n_upstreams; i++)
                if (strlen(c->upstreams[i].name) == (size_t) (colon - a->text) &&
                    memcmp(c->upstreams[i].name, a->text, (size_t) (colon - a->text)) == 0) {
                        nginx_conf_report(c, p->at.file, p->at.line, "%s %s: upstream \"%s\" may not have a port: "
                                          "nginx refuses it", nginx_pass_str(p->module), a->text, c->upstreams[i].name);
                        break;
                }
}

static void finish(struct nginx_conf *c) {
        for (size_t i = 0; i < c->n_passes; i++)
                check_upstream_name(c, &c->passes[i]);
        for (size_t i = 0; i < c->n_passes; i++) {
                struct nginx_pass *p = &c->passes[i];
                bool inner = true;
                p->location = p->server_name = "";
                for (int b = p->block; b >= 0; b = c->blocks[b].parent) {
                        if (c->blocks[b].kind == NGINX_LOCATION && inner) {
                                p->location = c->blocks[b].args;
                                inner = false;
                        }
                        if (c->blocks[b].kind == NGINX_SERVER && c->blocks[b].server_name)
                                p->server_name = c->blocks[b].server_name;
                }
        }
}

int nginx_conf_parse(struct nginx_conf *c, const char *file, const char *text, size_t n) {
        struct nginx_conf_private *pv = c->priv;
        const char *name = add_file(c, file);
        if (!name) {
                if (pv->oom)
                        return -ENOMEM;
                if (!(pv->full & FULL_FILES))
                        nginx_conf_report(c, file, 0, "more than %d files: this one and the rest are not read",
                                          NGINX_CONF_MAX_FILES);
                pv->full |= FULL_FILES;
                return 0;
        }
        if (reading(pv, name)) {
                nginx_conf_report_loop(c, pv->inc_file, pv->inc_line, name);
                return 0;
        }
        struct parse *ps = calloc(1, sizeof(*ps));
        if (!ps)
                return -ENOMEM;
        *ps = (struct parse) { .c = c, .file = name, .p = text, .end = text + n, .line = 1 };
        ps->frames[0] = pv->cur;
        pv->reading[pv->depth++] = name;       /* on_include() keeps depth within reading[] */
        check_bytes(ps, text, n);
        read_all(ps);
        pv->depth--;
        if (pv->depth == 0)
                finish(c);
        int r = ps->error < 0 ? ps->error : pv->oom ? -ENOMEM : 0;
        free(ps);
        return r;
}

struct nginx_conf *nginx_conf_new(nginx_include_fn *include, void *ud) {
        struct nginx_conf *c = calloc(1, sizeof(*c));
        struct nginx_conf_private *pv = calloc(1, sizeof(*pv));
        if (!c || !pv) {
                free(c);
                free(pv);
                return NULL;
        }
        c->priv = pv;
        pv->include = include;
        pv->ud = ud;
        pv->cur = (struct frame) { NGINX_MAIN, 0, -1, SPAN_NULL, 0 };
        c->user = (struct nginx_user) { false, "", "", { "", 0 } };
        struct nginx_block *main_block = grow(c, &c->blocks, &c->n_blocks, &pv->cap_blocks, sizeof(*main_block), 1);
        if (!main_block) {
                nginx_conf_free(c);
                return NULL;
        }
        *main_block = (struct nginx_block) { NGINX_MAIN, -1, "", NULL, { 0 }, -1, { "", 0 } };
        for (int i = 0; i < NGINX_SETTING_COUNT; i++)
                main_block->settings[i] = -1;
        return c;
}

void nginx_conf_free(struct nginx_conf *c) {
        if (!c)
                return;
        struct chunk *k = c->priv->chunks;
        while (k) {
                struct chunk *next = k->next;
                free(k);
                k = next;
        }
        free(c->error_logs);
        free(c->passes);
        free(c->upstreams);
        free(c->servers);
        free(c->settings);
        free(c->blocks);
        free(c->files);
        free(c->includes);
        free(c->diags);
        free(c->priv);
        free(c);
}

/* ---- lookups ---- */

const struct nginx_setting *nginx_conf_effective(const struct nginx_conf *c, const struct nginx_pass *p,
                                                 enum nginx_setting_name name) {
        for (int b = p->block; b >= 0; b = c->blocks[b].parent)
                if (c->blocks[b].settings[name] >= 0)
                        return &c->settings[c->blocks[b].settings[name]];
        return NULL;
}

const struct nginx_upstream *nginx_conf_upstream(const struct nginx_conf *c, const char *name) {
        for (size_t i = 0; i < c->n_upstreams; i++)
                if (strcmp(c->upstreams[i].name, name) == 0)
                        return &c->upstreams[i];
        return NULL;
}

const char *nginx_setting_str(enum nginx_setting_name name) {
        static const char *const names[] = { "fastcgi_read_timeout", "fastcgi_connect_timeout",
                                             "fastcgi_buffer_size", "fastcgi_buffers", "fastcgi_keep_conn" };
        return (unsigned) name < NGINX_SETTING_COUNT ? names[name] : "?";
}

const char *nginx_pass_str(enum nginx_pass_module module) {
        static const char *const names[] = { "fastcgi_pass", "uwsgi_pass", "scgi_pass", "grpc_pass", "proxy_pass" };
        return (unsigned) module <= NGINX_PROXY_PASS ? names[module] : "?";
}

const char *nginx_context_str(enum nginx_context context) {
        static const char *const names[] = { "main", "http", "server", "location", "if in server",
                                             "if in location", "limit_except", "upstream", "other" };
        return (unsigned) context <= NGINX_OTHER ? names[context] : "?";
}
