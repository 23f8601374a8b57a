/* lib/statefile: what survives a restart, as JSON; written atomically, read back the same; any
 * corrupt, foreign or odd file is -EINVAL with a reason, never a crash and never half a state. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "address.h"
#include "fixtures.h"
#include "statefile.h"

static void sample(struct statefile *s) {
        struct statefile_log l = { .dev = 65024, .ino = 1234567, .offset = 987654321012ULL, .fp_len = 64,
                                   .fp_hash = 0xfedcba9876543210ULL };
        snprintf(l.path, sizeof(l.path), "/var/log/nginx/error \"quoted\" é.log");
        ck_assert_int_eq(statefile_add_log(s, &l), 0);
        l = (struct statefile_log) { .path = "/var/log/php8.2-fpm.log", .dev = 1, .ino = 2, .offset = 0, .fp_len = 0 };
        ck_assert_int_eq(statefile_add_log(s, &l), 0);
        struct statefile_finding f = { .cause = "fpm_down", .kind = STATEFILE_POOL, .target = "www",
                                       .first_seen = 1795975349068490ULL, .lines = 12 };
        ck_assert_int_eq(statefile_add_finding(s, &f), 0);
        f = (struct statefile_finding) { .cause = "socket_mismatch", .kind = STATEFILE_UPSTREAM,
                                         .target = "unix:/run/php/old.sock", .first_seen = 5, .lines = 0 };
        ck_assert_int_eq(statefile_add_finding(s, &f), 0);
        f = (struct statefile_finding) { .cause = "error_log_unwritable", .kind = STATEFILE_NGINX, .target = "nginx" };
        ck_assert_int_eq(statefile_add_finding(s, &f), 0);
}

static void assert_same(const struct statefile *a, const struct statefile *b) {
        ck_assert_uint_eq(a->n_logs, b->n_logs);
        ck_assert_uint_eq(a->n_findings, b->n_findings);
        for (size_t i = 0; i < a->n_logs; i++) {
                ck_assert_str_eq(a->logs[i].path, b->logs[i].path);
                ck_assert_uint_eq(a->logs[i].dev, b->logs[i].dev);
                ck_assert_uint_eq(a->logs[i].ino, b->logs[i].ino);
                ck_assert_uint_eq(a->logs[i].offset, b->logs[i].offset);
                ck_assert_uint_eq(a->logs[i].fp_len, b->logs[i].fp_len);
                ck_assert_uint_eq(a->logs[i].fp_hash, b->logs[i].fp_hash);
        }
        for (size_t i = 0; i < a->n_findings; i++) {
                ck_assert_str_eq(a->findings[i].cause, b->findings[i].cause);
                ck_assert_int_eq(a->findings[i].kind, b->findings[i].kind);
                ck_assert_str_eq(a->findings[i].target, b->findings[i].target);
                ck_assert_uint_eq(a->findings[i].first_seen, b->findings[i].first_seen);
                ck_assert_uint_eq(a->findings[i].lines, b->findings[i].lines);
        }
}

START_TEST(test_round_trip_text) {
        struct statefile s = { 0 }, back = { 0 };
        char err[256];
        sample(&s);
        char *text = statefile_format(&s);
        ck_assert_ptr_nonnull(text);
        ck_assert_int_eq(statefile_parse(text, strlen(text), &back, err, sizeof(err)), 0);
        assert_same(&s, &back);
        ck_assert_ptr_nonnull(statefile_find_log(&back, "/var/log/php8.2-fpm.log"));
        ck_assert_ptr_null(statefile_find_log(&back, "/var/log/other.log"));
        free(text);
        statefile_clear(&s);
        statefile_clear(&back);
}
END_TEST

static size_t entries(const char *dir) {
        size_t n = 0;
        DIR *d = opendir(dir);
        ck_assert_ptr_nonnull(d);
        for (struct dirent *e; (e = readdir(d));)
                n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
        closedir(d);
        return n;
}

START_TEST(test_save_load) {
        char dir[128], path[256], err[256];
        struct statefile s = { 0 }, back = { 0 };
        struct stat st;
        fixture_newdir(dir);
        ck_assert_int_eq(statefile_load(dir, &back, err, sizeof(err)), -ENOENT);
        sample(&s);
        ck_assert_int_eq(statefile_save(dir, &s), 0);
        ck_assert_int_eq(statefile_save(dir, &s), 0);   /* replaced, no temp file left */
        ck_assert_uint_eq(entries(dir), 1);
        snprintf(path, sizeof(path), "%s/%s", dir, STATEFILE_NAME);
        ck_assert_int_eq(stat(path, &st), 0);
        ck_assert_uint_eq(st.st_mode & 07777, 0600);
        ck_assert_int_eq(statefile_load(dir, &back, err, sizeof(err)), 0);
        assert_same(&s, &back);
        statefile_clear(&back);
        statefile_clear(&s);
        ck_assert_int_eq(statefile_save(dir, &s), 0);   /* empty is a state too */
        ck_assert_int_eq(statefile_load(dir, &back, err, sizeof(err)), 0);
        ck_assert_uint_eq(back.n_logs + back.n_findings, 0);
}
END_TEST

START_TEST(test_save_unwritable) {
        char dir[128], sub[200];
        struct statefile s = { 0 };
        fixture_newdir(dir);
        snprintf(sub, sizeof(sub), "%s/missing", dir);
        ck_assert_int_eq(statefile_save(sub, &s), -ENOENT);
        snprintf(sub, sizeof(sub), "%s/file", dir);
        FILE *f = fopen(sub, "w");
        fclose(f);
        ck_assert_int_eq(statefile_save(sub, &s), -ENOTDIR);
}
END_TEST

static const char *const corrupt[] = {
        "",
        "{",
        "[]",
        "null",
        "{\"schema\": 1}",
        "{\"schema\": 2, \"logs\": [], \"findings\": []}",
        "{\"schema\": \"1\", \"logs\": [], \"findings\": []}",
        "{\"schema\": 1, \"logs\": {}, \"findings\": []}",
        "{\"schema\": 1, \"schema\": 1, \"logs\": [], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"/a\\u0000b\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 1,"
        " \"fp_hash\": \"0000000000000000\"}], \"findings\": []}",
};

/* One bad entry costs that entry, not the rest of the file. */
static const char *const bad_entries[] = {
        "{\"schema\": 1, \"logs\": [1], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"rel.log\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 0,"
        " \"fp_hash\": \"0000000000000000\"}], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"/a\", \"dev\": -1, \"ino\": 1, \"offset\": 0, \"fp_len\": 0,"
        " \"fp_hash\": \"0000000000000000\"}], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"/a\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 65,"
        " \"fp_hash\": \"0000000000000000\"}], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"/a\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 1,"
        " \"fp_hash\": \"xyz\"}], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"/a\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 1,"
        " \"fp_hash\": \"-000000000000001\"}], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [{\"path\": \"/a\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 0,"
        " \"fp_hash\": \"0000000000000000\"}, {\"path\": \"/a\", \"dev\": 1, \"ino\": 1, \"offset\": 0, \"fp_len\": 0,"
        " \"fp_hash\": \"0000000000000000\"}], \"findings\": []}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"planet\","
        " \"target\": \"www\", \"first_seen\": 1, \"lines\": 1}]}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"pool\","
        " \"target\": \"\", \"first_seen\": 1, \"lines\": 1}]}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"pool\","
        " \"target\": \"www\", \"first_seen\": 1.5, \"lines\": 1}]}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"upstream\","
        " \"target_hex\": \"787\", \"first_seen\": 1, \"lines\": 1}]}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"upstream\","
        " \"target_hex\": \"78zz\", \"first_seen\": 1, \"lines\": 1}]}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"upstream\","
        " \"target_hex\": \"7800\", \"first_seen\": 1, \"lines\": 1}]}",
        "{\"schema\": 1, \"logs\": [], \"findings\": [{\"cause\": \"fpm_down\", \"target_kind\": \"upstream\","
        " \"target\": \"x\", \"target_hex\": \"78\", \"first_seen\": 1, \"lines\": 1}]}",
};

START_TEST(test_corrupt) {
        struct statefile s = { 0 };
        char err[256];
        const char *text = corrupt[_i];
        ck_assert_int_eq(statefile_parse(text, strlen(text), &s, err, sizeof(err)), -EINVAL);
        ck_assert_msg(err[0], "no reason for %s", text);
        ck_assert_uint_eq(s.n_logs + s.n_findings, 0);
        ck_assert_ptr_null(s.logs);
}
END_TEST

START_TEST(test_bad_entry_skipped) {
        struct statefile s = { 0 };
        char err[256];
        const char *text = bad_entries[_i];
        ck_assert_int_eq(statefile_parse(text, strlen(text), &s, err, sizeof(err)), 0);
        ck_assert_msg(err[0], "no reason for %s", text);
        ck_assert_uint_eq(s.n_skipped, 1);
        ck_assert_uint_le(s.n_logs, 1);         /* the duplicate's first stays */
        ck_assert_uint_eq(s.n_findings, 0);
        statefile_clear(&s);
}
END_TEST

START_TEST(test_not_regular) {
        char dir[128], path[256], err[256];
        struct statefile s = { 0 };
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/%s", dir, STATEFILE_NAME);
        ck_assert_int_eq(mkdir(path, 0700), 0);
        ck_assert_int_eq(statefile_load(dir, &s, err, sizeof(err)), -EINVAL);
        ck_assert_msg(strstr(err, "not a regular file"), "%s", err);
        ck_assert_int_eq(rmdir(path), 0);
        ck_assert_int_eq(mkfifo(path, 0600), 0);        /* never blocks */
        ck_assert_int_eq(statefile_load(dir, &s, err, sizeof(err)), -EINVAL);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(symlink("/etc/passwd", path), 0);
        ck_assert_int_lt(statefile_load(dir, &s, err, sizeof(err)), 0);
        ck_assert_msg(strstr(err, "symbolic link"), "%s", err);
        ck_assert_uint_eq(s.n_logs + s.n_findings, 0);
}
END_TEST

START_TEST(test_limits) {
        struct statefile s = { 0 };
        struct statefile_log l = { .path = "/a" };
        for (int i = 0; i < STATEFILE_MAX_LOGS; i++)
                ck_assert_int_eq(statefile_add_log(&s, &l), 0);
        ck_assert_int_eq(statefile_add_log(&s, &l), -E2BIG);
        statefile_clear(&s);
}
END_TEST

/* Paths and upstream addresses come from logs: any bytes (a client's Host through proxy_pass
 * http://$host), and up to a whole host name long. They are written (jansson refuses strings that
 * are not UTF-8) and read back byte for byte, so the restored finding is the same one. */
START_TEST(test_any_bytes) {
        char dir[128], err[256];
        struct statefile s = { 0 }, back = { 0 };
        struct statefile_log l = { .path = "/var/log/nginx/\xe9rr\xff.log", .dev = 1, .ino = 2, .offset = 3 };
        struct statefile_finding f = { .cause = "fpm_down", .kind = STATEFILE_UPSTREAM,
                                       .target = "unix:/run/x\xff.sock", .first_seen = 7, .lines = 1 };
        ck_assert_int_eq(statefile_add_log(&s, &l), 0);
        ck_assert_int_eq(statefile_add_finding(&s, &f), 0);
        snprintf(f.target, sizeof(f.target), "\xe9vil.example:80");
        ck_assert_int_eq(statefile_add_finding(&s, &f), 0);
        memset(f.target, 'a', ADDRESS_NAME_MAX);        /* the longest host name, and a port */
        snprintf(f.target + ADDRESS_NAME_MAX, sizeof(f.target) - ADDRESS_NAME_MAX, ":65535");
        ck_assert_int_eq(statefile_add_finding(&s, &f), 0);
        snprintf(s.journal_cursor, sizeof(s.journal_cursor), "s=\xff;i=1");
        fixture_newdir(dir);
        ck_assert_int_eq(statefile_save(dir, &s), 0);
        ck_assert_int_eq(statefile_load(dir, &back, err, sizeof(err)), 0);
        ck_assert_uint_eq(back.n_skipped, 0);
        assert_same(&s, &back);
        ck_assert_str_eq(back.journal_cursor, s.journal_cursor);
        char *text = statefile_format(&s);
        ck_assert_msg(strstr(text, "\"target_hex\": \"756e69783a2f72756e2f78ff2e736f636b\"") &&
                      strstr(text, "\"target\": \"www\"") == NULL && strstr(text, "\"path_hex\""), "%s", text);
        free(text);
        statefile_clear(&s);
        statefile_clear(&back);
}
END_TEST

/* A file written before the hex form (every string as it is) still reads. */
START_TEST(test_plain_form_read) {
        struct statefile s = { 0 };
        char err[256];
        const char *text = "{\"schema\": 1, \"logs\": [{\"path\": \"/var/log/nginx/error.log\", \"dev\": 1, \"ino\": 2,"
                           " \"offset\": 3, \"fp_len\": 0, \"fp_hash\": \"cbf29ce484222325\"}], \"findings\":"
                           " [{\"cause\": \"fpm_down\", \"target_kind\": \"upstream\", \"target\": \"unix:/run/caf\u00e9.sock\","
                           " \"first_seen\": 1, \"lines\": 2}], \"journal\": {\"cursor\": \"s=1\"}}";
        ck_assert_int_eq(statefile_parse(text, strlen(text), &s, err, sizeof(err)), 0);
        ck_assert_uint_eq(s.n_skipped, 0);
        ck_assert_str_eq(s.logs[0].path, "/var/log/nginx/error.log");
        ck_assert_str_eq(s.findings[0].target, "unix:/run/caf\xc3\xa9.sock");
        ck_assert_str_eq(s.journal_cursor, "s=1");
        statefile_clear(&s);
}
END_TEST

int main(void) {
        Suite *s = suite_create("statefile");
        TCase *tc = tcase_create("core");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_test(tc, test_round_trip_text);
        tcase_add_test(tc, test_save_load);
        tcase_add_test(tc, test_save_unwritable);
        tcase_add_loop_test(tc, test_corrupt, 0, (int) (sizeof(corrupt) / sizeof(corrupt[0])));
        tcase_add_loop_test(tc, test_bad_entry_skipped, 0, (int) (sizeof(bad_entries) / sizeof(bad_entries[0])));
        tcase_add_test(tc, test_not_regular);
        tcase_add_test(tc, test_limits);
        tcase_add_test(tc, test_any_bytes);
        tcase_add_test(tc, test_plain_form_read);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
