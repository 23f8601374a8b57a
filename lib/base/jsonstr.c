#include "jsonstr.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t utf8_seq(const unsigned char *p, size_t n) {
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

/* No byte of p[n] has its high bit set: ASCII, valid UTF-8 as it is. Eight bytes a step. */
static bool all_ascii(const char *p, size_t n) {
        uint64_t high = 0, w;
        size_t i = 0;
        for (; i + 8 <= n; i += 8) {
                memcpy(&w, p + i, 8);
                high |= w;
        }
        for (; i < n; i++)
                high |= (unsigned char) p[i];
        return !(high & 0x8080808080808080ULL);
}

json_t *json_bytes(const char *p, size_t n) {
        if (!p)
                return json_string("");
        if (all_ascii(p, n))
                return json_stringn_nocheck(p, n);      /* jansson's own check walks byte by byte */
        json_t *s = json_stringn(p, n);
        return s ? s : escaped((const unsigned char *) p, n);
}

/* Bytes of the printable UTF-8 sequence at p (n > 0 bytes there), or 0 to escape it. */
static size_t printable(const unsigned char *p, size_t n) {
        if (p[0] < 0x20 || p[0] == 0x7f || p[0] == '\\')
                return 0;
        size_t len = utf8_seq(p, n);
        if (len == 2 && p[0] == 0xc2 && p[1] < 0xa0)    /* C1 controls U+0080..U+009F */
                return 0;
        return len;
}

char *text_quote(char *out, size_t size, const char *p, size_t n, size_t max) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *s = (const unsigned char *) p;
        size_t lim = n < max ? n : max, o = 0;
        bool more = n > max;
        while (!more && lim > 0 && (s[lim - 1] == '\n' || s[lim - 1] == '\r'))
                lim--;
        for (size_t i = 0; i < lim;) {
                size_t len = printable(s + i, lim - i);
                if (o + (len ? len : 4) + 4 > size)
                        break;
                if (len) {
                        memcpy(out + o, s + i, len);
                        o += len;
                        i += len;
                        continue;
                }
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[s[i] >> 4];
                out[o++] = hex[s[i] & 15];
                i++;
        }
        if (more && o + 4 <= size)
                o = (size_t) (stpcpy(out + o, "...") - out);
        if (size > 0)
                out[o < size ? o : size - 1] = '\0';
        return out;
}

/* Whether n bytes at p are valid UTF-8 with no NUL: a JSON string holds them as they are. */
static bool plain_text(const char *p, size_t n) {
        const unsigned char *s = (const unsigned char *) p;
        for (size_t i = 0; i < n;) {
                size_t len = s[i] ? utf8_seq(s + i, n - i) : 0;
                if (len == 0)
                        return false;
                i += len;
        }
        return true;
}

static int hex_key(char *buf, size_t size, const char *key) {
        int k = snprintf(buf, size, "%s_hex", key);
        return k < 0 || (size_t) k >= size ? -EINVAL : 0;
}

int json_set_exact(json_t *obj, const char *key, const char *p, size_t n) {
        static const char hex[] = "0123456789abcdef";
        char name[64];
        if (hex_key(name, sizeof(name), key) < 0)
                return -EINVAL;
        if (plain_text(p, n))
                return json_object_set_new(obj, key, json_stringn_nocheck(p, n)) < 0 ? -ENOMEM : 0;
        char *out = malloc(n * 2 + 1);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                out[2 * i] = hex[(unsigned char) p[i] >> 4];
                out[2 * i + 1] = hex[(unsigned char) p[i] & 15];
        }
        int r = json_object_set_new(obj, name, json_stringn_nocheck(out, n * 2)) < 0 ? -ENOMEM : 0;
        free(out);
        return r;
}

static int hex_digit(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int json_get_exact(json_t *obj, const char *key, char *out, size_t size) {
        char name[64];
        if (hex_key(name, sizeof(name), key) < 0)
                return -EINVAL;
        json_t *text = json_object_get(obj, key), *hex = json_object_get(obj, name);
        if (!text && !hex)
                return -ENOENT;
        if ((text && hex) || !json_is_string(text ? text : hex))
                return -EINVAL;
        const char *p = json_string_value(text ? text : hex);
        size_t n = json_string_length(text ? text : hex), len = text ? n : n / 2;
        if (n == 0 || (hex && n % 2) || memchr(p, '\0', n))
                return -EINVAL;
        if (len >= size || len > INT_MAX)
                return -E2BIG;
        if (text)
                memcpy(out, p, n);
        for (size_t i = 0; hex && i < len; i++) {
                int hi = hex_digit(p[2 * i]), lo = hex_digit(p[2 * i + 1]);
                if (hi < 0 || lo < 0 || (hi | lo) == 0)
                        return -EINVAL;         /* not hex, or a NUL byte */
                out[i] = (char) (hi << 4 | lo);
        }
        out[len] = '\0';
        return (int) len;
}

int json_set_any_key(json_t *obj, const char *key, json_t *value) {
        if (plain_text(key, strlen(key)))
                return json_object_set_new(obj, key, value);
        json_t *shown = json_bytes(key, strlen(key));
        int r = shown ? json_object_set_new(obj, json_string_value(shown), value) : (json_decref(value), -1);
        json_decref(shown);
        return r;
}
