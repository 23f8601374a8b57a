#include "cgroup_oom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cgroup_oom_parse(const char *text, size_t n, uint64_t *count) {
        static const char key[] = "oom_kill ";
        const char *p = text, *end = text + n;
        while (p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                const char *eol = nl ? nl : end;
                if ((size_t) (eol - p) > sizeof(key) - 1 && memcmp(p, key, sizeof(key) - 1) == 0) {
                        uint64_t v = 0;
                        const char *d = p + sizeof(key) - 1;
                        for (; d < eol && *d >= '0' && *d <= '9'; d++) {
                                if (v > (UINT64_MAX - 9) / 10)
                                        return -ENOENT;
                                v = v * 10 + (uint64_t) (*d - '0');
                        }
                        if (d == p + sizeof(key) - 1 || d != eol)
                                return -ENOENT;
                        *count = v;
                        return 0;
                }
                p = eol + 1;
        }
        return -ENOENT;
}

/* The counter in one file: 0, -ENOENT when it has none, or read's errno. */
static int read_counter(const char *path, uint64_t *count) {
        char text[2048];
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return -errno;
        ssize_t n = read(fd, text, sizeof(text));
        int e = errno;
        close(fd);
        if (n < 0)
                return -e;
        return cgroup_oom_parse(text, (size_t) n, count);
}

int cgroup_oom_kills(const char *root, const char *cg, uint64_t *count, enum cgroup_version *version) {
        static const struct {
                const char *hierarchy, *file;
                enum cgroup_version v;
        } files[] = {
                { "", "memory.events", CGROUP_V2 },
                { "/unified", "memory.events", CGROUP_V2 },
                { "/memory", "memory.oom_control", CGROUP_V1 },
        };
        if (!cg || cg[0] != '/' || strstr(cg, "/..") || !root)
                return -EINVAL;
        int r = -ENOENT;
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                char path[4096];
                if (snprintf(path, sizeof(path), "%s%s%s/%s", root, files[i].hierarchy, strcmp(cg, "/") == 0 ? "" : cg,
                             files[i].file) >= (int) sizeof(path))
                        return -ENAMETOOLONG;
                int q = read_counter(path, count);
                if (q == 0) {
                        *version = files[i].v;
                        return 0;
                }
                if (q != -ENOENT && r == -ENOENT)
                        r = q;
        }
        return r;
}

const char *cgroup_version_name(enum cgroup_version v) {
        switch (v) {
        case CGROUP_V2: return "v2";
        case CGROUP_V1: return "v1";
        default: return "none";
        }
}
