/* A cgroup's oom_kill counter: v2's memory.events and v1's memory.oom_control, as the kernel
 * writes them, found under a root laid out as /sys/fs/cgroup is (pure v2, hybrid, v1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup_oom.h"
#include "fixtures.h"

static void put(const char *root, const char *rel, const char *text) {
        char path[512], dir[600];
        snprintf(path, sizeof(path), "%s/%s", root, rel);
        snprintf(dir, sizeof(dir), "mkdir -p \"$(dirname '%s')\"", path);
        ck_assert_int_eq(system(dir), 0);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

/* what the kernel printed on this machine (v1) and what cgroup-v2.rst documents (v2) */
static const char v1[] = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
static const char v2[] = "low 0\nhigh 0\nmax 212\noom 3\noom_kill 3\noom_group_kill 0\n";
static const char v2_no_memory[] = "populated 1\nfrozen 0\n";

START_TEST(test_parse) {
        uint64_t n = 99;
        ck_assert_int_eq(cgroup_oom_parse(v1, strlen(v1), &n), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(cgroup_oom_parse(v2, strlen(v2), &n), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(cgroup_oom_parse(v2_no_memory, strlen(v2_no_memory), &n), -ENOENT);
        ck_assert_int_eq(cgroup_oom_parse("oom_kill \n", 10, &n), -ENOENT);
        ck_assert_int_eq(cgroup_oom_parse("oom_kill 12x\n", 13, &n), -ENOENT);
        ck_assert_int_eq(cgroup_oom_parse("oom_kill 99999999999999999999999\n", 33, &n), -ENOENT);
        ck_assert_int_eq(cgroup_oom_parse("oom_kill 7", 10, &n), 0);
        ck_assert_uint_eq(n, 7);
}
END_TEST

START_TEST(test_layouts) {
        char root[128];
        fixture_newdir(root);
        uint64_t n;
        enum cgroup_version v;
        const char *cg = "/system.slice/php8.2-fpm.service";
        ck_assert_int_eq(cgroup_oom_kills(root, cg, &n, &v), -ENOENT);
        /* hybrid: the unified hierarchy without the memory controller, the v1 one with it */
        put(root, "unified/system.slice/php8.2-fpm.service/memory.events", v2_no_memory);
        put(root, "memory/system.slice/php8.2-fpm.service/memory.oom_control", v1);
        ck_assert_int_eq(cgroup_oom_kills(root, cg, &n, &v), 0);
        ck_assert_uint_eq(n, 1);
        ck_assert_int_eq(v, CGROUP_V1);
        ck_assert_str_eq(cgroup_version_name(v), "v1");
        /* pure v2 */
        put(root, "system.slice/php8.2-fpm.service/memory.events", v2);
        ck_assert_int_eq(cgroup_oom_kills(root, cg, &n, &v), 0);
        ck_assert_uint_eq(n, 3);
        ck_assert_int_eq(v, CGROUP_V2);
        ck_assert_int_eq(cgroup_oom_kills(root, "system.slice", &n, &v), -EINVAL);
        ck_assert_int_eq(cgroup_oom_kills(root, "/system.slice/../etc", &n, &v), -EINVAL);
        ck_assert_int_eq(cgroup_oom_kills(root, NULL, &n, &v), -EINVAL);
}
END_TEST

static Suite *suite(void) {
        Suite *s = suite_create("cgroup_oom");
        TCase *tc = tcase_create("cgroup_oom");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_test(tc, test_parse);
        tcase_add_test(tc, test_layouts);
        suite_add_tcase(s, tc);
        return s;
}

int main(void) {
        return fixture_run(suite());
}
