#include "dropins.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool is_conf_name(const char *name) {
        size_t n = strlen(name);
        return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int by_name(const void *a, const void *b) {
        const char *x = *(char *const *) a, *y = *(char *const *) b;
        return strcmp(strrchr(x, '/'), strrchr(y, '/'));
}

static int add(struct config_dropins *d, const char *dir, const char *name) {
        char *path;
        struct stat st;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
                free(path);     /* a dangling link or a directory named x.conf: not a drop-in */
                return 0;
        }
        char **more = realloc(d->paths, (d->n + 1) * sizeof(*more));
        if (!more) {
                free(path);
                return -ENOMEM;
        }
        d->paths = more;
        d->paths[d->n++] = path;
        return 0;
}

int config_dropins(const char *dir, struct config_dropins *d) {
        *d = (struct config_dropins) { 0 };
        DIR *dp = opendir(dir);
        if (!dp)
                return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
        int r = 0;
        while (r == 0) {
                errno = 0;      /* readdir() returns NULL for the end and for an error alike */
                struct dirent *e = readdir(dp);
                if (!e) {
                        r = -errno;
                        break;
                }
                if (is_conf_name(e->d_name))
                        r = add(d, dir, e->d_name);
        }
        closedir(dp);
        if (r < 0) {
                config_dropins_free(d);
                return r;
        }
        if (d->n > 1)   /* paths is NULL for none: qsort() must not see it */
                qsort(d->paths, d->n, sizeof(*d->paths), by_name);
        return 0;
}

void config_dropins_free(struct config_dropins *d) {
        for (size_t i = 0; i < d->n; i++)
                free(d->paths[i]);
        free(d->paths);
        *d = (struct config_dropins) { 0 };
}
