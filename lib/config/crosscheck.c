#include "crosscheck.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* This host's for sure: a unix socket or a loopback address. Another IP may be a php-fpm on
 * another machine, which no configuration here describes. */
static bool local(const struct address *a) {
        return a->kind == ADDRESS_UNIX || a->kind == ADDRESS_ANY ||
               (a->kind == ADDRESS_INET && strncmp(a->text, "127.", 4) == 0) ||
               (a->kind == ADDRESS_INET6 && strncmp(a->text, "[::1]:", 6) == 0);
}

/* Does a pool of any php-fpm master listen at a? */
static bool served(const struct crosscheck_input *in, const struct address *a) {
        for (size_t m = 0; m < in->n_fpm; m++)
                for (size_t i = 0; i < in->fpm[m]->n_pools; i++) {
                        const struct fpm_conf_pool *p = &in->fpm[m]->pools[i];
                        if (p->has_address && address_same(&p->address, a))
                                return true;
                }
        return false;
}

/* "unix:/run/php/php8.2-fpm.sock (pool www), 127.0.0.1:9000 (pool api)", or "nowhere". */
static void where_pools_listen(const struct crosscheck_input *in, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = '\0';
        for (size_t m = 0; m < in->n_fpm; m++)
                for (size_t i = 0; i < in->fpm[m]->n_pools && n + 1 < size; i++) {
                        const struct fpm_conf_pool *p = &in->fpm[m]->pools[i];
                        int w = p->has_address ? snprintf(buf + n, size - n, "%s%s (pool %s)", n ? ", " : "",
                                                          p->address.text, p->name) : 0;
                        if (w < 0)
                                return;
                        n += (size_t) w < size - n ? (size_t) w : size - n - 1;
                }
        if (!n)
                snprintf(buf, size, "nowhere");
}

static void mismatch(const struct crosscheck_input *in, const struct nginx_pass *p, const struct address *a,
                     const char *group, void (*fn)(void *, const struct crosscheck_finding *), void *ud) {
        struct crosscheck_finding f = { .cause = CAUSE_SOCKET_MISMATCH, .file = p->at.file, .line = p->at.line };
        char pools[256], via[96] = "";
        if (!local(a) || served(in, a))
                return;
        where_pools_listen(in, pools, sizeof(pools));
        if (group)
                snprintf(via, sizeof(via), " (through upstream %s)", group);
        snprintf(f.summary, sizeof(f.summary),
                 "%s at %s:%u (server %s, location %s) sends requests to %s%s, where no PHP-FPM pool "
                 "listens; the pools listen at %s.",
                 nginx_pass_str(p->module), p->at.file, p->at.line, p->server_name[0] ? p->server_name : "_",
                 p->location[0] ? p->location : "/", a->text, via, pools);
        fn(ud, &f);
}

static void check_pass(const struct crosscheck_input *in, const struct nginx_pass *p,
                       void (*fn)(void *, const struct crosscheck_finding *), void *ud) {
        const struct address *a = &p->target.address;
        if (p->module != NGINX_FASTCGI_PASS || p->target.kind != NGINX_TARGET_ADDRESS)
                return;
        if (a->kind != ADDRESS_GROUP) {
                mismatch(in, p, a, NULL, fn, ud);
                return;
        }
        const struct nginx_upstream *u = nginx_conf_upstream(in->nginx, a->text);
        for (size_t i = 0; u && i < u->n_servers; i++) {
                const struct nginx_upstream_server *s = &in->nginx->servers[u->first_server + i];
                if (!s->down && s->target.kind == NGINX_TARGET_ADDRESS)
                        mismatch(in, p, &s->target.address, u->name, fn, ud);
        }
}

void crosscheck_run(const struct crosscheck_input *in,
                    void (*fn)(void *userdata, const struct crosscheck_finding *f), void *userdata) {
        if (!in->nginx || !in->n_fpm)
                return;         /* nothing to compare with */
        for (size_t i = 0; i < in->nginx->n_passes; i++)
                check_pass(in, &in->nginx->passes[i], fn, userdata);
}
