#include "jsonstr.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p, or 0 if the byte there starts none. */
static size_t utf8_seq(const unsigned char *p, size_t n) {
        unsigned c = p[0];
        size_t len;
        unsigned min;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                len = 2, min = 0x80;
        else if (c >= 0xe0 && c <= 0xef)
                len = 3, min = 0x800;
        else if (c >= 0xf0 && c <= 0xf4)
                len = 4, min = 0x10000;
        else
                return 0;
        if (n < len)
                return 0;
        unsigned cp = c & (0x7f >> len);
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        return len;
}

static json_t *escaped(const unsigned char *p, size_t n) {
        static const char hex[] = "0123456789abcdef";
        char *out = malloc(n * 4 + 1);
        if (!out)
                return NULL;
        size_t o = 0;
        for (size_t i = 0; i < n;) {
                size_t len = utf8_seq(p + i, n - i);
                if (len == 0) {
                        out[o++] = '\\';
                        out[o++] = 'x';
                        out[o++] = hex[p[i] >> 4];
                        out[o++] = hex[p[i] & 15];
                        i++;
                        continue;
                }
                memcpy(out + o, p + i, len);
                o += len;
                i += len;
        }
        json_t *s = json_stringn_nocheck(out, o);
        free(out);
        return s;
}

json_t *json_bytes(const char *p, size_t n) {
        if (!p)
                return json_string("");
        json_t *s = json_stringn(p, n);
        return s ? s : escaped((const unsigned char *) p, n);
}

void jbuf_free(struct jbuf *b) {
        free(b->p);
        *b = (struct jbuf) { 0 };
}

static bool jbuf_room(struct jbuf *b, size_t more) {
        if (b->oom)
                return false;
        if (b->cap - b->n >= more)
                return true;
        size_t cap = b->cap ? b->cap : 4096;
        while (cap - b->n < more) {
                if (cap > SIZE_MAX / 2) {
                        b->oom = true;
                        return false;
                }
                cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (!p) {
                b->oom = true;
                return false;
        }
        b->p = p;
        b->cap = cap;
        return true;
}

void jbuf_raw(struct jbuf *b, const char *p, size_t n) {
        if (!jbuf_room(b, n))
                return;
        memcpy(b->p + b->n, p, n);
        b->n += n;
}

/* 0: copied as it is; 1: escaped (quote, backslash, control bytes); 2: the start of a UTF-8
 * sequence or an invalid byte. */
static const unsigned char byte_class[256] = {
        [0x00 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 2,
};

/* Whether any of 8 bytes is not plain (class 0): a control byte, '"', '\\' or one >= 0x80. */
static inline bool special8(const unsigned char *p) {
        const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
        uint64_t v;
        memcpy(&v, p, 8);
        uint64_t q = v ^ (ones * '"'), bs = v ^ (ones * '\\');
        uint64_t zero = ((q - ones) & ~q) | ((bs - ones) & ~bs);
        uint64_t low = (v - ones * 0x20) & ~v;          /* < 0x20 (or >= 0x80) */
        return ((zero | low) & highs) || (v & highs);
}

/* jansson's dump_string without JSON_ENSURE_ASCII or JSON_ESCAPE_SLASH; an invalid UTF-8 byte
 * is the text "\xNN" as in escaped() above, whose backslash the dump escapes again. */
void jbuf_bytes(struct jbuf *b, const char *str, size_t n) {
        static const char hex[] = "0123456789abcdef", HEX[] = "0123456789ABCDEF";
        const unsigned char *p = (const unsigned char *) str;
        if (!str)
                n = 0;
        /* at most 6 bytes out per byte in ("\u001F", "\\xff" is 5 for 1), and the quotes */
        if (n > (SIZE_MAX - 2) / 6 || !jbuf_room(b, n * 6 + 2))
                return;
        char *o = b->p + b->n;
        *o++ = '"';
        for (size_t i = 0; i < n;) {
                while (i + 8 <= n && !special8(p + i)) {   /* most text: 8 plain bytes at a time */
                        memcpy(o, p + i, 8);
                        o += 8;
                        i += 8;
                }
                while (i < n && byte_class[p[i]] == 0)
                        *o++ = (char) p[i++];
                if (i == n)
                        break;
                unsigned c = p[i];
                if (byte_class[c] == 2) {
                        size_t len = utf8_seq(p + i, n - i);
                        if (len) {
                                memcpy(o, p + i, len);
                                o += len;
                                i += len;
                        } else {
                                memcpy(o, "\\\\x", 3);
                                o[3] = hex[c >> 4];
                                o[4] = hex[c & 15];
                                o += 5;
                                i++;
                        }
                        continue;
                }
                *o++ = '\\';
                switch (c) {
                case '"': *o++ = '"'; break;
                case '\\': *o++ = '\\'; break;
                case '\b': *o++ = 'b'; break;
                case '\f': *o++ = 'f'; break;
                case '\n': *o++ = 'n'; break;
                case '\r': *o++ = 'r'; break;
                case '\t': *o++ = 't'; break;
                default:
                        memcpy(o, "u00", 3);
                        o[3] = HEX[c >> 4];
                        o[4] = HEX[c & 15];
                        o += 5;
                }
                i++;
        }
        *o++ = '"';
        b->n = (size_t) (o - b->p);
}

void jbuf_str(struct jbuf *b, const char *s) {
        jbuf_bytes(b, s ? s : "", s ? strlen(s) : 0);
}

void jbuf_key(struct jbuf *b, bool first, const char *key) {
        if (!first)
                jbuf_raw(b, ",", 1);
        jbuf_str(b, key);
        jbuf_raw(b, ":", 1);
}

void jbuf_int(struct jbuf *b, long long v) {
        char num[24];
        char *e = num + sizeof(num), *s = e;
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
        do
                *--s = (char) ('0' + u % 10);
        while (u /= 10);
        if (v < 0)
                *--s = '-';
        jbuf_raw(b, s, (size_t) (e - s));
}

/* jansson's jsonp_dtostr at its default precision (17). */
void jbuf_real(struct jbuf *b, double v) {
        char num[64];
        int len = snprintf(num, sizeof(num) - 3, "%.17g", v);
        if (len < 0 || (size_t) len >= sizeof(num) - 3)
                return;
        size_t n = (size_t) len;
        for (char *c = num; *c; c++)
                if (*c == ',')
                        *c = '.';       /* a locale's decimal comma */
        if (!strchr(num, '.') && !strchr(num, 'e')) {
                memcpy(num + n, ".0", 3);
                n += 2;
        }
        char *start = strchr(num, 'e');
        if (start) {                    /* "1e+20" → "1e20", "1e-05" → "1e-5" */
                start++;
                char *end = start + 1;
                if (*start == '-')
                        start++;
                while (*end == '0')
                        end++;
                if (end != start) {
                        memmove(start, end, n - (size_t) (end - num) + 1);
                        n -= (size_t) (end - start);
                }
        }
        jbuf_raw(b, num, n);
}
