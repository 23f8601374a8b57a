/* confwatch on real files in a temp directory, with real inotify. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confwatch.h"
#include "fixtures.h"

static struct confwatch *w;
static char dir[128];

static void setup(void) {
        fixture_newdir(dir);
        ck_assert_int_eq(confwatch_new(&w), 0);
}

static void teardown(void) {
        w = confwatch_free(w);
}

static void put(const char *name, const char *text) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

/* Whether confwatch says something changed, after waiting up to ms for events. */
static bool changed_within(int ms) {
        struct pollfd p = { confwatch_fd(w), POLLIN, 0 };
        poll(&p, 1, ms);
        return confwatch_read(w);
}

static void add(const char *rel) {
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        ck_assert_int_eq(confwatch_add(w, path), 0);
}

START_TEST(test_write_and_close) {
        put("nginx.conf", "user www-data;\n");
        add("nginx.conf");
        ck_assert(!changed_within(0));
        put("nginx.conf", "user nginx;\n");
        ck_assert(changed_within(1000));
        ck_assert(!confwatch_writing(w));
        ck_assert(!changed_within(50));
}
END_TEST

START_TEST(test_open_for_writing) {
        char path[256];
        put("www.conf", "[www]\n");
        add("www.conf");
        snprintf(path, sizeof(path), "%s/www.conf", dir);
        int fd = open(path, O_WRONLY | O_APPEND);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "listen = ", 9), 9);
        ck_assert(changed_within(1000));
        ck_assert_msg(confwatch_writing(w), "a file half written is a save in progress");
        ck_assert_int_eq(write(fd, "/run/x.sock\n", 12), 12);
        close(fd);
        ck_assert(changed_within(1000));
        ck_assert(!confwatch_writing(w));
}
END_TEST

START_TEST(test_editors_files_do_not_count) {
        put("a.conf", "x\n");
        add("*.conf");
        put(".a.conf.swp", "vim\n");
        put("a.conf~", "backup\n");
        ck_assert(!changed_within(100));
        put("b.conf", "new file in an include directory\n");
        ck_assert(changed_within(1000));
}
END_TEST

/* /etc holds many files: only the one read counts. */
START_TEST(test_other_files_do_not_count) {
        put("nginx.conf", "x\n");
        add("nginx.conf");
        put("resolv.conf", "nameserver 127.0.0.1\n");
        ck_assert(!changed_within(100));
}
END_TEST

START_TEST(test_rename_into_place) {
        char from[256], to[256];
        put("php-fpm.conf", "[global]\n");
        add("php-fpm.conf");
        put(".tmp-save", "[global]\nlog_level = error\n");
        ck_assert(!changed_within(50));
        snprintf(from, sizeof(from), "%s/.tmp-save", dir);
        snprintf(to, sizeof(to), "%s/php-fpm.conf", dir);
        ck_assert_int_eq(rename(from, to), 0);
        ck_assert_msg(changed_within(1000), "an editor's rename over the file is a change");
}
END_TEST

/* sites-enabled/default -> ../sites-available/default: editing the target is a change. */
START_TEST(test_symlink_target_directory) {
        char avail[256], enabled[256], link[300];
        snprintf(avail, sizeof(avail), "%s/sites-available", dir);
        snprintf(enabled, sizeof(enabled), "%s/sites-enabled", dir);
        ck_assert_int_eq(mkdir(avail, 0755), 0);
        ck_assert_int_eq(mkdir(enabled, 0755), 0);
        put("sites-available/default", "server {}\n");
        snprintf(link, sizeof(link), "%s/default", enabled);
        ck_assert_int_eq(symlink("../sites-available/default", link), 0);
        ck_assert_int_eq(confwatch_add(w, link), 0);
        put("sites-available/default", "server { listen 81; }\n");
        ck_assert(changed_within(1000));
}
END_TEST

/* /etc/php/ *\/fpm/php-fpm.conf before any php is installed: a version appearing is a change. */
START_TEST(test_glob_and_missing_directory) {
        char pattern[256], sub[256];
        snprintf(pattern, sizeof(pattern), "%s/php/*/fpm/php-fpm.conf", dir);
        ck_assert_int_eq(confwatch_add(w, pattern), 0);         /* dir/php does not exist: dir is watched */
        snprintf(sub, sizeof(sub), "%s/nginx", dir);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        ck_assert_msg(!changed_within(100), "another directory beside the missing one is no change");
        snprintf(sub, sizeof(sub), "%s/php", dir);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        ck_assert(changed_within(1000));
}
END_TEST

/* php8.2-common made /etc/php/8.2 before: php8.2-fpm's /etc/php/8.2/fpm is seen when it comes. */
START_TEST(test_glob_existing_match) {
        char pattern[256], sub[256];
        snprintf(sub, sizeof(sub), "%s/php", dir);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        snprintf(sub, sizeof(sub), "%s/php/8.2", dir);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        snprintf(pattern, sizeof(pattern), "%s/php/*/fpm/php-fpm.conf", dir);
        ck_assert_int_eq(confwatch_add(w, pattern), 0);
        snprintf(sub, sizeof(sub), "%s/php/8.2/mods-available", dir);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        ck_assert_msg(!changed_within(100), "another directory beside fpm is no change");
        snprintf(sub, sizeof(sub), "%s/php/8.2/fpm", dir);
        ck_assert_int_eq(mkdir(sub, 0755), 0);
        ck_assert_msg(changed_within(1000), "fpm made in a directory the pattern matches is a change");
}
END_TEST

START_TEST(test_clear) {
        put("a.conf", "x\n");
        add("a.conf");
        confwatch_clear(w);
        put("a.conf", "y\n");
        ck_assert(!changed_within(100));
}
END_TEST

START_TEST(test_relative_path_refused) {
        ck_assert_int_eq(confwatch_add(w, "etc/nginx/nginx.conf"), -EINVAL);
}
END_TEST

/* A flood of events in a watched directory (other files written in turn, so that inotify cannot
 * merge them) is read a bounded part at a time: the call returns with events still pending. */
START_TEST(test_read_is_bounded) {
        put("nginx.conf", "user www-data;\n");
        add("nginx.conf");
        char a[256], b[256];
        snprintf(a, sizeof(a), "%s/a.log", dir);
        snprintf(b, sizeof(b), "%s/b.log", dir);
        int fa = open(a, O_WRONLY | O_CREAT | O_CLOEXEC, 0600), fb = open(b, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        ck_assert_int_ge(fa, 0);
        ck_assert_int_ge(fb, 0);
        for (int i = 0; i < 12000; i++)         /* 24,000 events of 32 bytes: 750 KB */
                ck_assert_int_eq(write(i % 2 ? fb : fa, "x", 1), 1);
        close(fa);
        close(fb);
        ck_assert(!confwatch_read(w));          /* other files: no change */
        struct pollfd p = { confwatch_fd(w), POLLIN, 0 };
        ck_assert_int_eq(poll(&p, 1, 0), 1);    /* the rest waits for the next call */
        for (int calls = 0; calls < 100 && poll(&p, 1, 0) == 1; calls++)
                confwatch_read(w);
        ck_assert_int_eq(poll(&p, 1, 0), 0);
}
END_TEST

int main(void) {
        Suite *s = suite_create("confwatch");
        TCase *tc = tcase_create("inotify");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_write_and_close);
        tcase_add_test(tc, test_read_is_bounded);
        tcase_add_test(tc, test_open_for_writing);
        tcase_add_test(tc, test_editors_files_do_not_count);
        tcase_add_test(tc, test_other_files_do_not_count);
        tcase_add_test(tc, test_rename_into_place);
        tcase_add_test(tc, test_symlink_target_directory);
        tcase_add_test(tc, test_glob_and_missing_directory);
        tcase_add_test(tc, test_glob_existing_match);
        tcase_add_test(tc, test_clear);
        tcase_add_test(tc, test_relative_path_refused);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
