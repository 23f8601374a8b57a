/*
 * php-fpm log lines, default and log_level = debug formats:
 *   [25-Nov-2026 13:24:13] WARNING: [pool www] child 1 exited on signal 9 (SIGKILL) after …
 *   [25-Nov-2026 13:23:15.673798] WARNING: pid 6709, fpm_children_bury(), line 289: [pool www] …
 */
#pragma once
#include "level.h"
#include "span.h"

struct fpm_line {
        struct span time;       /* "25-Nov-2026 13:24:13" (with ".uuuuuu" in debug format) */
        struct span level;      /* "WARNING" */
        enum log_level lvl;
        struct span pid;        /* debug format: the master's pid; empty otherwise */
        struct span pool;       /* empty for master-level lines */
        struct span message;    /* after "[pool NAME] " */
};

int fpm_parse(const char *p, size_t n, struct fpm_line *l);
/*
 * The same text without its date (time stays empty), as php-fpm writes it to stderr
 * ("WARNING: [pool www] child …", under systemd or in a container) and to syslog
 * ("[WARNING] [pool www] child …", error_log = syslog). The level must be php-fpm's, upper case.
 */
int fpm_parse_dateless(const char *p, size_t n, struct fpm_line *l);
