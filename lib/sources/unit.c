#include "unit.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define _cleanup_(f) __attribute__((cleanup(f)))

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define UNIT_IFACE "org.freedesktop.systemd1.Unit"
#define SERVICE_IFACE "org.freedesktop.systemd1.Service"
#define PROPS_IFACE "org.freedesktop.DBus.Properties"

enum {
        CALL_TIMEOUT_USEC = 5000000,
        BACKOFF_MIN_USEC = 100000,
        BACKOFF_MAX_USEC = 5000000,
        PROCESS_BATCH = 64,     /* messages per unit_process(), so one unit cannot starve a loop */
};

struct field {
        const char *name;
        char type;              /* its D-Bus signature: s, u, i or t; B: a t of bytes ("infinity" in show) */
        size_t offset;
        size_t size;
};

#define FIELD(name, type, member) \
        { name, type, offsetof(struct unit_state, member), sizeof(((struct unit_state *) 0)->member) }

static const struct field fields[] = {
        FIELD("LoadState", 's', load_state),
        FIELD("ActiveState", 's', active_state),
        FIELD("SubState", 's', sub_state),
        FIELD("Result", 's', result),
        FIELD("NRestarts", 'u', n_restarts),
        FIELD("MainPID", 'u', main_pid),
        FIELD("ExecMainCode", 'i', exec_main_code),
        FIELD("ExecMainStatus", 'i', exec_main_status),
        FIELD("StatusText", 's', status_text),
        FIELD("ActiveEnterTimestamp", 't', active_enter_usec),
        FIELD("InactiveEnterTimestamp", 't', inactive_enter_usec),
        FIELD("ControlGroup", 's', control_group),
        FIELD("MemoryMax", 'B', memory_max),
};

enum { N_FIELDS = sizeof(fields) / sizeof(fields[0]) };

struct unit {
        char *name;
        char *path;                     /* from LoadUnit, on the current bus */
        bool is_service;
        unit_fn fn;
        void *userdata;
        sd_bus *bus;
        struct unit_state st;           /* as read so far */
        struct unit_state reported;     /* as last handed to fn */
        unsigned pending;               /* GetAll replies still to come */
        bool up;                        /* UNIT_CONNECTED was reported for this bus */
        bool down_reported;
        int failed;                     /* set inside a bus callback: drop the bus afterwards */
        uint64_t retry_usec;
        uint64_t backoff_usec;
};

static const struct field *field_by_name(const char *name, size_t len) {
        for (size_t i = 0; i < N_FIELDS; i++)
                if (strlen(fields[i].name) == len && memcmp(fields[i].name, name, len) == 0)
                        return &fields[i];
        return NULL;
}

static void *field_ptr(struct unit_state *st, const struct field *f) {
        return (char *) st + f->offset;
}

static bool has_suffix(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* One variant; skipped when the name is not ours or its type is not the one we expect. */
static int read_value(sd_bus_message *m, const struct field *f, struct unit_state *st) {
        const char *contents;
        int r = sd_bus_message_peek_type(m, NULL, &contents);
        if (r < 0)
                return r;
        char type = f && f->type == 'B' ? 't' : f ? f->type : 0;
        if (!f || contents[0] != type || contents[1] != '\0')
                return sd_bus_message_skip(m, "v");
        r = sd_bus_message_enter_container(m, 'v', contents);
        if (r < 0)
                return r;
        if (f->type == 's') {
                const char *s;
                r = sd_bus_message_read_basic(m, 's', &s);
                if (r >= 0)
                        snprintf(field_ptr(st, f), f->size, "%s", s);
        } else {
                r = sd_bus_message_read_basic(m, type, field_ptr(st, f));
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

/* An a{sv} of properties, from GetAll or PropertiesChanged. */
static int read_dict(sd_bus_message *m, struct unit_state *st) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name;
                r = sd_bus_message_read_basic(m, 's', &name);
                if (r < 0)
                        return r;
                r = read_value(m, field_by_name(name, strlen(name)), st);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int read_invalidated(sd_bus_message *m, bool *ours) {
        const char *name;
        int r = sd_bus_message_enter_container(m, 'a', "s");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_read_basic(m, 's', &name)) > 0)
                if (field_by_name(name, strlen(name)))
                        *ours = true;
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static void fail(struct unit *u, int r) {
        if (!u->failed)
                u->failed = r < 0 ? r : -EIO;
}

/* Every property we follow is read: tell the caller what is new. */
static void settle(struct unit *u) {
        if (!u->up) {
                u->up = true;
                u->down_reported = false;
                u->backoff_usec = BACKOFF_MIN_USEC;
                u->reported = u->st;
                u->fn(UNIT_CONNECTED, &u->st, u->userdata);
        } else if (!unit_state_equal(&u->st, &u->reported)) {
                u->reported = u->st;
                u->fn(UNIT_CHANGED, &u->st, u->userdata);
        }
}

static int on_all(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct unit *u = userdata;
        u->pending--;
        int r = -sd_bus_message_get_errno(m);
        if (r == 0)
                r = read_dict(m, &u->st);
        if (r < 0)
                fail(u, r);
        else if (u->pending == 0)
                settle(u);
        return 0;
}

static int get_all(struct unit *u, const char *iface) {
        int r = sd_bus_call_method_async(u->bus, NULL, DEST, u->path, PROPS_IFACE, "GetAll",
                                         on_all, u, "s", iface);
        if (r < 0)
                return r;
        u->pending++;
        return 0;
}

static int refresh(struct unit *u) {
        int r = get_all(u, UNIT_IFACE);
        if (r >= 0 && u->is_service)
                r = get_all(u, SERVICE_IFACE);
        return r;
}

/* systemd sends the type-specific interface first, then Unit: deliver on Unit, atomically. */
static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct unit *u = userdata;
        const char *iface;
        bool stale = false;
        int r = sd_bus_message_read_basic(m, 's', &iface);
        if (r < 0)
                return 0;
        bool is_unit = strcmp(iface, UNIT_IFACE) == 0;
        if (!is_unit && strcmp(iface, SERVICE_IFACE) != 0)
                return 0;
        r = read_dict(m, &u->st);
        if (r >= 0)
                r = read_invalidated(m, &stale);
        if (r >= 0 && stale)
                r = get_all(u, iface);
        if (r < 0)
                fail(u, r);
        else if (is_unit && u->pending == 0)
                settle(u);
        return 0;
}

/* After a daemon-reload the unit may have been loaded anew: read it again. */
static int on_reloading(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct unit *u = userdata;
        int active;
        if (sd_bus_message_read_basic(m, 'b', &active) < 0 || active || !u->path)
                return 0;
        int r = refresh(u);
        if (r < 0)
                fail(u, r);
        return 0;
}

static int on_loaded(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        struct unit *u = userdata;
        const char *path;
        int r = -sd_bus_message_get_errno(m);
        if (r == 0)
                r = sd_bus_message_read_basic(m, 'o', &path);
        if (r >= 0) {
                free(u->path);
                u->path = strdup(path);
                r = u->path ? 0 : -ENOMEM;
        }
        if (r >= 0)
                r = sd_bus_match_signal_async(u->bus, NULL, DEST, u->path, PROPS_IFACE,
                                              "PropertiesChanged", on_changed, NULL, u);
        if (r >= 0)
                r = refresh(u);
        if (r < 0)
                fail(u, r);
        return 0;
}

static int on_subscribed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        int r = sd_bus_message_get_errno(m);
        if (r > 0)
                fail(userdata, -r);
        return 0;
}

/* Everything is asynchronous: nothing here waits for dbus-daemon or systemd. A failure to
 * install a match without an install callback closes the bus, which reconnects. */
static int connect_bus(struct unit *u) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_USEC);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, DEST, MANAGER_PATH, MANAGER_IFACE,
                                              "Reloading", on_reloading, NULL, u);
        if (r >= 0)
                r = sd_bus_call_method_async(bus, NULL, DEST, MANAGER_PATH, MANAGER_IFACE,
                                             "Subscribe", on_subscribed, u, "");
        if (r >= 0)
                r = sd_bus_call_method_async(bus, NULL, DEST, MANAGER_PATH, MANAGER_IFACE,
                                             "LoadUnit", on_loaded, u, "s", u->name);
        if (r < 0)
                return r;
        u->bus = bus;
        bus = NULL;
        return 0;
}

static void lose(struct unit *u, uint64_t now) {
        u->bus = sd_bus_close_unref(u->bus);
        u->pending = 0;
        u->up = false;
        u->failed = 0;
        u->retry_usec = now + u->backoff_usec;
        u->backoff_usec = u->backoff_usec * 2 < BACKOFF_MAX_USEC ? u->backoff_usec * 2
                                                                : BACKOFF_MAX_USEC;
        if (!u->down_reported) {
                u->down_reported = true;
                u->fn(UNIT_DISCONNECTED, &u->st, u->userdata);
        }
}

int unit_open(struct unit **ret, const char *name, unit_fn fn, void *userdata) {
        if (!name || !fn || !strchr(name, '.') || strlen(name) > 255)
                return -EINVAL;
        struct unit *u = calloc(1, sizeof(*u));
        if (!u || !(u->name = strdup(name))) {
                free(u);
                return -ENOMEM;
        }
        u->is_service = has_suffix(name, ".service");
        u->fn = fn;
        u->userdata = userdata;
        u->backoff_usec = BACKOFF_MIN_USEC;
        *ret = u;
        return 0;
}

struct unit *unit_close(struct unit *u) {
        if (!u)
                return NULL;
        sd_bus_close_unref(u->bus);
        free(u->path);
        free(u->name);
        free(u);
        return NULL;
}

int unit_fd(struct unit *u) {
        return u->bus ? sd_bus_get_fd(u->bus) : -ENOTCONN;
}

int unit_events(struct unit *u) {
        return u->bus ? sd_bus_get_events(u->bus) : -ENOTCONN;
}

int unit_timeout_usec(struct unit *u, uint64_t *ret) {
        if (!u->bus) {
                *ret = u->retry_usec;
                return 0;
        }
        int r = sd_bus_get_timeout(u->bus, ret);
        return r < 0 ? r : 0;
}

uint64_t unit_reconnect_usec(const struct unit *u) {
        return u->bus ? UINT64_MAX : u->retry_usec;
}

int unit_process(struct unit *u, uint64_t now_usec) {
        if (!u->bus) {
                if (now_usec < u->retry_usec)
                        return 0;
                int r = connect_bus(u);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        lose(u, now_usec);
                return 0;
        }
        int r = 0;
        for (int i = 0; i < PROCESS_BATCH && !u->failed; i++) {
                r = sd_bus_process(u->bus, NULL);
                if (r <= 0)
                        break;
        }
        if (r < 0 || u->failed || !sd_bus_is_open(u->bus))
                lose(u, now_usec);
        return 0;
}

bool unit_connected(const struct unit *u) {
        return u->up;
}

const struct unit_state *unit_state(const struct unit *u) {
        return &u->st;
}

static int read_all_sync(sd_bus *bus, const char *path, const char *iface, struct unit_state *st) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r = sd_bus_call_method(bus, DEST, path, PROPS_IFACE, "GetAll", NULL, &reply, "s", iface);
        if (r < 0)
                return r;
        return read_dict(reply, st);
}

int unit_read(const char *name, struct unit_state *ret) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        struct unit_state st = { 0 };
        const char *path;
        int r = sd_bus_open_system(&bus);
        if (r < 0)
                return r;
        r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "LoadUnit", NULL, &reply,
                               "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_read_basic(reply, 'o', &path);
        if (r < 0)
                return r;
        r = read_all_sync(bus, path, UNIT_IFACE, &st);
        if (r >= 0 && has_suffix(name, ".service"))
                r = read_all_sync(bus, path, SERVICE_IFACE, &st);
        if (r < 0)
                return r;
        *ret = st;
        return 0;
}

/* Timestamps only as "@seconds" (systemctl show --timestamp=unix) or empty for never. */
static int parse_number(const char *v, size_t n, char type, void *out) {
        char buf[32];
        if (type == 'B' && n == 8 && memcmp(v, "infinity", 8) == 0) {
                *(uint64_t *) out = UINT64_MAX;
                return 0;
        }
        if (type == 't') {
                if (n == 0) {
                        *(uint64_t *) out = 0;
                        return 0;
                }
                if (v[0] != '@')
                        return -EBADMSG;
                v++;
                n--;
        }
        if (n == 0 || n >= sizeof(buf))
                return -EBADMSG;
        memcpy(buf, v, n);
        buf[n] = '\0';
        if (!(buf[0] >= '0' && buf[0] <= '9') && !(type == 'i' && buf[0] == '-'))
                return -EBADMSG;
        char *end;
        errno = 0;
        if (type == 'i') {
                long long x = strtoll(buf, &end, 10);
                if (errno || *end || x < INT32_MIN || x > INT32_MAX)
                        return -EBADMSG;
                *(int32_t *) out = (int32_t) x;
                return 0;
        }
        unsigned long long x = strtoull(buf, &end, 10);
        if (errno || *end || x > (type == 'u' ? UINT32_MAX : type == 'B' ? UINT64_MAX : UINT64_MAX / 1000000))
                return -EBADMSG;
        if (type == 'B')
                *(uint64_t *) out = x;
        else if (type == 'u')
                *(uint32_t *) out = (uint32_t) x;
        else
                *(uint64_t *) out = x * 1000000;
        return 0;
}

static int parse_line(struct unit_state *st, const char *line, size_t n) {
        const char *eq = memchr(line, '=', n);
        if (!eq)
                return 0;
        const struct field *f = field_by_name(line, (size_t) (eq - line));
        if (!f)
                return 0;
        const char *v = eq + 1;
        size_t vn = n - (size_t) (v - line);
        if (vn > 0 && v[vn - 1] == '\r')
                vn--;
        if (f->type != 's')
                return parse_number(v, vn, f->type, field_ptr(st, f));
        snprintf(field_ptr(st, f), f->size, "%.*s", (int) (vn < f->size ? vn : f->size - 1), v);
        return 0;
}

int unit_state_parse_show(const char *text, struct unit_state *ret) {
        struct unit_state st = { 0 };
        while (*text) {
                size_t n = strcspn(text, "\n");
                int r = parse_line(&st, text, n);
                if (r < 0)
                        return r;
                text += n + (text[n] == '\n');
        }
        *ret = st;
        return 0;
}

bool unit_state_equal(const struct unit_state *a, const struct unit_state *b) {
        for (size_t i = 0; i < N_FIELDS; i++) {
                const char *x = (const char *) a + fields[i].offset;
                const char *y = (const char *) b + fields[i].offset;
                if (fields[i].type == 's' ? strcmp(x, y) != 0 : memcmp(x, y, fields[i].size) != 0)
                        return false;
        }
        return true;
}

static bool is(const char *a, const char *b) {
        return strcmp(a, b) == 0;
}

/* Why the main process went away: "signal 9", "exit status 78", or the Result itself. */
static void describe_cause(const struct unit_state *st, char *buf, size_t size) {
        bool own_exit = is(st->result, "success") || is(st->result, "exit-code") ||
                        is(st->result, "signal") || is(st->result, "core-dump");
        int code = own_exit ? st->exec_main_code : 0;
        if (code == CLD_KILLED || code == CLD_DUMPED)
                snprintf(buf, size, "signal %d%s", st->exec_main_status,
                         code == CLD_DUMPED ? ", core dumped" : "");
        else if (code == CLD_EXITED)
                snprintf(buf, size, "exit status %d", st->exec_main_status);
        else
                snprintf(buf, size, "%s", st->result[0] ? st->result : "unknown");
}

int unit_state_describe(const struct unit_state *st, char *buf, size_t size) {
        char cause[64];
        if (!st->load_state[0])
                return snprintf(buf, size, "unknown");
        if (!is(st->load_state, "loaded"))
                return snprintf(buf, size, "%s", st->load_state);
        describe_cause(st, cause, sizeof(cause));
        if (is(st->sub_state, "auto-restart"))
                return snprintf(buf, size, "auto-restart after %s (NRestarts=%u)", cause,
                                st->n_restarts);
        if (is(st->active_state, "failed") && is(cause, st->result))
                return snprintf(buf, size, "failed (Result=%s)", st->result);
        if (is(st->active_state, "failed"))
                return snprintf(buf, size, "failed (Result=%s, %s)", st->result, cause);
        if (st->n_restarts > 0)
                return snprintf(buf, size, "%s (%s, NRestarts=%u)", st->active_state, st->sub_state,
                                st->n_restarts);
        return snprintf(buf, size, "%s (%s)", st->active_state, st->sub_state);
}
