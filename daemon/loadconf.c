#include "loadconf.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "discover_sockets.h"
#include "util.h"

struct listing {
        char **names;
        size_t n;
};

static void listing_free(struct listing *l) {
        for (size_t i = 0; i < l->n; i++)
                free(l->names[i]);
        free(l->names);
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int list_dir(const char *path, struct listing *l) {
        _cleanup_(closedirp) DIR *d = opendir(path);
        struct dirent *de;
        if (!d)
                return -errno;
        while ((de = readdir(d))) {
                char **more = realloc(l->names, (l->n + 1) * sizeof(*more));
                if (!more)
                        return -ENOMEM;
                l->names = more;
                if (!(l->names[l->n] = strdup(de->d_name)))
                        return -ENOMEM;
                l->n++;
        }
        return 0;
}

static int discover(struct config *c, struct config_error *err) {
        _cleanup_(listing_free) struct listing l = { 0 };
        int r = list_dir(DISCOVER_RUN_DIR, &l);
        if (r == -ENOMEM)
                return r;
        r = discover_config(c, DISCOVER_RUN_DIR, (const char *const *) l.names, l.n);
        if (r == -ENOMEM)
                return r;
        if (r == 0) {
                snprintf(err->text, sizeof(err->text),
                         "%s: %s, and no php<version>-fpm.sock in %s to discover pools from",
                         DEFAULT_CONFIG, strerror(ENOENT), DISCOVER_RUN_DIR);
                return -ENOENT;
        }
        return 0;
}

int loadconf(struct config *c, const char *file, struct config_error *err) {
        err->text[0] = '\0';
        if (file)
                return config_load(c, file, err);
        if (access(DEFAULT_CONFIG, F_OK) == 0 || errno != ENOENT)
                return config_load(c, DEFAULT_CONFIG, err);
        return discover(c, err);
}

const char *loadconf_source(const struct config *c) {
        return c->file[0] ? c->file : "discovered in " DISCOVER_RUN_DIR;
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
        };
        for (int i = 0; i < c->n_pools; i++) {
                const struct pool_config *pc = &c->pools[i];
                const char *path = address_unix_path(&pc->address);
                pools[i] = (struct diag_pool) {
                        .name = pc->name,
                        .listen = &pc->address,
                        .listen_resolved = path && realpath(path, resolved[i]) ? resolved[i] : NULL,
                        .unit = pc->unit[0] ? pc->unit : NULL,
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
                out[n++] = (struct log_ref) { c->nginx_logs[i], -1 };
        for (int i = 0; i < c->n_pools; i++)
                if (c->pools[i].log[0])
                        out[n++] = (struct log_ref) { c->pools[i].log, i };
        for (size_t i = 0; i < n; i++) {
                size_t j = 0;
                while (j < kept && strcmp(out[j].path, out[i].path) != 0)
                        j++;
                if (j == kept)
                        out[kept++] = out[i];
        }
        return kept;
}

int check_config_main(int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "check-config", no_argument, NULL, 'k' },
                { 0 },
        };
        const char *file = NULL;
        int o;
        while ((o = getopt_long(argc, argv, "c:", opts, NULL)) >= 0) {
                if (o == 'c')
                        file = optarg;
                else if (o != 'k')
                        return 64;
        }
        if (optind < argc) {
                fprintf(stderr, "usage: badgatewayd --check-config [--config FILE]\n");
                return 64;
        }
        _cleanup_(freep) struct config *c = calloc(1, sizeof(*c));
        struct config_error err;
        if (!c)
                return 1;
        if (loadconf(c, file, &err) < 0) {
                fprintf(stderr, "%s\n", err.text);
                return EXIT_CONFIG;
        }
        printf("%s: OK (%d pool%s)\n", loadconf_source(c), c->n_pools, c->n_pools == 1 ? "" : "s");
        return 0;
}
