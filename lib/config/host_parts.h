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

/* Fills every master's unit, unit_file and memory_max from the unit files under h's root: the
 * php*-fpm*.service units whose ExecStart names its configuration, else the one of its name. */
void host_units_from_files(struct host_conf *h);

/* The same from systemd's manager on the system bus (the host only, when systemd runs):
 * ListUnitFilesByPatterns and ListUnitsByPatterns for php*-fpm*, then each unit's ExecStart,
 * UnitFileState and MemoryMax. 0, or -errno when the manager could not be asked (nothing set). */
int host_units_from_bus(struct host_conf *h);
