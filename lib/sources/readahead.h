/*
 * A second thread that reads a file ahead, chunk by chunk, while the caller works on the chunks
 * already read: the kernel's copy of a plain file (read(2)) or zlib's inflating of a .gz runs
 * beside the caller's parsing instead of before it. Used by readlines for regular files.
 */
#pragma once
#include <stddef.h>
#include <sys/types.h>

struct readahead;

/* Fills to with up to n bytes: the count (0 at the end of the file) or a negative errno. Called
 * on the reading thread only. */
typedef ssize_t (*readahead_fn)(void *source, char *to, size_t n);

/* Starts the thread. Each chunk holds up to chunk bytes, with headroom bytes in front of it that
 * the caller may write (to put the start of a line cut by the chunk's edge before the rest of it).
 * 0, or a negative errno (ENOMEM, or pthread_create's EAGAIN): then nothing was started. */
int readahead_start(struct readahead **ret, readahead_fn fn, void *source, size_t chunk, size_t headroom);

/*
 * Waits for the next chunk and returns it: *data points at its first byte, *len is its length,
 * and the keep bytes (at most headroom) are copied right before *data, so that
 * [*data - keep, *data + *len) is contiguous. The chunk returned before is given back to the
 * thread (keep may point into it). 1 with a chunk, 0 at the end of the file (*data is then the
 * keep bytes' place all the same), or the negative errno the read failed with.
 */
int readahead_next(struct readahead *ra, const char *keep, size_t keep_len, char **data, size_t *len);

/* Stops the thread (after the read under way, if any) and frees everything. NULL is accepted. */
void readahead_stop(struct readahead *ra);
