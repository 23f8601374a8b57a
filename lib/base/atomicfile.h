/* A file replaced whole: written to a temp file beside it, then renamed over it, so a reader
 * (node_exporter, the next start) never sees half of one. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes of text to DIR/NAME through DIR/.NAME.XXXXXX (a name no *.prom or *.json glob
 * takes) with the given mode; fsync before the rename when sync is true (what must survive a
 * crash). 0, or a negative errno: -ENAMETOOLONG when the path does not fit PATH_MAX, else what
 * mkostemp, write, fchmod, fsync, close or rename failed with (the temp file is then removed). */
int atomic_file_write(const char *dir, const char *name, const char *text, size_t len, mode_t mode, bool sync);
