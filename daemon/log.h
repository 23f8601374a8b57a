#pragma once

/* One line on stderr, "badgatewayd: " first: the daemon's own events, never per log line. */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
