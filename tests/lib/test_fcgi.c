#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"
#include "fixtures.h"

/* Bytes recorded from php-fpm 8.2 (corpus probe.txt). */
static const char get_values[] =
        "\x01\x09\x00\x00\x00\x30\x00\x00"
        "\x0e\x00" "FCGI_MAX_CONNS" "\x0d\x00" "FCGI_MAX_REQS" "\x0f\x00" "FCGI_MPXS_CONNS";

static const char values_result[] =
        "\x01\x0a\x00\x00\x00\x12\x06\x00"
        "\x0f\x01" "FCGI_MPXS_CONNS0" "\x00\x00\x00\x00\x00\x00";

static const char ping_request[] =
        "\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        "\x01\x04\x00\x01\x00\xef\x01\x00"
        "\x0b\x05SCRIPT_NAME/ping\x0c\x00QUERY_STRING\x0e\x03REQUEST_METHODGET"
        "\x0f\x1dSCRIPT_FILENAME/srv/lab/www/ping\x0b\x05REQUEST_URI/ping"
        "\x0c\x05" "DOCUMENT_URI/ping\x0f\x08SERVER_PROTOCOLHTTP/1.1"
        "\x11\x07GATEWAY_INTERFACECGI/1.1\x0b\x09REMOTE_ADDR127.0.0.1"
        "\x0b\x05SERVER_NAMEprobe\x0b\x01SERVER_PORT0\x00"
        "\x01\x04\x00\x01\x00\x00\x00\x00"
        "\x01\x05\x00\x01\x00\x00\x00\x00";

static const char status_request[] =
        "\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        "\x01\x04\x00\x01\x01\x00\x00\x00"
        "\x0b\x07SCRIPT_NAME/status\x0c\x04QUERY_STRINGjson\x0e\x03REQUEST_METHODGET"
        "\x0f\x1fSCRIPT_FILENAME/srv/lab/www/status\x0b\x0cREQUEST_URI/status?json"
        "\x0c\x07" "DOCUMENT_URI/status\x0f\x08SERVER_PROTOCOLHTTP/1.1"
        "\x11\x07GATEWAY_INTERFACECGI/1.1\x0b\x09REMOTE_ADDR127.0.0.1"
        "\x0b\x05SERVER_NAMEprobe\x0b\x01SERVER_PORT0"
        "\x01\x04\x00\x01\x00\x00\x00\x00"
        "\x01\x05\x00\x01\x00\x00\x00\x00";

static const char minimal_request[] =
        "\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
        "\x01\x04\x00\x01\x00\x33\x05\x00"
        "\x0b\x05SCRIPT_NAME/ping\x0c\x00QUERY_STRING\x0e\x03REQUEST_METHODGET\x00\x00\x00\x00\x00"
        "\x01\x04\x00\x01\x00\x00\x00\x00"
        "\x01\x05\x00\x01\x00\x00\x00\x00";

static const char keep_conn_begin[] =
        "\x01\x01\x00\x01\x00\x08\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00";

/* STDOUT then END_REQUEST, whose reserved bytes carry leftovers ("nte"). */
static const char ping_answer[] =
        "\x01\x06\x00\x01\x00\x95\x03\x00"
        "Content-type: text/plain;charset=UTF-8\r\n"
        "Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
        "Cache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n\r\npong\x00\x00\x00"
        "\x01\x03\x00\x01\x00\x08\x00\x00\x00\x00\x00\x00\x00nte";

static const char not_found_answer[] =
        "\x01\x07\x00\x01\x00\x16\x02\x00Primary script unknown\x00\x00"
        "\x01\x06\x00\x01\x00\x51\x07\x00Status: 404 Not Found\r\n"
        "Content-type: text/html; charset=UTF-8\r\n\r\nFile not found.\n\x00\x00\x00\x00\x00\x00\x00"
        "\x01\x03\x00\x01\x00\x08\x00\x00\x00\x00\x00\x00\x00\r\n\r";

static const char status_answer[] =
        "\x01\x06\x00\x01\x01\xaa\x06\x00"
        "Expires: Thu, 01 Jan 1970 00:00:00 GMT\r\n"
        "Cache-Control: no-cache, no-store, must-revalidate, max-age=0\r\n"
        "Content-Type: application/json\r\n\r\n"
        "{\"pool\":\"main\",\"process manager\":\"static\",\"start time\":1795612990,\"start since\":76,"
        "\"accepted conn\":14,\"listen queue\":0,\"max listen queue\":0,\"listen queue len\":0,"
        "\"idle processes\":1,\"active processes\":1,\"total processes\":2,\"max active processes\":2,"
        "\"max children reached\":0,\"slow requests\":0}\x00\x00\x00\x00\x00\x00"
        "\x01\x03\x00\x01\x00\x08\x00\x00\x00\x00\x00\x00\x00" "aaa";

/* What nginx (an HTTP server) sent back for a GET_VALUES. */
static const char nginx_400[] =
        "HTTP/1.1 400 Bad Request\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 13:24:28 GMT\r\n"
        "Content-Type: text/html\r\nContent-Length: 157\r\nConnection: close\r\n\r\n"
        "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n"
        "<center><h1>400 Bad Request</h1></center>\r\n<hr><center>nginx/1.22.1</center>\r\n"
        "</body>\r\n</html>\r\n";

static const char unknown_type[] = "\x01\x63\x00\x00\x00\x00\x00\x00";

#define LEN(lit) (sizeof(lit) - 1)
#define PAIR(n, v) { SPAN_LIT(n), SPAN_LIT(v) }

/*
 * The transcript shortened SCRIPT_FILENAME by 12 bytes but kept its length byte and the record
 * length ("sent 280 bytes", 0x1d = 29): encode a value 12 bytes longer and cut those out to compare.
 */
#define REDACTED "############"

static size_t encode_request(char *out, size_t size, const char *name, const char *query,
                             const char *uri, const char *filename) {
        struct fcgi_buf b = { out, size, 0 };
        const struct fcgi_pair pairs[] = {
                { SPAN_LIT("SCRIPT_NAME"), span_make(name, strlen(name)) },
                { SPAN_LIT("QUERY_STRING"), span_make(query, strlen(query)) },
                PAIR("REQUEST_METHOD", "GET"),
                { SPAN_LIT("SCRIPT_FILENAME"), span_make(filename, strlen(filename)) },
                { SPAN_LIT("REQUEST_URI"), span_make(uri, strlen(uri)) },
                { SPAN_LIT("DOCUMENT_URI"), span_make(name, strlen(name)) },
                PAIR("SERVER_PROTOCOL", "HTTP/1.1"),
                PAIR("GATEWAY_INTERFACE", "CGI/1.1"),
                PAIR("REMOTE_ADDR", "127.0.0.1"),
                PAIR("SERVER_NAME", "probe"),
                PAIR("SERVER_PORT", "0"),
        };
        ck_assert_int_eq(fcgi_put_begin_request(&b, 1, 0), 0);
        ck_assert_int_eq(fcgi_put_params(&b, 1, pairs, sizeof(pairs) / sizeof(pairs[0])), 0);
        ck_assert_int_eq(fcgi_put_params_end(&b, 1), 0);
        ck_assert_int_eq(fcgi_put_stdin(&b, 1, SPAN_NULL), 0);
        return b.len;
}

static void assert_redacted_eq(char *got, size_t n, const char *want, size_t want_n) {
        char *cut = memmem(got, n, REDACTED, LEN(REDACTED));
        ck_assert_ptr_nonnull(cut);
        memmove(cut, cut + LEN(REDACTED), n - (size_t) (cut - got) - LEN(REDACTED));
        ck_assert_uint_eq(n - LEN(REDACTED), want_n);
        ck_assert_mem_eq(got, want, want_n);
}

START_TEST(test_encode_get_values) {
        char out[64];
        struct fcgi_buf b = { out, sizeof(out), 0 };
        ck_assert_int_eq(fcgi_put_get_values(&b), 0);
        ck_assert_uint_eq(b.len, LEN(get_values));
        ck_assert_mem_eq(out, get_values, LEN(get_values));
}
END_TEST

START_TEST(test_encode_ping_request) {
        char out[512];
        size_t n = encode_request(out, sizeof(out), "/ping", "", "/ping", "/srv/lab/www/ping" REDACTED);
        ck_assert_uint_eq(n, 280);
        assert_redacted_eq(out, n, ping_request, LEN(ping_request));
}
END_TEST

START_TEST(test_encode_status_request_no_padding) {
        char out[512];
        size_t n = encode_request(out, sizeof(out), "/status", "json", "/status?json",
                                  "/srv/lab/www/status" REDACTED);
        ck_assert_uint_eq(n, 296);
        assert_redacted_eq(out, n, status_request, LEN(status_request));
}
END_TEST

START_TEST(test_encode_minimal_request) {
        char out[128];
        struct fcgi_buf b = { out, sizeof(out), 0 };
        const struct fcgi_pair pairs[] = {
                PAIR("SCRIPT_NAME", "/ping"), PAIR("QUERY_STRING", ""), PAIR("REQUEST_METHOD", "GET"),
        };
        ck_assert_int_eq(fcgi_put_begin_request(&b, 1, 0), 0);
        ck_assert_int_eq(fcgi_put_params(&b, 1, pairs, 3), 0);
        ck_assert_int_eq(fcgi_put_params_end(&b, 1), 0);
        ck_assert_int_eq(fcgi_put_stdin(&b, 1, SPAN_NULL), 0);
        ck_assert_uint_eq(b.len, LEN(minimal_request));
        ck_assert_mem_eq(out, minimal_request, LEN(minimal_request));
}
END_TEST

START_TEST(test_encode_keep_conn) {
        char out[16];
        struct fcgi_buf b = { out, sizeof(out), 0 };
        ck_assert_int_eq(fcgi_put_begin_request(&b, 1, FCGI_KEEP_CONN), 0);
        ck_assert_mem_eq(out, keep_conn_begin, LEN(keep_conn_begin));
}
END_TEST

START_TEST(test_encode_long_lengths) {
        char value[200], out[512];
        memset(value, 'v', sizeof(value));
        struct fcgi_buf b = { out, sizeof(out), 0 };
        const struct fcgi_pair pairs[] = {
                { SPAN_LIT("A"), span_make(value, 127) },
                { SPAN_LIT("B"), span_make(value, 128) },
        };
        ck_assert_int_eq(fcgi_put_params(&b, 7, pairs, 2), 0);
        size_t content = 1 + 1 + 1 + 127 + 1 + 4 + 1 + 128;
        ck_assert_uint_eq(b.len, 8 + content + (8 - content % 8) % 8);
        ck_assert_mem_eq(out, "\x01\x04\x00\x07\x01\x08\x00\x00", 8);
        ck_assert_mem_eq(out + 8, "\x01\x7f" "A", 3);
        ck_assert_mem_eq(out + 8 + 3 + 127, "\x01\x80\x00\x00\x80" "B", 6);
        struct span s = span_make(out + 8, content);
        struct fcgi_pair p;
        ck_assert_int_eq(fcgi_next_pair(&s, &p), 1);
        ck_assert_uint_eq(p.value.n, 127);
        ck_assert_int_eq(fcgi_next_pair(&s, &p), 1);
        ck_assert(span_eq_str(p.name, "B"));
        ck_assert_uint_eq(p.value.n, 128);
        ck_assert_int_eq(fcgi_next_pair(&s, &p), 0);
}
END_TEST

START_TEST(test_encode_stdin) {
        char out[32];
        struct fcgi_buf b = { out, sizeof(out), 0 };
        ck_assert_int_eq(fcgi_put_stdin(&b, 1, SPAN_LIT("abc")), 0);
        ck_assert_uint_eq(b.len, 16);
        ck_assert_mem_eq(out, "\x01\x05\x00\x01\x00\x03\x05\x00" "abc\x00\x00\x00\x00\x00", 16);
}
END_TEST

START_TEST(test_encode_limits) {
        char small[55];
        struct fcgi_buf b = { small, sizeof(small), 0 };
        ck_assert_int_eq(fcgi_put_get_values(&b), -ENOBUFS);
        ck_assert_uint_eq(b.len, 0);
        b.len = 47;
        ck_assert_int_eq(fcgi_put_params_end(&b, 1), 0);
        ck_assert_uint_eq(b.len, 55);
        b.len = 48;
        ck_assert_int_eq(fcgi_put_params_end(&b, 1), -ENOBUFS);
        b.len = 60;
        ck_assert_int_eq(fcgi_put_params_end(&b, 1), -ENOBUFS);
        ck_assert_uint_eq(b.len, 60);

        size_t big_n = FCGI_MAX_CONTENT + 1;
        char *data = calloc(1, big_n), *out = calloc(1, big_n + 16);
        struct fcgi_buf wide = { out, big_n + 16, 0 };
        ck_assert_int_eq(fcgi_put_stdin(&wide, 1, span_make(data, big_n)), -EMSGSIZE);
        const struct fcgi_pair huge = { SPAN_LIT("X"), span_make(data, FCGI_MAX_CONTENT - 5) };
        ck_assert_int_eq(fcgi_put_params(&wide, 1, &huge, 1), -EMSGSIZE);
        ck_assert_uint_eq(wide.len, 0);
        ck_assert_int_eq(fcgi_put_stdin(&wide, 1, span_make(data, FCGI_MAX_CONTENT)), 0);
        ck_assert_uint_eq(wide.len, 8 + FCGI_MAX_CONTENT + 1);
        ck_assert_mem_eq(out, "\x01\x05\x00\x01\xff\xff\x01\x00", 8);
        free(data);
        free(out);
}
END_TEST

/* Records decoded from bytes fed in chunks of a given size, contents copied out. */
struct decoded {
        int n;
        struct fcgi_record rec[8];
        char content[8][1024];
        int last;               /* the decoder's last return */
};

static void decode_chunks(const char *bytes, size_t len, size_t chunk, struct decoded *out) {
        static struct fcgi_decoder d;
        fcgi_decoder_init(&d);
        memset(out, 0, sizeof(*out));
        for (size_t at = 0; at < len && out->last >= 0; at += chunk) {
                struct span in = span_make(bytes + at, len - at < chunk ? len - at : chunk);
                struct fcgi_record r;
                while ((out->last = fcgi_decode(&d, &in, &r)) > 0) {
                        ck_assert_int_lt(out->n, 8);
                        ck_assert_uint_le(r.content.n, sizeof(out->content[0]));
                        memcpy(out->content[out->n], r.content.p, r.content.n);
                        out->rec[out->n] = r;
                        out->rec[out->n].content = span_make(out->content[out->n], r.content.n);
                        out->n++;
                }
                if (out->last < 0)
                        break;
                ck_assert_uint_eq(in.n, 0);
        }
        if (out->last == 0)
                out->last = fcgi_decode_eof(&d);
}

static const size_t chunk_sizes[] = { 1, 2, 3, 7, 8, 9, 64, 4096 };
#define N_CHUNKS (sizeof(chunk_sizes) / sizeof(chunk_sizes[0]))

START_TEST(test_decode_values_result) {
        struct decoded d;
        decode_chunks(values_result, LEN(values_result), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.last, 0);
        ck_assert_int_eq(d.n, 1);
        ck_assert_uint_eq(d.rec[0].version, 1);
        ck_assert_uint_eq(d.rec[0].type, FCGI_GET_VALUES_RESULT);
        ck_assert_uint_eq(d.rec[0].request_id, 0);
        ck_assert_uint_eq(d.rec[0].content.n, 18);
        struct fcgi_values v;
        ck_assert_int_eq(fcgi_parse_values(d.rec[0].content, &v), 0);
        ck_assert_int_eq(v.mpxs_conns, 0);
        ck_assert_int_eq(v.max_conns, -1);
        ck_assert_int_eq(v.max_reqs, -1);
}
END_TEST

START_TEST(test_decode_ping_answer) {
        struct decoded d;
        decode_chunks(ping_answer, LEN(ping_answer), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.last, 0);
        ck_assert_int_eq(d.n, 2);
        ck_assert_uint_eq(d.rec[0].type, FCGI_STDOUT);
        ck_assert_uint_eq(d.rec[0].request_id, 1);
        ck_assert_uint_eq(d.rec[0].content.n, 149);
        ck_assert(SPAN_ENDS(d.rec[0].content, "\r\n\r\npong"));
        ck_assert_uint_eq(d.rec[1].type, FCGI_END_REQUEST);
        struct fcgi_end end = { 99, 99 };
        ck_assert_int_eq(fcgi_parse_end_request(d.rec[1].content, &end), 0);
        ck_assert_uint_eq(end.app_status, 0);
        ck_assert_uint_eq(end.protocol_status, FCGI_REQUEST_COMPLETE);
}
END_TEST

START_TEST(test_decode_not_found_answer) {
        struct decoded d;
        decode_chunks(not_found_answer, LEN(not_found_answer), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.last, 0);
        ck_assert_int_eq(d.n, 3);
        ck_assert_uint_eq(d.rec[0].type, FCGI_STDERR);
        ck_assert(span_eq_str(d.rec[0].content, "Primary script unknown"));
        ck_assert_uint_eq(d.rec[1].type, FCGI_STDOUT);
        ck_assert(SPAN_STARTS(d.rec[1].content, "Status: 404 Not Found\r\n"));
        struct fcgi_end end;
        ck_assert_int_eq(fcgi_parse_end_request(d.rec[2].content, &end), 0);
        ck_assert_uint_eq(end.protocol_status, FCGI_REQUEST_COMPLETE);
}
END_TEST

START_TEST(test_decode_status_answer) {
        struct decoded d;
        decode_chunks(status_answer, LEN(status_answer), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.last, 0);
        ck_assert_int_eq(d.n, 2);
        ck_assert_uint_eq(d.rec[0].content.n, 426);
        ck_assert(SPAN_ENDS(d.rec[0].content, "\"slow requests\":0}"));
        ck_assert_uint_eq(d.rec[1].type, FCGI_END_REQUEST);
}
END_TEST

START_TEST(test_decode_http_is_not_fastcgi) {
        struct fcgi_decoder d;
        fcgi_decoder_init(&d);
        struct span in = span_make(nginx_400, chunk_sizes[_i] < LEN(nginx_400) ? chunk_sizes[_i] : LEN(nginx_400));
        struct fcgi_record r;
        ck_assert_int_eq(fcgi_decode(&d, &in, &r), -EPROTO);
        ck_assert_uint_eq(d.error_byte, 72);
        ck_assert_uint_eq(d.error_offset, 0);
        ck_assert_int_eq(fcgi_decode(&d, &in, &r), -EPROTO);
        ck_assert_int_eq(fcgi_decode_eof(&d), -EPROTO);
}
END_TEST

START_TEST(test_decode_http_after_a_record) {
        char both[LEN(values_result) + LEN(nginx_400)];
        memcpy(both, values_result, LEN(values_result));
        memcpy(both + LEN(values_result), nginx_400, LEN(nginx_400));
        struct decoded d;
        decode_chunks(both, sizeof(both), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.n, 1);
        ck_assert_int_eq(d.last, -EPROTO);
        struct fcgi_decoder dec;
        fcgi_decoder_init(&dec);
        struct span in = span_make(both, sizeof(both));
        struct fcgi_record r;
        ck_assert_int_eq(fcgi_decode(&dec, &in, &r), 1);
        ck_assert_int_eq(fcgi_decode(&dec, &in, &r), -EPROTO);
        ck_assert_uint_eq(dec.error_offset, 32);
        ck_assert_uint_eq(dec.error_byte, 'H');
}
END_TEST

START_TEST(test_decode_bad_versions) {
        static const char *const heads[] = { "\x00\x06", "\x02\x06", "\xff\x06" };
        for (int i = 0; i < 3; i++) {
                struct fcgi_decoder d;
                fcgi_decoder_init(&d);
                struct span in = span_make(heads[i], 2);
                struct fcgi_record r;
                ck_assert_int_eq(fcgi_decode(&d, &in, &r), -EPROTO);
                ck_assert_uint_eq(d.error_byte, (unsigned char) heads[i][0]);
        }
}
END_TEST

START_TEST(test_decode_huge_content_length) {
        static struct fcgi_decoder d;
        fcgi_decoder_init(&d);
        size_t n = 8 + FCGI_MAX_CONTENT + 255;
        char *bytes = malloc(n);
        memset(bytes, 'x', n);
        memcpy(bytes, "\x01\x06\x00\x01\xff\xff\xff\x00", 8);
        struct span in = span_make(bytes, 18);
        struct fcgi_record r;
        ck_assert_int_eq(fcgi_decode(&d, &in, &r), 0);
        ck_assert_uint_eq(in.n, 0);
        ck_assert_int_eq(fcgi_decode_eof(&d), -EPIPE);
        in = span_make(bytes + 18, n - 18);
        ck_assert_int_eq(fcgi_decode(&d, &in, &r), 1);
        ck_assert_uint_eq(r.content.n, FCGI_MAX_CONTENT);
        ck_assert_uint_eq(in.n, 0);
        ck_assert_int_eq(fcgi_decode_eof(&d), 0);
        free(bytes);
}
END_TEST

START_TEST(test_decode_truncated) {
        struct decoded d;
        decode_chunks(ping_answer, 5, chunk_sizes[_i], &d);
        ck_assert_int_eq(d.n, 0);
        ck_assert_int_eq(d.last, -EPIPE);
        decode_chunks(ping_answer, 100, chunk_sizes[_i], &d);
        ck_assert_int_eq(d.n, 0);
        ck_assert_int_eq(d.last, -EPIPE);
        decode_chunks(ping_answer, LEN(ping_answer) - 1, chunk_sizes[_i], &d);
        ck_assert_int_eq(d.n, 1);
        ck_assert_int_eq(d.last, -EPIPE);
}
END_TEST

START_TEST(test_decode_padding_past_the_end) {
        char bytes[8 + 2 + 255 + 8] = "\x01\x06\x00\x01\x00\x02\xff\x00" "ok";
        memcpy(bytes + 8 + 2 + 255, "\x01\x03\x00\x01\x00\x00\x00\x00", 8);
        struct decoded d;
        decode_chunks(bytes, 8 + 2 + 10, chunk_sizes[_i], &d);
        ck_assert_int_eq(d.n, 0);
        ck_assert_int_eq(d.last, -EPIPE);
        decode_chunks(bytes, sizeof(bytes), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.last, 0);
        ck_assert_int_eq(d.n, 2);
        ck_assert(span_eq_str(d.rec[0].content, "ok"));
        ck_assert_uint_eq(d.rec[1].type, FCGI_END_REQUEST);
        ck_assert_uint_eq(d.rec[1].content.n, 0);
}
END_TEST

START_TEST(test_decode_zero_length_and_unknown_types) {
        static const char bytes[] =
                "\x01\x06\x00\x01\x00\x00\x00\x00"
                "\x01\x63\x00\x00\x00\x00\x00\x00"
                "\x01\x00\x00\x05\x00\x00\x00\x00"
                "\x01\xff\x12\x34\x00\x01\x07\x00" "z\x00\x00\x00\x00\x00\x00\x00"
                "\x01\x07\x00\x01\x00\x00\x00\x00";
        struct decoded d;
        decode_chunks(bytes, LEN(bytes), chunk_sizes[_i], &d);
        ck_assert_int_eq(d.last, 0);
        ck_assert_int_eq(d.n, 5);
        ck_assert_uint_eq(d.rec[0].type, FCGI_STDOUT);
        ck_assert_uint_eq(d.rec[0].content.n, 0);
        ck_assert_uint_eq(d.rec[1].type, 0x63);
        ck_assert_mem_eq(unknown_type, bytes + 8, 8);
        ck_assert_uint_eq(d.rec[2].type, 0);
        ck_assert_uint_eq(d.rec[2].request_id, 5);
        ck_assert_uint_eq(d.rec[3].type, 0xff);
        ck_assert_uint_eq(d.rec[3].request_id, 0x1234);
        ck_assert(span_eq_str(d.rec[3].content, "z"));
        ck_assert_uint_eq(d.rec[4].type, FCGI_STDERR);
}
END_TEST

START_TEST(test_pairs_hostile) {
        static const struct {
                const char *bytes;
                size_t n;
        } bad[] = {
                { "\x05\x01" "ab", 4 },                 /* name runs past the content */
                { "\x01\x05" "ab", 4 },                 /* value runs past the content */
                { "\x80\x00", 2 },                      /* 4-byte length cut short */
                { "\x01\x80\x00\x00", 4 },
                { "\xff\xff\xff\xff\x00", 5 },          /* 2 GiB name */
                { "\x01", 1 },                          /* no value length */
                { "\x01\xff\xff\xff\xff" "a", 6 },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct span s = span_make(bad[i].bytes, bad[i].n);
                struct fcgi_pair p;
                ck_assert_int_eq(fcgi_next_pair(&s, &p), -EBADMSG);
                ck_assert_uint_eq(s.n, bad[i].n);
        }
        struct span empty = SPAN_NULL;
        struct fcgi_pair p;
        ck_assert_int_eq(fcgi_next_pair(&empty, &p), 0);
        struct span ok = SPAN_LIT("\x00\x00");
        ck_assert_int_eq(fcgi_next_pair(&ok, &p), 1);
        ck_assert_uint_eq(p.name.n + p.value.n + ok.n, 0);
}
END_TEST

START_TEST(test_parse_values) {
        struct fcgi_values v;
        struct span all = SPAN_LIT("\x0e\x02" "FCGI_MAX_CONNS" "50" "\x0d\x03" "FCGI_MAX_REQS" "100"
                                   "\x05\x01" "OTHERx" "\x0f\x01" "FCGI_MPXS_CONNS" "1");
        ck_assert_int_eq(fcgi_parse_values(all, &v), 0);
        ck_assert_int_eq(v.max_conns, 50);
        ck_assert_int_eq(v.max_reqs, 100);
        ck_assert_int_eq(v.mpxs_conns, 1);
        ck_assert_int_eq(fcgi_parse_values(SPAN_LIT("\x0f\x02" "FCGI_MPXS_CONNS" "1x"), &v), -EBADMSG);
        ck_assert_int_eq(fcgi_parse_values(SPAN_LIT("\x0f\x00" "FCGI_MPXS_CONNS"), &v), -EBADMSG);
        ck_assert_int_eq(fcgi_parse_values(SPAN_LIT("\x0f\x09" "FCGI_MPXS_CONNS"), &v), -EBADMSG);
}
END_TEST

START_TEST(test_parse_end_request) {
        struct fcgi_end end;
        ck_assert_int_eq(fcgi_parse_end_request(SPAN_LIT("\x01\x02\x03\x04\x02zzz"), &end), 0);
        ck_assert_uint_eq(end.app_status, 0x01020304);
        ck_assert_uint_eq(end.protocol_status, FCGI_OVERLOADED);
        ck_assert_int_eq(fcgi_parse_end_request(SPAN_LIT("\x00\x00\x00\x00\x00\x00\x00"), &end), -EBADMSG);
        ck_assert_int_eq(fcgi_parse_end_request(SPAN_LIT("\x00\x00\x00\x00\x00\x00\x00\x00\x00"), &end),
                         -EBADMSG);
        ck_assert_int_eq(fcgi_parse_end_request(SPAN_NULL, &end), -EBADMSG);
}
END_TEST

int main(void) {
        Suite *s = suite_create("fcgi");
        TCase *enc = tcase_create("encode");
        tcase_add_test(enc, test_encode_get_values);
        tcase_add_test(enc, test_encode_ping_request);
        tcase_add_test(enc, test_encode_status_request_no_padding);
        tcase_add_test(enc, test_encode_minimal_request);
        tcase_add_test(enc, test_encode_keep_conn);
        tcase_add_test(enc, test_encode_long_lengths);
        tcase_add_test(enc, test_encode_stdin);
        tcase_add_test(enc, test_encode_limits);
        suite_add_tcase(s, enc);
        TCase *dec = tcase_create("decode");
        tcase_add_loop_test(dec, test_decode_values_result, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_ping_answer, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_not_found_answer, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_status_answer, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_http_is_not_fastcgi, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_http_after_a_record, 0, N_CHUNKS);
        tcase_add_test(dec, test_decode_bad_versions);
        tcase_add_test(dec, test_decode_huge_content_length);
        tcase_add_loop_test(dec, test_decode_truncated, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_padding_past_the_end, 0, N_CHUNKS);
        tcase_add_loop_test(dec, test_decode_zero_length_and_unknown_types, 0, N_CHUNKS);
        tcase_add_test(dec, test_pairs_hostile);
        tcase_add_test(dec, test_parse_values);
        tcase_add_test(dec, test_parse_end_request);
        suite_add_tcase(s, dec);
        return fixture_run(s);
}
