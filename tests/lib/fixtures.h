/* Shared by the unit suites: fixture files and span assertions. */
#pragma once
#include <check.h>
#include <stddef.h>

#include "span.h"

/* A whole file, NUL-terminated (its length in *len if len is not NULL); aborts the test if it
 * cannot be read. */
char *fixture_slurp(const char *path, size_t *len);
/* Whole file under TEST_DATA_DIR, NUL-terminated; aborts the test if it cannot be read. */
char *fixture_read(const char *name, size_t *len);
/* Runs one suite with check's defaults; returns the process exit code. */
int fixture_run(Suite *s);

/*
 * A temp directory for the whole test program, made and removed in the parent process
 * (tcase_add_unchecked_fixture), so that it goes even when a test fails or crashes.
 * Each test takes a fresh subdirectory of it with fixture_newdir().
 */
void fixture_base_create(void);
void fixture_base_remove(void);
const char *fixture_newdir(char buf[static 128]);
/* "DIR/NAME" in a ring of 32 buffers: valid until 32 more calls. */
const char *fixture_path(const char *dir, const char *name);

#define ck_assert_span_eq(s, str)                                                    \
        do {                                                                         \
                struct span s_ = (s);                                                \
                ck_assert_msg(span_eq_str(s_, (str)), "span '%.*s' != '%s'", (int) s_.n, \
                              s_.p ? s_.p : "", (str));                              \
        } while (0)
