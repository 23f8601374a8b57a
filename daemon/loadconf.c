#include "loadconf.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "fpm_conf.h"
#include "host.h"
#include "net.h"
#include "nginx_conf.h"
#include "say.h"
#include "under_root.h"
#include "util.h"

/* text after buf's own, sep between; cut to fit size. */
static void append(char *buf, size_t size, const char *sep, const char *text) {
        size_t n = strlen(buf);
        for (const char *p = n ? sep : ""; *p && n + 1 < size; p++)
                buf[n++] = *p;
        for (const char *p = text; *p && n + 1 < size; p++)
                buf[n++] = *p;
        buf[n] = '\0';
}

/* How many pools of that name the masters hold: two masters with a pool [www] each. */
static int pools_named(const struct host_conf *h, const char *name) {
        int n = 0;
        for (size_t m = 0; m < h->n_masters; m++)
                n += fpm_conf_find_pool(h->masters[m].conf, name) != NULL;
        return n;
}

/* A listen the probe reaches without a name lookup; a host name is said and skipped. */
static bool usable_listen(const struct fpm_conf_pool *p) {
        if (!p->has_address)
                return false;
        if (p->address.kind == ADDRESS_UNIX || p->address.kind == ADDRESS_INET || p->address.kind == ADDRESS_INET6 ||
            p->address.kind == ADDRESS_ANY)
                return true;
        say_at(LOG_WARNING, "pool %s (%s:%d): listen = %s names a host; it is not watched (no name is ever resolved)", p->name,
            p->file, p->line, p->v[FPM_POOL_LISTEN].text);
        return false;
}

/* A listen that names a ${VAR} the master's environment lacks: php-fpm, started elsewhere or with
 * more in its environment, may listen anywhere; probing the path read here gives false alerts. */
static bool listen_trusted(const struct host_master *m, const struct fpm_conf_pool *p) {
        const struct fpm_conf_value *v = &p->v[FPM_POOL_LISTEN];
        if (!v->unset_var)
                return true;
        char why[HOST_UNIT_MAX + 320];
        if (m->env_from == HOST_ENV_UNIT)
                snprintf(why, sizeof(why), "%s gives php-fpm no %s", m->unit, v->unset_var);
        else if (m->env_from == HOST_ENV_PROCESS)
                snprintf(why, sizeof(why), "no unit runs it, and this process's environment has no %s", v->unset_var);
        else
                snprintf(why, sizeof(why), "no unit runs it here: its environment is unknown");
        say_at(LOG_WARNING, "pool %s (%s:%d): listen = %s names ${%s}, which is not set for php-fpm here (%s): not probed", p->name,
            v->file ? v->file : p->file, v->file ? v->line : p->line, v->written ? v->written : v->text, v->unset_var,
            why);
        return false;
}

/* The pool's php-fpm log: the master's [global] error_log when it is a file. */
static void pool_log(const struct host_master *m, char *out, size_t size) {
        const char *log = m->conf->global[FPM_GLOBAL_ERROR_LOG].text;
        if (log && log[0] == '/' && strlen(log) < size)
                snprintf(out, size, "%s", log);
}

/* Where the pool is, its request_terminate_timeout and the master's pid file: the remedies name them. */
static void pool_remedy_facts(const struct host_master *m, const struct fpm_conf_pool *p, struct pool_config *pc) {
        const struct fpm_conf_value *rtt = &p->v[FPM_POOL_REQUEST_TERMINATE_TIMEOUT];
        const char *pid = m->conf->global[FPM_GLOBAL_PID].text;
        snprintf(pc->conf_at, sizeof(pc->conf_at), "%s:%d", p->file, p->line);
        if (rtt->file && rtt->text && rtt->ok && rtt->number > 0) {
                snprintf(pc->terminate_timeout, sizeof(pc->terminate_timeout), "%s", rtt->text);
                snprintf(pc->terminate_at, sizeof(pc->terminate_at), "%s:%d", rtt->file, rtt->line);
        }
        if (pid && pid[0] == '/')
                snprintf(pc->pid_file, sizeof(pc->pid_file), "%s", pid);
}

static void add_pool(struct config *c, const struct host_conf *h, const struct host_master *m,
                     const struct fpm_conf_pool *p) {
        struct pool_config *pc = &c->pools[c->n_pools++];
        const struct fpm_conf_value *v = p->v;
        *pc = (struct pool_config) { .address = p->address, .line = p->line };
        if (pools_named(h, p->name) > 1)
                snprintf(pc->name, sizeof(pc->name), "%s (%s)", p->name, m->unit[0] ? m->unit : m->path);
        else
                snprintf(pc->name, sizeof(pc->name), "%s", p->name);
        snprintf(pc->listen, sizeof(pc->listen), "%s", v[FPM_POOL_LISTEN].text);
        if (m->unit_file != HOST_UNIT_NOT_FOUND)
                snprintf(pc->unit, sizeof(pc->unit), "%s", m->unit);
        pool_log(m, pc->log, sizeof(pc->log));
        if (v[FPM_POOL_PING_PATH].text)
                snprintf(pc->ping_path, sizeof(pc->ping_path), "%s", v[FPM_POOL_PING_PATH].text);
        if (v[FPM_POOL_STATUS_PATH].text)
                snprintf(pc->status_path, sizeof(pc->status_path), "%s", v[FPM_POOL_STATUS_PATH].text);
        pool_remedy_facts(m, p, pc);
}

/* One pool_config per php-fpm pool with a listen address the probe can reach. */
static void pools_from_host(struct config *c, const struct host_conf *h) {
        char masters[CONFIG_SOURCE_MAX - 64] = "";
        for (size_t m = 0; m < h->n_masters; m++) {
                const struct host_master *hm = &h->masters[m];
                int before = c->n_pools;
                for (size_t i = 0; i < hm->conf->n_pools; i++) {
                        if (!listen_trusted(hm, &hm->conf->pools[i]) || !usable_listen(&hm->conf->pools[i]))
                                continue;
                        if (c->n_pools == CONFIG_MAX_POOLS) {
                                say_at(LOG_WARNING, "%s: pool %s and the rest are not watched: more than %d pools", hm->path,
                                    hm->conf->pools[i].name, CONFIG_MAX_POOLS);
                                break;
                        }
                        add_pool(c, h, hm, &hm->conf->pools[i]);
                }
                if (c->n_pools > before)
                        append(masters, sizeof(masters), ", ", hm->path);
        }
        if (c->n_pools)
                snprintf(c->source, sizeof(c->source), "php-fpm's configuration (%s)", masters);
}

static bool has_log(const struct config *c, const char *path) {
        for (int i = 0; i < c->n_nginx_logs; i++)
                if (strcmp(c->nginx_logs[i], path) == 0)
                        return true;
        return false;
}

/* nginx's error_log files (a relative one under nginx's prefix; `off` is a file named off), once
 * each; stderr, syslog: and memory: are not files to follow. */
static void logs_from_host(struct config *c, const struct host_conf *h) {
        for (size_t i = 0; h->nginx && i < h->nginx->n_error_logs; i++) {
                const struct nginx_error_log *l = &h->nginx->error_logs[i];
                char path[PATH_MAX];
                if (l->kind != NGINX_LOG_FILE)
                        continue;
                int n = snprintf(path, sizeof(path), "%s%s%s", l->target[0] == '/' ? "" : h->nginx_prefix,
                                 l->target[0] == '/' ? "" : "/", l->target);
                if (n < 0 || (size_t) n >= sizeof(path) || has_log(c, path))
                        continue;
                if (c->n_nginx_logs == CONFIG_MAX_LOGS) {
                        say_at(LOG_WARNING, "%s:%u: error_log %s is not followed: more than %d logs", l->at.file, l->at.line, path,
                            CONFIG_MAX_LOGS);
                        continue;
                }
                snprintf(c->nginx_logs[c->n_nginx_logs++], PATH_MAX, "%s", path);
        }
}

/* badgatewayd.conf's pools serve what nginx sends them too: no socket_mismatch for those. */
static void served_by_file(struct config *c) {
        struct host_conf *h = c->host;
        for (int i = 0; i < c->n_pools && h->n_also_served < HOST_ALSO_SERVED_MAX; i++) {
                struct host_served *s = &h->also_served[h->n_also_served++];
                snprintf(s->name, sizeof(s->name), "%s", c->pools[i].name);
                s->address = c->pools[i].address;
        }
}

/* nginx's `user`, else the user its build runs workers as. */
static void user_from_host(struct config *c, const struct host_conf *h) {
        const char *user = !h->nginx ? "" : h->nginx->user.set ? h->nginx->user.user : h->nginx_default_user;
        snprintf(c->nginx_user, sizeof(c->nginx_user), "%s", user);
}

static int read_host(struct config *c, struct config_error *err) {
        const char *confs[CONFIG_MAX_FPM_CONFS];
        for (int i = 0; i < c->n_fpm_confs; i++)
                confs[i] = c->fpm_confs[i];
        struct host_paths paths = { .nginx_conf = c->nginx_conf[0] ? c->nginx_conf : NULL, .fpm_confs = confs,
                                    .n_fpm_confs = (size_t) c->n_fpm_confs };
        if (!(c->host = calloc(1, sizeof(*c->host))))
                return -ENOMEM;
        int r = host_conf_load(c->host, &paths);
        if (r < 0)
                snprintf(err->text, sizeof(err->text), "cannot read nginx's and php-fpm's configuration: %s",
                         strerror(-r));
        return r;
}

/* What a master gave instead of a pool: "PATH: cannot read it: …" or "PATH: no pool …". */
static void master_said(const struct host_master *m, char *buf, size_t size) {
        const struct fpm_conf *fc = m->conf;
        for (size_t i = 0; i < fc->n_diags; i++)
                if (fc->diags[i].severity == FPM_CONF_ERROR && fc->n_pools == 0) {
                        snprintf(buf, size, "%s: %s", m->path, fc->diags[i].text);
                        return;
                }
        snprintf(buf, size, "%s: no pool with a listen address to watch", m->path);
}

/* "no PHP-FPM pool found: looked in …": every place a pool could have come from. */
static int no_pools(const struct config *c, const char *file, struct config_error *err) {
        char found[HOST_LOOKED_MAX] = "", one[PATH_MAX + 400];
        for (size_t m = 0; m < c->host->n_masters; m++) {
                master_said(&c->host->masters[m], one, sizeof(one));
                append(found, sizeof(found), "; ", one);
        }
        snprintf(err->text, sizeof(err->text),
                 LOADCONF_NO_POOL ": looked in %s (%s) and in php-fpm's configuration at %s (%s)", file,
                 c->file[0] ? "no [Pool NAME] section" : "absent", c->host->fpm_looked,
                 found[0] ? found : "none there");
        return -ENOENT;
}

/* [Nginx] Config= names a file that cannot be read as nginx's: a typo, a directory, a device. The
 * default place missing is no error (no nginx here); a path the user wrote is. */
static int nginx_conf_unread(const struct config *c, struct config_error *err) {
        snprintf(err->text, sizeof(err->text), "%s:%d: Config: %s (nginx's main file)", c->nginx_conf_from,
                 c->nginx_conf_line, c->host->nginx_unread[0] ? c->host->nginx_unread : "cannot be read");
        return -EINVAL;
}

int loadconf(struct config *c, const char *file, struct config_error *err) {
        err->text[0] = '\0';
        config_set_url_check(net_url_check);
        const char *path = file ? file : DEFAULT_CONFIG;
        int r = config_load(c, path, err);
        if (r == -ENOENT && !file && !c->file[0]) {     /* no default file, no drop-ins: discovery alone */
                err->text[0] = '\0';
                r = 0;
        }
        if (r == 0)
                r = read_host(c, err);
        if (r == 0 && c->nginx_conf[0] && !c->host->nginx)
                r = nginx_conf_unread(c, err);
        if (r < 0)
                return r;
        if (c->n_pools) {
                snprintf(c->source, sizeof(c->source), "%s", c->file);
                served_by_file(c);
        } else {
                pools_from_host(c, c->host);
        }
        if (c->n_nginx_logs == 0)
                logs_from_host(c, c->host);
        if (c->nginx_user[0])
                snprintf(c->host->nginx_user_override, sizeof(c->host->nginx_user_override), "%s", c->nginx_user);
        else
                user_from_host(c, c->host);
        return c->n_pools ? 0 : no_pools(c, c->file[0] ? c->file : path, err);     /* FILE.d: drop-ins alone */
}

bool loadconf_no_pool(const struct config *c, int r) {
        return r == -ENOENT && c->host && c->n_pools == 0;
}

const char *loadconf_source(const struct config *c) {
        return c->source[0] ? c->source : c->file;
}

const struct host_conf *loadconf_host(const struct config *c) {
        return c->host;
}


/* Symlinks followed on this host: nginx may reach /run/php/x.sock as /var/run/php/x.sock. */
static int host_canonical(void *userdata, const char *path, char *out, size_t size) {
        static int root = -1;
        if (root < 0 && (root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
                return -errno;
        return under_root_canonical(root, path, out, size);
}

int loadconf_new_diag(const struct config *c, bool one_round, struct diag **ret) {
        struct diag_pool pools[CONFIG_MAX_POOLS];
        static char resolved[CONFIG_MAX_POOLS][PATH_MAX];
        struct diag_settings s = {
                .resolve_after_usec = c->resolve_after_usec,
                .summary_interval_usec = c->summary_interval_usec,
                .nginx_user = c->nginx_user,
                /* in the daemon a restart shows as one failed probe, and php-fpm logs a worker's
                 * signal after nginx's reset */
                .confirmations = one_round ? 1 : 2,
                .pairing_usec = one_round ? 0 : 2000000,
                .one_round = one_round,
                .canonical = host_canonical,
        };
        for (int i = 0; i < c->n_pools; i++) {
                const struct pool_config *pc = &c->pools[i];
                const char *path = address_unix_path(&pc->address);
                pools[i] = (struct diag_pool) {
                        .name = pc->name,
                        .listen = &pc->address,
                        .listen_resolved = path && realpath(path, resolved[i]) ? resolved[i] : NULL,
                        .unit = pc->unit[0] ? pc->unit : NULL,
                        .conf_at = pc->conf_at[0] ? pc->conf_at : NULL,
                        .terminate_timeout = pc->terminate_timeout[0] ? pc->terminate_timeout : NULL,
                        .terminate_at = pc->terminate_at[0] ? pc->terminate_at : NULL,
                        .pid_file = pc->pid_file[0] ? pc->pid_file : NULL,
                };
        }
        return diag_new(ret, &s, pools, (size_t) c->n_pools);
}

struct probe_options loadconf_probe_options(const struct config *c, const struct pool_config *pc) {
        int ms = (int) (c->probe_timeout_usec / 1000);
        return (struct probe_options) {
                .mode = pc->status_path[0] ? PROBE_STATUS : pc->ping_path[0] ? PROBE_PING : PROBE_VALUES,
                .path = pc->status_path[0] ? pc->status_path : pc->ping_path[0] ? pc->ping_path : NULL,
                .connect_timeout_ms = ms > 0 ? ms : 1,
                .answer_timeout_ms = ms > 0 ? ms : 1,
        };
}

size_t loadconf_logs(const struct config *c, struct log_ref *out) {
        size_t n = 0, kept = 0;
        for (int i = 0; i < c->n_nginx_logs; i++)
                out[n++] = (struct log_ref) { c->nginx_logs[i], -1, 0 };
        for (int i = 0; i < c->n_pools; i++)
                if (c->pools[i].log[0])
                        out[n++] = (struct log_ref) { c->pools[i].log, i, 1ULL << i };
        for (size_t i = 0; i < n; i++) {
                size_t j = 0;
                while (j < kept && strcmp(out[j].path, out[i].path) != 0)
                        j++;
                if (j == kept)
                        out[kept++] = out[i];
                else
                        out[j].pools |= out[i].pools;
        }
        return kept;
}

size_t loadconf_line_pools(const struct log_ref *ref, const struct event *ev, int *out) {
        size_t n = 0;
        if (ev->source == SOURCE_FPM && !ev->pool.n)
                for (int i = 0; i < CONFIG_MAX_POOLS; i++)
                        if (ref->pools & (1ULL << i))
                                out[n++] = i;
        if (!n)
                out[n++] = ref->pool;
        return n;
}

static void say_problem(void *userdata, const char *file, unsigned line, const char *text) {
        if (line)
                say("%s:%u: %s", file, line, text);
        else
                say("%s: %s", file, text);
}

size_t loadconf_say_problems(const struct config *c) {
        const struct host_conf *h = loadconf_host(c);
        return h ? host_conf_problems(h, say_problem, NULL) : 0;
}

static void check_config_usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd --check-config [--config FILE]\n"
                "  Reads badgatewayd.conf and nginx's and php-fpm's configuration as the daemon would;\n"
                "  prints where the pools come from, or what is wrong (file:line: key) and exits 78.\n"
                "  Problems in nginx's or php-fpm's own configuration are said on stderr.\n"
                "  --config FILE  read FILE instead of " DEFAULT_CONFIG "\n"
                "  -h, --help     this text\n");
}

int check_config_main(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "check-config", no_argument, NULL, 'k' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *file = NULL;
        int o;
        while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) >= 0) {
                if (o == 'c')
                        file = optarg;
                else if (o == 'h')
                        return check_config_usage(stdout), 0;
                else if (o != 'k')
                        return check_config_usage(stderr), 64;
        }
        if (optind < argc) {
                fprintf(stderr, "badgatewayd --check-config: unexpected argument '%s'\n", argv[optind]);
                check_config_usage(stderr);
                return 64;
        }
        _cleanup_(config_freep) struct config *c = calloc(1, sizeof(*c));
        struct config_error err;
        if (!c)
                return 1;
        if (loadconf(c, file, &err) < 0 || net_for_config(c, &err) < 0) {     /* what `run` would refuse */
                fprintf(stderr, "%s\n", err.text);
                return EXIT_CONFIG;
        }
        size_t problems = loadconf_say_problems(c);
        printf("%s: OK (%d pool%s)", loadconf_source(c), c->n_pools, c->n_pools == 1 ? "" : "s");
        if (problems)
                printf("; %zu problem%s in nginx's or php-fpm's configuration (on stderr)", problems,
                       problems == 1 ? "" : "s");
        printf("\n");
        return 0;
}
