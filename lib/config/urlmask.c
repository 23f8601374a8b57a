#include "urlmask.h"

#include <string.h>

struct out {
        char *p;
        size_t size, n;
};

static void put(struct out *o, const char *s, size_t len) {
        while (len-- && o->n + 1 < o->size)
                o->p[o->n++] = *s++;
}

static const char MASK[] = "***";

/* "k=v&flag" → "k=***&***": names kept, values masked. */
static void put_query(struct out *o, const char *q, size_t len) {
        for (size_t i = 0; i <= len;) {
                size_t part = strcspn(q + i, "&;");
                if (i + part > len)
                        part = len - i;
                const char *eq = memchr(q + i, '=', part);
                if (eq)
                        put(o, q + i, (size_t) (eq - (q + i)) + 1);
                if (part > (eq ? (size_t) (eq - (q + i)) + 1 : 0))
                        put(o, MASK, strlen(MASK));
                i += part;
                if (i < len)
                        put(o, q + i, 1);      /* the separator */
                i++;
        }
}

char *url_mask(const char *url, char *out, size_t size) {
        struct out o = { out, size, 0 };
        size_t query = strcspn(url, "?#");
        const char *sep = strstr(url, "://");
        size_t start = sep && (size_t) (sep - url) < query ? (size_t) (sep - url) + 3 : 0, at = start;
        for (size_t i = start; i < query; i++)
                if (url[i] == '@')
                        at = i;
        const char *colon = at > start ? memchr(url + start, ':', at - start) : NULL;
        if (colon) {
                put(&o, url, (size_t) (colon - url) + 1);
                put(&o, MASK, strlen(MASK));
                put(&o, url + at, query - at);
        } else
                put(&o, url, query);
        if (url[query] == '?') {
                size_t len = strcspn(url + query + 1, "#");
                put(&o, "?", 1);
                put_query(&o, url + query + 1, len);
                query += len + 1;
        }
        if (url[query] == '#' && url[query + 1]) {
                put(&o, "#", 1);
                put(&o, MASK, strlen(MASK));
        } else
                put(&o, url + query, strlen(url + query));
        if (size)
                out[o.n] = '\0';
        return out;
}
