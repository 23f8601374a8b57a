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

#include "resolved.h"

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
        add(f, "MESSAGE_ID", a->state == ALERT_RESOLVED ? cause_resolved_message_id(a->cause) : cause_message_id(a->cause));
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

/* The alert's fields; -ENOMEM. */
static int build(struct fields *f, const struct alert *a) {
        char *json = sink_alert_json(a);
        if (!json)
                return -ENOMEM;
        *f = (struct fields) { .n = 0 };
        add_alert(f, a, json);
        free(json);
        if (f->failed) {
                fields_free(f);
                return -ENOMEM;
        }
        return 0;
}

static int send_fields(const struct fields *f) {
        int r = journal_listening();
        return r < 0 ? r : sd_journal_sendv(f->iov, f->n);
}

int sink_journal_emit(const struct alert *a) {
        struct fields f;
        int r = build(&f, a);
        if (r < 0)
                return r;
        r = send_fields(&f);
        fields_free(&f);
        return r;
}

int sink_journal_print(int priority, const char *message) {
        int r = journal_listening();
        return r < 0 ? r
                     : sd_journal_send("MESSAGE=%s", message, "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=badgatewayd",
                                       NULL);
}

struct journal_entry {
        struct fields f;
};

static void entry_free(struct journal_entry *e) {
        fields_free(&e->f);
        free(e);
}

static void keep(struct sink_journal_queue *q, struct journal_entry *e) {
        if (!q->ring && !(q->ring = calloc(SINK_JOURNAL_QUEUE_MAX, sizeof(*q->ring)))) {
                q->dropped++;
                entry_free(e);
                return;
        }
        if (q->n == SINK_JOURNAL_QUEUE_MAX) {   /* the oldest goes */
                entry_free(q->ring[q->head]);
                q->head = (q->head + 1) % SINK_JOURNAL_QUEUE_MAX;
                q->n--;
                q->dropped++;
        }
        q->ring[(q->head + q->n) % SINK_JOURNAL_QUEUE_MAX] = e;
        q->n++;
}

int sink_journal_retry(struct sink_journal_queue *q) {
        while (q->n) {
                int r = send_fields(&q->ring[q->head]->f);
                if (r < 0)
                        return q->error = r;
                entry_free(q->ring[q->head]);
                q->head = (q->head + 1) % SINK_JOURNAL_QUEUE_MAX;
                q->n--;
                q->late++;
        }
        return q->error = 0;
}

int sink_journal_send(struct sink_journal_queue *q, const struct alert *a) {
        struct journal_entry *e = malloc(sizeof(*e));
        if (!e)
                return -ENOMEM;
        int r = build(&e->f, a);
        if (r < 0) {
                free(e);
                return r;
        }
        r = sink_journal_retry(q);
        if (r == 0)
                r = send_fields(&e->f);
        if (r == 0 || !q->reached) {
                q->reached |= r == 0;
                q->error = r;
                entry_free(e);
                return r;
        }
        q->error = r;
        keep(q, e);
        return 1;
}

size_t sink_journal_pending(const struct sink_journal_queue *q) {
        return q->n;
}

void sink_journal_queue_free(struct sink_journal_queue *q) {
        for (; q->n; q->n--, q->head = (q->head + 1) % SINK_JOURNAL_QUEUE_MAX)
                entry_free(q->ring[q->head]);
        free(q->ring);
        q->ring = NULL;
        q->head = 0;
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
                fprintf(fb->f, "%sbadgatewayd: journald unavailable (%s); alert follows:\n", fb->prefix ? fb->prefix : "",
                        reason(err));
        fb->announced = true;
        return sink_jsonl_put(fb->f, a);
}
