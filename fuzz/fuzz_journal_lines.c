/* journal_lines() on an arbitrary MESSAGE: the first byte says whether the entry is the kernel's
 * and how small the line buffer is (so that lines get cut), the rest is the MESSAGE. Every
 * non-empty line is handed on once, within the buffer and without its '\n', and the kernel's
 * kinds come only from the kernel's entries, and only they from them. */
#include <string.h>

#include "fuzz_check.h"
#include "journal_lines.h"

struct seen {
        size_t lines, size;
        const char *buf;
};

static void on_line(void *userdata, const struct journal_entry *e, const char *line, size_t len, bool cut,
                    const struct logline *ll, const struct event *ev) {
        struct seen *s = userdata;
        s->lines++;
        FUZZ_CHECK(line == s->buf && len <= s->size && len > 0);
        FUZZ_CHECK(cut == (len == s->size));
        if (ev->kind != KIND_NONE)
                FUZZ_CHECK((kind_info(ev->kind)->source == SOURCE_KERNEL) == e->kernel);
        (void) ll;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char buf[128 + 16 * 64];
        if (size < 1)
                return 0;
        struct journal_entry e = { .message = (const char *) data + 1, .message_len = size - 1,
                                   .realtime = 1767225600123456ULL, .pid = 812, .kernel = data[0] & 1 };
        strcpy(e.identifier, e.kernel ? "kernel" : "php-fpm");
        struct seen s = { .size = 128 + (size_t) (data[0] >> 4) * 64, .buf = buf };
        size_t want = 0;
        for (size_t i = 1; i < size; i++)
                want += data[i] != '\n' && (i + 1 == size || data[i + 1] == '\n');
        FUZZ_CHECK(journal_lines(&e, buf, s.size, on_line, &s) == want);
        FUZZ_CHECK(s.lines == want);
        return 0;
}
