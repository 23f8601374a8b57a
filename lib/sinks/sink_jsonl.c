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
        FILE *f = NULL;
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

/* One line, whole or not at all: a failed write is cut back to where the line began. */
static int write_line(struct sink_jsonl *s, const char *json) {
        off_t end = s->path[0] ? file_end(s->f) : -1;
        int r = put_line(s->f, json, s->cut);
        if (r < 0)
                s->cut = !(end >= 0 && ftruncate(fileno(s->f), end) == 0);
        else
                s->cut = false;
        return r;
}

static void pop(struct sink_jsonl *s) {
        s->bytes -= strlen(s->queue[s->head]);
        free(s->queue[s->head]);
        s->head = (s->head + 1) % SINK_JSONL_QUEUE_MAX;
        s->n--;
}

static void push(struct sink_jsonl *s, char *json) {
        size_t len = strlen(json);
        while (s->n && (s->n == SINK_JSONL_QUEUE_MAX || s->bytes + len > SINK_JSONL_QUEUE_BYTES)) {
                pop(s);
                s->dropped++;
        }
        s->queue[(s->head + s->n++) % SINK_JSONL_QUEUE_MAX] = json;
        s->bytes += len;
}

int sink_jsonl_flush(struct sink_jsonl *s) {
        while (s->n) {
                if (!s->f)
                        return -EBADF;
                int r = write_line(s, s->queue[s->head]);
                if (r < 0)
                        return r;
                pop(s);
                s->written++;
        }
        return 0;
}

int sink_jsonl_write(struct sink_jsonl *s, const struct alert *a) {
        char *json = sink_alert_json(a);
        if (!json) {
                s->dropped++;
                return -ENOMEM;
        }
        push(s, json);
        return sink_jsonl_flush(s);
}

size_t sink_jsonl_pending(const struct sink_jsonl *s) {
        return s->n;
}

void sink_jsonl_close(struct sink_jsonl *s) {
        while (s->n)
                pop(s);
        if (s->path[0] && s->f)
                fclose(s->f);
        s->f = NULL;
}
