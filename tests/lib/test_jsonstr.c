#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "jsonstr.h"

/* Dumps the string as JSON, loads it back and returns the decoded text. */
static char *roundtrip(const char *p, size_t n, size_t *out_len) {
        json_t *s = json_bytes(p, n);
        ck_assert_ptr_nonnull(s);
        char *dumped = json_dumps(s, JSON_ENCODE_ANY);
        ck_assert_ptr_nonnull(dumped);
        json_error_t err;
        json_t *back = json_loads(dumped, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
        ck_assert_msg(back != NULL, "invalid JSON %s: %s", dumped, err.text);
        *out_len = json_string_length(back);
        char *text = malloc(*out_len + 1);
        memcpy(text, json_string_value(back), *out_len + 1);
        json_decref(back);
        json_decref(s);
        free(dumped);
        return text;
}

START_TEST(test_valid_utf8_kept) {
        size_t n;
        char *t = roundtrip("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, &n);
        ck_assert_uint_eq(n, 14);
        ck_assert_mem_eq(t, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14);
        free(t);
}
END_TEST

START_TEST(test_control_and_nul_kept) {
        size_t n;
        char *t = roundtrip("a\0b\x01\x1f\"\\", 7, &n);
        ck_assert_uint_eq(n, 7);
        ck_assert_mem_eq(t, "a\0b\x01\x1f\"\\", 7);
        free(t);
}
END_TEST

START_TEST(test_invalid_bytes_escaped) {
        static const struct {
                const char *in;
                size_t n;
                const char *out;
        } cases[] = {
                { "\xff", 1, "\\xff" },
                { "a\xc3(b", 4, "a\\xc3(b" },                   /* truncated 2-byte sequence */
                { "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" },       /* UTF-16 surrogate */
                { "\xc0\xaf", 2, "\\xc0\\xaf" },                /* overlong '/' */
                { "\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80" }, /* above U+10FFFF */
                { "ok\xe2\x82", 5, "ok\\xe2\\x82" },             /* cut at the end */
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                size_t n;
                char *t = roundtrip(cases[i].in, cases[i].n, &n);
                ck_assert_str_eq(t, cases[i].out);
                free(t);
        }
}
END_TEST

START_TEST(test_null_and_empty) {
        size_t n;
        char *t = roundtrip(NULL, 0, &n);
        ck_assert_uint_eq(n, 0);
        free(t);
}
END_TEST

static const char *quoted(const char *p, size_t n, size_t max) {
        static char out[TEXT_QUOTE_SIZE(64)];
        ck_assert_uint_le(max, 64);
        return text_quote(out, sizeof(out), p, n, max);
}

/* A receiver's reply body goes into the log: one line, no terminal escapes, no raw bytes. */
START_TEST(test_text_quote) {
        static const char body[] = "bad \x1b[31m\n\0x";
        ck_assert_str_eq(quoted(body, sizeof(body) - 1, 64), "bad \\x1b[31m\\x0a\\x00x");
        ck_assert_str_eq(quoted("oops\n", 5, 64), "oops");
        ck_assert_str_eq(quoted("oops\r\n", 6, 64), "oops");
        ck_assert_str_eq(quoted("a\nb\rc\td", 7, 64), "a\\x0ab\\x0dc\\x09d");
        ck_assert_str_eq(quoted("caf\xc3\xa9 \xe2\x82\xac", 9, 64), "caf\xc3\xa9 \xe2\x82\xac");
        ck_assert_str_eq(quoted("\xc2\x9b" "2J\x7f\\", 6, 64), "\\xc2\\x9b2J\\x7f\\x5c");
        ck_assert_str_eq(quoted("\xff\xc3", 2, 64), "\\xff\\xc3");
        ck_assert_str_eq(quoted("0123456789", 10, 4), "0123...");
        ck_assert_str_eq(quoted("ab\xc3\xa9", 4, 3), "ab\\xc3...");
        ck_assert_str_eq(quoted("line\n", 6, 4), "line...");
        ck_assert_str_eq(quoted(NULL, 0, 64), "");
        char small[6];
        ck_assert_str_eq(text_quote(small, sizeof(small), "\x01\x02", 2, 64), "");
        ck_assert_str_eq(text_quote(small, sizeof(small), "abcdef", 6, 64), "ab");
}
END_TEST

/* json_set_exact(): valid UTF-8 as a string, anything else as hex; json_get_exact() gives the
 * same bytes back from either, and refuses what it could not have written. */
START_TEST(test_exact) {
        static const struct { const char *bytes, *key; } cases[] = {
                { "unix:/run/caf\xc3\xa9.sock", "target" },
                { "unix:/run/x\xff.sock", "target_hex" },
                { "\xe9vil.example:80", "target_hex" },
                { "\xed\xa0\x80", "target_hex" },             /* a surrogate: not UTF-8 */
                { "a\\x41", "target" },                        /* text that looks escaped stays text */
        };
        char out[64];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                json_t *o = json_object();
                size_t n = strlen(cases[i].bytes);
                ck_assert_int_eq(json_set_exact(o, "target", cases[i].bytes, n), 0);
                ck_assert_uint_eq(json_object_size(o), 1);
                ck_assert_ptr_nonnull(json_object_get(o, cases[i].key));
                char *text = json_dumps(o, 0);
                json_t *back = json_loads(text, 0, NULL);
                ck_assert_ptr_nonnull(back);
                ck_assert_int_eq(json_get_exact(back, "target", out, sizeof(out)), (int) n);
                ck_assert_mem_eq(out, cases[i].bytes, n + 1);
                ck_assert_int_eq(json_get_exact(back, "target", out, n), -E2BIG);
                free(text);
                json_decref(back);
                json_decref(o);
        }
}
END_TEST

START_TEST(test_exact_refused) {
        static const char *const bad[] = {
                "{\"k\": \"a\", \"k_hex\": \"61\"}", "{\"k_hex\": \"6\"}", "{\"k_hex\": \"6g\"}",
                "{\"k_hex\": \"6100\"}", "{\"k_hex\": \"\"}", "{\"k\": \"\"}", "{\"k\": 1}", "{\"k_hex\": null}",
        };
        char out[16];
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                json_t *o = json_loads(bad[i], 0, NULL);
                ck_assert_ptr_nonnull(o);
                ck_assert_msg(json_get_exact(o, "k", out, sizeof(out)) == -EINVAL, "%s", bad[i]);
                json_decref(o);
        }
        json_t *o = json_object();
        ck_assert_int_eq(json_get_exact(o, "k", out, sizeof(out)), -ENOENT);
        ck_assert_int_eq(json_set_exact(o, "k", "\xff\xfe", 2), 0);
        ck_assert_int_eq(json_get_exact(o, "k", out, sizeof(out)), 2);
        ck_assert_str_eq(json_string_value(json_object_get(o, "k_hex")), "fffe");
        json_decref(o);
}
END_TEST

/* A key that is not UTF-8 (an nginx upstream's name): jansson refuses it, json_set_any_key()
 * keeps the entry under the key written as json_bytes() writes a value. */
START_TEST(test_any_key) {
        json_t *o = json_object();
        ck_assert_int_eq(json_object_set_new(o, "b\xff" "ad", json_true()), -1);
        ck_assert_int_eq(json_set_any_key(o, "b\xff" "ad", json_integer(1)), 0);
        ck_assert_int_eq(json_set_any_key(o, "caf\xc3\xa9", json_integer(2)), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "b\\xffad")), 1);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "caf\xc3\xa9")), 2);
        char *text = json_dumps(o, JSON_SORT_KEYS);
        ck_assert_str_eq(text, "{\"b\\\\xffad\": 1, \"caf\xc3\xa9\": 2}");
        free(text);
        json_decref(o);
}
END_TEST

int main(void) {
        Suite *s = suite_create("jsonstr");
        TCase *tc = tcase_create("core");
        tcase_add_test(tc, test_valid_utf8_kept);
        tcase_add_test(tc, test_control_and_nul_kept);
        tcase_add_test(tc, test_invalid_bytes_escaped);
        tcase_add_test(tc, test_null_and_empty);
        tcase_add_test(tc, test_text_quote);
        tcase_add_test(tc, test_exact);
        tcase_add_test(tc, test_exact_refused);
        tcase_add_test(tc, test_any_key);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
