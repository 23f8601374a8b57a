#pragma once
#include <stdbool.h>
#include <syslog.h>

/*
 * One line on stderr, "badgatewayd: " first (not in the journal, which shows the identifier
 * itself): the daemon's own events, never per log line.
 * priority is syslog's (LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO; faults are LOG_WARNING or
 * worse). When stderr is the journal (JOURNAL_STREAM names it, as systemd sets it for
 * StandardError=journal) the line goes to journald's socket with its PRIORITY
 * (sink_journal_print()): the stream stderr is does not outlive journald's stop; when that fails,
 * to stderr with sd-daemon(3)'s "<N>" prefix, which journald takes as the entry's PRIORITY.
 * Elsewhere it has no prefix.
 */
void say_at(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* say_at(LOG_INFO, …): what the daemon does (started, reloaded, caught up). */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "<N>" for priority when stderr is the journal, else "". */
const char *say_prefix(int priority);

struct scanfile;
/* "FILE: No such file or directory (errno 2)", or "FILE: read error after line N: …" (LOG_WARNING). */
void say_file_error(const char *path, const struct scanfile *s, int r);
