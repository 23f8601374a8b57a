/* statefile_parse on arbitrary bytes: no crash; rejected input leaves nothing behind; an
 * accepted state formats to text that parses back to the same state, byte for byte (strings that
 * are not UTF-8 go out as "KEY_hex" and come back the same). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "statefile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct statefile s = { 0 }, again = { 0 };
        char err[256];
        int r = statefile_parse((const char *) data, size, &s, err, sizeof(err));
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r < 0) {
                FUZZ_CHECK(s.n_logs == 0 && s.n_findings == 0 && !s.logs && !s.findings && err[0]);
                return 0;
        }
        char *text = statefile_format(&s);
        FUZZ_CHECK(text != NULL);
        FUZZ_CHECK(statefile_parse(text, strlen(text), &again, err, sizeof(err)) == 0);
        FUZZ_CHECK(again.n_logs == s.n_logs && again.n_findings == s.n_findings);
        FUZZ_CHECK(strcmp(again.journal_cursor, s.journal_cursor) == 0);
        for (size_t i = 0; i < s.n_logs; i++)
                FUZZ_CHECK(memcmp(&again.logs[i], &s.logs[i], sizeof(s.logs[i])) == 0 ||
                           (strcmp(again.logs[i].path, s.logs[i].path) == 0 && again.logs[i].offset == s.logs[i].offset &&
                            again.logs[i].fp_hash == s.logs[i].fp_hash));
        for (size_t i = 0; i < s.n_findings; i++)
                FUZZ_CHECK(strcmp(again.findings[i].cause, s.findings[i].cause) == 0 &&
                           strcmp(again.findings[i].target, s.findings[i].target) == 0 &&
                           again.findings[i].kind == s.findings[i].kind &&
                           again.findings[i].lines == s.findings[i].lines);
        free(text);
        statefile_clear(&s);
        statefile_clear(&again);
        return 0;
}
