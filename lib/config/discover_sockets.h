/* A stock Debian/Ubuntu host without a config file: pools from the sockets php-fpm made. Pure:
 * the caller lists the directory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

#define DISCOVER_RUN_DIR "/run/php"
#define DISCOVER_NGINX_LOG "/var/log/nginx/error.log"

/* "php8.2-fpm.sock" → "8.2": a version of digits and dots. Debian's alternatives link
 * "php-fpm.sock" has none and is skipped, as it names one of the others. */
bool discover_version(const char *name, char *version, size_t size);

/* config_defaults(), nginx's default error log, and one pool per fitting name, in version order:
 * pool "php8.2-fpm" listening at dir/php8.2-fpm.sock, Unit=php8.2-fpm.service,
 * Log=/var/log/php8.2-fpm.log; a name whose path would not fit a unix socket address (dir
 * relative or over ADDRESS_PATH_MAX bytes in all) is skipped. Returns the number of pools (0 if none fit), or -E2BIG when more
 * than CONFIG_MAX_POOLS fit (the first ones are kept). */
int discover_config(struct config *c, const char *dir, const char *const *names, size_t n);
