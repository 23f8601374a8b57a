#pragma once
#include <jansson.h>
#include <stddef.h>

/*
 * A JSON string from any bytes. Valid UTF-8 is kept as it is (control bytes and NUL are
 * escaped by the encoder); each byte of an invalid sequence becomes the text "\xNN", so
 * nothing is dropped and the output is always valid JSON.
 */
json_t *json_bytes(const char *p, size_t n);

/* Length of the valid UTF-8 sequence at p (n > 0 bytes there), or 0 if the byte there starts none
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
size_t utf8_seq(const unsigned char *p, size_t n);

/* Bytes text_quote() needs for at most max bytes of input: 4 per byte, "...", the NUL. */
#define TEXT_QUOTE_SIZE(max) ((max) * 4 + 4)

/*
 * One line of plain text from untrusted bytes (a receiver's HTTP reply body), safe to log: the
 * first max of the n bytes at p, line ends at the end dropped; valid printable UTF-8 kept;
 * backslash, control bytes (C0, DEL, C1 such as U+009B) and each byte of an invalid or cut
 * sequence become "\xNN"; "..." marks that more followed. out has size bytes
 * (TEXT_QUOTE_SIZE(max) always suffices; less cuts the text short) and is always
 * NUL-terminated. Returns out.
 */
char *text_quote(char *out, size_t size, const char *p, size_t n, size_t max);

/*
 * Bytes that must come back exactly (the state file keeps paths and upstream addresses from
 * logs, where any byte may appear). Sets obj's key to n bytes of p: a JSON string when they are
 * valid UTF-8 without a NUL (text as it was, readable, and what older files hold); else, as the
 * key KEY_hex, every byte as two lowercase hex digits. key has at most 59 bytes.
 * Returns 0; -ENOMEM; -EINVAL for a key too long.
 */
int json_set_exact(json_t *obj, const char *key, const char *p, size_t n);
/*
 * Reads back what json_set_exact() set: key's string, or key_hex's bytes, into out (size bytes,
 * NUL-terminated). Returns the number of bytes (> 0); -ENOENT when neither key is there;
 * -EINVAL when both are, or either is not a string, is empty, holds a NUL, or (hex) is not an
 * even number of hex digits; -E2BIG when the bytes do not fit in size - 1.
 */
int json_get_exact(json_t *obj, const char *key, char *out, size_t size);
/* json_object_set_new() under any key: one that is not UTF-8 (jansson refuses it) is written as
 * json_bytes() writes a value, "\xNN" for each bad byte. Takes value's reference, as
 * json_object_set_new() does. 0, or -1 for want of memory. */
int json_set_any_key(json_t *obj, const char *key, json_t *value);
