/* systemd's view of one unit, read and followed over the system bus (org.freedesktop.systemd1).
 *
 * The bus is sd_bus_open_system()'s, so DBUS_SYSTEM_BUS_ADDRESS redirects it. The caller owns the
 * loop and the clock: it polls unit_fd() for unit_events(), calls unit_process() when the fd is
 * ready or the time from unit_timeout_usec() has come, and asks all three again after every call
 * (the fd changes when the bus is reconnected). Changes arrive through the callback, driven by
 * PropertiesChanged signals: no polling. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
        UNIT_WORD_MAX = 32,
        UNIT_STATUS_MAX = 256,
        UNIT_CGROUP_MAX = 256,
};

struct unit_state {
        char load_state[UNIT_WORD_MAX];         /* loaded, not-found, masked, bad-setting, error */
        char active_state[UNIT_WORD_MAX];       /* active, activating, deactivating, failed, inactive */
        char sub_state[UNIT_WORD_MAX];          /* running, auto-restart, dead, failed… */
        char result[UNIT_WORD_MAX];             /* success, signal, exit-code, oom-kill, watchdog… */
        uint32_t n_restarts;
        uint32_t main_pid;                      /* in the manager's PID namespace; 0 when none */
        int32_t exec_main_code;                 /* CLD_EXITED, CLD_KILLED, CLD_DUMPED, or 0 */
        int32_t exec_main_status;               /* exit status, or signal number */
        char status_text[UNIT_STATUS_MAX];      /* sd_notify STATUS=, truncated */
        uint64_t active_enter_usec;             /* CLOCK_REALTIME µs; 0 = never */
        uint64_t inactive_enter_usec;
        char control_group[UNIT_CGROUP_MAX];    /* "/system.slice/php8.2-fpm.service"; "" if none */
        uint64_t memory_max;                    /* MemoryMax= in bytes; UINT64_MAX: infinity; 0: unknown */
};

enum unit_event {
        UNIT_CHANGED,           /* a property above changed */
        UNIT_CONNECTED,         /* (re)connected, subscribed, and every property read again */
        UNIT_DISCONNECTED,      /* the bus is lost; the state is the last one known */
};

/* Called from inside unit_process(); it must not close the unit. */
typedef void (*unit_fn)(enum unit_event ev, const struct unit_state *st, void *userdata);

struct unit;

/* Does no I/O: the first unit_process() connects. 0, -EINVAL or -ENOMEM. */
int unit_open(struct unit **ret, const char *name, unit_fn fn, void *userdata);
struct unit *unit_close(struct unit *u);

/* The bus fd, or -ENOTCONN while there is no bus (then only the timeout matters). */
int unit_fd(struct unit *u);
/* poll(2) events to wait for on unit_fd(), or a negative errno. */
int unit_events(struct unit *u);
/* CLOCK_MONOTONIC µs at which unit_process() is due even if the fd stays quiet; UINT64_MAX: never. */
int unit_timeout_usec(struct unit *u, uint64_t *ret);
/* CLOCK_MONOTONIC µs of the next reconnect attempt; UINT64_MAX while a bus is open. */
uint64_t unit_reconnect_usec(const struct unit *u);
/* Dispatches pending messages, notices a lost bus, reconnects when due. now: CLOCK_MONOTONIC µs.
 * A lost or unreachable bus is reported through the callback, not here: 0 or -ENOMEM. */
int unit_process(struct unit *u, uint64_t now_usec);

bool unit_connected(const struct unit *u);
const struct unit_state *unit_state(const struct unit *u);

/* One synchronous read, for commands without a loop. A unit that does not exist is not an
 * error: it reads as LoadState=not-found. */
int unit_read(const char *name, struct unit_state *ret);

/* NAME=VALUE lines as printed by `systemctl show --timestamp=unix`; other names are skipped.
 * -EBADMSG on a malformed number. */
int unit_state_parse_show(const char *text, struct unit_state *ret);
bool unit_state_equal(const struct unit_state *a, const struct unit_state *b);
/* The verdict in words: "active (running)", "failed (Result=oom-kill)", "not-found",
 * "auto-restart after signal 9 (NRestarts=3)". Returns what snprintf() returns. */
int unit_state_describe(const struct unit_state *st, char *buf, size_t size);
