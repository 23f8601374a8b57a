#include "say.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scanfile.h"

void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        flockfile(stderr);
        fputs("badgatewayd: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        funlockfile(stderr);
        va_end(ap);
}

void say_file_error(const char *path, const struct scanfile *s, int r) {
        if (!s->opened && r == -EINVAL)
                say("%s: not a regular file (a FIFO, a device or a socket): not read", path);
        else if (!s->opened)
                say("%s: %s (errno %d)", path, strerror(-r), -r);
        else
                say("%s: read error after line %zu: %s (errno %d)", path, s->file_lines, strerror(-r), -r);
}
