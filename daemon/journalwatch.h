/* The journal as a live source on the libev loop: lib/sources/journal.c's descriptor watched,
 * each entry's MESSAGE fed like a tailed log line (classify, then the feed's diagnosis), and the
 * cursor of the last entry read, for the state file. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "config.h"
#include "feed.h"
#include "journal.h"

struct journalwatch {
        struct ev_loop *loop;
        struct feed *feed;
        uint64_t now;                   /* CLOCK_REALTIME µs of the batch being read */
        struct journal *journal;        /* NULL: not followed */
        ev_io io;
        ev_timer timer;                 /* sd_journal_get_timeout(): journal files without inotify */
        /* what it follows, to tell on a reload whether it changed */
        char names[2 * CONFIG_MAX_JOURNAL_MATCHES + CONFIG_MAX_POOLS][CONFIG_JOURNAL_NAME_MAX];
        size_t n_units, n_identifiers;
        bool kernel;
        char pool_units[CONFIG_MAX_POOLS][CONFIG_JOURNAL_NAME_MAX];     /* whose php-fpm an entry is */
        int n_pools;
        uint64_t entries, lines;        /* read since the start */
        bool catching_up;               /* the first read after resuming at a saved cursor */
        uint64_t catch_up_age;          /* [Daemon] CatchUpAge= (µs): older entries of the catch-up
                                         * are skipped; 0: none are */
        uint64_t skipped_old;           /* entries the last catch-up skipped so */
        int last_error;                 /* said once until it changes */
        bool said_off;                  /* "not followed" was said */
        bool kernel_elsewhere;          /* set by the owner: /dev/kmsg is read (kmsg.h), so the
                                         * journal's kernel entries are not (each record once) */
        bool hold;                      /* set by the owner before the first update: what was
                                         * written while stopped waits for journalwatch_release(),
                                         * to be judged with every pool's first probe in, as the
                                         * tailers' catch-up is (tailers.h) */
};

void journalwatch_init(struct journalwatch *w, struct ev_loop *loop, struct feed *feed);
/* Follows what c says ([Journal] Follow=, Units=, Identifiers=, Kernel=; by default nginx.service,
 * the pools' units, the identifiers nginx and php-fpm, and the kernel's messages unless
 * w->kernel_elsewhere; when journald runs). Kept as it is when that did not change; else (re)opened, resuming after cursor when one
 * is given (the state file's, or the last entry read before a reload), else at the journal's
 * tail. What is there is read at once. Problems are said on stderr; the daemon goes on without
 * the journal. */
void journalwatch_update(struct journalwatch *w, const struct config *c, const char *cursor);
/* Whether the kernel's entries are read from the journal. */
bool journalwatch_reads_kernel(const struct journalwatch *w);
/* Ends the hold: the catch-up is read now. */
void journalwatch_release(struct journalwatch *w);
/* Reads what the journal holds now: before a flush that must see it. */
void journalwatch_drain(struct journalwatch *w);
struct metrics;
/* Its lines read, in METRIC_LOG_LINES as the log "journal" (after tailers_count(), which clears it). */
void journalwatch_count(const struct journalwatch *w, struct metrics *m);
/* The cursor of the last entry read, into buf (JOURNAL_CURSOR_MAX bytes). false when none. */
bool journalwatch_cursor(const struct journalwatch *w, char *buf, size_t size);
/* Stops and closes; says how many entries were read. */
void journalwatch_free(struct journalwatch *w);
