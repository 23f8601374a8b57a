/* One tailer per log path, nginx's error logs and each pool's php-fpm log, followed with inotify
 * on a libev loop. Each line is counted in the feed; a classified one goes into the feed's
 * diagnosis and marks the feed changed. Nothing is flushed here: that is the loop owner's job. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "feed.h"
#include "loadconf.h"
#include "tail.h"

struct log_watch;

/* The position a path was read to before a restart, or NULL. */
typedef const struct tail_position *(*tailers_saved_fn)(void *userdata, const char *path);

enum { TAILERS_RETRY_SECONDS = 5 };     /* a log that cannot be read (EACCES, EMFILE) is tried again */

struct tailers {
        struct ev_loop *loop;
        struct feed *feed;
        uint64_t now;                   /* CLOCK_REALTIME µs of the batch being read */
        struct log_watch **logs;
        size_t n_logs;
        ev_timer retry;                 /* runs while some log cannot be read */
        /* Saved positions for the next tailers_update(): a new tailer whose path has one resumes
         * there (tail_resume()) with at most catch_up bytes read. */
        tailers_saved_fn saved;
        void *saved_userdata;
        uint64_t catch_up;
        /* µs; 0: none. Of what is caught up, lines older than this by their own time (nginx's and
         * php-fpm's timestamps, local time) are skipped and counted; a line with no time of its
         * own goes with the last one that had one. */
        uint64_t catch_up_age;
        /* While set, a log with a saved position is not read yet: what was written while the
         * daemon was stopped waits for tailers_release(), so that it is judged once every pool's
         * first probe is in, as a line read live is (a line to a socket no pool serves is
         * socket_mismatch when a pool answers, fpm_down when none does). */
        bool hold;
};

/* Follows nothing yet; loop and feed must outlive t. */
void tailers_init(struct tailers *t, struct ev_loop *loop, struct feed *feed);
/* Follows exactly logs[0..n) (struct log_ref: the path, and the pool whose php-fpm log it is or
 * -1 for nginx's). The tailers whose path stays are kept, with their offsets and any rotation in
 * progress; new ones start at the file's beginning if from_start, else at its end, and read what
 * is there at once. A path that cannot be read (EACCES, EMFILE) is said on stderr and tried again
 * every TAILERS_RETRY_SECONDS, as a missing one is waited for. 0, or -ENOMEM
 * after which t follows only some of them (tailers_free() it). */
int tailers_update(struct tailers *t, const struct log_ref *logs, size_t n, bool from_start);
/* Ends hold: reads what the held logs caught up. */
void tailers_release(struct tailers *t);
/* Reads what every log holds now without waiting for inotify: before a flush that must see it. */
void tailers_drain(struct tailers *t);
/* Stops and closes every tailer; t can be updated again. */
void tailers_free(struct tailers *t);
/* Calls fn with the position of every log read (see tail_position()). */
void tailers_positions(const struct tailers *t, void (*fn)(void *userdata, const char *path,
                                                           const struct tail_position *p), void *userdata);
/* Each log's lines read, rotations and truncations seen (since its tailer was made) into m's
 * METRIC_LOG_* families, which then hold exactly the logs followed now. */
struct metrics;
void tailers_count(const struct tailers *t, struct metrics *m);
struct event;
/* A classified line of ref's log (now: CLOCK_REALTIME µs, as the alerts carry) into f's
 * diagnosis, once for each pool it is about (loadconf_line_pools()), and counted in METRIC_EVENTS
 * as many times: by its kind and what it is about (the pool php-fpm names, else the upstream nginx
 * names, else the pool whose log it is, else "php-fpm" or "nginx"). The journal's lines too. */
void tailers_feed_event(struct feed *f, const struct log_ref *ref, const struct event *ev, const char *line,
                        size_t len, uint64_t now);
