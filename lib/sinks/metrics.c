#include "metrics.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstr.h"

#define COUNTER METRIC_COUNTER
#define GAUGE METRIC_GAUGE
#define HISTOGRAM METRIC_HISTOGRAM
#define STATUS "php-fpm's status page (StatusPath): "

static const struct metrics_family_info families[METRIC__FAMILY_MAX] = {
        [METRIC_LOG_LINES] = { "badgatewayd_log_lines_read_total", COUNTER,
                "Log lines read, per log file.", { "log" } },
        [METRIC_LOG_ROTATIONS] = { "badgatewayd_log_rotations_total", COUNTER,
                "Rotations seen (the path became a new file), per log file.", { "log" } },
        [METRIC_LOG_TRUNCATIONS] = { "badgatewayd_log_truncations_total", COUNTER,
                "Truncations seen (the file shrank, as copytruncate does), per log file.", { "log" } },
        [METRIC_EVENTS] = { "badgatewayd_events_total", COUNTER,
                "Log lines classified as evidence, per event kind and target (the pool whose php-fpm log "
                "it is, else the upstream nginx names, else nginx).", { "kind", "target" } },
        [METRIC_FINDINGS_FIRING] = { "badgatewayd_findings_firing", GAUGE,
                "1 for each root cause firing now, per cause and target (a pool, an upstream no pool "
                "serves, or nginx).", { "cause", "target", "severity" } },
        [METRIC_ALERTS] = { "badgatewayd_alerts_total", COUNTER,
                "Alerts sent, per cause and state (a summary of one still firing counts as firing).",
                { "cause", "state" } },
        [METRIC_ALERTS_DROPPED] = { "badgatewayd_alerts_dropped_total", COUNTER,
                "Alerts an output could not write and dropped (its queue was full), per output.",
                { "output" } },
        [METRIC_POOL_UP] = { "badgatewayd_pool_up", GAUGE,
                "1 when the pool's last FastCGI probe was answered as it should be, else 0.", { "pool" } },
        [METRIC_PROBE_DURATION] = { "badgatewayd_probe_duration_seconds", HISTOGRAM,
                "How long a FastCGI probe of the pool took, to its answer or its failure.", { "pool" } },
        [METRIC_UNIT_RESTARTS] = { "badgatewayd_unit_restarts_total", COUNTER,
                "The pool's systemd unit's NRestarts: automatic restarts since it was last started by hand.",
                { "pool", "unit" } },
        [METRIC_POOL_ACCEPTED] = { "badgatewayd_pool_accepted_connections_total", COUNTER,
                STATUS "accepted conn, since php-fpm started.", { "pool" } },
        [METRIC_POOL_ACTIVE] = { "badgatewayd_pool_active_processes", GAUGE,
                STATUS "active processes.", { "pool" } },
        [METRIC_POOL_IDLE] = { "badgatewayd_pool_idle_processes", GAUGE,
                STATUS "idle processes.", { "pool" } },
        [METRIC_POOL_TOTAL] = { "badgatewayd_pool_total_processes", GAUGE,
                STATUS "total processes.", { "pool" } },
        [METRIC_POOL_LISTEN_QUEUE] = { "badgatewayd_pool_listen_queue", GAUGE,
                STATUS "listen queue, requests waiting for a worker (php-fpm measures it for TCP "
                "pools only: 0 on a unix socket).",
                { "pool" } },
        [METRIC_POOL_MAX_CHILDREN_REACHED] = { "badgatewayd_pool_max_children_reached_total", COUNTER,
                STATUS "max children reached, times pm.max_children stopped a new worker.", { "pool" } },
        [METRIC_POOL_SLOW_REQUESTS] = { "badgatewayd_pool_slow_requests_total", COUNTER,
                STATUS "slow requests, past request_slowlog_timeout.", { "pool" } },
};

const double metrics_bucket_bounds[METRICS_BUCKETS] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                         0.1, 0.25, 0.5, 1, 2.5, 5, 10 };

const struct metrics_family_info *metrics_family(enum metric_family f) {
        return f < METRIC__FAMILY_MAX ? &families[f] : NULL;
}

static size_t label_count(enum metric_family f) {
        size_t n = 0;
        while (n < METRICS_LABELS_MAX && families[f].labels[n])
                n++;
        return n;
}

void metrics_init(struct metrics *m) {
        *m = (struct metrics) { 0 };
}

static void series_free(struct metrics_series *s) {
        for (size_t i = 0; i < METRICS_LABELS_MAX; i++)
                free(s->labels[i]);
}

static void free_strings(char **v, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(v[i]);
}

void metrics_free(struct metrics *m) {
        if (!m)
                return;
        for (size_t i = 0; i < m->n; i++)
                series_free(&m->series[i]);
        free(m->series);
        free(m->index);
        free_strings(m->kept, m->n_kept);
        free(m->kept);
        free_strings(m->others, m->n_others);
        metrics_init(m);
}

static bool same_labels(const struct metrics_series *s, const char *const *labels, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(s->labels[i], labels[i] ? labels[i] : "") != 0)
                        return false;
        return true;
}

/* FNV-1a over the family and each label value, a 0xff between values. */
static size_t hash_labels(enum metric_family f, const char *const *labels, size_t n) {
        uint64_t h = 14695981039346656037ULL ^ (uint64_t) f;
        for (size_t i = 0; i < n; i++) {
                for (const unsigned char *c = (const unsigned char *) (labels[i] ? labels[i] : ""); *c; c++)
                        h = (h ^ *c) * 1099511628211ULL;
                h = (h ^ 0xff) * 1099511628211ULL;
        }
        return (size_t) h;
}

static void index_put(struct metrics *m, size_t pos) {
        const struct metrics_series *s = &m->series[pos];
        size_t mask = m->index_size - 1;
        size_t i = hash_labels(s->family, (const char *const *) s->labels, label_count(s->family)) & mask;
        while (m->index[i])
                i = (i + 1) & mask;
        m->index[i] = pos + 1;
}

/* The index anew at size slots (positions move on a removal); without memory, none: a scan. */
static void index_rebuild(struct metrics *m, size_t size) {
        free(m->index);
        m->index = size ? calloc(size, sizeof(*m->index)) : NULL;
        m->index_size = m->index ? size : 0;
        for (size_t i = 0; m->index && i < m->n; i++)
                index_put(m, i);
}

const struct metrics_series *metrics_find(const struct metrics *m, enum metric_family f, const char *const *labels) {
        if (!m)
                return NULL;
        size_t n = label_count(f);
        if (!m->index_size) {
                for (size_t i = 0; i < m->n; i++)
                        if (m->series[i].family == f && same_labels(&m->series[i], labels, n))
                                return &m->series[i];
                return NULL;
        }
        size_t mask = m->index_size - 1;
        for (size_t i = hash_labels(f, labels, n) & mask; m->index[i]; i = (i + 1) & mask) {
                const struct metrics_series *s = &m->series[m->index[i] - 1];
                if (s->family == f && same_labels(s, labels, n))
                        return s;
        }
        return NULL;
}

int metrics_keep_targets(struct metrics *m, const char *const *targets, size_t n) {
        char **kept = calloc(n ? n : 1, sizeof(*kept));
        if (!kept)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                if (!(kept[i] = strdup(targets[i]))) {
                        free_strings(kept, i);
                        free(kept);
                        return -ENOMEM;
                }
        free_strings(m->kept, m->n_kept);
        free(m->kept);
        m->kept = kept;
        m->n_kept = n;
        return 0;
}

static bool listed(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0)
                        return true;
        return false;
}

/* An event's target as counted: itself when kept or among the first others, else "other". */
static const char *bounded_target(struct metrics *m, const char *t) {
        t = t ? t : "";
        if (listed(m->kept, m->n_kept, t) || listed(m->others, m->n_others, t))
                return t;
        if (m->n_others == METRICS_OTHER_TARGETS_MAX || !(m->others[m->n_others] = strdup(t)))
                return METRICS_OTHER_TARGET;
        m->n_others++;
        return t;
}

/* The series, made when new; NULL on ENOMEM. */
static struct metrics_series *take(struct metrics *m, enum metric_family f, const char *const *labels) {
        struct metrics_series *s = (struct metrics_series *) metrics_find(m, f, labels);
        if (s)
                return s;
        if (m->n == m->cap) {
                size_t cap = m->cap ? m->cap * 2 : 32;
                struct metrics_series *more = realloc(m->series, cap * sizeof(*more));
                if (!more)
                        return NULL;
                m->series = more;
                m->cap = cap;
        }
        s = &m->series[m->n];
        *s = (struct metrics_series) { .family = f };
        for (size_t i = 0; i < label_count(f); i++)
                if (!(s->labels[i] = strdup(labels[i] ? labels[i] : ""))) {
                        series_free(s);
                        return NULL;
                }
        m->n++;
        if (m->n * 2 > m->index_size)
                index_rebuild(m, m->index_size ? m->index_size * 2 : 64);
        else
                index_put(m, m->n - 1);
        return s;
}

static int update(struct metrics *m, enum metric_family f, const char *const *labels, double v, bool add) {
        if (!m)
                return 0;
        if (f >= METRIC__FAMILY_MAX || families[f].type == METRIC_HISTOGRAM)
                return -EINVAL;
        const char *events[2];
        if (f == METRIC_EVENTS) {
                events[0] = labels[0];
                events[1] = bounded_target(m, labels[1]);
                labels = events;
        }
        struct metrics_series *s = take(m, f, labels);
        if (!s)
                return -ENOMEM;
        s->value = add ? s->value + v : v;
        return 0;
}

int metrics_add(struct metrics *m, enum metric_family f, const char *const *labels, double delta) {
        return update(m, f, labels, delta, true);
}

int metrics_set(struct metrics *m, enum metric_family f, const char *const *labels, double value) {
        return update(m, f, labels, value, false);
}

int metrics_observe(struct metrics *m, enum metric_family f, const char *const *labels, double value) {
        if (!m)
                return 0;
        if (f >= METRIC__FAMILY_MAX || families[f].type != METRIC_HISTOGRAM)
                return -EINVAL;
        struct metrics_series *s = take(m, f, labels);
        if (!s)
                return -ENOMEM;
        for (size_t i = 0; i < METRICS_BUCKETS; i++)
                if (value <= metrics_bucket_bounds[i]) {
                        s->buckets[i]++;
                        break;
                }
        s->count++;
        s->sum += value;
        return 0;
}

void metrics_clear(struct metrics *m, enum metric_family f) {
        size_t kept = 0;
        for (size_t i = 0; m && i < m->n; i++) {
                if (m->series[i].family == f)
                        series_free(&m->series[i]);
                else
                        m->series[kept++] = m->series[i];
        }
        if (m) {
                m->n = kept;
                index_rebuild(m, m->index_size);
        }
}

void metrics_remove(struct metrics *m, enum metric_family f, const char *const *labels) {
        struct metrics_series *s = (struct metrics_series *) metrics_find(m, f, labels);
        if (!s)
                return;
        series_free(s);
        memmove(s, s + 1, (size_t) (m->series + m->n - (s + 1)) * sizeof(*s));
        m->n--;
        index_rebuild(m, m->index_size);
}

/* A label value: \ " and newline escaped; an invalid UTF-8 byte as the text \xNN. */
static void put_label_value(FILE *f, const char *v) {
        const unsigned char *p = (const unsigned char *) v;
        size_t n = strlen(v);
        for (size_t i = 0; i < n;) {
                size_t len = utf8_seq(p + i, n - i);
                if (len == 0)
                        fprintf(f, "\\\\x%02x", p[i]);
                else if (p[i] == '\\' || p[i] == '"')
                        fprintf(f, "\\%c", p[i]);
                else if (p[i] == '\n')
                        fputs("\\n", f);
                else
                        fwrite(p + i, 1, len, f);
                i += len ? len : 1;
        }
}

/* HELP text: \ and newline escaped. */
static void put_help(FILE *f, const char *text) {
        for (; *text; text++)
                if (*text == '\\')
                        fputs("\\\\", f);
                else if (*text == '\n')
                        fputs("\\n", f);
                else
                        fputc(*text, f);
}

/* The fewest digits that read back as v: 0.000179, not 0.00017900000000000001. */
static const char *shortest(double v, char *buf, size_t size) {
        for (int digits = 15; digits <= 17; digits++) {
                snprintf(buf, size, "%.*g", digits, v);
                if (strtod(buf, NULL) == v)
                        break;
        }
        return buf;
}

static void put_number(FILE *f, double v) {
        char buf[32];
        if (isnan(v))
                fputs("NaN", f);
        else if (isinf(v))
                fputs(v > 0 ? "+Inf" : "-Inf", f);
        else
                fputs(shortest(v, buf, sizeof(buf)), f);
}

/* {a="x",b="y"} with an extra le="…" for a bucket (le NULL: none); nothing without labels. */
static void put_labels(FILE *f, const struct metrics_series *s, const char *le) {
        size_t n = label_count(s->family);
        if (n == 0 && !le)
                return;
        fputc('{', f);
        for (size_t i = 0; i < n; i++) {
                fprintf(f, "%s%s=\"", i ? "," : "", families[s->family].labels[i]);
                put_label_value(f, s->labels[i]);
                fputc('"', f);
        }
        if (le)
                fprintf(f, "%sle=\"%s\"", n ? "," : "", le);
        fputc('}', f);
}

static void put_histogram(FILE *f, const char *name, const struct metrics_series *s) {
        uint64_t below = 0;
        char le[32];
        for (size_t i = 0; i < METRICS_BUCKETS; i++) {
                below += s->buckets[i];
                snprintf(le, sizeof(le), "%g", metrics_bucket_bounds[i]);
                fprintf(f, "%s_bucket", name);
                put_labels(f, s, le);
                fprintf(f, " %llu\n", (unsigned long long) below);
        }
        fprintf(f, "%s_bucket", name);
        put_labels(f, s, "+Inf");
        fprintf(f, " %llu\n%s_sum", (unsigned long long) s->count, name);
        put_labels(f, s, NULL);
        fputc(' ', f);
        put_number(f, s->sum);
        fprintf(f, "\n%s_count", name);
        put_labels(f, s, NULL);
        fprintf(f, " %llu\n", (unsigned long long) s->count);
}

static void put_family(FILE *f, const struct metrics *m, enum metric_family fam) {
        static const char *const types[] = { "counter", "gauge", "histogram" };
        const struct metrics_family_info *info = &families[fam];
        fprintf(f, "# HELP %s ", info->name);
        put_help(f, info->help);
        fprintf(f, "\n# TYPE %s %s\n", info->name, types[info->type]);
        for (size_t i = 0; m && i < m->n; i++) {
                const struct metrics_series *s = &m->series[i];
                if (s->family != fam)
                        continue;
                if (info->type == METRIC_HISTOGRAM) {
                        put_histogram(f, info->name, s);
                        continue;
                }
                fputs(info->name, f);
                put_labels(f, s, NULL);
                fputc(' ', f);
                put_number(f, s->value);
                fputc('\n', f);
        }
}

char *metrics_render(const struct metrics *m, size_t *len) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (!f)
                return NULL;
        for (enum metric_family fam = 0; fam < METRIC__FAMILY_MAX; fam++)
                put_family(f, m, fam);
        bool failed = ferror(f);
        if (fclose(f) != 0 || failed) {
                free(text);
                return NULL;
        }
        if (len)
                *len = size;
        return text;
}
