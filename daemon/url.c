#include "url.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* The text after "scheme://", or NULL when the scheme is not http or https. */
static const char *after_scheme(const char *url) {
        if (strncmp(url, "http://", 7) == 0)
                return url + 7;
        if (strncmp(url, "https://", 8) == 0)
                return url + 8;
        return NULL;
}

static bool clean(const char *s) {
        for (const unsigned char *c = (const unsigned char *) s; *c; c++)
                if (*c <= ' ' || *c == 0x7f)
                        return false;
        return true;
}

/* curl takes "http://host:" as no port at all; a port left out by mistake is refused here. */
static const char *port_problem(CURLU *u, const char *authority) {
        char *port = NULL;
        CURLUcode r = curl_url_get(u, CURLUPART_PORT, &port, 0);
        const char *why = NULL;
        if (r == CURLUE_NO_PORT) {
                size_t len = strcspn(authority, "/?#");
                if (len > 0 && authority[len - 1] == ':')
                        why = "a ':' with no port number after it";
        } else if (r != CURLUE_OK)
                why = curl_url_strerror(r);
        else if (strcmp(port, "0") == 0)
                why = "port 0";
        curl_free(port);
        return why;
}

static const char *parsed_problem(CURLU *u, const char *url, const char *authority) {
        CURLUcode r = curl_url_set(u, CURLUPART_URL, url, 0);
        if (r != CURLUE_OK)
                return curl_url_strerror(r);
        char *host = NULL;
        r = curl_url_get(u, CURLUPART_HOST, &host, 0);
        bool has_host = r == CURLUE_OK && host[0];
        curl_free(host);
        if (!has_host)
                return "no host";
        return port_problem(u, authority);
}

static const char *url_problem(const char *url) {
        const char *authority = after_scheme(url);
        if (!authority)
                return "not http:// or https://";
        if (!clean(url))
                return "a space or control byte";
        if (!*authority || *authority == '/')
                return "no host";
        CURLU *u = curl_url();
        if (!u)
                return "out of memory";
        const char *why = parsed_problem(u, url, authority);
        curl_url_cleanup(u);
        return why;
}

int url_check(const char *url, const char **why) {
        *why = url_problem(url);
        return *why ? -EINVAL : 0;
}
