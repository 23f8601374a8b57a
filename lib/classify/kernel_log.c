#include "kernel_log.h"

#include <errno.h>
#include <string.h>

static void oom_init(struct kernel_oom *k) {
        *k = (struct kernel_oom) {
                .pid = -1, .total_vm_kb = -1, .anon_rss_kb = -1, .file_rss_kb = -1, .shmem_rss_kb = -1,
                .uid = -1, .usage_kb = -1, .limit_kb = -1,
        };
}

/* "KEY:1234kB" (or "KEY:1234") anywhere in t: the number, else -1. */
static long figure(struct span t, const char *key, size_t n) {
        const char *at = span_find(t, key, n);
        long v;
        if (!at)
                return -1;
        struct span s = span_range(at + n, t.p + t.n);
        return span_take_long(&s, &v) ? v : -1;
}
#define FIGURE(t, key) figure((t), (key), sizeof(key) - 1)

/* oom_kill_process()'s message before ": Killed process ": it must say out of memory. */
static bool oom_message(struct span m, struct kernel_oom *k) {
        if (m.n > 64 || !(SPAN_FIND(m, "ut of memory")))
                return false;
        k->memcg = SPAN_STARTS(m, "Memory cgroup out of memory");
        return true;
}

/* "[MESSAGE: ]Killed process 4242 (php-fpm8.2) total-vm:…kB, anon-rss:…kB, …" */
static enum kernel_record parse_killed(struct span t, struct kernel_oom *k) {
        static const char killed[] = "Killed process ";
        const char *at = SPAN_STARTS(t, "Killed process ") ? t.p : SPAN_FIND(t, ": Killed process ");
        if (!at)
                return KERNEL_NONE;
        if (at != t.p) {
                if (!oom_message(span_range(t.p, at), k))
                        return KERNEL_NONE;
                at += 2;
        }
        struct span r = span_range(at + sizeof(killed) - 1, t.p + t.n);
        if (!span_take_long(&r, &k->pid) || !SPAN_SKIP(&r, " ("))
                return KERNEL_NONE;
        /* the command may hold spaces and parentheses: it ends at the figures, or at the end */
        const char *close = SPAN_FIND(r, ") total-vm:");
        if (!close && SPAN_ENDS(r, ")"))
                close = r.p + r.n - 1;
        if (!close || close - r.p > 64)
                return KERNEL_NONE;
        k->comm = span_range(r.p, close);
        struct span figures = span_range(close + 1, r.p + r.n);
        k->total_vm_kb = FIGURE(figures, "total-vm:");
        k->anon_rss_kb = FIGURE(figures, "anon-rss:");
        k->file_rss_kb = FIGURE(figures, "file-rss:");
        k->shmem_rss_kb = FIGURE(figures, "shmem-rss:");
        k->uid = FIGURE(figures, "UID:");
        return KERNEL_OOM_KILLED;
}

/* The value of ",KEY=" in s up to the next field: until `until` (itself found in s), or SPAN_NULL. */
static struct span field_before(struct span s, const char *key, size_t n, const char *until) {
        const char *at = span_find(s, key, n);
        if (!at || at + n > until)
                return SPAN_NULL;
        return span_range(at + n, until);
}

/* "oom-kill:constraint=C,nodemask=…,cpuset=…,mems_allowed=…[,oom_memcg=M],task_memcg=T,task=COMM,pid=P,uid=U":
 * read from the right for the command, which may hold anything. */
static enum kernel_record parse_summary(struct span t, struct kernel_oom *k) {
        const char *uid = span_rfind(t, ",uid=", 5);
        if (!uid)
                return KERNEL_NONE;
        struct span u = span_range(uid + 5, t.p + t.n);
        struct span before_uid = span_range(t.p, uid);
        const char *pid = span_rfind(before_uid, ",pid=", 5);
        if (!pid)
                return KERNEL_NONE;
        struct span p = span_range(pid + 5, uid);
        if (!span_take_long(&p, &k->pid) || p.n != 0)
                return KERNEL_NONE;
        span_take_long(&u, &k->uid);
        const char *task = span_rfind(span_range(t.p, pid), ",task=", 6);
        if (!task)
                return KERNEL_NONE;
        k->comm = span_range(task + 6, pid);
        struct span head = span_range(t.p, task);
        const char *comma = SPAN_FIND(head, ",");
        k->constraint = span_range(t.p + 20, comma ? comma : head.p + head.n);
        const char *task_memcg = SPAN_FIND(head, ",task_memcg=");
        if (task_memcg) {
                k->task_memcg = span_range(task_memcg + 12, task);
                k->oom_memcg = field_before(head, ",oom_memcg=", 11, task_memcg);
        }
        k->memcg = SPAN_STARTS(k->constraint, "CONSTRAINT_MEMCG");
        return KERNEL_OOM_SUMMARY;
}

/* "memory: usage 65536kB, limit 65536kB, failcnt 2521" */
static enum kernel_record parse_usage(struct span t, struct kernel_oom *k) {
        struct span r = span_range(t.p + 14, t.p + t.n);
        if (!span_take_long(&r, &k->usage_kb) || !SPAN_SKIP(&r, "kB, limit ") ||
            !span_take_long(&r, &k->limit_kb) || !SPAN_STARTS(r, "kB")) {
                oom_init(k);
                return KERNEL_NONE;
        }
        k->memcg = true;
        return KERNEL_MEMCG_USAGE;
}

enum kernel_record kernel_parse(const char *p, size_t n, struct kernel_oom *k) {
        struct span t = span_make(p, n);
        enum kernel_record r = KERNEL_NONE;
        oom_init(k);
        if (n < 16)
                return KERNEL_NONE;
        switch (p[0]) {         /* one byte rules out almost every other kernel message */
        case 'o':
                if (SPAN_STARTS(t, "oom-kill:constraint="))
                        r = parse_summary(t, k);
                break;
        case 'm':
                if (SPAN_STARTS(t, "memory: usage "))
                        r = parse_usage(t, k);
                break;
        case 'O':
        case 'M':
        case 'K':
                r = parse_killed(t, k);
                break;
        default:
                break;
        }
        if (r == KERNEL_NONE)
                oom_init(k);
        return r;
}

/* A decimal field ended by sep: false if none, too long or not followed by sep. */
static bool take_field(struct span *t, char sep, uint64_t *out) {
        uint64_t v = 0;
        size_t i = 0;
        for (; i < t->n && i < 20 && t->p[i] >= '0' && t->p[i] <= '9'; i++) {
                if (v > (UINT64_MAX - 9) / 10)
                        return false;
                v = v * 10 + (uint64_t) (t->p[i] - '0');
        }
        if (i == 0 || i >= t->n || t->p[i] != sep)
                return false;
        *t = span_make(t->p + i + 1, t->n - i - 1);
        *out = v;
        return true;
}

int kmsg_parse(const char *p, size_t n, struct kmsg_record *r) {
        struct span t = span_make(p, n);
        uint64_t pri, seq, usec;
        if (!take_field(&t, ',', &pri) || pri > 1023 || !take_field(&t, ',', &seq) || !take_field(&t, ',', &usec))
                return -EBADMSG;
        const char *semi = memchr(t.p, ';', t.n < 64 ? t.n : 64);
        if (!semi || semi == t.p)
                return -EBADMSG;
        const char *text = semi + 1, *end = p + n;
        const char *nl = memchr(text, '\n', (size_t) (end - text));
        *r = (struct kmsg_record) {
                .facility = (int) (pri >> 3), .level = (int) (pri & 7), .seq = seq, .usec = usec,
                .text = span_range(text, nl ? nl : end),
        };
        return 0;
}
