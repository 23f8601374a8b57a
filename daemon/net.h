/*
 * badgatewayd-net.so: what speaks HTTP (push.c, exporter_http.c, url.c) with libcurl and
 * libmicrohttpd, dlopen()ed only when the configuration sends or serves over HTTP: those two
 * libraries bring some 40 more, whose loading would be most of the start-up time of every `scan`
 * and `check`. The module exports one symbol, NET_SYMBOL, a struct net_module; the daemon calls
 * the module only through it, so that the compiler checks both sides against this header.
 */
#pragma once
#include <stddef.h>

#include "config.h"
#include "exporter.h"
#include "push.h"

#define NET_MODULE "badgatewayd-net.so"
/* Renamed whenever struct net_module changes: an old module is then refused by name. */
#define NET_SYMBOL badgatewayd_net_1
#define NET_SYMBOL_NAME "badgatewayd_net_1"

struct net_module {
        config_url_check_fn *url_check;                                 /* url.h */
        struct push *(*push_new)(struct ev_loop *loop, push_firing_fn firing, void *userdata);  /* push.h */
        int (*push_configure)(struct push *p, const struct config *c);
        void (*push_alert)(struct push *p, const struct alert *a);
        void (*push_count)(const struct push *p, struct metrics *m);
        void (*push_close)(struct push *p, double grace_s);
        void (*exporter_serve)(struct exporter *e);                     /* exporter.h */
        void (*exporter_unserve)(struct exporter *e);
};

extern const struct net_module NET_SYMBOL;     /* net_module.c, in the module only */

/* The module, once net_load() loaded it; NULL before. */
const struct net_module *net_module(void);
/* Loads the module, the first time (RTLD_NOW; it stays loaded): from LIBDIR/badgatewayd/ when this
 * executable is the one installed in SBINDIR (under any DESTDIR), else from the executable's own
 * directory (the build tree). 0, or -ELIBACC with why "cannot load PATH: dlerror()". */
int net_load(char *why, size_t size);
/* Loads the module when c needs it: [Metrics] Listen=, [Alertmanager] or [Webhook] URL=. 0, or
 * -EINVAL with err "cannot load PATH: …; [Alertmanager] needs it". */
int net_for_config(const struct config *c, struct config_error *err);
/* config_url_check_fn of the module, loaded for it; that it cannot be loaded is -ELIBACC. */
int net_url_check(const char *url, const char **why);
