/* badgatewayd discover: what nginx's and php-fpm's own configuration say — nginx's user, error
 * logs, every fastcgi_pass with file:line, upstream groups, the pools — and what they disagree on. */
#include "discover.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crosscheck.h"
#include "fpm_conf.h"
#include "host.h"
#include "jsonstr.h"
#include "nginx_conf.h"

struct discovery {
        const char *root;               /* NULL: the host */
        bool json;
        struct host_conf host;
        json_t *findings;
};

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd discover [--root DIR] [--json]\n"
                "  Reads nginx's configuration (nginx -V's --conf-path, else /etc/nginx/nginx.conf) and\n"
                "  every php-fpm master's (/etc/php/*/fpm/php-fpm.conf, /etc/php-fpm.conf,\n"
                "  /usr/local/etc/php-fpm.conf) with the systemd unit that runs it, and prints what they\n"
                "  say and where they disagree.\n"
                "  --root DIR  read the files under DIR as if it were /\n"
                "  --json      one JSON object\n");
}

/* Any bytes a configuration holds, as JSON (invalid UTF-8 as the text \xNN): never NULL. */
static json_t *str(const char *s) {
        return json_bytes(s ? s : "", s ? strlen(s) : 0);
}

static json_t *at(const char *file, unsigned line) {
        return json_pack("{s:o,s:i}", "file", str(file), "line", (int) line);
}

/* A target in the contract's form: unix:/path, 127.0.0.1:9000, upstream:NAME, variable,
 * host:NAME:PORT. */
static json_t *target_json(const struct nginx_target *t) {
        char buf[ADDRESS_TEXT_MAX + 16];
        if (t->kind == NGINX_TARGET_VARIABLE)
                return str("variable");
        if (t->address.kind == ADDRESS_GROUP)
                snprintf(buf, sizeof(buf), "upstream:%s", t->address.text);
        else if (t->address.kind == ADDRESS_HOST)
                snprintf(buf, sizeof(buf), "host:%s", t->address.text);
        else
                snprintf(buf, sizeof(buf), "%s", t->address.text);
        return str(buf);
}

static json_t *nginx_json(const struct nginx_conf *c) {
        json_t *logs = json_array(), *passes = json_array(), *ups = json_object();
        for (size_t i = 0; i < c->n_error_logs; i++) {
                const struct nginx_error_log *l = &c->error_logs[i];
                json_t *o = at(l->at.file, l->at.line);
                json_object_set_new(o, l->kind == NGINX_LOG_FILE ? "path" : "target", str(l->target));
                json_object_set_new(o, "level", str(l->level));
                json_array_append_new(logs, o);
        }
        for (size_t i = 0; i < c->n_passes; i++) {
                const struct nginx_pass *p = &c->passes[i];
                if (p->module != NGINX_FASTCGI_PASS)
                        continue;
                json_t *o = at(p->at.file, p->at.line);
                json_object_set_new(o, "target", target_json(&p->target));
                json_object_set_new(o, "server_name", str(p->server_name));
                json_object_set_new(o, "location", str(p->location));
                json_array_append_new(passes, o);
        }
        for (size_t i = 0; i < c->n_upstreams; i++) {
                const struct nginx_upstream *u = &c->upstreams[i];
                json_t *servers = json_array();
                for (size_t k = 0; k < u->n_servers; k++)
                        json_array_append_new(servers, target_json(&c->servers[u->first_server + k].target));
                json_set_any_key(ups, u->name, servers);       /* a name from nginx.conf: any bytes */
        }
        return json_pack("{s:o,s:o,s:o,s:o,s:o}", "user", c->user.set ? str(c->user.user) : json_null(),
                         "group", c->user.set && c->user.group[0] ? str(c->user.group) : json_null(),
                         "error_logs", logs, "fastcgi_pass", passes, "upstreams", ups);
}

static json_t *value_json(const struct fpm_conf_value *v) {
        return v->text ? str(v->text) : json_null();
}

static json_t *number_json(const struct fpm_conf_value *v) {
        return v->text && v->ok ? json_integer(v->number) : json_null();
}

static json_t *pool_json(const struct host_master *m, const struct fpm_conf_pool *p) {
        const struct fpm_conf_value *v = p->v;
        json_t *o = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:i}",
                              "name", str(p->name),
                              "listen", p->has_address ? str(p->address.text) : value_json(&v[FPM_POOL_LISTEN]),
                              "listen_owner", value_json(&v[FPM_POOL_LISTEN_OWNER]),
                              "listen_group", value_json(&v[FPM_POOL_LISTEN_GROUP]),
                              "listen_mode", value_json(&v[FPM_POOL_LISTEN_MODE]),
                              "listen_acl_users", value_json(&v[FPM_POOL_LISTEN_ACL_USERS]),
                              "listen_acl_groups", value_json(&v[FPM_POOL_LISTEN_ACL_GROUPS]),
                              "user", value_json(&v[FPM_POOL_USER]), "group", value_json(&v[FPM_POOL_GROUP]),
                              "pm", value_json(&v[FPM_POOL_PM]),
                              "pm_max_children", number_json(&v[FPM_POOL_PM_MAX_CHILDREN]),
                              "request_terminate_timeout", number_json(&v[FPM_POOL_REQUEST_TERMINATE_TIMEOUT]),
                              "error_log", value_json(&m->conf->global[FPM_GLOBAL_ERROR_LOG]),
                              "unit", m->unit[0] ? str(m->unit) : json_null(),
                              "unit_file_state", str(host_unit_file_str(m->unit_file)),
                              "memory_max", m->memory_max ? json_integer((json_int_t) m->memory_max) : json_null(),
                              "file", str(p->file), "line", p->line);
        return o;
}

static json_t *pools_json(const struct discovery *d) {
        json_t *pools = json_array();
        for (size_t m = 0; m < d->host.n_masters; m++)
                for (size_t i = 0; i < d->host.masters[m].conf->n_pools; i++)
                        json_array_append_new(pools, pool_json(&d->host.masters[m], &d->host.masters[m].conf->pools[i]));
        return pools;
}

static void add_finding(void *userdata, const struct crosscheck_finding *f) {
        struct discovery *d = userdata;
        json_t *o = at(f->file, f->line);
        json_object_set_new(o, "cause", str(cause_id(f->cause)));
        json_object_set_new(o, "severity", str(cause_priority(f->cause) <= LOG_ERR ? "critical" : "warning"));
        json_object_set_new(o, "summary", str(f->summary));
        json_array_append_new(d->findings, o);
}

static void cross_check(struct discovery *d) {
        d->findings = json_array();
        crosscheck_run(&d->host, add_finding, d);
}

/* What the readers could not read, each "FILE:LINE: text". */
static json_t *problems_json(const struct discovery *d) {
        json_t *a = json_array();
        for (size_t i = 0; d->host.nginx && i < d->host.nginx->n_diags; i++) {
                const struct nginx_diag *g = &d->host.nginx->diags[i];
                json_t *o = at(g->at.file, g->at.line);
                json_object_set_new(o, "text", str(g->text));
                json_array_append_new(a, o);
        }
        for (size_t m = 0; m < d->host.n_masters; m++)
                for (size_t i = 0; i < d->host.masters[m].conf->n_diags; i++) {
                        const struct fpm_conf_diag *g = &d->host.masters[m].conf->diags[i];
                        json_t *o = at(g->file, (unsigned) g->line);
                        json_object_set_new(o, "text", str(g->text));
                        json_array_append_new(a, o);
                }
        return a;
}

/* "  upstream php: unix:/run/php/a.sock, 127.0.0.1:9000" */
static void print_upstreams(json_t *ups) {
        const char *name;
        json_t *servers, *v;
        size_t i;
        json_object_foreach(ups, name, servers) {
                printf("  upstream %s:", name);
                json_array_foreach(servers, i, v)
                        printf("%s %s", i ? "," : "", json_string_value(v));
                printf("\n");
        }
}

static void print_text(const json_t *all, const char *nginx_wanted) {
        const json_t *nginx = json_object_get(all, "nginx"), *v;
        size_t i;
        if (json_is_object(nginx)) {
                printf("nginx: user %s\n", json_string_value(json_object_get(nginx, "user")) ?: "(not set)");
                json_array_foreach(json_object_get(nginx, "error_logs"), i, v)
                        printf("  error_log %s %s  %s:%lld\n",
                               json_string_value(json_object_get(v, "path")) ?: json_string_value(json_object_get(v, "target")),
                               json_string_value(json_object_get(v, "level")), json_string_value(json_object_get(v, "file")),
                               json_integer_value(json_object_get(v, "line")));
                json_array_foreach(json_object_get(nginx, "fastcgi_pass"), i, v)
                        printf("  fastcgi_pass %s  %s:%lld (server %s, location %s)\n",
                               json_string_value(json_object_get(v, "target")), json_string_value(json_object_get(v, "file")),
                               json_integer_value(json_object_get(v, "line")),
                               json_string_length(json_object_get(v, "server_name")) ?
                               json_string_value(json_object_get(v, "server_name")) : "_",
                               json_string_value(json_object_get(v, "location")));
                print_upstreams(json_object_get(nginx, "upstreams"));
        } else {
                printf("nginx: no configuration at %s\n", nginx_wanted);
        }
        json_array_foreach(json_object_get(all, "pools"), i, v) {
                printf("pool %s: listen %s, unit %s", json_string_value(json_object_get(v, "name")),
                       json_string_value(json_object_get(v, "listen")) ?: "(none)",
                       json_string_value(json_object_get(v, "unit")) ?: "(none)");
                if (json_string_value(json_object_get(v, "unit")))
                        printf(" (%s)", json_string_value(json_object_get(v, "unit_file_state")));
                if (json_integer_value(json_object_get(v, "memory_max")))
                        printf(", MemoryMax %lld", json_integer_value(json_object_get(v, "memory_max")));
                printf("  %s:%lld\n", json_string_value(json_object_get(v, "file")),
                       json_integer_value(json_object_get(v, "line")));
        }
        json_array_foreach(json_object_get(all, "findings"), i, v)
                printf("%s %s: %s\n", json_string_value(json_object_get(v, "severity")),
                       json_string_value(json_object_get(v, "cause")), json_string_value(json_object_get(v, "summary")));
        json_array_foreach(json_object_get(all, "problems"), i, v)
                fprintf(stderr, "badgatewayd: %s:%lld: %s\n", json_string_value(json_object_get(v, "file")),
                        json_integer_value(json_object_get(v, "line")), json_string_value(json_object_get(v, "text")));
}

static int parse_args(struct discovery *d, int argc, char **argv) {
        static const struct option opts[] = {
                { "root", required_argument, NULL, 'r' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        int o;
        while ((o = getopt_long(argc, argv, "r:jh", opts, NULL)) >= 0) {
                switch (o) {
                case 'r': d->root = optarg; break;
                case 'j': d->json = true; break;
                case 'h': usage(stdout); exit(0);
                default: usage(stderr); return -1;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "badgatewayd discover: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return -1;
        }
        return 0;
}

int discover_main(int argc, char **argv) {
        struct discovery d = { 0 };
        if (parse_args(&d, argc, argv) < 0)
                return 64;
        if (d.root && !d.root[0]) {
                fprintf(stderr, "badgatewayd discover: --root '': %s\n", strerror(ENOENT));
                return 64;
        }
        struct host_paths paths = { .root = d.root };
        int r = host_conf_load(&d.host, &paths);
        if (r < 0 && r != -ENOMEM) {
                fprintf(stderr, "badgatewayd discover: --root '%s': %s\n", d.root ? d.root : "/", strerror(-r));
                host_conf_free(&d.host);
                return 64;
        }
        if (r < 0) {
                fprintf(stderr, "badgatewayd discover: %s\n", strerror(-r));
                host_conf_free(&d.host);
                return 1;
        }
        cross_check(&d);
        json_t *all = json_pack("{s:o,s:o,s:o,s:o}", "nginx", d.host.nginx ? nginx_json(d.host.nginx) : json_null(),
                                "pools", pools_json(&d), "findings", d.findings, "problems", problems_json(&d));
        if (d.json) {
                json_dumpf(all, stdout, JSON_COMPACT);
                fputs("\n", stdout);
        } else {
                print_text(all, d.host.nginx_wanted);
        }
        int code = d.host.nginx || d.host.n_masters ? 0 : 1;
        json_decref(all);
        host_conf_free(&d.host);
        return code;
}
