/* What goes to Alertmanager (alertmanager_json.c) and the queue it waits in (push_queue.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alertmanager_json.h"
#include "fixtures.h"
#include "push_queue.h"

#define T0 1795612991000000ULL          /* 2026-11-25T13:23:11Z */

static void fpm_down(struct alert *a) {
        memset(a, 0, sizeof(*a));
        a->cause = CAUSE_FPM_DOWN;
        a->state = ALERT_FIRING;
        snprintf(a->id, sizeof(a->id), "fpm_down/1795612991/www");
        snprintf(a->pool, sizeof(a->pool), "www");
        snprintf(a->upstream, sizeof(a->upstream), "unix:/run/php/php8.2-fpm.sock");
        snprintf(a->summary, sizeof(a->summary), "PHP-FPM pool www is down.");
        snprintf(a->remedy[0], sizeof(a->remedy[0]), "systemctl status php8.2-fpm");
        snprintf(a->remedy[1], sizeof(a->remedy[1]), "systemctl restart php8.2-fpm");
        a->n_remedies = 2;
        a->evidence.kinds[KIND_UPSTREAM_SOCKET_MISSING] = 3;
        a->evidence.kinds[KIND_FPM_STOPPING] = 1;
        a->evidence.lines = 3;
        a->evidence.probe.have = true;
        snprintf(a->evidence.probe.outcome, sizeof(a->evidence.probe.outcome), "socket_missing");
        a->first_seen_usec = T0;
        a->last_seen_usec = T0 + 5000000;
}

static const char *get(json_t *o, const char *a, const char *b) {
        json_t *x = json_object_get(o, a);
        return json_string_value(b ? json_object_get(x, b) : x);
}

START_TEST(test_firing) {
        static struct alert a;
        fpm_down(&a);
        json_t *j = alertmanager_alert(&a, "web1", T0 + 10000000, 240000000);
        ck_assert_ptr_nonnull(j);
        ck_assert_str_eq(get(j, "labels", "alertname"), "fpm_down");
        ck_assert_str_eq(get(j, "labels", "severity"), "critical");
        ck_assert_str_eq(get(j, "labels", "instance"), "web1");
        ck_assert_str_eq(get(j, "labels", "pool"), "www");
        ck_assert_str_eq(get(j, "labels", "upstream"), "unix:/run/php/php8.2-fpm.sock");
        ck_assert_int_eq(json_object_size(json_object_get(j, "labels")), 5);
        ck_assert_str_eq(get(j, "annotations", "summary"), "PHP-FPM pool www is down.");
        ck_assert_str_eq(get(j, "annotations", "remedy"), "systemctl status php8.2-fpm\nsystemctl restart php8.2-fpm");
        ck_assert_str_eq(get(j, "annotations", "description"),
                         "upstream_socket_missing=3, fpm_stopping=1; 3 log lines; probe: socket_missing");
        ck_assert_str_eq(get(j, "annotations", "alert_id"), "fpm_down/1795612991/www");
        ck_assert_str_eq(get(j, "startsAt", NULL), "2026-11-25T13:23:11.000000Z");
        ck_assert_str_eq(get(j, "endsAt", NULL), "2026-11-25T13:27:21.000000Z");   /* now + 4 min */
        ck_assert_int_eq(json_object_size(j), 4);
        json_decref(j);
}
END_TEST

START_TEST(test_resolved_ends_now) {
        static struct alert a;
        fpm_down(&a);
        a.state = ALERT_RESOLVED;
        json_t *j = alertmanager_alert(&a, "web1", T0 + 61500000, 240000000);
        ck_assert_str_eq(get(j, "startsAt", NULL), "2026-11-25T13:23:11.000000Z");
        ck_assert_str_eq(get(j, "endsAt", NULL), "2026-11-25T13:24:12.500000Z");
        json_decref(j);
}
END_TEST

/* An upstream nobody serves has no pool: no empty label; a first-seen time after "now" (the
 * wall clock set back) does not make startsAt later than endsAt. */
START_TEST(test_no_pool_clock_back) {
        static struct alert a;
        fpm_down(&a);
        a.pool[0] = '\0';
        a.n_remedies = 0;
        a.state = ALERT_RESOLVED;
        json_t *j = alertmanager_alert(&a, "web1", T0 - 1000000, 1000000);
        ck_assert_ptr_null(json_object_get(json_object_get(j, "labels"), "pool"));
        ck_assert_ptr_null(json_object_get(json_object_get(j, "annotations"), "remedy"));
        ck_assert_str_eq(get(j, "startsAt", NULL), get(j, "endsAt", NULL));
        json_decref(j);
}
END_TEST

/* Alertmanager refuses a whole batch for one label that is not UTF-8: such bytes become "\xNN". */
START_TEST(test_not_utf8) {
        static struct alert a;
        fpm_down(&a);
        snprintf(a.upstream, sizeof(a.upstream), "unix:/run/\xff\xfe.sock");
        snprintf(a.summary, sizeof(a.summary), "bad \xc0\x80 \"quoted\"\n");
        json_t *j = alertmanager_alert(&a, "web\xff", T0, 1);
        char *text = json_dumps(j, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        ck_assert_str_eq(get(j, "labels", "upstream"), "unix:/run/\\xff\\xfe.sock");
        ck_assert_str_eq(get(j, "labels", "instance"), "web\\xff");
        json_t *back = json_loads(text, 0, NULL);
        ck_assert_msg(back && json_equal(back, j), "%s", text);
        json_decref(back);
        free(text);
        json_decref(j);
}
END_TEST

static void put(struct push_queue *q, const char *key, const char *body) {
        ck_assert_int_eq(push_queue_put(q, key, strdup(body)), 0);
}

START_TEST(test_queue_replaces_by_key) {
        static struct push_queue q;
        put(&q, "a", "a1");
        put(&q, "b", "b1");
        put(&q, "a", "a2");             /* a's newer state, in a's place */
        put(&q, NULL, "x");
        put(&q, NULL, "x");             /* no key: both stay */
        ck_assert_uint_eq(q.n, 4);
        ck_assert_uint_eq(push_queue_take(&q, 3), 3);
        ck_assert_uint_eq(push_queue_take(&q, 3), 0);      /* one request at a time */
        ck_assert_str_eq(push_queue_body(&q, 0), "a2");
        ck_assert_str_eq(push_queue_body(&q, 1), "b1");
        ck_assert_str_eq(push_queue_body(&q, 2), "x");
        ck_assert_ptr_null(push_queue_body(&q, 3));
        put(&q, "a", "a3");             /* a2 is being sent: a3 waits behind */
        ck_assert_uint_eq(q.n, 5);
        push_queue_untake(&q);          /* the request failed: a2 is out of date */
        ck_assert_uint_eq(q.n, 4);
        ck_assert_uint_eq(push_queue_take(&q, 10), 4);
        ck_assert_str_eq(push_queue_body(&q, 0), "b1");
        ck_assert_str_eq(push_queue_body(&q, 3), "a3");
        push_queue_delivered(&q);
        ck_assert_uint_eq(q.n, 0);
        ck_assert_uint_eq(q.delivered, 4);
        ck_assert_uint_eq(q.dropped, 0);
        push_queue_clear(&q);
}
END_TEST

/* What does not fit is counted: the oldest not being sent goes. */
START_TEST(test_queue_full_drops_oldest) {
        static struct push_queue q;
        char body[32];
        put(&q, NULL, "first");
        ck_assert_uint_eq(push_queue_take(&q, 1), 1);
        for (int i = 1; i < PUSH_QUEUE_MAX + 10; i++) {
                snprintf(body, sizeof(body), "%d", i);
                put(&q, NULL, body);
        }
        ck_assert_uint_eq(q.n, PUSH_QUEUE_MAX);
        ck_assert_uint_eq(q.dropped, 10);
        ck_assert_str_eq(push_queue_body(&q, 0), "first");
        push_queue_untake(&q);
        ck_assert_uint_eq(push_queue_take(&q, 2), 2);
        ck_assert_str_eq(push_queue_body(&q, 1), "11");
        push_queue_refused(&q);
        ck_assert_uint_eq(q.dropped, 12);
        ck_assert_uint_eq(q.n, PUSH_QUEUE_MAX - 2);
        ck_assert_int_eq(push_queue_put(&q, "k", NULL), -ENOMEM);
        ck_assert_uint_eq(q.dropped, 13);
        push_queue_clear(&q);
        ck_assert_uint_eq(q.n, 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("push_json");
        TCase *tc = tcase_create("alertmanager");
        tcase_add_test(tc, test_firing);
        tcase_add_test(tc, test_resolved_ends_now);
        tcase_add_test(tc, test_no_pool_clock_back);
        tcase_add_test(tc, test_not_utf8);
        suite_add_tcase(s, tc);
        tc = tcase_create("queue");
        tcase_add_test(tc, test_queue_replaces_by_key);
        tcase_add_test(tc, test_queue_full_drops_oldest);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
