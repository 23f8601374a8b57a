/* nginx_parse on arbitrary bytes: every span it returns must point into the input. */
#include "address.h"
#include "fuzz_check.h"
#include "nginx_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct nginx_line l;
        if (nginx_parse((const char *) data, size, &l) < 0)
                return 0;
        CHECK_SPAN(l.time, data, size);
        CHECK_SPAN(l.level, data, size);
        CHECK_SPAN(l.pid, data, size);
        CHECK_SPAN(l.tid, data, size);
        CHECK_SPAN(l.conn, data, size);
        CHECK_SPAN(l.rest, data, size);
        CHECK_SPAN(l.message, data, size);
        CHECK_SPAN(l.client, data, size);
        CHECK_SPAN(l.server, data, size);
        CHECK_SPAN(l.request, data, size);
        CHECK_SPAN(l.upstream, data, size);
        CHECK_SPAN(l.host, data, size);
        CHECK_SPAN(l.referrer, data, size);
        CHECK_SPAN(address_upstream_field(l.upstream), data, size);
        FUZZ_CHECK(l.time.n == 19);
        /* the message is the head of the rest */
        FUZZ_CHECK(l.message.p == l.rest.p && l.message.n <= l.rest.n);
        return 0;
}
