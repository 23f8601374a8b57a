#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "dropins.h"
#include "duration.h"
#include "host.h"
#include "jsonstr.h"
#include "urlmask.h"

struct parse {
        struct config *c;
        struct config_error *err;
        const char *file;       /* the file being read: the main one or a drop-in, for messages */
        const char *text;       /* what the reader hands to inih, line by line */
        int line;               /* line number of the text last handed out */
        bool at_line_start;
        bool failed;
        struct pool_config *pool;       /* the [Pool NAME] section being read */
        int pools_before;               /* pools from earlier files: a drop-in may add keys to them */
        const char *pool_file[CONFIG_MAX_POOLS];        /* the file each pool's section starts in */
};

static void fail(struct parse *p, const char *fmt, ...) {
        if (p->failed)
                return;
        p->failed = true;
        int n = snprintf(p->err->text, sizeof(p->err->text), "%s:%d: ", p->file, p->line);
        va_list ap;
        va_start(ap, fmt);
        if (n > 0 && (size_t) n < sizeof(p->err->text))
                vsnprintf(p->err->text + n, sizeof(p->err->text) - (size_t) n, fmt, ap);
        va_end(ap);
}

static int set_duration(struct parse *p, const char *key, const char *value, uint64_t *out) {
        int r = duration_parse(value, out);
        if (r < 0)
                fail(p, "%s: '%s' is not a duration (examples: 5s, 250ms, 5 min, 1h 30min)", key, value);
        return r < 0 ? -EINVAL : 0;     /* 0 is a duration: each caller's range says if it may be */
}

#define MS 1000ULL
#define SEC (1000 * MS)

/* Each duration key, and the range it makes sense in: a 25-day probe timeout or a resolution
 * 580,000 years away are typos, and would wrap where they become milliseconds or a due time. */
static const struct {
        const char *key;
        size_t offset;
        uint64_t min, max;
        const char *min_text, *max_text;
} durations[] = {
        { "ProbeInterval", offsetof(struct config, probe_interval_usec), 10 * MS, 3600 * SEC, "10ms", "1h" },
        { "ProbeTimeout", offsetof(struct config, probe_timeout_usec), 1 * MS, 600 * SEC, "1ms", "10min" },
        { "ResolveAfter", offsetof(struct config, resolve_after_usec), 1 * MS, 7 * 86400 * SEC, "1ms", "7d" },
        { "SummaryInterval", offsetof(struct config, summary_interval_usec), 1 * MS, 7 * 86400 * SEC, "1ms", "7d" },
        { "CatchUpAge", offsetof(struct config, catch_up_age_usec), 1 * SEC, 365 * 86400 * SEC, "1s", "365d" },
};

/* -ENOENT when key is no duration key. */
static int set_duration_key(struct parse *p, const char *key, const char *value) {
        for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
                if (strcmp(key, durations[i].key) != 0)
                        continue;
                uint64_t *out = (uint64_t *) ((char *) p->c + durations[i].offset), v;
                if (set_duration(p, key, value, &v) < 0)
                        return -EINVAL;
                if (v < durations[i].min || v > durations[i].max) {
                        fail(p, "%s: '%s' is out of range (%s to %s)", key, value, durations[i].min_text,
                             durations[i].max_text);
                        return -EINVAL;
                }
                *out = v;
                return 0;
        }
        return -ENOENT;
}

/* yes, true, on, 1 or no, false, off, 0, in any case; -EINVAL for anything else. */
static int parse_bool(const char *value, bool *out) {
        static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false", "off", "0" };
        for (unsigned i = 0; i < 4; i++) {
                if (strcasecmp(value, yes[i]) == 0)
                        return *out = true, 0;
                if (strcasecmp(value, no[i]) == 0)
                        return *out = false, 0;
        }
        return -EINVAL;
}

static int set_bool(struct parse *p, const char *key, const char *value, bool *out) {
        if (parse_bool(value, out) == 0)
                return 0;
        fail(p, "%s: '%s' is not a boolean (yes or no)", key, value);
        return -EINVAL;
}

static int set_string(struct parse *p, const char *key, const char *value, char *out, size_t size) {
        if (!*value || strlen(value) >= size) {
                fail(p, "%s: %s", key, *value ? "value too long" : "empty value");
                return -EINVAL;
        }
        memcpy(out, value, strlen(value) + 1);
        return 0;
}

static int set_path(struct parse *p, const char *key, const char *value, char *out, size_t size) {
        if (value[0] != '/') {
                fail(p, "%s: '%s' is not an absolute path", key, value);
                return -EINVAL;
        }
        return set_string(p, key, value, out, size);
}

#define KIB 1024ULL

/* "50M": bytes, with K, M, G or T for powers of 1024 (an optional "B" or "iB" after it). */
static int set_size(struct parse *p, const char *key, const char *value, uint64_t min, uint64_t max,
                    const char *range, uint64_t *out) {
        static const char units[] = "KMGT";
        char *end;
        uint64_t mult = 1;
        errno = 0;
        unsigned long long v = value[0] >= '0' && value[0] <= '9' ? strtoull(value, &end, 10) : (end = (char *) value, 0);
        if (end == value || errno)
                goto bad;
        while (*end == ' ')
                end++;
        const char *u = *end ? strchr(units, toupper((unsigned char) *end)) : NULL;
        if (u) {
                for (const char *q = units; q <= u; q++)
                        mult *= KIB;
                end++;
                if (*end == 'i' && end[1] == 'B')
                        end += 2;
                else if (*end == 'B')
                        end++;
        } else if (*end == 'B')
                end++;
        if (*end)
                goto bad;
        if (v > max / mult || v * mult < min) {
                fail(p, "%s: '%s' is out of range (%s)", key, value, range);
                return -EINVAL;
        }
        *out = v * mult;
        return 0;
bad:
        fail(p, "%s: '%s' is not a size (examples: 50M, 512K, 1G)", key, value);
        return -EINVAL;
}

static int daemon_key(struct parse *p, const char *key, const char *value) {
        struct config *c = p->c;
        int r = set_duration_key(p, key, value);
        if (r != -ENOENT)
                return r;
        if (strcmp(key, "ReadFromStart") == 0)
                return set_bool(p, key, value, &c->read_from_start);
        if (strcmp(key, "CatchUp") == 0)
                return set_size(p, key, value, KIB, 1024 * KIB * KIB * KIB, "1K to 1T", &c->catch_up_bytes);
        return -ENOENT;
}

static int nginx_key(struct parse *p, const char *key, const char *value) {
        struct config *c = p->c;
        if (strcmp(key, "ErrorLog") == 0) {
                if (!*value)
                        return c->n_nginx_logs = 0;     /* an empty assignment resets the list, as in systemd */
                if (c->n_nginx_logs == CONFIG_MAX_LOGS) {
                        fail(p, "ErrorLog: more than %d logs", CONFIG_MAX_LOGS);
                        return -EINVAL;
                }
                return set_path(p, key, value, c->nginx_logs[c->n_nginx_logs++], PATH_MAX);
        }
        if (strcmp(key, "User") == 0)
                return set_string(p, key, value, c->nginx_user, sizeof(c->nginx_user));
        if (strcmp(key, "Config") == 0) {
                snprintf(c->nginx_conf_from, sizeof(c->nginx_conf_from), "%s", p->file);
                c->nginx_conf_line = p->line;
                return set_path(p, key, value, c->nginx_conf, sizeof(c->nginx_conf));
        }
        return -ENOENT;
}

static int fpm_key(struct parse *p, const char *key, const char *value) {
        struct config *c = p->c;
        if (strcmp(key, "Config") != 0)
                return -ENOENT;
        if (!*value)
                return c->n_fpm_confs = 0;
        if (c->n_fpm_confs == CONFIG_MAX_FPM_CONFS) {
                fail(p, "Config: more than %d php-fpm configurations", CONFIG_MAX_FPM_CONFS);
                return -EINVAL;
        }
        int r = set_path(p, key, value, c->fpm_confs[c->n_fpm_confs], PATH_MAX);
        c->n_fpm_confs += r == 0;
        return r;
}

/* "nginx.service php8.2-fpm.service": names separated by spaces, the key repeatable. */
static int set_names(struct parse *p, const char *key, const char *value, char (*out)[CONFIG_JOURNAL_NAME_MAX],
                     int *n) {
        if (!value[strspn(value, " \t")])
                return *n = 0;          /* an empty assignment resets the list, as in systemd */
        for (const char *v = value + strspn(value, " \t"); *v; v += strspn(v, " \t")) {
                size_t len = strcspn(v, " \t");
                if (*n == CONFIG_MAX_JOURNAL_MATCHES || len >= CONFIG_JOURNAL_NAME_MAX) {
                        fail(p, "%s: %s", key, *n == CONFIG_MAX_JOURNAL_MATCHES ? "more than 32 names" : "a name is too long");
                        return -EINVAL;
                }
                snprintf(out[(*n)++], CONFIG_JOURNAL_NAME_MAX, "%.*s", (int) len, v);
                v += len;
        }
        return 0;
}

static int journal_key(struct parse *p, const char *key, const char *value) {
        struct config *c = p->c;
        if (strcmp(key, "Follow") == 0) {
                bool yes;
                if (strcasecmp(value, "auto") == 0)
                        return c->journal_follow = CONFIG_JOURNAL_AUTO, 0;
                if (parse_bool(value, &yes) < 0) {
                        fail(p, "%s: '%s' is not auto, yes or no", key, value);
                        return -EINVAL;
                }
                c->journal_follow = yes ? CONFIG_JOURNAL_YES : CONFIG_JOURNAL_NO;
                return 0;
        }
        if (strcmp(key, "Units") == 0)
                return set_names(p, key, value, c->journal_units, &c->n_journal_units);
        if (strcmp(key, "Identifiers") == 0)
                return set_names(p, key, value, c->journal_identifiers, &c->n_journal_identifiers);
        if (strcmp(key, "Kernel") == 0)
                return set_bool(p, key, value, &c->journal_kernel);
        return -ENOENT;
}

/* "fastcgi://127.0.0.1:9000": what nginx's log prints, not what php-fpm's listen takes. */
static bool nginx_form(const char *v) {
        return strncmp(v, "unix:", 5) != 0 && address_upstream_field(span_make(v, strlen(v))).p != v;
}

/* What php-fpm's listen takes and the probe can reach without a name lookup. */
static int set_listen(struct parse *p, const char *value, struct pool_config *pc) {
        struct address a;
        int r = address_parse(&a, value, strlen(value));
        if (r == -ENAMETOOLONG) {
                fail(p, "Listen: '%s' is longer than a unix socket path may be (%d bytes)", value, ADDRESS_PATH_MAX);
                return r;
        }
        if (r < 0 || nginx_form(value) || a.kind == ADDRESS_HOST || a.kind == ADDRESS_GROUP) {
                fail(p, "Listen: '%s' is not a listen address (/run/php/x.sock, unix:/path, "
                        "127.0.0.1:9000, [::1]:9000, localhost:9000 or a port)", value);
                return -EINVAL;
        }
        const char *path = address_unix_path(&a);
        struct stat st;
        if (path && *path && (path[strlen(path) - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))) {
                fail(p, "Listen: '%s' is a directory, not a socket path (/run/php/x.sock)", value);
                return -EINVAL;
        }
        r = set_string(p, "Listen", value, pc->listen, sizeof(pc->listen));
        if (r == 0)
                pc->address = a;
        return r;
}

static int pool_key(struct parse *p, const char *key, const char *value) {
        struct pool_config *pc = p->pool;
        if (strcmp(key, "Listen") == 0)
                return set_listen(p, value, pc);
        if (strcmp(key, "Unit") == 0)
                return set_string(p, key, value, pc->unit, sizeof(pc->unit));
        if (strcmp(key, "Log") == 0)
                return set_path(p, key, value, pc->log, sizeof(pc->log));
        if (strcmp(key, "PingPath") == 0)
                return set_string(p, key, value, pc->ping_path, sizeof(pc->ping_path));
        if (strcmp(key, "StatusPath") == 0)
                return set_string(p, key, value, pc->status_path, sizeof(pc->status_path));
        return -ENOENT;
}

/* [Metrics] Listen=: an IP address and port to serve /metrics on; port 0 takes a free one (said
 * at start). No name but localhost: a lookup would block. */
static int set_metrics_listen(struct parse *p, const char *value) {
        struct config *c = p->c;
        struct address a;
        char text[ADDRESS_TEXT_MAX];
        size_t n = strlen(value);
        bool free_port = n > 2 && strcmp(value + n - 2, ":0") == 0;
        int r = snprintf(text, sizeof(text), "%.*s%s", (int) (free_port ? n - 1 : n), value, free_port ? "1" : "");
        if (r < 0 || (size_t) r >= sizeof(text) || address_parse(&a, text, strlen(text)) < 0 ||
            (a.kind != ADDRESS_INET && a.kind != ADDRESS_INET6 && a.kind != ADDRESS_ANY)) {
                fail(p, "Listen: '%s' is not an address and port to serve metrics on (127.0.0.1:9184, "
                        "[::1]:9184, a port for every address, or port 0 for a free one)", value);
                return -EINVAL;
        }
        if (free_port)
                a.port = 0;
        r = set_string(p, "Listen", value, c->metrics_listen, sizeof(c->metrics_listen));
        if (r == 0)
                c->metrics_address = a;
        return r;
}

static int metrics_key(struct parse *p, const char *key, const char *value) {
        struct config *c = p->c;
        /* An empty value resets to off, as in systemd: a drop-in read later undoes the main file. */
        if (strcmp(key, "Listen") == 0 && !*value) {
                c->metrics_listen[0] = '\0';
                c->metrics_address = (struct address) { 0 };
                return 0;
        }
        if (strcmp(key, "TextfileDirectory") == 0 && !*value) {
                c->metrics_textfile_dir[0] = '\0';
                return 0;
        }
        if (strcmp(key, "Listen") == 0)
                return set_metrics_listen(p, value);
        if (strcmp(key, "TextfileDirectory") == 0)
                return set_path(p, key, value, c->metrics_textfile_dir, sizeof(c->metrics_textfile_dir));
        return -ENOENT;
}

static config_url_check_fn *url_check;

void config_set_url_check(config_url_check_fn *check) {
        url_check = check;
}

/* http:// or https://, a host, a port 1 to 65535 if any, as the program's checker finds it. */
static int set_url(struct parse *p, const char *section, const char *key, const char *value, char *out,
                   size_t size) {
        const char *why = "this program has no URL checker";
        char shown[URL_MASK_SIZE(CONFIG_URL_MAX)];      /* a password or token in it stays out of logs */
        int r = url_check ? url_check(value, &why) : -ENOSYS;
        if (r == -EINVAL)
                fail(p, "%s: '%s' is not an http:// or https:// URL: %s (example: http://127.0.0.1:9093)", key,
                     url_mask(value, shown, sizeof(shown)), why);
        else if (r < 0)
                fail(p, "%s; [%s] needs it", why, section);
        return r < 0 ? -EINVAL : set_string(p, key, value, out, size);
}

static int alertmanager_key(struct parse *p, const char *key, const char *value) {
        if (strcmp(key, "URL") == 0)
                return set_url(p, "Alertmanager", key, value, p->c->alertmanager_url, sizeof(p->c->alertmanager_url));
        uint64_t v;
        if (strcmp(key, "ResendInterval") != 0)
                return -ENOENT;
        if (set_duration(p, key, value, &v) < 0)
                return -EINVAL;
        if (v < 1 * SEC || v > 3600 * SEC) {
                fail(p, "%s: '%s' is out of range (1s to 1h)", key, value);
                return -EINVAL;
        }
        p->c->alertmanager_resend_usec = v;
        return 0;
}

static int webhook_key(struct parse *p, const char *key, const char *value) {
        if (strcmp(key, "URL") == 0)
                return set_url(p, "Webhook", key, value, p->c->webhook_url, sizeof(p->c->webhook_url));
        return -ENOENT;
}

static const char *const daemon_keys[] = { "ProbeInterval", "ProbeTimeout", "ResolveAfter",
                                           "SummaryInterval", "ReadFromStart", "CatchUp", "CatchUpAge", NULL };
static const char *const nginx_keys[] = { "ErrorLog", "User", "Config", NULL };
static const char *const fpm_keys[] = { "Config", NULL };
static const char *const pool_keys[] = { "Listen", "Unit", "Log", "PingPath", "StatusPath", NULL };
static const char *const metrics_keys[] = { "Listen", "TextfileDirectory", NULL };
static const char *const journal_keys[] = { "Follow", "Units", "Identifiers", "Kernel", NULL };
static const char *const alertmanager_keys[] = { "URL", "ResendInterval", NULL };
static const char *const webhook_keys[] = { "URL", NULL };
static const char *const sections[] = { "Daemon", "Nginx", "PHP-FPM", "Pool NAME", "Metrics", "Journal", "Alertmanager",
                                        "Webhook", NULL };

/* Each section's keys, for badgatewayd.conf(5)'s test (tests/packaging/test_conf_man.c): a
 * section of sections[] or a *_keys[] array missing here fails it. */
static const struct {
        const char *section;
        const char *const *keys;
} section_keys[] = {
        { "Daemon", daemon_keys },
        { "Nginx", nginx_keys },
        { "PHP-FPM", fpm_keys },
        { "Pool NAME", pool_keys },
        { "Metrics", metrics_keys },
        { "Journal", journal_keys },
        { "Alertmanager", alertmanager_keys },
        { "Webhook", webhook_keys },
};

const char *const *config_sections(void) {
        return sections;
}

const char *const *config_section_keys(const char *section) {
        for (size_t i = 0; i < sizeof(section_keys) / sizeof(section_keys[0]); i++)
                if (strcmp(section_keys[i].section, section) == 0)
                        return section_keys[i].keys;
        return NULL;
}

/* Edit distance, case-insensitive, for "did you mean". */
static unsigned distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        unsigned row[64];
        if (la >= 64 || lb >= 64)
                return 99;
        for (size_t j = 0; j <= lb; j++)
                row[j] = (unsigned) j;
        for (size_t i = 1; i <= la; i++) {
                unsigned diag = row[0];
                row[0] = (unsigned) i;
                for (size_t j = 1; j <= lb; j++) {
                        unsigned up = row[j];
                        unsigned same = (a[i - 1] | 0x20) == (b[j - 1] | 0x20);
                        unsigned best = diag + !same;
                        if (up + 1 < best)
                                best = up + 1;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
}

static const char *nearest(const char *word, const char *const *known) {
        const char *best = NULL;
        unsigned best_d = 4;
        for (; *known; known++) {
                unsigned d = distance(word, *known);
                if (d < best_d)
                        best = *known, best_d = d;
        }
        return best;
}

static void unknown(struct parse *p, const char *what, const char *word, const char *section,
                    const char *const *known) {
        const char *hint = nearest(word, known);
        char in[96] = "";
        if (section)
                snprintf(in, sizeof(in), " in [%s]", section);
        if (hint)
                fail(p, "unknown %s '%s'%s; did you mean '%s'?", what, word, in, hint);
        else
                fail(p, "unknown %s '%s'%s", what, word, in);
}

static struct pool_config *find_pool(struct config *c, const char *name) {
        for (int i = 0; i < c->n_pools; i++)
                if (strcmp(c->pools[i].name, name) == 0)
                        return &c->pools[i];
        return NULL;
}

/* "[Pool www]": seen by the reader, so that empty and duplicate sections are caught too. */
/* Printable UTF-8: no C0, DEL or C1 control, no invalid sequence. A section's name is said in
 * messages and becomes a pool's name in alerts and perfdata labels. */
static bool printable_utf8(const char *s) {
        size_t n = strlen(s);
        for (size_t i = 0, len; i < n; i += len) {
                const unsigned char *b = (const unsigned char *) s + i;
                len = utf8_seq(b, n - i);
                if (!len || b[0] < 0x20 || b[0] == 0x7f || (b[0] == 0xc2 && b[1] < 0xa0))
                        return false;
        }
        return true;
}

static void begin_section(struct parse *p, const char *name) {
        p->pool = NULL;
        if (!printable_utf8(name)) {
                fail(p, "the section name holds a control byte or is not UTF-8");
                return;
        }
        if (strcmp(name, "Daemon") == 0 || strcmp(name, "Nginx") == 0 || strcmp(name, "PHP-FPM") == 0 ||
            strcmp(name, "Metrics") == 0 || strcmp(name, "Journal") == 0 || strcmp(name, "Alertmanager") == 0 ||
            strcmp(name, "Webhook") == 0)
                return;
        if (strncmp(name, "Pool", 4) == 0 && !name[4 + strspn(name + 4, " \t")]) {
                fail(p, "[%s] has no name: a pool's section is [Pool NAME], the name alerts give it", name);
                return;
        }
        if (strncmp(name, "Pool ", 5) != 0) {
                unknown(p, "section", name, NULL, sections);
                return;
        }
        const char *pool = name + 5;
        struct pool_config *dup = find_pool(p->c, pool);
        if (dup && dup - p->c->pools < p->pools_before) {
                p->pool = dup;          /* a drop-in's keys for a pool named before: later ones win */
                return;
        }
        if (dup)
                fail(p, "duplicate section [Pool %s] (first at line %d)", pool, dup->line);
        else if (p->c->n_pools == CONFIG_MAX_POOLS)
                fail(p, "more than %d pools", CONFIG_MAX_POOLS);
        else if (strlen(pool) >= CONFIG_NAME_MAX)
                fail(p, "pool name '%s' is too long", pool);
        if (p->failed)
                return;
        p->pool_file[p->c->n_pools] = p->file;
        p->pool = &p->c->pools[p->c->n_pools++];
        *p->pool = (struct pool_config) { .line = p->line };
        strcpy(p->pool->name, pool);
}

static const char comment_rule[] = "a comment goes on a line of its own, with '#' or ';' first (as in systemd's files)";

/* ';' or '#' after a blank in "Key = value ; note": libinih would drop the first and keep the
 * second in the value; both are refused alike. */
static void notice_inline_comment(struct parse *p, const char *line) {
        const char *eq = strchr(line, '=');
        for (const char *c = eq; c && *c; c++)
                if ((*c == ';' || *c == '#') && (c[-1] == ' ' || c[-1] == '\t')) {
                        fail(p, "'%.*s' after the value: %s", (int) strcspn(c, "\r\n"), c, comment_rule);
                        return;
                }
}

static void notice_section(struct parse *p, const char *line) {
        line += strspn(line, " \t");
        if (line[0] == ';' || line[0] == '#')
                return;
        if (line[0] != '[') {
                notice_inline_comment(p, line);
                return;
        }
        const char *close = strchr(line, ']');
        if (!close) {
                fail(p, "the section header '%.*s' is not closed: ']' is missing", (int) strcspn(line, "\r\n"), line);
                return;
        }
        const char *after = close + 1 + strspn(close + 1, " \t\r\n");
        if (*after) {
                fail(p, "'%.*s' after the section header: %s", (int) strcspn(after, "\r\n"), after,
                     *after == ';' || *after == '#' ? comment_rule : "nothing may follow ']'");
                return;
        }
        char name[CONFIG_NAME_MAX + 8];
        snprintf(name, sizeof(name), "%.*s", (int) (close - line - 1), line + 1);
        begin_section(p, name);
}

static char *read_line(char *buf, int num, void *stream) {
        struct parse *p = stream;
        if (!*p->text || num < 2 || p->failed)
                return NULL;
        bool starts_line = p->at_line_start;
        if (starts_line)
                p->line++;
        if (p->line == 1 && starts_line && strncmp(p->text, "\xef\xbb\xbf", 3) == 0)
                p->text += 3;   /* a UTF-8 byte-order mark: not part of "[Pool a]" */
        if (!*p->text)
                return NULL;
        size_t n = strcspn(p->text, "\n");
        if (starts_line && n >= CONFIG_LINE_MAX) {
                fail(p, "the line is longer than %d bytes", CONFIG_LINE_MAX - 1);
                return NULL;
        }
        n += p->text[n] == '\n';
        if (n > (size_t) num - 1)
                n = (size_t) num - 1;
        memcpy(buf, p->text, n);
        buf[n] = '\0';
        p->text += n;
        p->at_line_start = buf[n - 1] == '\n';
        if (starts_line)
                notice_section(p, buf);
        return buf;
}

static int on_entry(void *user, const char *section, const char *name, const char *value) {
        struct parse *p = user;
        int r = -ENOENT;
        const char *const *known = NULL;
        if (p->failed)
                return 0;
        if (!*section) {
                fail(p, "'%s' is outside any section ([Daemon], [Nginx], [PHP-FPM] or [Pool NAME])", name);
                return 0;
        }
        if (strcmp(section, "Daemon") == 0)
                r = daemon_key(p, name, value), known = daemon_keys;
        else if (strcmp(section, "Nginx") == 0)
                r = nginx_key(p, name, value), known = nginx_keys;
        else if (strcmp(section, "PHP-FPM") == 0)
                r = fpm_key(p, name, value), known = fpm_keys;
        else if (strcmp(section, "Metrics") == 0)
                r = metrics_key(p, name, value), known = metrics_keys;
        else if (strcmp(section, "Journal") == 0)
                r = journal_key(p, name, value), known = journal_keys;
        else if (strcmp(section, "Alertmanager") == 0)
                r = alertmanager_key(p, name, value), known = alertmanager_keys;
        else if (strcmp(section, "Webhook") == 0)
                r = webhook_key(p, name, value), known = webhook_keys;
        else if (p->pool)
                r = pool_key(p, name, value), known = pool_keys;
        if (r == -ENOENT && known)
                unknown(p, "key", name, section, known);
        return !p->failed;
}

static void check_pools(struct parse *p) {
        struct config *c = p->c;
        for (int i = 0; i < c->n_pools && !p->failed; i++)
                if (!c->pools[i].listen[0]) {
                        p->file = p->pool_file[i];
                        p->line = c->pools[i].line;
                        fail(p, "[Pool %s] has no Listen= (the pool's listen address, as in fastcgi_pass)",
                             c->pools[i].name);
                }
}

void config_defaults(struct config *c) {
        memset(c, 0, sizeof(*c));
        c->probe_interval_usec = 5 * 1000000ULL;
        c->probe_timeout_usec = 2 * 1000000ULL;
        c->resolve_after_usec = 60 * 1000000ULL;
        c->summary_interval_usec = 300 * 1000000ULL;
        c->catch_up_bytes = 50 * 1024 * 1024;
        c->journal_kernel = true;
        c->alertmanager_resend_usec = 60 * 1000000ULL;
}

void config_free(struct config *c) {
        if (!c)
                return;
        if (c->host)
                host_conf_free(c->host);
        free(c->host);
        free(c);
}

/* libinih splits a line longer than its buffer (200 bytes as Debian builds it) and reads the
 * tail as a line of its own: a long comment's end became a key. A heap buffer that grows
 * reads every line whole, up to CONFIG_LINE_MAX. */
static void ini_reads_whole_lines(void) {
        ini_use_stack = false;
        ini_allow_realloc = true;
        ini_max_line = CONFIG_LINE_MAX + 2;     /* the line, '\n' and the NUL */
}

/* One file's text on top of what p->c holds already. */
static void parse_text(struct parse *p, const char *file, const char *text) {
        p->file = file;
        p->text = text;
        p->line = 0;
        p->at_line_start = true;
        p->pool = NULL;
        p->pools_before = p->c->n_pools;
        int bad_line = ini_parse_stream(read_line, p, on_entry, p);
        if (bad_line > 0 && !p->failed) {
                p->line = bad_line;
                fail(p, "cannot read this line: expected 'Key = value' or '[Section]'");
        }
}

static struct parse parse_begin(struct config *c, const char *file, struct config_error *err) {
        ini_reads_whole_lines();
        config_defaults(c);
        snprintf(c->file, sizeof(c->file), "%s", file);
        err->text[0] = '\0';
        return (struct parse) { .c = c, .err = err, .file = file };
}

int config_parse_string(struct config *c, const char *file, const char *text, struct config_error *err) {
        struct parse p = parse_begin(c, file, err);
        parse_text(&p, file, text);
        if (!p.failed)
                check_pools(&p);
        return p.failed ? -EINVAL : 0;
}

static char *read_file(const char *file, int *error) {
        FILE *f = fopen(file, "re");
        if (!f)
                return *error = errno, NULL;
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        char buf[8192];
        size_t n;
        bool nul = false;
        errno = 0;
        while (mem && (n = fread(buf, 1, sizeof(buf), f)) > 0)
                nul |= memchr(buf, '\0', n) != NULL, fwrite(buf, 1, n, mem);
        *error = ferror(f) ? (errno ? errno : EIO) : nul ? EILSEQ : mem ? 0 : ENOMEM;
        fclose(f);
        if (mem)
                fclose(mem);
        if (*error) {
                free(text);
                return NULL;
        }
        return text;
}

/* Reads and parses one file; -errno when it cannot be read (err says so), else 0 or -EINVAL. */
static int load_one(struct parse *p, const char *file) {
        int e;
        char *text = read_file(file, &e);
        if (!text) {
                snprintf(p->err->text, sizeof(p->err->text), "%s: %s", file,
                         e == EILSEQ ? "contains a NUL byte: not a text file" : strerror(e));
                p->failed = true;
                return -e;
        }
        parse_text(p, file, text);
        free(text);
        return p->failed ? -EINVAL : 0;
}

/* FILE.d/\*.conf into d; -errno with err naming the directory when it cannot be listed. */
static int list_dropins(const char *file, struct config_dropins *d, struct config_error *err) {
        char dir[PATH_MAX];
        *d = (struct config_dropins) { 0 };
        if (snprintf(dir, sizeof(dir), "%s.d", file) >= (int) sizeof(dir))
                return 0;
        int r = config_dropins(dir, d);
        if (r < 0)
                snprintf(err->text, sizeof(err->text), "%s: %s", dir, strerror(-r));
        return r;
}

/* Drop-ins without their main file count alone, as systemd reads journald.conf.d/ with no
 * journald.conf: c->file is then their directory. */
static int load_main(struct parse *p, const char *file, const struct config_dropins *d) {
        int r = load_one(p, file);
        if (r != -ENOENT || d->n == 0)
                return r;
        p->failed = false;
        p->err->text[0] = '\0';
        snprintf(p->c->file, sizeof(p->c->file), "%s.d", file);
        return 0;
}

int config_load(struct config *c, const char *file, struct config_error *err) {
        struct parse p = parse_begin(c, file, err);
        struct config_dropins d;
        int r = list_dropins(file, &d, err);
        if (r == 0 && (r = load_main(&p, file, &d)) < 0)
                config_defaults(c);
        for (size_t i = 0; i < d.n && r == 0; i++)
                r = load_one(&p, d.paths[i]);
        if (r == 0)
                check_pools(&p);
        config_dropins_free(&d);
        if (r == 0 && p.failed)
                r = -EINVAL;
        return r;
}
