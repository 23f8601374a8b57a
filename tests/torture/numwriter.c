/*
 * numwriter: appends numbered nginx error lines to a log at a steady rate, as a busy nginx would,
 * for the torture tests (tests/torture/) and bench/rss.sh.
 *
 *   numwriter [-r RATE] [-n COUNT] [-u UPSTREAM] [-s START] [-d DONE_FILE] LOG
 *
 * Writes COUNT lines (default 10000) numbered from START (default 1) at RATE lines/s (default
 * 10000; 0: as fast as write(2) goes), in 10 ms slices, each slice one write(2) of whole lines
 * to LOG opened O_APPEND (as nginx's workers write). Every line is nginx's "connect() ... failed
 * (2: No such file or directory)" for UPSTREAM (default unix:/nonexistent/bgw-torture.sock), its
 * request /n/NUMBER. SIGUSR1 reopens LOG before the next slice, as nginx -s reopen does; SIGTERM
 * stops after the current slice. At the end prints "written N" on stdout, and into DONE_FILE if
 * given (written then renamed, so a reader sees it whole). Exit 0; 1 on a write error.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t reopen, stop;

static void on_usr1(int sig) {
        (void) sig;
        reopen = 1;
}

static void on_term(int sig) {
        (void) sig;
        stop = 1;
}

static int open_log(const char *path) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                fprintf(stderr, "numwriter: %s: %s\n", path, strerror(errno));
        return fd;
}

static int write_all(int fd, const char *p, size_t n) {
        while (n) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -1;
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

static void sleep_until(const struct timespec *t) {
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, t, NULL) == EINTR && !stop)
                ;
}

int main(int argc, char **argv) {
        unsigned long rate = 10000, count = 10000, start = 1;
        const char *upstream = "unix:/nonexistent/bgw-torture.sock", *done = NULL;
        int c;
        while ((c = getopt(argc, argv, "r:n:u:s:d:")) != -1) {
                switch (c) {
                case 'r': rate = strtoul(optarg, NULL, 10); break;
                case 'n': count = strtoul(optarg, NULL, 10); break;
                case 's': start = strtoul(optarg, NULL, 10); break;
                case 'u': upstream = optarg; break;
                case 'd': done = optarg; break;
                default:
                        fprintf(stderr, "usage: numwriter [-r RATE] [-n COUNT] [-u UPSTREAM] [-s START] [-d DONE_FILE] LOG\n");
                        return 2;
                }
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "numwriter: one LOG expected\n");
                return 2;
        }
        const char *path = argv[optind];
        struct sigaction sa = { .sa_handler = on_usr1 };
        sigaction(SIGUSR1, &sa, NULL);
        sa.sa_handler = on_term;
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        int fd = open_log(path);
        if (fd < 0)
                return 1;
        unsigned long per_slice = rate ? (rate + 99) / 100 : 1000, written = 0;
        size_t cap = per_slice * 320;
        char *buf = malloc(cap);
        if (!buf)
                return 1;
        struct timespec next;
        clock_gettime(CLOCK_MONOTONIC, &next);
        int rc = 0;
        while (written < count && !stop) {
                if (reopen) {
                        reopen = 0;
                        close(fd);
                        if ((fd = open_log(path)) < 0) {
                                rc = 1;
                                break;
                        }
                }
                size_t len = 0;
                for (unsigned long i = 0; i < per_slice && written + i < count; i++) {
                        unsigned long n = start + written + i;
                        len += (size_t) snprintf(buf + len, cap - len,
                                                 "2026/11/29 12:00:00 [error] 4242#4242: *%lu connect() to %s failed "
                                                 "(2: No such file or directory) while connecting to upstream, client: "
                                                 "127.0.0.1, server: _, request: \"GET /n/%lu HTTP/1.1\", upstream: "
                                                 "\"fastcgi://%s:\", host: \"torture\"\n",
                                                 n, upstream, n, upstream);
                        if (len >= cap - 320)
                                break;
                }
                if (write_all(fd, buf, len) < 0) {
                        fprintf(stderr, "numwriter: %s: %s\n", path, strerror(errno));
                        rc = 1;
                        break;
                }
                for (size_t i = 0; i < len; i++)
                        written += buf[i] == '\n';
                if (rate) {
                        next.tv_nsec += 10 * 1000 * 1000;
                        if (next.tv_nsec >= 1000000000L) {
                                next.tv_nsec -= 1000000000L;
                                next.tv_sec++;
                        }
                        sleep_until(&next);
                }
        }
        close(fd);
        free(buf);
        printf("written %lu\n", written);
        if (done) {
                char tmp[4096];
                snprintf(tmp, sizeof(tmp), "%s.tmp", done);
                FILE *f = fopen(tmp, "w");
                if (f) {
                        fprintf(f, "written %lu\n", written);
                        fclose(f);
                        rename(tmp, done);
                }
        }
        return rc;
}
