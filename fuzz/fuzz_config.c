/* badgatewayd.conf from arbitrary bytes: config_parse_string() accepts it whole or refuses it
 * with FILE:LINE and a reason, never crashes, and what it accepts holds together. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "fuzz_check.h"
#include "url.h"             /* the daemon's URL checker (libcurl's parser) */

static void check_accepted(const struct config *c) {
        FUZZ_CHECK(c->n_pools >= 0 && c->n_pools <= CONFIG_MAX_POOLS);
        FUZZ_CHECK(c->n_nginx_logs >= 0 && c->n_nginx_logs <= CONFIG_MAX_LOGS);
        FUZZ_CHECK(memchr(c->nginx_user, '\0', sizeof(c->nginx_user)));
        FUZZ_CHECK(c->probe_interval_usec >= 10000 && c->probe_interval_usec <= 3600000000ULL);
        FUZZ_CHECK(c->probe_timeout_usec >= 1000 && c->probe_timeout_usec <= 600000000ULL);
        FUZZ_CHECK(c->resolve_after_usec >= 1000 && c->resolve_after_usec <= 7 * 86400000000ULL);
        FUZZ_CHECK(c->summary_interval_usec >= 1000 && c->summary_interval_usec <= 7 * 86400000000ULL);
        FUZZ_CHECK(memchr(c->metrics_listen, '\0', sizeof(c->metrics_listen)));
        FUZZ_CHECK(!c->metrics_listen[0] || c->metrics_address.kind == ADDRESS_INET ||
                   c->metrics_address.kind == ADDRESS_INET6 || c->metrics_address.kind == ADDRESS_ANY);
        FUZZ_CHECK(!c->metrics_textfile_dir[0] || c->metrics_textfile_dir[0] == '/');
        const char *urls[] = { c->alertmanager_url, c->webhook_url };
        for (int i = 0; i < 2; i++)
                FUZZ_CHECK(!urls[i][0] || strncmp(urls[i], "http://", 7) == 0 || strncmp(urls[i], "https://", 8) == 0);
        for (int i = 0; i < c->n_pools; i++) {
                const struct pool_config *p = &c->pools[i];
                FUZZ_CHECK(memchr(p->name, '\0', sizeof(p->name)));
                FUZZ_CHECK(memchr(p->listen, '\0', sizeof(p->listen)));
                FUZZ_CHECK(p->address.kind == ADDRESS_UNIX || p->address.kind == ADDRESS_INET ||
                           p->address.kind == ADDRESS_INET6 || p->address.kind == ADDRESS_ANY);
                FUZZ_CHECK(p->line >= 1);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char *text = malloc(size + 1);
        struct config *c = malloc(sizeof(*c));
        struct config_error err;
        FUZZ_CHECK(text && c);
        memcpy(text, data, size);
        text[size] = '\0';
        config_defaults(c);
        config_set_url_check(url_check);
        int r = config_parse_string(c, "fuzz.conf", text, &err);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENOMEM);
        if (r == -EINVAL)
                FUZZ_CHECK(strncmp(err.text, "fuzz.conf", 9) == 0 && memchr(err.text, '\0', sizeof(err.text)));
        if (r == 0)
                check_accepted(c);
        free(c);
        free(text);
        return 0;
}
