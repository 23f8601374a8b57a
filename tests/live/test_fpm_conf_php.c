/*
 * fpm_conf against the real php-fpm: for each value form, php-fpm -tt (which prints the
 * configuration it read) and fpm_conf_parse read the same file. Where php-fpm refuses the file,
 * fpm_conf must say an error; where it starts, fpm_conf must say none and read the same value.
 * Needs php-fpm (live suite).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fixtures.h"
#include "fpm_conf.h"
#include "fpm_env.h"

extern char **environ;

struct form {
        const char *key, *value;
};

static const struct form forms[] = {
        { "listen", "/run/a.sock" }, { "listen", "\"/run/a.sock\"" }, { "listen", "'/run/a.sock'" },
        { "listen", "/run/$pool.sock" }, { "listen", "\"/run/${FPM_TEST_DIR}/x\"" },
        { "listen", "'/run/${FPM_TEST_DIR}/x'" }, { "listen", "${FPM_TEST_DIR}/y.sock" },
        { "listen", "${FPM_TEST_UNSET}/y.sock" }, { "listen", "${ FPM_TEST_DIR }" },
        { "listen", "/run/a b.sock" }, { "listen", "/run/a  \"b\"  c" }, { "listen", "/run/a 'b' c" },
        { "listen", "\"/run/a;b\"" }, { "listen", "/run/a;b" }, { "listen", "/run/a\\b" },
        { "listen", "\"/run/a\\b\\\"c\\\\d\\$e\"" }, { "listen", "/run/ab  ;  trailing" },
        { "listen", "127.0.0.1:9000" }, { "listen", "[::]:9000" }, { "listen", "9000" },
        { "listen", "relative.sock" }, { "listen", "yes" }, { "listen", "none" }, { "listen", "" },
        { "listen", "/run/{a}.sock" }, { "listen", "/run/a[1].sock" }, { "listen", "/run/~a" },
        { "listen", "\"/run/~a\"" }, { "listen", "/run/a$b" }, { "listen", "/run/a=b" },
        { "listen", "\"/run/a" }, { "listen", "o'brien" }, { "listen", "${FPM_TEST_DIR" },
        { "listen", "/run/a(b)" }, { "listen", "/run/a|" }, { "listen", "/run/!a" },
        { "pm.max_children", "7" }, { "pm.max_children", "many" }, { "pm.max_children", "0" },
        { "pm.max_children", "\"3\"" },
        { "request_terminate_timeout", "30" }, { "request_terminate_timeout", "30s" },
        { "request_terminate_timeout", "5m" }, { "request_terminate_timeout", "1h" },
        { "request_terminate_timeout", "1d" }, { "request_terminate_timeout", "1.5m" },
        { "request_terminate_timeout", "5x" }, { "request_terminate_timeout", "\"\"" },
        { "catch_workers_output", "yes" }, { "catch_workers_output", "\"yes\"" },
        { "catch_workers_output", "\"Yes\"" }, { "catch_workers_output", "On" },
        { "catch_workers_output", "none" }, { "catch_workers_output", "\"none\"" },
        { "catch_workers_output", "maybe" }, { "catch_workers_output", "0" },
        { "pm", "static" }, { "pm", "OnDemand" }, { "pm", "lazy" },
        { "# listen", "/run/hash.sock" }, { "LISTEN", "/run/upper.sock" },
};

/* What php-fpm -tt printed for key, or NULL when it refused the file. */
static char *php_reads(const char *conf, const char *key) {
        char cmd[1024], line[8192], want[128];
        snprintf(cmd, sizeof(cmd), "%s -tt -y %s 2>&1", fpm_env_binary(), conf);
        snprintf(want, sizeof(want), "NOTICE: \t%s = ", key);
        FILE *p = popen(cmd, "r");
        ck_assert_ptr_nonnull(p);
        char *found = NULL;
        bool ok = false;
        while (fgets(line, sizeof(line), p)) {
                line[strcspn(line, "\n")] = '\0';
                const char *at = strstr(line, want);
                if (at && !found)
                        found = strdup(at + strlen(want));
                ok |= strstr(line, "test is successful") != NULL;
        }
        pclose(p);
        if (!ok) {
                free(found);
                return NULL;
        }
        return found;
}

/* Our value as php-fpm -tt prints it (fpm_conf_dump in fpm_conf.c). */
static void ours_as_php(const struct fpm_conf_pool *p, const char *key, char *out, size_t size) {
        if (strcasecmp(key, "listen") == 0)
                snprintf(out, size, "%s", p->v[FPM_POOL_LISTEN].text);
        else if (strcmp(key, "pm.max_children") == 0)
                snprintf(out, size, "%lld", p->v[FPM_POOL_PM_MAX_CHILDREN].number);
        else if (strcmp(key, "request_terminate_timeout") == 0)
                snprintf(out, size, "%llds", p->v[FPM_POOL_REQUEST_TERMINATE_TIMEOUT].number);
        else if (strcmp(key, "catch_workers_output") == 0)
                snprintf(out, size, "%s", p->v[FPM_POOL_CATCH_WORKERS_OUTPUT].number ? "yes" : "no");
        else if (strcmp(key, "pm") == 0)
                snprintf(out, size, "%s", (const char *[]) { "?", "static", "dynamic", "ondemand" }
                         [p->v[FPM_POOL_PM].number]);
}

static bool has_error(const struct fpm_conf *c) {
        for (size_t i = 0; i < c->n_diags; i++)
                if (c->diags[i].severity == FPM_CONF_ERROR)
                        return true;
        return false;
}

START_TEST(test_same_as_php_fpm) {
        char dir[128], conf[256], text[2048], ours[4096], diags[2048];
        fixture_newdir(dir);
        setenv("FPM_TEST_DIR", dir, 1);
        unsetenv("FPM_TEST_UNSET");
        snprintf(conf, sizeof(conf), "%s/php-fpm.conf", dir);
        const struct form *f = &forms[_i];
        snprintf(text, sizeof(text), "[global]\nerror_log = %s/error.log\n[www]\nuser = nobody\npm = static\n"
                 "pm.max_children = 1\nlisten = %s/www.sock\n%s = %s\n", dir, dir, f->key, f->value);
        FILE *w = fopen(conf, "w");
        ck_assert_ptr_nonnull(w);
        fputs(text, w);
        fclose(w);
        char *php = php_reads(conf, f->key[0] == '#' || !strcmp(f->key, "LISTEN") ? "listen" : f->key);

        struct fpm_conf_options o = { .env = fpm_conf_envp, .env_ctx = environ };
        struct fpm_conf *c = fpm_conf_new(&o);
        fpm_conf_parse(c, conf, text, strlen(text));
        fpm_conf_finish(c);
        diags[0] = '\0';
        for (size_t i = 0; i < c->n_diags; i++) {
                char one[512];
                strncat(diags, fpm_conf_diag_format(&c->diags[i], one, sizeof(one)), sizeof(diags) - strlen(diags) - 2);
                strcat(diags, ";");
        }
        if (!php)
                ck_assert_msg(has_error(c), "%s = %s: php-fpm refuses it, fpm_conf says no error (%s)", f->key,
                              f->value, diags);
        else {
                ck_assert_msg(!has_error(c), "%s = %s: php-fpm reads '%s', fpm_conf says: %s", f->key, f->value,
                              php, diags);
                ours_as_php(fpm_conf_find_pool(c, "www"), f->key[0] == '#' ? "listen" : f->key, ours, sizeof(ours));
                ck_assert_msg(strcmp(php, ours) == 0, "%s = %s: php-fpm reads '%s', fpm_conf '%s'", f->key, f->value,
                              php, ours);
        }
        free(php);
        fpm_conf_free(c);
}
END_TEST

int main(void) {
        if (access(fpm_env_binary(), X_OK) != 0) {
                printf("skipped: no %s (set PHP_FPM)\n", fpm_env_binary());
                return 77;
        }
        Suite *s = suite_create("fpm_conf_php");
        TCase *t = tcase_create("fpm_conf_php");
        tcase_add_unchecked_fixture(t, fixture_base_create, fixture_base_remove);
        tcase_add_loop_test(t, test_same_as_php_fpm, 0, (int) (sizeof(forms) / sizeof(forms[0])));
        tcase_set_timeout(t, 30);
        suite_add_tcase(s, t);
        return fixture_run(s);
}
