/* Each php-fpm master's unit as systemd's manager knows it, over the system bus: the php*-fpm*
 * units it has files for or has loaded, each one's ExecStart, UnitFileState and MemoryMax. */
#include "host_parts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>

#define DEST "org.freedesktop.systemd1"
#define MANAGER_PATH "/org/freedesktop/systemd1"
#define MANAGER_IFACE "org.freedesktop.systemd1.Manager"
#define UNIT_IFACE "org.freedesktop.systemd1.Unit"
#define SERVICE_IFACE "org.freedesktop.systemd1.Service"

enum { CALL_TIMEOUT_USEC = 2000000, NAMES_MAX = 64, EXEC_MAX = 8192 };

static const char *const patterns[] = { "php*-fpm*", NULL };

struct names {
        char name[NAMES_MAX][HOST_UNIT_MAX];
        size_t n;
};

static void add_name(struct names *l, const char *name) {
        size_t n = strlen(name);
        if (n < 8 || strcmp(name + n - 8, ".service") != 0 || n >= HOST_UNIT_MAX)
                return;
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->name[i], name) == 0)
                        return;
        if (l->n < NAMES_MAX)
                snprintf(l->name[l->n++], HOST_UNIT_MAX, "%s", name);
}

/* Calls method(states [], patterns) and reads its array of structs of signature sig, whose
 * first string is a unit's name or its file's path. */
static int list(sd_bus *bus, const char *method, const char *sig, struct names *l) {
        sd_bus_message *call = NULL, *reply = NULL;
        sd_bus_error err = SD_BUS_ERROR_NULL;
        int r = sd_bus_message_new_method_call(bus, &call, DEST, MANAGER_PATH, MANAGER_IFACE, method);
        if (r >= 0)
                r = sd_bus_message_append_strv(call, (char **) (const char *const[]) { NULL });
        if (r >= 0)
                r = sd_bus_message_append_strv(call, (char **) patterns);
        if (r >= 0)
                r = sd_bus_call(bus, call, CALL_TIMEOUT_USEC, &err, &reply);
        char array[16];
        snprintf(array, sizeof(array), "(%s)", sig);
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', array);
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', sig)) > 0) {
                const char *first;
                if ((r = sd_bus_message_read(reply, "s", &first)) < 0 ||
                    (r = sd_bus_message_skip(reply, sig + 1)) < 0 || (r = sd_bus_message_exit_container(reply)) < 0)
                        break;
                const char *slash = strrchr(first, '/');
                add_name(l, slash ? slash + 1 : first);
        }
        sd_bus_error_free(&err);
        sd_bus_message_unref(call);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

/* ExecStart's commands, each argv joined by spaces, one a line. */
static int read_exec(sd_bus *bus, const char *path, char *out, size_t size) {
        sd_bus_message *reply = NULL;
        sd_bus_error err = SD_BUS_ERROR_NULL;
        size_t used = 0;
        out[0] = '\0';
        int r = sd_bus_get_property(bus, DEST, path, SERVICE_IFACE, "ExecStart", &err, &reply, "a(sasbttttuii)");
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(sasbttttuii)");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sasbttttuii")) > 0) {
                char **argv = NULL;
                if ((r = sd_bus_message_skip(reply, "s")) >= 0 && (r = sd_bus_message_read_strv(reply, &argv)) >= 0)
                        for (char **a = argv; *a; a++)
                                if (used + strlen(*a) + 2 < size)
                                        used += (size_t) sprintf(out + used, "%s%s", *a, a[1] ? " " : "\n");
                for (char **a = argv; argv && *a; a++)
                        free(*a);
                free(argv);
                if (r < 0 || (r = sd_bus_message_skip(reply, "bttttuii")) < 0 ||
                    (r = sd_bus_message_exit_container(reply)) < 0)
                        break;
        }
        sd_bus_error_free(&err);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

static enum host_unit_file file_state(const char *s, const char *load_state) {
        if (strcmp(load_state, "not-found") == 0)
                return HOST_UNIT_NOT_FOUND;
        if (strncmp(s, "masked", 6) == 0)
                return HOST_UNIT_MASKED;
        if (strncmp(s, "enabled", 7) == 0 || strcmp(s, "alias") == 0 || strcmp(s, "linked") == 0)
                return HOST_UNIT_ENABLED;
        if (strcmp(s, "static") == 0 || strcmp(s, "indirect") == 0 || strcmp(s, "generated") == 0 ||
            strcmp(s, "transient") == 0)
                return HOST_UNIT_STATIC;
        return strcmp(s, "disabled") == 0 ? HOST_UNIT_DISABLED : HOST_UNIT_UNKNOWN;
}

struct bus_unit {
        char exec[EXEC_MAX];
        enum host_unit_file state;
        uint64_t memory_max;            /* 0: none */
};

static int read_unit(sd_bus *bus, const char *name, struct bus_unit *u) {
        sd_bus_error err = SD_BUS_ERROR_NULL;
        sd_bus_message *reply = NULL;
        char *file_state_text = NULL, *load_state = NULL;
        const char *path;
        uint64_t mem = UINT64_MAX;
        int r = sd_bus_call_method(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "LoadUnit", &err, &reply, "s", name);
        if (r >= 0)
                r = sd_bus_message_read(reply, "o", &path);
        if (r >= 0)
                r = sd_bus_get_property_string(bus, DEST, path, UNIT_IFACE, "LoadState", &err, &load_state);
        if (r >= 0)
                r = sd_bus_get_property_string(bus, DEST, path, UNIT_IFACE, "UnitFileState", &err, &file_state_text);
        if (r >= 0)
                r = sd_bus_get_property_trivial(bus, DEST, path, SERVICE_IFACE, "MemoryMax", &err, 't', &mem);
        if (r >= 0)
                r = read_exec(bus, path, u->exec, sizeof(u->exec));
        if (r >= 0) {
                u->state = file_state(file_state_text, load_state);
                u->memory_max = mem == UINT64_MAX ? 0 : mem;
        }
        free(file_state_text);
        free(load_state);
        sd_bus_error_free(&err);
        sd_bus_message_unref(reply);
        return r;
}

static void set_unit(struct host_master *m, const char *name, const struct bus_unit *u) {
        snprintf(m->unit, sizeof(m->unit), "%s", name);
        m->unit_file = u->state;
        m->memory_max = u->memory_max;
}

/* The unit whose ExecStart names m's configuration, else the one of its name. */
static void match(sd_bus *bus, struct host_master *m, const struct names *l, struct bus_unit *u) {
        for (size_t k = 0; k < l->n; k++)
                if (read_unit(bus, l->name[k], u) >= 0 && host_exec_names_conf(u->exec, m->path)) {
                        set_unit(m, l->name[k], u);
                        return;
                }
        char by_name[HOST_UNIT_MAX];
        host_unit_by_name(m->path, by_name, sizeof(by_name));
        if (by_name[0] && read_unit(bus, by_name, u) < 0)
                *u = (struct bus_unit) { .state = HOST_UNIT_UNKNOWN };
        if (by_name[0])
                set_unit(m, by_name, u);
}

int host_units_from_bus(struct host_conf *h) {
        sd_bus *bus = NULL;
        struct names *l = calloc(1, sizeof(*l));
        struct bus_unit *u = calloc(1, sizeof(*u));
        int r = l && u ? sd_bus_open_system(&bus) : -ENOMEM;
        if (r >= 0)
                r = sd_bus_set_method_call_timeout(bus, CALL_TIMEOUT_USEC);
        if (r >= 0)
                r = list(bus, "ListUnitFilesByPatterns", "ss", l);
        if (r >= 0)
                r = list(bus, "ListUnitsByPatterns", "ssssssouso", l);
        for (size_t i = 0; r >= 0 && i < h->n_masters; i++)
                match(bus, &h->masters[i], l, u);
        sd_bus_flush_close_unref(bus);
        free(l);
        free(u);
        return r < 0 ? r : 0;
}
