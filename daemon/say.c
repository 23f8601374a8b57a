#include "say.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scanfile.h"
#include "sink.h"

/* JOURNAL_STREAM="DEVICE:INODE" of the journal's stream, as systemd.exec(5) describes it: stderr
 * is that stream only when its own device and inode match (it may have been redirected since). */
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

const char *say_prefix(int priority) {
        static const char *const prefixes[] = { "<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>" };
        return stderr_is_journal() ? prefixes[priority & 7] : "";
}

static void say_va(int priority, const char *fmt, va_list ap) {
        if (stderr_is_journal()) {
                /* to journald's socket: the stream stderr is does not outlive journald's stop */
                char msg[2048];
                va_list copy;
                va_copy(copy, ap);
                vsnprintf(msg, sizeof(msg), fmt, copy);
                va_end(copy);
                if (sink_journal_print(priority, msg) == 0)
                        return;
        }
        flockfile(stderr);
        fputs(say_prefix(priority), stderr);
        if (!stderr_is_journal())       /* the journal names the identifier itself */
                fputs("badgatewayd: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        funlockfile(stderr);
}

void say_at(int priority, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        say_va(priority, fmt, ap);
        va_end(ap);
}

void say(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        say_va(LOG_INFO, fmt, ap);
        va_end(ap);
}

void say_file_error(const char *path, const struct scanfile *s, int r) {
        if (!s->opened && r == -EINVAL)
                say_at(LOG_WARNING, "%s: not a regular file (a FIFO, a device or a socket): not read", path);
        else if (!s->opened)
                say_at(LOG_WARNING, "%s: %s (errno %d)", path, strerror(-r), -r);
        else
                say_at(LOG_WARNING, "%s: read error after line %zu: %s (errno %d)", path, s->file_lines, strerror(-r), -r);
}
