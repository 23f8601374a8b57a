/* The FastCGI decoder on bytes from the wire: first byte picks the chunk size, the rest is the
 * stream. Whatever arrives, records stay inside their bounds and pairs inside their record. */
#include <errno.h>
#include <string.h>

#include "fcgi.h"
#include "fuzz_check.h"

static struct fcgi_decoder dec;        /* 64 KiB: kept off the stack */

static void check_record(const struct fcgi_record *rec) {
        FUZZ_CHECK(rec->version == FCGI_VERSION_1);
        FUZZ_CHECK(rec->content.n <= FCGI_MAX_CONTENT);
        check_span_in(rec->content, (const uint8_t *) dec.content, sizeof(dec.content), "content");
        struct span s = rec->content;
        struct fcgi_pair pair;
        int r;
        while ((r = fcgi_next_pair(&s, &pair)) > 0) {
                check_span_in(pair.name, (const uint8_t *) rec->content.p, rec->content.n, "name");
                check_span_in(pair.value, (const uint8_t *) rec->content.p, rec->content.n, "value");
        }
        FUZZ_CHECK(r == 0 || r == -EBADMSG);
        struct fcgi_values v;
        struct fcgi_end end;
        (void) fcgi_parse_values(rec->content, &v);
        (void) fcgi_parse_end_request(rec->content, &end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        if (size == 0)
                return 0;
        size_t chunk = (size_t) data[0] % 17 + 1;
        struct span stream = span_make((const char *) data + 1, size - 1);
        fcgi_decoder_init(&dec);
        uint64_t taken = 0;
        int r = 0;
        while (stream.n > 0 && r >= 0) {
                struct span in = span_make(stream.p, stream.n < chunk ? stream.n : chunk);
                size_t before = in.n;
                struct fcgi_record rec;
                while ((r = fcgi_decode(&dec, &in, &rec)) > 0)
                        check_record(&rec);
                FUZZ_CHECK(r == 0 || r == -EPROTO);
                if (r == 0)
                        FUZZ_CHECK(in.n == 0);     /* 0: it took the whole chunk */
                taken += before - in.n;
                stream = span_make(stream.p + (before - in.n), stream.n - (before - in.n));
                if (r == 0 && before == in.n)
                        break;
        }
        if (r == -EPROTO) {
                FUZZ_CHECK(dec.error_offset < size);
                FUZZ_CHECK((const uint8_t) data[1 + dec.error_offset] == dec.error_byte);
        } else {
                FUZZ_CHECK(taken == size - 1);
                int e = fcgi_decode_eof(&dec);
                FUZZ_CHECK(e == 0 || e == -EPIPE);
        }
        return 0;
}
