/* Durations (systemd.time(7) spans) from arbitrary bytes: what duration_parse() accepts,
 * duration_format() prints in a form that reads back to the same microseconds. */
#include <errno.h>
#include <string.h>

#include "duration.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        FUZZ_CHECK(s);
        memcpy(s, data, size);
        s[size] = '\0';
        uint64_t usec = 0, again = 0;
        int r = duration_parse(s, &usec);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
        if (r == 0) {
                char buf[32];
                const char *text = duration_format(usec, buf);
                FUZZ_CHECK(memchr(buf, '\0', sizeof(buf)) != NULL);
                FUZZ_CHECK(duration_parse(text, &again) == 0);
                /* the format drops the smallest parts that do not fit 32 bytes: never past 999 days */
                FUZZ_CHECK(again <= usec);
                FUZZ_CHECK(usec >= 1000 * 86400000000ULL || again == usec);
        }
        free(s);
        return 0;
}
