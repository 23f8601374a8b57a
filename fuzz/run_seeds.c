/*
 * A stand-in for libFuzzer's main(): runs LLVMFuzzerTestOneInput once over every file in the
 * directories (or files) named on the command line, so seeds run as ordinary regression tests
 * in any build, gcc included. Each input gets a buffer of exactly its size, so an over-read
 * shows up under valgrind or ASan.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_check.h"

static int run_file(const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                fprintf(stderr, "run_seeds: %s: %s\n", path, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        size_t size = (size_t) st.st_size;
        uint8_t *buf = malloc(size ? size : 1);
        size_t got = 0;
        while (buf && got < size) {
                ssize_t r = read(fd, buf + got, size - got);
                if (r <= 0) {
                        if (r < 0 && errno == EINTR)
                                continue;
                        break;
                }
                got += (size_t) r;
        }
        close(fd);
        if (!buf || got != size) {
                fprintf(stderr, "run_seeds: %s: short read\n", path);
                free(buf);
                return -1;
        }
        LLVMFuzzerTestOneInput(buf, size);
        free(buf);
        return 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b) {
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int only_files(const struct dirent *d) {
        return d->d_name[0] != '.';
}

/* Returns how many inputs ran, or -1. */
static int run_path(const char *path) {
        struct stat st;
        if (stat(path, &st) < 0) {
                fprintf(stderr, "run_seeds: %s: %s\n", path, strerror(errno));
                return -1;
        }
        if (!S_ISDIR(st.st_mode))
                return run_file(path) < 0 ? -1 : 1;
        struct dirent **names;
        int n = scandir(path, &names, only_files, cmp_names);
        if (n < 0) {
                fprintf(stderr, "run_seeds: %s: %s\n", path, strerror(errno));
                return -1;
        }
        int ran = 0;
        for (int i = 0; i < n; i++) {
                char full[4096];
                snprintf(full, sizeof(full), "%s/%s", path, names[i]->d_name);
                if (ran >= 0 && run_file(full) == 0)
                        ran++;
                else
                        ran = -1;
                free(names[i]);
        }
        free(names);
        return ran;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                fprintf(stderr, "usage: %s SEED_DIR_OR_FILE...\n", argv[0]);
                return 64;
        }
        int total = 0;
        for (int i = 1; i < argc; i++) {
                int ran = run_path(argv[i]);
                if (ran <= 0) {
                        fprintf(stderr, "run_seeds: %s: %s\n", argv[i], ran < 0 ? "failed" : "no inputs");
                        return 1;
                }
                total += ran;
        }
        printf("%d inputs ran without a failed check\n", total);
        return 0;
}
