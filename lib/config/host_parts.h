/*
 * The parts host_conf_load() is made of (host.c): what nginx was built with (host_nginx.c), and
 * the systemd unit of each php-fpm master, from unit files under the root (host_units.c) or from
 * the manager over D-Bus (host_bus.c). Declared here for host.c and the tests only.
 */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host.h"

/* What `nginx -V` says of its build; "" for what it does not say. */
struct host_nginx_build {
        char conf_path[PATH_MAX];       /* --conf-path= */
        char prefix[PATH_MAX];          /* --prefix=, without a trailing '/' */
        char user[64];                  /* --user= */
};

enum { HOST_NGINX_V_TIMEOUT_MS = 2000, HOST_NGINX_V_OUTPUT_MAX = 64 << 10 };

/* Reads `nginx -V`'s text (its "configure arguments:" line) into *b. Pure. */
void host_nginx_build_parse(const char *text, struct host_nginx_build *b);

/* Runs the host's nginx -V (the first nginx found in /usr/sbin, /usr/local/sbin,
 * /usr/local/nginx/sbin, /usr/bin, /sbin), its stdout and stderr through a pipe, at most
 * timeout_ms milliseconds (it is killed past that), and parses what it printed. 0 with *b filled,
 * -ENOENT when no nginx is installed, -ETIMEDOUT, or -errno of posix_spawn(3), pipe(2) or read(2). */
int host_nginx_build_read(struct host_nginx_build *b, int timeout_ms);

/* A MemoryMax= value in bytes: "512M", "2G", "1073741824", "50%" of ram_bytes (K, M, G, T are
 * powers of 1024, as systemd reads them). 0 for "infinity", "" (reset) or a percentage when
 * ram_bytes is 0 (unknown); -EINVAL for anything else (*bytes untouched). */
int host_memory_parse(const char *value, uint64_t ram_bytes, uint64_t *bytes);

/* Whether an ExecStart= command line (as written, or argv joined by spaces) runs php-fpm with
 * conf as its configuration: --fpm-config X, --fpm-config=X, -y X or -yX. */
bool host_exec_names_conf(const char *command, const char *conf);

/* The unit systemd would know for a master found by name only: "php8.2-fpm.service" for
 * /etc/php/8.2/fpm/php-fpm.conf, place->unit for the other places; "" when none. */
void host_unit_by_name(const char *conf_path, char *unit, size_t size);

/* Fills every master's unit, unit_file, memory_max and env (env_from HOST_ENV_UNIT) from the unit
 * files under h's root: the php*-fpm*.service units whose ExecStart names its configuration, else
 * the one of its name. */
void host_units_from_files(struct host_conf *h);

/* The same from systemd's manager on the system bus (the host only, when systemd runs):
 * ListUnitFilesByPatterns and ListUnitsByPatterns for php*-fpm*, then each unit's ExecStart,
 * UnitFileState, MemoryMax, Environment and EnvironmentFiles (the files read on the host), over the
 * manager's Environment. 0, or -errno when the manager could not be asked (nothing set). */
int host_units_from_bus(struct host_conf *h);

/* An environment being built (host_env.c): "NAME=value" strings, malloc'd, NULL-terminated. */
struct host_env {
        char **v;
        size_t n, cap;
};

/* Sets NAME to value (replacing it). 0, -EINVAL for an invalid name, -ENOMEM or -E2BIG. */
int host_env_set(struct host_env *e, const char *name, size_t name_len, const char *value, size_t value_len);
/* "NAME=value". */
int host_env_put(struct host_env *e, const char *assignment);
void host_env_clear(struct host_env *e);
/* The array (never NULL but on ENOMEM), e left empty; free with host_env_strv_free(). */
char **host_env_take(struct host_env *e);
void host_env_strv_free(char **v);
/* An Environment= value, with systemd's quoting: each NAME=value word is set. */
void host_env_assignments(struct host_env *e, const char *text);
/* An EnvironmentFile's text, as systemd reads one. */
void host_env_file_text(struct host_env *e, const char *text);
/* The same from a file under the root: 0 or -errno (nothing set). */
int host_env_file(struct host_env *e, int root_fd, const char *path);
/* EnvironmentFile= paths, one a line ("-" before one allowed), each read in order. */
void host_env_files(struct host_env *e, int root_fd, const char *lines);

/* The memory_limit of the php.ini m's PHP reads (host_php_ini.c), into m's php_ini, php_ini_scan
 * and memory_limit; m->env gives PHPRC and PHP_INI_SCAN_DIR. */
void host_php_ini(const struct host_conf *h, struct host_master *m);
/* One php.ini's text: its last memory_limit outside [HOST=…] and [PATH=…] sections into *v (file
 * names it). Pure. */
void host_php_ini_text(const char *file, const char *text, struct host_php_ini_value *v);
