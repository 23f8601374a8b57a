/* The state file: JSON through jansson, read whole, written to a temp file and renamed over. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "atomicfile.h"
#include "jsonstr.h"

#define MAX_FILE_SIZE (16 * 1024 * 1024)

void statefile_clear(struct statefile *s) {
        free(s->logs);
        free(s->findings);
        *s = (struct statefile) { 0 };
}

static int grow(void **arr, size_t n, size_t max, size_t size) {
        if (n >= max)
                return -E2BIG;
        void *more = realloc(*arr, (n + 1) * size);
        if (!more)
                return -ENOMEM;
        *arr = more;
        return 0;
}

int statefile_add_log(struct statefile *s, const struct statefile_log *l) {
        int r = grow((void **) &s->logs, s->n_logs, STATEFILE_MAX_LOGS, sizeof(*s->logs));
        if (r == 0)
                s->logs[s->n_logs++] = *l;
        return r;
}

int statefile_add_finding(struct statefile *s, const struct statefile_finding *f) {
        int r = grow((void **) &s->findings, s->n_findings, STATEFILE_MAX_FINDINGS, sizeof(*s->findings));
        if (r == 0)
                s->findings[s->n_findings++] = *f;
        return r;
}

const struct statefile_log *statefile_find_log(const struct statefile *s, const char *path) {
        for (size_t i = 0; i < s->n_logs; i++)
                if (strcmp(s->logs[i].path, path) == 0)
                        return &s->logs[i];
        return NULL;
}

static const char *const kind_names[] = {
        [STATEFILE_POOL] = "pool", [STATEFILE_NGINX] = "nginx", [STATEFILE_UPSTREAM] = "upstream",
};

/* Parsing: the first problem found is kept in err. */
struct parse {
        char *err;
        size_t err_size;
        bool failed;
};

__attribute__((format(printf, 2, 3))) static int bad(struct parse *p, const char *fmt, ...) {
        if (!p->failed && p->err_size) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(p->err, p->err_size, fmt, ap);
                va_end(ap);
        }
        p->failed = true;
        return -EINVAL;
}

static int get_u64(struct parse *p, json_t *o, const char *key, const char *what, uint64_t *out) {
        json_t *v = json_object_get(o, key);
        if (!json_is_integer(v) || json_integer_value(v) < 0)
                return bad(p, "%s: \"%s\" is not a non-negative integer", what, key);
        *out = (uint64_t) json_integer_value(v);
        return 0;
}

/* A string set by json_set_exact(): as it is, or as "KEY_hex" for bytes that are not UTF-8. */
static int get_str(struct parse *p, json_t *o, const char *key, const char *what, char *out, size_t size) {
        int r = json_get_exact(o, key, out, size);
        if (r == -ENOENT)
                return bad(p, "%s: \"%s\" is missing", what, key);
        if (r == -E2BIG)
                return bad(p, "%s: \"%s\" is too long (%zu bytes at most)", what, key, size - 1);
        if (r < 0)
                return bad(p, "%s: \"%s\" (or \"%s_hex\") is not a string, is empty or holds a NUL, or is given twice",
                           what, key, key);
        return 0;
}

static int parse_log(struct parse *p, json_t *o, struct statefile_log *l) {
        char hex[32];
        char *end;
        uint64_t fp_len = 0;
        if (!json_is_object(o))
                return bad(p, "logs: an entry is not an object");
        if (get_str(p, o, "path", "log", l->path, sizeof(l->path)) < 0 || l->path[0] != '/')
                return bad(p, "log: \"path\" is not an absolute path");
        if (get_u64(p, o, "dev", "log", &l->dev) < 0 || get_u64(p, o, "ino", "log", &l->ino) < 0 ||
            get_u64(p, o, "offset", "log", &l->offset) < 0 || get_u64(p, o, "fp_len", "log", &fp_len) < 0 ||
            get_str(p, o, "fp_hash", "log", hex, sizeof(hex)) < 0)
                return -EINVAL;
        if (fp_len > STATEFILE_FP_MAX || l->offset > INT64_MAX)
                return bad(p, "log %s: \"fp_len\" or \"offset\" out of range", l->path);
        l->fp_len = (uint32_t) fp_len;
        if (strlen(hex) != 16 || strspn(hex, "0123456789abcdefABCDEF") != 16)
                return bad(p, "log %s: \"fp_hash\" is not 16 hex digits", l->path);
        errno = 0;
        l->fp_hash = strtoull(hex, &end, 16);
        if (errno || *end)
                return bad(p, "log %s: \"fp_hash\" is not 16 hex digits", l->path);
        return 0;
}

static int parse_finding(struct parse *p, json_t *o, struct statefile_finding *f) {
        char kind[16];
        if (!json_is_object(o))
                return bad(p, "findings: an entry is not an object");
        if (get_str(p, o, "cause", "finding", f->cause, sizeof(f->cause)) < 0 ||
            get_str(p, o, "target_kind", "finding", kind, sizeof(kind)) < 0 ||
            get_str(p, o, "target", "finding", f->target, sizeof(f->target)) < 0 ||
            get_u64(p, o, "first_seen", "finding", &f->first_seen) < 0 ||
            get_u64(p, o, "lines", "finding", &f->lines) < 0)
                return -EINVAL;
        for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
                if (strcmp(kind, kind_names[i]) == 0) {
                        f->kind = (enum statefile_target_kind) i;
                        return 0;
                }
        return bad(p, "finding: \"target_kind\" '%s' is none of pool, nginx, upstream", kind);
}

static int parse_root(struct parse *p, json_t *root, struct statefile *s) {
        json_t *v, *logs, *findings;
        size_t i;
        if (!json_is_object(root))
                return bad(p, "not a JSON object");
        v = json_object_get(root, "schema");
        if (!json_is_integer(v) || json_integer_value(v) != STATEFILE_SCHEMA)
                return bad(p, "not a badgatewayd state file of schema %d", STATEFILE_SCHEMA);
        logs = json_object_get(root, "logs");
        findings = json_object_get(root, "findings");
        if (!json_is_array(logs) || !json_is_array(findings))
                return bad(p, "\"logs\" or \"findings\" is not an array");
        json_array_foreach(logs, i, v) {
                struct statefile_log l = { 0 };
                if (parse_log(p, v, &l) < 0 || (statefile_find_log(s, l.path) && bad(p, "log %s: listed twice", l.path))) {
                        s->n_skipped++;         /* one bad entry costs that entry, not the others */
                        continue;
                }
                int r = statefile_add_log(s, &l);
                if (r < 0)
                        return r == -E2BIG ? bad(p, "more than %d logs", STATEFILE_MAX_LOGS) : r;
        }
        v = json_object_get(root, "journal");
        if (v && (!json_is_object(v) ||
                  get_str(p, v, "cursor", "journal", s->journal_cursor, sizeof(s->journal_cursor)) < 0)) {
                s->journal_cursor[0] = '\0';
                s->n_skipped++;         /* the journal starts at its tail, as on a first start */
        }
        json_array_foreach(findings, i, v) {
                struct statefile_finding f = { 0 };
                if (parse_finding(p, v, &f) < 0) {
                        s->n_skipped++;
                        continue;
                }
                int r = statefile_add_finding(s, &f);
                if (r < 0)
                        return r == -E2BIG ? bad(p, "more than %d findings", STATEFILE_MAX_FINDINGS) : r;
        }
        return 0;
}

int statefile_parse(const char *text, size_t n, struct statefile *s, char *err, size_t err_size) {
        struct parse p = { err, err_size, false };
        json_error_t je;
        statefile_clear(s);
        if (err_size)
                err[0] = '\0';
        json_t *root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
        int r = root ? parse_root(&p, root, s) : bad(&p, "not JSON: %s at line %d", je.text, je.line);
        json_decref(root);
        if (r < 0)
                statefile_clear(s);
        return r;
}

static json_t *format_log(const struct statefile_log *l) {
        char hex[17];
        snprintf(hex, sizeof(hex), "%016" PRIx64, l->fp_hash);
        json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:s}", "dev", (json_int_t) l->dev, "ino", (json_int_t) l->ino,
                              "offset", (json_int_t) l->offset, "fp_len", (json_int_t) l->fp_len, "fp_hash", hex);
        if (o && json_set_exact(o, "path", l->path, strlen(l->path)) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

/* The target may come from a log line (an upstream's address): any bytes, kept exactly. */
static json_t *format_finding(const struct statefile_finding *f) {
        json_t *o = json_pack("{s:s, s:I, s:I}", "target_kind", kind_names[f->kind], "first_seen",
                              (json_int_t) f->first_seen, "lines", (json_int_t) f->lines);
        if (o && (json_set_exact(o, "cause", f->cause, strlen(f->cause)) < 0 ||
                  json_set_exact(o, "target", f->target, strlen(f->target)) < 0)) {
                json_decref(o);
                return NULL;
        }
        return o;
}

static json_t *format_journal(const char *cursor) {
        json_t *o = json_object();
        if (o && json_set_exact(o, "cursor", cursor, strlen(cursor)) < 0) {
                json_decref(o);
                return NULL;
        }
        return o;
}

char *statefile_format(const struct statefile *s) {
        json_t *logs = json_array(), *findings = json_array();
        bool ok = logs && findings;
        for (size_t i = 0; ok && i < s->n_logs; i++)
                ok = json_array_append_new(logs, format_log(&s->logs[i])) == 0;
        for (size_t i = 0; ok && i < s->n_findings; i++)
                ok = json_array_append_new(findings, format_finding(&s->findings[i])) == 0;
        json_t *root = ok ? json_pack("{s:i, s:o, s:o}", "schema", STATEFILE_SCHEMA, "logs", logs, "findings",
                                      findings) : NULL;
        if (root && s->journal_cursor[0] &&
            json_object_set_new(root, "journal", format_journal(s->journal_cursor)) < 0) {
                json_decref(root);
                root = NULL;    /* logs and findings went with it */
        }
        if (!root) {
                if (!ok) {
                        json_decref(logs);
                        json_decref(findings);
                }
                return NULL;
        }
        char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
        json_decref(root);
        return text;
}

int statefile_load(const char *dir, struct statefile *s, char *err, size_t err_size) {
        char path[PATH_MAX];
        struct stat st;
        statefile_clear(s);
        if (err_size)
                err[0] = '\0';
        if (snprintf(path, sizeof(path), "%s/%s", dir, STATEFILE_NAME) >= (int) sizeof(path))
                return -ENAMETOOLONG;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
        if (fd < 0) {
                int r = -errno;
                if (r != -ENOENT)
                        snprintf(err, err_size, "%s: %s", path, r == -ELOOP ? "a symbolic link" : strerror(-r));
                return r;
        }
        int r = fstat(fd, &st) < 0 ? -errno : !S_ISREG(st.st_mode) ? -EINVAL : st.st_size > MAX_FILE_SIZE ? -EFBIG : 0;
        if (r < 0) {
                snprintf(err, err_size, "%s: %s", path, r == -EINVAL ? "not a regular file" :
                         r == -EFBIG ? "too large" : strerror(-r));
                close(fd);
                return r;
        }
        char *text = malloc((size_t) st.st_size + 1);
        size_t got = 0;
        ssize_t n = 0;
        while (text && got < (size_t) st.st_size &&
               ((n = read(fd, text + got, (size_t) st.st_size - got)) > 0 || (n < 0 && errno == EINTR)))
                got += n > 0 ? (size_t) n : 0;
        r = !text ? -ENOMEM : n < 0 ? -errno : 0;
        close(fd);
        if (r == 0) {
                char why[256];
                r = statefile_parse(text, got, s, why, sizeof(why));
                if (r < 0)
                        snprintf(err, err_size, "%s: %s", path, why);
        } else
                snprintf(err, err_size, "%s: %s", path, strerror(-r));
        free(text);
        return r;
}

int statefile_save(const char *dir, const struct statefile *s) {
        char *text = statefile_format(s);
        if (!text)
                return -ENOMEM;
        int r = atomic_file_write(dir, STATEFILE_NAME, text, strlen(text), 0600, true);
        free(text);
        if (r < 0)
                return r;
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
                if (fsync(dfd) < 0)
                        r = -errno;
                close(dfd);
        }
        return r;
}
