/*
 * Changes to configuration files, seen with inotify on the directories that hold them: a file
 * written and closed, created, deleted, renamed in or out, its mode changed. The caller re-reads
 * once the files are stable (no change for a while, and no file still open for writing).
 */
#pragma once
#include <stdbool.h>

enum { CONFWATCH_MAX = 1024 };  /* names watched (a directory with any name counts once) */

struct confwatch;

/* 0, or -errno from inotify_init1(2) / -ENOMEM. */
int confwatch_new(struct confwatch **ret);
struct confwatch *confwatch_free(struct confwatch *w);

/* Watches what decides path's contents: the directory that holds it, and that of its target
 * when it is a symlink. For a glob pattern ("/etc/nginx/sites-enabled/ *"), the longest
 * directory before the first wildcard, and the rest of the pattern under each directory that
 * matches its wildcard part now. A directory that does not exist yet is watched through
 * its nearest existing ancestor. 0, -ENOSPC past CONFWATCH_MAX or the user's inotify limit,
 * or -errno from inotify_add_watch(2). */
int confwatch_add(struct confwatch *w, const char *path);
/* Drops every watch: call before adding the set of a new reading. */
void confwatch_clear(struct confwatch *w);

/* Non-blocking inotify descriptor: call confwatch_read() when it is readable. */
int confwatch_fd(const struct confwatch *w);

/* Reads pending events, at most 16 reads of 16 KiB (the rest at the next call: the descriptor
 * stays readable). Returns true when something changed since the last call (names
 * starting with '.' or ending in '~', ".swp" or ".swx" are editors' own and do not count). An
 * overflow of the queue counts as a change. */
bool confwatch_read(struct confwatch *w);
/* A file in a watched directory was modified and not yet closed: a save in progress. */
bool confwatch_writing(const struct confwatch *w);
