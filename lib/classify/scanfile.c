#include "scanfile.h"

#include "readlines.h"

/* A line with no time of its own goes with the last one that had one (a stack trace's lines), but
 * an event with no time (php-fpm's dateless stderr) is never old: nothing says when it was. */
static bool before_since(struct scanfile *s, const struct logline *ll, enum event_kind k, bool *old) {
        if (!s->have_since)
                return false;
        struct timestamp t;
        bool timed = logline_parse_time(ll, &t);
        if (timed)
                *old = timestamp_key(&t) < s->since;
        return *old && (timed || k == KIND_NONE);
}

static int read_lines(struct scanfile *s, struct readlines *f, scanfile_fn fn, void *userdata) {
        const char *line;
        size_t n;
        unsigned flags;
        bool old = false;
        int r;
        while ((r = readlines_next(f, &line, &n, &flags)) > 0) {
                struct logline ll;
                struct event ev;
                s->lines++;
                s->file_lines++;
                s->truncated += (flags & READLINES_LINE_TRUNCATED) != 0;
                enum event_kind k = classify_line(line, n, &ll, &ev);
                if (before_since(s, &ll, k, &old))
                        s->old_lines++;
                else if (k != KIND_NONE)
                        fn(userdata, s, line, n, flags, &ll, &ev);
        }
        readlines_close(f);
        return r;
}

int scanfile_read(struct scanfile *s, const char *path, scanfile_fn fn, void *userdata) {
        struct readlines *f;
        s->file_lines = 0;
        int r = readlines_open(&f, path, SCANFILE_LINE_CAP, s->regular_only ? READLINES_REGULAR_ONLY : 0);
        s->opened = r == 0;
        return r < 0 ? r : read_lines(s, f, fn, userdata);
}

int scanfile_read_fd(struct scanfile *s, int fd, scanfile_fn fn, void *userdata) {
        struct readlines *f;
        s->file_lines = 0;
        int r = readlines_open_fd(&f, fd, SCANFILE_LINE_CAP);
        s->opened = r == 0;
        return r < 0 ? r : read_lines(s, f, fn, userdata);
}
