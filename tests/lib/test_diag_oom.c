/* worker_killed proven, not guessed: php-fpm's SIGKILL line matched by pid and time to the
 * kernel's OOM records (real ones, from this machine's /dev/kmsg) or to the pool cgroup's
 * oom_kill counter, in either order. */
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
static const struct diag_pool pools[] = { { .name = "www", .listen = &www_listen, .listen_resolved = NULL, .unit = "php8.2-fpm.service" } };

static void start(bool kernel_log) {
        seen = calloc(1, sizeof(*seen));
        ck_assert_int_eq(address_parse(&www_listen, "/run/php/php-fpm.sock", 21), 0);
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC, .kernel_log = kernel_log };
        ck_assert_int_eq(diag_new(&d, &s, pools, 1), 0);
}

static void setup(void) {
        start(true);
}

static void teardown(void) {
        d = diag_free(d);
        free(seen);
}

static void line(const char *text, uint64_t now) {
        struct logline ll;
        struct event ev;
        ck_assert_int_ne(classify_line(text, strlen(text), &ll, &ev), KIND_NONE);
        diag_log(d, &ev, text, strlen(text), 0, now);
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

static const char reset[] =
        "2026/11/29 19:44:01 [error] 1#1: *5 recv() failed (104: Connection reset by peer) while reading response "
        "header from upstream, client: 127.0.0.1, server: s, request: \"GET /eat.php HTTP/1.1\", "
        "upstream: \"fastcgi://unix:/run/php/php-fpm.sock:\", host: \"h\"";
static const char sigkill[] =
        "[29-Nov-2026 19:44:01] WARNING: [pool www] child 29563 exited on signal 9 (SIGKILL) after 1.201 seconds from start";
/* /dev/kmsg's records of the same kill, as the kernel wrote them (tests/data/kernel/) */
static const char usage[] = "6,51004,16665531791,-;memory: usage 65536kB, limit 65536kB, failcnt 2521";
static const char summary[] =
        "6,51011,16665539721,-;oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
        "oom_memcg=/process_api/badgw-oom,task_memcg=/process_api/badgw-oom,task=php-fpm8.2,pid=29563,uid=33";
static const char killed[] =
        "3,51012,16665539750,-;Memory cgroup out of memory: Killed process 29563 (php-fpm8.2) total-vm:187996kB, "
        "anon-rss:65000kB, file-rss:9452kB, shmem-rss:0kB, UID:33 pgtables:352kB oom_score_adj:0";

static void kernel_records(uint64_t now) {
        line(usage, now);
        line(summary, now);
        line(killed, now);
}

/* The kernel's records come first (the usual order): the alert says OOM with the kernel's figures. */
START_TEST(test_kernel_first) {
        line(reset, T0);
        kernel_records(T0 + 1000);
        line(sigkill, T0 + 2000);
        flush(T0 + 2000);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_str_eq(cause_id(last()->cause), "worker_killed");
        ck_assert_str_eq(last()->summary,
                         "PHP-FPM workers of pool www died mid-request: OOM-killed by the kernel (pid 29563, anon-rss 63 MB; "
                         "limit: memory cgroup /process_api/badgw-oom at 64 MB) (2 log lines).");
        const struct alert_oom *o = &last()->evidence.oom;
        ck_assert(o->have);
        ck_assert_str_eq(o->proof, "kernel_log");
        ck_assert_int_eq(o->pid, 29563);
        ck_assert_str_eq(o->comm, "php-fpm8.2");
        ck_assert_int_eq(o->anon_rss_kb, 65000);
        ck_assert_int_eq(o->total_vm_kb, 187996);
        ck_assert_int_eq(o->limit_kb, 65536);
        ck_assert_str_eq(o->cgroup, "/process_api/badgw-oom");
        expect_kinds(last(), "upstream_reset=1, fpm_child_signal=1, kernel_oom_kill=1");
        ck_assert_int_eq(last()->evidence.n_samples, 3);
        ck_assert_str_eq(last()->evidence.samples[2], killed);
}
END_TEST

/* php-fpm's line first: the verdict waits for the kernel's record (pairing_usec), then says OOM;
 * the unit's MemoryMax names the limit. */
START_TEST(test_fpm_first_waits) {
        struct unit_state u = { .load_state = "loaded", .active_state = "active", .sub_state = "running",
                                .control_group = "/system.slice/php8.2-fpm.service", .memory_max = 256 << 20 };
        diag_unit(d, 0, &u, T0);
        line(sigkill, T0);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 0);
        ck_assert_uint_eq(diag_next_due(d), T0 + 2 * SEC);
        kernel_records(T0 + SEC + 1);
        flush(T0 + SEC + 1);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "OOM-killed by the kernel (pid 29563, anon-rss 63 MB; limit: "
                                                      "the unit's MemoryMax 256 MB)"));
        ck_assert_uint_eq(last()->evidence.oom.memory_max, 256 << 20);
}
END_TEST

/* With the kernel's records read and none about the pid: kill -9, not the OOM killer. */
START_TEST(test_no_record) {
        line(sigkill, T0);
        line("Out of memory: Killed process 777 (mysqld) total-vm:1kB, anon-rss:1kB, file-rss:0kB, shmem-rss:0kB", T0);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 0);
        flush(T0 + 2 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "killed by SIGKILL, not by the OOM killer (no kernel record)"));
        ck_assert(!last()->evidence.oom.have);
        /* a record that comes after the verdict updates the next summary */
        kernel_records(T0 + 3 * SEC);
        diag_each_firing(d, T0 + 3 * SEC, alerts_seen_collect, seen);
        ck_assert_ptr_nonnull(strstr(last()->summary, "OOM-killed by the kernel (pid 29563"));
}
END_TEST

/* A record older than the match window is another kill. */
START_TEST(test_stale_record) {
        kernel_records(T0);
        line(sigkill, T0 + 30 * SEC);
        flush(T0 + 33 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "not by the OOM killer"));
}
END_TEST

/* No kernel log and no cgroup: say so, do not guess. */
START_TEST(test_nothing_to_prove_with) {
        teardown();
        start(false);
        line(sigkill, T0);
        flush(T0);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "killed by SIGKILL (no kernel log is read: an OOM kill cannot be "
                                                      "told from kill -9)"));
}
END_TEST

/* The pool's cgroup counted an OOM kill when php-fpm saw the worker die: proven without the log. */
START_TEST(test_cgroup_counter) {
        teardown();
        start(false);
        struct unit_state u = { .load_state = "loaded", .active_state = "active", .sub_state = "running",
                                .control_group = "/system.slice/php8.2-fpm.service", .memory_max = UINT64_MAX };
        diag_unit(d, 0, &u, T0);
        diag_cgroup_oom(d, 0, 3, CGROUP_V2, T0);        /* the baseline */
        line(sigkill, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 0);                   /* the counter may still come */
        diag_cgroup_oom(d, 0, 4, CGROUP_V2, T0 + SEC + 10);
        flush(T0 + SEC + 10);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "OOM-killed by the kernel (the cgroup's oom_kill counter rose; "
                                                      "limit: the v2 cgroup /system.slice/php8.2-fpm.service)"));
        ck_assert_str_eq(last()->evidence.oom.proof, "cgroup");
        ck_assert_str_eq(last()->evidence.oom.cgroup_version, "v2");
        /* the counter unchanged at the next kill: not the OOM killer */
        teardown();
        start(false);
        diag_unit(d, 0, &u, T0);
        diag_cgroup_oom(d, 0, 4, CGROUP_V1, T0);
        line(sigkill, T0 + SEC);
        diag_cgroup_oom(d, 0, 4, CGROUP_V1, T0 + SEC);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "killed by SIGKILL, not by the OOM killer (the v1 cgroup's "
                                                      "oom_kill counter did not rise)"));
}
END_TEST

/* Reloading the configuration keeps the kernel's records and the counter. */
START_TEST(test_adopt_keeps_records) {
        kernel_records(T0);
        struct diag *fresh;
        struct diag_settings s = { .resolve_after_usec = 60 * SEC, .summary_interval_usec = 300 * SEC,
                                   .confirmations = 2, .pairing_usec = 2 * SEC, .kernel_log = true };
        ck_assert_int_eq(diag_new(&fresh, &s, pools, 1), 0);
        diag_adopt(fresh, d);
        diag_free(d);
        d = fresh;
        line(sigkill, T0 + SEC);
        flush(T0 + SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "OOM-killed by the kernel (pid 29563"));
}
END_TEST

/* php-fpm in a PID namespace of its own (a container, a test manager) logs pids the kernel does
 * not: a victim in the pool unit's cgroup at that moment is the worker; another cgroup's is not. */
START_TEST(test_pid_namespace) {
        struct unit_state u = { .load_state = "loaded", .active_state = "active", .sub_state = "running",
                                .control_group = "/system.slice/php8.2-fpm.service", .memory_max = 96 << 20 };
        diag_unit(d, 0, &u, T0);
        line("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
             "oom_memcg=/system.slice/php8.2-fpm.service,task_memcg=/system.slice/php8.2-fpm.service,"
             "task=php-fpm8.2,pid=123456,uid=33", T0);
        line("Memory cgroup out of memory: Killed process 123456 (php-fpm8.2) total-vm:380096kB, anon-rss:93996kB, "
             "file-rss:6348kB, shmem-rss:384kB, UID:33 pgtables:484kB oom_score_adj:0", T0);
        line(sigkill, T0 + 1000);
        flush(T0 + 1000);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "OOM-killed by the kernel (pid 123456, anon-rss 92 MB; limit: "
                                                      "the unit's MemoryMax 96 MB)"));
        /* the service's sibling is not the pool */
        teardown();
        setup();
        diag_unit(d, 0, &u, T0);
        line("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
             "oom_memcg=/system.slice/php8.2-fpm.service.d,task_memcg=/system.slice/php8.2-fpm.service.d,"
             "task=php-fpm8.2,pid=123456,uid=33", T0);
        line(sigkill, T0 + 1000);
        flush(T0 + 3 * SEC);
        ck_assert_int_eq(seen->n, 1);
        ck_assert_ptr_nonnull(strstr(last()->summary, "not by the OOM killer"));
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("diag_oom");
        TCase *tc = tcase_create("diag_oom");
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_kernel_first);
        tcase_add_test(tc, test_fpm_first_waits);
        tcase_add_test(tc, test_no_record);
        tcase_add_test(tc, test_stale_record);
        tcase_add_test(tc, test_nothing_to_prove_with);
        tcase_add_test(tc, test_cgroup_counter);
        tcase_add_test(tc, test_adopt_keeps_records);
        tcase_add_test(tc, test_pid_namespace);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return fixture_run(suite());
}
