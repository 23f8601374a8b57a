#include "scanfile.h"

#include "readlines.h"

static bool before_since(struct scanfile *s, const struct logline *ll, bool *old) {
        struct timestamp t;
        if (s->have_since && logline_parse_time(ll, &t))
                *old = timestamp_key(&t) < s->since;
        return s->have_since && *old;
}

int scanfile_read(struct scanfile *s, const char *path, scanfile_fn fn, void *userdata) {
        struct readlines *f;
        s->file_lines = 0;
        int r = readlines_open(&f, path, SCANFILE_LINE_CAP, s->regular_only ? READLINES_REGULAR_ONLY : 0);
        s->opened = r == 0;
        if (r < 0)
                return r;
        const char *line;
        size_t n;
        unsigned flags;
        bool old = false;
        while ((r = readlines_next(f, &line, &n, &flags)) > 0) {
                struct logline ll;
                struct event ev;
                s->lines++;
                s->file_lines++;
                s->truncated += (flags & READLINES_LINE_TRUNCATED) != 0;
                enum event_kind k = classify_line(line, n, &ll, &ev);
                if (before_since(s, &ll, &old))
                        s->old_lines++;
                else if (k != KIND_NONE)
                        fn(userdata, s, line, n, flags, &ll, &ev);
        }
        readlines_close(f);
        return r;
}
