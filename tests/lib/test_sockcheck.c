/* Real socket files, directories and links under a temp dir; needs root to chown. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixtures.h"
#include "sockcheck.h"

static char dir[128];
static int listener = -1;

/* www-data as Debian has it, without depending on /etc/passwd */
static const struct sock_identity web = { .name = "www-data", .uid = 33, .groups = { 33 }, .ngroups = 1 };
static const struct sock_identity root = { .name = "root", .uid = 0, .groups = { 0 }, .ngroups = 1 };

static void setup(void) {
        fixture_newdir(dir);
        ck_assert_int_eq(chmod(dir, 0755), 0);
}

static void teardown(void) {
        if (listener >= 0)
                close(listener);
        listener = -1;
}

static const char *at(const char *name) {
        static char paths[4][256];
        static int next;
        char *p = paths[next++ % 4];
        snprintf(p, 256, "%s/%s", dir, name);
        return p;
}

static void make_socket(const char *path, uid_t uid, gid_t gid, mode_t mode) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        listener = socket(AF_UNIX, SOCK_STREAM, 0);
        ck_assert_int_ge(listener, 0);
        ck_assert_int_eq(bind(listener, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(listener, 4), 0);
        ck_assert_int_eq(chown(path, uid, gid), 0);
        ck_assert_int_eq(chmod(path, mode), 0);
}

static struct sockcheck_result check(const char *path, const struct sock_identity *who) {
        struct sockcheck_result r;
        ck_assert_int_eq(sockcheck_unix(path, who, &r), 0);
        return r;
}

START_TEST(test_debian_default_socket_ok) {
        make_socket(at("php.sock"), 33, 33, 0660);
        struct sockcheck_result r = check(at("php.sock"), &web);
        ck_assert_str_eq(sockcheck_verdict_name(r.verdict), "ok");
        ck_assert_str_eq(r.resolved, at("php.sock"));
        ck_assert_uint_eq(r.mode, 0660);
        ck_assert_uint_eq(r.uid, 33);
}
END_TEST

START_TEST(test_root_0600_denied_to_www_data) {
        make_socket(at("php.sock"), 0, 0, 0600);
        struct sockcheck_result r = check(at("php.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_SOCKET_DENIED);
        ck_assert_str_eq(r.where, at("php.sock"));
        ck_assert_uint_eq(r.uid, 0);
        ck_assert_uint_eq(r.mode, 0600);
        /* root itself may connect: that is why the daemon's own connect() proves nothing */
        ck_assert_int_eq(check(at("php.sock"), &root).verdict, SOCKCHECK_OK);
}
END_TEST

START_TEST(test_group_and_other_bits) {
        make_socket(at("php.sock"), 0, 33, 0660);
        ck_assert_int_eq(check(at("php.sock"), &web).verdict, SOCKCHECK_OK);
        ck_assert_int_eq(chmod(at("php.sock"), 0640), 0);
        ck_assert_int_eq(check(at("php.sock"), &web).verdict, SOCKCHECK_SOCKET_DENIED);
        ck_assert_int_eq(chown(at("php.sock"), 0, 0), 0);
        ck_assert_int_eq(chmod(at("php.sock"), 0666), 0);
        ck_assert_int_eq(check(at("php.sock"), &web).verdict, SOCKCHECK_OK);
        /* the owner's bits apply to the owner even when "other" would allow more */
        ck_assert_int_eq(chown(at("php.sock"), 33, 0), 0);
        ck_assert_int_eq(chmod(at("php.sock"), 0066), 0);
        ck_assert_int_eq(check(at("php.sock"), &web).verdict, SOCKCHECK_SOCKET_DENIED);
}
END_TEST

START_TEST(test_supplementary_group) {
        struct sock_identity member = web;
        member.groups[member.ngroups++] = 4242;
        make_socket(at("php.sock"), 0, 4242, 0660);
        ck_assert_int_eq(check(at("php.sock"), &member).verdict, SOCKCHECK_OK);
        ck_assert_int_eq(check(at("php.sock"), &web).verdict, SOCKCHECK_SOCKET_DENIED);
}
END_TEST

START_TEST(test_parent_dir_not_searchable) {
        ck_assert_int_eq(mkdir(at("run"), 0750), 0);
        make_socket(at("run/php.sock"), 33, 33, 0666);
        struct sockcheck_result r = check(at("run/php.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_DIR_DENIED);
        ck_assert_str_eq(r.where, at("run"));
        ck_assert_uint_eq(r.mode, 0750);
        ck_assert_int_eq(chown(at("run"), 0, 33), 0);
        ck_assert_int_eq(check(at("run/php.sock"), &web).verdict, SOCKCHECK_OK);
}
END_TEST

START_TEST(test_missing_and_not_socket) {
        struct sockcheck_result r = check(at("nope.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_MISSING);
        ck_assert_str_eq(r.where, at("nope.sock"));
        ck_assert_int_eq(check(at("nodir/php.sock"), &web).verdict, SOCKCHECK_MISSING);
        FILE *f = fopen(at("file.sock"), "w");
        fclose(f);
        r = check(at("file.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_NOT_SOCKET);
        ck_assert_str_eq(sockcheck_type_words(r.type), "a regular file");
        ck_assert_int_eq(mkdir(at("dir.sock"), 0755), 0);
        r = check(at("dir.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_NOT_SOCKET);
        ck_assert_str_eq(sockcheck_type_words(r.type), "a directory");
}
END_TEST

START_TEST(test_symlink_chain) {
        /* Debian's /run/php/php-fpm.sock is an alternatives link to a version's socket */
        make_socket(at("php8.2-fpm.sock"), 33, 33, 0660);
        ck_assert_int_eq(symlink("php8.2-fpm.sock", at("php-fpm.sock")), 0);
        ck_assert_int_eq(symlink(at("php-fpm.sock"), at("generic.sock")), 0);
        struct sockcheck_result r = check(at("generic.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_OK);
        ck_assert_str_eq(r.resolved, at("php8.2-fpm.sock"));
        ck_assert_int_eq(r.nlinks, 2);
        char want[600];
        snprintf(want, sizeof(want), "%s -> php8.2-fpm.sock", at("php-fpm.sock"));
        ck_assert_str_eq(r.links[1], want);
}
END_TEST

START_TEST(test_dangling_link_and_loop) {
        ck_assert_int_eq(symlink("php8.1-fpm.sock", at("php-fpm.sock")), 0);
        struct sockcheck_result r = check(at("php-fpm.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_MISSING);
        ck_assert_str_eq(r.where, at("php8.1-fpm.sock"));
        ck_assert_int_eq(r.nlinks, 1);
        ck_assert_int_eq(symlink("b", at("a")), 0);
        ck_assert_int_eq(symlink("a", at("b")), 0);
        ck_assert_int_eq(check(at("a"), &web).verdict, SOCKCHECK_LOOP);
}
END_TEST

START_TEST(test_dot_dot_and_relative) {
        ck_assert_int_eq(mkdir(at("run"), 0755), 0);
        make_socket(at("php.sock"), 33, 33, 0660);
        ck_assert_int_eq(check(at("run/../php.sock"), &web).verdict, SOCKCHECK_OK);
        struct sockcheck_result r;
        ck_assert_int_eq(sockcheck_unix("relative.sock", &web, &r), -EINVAL);
}
END_TEST

static unsigned acl_bits(const struct sock_identity *who, uid_t uid, gid_t gid, const char *text) {
        unsigned bits = 99;
        ck_assert_msg(sockcheck_acl_bits(who, uid, gid, text, &bits) == 0, "%s", text);
        return bits;
}

/* The kernel's access check on an ACL (acl(5)), on ACLs given as text. */
START_TEST(test_acl_algorithm) {
        /* listen.acl_users = www-data: php-fpm's root:root 0660 socket plus a named user */
        ck_assert_uint_eq(acl_bits(&web, 0, 0, "user::rw-,user:33:rw-,group::rw-,mask::rw-,other::---"), 6);
        ck_assert_uint_eq(acl_bits(&web, 0, 0, "user::rw-,group::rw-,other::---"), 0);
        /* the mask limits named users and groups */
        ck_assert_uint_eq(acl_bits(&web, 0, 0, "user::rw-,user:33:rw-,group::rw-,mask::r--,other::---"), 4);
        /* listen.acl_groups: a named group, or the owning group */
        ck_assert_uint_eq(acl_bits(&web, 0, 0, "user::rw-,group::---,group:33:rw-,mask::rw-,other::---"), 6);
        ck_assert_uint_eq(acl_bits(&web, 0, 33, "user::rw-,group::rw-,mask::rw-,other::---"), 6);
        /* a named user entry is final: the groups are not looked at */
        ck_assert_uint_eq(acl_bits(&web, 0, 33, "user::rw-,user:33:---,group::rw-,mask::rw-,other::rw-"), 0);
        /* the owner gets the owner's entry, whatever else names it */
        ck_assert_uint_eq(acl_bits(&web, 33, 0, "user::r--,user:33:rw-,group::rw-,mask::rw-,other::rw-"), 4);
        ck_assert_uint_eq(acl_bits(&root, 33, 33, "user::---,group::---,other::---"), 7);
        unsigned bits;
        ck_assert_int_eq(sockcheck_acl_bits(&web, 0, 0, "user::rw-,user:33:rw-,other::---", &bits), -EINVAL);
        ck_assert_int_eq(sockcheck_acl_bits(&web, 0, 0, "not an acl", &bits), -EINVAL);
}
END_TEST

/* An ACL on the file itself, as php-fpm sets it for listen.acl_users; skipped where the file
 * system has no ACLs. */
static bool set_acl(const char *path, const char *text) {
        acl_t acl = acl_from_text(text);
        ck_assert_ptr_nonnull(acl);
        int r = acl_set_file(path, ACL_TYPE_ACCESS, acl);
        int e = errno;
        acl_free(acl);
        if (r < 0 && e == EOPNOTSUPP)
                return false;
        ck_assert_msg(r == 0, "acl_set_file %s: %s", path, strerror(e));
        return true;
}

START_TEST(test_acl_on_socket_and_dir) {
        make_socket(at("php.sock"), 0, 0, 0660);
        ck_assert_int_eq(check(at("php.sock"), &web).verdict, SOCKCHECK_SOCKET_DENIED);
        if (!set_acl(at("php.sock"), "user::rw-,user:33:rw-,group::rw-,mask::rw-,other::---")) {
                fprintf(stderr, "skipped: %s has no POSIX ACLs\n", dir);
                return;
        }
        struct sockcheck_result r = check(at("php.sock"), &web);
        ck_assert_str_eq(sockcheck_verdict_name(r.verdict), "ok");
        ck_assert(r.acl);
        ck_assert(set_acl(at("php.sock"), "user::rw-,user:33:r--,group::rw-,mask::rw-,other::---"));
        r = check(at("php.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_SOCKET_DENIED);
        ck_assert(r.acl);
        /* a directory closed by its mode, opened to www-data by its ACL */
        ck_assert_int_eq(mkdir(at("run"), 0700), 0);
        ck_assert(set_acl(at("run"), "user::rwx,user:33:--x,group::---,mask::--x,other::---"));
        teardown();
        make_socket(at("run/php.sock"), 33, 33, 0660);
        r = check(at("run/php.sock"), &web);
        ck_assert_str_eq(sockcheck_verdict_name(r.verdict), "ok");
        ck_assert(set_acl(at("run"), "user::rwx,user:33:---,group::---,mask::---,other::--x"));
        r = check(at("run/php.sock"), &web);
        ck_assert_int_eq(r.verdict, SOCKCHECK_DIR_DENIED);
        ck_assert(r.acl);
}
END_TEST

START_TEST(test_identity_lookup) {
        struct sock_identity id;
        ck_assert_int_eq(sock_identity_from_user("root", &id), 0);
        ck_assert_uint_eq(id.uid, 0);
        ck_assert_int_ge(id.ngroups, 1);
        ck_assert_uint_eq(id.groups[0], 0);
        ck_assert_int_eq(sock_identity_from_user("no-such-user-bgw", &id), -ENOENT);
}
END_TEST

int main(void) {
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: sockcheck tests chown files and need root\n");
                return 77;
        }
        Suite *s = suite_create("sockcheck");
        TCase *tc = tcase_create("unix");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_debian_default_socket_ok);
        tcase_add_test(tc, test_root_0600_denied_to_www_data);
        tcase_add_test(tc, test_group_and_other_bits);
        tcase_add_test(tc, test_supplementary_group);
        tcase_add_test(tc, test_parent_dir_not_searchable);
        tcase_add_test(tc, test_missing_and_not_socket);
        tcase_add_test(tc, test_symlink_chain);
        tcase_add_test(tc, test_dangling_link_and_loop);
        tcase_add_test(tc, test_dot_dot_and_relative);
        tcase_add_test(tc, test_identity_lookup);
        tcase_add_test(tc, test_acl_algorithm);
        tcase_add_test(tc, test_acl_on_socket_and_dir);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
