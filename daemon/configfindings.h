/* The configuration's findings (lib/config's crosscheck over nginx's and php-fpm's own files)
 * handed to the diagnosis, where they fire as alerts before any request fails. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "crosscheck.h"
#include "diag.h"
#include "host.h"

enum { CONFIG_FINDINGS_MAX = 128 };

/* What crosscheck_run() found, kept: items point into texts and into h's configurations (valid
 * while h is). */
struct config_findings {
        struct diag_config_finding items[CONFIG_FINDINGS_MAX];
        char summary[CONFIG_FINDINGS_MAX][CROSSCHECK_SUMMARY_MAX];
        char remedy[CONFIG_FINDINGS_MAX][CROSSCHECK_REMEDY_MAX];
        size_t n;
        size_t merged;                  /* the same cause for the same target again: one finding */
        size_t dropped;                 /* distinct ones found past CONFIG_FINDINGS_MAX */
};

struct config_findings_count {
        size_t placed;                  /* in the diagnosis */
        size_t unwatched;               /* about a pool the diagnosis does not watch */
        size_t dropped;                 /* past CONFIG_FINDINGS_MAX distinct findings */
};

/* Every finding of h into out (out->n of them, in crosscheck's order). */
void config_findings(const struct host_conf *h, struct config_findings *out);

/*
 * Sets h's findings as the diagnosis's whole configuration set (diag_config()): call it after
 * each diag_new() (and diag_adopt()), and after each re-read of the configuration, with now in
 * CLOCK_REALTIME µs. Findings of one cause for one target are one (the first kept). 0 with *count
 * filled, or -ENOMEM.
 */
int config_findings_feed(struct diag *d, const struct host_conf *h, uint64_t now, struct config_findings_count *count);
/* Says (with say, printf-style, one line each) what count leaves out, if anything. */
void config_findings_say(const struct config_findings_count *count, void (*say)(const char *fmt, ...));
