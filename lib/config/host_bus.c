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
        char **env;                     /* Environment, as the manager parsed it ("NAME=value") */
        char env_files[EXEC_MAX];       /* EnvironmentFiles, one a line, "-" before those it may miss */
};

static void free_strv(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

/* EnvironmentFiles: a(sb), each path and whether a missing file is fine. */
static int read_env_files(sd_bus *bus, const char *path, char *out, size_t size) {
        sd_bus_message *reply = NULL;
        sd_bus_error err = SD_BUS_ERROR_NULL;
        size_t used = 0;
        out[0] = '\0';
        int r = sd_bus_get_property(bus, DEST, path, SERVICE_IFACE, "EnvironmentFiles", &err, &reply, "a(sb)");
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(sb)");
        const char *file;
        int graceful;
        while (r >= 0 && (r = sd_bus_message_read(reply, "(sb)", &file, &graceful)) > 0)
                if (used + strlen(file) + 3 < size)
                        used += (size_t) sprintf(out + used, "%s%s\n", graceful ? "-" : "", file);
        sd_bus_error_free(&err);
        sd_bus_message_unref(reply);
        return r < 0 ? r : 0;
}

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
        free_strv(u->env);
        u->env = NULL;
        if (r >= 0)
                r = sd_bus_get_property_strv(bus, DEST, path, SERVICE_IFACE, "Environment", &err, &u->env);
        if (r >= 0)
                r = read_env_files(bus, path, u->env_files, sizeof(u->env_files));
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

/* The manager's environment, then the unit's Environment, then its EnvironmentFiles (read here). */
static void set_env(const struct host_conf *h, struct host_master *m, char **manager, const struct bus_unit *u) {
        struct host_env e = { 0 };
        for (char **p = manager; p && *p; p++)
                host_env_put(&e, *p);
        for (char **p = u->env; p && *p; p++)
                host_env_put(&e, *p);
        host_env_files(&e, h->root_fd, u->env_files);
        host_env_strv_free(m->env);
        m->env = host_env_take(&e);
        m->env_from = HOST_ENV_UNIT;
}

static void set_unit(const struct host_conf *h, struct host_master *m, const char *name, const struct bus_unit *u,
                     char **manager) {
        snprintf(m->unit, sizeof(m->unit), "%s", name);
        m->unit_file = u->state;
        m->memory_max = u->memory_max;
        if (u->state != HOST_UNIT_NOT_FOUND && u->state != HOST_UNIT_MASKED && u->state != HOST_UNIT_UNKNOWN)
                set_env(h, m, manager, u);
}

/* The unit whose ExecStart names m's configuration, else the one of its name. */
static void match(sd_bus *bus, const struct host_conf *h, struct host_master *m, const struct names *l,
                  struct bus_unit *u, char **manager) {
        for (size_t k = 0; k < l->n; k++)
                if (read_unit(bus, l->name[k], u) >= 0 && host_exec_names_conf(u->exec, m->path)) {
                        set_unit(h, m, l->name[k], u, manager);
                        return;
                }
        char by_name[HOST_UNIT_MAX];
        host_unit_by_name(m->path, by_name, sizeof(by_name));
        if (by_name[0] && read_unit(bus, by_name, u) < 0) {
                free_strv(u->env);
                *u = (struct bus_unit) { .state = HOST_UNIT_UNKNOWN };
        }
        if (by_name[0])
                set_unit(h, m, by_name, u, manager);
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
        char **manager = NULL;
        sd_bus_error err = SD_BUS_ERROR_NULL;
        if (r >= 0 && sd_bus_get_property_strv(bus, DEST, MANAGER_PATH, MANAGER_IFACE, "Environment", &err,
                                               &manager) < 0)
                manager = NULL;         /* the units' own environment still counts */
        sd_bus_error_free(&err);
        for (size_t i = 0; r >= 0 && i < h->n_masters; i++)
                match(bus, h, &h->masters[i], l, u, manager);
        sd_bus_flush_close_unref(bus);
        free_strv(manager);
        if (u)
                free_strv(u->env);
        free(l);
        free(u);
        return r < 0 ? r : 0;
}
