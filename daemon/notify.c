/* sd_notify: READY=1 once the first probes have answered, STATUS= when the verdict's text changes,
 * WATCHDOG=1 at half the interval systemd asks for. Without $NOTIFY_SOCKET these do nothing. */
#include "notify.h"

#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "clock.h"

void notify_ready(struct notify *n) {
        n->ready = true;
        sd_notifyf(0, "READY=1\nSTATUS=%s", n->status);
}

void notify_reloading(void) {
        sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long) clock_monotonic_usec());
}

void notify_stopping(void) {
        sd_notify(0, "STOPPING=1");
}

/* Held back until READY=1, which carries it: before the first probes the verdict says nothing. */
void notify_status(struct notify *n, const char *status) {
        if (strcmp(status, n->status) == 0)
                return;
        snprintf(n->status, sizeof(n->status), "%s", status);
        if (n->ready)
                sd_notifyf(0, "STATUS=%s", n->status);
}

static void on_watchdog(EV_P_ ev_timer *w, int revents) {
        sd_notify(0, "WATCHDOG=1");
}

void notify_watchdog_start(struct notify *n, struct ev_loop *loop) {
        uint64_t usec;
        if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
                return;
        double half = (double) usec / 2e6;
        ev_timer_init(&n->watchdog, on_watchdog, half, half);
        ev_timer_start(loop, &n->watchdog);
}

void notify_watchdog_stop(struct notify *n, struct ev_loop *loop) {
        ev_timer_stop(loop, &n->watchdog);
}
