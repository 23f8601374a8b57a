/* A journal read through, without journald: a journal file this test writes with the real
 * systemd-journal-remote (journal export format in, FILE.journal out), read by journal_open_read()
 * and journal_scan() in-process (so valgrind checks them), then by `badgatewayd scan --file` and
 * `--directory` as a process. Reading journald's own files is tests/systemd/test_scan_journal.sh. */
#include <errno.h>
#include <grp.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "journal.h"
#include "journal_lines.h"
#include "kinds.h"

#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"
#define T0 1767225600ULL        /* 2026-01-01 00:00:00 UTC; entry i is written at T0 + i s */
#define USEC 1000000ULL

static char dir[128];
static char jfile[256];         /* dir/x.journal */

/* One entry of the test journal: its fields but the timestamps and the boot id. */
struct entry {
        const char *fields[6];
};

static const char kill_text[] = "[WARNING] [pool www] child 101 exited on signal 9 (SIGKILL) after 1.5 seconds from start";
static const char oom_text[] = "Out of memory: Killed process 101 (php-fpm8.2) total-vm:512000kB, anon-rss:400000kB, "
                               "file-rss:0kB, shmem-rss:0kB, UID:33 pgtables:1000kB oom_score_adj:0";

/* In time order: entry i at T0 + i s. */
static const struct entry entries[] = {
        /* 0 */ { { "_SYSTEMD_UNIT=php8.2-fpm.service", "SYSLOG_IDENTIFIER=php-fpm8.2", "_PID=812",
                    "MESSAGE=[WARNING] [pool www] child 101 exited on signal 9 (SIGKILL) after 1.5 seconds from start" } },
        /* 1: php-fpm's stderr under a unit (no date) */
        { { "_SYSTEMD_UNIT=php8.2-fpm.service", "_PID=812",
            "MESSAGE=WARNING: [pool www] server reached pm.max_children setting (5), consider raising it" } },
        /* 2: nginx with error_log stderr */
        { { "_SYSTEMD_UNIT=nginx.service", "SYSLOG_IDENTIFIER=nginx", "_PID=700",
            "MESSAGE=2026/01/01 00:00:02 [error] 701#701: *1 connect() to unix:/run/php/php8.2-fpm.sock failed "
            "(111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: "
            "\"GET / HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"h\"" } },
        /* 3: PID 1 about the unit: journalctl -u shows it (UNIT=) */
        { { "_SYSTEMD_UNIT=init.scope", "_PID=1", "UNIT=php8.2-fpm.service", "SYSLOG_IDENTIFIER=systemd",
            "MESSAGE=php8.2-fpm.service: Main process exited, code=killed, status=9/KILL" } },
        /* 4: the kernel's OOM record */
        { { "_TRANSPORT=kernel", "SYSLOG_IDENTIFIER=kernel", "MESSAGE=" } },    /* MESSAGE: oom_text */
        /* 5: another unit: never read */
        { { "_SYSTEMD_UNIT=other.service", "_PID=900", "MESSAGE=" } },          /* MESSAGE: kill_text */
        /* 6: a process writing the kernel's words: read, no event */
        { { "_SYSTEMD_UNIT=php8.2-fpm.service", "_PID=812", "MESSAGE=" } },     /* MESSAGE: oom_text */
        /* 7: an alert of badgatewayd's own, quoting a sample: skipped */
        { { "_SYSTEMD_UNIT=php8.2-fpm.service", "BADGATEWAY_CAUSE=worker_killed", "MESSAGE=" } },      /* kill_text */
        /* 8: two lines in one MESSAGE (binary-encoded in the export format) */
        { { "_SYSTEMD_UNIT=php8.2-fpm.service", "_PID=812", NULL } },
        /* 9: another pool's unit, found by the glob php*-fpm*.service */
        { { "_SYSTEMD_UNIT=php7.4-fpm.service", "_PID=813",
            "MESSAGE=[WARNING] [pool legacy] child 55 exited with code 3 after 0.2 seconds from start" } },
        /* 10: php-fpm with error_log = syslog in a container: no unit, identifier php-fpm */
        { { "SYSLOG_IDENTIFIER=php-fpm", "_PID=40",
            "MESSAGE=[WARNING] [pool www] child 77 exited on signal 11 (SIGSEGV) after 3 seconds from start" } },
};
enum { N_ENTRIES = sizeof(entries) / sizeof(entries[0]) };

static const char two_lines[] = "[WARNING] [pool www] child 103 exited on signal 9 (SIGKILL) after 2 seconds from start\n"
                                "[WARNING] [pool www] child 104 exited on signal 11 (SIGSEGV) after 2 seconds from start";

static void put_binary(FILE *f, const char *name, const char *value) {
        uint64_t n = strlen(value);
        unsigned char le[8];
        for (int i = 0; i < 8; i++)
                le[i] = (unsigned char) (n >> (8 * i));
        fprintf(f, "%s\n", name);
        fwrite(le, 1, 8, f);
        fprintf(f, "%s\n", value);
}

/* The journal export format (systemd's JOURNAL_EXPORT_FORMATS) into systemd-journal-remote. */
static void write_journal(const char *path) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "%s -o '%s' - 2>/dev/null", JOURNAL_REMOTE, path);
        FILE *f = popen(cmd, "w");
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < N_ENTRIES; i++) {
                fprintf(f, "__REALTIME_TIMESTAMP=%llu\n__MONOTONIC_TIMESTAMP=%llu\n_BOOT_ID=0123456789abcdef0123456789abcdef\n",
                        (T0 + (unsigned long long) i) * USEC, (unsigned long long) (i + 1) * USEC);
                for (int k = 0; k < 6 && entries[i].fields[k]; k++) {
                        const char *fl = entries[i].fields[k];
                        if (strcmp(fl, "MESSAGE=") == 0)
                                fprintf(f, "MESSAGE=%s\n", i == 4 || i == 6 ? oom_text : kill_text);
                        else
                                fprintf(f, "%s\n", fl);
                }
                if (i == 8)
                        put_binary(f, "MESSAGE", two_lines);
                fputc('\n', f);
        }
        int st = pclose(f);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "systemd-journal-remote failed: %d", st);
}

static void setup(void) {
        fixture_newdir(dir);
        chmod(dir, 0755);       /* the no-access test runs as nobody */
        snprintf(jfile, sizeof(jfile), "%s/x.journal", dir);
        write_journal(jfile);
}

static void teardown(void) {
        dir[0] = '\0';
}

struct seen {
        size_t lines, kinds[KIND__MAX];
        size_t fpm_units;               /* lines of an entry whose unit or about-unit is php8.2-fpm */
        uint64_t first_realtime;
};

static void on_line(void *userdata, const struct journal_entry *e, const char *line, size_t len, bool cut,
                    const struct logline *ll, const struct event *ev) {
        struct seen *s = userdata;
        s->lines++;
        s->kinds[ev->kind]++;
        if (strcmp(e->unit, "php8.2-fpm.service") == 0 || strcmp(e->about, "php8.2-fpm.service") == 0)
                s->fpm_units++;
        if (!s->first_realtime)
                s->first_realtime = e->realtime;
        ck_assert(!cut);
        ck_assert_uint_gt(len, 0);
        (void) line, (void) ll;
}

static struct journal_scan read_file(const char *const *units, size_t n_units, bool idents, uint64_t since,
                                     struct seen *seen, char names[][64], size_t *n_names) {
        const char *files[] = { jfile, NULL };
        struct journal_place where = { .files = files };
        struct journal_filter f = { .units = units, .n_units = n_units, .identifiers = journal_default_identifiers,
                                    .n_identifiers = idents ? 2 : 0, .kernel = true };
        struct journal *j = NULL;
        static char buf[1024];
        ck_assert_int_eq(journal_open_read(&j, &where, &f, since), 0);
        struct journal_scan s = { .since = since };
        *seen = (struct seen) { 0 };
        ck_assert_int_eq(journal_scan(&s, j, buf, sizeof(buf), on_line, seen), 0);
        const char *const *got;
        *n_names = journal_units(j, &got);
        for (size_t i = 0; i < *n_names && i < 8; i++)
                snprintf(names[i], 64, "%s", got[i]);
        journal_free(j);
        return s;
}

START_TEST(test_unit_as_journalctl_u) {
        const char *units[] = { "php8.2-fpm.service" };
        struct seen seen;
        char names[8][64];
        size_t n;
        struct journal_scan s = read_file(units, 1, false, 0, &seen, names, &n);
        /* 0, 1, 3 (PID 1's, by UNIT=), 4 (the kernel's), 6, 8: not 5 (another unit), 7 (its own
         * alert), 9, 10 (no identifiers asked) */
        ck_assert_uint_eq(s.entries, 6);
        ck_assert_uint_eq(s.lines, 7);
        ck_assert_uint_eq(seen.lines, 7);
        ck_assert_uint_eq(seen.fpm_units, 6);
        ck_assert_uint_eq(seen.kinds[KIND_FPM_CHILD_SIGNAL], 3);       /* 0, and both lines of 8 */
        ck_assert_uint_eq(seen.kinds[KIND_FPM_MAX_CHILDREN], 1);
        ck_assert_uint_eq(seen.kinds[KIND_KERNEL_OOM_KILL], 1);        /* 4 only: 6 is a process's */
        ck_assert_uint_eq(seen.kinds[KIND_NONE], 2);                   /* 3 and 6 */
        ck_assert_uint_eq(seen.first_realtime, T0 * USEC);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(names[0], "php8.2-fpm.service");
}
END_TEST

/* journalctl -u php8.2-fpm reads php8.2-fpm.service: the name without a suffix is mangled. */
START_TEST(test_unit_without_suffix) {
        const char *units[] = { "php8.2-fpm" };
        struct seen seen;
        char names[8][64];
        size_t n;
        struct journal_scan s = read_file(units, 1, false, 0, &seen, names, &n);
        ck_assert_uint_eq(s.entries, 6);        /* as test_unit_as_journalctl_u */
        ck_assert_uint_eq(seen.fpm_units, 6);
        ck_assert_uint_eq(n, 1);
        ck_assert_str_eq(names[0], "php8.2-fpm.service");
}
END_TEST

START_TEST(test_unit_name) {
        static const char *const cases[][2] = {
                { "php8.2-fpm", "php8.2-fpm.service" }, { "nginx.service", "nginx.service" },
                { "nginx.socket", "nginx.socket" }, { "php*", "php*" }, { "php8.2-fpm.*", "php8.2-fpm.*" },
                { "a/b c", "a-b\\x20c.service" }, { "foo.bar", "foo.bar.service" }, { ".service", ".service.service" },
        };
        char out[JOURNAL_UNIT_MAX];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ck_assert_int_eq(journal_unit_name(cases[i][0], out, sizeof(out)), 0);
                ck_assert_str_eq(out, cases[i][1]);
        }
        ck_assert_int_eq(journal_unit_name("", out, sizeof(out)), -EINVAL);
        ck_assert_int_eq(journal_unit_name("php8.2-fpm", out, 18), -ENAMETOOLONG);
        ck_assert_int_eq(journal_unit_name("php8.2-fpm", out, 19), 0);
        ck_assert_int_eq(journal_unit_name("a b", out, 4), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_defaults_globs_identifiers) {
        size_t nd = 0;
        while (journal_default_units[nd])
                nd++;
        struct seen seen;
        char names[8][64];
        size_t n;
        struct journal_scan s = read_file(journal_default_units, nd, true, 0, &seen, names, &n);
        /* all but 5 and 7 */
        ck_assert_uint_eq(s.entries, N_ENTRIES - 2);
        ck_assert_uint_eq(seen.kinds[KIND_UPSTREAM_REFUSED], 1);
        ck_assert_uint_eq(seen.kinds[KIND_FPM_CHILD_EXIT], 1);          /* php7.4-fpm.service, by the glob */
        ck_assert_uint_eq(seen.kinds[KIND_FPM_CHILD_SIGNAL], 4);        /* and 10, by its identifier */
        ck_assert_uint_eq(n, 3);
        ck_assert_str_eq(names[0], "nginx.service");
        ck_assert_str_eq(names[1], "php7.4-fpm.service");
        ck_assert_str_eq(names[2], "php8.2-fpm.service");
}
END_TEST

/* The live source (journal_open) matches a glob in Units= against the units the journal holds, as
 * scan does; a glob that matches none, with nothing else to follow, follows nothing (not all). */
START_TEST(test_live_open_globs) {
        const char *units[] = { "php*-fpm.service" }, *none[] = { "nomatch*.service" };
        struct journal_filter f = { .units = units, .n_units = 1 };
        struct journal *j = NULL;
        ck_assert_int_eq(journal_open(&j, dir, &f), 0);
        const char *const *got;
        ck_assert_uint_eq(journal_units(j, &got), 2);
        ck_assert_str_eq(got[0], "php7.4-fpm.service");
        ck_assert_str_eq(got[1], "php8.2-fpm.service");
        journal_free(j);
        f.units = none;
        ck_assert_int_eq(journal_open(&j, dir, &f), -ENOENT);
        f.kernel = true;        /* with the kernel's entries to follow, the glob's emptiness is no error */
        ck_assert_int_eq(journal_open(&j, dir, &f), 0);
        ck_assert_uint_eq(journal_units(j, &got), 0);
        journal_free(j);
}
END_TEST

START_TEST(test_since_by_realtime) {
        const char *units[] = { "php8.2-fpm.service" };
        struct seen seen;
        char names[8][64];
        size_t n;
        /* from entry 4 on: the kernel's 4, then 6 and 8 */
        struct journal_scan s = read_file(units, 1, false, (T0 + 4) * USEC, &seen, names, &n);
        ck_assert_uint_eq(s.entries, 3);
        ck_assert_uint_eq(seen.first_realtime, (T0 + 4) * USEC);
        ck_assert_uint_eq(seen.kinds[KIND_FPM_CHILD_SIGNAL], 2);
        ck_assert_uint_eq(seen.kinds[KIND_FPM_MAX_CHILDREN], 0);
        /* past the last entry: nothing */
        s = read_file(units, 1, false, (T0 + 100) * USEC, &seen, names, &n);
        ck_assert_uint_eq(s.entries, 0);
}
END_TEST

START_TEST(test_unknown_units) {
        const char *units[] = { "nosuch.service", "nomatch*.service" };
        struct seen seen;
        char names[8][64];
        size_t n;
        struct journal_scan s = read_file(units, 2, false, 0, &seen, names, &n);
        ck_assert_uint_eq(s.entries, 1);        /* the kernel's only */
        ck_assert_uint_eq(n, 1);                /* the glob matched nothing */
        ck_assert_str_eq(names[0], "nosuch.service");
        /* a filter of only an unmatched glob reads nothing, never everything */
        const char *files[] = { jfile, NULL };
        struct journal_place where = { .files = files };
        struct journal_filter f = { .units = units + 1, .n_units = 1 };
        struct journal *j = NULL;
        ck_assert_int_eq(journal_open_read(&j, &where, &f, 0), -EINVAL);
}
END_TEST

/* journal_check_access() as nobody, in a child: the file is root's 0640. */
static int access_as_nobody(const char *d) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                char path[256];
                struct journal_place where = { .directory = d };
                if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(100);
                int r = journal_check_access(&where, path, sizeof(path));
                _exit(r == -EACCES && strstr(path, "x.journal") ? 1 : r == 0 ? 0 : 2);
        }
        int st;
        ck_assert_int_eq(waitpid(pid, &st, 0), pid);
        ck_assert(WIFEXITED(st));
        return WEXITSTATUS(st);
}

START_TEST(test_check_access) {
        char empty[128], path[256];
        fixture_newdir(empty);
        struct journal_place where = { .directory = empty };
        ck_assert_int_eq(journal_check_access(&where, path, sizeof(path)), -ENOENT);
        where.directory = "/nonexistent-bgw";
        ck_assert_int_eq(journal_check_access(&where, path, sizeof(path)), -ENOENT);
        where.directory = dir;
        ck_assert_int_eq(journal_check_access(&where, path, sizeof(path)), 0);
        if (geteuid() != 0)
                return;         /* as root only: the file's owner may always read it */
        ck_assert_int_eq(chmod(jfile, 0640), 0);
        ck_assert_int_eq(access_as_nobody(dir), 1);
        ck_assert_int_eq(chmod(jfile, 0644), 0);
        ck_assert_int_eq(access_as_nobody(dir), 0);
}
END_TEST

/* ---- badgatewayd scan as a process ---- */

struct run {
        char *out, *err;
        int status;
};

/* Runs PREFIX BADGATEWAYD ARGS in dir with TZ=UTC (the test's times), capturing stdout and stderr. */
static struct run run_as(const char *prefix, const char *bin, const char *args) {
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "cd '%s' && TZ=UTC %s '%s' %s >out.txt 2>err.txt", dir, prefix, bin, args);
        int st = system(cmd);
        return (struct run) { fixture_slurp(fixture_path(dir, "out.txt"), NULL),
                              fixture_slurp(fixture_path(dir, "err.txt"), NULL),
                              WIFEXITED(st) ? WEXITSTATUS(st) : -1 };
}

static struct run run(const char *args) {
        const char *bin = getenv("BADGATEWAYD");
        ck_assert_ptr_nonnull(bin);
        return run_as("", bin, args);
}

static void run_free(struct run *r) {
        free(r->out);
        free(r->err);
}

/* The JSON lines of out: each must parse; the last is the summary. */
static size_t json_lines(const char *out, json_t **lines, size_t max) {
        size_t n = 0;
        for (const char *p = out; *p && n < max;) {
                const char *nl = strchr(p, '\n');
                ck_assert_ptr_nonnull(nl);
                json_error_t err;
                lines[n] = json_loadb(p, (size_t) (nl - p), 0, &err);
                ck_assert_msg(lines[n], "invalid JSON: %.*s (%s)", (int) (nl - p), p, err.text);
                n++;
                p = nl + 1;
        }
        return n;
}

static json_int_t get_int(json_t *o, const char *a, const char *b) {
        json_t *v = json_object_get(o, a);
        return json_integer_value(b ? json_object_get(v, b) : v);
}

START_TEST(test_cli_file_json) {
        struct run r = run("scan --json --file x.journal --unit php8.2-fpm.service");
        ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
        json_t *l[16];
        size_t n = json_lines(r.out, l, 16);
        ck_assert_uint_eq(n, 6);        /* 5 events, the summary */
        ck_assert_str_eq(json_string_value(json_object_get(l[0], "journal")), "x.journal");
        ck_assert_str_eq(json_string_value(json_object_get(l[0], "unit")), "php8.2-fpm.service");
        ck_assert_str_eq(json_string_value(json_object_get(l[0], "kind")), "fpm_child_signal");
        ck_assert_str_eq(json_string_value(json_object_get(l[0], "time")), "2026-01-01T00:00:00");
        ck_assert_int_eq(get_int(l[0], "realtime", NULL), (json_int_t) (T0 * USEC));
        ck_assert_int_eq(get_int(l[0], "pid", NULL), 812);
        ck_assert_ptr_nonnull(json_string_value(json_object_get(l[0], "cursor")));
        ck_assert_str_eq(json_string_value(json_object_get(l[2], "kind")), "kernel_oom_kill");
        ck_assert_ptr_null(json_object_get(l[2], "unit"));
        ck_assert_str_eq(json_string_value(json_object_get(l[2], "identifier")), "kernel");
        json_t *s = json_object_get(l[n - 1], "summary");
        ck_assert_int_eq(get_int(s, "lines", NULL), 7);
        ck_assert_int_eq(get_int(s, "kinds", "fpm_child_signal"), 3);
        ck_assert_int_eq(get_int(s, "kinds", "kernel_oom_kill"), 1);
        ck_assert_int_eq(get_int(s, "unreadable_files", NULL), 0);
        json_t *jr = json_object_get(s, "journal");
        ck_assert_int_eq(get_int(jr, "entries", NULL), 6);
        ck_assert_int_eq(get_int(jr, "units", "php8.2-fpm.service"), 6);
        ck_assert_int_eq(get_int(jr, "kernel_lines", NULL), 1);
        for (size_t i = 0; i < n; i++)
                json_decref(l[i]);
        run_free(&r);
}
END_TEST

/* The README's example: -u php8.2-fpm reads what journalctl -u php8.2-fpm shows. */
START_TEST(test_cli_unit_without_suffix) {
        struct run r = run("scan --ascii --file x.journal -u php8.2-fpm");
        ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
        ck_assert_msg(strstr(r.out, "6 journal entries, 7 lines"), "%s", r.out);
        ck_assert_msg(strstr(r.out, "php8.2-fpm.service 6 lines"), "%s", r.out);
        ck_assert_msg(!strstr(r.err, "no entries") && !strstr(r.err, "matches no unit"), "%s", r.err);
        run_free(&r);
}
END_TEST

START_TEST(test_cli_since_table_and_files) {
        /* a file and the journal in one table; --since cuts both */
        FILE *f = fopen(fixture_path(dir, "error.log"), "w");
        ck_assert_ptr_nonnull(f);
        fputs("2025/12/31 23:00:00 [error] 1#1: *1 upstream prematurely closed connection while reading response "
              "header from upstream, client: 1.1.1.1, server: s, request: \"GET / HTTP/1.1\", upstream: "
              "\"fastcgi://unix:/run/php/php8.2-fpm.sock:\", host: \"h\"\n", f);
        fclose(f);
        struct run r = run("scan --ascii --journal --file x.journal error.log");
        ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
        ck_assert_msg(strstr(r.out, "badgatewayd scan: 1 file, 9 journal entries, 11 lines, 9 classified"), "%s", r.out);
        ck_assert_msg(strstr(r.out, "nginx.service 1 lines, php7.4-fpm.service 1, php8.2-fpm.service 6,"), "%s", r.out);
        ck_assert_msg(strstr(r.out, "upstream_closed "), "%s", r.out);
        run_free(&r);
        r = run("scan --ascii --since '2026-01-01 00:00:04' --file x.journal error.log");
        ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
        /* entries 4, 6, 8, 9, 10 (7 is its own); the file's line is older */
        ck_assert_msg(strstr(r.out, "badgatewayd scan: 1 file, 5 journal entries, 7 lines, 5 classified, 1 before --since"),
                      "%s", r.out);
        ck_assert_msg(!strstr(r.out, "upstream_refused"), "%s", r.out);
        ck_assert_msg(strstr(r.err, "no entries of nginx.service in x.journal since 2026-01-01 00:00:04"), "%s", r.err);
        run_free(&r);
}
END_TEST

START_TEST(test_cli_errors) {
        char empty[128], cmd[512];
        FILE *f;
        fixture_newdir(empty);
        /* an unknown unit: said, not an error */
        struct run r = run("scan --file x.journal --unit nosuch.service --unit 'nomatch*'");
        ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
        ck_assert_msg(strstr(r.err, "no entries of nosuch.service in x.journal"), "%s", r.err);
        ck_assert_msg(strstr(r.err, "nomatch* matches no unit in x.journal"), "%s", r.err);
        ck_assert_msg(strstr(r.out, "1 journal entries"), "%s", r.out);      /* the kernel's */
        run_free(&r);
        snprintf(cmd, sizeof(cmd), "scan --directory '%s'", empty);
        r = run(cmd);
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, "no journal files (*.journal) in") && strstr(r.err, empty), "%s", r.err);
        run_free(&r);
        f = fopen(fixture_path(dir, "text.txt"), "w");
        ck_assert_ptr_nonnull(f);
        fputs("not a journal\n", f);
        fclose(f);
        r = run("scan --file text.txt");    /* not a journal file */
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, "is it a journal file?"), "%s", r.err);
        run_free(&r);
        r = run("scan --directory . --file x.journal");
        ck_assert_int_eq(r.status, 64);
        run_free(&r);
        if (geteuid() != 0)
                return;
        /* no access: nobody runs a copy of the binary (the checkout may be 0700) on root's 0640 file */
        snprintf(cmd, sizeof(cmd), "install -m 0755 '%s' '%s/bgw'", getenv("BADGATEWAYD"), dir);
        ck_assert_int_eq(system(cmd), 0);
        ck_assert_int_eq(chmod(jfile, 0640), 0);
        r = run_as("setpriv --reuid=65534 --regid=65534 --clear-groups", fixture_path(dir, "bgw"), "scan --directory .");
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, "x.journal: Permission denied") && strstr(r.err, "group systemd-journal"), "%s", r.err);
        run_free(&r);
        r = run_as("setpriv --reuid=65534 --regid=65534 --clear-groups", fixture_path(dir, "bgw"), "scan --file x.journal");
        ck_assert_int_eq(r.status, 2);
        ck_assert_msg(strstr(r.err, "group systemd-journal"), "%s", r.err);
        run_free(&r);
}
END_TEST

int main(void) {
        if (access(JOURNAL_REMOTE, X_OK) < 0) {
                printf("SKIP: %s is missing (package systemd-journal-remote)\n", JOURNAL_REMOTE);
                return 77;
        }
        Suite *s = suite_create("journal_scan");
        TCase *tc = tcase_create("read");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_unit_as_journalctl_u);
        tcase_add_test(tc, test_unit_without_suffix);
        tcase_add_test(tc, test_unit_name);
        tcase_add_test(tc, test_defaults_globs_identifiers);
        tcase_add_test(tc, test_since_by_realtime);
        tcase_add_test(tc, test_live_open_globs);
        tcase_add_test(tc, test_unknown_units);
        tcase_add_test(tc, test_check_access);
        tcase_add_test(tc, test_cli_file_json);
        tcase_add_test(tc, test_cli_unit_without_suffix);
        tcase_add_test(tc, test_cli_since_table_and_files);
        tcase_add_test(tc, test_cli_errors);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
