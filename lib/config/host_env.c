/* The environment systemd gives a php-fpm master: its unit's Environment= assignments (systemd's
 * quoting) and EnvironmentFile= files, over the manager's own. php-fpm reads its ${VAR} from it. */
#include "host_parts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "under_root.h"

enum { ENV_VARS_MAX = 4096, ENV_VALUE_MAX = 64 << 10, ENV_FILE_MAX = 1 << 20 };

/* systemd's env_name_is_valid(), the common part: a letter or '_', then letters, digits, '_'. */
static bool name_ok(const char *s, size_t n) {
        if (!n || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
                      s[i] == '_'))
                        return false;
        return true;
}

int host_env_set(struct host_env *e, const char *name, size_t name_len, const char *value, size_t value_len) {
        if (!name_ok(name, name_len) || value_len > ENV_VALUE_MAX)
                return -EINVAL;
        char *kv = malloc(name_len + value_len + 2);
        if (!kv)
                return -ENOMEM;
        memcpy(kv, name, name_len);
        kv[name_len] = '=';
        memcpy(kv + name_len + 1, value, value_len);
        kv[name_len + value_len + 1] = '\0';
        for (size_t i = 0; i < e->n; i++)
                if (strncmp(e->v[i], kv, name_len + 1) == 0) {
                        free(e->v[i]);
                        e->v[i] = kv;
                        return 0;
                }
        if (e->n + 1 >= e->cap) {
                size_t cap = e->cap ? e->cap * 2 : 16;
                char **v = e->n < ENV_VARS_MAX ? realloc(e->v, cap * sizeof(*v)) : NULL;
                if (!v) {
                        free(kv);
                        return e->n < ENV_VARS_MAX ? -ENOMEM : -E2BIG;
                }
                e->v = v;
                e->cap = cap;
        }
        e->v[e->n++] = kv;
        e->v[e->n] = NULL;
        return 0;
}

int host_env_put(struct host_env *e, const char *assignment) {
        const char *eq = strchr(assignment, '=');
        if (!eq)
                return -EINVAL;
        return host_env_set(e, assignment, (size_t) (eq - assignment), eq + 1, strlen(eq + 1));
}

void host_env_clear(struct host_env *e) {
        for (size_t i = 0; i < e->n; i++)
                free(e->v[i]);
        free(e->v);
        *e = (struct host_env) { 0 };
}

char **host_env_take(struct host_env *e) {
        char **v = e->v;
        if (!v)
                v = calloc(1, sizeof(*v));
        *e = (struct host_env) { 0 };
        return v;
}

void host_env_strv_free(char **v) {
        for (char **p = v; p && *p; p++)
                free(*p);
        free(v);
}

/* The byte a C escape \c stands for (systemd's cunescape, the common ones); 0: keep c itself. */
static char c_escape(char c) {
        static const char from[] = "abfnrtv", to[] = "\a\b\f\n\r\t\v";
        const char *p = c ? strchr(from, c) : NULL;
        return p ? to[p - from] : 0;
}

/*
 * Environment='s value, as systemd splits it (extract_first_word with EXTRACT_UNQUOTE,
 * EXTRACT_CUNESCAPE, EXTRACT_RELAX): words separated by blanks; '…' and "…" quote any part of a
 * word; a backslash escapes the next byte (\n, \t and the other C escapes stand for their byte);
 * "%%" is '%' (the other specifiers stay as written). Each word NAME=value is set; one that is
 * no assignment, or whose name is invalid, is ignored, as systemd ignores it.
 */
void host_env_assignments(struct host_env *e, const char *text) {
        size_t size = strlen(text) + 1;
        char *word = malloc(size);
        const char *p = text;
        while (word && *p) {
                size_t n = 0;
                char quote = 0;
                p += strspn(p, " \t\n\r");
                if (!*p)
                        break;
                for (; *p && (quote || !strchr(" \t\n\r", *p)); p++) {
                        if (quote && *p == quote) {
                                quote = 0;
                        } else if (!quote && (*p == '"' || *p == '\'')) {
                                quote = *p;
                        } else if (*p == '\\' && p[1] && quote != '\'') {
                                char c = c_escape(*++p);
                                word[n++] = c ? c : *p;
                        } else if (*p == '%' && p[1] == '%') {
                                word[n++] = '%';
                                p++;
                        } else {
                                word[n++] = *p;
                        }
                }
                word[n] = '\0';
                host_env_put(e, word);
        }
        free(word);
}

/*
 * An EnvironmentFile='s text, as systemd's load_env_file() reads it: one NAME=value a line (blanks
 * around the name and '=' and after an unquoted value dropped); a line starting with '#' or ';' is
 * a comment; '…' is taken as written, "…" takes \" \\ \` \$ and a backslash-newline, an unquoted
 * backslash escapes the next byte and a backslash at the line's end goes on at the next line.
 */
void host_env_file_text(struct host_env *e, const char *text) {
        size_t size = strlen(text) + 1;
        char *buf = malloc(size);
        const char *p = text;
        while (buf && *p) {
                p += strspn(p, " \t\r\n");
                if (*p == '#' || *p == ';') {
                        p += strcspn(p, "\n");
                        continue;
                }
                const char *name = p;
                p += strcspn(p, "=\n");
                const char *name_end = p;
                while (name_end > name && strchr(" \t\r", name_end[-1]))
                        name_end--;
                if (*p != '=')
                        continue;       /* no '=': skipped */
                p++;
                p += strspn(p, " \t");
                size_t n = 0, keep = 0;         /* keep: the value's length before trailing blanks */
                char quote = 0;
                for (; *p && (quote || *p != '\n'); p++) {
                        if (quote == '\'' && *p == '\'') {
                                quote = 0;
                        } else if (quote == '"' && *p == '"') {
                                quote = 0;
                        } else if (!quote && (*p == '\'' || *p == '"')) {
                                quote = *p;
                        } else if (*p == '\\' && quote != '\'' && p[1]) {
                                p++;
                                if (*p == '\n')
                                        continue;       /* the line goes on */
                                if (quote == '"' && !strchr("\"\\`$", *p))
                                        buf[n++] = '\\';
                                buf[n++] = *p;
                        } else {
                                buf[n++] = *p;
                        }
                        if (quote || !strchr(" \t\r", *p))
                                keep = n;
                }
                host_env_set(e, name, (size_t) (name_end - name), buf, keep);
        }
        free(buf);
}

int host_env_file(struct host_env *e, int root_fd, const char *path) {
        char *text = NULL;
        size_t n;
        int r = under_root_read(root_fd, path, ENV_FILE_MAX, &text, &n);
        char *z = r >= 0 && !memchr(text, '\0', n) ? strndup(text, n) : NULL;   /* text has no NUL of its own */
        if (r >= 0 && !z)
                r = -EINVAL;
        if (z)
                host_env_file_text(e, z);
        free(z);
        free(text);
        return r < 0 ? r : 0;
}

/* EnvironmentFile='s paths, one a line, read in their order: "-" before a path means a missing
 * file is fine (a missing one is skipped either way: systemd then refuses to start the unit). */
void host_env_files(struct host_env *e, int root_fd, const char *lines) {
        for (const char *p = lines; *p;) {
                size_t n = strcspn(p, "\n");
                const char *q = p + (*p == '-');
                size_t qn = n - (size_t) (q - p);
                char path[PATH_MAX];
                if (qn && qn < sizeof(path)) {
                        memcpy(path, q, qn);
                        path[qn] = '\0';
                        host_env_file(e, root_fd, path);
                }
                p += n + (p[n] == '\n');
        }
}
