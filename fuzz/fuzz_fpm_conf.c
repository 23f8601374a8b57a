/* fpm_conf_parse and fpm_conf_finish on arbitrary bytes: no crash; every diagnostic names a file
 * that was read and a line inside it, in plain ASCII; every pool and value stays inside the
 * documented caps and points at a line that exists. An include= line reads the input again (for
 * inputs up to 1 KiB), down to php-fpm's depth limit. */
#include <string.h>

#include "fpm_conf.h"
#include "fuzz_check.h"

static const char *input;
static size_t input_size;

static int include_self(void *ctx, struct fpm_conf *c, const char *pattern, const char *file, int line) {
        if (input_size > 1024)
                return 0;
        fpm_conf_parse(c, "/fuzz/included.conf", input, input_size);
        return 1;
}

/* ${E…} is set, ${LONG} is over the value cap, the rest unset. */
static const char *env(void *ctx, const char *name) {
        static char long_value[FPM_CONF_VALUE_MAX + 16];
        if (strcmp(name, "LONG") == 0) {
                memset(long_value, 'v', sizeof(long_value) - 1);
                return long_value;
        }
        return name[0] == 'E' ? "/env" : NULL;
}

static bool is_file(const struct fpm_conf *c, const char *file) {
        for (size_t i = 0; i < c->n_files; i++)
                if (c->files[i] == file)
                        return true;
        return false;
}

static void check_where(const struct fpm_conf *c, const char *file, int line, int lines) {
        FUZZ_CHECK(file == NULL || is_file(c, file));
        FUZZ_CHECK(line >= 0 && line <= lines);
}

static void check_value(const struct fpm_conf *c, const struct fpm_conf_value *v, int lines) {
        FUZZ_CHECK((v->file == NULL) == (v->line == 0));
        check_where(c, v->file, v->line, lines);
        FUZZ_CHECK(!v->file || v->text);
        if (v->text)    /* a relative path gets its prefix */
                FUZZ_CHECK(strlen(v->text) <= 2 * FPM_CONF_VALUE_MAX + 1);
        struct span items[4];
        size_t n = fpm_conf_list(v, items, 4);
        for (size_t i = 0; i < n && i < 4; i++)
                CHECK_SPAN(items[i], (const uint8_t *) v->text, strlen(v->text));
}

static void check_pool(const struct fpm_conf *c, const struct fpm_conf_pool *p, int lines) {
        FUZZ_CHECK(strlen(p->name) < FPM_CONF_NAME_MAX);
        FUZZ_CHECK(p->line > 0 && is_file(c, p->file));
        check_where(c, p->file, p->line, lines);
        for (int k = 0; k < FPM_POOL__MAX; k++)
                check_value(c, &p->v[k], lines);
        if (p->has_address) {
                struct address again;
                size_t n = strnlen(p->address.text, sizeof(p->address.text));
                FUZZ_CHECK(n < sizeof(p->address.text));
                FUZZ_CHECK(address_parse(&again, p->address.text, n) == 0);
                FUZZ_CHECK(p->v[FPM_POOL_LISTEN].ok);
        }
}

static void check_diag(const struct fpm_conf *c, const struct fpm_conf_diag *d, int lines) {
        FUZZ_CHECK(d->file && is_file(c, d->file));
        check_where(c, d->file, d->line, lines);
        FUZZ_CHECK(d->severity == FPM_CONF_WARNING || d->severity == FPM_CONF_ERROR);
        size_t n = strnlen(d->text, sizeof(d->text));
        FUZZ_CHECK(n > 0 && n < sizeof(d->text));
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(d->text[i] >= 0x20 && d->text[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        input = (const char *) data;
        input_size = size;
        int lines = 1;
        for (size_t i = 0; i < size; i++)
                lines += data[i] == '\n';
        struct fpm_conf_options o = { .env = env, .include = include_self };
        struct fpm_conf *c = fpm_conf_new(&o);
        FUZZ_CHECK(c != NULL);
        fpm_conf_parse(c, "/fuzz/php-fpm.conf", input, size);
        fpm_conf_finish(c);
        FUZZ_CHECK(c->n_pools <= FPM_CONF_POOLS_MAX && c->n_files <= 2 && c->n_includes <= FPM_CONF_INCLUDES_MAX);
        FUZZ_CHECK(c->n_diags <= FPM_CONF_DIAGS_MAX);
        for (int k = 0; k < FPM_GLOBAL__MAX; k++)
                check_value(c, &c->global[k], lines);
        for (size_t i = 0; i < c->n_pools; i++)
                check_pool(c, &c->pools[i], lines);
        for (size_t i = 0; i < c->n_diags; i++)
                check_diag(c, &c->diags[i], lines);
        for (size_t i = 0; i < c->n_includes; i++) {
                FUZZ_CHECK(c->includes[i].pattern[0] == '/' && is_file(c, c->includes[i].file));
                FUZZ_CHECK(c->includes[i].matched == 0 || c->includes[i].matched == 1);
        }
        fpm_conf_free(c);
        return 0;
}
