#include "level.h"

#include <stdbool.h>

/* Each name by its length, then its first letter: this runs on every line. nginx writes them in
 * lower case (err_levels[] in src/core/ngx_log.c), php-fpm in upper case (zlog.c's level_names). */
static const struct {
        const char *name;
        enum log_level level;
} by_length[8][4] = {
        [4] = { { "warn", LEVEL_WARN }, { "info", LEVEL_INFO }, { "crit", LEVEL_CRIT } },
        [5] = { { "error", LEVEL_ERROR }, { "alert", LEVEL_ALERT }, { "emerg", LEVEL_EMERG }, { "debug", LEVEL_DEBUG } },
        [6] = { { "notice", LEVEL_NOTICE }, { "system", LEVEL_NOTICE } },
        [7] = { { "warning", LEVEL_WARN } },
};

static bool is(struct span s, const char *lower) {
        for (size_t i = 1; i < s.n; i++)
                if ((s.p[i] | 0x20) != lower[i])
                        return false;
        return true;
}

enum log_level level_from_span(struct span s) {
        if (s.n < 4 || s.n > 7)
                return LEVEL_UNKNOWN;
        char first = (char) (s.p[0] | 0x20);
        for (unsigned i = 0; i < 4 && by_length[s.n][i].name; i++)
                if (by_length[s.n][i].name[0] == first && is(s, by_length[s.n][i].name))
                        return by_length[s.n][i].level;
        return LEVEL_UNKNOWN;
}

const char *level_name(enum log_level l) {
        static const char *const by_level[] = {
                [LEVEL_UNKNOWN] = "unknown", [LEVEL_DEBUG] = "debug", [LEVEL_INFO] = "info",
                [LEVEL_NOTICE] = "notice",   [LEVEL_WARN] = "warn",   [LEVEL_ERROR] = "error",
                [LEVEL_CRIT] = "crit",       [LEVEL_ALERT] = "alert", [LEVEL_EMERG] = "emerg",
        };
        return (unsigned) l <= LEVEL_EMERG ? by_level[l] : "unknown";
}
