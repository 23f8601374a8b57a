/*
 * Files read under a root directory taken as "/", like systemctl --root: a path is walked one
 * component at a time from the root, ".." stops at the root, and a symlink's target, absolute or
 * relative, is walked in its place inside the root (at most UNDER_ROOT_LINKS_MAX a path). This is
 * openat2()'s RESOLVE_IN_ROOT, done by hand: valgrind and older kernels lack it.
 *
 * root is an open descriptor of the root directory (O_PATH | O_DIRECTORY is enough; open "/"
 * for the host). A path is the host's name for a file, absolute or relative to the root.
 * Errors are negative errno values; nothing here sets errno for the caller or keeps state.
 */
#pragma once
#include <glob.h>
#include <stddef.h>
#include <sys/stat.h>

enum { UNDER_ROOT_LINKS_MAX = 40 };     /* symlinks followed in one path: the kernel's MAXSYMLINKS */

/* path opened for reading (O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC: a FIFO does not block),
 * a symlink at its end followed. The descriptor, or -errno: -ENOENT, -ELOOP past
 * UNDER_ROOT_LINKS_MAX symlinks, -ENAMETOOLONG, and whatever openat(2) says. */
int under_root_open(int root, const char *path);

/* stat(2) and lstat(2) of path: 0 with *st filled, or -errno as under_root_open(). lstat does
 * not follow a symlink at the end of path; both follow any before it. */
int under_root_stat(int root, const char *path, struct stat *st);
int under_root_lstat(int root, const char *path, struct stat *st);

/* glob(3) of pattern, each directory listed and each name stat'ed under root; flags as glob(3)'s
 * (GLOB_ALTDIRFUNC is added). The matches are sorted and named as the host would name them,
 * without root. Returns glob(3)'s value (0, GLOB_NOMATCH, GLOB_ABORTED, GLOB_NOSPACE); free *g
 * with globfree() whatever it returns. */
int under_root_glob(int root, const char *pattern, int flags, glob_t *g);

/* A regular file read whole, symlinks followed: 0 with *text (malloc'd, free it; never NULL) and
 * *n, its size in bytes; or -errno with *text NULL: -EISDIR (a directory), -EINVAL (neither a
 * regular file nor a directory: a FIFO, a device, a socket), -EFBIG with *n set to the file's size
 * when it is over max bytes, -ENOMEM, or any error of under_root_open() and read(2). */
int under_root_read(int root, const char *path, size_t max, char **text, size_t *n);

/* path as the host would name it once every symlink in it is followed (inside the root) and "."
 * and ".." are gone: "/var/run/php/x.sock" → "/run/php/x.sock" where var/run links to /run. The
 * part that does not exist is kept as written (tidied): a socket php-fpm has not made yet. 0, or
 * -EINVAL (not absolute), -ENAMETOOLONG, -ELOOP, or what openat(2) says on the way. */
int under_root_canonical(int root, const char *path, char *out, size_t size);
