/* kernel_parse, kmsg_parse and classify_line on arbitrary bytes: every span must point into the
 * input, and a record must say which process it is about. */
#include <string.h>

#include "classify.h"
#include "fuzz_check.h"
#include "kernel_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct kernel_oom k;
        enum kernel_record r = kernel_parse((const char *) data, size, &k);
        CHECK_SPAN(k.comm, data, size);
        CHECK_SPAN(k.constraint, data, size);
        CHECK_SPAN(k.oom_memcg, data, size);
        CHECK_SPAN(k.task_memcg, data, size);
        if (r == KERNEL_OOM_KILLED || r == KERNEL_OOM_SUMMARY)
                FUZZ_CHECK(k.pid >= 0 && k.comm.p);
        if (r == KERNEL_MEMCG_USAGE)
                FUZZ_CHECK(k.usage_kb >= 0 && k.limit_kb >= 0);
        if (r == KERNEL_NONE)
                FUZZ_CHECK(k.pid == -1 && !k.comm.p && k.anon_rss_kb == -1);
        struct kmsg_record rec;
        if (kmsg_parse((const char *) data, size, &rec) == 0) {
                CHECK_SPAN(rec.text, data, size);
                FUZZ_CHECK(rec.facility >= 0 && rec.facility < 128 && rec.level >= 0 && rec.level < 8);
                FUZZ_CHECK(!memchr(rec.text.p, '\n', rec.text.n));
        }
        static struct logline ll;
        struct event ev;
        enum event_kind kind = classify_line((const char *) data, size, &ll, &ev);
        if (kind_info(kind)->source == SOURCE_KERNEL)
                FUZZ_CHECK(ev.child_pid >= 0 || kind == KIND_KERNEL_MEMCG_USAGE);
        return 0;
}
