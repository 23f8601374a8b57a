/* badgatewayd check: one round of every probe, socket check and unit read, plus the last minutes
 * of each log, through the daemon's diagnosis; the verdict and a Nagios exit code. */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "classify.h"
#include "clock.h"
#include "configfindings.h"
#include "diag.h"
#include "loadconf.h"
#include "pools.h"
#include "probe.h"
#include "say.h"
#include "scanfile.h"
#include "sockcheck.h"
#include "run.h"
#include "unit.h"
#include "util.h"

struct check {
        bool json;
        const char *config_file;
        const char *since_text;
        struct config *cfg;
        const struct host_conf *host;   /* nginx's and php-fpm's own configuration, or NULL */
        struct diag *diag;
        uint64_t now;
        struct scanfile read;            /* the window (since), and the line counts */
        size_t classified, unreadable;
        size_t config_problems;         /* what nginx's and php-fpm's configuration readers could not read */
        int pool;                       /* of the log being read: -1 for nginx's */
        json_t *alerts;
};

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd check [--config FILE] [--json] [--since TIME]\n"
                "  Probes every pool once, checks its socket and unit, reads the recent part of\n"
                "  each log, and prints the verdict. Exit code: 0 OK, 1 warning, 2 critical, 3 unknown\n"
                "  (also for a bad config or a usage error, the reason on the first line).\n"
                "  --config FILE  read FILE instead of " DEFAULT_CONFIG "\n"
                "  --json         the firing alerts as a JSON array, a summary object last\n"
                "  --since TIME   log lines from TIME on (default 15m): 2026-11-25 13:00, 90s, 2h\n");
}

static int parse_args(struct check *k, int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, 'j' },
                { "since", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        int o;
        while ((o = getopt_long(argc, argv, "c:js:h", opts, NULL)) >= 0) {
                switch (o) {
                case 'c': k->config_file = optarg; break;
                case 'j': k->json = true; break;
                case 's': k->since_text = optarg; break;
                case 'h': usage(stdout); exit(0);
                default: usage(stderr); return -EINVAL;
                }
        }
        struct timestamp t;
        if (optind < argc) {
                usage(stderr);
                return -EINVAL;
        }
        if (timestamp_parse_since(k->since_text, time(NULL), &t) < 0) {
                fprintf(stderr, "badgatewayd check: --since: cannot read '%s' as a time\n", k->since_text);
                return -ERANGE;
        }
        k->read.since = timestamp_key(&t);
        k->read.have_since = true;
        return 0;
}

/* What nginx's and php-fpm's configuration show before any request fails: fired with the
 * rest at the verdict. */
static void feed_config_findings(struct check *k) {
        struct config_findings_count count;
        int r = k->host ? config_findings_feed(k->diag, k->host, k->now, &count) : 0;
        if (r < 0)
                say("configuration findings: %s", strerror(-r));
        else if (k->host)
                config_findings_say(&count, say);
}

static void drive(struct probe *p) {
        while (!probe_done(p)) {
                int64_t left = (int64_t) probe_deadline(p) - (int64_t) clock_monotonic_usec();
                struct pollfd pfd = { probe_fd(p), probe_events(p), 0 };
                int n = left > 0 ? poll(&pfd, 1, (int) ((left + 999) / 1000)) : 0;
                if (n > 0 && probe_step(p) == 0)
                        continue;
                if (n >= 0 && clock_monotonic_usec() >= probe_deadline(p))
                        probe_timeout(p);
        }
}

static void probe_pool(struct check *k, size_t i) {
        const struct pool_config *pc = &k->cfg->pools[i];
        struct probe_options opt = loadconf_probe_options(k->cfg, pc);
        struct probe *p;
        int r = probe_new(&p, &pc->address, &opt);
        if (r == 0 && (r = probe_start(p)) < 0)
                probe_free(p);
        if (r < 0) {
                fprintf(stderr, "badgatewayd: pool %s: cannot probe %s: %s\n", pc->name, pc->listen, strerror(-r));
                return;
        }
        drive(p);
        pools_probe_evidence(k->diag, i, &pc->address, probe_result(p), true, k->now);
        probe_free(p);
}

static void judge_pool_socket(struct check *k, size_t i, const struct sock_identity *who) {
        const char *path = address_unix_path(&k->cfg->pools[i].address);
        static struct sockcheck_result res;
        if (path && who && sockcheck_unix(path, who, &res) == 0)
                diag_socket(k->diag, i, &res, k->now);
}

static void read_unit(struct check *k, size_t i) {
        const struct pool_config *pc = &k->cfg->pools[i];
        struct unit_state st;
        if (!pc->unit[0])
                return;
        int r = unit_read(pc->unit, &st);
        if (r == 0)
                diag_unit(k->diag, i, &st, k->now);
        else if (sd_booted() > 0)       /* without systemd there is nothing to ask: no unit evidence */
                fprintf(stderr, "badgatewayd: %s: cannot ask systemd: %s\n", pc->unit, strerror(-r));
}

static void probe_all(struct check *k) {
        struct sock_identity id;
        bool have_id = k->cfg->nginx_user[0] && sock_identity_from_user(k->cfg->nginx_user, &id) == 0;
        if (!k->cfg->nginx_user[0])
                fprintf(stderr, "badgatewayd: nginx's user is not known (no nginx configuration found): "
                        "socket permissions not checked\n");
        else if (!have_id)
                fprintf(stderr, "badgatewayd: nginx user '%s' unknown: socket permissions not checked\n",
                        k->cfg->nginx_user);
        for (size_t i = 0; i < (size_t) k->cfg->n_pools; i++) {
                judge_pool_socket(k, i, have_id ? &id : NULL);
                read_unit(k, i);
                probe_pool(k, i);
        }
}

static void on_line(void *userdata, const struct scanfile *s, const char *line, size_t len, unsigned flags,
                    const struct logline *ll, const struct event *ev) {
        struct check *k = userdata;
        k->classified++;
        diag_log(k->diag, ev, line, len, k->pool, k->now);
}

static void read_log(struct check *k, const struct log_ref *ref) {
        k->pool = ref->pool;
        k->read.regular_only = true;    /* a FIFO would hang the check, a device never end */
        int r = scanfile_read(&k->read, ref->path, on_line, k);
        if (r < 0) {
                say_file_error(ref->path, &k->read, r);
                k->unreadable++;
        }
}

static void read_logs(struct check *k) {
        struct log_ref logs[CONFIG_MAX_LOGS + CONFIG_MAX_POOLS];
        size_t n = loadconf_logs(k->cfg, logs);
        for (size_t i = 0; i < n; i++)
                read_log(k, &logs[i]);
}

static void ignore(void *userdata, const struct alert *a) {
}

static void print_text(void *userdata, const struct alert *a) {
        printf("\n%s %s %s: %s\n", alert_severity(a), cause_id(a->cause), a->pool[0] ? a->pool : a->upstream,
               a->summary);
        for (int i = 0; i < a->n_remedies; i++)
                printf("  - %s\n", a->remedy[i]);
}

static void add_json(void *userdata, const struct alert *a) {
        struct check *k = userdata;
        json_array_append_new(k->alerts, alert_to_json(a));
}

static const char *health_name(enum diag_health h) {
        static const char *const names[] = { "ok", "warning", "critical", "unknown" };
        return names[h];
}

static void print_json(struct check *k, enum diag_health h, const char *status) {
        k->alerts = json_array();
        diag_each_firing(k->diag, k->now, add_json, k);
        json_array_append_new(k->alerts,
                              json_pack("{s:{s:s,s:s,s:i,s:s,s:i,s:I,s:I,s:I,s:I}}", "summary", "status", status,
                                        "health", health_name(h), "exit", (int) h, "config",
                                        loadconf_source(k->cfg), "pools", k->cfg->n_pools, "lines",
                                        (json_int_t) k->read.lines, "classified", (json_int_t) k->classified,
                                        "before_since", (json_int_t) k->read.old_lines, "unreadable_logs",
                                        (json_int_t) k->unreadable));
        json_object_set_new(json_object_get(json_array_get(k->alerts, json_array_size(k->alerts) - 1), "summary"),
                            "config_problems", json_integer((json_int_t) k->config_problems));
        json_dumpf(k->alerts, stdout, JSON_COMPACT);
        fputs("\n", stdout);
        json_decref(k->alerts);
}

/* A log it could not read, or a configuration file it could not make sense of (nginx or php-fpm
 * will refuse it at their next reload), is a blind spot: "OK: …" from the rest becomes a warning. */
static enum diag_health blind_spots(const struct check *k, enum diag_health h, char *status, size_t size) {
        char rest[400], logs[64] = "", conf[96] = "";   /* leaves room for the rest of the line */
        if ((!k->unreadable && !k->config_problems) || h != DIAG_OK || strncmp(status, "OK: ", 4) != 0)
                return h;
        size_t n = strnlen(status + 4, sizeof(rest) - 1);
        memcpy(rest, status + 4, n);
        rest[n] = '\0';
        if (k->unreadable)
                snprintf(logs, sizeof(logs), "; %zu log%s unreadable", k->unreadable, k->unreadable == 1 ? "" : "s");
        if (k->config_problems)
                snprintf(conf, sizeof(conf), "; %zu problem%s in nginx's or php-fpm's configuration (on stderr)",
                         k->config_problems, k->config_problems == 1 ? "" : "s");
        snprintf(status, size, "WARNING: %s%s%s", rest, logs, conf);
        return DIAG_WARNING;
}

static int verdict(struct check *k) {
        char status[512];
        diag_flush(k->diag, k->now, ignore, NULL);
        diag_status(k->diag, status, sizeof(status));
        enum diag_health h = blind_spots(k, diag_health(k->diag), status, sizeof(status));
        if (k->json) {
                print_json(k, h, status);
        } else {
                printf("%s\n", status);
                diag_each_firing(k->diag, k->now, print_text, k);
        }
        return (int) h;
}

/* A monitoring system reads the first line and an exit code of 0 to 3: whatever keeps check from
 * judging is UNKNOWN, with the reason. */
static int unknown(const struct check *k, const char *why) {
        if (k->json) {
                json_t *all = json_pack("[{s:{s:s+,s:s,s:i}}]", "summary", "status", "UNKNOWN: ", why, "health",
                                        "unknown", "exit", (int) DIAG_UNKNOWN);
                json_dumpf(all, stdout, JSON_COMPACT);
                fputs("\n", stdout);
                json_decref(all);
        } else {
                printf("UNKNOWN: %s\n", why);
        }
        return DIAG_UNKNOWN;
}

int check_main(int argc, char **argv) {
        struct check k = { .since_text = "15m" };
        struct config_error err;
        int r = parse_args(&k, argc, argv);
        if (r < 0)
                return unknown(&k, r == -ERANGE ? "usage error: --since: not a time (badgatewayd check --help)"
                                                : "usage error: an unknown option or argument (badgatewayd check --help)");
        _cleanup_(config_freep) struct config *cfg = k.cfg = calloc(1, sizeof(*cfg));
        if (!cfg)
                return unknown(&k, strerror(ENOMEM));
        if (loadconf(cfg, k.config_file, &err) < 0) {
                fprintf(stderr, "%s\n", err.text);
                return unknown(&k, err.text);
        }
        if (loadconf_new_diag(cfg, true, &k.diag) < 0)
                return unknown(&k, strerror(ENOMEM));
        k.now = clock_realtime_usec();
        k.host = loadconf_host(cfg);
        k.config_problems = loadconf_say_problems(cfg);
        feed_config_findings(&k);
        probe_all(&k);
        read_logs(&k);
        int code = verdict(&k);
        fflush(stdout);
        diag_free(k.diag);
        return code;
}
