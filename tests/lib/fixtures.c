#include "fixtures.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char base[64];

char *fixture_slurp(const char *path, size_t *len) {
        FILE *f = fopen(path, "rb");
        ck_assert_msg(f != NULL, "cannot open %s", path);
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        rewind(f);
        char *buf = malloc((size_t) size + 1);
        ck_assert_ptr_nonnull(buf);
        ck_assert_uint_eq(fread(buf, 1, (size_t) size, f), (size_t) size);
        buf[size] = '\0';
        fclose(f);
        if (len)
                *len = (size_t) size;
        return buf;
}

char *fixture_read(const char *name, size_t *len) {
        const char *dir = getenv("TEST_DATA_DIR");
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/data", name);
        return fixture_slurp(path, len);
}

int fixture_run(Suite *s) {
        SRunner *sr = srunner_create(s);
        srunner_run_all(sr, CK_ENV);  /* CK_VERBOSITY, else normal */
        int failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void fixture_base_create(void) {
        strcpy(base, "/tmp/bgw-test-XXXXXX");
        if (!mkdtemp(base) || chmod(base, 0755) < 0) {        /* searchable: tests act as other users */
                perror(base);
                exit(EXIT_FAILURE);
        }
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

void fixture_base_remove(void) {
        if (base[0])
                nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        base[0] = '\0';
}

const char *fixture_newdir(char buf[static 128]) {
        ck_assert_msg(base[0], "fixture_base_create() was not run");
        snprintf(buf, 128, "%s/XXXXXX", base);
        ck_assert_ptr_nonnull(mkdtemp(buf));
        return buf;
}

const char *fixture_path(const char *dir, const char *name) {
        static char paths[32][256];
        static int next;
        char *p = paths[next++ % 32];
        snprintf(p, 256, "%s/%s", dir, name);
        return p;
}
