/* badgatewayd check: one round of every probe (all pools' at once), socket check and unit read,
 * plus the last minutes of each log, through the daemon's diagnosis; the verdict as a Nagios/Icinga
 * plugin prints it (the plugin guidelines: "BADGATEWAY STATE - text | perfdata", exit 0 to 3). */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify.h"
#include "clock.h"
#include "configfindings.h"
#include "crosscheck.h"
#include "diag.h"
#include "jsonstr.h"
#include "loadconf.h"
#include "pools.h"
#include "probe.h"
#include "say.h"
#include "scanfile.h"
#include "sockcheck.h"
#include "run.h"
#include "unit.h"
#include "util.h"

/* One pool's probe, for the perfdata. */
struct pool_probe {
        struct probe *probe;            /* NULL: not probed (it could not even start) */
        uint64_t started, elapsed;      /* CLOCK_MONOTONIC µs */
        bool done;
};

enum {
        CHECK_DEFAULT_TIMEOUT = 10,     /* seconds, as monitoring-plugins' own checks */
        CHECK_MAX_TIMEOUT = 86400,
};

enum { CHECK_UNREADABLE_SAID = 4 };

/* A log the check could not read: said in the plugin's output, not only on stderr (which Nagios
 * and Icinga drop). */
struct unreadable_log {
        char path[512];
        char why[96];           /* "No such file or directory", "not a regular file"… */
};

struct check {
        bool json;
        const char *config_file;
        const char *since_text;
        unsigned timeout;               /* -t: seconds for the whole check */
        uint64_t deadline;              /* CLOCK_MONOTONIC µs by which it gives up */
        struct pool_probe probes[CONFIG_MAX_POOLS];
        struct config *cfg;
        const struct host_conf *host;   /* nginx's and php-fpm's own configuration, or NULL */
        struct diag *diag;
        uint64_t now;
        struct scanfile read;            /* the window (since), and the line counts */
        time_t since_secs;              /* the window's start, for the rotated logs' mtime */
        size_t classified, unreadable;
        struct unreadable_log unread[CHECK_UNREADABLE_SAID];   /* the first ones, for the output */
        size_t config_problems;         /* what nginx's and php-fpm's configuration readers could not read */
        const struct log_ref *log;      /* the log being read */
        json_t *alerts;
};

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd check [--config FILE] [--json] [--since TIME] [--timeout SECONDS]\n"
                "  Probes every pool once (all at once), checks its socket and unit, reads the recent\n"
                "  part of each log, and prints the verdict as a Nagios/Icinga plugin does:\n"
                "  'BADGATEWAY OK - 1 of 1 pool healthy | perfdata', then the details. Exit code: 0 OK,\n"
                "  1 warning, 2 critical, 3 unknown (also for a bad config, no pool, a usage error or\n"
                "  the timeout: one line, 'BADGATEWAY UNKNOWN - why').\n"
                "  -c, --config FILE      read FILE instead of " DEFAULT_CONFIG "\n"
                "  -j, --json             the firing alerts as a JSON array, a summary object last\n"
                "  -s, --since TIME       log lines from TIME on (default 15m): 2026-11-25 13:00, 90s, 2h\n"
                "  -t, --timeout SECONDS  give up after SECONDS, UNKNOWN (default %d)\n"
                "  -V, --version          print the version\n"
                "  -h, --help             this text\n",
                CHECK_DEFAULT_TIMEOUT);
}

/* Why parse_args() refused, for the UNKNOWN line. */
enum usage_error {
        USAGE_OPTION = 1,
        USAGE_SINCE,
        USAGE_TIMEOUT,
        USAGE_NO_VALUE,         /* an option that takes a value came last, without one */
};

static bool parse_seconds(const char *text, unsigned *out) {
        char *end;
        errno = 0;
        long v = strtol(text, &end, 10);
        if (errno || end == text || *end || v < 1 || v > CHECK_MAX_TIMEOUT)
                return false;
        *out = (unsigned) v;
        return true;
}

static int parse_args(struct check *k, int argc, char **argv) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "json", no_argument, NULL, 'j' },
                { "since", required_argument, NULL, 's' },
                { "timeout", required_argument, NULL, 't' },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        int o;
        while ((o = getopt_long(argc, argv, ":c:js:t:Vh", opts, NULL)) >= 0) {
                switch (o) {
                case 'c': k->config_file = optarg; break;
                case 'j': k->json = true; break;
                case 's': k->since_text = optarg; break;
                case 't':
                        if (!parse_seconds(optarg, &k->timeout)) {
                                fprintf(stderr, "badgatewayd check: --timeout: '%s' is not a number of seconds "
                                        "from 1 to %d\n", optarg, CHECK_MAX_TIMEOUT);
                                return USAGE_TIMEOUT;
                        }
                        break;
                case 'V': printf("badgatewayd %s\n", BADGATEWAYD_VERSION); exit(0);
                case 'h': usage(stdout); exit(0);
                case ':': usage(stderr); return USAGE_NO_VALUE;
                default: usage(stderr); return USAGE_OPTION;
                }
        }
        struct timestamp t;
        if (optind < argc) {
                fprintf(stderr, "badgatewayd check: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return USAGE_OPTION;
        }
        if (timestamp_parse_since(k->since_text, time(NULL), &t) < 0) {
                fprintf(stderr, "badgatewayd check: --since: cannot read '%s' as a time\n", k->since_text);
                return USAGE_SINCE;
        }
        k->read.since = timestamp_key(&t);
        k->since_secs = (time_t) (timestamp_usec(&t) / 1000000);
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
        diag_set_passes_known(k->diag, k->host && crosscheck_passes_known(k->host));
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

/* Starts pool i's probe; NULL when it cannot even start (said on stderr). */
static void start_probe(struct check *k, size_t i) {
        const struct pool_config *pc = &k->cfg->pools[i];
        struct probe_options opt = loadconf_probe_options(k->cfg, pc);
        struct pool_probe *pp = &k->probes[i];
        int r = probe_new(&pp->probe, &pc->address, &opt);
        if (r == 0) {
                pp->started = clock_monotonic_usec();
                if ((r = probe_start(pp->probe)) < 0)
                        pp->probe = probe_free(pp->probe);
        }
        if (r < 0) {
                pp->probe = NULL;
                fprintf(stderr, "badgatewayd: pool %s: cannot probe %s: %s\n", pc->name, pc->listen, strerror(-r));
        }
}

/* After a poll: the probes that are done now, and when. */
static void note_done(struct check *k, uint64_t now) {
        for (size_t i = 0; i < (size_t) k->cfg->n_pools; i++) {
                struct pool_probe *pp = &k->probes[i];
                if (pp->probe && !pp->done && probe_done(pp->probe)) {
                        pp->done = true;
                        pp->elapsed = now - pp->started;
                }
        }
}

/* Every pool's probe at once, in one poll loop: the worst case is one ProbeTimeout, not one per
 * pool. -ETIME when the check's own deadline (-t) comes first, -errno when poll() fails. */
static int run_probes(struct check *k) {
        size_t n = (size_t) k->cfg->n_pools;
        for (size_t i = 0; i < n; i++)
                start_probe(k, i);
        note_done(k, clock_monotonic_usec());
        for (;;) {
                struct pollfd pfd[CONFIG_MAX_POOLS];
                struct probe *who[CONFIG_MAX_POOLS];
                size_t m = 0;
                uint64_t next = k->deadline, now;
                for (size_t i = 0; i < n; i++) {
                        struct probe *p = k->probes[i].probe;
                        if (!p || k->probes[i].done)
                                continue;
                        pfd[m] = (struct pollfd) { probe_fd(p), probe_events(p), 0 };
                        who[m++] = p;
                        if (probe_deadline(p) < next)
                                next = probe_deadline(p);
                }
                if (m == 0)
                        return 0;
                now = clock_monotonic_usec();
                if (now >= k->deadline)
                        return -ETIME;
                int64_t left = next > now ? (int64_t) (next - now) : 0;
                int ready = poll(pfd, m, (int) ((left + 999) / 1000));
                if (ready < 0 && errno != EINTR)
                        return -errno;
                for (size_t j = 0; ready > 0 && j < m; j++)
                        if (pfd[j].revents)
                                (void) probe_step(who[j]);      /* an error: the probe waits for its deadline */
                now = clock_monotonic_usec();
                for (size_t j = 0; j < m; j++)
                        if (!probe_done(who[j]) && now >= probe_deadline(who[j]))
                                probe_timeout(who[j]);
                note_done(k, now);
        }
}

static void free_probes(struct check *k) {
        for (size_t i = 0; i < CONFIG_MAX_POOLS; i++)
                k->probes[i].probe = probe_free(k->probes[i].probe);
}

static int probe_all(struct check *k) {
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
        }
        int r = run_probes(k);
        if (r < 0)
                return r;
        for (size_t i = 0; i < (size_t) k->cfg->n_pools; i++)
                if (k->probes[i].probe)
                        pools_probe_evidence(k->diag, i, &k->cfg->pools[i].address,
                                             probe_result(k->probes[i].probe), true, k->now);
        return 0;
}

static void on_line(void *userdata, const struct scanfile *s, const char *line, size_t len, unsigned flags,
                    const struct logline *ll, const struct event *ev) {
        struct check *k = userdata;
        struct timestamp ts;
        int pools[CONFIG_MAX_POOLS];
        size_t n = loadconf_line_pools(k->log, ev, pools);
        k->classified++;
        /* the window's lines are minutes old: a pool that answers now answered after them */
        diag_set_written(k->diag, logline_parse_time(ll, &ts) ? timestamp_usec(&ts) : 0);
        for (size_t i = 0; i < n; i++)
                diag_log(k->diag, ev, line, len, pools[i], k->now);
}

static void note_unreadable(struct check *k, const char *path, int r) {
        if (k->unreadable < CHECK_UNREADABLE_SAID) {
                struct unreadable_log *u = &k->unread[k->unreadable];
                snprintf(u->path, sizeof(u->path), "%s", path);
                if (!k->read.opened && r == -EINVAL)
                        snprintf(u->why, sizeof(u->why), "not a regular file");
                else if (!k->read.opened)
                        snprintf(u->why, sizeof(u->why), "%s", strerror(-r));
                else
                        snprintf(u->why, sizeof(u->why), "read error after line %zu: %s", k->read.file_lines,
                                 strerror(-r));
        }
        k->unreadable++;
}

static void read_rotated_one(struct check *k, const char *old) {
        struct stat st;
        if (stat(old, &st) < 0 || !S_ISREG(st.st_mode) || st.st_mtime < k->since_secs)
                return;
        int r = scanfile_read(&k->read, old, on_line, k);
        if (r < 0) {
                say_file_error(old, &k->read, r);
                note_unreadable(k, old, r);
        }
}

/* The rotated copies of a log changed inside the window, oldest first: logrotate's dateext names
 * (LOG-20261129, LOG-20261129.gz: glob(3) sorts them by date), then its numbered ones (.2.gz,
 * .1.gz, .1). Their lines from since on count as the log's own; one that is missing or older is
 * skipped without a word. */
static void read_rotated(struct check *k, const char *path) {
        static const char *const suffixes[] = { ".2.gz", ".1.gz", ".1" };
        char old[PATH_MAX + 8];
        glob_t dated = { 0 };
        size_t at = 0;
        for (const char *c = path; *c && at + 2 < sizeof(old) - 16; c++) {
                if (strchr("*?[\\", *c))
                        old[at++] = '\\';     /* the log's own name, not a pattern */
                old[at++] = *c;
        }
        snprintf(old + at, sizeof(old) - at, "-[0-9][0-9]*");
        if (glob(old, 0, NULL, &dated) == 0)
                for (size_t i = 0; i < dated.gl_pathc; i++)
                        read_rotated_one(k, dated.gl_pathv[i]);
        globfree(&dated);
        for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
                snprintf(old, sizeof(old), "%s%s", path, suffixes[i]);
                read_rotated_one(k, old);
        }
}

static void read_log(struct check *k, const struct log_ref *ref) {
        k->log = ref;
        k->read.regular_only = true;    /* a FIFO would hang the check, a device never end */
        read_rotated(k, ref->path);
        int r = scanfile_read(&k->read, ref->path, on_line, k);
        if (r < 0) {
                say_file_error(ref->path, &k->read, r);
                note_unreadable(k, ref->path, r);
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

/* Plugin output has no escapes: a '|' starts perfdata, on the first line and on any later one
 * (remedies hold shell pipes). Text shows it as U+00A6 BROKEN BAR; a line break inside one piece
 * of text becomes a space. */
static void put_text(const char *s) {
        for (size_t len; *s; s += len) {
                len = utf8_seq((const unsigned char *) s, strlen(s));
                if (len == 0)           /* not UTF-8 (an upstream's address from a log line) */
                        printf("\\x%02x", (unsigned char) *s++);
                else if (*s == '|')
                        fputs("\xc2\xa6", stdout);
                else if (len == 1)
                        putchar(*s == '\n' || *s == '\r' ? ' ' : *s);
                else
                        fwrite(s, 1, len, stdout);
        }
}

/* The alerts of one severity: printed worst first, as the first line names the worst. */
struct severity_pass {
        const char *severity;
};

static void print_text(void *userdata, const struct alert *a) {
        const struct severity_pass *pass = userdata;
        const char *severity = a->past ? "warning" : alert_severity(a);     /* history: a warning */
        if (strcmp(severity, pass->severity) != 0)
                return;
        printf("\n%s %s ", severity, cause_id(a->cause));
        put_text(a->pool[0] ? a->pool : a->upstream);
        fputs(": ", stdout);
        put_text(a->summary);
        putchar('\n');
        for (int i = 0; i < a->n_remedies; i++) {
                fputs("  - ", stdout);
                put_text(a->remedy[i]);
                putchar('\n');
        }
}

/* A pool's name as a perfdata label (the plugin guidelines: no ' or =): that, and what a label
 * should not hold (blanks, '|', control bytes, bytes of no UTF-8 character, as a name read from
 * php-fpm's configuration may), becomes '_'; printable UTF-8 stays. out has size bytes. */
static void label_of(const char *name, char *out, size_t size) {
        size_t n = strlen(name), k = 0;
        for (size_t i = 0, len; i < n && k + 5 < size; i += len) {
                const unsigned char *b = (const unsigned char *) name + i;
                len = utf8_seq(b, n - i);
                bool odd = !len || b[0] <= ' ' || b[0] == 0x7f || (b[0] == 0xc2 && b[1] < 0xa0) || strchr("'=|", b[0]);
                len = len ? len : 1;
                if (odd)
                        out[k++] = '_';
                else
                        memcpy(out + k, b, len), k += len;
        }
        out[k] = '\0';
}

enum { LABEL_MAX = CONFIG_NAME_MAX * 4 + 8 };

/* Two names that make the same label once their odd characters are '_' ("a b", "a|b"). */
static bool same_label(const char *a, const char *b) {
        char la[LABEL_MAX], lb[LABEL_MAX];
        label_of(a, la, sizeof(la));
        label_of(b, lb, sizeof(lb));
        return strcmp(la, lb) == 0;
}

/* ' NAME_SUFFIX=': quoted always, as Icinga's guidelines ask; the nth (from 2) pool of one label
 * gets _n, so that no two labels are one (graphers keep one series per label). */
static void put_label(const char *name, unsigned nth, const char *suffix) {
        char label[LABEL_MAX];
        label_of(name, label, sizeof(label));
        printf(" '%s", label);
        if (nth > 1)
                printf("_%u", nth);
        printf("_%s'=", suffix);
}

/* 1 for the first pool of its label, 2 for the next one… */
static unsigned label_nth(const struct config *c, size_t i) {
        unsigned n = 1;
        for (size_t j = 0; j < i; j++)
                n += same_label(c->pools[j].name, c->pools[i].name);
        return n;
}

static void add_lines(void *userdata, const struct alert *a) {
        uint64_t *lines = userdata;
        lines[a->cause] += a->evidence.lines;
}

/*
 * After the '|': per pool, POOL_probe (the probe's time in seconds, timed out ones too) and
 * POOL_up (1 when it answered as FastCGI should), U when it could not be probed; per firing cause
 * with log lines in the window, CAUSE_lines (all its targets'). A plain number, not 'c': a count
 * over a sliding window is no continuous counter, and RRD graphers would plot its rate.
 */
static void print_perfdata(struct check *k) {
        uint64_t lines[CAUSE__MAX] = { 0 };
        fputs(" |", stdout);
        for (size_t i = 0; i < (size_t) k->cfg->n_pools; i++) {
                const struct pool_probe *pp = &k->probes[i];
                const char *name = k->cfg->pools[i].name;
                unsigned nth = label_nth(k->cfg, i);
                put_label(name, nth, "probe");
                if (pp->done)
                        printf("%" PRIu64 ".%06" PRIu64 "s;;;0", pp->elapsed / 1000000, pp->elapsed % 1000000);
                else
                        fputs("U", stdout);
                put_label(name, nth, "up");
                if (pp->done && probe_result(pp->probe)->outcome == PROBE_PERMISSION)
                        fputs("U", stdout);     /* not allowed to ask: up or down is not known */
                else if (pp->done)
                        printf("%d;;;0;1", probe_result(pp->probe)->outcome == PROBE_OK);
                else
                        fputs("U", stdout);
        }
        diag_each_firing(k->diag, k->now, add_lines, lines);
        for (unsigned c = 1; c < CAUSE__MAX; c++)
                if (lines[c]) {
                        put_label(cause_id((enum cause) c), 1, "lines");
                        printf("%" PRIu64 ";;;0", lines[c]);
                }
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
                              json_pack("{s:{s:o,s:s,s:i,s:o,s:i,s:I,s:I,s:I,s:I}}", "summary", "status",
                                        json_bytes(status, strlen(status)), "health", health_name(h), "exit", (int) h,
                                        "config", json_bytes(loadconf_source(k->cfg), strlen(loadconf_source(k->cfg))), "pools", k->cfg->n_pools, "lines",
                                        (json_int_t) k->read.lines, "classified", (json_int_t) k->classified,
                                        "before_since", (json_int_t) k->read.old_lines, "unreadable_logs",
                                        (json_int_t) k->unreadable));
        json_t *summary = json_object_get(json_array_get(k->alerts, json_array_size(k->alerts) - 1), "summary");
        json_object_set_new(summary, "config_problems", json_integer((json_int_t) k->config_problems));
        json_t *unread = json_array();
        for (size_t i = 0; i < k->unreadable && i < CHECK_UNREADABLE_SAID; i++)
                json_array_append_new(unread, json_pack("{s:o,s:s}", "path",        /* any bytes: json_bytes() */
                                                        json_bytes(k->unread[i].path, strlen(k->unread[i].path)),
                                                        "error", k->unread[i].why));
        json_object_set_new(summary, "unreadable", unread);
        json_dumpf(k->alerts, stdout, JSON_COMPACT);
        fputs("\n", stdout);
        json_decref(k->alerts);
}

/* A log it could not read, or a configuration file it could not make sense of (nginx or php-fpm
 * will refuse it at their next reload), is a blind spot: "OK: …" from the rest becomes a warning. */
static enum diag_health blind_spots(const struct check *k, enum diag_health h, char *status, size_t size) {
        char rest[400], logs[700] = "", conf[96] = "";  /* leaves room for the rest of the line */
        if ((!k->unreadable && !k->config_problems) || h != DIAG_OK || strncmp(status, "OK: ", 4) != 0)
                return h;
        size_t n = strnlen(status + 4, sizeof(rest) - 1);
        memcpy(rest, status + 4, n);
        rest[n] = '\0';
        if (k->unreadable)      /* the first one by name; all of them in the lines after */
                snprintf(logs, sizeof(logs), "; %zu log%s unreadable: %s (%s)%s", k->unreadable,
                         k->unreadable == 1 ? "" : "s", k->unread[0].path, k->unread[0].why,
                         k->unreadable > 1 ? " and more" : "");
        if (k->config_problems)
                snprintf(conf, sizeof(conf), "; %zu problem%s in nginx's or php-fpm's configuration (on stderr)",
                         k->config_problems, k->config_problems == 1 ? "" : "s");
        snprintf(status, size, "WARNING: %s%s%s", rest, logs, conf);
        return DIAG_WARNING;
}

static const char *const status_words[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* diag_status()'s line without its own word ("OK: ", "WARNING: ", "FIRING "). */
static const char *status_text(const char *status) {
        static const char *const words[] = { "OK: ", "WARNING: ", "FIRING ", "UNKNOWN: " };
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
                if (strncmp(status, words[i], strlen(words[i])) == 0)
                        return status + strlen(words[i]);
        return status;
}

/* What the alarm writes when the check's deadline comes: made beforehand, a handler may only
 * write(). */
static char alarm_text[256];
static size_t alarm_len;

static void on_alarm(int sig) {
        ssize_t n = write(STDOUT_FILENO, alarm_text, alarm_len);
        (void) sig;
        (void) n;
        _exit(DIAG_UNKNOWN);
}

/* From here on the verdict is printed: the alarm may not add a line to it. */
static void hold_alarm(void) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGALRM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        alarm(0);
}

static json_t *unknown_json(const char *why) {
        char status[1024];
        snprintf(status, sizeof(status), "UNKNOWN: %s", why);   /* why may name a path: any bytes */
        return json_pack("[{s:{s:o,s:s,s:i}}]", "summary", "status", json_bytes(status, strlen(status)), "health",
                         "unknown", "exit", (int) DIAG_UNKNOWN);
}

static void timeout_why(const struct check *k, char *why, size_t size) {
        snprintf(why, size, "timed out after %u s", k->timeout);
}

/* -t: the whole check's deadline. The probes' poll loop stops there; whatever else blocks (a
 * huge log, systemd that does not answer) is cut by SIGALRM. Either way: UNKNOWN, exit 3. */
static void arm_timeout(struct check *k) {
        char why[64];
        timeout_why(k, why, sizeof(why));
        if (k->json) {
                json_t *all = unknown_json(why);
                char *text = all ? json_dumps(all, JSON_COMPACT) : NULL;
                snprintf(alarm_text, sizeof(alarm_text), "%s\n", text ? text : "");
                free(text);
                json_decref(all);
        } else {
                snprintf(alarm_text, sizeof(alarm_text), "BADGATEWAY UNKNOWN - %s\n", why);
        }
        alarm_len = strlen(alarm_text);
        struct sigaction sa = { .sa_handler = on_alarm };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, NULL);
        k->deadline = clock_monotonic_usec() + (uint64_t) k->timeout * 1000000;
        alarm(k->timeout);
}

/* The long output's lines for the logs it could not read: every one of them, by name. */
static void print_unreadable(const struct check *k) {
        for (size_t i = 0; i < k->unreadable && i < CHECK_UNREADABLE_SAID; i++) {
                fputs(i ? "" : "\n", stdout);
                fputs("unreadable log: ", stdout);
                put_text(k->unread[i].path);
                fputs(": ", stdout);
                put_text(k->unread[i].why);
                putchar('\n');
        }
        if (k->unreadable > CHECK_UNREADABLE_SAID)
                printf("unreadable logs: %zu more (on stderr)\n", k->unreadable - CHECK_UNREADABLE_SAID);
}

/* A pool whose probe this process itself may not make (EACCES on its socket: the check runs as
 * a user without the socket's group, as NRPE without sudo does): its state is unknown, which is
 * not the pool being down. Says who the check runs as and whose the socket is; false if no pool
 * is so. */
static bool blind_words(const struct check *k, char *buf, size_t size) {
        for (size_t i = 0; i < (size_t) k->cfg->n_pools; i++) {
                const struct pool_probe *pp = &k->probes[i];
                const char *path = address_unix_path(&k->cfg->pools[i].address);
                struct stat st;
                if (!pp->done || probe_result(pp->probe)->outcome != PROBE_PERMISSION)
                        continue;
                const struct passwd *me = getpwuid(geteuid());
                char me_name[64], owner[64] = "?", group[64] = "?";
                snprintf(me_name, sizeof(me_name), "%s", me ? me->pw_name : "?");
                if (!path || stat(path, &st) < 0) {
                        snprintf(buf, size, "pool %s: this check (user %s) may not connect to %s; its state is unknown",
                                 k->cfg->pools[i].name, me_name, k->cfg->pools[i].listen);
                        return true;
                }
                const struct passwd *pw = getpwuid(st.st_uid);
                const struct group *gr = getgrgid(st.st_gid);
                snprintf(owner, sizeof(owner), "%s", pw ? pw->pw_name : "?");
                snprintf(group, sizeof(group), "%s", gr ? gr->gr_name : "?");
                snprintf(buf, size, "pool %s: this check (user %s) may not connect to %s (%s:%s mode %04o), so the "
                         "pool's state is unknown; run the check as root or as a member of group %s",
                         k->cfg->pools[i].name, me_name, path, owner, group, (unsigned) (st.st_mode & 07777), group);
                return true;
        }
        return false;
}

/* A pool the check may not probe makes the verdict UNKNOWN, unless the log shows nginx failing
 * recently (a critical finding stands): the check's own lack of permission is not an outage. */
static enum diag_health blind_pool(const struct check *k, enum diag_health h, char *status, size_t size) {
        char why[600];
        if (h == DIAG_CRITICAL || !blind_words(k, why, sizeof(why)))
                return h;
        snprintf(status, size, "UNKNOWN: %s", why);
        return DIAG_UNKNOWN;
}

/* The first line, as Nagios and Icinga read it: "BADGATEWAY STATE - text | perfdata"; then the
 * firing alerts, each with its remedies. */
static void print_plugin(struct check *k, enum diag_health h, const char *status) {
        printf("BADGATEWAY %s - ", status_words[h]);
        if (h == DIAG_UNKNOWN && strncmp(status, "UNKNOWN: ", 9) != 0)
                fputs("no pool could be probed; ", stdout);
        put_text(status_text(status));
        print_perfdata(k);
        putchar('\n');
        static const char *const worst_first[] = { "critical", "error", "warning", "notice" };
        for (size_t i = 0; i < sizeof(worst_first) / sizeof(worst_first[0]); i++)
                diag_each_firing(k->diag, k->now, print_text, &(struct severity_pass) { worst_first[i] });
        char blind[600];
        if (h != DIAG_UNKNOWN && blind_words(k, blind, sizeof(blind))) {
                fputs("\nunknown ", stdout);
                put_text(blind);
                putchar('\n');
        }
        print_unreadable(k);
}

static int verdict(struct check *k) {
        char status[1024];
        diag_flush(k->diag, k->now, ignore, NULL);
        diag_status(k->diag, status, sizeof(status));
        enum diag_health h = blind_spots(k, diag_health(k->diag), status, sizeof(status));
        h = blind_pool(k, h, status, sizeof(status));
        hold_alarm();
        if (k->json)
                print_json(k, h, status);
        else
                print_plugin(k, h, status);
        return (int) h;
}

/* A monitoring system reads the first line and an exit code of 0 to 3: whatever keeps check from
 * judging is UNKNOWN, with the reason. */
static int unknown(const struct check *k, const char *why) {
        hold_alarm();
        if (k->json) {
                json_t *all = unknown_json(why);
                json_dumpf(all, stdout, JSON_COMPACT);
                fputs("\n", stdout);
                json_decref(all);
        } else {
                fputs("BADGATEWAY UNKNOWN - ", stdout);
                put_text(why);
                putchar('\n');
        }
        fflush(stdout);
        return DIAG_UNKNOWN;
}

static const char *usage_why(int r) {
        switch (r) {
        case USAGE_SINCE: return "usage error: --since: not a time (badgatewayd check --help)";
        case USAGE_TIMEOUT: return "usage error: --timeout: not a number of seconds (badgatewayd check --help)";
        case USAGE_NO_VALUE: return "usage error: an option is missing its value (badgatewayd check --help)";
        default: return "usage error: an unknown option or argument (badgatewayd check --help)";
        }
}

int check_main(int argc, char **argv) {
        struct check k = { .since_text = "15m", .timeout = CHECK_DEFAULT_TIMEOUT };
        struct config_error err;
        char why[128];
        int r = parse_args(&k, argc, argv);
        if (r)
                return unknown(&k, usage_why(r));
        arm_timeout(&k);
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
        r = probe_all(&k);
        if (r == 0)
                read_logs(&k);
        if (r == -ETIME)
                timeout_why(&k, why, sizeof(why));
        else if (r < 0)
                snprintf(why, sizeof(why), "cannot wait for the probes: %s", strerror(-r));
        int code = r < 0 ? unknown(&k, why) : verdict(&k);
        fflush(stdout);
        free_probes(&k);
        diag_free(k.diag);
        return code;
}
