#pragma once
#include <stddef.h>

/*
 * Whether url is what the push targets can POST to, checked with libcurl's URL parser
 * (curl_url_set(), as curl will read it at run time): scheme http:// or https:// (lowercase),
 * a host, a port 1 to 65535 if one is given ("host:" with no digits is refused), no spaces or
 * control bytes. 0 if it is, else -EINVAL with *why saying why not as a short English phrase
 * (static text). A config_url_check_fn (config.h), in badgatewayd-net.so (net.h).
 */
int url_check(const char *url, const char **why);
