/* The JSON form of one classified line: the fields scan --json prints and alerts carry. */
#pragma once
#include <jansson.h>

#include "classify.h"

/* Adds time, level, kind, source and every field the event carries to obj. */
int event_json_fill(json_t *obj, const struct logline *ll, const struct event *ev);
