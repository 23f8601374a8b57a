/* The alerts' words follow their evidence: the remedies for what is proven, restarts that work
 * without systemd, evidence no healthy check contradicts, one alert for a configuration finding
 * and the 504s it explains. Lines are as php-fpm 8.2 and nginx wrote them in the scenario tests. */
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
static struct address www_listen;
static const char WWW_CONF[] = "/etc/php/8.2/fpm/pool.d/www.conf";

/* www as the daemon makes it from php-fpm's configuration; unit NULL: started by hand. */
static void start(const char *unit, const char *pid_file, bool kernel_log) {
        seen = calloc(1, sizeof(*seen));
        ck_assert_int_eq(address_parse(&www_listen, "/run/php/php8.2-fpm.sock", 24), 0);
        const struct diag_pool pool = { .name = "www", .listen = &www_listen, .unit = unit,
                                        .conf_at = "/etc/php/8.2/fpm/pool.d/www.conf:1", .terminate_timeout = "3s",
                                        .terminate_at = "/etc/php/8.2/fpm/pool.d/www.conf:9", .pid_file = pid_file };
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .nginx_user = "www-data", .confirmations = 2, .pairing_usec = 2 * SEC,
                                   .kernel_log = kernel_log };
        ck_assert_int_eq(diag_new(&d, &s, &pool, 1), 0);
}

static void setup(void) {
        start("php8.2-fpm.service", "/run/php/php8.2-fpm.pid", true);
}

static void teardown(void) {
        d = diag_free(d);
        free(seen);
}

static void line(const char *text, uint64_t now) {
        struct logline ll;
        struct event ev;
        ck_assert_msg(classify_line(text, strlen(text), &ll, &ev) != KIND_NONE, "no kind: %s", text);
        diag_log(d, &ev, text, strlen(text), 0, now);
}

static void nginx(const char *message, uint64_t now) {
        char *text;
        ck_assert_int_ge(asprintf(&text, "2026/11/29 19:44:01 [error] 1#1: *5 %s, client: 127.0.0.1, server: s, "
                                         "request: \"GET /slow.php HTTP/1.1\", upstream: "
                                         "\"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"h\"", message), 0);
        line(text, now);
        free(text);
}

static const char reset[] = "recv() failed (104: Connection reset by peer) while reading response header from upstream";

static void flush(uint64_t now) {
        diag_flush(d, now, alerts_seen_collect, seen);
}

static const struct alert *last(void) {
        ck_assert_int_gt(seen->n, 0);
        return &seen->a[seen->n - 1];
}

static bool any_remedy_has(const struct alert *a, const char *text) {
        for (int i = 0; i < a->n_remedies; i++)
                if (strstr(a->remedy[i], text))
                        return true;
        return false;
}

static int count(const char *hay, const char *needle) {
        int n = 0;
        for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
                n++;
        return n;
}

static void probe(enum probe_outcome o, int err, uint64_t now) {
        struct probe_result r = { .outcome = o, .error = err, .connect_us = -1, .rtt_us = o == PROBE_OK ? 120 : -1 };
        diag_probe(d, 0, &r, now);
}

static void socket_check(enum sockcheck_verdict v, mode_t mode, uint64_t now) {
        struct sockcheck_result r = { .verdict = v, .uid = 33, .gid = 33, .mode = mode };
        snprintf(r.where, sizeof(r.where), "/run/php/php8.2-fpm.sock");
        diag_socket(d, 0, &r, now);
}

/* SIGKILL, and the kernel log read with no OOM record: who sent it, not memory. */
START_TEST(test_sigkill_not_oom) {
        nginx(reset, T0);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] child 29563 exited on signal 9 (SIGKILL) after 1.2 seconds "
             "from start", T0);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_msg(strstr(last()->summary, "not by the OOM killer"), "%s", last()->summary);
        ck_assert_msg(strstr(last()->remedy[0], "who sent SIGKILL") &&
                      strstr(last()->remedy[0], "journalctl -u php8.2-fpm.service"), "%s", last()->remedy[0]);
        ck_assert(any_remedy_has(last(), "systemctl show -p TimeoutStopUSec php8.2-fpm.service"));
        ck_assert(!any_remedy_has(last(), "out of memory"));
        ck_assert(!any_remedy_has(last(), "pm.max_children"));
}
END_TEST

/* request_terminate_timeout: the pool's own setting, where it is, once in the summary. */
START_TEST(test_terminate_timeout) {
        nginx(reset, T0);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] child 29600, script '/var/www/html/slow.php' (request: "
             "\"GET /slow.php\") execution timed out (3.012 sec), terminating", T0);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] child 29600 exited on signal 15 (SIGTERM) after 9.1 seconds "
             "from start", T0);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(last()->summary, "PHP-FPM workers of pool www died mid-request: terminated with SIGTERM after "
                                          "request_terminate_timeout (3s at /etc/php/8.2/fpm/pool.d/www.conf:9) "
                                          "(3 log lines).");
        ck_assert_int_eq(count(last()->summary, "request_terminate_timeout"), 1);
        ck_assert_str_eq(last()->remedy[0], "raise request_terminate_timeout in pool www at "
                                            "/etc/php/8.2/fpm/pool.d/www.conf:9 (now 3s)");
        ck_assert(strstr(last()->remedy[1], "slowlog"));
        ck_assert(!any_remedy_has(last(), "out of memory"));
}
END_TEST

/* A proven OOM kill: the memory remedies, with the limit that applied. */
START_TEST(test_oom_remedies_name_the_limit) {
        nginx(reset, T0);
        line("6,51004,16665531791,-;memory: usage 65536kB, limit 65536kB, failcnt 2521", T0);
        line("6,51011,16665539721,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
             "oom_memcg=/system.slice/php8.2-fpm.service,task_memcg=/system.slice/php8.2-fpm.service,"
             "task=php-fpm8.2,pid=29563,uid=33", T0);
        line("3,51012,16665539750,-;Memory cgroup out of memory: Killed process 29563 (php-fpm8.2) total-vm:187996kB, "
             "anon-rss:65000kB, file-rss:9452kB, shmem-rss:0kB, UID:33 pgtables:352kB oom_score_adj:0", T0);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] child 29563 exited on signal 9 (SIGKILL) after 1.2 seconds "
             "from start", T0);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_msg(strstr(last()->remedy[0], "lower pm.max_children or memory_limit") &&
                      strstr(last()->remedy[0], "memory cgroup /system.slice/php8.2-fpm.service at 64 MB"), "%s",
                      last()->remedy[0]);
        ck_assert(!any_remedy_has(last(), "who sent"));
}
END_TEST

START_TEST(test_crash_coredumpctl) {
        nginx(reset, T0);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] child 7100 exited on signal 11 (SIGSEGV) after 1.5 seconds "
             "from start", T0);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_msg(strncmp(last()->remedy[0], "coredumpctl", 11) == 0, "%s", last()->remedy[0]);
        ck_assert(!any_remedy_has(last(), "out of memory"));
}
END_TEST

/* systemctl reload php8.2-fpm in the middle of a request: the reload, process_control_timeout. */
START_TEST(test_reload_cuts_requests) {
        line("[29-Nov-2026 19:44:01] NOTICE: Reloading in progress ...", T0);
        nginx(reset, T0 + 1000);
        nginx(reset, T0 + 2000);
        line("[29-Nov-2026 19:44:01] NOTICE: reloading: execvp(\"/usr/sbin/php-fpm8.2\", {\"/usr/sbin/php-fpm8.2\", "
             "\"--nodaemonize\", \"--fpm-config\", \"/etc/php/8.2/fpm/php-fpm.conf\"})", T0 + 3000);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "worker_killed");
        ck_assert_msg(strstr(last()->summary, "a php-fpm reload (SIGUSR2, \"Reloading in progress\") ended 2 in-flight "
                                              "requests"), "%s", last()->summary);
        ck_assert_msg(strstr(last()->remedy[0], "process_control_timeout"), "%s", last()->remedy[0]);
        ck_assert(!any_remedy_has(last(), "out of memory"));
}
END_TEST

/* A reload a minute before is not what reset these requests. */
START_TEST(test_reload_long_before_is_not_the_cause) {
        line("[29-Nov-2026 19:43:01] NOTICE: Reloading in progress ...", T0);
        nginx(reset, T0 + 30 * SEC);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] child 7100 exited on signal 11 (SIGSEGV) after 1.5 seconds "
             "from start", T0 + 30 * SEC);
        flush(T0 + 33 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_msg(!strstr(last()->summary, "reload"), "%s", last()->summary);
}
END_TEST

/* php-fpm started by hand: no systemctl; its master restarts through its pid file. */
START_TEST(test_no_unit_restarts_by_pid_file) {
        teardown();
        start(NULL, "/run/php/php8.2-fpm.pid", true);
        probe(PROBE_SOCKET_MISSING, ENOENT, T0);
        probe(PROBE_SOCKET_MISSING, ENOENT, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert(any_remedy_has(last(), "kill -USR2 $(cat /run/php/php8.2-fpm.pid)"));
        ck_assert(!any_remedy_has(last(), "systemctl"));
        ck_assert(!any_remedy_has(last(), "journalctl -u"));
        teardown();
        start(NULL, NULL, true);
        probe(PROBE_SOCKET_MISSING, ENOENT, T0);
        probe(PROBE_SOCKET_MISSING, ENOENT, T0 + SEC);
        flush(T0 + SEC);
        ck_assert(any_remedy_has(last(), "restart php-fpm the way it was started"));
        ck_assert(!any_remedy_has(last(), "systemctl"));
        /* refused then, answers now: what happened is in php-fpm's own log, not a unit's journal */
        teardown();
        start(NULL, NULL, true);
        nginx("connect() to unix:/run/php/php8.2-fpm.sock failed (111: Connection refused) while connecting to upstream",
              T0);
        flush(T0);
        probe(PROBE_OK, 0, T0 + SEC);
        seen->n = 0;
        diag_each_firing(d, T0 + SEC, alerts_seen_collect, seen);
        ck_assert_int_eq(seen->n, 1);
        ck_assert(last()->past);
        ck_assert(any_remedy_has(last(), "read php-fpm's error_log from "));
        ck_assert(!any_remedy_has(last(), "journalctl -u"));
        ck_assert(!any_remedy_has(last(), "systemctl"));
}
END_TEST

/* chmod 0600 on the live socket while the pool says 0660: a restart makes it again. */
START_TEST(test_socket_changed_after_start) {
        socket_check(SOCKCHECK_SOCKET_DENIED, 0600, T0);
        socket_check(SOCKCHECK_SOCKET_DENIED, 0600, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "socket_permission");
        ck_assert_msg(strstr(last()->remedy[0], "restart php-fpm to make the socket again with the pool's "
                                                "listen.owner/group/mode (/etc/php/8.2/fpm/pool.d/www.conf:1)") &&
                      strstr(last()->remedy[0], "systemctl restart php8.2-fpm.service"), "%s", last()->remedy[0]);
        ck_assert(!any_remedy_has(last(), "listen.owner = www-data"));
        /* started by hand: a reload (USR2) keeps the chmod'ed socket, so a stop and a start */
        teardown();
        start(NULL, "/run/php/php8.2-fpm.pid", true);
        socket_check(SOCKCHECK_SOCKET_DENIED, 0600, T0);
        socket_check(SOCKCHECK_SOCKET_DENIED, 0600, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_msg(strstr(last()->remedy[0], "kill -QUIT $(cat /run/php/php8.2-fpm.pid), then start php-fpm again"),
                      "%s", last()->remedy[0]);
        ck_assert(!any_remedy_has(last(), "systemctl"));
}
END_TEST

/* fpm_down from nginx's refusals with the last probe (before them) ok: no probe in its evidence. */
START_TEST(test_down_carries_no_healthy_probe) {
        probe(PROBE_OK, 0, T0);
        socket_check(SOCKCHECK_OK, 0660, T0);
        nginx("connect() to unix:/run/php/php8.2-fpm.sock failed (111: Connection refused) while connecting to upstream",
              T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fpm_down");
        ck_assert_msg(strstr(last()->summary, "is down"), "%s", last()->summary);
        ck_assert(!last()->evidence.probe.have);
        ck_assert(!last()->evidence.socket.have);
}
END_TEST

/* socket_permission predicted by the configuration while today's socket still lets nginx in. */
START_TEST(test_config_permission_carries_no_healthy_socket) {
        socket_check(SOCKCHECK_OK, 0660, T0);
        const struct diag_config_finding f = { .cause = CAUSE_SOCKET_PERMISSION, .pool = "www", .file = WWW_CONF,
                                               .line = 4, .summary = "php-fpm makes the socket root:root 0660." };
        diag_config(d, &f, 1, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "socket_permission");
        ck_assert(!last()->evidence.socket.have);
}
END_TEST

/* pool_saturated while the probe answers: busy then, alive now; no "as FastCGI should". */
START_TEST(test_saturated_words_with_a_live_probe) {
        probe(PROBE_OK, 0, T0);
        line("[29-Nov-2026 19:44:01] WARNING: [pool www] server reached pm.max_children setting (5), consider "
             "raising it", T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "pool_saturated");
        ck_assert_msg(strstr(last()->summary, "was busy") && strstr(last()->summary, "the probe answered: the pool is alive"),
                      "%s", last()->summary);
        ck_assert(!strstr(last()->summary, "as FastCGI should"));
        ck_assert_str_eq(last()->evidence.probe.outcome, "ok");
}
END_TEST

/* A 504 while fastcgi_read_timeout_short fires counts in it: one alert, citing nginx.conf:LINE. */
START_TEST(test_read_timeout_joins_config_finding) {
        probe(PROBE_OK, 0, T0);
        const struct diag_config_finding f = {
                .cause = CAUSE_FASTCGI_READ_TIMEOUT_SHORT, .pool = "www", .file = "/etc/nginx/nginx.conf", .line = 7,
                .summary = "fastcgi_read_timeout 2s at /etc/nginx/nginx.conf:7 is shorter than pool www's "
                           "request_terminate_timeout 3s.",
                .remedy = "fastcgi_read_timeout 3s at /etc/nginx/nginx.conf:7" };
        diag_config(d, &f, 1, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        nginx("upstream timed out (110: Connection timed out) while reading response header from upstream", T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);   /* no upstream_timeout of its own */
        seen->n = 0;
        diag_each_firing(d, T0 + SEC, alerts_seen_collect, seen);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "fastcgi_read_timeout_short");
        ck_assert_uint_eq(last()->evidence.kinds[KIND_UPSTREAM_READ_TIMEOUT], 1);
        ck_assert_msg(strstr(last()->summary, "It failed 1 request since."), "%s", last()->summary);
        ck_assert_str_eq(last()->remedy[0], f.remedy);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("diag_words");
        TCase *tc = tcase_create("words");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_sigkill_not_oom);
        tcase_add_test(tc, test_terminate_timeout);
        tcase_add_test(tc, test_oom_remedies_name_the_limit);
        tcase_add_test(tc, test_crash_coredumpctl);
        tcase_add_test(tc, test_reload_cuts_requests);
        tcase_add_test(tc, test_reload_long_before_is_not_the_cause);
        tcase_add_test(tc, test_no_unit_restarts_by_pid_file);
        tcase_add_test(tc, test_socket_changed_after_start);
        tcase_add_test(tc, test_down_carries_no_healthy_probe);
        tcase_add_test(tc, test_config_permission_carries_no_healthy_socket);
        tcase_add_test(tc, test_saturated_words_with_a_live_probe);
        tcase_add_test(tc, test_read_timeout_joins_config_finding);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return fixture_run(suite());
}
