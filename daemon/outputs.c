#include "outputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "say.h"

bool outputs_under_systemd(void) {
        return getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID");
}

int outputs_open(struct outputs *o, const struct outputs_options *opt) {
        bool chosen = opt->to_stdout || opt->to_journal || opt->file;
        *o = (struct outputs) { 0 };
        o->journal = chosen ? opt->to_journal : outputs_under_systemd();
        o->out.on = chosen ? opt->to_stdout : !o->journal;
        o->out.name = "stdout";
        sink_fallback_init(&o->fallback, stderr);
        o->fallback.prefix = say_prefix(LOG_ERR);
        sink_jsonl_stream(&o->out.sink, stdout);
        if (!opt->file)
                return 0;
        int r = sink_jsonl_open(&o->file.sink, opt->file);
        if (r < 0)
                say_at(LOG_ERR, "%s: %s", opt->file, strerror(-r));
        o->file.on = r == 0;
        o->file.name = o->file.sink.path;
        return r;
}

/* Says when a sink starts failing, and when it works again with what was kept and dropped. */
static void track(struct jsonl_output *j, int r) {
        struct sink_jsonl *s = &j->sink;
        if (r < 0 && j->error == 0)
                say_at(LOG_ERR, "cannot write alerts to %s: %s; keeping up to %d to write when it works again", j->name,
                    strerror(-r), SINK_JSONL_QUEUE_MAX);
        else if (r < 0 && r != j->error)
                say_at(LOG_ERR, "cannot write alerts to %s: %s", j->name, strerror(-r));
        else if (r == 0 && j->error < 0)
                say_at(LOG_NOTICE, "writing alerts to %s again: %llu written late, %llu dropped while it failed", j->name,
                    (unsigned long long) (s->written - j->written_before), (unsigned long long) (s->dropped - j->dropped_before));
        if (r < 0 && j->error == 0) {
                j->written_before = s->written;
                j->dropped_before = s->dropped;
        }
        j->error = r;
}

/* EPIPE never heals (the reader is gone, as with `| head -1`): the sink is closed for good. */
static void send_jsonl(struct jsonl_output *j, const struct alert *a) {
        if (!j->on)
                return;
        int r = a ? sink_jsonl_write(&j->sink, a) : sink_jsonl_flush(&j->sink);
        if (r == -EPIPE) {
                say_at(LOG_ERR, "%s is closed (EPIPE): no more alerts are written there", j->name);
                j->sink.dropped += sink_jsonl_pending(&j->sink);
                j->on = false;
                return;
        }
        track(j, r);
}

/* Says when the journal starts failing after it took alerts, and when it takes them again. */
static void track_journal(struct outputs *o) {
        struct sink_journal_queue *q = &o->journal_queue;
        bool failing = sink_journal_pending(q) > 0;
        if (failing && !o->journal_failing) {
                say_at(LOG_ERR, "cannot send alerts to the journal: %s; keeping up to %d to send when it works again",
                       strerror(-q->error), SINK_JOURNAL_QUEUE_MAX);
                o->late_before = q->late;
                o->dropped_before = q->dropped;
        } else if (!failing && o->journal_failing) {
                say_at(LOG_NOTICE, "sending alerts to the journal again: %llu sent late, %llu dropped while it failed",
                       (unsigned long long) (q->late - o->late_before),
                       (unsigned long long) (q->dropped - o->dropped_before));
        }
        o->journal_failing = failing;
}

void outputs_send(struct outputs *o, const struct alert *a) {
        if (o->journal) {
                int r = sink_journal_send(&o->journal_queue, a);
                if (r < 0 && (r = sink_journal_fallback(&o->fallback, a, r)) < 0 && r != o->journal_error)
                        say_at(LOG_CRIT, "cannot write alerts to the journal or stderr: %s", strerror(-r));
                o->journal_error = r < 0 ? r : 0;
                track_journal(o);
        }
        send_jsonl(&o->out, a);
        send_jsonl(&o->file, a);
}

void outputs_retry(struct outputs *o) {
        if (o->journal && sink_journal_pending(&o->journal_queue)) {
                sink_journal_retry(&o->journal_queue);
                track_journal(o);
        }
        if (o->out.error < 0)
                send_jsonl(&o->out, NULL);
        if (o->file.error < 0)
                send_jsonl(&o->file, NULL);
}

bool outputs_any(const struct outputs *o) {
        return o->journal || o->out.on || o->file.on;
}

void outputs_reopen(struct outputs *o) {
        int r = o->file.on ? sink_jsonl_reopen(&o->file.sink) : 0;
        if (r < 0)
                say_at(LOG_WARNING, "%s: cannot reopen, writing on to the old file: %s", o->file.sink.path, strerror(-r));
        if (o->file.on && o->file.error < 0)
                send_jsonl(&o->file, NULL);     /* the new file may have room */
}

static void close_jsonl(struct jsonl_output *j) {
        if (j->on)
                send_jsonl(j, NULL);
        size_t lost = j->on ? sink_jsonl_pending(&j->sink) : 0;
        if (lost || j->sink.dropped)
                say_at(LOG_ERR, "%s: %zu alert%s could not be written and %llu were dropped", j->name, lost, lost == 1 ? "" : "s",
                    (unsigned long long) j->sink.dropped);
        sink_jsonl_close(&j->sink);
        j->on = false;
}

void outputs_close(struct outputs *o) {
        if (o->journal) {
                sink_journal_retry(&o->journal_queue);
                size_t lost = sink_journal_pending(&o->journal_queue);
                if (lost || o->journal_queue.dropped)
                        say_at(LOG_WARNING, "journal: %zu alert%s could not be sent and %llu were dropped", lost,
                               lost == 1 ? "" : "s", (unsigned long long) o->journal_queue.dropped);
                sink_journal_queue_free(&o->journal_queue);
        }
        close_jsonl(&o->out);
        close_jsonl(&o->file);
}

void outputs_count(const struct outputs *o, struct metrics *m) {
        const struct jsonl_output *j[] = { &o->out, &o->file };
        metrics_clear(m, METRIC_ALERTS_DROPPED);
        for (size_t i = 0; i < 2; i++)
                if (j[i]->name && (j[i]->on || j[i]->sink.dropped))
                        metrics_set(m, METRIC_ALERTS_DROPPED, (const char *[]) { j[i]->name },
                                    (double) j[i]->sink.dropped);
}
