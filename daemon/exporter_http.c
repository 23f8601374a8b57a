/* [Metrics] Listen=: GET /metrics over HTTP with libmicrohttpd (exporter.h), in badgatewayd-net.so. */
#include "exporter.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "say.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* A scraper asks once per scrape_interval: a client holding more than a few connections is not
 * one. MHD's epoll mode does not see a peer's FIN that came with its last bytes (its edge-triggered
 * read stops at a short read), so such a connection holds its slot until the timeout: keep that
 * short, the slots many, and no address able to take them all. */
enum { CONNECTIONS_MAX = 64, CONNECTIONS_PER_IP = 8, CONNECTION_TIMEOUT_SECONDS = 3 };

static struct MHD_Response *text_response(const char *text) {
        return MHD_create_response_from_buffer(strlen(text), (void *) text, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, struct MHD_Response *r, const char *type) {
        if (!r)
                return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
        if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
                MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
        enum MHD_Result q = MHD_queue_response(c, status, r);
        MHD_destroy_response(r);
        return q;
}

/* GET /metrics: the text rendered now; / points there; anything else is 404 or 405. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state) {
        struct exporter *e = cls;
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
                return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, text_response("GET or HEAD only\n"), "text/plain");
        if (strcmp(url, "/") == 0)
                return answer(c, MHD_HTTP_OK, text_response("badgatewayd: the metrics are at /metrics\n"),
                              "text/plain");
        if (strcmp(url, "/metrics") != 0)
                return answer(c, MHD_HTTP_NOT_FOUND, text_response("not found: the metrics are at /metrics\n"),
                              "text/plain");
        size_t len;
        char *text = e->render(e->userdata, &len);
        if (!text)
                return answer(c, MHD_HTTP_INTERNAL_SERVER_ERROR, text_response("out of memory\n"), "text/plain");
        struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
        if (!r)
                free(text);
        e->requests++;
        return answer(c, MHD_HTTP_OK, r, CONTENT_TYPE);
}

/* MHD wants to be run again within its timeout, or at once when it has work pending. */
static void arm(struct exporter *e) {
        MHD_UNSIGNED_LONG_LONG ms;
        ev_timer_stop(e->loop, &e->timer);
        if (MHD_get_timeout(e->mhd, &ms) != MHD_YES)
                return;
        ev_timer_set(&e->timer, (double) ms / 1000., 0.);
        ev_timer_start(e->loop, &e->timer);
}

static void run(struct exporter *e) {
        MHD_run(e->mhd);
        arm(e);
}

static void on_io(EV_P_ ev_io *w, int revents) {
        run(w->data);
}

static void on_timer(EV_P_ ev_timer *w, int revents) {
        run(w->data);
}

/* MHD's own words ("Failed to bind to port 9184: Address already in use"), once: not at every
 * retry of a Listen= that keeps failing. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
        const struct exporter *e = cls;
        char text[512];
        if (e->listen_failing)
                return;
        vsnprintf(text, sizeof(text), fmt, ap);
        text[strcspn(text, "\n")] = '\0';
        say_at(LOG_WARNING, "metrics: %s", text);
}

/* Listen=: its address as a sockaddr to bind; every address (0.0.0.0) for a bare port. */
static int bind_address(const struct address *a, struct sockaddr_storage *ss, socklen_t *len) {
        if (a->kind != ADDRESS_ANY)
                return address_sockaddr(a, ss, len);
        struct sockaddr_in *in = (struct sockaddr_in *) ss;
        memset(ss, 0, sizeof(*ss));
        in->sin_family = AF_INET;
        in->sin_port = htons(a->port);
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        *len = sizeof(*in);
        return 0;
}

void exporter_serve(struct exporter *e) {
        struct sockaddr_storage ss;
        socklen_t len;
        if (bind_address(&e->address, &ss, &len) < 0)
                return;
        if (ss.ss_family == AF_INET6)
                ((struct sockaddr_in6 *) &ss)->sin6_port = htons(e->address.port);
        else
                ((struct sockaddr_in *) &ss)->sin_port = htons(e->address.port);
        ev_io_init(&e->io, on_io, -1, EV_READ);
        ev_timer_init(&e->timer, on_timer, 0., 0.);
        e->io.data = e->timer.data = e;
        unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
        e->mhd = MHD_start_daemon(flags, e->address.port, NULL, NULL, on_request, e,
                                  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, e,    /* first, or MHD says so */
                                  MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &ss,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned) CONNECTIONS_MAX,
                                  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned) CONNECTIONS_PER_IP,
                                  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) CONNECTION_TIMEOUT_SECONDS,
                                  MHD_OPTION_END);
        if (!e->mhd) {
                if (!e->listen_failing)
                        say_at(LOG_WARNING, "metrics: cannot serve /metrics at %s; trying again every ProbeInterval", e->listen);
                e->listen_failing = true;
                return;
        }
        const union MHD_DaemonInfo *fd = MHD_get_daemon_info(e->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        const union MHD_DaemonInfo *port = MHD_get_daemon_info(e->mhd, MHD_DAEMON_INFO_BIND_PORT);
        if (!fd) {              /* a libmicrohttpd built without epoll */
                if (!e->listen_failing)
                        say_at(LOG_ERR, "metrics: libmicrohttpd gives no epoll fd; /metrics is not served");
                MHD_stop_daemon(e->mhd);
                e->mhd = NULL;
                e->listen_failing = true;
                return;
        }
        e->port = port ? port->port : e->address.port;
        e->listen_failing = false;
        ev_io_set(&e->io, fd->epoll_fd, EV_READ);
        ev_io_start(e->loop, &e->io);
        arm(e);
        if (ss.ss_family == AF_INET6)
                say("metrics: serving http://%.*s:%u/metrics", (int) strcspn(e->address.text, "]") + 1,
                    e->address.text, e->port);
        else if (e->address.kind == ADDRESS_ANY)
                say("metrics: serving http://*:%u/metrics (every address)", e->port);
        else
                say("metrics: serving http://%.*s:%u/metrics", (int) strcspn(e->address.text, ":"), e->address.text,
                    e->port);
}

void exporter_unserve(struct exporter *e) {
        ev_io_stop(e->loop, &e->io);
        ev_timer_stop(e->loop, &e->timer);
        if (e->mhd)
                MHD_stop_daemon(e->mhd);
        e->mhd = NULL;
}

