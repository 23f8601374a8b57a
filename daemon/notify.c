/* sd_notify: READY=1 once the first probes have answered, STATUS= when the verdict's text changes,
 * WATCHDOG=1 at half the interval systemd asks for. Without $NOTIFY_SOCKET these do nothing. */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "manager.h"

void notify_ready(struct manager *m) {
        m->ready = true;
        sd_notifyf(0, "READY=1\nSTATUS=%s", m->status);
}

void notify_reloading(void) {
        sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", (unsigned long long) clock_monotonic_usec());
}

void notify_stopping(void) {
        sd_notify(0, "STOPPING=1");
}

/* Held back until READY=1, which carries it: before the first probes the verdict says nothing. */
void notify_status(struct manager *m, const char *status) {
        if (strcmp(status, m->status) == 0)
                return;
        snprintf(m->status, sizeof(m->status), "%s", status);
        if (m->ready)
                sd_notifyf(0, "STATUS=%s", m->status);
}

static void on_watchdog(EV_P_ ev_timer *w, int revents) {
        sd_notify(0, "WATCHDOG=1");
}

void notify_watchdog_start(struct manager *m) {
        uint64_t usec;
        if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
                return;
        double half = (double) usec / 2e6;
        ev_timer_init(&m->watchdog, on_watchdog, half, half);
        m->watchdog.data = m;
        ev_timer_start(m->loop, &m->watchdog);
}
