#include "alertmanager_json.h"

#include <stdio.h>
#include <string.h>

#include "jsonstr.h"

static json_t *text(const char *s) {
        return json_bytes(s, strlen(s));
}

static void set_label(json_t *labels, const char *name, const char *value) {
        if (*value)
                json_object_set_new(labels, name, text(value));
}

static json_t *labels_json(const struct alert *a, const char *instance) {
        json_t *l = json_object();
        if (!l)
                return NULL;
        set_label(l, "alertname", cause_id(a->cause));
        set_label(l, "severity", alert_severity(a));
        set_label(l, "instance", instance);
        set_label(l, "pool", a->pool);
        set_label(l, "upstream", a->upstream);
        return l;
}

/* "upstream_socket_missing=12; 12 log lines; probe: socket_missing; unit failed (exit-code)" */
static void describe(const struct alert_evidence *e, char *buf, size_t size) {
        char kinds[160];
        size_t n = 0;
        alert_kinds_words(e, kinds, sizeof(kinds));
        n += (size_t) snprintf(buf, size, "%s%s%llu log line%s", kinds, kinds[0] ? "; " : "",
                               (unsigned long long) e->lines, e->lines == 1 ? "" : "s");
        if (e->probe.have && n < size)
                n += (size_t) snprintf(buf + n, size - n, "; probe: %s", e->probe.outcome);
        if (e->socket.have && n < size)
                n += (size_t) snprintf(buf + n, size - n, "; socket: %s %s", e->socket.verdict, e->socket.path);
        if (e->unit.have && n < size)
                n += (size_t) snprintf(buf + n, size - n, "; unit %s (%s)", e->unit.active_state, e->unit.result);
        if (e->config.have && n < size)
                snprintf(buf + n, size - n, "; %s:%u", e->config.file, e->config.line);
}

static json_t *annotations_json(const struct alert *a) {
        char remedy[ALERT_REMEDIES * ALERT_REMEDY_MAX] = "", description[2 * PATH_MAX];
        size_t n = 0;
        for (int i = 0; i < a->n_remedies && n < sizeof(remedy); i++)
                n += (size_t) snprintf(remedy + n, sizeof(remedy) - n, "%s%s", i ? "\n" : "", a->remedy[i]);
        describe(&a->evidence, description, sizeof(description));
        json_t *o = json_pack("{s:o,s:o,s:o}", "summary", text(a->summary), "description", text(description),
                              "alert_id", text(a->id));
        if (o && remedy[0])
                json_object_set_new(o, "remedy", text(remedy));
        return o;
}

json_t *alertmanager_alert(const struct alert *a, const char *instance, uint64_t now_usec, uint64_t firing_ttl_usec) {
        uint64_t ends = a->state == ALERT_RESOLVED ? now_usec : now_usec + firing_ttl_usec;
        uint64_t starts = a->first_seen_usec && a->first_seen_usec <= ends ? a->first_seen_usec : now_usec;
        return json_pack("{s:o,s:o,s:o,s:o}", "labels", labels_json(a, instance), "annotations", annotations_json(a),
                         "startsAt", alert_json_time(starts), "endsAt", alert_json_time(ends));
}
