#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "fixtures.h"
#include "readlines.h"

static char dir[128];

static void setup(void) {
        fixture_newdir(dir);
}

static void teardown(void) {
        dir[0] = '\0';
}

static const char *write_file(const char *name, const char *data, size_t n) {
        static char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(data, 1, n, f), n);
        fclose(f);
        return path;
}

struct seen {
        char lines[8][80];
        size_t lens[8];
        unsigned flags[8];
        unsigned count;
};

/* Reads f to its end into s, and closes it. */
static int read_rest(struct readlines *f, struct seen *s) {
        const char *line;
        size_t n;
        unsigned flags;
        int r;
        memset(s, 0, sizeof(*s));
        while ((r = readlines_next(f, &line, &n, &flags)) > 0) {
                ck_assert_uint_lt(s->count, 8);
                s->lens[s->count] = n;
                s->flags[s->count] = flags;
                memcpy(s->lines[s->count], line, n < 79 ? n : 79);
                s->count++;
        }
        readlines_close(f);
        return r;
}

static int read_all(const char *path, size_t cap, struct seen *s) {
        struct readlines *f;
        int r = readlines_open(&f, path, cap, 0);
        return r < 0 ? r : read_rest(f, s);
}

START_TEST(test_plain_lines) {
        struct seen s;
        const char *p = write_file("a.log", "one\ntwo\n\nlast-no-newline", 24);
        ck_assert_int_eq(read_all(p, 64, &s), 0);
        ck_assert_uint_eq(s.count, 4);
        ck_assert_str_eq(s.lines[0], "one");
        ck_assert_uint_eq(s.lens[2], 0);
        ck_assert_str_eq(s.lines[3], "last-no-newline");
        ck_assert_uint_eq(s.flags[3], READLINES_LINE_UNTERMINATED);
        ck_assert_uint_eq(s.flags[0], 0);
}
END_TEST

START_TEST(test_long_line_capped) {
        size_t big = 3 * 1024 * 1024;
        char *data = malloc(big + 16);
        memset(data, 'x', big);
        memcpy(data + big, "\nnext\n", 6);
        const char *p = write_file("long.log", data, big + 6);
        struct seen s;
        ck_assert_int_eq(read_all(p, 65536, &s), 0);
        ck_assert_uint_eq(s.count, 2);
        ck_assert_uint_eq(s.lens[0], 65536);
        ck_assert_uint_eq(s.flags[0], READLINES_LINE_TRUNCATED);
        ck_assert_str_eq(s.lines[1], "next");
        ck_assert_uint_eq(s.flags[1], 0);
        free(data);
}
END_TEST

START_TEST(test_line_exactly_cap) {
        struct seen s;
        const char *p = write_file("cap.log", "12345678\nab\n", 12);
        ck_assert_int_eq(read_all(p, 8, &s), 0);
        ck_assert_uint_eq(s.count, 2);
        ck_assert_uint_eq(s.lens[0], 8);
        ck_assert_uint_eq(s.flags[0], 0);
        ck_assert_str_eq(s.lines[1], "ab");
}
END_TEST

/* A line of exactly the cap is whole, also when its newline is not read yet or never comes. */
START_TEST(test_exact_cap_across_reads) {
        size_t n = 4096 * 64 + 65536 + 1;
        char *data = malloc(n + 65536 + 1);
        for (size_t i = 0; i < 4096; i++) {
                memset(data + i * 64, 'a', 63);
                data[i * 64 + 63] = '\n';
        }
        memset(data + 4096 * 64, 'b', 65536);
        data[n - 1] = '\n';
        memset(data + n, 'c', 65536);
        const char *p = write_file("exact.log", data, n + 65536);
        free(data);
        struct readlines *f;
        ck_assert_int_eq(readlines_open(&f, p, 65536, 0), 0);
        const char *line;
        size_t len;
        unsigned flags, lines = 0;
        while (readlines_next(f, &line, &len, &flags) > 0) {
                lines++;
                if (lines <= 4096)
                        ck_assert_uint_eq(len, 63);
                ck_assert_uint_eq(flags & READLINES_LINE_TRUNCATED, 0);
                if (lines == 4098)
                        ck_assert_uint_eq(flags, READLINES_LINE_UNTERMINATED);
        }
        ck_assert_uint_eq(lines, 4098);
        readlines_close(f);
}
END_TEST

START_TEST(test_gzip) {
        char path[256];
        snprintf(path, sizeof(path), "%s/b.log.gz", dir);
        gzFile gz = gzopen(path, "wb");
        ck_assert_ptr_nonnull(gz);
        gzputs(gz, "first\nsecond\n");
        gzclose(gz);
        struct seen s;
        ck_assert_int_eq(read_all(path, 64, &s), 0);
        ck_assert_uint_eq(s.count, 2);
        ck_assert_str_eq(s.lines[1], "second");
}
END_TEST

START_TEST(test_truncated_gzip_is_an_error) {
        char path[256];
        snprintf(path, sizeof(path), "%s/c.log.gz", dir);
        gzFile gz = gzopen(path, "wb");
        for (int i = 0; i < 2000; i++)
                gzprintf(gz, "line %d with some text to make it compress into several blocks %d\n", i, i * 7919);
        gzclose(gz);
        ck_assert_int_eq(truncate(path, 200), 0);
        struct readlines *f;
        ck_assert_int_eq(readlines_open(&f, path, 64, 0), 0);
        const char *line;
        size_t n;
        unsigned flags;
        int r;
        while ((r = readlines_next(f, &line, &n, &flags)) > 0)
                ;
        ck_assert_int_lt(r, 0);
        readlines_close(f);
}
END_TEST

START_TEST(test_open_errors) {
        struct readlines *f;
        char path[256];
        snprintf(path, sizeof(path), "%s/missing.log", dir);
        ck_assert_int_eq(readlines_open(&f, path, 64, 0), -ENOENT);
        ck_assert_int_eq(readlines_open(&f, dir, 64, 0), -EISDIR);
        ck_assert_int_eq(readlines_open(&f, "/dev/zero", 64, 0), -EINVAL);     /* would never end */
}
END_TEST

/* A FIFO: scan reads one (a pipe given on purpose); a log named in a config never is, since
 * with no writer it would block. Neither open blocks. */
START_TEST(test_fifo) {
        struct readlines *f;
        const char *line;
        size_t len;
        unsigned flags;
        char path[256];
        snprintf(path, sizeof(path), "%s/fifo", dir);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        ck_assert_int_eq(readlines_open(&f, path, 64, READLINES_REGULAR_ONLY), -EINVAL);
        ck_assert_int_eq(readlines_open(&f, path, 64, 0), 0);
        int w = open(path, O_WRONLY | O_CLOEXEC);
        ck_assert_int_ge(w, 0);
        ck_assert_int_eq(write(w, "one\n", 4), 4);
        close(w);
        ck_assert_int_eq(readlines_next(f, &line, &len, &flags), 1);
        ck_assert_uint_eq(len, 3);
        ck_assert_int_eq(readlines_next(f, &line, &len, &flags), 0);
        readlines_close(f);
}
END_TEST

/* An open descriptor (standard input for scan -): plain or gzip from a pipe, where no magic can
 * be read twice; a file from where it stands; the caller's descriptor stays open. */
START_TEST(test_open_fd) {
        struct readlines *f;
        struct seen s;
        int p[2];
        for (int gzip = 0; gzip < 2; gzip++) {
                ck_assert_int_eq(pipe(p), 0);
                if (gzip) {
                        gzFile gz = gzdopen(dup(p[1]), "wb");
                        ck_assert_ptr_nonnull(gz);
                        gzputs(gz, "one\ntwo\n");
                        ck_assert_int_eq(gzclose(gz), Z_OK);
                } else {
                        ck_assert_int_eq(write(p[1], "one\ntwo\n", 8), 8);
                }
                close(p[1]);
                ck_assert_int_eq(readlines_open_fd(&f, p[0], 64), 0);
                ck_assert_int_eq(read_rest(f, &s), 0);
                ck_assert_uint_eq(s.count, 2);
                ck_assert_str_eq(s.lines[1], "two");
                ck_assert_int_ge(fcntl(p[0], F_GETFD), 0);
                close(p[0]);
        }
        const char *path = write_file("fd.log", "skipped\nread\n", 13);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ck_assert_int_eq(lseek(fd, 8, SEEK_SET), 8);
        ck_assert_int_eq(readlines_open_fd(&f, fd, 64), 0);
        ck_assert_int_eq(read_rest(f, &s), 0);
        ck_assert_uint_eq(s.count, 1);
        ck_assert_str_eq(s.lines[0], "read");
        close(fd);
        ck_assert_int_eq(readlines_open_fd(&f, fd, 64), -EBADF);
        fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ck_assert_int_eq(readlines_open_fd(&f, fd, 64), -EISDIR);
        close(fd);
}
END_TEST

/* A FIFO given by name carries gzip too (scan <(cat x.gz)). */
START_TEST(test_fifo_gzip) {
        struct readlines *f;
        struct seen s;
        char path[256];
        snprintf(path, sizeof(path), "%s/gzfifo", dir);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        ck_assert_int_eq(readlines_open(&f, path, 64, 0), 0);
        int w = open(path, O_WRONLY | O_CLOEXEC);
        ck_assert_int_ge(w, 0);
        gzFile gz = gzdopen(w, "wb");
        ck_assert_ptr_nonnull(gz);
        gzputs(gz, "zipped\n");
        ck_assert_int_eq(gzclose(gz), Z_OK);
        ck_assert_int_eq(read_rest(f, &s), 0);
        ck_assert_uint_eq(s.count, 1);
        ck_assert_str_eq(s.lines[0], "zipped");
}
END_TEST

/* Lines of every length, some over the cap, cut anywhere by the chunks a second thread reads
 * (a regular file over one chunk is read ahead): what comes out is the file split at its
 * newlines, each line capped, the last one unterminated. */
enum { AHEAD_BYTES = 3 * 1024 * 1024 + 77, AHEAD_CAP = 4096 };

static char *ahead_data(void) {
        char *data = malloc(AHEAD_BYTES);
        unsigned seed = 12345;
        size_t i = 0;
        while (i < AHEAD_BYTES) {
                seed = seed * 1103515245 + 12345;
                size_t len = (seed >> 8) % 9 == 0 ? (seed >> 4) % 20000 : (seed >> 4) % 300;
                for (size_t k = 0; k < len && i < AHEAD_BYTES; k++) {
                        seed = seed * 1103515245 + 12345;      /* letters gzip cannot shrink much */
                        data[i++] = (char) ('a' + (seed >> 16) % 26);
                }
                if (i < AHEAD_BYTES - 1)
                        data[i++] = '\n';
                else if (i < AHEAD_BYTES)
                        data[i++] = 'z';        /* ends without a newline */
        }
        return data;
}

/* Reads path and checks each line against data; the number of lines, or -1 at the first wrong one. */
static long read_matches(const char *path, const char *data) {
        struct readlines *f;
        ck_assert_int_eq(readlines_open(&f, path, AHEAD_CAP, 0), 0);
        const char *line, *at = data, *end = data + AHEAD_BYTES;
        size_t n;
        unsigned flags;
        long lines = 0;
        int r;
        while ((r = readlines_next(f, &line, &n, &flags)) > 0) {
                const char *nl = memchr(at, '\n', (size_t) (end - at));
                size_t want = (size_t) ((nl ? nl : end) - at);
                unsigned want_flags = want > AHEAD_CAP ? READLINES_LINE_TRUNCATED
                                      : nl ? 0 : READLINES_LINE_UNTERMINATED;
                size_t want_n = want > AHEAD_CAP ? AHEAD_CAP : want;
                if (n != want_n || flags != want_flags || memcmp(line, at, n) != 0) {
                        readlines_close(f);
                        return -1;
                }
                at = nl ? nl + 1 : end;
                lines++;
        }
        readlines_close(f);
        ck_assert_int_eq(r, 0);
        ck_assert_ptr_eq(at, end);
        return lines;
}

START_TEST(test_read_ahead_plain_and_gzip) {
        char *data = ahead_data();
        const char *p = write_file("ahead.log", data, AHEAD_BYTES);
        long plain = read_matches(p, data);
        ck_assert_int_gt(plain, 2000);
        char path[256];
        snprintf(path, sizeof(path), "%s/ahead.log.gz", dir);
        gzFile gz = gzopen(path, "wb1");
        ck_assert_int_eq(gzwrite(gz, data, AHEAD_BYTES), AHEAD_BYTES);
        gzclose(gz);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_gt(st.st_size, 256 * 1024);       /* read ahead too */
        ck_assert_int_eq(read_matches(path, data), plain);
        free(data);
}
END_TEST

/* Closed after a few lines, with the thread still reading: it ends, nothing leaks (valgrind). */
START_TEST(test_read_ahead_closed_early) {
        char *data = ahead_data();
        const char *p = write_file("early.log", data, AHEAD_BYTES);
        free(data);
        for (int round = 0; round < 20; round++) {
                struct readlines *f;
                ck_assert_int_eq(readlines_open(&f, p, AHEAD_CAP, 0), 0);
                const char *line;
                size_t n;
                unsigned flags;
                for (int i = 0; i < round * 100; i++)
                        ck_assert_int_eq(readlines_next(f, &line, &n, &flags), 1);
                readlines_close(f);
        }
}
END_TEST

/* A .gz cut in the middle, read ahead: the lines before the cut, then an error. */
START_TEST(test_read_ahead_truncated_gzip) {
        char *data = ahead_data();
        char path[256];
        snprintf(path, sizeof(path), "%s/cut.log.gz", dir);
        gzFile gz = gzopen(path, "wb1");
        gzwrite(gz, data, AHEAD_BYTES);
        gzclose(gz);
        free(data);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_int_eq(truncate(path, st.st_size / 2), 0);
        struct readlines *f;
        ck_assert_int_eq(readlines_open(&f, path, AHEAD_CAP, 0), 0);
        const char *line;
        size_t n;
        unsigned flags;
        long lines = 0;
        int r;
        while ((r = readlines_next(f, &line, &n, &flags)) > 0)
                lines++;
        ck_assert_int_eq(r, -EBADMSG);
        ck_assert_int_gt(lines, 500);
        ck_assert_int_eq(readlines_next(f, &line, &n, &flags), -EBADMSG);      /* and stays so */
        readlines_close(f);
}
END_TEST

int main(void) {
        Suite *s = suite_create("readlines");
        TCase *tc = tcase_create("read");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_plain_lines);
        tcase_add_test(tc, test_long_line_capped);
        tcase_add_test(tc, test_line_exactly_cap);
        tcase_add_test(tc, test_exact_cap_across_reads);
        tcase_add_test(tc, test_gzip);
        tcase_add_test(tc, test_truncated_gzip_is_an_error);
        tcase_add_test(tc, test_open_errors);
        tcase_add_test(tc, test_fifo);
        tcase_add_test(tc, test_open_fd);
        tcase_add_test(tc, test_fifo_gzip);
        tcase_add_test(tc, test_read_ahead_plain_and_gzip);
        tcase_add_test(tc, test_read_ahead_closed_early);
        tcase_add_test(tc, test_read_ahead_truncated_gzip);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
