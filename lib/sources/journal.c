/* The journal as a log source: sd-journal matches, the daemon's own entries skipped, a cursor. */
#include "journal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "kinds.h"
#include "resolved.h"

struct journal {
        sd_journal *j;
        char cursor[JOURNAL_CURSOR_MAX];        /* the last entry gone past; "" none */
        bool skip_cursor;               /* after a seek: the entry at the cursor was read before */
        char self_unit[JOURNAL_UNIT_MAX];
        char self_identifier[JOURNAL_IDENT_MAX];
        pid_t self_pid;
        uint64_t skipped_own;
        char **units;                   /* journal_open_read(): the units matched, globs expanded */
        size_t n_units;
};

const char *const journal_default_units[] = { "nginx.service", "php*-fpm*.service", NULL };
const char *const journal_default_identifiers[] = { "nginx", "php-fpm", NULL };

/* The coredump's MESSAGE_ID that journalctl -u matches (systemd's SD_MESSAGE_COREDUMP). */
#define COREDUMP_MESSAGE_ID "fc2e22bc6ee647b6b90729ab34a250b1"

/* FIELD's value: sd_journal_get_data() gives "FIELD=value". */
static bool get(sd_journal *j, const char *field, const char **p, size_t *n) {
        const void *d;
        size_t l, fl = strlen(field);
        if (sd_journal_get_data(j, field, &d, &l) < 0 || l <= fl)
                return false;
        *p = (const char *) d + fl + 1;
        *n = l - fl - 1;
        return true;
}

static bool get_str(sd_journal *j, const char *field, char *out, size_t size) {
        const char *p;
        size_t n;
        if (!get(j, field, &p, &n) || n >= size || memchr(p, '\0', n))
                return false;
        memcpy(out, p, n);
        out[n] = '\0';
        return true;
}

static bool field_is(sd_journal *j, const char *field, const char *value) {
        const char *p;
        size_t n;
        return value && value[0] && get(j, field, &p, &n) && n == strlen(value) && memcmp(p, value, n) == 0;
}

static long get_long(sd_journal *j, const char *field) {
        char s[24], *end;
        if (!get_str(j, field, s, sizeof(s)))
                return 0;
        long v = strtol(s, &end, 10);
        return *end || v < 0 ? 0 : v;
}

static bool own_message_id(sd_journal *j) {
        char id[64];
        if (!get_str(j, "MESSAGE_ID", id, sizeof(id)))
                return false;
        for (int c = 0; c < CAUSE__MAX; c++)
                if (c != CAUSE_NONE && (strcmp(id, cause_message_id((enum cause) c)) == 0 ||
                                        strcmp(id, cause_resolved_message_id((enum cause) c)) == 0))
                        return true;
        return false;
}

/* The daemon's own entries: its alerts (sink_journal.c's fields) and what it says on stderr. */
static bool own(struct journal *j) {
        const char *p;
        size_t n;
        if (get(j->j, "BADGATEWAY_CAUSE", &p, &n) || own_message_id(j->j))
                return true;
        if (field_is(j->j, "_SYSTEMD_UNIT", j->self_unit) || field_is(j->j, "SYSLOG_IDENTIFIER", j->self_identifier))
                return true;
        return j->self_pid > 0 && get_long(j->j, "_PID") == j->self_pid;
}

static int add_match(sd_journal *j, const char *field, const char *value) {
        char m[JOURNAL_UNIT_MAX + 32];
        int n = snprintf(m, sizeof(m), "%s=%s", field, value);
        if (n < 0 || (size_t) n >= sizeof(m) || !value[0])
                return -EINVAL;
        return sd_journal_add_match(j, m, (size_t) n);
}

static int add_unit_matches(sd_journal *j, const char *field, char *const *units, size_t n) {
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = add_match(j, field, units[i]);
        return r;
}

/* journalctl -u's terms past the unit's own entries (systemd 252's add_matches_for_unit()): what
 * PID 1, root's daemons and systemd-coredump say about the units. Each term ANDs its fields, a
 * field's values OR. */
static int add_about_matches(sd_journal *j, char *const *units, size_t n) {
        int r = sd_journal_add_match(j, "_PID=1", 0);
        if (r >= 0)
                r = add_unit_matches(j, "UNIT", units, n);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0)
                r = sd_journal_add_match(j, "_UID=0", 0);
        if (r >= 0)
                r = add_unit_matches(j, "OBJECT_SYSTEMD_UNIT", units, n);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        if (r >= 0)
                r = sd_journal_add_match(j, "MESSAGE_ID=" COREDUMP_MESSAGE_ID, 0);
        if (r >= 0)
                r = sd_journal_add_match(j, "_UID=0", 0);
        if (r >= 0)
                r = add_unit_matches(j, "COREDUMP_UNIT", units, n);
        if (r >= 0)
                r = sd_journal_add_disjunction(j);
        return r;
}

/* Units OR identifiers OR the kernel: each field's matches in a disjunction of its own. */
static int add_matches(sd_journal *j, char *const *units, size_t n_units, bool about, const struct journal_filter *f) {
        int r = add_unit_matches(j, "_SYSTEMD_UNIT", units, n_units);
        if (r >= 0 && n_units)
                r = sd_journal_add_disjunction(j);
        if (r >= 0 && n_units && about)
                r = add_about_matches(j, units, n_units);
        for (size_t i = 0; r >= 0 && i < f->n_identifiers; i++)
                r = add_match(j, "SYSLOG_IDENTIFIER", f->identifiers[i]);
        if (r >= 0 && f->n_identifiers)
                r = sd_journal_add_disjunction(j);
        if (r >= 0 && f->kernel)
                r = add_match(j, "_TRANSPORT", "kernel");
        return r < 0 ? r : 0;
}

static void remember_cursor(struct journal *j) {
        char *c = NULL;
        if (sd_journal_get_cursor(j->j, &c) >= 0 && strlen(c) < sizeof(j->cursor))
                strcpy(j->cursor, c);
        free(c);
}

/* A journal with f's own entries noted and nothing opened yet. */
static int journal_new(struct journal **ret, const struct journal_filter *f) {
        if (!f->n_units && !f->n_identifiers && !f->kernel)
                return -EINVAL;
        if (f->n_units + f->n_identifiers > JOURNAL_MATCH_MAX)
                return -E2BIG;
        struct journal *j = calloc(1, sizeof(*j));
        if (!j)
                return -ENOMEM;
        snprintf(j->self_unit, sizeof(j->self_unit), "%s", f->self_unit ? f->self_unit : "");
        snprintf(j->self_identifier, sizeof(j->self_identifier), "%s", f->self_identifier ? f->self_identifier : "");
        j->self_pid = f->self_pid;
        *ret = j;
        return 0;
}

static int expand_units(struct journal *j, const struct journal_filter *f);

int journal_open(struct journal **ret, const char *directory, const struct journal_filter *f) {
        struct journal *j;
        int r = journal_new(&j, f);
        if (r < 0)
                return r;
        r = directory ? sd_journal_open_directory(&j->j, directory, 0) :
                sd_journal_open(&j->j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r >= 0)
                r = expand_units(j, f);
        if (r >= 0 && !j->n_units && !f->n_identifiers && !f->kernel)
                r = -ENOENT;    /* only globs, and none matched: nothing to follow, not everything */
        if (r >= 0)
                r = add_matches(j->j, j->units, j->n_units, false, f);
        if (r >= 0)
                r = sd_journal_seek_tail(j->j);
        /* on the last entry: journal_next() goes on from there, and its cursor is where a restart
         * resumes if nothing more came. None: from the head, since sd_journal_next() from the tail
         * would give only the last of the entries that come meanwhile (systemd 252). */
        if (r >= 0 && (r = sd_journal_previous(j->j)) > 0)
                remember_cursor(j);
        else if (r == 0)
                r = sd_journal_seek_head(j->j);
        if (r < 0) {
                journal_free(j);
                return r;
        }
        *ret = j;
        return 0;
}

struct journal *journal_free(struct journal *j) {
        if (j) {
                sd_journal_close(j->j);
                for (size_t i = 0; i < j->n_units; i++)
                        free(j->units[i]);
                free(j->units);
                free(j);
        }
        return NULL;
}

static bool is_glob(const char *s) {
        return strpbrk(s, "*?[") != NULL;
}

/* The types a unit name may end in (systemd 252's unit_type_table, src/basic/unit-def.c). */
static bool has_unit_type(const char *name) {
        static const char *const types[] = { "service", "mount", "swap", "socket", "target", "device",
                                             "automount", "timer", "path", "slice", "scope" };
        const char *dot = strrchr(name, '.');
        for (size_t i = 0; dot && dot > name && i < sizeof(types) / sizeof(types[0]); i++)
                if (strcmp(dot + 1, types[i]) == 0)
                        return true;
        return false;
}

int journal_unit_name(const char *name, char *out, size_t size) {
        static const char valid[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ:-_.\\@";
        size_t at = 0;
        if (!name[0])
                return -EINVAL;
        if (is_glob(name))
                return snprintf(out, size, "%s", name) < (int) size ? 0 : -ENAMETOOLONG;
        for (const char *c = name; *c && at < size; c++) {
                int k = *c == '/' ? snprintf(out + at, size - at, "-") :
                        strchr(valid, *c) ? snprintf(out + at, size - at, "%c", *c) :
                        snprintf(out + at, size - at, "\\x%02x", (unsigned char) *c);
                at += (size_t) k;
        }
        if (at < size && !has_unit_type(out))
                at += (size_t) snprintf(out + at, size - at, ".service");
        return at < size ? 0 : -ENAMETOOLONG;
}

static int add_unit(struct journal *j, const char *name) {
        for (size_t i = 0; i < j->n_units; i++)
                if (strcmp(j->units[i], name) == 0)
                        return 0;
        if (j->n_units >= JOURNAL_MATCH_MAX)
                return -E2BIG;
        char **u = realloc(j->units, (j->n_units + 1) * sizeof(*u));
        if (!u)
                return -ENOMEM;
        j->units = u;
        if (!(u[j->n_units] = strdup(name)))
                return -ENOMEM;
        j->n_units++;
        return 0;
}

/* The names of field's values in the whole journal (matches aside) that glob matches. */
static int add_glob(struct journal *j, const char *field, const char *glob) {
        const void *d;
        size_t l, fl = strlen(field);
        char name[JOURNAL_UNIT_MAX];
        int r = sd_journal_query_unique(j->j, field);
        if (r < 0)
                return r;
        SD_JOURNAL_FOREACH_UNIQUE(j->j, d, l) {
                if (l <= fl + 1 || l - fl - 1 >= sizeof(name))
                        continue;
                memcpy(name, (const char *) d + fl + 1, l - fl - 1);
                name[l - fl - 1] = '\0';
                if (strlen(name) == l - fl - 1 && fnmatch(glob, name, 0) == 0 && (r = add_unit(j, name)) < 0)
                        break;
        }
        sd_journal_restart_unique(j->j);
        return r < 0 ? r : 0;
}

static int by_name(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* f's units, each glob replaced by the names it matches, as journalctl -u finds them. */
static int expand_units(struct journal *j, const struct journal_filter *f) {
        static const char *const fields[] = { "_SYSTEMD_UNIT", "UNIT", "OBJECT_SYSTEMD_UNIT", "COREDUMP_UNIT" };
        int r = 0;
        for (size_t i = 0; r >= 0 && i < f->n_units; i++) {
                char name[JOURNAL_UNIT_MAX];
                if (!is_glob(f->units[i])) {
                        if ((r = journal_unit_name(f->units[i], name, sizeof(name))) >= 0)
                                r = add_unit(j, name);
                        continue;
                }
                for (size_t k = 0; r >= 0 && k < sizeof(fields) / sizeof(fields[0]); k++)
                        r = add_glob(j, fields[k], f->units[i]);
        }
        if (j->n_units > 1)
                qsort(j->units, j->n_units, sizeof(*j->units), by_name);
        return r;
}

static int open_place(sd_journal **j, const struct journal_place *where) {
        if (where->files)
                return sd_journal_open_files(j, (const char **) where->files, 0);
        if (where->directory)
                return sd_journal_open_directory(j, where->directory, 0);
        return sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
}

int journal_open_read(struct journal **ret, const struct journal_place *where, const struct journal_filter *f,
                      uint64_t since) {
        struct journal *j;
        char why[1];
        int r = journal_new(&j, f);
        if (r < 0)
                return r;
        if (!where->files && (r = journal_check_access(where, why, sizeof(why))) < 0) {
                journal_free(j);
                return r;
        }
        r = open_place(&j->j, where);
        if (r >= 0)
                r = expand_units(j, f);
        if (r >= 0 && !j->n_units && !f->n_identifiers && !f->kernel)
                r = -EINVAL;    /* only globs, and none matched: nothing to read, not everything */
        if (r >= 0)
                r = add_matches(j->j, j->units, j->n_units, true, f);
        if (r >= 0)
                r = since ? sd_journal_seek_realtime_usec(j->j, since) : sd_journal_seek_head(j->j);
        if (r < 0) {
                journal_free(j);
                return r;
        }
        *ret = j;
        return 0;
}

size_t journal_units(const struct journal *j, const char *const **names) {
        *names = (const char *const *) j->units;
        return j->n_units;
}

static bool journal_file_name(const char *name) {
        size_t n = strlen(name);
        return (n > 8 && strcmp(name + n - 8, ".journal") == 0) || (n > 9 && strcmp(name + n - 9, ".journal~") == 0);
}

/* Counts the journal files in dir (and, depth > 0, its subdirectories) and those that may be
 * read; the first that may not into path. */
static void count_files(const char *dir, int depth, size_t *found, size_t *readable, char *path, size_t size) {
        DIR *d = opendir(dir);
        struct dirent *de;
        if (!d && errno == EACCES) {
                (*found)++;     /* the directory itself may not be read: its files neither */
                if (!path[0] && size)
                        snprintf(path, size, "%s", dir);
        }
        if (!d)
                return;
        while ((de = readdir(d))) {
                char p[4096];
                if (de->d_name[0] == '.' || snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= (int) sizeof(p))
                        continue;
                if (!journal_file_name(de->d_name)) {
                        if (depth > 0 && (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN))
                                count_files(p, depth - 1, found, readable, path, size);
                        continue;
                }
                (*found)++;
                int fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                if (fd >= 0) {
                        (*readable)++;
                        close(fd);
                } else if (!path[0] && size) {
                        snprintf(path, size, "%s", p);
                }
        }
        closedir(d);
}

int journal_check_access(const struct journal_place *where, char *path, size_t size) {
        static const char *const local[] = { "/var/log/journal", "/run/log/journal" };
        size_t found = 0, readable = 0;
        if (size)
                path[0] = '\0';
        if (where->files)
                return 0;
        if (where->directory)
                count_files(where->directory, 1, &found, &readable, path, size);
        for (size_t i = 0; !where->directory && i < sizeof(local) / sizeof(local[0]); i++)
                count_files(local[i], 1, &found, &readable, path, size);
        return readable ? 0 : found ? -EACCES : -ENOENT;
}

int journal_seek_cursor(struct journal *j, const char *cursor) {
        if (!cursor[0] || strlen(cursor) >= sizeof(j->cursor))
                return -EINVAL;
        int r = sd_journal_seek_cursor(j->j, cursor);
        if (r < 0)
                return r;
        strcpy(j->cursor, cursor);
        j->skip_cursor = true;
        return 0;
}

static void fill(struct journal *j, struct journal_entry *e) {
        uint64_t t = 0;
        *e = (struct journal_entry) { .message = "" };
        if (!get(j->j, "MESSAGE", &e->message, &e->message_len))
                e->message = "", e->message_len = 0;
        if (sd_journal_get_realtime_usec(j->j, &t) >= 0)
                e->realtime = t;
        get_str(j->j, "_SYSTEMD_UNIT", e->unit, sizeof(e->unit));
        if (!get_str(j->j, "UNIT", e->about, sizeof(e->about)) &&
            !get_str(j->j, "OBJECT_SYSTEMD_UNIT", e->about, sizeof(e->about)))
                get_str(j->j, "COREDUMP_UNIT", e->about, sizeof(e->about));
        e->kernel = field_is(j->j, "_TRANSPORT", "kernel");
        if (!get_str(j->j, "SYSLOG_IDENTIFIER", e->identifier, sizeof(e->identifier)) &&
            !get_str(j->j, "_COMM", e->identifier, sizeof(e->identifier)) && e->kernel)
                strcpy(e->identifier, "kernel");
        e->pid = get_long(j->j, "_PID");
        if (!e->pid)
                e->pid = get_long(j->j, "SYSLOG_PID");
}

int journal_next(struct journal *j, struct journal_entry *e) {
        for (;;) {
                int r = sd_journal_next(j->j);
                if (r <= 0)
                        return r;
                if (j->skip_cursor) {
                        j->skip_cursor = false;
                        if (sd_journal_test_cursor(j->j, j->cursor) > 0)
                                continue;       /* read before the restart */
                }
                remember_cursor(j);
                if (own(j)) {
                        j->skipped_own++;
                        continue;
                }
                fill(j, e);
                return 1;
        }
}

int journal_cursor(const struct journal *j, char *buf, size_t size) {
        if (!j->cursor[0])
                return -ENODATA;
        if (strlen(j->cursor) >= size)
                return -ENOBUFS;
        strcpy(buf, j->cursor);
        return 0;
}

uint64_t journal_skipped_own(const struct journal *j) {
        return j->skipped_own;
}

int journal_fd(struct journal *j) {
        return sd_journal_get_fd(j->j);
}

int journal_process(struct journal *j) {
        return sd_journal_process(j->j);
}

uint64_t journal_timeout(struct journal *j) {
        uint64_t t;
        return sd_journal_get_timeout(j->j, &t) < 0 ? UINT64_MAX : t;
}

size_t journal_line(const struct journal_entry *e, const char *text, size_t n, char *buf, size_t size) {
        struct tm tm;
        time_t s = (time_t) (e->realtime / 1000000);
        char when[32], zone[8];
        int pid = e->pid > 0 && e->pid <= 0x7fffffff ? (int) e->pid : 0;
        if (!localtime_r(&s, &tm) || !strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm) ||
            !strftime(zone, sizeof(zone), "%z", &tm))
                snprintf(when, sizeof(when), "1970-01-01T00:00:00"), snprintf(zone, sizeof(zone), "+0000");
        char pidtext[16] = "", tag[65];
        if (pid)
                snprintf(pidtext, sizeof(pidtext), "[%d]", pid);
        /* a syslog tag has no spaces, colons or brackets (unwrap.c's is_tag()) */
        snprintf(tag, sizeof(tag), "%.64s", e->identifier[0] ? e->identifier : "journal");
        for (char *c = tag; *c; c++)
                if (*c == ' ' || *c == ':' || *c == '[' || *c == ']' || (unsigned char) *c < 0x20)
                        *c = '_';
        int h = snprintf(buf, size, "%s.%06u%s %s%s: ", when, (unsigned) (e->realtime % 1000000), zone, tag, pidtext);
        size_t head = h < 0 ? 0 : (size_t) h < size ? (size_t) h : size - 1;
        size_t room = size - head;
        if (n > room)
                n = room;
        memcpy(buf + head, text, n);
        return head + n;
}
