/* The JSON form of one classified line: the fields scan --json prints and alerts carry. */
#pragma once
#include <jansson.h>

#include "classify.h"

/* Adds time, level, kind, source and every field the event carries to obj. */
int event_json_fill(json_t *obj, const struct logline *ll, const struct event *ev);

#include "jsonstr.h"

/* The line scan --json prints for an event, newline included, appended to b: byte for byte what
 * json_dumpb(JSON_COMPACT) makes of {"file", "line", event_json_fill()'s fields, "truncated"
 * when set}, at a fraction of the cost. 0, or -ENOMEM (b->oom). */
int event_json_line(struct jbuf *b, const char *file, unsigned long long lineno, bool truncated,
                    const struct logline *ll, const struct event *ev);
