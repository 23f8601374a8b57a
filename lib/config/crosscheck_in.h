/* Shared by crosscheck*.c and nowhere else: the run's input and how a check reports. */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>

#include "crosscheck.h"

struct crosscheck {
        const struct host_conf *h;
        crosscheck_fn *fn;
        void *userdata;
        char (*canon)[PATH_MAX];        /* each pool's unix socket with its links followed ("" for
                                         * none), masters' pools in order; NULL when out of memory */
};

/* snprintf that may cut: summaries and remedies are bounded on purpose. */
__attribute__((format(printf, 3, 4))) static inline void cc_put(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

/* A pool whose listen names a ${VAR} the master's environment lacks: where php-fpm listens is not
 * known here (fpm_conf_value.unset_var), so nothing is judged of its address or socket. */
static inline bool cc_listen_unknown(const struct fpm_conf_pool *p) {
        return p->v[FPM_POOL_LISTEN].unset_var != NULL;
}

/* "128M", "2G", "12.5G", "1000000": bytes the way php.ini and systemd write them. */
const char *cc_bytes(unsigned long long bytes, char buf[static 32]);

/* crosscheck_socket.c: socket_permission for every pool's unix socket. */
void crosscheck_sockets(const struct crosscheck *cc);
/* crosscheck_risks.c: error_log and log_level, memory and units. */
void crosscheck_error_logs(const struct crosscheck *cc);
void crosscheck_masters(const struct crosscheck *cc);
