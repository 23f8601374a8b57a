/* sd_notify: READY=1 when the manager says so, STATUS= when the verdict's text changes, WATCHDOG=1
 * at half the interval systemd asks for. Without $NOTIFY_SOCKET these do nothing. */
#pragma once
#include <stdbool.h>

#include <ev.h>

struct notify {
        char status[256];               /* the last verdict; READY=1 carries it */
        bool ready;                     /* READY=1 was sent */
        ev_timer watchdog;
};

/* READY=1 with the last status; n is ready from then on. Also after each reload. */
void notify_ready(struct notify *n);
/* RELOADING=1 with the monotonic time. */
void notify_reloading(void);
void notify_stopping(void);
/* Keeps status (cut to 255 bytes); sends STATUS= when it changed, once READY=1 was sent. */
void notify_status(struct notify *n, const char *status);
/* WATCHDOG=1 on loop at half of $WATCHDOG_USEC, if systemd asks for it; stop undoes it (also
 * when it was not started, as long as n was zeroed). */
void notify_watchdog_start(struct notify *n, struct ev_loop *loop);
void notify_watchdog_stop(struct notify *n, struct ev_loop *loop);
