#include "configfindings.h"

#include <errno.h>
#include <stdlib.h>

static void keep(void *userdata, const struct crosscheck_finding *f) {
        struct config_findings *out = userdata;
        if (out->n == CONFIG_FINDINGS_MAX) {
                out->dropped++;
                return;
        }
        size_t i = out->n++;
        snprintf(out->summary[i], sizeof(out->summary[i]), "%s", f->summary);
        snprintf(out->remedy[i], sizeof(out->remedy[i]), "%s", f->remedy);
        out->items[i] = (struct diag_config_finding) {
                .cause = f->cause, .pool = f->pool, .pool_listen = f->listen, .upstream = f->upstream, .file = f->file, .line = f->line,
                .summary = out->summary[i], .remedy = out->remedy[i][0] ? out->remedy[i] : NULL,
        };
}

void config_findings(const struct host_conf *h, struct config_findings *out) {
        out->n = out->dropped = 0;
        crosscheck_run(h, keep, out);
}

long config_findings_feed(struct diag *d, const struct host_conf *h, uint64_t now) {
        struct config_findings *found = malloc(sizeof(*found));
        if (!found)
                return -ENOMEM;
        config_findings(h, found);
        long lost = (long) (diag_config(d, found->items, found->n, now) + found->dropped);
        free(found);
        return lost;
}
