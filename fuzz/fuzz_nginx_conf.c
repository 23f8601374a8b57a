/* nginx_conf_parse on arbitrary bytes, as the main file and, through the include callback, as
 * the files it includes (the same bytes again, a few times, inside whatever block the include
 * stands in, but never inside itself: that is an include loop): no crash, every diagnostic and every item at a line of the input, the output
 * inside the caps and consistent with itself. */
#include <errno.h>
#include <string.h>

#include "fuzz_check.h"
#include "nginx_conf.h"

#define MAIN_FILE "nginx.conf"
#define INCLUDED_FILE "included.conf"
enum { MAX_INCLUDES = 4 };

struct run {
        struct nginx_conf *c;
        const char *text;
        size_t n;
        unsigned includes;
        unsigned nested;        /* include callbacks under way */
        unsigned lines;         /* 1 + newlines: the last line a diagnostic may name */
        size_t opens;           /* '{' in the input: no more blocks than that per parse */
};

static int include(void *ud, const char *pattern, const char *from, unsigned line) {
        struct run *r = ud;
        FUZZ_CHECK(pattern && from && line >= 1 && line <= r->lines);
        /* main includes included.conf, which may include itself once: a loop, not read again */
        FUZZ_CHECK(r->nested < 2);
        if (r->includes == MAX_INCLUDES)
                return 0;
        r->includes++;
        r->nested++;
        int e = nginx_conf_parse(r->c, INCLUDED_FILE, r->text, r->n);
        r->nested--;
        return e;
}

static void check_at(const struct run *r, struct nginx_at at) {
        FUZZ_CHECK(at.file && (strcmp(at.file, MAIN_FILE) == 0 || strcmp(at.file, INCLUDED_FILE) == 0));
        FUZZ_CHECK(at.line >= 1 && at.line <= r->lines);
}

static void check_text(const char *s, size_t max) {
        FUZZ_CHECK(s && strnlen(s, max + 1) <= max);
}

static void check_block_ref(const struct nginx_conf *c, int b) {
        FUZZ_CHECK(b >= 0 && (size_t) b < c->n_blocks);
}

static void check_blocks(const struct run *r) {
        const struct nginx_conf *c = r->c;
        FUZZ_CHECK(c->n_blocks >= 1 && c->n_blocks <= NGINX_CONF_MAX_BLOCKS);
        FUZZ_CHECK(c->n_blocks - 1 <= r->opens * (1 + r->includes));
        FUZZ_CHECK(c->blocks[0].kind == NGINX_MAIN && c->blocks[0].parent == -1);
        for (size_t i = 1; i < c->n_blocks; i++) {
                const struct nginx_block *b = &c->blocks[i];
                FUZZ_CHECK(b->kind > NGINX_MAIN && b->kind < NGINX_OTHER);
                FUZZ_CHECK(b->parent >= 0 && (size_t) b->parent < i);
                check_text(b->args, NGINX_CONF_ARGS_MAX * (NGINX_CONF_TOKEN_MAX + 1));
                FUZZ_CHECK(!b->server_name || b->kind == NGINX_SERVER);
                check_at(r, b->at);
                for (int s = 0; s < NGINX_SETTING_COUNT; s++) {
                        int k = b->settings[s];
                        FUZZ_CHECK(k == -1 || ((size_t) k < c->n_settings && c->settings[k].block == (int) i &&
                                               c->settings[k].name == (enum nginx_setting_name) s));
                }
                FUZZ_CHECK(b->pass == -1 || ((size_t) b->pass < c->n_passes && c->passes[b->pass].block == (int) i));
        }
}

static void check_target(const struct nginx_target *t) {
        check_text(t->text, NGINX_CONF_TOKEN_MAX);
        FUZZ_CHECK(t->kind == NGINX_TARGET_ADDRESS || (t->kind == NGINX_TARGET_VARIABLE && strchr(t->text, '$')));
        if (t->kind == NGINX_TARGET_ADDRESS) {
                size_t n = strnlen(t->address.text, sizeof(t->address.text));
                FUZZ_CHECK(n > 0 && n < sizeof(t->address.text));
        }
}

static void check_passes(const struct run *r) {
        const struct nginx_conf *c = r->c;
        FUZZ_CHECK(c->n_passes <= NGINX_CONF_MAX_PASSES);
        for (size_t i = 0; i < c->n_passes; i++) {
                const struct nginx_pass *p = &c->passes[i];
                FUZZ_CHECK(p->module <= NGINX_PROXY_PASS);
                check_target(&p->target);
                check_block_ref(c, p->block);
                enum nginx_context k = c->blocks[p->block].kind;
                FUZZ_CHECK(k == NGINX_LOCATION || k == NGINX_LOCATION_IF || k == NGINX_LIMIT_EXCEPT);
                FUZZ_CHECK(p->server_name && p->location);
                check_at(r, p->at);
                for (int s = 0; s < NGINX_SETTING_COUNT; s++) {
                        const struct nginx_setting *e = nginx_conf_effective(c, p, (enum nginx_setting_name) s);
                        FUZZ_CHECK(!e || (e >= c->settings && e < c->settings + c->n_settings && e->name == (enum nginx_setting_name) s));
                }
        }
}

static void check_upstreams(const struct run *r) {
        const struct nginx_conf *c = r->c;
        size_t servers = 0;
        FUZZ_CHECK(c->n_upstreams <= NGINX_CONF_MAX_UPSTREAMS && c->n_servers <= NGINX_CONF_MAX_SERVERS);
        for (size_t i = 0; i < c->n_upstreams; i++) {
                const struct nginx_upstream *u = &c->upstreams[i];
                FUZZ_CHECK(u->first_server == servers && u->n_servers <= c->n_servers - servers);
                servers += u->n_servers;
                check_text(u->name, NGINX_CONF_TOKEN_MAX);
                FUZZ_CHECK(nginx_conf_upstream(c, u->name) == u);
                check_block_ref(c, u->block);
                FUZZ_CHECK(c->blocks[u->block].kind == NGINX_UPSTREAM);
                check_at(r, u->at);
                FUZZ_CHECK(u->keepalive >= 0);
                if (u->keepalive > 0)
                        check_at(r, u->keepalive_at);
        }
        FUZZ_CHECK(servers == c->n_servers);
        for (size_t i = 0; i < c->n_servers; i++) {
                const struct nginx_upstream_server *s = &c->servers[i];
                FUZZ_CHECK(s->target.kind == NGINX_TARGET_ADDRESS && s->target.address.kind != ADDRESS_GROUP);
                check_target(&s->target);
                FUZZ_CHECK(s->weight >= 1);
                check_at(r, s->at);
        }
}

static void check_rest(const struct run *r) {
        const struct nginx_conf *c = r->c;
        FUZZ_CHECK(c->user.user && c->user.group);
        if (c->user.set)
                check_at(r, c->user.at);
        FUZZ_CHECK(c->n_error_logs <= NGINX_CONF_MAX_ERROR_LOGS);
        for (size_t i = 0; i < c->n_error_logs; i++) {
                const struct nginx_error_log *l = &c->error_logs[i];
                check_text(l->target, NGINX_CONF_TOKEN_MAX);
                FUZZ_CHECK(l->level && l->context <= NGINX_LOCATION);
                check_block_ref(c, l->block);
                check_at(r, l->at);
        }
        FUZZ_CHECK(c->n_settings <= NGINX_CONF_MAX_SETTINGS);
        for (size_t i = 0; i < c->n_settings; i++) {
                const struct nginx_setting *s = &c->settings[i];
                check_text(s->value, 2 * (NGINX_CONF_TOKEN_MAX + 1));
                FUZZ_CHECK(s->context >= NGINX_HTTP && s->context <= NGINX_LOCATION);
                check_block_ref(c, s->block);
                check_at(r, s->at);
        }
        FUZZ_CHECK(c->n_files >= 1 && c->n_files <= 2);
}

static void check_diags(const struct run *r) {
        const struct nginx_conf *c = r->c;
        FUZZ_CHECK(c->n_diags <= NGINX_CONF_MAX_DIAGS);
        FUZZ_CHECK(c->n_diags_dropped == 0 || c->n_diags == NGINX_CONF_MAX_DIAGS);
        for (size_t i = 0; i < c->n_diags; i++) {
                const char *text = c->diags[i].text;
                size_t n = strnlen(text, NGINX_CONF_DIAG_TEXT_MAX);
                FUZZ_CHECK(n > 0 && n < NGINX_CONF_DIAG_TEXT_MAX);
                for (size_t k = 0; k < n; k++)
                        FUZZ_CHECK((unsigned char) text[k] >= 0x20 && text[k] != 0x7f);
                check_at(r, c->diags[i].at);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        struct run r = { .text = (const char *) data, .n = size, .lines = 1 };
        for (size_t i = 0; i < size; i++) {
                r.lines += data[i] == '\n';
                r.opens += data[i] == '{';
        }
        r.c = nginx_conf_new(include, &r);
        FUZZ_CHECK(r.c);
        int e = nginx_conf_parse(r.c, MAIN_FILE, r.text, r.n);
        FUZZ_CHECK(e == 0 || e == -ENOMEM);
        check_blocks(&r);
        check_passes(&r);
        check_upstreams(&r);
        check_rest(&r);
        check_diags(&r);
        nginx_conf_free(r.c);
        return 0;
}
