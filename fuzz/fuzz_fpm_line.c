/* fpm_parse on arbitrary bytes: every span it returns must point into the input. */
#include "fpm_log.h"
#include "fuzz_check.h"
#include "timestamp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct fpm_line l;
        if (fpm_parse((const char *) data, size, &l) < 0)
                return 0;
        CHECK_SPAN(l.time, data, size);
        CHECK_SPAN(l.level, data, size);
        CHECK_SPAN(l.pid, data, size);
        CHECK_SPAN(l.pool, data, size);
        CHECK_SPAN(l.message, data, size);
        FUZZ_CHECK(l.lvl != LEVEL_UNKNOWN);
        struct timestamp t;
        timestamp_parse_fpm(l.time, &t);
        return 0;
}
