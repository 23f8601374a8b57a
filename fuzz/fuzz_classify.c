/*
 * classify_line, then the JSON that scan --json prints for the event: it must be valid JSON
 * for any bytes, read back equal to what was built, and every span of the event must point
 * into the input.
 */
#include <jansson.h>

#include "classify.h"
#include "event_json.h"
#include "fuzz_check.h"
#include "jsonstr.h"
#include "tally.h"

/* A json-file line's spans point into the logline's buffer: check them there. */
static const uint8_t *region(const struct logline *ll, const uint8_t *data, size_t *size) {
        if (ll->wrap.forms & UNWRAP_DOCKER_JSON) {
                *size = sizeof(ll->text);
                return (const uint8_t *) ll->text;
        }
        return data;
}

/* A unix upstream with repeated slashes is rewritten into the logline's label (unix:///x is unix:/x). */
static void check_upstream(const struct logline *ll, const struct event *ev, const uint8_t *data, size_t size) {
        const char *label = ll->nginx.label;
        if (ev->upstream.p < label || ev->upstream.p >= label + sizeof(ll->nginx.label)) {
                CHECK_SPAN(ev->upstream, data, size);
                return;
        }
        CHECK_SPAN(ev->upstream, (const uint8_t *) label, sizeof(ll->nginx.label) - 1);
        FUZZ_CHECK(span_has_prefix(ev->upstream, "unix:", 5) && !span_find(ev->upstream, "//", 2));
}

static void check_event_spans(const struct event *ev, const uint8_t *data, size_t size) {
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
        char *text = json_dumps(obj, EVENT_JSON_FLAGS);
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

/* scan's table: the event's label counted twice (the second time it must be found again, byte for
 * byte, whatever bytes it holds), its minute bucketed. */
static void check_tally(const struct event *ev, const struct timestamp *when) {
        struct tally t;
        tally_init(&t);
        struct span label = ev->source == SOURCE_FPM ? ev->pool : ev->upstream;
        FUZZ_CHECK(tally_add(&t, ev->kind, label, when) == 0);
        FUZZ_CHECK(tally_add(&t, ev->kind, label, when) == 0);
        const struct tally_kind *tk = &t.kinds[ev->kind];
        FUZZ_CHECK(tk->count == 2 && tk->nlabels == 1 && tk->labels[0].count == 2);
        FUZZ_CHECK(tk->labels[0].len == label.n && (!label.n || memcmp(tk->labels[0].text, label.p, label.n) == 0));
        int64_t first, last;
        size_t counts[4];
        if (tally_span(&t, &first, &last))
                FUZZ_CHECK(tally_buckets(&t, ev->kind, first, 1, counts, 4) == 2);
        tally_done(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static struct logline ll;
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
        size_t in_size = size;
        const uint8_t *in = region(&ll, data, &in_size);
        check_upstream(&ll, &ev, in, in_size);
        check_event_spans(&ev, in, in_size);
        check_line_spans(&ll, in, in_size);
        struct timestamp t;
        bool timed = logline_parse_time(&ll, &t);
        check_tally(&ev, timed ? &t : NULL);
        /* scan --json prints classified lines only, but the fill must cope with any line */
        if (ll.source != SOURCE_NONE)
                check_json(&ll, &ev, data, size);
        return 0;
}
