#include "kinds.h"

#include <stdio.h>
#include <string.h>

static const struct kind_info kinds[EV__MAX] = {
        [EV_NONE] = { "none", SOURCE_NONE, LOG_DEBUG, 0, "not a failure" },
#define X(name, id, src, prio, causes, text) [EV_##name] = { id, SOURCE_##src, prio, causes, text },
        KIND_LIST(X)
#undef X
};

static const struct {
        const char *id;
        const char *text;
} causes[CAUSE__MAX] = {
        [CAUSE_NONE] = { "none", "no cause" },
#define X(name, id, text) [CAUSE_##name] = { id, text },
        CAUSE_LIST(X)
#undef X
};

const struct kind_info *kind_info(enum event_kind k) {
        if ((unsigned) k >= EV__MAX)
                k = EV_NONE;
        return &kinds[k];
}

const char *kind_id(enum event_kind k) {
        return kind_info(k)->id;
}

enum event_kind kind_from_id(const char *id) {
        for (unsigned k = 0; k < EV__MAX; k++)
                if (strcmp(kinds[k].id, id) == 0)
                        return (enum event_kind) k;
        return EV_NONE;
}

const char *cause_id(enum cause c) {
        return (unsigned) c < CAUSE__MAX ? causes[c].id : "none";
}

const char *cause_text(enum cause c) {
        return (unsigned) c < CAUSE__MAX ? causes[c].text : "";
}

const char *kind_causes_str(enum event_kind k, char *buf, unsigned size) {
        unsigned set = kind_info(k)->causes, used = 0;
        buf[0] = '\0';
        for (unsigned c = 1; c < CAUSE__MAX && used < size; c++) {
                if (!(set & (1u << c)))
                        continue;
                int w = snprintf(buf + used, size - used, "%s%s", used ? ", " : "", causes[c].id);
                if (w < 0)
                        break;
                used += (unsigned) w;
        }
        return buf;
}
