#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "logscan.h"

void log_msg(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        flockfile(stderr);
        fputs("badgatewayd: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        funlockfile(stderr);
        va_end(ap);
}

void log_file_error(const char *path, const struct logscan *s, int r) {
        if (!s->opened)
                log_msg("%s: %s (errno %d)", path, strerror(-r), -r);
        else
                log_msg("%s: read error after line %zu: %s (errno %d)", path, s->file_lines, strerror(-r), -r);
}
