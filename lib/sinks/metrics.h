/*
 * The daemon's numbers for Prometheus: a store of labelled counters, gauges and histograms (the
 * counters struct the daemon feeds), and its text in Prometheus's text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/: "# HELP", "# TYPE", then
 * `name{label="value"} number` lines; a histogram as cumulative _bucket{le=…}, _sum and _count).
 * Knows nothing of HTTP or of the loop: served by daemon/exporter.c, written as node_exporter's
 * textfile there too.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* Every family; its name, type, help and label names are the one table in metrics.c. */
enum metric_family {
        METRIC_LOG_LINES,               /* log */
        METRIC_LOG_ROTATIONS,           /* log */
        METRIC_LOG_TRUNCATIONS,         /* log */
        METRIC_EVENTS,                  /* kind, target */
        METRIC_FINDINGS_FIRING,         /* cause, target, severity */
        METRIC_ALERTS,                  /* cause, state */
        METRIC_ALERTS_DROPPED,          /* output */
        METRIC_POOL_UP,                 /* pool */
        METRIC_PROBE_DURATION,          /* pool (a histogram, seconds) */
        METRIC_UNIT_RESTARTS,           /* pool, unit */
        METRIC_POOL_ACCEPTED,           /* pool: php-fpm's status page from here on */
        METRIC_POOL_ACTIVE,
        METRIC_POOL_IDLE,
        METRIC_POOL_TOTAL,
        METRIC_POOL_LISTEN_QUEUE,
        METRIC_POOL_MAX_CHILDREN_REACHED,
        METRIC_POOL_SLOW_REQUESTS,
        METRIC__FAMILY_MAX,
};

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

enum { METRICS_LABELS_MAX = 3, METRICS_BUCKETS = 14 };
/* badgatewayd_events_total's target comes from the logs (nginx's `upstream:`, which a client picks
 * with proxy_pass http://$host): past this many distinct targets that no pool serves, one more
 * is counted as target="other". */
enum { METRICS_OTHER_TARGETS_MAX = 32 };
#define METRICS_OTHER_TARGET "other"

struct metrics_family_info {
        const char *name;               /* "badgatewayd_pool_up" */
        enum metric_type type;
        const char *help;
        const char *labels[METRICS_LABELS_MAX];         /* NULL after the last */
};

struct metrics_series {
        enum metric_family family;
        char *labels[METRICS_LABELS_MAX];               /* malloc'd values, in the family's label order */
        double value;                   /* counter, gauge */
        uint64_t buckets[METRICS_BUCKETS];              /* histogram: observations <= each bound (not cumulated) */
        uint64_t count;
        double sum;
};

struct metrics {
        struct metrics_series *series;  /* in the order they were first touched */
        size_t n, cap;
        size_t *index;                  /* hash of family and labels → series position + 1; 0: free */
        size_t index_size;              /* a power of 2 above 2n; 0: none (found by a scan) */
        char **kept;                    /* targets always counted as themselves: the pools' */
        size_t n_kept;
        char *others[METRICS_OTHER_TARGETS_MAX];        /* the first other targets seen */
        size_t n_others;
};

const struct metrics_family_info *metrics_family(enum metric_family f);
/* The histograms' upper bounds, seconds, ascending; +Inf is implicit. */
extern const double metrics_bucket_bounds[METRICS_BUCKETS];

void metrics_init(struct metrics *m);
void metrics_free(struct metrics *m);

/*
 * labels: one value per label name of the family, in its order (NULL counts as ""); any bytes:
 * they are escaped when rendered. A series is made the first time its labels are seen.
 * m NULL: nothing is counted and 0 is returned (a feed without metrics). 0, or -ENOMEM (the
 * number is lost), -EINVAL for a family of the wrong type.
 */
int metrics_add(struct metrics *m, enum metric_family f, const char *const *labels, double delta);
int metrics_set(struct metrics *m, enum metric_family f, const char *const *labels, double value);
/* One observation of a histogram (seconds). */
int metrics_observe(struct metrics *m, enum metric_family f, const char *const *labels, double value);
/* Forgets every series of f: for gauges that are set anew (the findings firing right now, the
 * pools of a new configuration). */
void metrics_clear(struct metrics *m, enum metric_family f);
/* Forgets the one series of f with these labels (a gauge that means nothing now). */
void metrics_remove(struct metrics *m, enum metric_family f, const char *const *labels);
/*
 * The targets of badgatewayd_events_total that are always their own series, replacing those set
 * before (at each configuration): each pool's name and the upstream nginx names for it
 * ("unix:/run/php/x.sock", "fastcgi://127.0.0.1:9000"). Any other target gets a series of its
 * own while fewer than METRICS_OTHER_TARGETS_MAX others were seen, else it counts as "other".
 * 0, or -ENOMEM (the targets before are kept).
 */
int metrics_keep_targets(struct metrics *m, const char *const *targets, size_t n);
/* The series of f with these labels, or NULL; a hash lookup, not a scan. */
const struct metrics_series *metrics_find(const struct metrics *m, enum metric_family f, const char *const *labels);

/*
 * The whole store as exposition text, malloc'd and NUL-terminated (*len without the NUL, when
 * len is not NULL): every family's HELP and TYPE in table order, even without series, then its
 * series in the order they were made. Label values are escaped as the format says (\\, \", \n);
 * a byte that is not valid UTF-8 becomes the text \xNN (so \\xNN on the wire). NULL on ENOMEM.
 */
char *metrics_render(const struct metrics *m, size_t *len);
