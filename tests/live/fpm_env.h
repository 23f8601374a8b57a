/* A throwaway php-fpm for live tests: config, sockets and logs in a mkdtemp dir under /tmp. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FPM_ENV_POOLS_MAX 8

struct fpm_pool {
        const char *name;
        bool tcp;               /* 127.0.0.1:<port free at start> instead of <dir>/<name>.sock */
        const char *lines;      /* the pool's own settings, "key = value\n"… */
};

struct fpm_env {
        char dir[64];
        pid_t pid;              /* the master, our child and its own process group; 0 if none */
        size_t n_pools;
        char address[FPM_ENV_POOLS_MAX][128];   /* probe addresses: "unix:/tmp/…sock" or "127.0.0.1:port" */
        char error[512];        /* why start or stop failed */
};

/* The binary: $PHP_FPM, else /usr/sbin/php-fpm8.2. */
const char *fpm_env_binary(void);
/* Writes the config, starts "php-fpm -F -y CONF" and waits (with a deadline) until it is ready.
 * As root the pools run as www-data. The caller becomes a child subreaper, so that workers a
 * test orphans stay its own. On failure nothing is left behind and error says why. */
int fpm_env_start(struct fpm_env *e, const struct fpm_pool *pools, size_t n);
/* SIGQUIT, then SIGKILL to its process group after a deadline; reaps the master, checks that no
 * process of the group is left and removes the dir. -EBUSY if something survived. */
int fpm_env_stop(struct fpm_env *e);
/* The master's live children (the workers), from /proc. */
int fpm_env_children(const struct fpm_env *e, pid_t *pids, size_t max, size_t *n);
/* True once pid is gone or a zombie: it no longer holds any socket. */
bool fpm_env_dead(pid_t pid);
/* Writes dir/name, readable by the pool user; its full path goes to path. */
int fpm_env_write(const struct fpm_env *e, const char *name, const char *text, char *path, size_t size);
/* The unix socket path of pool i, or NULL for a TCP pool. */
const char *fpm_env_socket(const struct fpm_env *e, size_t i);
