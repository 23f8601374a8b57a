/*
 * readlines_open/readlines_next over the input written to a memfd, with a small line cap.
 * Every byte must be accounted for: delivered + dropped (the documented cut of over-cap
 * lines) + newlines == the input's size, and each line must be what a plain split on '\n'
 * gives. The same bytes are then read again gzip-compressed and must come out the same; each
 * file both by its name and as an open descriptor (scan -, where zlib tells gzip from plain).
 */
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "fuzz_check.h"
#include "readlines.h"

enum { CAP = 64 };

static int memfd = -1;
static char path[64];

static void put_file(const void *p, size_t n) {
        if (memfd < 0) {
                memfd = memfd_create("fuzz_readlines", MFD_CLOEXEC);
                FUZZ_CHECK(memfd >= 0);
                snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
        }
        FUZZ_CHECK(ftruncate(memfd, 0) == 0);
        FUZZ_CHECK(pwrite(memfd, p, n, 0) == (ssize_t) n);
}

/* The input as a one-member gzip file; the caller frees it. */
static unsigned char *gzip_of(const uint8_t *data, size_t size, size_t *out_n) {
        z_stream z = { 0 };
        FUZZ_CHECK(deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) == Z_OK);
        size_t cap = deflateBound(&z, (uLong) size) + 32;
        unsigned char *out = malloc(cap);
        FUZZ_CHECK(out);
        z.next_in = (unsigned char *) data;
        z.avail_in = (uInt) size;
        z.next_out = out;
        z.avail_out = (uInt) cap;
        FUZZ_CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
        *out_n = z.total_out;
        deflateEnd(&z);
        return out;
}

/* Reads the current file, by name or from its descriptor, and checks it line by line against a
 * split of data. */
static void check_reads_back(const uint8_t *data, size_t size, bool by_fd) {
        struct readlines *f;
        if (by_fd) {
                FUZZ_CHECK(lseek(memfd, 0, SEEK_SET) == 0);
                FUZZ_CHECK(readlines_open_fd(&f, memfd, CAP) == 0);
        } else {
                FUZZ_CHECK(readlines_open(&f, path, CAP, READLINES_REGULAR_ONLY) == 0);
        }
        size_t pos = 0, delivered = 0, dropped = 0, newlines = 0;
        const char *line;
        size_t n;
        unsigned flags;
        int r;
        while ((r = readlines_next(f, &line, &n, &flags)) > 0) {
                FUZZ_CHECK(pos < size);
                const uint8_t *nl = memchr(data + pos, '\n', size - pos);
                size_t len = nl ? (size_t) (nl - (data + pos)) : size - pos;
                size_t want = len > CAP ? CAP : len;
                if (n != want) {
                        fprintf(stderr, "line at byte %zu: %zu bytes delivered, %zu expected (line is %zu)\n",
                                pos, n, want, len);
                        abort();
                }
                FUZZ_CHECK(memcmp(line, data + pos, n) == 0);
                FUZZ_CHECK(!(flags & READLINES_LINE_TRUNCATED) == !(len > CAP));
                FUZZ_CHECK(!(flags & READLINES_LINE_UNTERMINATED) == !(!nl && len <= CAP));
                delivered += n;
                dropped += len - n;
                newlines += nl != NULL;
                pos += len + (nl != NULL);
        }
        FUZZ_CHECK(r == 0);
        if (delivered + dropped + newlines != size) {
                fprintf(stderr, "%zu delivered + %zu dropped + %zu newlines != %zu input bytes\n",
                        delivered, dropped, newlines, size);
                abort();
        }
        readlines_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        put_file(data, size);
        if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
                /* read as gzip: garbage must end in an error or EOF, never a crash */
                struct readlines *f;
                FUZZ_CHECK(readlines_open(&f, path, CAP, READLINES_REGULAR_ONLY) == 0);
                const char *line;
                size_t n;
                unsigned flags;
                int r;
                while ((r = readlines_next(f, &line, &n, &flags)) > 0)
                        FUZZ_CHECK(n <= CAP);
                FUZZ_CHECK(r == 0 || (r < 0 && r > -4096));
                readlines_close(f);
                return 0;
        }
        check_reads_back(data, size, false);
        check_reads_back(data, size, true);
        size_t gz_n;
        unsigned char *gz = gzip_of(data, size, &gz_n);
        put_file(gz, gz_n);
        free(gz);
        check_reads_back(data, size, false);
        check_reads_back(data, size, true);
        return 0;
}
