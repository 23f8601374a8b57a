#include "configfindings.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool same_text(const char *a, const char *b) {
        return a == b || (a && b && strcmp(a, b) == 0);
}

/* The same cause for the same pool, upstream or nginx: one finding in the diagnosis, whatever
 * the number of lines that show it (200 locations passing to one stale socket). */
static bool known(const struct config_findings *out, const struct crosscheck_finding *f) {
        for (size_t i = 0; i < out->n; i++) {
                const struct diag_config_finding *k = &out->items[i];
                bool same_pool = k->pool_listen && f->listen ? address_same(k->pool_listen, f->listen)
                                                             : same_text(k->pool, f->pool);
                if (k->cause == f->cause && same_pool && same_text(k->upstream, f->upstream))
                        return true;
        }
        return false;
}

static void keep(void *userdata, const struct crosscheck_finding *f) {
        struct config_findings *out = userdata;
        if (known(out, f)) {
                out->merged++;
                return;
        }
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
        out->n = out->dropped = out->merged = 0;
        crosscheck_run(h, keep, out);
}

int config_findings_feed(struct diag *d, const struct host_conf *h, uint64_t now, struct config_findings_count *count) {
        struct config_findings *found = malloc(sizeof(*found));
        *count = (struct config_findings_count) { 0 };
        if (!found)
                return -ENOMEM;
        config_findings(h, found);
        count->placed = found->n;
        count->unwatched = diag_config(d, found->items, found->n, now);
        count->placed -= count->unwatched;
        count->dropped = found->dropped;
        free(found);
        return 0;
}

void config_findings_say(const struct config_findings_count *c, void (*say)(const char *fmt, ...)) {
        if (c->unwatched)
                say("%zu configuration finding%s about pools this configuration does not watch: not shown",
                    c->unwatched, c->unwatched == 1 ? " is" : "s are");
        if (c->dropped)
                say("%zu configuration findings past the first %d are not shown", c->dropped, CONFIG_FINDINGS_MAX);
}
