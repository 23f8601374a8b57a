/* The journal as a log source: sd-journal matches, the daemon's own entries skipped, a cursor. */
#include "journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
};

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

/* Units OR identifiers OR the kernel: each field's matches in a disjunction of its own. */
static int add_matches(sd_journal *j, const struct journal_filter *f) {
        int r = 0;
        for (size_t i = 0; r >= 0 && i < f->n_units; i++)
                r = add_match(j, "_SYSTEMD_UNIT", f->units[i]);
        if (r >= 0 && f->n_units)
                r = sd_journal_add_disjunction(j);
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

int journal_open(struct journal **ret, const char *directory, const struct journal_filter *f) {
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
        int r = directory ? sd_journal_open_directory(&j->j, directory, 0) :
                sd_journal_open(&j->j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r >= 0)
                r = add_matches(j->j, f);
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
                free(j);
        }
        return NULL;
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
