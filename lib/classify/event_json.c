#include "event_json.h"

#include <errno.h>
#include <stddef.h>

#include "jsonstr.h"

static int put(json_t *obj, const char *key, json_t *value) {
        return value ? json_object_set_new_nocheck(obj, key, value) : -ENOMEM;     /* keys: ASCII literals */
}

static int put_span(json_t *obj, const char *key, struct span s) {
        return s.p ? put(obj, key, json_bytes(s.p, s.n)) : 0;
}

/* The causes the kind's row points to, as scan's table shows them: ["fpm_down","socket_mismatch"].
 * Made once per kind and shared by every event of it (the caller's object holds a reference). */
static json_t *causes_json(enum event_kind k) {
        static json_t *made[KIND__MAX];
        if ((unsigned) k >= KIND__MAX)
                k = KIND_NONE;
        if (made[k])
                return json_incref(made[k]);
        json_t *a = json_array();
        unsigned set = kind_info(k)->causes;
        for (unsigned c = 1; a && c < CAUSE__MAX; c++)
                if ((set & (1u << c)) && json_array_append_new(a, json_string_nocheck(cause_id((enum cause) c))) < 0) {
                        json_decref(a);
                        return NULL;
                }
        made[k] = a;
        return json_incref(a);
}

/* A name from one of the tables below as a JSON string, made once into *slot and shared by every
 * event (the caller's object holds a reference): a --json scan writes several per line. */
static json_t *name_json(json_t **slot, const char *name) {
        if (!*slot)
                *slot = json_string_nocheck(name);      /* names from the tables: plain ASCII */
        return *slot ? json_incref(*slot) : NULL;
}

static json_t *level_json(enum log_level lvl) {
        static json_t *made[LEVEL_EMERG + 1];
        if ((unsigned) lvl > LEVEL_EMERG)
                lvl = LEVEL_UNKNOWN;
        return name_json(&made[lvl], level_name(lvl));
}

static json_t *kind_json(enum event_kind k) {
        static json_t *made[KIND__MAX];
        if ((unsigned) k >= KIND__MAX)
                return json_string_nocheck(kind_id(k));
        return name_json(&made[k], kind_id(k));
}

static json_t *source_json(enum log_source src) {
        static const char *const sources[] = {
                [SOURCE_NONE] = "none", [SOURCE_NGINX] = "nginx", [SOURCE_FPM] = "php-fpm", [SOURCE_KERNEL] = "kernel",
        };
        static json_t *made[SOURCE_KERNEL + 1];
        if ((unsigned) src > SOURCE_KERNEL)
                src = SOURCE_NONE;
        return name_json(&made[src], sources[src]);
}

static json_t *phase_json(enum upstream_phase ph) {
        static json_t *made[PHASE_TLS + 1];
        if ((unsigned) ph > PHASE_TLS)
                ph = PHASE_NONE;
        return name_json(&made[ph], upstream_phase_name(ph));
}

static int put_head(json_t *obj, const struct logline *ll, const struct event *ev) {
        struct timestamp t;
        char iso[32];
        int r = 0;
        if (logline_parse_time(ll, &t))
                r |= put(obj, "time", json_string_nocheck(timestamp_iso(&t, iso)));
        if (ll->source == SOURCE_NGINX || ll->source == SOURCE_FPM)
                r |= put(obj, "level", level_json(ll->source == SOURCE_NGINX ? ll->nginx.lvl : ll->fpm.lvl));
        r |= put(obj, "kind", kind_json(ev->kind));
        r |= put(obj, "causes", causes_json(ev->kind));
        r |= put(obj, "source", source_json(ll->source));
        return r;
}

static int put_nginx(json_t *obj, const struct nginx_line *l, const struct event *ev) {
        int r = put_span(obj, "message", l->message);
        r |= put_span(obj, "server", l->server);
        r |= put_span(obj, "request", l->request);
        if (ev->phase != PHASE_NONE)
                r |= put(obj, "phase", phase_json(ev->phase));
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
                r |= put(obj, "seconds", json_real(ev->seconds));       /* dumped with EVENT_JSON_FLAGS */
        if (ev->value >= 0)
                r |= put(obj, "value", json_integer(ev->value));
        return r;
}

/* A kernel OOM record's figures, in kB as the kernel prints them. */
static int put_oom(json_t *obj, const struct kernel_oom *k) {
        static const struct {
                const char *key;
                size_t at;
        } figures[] = {
                { "total_vm_kb", offsetof(struct kernel_oom, total_vm_kb) },
                { "anon_rss_kb", offsetof(struct kernel_oom, anon_rss_kb) },
                { "file_rss_kb", offsetof(struct kernel_oom, file_rss_kb) },
                { "shmem_rss_kb", offsetof(struct kernel_oom, shmem_rss_kb) },
                { "uid", offsetof(struct kernel_oom, uid) },
                { "usage_kb", offsetof(struct kernel_oom, usage_kb) },
                { "limit_kb", offsetof(struct kernel_oom, limit_kb) },
        };
        int r = 0;
        for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++) {
                long v = *(const long *) ((const char *) k + figures[i].at);
                if (v >= 0)
                        r |= put(obj, figures[i].key, json_integer(v));
        }
        r |= put(obj, "memcg", json_boolean(k->memcg));
        r |= put_span(obj, "constraint", k->constraint);
        r |= put_span(obj, "oom_memcg", k->oom_memcg);
        r |= put_span(obj, "task_memcg", k->task_memcg);
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
        else if (ll->source == SOURCE_KERNEL)
                r |= put_oom(obj, &ev->oom);
        return r ? -ENOMEM : 0;
}
