#pragma once

/* One line on stderr, "badgatewayd: " first: the daemon's own events, never per log line. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct logscan;
/* "FILE: No such file or directory (errno 2)", or "FILE: read error after line N: …". */
void log_file_error(const char *path, const struct logscan *s, int r);
