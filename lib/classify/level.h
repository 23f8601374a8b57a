#pragma once
#include "span.h"

enum log_level {
        LEVEL_UNKNOWN,
        LEVEL_DEBUG,
        LEVEL_INFO,
        LEVEL_NOTICE,
        LEVEL_WARN,
        LEVEL_ERROR,
        LEVEL_CRIT,
        LEVEL_ALERT,
        LEVEL_EMERG,
};

/* nginx's lowercase names and php-fpm's uppercase ones. */
enum log_level level_from_span(struct span s);
const char *level_name(enum log_level l);
