#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "classify.h"
#include "clock.h"
#include "diag.h"
#include "kernel_log.h"
#include "say.h"

/* A record is at most about 1 KiB of text plus its dictionary; read(2) wants room for a whole one. */
enum { KMSG_RECORD_MAX = 8192, KMSG_BATCH = 512 };

uint64_t kmsg_boot_id(void) {
        char id[64];
        int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, id, sizeof(id));
        close(fd);
        uint64_t h = 1469598103934665603ULL;    /* FNV-1a */
        for (ssize_t i = 0; i < n && id[i] != '\n'; i++)
                h = (h ^ (unsigned char) id[i]) * 1099511628211ULL;
        return n > 0 ? h : 0;
}

static void on_record(struct kmsg *k, const char *p, size_t n) {
        struct kmsg_record r;
        if (kmsg_parse(p, n, &r) < 0)
                return;
        if (k->records && r.seq > k->pos.next_seq)
                k->lost += r.seq - k->pos.next_seq;
        k->pos.next_seq = r.seq + 1;
        k->records++;
        if (r.facility != 0)
                return;
        k->feed->lines++;       /* the kernel's records are the lines read from it */
        struct logline ll;
        struct event ev;
        if (classify_line(r.text.p, r.text.n, &ll, &ev) == KIND_NONE || ev.source != SOURCE_KERNEL)
                return;
        k->feed->classified++;
        diag_log(k->feed->diag, &ev, r.text.p, r.text.n, -1, clock_realtime_usec());
        k->feed->changed = true;
}

/* Reads until EAGAIN; at most KMSG_BATCH records a turn so that a flood cannot starve the loop. */
void kmsg_drain(struct kmsg *k) {
        static char buf[KMSG_RECORD_MAX];
        for (int i = 0; k->fd >= 0 && i < KMSG_BATCH; i++) {
                ssize_t n = read(k->fd, buf, sizeof(buf));
                if (n > 0) {
                        on_record(k, buf, (size_t) n);
                        continue;
                }
                if (n < 0 && errno == EPIPE) {          /* overwritten before we read it: go on */
                        say_at(LOG_WARNING, "%s: the kernel overwrote records before they were read; reading on", KMSG_PATH);
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno != EAGAIN)
                        say_at(LOG_WARNING, "%s: %s; reading on", KMSG_PATH, strerror(errno));
                return;
        }
}

static void on_readable(EV_P_ ev_io *io, int revents) {
        kmsg_drain(io->data);
}

int kmsg_open(struct kmsg *k, struct ev_loop *loop, struct feed *feed, const char *path) {
        *k = (struct kmsg) { .loop = loop, .feed = feed, .fd = -1 };
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        k->fd = fd;
        k->pos.boot = kmsg_boot_id();
        return 0;
}

/* Skips the records before next_seq, from the oldest the kernel still holds. */
static void skip_to(struct kmsg *k, uint64_t next_seq) {
        static char buf[KMSG_RECORD_MAX];
        struct kmsg_record r;
        for (;;) {
                ssize_t n = read(k->fd, buf, sizeof(buf));
                if (n < 0 && (errno == EPIPE || errno == EINTR))
                        continue;
                if (n <= 0)
                        break;
                if (kmsg_parse(buf, (size_t) n, &r) < 0)
                        continue;
                if (r.seq + 1 < next_seq)
                        continue;
                if (r.seq >= next_seq) {        /* the first one to read: step back onto it */
                        if (r.seq > next_seq)
                                say_at(LOG_WARNING, "%s: %llu records were overwritten while badgatewayd was stopped", KMSG_PATH,
                                    (unsigned long long) (r.seq - next_seq));
                        k->pos.next_seq = next_seq;
                        on_record(k, buf, (size_t) n);
                        return;
                }
                k->pos.next_seq = next_seq;
                k->records = 1;         /* a gap from here on is a loss */
                return;
        }
        k->pos.next_seq = next_seq;
}

void kmsg_start(struct kmsg *k, const struct kmsg_position *saved) {
        if (k->fd < 0)
                return;
        if (saved && saved->boot && saved->boot == k->pos.boot && saved->next_seq)
                skip_to(k, saved->next_seq);
        else
                lseek(k->fd, 0, SEEK_END);
        ev_io_init(&k->io, on_readable, k->fd, EV_READ);
        k->io.data = k;
        ev_io_start(k->loop, &k->io);
        kmsg_drain(k);
}

void kmsg_close(struct kmsg *k) {
        if (k->fd < 0)
                return;
        ev_io_stop(k->loop, &k->io);
        close(k->fd);
        k->fd = -1;
}
