#include "level.h"

#include <stdbool.h>

static const struct {
        const char *name;
        size_t len;
        enum log_level level;
} names[] = {
        /* the most frequent first */
        { "error", 5, LEVEL_ERROR }, { "warn", 4, LEVEL_WARN },     { "notice", 6, LEVEL_NOTICE },
        { "info", 4, LEVEL_INFO },   { "crit", 4, LEVEL_CRIT },     { "alert", 5, LEVEL_ALERT },
        { "emerg", 5, LEVEL_EMERG }, { "debug", 5, LEVEL_DEBUG },   { "warning", 7, LEVEL_WARN },
        { "system", 6, LEVEL_NOTICE },
};

static bool is(struct span s, const char *lower) {
        for (size_t i = 0; i < s.n; i++)
                if ((s.p[i] | 0x20) != lower[i])
                        return false;
        return lower[s.n] == '\0';
}

/* By length and first letter: this runs on every line. */
enum log_level level_from_span(struct span s) {
        if (s.n < 4 || s.n > 7)
                return LEVEL_UNKNOWN;
        for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (names[i].len == s.n && (s.p[0] | 0x20) == names[i].name[0] && is(s, names[i].name))
                        return names[i].level;
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
