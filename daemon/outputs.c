#include "outputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "say.h"

bool outputs_under_systemd(void) {
        return getenv("JOURNAL_STREAM") || getenv("INVOCATION_ID");
}

int outputs_open(struct outputs *o, const struct outputs_options *opt) {
        bool chosen = opt->to_stdout || opt->to_journal || opt->file;
        *o = (struct outputs) { 0 };
        o->journal = chosen ? opt->to_journal : outputs_under_systemd();
        o->to_stdout = chosen ? opt->to_stdout : !o->journal;
        sink_fallback_init(&o->fallback, stderr);
        sink_jsonl_stream(&o->out, stdout);
        if (!opt->file)
                return 0;
        int r = sink_jsonl_open(&o->file, opt->file);
        if (r < 0)
                say("%s: %s", opt->file, strerror(-r));
        o->to_file = r == 0;
        return r;
}

static void failed(struct outputs *o, const char *where, int r) {
        if (r == 0 || r == o->last_error)
                return;
        o->last_error = r;
        say("cannot write alerts to %s: %s", where, strerror(-r));
}

void outputs_send(struct outputs *o, const struct alert *a) {
        if (o->journal) {
                int r = sink_journal_emit(a);
                if (r < 0)
                        failed(o, "stderr", sink_journal_fallback(&o->fallback, a, r));
        }
        if (o->to_stdout)
                failed(o, "stdout", sink_jsonl_write(&o->out, a));
        if (o->to_file)
                failed(o, o->file.path, sink_jsonl_write(&o->file, a));
}

void outputs_reopen(struct outputs *o) {
        int r = o->to_file ? sink_jsonl_reopen(&o->file) : 0;
        if (r < 0)
                say("%s: cannot reopen, writing on to the old file: %s", o->file.path, strerror(-r));
}

void outputs_close(struct outputs *o) {
        if (o->to_file)
                sink_jsonl_close(&o->file);
        o->to_file = false;
}
