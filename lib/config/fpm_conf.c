#include "fpm_conf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

struct key_info {
        const char *name;
        enum fpm_key_kind kind;
        const char *def;
};

static const struct key_info global_keys[] = {
#define X(id, name, kind, def) { name, FPM_KIND_##kind, def },
        FPM_GLOBAL_KEYS(X)
#undef X
};

static const struct key_info pool_keys[] = {
#define X(id, name, kind, def) { name, FPM_KIND_##kind, def },
        FPM_POOL_KEYS(X)
#undef X
};

/* The arrays php-fpm knows (fpm_conf_ini_parser_array): any other name[…] is an unknown directive. */
static const char *const array_names[] = { "env", "php_value", "php_admin_value", "php_flag",
                                           "php_admin_flag", NULL };

enum { IN_GLOBAL = -1, IN_DROPPED = -2 };

struct frame {
        const char *file;
        int line;
        bool seen_section;      /* this file opened a section of its own */
};

struct blob {
        struct blob *next;
        char s[];
};

struct fpm_conf_state {
        struct fpm_conf_options o;
        long cur;                       /* pool index, IN_GLOBAL or IN_DROPPED */
        struct frame stack[FPM_CONF_DEPTH_MAX];
        int depth;
        size_t reads;
        size_t text_bytes;
        size_t pools_cap, files_cap, includes_cap, diags_cap;
        struct blob *blobs;
        bool said_text_max, said_pools_max, said_reads_max, said_includes_max, finished;
};

/* A value as php's INI scanner hands it to php-fpm. */
struct vbuf {
        char s[FPM_CONF_VALUE_MAX + 1];
        size_t n;
        bool too_long;
        bool word;      /* one unquoted token: yes/no and friends become "1" and "" */
        char unset[256];        /* the first ${VAR} read that was unset; "" for none */
};

enum vmode {
        VM_VALUE,       /* after '=', up to the line's end or ';' */
        VM_SECTION,     /* after '[', up to ']' */
        VM_OFFSET,      /* after key[, up to ']', blanks trimmed */
};

/* Bytes php's INI scanner takes in a key (LABEL_CHAR in Zend/zend_ini_scanner.l). */
static bool label_char(unsigned char ch) {
        return ch && !strchr("=\n\r\t;&|^$~(){}!\"[]", ch);
}

static bool blank(char ch) {
        return ch == ' ' || ch == '\t';
}

static struct span skip_blanks(struct span s) {
        while (s.n && blank(*s.p))
                s.p++, s.n--;
        return s;
}

static struct span trim_blanks(struct span s) {
        s = skip_blanks(s);
        while (s.n && blank(s.p[s.n - 1]))
                s.n--;
        return s;
}

/* Bytes for a message: printable ASCII as is, the rest as \xNN, cut at 64 with "...". */
static const char *show(char buf[static 96], const char *s, size_t n) {
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char) s[i];
                if (o > 64) {
                        strcpy(buf + o, "...");
                        return buf;
                }
                if (ch >= 0x20 && ch < 0x7f && ch != '\\')
                        buf[o++] = (char) ch;
                else
                        o += (size_t) sprintf(buf + o, "\\x%02x", ch);
        }
        buf[o] = '\0';
        return buf;
}

static const char *showz(char buf[static 96], const char *s) {
        return show(buf, s, strlen(s));
}

/* ---- storage ---- */

static char *keep(struct fpm_conf *c, const char *s, size_t n) {
        struct fpm_conf_state *st = c->state;
        if (n + FPM_CONF_TEXT_OVERHEAD > FPM_CONF_TEXT_MAX - st->text_bytes) {
                if (!st->said_text_max) {
                        st->said_text_max = true;
                        const struct frame *f = st->depth ? &st->stack[st->depth - 1] : NULL;
                        fpm_conf_diag(c, f ? f->file : NULL, f ? f->line : 0, FPM_CONF_WARNING,
                                      "over %d bytes of values: the rest are not kept", FPM_CONF_TEXT_MAX);
                }
                return NULL;
        }
        struct blob *b = malloc(sizeof(*b) + n + 1);
        if (!b)
                return NULL;
        memcpy(b->s, s, n);
        b->s[n] = '\0';
        b->next = st->blobs;
        st->blobs = b;
        st->text_bytes += n + FPM_CONF_TEXT_OVERHEAD;
        return b->s;
}

static char *keepz(struct fpm_conf *c, const char *s) {
        return keep(c, s, strlen(s));
}

/* Makes room for one more element in *array of *cap; false on ENOMEM. */
static bool grow(void **array, size_t *cap, size_t n, size_t size) {
        if (n < *cap)
                return true;
        size_t want = *cap ? *cap * 2 : 8;
        void *p = realloc(*array, want * size);
        if (!p)
                return false;
        *array = p;
        *cap = want;
        return true;
}

static const char *file_name(struct fpm_conf *c, const char *file) {
        for (size_t i = 0; i < c->n_files; i++)
                if (strcmp(c->files[i], file) == 0)
                        return c->files[i];
        if (!grow((void **) &c->files, &c->state->files_cap, c->n_files, sizeof(*c->files)))
                return NULL;
        const char *name = keepz(c, file);
        if (name)
                c->files[c->n_files++] = name;
        return name;
}

/* ---- diagnostics ---- */

/* A name from files[], else a copy: a file that could not be read is no file read. */
static const char *known_file(struct fpm_conf *c, const char *file) {
        for (size_t i = 0; i < c->n_files; i++)
                if (c->files[i] == file || strcmp(c->files[i], file) == 0)
                        return c->files[i];
        return keepz(c, file);
}

static void vdiag(struct fpm_conf *c, const char *file, int line, enum fpm_conf_severity sev,
                  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void vdiag(struct fpm_conf *c, const char *file, int line, enum fpm_conf_severity sev,
                  const char *fmt, va_list ap) {
        if (c->n_diags == FPM_CONF_DIAGS_MAX ||
            !grow((void **) &c->diags, &c->state->diags_cap, c->n_diags, sizeof(*c->diags))) {
                c->n_diags_dropped++;
                return;
        }
        struct fpm_conf_diag *d = &c->diags[c->n_diags++];
        d->file = file ? known_file(c, file) : NULL;
        d->line = line;
        d->severity = sev;
        vsnprintf(d->text, sizeof(d->text), fmt, ap);
        for (char *t = d->text; *t; t++)        /* a path from a file or glob(3) may hold any byte */
                if ((unsigned char) *t < 0x20 || *t == 0x7f)
                        *t = '?';
}

void fpm_conf_diag(struct fpm_conf *c, const char *file, int line, enum fpm_conf_severity sev,
                   const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vdiag(c, file, line, sev, fmt, ap);
        va_end(ap);
}

static struct frame *here(struct fpm_conf *c) {
        return &c->state->stack[c->state->depth - 1];
}

/* A diagnostic about the line being read. */
static void say(struct fpm_conf *c, enum fpm_conf_severity sev, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void say(struct fpm_conf *c, enum fpm_conf_severity sev, const char *fmt, ...) {
        va_list ap;
        const struct frame *f = c->state->depth ? here(c) : NULL;
        va_start(ap, fmt);
        vdiag(c, f ? f->file : NULL, f ? f->line : 0, sev, fmt, ap);
        va_end(ap);
}

/* ---- values: php's INI scanner, one line at a time ---- */

static bool put(struct vbuf *v, const char *p, size_t n) {
        if (v->too_long || n > FPM_CONF_VALUE_MAX - v->n) {
                v->too_long = true;
                return false;
        }
        memcpy(v->s + v->n, p, n);
        v->n += n;
        v->s[v->n] = '\0';
        return true;
}

static const char *env_lookup(struct fpm_conf *c, const char *name) {
        const struct fpm_conf_options *o = &c->state->o;
        return o->env ? o->env(o->env_ctx, name) : NULL;
}

/* ${NAME} (and php ≥ 8.3's ${NAME:-fallback}); *p is just past "${". */
static bool read_var(struct fpm_conf *c, const char **p, const char *end, struct vbuf *v, bool report) {
        const char *close = memchr(*p, '}', (size_t) (end - *p));
        if (!close) {
                say(c, FPM_CONF_ERROR, "'${' without a closing '}': php-fpm refuses to start");
                return false;
        }
        struct span inner = span_range(*p, close), fallback = SPAN_NULL;
        const char *dash = span_find(inner, ":-", 2);
        if (dash) {
                fallback = trim_blanks(span_range(dash + 2, close));
                inner = span_range(inner.p, dash);
        }
        inner = trim_blanks(inner);
        *p = close + 1;
        char name[256], shown[96];
        for (size_t i = 0; i < inner.n; i++)
                if (!label_char((unsigned char) inner.p[i])) {
                        say(c, FPM_CONF_ERROR, "'${%s}' is not a variable name: php-fpm refuses to start",
                            show(shown, inner.p, inner.n));
                        return false;
                }
        if (inner.n == 0 || inner.n >= sizeof(name)) {
                say(c, FPM_CONF_ERROR, "'${%s}': %s", show(shown, inner.p, inner.n),
                    inner.n ? "a variable name over 255 bytes" : "no variable name: php-fpm refuses to start");
                return false;
        }
        memcpy(name, inner.p, inner.n);
        name[inner.n] = '\0';
        const char *val = env_lookup(c, name);
        if (val)
                return put(v, val, strlen(val)), true;
        if (dash)
                return put(v, fallback.p, fallback.n), true;
        if (!v->unset[0])
                memcpy(v->unset, name, inner.n + 1);
        if (report)
                say(c, FPM_CONF_WARNING, "${%s} is not set in the environment given: php-fpm reads ''",
                    showz(shown, name));
        return true;
}

/* "…": \" \\ \$ are escapes, any other backslash stays; *p is just past the opening quote. */
static bool read_dquote(struct fpm_conf *c, const char **p, const char *end, struct vbuf *v, bool report) {
        const char *q = *p;
        while (q < end) {
                if (*q == '"') {
                        *p = q + 1;
                        return true;
                }
                if (q[0] == '$' && q + 1 < end && q[1] == '{') {
                        q += 2;
                        if (!read_var(c, &q, end, v, report))
                                return false;
                        continue;
                }
                if (q[0] == '\\' && q + 1 < end) {
                        /* key="C:\dir\" : a backslash before the line's last quote is a character */
                        bool last_quote = q[1] == '"' && q + 2 == end;
                        if (last_quote)
                                put(v, q, 1), q++;
                        else if (strchr("\"\\$", q[1]))
                                put(v, q + 1, 1), q += 2;
                        else
                                put(v, q, 2), q += 2;
                        continue;
                }
                put(v, q++, 1);
        }
        say(c, FPM_CONF_ERROR, "a '\"' without its closing '\"': php-fpm refuses to start");
        return false;
}

/* '…' is taken as written. An unmatched ' ends what php reads of the line. */
static bool read_squote(struct fpm_conf *c, const char **p, const char *end, struct vbuf *v,
                        enum vmode m, bool report, bool *stop) {
        const char *close = memchr(*p, '\'', (size_t) (end - *p));
        if (close && close > *p) {
                put(v, *p, (size_t) (close - *p));
                *p = close + 1;
                return true;
        }
        *stop = true;
        if (m != VM_VALUE) {
                say(c, FPM_CONF_ERROR, "a lone \"'\" before ']': php-fpm refuses to start");
                return false;
        }
        if (!close && report)
                say(c, FPM_CONF_WARNING, "a \"'\" without its closing \"'\": php-fpm reads the value only up to it");
        return true;
}

/* Inside [section] and key[offset]: up to the closing ']'. */
static bool read_bracketed(struct fpm_conf *c, enum vmode m, struct span *s, struct vbuf *v, bool report) {
        const char *p = s->p, *end = s->p + s->n;
        bool stop = false;
        while (m == VM_OFFSET && p < end && blank(*p))
                p++;
        while (p < end && *p != ']' && !stop) {
                bool ok = true;
                if (*p == '"')
                        p++, ok = read_dquote(c, &p, end, v, report);
                else if (*p == '\'')
                        p++, ok = read_squote(c, &p, end, v, m, report, &stop);
                else if (p[0] == '$' && p + 1 < end && p[1] == '{')
                        p += 2, ok = read_var(c, &p, end, v, report);
                else if (*p == ';') {
                        say(c, FPM_CONF_ERROR, "a ';' before ']': php-fpm refuses to start");
                        return false;
                } else if (p[0] == '\\' && p + 1 < end)
                        put(v, p, 2), p += 2;
                else
                        put(v, p++, 1);
                if (!ok)
                        return false;
        }
        if (p == end || *p != ']') {
                say(c, FPM_CONF_ERROR, "no closing ']': php-fpm refuses to start");
                return false;
        }
        if (m == VM_OFFSET)
                while (v->n && blank(v->s[v->n - 1]))
                        v->s[--v->n] = '\0';
        *s = span_range(p + 1, end);
        return true;
}

static void unquoted_bool(struct vbuf *v) {
        static const char *const yes[] = { "true", "on", "yes", NULL };
        static const char *const no[] = { "false", "off", "no", "none", "null", NULL };
        if (!v->word)
                return;
        for (unsigned i = 0; yes[i]; i++)
                if (strcasecmp(v->s, yes[i]) == 0)
                        strcpy(v->s, "1"), v->n = 1;
        for (unsigned i = 0; no[i]; i++)
                if (strcasecmp(v->s, no[i]) == 0)
                        v->s[0] = '\0', v->n = 0;
}

/* Past a quoted string or ${VAR} at p; end when it does not close. */
static const char *skip_operand(const char *p, const char *end) {
        const char *close = *p == '"' ? p + 1 : *p == '\'' ? memchr(p + 1, '\'', (size_t) (end - p - 1)) :
                            memchr(p, '}', (size_t) (end - p));
        if (*p == '"')
                while (close < end && *close != '"')
                        close += *close == '\\' && close + 1 < end ? 2 : 1;
        return close && close < end ? close + 1 : end;
}

/* Whether php's INI grammar takes a value with operators (a | b, ~a, !(a & b)) or refuses the
 * line: a binary operator between operands, a unary one or '(' where an operand may start. */
static bool ini_expression(struct span s) {
        const char *p = s.p, *end = s.p + s.n;
        bool operand_next = true;
        int depth = 0;
        for (; p < end && *p != ';'; p++) {
                if (blank(*p))
                        continue;
                if (strchr("|&^", *p) || *p == '(') {
                        if (operand_next != (*p == '('))
                                return false;
                        depth += *p == '(';
                        operand_next = true;
                } else if (strchr("~!", *p)) {
                        if (!operand_next)
                                return false;
                } else if (*p == ')') {
                        if (operand_next || depth-- == 0)
                                return false;
                } else {
                        if (*p == '"' || *p == '\'' || (p[0] == '$' && p + 1 < end && p[1] == '{'))
                                p = skip_operand(p, end) - 1;
                        operand_next = false;
                }
        }
        return !operand_next && depth == 0;
}

/* After '=': quoted strings, ${VAR}, plain text and the blanks between them, up to ';' or the end. */
static bool read_plain(struct fpm_conf *c, struct span *s, struct vbuf *v, bool report) {
        const char *p = s->p, *end = s->p + s->n;
        bool after_dquote = false, stop = false;
        v->word = true;
        while (p < end && *p != ';' && !stop) {
                bool ok = true;
                if (blank(*p)) {
                        const char *q = p;
                        while (q < end && blank(*q))
                                q++;
                        if (q < end && *q != ';' && *q != '"' && !after_dquote)
                                put(v, p, (size_t) (q - p)), v->word = false;
                        p = q;
                        continue;
                }
                after_dquote = false;
                if (*p == '"') {
                        p++, ok = read_dquote(c, &p, end, v, report);
                        after_dquote = true, v->word = false;
                } else if (*p == '\'') {
                        p++, ok = read_squote(c, &p, end, v, VM_VALUE, report, &stop);
                        v->word = false;
                } else if (p[0] == '$' && p + 1 < end && p[1] == '{') {
                        p += 2, ok = read_var(c, &p, end, v, report);
                        v->word = false;
                } else if (*p == '=') {
                        say(c, FPM_CONF_ERROR, "a second '=' in the line: php-fpm refuses to start (quote the value)");
                        return false;
                } else if (strchr("&|^~!()", *p)) {
                        if (!ini_expression(*s))
                                say(c, FPM_CONF_ERROR, "'%c': php's INI grammar cannot read the operators in "
                                    "this value: php-fpm refuses to start (quote the value)", *p);
                        else if (report)
                                say(c, FPM_CONF_WARNING, "'%c' is an INI operator: php computes a number from the "
                                    "value (quote the value); not read here", *p);
                        return false;
                } else {
                        put(v, p++, 1);
                }
                if (!ok)
                        return false;
        }
        unquoted_bool(v);
        *s = span_range(p, end);
        return true;
}

static bool read_value(struct fpm_conf *c, enum vmode m, struct span *s, struct vbuf *v, bool report) {
        v->n = 0;
        v->s[0] = '\0';
        v->too_long = false;
        v->word = false;
        v->unset[0] = '\0';
        bool ok = m == VM_VALUE ? read_plain(c, s, v, report) : read_bracketed(c, m, s, v, report);
        if (ok && v->too_long) {
                if (report)
                        say(c, FPM_CONF_WARNING, "a value over %d bytes: not kept", FPM_CONF_VALUE_MAX);
                return false;
        }
        return ok;
}

/* ---- numbers, as fpm_conf_set_* read them ---- */

/* atoi()'s reading: blanks, a sign, digits (kept just past INT_MAX); *all: nothing else was there. */
static long long leading_number(const char *t, bool *all) {
        const char *p = t;
        while (*p == ' ' || *p == '\t')
                p++;
        bool neg = *p == '-', lead = p == t && *p != '+';
        if (*p == '-' || *p == '+')
                p++;
        const char *digits = p;
        long long n = 0;
        for (; *p >= '0' && *p <= '9'; p++)
                if (n <= INT_MAX)
                        n = n * 10 + (*p - '0');
        *all = lead && p > digits && !*p;
        return neg ? -n : n;
}

static bool read_int(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        char shown[96];
        const char *t = v->text;
        if (strspn(t + (*t == '-'), "0123456789") != strlen(t + (*t == '-'))) {
                say(c, FPM_CONF_ERROR, "%s: '%s' is not a whole number: php-fpm refuses to start", key,
                    showz(shown, t));
                return false;
        }
        bool all;
        v->number = leading_number(t, &all);
        if (v->number > INT_MAX || v->number < -INT_MAX) {
                say(c, FPM_CONF_WARNING, "%s: '%s' is out of php-fpm's range (an int)", key, showz(shown, t));
                return false;
        }
        return true;
}

static bool read_time(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        char shown[96], body[64];
        size_t n = strlen(v->text);
        char suffix = n ? v->text[n - 1] : '\0';
        long long unit = suffix == 'm' ? 60 : suffix == 'h' ? 3600 : suffix == 'd' ? 86400 : 1;
        if (!n || (unit == 1 && suffix != 's' && (suffix < '0' || suffix > '9'))) {
                say(c, FPM_CONF_ERROR, "%s: '%s' is not a time (30, 30s, 5m, 1h, 1d): php-fpm refuses to start",
                    key, showz(shown, v->text));
                return false;
        }
        snprintf(body, sizeof(body), "%.*s", (int) (suffix >= '0' && suffix <= '9' ? n : n - 1), v->text);
        bool all;
        v->number = leading_number(body, &all) * unit;
        if (v->number > INT_MAX || v->number < -(long long) INT_MAX) {
                say(c, FPM_CONF_WARNING, "%s: '%s' is out of php-fpm's range (an int of seconds)", key,
                    showz(shown, v->text));
                return false;
        }
        if (!all)
                say(c, FPM_CONF_WARNING, "%s: '%s' is not a whole number and a unit: php-fpm reads %lld seconds",
                    key, showz(shown, v->text), v->number);
        return true;
}

static bool read_bool(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        static const char *const yes[] = { "1", "yes", "true", "on", NULL };
        static const char *const no[] = { "", "0", "no", "false", "off", "none", NULL };
        char shown[96];
        for (unsigned i = 0; yes[i]; i++)
                if (strcmp(v->text, yes[i]) == 0)
                        return v->number = 1, true;
        for (unsigned i = 0; no[i]; i++)
                if (strcmp(v->text, no[i]) == 0)
                        return v->number = 0, true;
        say(c, FPM_CONF_ERROR, "%s: '%s' is not a boolean (yes or no): php-fpm refuses to start", key,
            showz(shown, v->text));
        return false;
}

static bool read_mode(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        char shown[96];
        char *stop;
        if (!*v->text)
                return v->number = 0660, true;
        unsigned long mode = strtoul(v->text, &stop, 8);
        v->number = (long long) (mode & 07777);
        if (*stop || stop == v->text || mode > 07777 || strspn(v->text, "01234567") != strlen(v->text)) {
                say(c, FPM_CONF_WARNING, "%s: '%s' is not an octal mode: php-fpm reads %04llo", key,
                    showz(shown, v->text), v->number);
                return false;
        }
        return true;
}

static bool read_pm(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        static const char *const names[] = { "static", "dynamic", "ondemand" };
        char shown[96];
        for (unsigned i = 0; i < 3; i++)
                if (strcasecmp(v->text, names[i]) == 0)
                        return v->number = FPM_PM_STATIC + (int) i, true;
        say(c, FPM_CONF_ERROR, "%s: '%s' is not a process manager (static, dynamic or ondemand): "
            "php-fpm refuses to start", key, showz(shown, v->text));
        return false;
}

static bool read_log_level(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        static const struct { const char *name; int prio; } levels[] = {
                { "debug", LOG_DEBUG }, { "notice", LOG_NOTICE }, { "warning", LOG_WARNING },
                { "warn", LOG_WARNING }, { "error", LOG_ERR }, { "alert", LOG_ALERT },
        };
        char shown[96];
        for (unsigned i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
                if (strcasecmp(v->text, levels[i].name) == 0)
                        return v->number = levels[i].prio, true;
        say(c, FPM_CONF_ERROR, "%s: '%s' is not a level (debug, notice, warning, error, alert): "
            "php-fpm refuses to start", key, showz(shown, v->text));
        return false;
}

/* PHP's quantities (zend_ini_parse_quantity): digits and one of K, M, G; -1 for no limit. */
static bool read_size(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        char shown[96];
        struct span s = trim_blanks(span_make(v->text, strlen(v->text)));
        long long sign = SPAN_SKIP(&s, "-") ? -1 : 1, n = 0;
        size_t digits = 0;
        for (; digits < s.n && s.p[digits] >= '0' && s.p[digits] <= '9'; digits++)
                if (n <= LLONG_MAX >> 30)
                        n = n * 10 + (s.p[digits] - '0');
        struct span rest = trim_blanks(span_make(s.p + digits, s.n - digits));
        int shift = !rest.n ? 0 : rest.n > 1 ? -1 : strchr("kK", *rest.p) ? 10 : strchr("mM", *rest.p) ? 20 :
                    strchr("gG", *rest.p) ? 30 : -1;
        if (!digits || shift < 0 || n > (LLONG_MAX >> 30)) {
                say(c, FPM_CONF_WARNING, "%s: '%s' is not a PHP size (digits and one of K, M, G; -1 for no "
                    "limit)", key, showz(shown, v->text));
                return false;
        }
        v->number = sign * (n << shift);
        return true;
}

static bool read_list(struct fpm_conf *c, const char *key, struct fpm_conf_value *v) {
        char shown[96];
        struct span items[64];
        size_t n = fpm_conf_list(v, items, 64);
        for (size_t i = 0; i < n && i < 64; i++) {
                if (!items[i].n) {
                        say(c, FPM_CONF_ERROR, "%s: an empty name in '%s': php-fpm looks up '' and refuses "
                            "to start", key, showz(shown, v->text));
                        return false;
                }
                if (blank(items[i].p[0]) || blank(items[i].p[items[i].n - 1])) {
                        say(c, FPM_CONF_ERROR, "%s: '%s' has a blank around a name: php-fpm looks the name up "
                            "with it and refuses to start", key, showz(shown, v->text));
                        return false;
                }
        }
        return true;
}

static bool read_number(struct fpm_conf *c, const struct key_info *k, struct fpm_conf_value *v) {
        switch (k->kind) {
        case FPM_KIND_INT:
                return read_int(c, k->name, v);
        case FPM_KIND_TIME:
                return read_time(c, k->name, v);
        case FPM_KIND_BOOL:
                return read_bool(c, k->name, v);
        case FPM_KIND_MODE:
                return read_mode(c, k->name, v);
        case FPM_KIND_PM:
                return read_pm(c, k->name, v);
        case FPM_KIND_LOG_LEVEL:
                return read_log_level(c, k->name, v);
        case FPM_KIND_SIZE:
                return read_size(c, k->name, v);
        case FPM_KIND_LIST:
                return read_list(c, k->name, v);
        default:
                return true;
        }
}

/* ---- keys ---- */

/* php-fpm replaces $pool in the values fpm_conf_set_string and fpm_conf_set_array store. */
static bool expands_pool(enum fpm_key_kind k) {
        return k != FPM_KIND_INT && k != FPM_KIND_TIME && k != FPM_KIND_BOOL && k != FPM_KIND_PM &&
               k != FPM_KIND_LOG_LEVEL;
}

static bool expand_pool(struct fpm_conf *c, const char *key, struct vbuf *v) {
        struct fpm_conf_state *st = c->state;
        if (!strstr(v->s, "$pool"))
                return true;
        if (st->cur < 0) {
                say(c, FPM_CONF_ERROR, "%s: '$pool' outside a pool: php-fpm refuses to start", key);
                return false;
        }
        const char *name = c->pools[st->cur].name;
        struct vbuf out = { .n = 0 };
        for (const char *p = v->s, *hit; *p; p = hit + 5) {
                hit = strstr(p, "$pool");
                if (!hit) {
                        put(&out, p, strlen(p));
                        break;
                }
                put(&out, p, (size_t) (hit - p));
                put(&out, name, strlen(name));
        }
        if (out.too_long) {
                say(c, FPM_CONF_WARNING, "%s: over %d bytes once $pool is replaced: not kept", key,
                    FPM_CONF_VALUE_MAX);
                return false;
        }
        memcpy(v->s, out.s, out.n + 1);
        v->n = out.n;
        return true;
}

static void control_bytes(struct fpm_conf *c, const char *key, const struct vbuf *v) {
        for (size_t i = 0; i < v->n; i++) {
                unsigned char ch = (unsigned char) v->s[i];
                if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
                        say(c, FPM_CONF_WARNING, "%s: a control byte (0x%02x) in the value", key, ch);
                        return;
                }
        }
}

static void set_value(struct fpm_conf *c, const struct key_info *k, struct fpm_conf_value *v, struct vbuf *val,
                      struct span written) {
        char shown[96];
        if (k->kind == FPM_KIND_SIZE && v->file) {
                say(c, FPM_CONF_WARNING, "%s is set again: php-fpm keeps the first one, '%s' from %s:%d", k->name,
                    showz(shown, v->text), v->file, v->line);
                return;
        }
        if (expands_pool(k->kind) && !expand_pool(c, k->name, val))
                return;
        control_bytes(c, k->name, val);
        const char *text = keep(c, val->s, val->n);
        if (!text)
                return;
        *v = (struct fpm_conf_value) { .text = text, .file = here(c)->file, .line = here(c)->line };
        if (val->unset[0]) {
                written = trim_blanks(written);
                v->unset_var = keepz(c, val->unset);
                v->written = keep(c, written.p, written.n);
        }
        v->ok = read_number(c, k, v);
}

static int find_key(const struct key_info *keys, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcasecmp(keys[i].name, name) == 0)
                        return (int) i;
        return -1;
}

static const char *section_name(const struct fpm_conf *c) {
        return c->state->cur >= 0 ? c->pools[c->state->cur].name : "global";
}

/* A key at the top of a file, before its own first [section], belongs to the section open before. */
static bool outside_section(struct fpm_conf *c, const char *key, bool pool_key) {
        struct fpm_conf_state *st = c->state;
        char shown[96];
        if (here(c)->seen_section || st->cur == IN_DROPPED)
                return false;
        if (st->cur == IN_GLOBAL && pool_key) {
                say(c, FPM_CONF_ERROR, "'%s' comes before any [section]: php-fpm reads it as part of [global], "
                    "where it is no key, and refuses to start", key);
                return true;
        }
        if (st->depth == 1 || st->cur == IN_GLOBAL)
                say(c, FPM_CONF_WARNING, "'%s' comes before any [section]: php-fpm reads it as part of [global]", key);
        else
                say(c, FPM_CONF_WARNING, "'%s' comes before any [section] in this file: php-fpm reads it as part "
                    "of [%s], the section open at the include in %s:%d", key, showz(shown, section_name(c)),
                    st->stack[st->depth - 2].file, st->stack[st->depth - 2].line);
        return false;
}

static void read_include(struct fpm_conf *c, struct span rest);

static void plain_key(struct fpm_conf *c, const char *key, struct span rest) {
        struct fpm_conf_state *st = c->state;
        struct vbuf v;
        int g = find_key(global_keys, FPM_GLOBAL__MAX, key), p = find_key(pool_keys, FPM_POOL__MAX, key);
        bool known = st->cur != IN_DROPPED && (g >= 0 || p >= 0);
        const char *at = rest.p;
        if (!read_value(c, VM_VALUE, &rest, &v, known) || !known)
                return;
        if (outside_section(c, key, g < 0))
                return;
        if (st->cur == IN_GLOBAL && g < 0)
                say(c, FPM_CONF_ERROR, "'%s' belongs in a pool's section: in [global] php-fpm refuses to start "
                    "(unknown entry)", key);
        else if (st->cur >= 0 && p < 0)
                say(c, FPM_CONF_ERROR, "'%s' belongs in [global]: in a pool's section php-fpm refuses to start "
                    "(unknown entry)", key);
        else if (st->cur == IN_GLOBAL)
                set_value(c, &global_keys[g], &c->global[g], &v, span_range(at, rest.p));
        else
                set_value(c, &pool_keys[p], &c->pools[st->cur].v[p], &v, span_range(at, rest.p));
}

static void array_key(struct fpm_conf *c, const char *name, const char *offset, struct span rest) {
        struct fpm_conf_state *st = c->state;
        struct vbuf v;
        bool known_array = false;
        for (unsigned i = 0; array_names[i]; i++)
                known_array |= strcmp(name, array_names[i]) == 0;
        int p = !strcmp(offset, "memory_limit") && !strcmp(name, "php_value") ? FPM_POOL_PHP_VALUE_MEMORY_LIMIT :
                !strcmp(offset, "memory_limit") && !strcmp(name, "php_admin_value") ?
                FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT : -1;
        bool known = st->cur != IN_DROPPED && p >= 0;
        char shown[96];
        const char *at = rest.p;
        if (!read_value(c, VM_VALUE, &rest, &v, known))
                return;
        if (known_array && !*offset)
                say(c, FPM_CONF_ERROR, "%s[]: no key inside the brackets: php-fpm refuses to start", name);
        else if (!known_array)  /* the five are all there are: php-fpm refuses any other */
                say(c, FPM_CONF_ERROR, "'%s[...]' is no array php-fpm knows (env, php_value, php_flag, "
                    "php_admin_value, php_admin_flag; in lower case): it refuses to start", showz(shown, name));
        else if (st->cur == IN_GLOBAL)
                say(c, FPM_CONF_ERROR, "%s[%s]: arrays are not allowed in [global]: php-fpm refuses to start", name,
                    showz(shown, offset));
        else if (known && !outside_section(c, pool_keys[p].name, true))
                set_value(c, &pool_keys[p], &c->pools[st->cur].v[p], &v, span_range(at, rest.p));
}

/* key = value, key[offset] = value, include = pattern. */
static void read_entry(struct fpm_conf *c, struct span s) {
        char shown[96], key[FPM_CONF_NAME_MAX];
        size_t k = 0;
        while (k < s.n && label_char((unsigned char) s.p[k]))
                k++;
        struct span name = trim_blanks(span_make(s.p, k)), rest = span_make(s.p + k, s.n - k);
        struct vbuf offset;
        bool has_offset = rest.n && rest.p[0] == '[';
        if (has_offset) {
                rest.p++, rest.n--;
                if (!read_value(c, VM_OFFSET, &rest, &offset, false))
                        return;
        }
        rest = skip_blanks(rest);
        if (!rest.n || rest.p[0] != '=') {
                say(c, FPM_CONF_ERROR, "'%s' is no 'key = value', '[section]' or ';' comment: php-fpm refuses to "
                    "start", show(shown, s.p, s.n));
                return;
        }
        if (!name.n) {
                say(c, FPM_CONF_ERROR, "no key before '=': php-fpm refuses to start");
                return;
        }
        rest = skip_blanks(span_make(rest.p + 1, rest.n - 1));
        if (name.n >= sizeof(key)) {
                read_value(c, VM_VALUE, &rest, &offset, false);   /* no key of php-fpm's is that long */
                return;
        }
        memcpy(key, name.p, name.n);
        key[name.n] = '\0';
        if (has_offset)
                array_key(c, key, offset.s, rest);
        else if (strcmp(key, "include") == 0)
                read_include(c, rest);
        else
                plain_key(c, key, rest);
}

/* ---- sections ---- */

static long find_pool(const struct fpm_conf *c, const char *name) {
        for (size_t i = 0; i < c->n_pools; i++)
                if (strcasecmp(c->pools[i].name, name) == 0)
                        return (long) i;
        return -1;
}

static long new_pool(struct fpm_conf *c, const struct vbuf *name) {
        struct fpm_conf_state *st = c->state;
        char shown[96];
        if (c->n_pools == FPM_CONF_POOLS_MAX) {
                if (!st->said_pools_max)
                        say(c, FPM_CONF_WARNING, "more than %d pools: [%s] and the pools after it are not kept",
                            FPM_CONF_POOLS_MAX, showz(shown, name->s));
                st->said_pools_max = true;
                return IN_DROPPED;
        }
        if (name->n >= FPM_CONF_NAME_MAX) {
                say(c, FPM_CONF_WARNING, "a pool name over %d bytes: not kept", FPM_CONF_NAME_MAX - 1);
                return IN_DROPPED;
        }
        const char *kept = keep(c, name->s, name->n);
        if (!kept || !grow((void **) &c->pools, &st->pools_cap, c->n_pools, sizeof(*c->pools)))
                return IN_DROPPED;
        struct fpm_conf_pool *p = &c->pools[c->n_pools];
        *p = (struct fpm_conf_pool) { .name = kept, .file = here(c)->file, .line = here(c)->line };
        if (!name->n)
                say(c, FPM_CONF_WARNING, "an empty section name '[]': php-fpm makes a pool without a name");
        return (long) c->n_pools++;
}

static void read_section(struct fpm_conf *c, struct span s) {
        struct fpm_conf_state *st = c->state;
        struct vbuf name;
        char shown[96];
        s.p++, s.n--;
        if (!read_value(c, VM_SECTION, &s, &name, true)) {
                st->cur = IN_DROPPED;
                here(c)->seen_section = true;
                return;
        }
        s = skip_blanks(s);
        if (s.n && s.p[0] != ';') {
                char shown_name[96];
                say(c, FPM_CONF_ERROR, "'%s' after [%s]: php-fpm refuses to start", show(shown, s.p, s.n),
                    showz(shown_name, name.s));
        }
        here(c)->seen_section = true;
        if (strcasecmp(name.s, "global") == 0)
                st->cur = IN_GLOBAL;
        else if ((st->cur = find_pool(c, name.s)) < 0)
                st->cur = new_pool(c, &name);
}

/* ---- paths and include= ---- */

static const char *prefix_or(const struct fpm_conf *c, const char *fallback) {
        const char *p = c->state->o.prefix;
        return p && *p ? p : fallback;
}

static const char *php_prefix(const struct fpm_conf *c) {
        return c->state->o.php_prefix ? c->state->o.php_prefix : "/usr";
}

/* fpm_evaluate_full_path: a relative path is base/path (kept); "" and absolute paths come back as
 * they are. */
static const char *full_path(struct fpm_conf *c, const char *base, const char *path) {
        if (!*path || *path == '/')
                return path;
        size_t b = strlen(base), n = strlen(path);
        while (b > 1 && base[b - 1] == '/')
                b--;
        char *buf = malloc(b + n + 2);
        if (!buf)
                return NULL;
        memcpy(buf, base, b);
        buf[b] = '/';
        memcpy(buf + b + 1, path, n + 1);
        const char *full = keep(c, buf, b + n + 1);
        free(buf);
        return full;
}

static void read_include(struct fpm_conf *c, struct span rest) {
        struct fpm_conf_state *st = c->state;
        struct vbuf v;
        if (!read_value(c, VM_VALUE, &rest, &v, true))
                return;
        if (!v.n) {
                say(c, FPM_CONF_WARNING, "include= names nothing: php-fpm finds nothing to include");
                return;
        }
        const char *pattern = full_path(c, prefix_or(c, php_prefix(c)), v.s);
        if (pattern == v.s)
                pattern = keep(c, v.s, v.n);
        if (!pattern)
                return;
        struct frame *f = here(c);
        size_t inc = SIZE_MAX;  /* an index: the include callback may grow c->includes */
        if (c->n_includes < FPM_CONF_INCLUDES_MAX &&
            grow((void **) &c->includes, &st->includes_cap, c->n_includes, sizeof(*c->includes))) {
                inc = c->n_includes++;
                c->includes[inc] = (struct fpm_conf_include) { .pattern = pattern, .file = f->file,
                                                               .line = f->line, .matched = -1 };
        } else if (!st->said_includes_max) {
                st->said_includes_max = true;
                say(c, FPM_CONF_WARNING, "more than %d include= lines: the rest are followed, not recorded",
                    FPM_CONF_INCLUDES_MAX);
        }
        if (!st->o.include)
                return;
        int matched = st->o.include(st->o.include_ctx, c, pattern, f->file, f->line);
        if (inc != SIZE_MAX)
                c->includes[inc].matched = matched;
}

/* ---- files ---- */

static void read_line(struct fpm_conf *c, struct span s) {
        char shown[96];
        if (s.n > FPM_CONF_LINE_MAX) {
                say(c, FPM_CONF_WARNING, "a line of %zu bytes, over the %d read here: skipped whole", s.n,
                    FPM_CONF_LINE_MAX);
                return;
        }
        if (s.n && s.p[s.n - 1] == '\r')
                s.n--;
        const char *nul = memchr(s.p, '\0', s.n);
        if (nul) {
                say(c, FPM_CONF_WARNING, "a NUL byte at byte %zu: php-fpm reads the line only up to it",
                    (size_t) (nul - s.p) + 1);
                s.n = (size_t) (nul - s.p);
        }
        s = skip_blanks(s);
        if (!s.n || s.p[0] == ';')
                return;
        if (s.p[0] == '[')
                read_section(c, s);
        else if (s.p[0] == '#')
                say(c, FPM_CONF_ERROR, "'%s': '#' starts no comment for php-fpm (only ';' does, since PHP 7): "
                    "it refuses to start", show(shown, s.p, s.n));
        else
                read_entry(c, s);
}

void fpm_conf_parse(struct fpm_conf *c, const char *file, const char *text, size_t n) {
        struct fpm_conf_state *st = c->state;
        if (st->depth == FPM_CONF_DEPTH_MAX) {
                say(c, FPM_CONF_ERROR, "%s: more than %d files deep: not read (php-fpm refuses to start)", file,
                    FPM_CONF_DEPTH_MAX);
                return;
        }
        if (st->reads == FPM_CONF_FILES_MAX) {
                if (!st->said_reads_max && st->depth)
                        say(c, FPM_CONF_WARNING, "more than %d files: %s and the files after it are not read",
                            FPM_CONF_FILES_MAX, file);
                st->said_reads_max = true;
                return;
        }
        const char *name = file_name(c, file);
        if (!name)
                return;
        st->reads++;
        struct frame *f = &st->stack[st->depth++];
        *f = (struct frame) { .file = name };
        struct span all = span_make(text, n);
        SPAN_SKIP(&all, "\xef\xbb\xbf");        /* php's INI scanner skips a UTF-8 byte-order mark */
        const char *p = all.p, *end = all.p + all.n;
        while (p < end && f->line < INT_MAX) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                f->line++;
                read_line(c, span_range(p, nl ? nl : end));
                p = nl ? nl + 1 : end;
        }
        st->depth--;
}

/* ---- after the last file: fpm_conf_post_process ---- */

static void set_default(struct fpm_conf *c, const struct key_info *k, struct fpm_conf_value *v) {
        if (v->file || !k->def)
                return;
        *v = (struct fpm_conf_value) { .text = k->def };
        v->ok = read_number(c, k, v);   /* a default always reads: nothing is said */
}

static void resolve(struct fpm_conf *c, struct fpm_conf_value *v, const char *base) {
        if (!v->text)
                return;
        const char *full = full_path(c, base, v->text);
        if (full)
                v->text = full;
}

static void finish_global(struct fpm_conf *c) {
        const char *base = prefix_or(c, c->state->o.localstatedir ? c->state->o.localstatedir : "/var");
        for (int k = 0; k < FPM_GLOBAL__MAX; k++)
                set_default(c, &global_keys[k], &c->global[k]);
        resolve(c, &c->global[FPM_GLOBAL_PID], base);
        if (strcasecmp(c->global[FPM_GLOBAL_ERROR_LOG].text, "syslog") != 0)
                resolve(c, &c->global[FPM_GLOBAL_ERROR_LOG], base);
}

/* Where a pool problem is: its key's line when set, else the pool's [NAME]. */
static void pool_say(struct fpm_conf *c, const struct fpm_conf_pool *p, const struct fpm_conf_value *v,
                     enum fpm_conf_severity sev, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void pool_say(struct fpm_conf *c, const struct fpm_conf_pool *p, const struct fpm_conf_value *v,
                     enum fpm_conf_severity sev, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vdiag(c, v && v->file ? v->file : p->file, v && v->file ? v->line : p->line, sev, fmt, ap);
        va_end(ap);
}

static void finish_listen(struct fpm_conf *c, struct fpm_conf_pool *p, const char *base) {
        struct fpm_conf_value *v = &p->v[FPM_POOL_LISTEN];
        char shown[96], pool[96];
        showz(pool, p->name);
        if (!v->text || !*v->text) {
                pool_say(c, p, v, FPM_CONF_ERROR, "[%s] has no listen address: php-fpm refuses to start", pool);
                return;
        }
        size_t n = strlen(v->text);
        bool port = strspn(v->text, "0123456789") == n, inet = strchr(v->text, ':') != NULL;
        if (inet && strncmp(v->text, "unix:", 5) == 0) {
                pool_say(c, p, v, FPM_CONF_ERROR, "listen: '%s': php-fpm takes 'unix:' for a host name; write "
                         "the socket's path alone", showz(shown, v->text));
                return;
        }
        const struct fpm_conf_value *prefix = &p->v[FPM_POOL_PREFIX];
        if (!port && !inet && v->text[0] != '/' && prefix->unset_var && !v->unset_var) {
                v->unset_var = prefix->unset_var;       /* relative to a prefix that names it */
                v->written = v->text;
        }
        if (!port && !inet)
                resolve(c, v, base);
        int r = address_parse(&p->address, v->text, strlen(v->text));
        if (r == -ENAMETOOLONG)
                pool_say(c, p, v, FPM_CONF_ERROR, "listen: '%s' is longer than a unix socket path may be (%d bytes)",
                         showz(shown, v->text), ADDRESS_PATH_MAX);
        else if (r < 0 || p->address.kind == ADDRESS_GROUP)
                pool_say(c, p, v, FPM_CONF_ERROR, "listen: '%s' is no address php-fpm can listen on (a path, "
                         "a port, ip:port or [ip6]:port)", showz(shown, v->text));
        else
                p->has_address = v->ok = true;
}

/* ping.path and pm.status_path: fpm_conf_process_all_pools refuses anything else. */
static void finish_uri(struct fpm_conf *c, struct fpm_conf_pool *p, enum fpm_pool_key k) {
        struct fpm_conf_value *v = &p->v[k];
        char shown[96];
        if (!v->text || !*v->text)
                return;
        const char *t = v->text;
        size_t n = strlen(t), good = 0;
        for (size_t i = 0; i < n; i++)
                good += (t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') ||
                        strchr("/_-.~", t[i]);
        if (t[0] != '/' || n < 2 || good != n)
                pool_say(c, p, v, FPM_CONF_ERROR, "%s: '%s' must start with '/' and hold only letters, digits and "
                         "/_-.~: php-fpm refuses to start", pool_keys[k].name, showz(shown, t));
        else
                v->ok = true;
}

static bool set_nonempty(const struct fpm_conf_value *v) {
        return v->text && *v->text;
}

static void finish_required(struct fpm_conf *c, struct fpm_conf_pool *p) {
        char pool[96];
        showz(pool, p->name);
        if (!set_nonempty(&p->v[FPM_POOL_USER]))
                pool_say(c, p, &p->v[FPM_POOL_USER], FPM_CONF_ERROR, "[%s] has no user: php-fpm started as root "
                         "refuses to start", pool);
        if (!p->v[FPM_POOL_PM].file)
                pool_say(c, p, NULL, FPM_CONF_ERROR, "[%s] has no pm (static, dynamic or ondemand): php-fpm "
                         "refuses to start", pool);
        const struct fpm_conf_value *mc = &p->v[FPM_POOL_PM_MAX_CHILDREN];
        if (!mc->file || (mc->ok && mc->number < 1))
                pool_say(c, p, mc, FPM_CONF_ERROR, "[%s]: pm.max_children must be a positive number: php-fpm "
                         "refuses to start", pool);
        const struct fpm_conf_value *slow = &p->v[FPM_POOL_REQUEST_SLOWLOG_TIMEOUT];
        if (slow->ok && slow->number != 0 && !set_nonempty(&p->v[FPM_POOL_SLOWLOG]))
                pool_say(c, p, slow, FPM_CONF_ERROR, "[%s]: request_slowlog_timeout needs slowlog: php-fpm "
                         "refuses to start", pool);
        bool acl = set_nonempty(&p->v[FPM_POOL_LISTEN_ACL_USERS]) || set_nonempty(&p->v[FPM_POOL_LISTEN_ACL_GROUPS]);
        for (int k = FPM_POOL_LISTEN_OWNER; acl && k <= FPM_POOL_LISTEN_GROUP; k++)
                if (set_nonempty(&p->v[k]))
                        pool_say(c, p, &p->v[k], FPM_CONF_WARNING, "%s is ignored: listen.acl_users or "
                                 "listen.acl_groups is set (php-fpm says so at start)", pool_keys[k].name);
}

static void finish_pool(struct fpm_conf *c, struct fpm_conf_pool *p) {
        const char *global = prefix_or(c, php_prefix(c));
        resolve(c, &p->v[FPM_POOL_PREFIX], global);
        const char *base = set_nonempty(&p->v[FPM_POOL_PREFIX]) ? p->v[FPM_POOL_PREFIX].text : global;
        resolve(c, &p->v[FPM_POOL_SLOWLOG], base);
        resolve(c, &p->v[FPM_POOL_ACCESS_LOG], base);
        finish_listen(c, p, base);
        finish_uri(c, p, FPM_POOL_PING_PATH);
        finish_uri(c, p, FPM_POOL_STATUS_PATH);
        for (int k = 0; k < FPM_POOL__MAX; k++)
                set_default(c, &pool_keys[k], &p->v[k]);
        finish_required(c, p);
}

void fpm_conf_finish(struct fpm_conf *c) {
        if (c->state->finished)
                return;
        c->state->finished = true;
        finish_global(c);
        for (size_t i = 0; i < c->n_pools; i++)
                finish_pool(c, &c->pools[i]);
        if (c->n_pools == 0 && c->n_files)     /* with no file read, that is said already */
                fpm_conf_diag(c, c->files[0], 0, FPM_CONF_ERROR, "no pool section: php-fpm refuses to start");
}

/* ---- the rest of the API ---- */

const char *fpm_conf_envp(void *envp, const char *name) {
        size_t n = strlen(name);
        for (char **e = envp; e && *e; e++)
                if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

struct fpm_conf *fpm_conf_new(const struct fpm_conf_options *o) {
        struct fpm_conf *c = calloc(1, sizeof(*c));
        if (!c || !(c->state = calloc(1, sizeof(*c->state)))) {
                free(c);
                return NULL;
        }
        struct fpm_conf_options *own = &c->state->o;
        if (o)
                *own = *o;
        c->state->cur = IN_GLOBAL;
        if ((own->prefix && !(own->prefix = keepz(c, own->prefix))) ||
            (own->php_prefix && !(own->php_prefix = keepz(c, own->php_prefix))) ||
            (own->localstatedir && !(own->localstatedir = keepz(c, own->localstatedir))))
                return fpm_conf_free(c);
        return c;
}

struct fpm_conf *fpm_conf_free(struct fpm_conf *c) {
        if (!c)
                return NULL;
        for (struct blob *b = c->state->blobs, *next; b; b = next) {
                next = b->next;
                free(b);
        }
        free(c->pools);
        free(c->files);
        free(c->includes);
        free(c->diags);
        free(c->state);
        free(c);
        return NULL;
}

const char *fpm_global_key_name(enum fpm_global_key k) {
        return k < FPM_GLOBAL__MAX ? global_keys[k].name : NULL;
}

const char *fpm_pool_key_name(enum fpm_pool_key k) {
        return k < FPM_POOL__MAX ? pool_keys[k].name : NULL;
}

enum fpm_key_kind fpm_pool_key_kind(enum fpm_pool_key k) {
        return k < FPM_POOL__MAX ? pool_keys[k].kind : FPM_KIND_STRING;
}

const struct fpm_conf_pool *fpm_conf_find_pool(const struct fpm_conf *c, const char *name) {
        long i = find_pool(c, name);
        return i < 0 ? NULL : &c->pools[i];
}

size_t fpm_conf_list(const struct fpm_conf_value *v, struct span *items, size_t max) {
        if (!v->text || !*v->text)
                return 0;
        size_t n = 0;
        for (const char *p = v->text;; n++) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t) (comma - p) : strlen(p);
                if (n < max)
                        items[n] = span_make(p, len);
                if (!comma)
                        return n + 1;
                p = comma + 1;
        }
}

const char *fpm_conf_diag_format(const struct fpm_conf_diag *d, char *buf, size_t size) {
        const char *sev = d->severity == FPM_CONF_ERROR ? "error" : "warning";
        if (d->line > 0)
                snprintf(buf, size, "%s:%d: %s: %s", d->file ? d->file : "-", d->line, sev, d->text);
        else
                snprintf(buf, size, "%s: %s: %s", d->file ? d->file : "-", sev, d->text);
        return buf;
}
