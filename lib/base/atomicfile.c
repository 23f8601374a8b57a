#include "atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int write_all(int fd, const char *p, size_t n) {
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                p += w;
                n -= (size_t) w;
        }
        return 0;
}

int atomic_file_write(const char *dir, const char *name, const char *text, size_t len, mode_t mode, bool sync) {
        char tmp[PATH_MAX], path[PATH_MAX];
        if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int) sizeof(path) ||
            snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= (int) sizeof(tmp))
                return -ENAMETOOLONG;
        int fd = mkostemp(tmp, O_CLOEXEC);
        int r = fd < 0 ? -errno : 0;
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0)
                r = write_all(fd, text, len);
        if (r == 0 && sync && fsync(fd) < 0)
                r = -errno;
        if (fd >= 0 && close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0 && fd >= 0)
                unlink(tmp);
        return r;
}
