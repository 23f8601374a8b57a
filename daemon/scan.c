/* badgatewayd scan: post-mortem analysis of nginx and php-fpm logs, plain or gzip. */
#include "scan.h"

#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "event_json.h"
#include "journal.h"
#include "journal_lines.h"
#include "jsonstr.h"
#include "say.h"
#include "readlines.h"
#include "scanfile.h"
#include "tally.h"

/* The FILE that means standard input, also its "file" in --json lines and its name in errors
 * (a file named "-" is ./-). */
#define STDIN_NAME "-"

struct scan {
        bool json;
        bool ascii;             /* the timeline without UTF-8 block characters */
        struct scanfile read;    /* --since, and the line counts */
        const char *file;       /* being read */
        json_t *file_json;      /* file as JSON, made once per file */
        json_t *event_json;     /* one object for every line's event, emptied each time */
        char time_text[32];     /* the last line's time as written, and as read */
        size_t time_len;
        struct timestamp time;
        size_t failed_files;
        struct tally tally;
        /* --journal */
        bool journal;
        const char *units[JOURNAL_MATCH_MAX];   /* --unit, as given */
        size_t n_units;
        struct journal_place place;
        const char *files[JOURNAL_MATCH_MAX + 1];       /* --file, NULL-terminated */
        size_t n_files;
        char place_text[1024];          /* "the local journal", the directory, or the files */
        struct journal *j;              /* while it is read */
        struct journal_scan read_journal;
        json_t *place_json;
        size_t *unit_lines;             /* lines of each of journal_units(), by index */
        size_t kernel_lines, ident_lines;
        const char *since_text;         /* --since as given */
        bool journal_failed;            /* it could not be read (said on stderr) */
        struct timestamp since;
};

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd scan [--json] [--ascii] [--since TIME] FILE...\n"
                "       badgatewayd scan --journal [--unit UNIT]... [--directory DIR | --file FILE]...\n"
                "                        [--json] [--ascii] [--since TIME] [FILE...]\n"
                "  Classifies every line of nginx error logs and php-fpm logs (plain or .gz),\n"
                "  and of the journal's entries, and tells which cause of 502/504 errors they point to.\n"
                "  FILE - is standard input, plain or gzip: zcat error.log.2.gz | badgatewayd scan -\n"
                "  --json            one JSON object per classified line, then a summary object\n"
                "  --ascii           draw the timeline with ASCII (the default without a UTF-8 locale)\n"
                "  --since TIME      skip lines older than TIME: 2026-11-25, '2026-11-25 13:00',\n"
                "                    2026-11-25T13:00:00Z, yesterday, @1795612991, or an age: 90s,\n"
                "                    15m, '1h 30min', '2h ago' (systemd.time(7)); journal entries by\n"
                "                    their own time (__REALTIME_TIMESTAMP)\n"
                "  --journal         read the system journal too: the entries of nginx.service and\n"
                "                    php*-fpm*.service, those of SYSLOG_IDENTIFIER nginx and php-fpm,\n"
                "                    and the kernel's (OOM kills)\n"
                "  -u, --unit UNIT   the entries of UNIT instead (as journalctl -u; a glob such as\n"
                "                    'php*' matches the units the journal holds; repeatable),\n"
                "                    and the kernel's\n"
                "  -D, --directory DIR  the journal files in DIR (journalctl -D), e.g. a copy of a\n"
                "                    broken host's /var/log/journal\n"
                "  --file FILE       the journal file FILE (journalctl --file; repeatable)\n");
}

/* One compact JSON line; json_dumpb into a reused buffer saves jansson's fwrite per token. */
static void print_json_line(json_t *obj) {
        static char buf[1 << 16];
        size_t n = json_dumpb(obj, buf, sizeof(buf) - 1, EVENT_JSON_FLAGS);
        if (n > 0 && n < sizeof(buf) - 1) {
                buf[n] = '\n';
                fwrite(buf, 1, n + 1, stdout);
                return;
        }
        json_dumpf(obj, stdout, EVENT_JSON_FLAGS);      /* a line over 64 KiB of JSON */
        fputs("\n", stdout);
}

static void print_event(struct scan *s, size_t lineno, const struct logline *ll, const struct event *ev,
                        unsigned flags) {
        json_t *obj = s->event_json;
        if (obj)
                json_object_clear(obj);
        else if (!(obj = s->event_json = json_object()))
                return;
        json_object_set_nocheck(obj, "file", s->file_json);
        json_object_set_new_nocheck(obj, "line", json_integer((json_int_t) lineno));
        event_json_fill(obj, ll, ev);
        if (flags & READLINES_LINE_TRUNCATED)
                json_object_set_new(obj, "truncated", json_true());
        print_json_line(obj);
}

/* An event's label in the table: the upstream for nginx lines, the pool for php-fpm ones, the
 * victim's command for the kernel's OOM records. */
static struct span event_label(const struct event *ev) {
        if (ev->source == SOURCE_KERNEL)
                return ev->detail;
        return ev->source == SOURCE_FPM ? ev->pool : ev->upstream;
}

/* The line's time. Lines in a row often share their second: the text last read is not read again. */
static bool line_time(struct scan *s, const struct logline *ll, struct timestamp *t) {
        struct span text = ll->source == SOURCE_NGINX ? ll->nginx.time
                           : ll->source == SOURCE_FPM ? ll->fpm.time : SPAN_NULL;
        if (!text.p || text.n > sizeof(s->time_text))
                return logline_parse_time(ll, t);
        if (text.n == s->time_len && memcmp(text.p, s->time_text, text.n) == 0) {
                *t = s->time;
                return true;
        }
        if (!logline_parse_time(ll, t))
                return false;
        memcpy(s->time_text, text.p, text.n);
        s->time_len = text.n;
        s->time = *t;
        return true;
}

static void on_line(void *userdata, const struct scanfile *r, const char *line, size_t len, unsigned flags,
                    const struct logline *ll, const struct event *ev) {
        struct scan *s = userdata;
        struct timestamp t;
        bool timed = line_time(s, ll, &t);
        tally_add(&s->tally, ev->kind, event_label(ev), timed ? &t : NULL);
        if (s->json)
                print_event(s, r->file_lines, ll, ev, flags);
}

/* The unit an entry counts for: its own when followed, else the one it is about (PID 1's). */
static const char *unit_of(const struct scan *s, const struct journal_entry *e, size_t *index) {
        const char *const *names;
        size_t n = journal_units(s->j, &names);
        for (size_t i = 0; i < n; i++)
                if (strcmp(names[i], e->unit) == 0 || (e->about[0] && strcmp(names[i], e->about) == 0)) {
                        *index = i;
                        return names[i];
                }
        return NULL;
}

static void print_journal_event(struct scan *s, const struct journal_entry *e, const char *unit,
                                const struct timestamp *t, const struct logline *ll, const struct event *ev,
                                bool cut) {
        json_t *obj = s->event_json;
        char cursor[JOURNAL_CURSOR_MAX], iso[32];
        if (obj)
                json_object_clear(obj);
        else if (!(obj = s->event_json = json_object()))
                return;
        json_object_set_nocheck(obj, "journal", s->place_json);
        if (unit)
                json_object_set_new_nocheck(obj, "unit", json_bytes(unit, strlen(unit)));
        if (e->identifier[0])
                json_object_set_new_nocheck(obj, "identifier", json_bytes(e->identifier, strlen(e->identifier)));
        if (e->pid > 0)
                json_object_set_new_nocheck(obj, "pid", json_integer(e->pid));
        json_object_set_new_nocheck(obj, "realtime", json_integer((json_int_t) e->realtime));
        if (journal_cursor(s->j, cursor, sizeof(cursor)) == 0)
                json_object_set_new_nocheck(obj, "cursor", json_bytes(cursor, strlen(cursor)));
        event_json_fill(obj, ll, ev);
        json_object_set_new_nocheck(obj, "time", json_string_nocheck(timestamp_iso(t, iso)));
        if (cut)
                json_object_set_new(obj, "truncated", json_true());
        print_json_line(obj);
}

static void on_journal_line(void *userdata, const struct journal_entry *e, const char *line, size_t len, bool cut,
                            const struct logline *ll, const struct event *ev) {
        struct scan *s = userdata;
        size_t index = 0;
        const char *unit = unit_of(s, e, &index);
        if (unit)
                s->unit_lines[index]++;
        else if (e->kernel)
                s->kernel_lines++;
        else
                s->ident_lines++;
        if (ev->kind == KIND_NONE)
                return;
        /* the entry's own time, whatever the text says: what --since cut by */
        struct timestamp t = timestamp_from_time((time_t) (e->realtime / 1000000));
        t.usec = (int) (e->realtime % 1000000);
        tally_add(&s->tally, ev->kind, event_label(ev), &t);
        if (s->json)
                print_journal_event(s, e, unit, &t, ll, ev, cut);
        (void) line, (void) len;
}

static void say_journal_error(const struct scan *s, int r) {
        char path[512] = "";
        if (r == -EACCES && !s->place.files)
                journal_check_access(&s->place, path, sizeof(path));
        if (r == -EACCES || r == -EPERM)
                say_at(LOG_ERR, "journal: cannot read %s%s%s: %s; root and the members of the group "
                       "systemd-journal may (usermod -a -G systemd-journal USER, then log in again)",
                       s->place_text, path[0] ? ": " : "", path, strerror(-r));
        else if (r == -ENOENT && s->place.directory && access(s->place.directory, F_OK) < 0)
                say_at(LOG_ERR, "journal: %s: %s", s->place.directory, strerror(errno));
        else if (r == -ENOENT && s->place.directory)
                say_at(LOG_ERR, "journal: no journal files (*.journal) in %s or its subdirectories", s->place_text);
        else if (r == -ENOENT && !s->place.files)
                say_at(LOG_ERR, "journal: no journal files (*.journal) in /var/log/journal or /run/log/journal: "
                       "is systemd-journald running here? (--directory DIR reads a copy)");
        else
                say_at(LOG_ERR, "journal: cannot read %s: %s (errno %d)%s", s->place_text, strerror(-r), -r,
                       s->place.files && r != -ENOENT ? " (is it a journal file?)" : "");
}

/* Each unit that gave nothing: an unknown unit is no error, but says so. */
static void say_journal_units(const struct scan *s, const char *const *asked, size_t n_asked) {
        const char *const *names;
        size_t n = journal_units(s->j, &names);
        for (size_t i = 0; i < n_asked; i++) {
                bool matched = false;
                char name[JOURNAL_UNIT_MAX];
                if (journal_unit_name(asked[i], name, sizeof(name)) < 0)
                        snprintf(name, sizeof(name), "%s", asked[i]);
                for (size_t k = 0; k < n && !matched; k++)
                        matched = strpbrk(name, "*?[") ? fnmatch(name, names[k], 0) == 0 : strcmp(name, names[k]) == 0;
                if (!matched)
                        say("journal: %s matches no unit in %s", asked[i], s->place_text);
        }
        for (size_t k = 0; k < n; k++)
                if (!s->unit_lines[k])
                        say("journal: no entries of %s in %s%s%s", names[k], s->place_text,
                            s->since_text ? " since " : "", s->since_text ? s->since_text : "");
}

static void make_place_text(struct scan *s) {
        size_t at = 0;
        if (s->place.directory)
                snprintf(s->place_text, sizeof(s->place_text), "%s", s->place.directory);
        else if (!s->place.files)
                snprintf(s->place_text, sizeof(s->place_text), "the local journal");
        for (size_t i = 0; s->place.files && i < s->n_files && at < sizeof(s->place_text); i++) {
                int k = snprintf(s->place_text + at, sizeof(s->place_text) - at, "%s%s", i ? ", " : "", s->files[i]);
                at += k > 0 ? (size_t) k : 0;
        }
}

/* The journal's entries into the same tally and output as the files' lines. 0, or a negative errno. */
static int scan_journal(struct scan *s, uint64_t since) {
        static char line[SCANFILE_LINE_CAP + 256];
        const char *units[JOURNAL_MATCH_MAX];
        size_t n_units = 0, n_idents = 0;
        /* --unit: those units; else the daemon's defaults, its identifiers too */
        for (size_t i = 0; i < s->n_units; i++)
                units[n_units++] = s->units[i];
        for (size_t i = 0; !s->n_units && journal_default_units[i]; i++)
                units[n_units++] = journal_default_units[i];
        while (!s->n_units && journal_default_identifiers[n_idents])
                n_idents++;
        struct journal_filter f = { .units = units, .n_units = n_units, .identifiers = journal_default_identifiers,
                                    .n_identifiers = n_idents, .kernel = true };
        make_place_text(s);
        s->place_json = json_bytes(s->place_text, strlen(s->place_text));
        s->read_journal.since = since;
        int r = journal_open_read(&s->j, &s->place, &f, since);
        if (r < 0) {
                say_journal_error(s, r);
                return r;
        }
        const char *const *names;
        s->unit_lines = calloc(journal_units(s->j, &names) + 1, sizeof(*s->unit_lines));
        r = s->unit_lines ? journal_scan(&s->read_journal, s->j, line, sizeof(line), on_journal_line, s) : -ENOMEM;
        if (r < 0)
                say_at(LOG_ERR, "journal: reading %s failed after %llu entries: %s", s->place_text,
                       (unsigned long long) s->read_journal.entries, strerror(-r));
        else
                say_journal_units(s, units, n_units);
        return r;
}

static void journal_done(struct scan *s) {
        s->j = journal_free(s->j);
        free(s->unit_lines);
        s->unit_lines = NULL;
        json_decref(s->place_json);
        s->place_json = NULL;
}

static int scan_file(struct scan *s, const char *path) {
        s->file = path;
        s->file_json = json_bytes(path, strlen(path));
        bool in = strcmp(path, STDIN_NAME) == 0;
        int r = in ? scanfile_read_fd(&s->read, STDIN_FILENO, on_line, s) : scanfile_read(&s->read, path, on_line, s);
        json_decref(s->file_json);
        if (r < 0)
                say_file_error(in ? "standard input" : path, &s->read, r);
        return r;
}

/* "journal": {"source", "entries", "lines", "before_since" (entries), "units": {UNIT: lines},
 * "identifier_lines", "kernel_lines", "error"} */
static json_t *journal_summary_json(const struct scan *s) {
        json_t *units = json_object();
        const char *const *names;
        size_t n = s->j ? journal_units(s->j, &names) : 0;
        for (size_t i = 0; units && s->unit_lines && i < n; i++)
                json_set_any_key(units, names[i], json_integer((json_int_t) s->unit_lines[i]));
        json_t *o = json_pack("{s:O,s:I,s:I,s:I,s:o,s:I,s:I,s:b}", "source", s->place_json, "entries",
                              (json_int_t) s->read_journal.entries, "lines", (json_int_t) s->read_journal.lines,
                              "before_since", (json_int_t) s->read_journal.old_entries, "units", units,
                              "identifier_lines", (json_int_t) s->ident_lines, "kernel_lines",
                              (json_int_t) s->kernel_lines, "read", !s->journal_failed);
        return o;
}

static void print_summary_json(const struct scan *s) {
        json_t *kinds = json_object();
        for (unsigned k = 1; k < KIND__MAX; k++)
                if (s->tally.kinds[k].count)
                        json_object_set_new(kinds, kind_id((enum event_kind) k),
                                            json_integer((json_int_t) s->tally.kinds[k].count));
        json_t *sum = json_pack("{s:{s:I,s:I,s:I,s:I,s:o}}", "summary", "lines",
                                (json_int_t) (s->read.lines + s->read_journal.lines),
                                "before_since", (json_int_t) s->read.old_lines, "truncated",
                                (json_int_t) (s->read.truncated + s->read_journal.truncated), "unreadable_files",
                                (json_int_t) s->failed_files, "kinds", kinds);
        if (sum && s->journal)
                json_object_set_new(json_object_get(sum, "summary"), "journal", journal_summary_json(s));
        print_json_line(sum);
        json_decref(sum);
}

static const char *when(const struct tally_kind *tk, const struct timestamp *t, char buf[32]) {
        if (!tk->have_time)
                return "-";
        timestamp_iso(t, buf);
        buf[10] = ' ';
        buf[19] = '\0';
        return buf;
}

/* A label as the log wrote it, for a terminal: control bytes and bytes that are not UTF-8 as \xNN
 * (a log line may carry escape sequences). */
static void print_label(const char *p, size_t n) {
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char) p[i];
                size_t len = utf8_seq((const unsigned char *) p + i, n - i);
                if (len == 0 || c < 0x20 || c == 0x7f) {
                        printf("\\x%02x", c);
                        i++;
                        continue;
                }
                fwrite(p + i, 1, len, stdout);
                i += len;
        }
}

/* "unix:/run/php.sock (12), 127.0.0.1:9000 (3)" — the three most frequent. */
static void print_top(const struct tally *t, enum event_kind k) {
        size_t idx[TALLY_LABELS];
        size_t n = tally_top(t, k, idx);
        const struct tally_kind *tk = &t->kinds[k];
        for (size_t i = 0; i < n && i < 3; i++) {
                const struct tally_label *l = &tk->labels[idx[i]];
                bool pool = kind_info(k)->source == SOURCE_FPM;
                printf("%s%s", i ? ", " : "", pool && l->len ? "pool " : "");
                if (l->len)
                        print_label(l->text, l->len);
                else
                        fputs("-", stdout);
                printf(" (%zu)", l->count);
        }
        if (n > 3 || tk->other)
                printf(", …");
}

static void print_kinds(const struct scan *s) {
        char first[32], last[32], causes[128];
        printf("%-26s %7s  %-19s  %-19s  %-32s %s\n", "KIND", "COUNT", "FIRST", "LAST",
               "POINTS TO", "TOP UPSTREAMS / POOLS");
        for (unsigned k = 1; k < KIND__MAX; k++) {
                const struct tally_kind *tk = &s->tally.kinds[k];
                if (!tk->count)
                        continue;
                printf("%-26s %7zu  %-19s  %-19s  %-32s ", kind_id((enum event_kind) k), tk->count,
                       when(tk, &tk->first, first), when(tk, &tk->last, last),
                       kind_causes_str((enum event_kind) k, causes, sizeof(causes))[0] ? causes : "-");
                print_top(&s->tally, (enum event_kind) k);
                putchar('\n');
        }
}

/* Bucket widths a timeline may use, in minutes: the first that fits the span in TIMELINE_WIDTH. */
enum { TIMELINE_WIDTH = 48 };
static const int64_t bucket_minutes[] = {
        1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2 * 1440, 7 * 1440, 14 * 1440, 30 * 1440, 91 * 1440,
        365 * 1440,
};

static int64_t bucket_width(int64_t first, int64_t last) {
        size_t n = sizeof(bucket_minutes) / sizeof(bucket_minutes[0]);
        for (size_t i = 0; i < n; i++)
                if ((last - first) / bucket_minutes[i] < TIMELINE_WIDTH - 1)
                        return bucket_minutes[i];
        int64_t year = 365 * 1440;     /* past the ladder: whole years */
        return ((last - first) / (TIMELINE_WIDTH - 1) / year + 1) * year;
}

/* "5 min", "2 h", "1 d" */
static const char *width_text(int64_t minutes, char buf[32]) {
        if (minutes % 1440 == 0)
                snprintf(buf, 32, "%lld d", (long long) (minutes / 1440));
        else if (minutes % 60 == 0)
                snprintf(buf, 32, "%lld h", (long long) (minutes / 60));
        else
                snprintf(buf, 32, "%lld min", (long long) minutes);
        return buf;
}

/* "13:05" when the whole timeline lies in one day, else "2026-11-25 13:05". */
static const char *minute_text(int64_t minute, bool with_date, char buf[32]) {
        time_t when = (time_t) minute * 60;
        struct tm tm;
        gmtime_r(&when, &tm);   /* minutes of the log's own clock: no zone to apply */
        strftime(buf, 32, with_date ? "%Y-%m-%d %H:%M" : "%H:%M", &tm);
        return buf;
}

/* One mark per bucket, scaled to the row's busiest bucket; an empty bucket is a blank, so any
 * event at all shows. */
static void print_marks(const size_t *counts, size_t n, size_t most, bool ascii) {
        static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
        static const char levels[] = ".:-=+*#@";
        for (size_t i = 0; i < n; i++) {
                if (!counts[i]) {
                        putchar(' ');
                        continue;
                }
                size_t level = (counts[i] * 8 + most - 1) / most - 1;       /* 0..7 */
                if (ascii)
                        putchar(levels[level]);
                else
                        fputs(blocks[level], stdout);
        }
}

/* Per kind, when its lines came: a sparkline on one time axis for all kinds, first and last minute. */
static void print_timeline(const struct scan *s) {
        int64_t first, last;
        if (!tally_span(&s->tally, &first, &last))
                return;
        int64_t width = bucket_width(first, last), start = first - first % width;
        size_t n = (size_t) ((last - start) / width + 1), counts[TIMELINE_WIDTH];
        bool dated = first / 1440 != last / 1440;
        char a[32], b[32], c[32], w[32];
        width_text(width, w);
        printf("\nWhen (one mark per %s, from %s to %s; each row scaled to its own busiest mark):\n", w,
               minute_text(start, true, a), minute_text(start + (int64_t) n * width, dated, b));
        for (unsigned k = 1; k < KIND__MAX; k++) {
                const struct tally_kind *tk = &s->tally.kinds[k];
                if (!tk->nruns)
                        continue;
                size_t most = tally_buckets(&s->tally, (enum event_kind) k, start, width, counts, n);
                printf("  %-26s |", kind_id((enum event_kind) k));
                print_marks(counts, n, most, s->ascii);
                printf("| %s to %s, at most %zu per %s\n", minute_text(tally_minute(&tk->first), dated, a),
                       minute_text(tally_minute(&tk->last), dated, c), most, w);
        }
}

static void print_causes(const struct scan *s) {
        printf("\nWhat the lines point to (a line can support more than one cause):\n");
        for (unsigned c = 1; c < CAUSE__MAX; c++) {
                size_t n = tally_cause(&s->tally, (enum cause) c);
                if (n)
                        printf("  %-22s %7zu  %s\n", cause_id((enum cause) c), n, cause_text((enum cause) c));
        }
}

/* "journal (the local journal): nginx.service 0 lines, php8.2-fpm.service 12, SYSLOG_IDENTIFIER
 * nginx, php-fpm 0, the kernel's 3" */
static void print_journal_read(const struct scan *s) {
        const char *const *names;
        size_t n = journal_units(s->j, &names);
        printf("journal (%s):", s->place_text);
        for (size_t i = 0; i < n; i++)
                printf(" %s %zu%s,", names[i], s->unit_lines[i], i ? "" : " lines");
        if (!s->n_units) {
                printf(" SYSLOG_IDENTIFIER");
                for (size_t i = 0; journal_default_identifiers[i]; i++)
                        printf("%s %s", i ? "," : "", journal_default_identifiers[i]);
                printf(" %zu%s,", s->ident_lines, n ? "" : " lines");
        }
        printf(" the kernel's %zu\n", s->kernel_lines);
}

/* Whether any FILE or the journal was read: else no finding can be told from none. */
static bool read_any(const struct scan *s, int nfiles) {
        return (size_t) nfiles > s->failed_files || (s->journal && !s->journal_failed);
}

static void print_table(const struct scan *s, int nfiles) {
        size_t failures = 0;
        for (unsigned k = 1; k < KIND__MAX; k++)
                failures += s->tally.kinds[k].count;
        size_t truncated = s->read.truncated + s->read_journal.truncated;
        printf("badgatewayd scan: %d file%s, ", nfiles, nfiles == 1 ? "" : "s");
        if (s->journal)
                printf("%llu journal entries, ", (unsigned long long) s->read_journal.entries);
        printf("%zu lines, %zu classified", s->read.lines + s->read_journal.lines, failures);
        if (s->read.have_since && nfiles)
                printf(", %zu before --since", s->read.old_lines);
        if (truncated)
                printf(", %zu over %d KiB (truncated)", truncated, SCANFILE_LINE_CAP / 1024);
        printf("\n");
        if (s->journal && !s->journal_failed)
                print_journal_read(s);
        printf("\n");
        if (!read_any(s, nfiles)) {
                printf("No input could be read.\n");    /* its errors are on stderr */
                return;
        }
        if (!failures) {
                printf("No upstream failures found.\n");
                return;
        }
        print_kinds(s);
        print_timeline(s);
        print_causes(s);
}

static int parse_args(struct scan *s, int argc, char **argv) {
        static const struct option opts[] = {
                { "json", no_argument, NULL, 'j' },
                { "ascii", no_argument, NULL, 'a' },
                { "since", required_argument, NULL, 's' },
                { "help", no_argument, NULL, 'h' },
                { "journal", no_argument, NULL, 'J' },
                { "unit", required_argument, NULL, 'u' },
                { "directory", required_argument, NULL, 'D' },
                { "file", required_argument, NULL, 'F' },
                { 0 },
        };
        int c;
        while ((c = getopt_long(argc, argv, "hjs:u:D:", opts, NULL)) >= 0) {
                switch (c) {
                case 'j': s->json = true; break;
                case 'a': s->ascii = true; break;
                case 'h': usage(stdout); exit(0);
                case 's':
                        if (timestamp_parse_since(optarg, time(NULL), &s->since) < 0) {
                                fprintf(stderr, "badgatewayd scan: --since: cannot read '%s' as a time\n", optarg);
                                return -EINVAL;
                        }
                        s->read.since = timestamp_key(&s->since);
                        s->read.have_since = true;
                        s->since_text = optarg;
                        break;
                case 'J': s->journal = true; break;
                case 'u':
                        if (s->n_units >= JOURNAL_MATCH_MAX || !optarg[0] || strlen(optarg) >= JOURNAL_UNIT_MAX) {
                                fprintf(stderr, "badgatewayd scan: --unit '%s': %s\n", optarg, optarg[0] ?
                                        "too many units, or too long a name" : "empty");
                                return -EINVAL;
                        }
                        s->units[s->n_units++] = optarg;
                        s->journal = true;
                        break;
                case 'D':
                        s->place.directory = optarg;
                        s->journal = true;
                        break;
                case 'F':
                        if (s->n_files >= JOURNAL_MATCH_MAX) {
                                fprintf(stderr, "badgatewayd scan: more than %d --file\n", JOURNAL_MATCH_MAX);
                                return -EINVAL;
                        }
                        s->files[s->n_files++] = optarg;
                        s->place.files = s->files;
                        s->journal = true;
                        break;
                default: usage(stderr); return -EINVAL;
                }
        }
        if (s->place.directory && s->place.files) {
                fprintf(stderr, "badgatewayd scan: --directory and --file exclude each other\n");
                return -EINVAL;
        }
        if (optind >= argc && !s->journal) {
                fprintf(stderr, "badgatewayd scan: no FILE given (- reads standard input)\n");
                usage(stderr);
                return -EINVAL;
        }
        int stdins = 0;
        for (int i = optind; i < argc; i++)
                stdins += strcmp(argv[i], STDIN_NAME) == 0;
        if (stdins > 1) {
                fprintf(stderr, "badgatewayd scan: - (standard input) given %d times; it can be read once\n", stdins);
                return -EINVAL;
        }
        return 0;
}

/* --since as CLOCK_REALTIME µs: its time is this machine's local time (mktime). */
static uint64_t since_usec(const struct scan *s) {
        if (!s->read.have_since)
                return 0;
        struct tm tm = { .tm_year = s->since.year - 1900, .tm_mon = s->since.month - 1, .tm_mday = s->since.day,
                         .tm_hour = s->since.hour, .tm_min = s->since.min, .tm_sec = s->since.sec, .tm_isdst = -1 };
        time_t t = mktime(&tm);
        return t <= 0 ? 1 : (uint64_t) t * 1000000 + (uint64_t) s->since.usec;
}

/* The locale's character set, as setlocale(LC_CTYPE, "") would pick it from the environment. */
static bool utf8_locale(void) {
        const char *vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
        for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
                const char *v = getenv(vars[i]);
                if (v && *v)
                        return strcasestr(v, "utf-8") || strcasestr(v, "utf8");
        }
        return false;
}

int scan_main(int argc, char **argv) {
        static struct scan s;
        tally_init(&s.tally);
        s.ascii = !utf8_locale();
        if (parse_args(&s, argc, argv) < 0)
                return 64;
        static char outbuf[1 << 16];
        setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
        for (int i = optind; i < argc; i++)
                if (scan_file(&s, argv[i]) < 0)
                        s.failed_files++;
        if (s.journal && scan_journal(&s, since_usec(&s)) < 0)
                s.journal_failed = true;
        if (s.json)
                print_summary_json(&s);
        else
                print_table(&s, argc - optind);
        fflush(stdout);
        journal_done(&s);
        json_decref(s.event_json);
        tally_done(&s.tally);
        return s.failed_files || s.journal_failed ? 2 : 0;
}
