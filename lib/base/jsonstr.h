#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * A JSON string from any bytes. Valid UTF-8 is kept as it is (control bytes and NUL are
 * escaped by the encoder); each byte of an invalid sequence becomes the text "\xNN", so
 * nothing is dropped and the output is always valid JSON.
 */
json_t *json_bytes(const char *p, size_t n);

/*
 * A growing buffer that JSON text is written into directly, byte for byte what jansson's
 * json_dumpb(…, JSON_COMPACT) makes of the same values, without building a json_t tree: for
 * output that is one object per line at millions of lines (scan --json). On allocation failure
 * the buffer keeps what it had and oom is set; later writes do nothing.
 */
struct jbuf {
        char *p;
        size_t n, cap;
        bool oom;
};

void jbuf_free(struct jbuf *b);
void jbuf_raw(struct jbuf *b, const char *p, size_t n);
/* A JSON string (with its quotes) from any bytes, as json_bytes() then json_dumpb() make it. */
void jbuf_bytes(struct jbuf *b, const char *p, size_t n);
void jbuf_str(struct jbuf *b, const char *s);           /* jbuf_bytes of a C string */
void jbuf_key(struct jbuf *b, bool first, const char *key);     /* [,]"key": */
void jbuf_int(struct jbuf *b, long long v);
void jbuf_real(struct jbuf *b, double v);               /* as jansson: %.17g, ".0" if integral */
