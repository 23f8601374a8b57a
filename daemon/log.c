#include "log.h"

#include <stdarg.h>
#include <stdio.h>

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
