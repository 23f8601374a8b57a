#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *sink_alert_json(const struct alert *a) {
        json_t *j = alert_to_json(a);
        if (!j)
                return NULL;
        char *s = json_dumps(j, JSON_COMPACT);
        json_decref(j);
        return s;
}

static int put_line(FILE *f, const char *json, bool newline_first) {
        errno = 0;
        if (newline_first)
                fputc('\n', f);
        fputs(json, f);
        fputc('\n', f);
        if (fflush(f) == 0 && !ferror(f))
                return 0;
        int e = errno ? errno : EIO;
        clearerr(f);
        return -e;
}

int sink_jsonl_put(FILE *f, const struct alert *a) {
        char *json = sink_alert_json(a);
        if (!json)
                return -ENOMEM;
        int r = put_line(f, json, false);
        free(json);
        return r;
}

void sink_jsonl_stream(struct sink_jsonl *s, FILE *f) {
        *s = (struct sink_jsonl) { .f = f };
}

static int open_append(const char *path, FILE **ret) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
        if (fd < 0)
                return -errno;
        FILE *f = fdopen(fd, "a");
        if (!f) {
                int e = errno;
                close(fd);
                return -e;
        }
        *ret = f;
        return 0;
}

int sink_jsonl_open(struct sink_jsonl *s, const char *path) {
        *s = (struct sink_jsonl) { 0 };
        if (!path[0] || strlen(path) >= sizeof(s->path))
                return path[0] ? -ENAMETOOLONG : -EINVAL;
        int r = open_append(path, &s->f);
        if (r == 0)
                strcpy(s->path, path);
        return r;
}

int sink_jsonl_reopen(struct sink_jsonl *s) {
        FILE *f;
        if (!s->path[0])
                return 0;
        int r = open_append(s->path, &f);
        if (r < 0)
                return r;
        if (s->f)
                fclose(s->f);
        s->f = f;
        s->cut = false;
        return 0;
}

/* Where the next line starts in a regular file, or -1: what a failed write is cut back to. */
static off_t file_end(FILE *f) {
        struct stat st;
        return fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
}

int sink_jsonl_write(struct sink_jsonl *s, const struct alert *a) {
        if (!s->f)
                return -EBADF;
        char *json = sink_alert_json(a);
        if (!json)
                return -ENOMEM;
        off_t end = s->path[0] ? file_end(s->f) : -1;
        int r = put_line(s->f, json, s->cut);
        free(json);
        if (r < 0)
                s->cut = !(end >= 0 && ftruncate(fileno(s->f), end) == 0);
        else
                s->cut = false;
        return r;
}

void sink_jsonl_close(struct sink_jsonl *s) {
        if (s->path[0] && s->f)
                fclose(s->f);
        s->f = NULL;
}
