/* The kernel's OOM-killer records: real ones from this machine's /dev/kmsg, the older kernels'
 * forms (mm/oom_kill.c before 4.19, 5.0, 5.4), and the wrappers they come in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fixtures.h"

static enum event_kind classify(const char *line, struct event *ev) {
        static struct logline ll;
        return classify_line(line, strlen(line), &ll, ev);
}

static const char killed_memcg[] =
        "Memory cgroup out of memory: Killed process 29563 (php) total-vm:187996kB, anon-rss:65000kB, "
        "file-rss:9452kB, shmem-rss:0kB, UID:0 pgtables:352kB oom_score_adj:0";

/* /dev/kmsg as read after a real OOM kill in a 64 MB v1 memory cgroup: three records are the
 * OOM killer's, the rest of the report is left alone. */
START_TEST(test_real_kmsg) {
        char *text = fixture_read("kernel/oom-memcg-v1.kmsg", NULL);
        enum event_kind want[] = {
                [3] = KIND_KERNEL_MEMCG_USAGE, [10] = KIND_KERNEL_OOM_SUMMARY, [11] = KIND_KERNEL_OOM_KILL,
        };
        struct event ev;
        unsigned i = 0;
        for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"), i++) {
                enum event_kind k = classify(line, &ev);
                ck_assert_msg(k == (i < sizeof(want) / sizeof(want[0]) ? want[i] : KIND_NONE), "line %u: %s", i + 1,
                              kind_id(k));
                if (k == KIND_KERNEL_MEMCG_USAGE) {
                        ck_assert_int_eq(ev.oom.usage_kb, 65536);
                        ck_assert_int_eq(ev.oom.limit_kb, 65536);
                }
                if (k == KIND_KERNEL_OOM_SUMMARY) {
                        ck_assert_int_eq(ev.child_pid, 29563);
                        ck_assert_span_eq(ev.detail, "php");
                        ck_assert_span_eq(ev.oom.constraint, "CONSTRAINT_MEMCG");
                        ck_assert_span_eq(ev.oom.oom_memcg,
                                          "/process_api/35b24dda17f968bc993e53d95338fbe3/badgw-oomtry-20576");
                        ck_assert_span_eq(ev.oom.task_memcg,
                                          "/process_api/35b24dda17f968bc993e53d95338fbe3/badgw-oomtry-20576");
                        ck_assert_int_eq(ev.oom.uid, 0);
                        ck_assert(ev.oom.memcg);
                }
                if (k == KIND_KERNEL_OOM_KILL) {
                        ck_assert_int_eq(ev.source, SOURCE_KERNEL);
                        ck_assert_int_eq(ev.child_pid, 29563);
                        ck_assert_span_eq(ev.detail, "php");
                        ck_assert_int_eq(ev.oom.total_vm_kb, 187996);
                        ck_assert_int_eq(ev.oom.anon_rss_kb, 65000);
                        ck_assert_int_eq(ev.oom.file_rss_kb, 9452);
                        ck_assert_int_eq(ev.oom.shmem_rss_kb, 0);
                        ck_assert(ev.oom.memcg);
                }
        }
        ck_assert_uint_eq(i, 12);
        free(text);
}
END_TEST

/* The same record bare (the journal's kernel transport), from dmesg, syslog and journalctl. */
START_TEST(test_wrappers) {
        static const char *const forms[] = {
                "",
                "[16665.539750] ",
                "[    5.000001] ",
                "3,51012,16665539750,-;",
                "3,51012,16665539750,-,caller=T29563;",
                "Nov 29 19:44:01 host kernel: ",
                "Nov 29 19:44:01 host kernel: [16665.539750] ",
                "2026-11-29T19:44:01+0000 host kernel: ",
                "<3>1 2026-11-29T19:44:01Z host kernel - - - ",
        };
        for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
                char line[512];
                strcat(strcpy(line, forms[i]), killed_memcg);
                struct event ev;
                ck_assert_msg(classify(line, &ev) == KIND_KERNEL_OOM_KILL, "form %zu: %s", i, line);
                ck_assert_int_eq(ev.child_pid, 29563);
                ck_assert_int_eq(ev.oom.anon_rss_kb, 65000);
        }
}
END_TEST

/* Each kernel's form: what it prints, what it leaves out. */
START_TEST(test_kernel_versions) {
        struct event ev;
        /* before 4.19: no message before "Killed process" */
        ck_assert_int_eq(classify("Killed process 2209 (php-fpm7.0) total-vm:812304kB, anon-rss:524288kB, "
                                  "file-rss:0kB, shmem-rss:1024kB", &ev), KIND_KERNEL_OOM_KILL);
        ck_assert_int_eq(ev.child_pid, 2209);
        ck_assert_span_eq(ev.detail, "php-fpm7.0");
        ck_assert_int_eq(ev.oom.anon_rss_kb, 524288);
        ck_assert_int_eq(ev.oom.shmem_rss_kb, 1024);
        ck_assert_int_eq(ev.oom.uid, -1);
        ck_assert(!ev.oom.memcg);
        /* 5.0 to 5.3: UID, no pgtables */
        ck_assert_int_eq(classify("Out of memory: Killed process 31337 (php-fpm7.3) total-vm:600000kB, "
                                  "anon-rss:400000kB, file-rss:100kB, shmem-rss:0kB, UID:33", &ev),
                         KIND_KERNEL_OOM_KILL);
        ck_assert_int_eq(ev.oom.uid, 33);
        ck_assert(!ev.oom.memcg);
        ck_assert_int_eq(classify("Out of memory (oom_kill_allocating_task): Killed process 7 (php-fpm8.2) "
                                  "total-vm:1kB, anon-rss:2kB, file-rss:3kB, shmem-rss:4kB, UID:33 pgtables:5kB "
                                  "oom_score_adj:0", &ev), KIND_KERNEL_OOM_KILL);
        ck_assert_int_eq(ev.oom.total_vm_kb, 1);
        /* the machine ran out: no memory cgroup in the summary */
        ck_assert_int_eq(classify("oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,"
                                  "global_oom,task_memcg=/system.slice/php8.2-fpm.service,task=php-fpm8.2,"
                                  "pid=4242,uid=33", &ev), KIND_KERNEL_OOM_SUMMARY);
        ck_assert_span_eq(ev.oom.constraint, "CONSTRAINT_NONE");
        ck_assert_ptr_null(ev.oom.oom_memcg.p);
        ck_assert_span_eq(ev.oom.task_memcg, "/system.slice/php8.2-fpm.service");
        ck_assert_int_eq(ev.child_pid, 4242);
        ck_assert_int_eq(ev.oom.uid, 33);
        ck_assert(!ev.oom.memcg);
}
END_TEST

/* A command may hold spaces, parentheses and commas; the figures are read after it. */
START_TEST(test_odd_commands) {
        struct event ev;
        ck_assert_int_eq(classify("Out of memory: Killed process 12 (a) total-vm:9kB (b) total-vm:1kB, "
                                  "anon-rss:2kB, file-rss:0kB, shmem-rss:0kB", &ev), KIND_KERNEL_OOM_KILL);
        ck_assert_span_eq(ev.detail, "a");
        ck_assert_int_eq(classify("oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
                                  "oom_memcg=/a,task_memcg=/a,task=x,pid=1,y,pid=77,uid=33", &ev),
                         KIND_KERNEL_OOM_SUMMARY);
        ck_assert_span_eq(ev.detail, "x,pid=1,y");
        ck_assert_int_eq(ev.child_pid, 77);
}
END_TEST

/* What looks close and is not the OOM killer's record. */
START_TEST(test_not_records) {
        static const char *const lines[] = {
                "Out of memory: Kill process 1234 (php-fpm) score 900 or sacrifice child",
                "oom_reaper: reaped process 29563 (php), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
                "memory+swap: usage 65536kB, limit 9007199254740988kB, failcnt 0",
                "memory: usage lots",
                "systemd[1]: Killed process 12 (php) total-vm:1kB",
                "Memory cgroup out of memory: Killed process",
                "Memory cgroup out of memory: Killed process 12 (php",
                "oom-kill:constraint=CONSTRAINT_MEMCG,task=php,pid=x,uid=0",
                "oom-kill:constraint=CONSTRAINT_MEMCG,pid=12,uid=0",
                "6,1,2,-;nothing to see",
                "[1.5] Out of memory",
                "Out of memory",
                "",
        };
        struct event ev;
        for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
                ck_assert_msg(classify(lines[i], &ev) == KIND_NONE, "%s", lines[i]);
                ck_assert_int_eq(ev.child_pid, -1);
        }
        /* an nginx line carrying the kernel's words in a request stays nginx's */
        ck_assert_int_eq(classify("2026/11/25 13:23:15 [error] 1#1: *1 open() \"/x\" failed (2: No such file), "
                                  "request: \"GET /Out of memory: Killed process 1 (x) total-vm:1kB\"", &ev),
                         KIND_NONE);
}
END_TEST

/* /dev/kmsg's records: the header, the text up to the continuation lines, and what is not one. */
START_TEST(test_kmsg_records) {
        struct kmsg_record r;
        static const char rec[] = "3,51012,16665539750,-,caller=T29563;Memory cgroup out of memory: Killed\n"
                                  " SUBSYSTEM=memory\n DEVICE=+memory:x\n";
        ck_assert_int_eq(kmsg_parse(rec, sizeof(rec) - 1, &r), 0);
        ck_assert_int_eq(r.facility, 0);
        ck_assert_int_eq(r.level, 3);
        ck_assert_uint_eq(r.seq, 51012);
        ck_assert_uint_eq(r.usec, 16665539750ULL);
        ck_assert_span_eq(r.text, "Memory cgroup out of memory: Killed");
        static const char user[] = "30,7,1,-;systemd[1]: Started x.";
        ck_assert_int_eq(kmsg_parse(user, sizeof(user) - 1, &r), 0);
        ck_assert_int_eq(r.facility, 3);
        ck_assert_int_eq(r.level, 6);
        static const char *const bad[] = { "", "6,1,2;x", "6,1,2,", "6,1,2,-", "a,1,2,-;x", "6,,2,-;x",
                                           "99999999999999999999999,1,2,-;x", "1024,1,2,-;x" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(kmsg_parse(bad[i], strlen(bad[i]), &r) == -EBADMSG, "%s", bad[i]);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("kernel_log");
        TCase *tc = tcase_create("kernel_log");
        tcase_add_test(tc, test_real_kmsg);
        tcase_add_test(tc, test_wrappers);
        tcase_add_test(tc, test_kernel_versions);
        tcase_add_test(tc, test_odd_commands);
        tcase_add_test(tc, test_not_records);
        tcase_add_test(tc, test_kmsg_records);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return fixture_run(suite());
}
