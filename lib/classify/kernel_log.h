/*
 * The kernel's OOM-killer records, as printk writes them (Linux mm/oom_kill.c, mm/memcontrol.c),
 * read from the bare message text: /dev/kmsg's, the journal's kernel transport, or syslog's and
 * dmesg's once unwrap.h has peeled their prefix. Pure: no I/O, no allocation; spans point into
 * the text.
 *
 *   __oom_kill_process():  "Out of memory: Killed process 4242 (php-fpm8.2) total-vm:187996kB,
 *                          anon-rss:65000kB, file-rss:9452kB, shmem-rss:0kB, UID:33 pgtables:352kB
 *                          oom_score_adj:0"; the prefix is oom_kill_process()'s message ("Out of
 *                          memory", "Memory cgroup out of memory", "Out of memory
 *                          (oom_kill_allocating_task)"); before Linux 4.19 there was none, and the
 *                          figures after shmem-rss came later (UID 5.0, pgtables and oom_score_adj 5.4).
 *   dump_oom_summary():    "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,
 *                          mems_allowed=0,oom_memcg=/system.slice/php8.2-fpm.service,
 *                          task_memcg=/system.slice/php8.2-fpm.service,task=php-fpm8.2,pid=4242,uid=33"
 *                          (4.19 and later; oom_memcg only for a memory cgroup's OOM).
 *   mem_cgroup_print_oom_meminfo(): "memory: usage 65536kB, limit 65536kB, failcnt 2521": the
 *                          limit of the memory cgroup that ran out, printed before the two above.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "span.h"

enum kernel_record {
        KERNEL_NONE,
        KERNEL_OOM_KILLED,      /* "…: Killed process PID (COMM) total-vm:…" */
        KERNEL_OOM_SUMMARY,     /* "oom-kill:constraint=…,task=COMM,pid=PID,uid=UID" */
        KERNEL_MEMCG_USAGE,     /* "memory: usage NkB, limit NkB, failcnt N" */
};

/* What one record says; a figure it does not carry is -1, a text it does not carry SPAN_NULL. */
struct kernel_oom {
        long pid;
        struct span comm;               /* the victim's command, at most 15 bytes as the kernel keeps it */
        bool memcg;                     /* a memory cgroup's limit, not the machine, ran out */
        long total_vm_kb, anon_rss_kb, file_rss_kb, shmem_rss_kb;      /* kB (1024 bytes) */
        long uid;
        struct span constraint;         /* "CONSTRAINT_MEMCG", "CONSTRAINT_NONE"… */
        struct span oom_memcg;          /* the cgroup whose limit was hit: "/system.slice/x.service" */
        struct span task_memcg;         /* the victim's cgroup */
        long usage_kb, limit_kb;        /* KERNEL_MEMCG_USAGE */
};

/* Which record text p[0..n) is (no wrapper, no trailing newline), filling *k; KERNEL_NONE and *k
 * all -1/SPAN_NULL for any other text. */
enum kernel_record kernel_parse(const char *p, size_t n, struct kernel_oom *k);

/* One /dev/kmsg record's header and its text. */
struct kmsg_record {
        int facility, level;            /* facility 0 is the kernel's own; userspace writes others */
        uint64_t seq;                   /* the record's sequence number: a gap is records lost */
        uint64_t usec;                  /* CLOCK_MONOTONIC µs when it was logged */
        struct span text;               /* up to the first newline; \xNN escapes stay as written */
};

/*
 * One record as read(2) from /dev/kmsg gives it: "PRI,SEQ,USEC,FLAGS[,MORE…];TEXT\n" followed by
 * " KEY=VALUE\n" continuation lines (the kernel's Documentation/ABI/testing/dev-kmsg; printed by
 * kernel/printk/printk.c info_print_ext_header()). 0, or -EBADMSG.
 */
int kmsg_parse(const char *p, size_t n, struct kmsg_record *r);
