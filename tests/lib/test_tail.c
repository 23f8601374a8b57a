/* Tail tests on real files in a temporary directory; a forked writer appends numbered lines while the
 * test rotates the log the ways nginx, logrotate and people do. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "tail.h"
#include "fixtures.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NLINES 6000                     /* what the writer writes */
#define MAX_NUM 1000000                 /* numbers "line %06d" can hold */
#define LINE_LEN 12                     /* "line 000123\n" */
#define CAP (64 * 1024)


struct line {
        char *p;
        size_t len;
        unsigned flags;
};

struct rec {
        struct tail *t;
        char dir[512];
        char path[1024];
        struct line *lines;
        size_t nlines;
        size_t alloc;
        unsigned notices[TAIL_OVERFLOW + 1];
        unsigned *seen;                 /* how often each number was delivered */
        unsigned distinct;
        int max_num;
};

struct writer {
        pid_t pid;
        int credit;
};

static volatile sig_atomic_t reopen_requested;

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Deadlines only bound a failure, so they are generous; CK_TIMEOUT_MULTIPLIER stretches them. */
static long long deadline(void) {
        const char *m = getenv("CK_TIMEOUT_MULTIPLIER");
        int k = m && atoi(m) > 0 ? atoi(m) : 1;
        return now_ms() + 10000LL * k;
}

static int line_number(const char *p, size_t n) {
        int v = 0;
        if (n != LINE_LEN - 1 || memcmp(p, "line ", 5) != 0)
                return -1;
        for (size_t i = 5; i < n; i++) {
                if (p[i] < '0' || p[i] > '9')
                        return -1;
                v = v * 10 + (p[i] - '0');
        }
        return v;
}

static void on_line(void *userdata, const char *p, size_t n, unsigned flags) {
        struct rec *r = userdata;
        if (r->nlines == r->alloc) {
                r->alloc = r->alloc ? 2 * r->alloc : 64;
                r->lines = realloc(r->lines, r->alloc * sizeof *r->lines);
                ck_assert_ptr_nonnull(r->lines);
        }
        struct line *l = &r->lines[r->nlines++];
        l->p = malloc(n + 1);
        ck_assert_ptr_nonnull(l->p);
        memcpy(l->p, p, n);
        l->p[n] = '\0';
        l->len = n;
        l->flags = flags;
        int num = flags == 0 ? line_number(p, n) : -1;
        if (num >= 0 && r->seen[num]++ == 0)
                r->distinct++;
        if (num > r->max_num)
                r->max_num = num;
}

static void on_notice(void *userdata, enum tail_notice what, uint64_t bytes_lost) {
        struct rec *r = userdata;
        ck_assert_int_le(what, TAIL_OVERFLOW);
        ck_assert_uint_eq(bytes_lost, 0);
        r->notices[what]++;
}

static const struct tail_callbacks callbacks = { on_line, on_notice };

static void rec_init(struct rec *r, const char *name) {
        memset(r, 0, sizeof *r);
        r->max_num = -1;
        r->seen = calloc(MAX_NUM, sizeof *r->seen);
        ck_assert_ptr_nonnull(r->seen);
        char fresh[128];
        snprintf(r->dir, sizeof r->dir, "%s", fixture_newdir(fresh));
        snprintf(r->path, sizeof r->path, "%s/%s", r->dir, name);
}

static void rec_start(struct rec *r, enum tail_start start, size_t cap) {
        ck_assert_int_eq(tail_new(&r->t, r->path, start, cap), 0);
        ck_assert_int_ge(tail_fd(r->t), 0);
        ck_assert_int_eq(tail_process(r->t, &callbacks, r), 0);
}

static void rec_done(struct rec *r) {
        r->t = tail_free(r->t);
        for (size_t i = 0; i < r->nlines; i++)
                free(r->lines[i].p);
        free(r->lines);
        free(r->seen);
}

/* Waits up to ms for the fd to be readable and processes once; false if nothing came. */
static bool pump(struct rec *r, int ms) {
        struct pollfd p = { .fd = tail_fd(r->t), .events = POLLIN };
        int n = poll(&p, 1, ms);
        ck_assert_int_ge(n, 0);
        if (n == 0)
                return false;
        ck_assert_int_eq(tail_process(r->t, &callbacks, r), 0);
        return true;
}

#define WAIT_UNTIL(r, cond) do {                                                \
                long long until_ = deadline();                                  \
                while (!(cond) && now_ms() < until_)                            \
                        pump((r), 50);                                          \
                ck_assert_msg((cond), "timed out waiting for " #cond);          \
        } while (0)

static void append(const char *path, const char *s, size_t n) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, s, n), (ssize_t) n);
        close(fd);
}

#define APPEND(path, lit) append((path), (lit), sizeof(lit) - 1)

static void expect_line(const struct rec *r, size_t i, const char *s, size_t n, unsigned flags) {
        ck_assert_uint_gt(r->nlines, i);
        ck_assert_uint_eq(r->lines[i].len, n);
        ck_assert_msg(memcmp(r->lines[i].p, s, n) == 0, "line %zu is \"%s\"", i, r->lines[i].p);
        ck_assert_uint_eq(r->lines[i].flags, flags);
}

#define EXPECT(r, i, lit, flags) expect_line((r), (i), (lit), sizeof(lit) - 1, (flags))

/* Our fds on files in the test directory other than the path itself: rotated or deleted ones. */
static unsigned open_elsewhere(const struct rec *r) {
        DIR *d = opendir("/proc/self/fd");
        struct dirent *e;
        unsigned n = 0;
        size_t dl = strlen(r->dir);
        ck_assert_ptr_nonnull(d);
        while ((e = readdir(d))) {
                char link[PATH_MAX + 64], target[PATH_MAX + 64];
                snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
                ssize_t k = readlink(link, target, sizeof target - 1);
                if (k < 0)
                        continue;
                target[k] = '\0';
                if (strncmp(target, r->dir, dl) == 0 && target[dl] == '/' && strcmp(target, r->path) != 0)
                        n++;
        }
        closedir(d);
        return n;
}

static void on_usr1(int sig) {
        (void) sig;
        reopen_requested = 1;
}

static int writer_open(const char *path) {
        return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

/* Writes "line %06u\n" one write() each, never past the credit the test grants on the pipe (EOF:
 * no limit); reopens the path before the next line after SIGUSR1, like nginx. */
static void writer_main(const char *path, int credit_fd) {
        uint32_t allowed = 0;
        bool unlimited = false;
        int fd = writer_open(path);
        if (fd < 0)
                _exit(2);
        for (uint32_t i = 0; i < NLINES; i++) {
                while (!unlimited && i >= allowed) {
                        uint32_t v;
                        ssize_t n = read(credit_fd, &v, sizeof v);
                        if (n == (ssize_t) sizeof v)
                                allowed = v;
                        else if (n == 0)
                                unlimited = true;
                        else if (errno != EINTR)
                                _exit(3);
                }
                if (reopen_requested) {
                        reopen_requested = 0;
                        close(fd);
                        if ((fd = writer_open(path)) < 0)
                                _exit(4);
                }
                char line[32];
                snprintf(line, sizeof line, "line %06u\n", (unsigned) i);
                if (write(fd, line, LINE_LEN) != LINE_LEN)
                        _exit(5);
                if (i % 8 == 7)
                        nanosleep(&(struct timespec) { 0, 100000 }, NULL);
        }
        _exit(0);
}

static void writer_start(struct writer *w, const char *path) {
        int p[2];
        sigset_t usr1, saved;
        ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
        sigemptyset(&usr1);
        sigaddset(&usr1, SIGUSR1);
        sigprocmask(SIG_BLOCK, &usr1, &saved);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                struct sigaction sa = { .sa_handler = on_usr1 };
                sigaction(SIGUSR1, &sa, NULL);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                sigprocmask(SIG_SETMASK, &saved, NULL);
                close(p[1]);
                writer_main(path, p[0]);
        }
        sigprocmask(SIG_SETMASK, &saved, NULL);
        close(p[0]);
        w->pid = pid;
        w->credit = p[1];
}

static void writer_grant(struct writer *w, uint32_t upto) {
        ck_assert_int_eq(write(w->credit, &upto, sizeof upto), (ssize_t) sizeof upto);
}

static void writer_reopen(struct writer *w) {
        ck_assert_int_eq(kill(w->pid, SIGUSR1), 0);
}

static void writer_finish(struct writer *w) {
        int status;
        close(w->credit);
        ck_assert_int_eq(waitpid(w->pid, &status, 0), w->pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %d", status);
}

static unsigned duplicates(const struct rec *r) {
        unsigned n = 0;
        for (int i = 0; i < MAX_NUM; i++)
                n += r->seen[i] > 1 ? r->seen[i] - 1 : 0;
        return n;
}

/* Lines that are neither a clean numbered line nor an allowed unterminated fragment. */
static unsigned strays(const struct rec *r, unsigned allowed_flags) {
        unsigned n = 0;
        for (size_t i = 0; i < r->nlines; i++) {
                const struct line *l = &r->lines[i];
                bool clean = l->flags == 0 && line_number(l->p, l->len) >= 0;
                if (!clean && (l->flags == 0 || (l->flags & ~allowed_flags)))
                        n++;
        }
        return n;
}

/* After the last line a pass that sees nothing new in the old files lets them close. */
static void settle(struct rec *r) {
        size_t before = r->nlines;
        APPEND(r->path, "end\n");
        WAIT_UNTIL(r, r->nlines > before);
        EXPECT(r, r->nlines - 1, "end", 0);
        r->nlines--;
        free(r->lines[r->nlines].p);
}

START_TEST(test_start_end_and_begin) {
        struct rec r;
        rec_init(&r, "error.log");
        APPEND(r.path, "old1\nold2\n");
        rec_start(&r, TAIL_START_END, CAP);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 1);
        ck_assert_uint_eq(r.nlines, 0);
        APPEND(r.path, "new1\n");
        ck_assert(pump(&r, 2000));
        ck_assert_uint_eq(r.nlines, 1);
        EXPECT(&r, 0, "new1", 0);
        rec_done(&r);

        rec_init(&r, "error.log");
        APPEND(r.path, "old1\nold2\nnew1\n");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 1);
        ck_assert_uint_eq(r.nlines, 3);
        EXPECT(&r, 0, "old1", 0);
        EXPECT(&r, 2, "new1", 0);
        APPEND(r.path, "new2\n");
        ck_assert(pump(&r, 2000));
        ck_assert_uint_eq(r.nlines, 4);
        EXPECT(&r, 3, "new2", 0);
        rec_done(&r);
}
END_TEST

/* A tail's position, after reading what is there; the tail is freed (a stop). */
static struct tail_position stop_at(struct rec *r) {
        struct tail_position p;
        ck_assert_int_eq(tail_position(r->t, &p), 0);
        r->t = tail_free(r->t);
        return p;
}

static void resume(struct rec *r, const struct tail_position *p, uint64_t bound, struct tail_resume_report *rep) {
        ck_assert_int_eq(tail_resume(&r->t, r->path, p, bound, CAP, rep), 0);
        ck_assert_int_eq(tail_process(r->t, &callbacks, r), 0);
}

/* The same file: on from the start of the line not yet whole, nothing read twice. */
START_TEST(test_resume_same_file) {
        struct rec r;
        struct tail_resume_report rep;
        rec_init(&r, "error.log");
        APPEND(r.path, "a\nb\npart");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        ck_assert_uint_eq(r.nlines, 2);
        struct tail_position p = stop_at(&r);
        ck_assert_uint_eq(p.offset, 4);
        ck_assert_uint_eq(p.fp_len, 8);
        APPEND(r.path, "ial\nc\n");
        resume(&r, &p, 0, &rep);
        ck_assert_int_eq(rep.how, TAIL_RESUMED_SAME);
        ck_assert_uint_eq(rep.pending, 10);
        ck_assert_uint_eq(r.nlines, 4);
        EXPECT(&r, 2, "partial", 0);
        EXPECT(&r, 3, "c", 0);
        APPEND(r.path, "d\n");
        ck_assert(pump(&r, 2000));
        EXPECT(&r, 4, "d", 0);
        rec_done(&r);
}
END_TEST

/* Rotated while stopped, by rename (the inode) and by copy (the fingerprint): the rest of .1, then
 * the new file; compressed: said, and the new file read. */
START_TEST(test_resume_rotated) {
        struct rec r;
        struct tail_resume_report rep;
        char old[1100];
        for (int copy = 0; copy < 2; copy++) {
                rec_init(&r, "error.log");
                snprintf(old, sizeof(old), "%s.1", r.path);
                APPEND(r.path, "a\nb\n");
                rec_start(&r, TAIL_START_BEGIN, CAP);
                struct tail_position p = stop_at(&r);
                APPEND(r.path, "c\n");
                if (copy) {
                        APPEND(old, "a\nb\nc\n");
                        ck_assert_int_eq(unlink(r.path), 0);
                } else
                        ck_assert_int_eq(rename(r.path, old), 0);
                APPEND(r.path, "new\n");
                resume(&r, &p, 0, &rep);
                ck_assert_int_eq(rep.how, TAIL_RESUMED_ROTATED);
                ck_assert_str_eq(rep.rotated_path, old);
                ck_assert_uint_eq(r.nlines, 4);
                EXPECT(&r, 2, "c", 0);
                EXPECT(&r, 3, "new", 0);
                rec_done(&r);
        }
        rec_init(&r, "error.log");
        snprintf(old, sizeof(old), "%s.1.gz", r.path);
        APPEND(r.path, "a\n");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        struct tail_position p = stop_at(&r);
        ck_assert_int_eq(rename(r.path, old), 0);
        APPEND(r.path, "new\n");
        resume(&r, &p, 0, &rep);
        ck_assert_int_eq(rep.how, TAIL_RESUMED_NEW);
        ck_assert(rep.compressed);
        ck_assert_uint_eq(rep.compressed_size, 2);
        ck_assert_uint_eq(r.nlines, 2);
        EXPECT(&r, 1, "new", 0);
        rec_done(&r);
}
END_TEST

/* Rotated twice while stopped: the rest of .2, .1 whole, then the new file. */
START_TEST(test_resume_rotated_twice) {
        struct rec r;
        struct tail_resume_report rep;
        char one[1100], two[1100];
        rec_init(&r, "error.log");
        snprintf(one, sizeof(one), "%s.1", r.path);
        snprintf(two, sizeof(two), "%s.2", r.path);
        APPEND(r.path, "a\n");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        struct tail_position p = stop_at(&r);
        APPEND(r.path, "b\n");
        ck_assert_int_eq(rename(r.path, one), 0);
        APPEND(r.path, "c\n");
        ck_assert_int_eq(rename(one, two), 0);
        ck_assert_int_eq(rename(r.path, one), 0);
        APPEND(r.path, "d\n");
        resume(&r, &p, 0, &rep);
        ck_assert_int_eq(rep.how, TAIL_RESUMED_ROTATED);
        ck_assert_str_eq(rep.rotated_path, two);
        ck_assert_uint_eq(rep.rotated_after, 1);
        ck_assert_uint_eq(rep.pending, 6);
        ck_assert_uint_eq(r.nlines, 4);
        EXPECT(&r, 1, "b", 0);
        EXPECT(&r, 2, "c", 0);
        EXPECT(&r, 3, "d", 0);
        settle(&r);
        rec_done(&r);
}
END_TEST

/* Rewritten in place (copytruncate and more written): from 0. Past the bound: the last bytes,
 * from a line's start, the rotated file's rest skipped first. */
START_TEST(test_resume_rewritten_and_bound) {
        struct rec r;
        struct tail_resume_report rep;
        rec_init(&r, "error.log");
        APPEND(r.path, "a\nb\n");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        struct tail_position p = stop_at(&r);
        ck_assert_int_eq(truncate(r.path, 0), 0);
        APPEND(r.path, "x\ny\nz\n");
        resume(&r, &p, 0, &rep);
        ck_assert_int_eq(rep.how, TAIL_RESUMED_NEW);
        ck_assert_uint_eq(r.nlines, 5);
        EXPECT(&r, 2, "x", 0);
        p = stop_at(&r);
        APPEND(r.path, "0123456789\nabc\nde\n");
        resume(&r, &p, 5, &rep);        /* "c\nde\n": from inside "abc", so "de" alone */
        ck_assert_int_eq(rep.how, TAIL_RESUMED_SAME);
        ck_assert_uint_eq(rep.skipped, 13);
        ck_assert_uint_eq(rep.pending, 5);
        ck_assert_uint_eq(r.nlines, 6);
        EXPECT(&r, 5, "de", 0);
        p = stop_at(&r);
        char old[1100];
        snprintf(old, sizeof(old), "%s.1", r.path);
        APPEND(r.path, "lost\n");
        ck_assert_int_eq(rename(r.path, old), 0);
        APPEND(r.path, "n1\nn2\n");
        resume(&r, &p, 3, &rep);        /* all of .1 and "n1\n" skipped */
        ck_assert_int_eq(rep.how, TAIL_RESUMED_ROTATED);
        ck_assert_uint_eq(rep.skipped, 8);
        ck_assert_uint_eq(r.nlines, 7);
        EXPECT(&r, 6, "n2", 0);
        rec_done(&r);
}
END_TEST

START_TEST(test_partial_line_waits) {
        struct rec r;
        rec_init(&r, "error.log");
        APPEND(r.path, "done\nhal");
        rec_start(&r, TAIL_START_END, CAP);
        APPEND(r.path, "f");
        ck_assert(pump(&r, 2000));
        ck_assert_uint_eq(r.nlines, 0);
        APPEND(r.path, "-line\nnext\n");
        ck_assert(pump(&r, 2000));
        ck_assert_uint_eq(r.nlines, 2);
        EXPECT(&r, 0, "half-line", 0);
        EXPECT(&r, 1, "next", 0);
        rec_done(&r);
}
END_TEST

START_TEST(test_missing_file_read_from_start) {
        struct rec r;
        char cwd[PATH_MAX];
        rec_init(&r, "later.log");
        ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
        ck_assert_int_eq(chdir(r.dir), 0);
        ck_assert_int_eq(tail_new(&r.t, "later.log", TAIL_START_END, CAP), 0);
        ck_assert_int_eq(chdir(cwd), 0);
        ck_assert_int_eq(tail_process(r.t, &callbacks, &r), 0);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 0);
        APPEND(r.path, "first\nsecond\n");
        WAIT_UNTIL(&r, r.nlines == 2);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 1);
        EXPECT(&r, 0, "first", 0);
        EXPECT(&r, 1, "second", 0);
        rec_done(&r);
}
END_TEST

START_TEST(test_bad_arguments) {
        struct tail *t = NULL;
        ck_assert_int_eq(tail_new(&t, "/tmp/dir/", TAIL_START_END, 0), -EINVAL);
        ck_assert_int_eq(tail_new(&t, "", TAIL_START_END, 0), -EINVAL);
        ck_assert_int_eq(tail_new(&t, "/tmp/x", (enum tail_start) 7, 0), -EINVAL);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(tail_fd(NULL), -EINVAL);
        ck_assert_ptr_null(tail_free(NULL));
}
END_TEST

START_TEST(test_long_line) {
        struct rec r;
        size_t big = 1024 * 1024;
        char *x = malloc(big + CAP + 2);
        ck_assert_ptr_nonnull(x);
        memset(x, 'x', big + CAP + 2);
        rec_init(&r, "error.log");
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, CAP);
        append(r.path, x, big / 2);
        ck_assert(pump(&r, 2000));
        ck_assert_uint_eq(r.nlines, 1);
        append(r.path, x, big / 2);
        APPEND(r.path, "\nnext\n");
        WAIT_UNTIL(&r, r.nlines == 2);
        ck_assert_uint_eq(r.lines[0].len, CAP);
        ck_assert_uint_eq(r.lines[0].flags, TAIL_LINE_TRUNCATED);
        ck_assert(memcmp(r.lines[0].p, x, CAP) == 0);
        EXPECT(&r, 1, "next", 0);

        x[CAP] = '\n';
        append(r.path, x, CAP + 1);
        x[CAP] = 'x';
        x[CAP + 1] = '\n';
        append(r.path, x, CAP + 2);
        APPEND(r.path, "after\n");
        WAIT_UNTIL(&r, r.nlines == 5);
        ck_assert_uint_eq(r.lines[2].len, CAP);
        ck_assert_uint_eq(r.lines[2].flags, 0);
        ck_assert_uint_eq(r.lines[3].len, CAP);
        ck_assert_uint_eq(r.lines[3].flags, TAIL_LINE_TRUNCATED);
        EXPECT(&r, 4, "after", 0);
        free(x);
        rec_done(&r);
}
END_TEST

START_TEST(test_bytes_pass_through) {
        static const char data[] = "a\0b\r\n\xff\xfe\xc3\x28\n\r\n\n\x1b[31m\t\n";
        struct rec r;
        rec_init(&r, "error.log");
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, 0);
        append(r.path, data, sizeof data - 1);
        WAIT_UNTIL(&r, r.nlines == 5);
        EXPECT(&r, 0, "a\0b\r", 0);
        EXPECT(&r, 1, "\xff\xfe\xc3\x28", 0);
        EXPECT(&r, 2, "\r", 0);
        EXPECT(&r, 3, "", 0);
        EXPECT(&r, 4, "\x1b[31m\t", 0);
        rec_done(&r);
}
END_TEST

START_TEST(test_truncate_in_place) {
        struct rec r;
        rec_init(&r, "error.log");
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, CAP);
        APPEND(r.path, "aaaa\npart");
        WAIT_UNTIL(&r, r.nlines == 1);
        ck_assert_int_eq(truncate(r.path, 0), 0);
        APPEND(r.path, "b\n");
        WAIT_UNTIL(&r, r.nlines == 3);
        EXPECT(&r, 1, "part", TAIL_LINE_UNTERMINATED);
        EXPECT(&r, 2, "b", 0);
        ck_assert_uint_eq(r.notices[TAIL_TRUNCATED], 1);

        /* Rewritten past our offset before we look: the size alone cannot tell. */
        ck_assert_int_eq(truncate(r.path, 0), 0);
        APPEND(r.path, "cccccccccccccccccccc\n");
        WAIT_UNTIL(&r, r.nlines == 4);
        EXPECT(&r, 3, "cccccccccccccccccccc", 0);
        ck_assert_uint_eq(r.notices[TAIL_TRUNCATED], 2);
        rec_done(&r);
}
END_TEST

START_TEST(test_old_file_kept_until_writer_moved) {
        struct rec r;
        char old[1100];
        rec_init(&r, "error.log");
        snprintf(old, sizeof old, "%s.1", r.path);
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, CAP);
        APPEND(r.path, "one\npart");
        WAIT_UNTIL(&r, r.nlines == 1);
        ck_assert_int_eq(rename(r.path, old), 0);
        APPEND(r.path, "");
        WAIT_UNTIL(&r, r.notices[TAIL_OPENED] == 2);
        ck_assert_uint_eq(r.notices[TAIL_ROTATED], 1);
        APPEND(old, "ial\nlate\n");
        WAIT_UNTIL(&r, r.nlines == 3);
        EXPECT(&r, 1, "partial", 0);
        EXPECT(&r, 2, "late", 0);
        APPEND(old, "tail");
        APPEND(r.path, "new\n");
        WAIT_UNTIL(&r, r.nlines == 4);
        EXPECT(&r, 3, "new", 0);
        ck_assert_uint_eq(open_elsewhere(&r), 1);
        APPEND(r.path, "new2\n");
        WAIT_UNTIL(&r, r.nlines == 6);
        EXPECT(&r, 4, "tail", TAIL_LINE_UNTERMINATED);
        EXPECT(&r, 5, "new2", 0);
        ck_assert_uint_eq(open_elsewhere(&r), 0);
        rec_done(&r);
}
END_TEST

/* Rotated files that nobody writes to again are kept, but only a bounded number of them. */
START_TEST(test_old_files_bounded) {
        struct rec r;
        char old[1100];
        rec_init(&r, "error.log");
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, CAP);
        for (int k = 0; k < 12; k++) {
                snprintf(old, sizeof old, "%s.%d", r.path, k);
                ck_assert_int_eq(rename(r.path, old), 0);
                APPEND(r.path, "");
                WAIT_UNTIL(&r, r.notices[TAIL_ROTATED] == (unsigned) k + 1 &&
                           r.notices[TAIL_OPENED] == (unsigned) k + 2);
        }
        ck_assert_uint_eq(open_elsewhere(&r), 8);
        APPEND(old, "late\n");
        WAIT_UNTIL(&r, r.nlines == 1);
        EXPECT(&r, 0, "late", 0);
        rec_done(&r);
}
END_TEST

enum rotation { ROT_RENAME, ROT_CREATE, ROT_DELETE, ROT_COPYTRUNCATE };

static bool copy_file(const char *from, const char *to) {
        char buf[8192];
        ssize_t n;
        bool ok = true;
        int in = open(from, O_RDONLY | O_CLOEXEC);
        int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (in < 0 || out < 0)
                return false;
        while (ok && (n = read(in, buf, sizeof buf)) > 0)
                ok = write(out, buf, (size_t) n) == n;
        close(in);
        close(out);
        return ok && n == 0;
}

/* logrotate runs beside the daemon, so the copy runs in another process while we keep reading. */
static void copytruncate(struct rec *r, const char *old) {
        int status;
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(copy_file(r->path, old) && truncate(r->path, 0) == 0 ? 0 : 1);
        pid_t done = 0;
        for (long long until = deadline(); done == 0 && now_ms() < until;) {
                pump(r, 5);
                done = waitpid(pid, &status, WNOHANG);
        }
        ck_assert_int_eq(done, pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "copier status %d", status);
}

static void rotate(struct rec *r, enum rotation how, int k) {
        char old[1100];
        snprintf(old, sizeof old, "%s.%d", r->path, k);
        switch (how) {
        case ROT_RENAME:
                ck_assert_int_eq(rename(r->path, old), 0);
                break;
        case ROT_CREATE:
                ck_assert_int_eq(rename(r->path, old), 0);
                APPEND(r->path, "");
                break;
        case ROT_DELETE:
                ck_assert_int_eq(unlink(r->path), 0);
                break;
        case ROT_COPYTRUNCATE:
                copytruncate(r, old);
                break;
        }
}

static void run_rotations(enum rotation how) {
        struct rec r;
        struct writer w;
        rec_init(&r, "error.log");
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, CAP);
        writer_start(&w, r.path);
        for (int k = 0; k < 3; k++) {
                int c = 1000 + k * 1600;
                writer_grant(&w, (uint32_t) c);
                WAIT_UNTIL(&r, r.max_num >= c - 500);
                rotate(&r, how, k);
                int at = r.max_num;
                writer_grant(&w, (uint32_t) c + 600);
                if (how != ROT_COPYTRUNCATE) {
                        /* the writer has not reopened: these lines can only be in the old file */
                        WAIT_UNTIL(&r, r.max_num >= at + 300);
                        writer_reopen(&w);
                }
                writer_grant(&w, (uint32_t) c + 1200);
                WAIT_UNTIL(&r, r.max_num >= c + 900);
        }
        writer_finish(&w);
        WAIT_UNTIL(&r, r.max_num == NLINES - 1);
        if (how != ROT_COPYTRUNCATE)
                WAIT_UNTIL(&r, r.distinct == NLINES);
        settle(&r);

        unsigned lost = NLINES - r.distinct;
        ck_assert_uint_eq(duplicates(&r), 0);
        ck_assert_uint_eq(r.notices[TAIL_OVERFLOW], 0);
        ck_assert_uint_eq(open_elsewhere(&r), 0);
        switch (how) {
        case ROT_RENAME:
        case ROT_CREATE:
                ck_assert_uint_eq(lost, 0);
                ck_assert_uint_eq(strays(&r, 0), 0);
                ck_assert_uint_eq(r.notices[TAIL_ROTATED], 3);
                ck_assert_uint_eq(r.notices[TAIL_OPENED], 4);
                ck_assert_uint_eq(r.notices[TAIL_DELETED] + r.notices[TAIL_TRUNCATED], 0);
                break;
        case ROT_DELETE:
                ck_assert_uint_eq(lost, 0);
                ck_assert_uint_eq(strays(&r, 0), 0);
                ck_assert_uint_eq(r.notices[TAIL_DELETED], 3);
                ck_assert_uint_eq(r.notices[TAIL_OPENED], 4);
                ck_assert_uint_eq(r.notices[TAIL_ROTATED] + r.notices[TAIL_TRUNCATED], 0);
                break;
        case ROT_COPYTRUNCATE:
                /* lines written between our last read and the truncation are gone for good */
                printf("copytruncate: %u of %d lines lost over %u truncations\n",
                       lost, NLINES, r.notices[TAIL_TRUNCATED]);
                fflush(stdout);
                ck_assert_uint_eq(strays(&r, TAIL_LINE_UNTERMINATED), 0);
                ck_assert_uint_eq(r.notices[TAIL_TRUNCATED], 3);
                ck_assert_uint_eq(r.notices[TAIL_OPENED], 1);
                ck_assert_uint_eq(r.notices[TAIL_ROTATED] + r.notices[TAIL_DELETED], 0);
                break;
        }
        rec_done(&r);
}

/* copytruncate while lines we have not read yet were in the file: they are read from the copy
 * (path.1) before the file starts over. */
START_TEST(test_copytruncate_reads_copy) {
        struct rec r;
        char old[1100];
        rec_init(&r, "error.log");
        snprintf(old, sizeof old, "%s.1", r.path);
        APPEND(r.path, "");
        rec_start(&r, TAIL_START_END, CAP);
        APPEND(r.path, "line one\n");
        WAIT_UNTIL(&r, r.nlines == 1);
        APPEND(r.path, "line two\nline three\n");      /* not read before the copy */
        ck_assert(copy_file(r.path, old));
        ck_assert_int_eq(truncate(r.path, 0), 0);
        APPEND(r.path, "line four\n");
        WAIT_UNTIL(&r, r.nlines == 4);
        EXPECT(&r, 1, "line two", 0);
        EXPECT(&r, 2, "line three", 0);
        EXPECT(&r, 3, "line four", 0);
        ck_assert_uint_eq(r.notices[TAIL_TRUNCATED], 1);
        rec_done(&r);
}
END_TEST

START_TEST(test_rotate_rename_reopen) {
        run_rotations(ROT_RENAME);
}
END_TEST

START_TEST(test_rotate_create_before_reopen) {
        run_rotations(ROT_CREATE);
}
END_TEST

START_TEST(test_rotate_delete_recreate) {
        run_rotations(ROT_DELETE);
}
END_TEST

START_TEST(test_rotate_copytruncate) {
        run_rotations(ROT_COPYTRUNCATE);
}
END_TEST

static void mkdir_at(const struct rec *r, const char *sub) {
        char p[1100];
        snprintf(p, sizeof p, "%s/%s", r->dir, sub);
        ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void rename_at(const struct rec *r, const char *from, const char *to) {
        char a[1100], b[1100];
        snprintf(a, sizeof a, "%s/%s", r->dir, from);
        snprintf(b, sizeof b, "%s/%s", r->dir, to);
        ck_assert_int_eq(rename(a, b), 0);
}

START_TEST(test_directory_created_late) {
        struct rec r;
        struct writer w;
        rec_init(&r, "a/b/c/error.log");
        rec_start(&r, TAIL_START_END, CAP);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 0);
        mkdir_at(&r, "a");
        ck_assert(pump(&r, 2000));
        mkdir_at(&r, "a/b");
        mkdir_at(&r, "a/b/c");
        writer_start(&w, r.path);
        writer_grant(&w, 2000);
        WAIT_UNTIL(&r, r.distinct == 2000);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 1);

        /* the directory moves away with the file; the writer keeps its fd, then reopens by path */
        rename_at(&r, "a/b", "a/moved");
        int at = r.max_num;
        writer_grant(&w, 3000);
        WAIT_UNTIL(&r, r.max_num >= at + 300);
        mkdir_at(&r, "a/b");
        mkdir_at(&r, "a/b/c");
        writer_reopen(&w);
        writer_finish(&w);
        WAIT_UNTIL(&r, r.distinct == NLINES);
        settle(&r);
        ck_assert_uint_eq(duplicates(&r), 0);
        ck_assert_uint_eq(strays(&r, 0), 0);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 2);
        ck_assert_uint_eq(r.notices[TAIL_ROTATED], 1);
        ck_assert_uint_eq(open_elsewhere(&r), 0);
        rec_done(&r);
}
END_TEST

static void remove_at(const struct rec *r, const char *sub) {
        char p[1100];
        snprintf(p, sizeof p, "%s/%s", r->dir, sub);
        ck_assert_int_eq(remove(p), 0);
}

/* The watched directory dies (its watch is dropped) and comes back, often with the same inode number. */
START_TEST(test_directory_recreated) {
        struct rec r;
        rec_init(&r, "d/error.log");
        mkdir_at(&r, "d");
        APPEND(r.path, "one\n");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        EXPECT(&r, 0, "one", 0);
        remove_at(&r, "d/error.log");
        remove_at(&r, "d");
        mkdir_at(&r, "d");
        APPEND(r.path, "two\n");
        WAIT_UNTIL(&r, r.nlines == 2);
        ck_assert_uint_eq(r.notices[TAIL_DELETED], 1);
        EXPECT(&r, 1, "two", 0);
        remove_at(&r, "d/error.log");
        WAIT_UNTIL(&r, r.notices[TAIL_DELETED] == 2);
        APPEND(r.path, "three\n");
        WAIT_UNTIL(&r, r.nlines == 3);
        EXPECT(&r, 2, "three", 0);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 3);
        rec_done(&r);
}
END_TEST

/* The same once the deleted file has been seen: it stays open (its writer may still write), which
 * pins its directory, so the directory's own IN_DELETE_SELF does not come; its parent's events do. */
START_TEST(test_directory_recreated_after_delete_seen) {
        struct rec r;
        rec_init(&r, "d/error.log");
        mkdir_at(&r, "d");
        APPEND(r.path, "one\n");
        rec_start(&r, TAIL_START_BEGIN, CAP);
        EXPECT(&r, 0, "one", 0);
        remove_at(&r, "d/error.log");
        WAIT_UNTIL(&r, r.notices[TAIL_DELETED] == 1);
        remove_at(&r, "d");
        mkdir_at(&r, "d");
        APPEND(r.path, "two\n");
        WAIT_UNTIL(&r, r.nlines == 2);
        EXPECT(&r, 1, "two", 0);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 2);
        rec_done(&r);
}
END_TEST

/* A FIFO or a device at the path is an error, said, and not followed (reading one would block
 * or never end); a regular file there later is followed. */
START_TEST(test_not_a_regular_file) {
        struct rec r;
        rec_init(&r, "error.log");
        ck_assert_int_eq(mkfifo(r.path, 0600), 0);
        ck_assert_int_eq(tail_new(&r.t, r.path, TAIL_START_END, CAP), 0);
        ck_assert_int_eq(tail_process(r.t, &callbacks, &r), -EINVAL);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 0);
        ck_assert_int_eq(unlink(r.path), 0);
        APPEND(r.path, "one\n");
        ck_assert_int_eq(tail_process(r.t, &callbacks, &r), 0);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 1);
        rec_done(&r);
}
END_TEST

/* A FIFO stays refused whatever events come, the parent's other names' too (they skip the
 * rescan), and no descriptor of it is kept open. */
START_TEST(test_fifo_stays_refused) {
        struct rec r;
        char other[1100];
        rec_init(&r, "d/error.log");
        mkdir_at(&r, "d");
        ck_assert_int_eq(mkfifo(r.path, 0600), 0);
        ck_assert_int_eq(tail_new(&r.t, r.path, TAIL_START_END, CAP), 0);
        ck_assert_int_eq(tail_process(r.t, &callbacks, &r), -EINVAL);
        snprintf(other, sizeof other, "%s/other.log", r.dir);
        APPEND(other, "x\n");
        ck_assert_int_eq(tail_process(r.t, &callbacks, &r), -EINVAL);
        ck_assert_int_eq(tail_process(r.t, &callbacks, &r), -EINVAL);   /* no event at all */
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 0);
        int fd = open(r.path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        ck_assert_msg(fd < 0 && errno == ENXIO, "a reader holds the FIFO open");
        rec_done(&r);
}
END_TEST

static unsigned max_queued_events(void) {
        unsigned v = 16384;
        FILE *f = fopen("/proc/sys/fs/inotify/max_queued_events", "re");
        if (f) {
                if (fscanf(f, "%u", &v) != 1)
                        v = 16384;
                fclose(f);
        }
        return v;
}

static void write_numbered(int fd, int i) {
        char line[32];
        ck_assert_int_eq(snprintf(line, sizeof line, "line %06d\n", i), LINE_LEN);
        ck_assert_int_eq(write(fd, line, LINE_LEN), LINE_LEN);
}

/* A real overflow: alternating MODIFY and ATTRIB events defeat coalescing, and we do not read them. The
 * rename and the new file that follow have no events at all; the rescan must find them. */
START_TEST(test_overflow_rescan) {
        struct rec r;
        char old[1100];
        unsigned pairs = max_queued_events() / 2 + 100;
        int i = 0;
        rec_init(&r, "error.log");
        snprintf(old, sizeof old, "%s.1", r.path);
        int fd = open(r.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd, 0);
        rec_start(&r, TAIL_START_END, CAP);
        ck_assert_uint_lt(pairs + 200, MAX_NUM);
        for (; (unsigned) i < pairs; i++) {
                write_numbered(fd, i);
                ck_assert_int_eq(fchmod(fd, i % 2 ? 0600 : 0644), 0);
        }
        ck_assert_int_eq(rename(r.path, old), 0);
        for (int end = i + 100; i < end; i++)
                write_numbered(fd, i);
        int fd2 = open(r.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        ck_assert_int_ge(fd2, 0);
        for (int end = i + 100; i < end; i++)
                write_numbered(fd2, i);
        close(fd);
        close(fd2);
        WAIT_UNTIL(&r, r.distinct == (unsigned) i && r.notices[TAIL_OVERFLOW] > 0);
        settle(&r);
        ck_assert_uint_eq(duplicates(&r), 0);
        ck_assert_uint_eq(strays(&r, 0), 0);
        ck_assert_uint_eq(r.notices[TAIL_ROTATED], 1);
        ck_assert_uint_eq(r.notices[TAIL_OPENED], 2);
        ck_assert_uint_eq(open_elsewhere(&r), 0);
        rec_done(&r);
}
END_TEST

static Suite *tail_suite(void) {
        Suite *s = suite_create("tail");
        TCase *tc = tcase_create("tail");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_start_end_and_begin);
        tcase_add_test(tc, test_partial_line_waits);
        tcase_add_test(tc, test_missing_file_read_from_start);
        tcase_add_test(tc, test_bad_arguments);
        tcase_add_test(tc, test_long_line);
        tcase_add_test(tc, test_bytes_pass_through);
        tcase_add_test(tc, test_truncate_in_place);
        tcase_add_test(tc, test_old_file_kept_until_writer_moved);
        tcase_add_test(tc, test_old_files_bounded);
        tcase_add_test(tc, test_copytruncate_reads_copy);
        tcase_add_test(tc, test_rotate_rename_reopen);
        tcase_add_test(tc, test_rotate_create_before_reopen);
        tcase_add_test(tc, test_rotate_delete_recreate);
        tcase_add_test(tc, test_rotate_copytruncate);
        tcase_add_test(tc, test_directory_created_late);
        tcase_add_test(tc, test_directory_recreated);
        tcase_add_test(tc, test_directory_recreated_after_delete_seen);
        tcase_add_test(tc, test_not_a_regular_file);
        tcase_add_test(tc, test_fifo_stays_refused);
        tcase_add_test(tc, test_overflow_rescan);
        tcase_add_test(tc, test_resume_same_file);
        tcase_add_test(tc, test_resume_rotated);
        tcase_add_test(tc, test_resume_rotated_twice);
        tcase_add_test(tc, test_resume_rewritten_and_bound);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        SRunner *sr = srunner_create(tail_suite());
        srunner_run_all(sr, CK_NORMAL);
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
