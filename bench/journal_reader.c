/*
 * journal_reader: prints each new journal entry of one SYSLOG_IDENTIFIER as one line, for
 * bench/latency_journal.sh (driven by `follow latency`). It asks the journal for new entries every
 * POLL_US µs (default 200) instead of waiting for journald's change notification, so the time
 * measured is when an entry became readable, not when a `journalctl -f` would have been woken.
 *
 *   journal_reader [-p POLL_US] IDENTIFIER
 *
 * A line: "MESSAGE=…" then, for badgatewayd's alerts, " BADGATEWAY_STATE=…" and
 * " BADGATEWAY_JSON=…" (which holds the alert's sample lines). Runs until SIGTERM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

static void print_field(sd_journal *j, const char *name, const char *sep) {
        const void *data;
        size_t len, n = strlen(name);
        if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= n)
                return;
        fputs(sep, stdout);
        fwrite(data, 1, len, stdout);
}

int main(int argc, char **argv) {
        long poll_us = 200;
        int c;
        while ((c = getopt(argc, argv, "p:")) >= 0) {
                if (c != 'p')
                        return 64;
                poll_us = strtol(optarg, NULL, 10);
        }
        if (optind + 1 != argc || poll_us <= 0) {
                fprintf(stderr, "usage: journal_reader [-p POLL_US] IDENTIFIER\n");
                return 64;
        }
        char match[256];
        snprintf(match, sizeof(match), "SYSLOG_IDENTIFIER=%s", argv[optind]);
        sd_journal *j;
        int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
        if (r >= 0)
                r = sd_journal_add_match(j, match, 0);
        /* from now on: seek_tail is stuck at the tail while no entry matches yet */
        if (r >= 0)
                r = sd_journal_seek_realtime_usec(j, (uint64_t) time(NULL) * 1000000u);
        if (r < 0) {
                fprintf(stderr, "journal_reader: %s\n", strerror(-r));
                return 1;
        }
        for (;;) {
                while ((r = sd_journal_next(j)) > 0) {
                        print_field(j, "MESSAGE", "");
                        print_field(j, "BADGATEWAY_STATE", " ");
                        print_field(j, "BADGATEWAY_JSON", " ");
                        putchar('\n');
                        fflush(stdout);
                }
                if (r < 0) {
                        fprintf(stderr, "journal_reader: %s\n", strerror(-r));
                        return 1;
                }
                sd_journal_process(j);  /* files journald added or rotated since */
                usleep((useconds_t) poll_us);
        }
}
