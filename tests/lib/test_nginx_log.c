#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "nginx_log.h"

static const char refused[] =
        "2026/11/25 13:23:15 [error] 6586#6586: *11 connect() to unix:/srv/lab/run/victim.sock failed "
        "(111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: c2, "
        "request: \"GET /ok.php HTTP/1.1\", upstream: \"fastcgi://unix:/srv/lab/run/victim.sock:\", "
        "host: \"127.0.0.1:18082\"";

static struct nginx_line parse(const char *line) {
        struct nginx_line l;
        ck_assert_int_eq(nginx_parse(line, strlen(line), &l), 0);
        return l;
}

START_TEST(test_head_and_trailer) {
        struct nginx_line l = parse(refused);
        ck_assert_span_eq(l.time, "2026/11/25 13:23:15");
        ck_assert_span_eq(l.level, "error");
        ck_assert_int_eq(l.lvl, LEVEL_ERROR);
        ck_assert_span_eq(l.pid, "6586");
        ck_assert_span_eq(l.tid, "6586");
        ck_assert_span_eq(l.conn, "11");
        ck_assert_span_eq(l.message, "connect() to unix:/srv/lab/run/victim.sock failed (111: Connection "
                                     "refused) while connecting to upstream");
        ck_assert_span_eq(l.client, "127.0.0.1");
        ck_assert_span_eq(l.server, "c2");
        ck_assert_span_eq(l.request, "GET /ok.php HTTP/1.1");
        ck_assert_span_eq(l.upstream, "fastcgi://unix:/srv/lab/run/victim.sock:");
        ck_assert_span_eq(l.host, "127.0.0.1:18082");
        ck_assert_ptr_null(l.referrer.p);
}
END_TEST

START_TEST(test_referrer_and_no_conn) {
        struct nginx_line l = parse("2026/11/25 13:24:42 [notice] 6583#6583: signal 3 (SIGQUIT) received from 6434, shutting down");
        ck_assert_uint_eq(l.conn.n, 0);
        ck_assert_span_eq(l.message, "signal 3 (SIGQUIT) received from 6434, shutting down");
        ck_assert_ptr_null(l.client.p);
        l = parse("2026/01/02 03:04:05 [error] 1#2: *3 upstream timed out (110: Connection timed out) while "
                  "reading response header from upstream, client: ::1, server: s, request: \"GET / HTTP/1.1\", "
                  "upstream: \"fastcgi://127.0.0.1:9000\", host: \"h\", referrer: \"http://x/\"");
        ck_assert_span_eq(l.client, "::1");
        ck_assert_span_eq(l.upstream, "fastcgi://127.0.0.1:9000");
        ck_assert_span_eq(l.host, "h");
        ck_assert_span_eq(l.referrer, "http://x/");
}
END_TEST

START_TEST(test_message_ends_at_first_client) {
        /* The request is the client's: nothing in it may move the message's end. */
        struct nginx_line l = parse("2026/11/25 13:23:10 [info] 6586#6586: *1 client closed connection while "
                                    "waiting for request, client: 127.0.0.1, server: 127.0.0.1:18115, request: "
                                    "\"GET /, client: 6.6.6.6 HTTP/1.1\"");
        ck_assert_span_eq(l.message, "client closed connection while waiting for request");
        ck_assert_span_eq(l.client, "127.0.0.1");
        ck_assert_span_eq(l.request, "GET /, client: 6.6.6.6 HTTP/1.1");
}
END_TEST

START_TEST(test_quote_in_request) {
        struct nginx_line l = parse("2026/11/25 13:23:10 [error] 1#1: *1 no live upstreams while connecting to "
                                    "upstream, client: 1.2.3.4, server: s, request: \"GET /a\"b HTTP/1.1\", "
                                    "upstream: \"fastcgi://grp\", host: \"h\"");
        ck_assert_span_eq(l.request, "GET /a\"b HTTP/1.1");
        ck_assert_span_eq(l.upstream, "fastcgi://grp");
}
END_TEST

START_TEST(test_not_nginx) {
        struct nginx_line l;
        static const char *bad[] = {
                "", "2026", "[25-Nov-2026 13:24:13] WARNING: x", "2026/11/25 13:23:15 error 1#1: x",
                "2026/11/25 13:23:15 [error] x#1: y", "2026/11/25 13:23:15 [errorerrorerrorerror] 1#1: y",
                "hello world, this is not a log line at all",
        };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_int_lt(nginx_parse(bad[i], strlen(bad[i]), &l), 0);
}
END_TEST

START_TEST(test_every_prefix_is_safe) {
        /* A line cut anywhere parses or is refused, and every span stays inside the bytes. */
        size_t n = strlen(refused);
        for (size_t cut = 0; cut <= n; cut++) {
                char *copy = malloc(cut ? cut : 1);
                memcpy(copy, refused, cut);
                struct nginx_line l;
                if (nginx_parse(copy, cut, &l) == 0) {
                        struct span all[] = { l.time, l.level, l.message, l.client, l.server,
                                              l.request, l.upstream, l.host, l.referrer };
                        for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
                                if (all[i].p)
                                        ck_assert(all[i].p >= copy && all[i].p + all[i].n <= copy + cut);
                }
                free(copy);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("nginx_log");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_head_and_trailer);
        tcase_add_test(tc, test_referrer_and_no_conn);
        tcase_add_test(tc, test_message_ends_at_first_client);
        tcase_add_test(tc, test_quote_in_request);
        tcase_add_test(tc, test_not_nginx);
        tcase_add_test(tc, test_every_prefix_is_safe);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
