#include "fcgi.h"

#include <errno.h>
#include <string.h>

enum { ROLE_RESPONDER = 1, SHORT_LEN_MAX = 127 };

static size_t padding_for(size_t n) {
        return (8 - n % 8) % 8;
}

/* Writes the header and zero padding of a record with n content bytes; NULL when it does not fit. */
static char *reserve(struct fcgi_buf *b, uint8_t type, uint16_t id, size_t n) {
        size_t pad = padding_for(n);
        if (b->len > b->size || b->size - b->len < FCGI_HEADER_LEN + n + pad)
                return NULL;
        unsigned char *h = (unsigned char *) b->p + b->len;
        h[0] = FCGI_VERSION_1;
        h[1] = type;
        h[2] = (unsigned char) (id >> 8);
        h[3] = (unsigned char) id;
        h[4] = (unsigned char) (n >> 8);
        h[5] = (unsigned char) n;
        h[6] = (unsigned char) pad;
        h[7] = 0;
        memset(h + FCGI_HEADER_LEN + n, 0, pad);
        b->len += FCGI_HEADER_LEN + n + pad;
        return (char *) h + FCGI_HEADER_LEN;
}

int fcgi_put_begin_request(struct fcgi_buf *b, uint16_t id, uint8_t flags) {
        char *c = reserve(b, FCGI_BEGIN_REQUEST, id, 8);
        if (!c)
                return -ENOBUFS;
        memset(c, 0, 8);
        c[1] = ROLE_RESPONDER;
        c[2] = (char) flags;
        return 0;
}

static size_t length_size(size_t n) {
        return n > SHORT_LEN_MAX ? 4 : 1;
}

static char *put_length(char *p, size_t n) {
        if (n <= SHORT_LEN_MAX) {
                *p++ = (char) n;
                return p;
        }
        *p++ = (char) (0x80 | (n >> 24));
        *p++ = (char) (n >> 16);
        *p++ = (char) (n >> 8);
        *p++ = (char) n;
        return p;
}

static int pairs_length(const struct fcgi_pair *pairs, size_t n, size_t *len) {
        size_t total = 0;
        for (size_t i = 0; i < n; i++) {
                size_t a = pairs[i].name.n, v = pairs[i].value.n;
                if (a > FCGI_MAX_CONTENT || v > FCGI_MAX_CONTENT)
                        return -EMSGSIZE;
                total += length_size(a) + length_size(v) + a + v;
                if (total > FCGI_MAX_CONTENT)
                        return -EMSGSIZE;
        }
        *len = total;
        return 0;
}

static int put_pairs(struct fcgi_buf *b, uint8_t type, uint16_t id,
                     const struct fcgi_pair *pairs, size_t n) {
        size_t len;
        int r = pairs_length(pairs, n, &len);
        if (r < 0)
                return r;
        char *c = reserve(b, type, id, len);
        if (!c)
                return -ENOBUFS;
        for (size_t i = 0; i < n; i++) {
                c = put_length(c, pairs[i].name.n);
                c = put_length(c, pairs[i].value.n);
                if (pairs[i].name.n)
                        memcpy(c, pairs[i].name.p, pairs[i].name.n);
                c += pairs[i].name.n;
                if (pairs[i].value.n)
                        memcpy(c, pairs[i].value.p, pairs[i].value.n);
                c += pairs[i].value.n;
        }
        return 0;
}

int fcgi_put_params(struct fcgi_buf *b, uint16_t id, const struct fcgi_pair *pairs, size_t n) {
        return put_pairs(b, FCGI_PARAMS, id, pairs, n);
}

int fcgi_put_params_end(struct fcgi_buf *b, uint16_t id) {
        return reserve(b, FCGI_PARAMS, id, 0) ? 0 : -ENOBUFS;
}

int fcgi_put_stdin(struct fcgi_buf *b, uint16_t id, struct span data) {
        if (data.n > FCGI_MAX_CONTENT)
                return -EMSGSIZE;
        char *c = reserve(b, FCGI_STDIN, id, data.n);
        if (!c)
                return -ENOBUFS;
        if (data.n)
                memcpy(c, data.p, data.n);
        return 0;
}

int fcgi_put_get_values(struct fcgi_buf *b) {
        static const struct fcgi_pair names[] = {
                { SPAN_LIT("FCGI_MAX_CONNS"), SPAN_NULL },
                { SPAN_LIT("FCGI_MAX_REQS"), SPAN_NULL },
                { SPAN_LIT("FCGI_MPXS_CONNS"), SPAN_NULL },
        };
        return put_pairs(b, FCGI_GET_VALUES, 0, names, sizeof(names) / sizeof(names[0]));
}

void fcgi_decoder_init(struct fcgi_decoder *d) {
        d->offset = 0;
        d->head_n = 0;
        d->content_n = 0;
        d->padding_left = 0;
        d->error = 0;
        d->error_offset = 0;
        d->error_byte = 0;
}

static size_t content_length(const struct fcgi_decoder *d) {
        return (size_t) d->head[4] << 8 | d->head[5];
}

static bool record_complete(const struct fcgi_decoder *d) {
        return d->head_n == FCGI_HEADER_LEN && d->content_n == content_length(d) && d->padding_left == 0;
}

static size_t take(struct fcgi_decoder *d, struct span *in, size_t want) {
        size_t n = in->n < want ? in->n : want;
        in->p += n;
        in->n -= n;
        d->offset += n;
        return n;
}

static int take_header(struct fcgi_decoder *d, struct span *in) {
        if (d->head_n == 0 && (unsigned char) in->p[0] != FCGI_VERSION_1) {
                d->error = -EPROTO;
                d->error_offset = d->offset;
                d->error_byte = (unsigned char) in->p[0];
                return d->error;
        }
        const char *from = in->p;
        size_t n = take(d, in, FCGI_HEADER_LEN - d->head_n);
        memcpy(d->head + d->head_n, from, n);
        d->head_n += n;
        if (d->head_n == FCGI_HEADER_LEN)
                d->padding_left = d->head[6];
        return 0;
}

static int take_some(struct fcgi_decoder *d, struct span *in) {
        if (d->head_n < FCGI_HEADER_LEN)
                return take_header(d, in);
        size_t want = content_length(d) - d->content_n;
        if (want > 0) {
                const char *from = in->p;
                size_t n = take(d, in, want);
                memcpy(d->content + d->content_n, from, n);
                d->content_n += n;
                return 0;
        }
        d->padding_left -= take(d, in, d->padding_left);
        return 0;
}

int fcgi_decode(struct fcgi_decoder *d, struct span *in, struct fcgi_record *rec) {
        if (d->error)
                return d->error;
        while (!record_complete(d)) {
                if (in->n == 0)
                        return 0;
                int r = take_some(d, in);
                if (r < 0)
                        return r;
        }
        rec->version = d->head[0];
        rec->type = d->head[1];
        rec->request_id = (uint16_t) (d->head[2] << 8 | d->head[3]);
        rec->content = span_make(d->content, d->content_n);
        d->head_n = 0;
        d->content_n = 0;
        return 1;
}

int fcgi_decode_eof(const struct fcgi_decoder *d) {
        if (d->error)
                return d->error;
        return d->head_n > 0 ? -EPIPE : 0;
}

static int take_length(struct span *s, size_t *len) {
        if (s->n < 1)
                return -EBADMSG;
        const unsigned char *u = (const unsigned char *) s->p;
        size_t used = u[0] & 0x80 ? 4 : 1;
        if (s->n < used)
                return -EBADMSG;
        *len = used == 1 ? u[0] : (size_t) (u[0] & 0x7f) << 24 | (size_t) u[1] << 16 | (size_t) u[2] << 8 | u[3];
        s->p += used;
        s->n -= used;
        return 0;
}

int fcgi_next_pair(struct span *s, struct fcgi_pair *pair) {
        if (s->n == 0)
                return 0;
        struct span t = *s;
        size_t a, v;
        if (take_length(&t, &a) < 0 || take_length(&t, &v) < 0 || a > t.n || v > t.n - a)
                return -EBADMSG;
        pair->name = span_make(t.p, a);
        pair->value = span_make(t.p + a, v);
        s->p = t.p + a + v;
        s->n = t.n - a - v;
        return 1;
}

static int value_number(struct span v, long *out) {
        return span_take_long(&v, out) && v.n == 0 ? 0 : -EBADMSG;
}

int fcgi_parse_values(struct span content, struct fcgi_values *v) {
        *v = (struct fcgi_values) { -1, -1, -1 };
        struct fcgi_pair pair;
        int r;
        while ((r = fcgi_next_pair(&content, &pair)) > 0) {
                long *to = span_eq_str(pair.name, "FCGI_MAX_CONNS") ? &v->max_conns
                         : span_eq_str(pair.name, "FCGI_MAX_REQS") ? &v->max_reqs
                         : span_eq_str(pair.name, "FCGI_MPXS_CONNS") ? &v->mpxs_conns
                         : NULL;
                if (to && value_number(pair.value, to) < 0)
                        return -EBADMSG;
        }
        return r;
}

int fcgi_parse_end_request(struct span content, struct fcgi_end *end) {
        if (content.n != 8)
                return -EBADMSG;
        const unsigned char *u = (const unsigned char *) content.p;
        end->app_status = (uint32_t) u[0] << 24 | (uint32_t) u[1] << 16 | (uint32_t) u[2] << 8 | u[3];
        end->protocol_status = u[4];
        return 0;
}
