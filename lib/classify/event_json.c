#include "event_json.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "jsonstr.h"

static int put(json_t *obj, const char *key, json_t *value) {
        return value ? json_object_set_new(obj, key, value) : -ENOMEM;
}

static int put_span(json_t *obj, const char *key, struct span s) {
        return s.p ? put(obj, key, json_bytes(s.p, s.n)) : 0;
}

static int put_head(json_t *obj, const struct logline *ll, const struct event *ev) {
        struct timestamp t;
        char iso[32];
        int r = 0;
        if (logline_parse_time(ll, &t))
                r |= put(obj, "time", json_string(timestamp_iso(&t, iso)));
        enum log_level lvl = ll->source == SOURCE_NGINX ? ll->nginx.lvl : ll->fpm.lvl;
        r |= put(obj, "level", json_string(level_name(lvl)));
        r |= put(obj, "kind", json_string(kind_id(ev->kind)));
        r |= put(obj, "source", json_string(ll->source == SOURCE_FPM ? "php-fpm" : "nginx"));
        return r;
}

static int put_nginx(json_t *obj, const struct nginx_line *l, const struct event *ev) {
        int r = put_span(obj, "message", l->message);
        r |= put_span(obj, "server", l->server);
        r |= put_span(obj, "request", l->request);
        if (ev->phase != PHASE_NONE)
                r |= put(obj, "phase", json_string(upstream_phase_name(ev->phase)));
        return r;
}

static int put_numbers(json_t *obj, const struct event *ev) {
        int r = 0;
        if (ev->err)
                r |= put(obj, "errno", json_integer(ev->err));
        if (ev->child_pid >= 0)
                r |= put(obj, "child_pid", json_integer(ev->child_pid));
        if (ev->signal) {
                r |= put(obj, "signal", json_integer(ev->signal));
                r |= put_span(obj, "signal_name", ev->signal_name);
                r |= put(obj, "core_dumped", json_boolean(ev->core_dumped));
        }
        if (ev->kind == KIND_FPM_CHILD_EXIT)
                r |= put(obj, "exit_code", json_integer(ev->exit_code));
        if (ev->seconds >= 0)
                r |= put(obj, "seconds", json_real(ev->seconds));
        if (ev->value >= 0)
                r |= put(obj, "value", json_integer(ev->value));
        return r;
}

int event_json_fill(json_t *obj, const struct logline *ll, const struct event *ev) {
        int r = put_head(obj, ll, ev);
        r |= put_span(obj, "upstream", ev->upstream);
        r |= put_span(obj, "pool", ev->pool);
        r |= put_numbers(obj, ev);
        r |= put_span(obj, "detail", ev->detail);
        if (ll->source == SOURCE_NGINX)
                r |= put_nginx(obj, &ll->nginx, ev);
        else if (ll->source == SOURCE_FPM)
                r |= put_span(obj, "message", ll->fpm.message);
        return r ? -ENOMEM : 0;
}

/* ---- the same fields written straight into a buffer, in the same order ---- */

/* ,"key": for a literal key that needs no escaping */
#define KEY(b, key) jbuf_raw((b), ",\"" key "\":", sizeof(key) + 3)

#define line_span(b, key, s)                            \
        do {                                            \
                struct span s_ = (s);                   \
                if (s_.p) {                             \
                        KEY(b, key);                    \
                        jbuf_bytes((b), s_.p, s_.n);    \
                }                                       \
        } while (0)

/* json_string(NULL) fails: event_json_fill leaves the key out */
#define line_str(b, key, s)                             \
        do {                                            \
                const char *s_ = (s);                   \
                if (s_) {                               \
                        KEY(b, key);                    \
                        jbuf_str((b), s_);              \
                }                                       \
        } while (0)

#define line_int(b, key, v)                             \
        do {                                            \
                KEY(b, key);                            \
                jbuf_int((b), (v));                     \
        } while (0)

int event_json_line(struct jbuf *b, const char *file, unsigned long long lineno, bool truncated,
                    const struct logline *ll, const struct event *ev) {
        struct timestamp t;
        char iso[32];
        jbuf_raw(b, "{\"file\":", 8);
        jbuf_bytes(b, file, file ? strlen(file) : 0);
        line_int(b, "line", (long long) lineno);
        if (logline_parse_time(ll, &t))
                line_str(b, "time", timestamp_iso(&t, iso));
        enum log_level lvl = ll->source == SOURCE_NGINX ? ll->nginx.lvl : ll->fpm.lvl;
        line_str(b, "level", level_name(lvl));
        line_str(b, "kind", kind_id(ev->kind));
        line_str(b, "source", ll->source == SOURCE_FPM ? "php-fpm" : "nginx");
        line_span(b, "upstream", ev->upstream);
        line_span(b, "pool", ev->pool);
        if (ev->err)
                line_int(b, "errno", ev->err);
        if (ev->child_pid >= 0)
                line_int(b, "child_pid", ev->child_pid);
        if (ev->signal) {
                line_int(b, "signal", ev->signal);
                line_span(b, "signal_name", ev->signal_name);
                KEY(b, "core_dumped");
                jbuf_raw(b, ev->core_dumped ? "true" : "false", ev->core_dumped ? 4 : 5);
        }
        if (ev->kind == KIND_FPM_CHILD_EXIT)
                line_int(b, "exit_code", ev->exit_code);
        if (ev->seconds >= 0 && isfinite(ev->seconds)) {        /* json_real refuses NaN and inf */
                KEY(b, "seconds");
                jbuf_real(b, ev->seconds);
        }
        if (ev->value >= 0)
                line_int(b, "value", ev->value);
        line_span(b, "detail", ev->detail);
        if (ll->source == SOURCE_NGINX) {
                line_span(b, "message", ll->nginx.message);
                line_span(b, "server", ll->nginx.server);
                line_span(b, "request", ll->nginx.request);
                if (ev->phase != PHASE_NONE)
                        line_str(b, "phase", upstream_phase_name(ev->phase));
        } else if (ll->source == SOURCE_FPM) {
                line_span(b, "message", ll->fpm.message);
        }
        if (truncated) {
                KEY(b, "truncated");
                jbuf_raw(b, "true", 4);
        }
        jbuf_raw(b, "}\n", 2);
        return b->oom ? -ENOMEM : 0;
}
