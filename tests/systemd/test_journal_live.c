/* lib/sources/journal.c against the real journald of tests/systemd/sdenv.sh: matches, the
 * daemon's own entries skipped, the tail at open, a cursor resumed with its entry skipped.
 * Run it as: tests/systemd/sdenv.sh run DIR -- test_journal_live
 * Entries are sent from a child that joins the environment's mount namespace (libsystemd always
 * sends to /run/systemd/journal/socket) and _exit()s there; the test itself reads journald's
 * files from outside (SDENV_DIR/run is the namespace's /run), so that LeakSanitizer, which needs
 * this process's /proc, checks journal.c. */
#include <check.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "journal.h"
#include "kinds.h"
#include "resolved.h"
#include "../lib/fixtures.h"

static char ident[64];          /* this run's SYSLOG_IDENTIFIER: no other entry matches */

static char journal_dir[256];

static int enter_sdenv(void) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%s/ns/mnt", getenv("SDENV_PID"));
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = setns(fd, CLONE_NEWNS) < 0 ? -errno : 0;
        close(fd);
        return r;
}

/* sd_journal_send() in a child inside the environment: NULL-terminated "FIELD=value" strings. */
static void send_fields(const char *const *fields) {
        struct iovec iov[8];
        int n = 0;
        for (; fields[n] && n < 8; n++)
                iov[n] = (struct iovec) { .iov_base = (void *) fields[n], .iov_len = strlen(fields[n]) };
        fflush(NULL);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                _exit(enter_sdenv() < 0 || sd_journal_sendv(iov, n) < 0 ? 1 : 0);
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sending to the journal failed");
}

static void send_plain(const char *msg) {
        char m[128], id[128];
        snprintf(m, sizeof(m), "MESSAGE=%s", msg);
        snprintf(id, sizeof(id), "SYSLOG_IDENTIFIER=%s", ident);
        send_fields((const char *const[]) { m, id, NULL });
}

static struct journal *open_ident(void) {
        const char *idents[] = { ident, "badgatewayd" };        /* the daemon's own: matched, then skipped */
        struct journal_filter f = { .identifiers = idents, .n_identifiers = 2, .self_identifier = "badgatewayd" };
        struct journal *j = NULL;
        ck_assert_int_eq(journal_open(&j, journal_dir, &f), 0);
        return j;
}

/* Reads until want entries came or wait_ms passed; their messages, '|'-joined, into out. */
static int read_some(struct journal *j, int want, int wait_ms, char *out, size_t size,
                     char cursors[][JOURNAL_CURSOR_MAX]) {
        struct pollfd p = { .fd = journal_fd(j), .events = POLLIN };
        int got = 0;
        out[0] = '\0';
        for (int round = 0; round < wait_ms / 100 && got < want; round++) {
                struct journal_entry e;
                int r;
                while (got < want && (r = journal_next(j, &e)) > 0) {
                        snprintf(out + strlen(out), size - strlen(out), "%s%.*s", got ? "|" : "", (int) e.message_len,
                                 e.message);
                        ck_assert_str_eq(e.identifier, ident);
                        /* _PID: none here, as this process is outside journald's PID namespace */
                        ck_assert_uint_gt(e.realtime, 0);
                        if (cursors)
                                ck_assert_int_eq(journal_cursor(j, cursors[got], JOURNAL_CURSOR_MAX), 0);
                        got++;
                }
                if (got < want) {
                        poll(&p, 1, 100);
                        journal_process(j);
                }
        }
        return got;
}

/* The last entry of this run's identifier says msg (read with sd-journal itself). */
static bool tail_is(const char *msg) {
        sd_journal *sj;
        char m[128];
        const void *d;
        size_t l;
        bool yes = false;
        snprintf(m, sizeof(m), "SYSLOG_IDENTIFIER=%s", ident);
        ck_assert_int_ge(sd_journal_open_directory(&sj, journal_dir, 0), 0);
        if (sd_journal_add_match(sj, m, 0) >= 0 && sd_journal_seek_tail(sj) >= 0 && sd_journal_previous(sj) > 0 &&
            sd_journal_get_data(sj, "MESSAGE", &d, &l) >= 0)
                yes = l == 8 + strlen(msg) && memcmp((const char *) d + 8, msg, strlen(msg)) == 0;
        sd_journal_close(sj);
        return yes;
}

START_TEST(test_own_entries_skipped) {
        char got[256];
        struct journal *j = open_ident();
        send_plain("one");
        char id[128], mid[64];
        snprintf(id, sizeof(id), "SYSLOG_IDENTIFIER=%s", ident);
        snprintf(mid, sizeof(mid), "MESSAGE_ID=%s", cause_message_id(CAUSE_WORKER_KILLED));
        send_fields((const char *const[]) { "MESSAGE=an alert", id, "BADGATEWAY_CAUSE=fpm_down", NULL });
        send_fields((const char *const[]) { "MESSAGE=an alert without fields", id, mid, NULL });
        snprintf(mid, sizeof(mid), "MESSAGE_ID=%s", cause_resolved_message_id(CAUSE_POOL_SATURATED));
        send_fields((const char *const[]) { "MESSAGE=a resolved alert without fields", id, mid, NULL });
        send_fields((const char *const[]) { "MESSAGE=its own word", "SYSLOG_IDENTIFIER=badgatewayd", NULL });
        send_plain("two");
        int n = read_some(j, 2, 5000, got, sizeof(got), NULL);
        ck_assert_msg(n == 2 && strcmp(got, "one|two") == 0, "%d: %s (own skipped: %llu)", n, got,
                      (unsigned long long) journal_skipped_own(j));
        ck_assert_uint_eq(journal_skipped_own(j), 4);
        journal_free(j);
}
END_TEST

START_TEST(test_tail_then_cursor) {
        char got[256], cursors[3][JOURNAL_CURSOR_MAX], text[32];
        send_plain("before the open");
        for (int i = 0; i < 50 && !tail_is("before the open"); i++)
                usleep(100000);
        ck_assert_msg(tail_is("before the open"), "the first entry never reached the journal");
        struct journal *j = open_ident();
        ck_assert_int_eq(read_some(j, 1, 1000, got, sizeof(got), NULL), 0);   /* what came before the open: not read */
        for (int i = 1; i <= 3; i++) {
                snprintf(text, sizeof(text), "entry %d", i);
                send_plain(text);
        }
        ck_assert_int_eq(read_some(j, 3, 5000, got, sizeof(got), cursors), 3);
        ck_assert_str_eq(got, "entry 1|entry 2|entry 3");
        journal_free(j);

        /* resumed at entry 1's cursor: 2 and 3, entry 1 not again */
        j = open_ident();
        ck_assert_int_eq(journal_seek_cursor(j, cursors[0]), 0);
        ck_assert_int_eq(read_some(j, 3, 1000, got, sizeof(got), NULL), 2);
        ck_assert_str_eq(got, "entry 2|entry 3");
        journal_free(j);
        /* at the last one's: nothing, until a new entry */
        j = open_ident();
        ck_assert_int_eq(journal_seek_cursor(j, cursors[2]), 0);
        ck_assert_int_eq(read_some(j, 1, 1000, got, sizeof(got), NULL), 0);
        send_plain("entry 4");
        ck_assert_int_eq(read_some(j, 1, 5000, got, sizeof(got), NULL), 1);
        ck_assert_str_eq(got, "entry 4");
        journal_free(j);
}
END_TEST

START_TEST(test_errors) {
        struct journal *j = NULL;
        struct journal_filter none = { 0 };
        ck_assert_int_eq(journal_open(&j, NULL, &none), -EINVAL);
        j = open_ident();
        ck_assert_int_eq(journal_seek_cursor(j, "not a cursor"), -EINVAL);
        ck_assert_int_eq(journal_seek_cursor(j, ""), -EINVAL);
        journal_free(j);
}
END_TEST

int main(void) {
        if (!getenv("SDENV_PID")) {
                printf("SKIP: run under tests/systemd/sdenv.sh run DIR -- test_journal_live\n");
                return 77;
        }
        snprintf(ident, sizeof(ident), "bgwtest-%ld-%d", (long) time(NULL), getpid());
        snprintf(journal_dir, sizeof(journal_dir), "%s/run/log/journal", getenv("SDENV_DIR"));
        Suite *s = suite_create("journal_live");
        TCase *tc = tcase_create("journal_live");
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_own_entries_skipped);
        tcase_add_test(tc, test_tail_then_cursor);
        tcase_add_test(tc, test_errors);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
