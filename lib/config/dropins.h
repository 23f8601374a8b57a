/* Drop-ins, as systemd reads them for units and its own *.conf: the files DIR/\*.conf, in the
 * lexical (byte) order of their names, read after the main file so that later keys win. */
#pragma once
#include <stddef.h>

struct config_dropins {
        char **paths;   /* "DIR/NAME.conf", malloc'd */
        size_t n;
};

/* Lists DIR/\*.conf: names ending in ".conf", not starting with '.', that are regular files
 * (or symlinks to them), sorted with strcmp(). A missing DIR (or not a directory) lists nothing.
 * 0, or -errno from opendir(3)/readdir(3) or -ENOMEM; *d is empty on error. */
int config_dropins(const char *dir, struct config_dropins *d);
void config_dropins_free(struct config_dropins *d);
