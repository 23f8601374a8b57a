#pragma once
#include <syslog.h>

/* One line on stderr, "badgatewayd: " first: the daemon's own events, never per log line. When
 * stderr is the journal (JOURNAL_STREAM names it, as systemd sets it for a service) the line
 * goes to journald's socket with its PRIORITY (sink_journal_print()), or when that fails to stderr
 * with "<N>" first, sd-daemon(3)'s priority prefix.
 * say(): LOG_INFO. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The same at a syslog priority (LOG_CRIT … LOG_DEBUG): faults are LOG_WARNING or worse. */
void say_at(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct scanfile;
/* "FILE: No such file or directory (errno 2)", or "FILE: read error after line N: …". */
void say_file_error(const char *path, const struct scanfile *s, int r);
