/* FastCGI 1.0 records: encoders into a caller's buffer and an incremental decoder. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "span.h"

#define FCGI_VERSION_1 1
#define FCGI_HEADER_LEN 8
#define FCGI_MAX_CONTENT 65535
#define FCGI_KEEP_CONN 1        /* BEGIN_REQUEST flag: the server keeps the connection open */

enum fcgi_type {
        FCGI_BEGIN_REQUEST = 1,
        FCGI_ABORT_REQUEST = 2,
        FCGI_END_REQUEST = 3,
        FCGI_PARAMS = 4,
        FCGI_STDIN = 5,
        FCGI_STDOUT = 6,
        FCGI_STDERR = 7,
        FCGI_DATA = 8,
        FCGI_GET_VALUES = 9,
        FCGI_GET_VALUES_RESULT = 10,
        FCGI_UNKNOWN_TYPE = 11,
};

enum fcgi_protocol_status {
        FCGI_REQUEST_COMPLETE = 0,
        FCGI_CANT_MPX_CONN = 1,
        FCGI_OVERLOADED = 2,
        FCGI_UNKNOWN_ROLE = 3,
};

/* Encoders append whole records to p[len, size) or nothing. */
struct fcgi_buf {
        char *p;
        size_t size;
        size_t len;
};

struct fcgi_pair {
        struct span name;
        struct span value;
};

/* The encoders return 0, -ENOBUFS when the buffer is too small, -EMSGSIZE past one record. */
int fcgi_put_begin_request(struct fcgi_buf *b, uint16_t id, uint8_t flags);   /* role RESPONDER */
/* One PARAMS record; pairs that need more than one record go in several calls. */
int fcgi_put_params(struct fcgi_buf *b, uint16_t id, const struct fcgi_pair *pairs, size_t n);
/* The empty PARAMS record that ends the parameters. */
int fcgi_put_params_end(struct fcgi_buf *b, uint16_t id);
/* One STDIN record; an empty span ends the input. */
int fcgi_put_stdin(struct fcgi_buf *b, uint16_t id, struct span data);
/* GET_VALUES asking FCGI_MAX_CONNS, FCGI_MAX_REQS and FCGI_MPXS_CONNS. */
int fcgi_put_get_values(struct fcgi_buf *b);

struct fcgi_record {
        uint8_t version;
        uint8_t type;           /* any value: unknown types are the caller's to skip */
        uint16_t request_id;
        struct span content;    /* inside the decoder, valid until its next call */
};

struct fcgi_decoder {
        uint64_t offset;        /* stream bytes taken so far */
        unsigned char head[FCGI_HEADER_LEN];
        size_t head_n;
        size_t content_n;
        size_t padding_left;
        int error;              /* sticky once set */
        uint64_t error_offset;  /* stream offset of the byte that is not FastCGI */
        unsigned char error_byte;       /* e.g. 'H' (72): an HTTP server answered */
        char content[FCGI_MAX_CONTENT];
};

void fcgi_decoder_init(struct fcgi_decoder *d);
/* Takes bytes off the front of *in: 1 with a whole record (padding skipped), 0 when *in ran
 * out first, -EPROTO when the stream is not FastCGI (see error_byte and error_offset). */
int fcgi_decode(struct fcgi_decoder *d, struct span *in, struct fcgi_record *rec);
/* At end of stream: 0 between records, -EPIPE inside one, or the decoder's error. */
int fcgi_decode_eof(const struct fcgi_decoder *d);

/* Takes one name-value pair off *s: 1 with a pair, 0 at the end, -EBADMSG if cut short. */
int fcgi_next_pair(struct span *s, struct fcgi_pair *pair);

/* GET_VALUES_RESULT; -1 for a value the server did not give. */
struct fcgi_values {
        long max_conns;
        long max_reqs;
        long mpxs_conns;
};

int fcgi_parse_values(struct span content, struct fcgi_values *v);

struct fcgi_end {
        uint32_t app_status;
        uint8_t protocol_status;        /* enum fcgi_protocol_status */
};

/* END_REQUEST's body; its 3 reserved bytes are not checked (php-fpm leaves garbage there). */
int fcgi_parse_end_request(struct span content, struct fcgi_end *end);
