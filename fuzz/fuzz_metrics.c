/* The exposition text with any bytes as a label value: one line per series, valid UTF-8, and the
 * value reads back (the format's unescaping) as the input with each invalid byte as "\xNN". */
#include <stdbool.h>
#include <string.h>

#include "fuzz_check.h"
#include "jsonstr.h"
#include "metrics.h"

static bool valid_utf8(const char *s, size_t n) {
        for (size_t i = 0; i < n;) {
                size_t len = utf8_seq((const unsigned char *) s + i, n - i);
                if (!len)
                        return false;
                i += len;
        }
        return true;
}

/* The input as the renderer should carry it: invalid bytes as the text \xNN. */
static char *expected(const char *in, size_t n) {
        char *out = malloc(n * 4 + 1), *o = out;
        FUZZ_CHECK(out);
        for (size_t i = 0; i < n;) {
                size_t len = utf8_seq((const unsigned char *) in + i, n - i);
                if (len) {
                        memcpy(o, in + i, len);
                        o += len;
                        i += len;
                } else
                        o += sprintf(o, "\\x%02x", (unsigned char) in[i++]);
        }
        *o = '\0';
        return out;
}

/* The value between log=" and the closing quote, unescaped; NULL if the quoting is broken. */
static char *read_back(const char *text) {
        const char *p = strstr(text, "\nbadgatewayd_log_lines_read_total{log=\"");
        FUZZ_CHECK(p);
        p = strchr(p, '"') + 1;
        char *out = malloc(strlen(p) + 1), *o = out;
        FUZZ_CHECK(out);
        for (; *p && *p != '"' && *p != '\n'; p++) {
                if (*p != '\\') {
                        *o++ = *p;
                        continue;
                }
                p++;
                if (*p != '\\' && *p != '"' && *p != 'n') {
                        free(out);
                        return NULL;
                }
                *o++ = *p == 'n' ? '\n' : *p;
        }
        *o = '\0';
        if (strncmp(p, "\"} 1\n", 5) != 0) {
                free(out);
                return NULL;
        }
        return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *in = malloc(size + 1);
        FUZZ_CHECK(in);
        memcpy(in, data, size);
        in[size] = '\0';
        size_t n = strlen(in);          /* a label value is a C string */
        struct metrics m;
        metrics_init(&m);
        FUZZ_CHECK(metrics_set(&m, METRIC_LOG_LINES, (const char *[]) { in }, 1) == 0);
        size_t len;
        char *text = metrics_render(&m, &len);
        FUZZ_CHECK(text && len == strlen(text) && valid_utf8(text, len));
        size_t lines = 0;
        for (size_t i = 0; i < len; i++)
                lines += text[i] == '\n';
        FUZZ_CHECK(lines == 2 * METRIC__FAMILY_MAX + 1);
        char *want = expected(in, n), *got = read_back(text);
        FUZZ_CHECK(got && strcmp(got, want) == 0);
        free(got);
        free(want);
        free(text);
        metrics_free(&m);
        free(in);
        return 0;
}
