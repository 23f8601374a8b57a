/*
 * follow: drives a log follower (badgatewayd run --stdout, or bench/inotify_reader) for
 * bench/latency.sh and bench/burst.sh. It starts CMD with its stdout and stderr on pipes, waits
 * for "started" on its stderr (the log is open and watched from then on), appends to LOG and
 * times what CMD prints: a thread reads both pipes and stamps each line with CLOCK_MONOTONIC as
 * it arrives. CMD's stderr is copied to ours. At the end CMD gets SIGTERM and is waited for.
 *
 *   follow latency [-n EVENTS] [-w PATTERN] [-u UPSTREAM] [-l LABEL] LOG -- CMD [ARG...]
 *     EVENTS times (default 1000): append one failure line (a connect() to UPSTREAM, default
 *     unix:/nonexistent/bgw-bench.sock, whose socket is missing, its request /bench/event-I),
 *     time until a line naming /bench/event-I comes out, then, with -w, wait for a line
 *     holding PATTERN (the alert's resolution) before the next event. Prints
 *     "latency LABEL: N events, p50 X ms, p99 X ms, max X ms, missed N".
 *
 *   follow burst -i INPUT [-m MARKERS] [-r RATE] [-c CHUNK] [-l LABEL] LOG -- CMD [ARG...]
 *     Appends INPUT to LOG as fast as write(2) goes (or RATE lines/s, in 10 ms slices), in
 *     writes of at most CHUNK bytes (default 65536) cut after a newline, as a busy nginx's
 *     writes are whole lines. After each MARKERS-th part (default 5) of INPUT it appends a
 *     marker, a failure line for an upstream of its own; the marker's alert on CMD's stdout
 *     dates when CMD had read that far. Prints lines/s to the last marker's alert, the writer's
 *     own rate, the lag of each marker (its alert's arrival minus its write), CMD's CPU time
 *     over the burst (utime + stime from /proc/PID/stat), the alerts, and after SIGTERM the
 *     lines CMD says it read ("stopped: N lines read") beside the lines written.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static pid_t child = -1;

static void die(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "follow: ");
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        if (child > 0) {
                kill(child, SIGTERM);
                waitpid(child, NULL, 0);
        }
        exit(1);
}

/* ---- what the child printed: every line, stamped, kept in order ---- */

struct line {
        int stream;             /* 1 stdout, 2 stderr */
        uint64_t at;
        char *text;
};

static struct {
        pthread_mutex_t lock;
        pthread_cond_t more;
        struct line *v;
        size_t n, cap;
        bool eof;
} got = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, 0, 0, false };

static int out_fd = -1, err_fd = -1;

static void keep(int stream, uint64_t at, const char *p, size_t n) {
        char *text = strndup(p, n);
        if (!text)
                die("out of memory");
        if (stream == 2)
                fprintf(stderr, "%s\n", text);
        pthread_mutex_lock(&got.lock);
        if (got.n == got.cap) {
                got.cap = got.cap ? got.cap * 2 : 1024;
                got.v = realloc(got.v, got.cap * sizeof(*got.v));
                if (!got.v)
                        die("out of memory");
        }
        got.v[got.n++] = (struct line) { stream, at, text };
        pthread_cond_broadcast(&got.more);
        pthread_mutex_unlock(&got.lock);
}

static void *reader(void *arg) {
        static char buf[2][1 << 16];
        size_t have[2] = { 0, 0 };
        struct pollfd pfd[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
        int open_fds = 2;
        while (open_fds > 0) {
                if (poll(pfd, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                for (int s = 0; s < 2; s++) {
                        if (pfd[s].fd < 0 || !pfd[s].revents)
                                continue;
                        ssize_t n = read(pfd[s].fd, buf[s] + have[s], sizeof(buf[s]) - have[s]);
                        uint64_t at = now_ns();
                        if (n <= 0) {
                                if (n < 0 && errno == EINTR)
                                        continue;
                                if (have[s])
                                        keep(s + 1, at, buf[s], have[s]);
                                close(pfd[s].fd);
                                pfd[s].fd = -1;
                                open_fds--;
                                continue;
                        }
                        have[s] += (size_t) n;
                        char *p = buf[s], *end = buf[s] + have[s], *nl;
                        while ((nl = memchr(p, '\n', (size_t) (end - p)))) {
                                keep(s + 1, at, p, (size_t) (nl - p));
                                p = nl + 1;
                        }
                        if (p == buf[s] && have[s] == sizeof(buf[s])) {  /* a line over 64 KiB */
                                keep(s + 1, at, p, have[s]);
                                p = end;
                        }
                        have[s] = (size_t) (end - p);
                        memmove(buf[s], p, have[s]);
                }
        }
        pthread_mutex_lock(&got.lock);
        got.eof = true;
        pthread_cond_broadcast(&got.more);
        pthread_mutex_unlock(&got.lock);
        return NULL;
}

/* The first line from *from on that stream holding needle; *from moves past it. False when
 * none came by the deadline (CLOCK_MONOTONIC ns) or the child's pipes closed. */
static bool wait_for(size_t *from, int stream, const char *needle, uint64_t deadline, uint64_t *at) {
        bool found = false;
        pthread_mutex_lock(&got.lock);
        for (;;) {
                for (; *from < got.n && !found; (*from)++) {
                        const struct line *l = &got.v[*from];
                        if (l->stream == stream && strstr(l->text, needle)) {
                                found = true;
                                if (at)
                                        *at = l->at;
                        }
                }
                if (found || got.eof || now_ns() >= deadline)
                        break;
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);     /* the condvar's clock */
                uint64_t wait = deadline - now_ns();
                if (wait > 50000000u)
                        wait = 50000000u;
                uint64_t t = (uint64_t) ts.tv_nsec + wait;
                ts.tv_sec += (time_t) (t / 1000000000u);
                ts.tv_nsec = (long) (t % 1000000000u);
                pthread_cond_timedwait(&got.more, &got.lock, &ts);
        }
        pthread_mutex_unlock(&got.lock);
        return found;
}

static size_t lines_now(void) {
        pthread_mutex_lock(&got.lock);
        size_t n = got.n;
        pthread_mutex_unlock(&got.lock);
        return n;
}

/* ---- the child ---- */

static pthread_t reader_thread;

static void start(char **argv) {
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
                die("pipe: %s", strerror(errno));
        child = fork();
        if (child < 0)
                die("fork: %s", strerror(errno));
        if (child == 0) {
                dup2(out[1], STDOUT_FILENO);
                dup2(err[1], STDERR_FILENO);
                execvp(argv[0], argv);
                fprintf(stderr, "follow: %s: %s\n", argv[0], strerror(errno));
                _exit(127);
        }
        close(out[1]);
        close(err[1]);
        out_fd = out[0];
        err_fd = err[0];
        if (pthread_create(&reader_thread, NULL, reader, NULL) != 0)
                die("cannot start the reader thread");
        size_t from = 0;
        if (!wait_for(&from, 2, "started", now_ns() + 10000000000u, NULL))
                die("%s did not say \"started\" within 10 s", argv[0]);
}

/* SIGTERM, wait; the exit status */
static int stop(void) {
        int status = 0;
        kill(child, SIGTERM);
        waitpid(child, &status, 0);
        child = -1;
        pthread_join(reader_thread, NULL);
        return status;
}

/* utime + stime, in ms */
static double cpu_ms(pid_t pid) {
        char path[64], buf[4096];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
        if (fd >= 0)
                close(fd);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        char *p = strrchr(buf, ')');    /* the command name may hold spaces */
        unsigned long long ut, st;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
                return -1;
        return (double) (ut + st) * 1000.0 / (double) sysconf(_SC_CLK_TCK);
}

/* ---- the lines appended ---- */

static int log_fd = -1;
static unsigned long long written_lines;

static void append(const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(log_fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        die("write: %s", strerror(errno));
                p += w;
                n -= (size_t) w;
        }
}

/* An nginx [crit] line: a connect() to a unix socket that is missing, request /bench/TAG. */
static void append_failure(const char *upstream, const char *tag) {
        char line[1024], when[32];
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", &tm);
        const char *path = strncmp(upstream, "unix:", 5) == 0 ? upstream + 5 : upstream;
        int n = snprintf(line, sizeof(line),
                         "%s [crit] 4242#4242: *%llu connect() to %s failed (2: No such file or directory) while "
                         "connecting to upstream, client: 127.0.0.1, server: bench, request: \"GET /bench/%s HTTP/1.1\", "
                         "upstream: \"fastcgi://unix:%s:\", host: \"bench\"\n",
                         when, written_lines + 1, upstream, tag, path);
        append(line, (size_t) n);
        written_lines++;
}

static void open_log(const char *path) {
        log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (log_fd < 0)
                die("%s: %s", path, strerror(errno));
}

/* ---- latency ---- */

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;
        return x < y ? -1 : x > y;
}

static double ms(uint64_t ns) {
        return (double) ns / 1e6;
}

/* nearest rank: the smallest value with at least p of them at or below it */
static uint64_t pct(const uint64_t *v, size_t n, double p) {
        size_t rank = (size_t) (p * (double) n + 0.999999);
        return v[rank ? rank - 1 : 0];
}

static int latency(int argc, char **argv) {
        unsigned events = 1000;
        const char *wait_pat = NULL, *upstream = "unix:/nonexistent/bgw-bench.sock", *label = "";
        int c;
        while ((c = getopt(argc, argv, "+n:w:u:l:")) >= 0) {
                switch (c) {
                case 'n': events = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'w': wait_pat = optarg; break;
                case 'u': upstream = optarg; break;
                case 'l': label = optarg; break;
                default: return 64;
                }
        }
        if (optind + 2 > argc || strcmp(argv[optind + 1], "--") != 0 || events == 0)
                die("usage: follow latency [-n EVENTS] [-w PATTERN] [-u UPSTREAM] [-l LABEL] LOG -- CMD [ARG...]");
        open_log(argv[optind]);
        start(argv + optind + 2);
        size_t from = 0;
        char tag[64];
        /* one event first, untimed: the follower's first probes and alerts are out of the way */
        append_failure(upstream, "warmup ");
        if (!wait_for(&from, 1, "/bench/warmup ", now_ns() + 10000000000u, NULL))
                die("no output for the warm-up line within 10 s");
        if (wait_pat && !wait_for(&from, 1, wait_pat, now_ns() + 10000000000u, NULL))
                die("no \"%s\" after the warm-up line within 10 s", wait_pat);
        uint64_t *lat = calloc(events, sizeof(*lat));
        unsigned missed = 0, done = 0;
        for (unsigned i = 0; i < events; i++) {
                snprintf(tag, sizeof(tag), "event-%u ", i);
                char needle[80];
                snprintf(needle, sizeof(needle), "/bench/%s", tag);
                uint64_t t0 = now_ns(), at;
                append_failure(upstream, tag);
                if (!wait_for(&from, 1, needle, t0 + 5000000000u, &at)) {
                        missed++;
                        continue;
                }
                lat[done++] = at - t0;
                if (wait_pat && !wait_for(&from, 1, wait_pat, now_ns() + 5000000000u, NULL))
                        die("no \"%s\" within 5 s after event %u", wait_pat, i);
        }
        int status = stop();
        qsort(lat, done, sizeof(*lat), cmp_u64);
        if (!done)
                die("no event came through");
        printf("latency %s: %u events, p50 %.3f ms, p99 %.3f ms, max %.3f ms, missed %u\n", label, done,
               ms(pct(lat, done, 0.50)), ms(pct(lat, done, 0.99)), ms(lat[done - 1]), missed);
        (void) status;
        free(lat);
        return missed ? 1 : 0;
}

/* ---- burst ---- */

static int burst(int argc, char **argv) {
        const char *input = NULL, *label = "";
        unsigned markers = 5;
        double rate = 0;
        size_t chunk = 65536;
        int c;
        while ((c = getopt(argc, argv, "+i:m:r:c:l:")) >= 0) {
                switch (c) {
                case 'i': input = optarg; break;
                case 'm': markers = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'r': rate = strtod(optarg, NULL); break;
                case 'c': chunk = strtoul(optarg, NULL, 10); break;
                case 'l': label = optarg; break;
                default: return 64;
                }
        }
        if (!input || markers == 0 || markers > 10 || chunk == 0 || optind + 2 > argc ||
            strcmp(argv[optind + 1], "--") != 0)
                die("usage: follow burst -i INPUT [-m MARKERS (1-10)] [-r RATE] [-c CHUNK] [-l LABEL] LOG -- CMD [ARG...]");

        int ifd = open(input, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (ifd < 0 || fstat(ifd, &st) < 0)
                die("%s: %s", input, strerror(errno));
        size_t size = (size_t) st.st_size;
        char *data = malloc(size + 1);
        size_t got_bytes = 0;
        while (data && got_bytes < size) {
                ssize_t n = read(ifd, data + got_bytes, size - got_bytes);
                if (n <= 0)
                        die("%s: short read", input);
                got_bytes += (size_t) n;
        }
        if (!data)
                die("out of memory");
        close(ifd);
        if (size && data[size - 1] != '\n')
                die("%s does not end with a newline", input);
        unsigned long long in_lines = 0;
        for (const char *p = data; (p = memchr(p, '\n', size - (size_t) (p - data))); p++)
                in_lines++;

        open_log(argv[optind]);
        start(argv + optind + 2);
        size_t from = 0;
        append_failure("unix:/nonexistent/bgw-bench-warmup.sock", "warmup ");
        if (!wait_for(&from, 1, "/bench/warmup ", now_ns() + 10000000000u, NULL))
                die("no alert for the warm-up line within 10 s");
        usleep(200000);         /* the first round of probes and its alerts */
        size_t alerts_before = lines_now();

        uint64_t tw[10], ta[10];
        double c0 = cpu_ms(child);
        uint64_t t0 = now_ns(), slice_start = t0;
        unsigned long long in_slice = 0, per_slice = rate > 0 ? (unsigned long long) (rate / 100 + 0.5) : 0;
        size_t off = 0;
        for (unsigned k = 1; k <= markers; k++) {
                /* part k ends at the first newline at or after k/markers of the bytes */
                size_t end = k == markers ? size : (size_t) ((double) size * k / markers);
                if (end < size) {
                        const char *nl = memchr(data + end, '\n', size - end);
                        end = nl ? (size_t) (nl - data) + 1 : size;
                }
                if (end < off)
                        end = off;
                while (off < end) {
                        size_t n = end - off < chunk ? end - off : chunk;
                        if (per_slice) {        /* paced: per_slice lines every 10 ms */
                                if (in_slice >= per_slice) {
                                        uint64_t next = slice_start + 10000000u, t = now_ns();
                                        if (t < next) {
                                                struct timespec ts = { 0, (long) (next - t) };
                                                nanosleep(&ts, NULL);
                                        }
                                        slice_start = next > t ? next : t;
                                        in_slice = 0;
                                }
                                /* no more than the lines left in this slice */
                                unsigned long long left = per_slice - in_slice, seen = 0;
                                const char *p = data + off, *stop_at = data + off + n;
                                for (const char *q = p; seen < left && (q = memchr(q, '\n', (size_t) (stop_at - q))); q++) {
                                        seen++;
                                        n = (size_t) (q - p) + 1;
                                }
                                in_slice += seen;
                        } else if (off + n < end) {
                                const char *nl = memrchr(data + off, '\n', n);
                                if (nl)
                                        n = (size_t) (nl - (data + off)) + 1;
                        }
                        append(data + off, n);
                        off += n;
                }
                char tag[32];
                snprintf(tag, sizeof(tag), "marker-%u ", k);
                char up[64];
                snprintf(up, sizeof(up), "unix:/nonexistent/bgw-bench-marker-%u.sock", k);
                tw[k - 1] = now_ns();
                append_failure(up, tag);
        }
        uint64_t t_written = now_ns();
        written_lines += in_lines;
        for (unsigned k = 1; k <= markers; k++) {
                char needle[48];
                snprintf(needle, sizeof(needle), "/bench/marker-%u ", k);
                size_t f = from;
                if (!wait_for(&f, 1, needle, now_ns() + 120000000000u, &ta[k - 1]))
                        die("no alert for marker %u within 120 s", k);
        }
        double c1 = cpu_ms(child);
        uint64_t t_end = ta[markers - 1];
        size_t alerts_during = lines_now() - alerts_before;
        usleep(100000);
        stop();

        unsigned long long read_lines = 0, alerts_total = 0;
        bool said = false;
        for (size_t i = 0; i < got.n; i++) {
                const char *s = got.v[i].stream == 2 ? strstr(got.v[i].text, "stopped: ") : NULL;
                if (s && sscanf(s, "stopped: %llu lines read, %*u classified, %llu alerts", &read_lines, &alerts_total) == 2)
                        said = true;
        }
        size_t stdout_alerts = 0;     /* alerts from the first write to the last marker's alert */
        for (size_t i = alerts_before; i < alerts_during + alerts_before && i < got.n; i++)
                stdout_alerts += got.v[i].stream == 1 && got.v[i].at <= t_end;
        uint64_t max_lag = 0;
        char lags[256] = "";
        for (unsigned k = 0; k < markers; k++) {
                uint64_t lag = ta[k] > tw[k] ? ta[k] - tw[k] : 0;
                if (lag > max_lag)
                        max_lag = lag;
                snprintf(lags + strlen(lags), sizeof(lags) - strlen(lags), "%s%.1f", k ? " " : "", ms(lag));
        }
        double secs = (double) (t_end - t0) / 1e9, cpu = c1 - c0;
        unsigned long long burst_lines = in_lines + markers;
        printf("burst %s: %llu lines (%zu bytes) + %u markers%s\n", label, in_lines, size, markers,
               rate > 0 ? " paced" : " as fast as write(2) goes");
        printf("burst %s: writer %.0f lines/s (%.1f ms); read and classified %.0f lines/s (%.1f ms to the last marker's alert)\n",
               label, (double) burst_lines / ((double) (t_written - t0) / 1e9), ms(t_written - t0),
               (double) burst_lines / secs, secs * 1e3);
        printf("burst %s: max lag %.1f ms (line written -> its alert; per marker: %s ms)\n", label, ms(max_lag), lags);
        printf("burst %s: cpu %.0f ms = %.0f ms per million lines = %.1f%% of one core at 100k lines/s; "
               "%.1f%% of one core over the burst\n",
               label, cpu, cpu * 1e6 / (double) burst_lines, cpu * 1e6 / (double) burst_lines / 100.0,
               cpu / (secs * 1e3) * 100);
        if (said)
                printf("burst %s: lines written %llu, read %llu, lost %lld; alerts during the burst %zu (%u of them markers); daemon's total %llu\n",
                       label, written_lines, read_lines, (long long) written_lines - (long long) read_lines,
                       stdout_alerts, markers, alerts_total);
        else
                printf("burst %s: lines written %llu; the follower said no \"stopped: N lines read\"; alerts during the burst %zu\n",
                       label, written_lines, stdout_alerts);
        free(data);
        return 0;
}

int main(int argc, char **argv) {
        signal(SIGPIPE, SIG_IGN);
        if (argc > 1 && strcmp(argv[1], "latency") == 0)
                return latency(argc - 1, argv + 1);
        if (argc > 1 && strcmp(argv[1], "burst") == 0)
                return burst(argc - 1, argv + 1);
        fprintf(stderr, "usage: follow latency|burst … (see bench/follow.c)\n");
        return 64;
}
