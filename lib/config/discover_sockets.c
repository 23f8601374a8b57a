#include "discover_sockets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool discover_version(const char *name, char *version, size_t size) {
        static const char prefix[] = "php", suffix[] = "-fpm.sock";
        size_t n = strlen(name), p = strlen(prefix), s = strlen(suffix);
        if (n <= p + s || strncmp(name, prefix, p) != 0 || strcmp(name + n - s, suffix) != 0)
                return false;
        size_t v = n - p - s;
        if (strspn(name + p, "0123456789.") < v || name[p] == '.' || v >= size)
                return false;
        memcpy(version, name + p, v);
        version[v] = '\0';
        return true;
}

static int by_version(const void *a, const void *b) {
        return strverscmp(*(const char *const *) a, *(const char *const *) b);
}

/* A socket path too long to connect to is no pool. */
static void add_pool(struct config *c, const char *dir, const char *name, const char *version) {
        struct pool_config *pc = &c->pools[c->n_pools];
        *pc = (struct pool_config) { 0 };
        snprintf(pc->listen, sizeof(pc->listen), "%s/%s", dir, name);
        if (address_parse(&pc->address, pc->listen, strlen(pc->listen)) < 0 || pc->address.kind != ADDRESS_UNIX)
                return;
        snprintf(pc->name, sizeof(pc->name), "php%s-fpm", version);
        snprintf(pc->unit, sizeof(pc->unit), "php%s-fpm.service", version);
        snprintf(pc->log, sizeof(pc->log), "/var/log/php%s-fpm.log", version);
        c->n_pools++;
}

int discover_config(struct config *c, const char *dir, const char *const *names, size_t n) {
        config_defaults(c);
        strcpy(c->nginx_logs[c->n_nginx_logs++], DISCOVER_NGINX_LOG);
        if (n == 0)
                return 0;
        const char **sorted = malloc(n * sizeof(*sorted));
        if (!sorted)
                return -ENOMEM;
        memcpy(sorted, names, n * sizeof(*sorted));
        qsort(sorted, n, sizeof(*sorted), by_version);
        int r = 0;
        char version[CONFIG_NAME_MAX - 8];
        for (size_t i = 0; i < n && r == 0; i++) {
                if (!discover_version(sorted[i], version, sizeof(version)))
                        continue;
                if (c->n_pools == CONFIG_MAX_POOLS)
                        r = -E2BIG;
                else if (strlen(dir) + strlen(sorted[i]) + 2 <= PATH_MAX)
                        add_pool(c, dir, sorted[i], version);
        }
        free(sorted);
        return r < 0 ? r : c->n_pools;
}
