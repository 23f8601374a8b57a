/* The journal on the loop: its descriptor in an ev_io, each entry's lines into the feed. */
#include "journalwatch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-login.h>

#include "classify.h"
#include "journal_lines.h"
#include "clock.h"
#include "diag.h"
#include "metrics.h"
#include "tailers.h"
#include "say.h"

#define JOURNALD_DIR "/run/systemd/journal"     /* there when journald runs */
#define SELF_IDENTIFIER "badgatewayd"           /* lib/sinks/sink_journal.c's */

enum { LINE_MAX_BYTES = 16384 };                /* a longer line is cut, as tail.c does */

static void on_readable(EV_P_ ev_io *io, int revents);
static void on_timer(EV_P_ ev_timer *t, int revents);

void journalwatch_init(struct journalwatch *w, struct ev_loop *loop, struct feed *feed) {
        *w = (struct journalwatch) { .loop = loop, .feed = feed };
        ev_init(&w->io, on_readable);
        ev_init(&w->timer, on_timer);
        w->io.data = w->timer.data = w;
}

/* An entry's unit as a log: the pools it runs log there (the first is the fallback). */
static struct log_ref unit_log(const struct journalwatch *w, const char *unit) {
        struct log_ref ref = { unit, -1, 0 };
        for (int i = 0; unit[0] && i < w->n_pools; i++)
                if (strcmp(w->pool_units[i], unit) == 0) {
                        ref.pool = ref.pool < 0 ? i : ref.pool;
                        ref.pools |= 1ULL << i;
                }
        return ref;
}

/* One line of an entry, as a tailed log's line would be. */
static void feed_line(void *userdata, const struct journal_entry *e, const char *line, size_t len, bool cut,
                      const struct logline *ll, const struct event *ev) {
        struct journalwatch *w = userdata;
        struct feed *f = w->feed;
        f->lines++;
        w->lines++;
        if (ev->kind == KIND_NONE)
                return;
        f->classified++;
        diag_set_late(f->diag, w->catching_up);
        struct log_ref ref = unit_log(w, e->unit);
        tailers_feed_event(f, &ref, ev, line, len, w->now);
        f->changed = true;
}

static void feed_entry(struct journalwatch *w, const struct journal_entry *e) {
        static char line[LINE_MAX_BYTES + 256];
        w->entries++;
        journal_lines(e, line, sizeof(line), feed_line, w);
}

static void arm_timer(struct journalwatch *w) {
        uint64_t due = journal_timeout(w->journal), now = clock_monotonic_usec();
        ev_timer_stop(w->loop, &w->timer);
        if (due == UINT64_MAX)
                return;
        ev_timer_set(&w->timer, due > now ? (double) (due - now) / 1e6 : 0.001, 0.);
        ev_timer_start(w->loop, &w->timer);
}

static void say_error(struct journalwatch *w, int r) {
        if (r < 0 && r != w->last_error)
                say_at(LOG_ERR, "journal: %s; entries are not read until it changes", strerror(-r));
        w->last_error = r;
}

static void read_entries(struct journalwatch *w) {
        if (w->hold && w->catching_up)
                return;         /* until journalwatch_release() */
        struct journal_entry e;
        uint64_t before = w->entries;
        int r;
        w->now = clock_realtime_usec();
        while ((r = journal_next(w->journal, &e)) > 0) {
                if (w->catching_up && w->catch_up_age && e.realtime + w->catch_up_age < w->now)
                        w->skipped_old++;       /* CatchUpAge, as for a log's lines */
                else
                        feed_entry(w, &e);
        }
        say_error(w, r < 0 ? r : 0);
        if (w->catching_up) {
                say("journal: caught up %llu entries written while stopped", (unsigned long long) (w->entries - before));
                if (w->skipped_old)
                        say_at(LOG_NOTICE, "journal: skipped %llu entries written while stopped, older than CatchUpAge (%llu s)",
                               (unsigned long long) w->skipped_old, (unsigned long long) (w->catch_up_age / 1000000));
                w->catching_up = false;
        }
}

static void on_readable(EV_P_ ev_io *io, int revents) {
        struct journalwatch *w = io->data;
        int r = journal_process(w->journal);
        say_error(w, r < 0 ? r : 0);
        read_entries(w);
        arm_timer(w);
}

static void on_timer(EV_P_ ev_timer *t, int revents) {
        on_readable(EV_A_ &((struct journalwatch *) t->data)->io, revents);
}

static bool follow(const struct config *c) {
        if (c->journal_follow != CONFIG_JOURNAL_AUTO)
                return c->journal_follow == CONFIG_JOURNAL_YES;
        return access(JOURNALD_DIR, F_OK) == 0;
}

static void add_name(struct journalwatch *w, size_t *n, const char *name) {
        for (size_t i = 0; i < w->n_units + w->n_identifiers; i++)
                if (strcmp(w->names[i], name) == 0 && (i < w->n_units) == (n == &w->n_units))
                        return;
        if (w->n_units + w->n_identifiers < sizeof(w->names) / sizeof(w->names[0])) {
                snprintf(w->names[w->n_units + w->n_identifiers], sizeof(w->names[0]), "%s", name);
                (*n)++;
        }
}

/* The units first, then the identifiers: the configured ones, else nginx's and the pools'. */
static void choose(struct journalwatch *w, const struct config *c, bool kernel_elsewhere) {
        w->n_units = w->n_identifiers = 0;
        w->n_pools = c->n_pools;
        for (int i = 0; i < c->n_pools; i++)
                snprintf(w->pool_units[i], sizeof(w->pool_units[i]), "%s", c->pools[i].unit);
        for (int i = 0; i < c->n_journal_units; i++) {
                char name[JOURNAL_UNIT_MAX];    /* as journalctl -u names it: "php8.2-fpm.service" */
                if (journal_unit_name(c->journal_units[i], name, sizeof(name)) < 0)
                        snprintf(name, sizeof(name), "%s", c->journal_units[i]);
                add_name(w, &w->n_units, name);
        }
        if (!c->n_journal_units) {
                /* the defaults' glob stands for the pools' units, which discovery found */
                for (size_t i = 0; journal_default_units[i]; i++)
                        if (!strpbrk(journal_default_units[i], "*?["))
                                add_name(w, &w->n_units, journal_default_units[i]);
                for (int i = 0; i < c->n_pools; i++)
                        if (c->pools[i].unit[0])
                                add_name(w, &w->n_units, c->pools[i].unit);
        }
        for (int i = 0; i < c->n_journal_identifiers; i++)
                add_name(w, &w->n_identifiers, c->journal_identifiers[i]);
        for (size_t i = 0; !c->n_journal_identifiers && journal_default_identifiers[i]; i++)
                add_name(w, &w->n_identifiers, journal_default_identifiers[i]);
        w->kernel = c->journal_kernel && !kernel_elsewhere;
}

/* Whether a reload may keep the journal as opened: a glob is matched again at each reload, since
 * the units it stands for may have come since (a php version installed). */
static bool same_filter(const struct journalwatch *a, const struct journalwatch *b) {
        if (a->n_units != b->n_units || a->n_identifiers != b->n_identifiers || a->kernel != b->kernel)
                return false;
        for (size_t i = 0; i < a->n_units; i++)
                if (strpbrk(a->names[i], "*?["))
                        return false;
        for (size_t i = 0; i < a->n_units + a->n_identifiers; i++)
                if (strcmp(a->names[i], b->names[i]) != 0)
                        return false;
        return true;
}

static void close_journal(struct journalwatch *w) {
        if (!w->journal)
                return;
        ev_io_stop(w->loop, &w->io);
        ev_timer_stop(w->loop, &w->timer);
        w->journal = journal_free(w->journal);
}

/* The units as opened (a glob replaced by the units it matched), then the identifiers. */
static void say_following(const struct journalwatch *w) {
        char list[1024] = "";
        size_t at = 0;
        const char *const *units;
        size_t n_units = journal_units(w->journal, &units);
        for (size_t i = 0; i < n_units + w->n_identifiers && at < sizeof(list); i++) {
                int k = snprintf(list + at, sizeof(list) - at, "%s%s%s", at ? ", " : "",
                                 i < n_units ? "" : "SYSLOG_IDENTIFIER=",
                                 i < n_units ? units[i] : w->names[w->n_units + i - n_units]);
                at += k > 0 ? (size_t) k : 0;
        }
        say("journal: following %s%s", list, w->kernel ? ", the kernel's messages" :
            w->kernel_elsewhere ? " (the kernel's messages from /dev/kmsg)" : "");
}

static int open_journal(struct journalwatch *w, const char *cursor, bool restart) {
        const char *units[sizeof(w->names) / sizeof(w->names[0])], *idents[sizeof(w->names) / sizeof(w->names[0])];
        char *self_unit = NULL;
        for (size_t i = 0; i < w->n_units; i++)
                units[i] = w->names[i];
        for (size_t i = 0; i < w->n_identifiers; i++)
                idents[i] = w->names[w->n_units + i];
        sd_pid_get_unit(0, &self_unit);         /* none when not run by systemd */
        struct journal_filter f = { units, w->n_units, idents, w->n_identifiers, w->kernel, self_unit,
                                    SELF_IDENTIFIER, getpid() };
        int r = journal_open(&w->journal, NULL, &f);
        free(self_unit);
        if (r < 0)
                return r;
        if (cursor && cursor[0] && journal_seek_cursor(w->journal, cursor) < 0)
                say_at(LOG_WARNING, "journal: the saved cursor cannot be read; starting at the journal's end");
        else if (cursor && cursor[0])
                w->catching_up = restart;
        int fd = journal_fd(w->journal);
        if (fd < 0) {
                w->journal = journal_free(w->journal);
                return fd;
        }
        ev_io_set(&w->io, fd, EV_READ);
        ev_io_start(w->loop, &w->io);
        return 0;
}

void journalwatch_update(struct journalwatch *w, const struct config *c, const char *cursor) {
        struct journalwatch *want = calloc(1, sizeof(*want));
        char last[JOURNAL_CURSOR_MAX];
        if (!want) {
                say_at(LOG_ERR, "journal: %s", strerror(ENOMEM));
                return;
        }
        choose(want, c, w->kernel_elsewhere);
        w->catch_up_age = c->catch_up_age_usec;
        bool on = follow(c), same = w->journal && same_filter(w, want);
        memcpy(w->pool_units, want->pool_units, sizeof(w->pool_units));
        w->n_pools = want->n_pools;
        if (on && same) {
                free(want);
                return;
        }
        bool restart = !w->journal;
        if (w->journal && journal_cursor(w->journal, last, sizeof(last)) == 0)
                cursor = last;          /* a reload goes on where it was */
        close_journal(w);
        if (!on) {
                if (c->journal_follow == CONFIG_JOURNAL_AUTO && access(JOURNALD_DIR, F_OK) < 0 && !w->said_off)
                        say_at(LOG_NOTICE, "journal: not followed (no journald: %s is missing)", JOURNALD_DIR);
                w->said_off = true;     /* once, not at every reload */
                free(want);
                return;
        }
        w->said_off = false;
        memcpy(w->names, want->names, sizeof(w->names));
        w->n_units = want->n_units;
        w->n_identifiers = want->n_identifiers;
        w->kernel = want->kernel;
        free(want);
        int r = open_journal(w, cursor, restart);
        if (r == -ENOENT && w->n_units && !w->n_identifiers && !w->kernel) {
                say_at(LOG_WARNING, "journal: Units= matches no unit in the journal yet; matched again at "
                       "the next reload (systemctl reload badgatewayd)");
                return;
        }
        if (r < 0) {
                say_at(LOG_ERR, "journal: cannot open it: %s%s", strerror(-r),
                    r == -EACCES || r == -EPERM ? " (the group systemd-journal reads it)" : "");
                return;
        }
        say_following(w);
        if (w->catching_up)
                say("journal: resuming after the entry read last before the stop");
        read_entries(w);
        arm_timer(w);
}

void journalwatch_release(struct journalwatch *w) {
        w->hold = false;
        if (w->journal)
                read_entries(w);
}

void journalwatch_drain(struct journalwatch *w) {
        if (w->journal) {
                journal_process(w->journal);
                read_entries(w);
        }
}

void journalwatch_count(const struct journalwatch *w, struct metrics *m) {
        if (w->journal)
                metrics_set(m, METRIC_LOG_LINES, (const char *[]) { "journal" }, (double) w->lines);
}

bool journalwatch_reads_kernel(const struct journalwatch *w) {
        return w->journal && w->kernel;
}

bool journalwatch_cursor(const struct journalwatch *w, char *buf, size_t size) {
        return w->journal && journal_cursor(w->journal, buf, size) == 0;
}

void journalwatch_free(struct journalwatch *w) {
        if (w->journal)
                say("journal: %llu entries read, %llu of this daemon's own skipped", (unsigned long long) w->entries,
                    (unsigned long long) journal_skipped_own(w->journal));
        close_journal(w);
}
