#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "sink.h"

struct lines {
        char *text;
        char *line[16];
        size_t len[16];
        int n;
};

static void fill(char *dst, size_t size, const char *src, size_t n) {
        if (n >= size)
                n = size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
}

#define SET(dst, lit) fill(dst, sizeof(dst), lit, sizeof(lit) - 1)

/* An alert whose text carries what an attacker can put in a request line. */
static void hostile_alert(struct alert *a, enum cause c, int variant) {
        memset(a, 0, sizeof(*a));
        a->cause = c;
        a->state = variant % 2 ? ALERT_RESOLVED : ALERT_FIRING;
        snprintf(a->id, sizeof(a->id), "%s/www/%d", cause_id(c), 1795612991 + variant);
        SET(a->pool, "www");
        SET(a->upstream, "fastcgi://unix:/run/php/\xff\xfe\x01\n.sock");
        SET(a->unit, "php8.2-fpm.service");
        SET(a->summary, "line one\nline two \"quoted\" \\ \x1b[31mred");
        struct alert_evidence *e = &a->evidence;
        e->lines = 3;
        e->kinds[KIND_UPSTREAM_SOCKET_MISSING] = 3;
        SET(e->samples[0], "GET /\xff\xfe\xc0\x80\xed\xa0\x80 HTTP/1.1 \x01\x02\x7f\r\t");
        SET(e->samples[1], "before\0after");
        char big[1024];
        for (size_t i = 0; i + 1 < sizeof(big); i += 2)
                memcpy(big + i, "\xc3\xa9", 2);
        fill(e->samples[2], sizeof(e->samples[2]), big, sizeof(big));
        e->n_samples = 3;
        SET(a->remedy[0], "systemctl start php8.2-fpm");
        a->n_remedies = 1;
        a->first_seen_usec = 1795612991000000ULL;
        a->last_seen_usec = a->first_seen_usec + 5000000;
}

static void split(struct lines *l, char *text, size_t size) {
        l->text = text;
        l->n = 0;
        for (char *p = text, *end = text + size; p < end && l->n < 16;) {
                char *nl = memchr(p, '\n', (size_t) (end - p));
                ck_assert_msg(nl, "line %d has no newline", l->n + 1);
                l->line[l->n] = p;
                l->len[l->n++] = (size_t) (nl - p);
                p = nl + 1;
        }
}

static void read_lines(struct lines *l, const char *path) {
        FILE *f = fopen(path, "re");
        ck_assert_ptr_nonnull(f);
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
                fwrite(buf, 1, n, mem);
        fclose(f);
        fclose(mem);
        split(l, text, size);
}

static int count_lines(const char *path) {
        FILE *f = fopen(path, "re");
        int n = 0, c;
        ck_assert_ptr_nonnull(f);
        while ((c = fgetc(f)) != EOF)
                n += c == '\n';
        fclose(f);
        return n;
}

static json_t *parse_line(const struct lines *l, int i) {
        json_error_t err;
        json_t *j = json_loadb(l->line[i], l->len[i], JSON_ALLOW_NUL, &err);
        ck_assert_msg(j, "line %d is not JSON: %s", i + 1, err.text);
        return j;
}

static void expect_alert(const struct lines *l, int i, const struct alert *a) {
        json_t *got = parse_line(l, i), *want = alert_to_json(a);
        ck_assert(json_equal(got, want));
        ck_assert_str_eq(json_string_value(json_object_get(got, "id")), a->id);
        ck_assert_str_eq(json_string_value(json_object_get(got, "cause")), cause_id(a->cause));
        ck_assert_str_eq(json_string_value(json_object_get(got, "state")), alert_state_name(a->state));
        json_decref(got);
        json_decref(want);
}

static const char *sample(json_t *j, size_t i) {
        return json_string_value(json_array_get(json_object_get(json_object_get(j, "evidence"), "samples"), i));
}

START_TEST(test_stream_hostile) {
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        struct sink_jsonl s;
        struct alert a[3];
        sink_jsonl_stream(&s, mem);
        for (int i = 0; i < 3; i++) {
                hostile_alert(&a[i], CAUSE_FPM_DOWN + i, i);
                ck_assert_int_eq(sink_jsonl_write(&s, &a[i]), 0);
        }
        sink_jsonl_close(&s);
        ck_assert_int_eq(fclose(mem), 0);
        struct lines l;
        split(&l, text, size);
        ck_assert_int_eq(l.n, 3);
        for (int i = 0; i < 3; i++)
                expect_alert(&l, i, &a[i]);
        json_t *j = parse_line(&l, 0);
        ck_assert_str_eq(sample(j, 0), "GET /\\xff\\xfe\\xc0\\x80\\xed\\xa0\\x80 HTTP/1.1 \x01\x02\x7f\r\t");
        ck_assert_str_eq(sample(j, 1), "before");
        ck_assert_uint_eq(strlen(sample(j, 2)), 510 + strlen("\\xc3"));
        ck_assert_str_eq(json_string_value(json_object_get(j, "summary")), a[0].summary);
        json_decref(j);
        free(text);
}
END_TEST

START_TEST(test_empty_alert) {
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        struct alert a = { .cause = CAUSE_NONE };
        ck_assert_int_eq(sink_jsonl_put(mem, &a), 0);
        fclose(mem);
        struct lines l;
        split(&l, text, size);
        ck_assert_int_eq(l.n, 1);
        expect_alert(&l, 0, &a);
        free(text);
}
END_TEST

START_TEST(test_reopen_after_rename) {
        char dir[128], path[160], old[170];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/alerts.jsonl", dir);
        snprintf(old, sizeof(old), "%s.1", path);
        struct sink_jsonl s;
        struct alert a[4];
        for (int i = 0; i < 4; i++)
                hostile_alert(&a[i], CAUSE_WORKER_KILLED, i);
        ck_assert_int_eq(sink_jsonl_open(&s, path), 0);
        ck_assert_int_eq(sink_jsonl_write(&s, &a[0]), 0);
        ck_assert_int_eq(rename(path, old), 0);
        ck_assert_int_eq(sink_jsonl_write(&s, &a[1]), 0);
        ck_assert_int_eq(sink_jsonl_reopen(&s), 0);
        ck_assert_int_eq(sink_jsonl_write(&s, &a[2]), 0);
        ck_assert_int_eq(sink_jsonl_write(&s, &a[3]), 0);
        sink_jsonl_close(&s);
        struct lines l;
        read_lines(&l, old);
        ck_assert_int_eq(l.n, 2);
        expect_alert(&l, 0, &a[0]);
        expect_alert(&l, 1, &a[1]);
        free(l.text);
        read_lines(&l, path);
        ck_assert_int_eq(l.n, 2);
        expect_alert(&l, 0, &a[2]);
        expect_alert(&l, 1, &a[3]);
        free(l.text);
}
END_TEST

START_TEST(test_reopen_failure_keeps_file) {
        char dir[128], path[160], old[170];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/alerts.jsonl", dir);
        snprintf(old, sizeof(old), "%s.1", path);
        struct sink_jsonl s;
        struct alert a;
        hostile_alert(&a, CAUSE_POOL_SATURATED, 0);
        ck_assert_int_eq(sink_jsonl_open(&s, path), 0);
        ck_assert_int_eq(rename(path, old), 0);
        ck_assert_int_eq(mkdir(path, 0755), 0);
        ck_assert_int_eq(sink_jsonl_reopen(&s), -EISDIR);
        ck_assert_int_eq(sink_jsonl_write(&s, &a), 0);
        sink_jsonl_close(&s);
        struct lines l;
        read_lines(&l, old);
        ck_assert_int_eq(l.n, 1);
        expect_alert(&l, 0, &a);
        free(l.text);
        ck_assert_int_eq(sink_jsonl_open(&s, ""), -EINVAL);
}
END_TEST

START_TEST(test_file_error_leaves_whole_lines) {
        char dir[128], path[160];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/alerts.jsonl", dir);
        struct sink_jsonl s;
        struct alert a[3];
        for (int i = 0; i < 3; i++)
                hostile_alert(&a[i], CAUSE_UPSTREAM_TIMEOUT, i);
        ck_assert_int_eq(sink_jsonl_open(&s, path), 0);
        ck_assert_int_eq(sink_jsonl_write(&s, &a[0]), 0);
        struct stat st;
        ck_assert_int_eq(stat(path, &st), 0);
        struct rlimit saved, small = { .rlim_cur = (rlim_t) st.st_size + 100 };
        getrlimit(RLIMIT_FSIZE, &saved);
        small.rlim_max = saved.rlim_max;
        void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
        int r = sink_jsonl_write(&s, &a[1]);
        setrlimit(RLIMIT_FSIZE, &saved);
        signal(SIGXFSZ, was);
        ck_assert_int_eq(r, -EFBIG);
        ck_assert_uint_eq(sink_jsonl_pending(&s), 1);
        ck_assert_int_eq(sink_jsonl_write(&s, &a[2]), 0);      /* the kept one first */
        ck_assert_uint_eq(sink_jsonl_pending(&s), 0);
        ck_assert_uint_eq(s.written, 3);
        sink_jsonl_close(&s);
        struct lines l;
        read_lines(&l, path);
        ck_assert_int_eq(l.n, 3);
        expect_alert(&l, 0, &a[0]);
        expect_alert(&l, 1, &a[1]);
        expect_alert(&l, 2, &a[2]);
        free(l.text);
}
END_TEST

/* A file that takes nothing for longer than the queue holds: the newest SINK_JSONL_QUEUE_MAX are
 * written once it has room again, the older ones are counted as dropped. */
START_TEST(test_queue_bounded) {
        char dir[128], path[160];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/alerts.jsonl", dir);
        struct sink_jsonl s;
        struct alert a;
        enum { N = SINK_JSONL_QUEUE_MAX + 44 };
        ck_assert_int_eq(sink_jsonl_open(&s, path), 0);
        struct rlimit saved, none;
        getrlimit(RLIMIT_FSIZE, &saved);
        none = (struct rlimit) { 0, saved.rlim_max };
        void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
        ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &none), 0);
        for (int i = 0; i < N; i++) {
                hostile_alert(&a, CAUSE_FPM_DOWN, i);
                ck_assert_int_eq(sink_jsonl_write(&s, &a), -EFBIG);
        }
        setrlimit(RLIMIT_FSIZE, &saved);
        signal(SIGXFSZ, was);
        ck_assert_uint_eq(sink_jsonl_pending(&s), SINK_JSONL_QUEUE_MAX);
        ck_assert_uint_eq(s.dropped, N - SINK_JSONL_QUEUE_MAX);
        ck_assert_int_eq(sink_jsonl_flush(&s), 0);
        ck_assert_uint_eq(s.written, SINK_JSONL_QUEUE_MAX);
        sink_jsonl_close(&s);
        struct lines l;
        read_lines(&l, path);
        ck_assert_int_eq(count_lines(path), SINK_JSONL_QUEUE_MAX);
        hostile_alert(&a, CAUSE_FPM_DOWN, N - SINK_JSONL_QUEUE_MAX);   /* the oldest kept */
        expect_alert(&l, 0, &a);
        free(l.text);
}
END_TEST

struct flaky {
        char buf[65536];
        size_t n;
        bool failed_once;
};

/* Takes 10 bytes of the first write, then fails it; takes everything after. */
static ssize_t flaky_write(void *cookie, const char *p, size_t n) {
        struct flaky *fl = cookie;
        size_t take = fl->failed_once ? n : 10;
        if (take > sizeof(fl->buf) - fl->n)
                take = sizeof(fl->buf) - fl->n;
        memcpy(fl->buf + fl->n, p, take);
        fl->n += take;
        if (!fl->failed_once)
                errno = ENOSPC;
        fl->failed_once = true;
        return (ssize_t) take;
}

START_TEST(test_stream_error_cut_line) {
        static struct flaky fl;
        FILE *f = fopencookie(&fl, "w", (cookie_io_functions_t) { .write = flaky_write });
        struct sink_jsonl s;
        struct alert a;
        hostile_alert(&a, CAUSE_NOT_FASTCGI, 0);
        sink_jsonl_stream(&s, f);
        ck_assert_int_eq(sink_jsonl_write(&s, &a), -ENOSPC);
        ck_assert(s.cut);
        ck_assert_int_eq(sink_jsonl_write(&s, &a), 0);
        ck_assert(!s.cut);
        fclose(f);
        struct lines l;
        split(&l, fl.buf, fl.n);
        ck_assert_int_eq(l.n, 3);               /* the cut piece, the first alert again, the second */
        ck_assert_uint_eq(l.len[0], 10);
        expect_alert(&l, 1, &a);
        expect_alert(&l, 2, &a);
}
END_TEST

START_TEST(test_fallback_says_why_once) {
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        struct sink_fallback fb;
        struct alert a[2];
        sink_fallback_init(&fb, mem);
        for (int i = 0; i < 2; i++) {
                hostile_alert(&a[i], CAUSE_SOCKET_PERMISSION, i);
                ck_assert_int_eq(sink_journal_fallback(&fb, &a[i], -ECONNREFUSED), 0);
        }
        fclose(mem);
        struct lines l;
        split(&l, text, size);
        ck_assert_int_eq(l.n, 3);
        const char want[] = "badgatewayd: journald unavailable (nothing listens on /run/systemd/journal/socket); "
                            "alert follows:";
        ck_assert_uint_eq(l.len[0], strlen(want));
        ck_assert(memcmp(l.line[0], want, l.len[0]) == 0);
        expect_alert(&l, 1, &a[0]);
        expect_alert(&l, 2, &a[1]);
        free(text);
}
END_TEST

/* The journal's queue where no journald listens: nothing kept for a journal never reached (the
 * fallback takes it); once it was reached, up to SINK_JOURNAL_QUEUE_MAX kept, the oldest dropped. */
START_TEST(test_journal_queue_bounded) {
        if (access(SINK_JOURNAL_SOCKET, F_OK) == 0) {
                printf("journald listens here (%s): the queue is tested under sdenv.sh (tests/torture)\n",
                       SINK_JOURNAL_SOCKET);
                return;
        }
        struct sink_journal_queue q = { 0 };
        struct alert a;
        hostile_alert(&a, CAUSE_FPM_DOWN, 0);
        ck_assert_int_eq(sink_journal_send(&q, &a), -ENOENT);
        ck_assert_uint_eq(sink_journal_pending(&q), 0);
        q.reached = true;       /* as after journald took entries, then stopped */
        for (int i = 0; i < SINK_JOURNAL_QUEUE_MAX + 44; i++) {
                hostile_alert(&a, CAUSE_FPM_DOWN, i);
                ck_assert_int_eq(sink_journal_send(&q, &a), 1);
        }
        ck_assert_int_eq(q.error, -ENOENT);
        ck_assert_uint_eq(sink_journal_pending(&q), SINK_JOURNAL_QUEUE_MAX);
        ck_assert_uint_eq(q.dropped, 44);
        ck_assert_int_eq(sink_journal_retry(&q), -ENOENT);
        ck_assert_uint_eq(sink_journal_pending(&q), SINK_JOURNAL_QUEUE_MAX);
        ck_assert_uint_eq(q.late, 0);
        sink_journal_queue_free(&q);
        ck_assert_uint_eq(sink_journal_pending(&q), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("sink_jsonl");
        TCase *tc = tcase_create("jsonl");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_test(tc, test_stream_hostile);
        tcase_add_test(tc, test_empty_alert);
        tcase_add_test(tc, test_reopen_after_rename);
        tcase_add_test(tc, test_reopen_failure_keeps_file);
        tcase_add_test(tc, test_file_error_leaves_whole_lines);
        tcase_add_test(tc, test_queue_bounded);
        tcase_add_test(tc, test_stream_error_cut_line);
        tcase_add_test(tc, test_fallback_says_why_once);
        tcase_add_test(tc, test_journal_queue_bounded);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
