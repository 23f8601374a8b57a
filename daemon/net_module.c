/* The only symbol badgatewayd-net.so exports (net.sym): its functions, for net.c's dlsym(). */
#include "net.h"
#include "url.h"

const struct net_module NET_SYMBOL = {
        .url_check = url_check,
        .push_new = push_new,
        .push_configure = push_configure,
        .push_alert = push_alert,
        .push_count = push_count,
        .push_close = push_close,
        .exporter_serve = exporter_serve,
        .exporter_unserve = exporter_unserve,
};
