#pragma once
#include <jansson.h>
#include <stddef.h>

/*
 * A JSON string from any bytes. Valid UTF-8 is kept as it is (control bytes and NUL are
 * escaped by the encoder); each byte of an invalid sequence becomes the text "\xNN", so
 * nothing is dropped and the output is always valid JSON.
 */
json_t *json_bytes(const char *p, size_t n);
