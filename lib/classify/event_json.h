/* The JSON form of one classified line: the fields scan --json prints and alerts carry. */
#pragma once
#include <jansson.h>

#include "classify.h"

/*
 * The flags to dump an event with: compact, and reals with 15 significant digits, so that php-fpm's
 * "after 664.260371 seconds" (printed with %f: microseconds) comes out as 664.260371, not as the
 * binary double's 664.26037099999996 (jansson's default is 17 digits).
 */
#define EVENT_JSON_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Adds time, level, kind, causes (the cause ids its kind points to), source and every field the
 * event carries to obj. 0, or -ENOMEM. */
int event_json_fill(json_t *obj, const struct logline *ll, const struct event *ev);
