#include "logscan.h"

#include "logfile.h"

static bool before_since(struct logscan *s, const struct logline *ll, bool *old) {
        struct logtime t;
        if (s->have_since && logline_parse_time(ll, &t))
                *old = logtime_key(&t) < s->since;
        return s->have_since && *old;
}

int logscan_file(struct logscan *s, const char *path, logscan_fn fn, void *userdata) {
        struct logfile *f;
        s->file_lines = 0;
        int r = logfile_open(&f, path, LOGSCAN_LINE_CAP);
        s->opened = r == 0;
        if (r < 0)
                return r;
        const char *line;
        size_t n;
        unsigned flags;
        bool old = false;
        while ((r = logfile_next(f, &line, &n, &flags)) > 0) {
                struct logline ll;
                struct event ev;
                s->lines++;
                s->file_lines++;
                s->truncated += (flags & LOGFILE_LINE_TRUNCATED) != 0;
                enum event_kind k = classify_line(line, n, &ll, &ev);
                if (before_since(s, &ll, &old))
                        s->old_lines++;
                else if (k != KIND_NONE)
                        fn(userdata, s, line, n, flags, &ll, &ev);
        }
        logfile_close(f);
        return r;
}
