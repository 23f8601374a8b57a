#include "say.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scanfile.h"
#include "sink.h"

/* systemd's JOURNAL_STREAM ("DEVICE:INODE") names stderr's stream: it is the journal. */
static bool stderr_is_journal(void) {
        static int known = -1;
        if (known < 0) {
                const char *e = getenv("JOURNAL_STREAM");
                unsigned long long dev, ino;
                struct stat st;
                known = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                        (unsigned long long) st.st_dev == dev && (unsigned long long) st.st_ino == ino;
        }
        return known;
}

static void say_v(int priority, const char *fmt, va_list ap) {
        if (stderr_is_journal()) {
                /* to journald's socket: the stream stderr is does not outlive journald's stop */
                char msg[2048];
                int n = snprintf(msg, sizeof(msg), "badgatewayd: ");
                va_list copy;
                va_copy(copy, ap);
                vsnprintf(msg + n, sizeof(msg) - (size_t) n, fmt, copy);
                va_end(copy);
                if (sink_journal_print(priority, msg) == 0)
                        return;
        }
        flockfile(stderr);
        if (stderr_is_journal())
                fprintf(stderr, "<%d>", priority);
        fputs("badgatewayd: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        funlockfile(stderr);
}

void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        say_v(LOG_INFO, fmt, ap);
        va_end(ap);
}

void say_at(int priority, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        say_v(priority, fmt, ap);
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
