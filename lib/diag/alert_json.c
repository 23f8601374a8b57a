#include "alert.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonstr.h"

const char *alert_state_name(enum alert_state s) {
        return s == ALERT_RESOLVED ? "resolved" : "firing";
}

const char *cause_severity(enum cause c) {
        int prio = cause_priority(c);
        return prio <= LOG_CRIT ? "critical" : prio == LOG_ERR ? "error" : prio == LOG_WARNING ? "warning" : "notice";
}

const char *alert_severity(const struct alert *a) {
        return cause_severity(a->cause);
}

json_t *alert_json_time(uint64_t usec) {
        if (!usec)
                return json_null();
        time_t secs = (time_t) (usec / 1000000);
        struct tm tm;
        char buf[40];
        if (!gmtime_r(&secs, &tm))
                return json_null();
        size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, sizeof(buf) - n, ".%06uZ", (unsigned) (usec % 1000000));
        return json_string(buf);
}

static json_t *text(const char *s) {
        return json_bytes(s, strlen(s));
}

static json_t *probe_json(const struct alert_probe *p) {
        json_t *o = json_pack("{s:o,s:i}", "outcome", text(p->outcome), "errno", p->err);
        if (o && p->rtt_us >= 0)
                json_object_set_new(o, "rtt_us", json_integer(p->rtt_us));
        return o;
}

/* uid, gid and mode only when something is at the path. */
static json_t *socket_json(const struct alert_socket *s) {
        char mode[8];
        json_t *o = json_pack("{s:o,s:o,s:b,s:o}", "verdict", text(s->verdict), "path", text(s->path), "acl",
                              s->acl, "user", text(s->user));
        if (!o || !s->have_owner)
                return o;
        snprintf(mode, sizeof(mode), "%04o", (unsigned) s->mode & 07777);
        json_object_set_new(o, "uid", json_integer((json_int_t) s->uid));
        json_object_set_new(o, "gid", json_integer((json_int_t) s->gid));
        json_object_set_new(o, "mode", json_string(mode));
        return o;
}

void alert_kinds_words(const struct alert_evidence *e, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = '\0';
        for (unsigned k = 1; k < KIND__MAX && n < size; k++)
                if (e->kinds[k]) {
                        int w = snprintf(buf + n, size - n, "%s%s=%u", n ? ", " : "", kind_id((enum event_kind) k),
                                         (unsigned) e->kinds[k]);
                        if (w < 0)
                                break;
                        n += (size_t) w;
                }
}

/* {"upstream_socket_missing": 12, "fpm_stopping": 1}: the kinds seen, as scan's summary has them. */
static json_t *kinds_json(const struct alert_evidence *e) {
        json_t *o = json_object();
        for (unsigned k = 1; o && k < KIND__MAX; k++)
                if (e->kinds[k])
                        json_object_set_new(o, kind_id((enum event_kind) k), json_integer((json_int_t) e->kinds[k]));
        return o;
}

static json_t *unit_json(const struct alert_unit *u) {
        return json_pack("{s:o,s:o,s:o,s:o,s:I,s:i}", "load_state", text(u->load_state), "active_state",
                         text(u->active_state), "sub_state", text(u->sub_state), "result", text(u->result),
                         "n_restarts", (json_int_t) u->n_restarts, "exec_main_status", u->exec_main_status);
}

/* {"pid": 812, "comm": "apache2"}, or {} when the holder could not be seen. */
static json_t *holder_json(const struct alert_holder *h) {
        json_t *o = json_object();
        if (o && h->pid > 0) {
                json_object_set_new(o, "pid", json_integer(h->pid));
                json_object_set_new(o, "comm", text(h->comm));
        }
        return o;
}

/* {"file": "/etc/nginx/nginx.conf", "line": 12} */
static json_t *config_json(const struct alert_config *c) {
        return json_pack("{s:o,s:I}", "file", text(c->file), "line", (json_int_t) c->line);
}

/* {"proof": "kernel_log", "pid": 4242, "comm": "php-fpm8.2", "anon_rss_kb": 524288, …}: figures known only */
static json_t *oom_json(const struct alert_oom *m) {
        json_t *o = json_pack("{s:o}", "proof", text(m->proof));
        if (!o)
                return NULL;
        if (m->pid >= 0)
                json_object_set_new(o, "pid", json_integer(m->pid));
        if (m->comm[0])
                json_object_set_new(o, "comm", text(m->comm));
        if (m->anon_rss_kb >= 0)
                json_object_set_new(o, "anon_rss_kb", json_integer(m->anon_rss_kb));
        if (m->total_vm_kb >= 0)
                json_object_set_new(o, "total_vm_kb", json_integer(m->total_vm_kb));
        if (m->limit_kb >= 0)
                json_object_set_new(o, "limit_kb", json_integer(m->limit_kb));
        if (m->memory_max && m->memory_max != UINT64_MAX)
                json_object_set_new(o, "memory_max", json_integer((json_int_t) m->memory_max));
        if (m->cgroup[0])
                json_object_set_new(o, "cgroup", text(m->cgroup));
        if (m->cgroup_version[0])
                json_object_set_new(o, "cgroup_version", text(m->cgroup_version));
        return o;
}

static json_t *evidence_json(const struct alert_evidence *e) {
        json_t *samples = json_array();
        for (int i = 0; i < e->n_samples; i++)
                json_array_append_new(samples, text(e->samples[i]));
        json_t *o = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o}", "lines", (json_int_t) e->lines, "lines_since_last",
                              (json_int_t) e->lines_since_last, "first_line", alert_json_time(e->first_line_usec),
                              "last_line", alert_json_time(e->last_line_usec), "kinds", kinds_json(e), "samples", samples);
        if (!o)
                return NULL;
        if (e->late_lines)
                json_object_set_new(o, "late_lines", json_integer((json_int_t) e->late_lines));
        if (e->signal)
                json_object_set_new(o, "signal", json_integer(e->signal));
        if (e->probe.have)
                json_object_set_new(o, "probe", probe_json(&e->probe));
        if (e->socket.have)
                json_object_set_new(o, "socket", socket_json(&e->socket));
        if (e->unit.have)
                json_object_set_new(o, "unit", unit_json(&e->unit));
        if (e->port_holder.have)
                json_object_set_new(o, "port_holder", holder_json(&e->port_holder));
        if (e->config.have)
                json_object_set_new(o, "config", config_json(&e->config));
        if (e->oom.have)
                json_object_set_new(o, "oom", oom_json(&e->oom));
        return o;
}

json_t *alert_to_json(const struct alert *a) {
        json_t *remedy = json_array();
        for (int i = 0; i < a->n_remedies; i++)
                json_array_append_new(remedy, text(a->remedy[i]));
        json_t *o = json_pack("{s:i,s:o,s:s,s:s,s:b,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
                         "schema", ALERT_SCHEMA, "id", text(a->id), "cause", cause_id(a->cause), "state",
                         alert_state_name(a->state), "repeat", a->repeat, "severity", alert_severity(a), "pool",
                         text(a->pool), "upstream", text(a->upstream), "unit", text(a->unit), "summary",
                         text(a->summary), "evidence", evidence_json(&a->evidence), "remedy", remedy,
                         "first_seen", alert_json_time(a->first_seen_usec), "last_seen", alert_json_time(a->last_seen_usec));
        if (o)
                json_object_set_new(o, "late", json_boolean(a->late));
        if (o)
                json_object_set_new(o, "past", json_boolean(a->past));
        return o;
}
