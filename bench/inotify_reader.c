/*
 * inotify_reader: the least a log follower can do, as the baseline of bench/latency.sh and
 * bench/idle.sh. Opens FILE at its end, waits on inotify for IN_MODIFY, reads what was
 * appended and writes each complete line to stdout at once (one write per wake-up).
 *
 *   inotify_reader FILE        ("started" on stderr once the watch is set)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

static char buf[1 << 16];

int main(int argc, char **argv) {
        if (argc != 2) {
                fprintf(stderr, "usage: inotify_reader FILE\n");
                return 64;
        }
        int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
        int ifd = inotify_init1(IN_CLOEXEC);
        if (fd < 0 || ifd < 0 || lseek(fd, 0, SEEK_END) < 0 || inotify_add_watch(ifd, argv[1], IN_MODIFY) < 0) {
                fprintf(stderr, "inotify_reader: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        fprintf(stderr, "started\n");
        size_t have = 0;        /* a partial line kept from the last read */
        char ev[4096];
        for (;;) {
                ssize_t n = read(ifd, ev, sizeof(ev));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return 1;
                while ((n = read(fd, buf + have, sizeof(buf) - have)) > 0) {
                        have += (size_t) n;
                        char *nl = memrchr(buf, '\n', have);
                        size_t whole = nl ? (size_t) (nl - buf) + 1 : have == sizeof(buf) ? have : 0;
                        if (whole && write(STDOUT_FILENO, buf, whole) < 0)
                                return errno == EPIPE ? 0 : 1;
                        memmove(buf, buf + whole, have - whole);
                        have -= whole;
                }
        }
}
