/* The correlation engine on recorded evidence: real log lines, probe results, unit states. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "alerts_seen.h"
#include "fixtures.h"

#define SEC 1000000ULL
static const uint64_t T0 = 1795612991ULL * SEC;

static struct alerts_seen *seen;
static struct diag *d;

static struct address www_listen, api_listen;
static const struct diag_pool www[] = {
        { .name = "www", .listen = &www_listen, .listen_resolved = "/run/php/php8.2-fpm.sock", .unit = "php8.2-fpm.service" },
        { .name = "api", .listen = &api_listen, .listen_resolved = NULL, .unit = NULL },
};

static void parse_listen(struct address *a, const char *text) {
        ck_assert_int_eq(address_parse(a, text, strlen(text)), 0);
}

static void setup(void) {
        seen = calloc(1, sizeof(*seen));
        parse_listen(&www_listen, "/run/php/php-fpm.sock");
        parse_listen(&api_listen, "127.0.0.1:9001");
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .nginx_user = "www-data", .confirmations = 2, .pairing_usec = 2 * SEC };
        ck_assert_int_eq(diag_new(&d, &s, www, 2), 0);
}

static void teardown(void) {
        d = diag_free(d);
        free(seen);
}

static void line(const char *text, int log_pool, uint64_t now) {
        struct logline ll;
        struct event ev;
        ck_assert_int_ne(classify_line(text, strlen(text), &ll, &ev), KIND_NONE);
        diag_log(d, &ev, text, strlen(text), log_pool, now);
}

static void nginx(const char *message, const char *upstream, uint64_t now) {
        char *text;
        ck_assert_int_ge(asprintf(&text, "2026/11/25 13:23:11 [error] 1#1: *5 %s, client: 127.0.0.1, server: s, "
                                         "request: \"GET / HTTP/1.1\", upstream: \"fastcgi://%s\", host: \"h\"",
                                  message, upstream), 0);
        line(text, -1, now);
        free(text);
}

static void probe(size_t pool, enum probe_outcome o, int err, uint64_t now) {
        struct probe_result r = { .outcome = o, .error = err, .connect_us = -1, .rtt_us = o == PROBE_OK ? 120 : -1 };
        diag_probe(d, pool, &r, now);
}

static void unit(size_t pool, const char *active, const char *sub, const char *result, uint64_t now) {
        struct unit_state u = { .load_state = "loaded" };
        snprintf(u.active_state, sizeof(u.active_state), "%s", active);
        snprintf(u.sub_state, sizeof(u.sub_state), "%s", sub);
        snprintf(u.result, sizeof(u.result), "%s", result);
        diag_unit(d, pool, &u, now);
}

static void flush(uint64_t now) {
        diag_flush(d, now, alerts_seen_collect, seen);
}

static const struct alert *last(void) {
        ck_assert_int_gt(seen->n, 0);
        return &seen->a[seen->n - 1];
}

/* The kinds counted, as alert_kinds_words() says them. */
static void expect_kinds(const struct alert *a, const char *want) {
        char got[256];
        alert_kinds_words(&a->evidence, got, sizeof(got));
        ck_assert_str_eq(got, want);
}

START_TEST(test_fpm_down_fires_and_resolves) {
        probe(0, PROBE_OK, 0, T0);
        unit(0, "active", "running", "success", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 5 * SEC);
        unit(0, "failed", "failed", "signal", T0 + 5 * SEC);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + 6 * SEC);
        flush(T0 + 6 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_int_eq(last()->state, ALERT_FIRING);
        ck_assert_str_eq(last()->pool, "www");
        ck_assert_str_eq(last()->unit, "php8.2-fpm.service");
        ck_assert_str_eq(last()->summary, "PHP-FPM pool www is down: no socket file at that path (ENOENT); "
                                          "php8.2-fpm.service is failed (Result=signal) (1 failed requests).");
        ck_assert_ptr_nonnull(strstr(last()->summary, "failed (Result=signal)"));
        ck_assert_int_eq(last()->evidence.n_samples, 1);
        ck_assert_str_eq(last()->evidence.probe.outcome, "socket_missing");
        ck_assert_str_eq(last()->remedy[0], "systemctl status php8.2-fpm.service");
        char status[512];
        ck_assert(strncmp(diag_status(d, status, sizeof(status)), "FIRING fpm_down www: ", 21) == 0);
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        /* back up, but the lines are recent: still firing until ResolveAfter passes */
        probe(0, PROBE_OK, 0, T0 + 10 * SEC);
        unit(0, "active", "running", "success", T0 + 10 * SEC);
        flush(T0 + 10 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_uint_eq(diag_next_due(d), T0 + 66 * SEC);
        flush(T0 + 66 * SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_str_eq(last()->summary, "Resolved: PHP-FPM is not running, crashed or never started, for pool www, "
                                          "after 61s (1 lines in all).");
        ck_assert_str_eq(diag_status(d, status, sizeof(status)), "OK: 1 of 2 pools healthy");
        ck_assert_int_eq(diag_health(d), DIAG_OK);
}
END_TEST

START_TEST(test_storm_gives_few_alerts) {
        probe(0, PROBE_OK, 0, T0);
        uint64_t now = T0;
        for (int i = 0; i < 100000; i++) {
                now = T0 + (uint64_t) i * 6000;         /* 100k lines over 10 minutes */
                nginx("connect() to unix:/run/php/php8.2-fpm.sock failed (111: Connection refused) while connecting to upstream",
                      "unix:/run/php/php8.2-fpm.sock:", now);
                if (i % 1000 == 999)
                        flush(now);
        }
        flush(now + 61 * SEC);
        ck_assert_int_le(seen->n, 5);
        fprintf(stderr, "storm: 100000 lines gave %d alerts\n", seen->n);
        ck_assert_int_eq(seen->a[0].state, ALERT_FIRING);
        ck_assert(!seen->a[0].repeat);
        ck_assert(seen->a[1].repeat);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_uint_eq(last()->evidence.lines, 100000);
        uint64_t sum = 0;
        for (int i = 0; i < seen->n; i++)
                sum += seen->a[i].evidence.lines_since_last;
        ck_assert_uint_eq(sum, 100000);
}
END_TEST

START_TEST(test_socket_mismatch) {
        probe(0, PROBE_OK, 0, T0);
        nginx("connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/run/php/php7.4-fpm.sock:", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "socket_mismatch");
        ck_assert_str_eq(last()->pool, "");
        ck_assert_str_eq(last()->upstream, "unix:/run/php/php7.4-fpm.sock");
        ck_assert_ptr_nonnull(strstr(last()->summary, "unix:/run/php/php-fpm.sock (pool www)"));
}
END_TEST

START_TEST(test_unknown_upstream_with_no_pool_up_is_fpm_down) {
        nginx("connect() failed (111: Connection refused) while connecting to upstream", "127.0.0.1:9000", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_str_eq(last()->upstream, "127.0.0.1:9000");
}
END_TEST

START_TEST(test_symlink_and_wildcard_addresses) {
        /* nginx may name the link or its target; "listen = 9001"-style pools match any host */
        nginx("connect() to unix:/run/php/php8.2-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/run/php/php8.2-fpm.sock:", T0);
        nginx("connect() failed (111: Connection refused) while connecting to upstream", "localhost:9001", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_str_eq(seen->a[0].pool, "www");
        ck_assert_str_eq(seen->a[1].pool, "api");
}
END_TEST

START_TEST(test_permission_before_any_502) {
        struct sockcheck_result r = { .verdict = SOCKCHECK_SOCKET_DENIED, .uid = 0, .gid = 0, .mode = 0600 };
        strcpy(r.where, "/run/php/php8.2-fpm.sock");
        diag_socket(d, 0, &r, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 0);   /* one look may catch php-fpm recreating its socket */
        diag_socket(d, 0, &r, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "socket_permission");
        ck_assert_ptr_nonnull(strstr(last()->summary, "owned by 0:0 with mode 0600"));
        ck_assert_str_eq(last()->evidence.socket.user, "www-data");
        nginx("connect() to unix:/run/php/php8.2-fpm.sock failed (13: Permission denied) while connecting to upstream",
              "unix:/run/php/php8.2-fpm.sock:", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);   /* the same finding, not a second alert */
        r.verdict = SOCKCHECK_OK;
        diag_socket(d, 0, &r, T0 + 2 * SEC);
        flush(T0 + 62 * SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
}
END_TEST

/* A directory on the way blocks the socket: the remedies are about that directory, not about
 * listen.owner, which may well be right already. */
START_TEST(test_permission_denied_by_a_directory) {
        struct sockcheck_result r = { .verdict = SOCKCHECK_DIR_DENIED, .uid = 0, .gid = 0, .mode = 0700 };
        strcpy(r.where, "/root");
        diag_socket(d, 0, &r, T0);
        diag_socket(d, 0, &r, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        const struct alert *a = last();
        ck_assert_str_eq(cause_id(a->cause), "socket_permission");
        ck_assert_ptr_nonnull(strstr(a->summary, "directory /root is 0:0 mode 0700 without search permission"));
        ck_assert_int_eq(a->n_remedies, 4);
        ck_assert_str_eq(a->remedy[0], "move the socket to a directory www-data may search: in the pool "
                                       "listen = /run/php/www.sock, in nginx fastcgi_pass unix:/run/php/www.sock");
        ck_assert_str_eq(a->remedy[1], "or let www-data search /root: chmod o+x /root, or setfacl -m u:www-data:x /root");
        for (int i = 0; i < a->n_remedies; i++)
                ck_assert_msg(!strstr(a->remedy[i], "listen.owner"), "%s", a->remedy[i]);
}
END_TEST

/* The alert's JSON: kinds is an object {kind: count}, as scan's summary has it; a socket that
 * is not there has no owner, group or mode; one that is has them. */
START_TEST(test_json_kinds_and_missing_socket) {
        struct sockcheck_result r = { .verdict = SOCKCHECK_MISSING };
        strcpy(r.where, "/run/php/php-fpm.sock");
        probe(0, PROBE_SOCKET_MISSING, 2, T0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0);
        diag_socket(d, 0, &r, T0);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        json_t *j = alert_to_json(last());
        json_t *e = json_object_get(j, "evidence"), *kinds = json_object_get(e, "kinds");
        ck_assert_msg(json_is_object(kinds), "kinds: %s", json_dumps(kinds, JSON_ENCODE_ANY));
        ck_assert_int_eq(json_object_size(kinds), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(kinds, "upstream_socket_missing")), 2);
        json_t *sock = json_object_get(e, "socket");
        ck_assert_str_eq(json_string_value(json_object_get(sock, "verdict")), "missing");
        ck_assert_str_eq(json_string_value(json_object_get(sock, "path")), "/run/php/php-fpm.sock");
        ck_assert_ptr_null(json_object_get(sock, "uid"));
        ck_assert_ptr_null(json_object_get(sock, "gid"));
        ck_assert_ptr_null(json_object_get(sock, "mode"));
        json_decref(j);

        r = (struct sockcheck_result) { .verdict = SOCKCHECK_SOCKET_DENIED, .uid = 0, .gid = 33, .mode = 0600 };
        strcpy(r.where, "/run/php/php-fpm.sock");
        diag_socket(d, 0, &r, T0 + SEC);
        diag_socket(d, 0, &r, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_str_eq(cause_id(last()->cause), "socket_permission");
        j = alert_to_json(last());
        sock = json_object_get(json_object_get(j, "evidence"), "socket");
        ck_assert_int_eq(json_integer_value(json_object_get(sock, "uid")), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(sock, "gid")), 33);
        ck_assert_str_eq(json_string_value(json_object_get(sock, "mode")), "0600");
        json_decref(j);
}
END_TEST

START_TEST(test_worker_killed_pairs_nginx_and_fpm) {
        probe(0, PROBE_OK, 0, T0);
        nginx("recv() failed (104: Connection reset by peer) while reading response header from upstream",
              "unix:/run/php/php-fpm.sock:", T0);
        line("[25-Nov-2026 13:23:20] WARNING: [pool www] child 6563 exited on signal 9 (SIGKILL) after 10.510350 seconds from start",
             0, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "worker_killed");
        ck_assert_int_eq(last()->evidence.signal, 9);
        ck_assert_ptr_nonnull(strstr(last()->summary, "killed by SIGKILL (no kernel log is read"));
        expect_kinds(last(), "upstream_reset=1, fpm_child_signal=1");
        /* systemd confirms it: the whole unit was stopped for an OOM kill */
        unit(0, "failed", "failed", "oom-kill", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);   /* not before a probe agrees: a restart passes through failed too */
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_ptr_nonnull(strstr(last()->remedy[3], "OOMPolicy=continue"));
        char status[512];
        diag_status(d, status, sizeof(status));
        ck_assert(strncmp(status, "FIRING fpm_down www: ", 21) == 0);
        ck_assert_ptr_nonnull(strstr(status, "(+1 more)"));
}
END_TEST

START_TEST(test_saturation_decides_read_timeouts) {
        probe(1, PROBE_OK, 0, T0);
        nginx("upstream timed out (110: Connection timed out) while reading response header from upstream",
              "127.0.0.1:9001", T0);
        flush(T0);
        ck_assert_str_eq(cause_id(last()->cause), "upstream_timeout");
        probe(1, PROBE_SATURATED, 110, T0 + SEC);
        probe(1, PROBE_SATURATED, 110, T0 + SEC);
        nginx("upstream timed out (110: Connection timed out) while reading response header from upstream",
              "127.0.0.1:9001", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_str_eq(cause_id(last()->cause), "pool_saturated");
        ck_assert_ptr_nonnull(strstr(last()->summary, "Every worker of pool api is busy"));
}
END_TEST

START_TEST(test_fpm_restart_alone_is_not_an_outage) {
        probe(0, PROBE_OK, 0, T0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0);  /* caught between stop and start */
        probe(0, PROBE_OK, 0, T0);
        line("[25-Nov-2026 13:24:42] NOTICE: Finishing ...", 0, T0);
        line("[25-Nov-2026 13:24:42] NOTICE: exiting, bye-bye!", 0, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 0);
        /* the stop lines wait ResolveAfter for a finding to back, then go */
        ck_assert_uint_eq(diag_next_due(d), T0 + 60 * SEC);
        flush(T0 + 60 * SEC);
        ck_assert_int_eq(seen->n, 0);
        ck_assert_uint_eq(diag_next_due(d), UINT64_MAX);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 61 * SEC);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 61 * SEC);
        flush(T0 + 61 * SEC);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_uint_eq(last()->evidence.lines, 0);
}
END_TEST

/* php-fpm logs its stop before any probe can fail: the outage that follows carries those lines. */
START_TEST(test_fpm_stop_lines_back_the_outage) {
        probe(0, PROBE_OK, 0, T0);
        line("[25-Nov-2026 13:24:42] NOTICE: Terminating ...", 0, T0);
        line("[25-Nov-2026 13:24:42] NOTICE: exiting, bye-bye!", 0, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + SEC);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_uint_eq(last()->evidence.lines, 2);
        expect_kinds(last(), "fpm_stopping=2");
        ck_assert_ptr_nonnull(strstr(last()->evidence.samples[1], "exiting, bye-bye!"));
}
END_TEST

START_TEST(test_unit_states) {
        unit(0, "inactive", "dead", "success", T0);
        flush(T0);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        struct unit_state nf = { .load_state = "not-found", .active_state = "inactive", .sub_state = "dead" };
        diag_unit(d, 0, &nf, T0 + SEC);
        unit(1, "active", "running", "success", T0);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        /* php-fpm runs, but nothing at the configured address: it listens elsewhere */
        unit(0, "active", "running", "success", T0 + 2 * SEC);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 2 * SEC);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        ck_assert_str_eq(cause_id(last()->cause), "socket_mismatch");
        ck_assert_ptr_nonnull(strstr(last()->summary, "php8.2-fpm.service is active but nothing listens at"));
}
END_TEST

/* php-fpm coming back: the unit turns active before the next probe sees its socket. */
START_TEST(test_unit_back_before_probe) {
        unit(0, "active", "running", "success", T0);
        probe(0, PROBE_OK, 0, T0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + SEC);
        unit(0, "inactive", "dead", "success", T0 + SEC);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        unit(0, "active", "running", "success", T0 + 3 * SEC);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        probe(0, PROBE_OK, 0, T0 + 4 * SEC);
        flush(T0 + 4 * SEC);
        ck_assert_int_eq(seen->n, 2);   /* no socket_mismatch in between */
}
END_TEST

START_TEST(test_reset_alone_waits_for_the_signal) {
        probe(0, PROBE_OK, 0, T0);
        nginx("recv() failed (104: Connection reset by peer) while reading response header from upstream",
              "unix:/run/php/php-fpm.sock:", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 0);
        ck_assert_uint_eq(diag_next_due(d), T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "connection reset by the worker"));
        /* a ResolveAfter shorter than the wait must not lose it */
        struct diag *quick;
        struct diag_settings s = { .resolve_after_usec = SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC };
        ck_assert_int_eq(diag_new(&quick, &s, www, 2), 0);
        struct diag *keep = d;
        d = quick;
        nginx("recv() failed (104: Connection reset by peer) while reading response header from upstream",
              "unix:/run/php/php-fpm.sock:", T0);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_FIRING);
        flush(T0 + 2 * SEC + 1);
        ck_assert_int_eq(seen->n, 3);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        d = keep;
        diag_free(quick);
}
END_TEST

START_TEST(test_unit_restart_is_not_an_outage) {
        unit(0, "active", "running", "success", T0);
        probe(0, PROBE_OK, 0, T0);
        unit(0, "deactivating", "stop-sigterm", "success", T0 + SEC);
        unit(0, "inactive", "dead", "success", T0 + SEC);
        flush(T0 + SEC);
        unit(0, "activating", "start", "success", T0 + SEC);
        unit(0, "active", "running", "success", T0 + SEC);
        probe(0, PROBE_OK, 0, T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 0);
}
END_TEST

/* A reload builds a new diagnosis: what fires keeps firing and resolves once. */
START_TEST(test_reload_keeps_findings) {
        probe(0, PROBE_SOCKET_MISSING, 2, T0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0);
        nginx("connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/run/php/php7.4-fpm.sock:", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 2);   /* fpm_down www, and php7.4 nobody serves (no pool up) */
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC };
        static const struct diag_pool renamed[] = { { .name = "www", .listen = &www_listen, .listen_resolved = NULL, .unit = NULL } };
        struct diag *fresh;
        ck_assert_int_eq(diag_new(&fresh, &s, renamed, 1), 0);
        ck_assert_uint_eq(diag_adopt(fresh, d), 0);
        diag_free(d);
        d = fresh;
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);   /* nothing fires twice */
        probe(0, PROBE_OK, 0, T0 + 2 * SEC);
        flush(T0 + 62 * SEC);
        ck_assert_int_eq(seen->n, 4);
        ck_assert_int_eq(seen->a[2].state, ALERT_RESOLVED);
        ck_assert_int_eq(seen->a[3].state, ALERT_RESOLVED);
        /* a pool that is gone takes its firing findings with it, and says how many */
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 63 * SEC);
        probe(0, PROBE_SOCKET_MISSING, 2, T0 + 63 * SEC);
        flush(T0 + 63 * SEC);
        ck_assert_int_eq(seen->n, 5);
        static const struct diag_pool other[] = { { .name = "api", .listen = &api_listen, .listen_resolved = NULL, .unit = NULL } };
        ck_assert_int_eq(diag_new(&fresh, &s, other, 1), 0);
        ck_assert_uint_eq(diag_adopt(fresh, d), 1);
        diag_free(d);
        d = fresh;
}
END_TEST

struct exported {
        struct diag_saved_finding f[8];
        char target[8][128];
        int n;
};

static void export_one(void *userdata, const struct diag_saved_finding *f) {
        struct exported *e = userdata;
        ck_assert_int_lt(e->n, 8);
        e->f[e->n] = *f;
        snprintf(e->target[e->n], sizeof(e->target[0]), "%s", f->target);
        e->f[e->n].target = e->target[e->n];
        e->n++;
}

/* Firing findings exported, the diagnosis gone (a restart), imported into a new one: nothing
 * fires twice; each resolves once by the usual rules; a pool's holds until its first probe. */
START_TEST(test_restore_after_restart) {
        struct exported e = { 0 };
        probe(0, PROBE_SOCKET_MISSING, 2, T0);
        probe(0, PROBE_SOCKET_MISSING, 2, T0);
        nginx("upstream sent too big header while reading response header from upstream", "127.0.0.1:9009", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 2);
        diag_export_firing(d, export_one, &e);
        ck_assert_int_eq(e.n, 2);
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC };
        diag_free(d);
        ck_assert_int_eq(diag_new(&d, &s, www, 2), 0);
        uint64_t now = T0 + 3600 * SEC;         /* stopped for an hour */
        for (int i = 0; i < e.n; i++)
                ck_assert_int_eq(diag_restore(d, &e.f[i], now), 0);
        ck_assert_int_eq(diag_restore(d, &e.f[0], now), 0);     /* twice is once */
        struct diag_saved_finding gone = { cause_from_id("fpm_down"), DIAG_TARGET_POOL, "old", 0, 0 };
        ck_assert_int_eq(diag_restore(d, &gone, now), -ENOENT);
        gone.cause = CAUSE_NONE;
        ck_assert_int_eq(diag_restore(d, &gone, now), -EINVAL);
        flush(now);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        ck_assert_uint_eq(diag_next_due(d), now + 60 * SEC);     /* the upstream's; the pool waits for a probe */
        flush(now + 61 * SEC);
        ck_assert_int_eq(seen->n, 3);                            /* the line-only finding resolves */
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_str_eq(cause_id(last()->cause), "header_too_big");
        probe(0, PROBE_SOCKET_MISSING, 2, now + 62 * SEC);       /* still down: keeps firing, silently */
        flush(now + 62 * SEC);
        ck_assert_int_eq(seen->n, 3);
        probe(0, PROBE_OK, 0, now + 63 * SEC);
        flush(now + 63 * SEC);
        ck_assert_int_eq(seen->n, 4);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_str_eq(last()->pool, "www");
        probe(0, PROBE_SOCKET_MISSING, 2, now + 64 * SEC);       /* a new outage is a new alert */
        probe(0, PROBE_SOCKET_MISSING, 2, now + 65 * SEC);
        flush(now + 65 * SEC);
        ck_assert_int_eq(seen->n, 5);
        ck_assert_int_eq(last()->state, ALERT_FIRING);
}
END_TEST

START_TEST(test_line_only_causes) {
        static const struct {
                const char *message, *cause;
        } cases[] = {
                { "upstream sent too big header while reading response header from upstream", "header_too_big" },
                { "upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream", "not_fastcgi" },
                { "FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Allowed memory size of 1 bytes exhausted\" while reading response header from upstream", "php_memory_exhausted" },
                { "FastCGI sent in stderr: \"Primary script unknown\" while reading response header from upstream", "script_config" },
                { "upstream sent invalid header: \"HTTP\\x20...\" while reading response header from upstream", "app_bad_response" },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                nginx(cases[i].message, "unix:/run/php/php-fpm.sock:", T0);
                flush(T0);
                ck_assert_int_eq(seen->n, (int) i + 1);
                ck_assert_str_eq(cause_id(last()->cause), cases[i].cause);
                ck_assert_int_gt(last()->n_remedies, 0);
        }
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
}
END_TEST

START_TEST(test_unknown_until_probed) {
        char status[128];
        ck_assert_int_eq(diag_health(d), DIAG_UNKNOWN);
        ck_assert_str_eq(diag_status(d, status, sizeof(status)), "OK: 0 of 2 pools healthy");
}
END_TEST


/* php-fpm stopped and started between two probes: one outage, one firing, one resolution. */
START_TEST(test_stop_start_between_probes) {
        probe(0, PROBE_OK, 0, T0);
        unit(0, "active", "running", "success", T0);
        unit(0, "inactive", "dead", "success", T0 + SEC);
        probe(0, PROBE_SOCKET_MISSING, ENOENT, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_int_eq(last()->state, ALERT_FIRING);
        unit(0, "activating", "start", "success", T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        probe(0, PROBE_SOCKET_MISSING, ENOENT, T0 + 3 * SEC);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);   /* neither resolved while it starts, nor fired again */
        unit(0, "active", "running", "success", T0 + 4 * SEC);
        probe(0, PROBE_OK, 0, T0 + 5 * SEC);
        flush(T0 + 5 * SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
}
END_TEST

/* A probe that fails in a way no cause names is no finding, but the pool is not healthy either. */
START_TEST(test_unexplained_probe_failure_warns) {
        struct probe_result r = { .outcome = PROBE_CLOSED, .connect_us = 50, .rtt_us = -1, .detail = "closed before the answer" };
        char status[256];
        diag_probe(d, 1, &r, T0);
        diag_probe(d, 1, &r, T0 + SEC);
        probe(0, PROBE_OK, 0, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 0);
        ck_assert_int_eq(diag_health(d), DIAG_WARNING);
        ck_assert_str_eq(diag_status(d, status, sizeof(status)),
                         "WARNING: 1 of 2 pools healthy; pool api: probe: the peer closed the connection without a "
                         "whole answer (closed before the answer)");
        probe(1, PROBE_OK, 0, T0 + 2 * SEC);
        ck_assert_int_eq(diag_health(d), DIAG_OK);
}
END_TEST

/* A count of 0 is not said: alerts the probes alone fired, and their resolved ones, name no
 * "0 times" nor "(0 log lines)". */
static void expect_no_zero_count(const struct alert *a) {
        static const char *const zeros[] = { "(0 ", " 0 times", " 0 log lines", " 0 failed", " 0 lines" };
        for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
                ck_assert_msg(!strstr(a->summary, zeros[i]), "%s: %s", cause_id(a->cause), a->summary);
}

START_TEST(test_no_zero_counts) {
        struct listener_owner apache = { .pid = 812, .comm = "apache2" };
        probe(1, PROBE_NOT_FASTCGI, EPROTO, T0);
        probe(1, PROBE_NOT_FASTCGI, EPROTO, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->summary, "api does not speak FastCGI: fastcgi_pass points at the wrong port.");
        diag_port_holder(d, 1, &apache, T0 + 2 * SEC);
        probe(1, PROBE_NOT_FASTCGI, EPROTO, T0 + 2 * SEC);
        seen->n = 0;
        diag_each_firing(d, T0 + 2 * SEC, alerts_seen_collect, seen);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->summary, "127.0.0.1:9001 does not speak FastCGI: port 9001 is held by apache2 "
                                          "(pid 812); fastcgi_pass points at the wrong port.");
        probe(0, PROBE_SATURATED, 110, T0 + 2 * SEC);
        probe(0, PROBE_SATURATED, 110, T0 + 3 * SEC);
        flush(T0 + 3 * SEC);
        ck_assert_str_eq(cause_id(last()->cause), "pool_saturated");
        expect_no_zero_count(last());
        probe(0, PROBE_OK, 0, T0 + 4 * SEC);
        probe(1, PROBE_OK, 0, T0 + 4 * SEC);
        seen->n = 0;
        flush(T0 + 200 * SEC);
        ck_assert_int_eq(seen->n, 2);
        for (int i = 0; i < seen->n; i++) {
                ck_assert_int_eq(seen->a[i].state, ALERT_RESOLVED);
                expect_no_zero_count(&seen->a[i]);
        }
        /* with lines, the count is said */
        nginx("upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream",
              "127.0.0.1:9001", T0 + 300 * SEC);
        flush(T0 + 300 * SEC);
        ck_assert_msg(strstr(last()->summary, "points at the wrong port (1 times, 502)."), "%s", last()->summary);
}
END_TEST

/* A TCP pool's port held by something else is named in the alert, until the next probe. */
START_TEST(test_port_holder_named) {
        struct listener_owner apache = { .pid = 812, .comm = "apache2" };
        probe(1, PROBE_NOT_FASTCGI, EPROTO, T0);
        probe(1, PROBE_NOT_FASTCGI, EPROTO, T0 + SEC);
        diag_port_holder(d, 1, &apache, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "not_fastcgi");
        ck_assert_msg(strstr(last()->summary, "127.0.0.1:9001 does not speak FastCGI: port 9001 is held by apache2 (pid 812)"),
                      "%s", last()->summary);
        json_t *j = alert_to_json(last());
        ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(j, "evidence"), "port_holder"), "pid")), 812);
        json_decref(j);
        probe(1, PROBE_REFUSED, ECONNREFUSED, T0 + 2 * SEC);
        probe(1, PROBE_REFUSED, ECONNREFUSED, T0 + 3 * SEC);
        diag_port_holder(d, 1, &(struct listener_owner) { 0 }, T0 + 3 * SEC);
        seen->n = 0;
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 2);  /* fpm_down fires, not_fastcgi resolves */
        ck_assert_str_eq(cause_id(seen->a[0].cause), "fpm_down");
        ck_assert_msg(strstr(seen->a[0].summary, "port 9001 is held by a process badgatewayd may not see"), "%s",
                      seen->a[0].summary);
        probe(1, PROBE_REFUSED, ECONNREFUSED, T0 + 4 * SEC);      /* the same outcome: still held */
        seen->n = 0;
        diag_each_firing(d, T0 + 4 * SEC, alerts_seen_collect, seen);
        ck_assert_msg(strstr(last()->summary, "held by"), "%s", last()->summary);
        probe(1, PROBE_UNREACHABLE, EHOSTUNREACH, T0 + 5 * SEC);
        seen->n = 0;
        diag_each_firing(d, T0 + 5 * SEC, alerts_seen_collect, seen);
        ck_assert_ptr_null(strstr(last()->summary, "held by"));
}
END_TEST

/* The tables decide: each kind's row names its cause and the alternative, each cause's row its
 * words. These walk every row and fail when a decided cause is not in the kind's row. */
START_TEST(test_kind_rows_agree) {
        for (unsigned k = 1; k < KIND__MAX; k++) {
                const struct kind_info *ki = kind_info((enum event_kind) k);
                bool has_alt_rule = ki->decide & (DECIDE_ALT_IF_STATE | DECIDE_ALT_IF_UNSERVED);
                ck_assert_msg(ki->cause == CAUSE_NONE || (ki->causes & (1u << ki->cause)), "%s: cause %s not in its row",
                              ki->id, cause_id(ki->cause));
                ck_assert_msg(ki->alt == CAUSE_NONE || (ki->causes & (1u << ki->alt)), "%s: alt %s not in its row",
                              ki->id, cause_id(ki->alt));
                ck_assert_msg(has_alt_rule == (ki->alt != CAUSE_NONE), "%s: an alternative needs a rule", ki->id);
                ck_assert_msg((ki->cause == CAUSE_NONE) == (ki->causes == 0), "%s: points to causes it never decides", ki->id);
        }
}
END_TEST

static void feed_kind(enum event_kind k, const char *upstream, uint64_t now) {
        struct event ev = { .kind = k, .source = kind_info(k)->source, .child_pid = -1, .seconds = -1, .value = -1 };
        ev.upstream = span_make(upstream, strlen(upstream));
        if (ev.source == SOURCE_FPM)
                ev.pool = SPAN_LIT("www");
        diag_log(d, &ev, "a line", 6, ev.source == SOURCE_FPM ? 0 : -1, now);
}

/* Every alert made from lines of kind k names a cause of k's row; returns the causes seen. */
static unsigned decided_causes(enum event_kind k, const char *upstream, void (*state)(void)) {
        unsigned causes = 0;
        teardown();
        setup();
        if (state)
                state();
        feed_kind(k, upstream, T0 + 2 * SEC);
        flush(T0 + 5 * SEC);
        for (int i = 0; i < seen->n; i++) {
                const struct alert *a = &seen->a[i];
                if (!a->evidence.lines)
                        continue;       /* fired by the state alone */
                ck_assert_msg(kind_info(k)->causes & (1u << a->cause), "%s decided %s, not in its row", kind_id(k),
                              cause_id(a->cause));
                ck_assert_msg(a->summary[0] && !strchr(a->summary, '{'), "%s: summary '%s'", cause_id(a->cause), a->summary);
                ck_assert_msg(a->n_remedies > 0, "%s has no remedy", cause_id(a->cause));
                for (int r = 0; r < a->n_remedies; r++)
                        ck_assert_msg(!strchr(a->remedy[r], '{'), "%s: remedy '%s'", cause_id(a->cause), a->remedy[r]);
                causes |= 1u << a->cause;
        }
        return causes;
}

static void api_answers(void) {
        probe(1, PROBE_OK, 0, T0);
}

static void www_saturated(void) {
        probe(0, PROBE_SATURATED, ETIMEDOUT, T0);
        probe(0, PROBE_SATURATED, ETIMEDOUT, T0 + SEC);
}

START_TEST(test_decided_cause_is_in_the_row) {
        unsigned all = 0;
        for (unsigned k = 1; k < KIND__MAX; k++) {
                const struct kind_info *ki = kind_info((enum event_kind) k);
                unsigned plain = decided_causes((enum event_kind) k, "unix:/run/php/php-fpm.sock", NULL);
                all |= plain;
                all |= decided_causes((enum event_kind) k, "unix:/run/php/nobody.sock", api_answers);
                all |= decided_causes((enum event_kind) k, "unix:/run/php/php-fpm.sock", www_saturated);
                bool supports = ki->decide & DECIDE_SUPPORTS;
                ck_assert_msg(plain == (supports || ki->cause == CAUSE_NONE ? 0u : 1u << ki->cause),
                              "%s alone decided %#x", ki->id, plain);
        }
        for (unsigned c = 1; c < CAUSE__MAX; c++)
                ck_assert_msg(!(all & (1u << c)) == !!(CAUSES_FROM_CONFIG & (1u << c)),
                              "%s: decided by a kind %s, from the configuration %s", cause_id((enum cause) c),
                              all & (1u << c) ? "yes" : "no", CAUSES_FROM_CONFIG & (1u << c) ? "yes" : "no");
}
END_TEST

/* A confirmed probe outcome shows the cause its row names, and nothing else. */
START_TEST(test_probe_outcome_rows) {
        for (unsigned o = 0; o < PROBE__OUTCOME_MAX; o++) {
                teardown();
                setup();
                probe(1, (enum probe_outcome) o, 0, T0);
                probe(1, (enum probe_outcome) o, 0, T0 + SEC);
                flush(T0 + SEC);
                enum cause want = probe_outcome_cause((enum probe_outcome) o);
                ck_assert_int_eq(seen->n, want == CAUSE_NONE ? 0 : 1);
                if (want != CAUSE_NONE)
                        ck_assert_str_eq(cause_id(last()->cause), cause_id(want));
        }
}
END_TEST

START_TEST(test_connect_errnos_one_table) {
        ck_assert_int_eq(kind_of_connect_errno(ENOENT), KIND_UPSTREAM_SOCKET_MISSING);
        ck_assert_int_eq(kind_of_connect_errno(ENOTDIR), KIND_UPSTREAM_SOCKET_MISSING);
        ck_assert_int_eq(kind_of_connect_errno(ECONNREFUSED), KIND_UPSTREAM_REFUSED);
        ck_assert_int_eq(kind_of_connect_errno(EACCES), KIND_UPSTREAM_PERMISSION_DENIED);
        ck_assert_int_eq(kind_of_connect_errno(EAGAIN), KIND_UPSTREAM_BACKLOG_FULL);
        ck_assert_int_eq(kind_of_connect_errno(ETIMEDOUT), KIND_UPSTREAM_CONNECT_TIMEOUT);
        ck_assert_int_eq(kind_of_connect_errno(EHOSTUNREACH), KIND_UPSTREAM_CONNECT_ERROR);
}
END_TEST


/* ---- the configuration's findings ---- */

static const struct diag_config_finding stale_pass = {
        .cause = CAUSE_SOCKET_MISMATCH, .upstream = "unix:/run/php/php7.4-fpm.sock", .file = "/etc/nginx/sites-enabled/default",
        .line = 57, .summary = "fastcgi_pass at /etc/nginx/sites-enabled/default:57 sends requests to "
                               "unix:/run/php/php7.4-fpm.sock, where no PHP-FPM pool listens.",
        .remedy = "point fastcgi_pass at /etc/nginx/sites-enabled/default:57 to a pool's listen address",
};

static const struct diag_config_finding crit_log = {
        .cause = CAUSE_NGINX_ERROR_LOG_LEVEL, .file = "/etc/nginx/nginx.conf", .line = 12,
        .summary = "error_log /var/log/nginx/error.log crit at /etc/nginx/nginx.conf:12 (main): nginx logs only crit.",
};

/* /var/run links to /run: what the host says a path is, for the test. */
static int var_run_is_run(void *userdata, const char *path, char *out, size_t size) {
        (*(int *) userdata)++;
        if (strncmp(path, "/var/run/", 9) != 0)
                return snprintf(out, size, "%s", path) < (int) size ? 0 : -ENAMETOOLONG;
        return snprintf(out, size, "%s", path + 4) < (int) size ? 0 : -ENAMETOOLONG;
}

/* nginx reaches pool www's /run/php/php-fpm.sock as /var/run/php/php-fpm.sock: its lines are
 * the pool's, not an upstream of their own; a socket no pool has stays an upstream. */
START_TEST(test_line_through_symlink) {
        int asked = 0;
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 1, .canonical = var_run_is_run, .canonical_userdata = &asked };
        d = diag_free(d);
        ck_assert_int_eq(diag_new(&d, &s, www, 2), 0);
        nginx("connect() to unix:/var/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/var/run/php/php-fpm.sock:", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->pool, "www");
        ck_assert_int_eq(asked, 1);
        nginx("connect() to unix:/var/run/php/gone.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/var/run/php/gone.sock:", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_str_eq(last()->pool, "");
        ck_assert_str_eq(last()->upstream, "unix:/var/run/php/gone.sock");
}
END_TEST

/* A reload that drops pool api while its fpm_down fires: one resolved alert for it, none for www. */
START_TEST(test_removed_pool_resolves) {
        probe(0, PROBE_OK, 0, T0);
        probe(1, PROBE_REFUSED, ECONNREFUSED, T0);
        probe(1, PROBE_REFUSED, ECONNREFUSED, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->pool, "api");
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2 };
        struct diag *fresh;
        ck_assert_int_eq(diag_new(&fresh, &s, www, 1), 0);
        ck_assert_uint_eq(diag_adopt(fresh, d), 1);
        ck_assert_uint_eq(diag_resolve_gone(d, fresh, T0 + 2 * SEC, alerts_seen_collect, seen), 1);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_str_eq(last()->pool, "api");
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        diag_free(fresh);
}
END_TEST

/* A pool is the one listening at the finding's address: another master's "www" elsewhere is not
 * this diagnosis's www, and a pool named otherwise here that listens there is. */
START_TEST(test_config_pool_by_listen) {
        struct address elsewhere, api_there;
        parse_listen(&elsewhere, "/run/php/other-www.sock");
        parse_listen(&api_there, "127.0.0.1:9001");
        struct diag_config_finding f[] = {
                { .cause = CAUSE_FPM_LOG_LEVEL, .pool = "www", .pool_listen = &elsewhere, .file = "/etc/a.conf",
                  .line = 3, .summary = "log_level = error at /etc/a.conf:3" },
                { .cause = CAUSE_FPM_LOG_LEVEL, .pool = "www", .pool_listen = &api_there, .file = "/etc/b.conf",
                  .line = 4, .summary = "log_level = error at /etc/b.conf:4" },
        };
        ck_assert_uint_eq(diag_config(d, f, 2, T0), 1);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->pool, "api");
        ck_assert_str_eq(last()->summary, "log_level = error at /etc/b.conf:4");
}
END_TEST

/* The finding appears before any request, and the 502 that follows is attributed to it. */
START_TEST(test_config_fires_before_any_line) {
        ck_assert_uint_eq(diag_config(d, &stale_pass, 1, T0), 0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "socket_mismatch");
        ck_assert_int_eq(last()->state, ALERT_FIRING);
        ck_assert_str_eq(last()->pool, "");
        ck_assert_str_eq(last()->upstream, "unix:/run/php/php7.4-fpm.sock");
        ck_assert_str_eq(last()->summary, stale_pass.summary);
        ck_assert_str_eq(last()->remedy[0], stale_pass.remedy);
        ck_assert_int_eq(last()->n_remedies, ALERT_REMEDIES);
        ck_assert(last()->evidence.config.have);
        ck_assert_str_eq(last()->evidence.config.file, "/etc/nginx/sites-enabled/default");
        ck_assert_uint_eq(last()->evidence.config.line, 57);
        json_t *j = alert_to_json(last());
        json_t *config = json_object_get(json_object_get(j, "evidence"), "config");
        ck_assert_str_eq(json_string_value(json_object_get(config, "file")), "/etc/nginx/sites-enabled/default");
        ck_assert_int_eq(json_integer_value(json_object_get(config, "line")), 57);
        json_decref(j);
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        ck_assert_uint_eq(diag_next_due(d), UINT64_MAX);        /* it holds while the configuration says so */
        /* no pool answers a probe: without the finding this line would be fpm_down */
        nginx("connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream",
              "unix:/run/php/php7.4-fpm.sock:", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        seen->n = 0;
        diag_each_firing(d, T0 + SEC, alerts_seen_collect, seen);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "socket_mismatch");
        ck_assert_uint_eq(last()->evidence.lines, 1);
        ck_assert_msg(strstr(last()->summary, "nginx sends requests to unix:/run/php/php7.4-fpm.sock (fastcgi_pass at "
                             "/etc/nginx/sites-enabled/default:57), where nothing listens (1 failed)"), "%s", last()->summary);
        expect_kinds(last(), "upstream_socket_missing=1");
        /* fixed in nginx: gone from the set; the line keeps it until ResolveAfter, then it resolves once */
        seen->n = 0;
        ck_assert_uint_eq(diag_config(d, NULL, 0, T0 + 2 * SEC), 0);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 0);
        ck_assert_uint_eq(diag_next_due(d), T0 + 61 * SEC);
        flush(T0 + 61 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        flush(T0 + 120 * SEC);
        ck_assert_int_eq(seen->n, 1);
}
END_TEST

START_TEST(test_config_nginx_target) {
        char status[512];
        ck_assert_uint_eq(diag_config(d, &crit_log, 1, T0), 0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->id, "nginx_error_log_level/1795612991/nginx");
        ck_assert_str_eq(last()->pool, "");
        ck_assert_str_eq(last()->upstream, "");
        ck_assert_str_eq(last()->summary, crit_log.summary);
        ck_assert_str_eq(last()->remedy[0], "grep -rn error_log /etc/nginx/");   /* the row's: none of its own */
        ck_assert_str_eq(alert_severity(last()), "warning");
        ck_assert_str_eq(diag_status(d, status, sizeof(status)),
                         "FIRING nginx_error_log_level nginx: error_log /var/log/nginx/error.log crit at "
                         "/etc/nginx/nginx.conf:12 (main): nginx logs only crit.");
        probe(0, PROBE_OK, 0, T0);
        ck_assert_int_eq(diag_health(d), DIAG_WARNING);
        /* the same set again: nothing new */
        diag_config(d, &crit_log, 1, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        diag_config(d, NULL, 0, T0 + 5 * SEC);
        flush(T0 + 5 * SEC);
        ck_assert_int_eq(seen->n, 2);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_str_eq(last()->summary, "Resolved: nginx's error_log level is above error and hides the lines that "
                                          "name a 502's cause, for nginx, after 5s.");
        flush(T0 + 100 * SEC);
        ck_assert_int_eq(seen->n, 2);
}
END_TEST

START_TEST(test_config_pools) {
        const struct diag_config_finding f[] = {
                { .cause = CAUSE_FPM_UNIT_MISSING, .pool = "www", .file = "/etc/php/8.2/fpm/pool.d/www.conf", .line = 1,
                  .summary = "php8.2-fpm.service, which runs pool www, is disabled." },
                { .cause = CAUSE_FPM_UNIT_MISSING, .pool = "www", .file = "/x", .line = 9, .summary = "a second one" },
                { .cause = CAUSE_FPM_MEMORY_OVERCOMMIT, .pool = "gone", .file = "/y", .line = 2, .summary = "?" },
        };
        ck_assert_uint_eq(diag_config(d, f, 3, T0), 1);        /* "gone" is not watched */
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->pool, "www");
        ck_assert_str_eq(last()->summary, f[0].summary);       /* the first one speaks */
        ck_assert_str_eq(last()->remedy[0], "systemctl list-unit-files 'php*-fpm*'");
        ck_assert_str_eq(last()->remedy[1], "systemctl enable --now php8.2-fpm.service");
        /* added and gone again before a flush: never fires */
        const struct diag_config_finding p = { .cause = CAUSE_SOCKET_PERMISSION, .pool = "api", .file = "/z", .line = 3,
                                               .summary = "nginx's user www-data may not connect" };
        diag_config(d, &p, 1, T0 + SEC);
        diag_config(d, f, 1, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
}
END_TEST

/* A permission-denied 502 joins the configuration's socket_permission finding on the pool. */
START_TEST(test_config_permission_joined_by_line) {
        const struct diag_config_finding p = { .cause = CAUSE_SOCKET_PERMISSION, .pool = "www",
                                               .file = "/etc/php/8.2/fpm/pool.d/www.conf", .line = 4,
                                               .summary = "nginx's user www-data may not connect to pool www's socket." };
        diag_config(d, &p, 1, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->summary, p.summary);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (13: Permission denied) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        seen->n = 0;
        diag_each_firing(d, T0 + SEC, alerts_seen_collect, seen);
        ck_assert_str_eq(last()->pool, "www");
        ck_assert_uint_eq(last()->evidence.lines, 1);
        ck_assert_msg(strstr(last()->summary, "(13: Permission denied, 1 times)"), "%s", last()->summary);
        ck_assert(last()->evidence.config.have);
}
END_TEST

/* A reload: the new diagnosis takes the findings over; the same set fires nothing twice. */
START_TEST(test_config_across_adopt) {
        const struct diag_config_finding set[] = { stale_pass, crit_log };
        diag_config(d, set, 2, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 2);
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC };
        struct diag *fresh;
        ck_assert_int_eq(diag_new(&fresh, &s, www, 2), 0);
        ck_assert_uint_eq(diag_adopt(fresh, d), 0);
        diag_free(d);
        d = fresh;
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);   /* adopted, still firing, not again */
        diag_config(d, set, 2, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);
        diag_config(d, &crit_log, 1, T0 + 2 * SEC);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 3);
        ck_assert_int_eq(last()->state, ALERT_RESOLVED);
        ck_assert_str_eq(cause_id(last()->cause), "socket_mismatch");
        flush(T0 + 200 * SEC);
        ck_assert_int_eq(seen->n, 3);
}
END_TEST

/* Each line of a field file (tests/data/field/) into the diagnosis at now. */
static void field_lines(const char *file, uint64_t now) {
        char name[128];
        size_t len;
        snprintf(name, sizeof(name), "field/%s", file);
        char *log = fixture_read(name, &len);
        for (char *p = log, *nl; p < log + len; p = nl + 1) {
                nl = memchr(p, '\n', (size_t) (log + len - p));
                if (!nl)
                        nl = log + len;
                *nl = '\0';
                if (*p)
                        line(p, -1, now);
        }
        free(log);
}

static const struct alert *alert_for(const char *cause, const char *upstream) {
        for (int i = 0; i < seen->n; i++)
                if (strcmp(cause_id(seen->a[i].cause), cause) == 0 && strcmp(seen->a[i].upstream, upstream) == 0)
                        return &seen->a[i];
        ck_abort_msg("no %s alert for %s", cause, upstream);
        return NULL;
}

/* Neither the summary nor a remedy of an alert about a proxied upstream speaks of PHP-FPM. */
static void assert_not_fpm_words(const struct alert *a) {
        static const char *const fpm[] = { "PHP-FPM", "php-fpm", "pool", "pm.max_children", "fastcgi", "worker" };
        for (size_t i = 0; i < sizeof(fpm) / sizeof(fpm[0]); i++) {
                ck_assert_msg(!strstr(a->summary, fpm[i]), "%s: '%s'", cause_id(a->cause), a->summary);
                for (int r = 0; r < a->n_remedies; r++)
                        ck_assert_msg(!strstr(a->remedy[r], fpm[i]), "%s: '%s'", cause_id(a->cause), a->remedy[r]);
        }
}

/* field 19: an http:// upstream refused, then unreachable over IPv6: words for a proxied
 * upstream, and no socket_mismatch although a pool answers elsewhere */
START_TEST(test_field_proxied_words) {
        probe(0, PROBE_OK, 0, T0);
        field_lines("19-ipv6-unreachable.nginx.log", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 2);
        const struct alert *a = alert_for("fpm_down", "203.0.113.26:8080");
        ck_assert_str_eq(a->summary, "nginx cannot connect to the HTTP server at 203.0.113.26:8080 (1 failed requests, 502).");
        assert_not_fpm_words(a);
        a = alert_for("fpm_down", "[2001:db8:3030::681c:31a]:8080");
        expect_kinds(a, "upstream_connect_error=1");
        assert_not_fpm_words(a);
        flush(T0 + 100 * SEC);
        ck_assert_int_eq(seen->n, 4);
        ck_assert_str_eq(last()->summary, "Resolved: nginx could not connect to the upstream, for upstream "
                                          "[2001:db8:3030::681c:31a]:8080, after 99s (1 lines in all).");
        /* uwsgi: its own directives */
        nginx("upstream timed out (110: Connection timed out) while reading response header from upstream",
              "unix:/run/php/php-fpm.sock:", T0 + 200 * SEC);
        char *text;
        ck_assert_int_ge(asprintf(&text, "2026/11/25 13:23:11 [error] 1#1: *5 upstream timed out (110: Connection "
                                         "timed out) while reading response header from upstream, client: 127.0.0.1, "
                                         "server: s, request: \"GET / HTTP/1.1\", upstream: \"uwsgi://127.0.0.1:3031\", "
                                         "host: \"h\""), 0);
        line(text, -1, T0 + 200 * SEC);
        free(text);
        flush(T0 + 200 * SEC);
        a = alert_for("upstream_timeout", "127.0.0.1:3031");
        ck_assert_str_eq(a->summary, "The uWSGI server at 127.0.0.1:3031 sent nothing within uwsgi_read_timeout (1 times, 504).");
        assert_not_fpm_words(a);
        ck_assert_str_eq(alert_for("upstream_timeout", "unix:/run/php/php-fpm.sock")->summary,
                         "Scripts on www ran past nginx's fastcgi_read_timeout (1 times, 504).");
}
END_TEST

/* field 09 and 15: TLS towards the upstream, and an idle kept-alive connection closed */
START_TEST(test_field_tls_and_keepalive) {
        field_lines("09-ssl-peer-closed.nginx.log", T0);
        field_lines("15-writev-keepalive.nginx.log", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 3);
        const struct alert *a = alert_for("upstream_tls", "203.0.113.69:8443");
        ck_assert_str_eq(a->summary, "The TLS handshake with the HTTP server at 203.0.113.69:8443 failed (1 times, 502).");
        ck_assert(strncmp(a->remedy[0], "proxy_ssl_server_name on;", 25) == 0);
        ck_assert(strncmp(a->remedy[1], "proxy_ssl_name NAME", 19) == 0);
        ck_assert(strncmp(a->remedy[2], "proxy_ssl_protocols", 19) == 0);
        assert_not_fpm_words(a);
        a = alert_for("worker_killed", "203.0.113.69:8080");
        ck_assert_str_eq(a->summary, "The HTTP server at 203.0.113.69:8080 closed or reset connections mid-request (1 times, 502).");
        assert_not_fpm_words(a);
        a = alert_for("keepalive_closed", "100.81.255.198:8000");
        ck_assert_str_eq(a->summary, "The HTTP server at 100.81.255.198:8000 closed idle kept-alive connections as nginx "
                                     "reused them (1 times, 502).");
        assert_not_fpm_words(a);
        ck_assert_int_eq(cause_priority(a->cause), LOG_ERR);
}
END_TEST

/* More distinct upstreams than there is room for: each of the first ones is named by its own
 * finding, the rest by one "other upstreams" finding, never under another's address; resolved
 * ones make room. */
START_TEST(test_many_upstreams_named) {
        char msg[128], up[64];
        for (int i = 0; i < 20; i++) {
                snprintf(up, sizeof(up), "10.0.0.%d:9000", i + 1);
                nginx("recv() failed (104: Connection reset by peer) while reading response header from upstream", up,
                      T0 + (uint64_t) i);
        }
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 17);
        for (int i = 0; i < 16; i++) {
                snprintf(up, sizeof(up), "10.0.0.%d:9000", i + 1);
                const struct alert *a = alert_for("worker_killed", up);
                ck_assert_uint_eq(a->evidence.lines, 1);
                ck_assert_ptr_nonnull(strstr(a->evidence.samples[0], up));
        }
        const struct alert *other = alert_for("worker_killed", "other upstreams");
        ck_assert_uint_eq(other->evidence.lines, 4);
        ck_assert_ptr_nonnull(strstr(other->summary, "other upstreams"));
        ck_assert_ptr_null(strstr(other->summary, "10.0.0.16"));
        /* all resolve after resolve_after; new addresses then get findings of their own */
        flush(T0 + 100 * SEC);
        ck_assert_int_eq(seen->n, 34);
        snprintf(msg, sizeof(msg), "recv() failed (104: Connection reset by peer) while reading response header from upstream");
        for (int i = 20; i < 36; i++) {
                snprintf(up, sizeof(up), "10.0.0.%d:9000", i + 1);
                nginx(msg, up, T0 + 200 * SEC);
        }
        flush(T0 + 200 * SEC);
        ck_assert_int_eq(seen->n, 50);
        for (int i = 20; i < 36; i++) {
                snprintf(up, sizeof(up), "10.0.0.%d:9000", i + 1);
                ck_assert_uint_eq(alert_for("worker_killed", up)->evidence.lines, 1);
        }
        /* a restart: "other upstreams" comes back as the one target for the rest, not as an address */
        nginx(msg, "10.0.0.99:9000", T0 + 201 * SEC);
        flush(T0 + 201 * SEC);
        ck_assert_int_eq(seen->n, 51);
        struct diag_saved_finding saved = { CAUSE_WORKER_KILLED, DIAG_TARGET_UPSTREAM, "other upstreams", T0, 1 };
        teardown();
        setup();
        for (int i = 0; i < 16; i++) {
                snprintf(up, sizeof(up), "10.0.1.%d:9000", i + 1);
                nginx(msg, up, T0 + 300 * SEC);
        }
        ck_assert_int_eq(diag_restore(d, &saved, T0 + 300 * SEC), 0);
        nginx(msg, "10.0.2.1:9000", T0 + 300 * SEC);
        flush(T0 + 300 * SEC);
        ck_assert_int_eq(seen->n, 16);          /* the restored one fired before: no second alert */
        seen->n = 0;
        diag_each_firing(d, T0 + 300 * SEC, alerts_seen_collect, seen);
        ck_assert_int_eq(seen->n, 17);
        ck_assert_uint_eq(alert_for("worker_killed", "other upstreams")->evidence.lines, 2);
}
END_TEST

/* Every cause set by the configuration alone says its summary, with remedies and no template left. */
START_TEST(test_config_words_for_every_cause) {
        for (unsigned c = 1; c < CAUSE__MAX; c++) {
                teardown();
                setup();
                const struct diag_config_finding f = { .cause = (enum cause) c, .pool = "www", .file = "/f", .line = 1,
                                                       .summary = "the configuration says so." };
                diag_config(d, &f, 1, T0);
                flush(T0);
                ck_assert_int_eq(seen->n, 1);
                ck_assert_str_eq(last()->summary, f.summary);
                ck_assert_msg(last()->n_remedies > 0, "%s has no remedy", cause_id((enum cause) c));
                for (int r = 0; r < last()->n_remedies; r++)
                        ck_assert_msg(!strchr(last()->remedy[r], '{'), "%s: '%s'", cause_id((enum cause) c),
                                      last()->remedy[r]);
                /* the row's own summary, as a resolved or line-backed alert would start from it */
                const struct diag_config_finding bare = { .cause = (enum cause) c, .pool = "www", .file = "/f" };
                diag_config(d, &bare, 1, T0);
                seen->n = 0;
                diag_each_firing(d, T0, alerts_seen_collect, seen);
                ck_assert_msg(last()->summary[0] && !strchr(last()->summary, '{'), "%s: '%s'",
                              cause_id((enum cause) c), last()->summary);
        }
}
END_TEST

/* A master log several pools share (Debian's /var/log/php8.2-fpm.log) configured as www's Log:
 * other pools' worker deaths are theirs, not www's; a configured one's count for it. */
START_TEST(test_shared_fpm_log_other_pools) {
        char text[256];
        probe(0, PROBE_OK, 0, T0);
        probe(1, PROBE_OK, 0, T0);
        for (int i = 1; i <= 40; i++) {
                snprintf(text, sizeof(text), "[25-Nov-2026 13:23:20] WARNING: [pool p%d] child %d exited on signal 9 "
                         "(SIGKILL) after 1.5 seconds from start", i, 7000 + i);
                line(text, 0, T0);
        }
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 0);
        line("[25-Nov-2026 13:23:21] WARNING: [pool api] child 7100 exited on signal 11 (SIGSEGV) after 1.5 seconds "
             "from start", 0, T0 + 3 * SEC);
        flush(T0 + 6 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "worker_killed");
        ck_assert_str_eq(last()->pool, "api");
        ck_assert_uint_eq(last()->evidence.lines, 1);
}
END_TEST

/* "www (php8.2-fpm.service)": a pool name two masters share, as the configuration reader names it. */
START_TEST(test_fpm_line_names_pool_with_unit) {
        static const struct diag_pool twins[] = {
                { .name = "www (php8.2-fpm.service)", .listen = &www_listen, .listen_resolved = NULL, .unit = NULL },
                { .name = "www (php7.4-fpm.service)", .listen = &api_listen, .listen_resolved = NULL, .unit = NULL },
        };
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC };
        d = diag_free(d);
        ck_assert_int_eq(diag_new(&d, &s, twins, 2), 0);
        line("[25-Nov-2026 13:23:21] WARNING: [pool www] child 7100 exited on signal 11 (SIGSEGV) after 1.5 seconds "
             "from start", 1, T0);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->pool, "www (php7.4-fpm.service)");
}
END_TEST

/* A refusal is history once a probe taken after it answers: a warning, in the past tense; while
 * the last probe is older than the line, the pool is down. Likewise a permission refusal once
 * the socket check allows nginx's user. */
START_TEST(test_past_refusals_are_warning) {
        char status[512];
        probe(0, PROBE_OK, 0, T0);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert(!last()->past);
        ck_assert_ptr_nonnull(strstr(last()->summary, "is down"));
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        probe(0, PROBE_OK, 0, T0 + 2 * SEC);
        ck_assert_int_eq(diag_health(d), DIAG_WARNING);
        diag_status(d, status, sizeof(status));
        ck_assert_msg(strstr(status, "FIRING fpm_down www: PHP-FPM pool www was down or restarting: nginx could not "
                                     "reach it 1 time (last at "), "%s", status);
        diag_each_firing(d, T0 + 2 * SEC, alerts_seen_collect, seen);
        ck_assert(last()->past);
        ck_assert_str_eq(alert_severity(last()), "critical");  /* the alert's own: one label set for its life */

        struct sockcheck_result ok = { .verdict = SOCKCHECK_OK, .uid = 33, .gid = 33, .mode = 0660 };
        snprintf(ok.where, sizeof(ok.where), "/run/php/php-fpm.sock");
        diag_socket(d, 0, &ok, T0 + 2 * SEC);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (13: Permission denied) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + 3 * SEC);
        flush(T0 + 3 * SEC);
        ck_assert_str_eq(cause_id(last()->cause), "socket_permission");
        ck_assert(!last()->past);
        diag_socket(d, 0, &ok, T0 + 4 * SEC);
        diag_each_firing(d, T0 + 4 * SEC, alerts_seen_collect, seen);
        ck_assert_str_eq(cause_id(last()->cause), "socket_permission");
        ck_assert(last()->past);
        ck_assert_msg(strstr(last()->summary, "nginx (user www-data) was refused at /run/php/php-fpm.sock 1 time "),
                      "%s", last()->summary);
        ck_assert_int_eq(diag_health(d), DIAG_WARNING);
}
END_TEST

/* check reads lines minutes old: their own time, not their arrival, is what a probe follows. */
START_TEST(test_written_time_decides_past) {
        probe(0, PROBE_OK, 0, T0);
        diag_set_written(d, T0 - 300 * SEC);    /* five minutes before the probe */
        nginx("connect() to unix:/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + 6 * SEC);
        flush(T0 + 6 * SEC);
        ck_assert_int_eq(diag_health(d), DIAG_WARNING);
        /* a probe this process may not make says nothing: an old line is history, a recent one is not */
        probe(0, PROBE_PERMISSION, 13, T0 + 6 * SEC);
        ck_assert_int_eq(diag_health(d), DIAG_WARNING);
        diag_set_written(d, T0 + 6 * SEC);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + 6 * SEC);
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        /* logs are read one after another: an older line read last does not make the newest history */
        diag_set_written(d, T0 - 400 * SEC);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0 + 6 * SEC);
        probe(0, PROBE_OK, 0, T0 + 5 * SEC);
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        probe(0, PROBE_PERMISSION, 13, T0 + 6 * SEC);
        diag_set_written(d, T0 + 6 * SEC);
        /* nor does it show that no pool answers */
        nginx("connect() to unix:/tmp/other.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/tmp/other.sock:", T0 + 7 * SEC);
        flush(T0 + 7 * SEC);
        ck_assert_str_eq(last()->upstream, "unix:/tmp/other.sock");
        ck_assert_msg(!strstr(last()->summary, "no configured pool answers") &&
                      strstr(last()->summary, "whether the pools answer is not known"), "%s", last()->summary);
}
END_TEST

/* check's one round: a pool whose backlog is full is alive. Its older refusals are history, a
 * line to a socket no pool serves is socket_mismatch (history once nginx's configuration, read now,
 * no longer shows it), and the verdict is pool_saturated. */
START_TEST(test_one_round_full_pool_alive) {
        struct diag_settings s = { .resolve_after_usec = 3600 * SEC, .summary_interval_usec = 300 * SEC,
                                   .nginx_user = "www-data", .confirmations = 1, .one_round = true };
        diag_free(d);
        ck_assert_int_eq(diag_new(&d, &s, www, 1), 0);
        probe(0, PROBE_BACKLOG_FULL, EAGAIN, T0);
        diag_set_passes_known(d, true);       /* nginx's configuration names no unserved address */
        diag_set_written(d, T0 - 200 * SEC);
        nginx("connect() to unix:/run/php/php-fpm.sock failed (111: Connection refused) while connecting to upstream",
              "unix:/run/php/php-fpm.sock:", T0);
        diag_set_written(d, T0 - 190 * SEC);
        nginx("connect() to unix:/run/php/php-fmp.sock failed (2: No such file or directory) while connecting to "
              "upstream", "unix:/run/php/php-fmp.sock:", T0);
        flush(T0);
        char status[512];
        diag_status(d, status, sizeof(status));
        ck_assert_msg(strncmp(status, "FIRING pool_saturated www: ", 27) == 0, "%s", status);
        ck_assert_int_eq(diag_health(d), DIAG_CRITICAL);
        bool down = false, mismatch = false;
        for (int i = 0; i < seen->n; i++) {
                const struct alert *a = &seen->a[i];
                ck_assert_msg(a->cause != CAUSE_FPM_DOWN || (a->past && strcmp(a->pool, "www") == 0), "%s", a->summary);
                down |= a->cause == CAUSE_FPM_DOWN;
                mismatch |= a->cause == CAUSE_SOCKET_MISMATCH && a->past &&
                            strcmp(a->upstream, "unix:/run/php/php-fmp.sock") == 0;
        }
        ck_assert(down && mismatch);
}
END_TEST

int main(void) {
        Suite *s = suite_create("diag");
        TCase *tc = tcase_create("engine");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_fpm_down_fires_and_resolves);
        tcase_add_test(tc, test_storm_gives_few_alerts);
        tcase_add_test(tc, test_socket_mismatch);
        tcase_add_test(tc, test_unknown_upstream_with_no_pool_up_is_fpm_down);
        tcase_add_test(tc, test_symlink_and_wildcard_addresses);
        tcase_add_test(tc, test_permission_before_any_502);
        tcase_add_test(tc, test_permission_denied_by_a_directory);
        tcase_add_test(tc, test_json_kinds_and_missing_socket);
        tcase_add_test(tc, test_no_zero_counts);
        tcase_add_test(tc, test_worker_killed_pairs_nginx_and_fpm);
        tcase_add_test(tc, test_saturation_decides_read_timeouts);
        tcase_add_test(tc, test_fpm_restart_alone_is_not_an_outage);
        tcase_add_test(tc, test_fpm_stop_lines_back_the_outage);
        tcase_add_test(tc, test_unit_states);
        tcase_add_test(tc, test_unit_back_before_probe);
        tcase_add_test(tc, test_reset_alone_waits_for_the_signal);
        tcase_add_test(tc, test_unit_restart_is_not_an_outage);
        tcase_add_test(tc, test_reload_keeps_findings);
        tcase_add_test(tc, test_restore_after_restart);
        tcase_add_test(tc, test_line_only_causes);
        tcase_add_test(tc, test_unknown_until_probed);
        tcase_add_test(tc, test_port_holder_named);
        tcase_add_test(tc, test_stop_start_between_probes);
        tcase_add_test(tc, test_unexplained_probe_failure_warns);
        tcase_add_test(tc, test_config_fires_before_any_line);
        tcase_add_test(tc, test_config_pool_by_listen);
        tcase_add_test(tc, test_removed_pool_resolves);
        tcase_add_test(tc, test_line_through_symlink);
        tcase_add_test(tc, test_config_nginx_target);
        tcase_add_test(tc, test_config_pools);
        tcase_add_test(tc, test_config_permission_joined_by_line);
        tcase_add_test(tc, test_config_across_adopt);
        tcase_add_test(tc, test_field_proxied_words);
        tcase_add_test(tc, test_field_tls_and_keepalive);
        tcase_add_test(tc, test_many_upstreams_named);
        tcase_add_test(tc, test_shared_fpm_log_other_pools);
        tcase_add_test(tc, test_fpm_line_names_pool_with_unit);
        tcase_add_test(tc, test_past_refusals_are_warning);
        tcase_add_test(tc, test_written_time_decides_past);
        tcase_add_test(tc, test_one_round_full_pool_alive);
        TCase *tt = tcase_create("tables");
        tcase_add_checked_fixture(tt, setup, teardown);
        tcase_add_test(tt, test_kind_rows_agree);
        tcase_add_test(tt, test_decided_cause_is_in_the_row);
        tcase_add_test(tt, test_probe_outcome_rows);
        tcase_add_test(tt, test_connect_errnos_one_table);
        tcase_add_test(tt, test_config_words_for_every_cause);
        suite_add_tcase(s, tc);
        suite_add_tcase(s, tt);
        return fixture_run(s);
}
