#include "kinds.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const struct kind_info kinds[KIND__MAX] = {
        [KIND_NONE] = { "none", SOURCE_NONE, LOG_DEBUG, 0, CAUSE_NONE, CAUSE_NONE, 0, "not a failure" },
#define X(name, id, src, prio, causes, cause, alt, decide, text) \
        [KIND_##name] = { id, SOURCE_##src, prio, causes, CAUSE_##cause, CAUSE_##alt, decide, text },
        KIND_LIST(X)
#undef X
};

static const struct {
        const char *id;
        const char *message_id;
        int priority;
        const char *text;
} causes[CAUSE__MAX] = {
        [CAUSE_NONE] = { "none", "00000000000000000000000000000000", LOG_INFO, "no cause" },
#define X(name, id, msgid, prio, text) [CAUSE_##name] = { id, msgid, prio, text },
        CAUSE_LIST(X)
#undef X
};

const struct kind_info *kind_info(enum event_kind k) {
        if ((unsigned) k >= KIND__MAX)
                k = KIND_NONE;
        return &kinds[k];
}

const char *kind_id(enum event_kind k) {
        return kind_info(k)->id;
}

enum event_kind kind_from_id(const char *id) {
        for (unsigned k = 0; k < KIND__MAX; k++)
                if (strcmp(kinds[k].id, id) == 0)
                        return (enum event_kind) k;
        return KIND_NONE;
}

const char *cause_id(enum cause c) {
        return (unsigned) c < CAUSE__MAX ? causes[c].id : "none";
}

const char *cause_text(enum cause c) {
        return (unsigned) c < CAUSE__MAX ? causes[c].text : "";
}

const char *cause_message_id(enum cause c) {
        return causes[(unsigned) c < CAUSE__MAX ? c : CAUSE_NONE].message_id;
}

int cause_priority(enum cause c) {
        return causes[(unsigned) c < CAUSE__MAX ? c : CAUSE_NONE].priority;
}

enum cause cause_from_id(const char *id) {
        for (unsigned c = 0; c < CAUSE__MAX; c++)
                if (strcmp(causes[c].id, id) == 0)
                        return (enum cause) c;
        return CAUSE_NONE;
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

enum event_kind kind_of_connect_errno(int e) {
        static const struct {
                int err;
                enum event_kind kind;
        } table[] = {
#define X(err, kind) { err, KIND_##kind },
                CONNECT_ERRNO_LIST(X)
#undef X
        };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                if (table[i].err == e)
                        return table[i].kind;
        return KIND_UPSTREAM_CONNECT_ERROR;
}

bool errno_is_reset(int e) {
        static const int table[] = {
#define X(err) err,
                RESET_ERRNO_LIST(X)
#undef X
        };
        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
                if (table[i] == e)
                        return true;
        return false;
}
