/* lib/sinks/metrics.c: the counters store and its exposition text; and [Metrics] in badgatewayd.conf. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fixtures.h"
#include "metrics.h"

static struct metrics m;

static void setup(void) {
        metrics_init(&m);
}

static void teardown(void) {
        metrics_free(&m);
}

static char *render(void) {
        size_t len;
        char *text = metrics_render(&m, &len);
        ck_assert_ptr_nonnull(text);
        ck_assert_uint_eq(len, strlen(text));
        return text;
}

/* text holds line as a whole line. */
static void assert_line(const char *text, const char *line) {
        size_t n = strlen(line);
        for (const char *p = text; (p = strstr(p, line)); p++)
                if ((p == text || p[-1] == '\n') && p[n] == '\n')
                        return;
        ck_abort_msg("no line '%s' in:\n%s", line, text);
}

static size_t count(const char *text, const char *what) {
        size_t n = 0;
        for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

static bool name_ok(const char *s, bool colon) {
        if (!s || !*s || (*s >= '0' && *s <= '9'))
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      (colon && *s == ':')))
                        return false;
        return true;
}

static bool ends_with(const char *s, const char *end) {
        size_t n = strlen(s), e = strlen(end);
        return n >= e && strcmp(s + n - e, end) == 0;
}

/* The table follows Prometheus's naming: badgatewayd_ first, counters in _total, the histogram in
 * _seconds, label names that are names and not reserved (le, __*). */
START_TEST(test_family_table) {
        for (enum metric_family f = 0; f < METRIC__FAMILY_MAX; f++) {
                const struct metrics_family_info *i = metrics_family(f);
                ck_assert_msg(name_ok(i->name, true), "%s", i->name);
                ck_assert_msg(strncmp(i->name, "badgatewayd_", 12) == 0, "%s", i->name);
                ck_assert_msg((i->type == METRIC_COUNTER) == ends_with(i->name, "_total"), "%s", i->name);
                if (i->type == METRIC_HISTOGRAM)
                        ck_assert_msg(ends_with(i->name, "_seconds"), "%s", i->name);
                ck_assert_msg(i->help && *i->help && !strchr(i->help, '\n'), "%s", i->name);
                ck_assert_ptr_nonnull(i->labels[0]);
                for (size_t l = 0; l < METRICS_LABELS_MAX && i->labels[l]; l++)
                        ck_assert_msg(name_ok(i->labels[l], false) && strcmp(i->labels[l], "le") != 0 &&
                                      strncmp(i->labels[l], "__", 2) != 0, "%s: %s", i->name, i->labels[l]);
        }
        ck_assert_ptr_null(metrics_family(METRIC__FAMILY_MAX));
        for (size_t b = 1; b < METRICS_BUCKETS; b++)
                ck_assert(metrics_bucket_bounds[b - 1] < metrics_bucket_bounds[b]);
}
END_TEST

/* Every family is announced, with or without series. */
START_TEST(test_empty_store) {
        char *text = render();
        ck_assert_uint_eq(count(text, "# HELP "), METRIC__FAMILY_MAX);
        ck_assert_uint_eq(count(text, "# TYPE "), METRIC__FAMILY_MAX);
        assert_line(text, "# TYPE badgatewayd_pool_up gauge");
        assert_line(text, "# TYPE badgatewayd_alerts_total counter");
        assert_line(text, "# TYPE badgatewayd_probe_duration_seconds histogram");
        ck_assert_ptr_null(strstr(text, "\nbadgatewayd_"));
        free(text);
}
END_TEST

START_TEST(test_counters_and_gauges) {
        const char *firing[] = { "fpm_down", "firing" }, *resolved[] = { "fpm_down", "resolved" };
        ck_assert_int_eq(metrics_add(&m, METRIC_ALERTS, firing, 1), 0);
        ck_assert_int_eq(metrics_set(&m, METRIC_POOL_UP, (const char *[]) { "www" }, 1), 0);
        ck_assert_int_eq(metrics_add(&m, METRIC_ALERTS, resolved, 1), 0);
        ck_assert_int_eq(metrics_add(&m, METRIC_ALERTS, firing, 2), 0);
        ck_assert_int_eq(metrics_set(&m, METRIC_POOL_UP, (const char *[]) { "api" }, 0), 0);
        ck_assert_int_eq(metrics_set(&m, METRIC_POOL_UP, (const char *[]) { "www" }, 0), 0);
        char *text = render();
        const char *want = "# TYPE badgatewayd_alerts_total counter\n"
                           "badgatewayd_alerts_total{cause=\"fpm_down\",state=\"firing\"} 3\n"
                           "badgatewayd_alerts_total{cause=\"fpm_down\",state=\"resolved\"} 1\n";
        ck_assert_msg(strstr(text, want), "%s", text);
        want = "# TYPE badgatewayd_pool_up gauge\n"
               "badgatewayd_pool_up{pool=\"www\"} 0\n"
               "badgatewayd_pool_up{pool=\"api\"} 0\n";
        ck_assert_msg(strstr(text, want), "%s", text);
        ck_assert_double_eq(metrics_find(&m, METRIC_ALERTS, firing)->value, 3);
        free(text);
}
END_TEST

/* The format's escapes in label values (\\, \", \n); bytes that are not UTF-8 as \xNN text. */
START_TEST(test_label_escaping) {
        metrics_set(&m, METRIC_LOG_LINES, (const char *[]) { "/var/log/a\\b\"c\nd\xff\xc3\xa9.log" }, 7);
        metrics_set(&m, METRIC_EVENTS, (const char *[]) { "upstream_refused", NULL }, 1);
        char *text = render();
        assert_line(text, "badgatewayd_log_lines_read_total{log=\"/var/log/a\\\\b\\\"c\\nd\\\\xff\xc3\xa9.log\"} 7");
        assert_line(text, "badgatewayd_events_total{kind=\"upstream_refused\",target=\"\"} 1");
        free(text);
}
END_TEST

START_TEST(test_histogram) {
        const char *www[] = { "www" };
        const double seen[] = { 0.0003, 0.003, 0.003, 7, 20 };
        for (size_t i = 0; i < 5; i++)
                ck_assert_int_eq(metrics_observe(&m, METRIC_PROBE_DURATION, www, seen[i]), 0);
        char *text = render();
        assert_line(text, "badgatewayd_probe_duration_seconds_bucket{pool=\"www\",le=\"0.0005\"} 1");
        assert_line(text, "badgatewayd_probe_duration_seconds_bucket{pool=\"www\",le=\"0.0025\"} 1");
        assert_line(text, "badgatewayd_probe_duration_seconds_bucket{pool=\"www\",le=\"0.005\"} 3");
        assert_line(text, "badgatewayd_probe_duration_seconds_bucket{pool=\"www\",le=\"5\"} 3");
        assert_line(text, "badgatewayd_probe_duration_seconds_bucket{pool=\"www\",le=\"10\"} 4");
        assert_line(text, "badgatewayd_probe_duration_seconds_bucket{pool=\"www\",le=\"+Inf\"} 5");
        assert_line(text, "badgatewayd_probe_duration_seconds_sum{pool=\"www\"} 27.0063");
        assert_line(text, "badgatewayd_probe_duration_seconds_count{pool=\"www\"} 5");
        ck_assert_uint_eq(count(text, "badgatewayd_probe_duration_seconds_bucket{"), METRICS_BUCKETS + 1);
        free(text);
}
END_TEST

/* The fewest digits that read back the same; the format's words for the special values. */
START_TEST(test_numbers) {
        const struct {
                double v;
                const char *text;
        } cases[] = { { 0, "0" }, { 12345678, "12345678" }, { 0.1 + 0.2, "0.30000000000000004" },
                      { 0.000179, "0.000179" }, { 1e21, "1e+21" }, { 1.0 / 0.0, "+Inf" }, { -1.0 / 0.0, "-Inf" },
                      { 0.0 / 0.0, "NaN" } };
        char line[128];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                metrics_set(&m, METRIC_POOL_ACTIVE, (const char *[]) { "www" }, cases[i].v);
                char *text = render();
                snprintf(line, sizeof(line), "badgatewayd_pool_active_processes{pool=\"www\"} %s", cases[i].text);
                assert_line(text, line);
                free(text);
        }
}
END_TEST

START_TEST(test_clear_remove_and_misuse) {
        const char *www[] = { "www" }, *api[] = { "api" };
        metrics_set(&m, METRIC_POOL_IDLE, www, 3);
        metrics_set(&m, METRIC_POOL_IDLE, api, 4);
        metrics_set(&m, METRIC_POOL_UP, www, 1);
        metrics_remove(&m, METRIC_POOL_IDLE, www);
        metrics_remove(&m, METRIC_POOL_IDLE, www);      /* gone already: nothing */
        ck_assert_ptr_null(metrics_find(&m, METRIC_POOL_IDLE, www));
        ck_assert_ptr_nonnull(metrics_find(&m, METRIC_POOL_IDLE, api));
        metrics_clear(&m, METRIC_POOL_IDLE);
        ck_assert_ptr_null(metrics_find(&m, METRIC_POOL_IDLE, api));
        ck_assert_ptr_nonnull(metrics_find(&m, METRIC_POOL_UP, www));
        ck_assert_int_eq(metrics_observe(&m, METRIC_POOL_UP, www, 1), -EINVAL);
        ck_assert_int_eq(metrics_add(&m, METRIC_PROBE_DURATION, www, 1), -EINVAL);
        ck_assert_int_eq(metrics_add(&m, METRIC__FAMILY_MAX, www, 1), -EINVAL);
        ck_assert_int_eq(metrics_add(NULL, METRIC_ALERTS, www, 1), 0);        /* a feed without metrics */
        ck_assert_int_eq(metrics_observe(NULL, METRIC_PROBE_DURATION, www, 1), 0);
        metrics_clear(NULL, METRIC_POOL_UP);
        metrics_remove(NULL, METRIC_POOL_UP, www);
        for (int i = 0; i < 500; i++) {                 /* the store grows */
                char pool[16];
                snprintf(pool, sizeof(pool), "p%d", i);
                ck_assert_int_eq(metrics_add(&m, METRIC_POOL_SLOW_REQUESTS, (const char *[]) { pool }, i), 0);
        }
        ck_assert_double_eq(metrics_find(&m, METRIC_POOL_SLOW_REQUESTS, (const char *[]) { "p499" })->value, 499);
        ck_assert_uint_eq(m.n, 501);
}
END_TEST

static struct config *parse(const char *text, struct config_error *err) {
        struct config *c = calloc(1, sizeof(*c));
        ck_assert_ptr_nonnull(c);
        if (config_parse_string(c, "/etc/badgatewayd/badgatewayd.conf", text, err) < 0) {
                free(c);
                return NULL;
        }
        return c;
}

/* Upstreams a client picks (proxy_pass http://$host): 10,000 distinct targets make at most
 * METRICS_OTHER_TARGETS_MAX series of their own plus "other", the pools' targets stay their own,
 * no event is lost, and the text stays small. */
START_TEST(test_events_targets_bounded) {
        ck_assert_int_eq(metrics_keep_targets(&m, (const char *[]) { "www", "unix:/run/php/www.sock" }, 2), 0);
        char target[64];
        for (int i = 0; i < 10000; i++) {
                snprintf(target, sizeof(target), "http://10.0.%d.%d:8080/x", i / 256, i % 256);
                ck_assert_int_eq(metrics_add(&m, METRIC_EVENTS, (const char *[]) { "upstream_refused", target }, 1), 0);
                ck_assert_int_eq(metrics_add(&m, METRIC_EVENTS, (const char *[]) { "upstream_timeout", target }, 1), 0);
        }
        metrics_add(&m, METRIC_EVENTS, (const char *[]) { "upstream_refused", "unix:/run/php/www.sock" }, 1);
        metrics_add(&m, METRIC_EVENTS, (const char *[]) { "fpm_child_signal", "www" }, 1);
        ck_assert_uint_eq(m.n, 2 * (METRICS_OTHER_TARGETS_MAX + 1) + 2);
        const struct metrics_series *s = metrics_find(&m, METRIC_EVENTS, (const char *[]) { "upstream_refused", "other" });
        ck_assert_ptr_nonnull(s);
        ck_assert_double_eq(s->value, 10000 - METRICS_OTHER_TARGETS_MAX);
        s = metrics_find(&m, METRIC_EVENTS, (const char *[]) { "upstream_timeout", "http://10.0.0.5:8080/x" });
        ck_assert_ptr_nonnull(s);
        ck_assert_double_eq(s->value, 1);
        s = metrics_find(&m, METRIC_EVENTS, (const char *[]) { "upstream_refused", "unix:/run/php/www.sock" });
        ck_assert_ptr_nonnull(s);
        ck_assert_double_eq(s->value, 1);
        ck_assert_ptr_nonnull(metrics_find(&m, METRIC_EVENTS, (const char *[]) { "fpm_child_signal", "www" }));
        char *text = render();
        ck_assert_uint_eq(count(text, "\nbadgatewayd_events_total{"), m.n);
        ck_assert_uint_lt(strlen(text), 16 * 1024);
        free(text);

        /* lookups by hash: 50,000 series are made and found within the test's timeout (a scan takes minutes) */
        for (int i = 0; i < 50000; i++) {
                snprintf(target, sizeof(target), "/var/log/nginx/%d.log", i);
                ck_assert_int_eq(metrics_add(&m, METRIC_LOG_LINES, (const char *[]) { target }, 1), 0);
        }
        for (int i = 0; i < 50000; i += 97) {
                snprintf(target, sizeof(target), "/var/log/nginx/%d.log", i);
                ck_assert_ptr_nonnull(metrics_find(&m, METRIC_LOG_LINES, (const char *[]) { target }));
        }
        metrics_remove(&m, METRIC_LOG_LINES, (const char *[]) { "/var/log/nginx/7.log" });
        ck_assert_ptr_null(metrics_find(&m, METRIC_LOG_LINES, (const char *[]) { "/var/log/nginx/7.log" }));
        ck_assert_ptr_nonnull(metrics_find(&m, METRIC_LOG_LINES, (const char *[]) { "/var/log/nginx/49999.log" }));
        metrics_clear(&m, METRIC_LOG_LINES);
        ck_assert_ptr_null(metrics_find(&m, METRIC_LOG_LINES, (const char *[]) { "/var/log/nginx/8.log" }));
        ck_assert_ptr_nonnull(metrics_find(&m, METRIC_EVENTS, (const char *[]) { "fpm_child_signal", "www" }));
}
END_TEST

START_TEST(test_config_metrics) {
        struct config_error err;
        struct config *c = parse("[Daemon]\nProbeInterval = 5s\n", &err);
        ck_assert_ptr_nonnull(c);
        ck_assert_str_eq(c->metrics_listen, "");        /* off unless set */
        ck_assert_str_eq(c->metrics_textfile_dir, "");
        free(c);
        c = parse("[Metrics]\nListen = 127.0.0.1:9184\nTextfileDirectory = /var/lib/prometheus/node-exporter\n", &err);
        ck_assert_msg(c, "%s", err.text);
        ck_assert_str_eq(c->metrics_listen, "127.0.0.1:9184");
        ck_assert_int_eq(c->metrics_address.kind, ADDRESS_INET);
        ck_assert_uint_eq(c->metrics_address.port, 9184);
        ck_assert_str_eq(c->metrics_textfile_dir, "/var/lib/prometheus/node-exporter");
        free(c);
        c = parse("[Metrics]\nListen = [::1]:0\n", &err);
        ck_assert_msg(c, "%s", err.text);
        ck_assert_int_eq(c->metrics_address.kind, ADDRESS_INET6);
        ck_assert_uint_eq(c->metrics_address.port, 0);
        free(c);
        c = parse("[Metrics]\nListen = 9184\n", &err);
        ck_assert_msg(c, "%s", err.text);
        ck_assert_int_eq(c->metrics_address.kind, ADDRESS_ANY);
        free(c);
}
END_TEST

START_TEST(test_config_metrics_errors) {
        static const struct {
                const char *text, *want;
        } cases[] = {
                { "[Metrics]\nListen = /run/bgw.sock\n", ":2: Listen: '/run/bgw.sock' is not an address and port" },
                { "[Metrics]\nListen = prometheus.example.com:9184\n", ":2: Listen: 'prometheus.example.com:9184'" },
                { "[Metrics]\nListen = 127.0.0.1\n", ":2: Listen: '127.0.0.1' is not" },
                { "[Metrics]\nListen = 127.0.0.1:70000\n", ":2: Listen: '127.0.0.1:70000' is not" },
                { "[Metrics]\nTextfileDirectory = textfile\n", ":2: TextfileDirectory: 'textfile' is not an absolute path" },
                { "[Metrics]\nListen=127.0.0.1:1\nTextfileDirectry = /x\n",
                  ":3: unknown key 'TextfileDirectry' in [Metrics]; did you mean 'TextfileDirectory'?" },
                { "[Metric]\n", ":1: unknown section 'Metric'; did you mean 'Metrics'?" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct config_error err;
                struct config *c = parse(cases[i].text, &err);
                ck_assert_msg(!c, "accepted: %s", cases[i].text);
                ck_assert_msg(strstr(err.text, cases[i].want), "'%s' lacks '%s'", err.text, cases[i].want);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("metrics");
        TCase *tc = tcase_create("render");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_family_table);
        tcase_add_test(tc, test_empty_store);
        tcase_add_test(tc, test_counters_and_gauges);
        tcase_add_test(tc, test_label_escaping);
        tcase_add_test(tc, test_histogram);
        tcase_add_test(tc, test_numbers);
        tcase_add_test(tc, test_clear_remove_and_misuse);
        tcase_add_test(tc, test_events_targets_bounded);
        tcase_add_test(tc, test_config_metrics);
        tcase_add_test(tc, test_config_metrics_errors);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
