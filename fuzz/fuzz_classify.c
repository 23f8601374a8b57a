/*
 * classify_line, then the JSON that scan --json prints for the event: it must be valid JSON
 * for any bytes, read back equal to what was built, and every span of the event must point
 * into the input.
 */
#include <jansson.h>
#include <string.h>

#include "classify.h"
#include "event_json.h"
#include "fuzz_check.h"
#include "jsonstr.h"

static void check_event_spans(const struct event *ev, const uint8_t *data, size_t size) {
        CHECK_SPAN(ev->upstream, data, size);
        CHECK_SPAN(ev->pool, data, size);
        CHECK_SPAN(ev->signal_name, data, size);
        CHECK_SPAN(ev->detail, data, size);
}

static void check_line_spans(const struct logline *ll, const uint8_t *data, size_t size) {
        if (ll->source == SOURCE_NGINX) {
                CHECK_SPAN(ll->nginx.message, data, size);
                CHECK_SPAN(ll->nginx.server, data, size);
                CHECK_SPAN(ll->nginx.request, data, size);
        } else if (ll->source == SOURCE_FPM) {
                CHECK_SPAN(ll->fpm.message, data, size);
                CHECK_SPAN(ll->fpm.pool, data, size);
        }
        CHECK_SPAN(logline_time(ll), data, size);
}

/* As scan --json prints one event: compact, no flags that could hide bad output. */
static void check_json(const struct logline *ll, const struct event *ev, const uint8_t *data,
                       size_t size) {
        json_t *obj = json_object();
        FUZZ_CHECK(obj);
        FUZZ_CHECK(json_object_set_new(obj, "file", json_bytes((const char *) data, size)) == 0);
        /* every field made it in: none was dropped for bytes it could not encode */
        FUZZ_CHECK(event_json_fill(obj, ll, ev) == 0);
        char *text = json_dumps(obj, JSON_COMPACT);
        FUZZ_CHECK(text);
        json_error_t err;
        /* "\u0000" is valid JSON; jansson only reads it back when asked to */
        json_t *back = json_loads(text, JSON_ALLOW_NUL, &err);
        if (!back) {
                fprintf(stderr, "scan --json output does not parse: %s at %d\n%s\n", err.text,
                        err.position, text);
                abort();
        }
        FUZZ_CHECK(json_equal(obj, back));
        FUZZ_CHECK(json_string_value(json_object_get(back, "kind")));
        json_decref(back);
        free(text);
        json_decref(obj);
}

/* scan --json writes its lines with event_json_line: the same bytes as jansson's dump of the
 * object event_json_fill builds, for any input (the file name too: the input's bytes). */
static void check_json_line(const struct logline *ll, const struct event *ev, const uint8_t *data,
                            size_t size) {
        char file[64];
        size_t nf = size < sizeof(file) - 1 ? size : sizeof(file) - 1;
        memcpy(file, data, nf);
        file[nf] = '\0';               /* a C string, as a path is */
        for (int truncated = 0; truncated < 2; truncated++) {
                json_t *obj = json_object();
                FUZZ_CHECK(obj);
                json_object_set_new(obj, "file", json_bytes(file, strlen(file)));
                json_object_set_new(obj, "line", json_integer((json_int_t) size));
                FUZZ_CHECK(event_json_fill(obj, ll, ev) == 0);
                if (truncated)
                        json_object_set_new(obj, "truncated", json_true());
                char *text = json_dumps(obj, JSON_COMPACT);
                FUZZ_CHECK(text);
                struct jbuf b = { 0 };
                FUZZ_CHECK(event_json_line(&b, file, size, truncated, ll, ev) == 0);
                size_t n = strlen(text);
                if (b.n != n + 1 || memcmp(b.p, text, n) != 0 || b.p[n] != '\n') {
                        fprintf(stderr, "event_json_line differs from jansson:\n%s\n%.*s", text, (int) b.n, b.p);
                        abort();
                }
                jbuf_free(&b);
                free(text);
                json_decref(obj);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct logline ll;
        struct event ev;
        enum event_kind k = classify_line((const char *) data, size, &ll, &ev);
        FUZZ_CHECK((unsigned) k < KIND__MAX);
        FUZZ_CHECK(ev.kind == k);
        FUZZ_CHECK(kind_id(k) != NULL);
        if (k != KIND_NONE) {
                FUZZ_CHECK(ll.source != SOURCE_NONE);
                FUZZ_CHECK(ev.source == ll.source);
                FUZZ_CHECK(kind_info(k)->source == ll.source);
        }
        check_event_spans(&ev, data, size);
        check_line_spans(&ll, data, size);
        struct timestamp t;
        logline_parse_time(&ll, &t);
        /* scan --json prints classified lines only, but the fill must cope with any line */
        if (ll.source != SOURCE_NONE) {
                check_json(&ll, &ev, data, size);
                check_json_line(&ll, &ev, data, size);
        }
        return 0;
}
