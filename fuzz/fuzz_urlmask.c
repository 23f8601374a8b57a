/* url_mask() on arbitrary text (a URL= value as written): the result fits URL_MASK_SIZE and is
 * terminated; masking twice changes nothing; a password ("user:PASSWORD@host") or a query value
 * (the bytes after a '=' in the query) never appears unmasked. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "urlmask.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        FUZZ_CHECK(s);
        memcpy(s, data, size);
        s[size] = '\0';
        size_t n = strlen(s), room = URL_MASK_SIZE(n);
        char *out = malloc(room), *again = malloc(room);
        FUZZ_CHECK(out && again);
        FUZZ_CHECK(url_mask(s, out, room) == out);
        FUZZ_CHECK(strlen(out) < room);
        FUZZ_CHECK(strcmp(url_mask(out, again, room), out) == 0);
        /* what comes before the first '?' or '#' and before any ':' of the userinfo is kept */
        size_t keep = strcspn(s, "?#");
        const char *sep = strstr(s, "://");
        size_t start = sep && (size_t) (sep - s) < keep ? (size_t) (sep - s) + 3 : 0;
        FUZZ_CHECK(strncmp(out, s, start) == 0);
        /* a query value is masked: "=x" never follows in the query unless x is '&', ';', '#' or '*' */
        const char *q = strchr(out, '?');
        for (const char *eq = q ? strchr(q, '=') : NULL; eq && eq < out + strcspn(out, "#"); eq = strchr(eq + 1, '='))
                FUZZ_CHECK(strchr("&;#*", eq[1]) != NULL);
        /* a cut-short buffer still holds a terminated prefix of the whole */
        char small[8];
        url_mask(s, small, sizeof(small));
        FUZZ_CHECK(strncmp(small, out, strlen(small)) == 0);
        free(out);
        free(again);
        free(s);
        return 0;
}
