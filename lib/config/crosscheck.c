/* The checks that follow nginx's fastcgi_pass lines to php-fpm's pools: socket_mismatch and
 * fastcgi_read_timeout_short; crosscheck_run() calls every check in its order. */
#include "crosscheck_in.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "under_root.h"

enum { NGINX_READ_TIMEOUT_DEFAULT_USEC = 60 * 1000000 };

const char *cc_bytes(unsigned long long bytes, char buf[static 32]) {
        static const struct {
                char unit;
                unsigned long long size;
        } units[] = { { 'G', 1ULL << 30 }, { 'M', 1ULL << 20 }, { 'K', 1ULL << 10 } };
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                if (bytes < units[i].size)
                        continue;
                if (bytes % units[i].size == 0)
                        snprintf(buf, 32, "%llu%c", bytes / units[i].size, units[i].unit);
                else if (units[i].unit == 'G')
                        snprintf(buf, 32, "%.1fG", (double) bytes / (double) units[i].size);
                else
                        continue;
                return buf;
        }
        snprintf(buf, 32, "%llu", bytes);
        return buf;
}

/* This host's for sure: a unix socket or a loopback address. Another IP may be a php-fpm on
 * another machine, which no configuration here describes. */
static bool local(const struct address *a) {
        return a->kind == ADDRESS_UNIX || a->kind == ADDRESS_ANY ||
               (a->kind == ADDRESS_INET && strncmp(a->text, "127.", 4) == 0) ||
               (a->kind == ADDRESS_INET6 && strncmp(a->text, "[::1]:", 6) == 0);
}

/* The socket's path with every link followed, inside the root: /var/run/php/x.sock and
 * /run/php/x.sock are one socket where var/run links to /run. "" when a is no unix socket. */
static void canonical(const struct host_conf *h, const struct address *a, char out[static PATH_MAX]) {
        const char *path = address_unix_path(a);
        out[0] = '\0';
        if (path && under_root_canonical(h->root_fd, path, out, PATH_MAX) < 0)
                snprintf(out, PATH_MAX, "%s", path);
}

/* Every pool's socket, canonical, once for the whole run. */
static char (*canonical_pools(const struct host_conf *h))[PATH_MAX] {
        size_t n = 0, k = 0;
        for (size_t m = 0; m < h->n_masters; m++)
                n += h->masters[m].conf->n_pools;
        char (*canon)[PATH_MAX] = calloc(n ? n : 1, PATH_MAX);
        for (size_t m = 0; canon && m < h->n_masters; m++)
                for (size_t i = 0; i < h->masters[m].conf->n_pools; i++, k++)
                        if (h->masters[m].conf->pools[i].has_address)
                                canonical(h, &h->masters[m].conf->pools[i].address, canon[k]);
        return canon;
}

/* The next pool (after *m, *i) that listens at a (canon: a's canonical socket, or ""); false when
 * there is none. Start at *m = 0, *i = (size_t) -1. */
static bool next_pool_at(const struct crosscheck *cc, const struct address *a, const char *canon, size_t *m,
                         size_t *i) {
        const struct host_conf *h = cc->h;
        size_t k = 0;
        for (size_t j = 0; j < *m; j++)
                k += h->masters[j].conf->n_pools;
        for (; *m < h->n_masters; k += h->masters[*m].conf->n_pools, (*m)++, *i = (size_t) -1)
                while (++*i < h->masters[*m].conf->n_pools) {
                        const struct fpm_conf_pool *p = &h->masters[*m].conf->pools[*i];
                        if (p->has_address && !cc_listen_unknown(p) &&
                            (address_same(&p->address, a) ||
                             (canon[0] && cc->canon && strcmp(cc->canon[k + *i], canon) == 0)))
                                return true;
                }
        return false;
}

/* "unix:/run/php/php8.2-fpm.sock (pool www), 127.0.0.1:9000 (pool api)", or "nowhere". */
static void where_pools_listen(const struct host_conf *h, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < h->n_also_served && n + 1 < size; i++) {
                int w = snprintf(buf + n, size - n, "%s%s (pool %s)", n ? ", " : "", h->also_served[i].address.text,
                                 h->also_served[i].name);
                if (w < 0)
                        return;
                n += (size_t) w < size - n ? (size_t) w : size - n - 1;
        }
        for (size_t m = 0; m < h->n_masters; m++)
                for (size_t i = 0; i < h->masters[m].conf->n_pools && n + 1 < size; i++) {
                        const struct fpm_conf_pool *p = &h->masters[m].conf->pools[i];
                        int w = p->has_address ? snprintf(buf + n, size - n, "%s%s (pool %s)", n ? ", " : "",
                                                          p->address.text, p->name) : 0;
                        if (w < 0)
                                return;
                        n += (size_t) w < size - n ? (size_t) w : size - n - 1;
                }
        if (!n)
                snprintf(buf, size, "nowhere");
}

/* A pool the caller watches listens at a (canon: a's canonical socket, or ""). */
static bool also_served(const struct host_conf *h, const struct address *a, const char *canon) {
        char other[PATH_MAX];
        for (size_t i = 0; i < h->n_also_served; i++) {
                const struct address *x = &h->also_served[i].address;
                if (address_same(x, a))
                        return true;
                canonical(h, x, other);
                if (canon[0] && strcmp(other, canon) == 0)
                        return true;
        }
        return false;
}

static void mismatch(const struct crosscheck *cc, const struct nginx_pass *p, const struct address *a,
                     const char *canon, const char *group) {
        struct crosscheck_finding f = { .cause = CAUSE_SOCKET_MISMATCH, .upstream = a->text, .file = p->at.file,
                                        .line = p->at.line };
        char pools[256], via[96] = "";
        size_t m = 0, i = (size_t) -1;
        if (next_pool_at(cc, a, canon, &m, &i) || also_served(cc->h, a, canon))
                return;
        for (m = 0; m < cc->h->n_masters; m++)
                for (i = 0; i < cc->h->masters[m].conf->n_pools; i++)
                        if (cc_listen_unknown(&cc->h->masters[m].conf->pools[i]))
                                return;         /* that pool may well listen there */
        where_pools_listen(cc->h, pools, sizeof(pools));
        if (group)
                cc_put(via, sizeof(via), " (through upstream %s)", group);
        cc_put(f.summary, sizeof(f.summary),
               "%s at %s:%u (server %s, location %s) sends requests to %s%s, where no PHP-FPM pool listens; the "
               "pools listen at %s.",
               nginx_pass_str(p->module), p->at.file, p->at.line, p->server_name[0] ? p->server_name : "_",
               p->location[0] ? p->location : "/", a->text, via, pools);
        cc_put(f.remedy, sizeof(f.remedy), "point %s at %s:%u to a pool's listen address, then nginx -t && "
               "systemctl reload nginx", nginx_pass_str(p->module), p->at.file, p->at.line);
        cc->fn(cc->userdata, &f);
}

/* The pass's fastcgi_read_timeout in µs, and where it is set (file NULL: nginx's default). */
static bool read_timeout(const struct nginx_conf *n, const struct nginx_pass *p, uint64_t *usec,
                         const struct nginx_setting **set) {
        *set = nginx_conf_effective(n, p, NGINX_FASTCGI_READ_TIMEOUT);
        *usec = NGINX_READ_TIMEOUT_DEFAULT_USEC;
        return !*set || duration_parse((*set)->value, usec) == 0;
}

static void timeout_finding(const struct crosscheck *cc, const struct nginx_pass *p, const struct fpm_conf_pool *pool) {
        const struct fpm_conf_value *rtt = &pool->v[FPM_POOL_REQUEST_TERMINATE_TIMEOUT];
        const struct nginx_setting *set;
        uint64_t usec;
        char where[300];
        if (!rtt->ok || rtt->number <= 0 || !read_timeout(cc->h->nginx, p, &usec, &set) ||
            usec >= (uint64_t) rtt->number * 1000000)
                return;
        struct crosscheck_finding f = { .cause = CAUSE_FASTCGI_READ_TIMEOUT_SHORT, .pool = pool->name,
                                        .listen = pool->has_address ? &pool->address : NULL, .file = set ? set->at.file : p->at.file, .line = set ? set->at.line : p->at.line };
        if (set)
                cc_put(where, sizeof(where), "%s at %s:%u", set->value, set->at.file, set->at.line);
        else
                cc_put(where, sizeof(where), "60s (nginx's default: none set for %s at %s:%u)",
                       nginx_pass_str(p->module), p->at.file, p->at.line);
        cc_put(f.summary, sizeof(f.summary),
               "fastcgi_read_timeout %s is shorter than pool %s's request_terminate_timeout %llds (%s:%d): nginx "
               "answers 504 while PHP keeps running.",
               where, pool->name, rtt->number, rtt->file ? rtt->file : pool->file, rtt->line);
        cc_put(f.remedy, sizeof(f.remedy), "fastcgi_read_timeout %llds; at %s:%u (at least the pool's "
               "request_terminate_timeout), then nginx -t && systemctl reload nginx", rtt->number, f.file, f.line);
        cc->fn(cc->userdata, &f);
}

/* One address the pass reaches: is it served, and does its pool outlast nginx's patience? */
static void check_target(const struct crosscheck *cc, const struct nginx_pass *p, const struct address *a,
                         const char *group) {
        char canon[PATH_MAX];
        size_t m = 0, i = (size_t) -1;
        if (!local(a))
                return;
        canonical(cc->h, a, canon);
        mismatch(cc, p, a, canon, group);
        while (next_pool_at(cc, a, canon, &m, &i))
                timeout_finding(cc, p, &cc->h->masters[m].conf->pools[i]);
}

static void check_pass(const struct crosscheck *cc, const struct nginx_pass *p) {
        const struct nginx_conf *n = cc->h->nginx;
        const struct address *a = &p->target.address;
        if (p->module != NGINX_FASTCGI_PASS || p->target.kind != NGINX_TARGET_ADDRESS)
                return;
        if (a->kind != ADDRESS_GROUP) {
                check_target(cc, p, a, NULL);
                return;
        }
        const struct nginx_upstream *u = nginx_conf_upstream(n, a->text);
        for (size_t i = 0; u && i < u->n_servers; i++) {
                const struct nginx_upstream_server *s = &n->servers[u->first_server + i];
                if (!s->down && s->target.kind == NGINX_TARGET_ADDRESS)
                        check_target(cc, p, &s->target.address, u->name);
        }
}

bool crosscheck_passes_known(const struct host_conf *h) {
        if (!h->nginx || !h->n_masters)
                return false;
        for (size_t i = 0; i < h->nginx->n_passes; i++)
                if (h->nginx->passes[i].module == NGINX_FASTCGI_PASS &&
                    h->nginx->passes[i].target.kind != NGINX_TARGET_ADDRESS)
                        return false;
        for (size_t m = 0; m < h->n_masters; m++)
                for (size_t i = 0; i < h->masters[m].conf->n_pools; i++)
                        if (cc_listen_unknown(&h->masters[m].conf->pools[i]))
                                return false;
        return true;
}

void crosscheck_run(const struct host_conf *h, crosscheck_fn *fn, void *userdata) {
        const struct crosscheck cc = { h, fn, userdata, canonical_pools(h) };
        if (h->nginx)
                crosscheck_error_logs(&cc);
        for (size_t i = 0; h->nginx && h->n_masters && i < h->nginx->n_passes; i++)
                check_pass(&cc, &h->nginx->passes[i]);
        crosscheck_masters(&cc);
        if (h->nginx)
                crosscheck_sockets(&cc);
        free(cc.canon);
}
