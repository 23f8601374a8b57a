#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "address.h"
#include "fixtures.h"

static struct address parsed(const char *s) {
        struct address a;
        int r = address_parse(&a, s, strlen(s));
        ck_assert_msg(r == 0, "'%s' refused: %s", s, strerror(-r));
        return a;
}

static void expect(const char *s, enum address_kind kind, const char *text, unsigned port) {
        struct address a = parsed(s);
        ck_assert_msg(a.kind == kind, "'%s': kind %d, not %d", s, a.kind, kind);
        ck_assert_str_eq(a.text, text);
        ck_assert_uint_eq(a.port, port);
}

static bool same(const char *x, const char *y) {
        struct address a = parsed(x), b = parsed(y);
        ck_assert(address_same(&a, &b) == address_same(&b, &a));
        return address_same(&a, &b);
}

static int parse_error(const char *s) {
        struct address a = { .kind = ADDRESS_GROUP, .text = "untouched" };
        int r = address_parse(&a, s, strlen(s));
        if (r < 0)
                ck_assert_str_eq(a.text, "untouched");
        return r;
}

START_TEST(test_forms) {
        expect("unix:/run/php/php8.2-fpm.sock", ADDRESS_UNIX, "unix:/run/php/php8.2-fpm.sock", 0);
        expect("unix:///run/php/x.sock", ADDRESS_UNIX, "unix:/run/php/x.sock", 0);
        expect("/run/php/x.sock", ADDRESS_UNIX, "unix:/run/php/x.sock", 0);
        expect("/run//php///x.sock", ADDRESS_UNIX, "unix:/run/php/x.sock", 0);
        expect("127.0.0.1:9000", ADDRESS_INET, "127.0.0.1:9000", 9000);
        expect("10.0.0.2:65535", ADDRESS_INET, "10.0.0.2:65535", 65535);
        expect("localhost:9000", ADDRESS_INET, "127.0.0.1:9000", 9000);
        expect("[::1]:9000", ADDRESS_INET6, "[::1]:9000", 9000);
        expect("[0:0:0:0:0:0:0:1]:9000", ADDRESS_INET6, "[::1]:9000", 9000);
        expect("[2001:DB8::1]:80", ADDRESS_INET6, "[2001:db8::1]:80", 80);
        expect("9000", ADDRESS_ANY, "*:9000", 9000);
        expect("0.0.0.0:9000", ADDRESS_ANY, "*:9000", 9000);
        expect("[::]:9000", ADDRESS_ANY, "*:9000", 9000);
        expect("*:9000", ADDRESS_ANY, "*:9000", 9000);
        expect("09000", ADDRESS_ANY, "*:9000", 9000);
        expect("php.example.com:9000", ADDRESS_HOST, "php.example.com:9000", 9000);
        expect("php_backend", ADDRESS_GROUP, "php_backend", 0);
        expect("c9-backend.v2", ADDRESS_GROUP, "c9-backend.v2", 0);
}
END_TEST

/* What nginx prints in its error log's upstream: field, taken whole. */
START_TEST(test_nginx_forms) {
        expect("fastcgi://unix:/run/php/x.sock:", ADDRESS_UNIX, "unix:/run/php/x.sock", 0);
        expect("fastcgi://unix:/run/php/x.sock", ADDRESS_UNIX, "unix:/run/php/x.sock", 0);
        expect("http://unix:/run/app.sock:/upload", ADDRESS_UNIX, "unix:/run/app.sock", 0);
        expect("fastcgi://127.0.0.1:9000", ADDRESS_INET, "127.0.0.1:9000", 9000);
        expect("http://10.0.0.2:8000/upload", ADDRESS_INET, "10.0.0.2:8000", 8000);
        expect("fastcgi://[::1]:9000", ADDRESS_INET6, "[::1]:9000", 9000);
        expect("https://[::1]:8443/a/b?c=d", ADDRESS_INET6, "[::1]:8443", 8443);
        expect("fastcgi://c9_backend", ADDRESS_GROUP, "c9_backend", 0);
}
END_TEST

START_TEST(test_same) {
        ck_assert(same("unix:///run/x.sock", "unix:/run/x.sock"));
        ck_assert(same("/run/x.sock", "unix:/run/x.sock"));
        ck_assert(same("fastcgi://unix:/run/x.sock:", "/run/x.sock"));
        ck_assert(!same("/run/x.sock", "/run/y.sock"));
        ck_assert(same("localhost:9000", "127.0.0.1:9000"));
        ck_assert(same("9000", "0.0.0.0:9000"));
        ck_assert(same("9000", "[::]:9000"));
        ck_assert(same("*:9000", "[::]:9000"));
        ck_assert(same("9000", "127.0.0.1:9000"));
        ck_assert(same("9000", "fastcgi://10.0.0.2:9000"));
        ck_assert(same("[::1]:9000", "9000"));
        ck_assert(!same("9000", "127.0.0.1:9001"));
        ck_assert(!same("9000", "unix:/run/9000"));
        ck_assert(!same("9000", "php.example.com:9000"));
        ck_assert(!same("127.0.0.1:9000", "[::1]:9000"));
        ck_assert(!same("127.0.0.1:9000", "10.0.0.1:9000"));
        ck_assert(same("php_backend", "fastcgi://php_backend"));
        ck_assert(!same("php_backend", "9000"));
}
END_TEST

START_TEST(test_malformed) {
        static const char *const bad[] = {
                "", "unix:", "unix:run/x.sock", "run/x.sock", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
                "127.0.0.1:65536", "127.0.0.1:99999", "127.0.0.1:90x", "127.0.0.1:-1", "127.0.0.1:+80",
                "90x", "0", "65536", ":80", "[::1]", "[::1]:", "[nope]:80", "[::1]80", "[::1:9000",
                "1.2.3:80", "300.1.1.1:80", "::1:9000", "a b:80", "php backend", "x:y:80",
                "fastcgi://", "fastcgi://unix:", "http:///upload", "*", "*:0",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(parse_error(bad[i]) == -EINVAL, "'%s' accepted", bad[i]);
        struct address a;
        ck_assert_int_eq(address_parse(&a, "/run/x\0.sock", 12), -EINVAL);
        ck_assert_int_eq(address_parse(&a, "9000", 2), 0);
        ck_assert_str_eq(a.text, "*:90");
}
END_TEST

START_TEST(test_long) {
        char path[ADDRESS_PATH_MAX + 2], name[ADDRESS_NAME_MAX + 8];
        memset(path, 'x', sizeof(path) - 1);
        path[0] = '/';
        path[ADDRESS_PATH_MAX] = '\0';
        struct address a = parsed(path);
        ck_assert_str_eq(address_unix_path(&a), path);
        path[ADDRESS_PATH_MAX] = 'x';
        path[ADDRESS_PATH_MAX + 1] = '\0';
        ck_assert_int_eq(parse_error(path), -ENAMETOOLONG);
        /* extra slashes go before the length counts */
        char slashes[ADDRESS_PATH_MAX + 8] = "//";
        memset(slashes + 2, 'x', ADDRESS_PATH_MAX - 1);
        slashes[ADDRESS_PATH_MAX + 1] = '\0';
        ck_assert_int_eq(parse_error(slashes), 0);
        memset(name, 'n', ADDRESS_NAME_MAX);
        strcpy(name + ADDRESS_NAME_MAX, ":9000");
        expect(name, ADDRESS_HOST, name, 9000);
        name[ADDRESS_NAME_MAX] = '\0';
        ck_assert_int_eq(parse_error(name), 0);
        strcpy(name + ADDRESS_NAME_MAX, "n:9000");
        ck_assert_int_eq(parse_error(name), -EINVAL);
        name[ADDRESS_NAME_MAX + 1] = '\0';
        ck_assert_int_eq(parse_error(name), -EINVAL);
}
END_TEST

START_TEST(test_unix_path) {
        struct address a = parsed("unix:///run/php/x.sock");
        ck_assert_str_eq(address_unix_path(&a), "/run/php/x.sock");
        a = parsed("127.0.0.1:9000");
        ck_assert_ptr_null(address_unix_path(&a));
        a = parsed("php_backend");
        ck_assert_ptr_null(address_unix_path(&a));
}
END_TEST

START_TEST(test_sockaddr) {
        struct sockaddr_storage ss;
        socklen_t len;
        struct address a = parsed("/run/php/x.sock");
        ck_assert_int_eq(address_sockaddr(&a, &ss, &len), 0);
        const struct sockaddr_un *un = (const struct sockaddr_un *) &ss;
        ck_assert_int_eq(un->sun_family, AF_UNIX);
        ck_assert_str_eq(un->sun_path, "/run/php/x.sock");
        ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) + sizeof("/run/php/x.sock"));

        a = parsed("localhost:9000");
        ck_assert_int_eq(address_sockaddr(&a, &ss, &len), 0);
        const struct sockaddr_in *in = (const struct sockaddr_in *) &ss;
        ck_assert_int_eq(in->sin_family, AF_INET);
        ck_assert_uint_eq(ntohs(in->sin_port), 9000);
        ck_assert_uint_eq(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
        ck_assert_uint_eq(len, sizeof(*in));

        a = parsed("[::]:9001");
        ck_assert_int_eq(address_sockaddr(&a, &ss, &len), 0);
        ck_assert_int_eq(in->sin_family, AF_INET);
        ck_assert_uint_eq(ntohs(in->sin_port), 9001);
        ck_assert_uint_eq(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);

        a = parsed("[2001:db8::7]:80");
        ck_assert_int_eq(address_sockaddr(&a, &ss, &len), 0);
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) &ss;
        struct in6_addr want;
        ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::7", &want), 1);
        ck_assert_int_eq(in6->sin6_family, AF_INET6);
        ck_assert_uint_eq(ntohs(in6->sin6_port), 80);
        ck_assert_mem_eq(&in6->sin6_addr, &want, sizeof(want));
        ck_assert_uint_eq(len, sizeof(*in6));

        a = parsed("php.example.com:9000");
        ck_assert_int_eq(address_sockaddr(&a, &ss, &len), -EINVAL);
        a = parsed("php_backend");
        ck_assert_int_eq(address_sockaddr(&a, &ss, &len), -EINVAL);
}
END_TEST

/* Moved from test_nginx_log.c's test_upstream_address (nginx_upstream_address), same assertions. */
START_TEST(test_upstream_field) {
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://unix:/run/php/php8.2-fpm.sock:")),
                          "unix:/run/php/php8.2-fpm.sock");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://unix:/run/php.sock")), "unix:/run/php.sock");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://127.0.0.1:9000")), "127.0.0.1:9000");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://[::1]:9000")), "[::1]:9000");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://c9_backend")), "c9_backend");
}
END_TEST

START_TEST(test_unix_label) {
        char buf[ADDRESS_TEXT_MAX], small[8];
        struct span in = address_upstream_field(SPAN_LIT("fastcgi://unix:///var/run/php-fpm.sock"));
        ck_assert_span_eq(address_unix_label(in, buf, sizeof(buf)), "unix:/var/run/php-fpm.sock");
        in = address_upstream_field(SPAN_LIT("fastcgi://unix:///run//php/x.sock:"));
        ck_assert_span_eq(address_unix_label(in, buf, sizeof(buf)), "unix:/run/php/x.sock");
        /* nothing to rewrite: the span itself */
        struct span same = SPAN_LIT("unix:/run/x.sock");
        ck_assert_ptr_eq(address_unix_label(same, buf, sizeof(buf)).p, same.p);
        same = SPAN_LIT("10.0.0.2:8000");
        ck_assert_ptr_eq(address_unix_label(same, buf, sizeof(buf)).p, same.p);
        same = SPAN_LIT("unix:///a/long/path");
        ck_assert_ptr_eq(address_unix_label(same, small, sizeof(small)).p, same.p);
        ck_assert_ptr_null(address_unix_label(SPAN_NULL, buf, sizeof(buf)).p);
        struct address a;
        ck_assert_int_eq(address_parse(&a, buf, strlen(buf)), 0);
}
END_TEST

START_TEST(test_upstream_field_uri) {
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("http://10.0.0.2:8000/upload")), "10.0.0.2:8000");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("http://unix:/run/app.sock:/upload?a=b:c")),
                          "unix:/run/app.sock");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("grpc://[::1]:50051")), "[::1]:50051");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://unix:/a:b.sock:")), "unix:/a:b.sock");
        /* no scheme: nothing to strip */
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("unix:/run/x.sock:")), "unix:/run/x.sock:");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("127.0.0.1:9000")), "127.0.0.1:9000");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("unknown upstream")), "unknown upstream");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://unix:")), "unix:");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("fastcgi://")), "");
        ck_assert_span_eq(address_upstream_field(SPAN_LIT("://x")), "://x");
        struct span none = address_upstream_field(SPAN_NULL);
        ck_assert_ptr_null(none.p);
        ck_assert_uint_eq(none.n, 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("address");
        TCase *tc = tcase_create("parse");
        tcase_add_test(tc, test_forms);
        tcase_add_test(tc, test_nginx_forms);
        tcase_add_test(tc, test_same);
        tcase_add_test(tc, test_malformed);
        tcase_add_test(tc, test_long);
        tcase_add_test(tc, test_unix_path);
        tcase_add_test(tc, test_sockaddr);
        suite_add_tcase(s, tc);
        tc = tcase_create("upstream field");
        tcase_add_test(tc, test_upstream_field);
        tcase_add_test(tc, test_upstream_field_uri);
        tcase_add_test(tc, test_unix_label);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
