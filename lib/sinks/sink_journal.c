#include "sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
/* CODE_FILE, CODE_LINE and CODE_FUNC would name this file for every alert */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>
#include <unistd.h>

enum { JOURNAL_FIELDS = 14 };

struct fields {
        struct iovec iov[JOURNAL_FIELDS];
        int n;
        bool failed;
};

/* sd_journal_sendv() reports success when the socket is missing, so ask the socket first. */
static int journal_listening(void) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = SINK_JOURNAL_SOCKET };
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        int r = connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* "NAME=value" as one iovec: any bytes in value, newlines included, reach the journal as they are. */
static void add(struct fields *f, const char *name, const char *value) {
        if (!value[0] || f->failed || f->n == JOURNAL_FIELDS)
                return;
        size_t nl = strlen(name), vl = strlen(value);
        char *p = malloc(nl + 1 + vl);
        if (!p) {
                f->failed = true;
                return;
        }
        memcpy(p, name, nl);
        p[nl] = '=';
        memcpy(p + nl + 1, value, vl);
        f->iov[f->n++] = (struct iovec) { .iov_base = p, .iov_len = nl + 1 + vl };
}

static void fields_free(struct fields *f) {
        for (int i = 0; i < f->n; i++)
                free(f->iov[i].iov_base);
}

/* Where the configuration shows the cause, for journalctl BADGATEWAY_CONFIG_FILE=… */
static void add_config(struct fields *f, const struct alert_config *c) {
        char line[16];
        if (!c->have)
                return;
        snprintf(line, sizeof(line), "%u", c->line);
        add(f, "BADGATEWAY_CONFIG_FILE", c->file);
        add(f, "BADGATEWAY_CONFIG_LINE", line);
}

static void add_alert(struct fields *f, const struct alert *a, const char *json) {
        char prio[4];
        snprintf(prio, sizeof(prio), "%d", a->state == ALERT_RESOLVED ? LOG_NOTICE : cause_priority(a->cause));
        add(f, "MESSAGE", a->summary[0] ? a->summary : cause_text(a->cause));
        add(f, "MESSAGE_ID", cause_message_id(a->cause));
        add(f, "PRIORITY", prio);
        add(f, "SYSLOG_IDENTIFIER", "badgatewayd");
        add(f, "BADGATEWAY_CAUSE", cause_id(a->cause));
        add(f, "BADGATEWAY_STATE", alert_state_name(a->state));
        add(f, "BADGATEWAY_POOL", a->pool);
        add(f, "BADGATEWAY_UPSTREAM", a->upstream);
        add(f, "BADGATEWAY_UNIT", a->unit);
        add(f, "BADGATEWAY_ALERT_ID", a->id);
        add_config(f, &a->evidence.config);
        add(f, "BADGATEWAY_LATE", a->late ? "1" : "");
        add(f, "BADGATEWAY_JSON", json);
}

int sink_journal_emit(const struct alert *a) {
        int r = journal_listening();
        if (r < 0)
                return r;
        char *json = sink_alert_json(a);
        if (!json)
                return -ENOMEM;
        struct fields f = { .n = 0 };
        add_alert(&f, a, json);
        free(json);
        r = f.failed ? -ENOMEM : sd_journal_sendv(f.iov, f.n);
        fields_free(&f);
        return r;
}

void sink_fallback_init(struct sink_fallback *fb, FILE *f) {
        *fb = (struct sink_fallback) { .f = f };
}

static const char *reason(int err) {
        if (err == -ENOENT)
                return "no socket at " SINK_JOURNAL_SOCKET;
        if (err == -ECONNREFUSED)
                return "nothing listens on " SINK_JOURNAL_SOCKET;
        return strerror(err < 0 ? -err : err);
}

int sink_journal_fallback(struct sink_fallback *fb, const struct alert *a, int err) {
        if (!fb->announced)
                fprintf(fb->f, "badgatewayd: journald unavailable (%s); alert follows:\n", reason(err));
        fb->announced = true;
        return sink_jsonl_put(fb->f, a);
}
