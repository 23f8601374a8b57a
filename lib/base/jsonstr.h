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
