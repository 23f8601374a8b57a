/* address_parse, address_upstream_field and address_upstream_proto on arbitrary bytes: no crash, an accepted address
 * parses back from its text to itself, the upstream field stays inside the input. */
#include <errno.h>
#include <string.h>

#include "address.h"
#include "fuzz_check.h"

static void check_accepted(const struct address *a) {
        size_t n = strnlen(a->text, sizeof(a->text));
        FUZZ_CHECK(n > 0 && n < sizeof(a->text));
        struct address again;
        FUZZ_CHECK(address_parse(&again, a->text, n) == 0);
        FUZZ_CHECK(again.kind == a->kind && again.port == a->port && strcmp(again.text, a->text) == 0);
        FUZZ_CHECK(address_same(a, &again));
        FUZZ_CHECK((address_unix_path(a) != NULL) == (a->kind == ADDRESS_UNIX));
        FUZZ_CHECK((a->port == 0) == (a->kind == ADDRESS_UNIX || a->kind == ADDRESS_GROUP));
        struct sockaddr_storage ss;
        socklen_t len;
        int r = address_sockaddr(a, &ss, &len);
        FUZZ_CHECK(a->kind == ADDRESS_HOST || a->kind == ADDRESS_GROUP ? r == -EINVAL : r == 0);
        FUZZ_CHECK(r < 0 || (len > 0 && len <= sizeof(ss)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *s = (const char *) data;
        CHECK_SPAN(address_upstream_field(span_make(s, size)), data, size);
        enum upstream_proto proto = address_upstream_proto(span_make(s, size));
        FUZZ_CHECK((unsigned) proto < PROTO__MAX);
        /* a scheme names a protocol exactly when the field loses it */
        FUZZ_CHECK((proto == PROTO_UNKNOWN) == (address_upstream_field(span_make(s, size)).p == s));
        struct address a;
        int r = address_parse(&a, s, size);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
        if (r == 0)
                check_accepted(&a);
        return 0;
}
