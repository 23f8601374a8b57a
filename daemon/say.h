#pragma once

/* One line on stderr, "badgatewayd: " first: the daemon's own events, never per log line. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct scanfile;
/* "FILE: No such file or directory (errno 2)", or "FILE: read error after line N: …". */
void say_file_error(const char *path, const struct scanfile *s, int r);
