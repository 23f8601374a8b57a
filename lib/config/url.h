#pragma once
#include <stddef.h>

/*
 * Whether url is what the push targets can POST to, checked with libcurl's URL parser
 * (curl_url_set(), as curl will read it at run time): scheme http:// or https:// (lowercase),
 * a host, a port 1 to 65535 if one is given ("host:" with no digits is refused), no spaces or
 * control bytes. NULL if it is, else why not as a short English phrase (static text).
 */
const char *url_problem(const char *url);
