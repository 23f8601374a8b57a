/*
 * nginx's configuration against php-fpm's, before any request fails: every fastcgi_pass
 * target that no pool listens on (socket_mismatch). Pure: it reads what nginx_conf_load() and
 * fpm_conf_load() found and does no I/O.
 */
#pragma once
#include <stddef.h>

#include "fpm_conf.h"
#include "kinds.h"
#include "nginx_conf.h"

enum { CROSSCHECK_SUMMARY_MAX = 512 };

struct crosscheck_finding {
        enum cause cause;
        const char *file;               /* where to edit: one of the readers' files, valid while
                                         * the configurations are */
        unsigned line;
        char summary[CROSSCHECK_SUMMARY_MAX];
};

/* Every php-fpm master's configuration: one per php-fpm.conf found. */
struct crosscheck_input {
        const struct nginx_conf *nginx;         /* NULL: no nginx found */
        const struct fpm_conf *const *fpm;
        size_t n_fpm;
};

/* Calls fn for each finding, in the order of nginx's passes. Only targets on this host are
 * checked: unix sockets and loopback addresses. A variable, a host name nginx would resolve, or
 * another IP (a php-fpm on another machine) gives no finding. */
void crosscheck_run(const struct crosscheck_input *in,
                    void (*fn)(void *userdata, const struct crosscheck_finding *f), void *userdata);
