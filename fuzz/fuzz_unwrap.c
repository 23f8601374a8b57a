/*
 * unwrap_line: the text and the time it returns lie inside the input, or inside the buffer a
 * json-file line is decoded into; with no wrapper the text is the whole input; the time parses
 * (or not) without reading past its span. Then the whole line through classify_line.
 */
#include <string.h>

#include "classify.h"
#include "fuzz_check.h"
#include "unwrap.h"

static char buf[LOGLINE_TEXT_MAX];

static void check_in(struct span s, const uint8_t *data, size_t size, unsigned forms, const char *what) {
        if (forms & UNWRAP_DOCKER_JSON)
                check_span_in(s, (const uint8_t *) buf, sizeof(buf), what);
        else
                check_span_in(s, data, size, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct unwrapped u;
        bool peeled = unwrap_line((const char *) data, size, &u, buf, sizeof(buf));
        FUZZ_CHECK(peeled == (u.forms != 0));
        FUZZ_CHECK((u.forms & ~((unsigned) UNWRAP_DMESG * 2 - 1)) == 0);
        if (!peeled) {
                FUZZ_CHECK(u.text.p == (const char *) data && u.text.n == size);
                FUZZ_CHECK(!u.time.p && u.time_form == UNWRAP_TIME_NONE);
        }
        check_in(u.text, data, size, u.forms, "text");
        check_in(u.time, data, size, u.forms, "time");
        FUZZ_CHECK((u.time.p != NULL) == (u.time_form != UNWRAP_TIME_NONE));
        if (!(u.forms & UNWRAP_DOCKER_JSON))
                FUZZ_CHECK(u.text.n <= size);
        struct timestamp t;
        if (unwrap_parse_time(&u, 1798966800, &t)) {
                FUZZ_CHECK(t.month >= 1 && t.month <= 12 && t.day >= 1 && t.day <= 31);
                FUZZ_CHECK(t.usec >= 0 && t.usec < 1000000);
        }
        /* peeling what was peeled finds no further JSON layer */
        struct unwrapped again;
        char small[128];
        unwrap_line(u.text.p, u.text.n, &again, small, sizeof(small));
        check_span_in(again.text, (const uint8_t *) (again.forms & UNWRAP_DOCKER_JSON ? small : u.text.p),
                      again.forms & UNWRAP_DOCKER_JSON ? sizeof(small) : u.text.n, "again");

        static struct logline ll;
        struct event ev;
        enum event_kind k = classify_line((const char *) data, size, &ll, &ev);
        FUZZ_CHECK((unsigned) k < KIND__MAX && ev.kind == k);
        /* peeled alike, unless the dated parsers took the line before any peeling */
        FUZZ_CHECK(ll.wrap.forms == 0 || ll.wrap.forms == u.forms);
        logline_parse_time(&ll, &t);
        return 0;
}
