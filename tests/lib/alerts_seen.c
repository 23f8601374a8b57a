#include "alerts_seen.h"

#include <check.h>
#include <jansson.h>
#include <stdlib.h>

void alerts_seen_collect(void *ud, const struct alert *a) {
        struct alerts_seen *s = ud;
        ck_assert_int_lt(s->n, ALERTS_SEEN_MAX);
        s->a[s->n++] = *a;
        json_t *j = alert_to_json(a);
        ck_assert_ptr_nonnull(j);
        char *text = json_dumps(j, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        json_t *back = json_loads(text, JSON_ALLOW_NUL, NULL);
        ck_assert_ptr_nonnull(back);
        json_decref(back);
        free(text);
        json_decref(j);
}
