/* The kernel's log as a live source where no journal carries it: /dev/kmsg read non-blocking on
 * the libev loop, one record per read(2). The kernel's own records (facility 0) are classified;
 * an OOM killer's record goes into the feed's diagnosis as evidence (worker_killed's proof).
 * Userspace writes to /dev/kmsg get another facility from the kernel and are never read as its. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "feed.h"

#define KMSG_PATH "/dev/kmsg"

/* Where reading stopped, to resume there after a restart of the same boot. */
struct kmsg_position {
        uint64_t next_seq;              /* the first record not read */
        uint64_t boot;                  /* a hash of /proc/sys/kernel/random/boot_id; 0 if unknown */
};

struct kmsg {
        struct ev_loop *loop;
        struct feed *feed;
        ev_io io;
        int fd;                         /* -1 when not open */
        struct kmsg_position pos;
        uint64_t records, lost;         /* records read; records overwritten before they were read */
};

/* Opens path (KMSG_PATH; tests give another) without reading: -errno (EACCES without root or
 * CAP_SYSLOG, ENOENT in a container) and k->fd = -1; the daemon goes on without it. */
int kmsg_open(struct kmsg *k, struct ev_loop *loop, struct feed *feed, const char *path);
/* Starts reading: at saved's next record if it is of this boot (what the kernel has overwritten
 * since is said as lost), else at the end (SEEK_END: only what comes from now on). */
void kmsg_start(struct kmsg *k, const struct kmsg_position *saved);
/* Reads every record there is now (before a flush that must see it). */
void kmsg_drain(struct kmsg *k);
void kmsg_close(struct kmsg *k);
/* This boot's identity, for struct kmsg_position: 0 if it cannot be read. */
uint64_t kmsg_boot_id(void);
