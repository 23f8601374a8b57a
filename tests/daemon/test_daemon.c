/* badgatewayd run, check and --check-config as processes: a real php-fpm, an nginx-format error
 * log the test writes (and a real nginx when it can start), sd_notify on a socket the test binds. */
#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "servers.h"

enum {
        PROBE_INTERVAL_MS = 200,
        RESOLVE_AFTER_MS = 1000,
        READY_MS = 5000,
        BURST = 10000,
};

static char dir[128];

static void newdir(void) {
        fixture_newdir(dir);
        chmod(dir, 0755);
}

static const char *path_in(const char *name) {
        return fixture_path(dir, name);
}

/* The test config; extra lines go at the end of [Daemon]. */
static const char *live_config(const struct fpm_env *e, const char *daemon_extra, const char *pool_extra) {
        static char text[2048];
        char resolve[48] = "";
        const char *conf = path_in("bgw.conf");
        if (!strstr(daemon_extra, "ResolveAfter"))      /* the caller's own, else the tests' short one */
                snprintf(resolve, sizeof(resolve), "ResolveAfter = %dms\n", RESOLVE_AFTER_MS);
        snprintf(text, sizeof(text),
                 "[Daemon]\nProbeInterval = %dms\nProbeTimeout = 500ms\n%s%s"
                 "[Nginx]\nErrorLog = %s/error.log\nUser = %s\n"
                 "[Pool www]\nListen = %s\n%s",
                 PROBE_INTERVAL_MS, resolve, daemon_extra, dir, servers_nginx_user(),
                 fpm_env_socket(e, 0), pool_extra);
        write_file(conf, text);
        return conf;
}

/* Alerts on stdout, and in a file too when jsonl is not NULL. */
static void start_daemon(struct bgw *b, const char *conf, const char *const *env, const char *jsonl) {
        const char *args[] = { "run", "--config", conf, "--stdout", jsonl ? "--jsonl" : NULL, jsonl, NULL };
        append_file(path_in("error.log"), "", 0);
        bgw_start(b, dir, args, env);
        int ready = bgw_wait_note(b, 0, "READY=1", READY_MS);
        ck_assert_msg(ready >= 0, "no READY=1; stderr: %s", b->err ? b->err : "");
}

static char *fixture_read_path(const char *path) {
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;
        ck_assert_msg(f, "%s: %s", path, strerror(errno));
        ck_assert_int_ge(getdelim(&text, &size, '\0', f), 0);
        fclose(f);
        return text;
}

static json_t *alert_at(struct bgw *b, int i) {
        return json_array_get(b->alerts, (size_t) i);
}

static long long evidence_lines(json_t *a) {
        return json_integer_value(json_object_get(json_object_get(a, "evidence"), "lines"));
}

/* "2026/11/25 13:23:20 [error] …" (the time now) as nginx writes when a worker dies mid-request. */
static size_t reset_lines(char *buf, size_t size, const char *sock, int from, int n) {
        size_t len = 0;
        char when[32];
        time_t now = time(NULL);
        strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", localtime(&now));
        for (int i = from; i < from + n && len < size; i++)
                len += (size_t) snprintf(buf + len, size - len,
                                         "%s [error] 6586#6586: *%d recv() failed (104: Connection "
                                         "reset by peer) while reading response header from upstream, client: "
                                         "127.0.0.1, server: t, request: \"GET /x.php HTTP/1.1\", upstream: "
                                         "\"fastcgi://unix:%s:\", host: \"127.0.0.1\"\n",
                                         when, i, sock);
        ck_assert_uint_lt(len, size);
        return len;
}

static void append_resets(const char *log, const char *sock, int n) {
        static char buf[600 * 200];
        for (int done = 0; done < n; done += 200) {
                int k = n - done < 200 ? n - done : 200;
                append_file(log, buf, reset_lines(buf, sizeof(buf), sock, done, k));
        }
}

/* (a) */

static json_t *check_json(const char *conf, int want_exit);
static const char *summary_health(json_t *j);

static void expect_config_error(const char *name, const char *text, const char *want) {
        const char *conf = path_in(name);
        char *out, *err, expected[512];
        if (text)
                write_file(conf, text);
        const char *args[] = { "--check-config", "--config", conf, NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 78);
        snprintf(expected, sizeof(expected), "%s%s", conf, want);
        ck_assert_msg(strstr(err, expected), "want '%s' in: %s", expected, err);
        ck_assert_str_eq(out, "");
        free(out);
        free(err);
}

START_TEST(test_check_config) {
        char *out, *err, want[256];
        newdir();
        const char *good = path_in("good.conf");
        write_file(good, "[Daemon]\nProbeInterval = 2s\n[Pool www]\nListen = /run/php/php8.2-fpm.sock\n"
                         "[Pool api]\nListen = 127.0.0.1:9001\n");
        const char *args[] = { "--check-config", "--config", good, NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 0);
        snprintf(want, sizeof(want), "%s: OK (2 pools)\n", good);
        ck_assert_str_eq(out, want);
        free(out);
        free(err);
        expect_config_error("key.conf", "[Daemon]\nProbeIntervall = 1s\n[Pool www]\nListen = /x.sock\n",
                            ":2: unknown key 'ProbeIntervall' in [Daemon]; did you mean 'ProbeInterval'?");
        expect_config_error("duration.conf", "[Pool www]\nListen = /x.sock\n[Daemon]\nResolveAfter = soon\n",
                            ":4: ResolveAfter: 'soon' is not a duration");
        char nopool[512];
        snprintf(nopool, sizeof(nopool), "[Daemon]\nProbeInterval = 1s\n[PHP-FPM]\nConfig = %s\n", path_in("none.conf"));
        expect_config_error("nopool.conf", nopool, " (no [Pool NAME] section) and in php-fpm's configuration at ");
        expect_config_error("section.conf", "[Pool www]\nListen = /x.sock\n[Nginxx]\nUser = x\n",
                            ":3: unknown section 'Nginxx'; did you mean 'Nginx'?");
        expect_config_error("missing.conf", NULL, ": No such file or directory");
        ck_assert_int_eq(mkdir(path_in("dir.conf"), 0755), 0);
        expect_config_error("dir.conf", NULL, ": Is a directory");
}
END_TEST

/* No pool in badgatewayd.conf nor in php-fpm's configuration: check is UNKNOWN (3) with the one
 * sentence that says where it looked (run waits: test_run_waits_for_pool). */
START_TEST(test_no_pool_anywhere) {
        char *out, *err, text[512], want[1200];
        newdir();
        const char *conf = path_in("nopool.conf");
        char fpm[256];
        snprintf(fpm, sizeof(fpm), "%s", path_in("nowhere-php-fpm.conf"));
        snprintf(text, sizeof(text), "[PHP-FPM]\nConfig = %s\n", fpm);
        write_file(conf, text);
        snprintf(want, sizeof(want), "no PHP-FPM pool found: looked in %s (no [Pool NAME] section) and in php-fpm's "
                 "configuration at %s (%s: cannot read it: No such file or directory)", conf, fpm, fpm);
        const char *check[] = { "check", "--config", conf, NULL };
        ck_assert_int_eq(bgw_run(check, &out, &err), 3);
        ck_assert_msg(strncmp(out, "BADGATEWAY UNKNOWN - ", 21) == 0 && strncmp(out + 21, want, strlen(want)) == 0,
                      "%s", out);
        ck_assert_msg(strchr(out, '\n') == out + strlen(out) - 1, "one line: %s", out);
        free(out);
        free(err);
}
END_TEST

/* Installed before php-fpm: run finds no pool, says so once and waits; php-fpm's configuration
 * written later (its directory made then, as dpkg does) brings the pool in, and it is probed. */
START_TEST(test_run_waits_for_pool) {
        struct bgw b;
        char text[1024], want[1200], fpm_dir[256], fpm[300], sock[300];
        newdir();
        snprintf(fpm_dir, sizeof(fpm_dir), "%s", path_in("fpm"));
        snprintf(fpm, sizeof(fpm), "%s/php-fpm.conf", fpm_dir);
        snprintf(sock, sizeof(sock), "%s", path_in("www.sock"));
        snprintf(text, sizeof(text), "[Daemon]\nProbeInterval = %dms\nResolveAfter = %dms\n[Nginx]\nErrorLog = %s\n"
                 "User = %s\n[PHP-FPM]\nConfig = %s\n", PROBE_INTERVAL_MS, RESOLVE_AFTER_MS, path_in("error.log"),
                 servers_nginx_user(), fpm);
        const char *conf = path_in("bgw.conf");
        write_file(conf, text);
        start_daemon(&b, conf, NULL, NULL);
        ck_assert_int_ge(bgw_wait_note(&b, 0, "STATUS=waiting for a PHP-FPM pool", 3000), 0);
        snprintf(want, sizeof(want), "no PHP-FPM pool found yet: looked in %s (no [Pool NAME] section) and in "
                 "php-fpm's configuration at %s (%s: cannot read it: No such file or directory); waiting", conf, fpm, fpm);
        ck_assert_msg(strstr(b.err, want), "want '%s' in: %s", want, b.err);

        ck_assert_int_eq(mkdir(fpm_dir, 0755), 0);
        snprintf(text, sizeof(text), "[global]\nerror_log = %s\n[www]\nuser = www-data\nlisten = %s\npm = static\n"
                 "pm.max_children = 1\n", path_in("fpm.log"), sock);
        write_file(fpm, text);
        snprintf(want, sizeof(want), "found 1 PHP-FPM pool: php-fpm's configuration (%s)", fpm);
        ck_assert_msg(bgw_wait_stderr(&b, want, harness_ms(10000)), "want '%s' in: %s", want, b.err);
        /* nothing listens on the pool's socket: the probes say it is down */
        int i = bgw_wait_alert(&b, 0, "fpm_down", "firing", harness_ms(10000));
        ck_assert_msg(i >= 0, "no fpm_down for the pool found later; stderr: %s", b.err);
        ck_assert_str_eq(json_string_value(json_object_get(alert_at(&b, i), "pool")), "www");
        ck_assert_msg(bgw_wait_note(&b, 0, "STATUS=FIRING fpm_down www", 3000) >= 0, "no FIRING status");
        const char *once = strstr(b.err, "no PHP-FPM pool found yet");
        ck_assert_msg(!strstr(once + 1, "no PHP-FPM pool found"), "said twice: %s", b.err);
        ck_assert_msg(!strstr(b.err, "reload failed"), "%s", b.err);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
}
END_TEST

/* The kernel's records (BADGATEWAYD_KMSG: a FIFO in place of /dev/kmsg, one record per write, as
 * /dev/kmsg gives one per read) are lines read as well as classified. */
START_TEST(test_kmsg_lines_counted) {
        static const char record[] = "3,51012,16665539750,-;Memory cgroup out of memory: Killed process 29563 (php) "
                                     "total-vm:187996kB, anon-rss:65000kB, file-rss:9452kB, shmem-rss:0kB, UID:0 "
                                     "pgtables:352kB oom_score_adj:0\n";
        struct bgw b;
        char text[512], kmsg_env[300];
        newdir();
        const char *fifo = path_in("kmsg");
        ck_assert_int_eq(mkfifo(fifo, 0600), 0);
        int w = open(fifo, O_RDWR | O_CLOEXEC);         /* a writer all along: no EOF for the daemon */
        ck_assert_int_ge(w, 0);
        snprintf(kmsg_env, sizeof(kmsg_env), "BADGATEWAYD_KMSG=%s", fifo);
        snprintf(text, sizeof(text), "[Nginx]\nErrorLog = %s\nUser = %s\n[Pool www]\nListen = %s\n", path_in("error.log"),
                 servers_nginx_user(), path_in("www.sock"));
        const char *conf = path_in("bgw.conf");
        write_file(conf, text);
        const char *env[] = { kmsg_env, NULL };
        start_daemon(&b, conf, env, NULL);
        ck_assert_int_eq(write(w, record, sizeof(record) - 1), (ssize_t) sizeof(record) - 1);
        bgw_pump(&b, harness_ms(500));
        ck_assert_int_eq(bgw_stop(&b), 0);
        close(w);
        ck_assert_msg(strstr(b.err, "stopped: 1 lines read, 1 classified"), "%s", b.err);
        bgw_free(&b);
}
END_TEST

START_TEST(test_run_bad_config) {
        char *out, *err;
        newdir();
        const char *conf = path_in("bad.conf");
        write_file(conf, "[Pool www]\nListen = /x.sock\nLisen = /y.sock\n");
        const char *args[] = { "run", "--config", conf, "--stdout", NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 78);
        ck_assert_msg(strstr(err, ":3: unknown key 'Lisen' in [Pool www]; did you mean 'Listen'?"), "%s", err);
        ck_assert_msg(!strstr(err, "started"), "%s", err);
        free(out);
        free(err);
        /* check is a Nagios plugin: 0 to 3, the reason on its first line */
        const char *check[] = { "check", "--config", path_in("none.conf"), NULL };
        ck_assert_int_eq(bgw_run(check, &out, &err), 3);
        ck_assert_msg(strstr(err, "none.conf: No such file or directory"), "%s", err);
        ck_assert_msg(strncmp(out, "BADGATEWAY UNKNOWN - ", 21) == 0 && strstr(out, "none.conf: No such file or directory"),
                      "%s", out);
        free(out);
        free(err);
        /* an argument no command takes is named; --help exits 0 everywhere, --check-config too */
        const char *extra[] = { "run", "extra", NULL };
        ck_assert_int_eq(bgw_run(extra, &out, &err), 64);
        ck_assert_msg(strncmp(err, "badgatewayd run: unexpected argument 'extra'\n", 45) == 0, "%s", err);
        free(out);
        free(err);
        const char *cc_help[] = { "--check-config", "--help", NULL };
        ck_assert_int_eq(bgw_run(cc_help, &out, &err), 0);
        ck_assert_msg(strncmp(out, "usage: badgatewayd --check-config", 33) == 0 && !err[0], "%s%s", out, err);
        free(out);
        free(err);
        const char *help[] = { "--help", NULL };
        ck_assert_int_eq(bgw_run(help, &out, &err), 0);
        ck_assert_msg(strstr(out, " [--state-dir DIR]") && strstr(out, "scan [--json] [--ascii]"), "%s", out);
        free(out);
        free(err);
        const char *bad_usage[] = { "check", "--no-such-option", NULL };
        ck_assert_int_eq(bgw_run(bad_usage, &out, &err), 3);
        ck_assert_msg(strncmp(out, "BADGATEWAY UNKNOWN - usage error", 32) == 0, "%s", out);
        free(out);
        free(err);
        json_t *j = check_json(path_in("none.conf"), 3);
        ck_assert_str_eq(summary_health(j), "unknown");
        json_decref(j);
        out = err = NULL;
        free(out);
        free(err);
}
END_TEST

/* (b), with a real nginx in front when it starts: its 502 lines join the evidence. */
START_TEST(test_fpm_down_then_resolved) {
        struct fpm_env e;
        struct nginx nx;
        struct bgw b;
        newdir();
        fpm_up(&e);
        bool have_nginx = nginx_up(&nx, dir, &e);
        if (have_nginx)
                ck_assert_int_eq(http_get(nx.port), 200);
        start_daemon(&b, live_config(&e, "", ""), NULL, NULL);
        bgw_pump(&b, 2 * PROBE_INTERVAL_MS);
        ck_assert_msg(json_array_size(b.alerts) == 0, "alerts while healthy: %s", b.out);

        long long t0 = harness_now_ms();
        fpm_quit(&e);
        int fired = bgw_wait_alert(&b, 0, "fpm_down", "firing", PROBE_INTERVAL_MS + 1000);
        long long down_ms = harness_now_ms() - t0;
        ck_assert_msg(fired >= 0, "no fpm_down within %d ms; stdout: %s stderr: %s",
                      harness_ms(PROBE_INTERVAL_MS + 1000), b.out, b.err);
        fprintf(stderr, "php-fpm stopped -> fpm_down firing: %lld ms\n", down_ms);
        if (have_nginx)
                ck_assert_int_eq(http_get(nx.port), 502);

        long long t1 = harness_now_ms();
        fpm_restart(&e);
        int resolved = bgw_wait_alert(&b, (size_t) fired + 1, "fpm_down", "resolved",
                                      PROBE_INTERVAL_MS + RESOLVE_AFTER_MS + 2000);
        ck_assert_msg(resolved >= 0, "no resolved alert; stdout: %s", b.out);
        fprintf(stderr, "php-fpm started -> fpm_down resolved: %lld ms\n", harness_now_ms() - t1);
        json_t *r = alert_at(&b, resolved);
        ck_assert_str_eq(json_string_value(json_object_get(r, "id")),
                         json_string_value(json_object_get(alert_at(&b, fired), "id")));
        if (have_nginx) {
                json_t *kinds = json_object_get(json_object_get(r, "evidence"), "kinds");
                ck_assert_msg(json_integer_value(json_object_get(kinds, "upstream_socket_missing")) == 1, "%s", b.out);
                ck_assert_int_eq(http_get(nx.port), 200);
        }
        ck_assert_int_eq(bgw_stop(&b), 0);
        ck_assert_msg(strstr(b.err, "badgatewayd: stopped: "), "%s", b.err);
        bgw_free(&b);
        nginx_down(&nx);
        fpm_down(&e);
}
END_TEST

/* The textfile the daemon writes every ProbeInterval, or "" before the first. */
static char *textfile(void) {
        static char text[65536];
        FILE *f = fopen(path_in("badgatewayd.prom"), "re");
        size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
        if (f)
                fclose(f);
        text[n] = '\0';
        return text;
}

/* The index of pool name's firing fpm_down alert, else -1; php-fpm's two stop lines must be its
 * evidence. */
static int stopped_alert(struct bgw *b, const char *name) {
        for (size_t i = 0; i < json_array_size(b->alerts); i++) {
                json_t *a = alert_at(b, (int) i);
                if (strcmp(json_string_value(json_object_get(a, "pool")) ?: "", name) != 0 ||
                    strcmp(json_string_value(json_object_get(a, "cause")) ?: "", "fpm_down") != 0 ||
                    strcmp(json_string_value(json_object_get(a, "state")) ?: "", "firing") != 0)
                        continue;
                json_t *ev = json_object_get(a, "evidence");
                ck_assert_msg(json_integer_value(json_object_get(json_object_get(ev, "kinds"), "fpm_stopping")) == 2,
                              "%s: %s", name, b->out);
                ck_assert_msg(evidence_lines(a) == 2, "%s: %s", name, b->out);
                char *samples = json_dumps(json_object_get(ev, "samples"), 0);
                ck_assert_msg(samples && strstr(samples, "exiting, bye-bye"), "%s: %s", name, b->out);
                free(samples);
                return (int) i;
        }
        return -1;
}

/* php-fpm's own stop and start lines name no pool: they are evidence for each pool whose Log= is
 * that file (two pools of one master here), in the alerts and in the events metric's target. */
START_TEST(test_fpm_master_lines) {
        struct fpm_env e;
        struct bgw b;
        char pool_extra[1024];
        char lines[256];
        snprintf(lines, sizeof(lines), "pm = static\npm.max_children = 1\n%s",
                 geteuid() == 0 ? "listen.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n" : "");
        struct fpm_pool pools[] = { { "www", false, lines }, { "shop", false, lines } };
        newdir();
        ck_assert_msg(fpm_env_start(&e, pools, 2) == 0, "php-fpm: %s", e.error);
        harness_track(e.pid, e.dir);
        snprintf(pool_extra, sizeof(pool_extra), "Log = %s/error.log\n[Pool shop]\nListen = %s\nLog = %s/error.log\n"
                 "[Metrics]\nTextfileDirectory = %s\n", e.dir, fpm_env_socket(&e, 1), e.dir, dir);
        start_daemon(&b, live_config(&e, "", pool_extra), NULL, NULL);
        bgw_pump(&b, 2 * PROBE_INTERVAL_MS);
        ck_assert_msg(json_array_size(b.alerts) == 0, "alerts while healthy: %s", b.out);

        fpm_quit(&e);           /* NOTICE: Terminating ..., NOTICE: exiting, bye-bye! */
        ck_assert_msg(bgw_wait_alert(&b, 0, "fpm_down", "firing", PROBE_INTERVAL_MS + 1000) >= 0, "no fpm_down: %s",
                      b.out);
        bgw_pump(&b, 2 * PROBE_INTERVAL_MS);
        int www = stopped_alert(&b, "www"), shop = stopped_alert(&b, "shop");
        ck_assert_msg(www >= 0 && shop >= 0, "%s", b.out);

        fpm_restart(&e);        /* NOTICE: fpm is running, pid …, NOTICE: ready to handle connections */
        ck_assert_msg(bgw_wait_alert(&b, (size_t) (www > shop ? www : shop) + 1, "fpm_down", "resolved",
                                     PROBE_INTERVAL_MS + RESOLVE_AFTER_MS + 2000) >= 0, "no resolved alert: %s", b.out);
        bgw_pump(&b, 2 * PROBE_INTERVAL_MS);
        const char *m = strstr(textfile(), "badgatewayd_events_total{");
        ck_assert_ptr_nonnull(m);
        ck_assert_msg(strstr(m, "badgatewayd_events_total{kind=\"fpm_stopping\",target=\"www\"} 2"), "%.2000s", m);
        ck_assert_msg(strstr(m, "badgatewayd_events_total{kind=\"fpm_stopping\",target=\"shop\"} 2"), "%.2000s", m);
        ck_assert_msg(strstr(m, "badgatewayd_events_total{kind=\"fpm_started\",target=\"shop\"}"), "%.2000s", m);
        ck_assert_msg(!strstr(m, "target=\"php-fpm\""), "%.2000s", m);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* (c) */
START_TEST(test_burst) {
        struct fpm_env e;
        struct bgw b;
        newdir();
        fpm_up(&e);
        start_daemon(&b, live_config(&e, "", ""), NULL, path_in("alerts.jsonl"));
        long long t0 = harness_now_ms();
        append_resets(path_in("error.log"), fpm_env_socket(&e, 0), BURST);
        int fired = bgw_wait_alert(&b, 0, "worker_killed", "firing", 5000);
        ck_assert_msg(fired >= 0, "no worker_killed; stdout: %s", b.out);
        fprintf(stderr, "burst of %d lines -> worker_killed firing: %lld ms\n", BURST, harness_now_ms() - t0);
        int resolved = bgw_wait_alert(&b, 0, "worker_killed", "resolved", RESOLVE_AFTER_MS + 5000);
        ck_assert_msg(resolved >= 0, "not resolved; stdout: %s", b.out);
        ck_assert_int_eq(evidence_lines(alert_at(&b, resolved)), BURST);
        bgw_pump(&b, RESOLVE_AFTER_MS);
        ck_assert_int_eq(bgw_stop(&b), 0);
        size_t n = json_array_size(b.alerts);
        fprintf(stderr, "burst of %d lines -> %zu alerts\n", BURST, n);
        ck_assert_uint_le(n, 5);
        ck_assert_msg(strstr(b.err, "stopped: 10000 lines read, 10000 classified"), "%s", b.err);
        char *file = fixture_read_path(path_in("alerts.jsonl"));
        ck_assert_str_eq(file, b.out);
        free(file);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* (d) A bad config is refused and the old one kept; a good one adds a log, drops another and
 * keeps the first, whose lines, written while the reload happens, all arrive. */
START_TEST(test_reload) {
        struct fpm_env e;
        struct bgw b;
        char extra[512];
        newdir();
        fpm_up(&e);
        const char *sock = fpm_env_socket(&e, 0);
        char log[256], second[256], dropped[256];
        snprintf(log, sizeof(log), "%s", path_in("error.log"));
        snprintf(second, sizeof(second), "%s", path_in("second.log"));
        snprintf(dropped, sizeof(dropped), "%s", path_in("dropped.log"));
        snprintf(extra, sizeof(extra), "ResolveAfter = 30s\n[Nginx]\nErrorLog = %s\n", dropped);
        const char *conf = live_config(&e, extra, "");
        start_daemon(&b, conf, NULL, path_in("alerts.jsonl"));

        write_file(conf, "[Pool www]\nListen = /x.sock\nUnknown = 1\n");
        ck_assert_int_eq(kill(b.pid, SIGHUP), 0);
        ck_assert(bgw_wait_stderr(&b, "reload failed, the running config stays: ", 5000));
        ck_assert_msg(strstr(b.err, "bgw.conf:3: unknown key 'Unknown' in [Pool www]"), "%s", b.err);
        int mark = bgw_wait_note(&b, 0, "RELOADING=1", 5000);
        ck_assert_int_ge(bgw_wait_note(&b, (size_t) mark + 1, "READY=1", 5000), 0);

        snprintf(extra, sizeof(extra), "ResolveAfter = 30s\n[Nginx]\nErrorLog = %s\n", second);
        live_config(&e, extra, "");
        append_resets(log, sock, 500);
        ck_assert_int_eq(rename(path_in("alerts.jsonl"), path_in("alerts.jsonl.1")), 0);
        ck_assert_int_eq(kill(b.pid, SIGHUP), 0);
        append_resets(log, sock, 500);
        mark = bgw_wait_note(&b, (size_t) mark + 1, "RELOADING=1", 5000);
        ck_assert_int_ge(mark, 0);
        ck_assert_int_ge(bgw_wait_note(&b, (size_t) mark + 1, "READY=1", 5000), 0);
        ck_assert_msg(strstr(b.err, "config reloaded from"), "%s", b.err);
        ck_assert_int_eq(access(path_in("alerts.jsonl"), F_OK), 0);

        append_resets(log, sock, 300);
        append_resets(second, sock, 200);
        append_resets(dropped, sock, 100);
        /* worker_killed waits up to 2 s for php-fpm's line naming the signal before it fires */
        ck_assert_int_ge(bgw_wait_alert(&b, 0, "worker_killed", "firing", 5000), 0);
        ck_assert_int_eq(bgw_stop(&b), 0);
        ck_assert_msg(strstr(b.err, "stopped: 1500 lines read, 1500 classified"), "%s", b.err);
        int fired = bgw_wait_alert(&b, 0, "worker_killed", "firing", 0);
        ck_assert_int_ge(fired, 0);
        ck_assert_int_lt(bgw_wait_alert(&b, (size_t) fired + 1, "worker_killed", "firing", 0), 0);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* An edit of the config file is a reload with no SIGHUP, once the file is still: a save that
 * stays half written for longer than the settle time is read only after it is closed. */
START_TEST(test_config_change_reloads) {
        struct fpm_env e;
        struct bgw b;
        newdir();
        fpm_up(&e);
        const char *conf = live_config(&e, "", "");
        start_daemon(&b, conf, NULL, NULL);

        live_config(&e, "ResolveAfter = 30s\n", "");
        int mark = bgw_wait_note(&b, 0, "RELOADING=1", harness_ms(5000));
        ck_assert_msg(mark >= 0, "no reload after an edit; stderr: %s", b.err);
        ck_assert_int_ge(bgw_wait_note(&b, (size_t) mark + 1, "READY=1", 5000), 0);
        ck_assert_msg(strstr(b.err, "the configuration changed: reloading"), "%s", b.err);
        ck_assert_msg(strstr(b.err, "config reloaded from"), "%s", b.err);

        int fd = open(conf, O_WRONLY | O_TRUNC | O_CLOEXEC);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "[Pool www]\nListen = ", 20), 20);    /* no address yet: invalid */
        usleep((useconds_t) harness_ms(2000) * 1000);    /* twice daemon/confwatcher.h's settle time */
        ck_assert_msg(bgw_wait_note(&b, (size_t) mark + 1, "RELOADING=1", 0) < 0,
                      "a half-written file was read; stderr: %s", b.err);
        dprintf(fd, "%s\n", fpm_env_socket(&e, 0));
        close(fd);
        mark = bgw_wait_note(&b, (size_t) mark + 1, "RELOADING=1", harness_ms(5000));
        ck_assert_int_ge(mark, 0);
        ck_assert_int_ge(bgw_wait_note(&b, (size_t) mark + 1, "READY=1", 5000), 0);
        ck_assert_msg(!strstr(b.err, "reload failed"), "%s", b.err);

        /* a drop-in (FILE.d/NAME.conf) made later is read too; its error names it */
        char dropins[512], want[600];
        snprintf(dropins, sizeof(dropins), "%s.d", conf);
        ck_assert_int_eq(mkdir(dropins, 0755), 0);
        snprintf(dropins + strlen(dropins), sizeof(dropins) - strlen(dropins), "/50-probe.conf");
        write_file(dropins, "[Daemon]\nProbeInterval = 5 sekunden\n");
        snprintf(want, sizeof(want), "reload failed, the running config stays: %s:2: ProbeInterval: '5 sekunden'", dropins);
        ck_assert_msg(bgw_wait_stderr(&b, want, harness_ms(5000)), "%s", b.err);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/* stdout's reader gone (`run --stdout | head -1`): said, and with no other output the daemon
 * stops instead of dropping every later alert. */
START_TEST(test_stdout_closed) {
        char *out, *err, conf[300];
        newdir();
        snprintf(conf, sizeof(conf), "%s", path_in("bgw.conf"));
        write_file(conf, "[Pool www]\nListen = /nonexistent/php-fpm.sock\n[Nginx]\nErrorLog = /nonexistent/error.log\n");
        /* a state dir of its own: a finding kept firing by an earlier run is not alerted again, and
         * then nothing is written to the closed stdout */
        const char *args[] = { "run", "--config", conf, "--stdout", "--state-dir", dir, NULL };
        int code = bgw_run_reader_gone(args, &out, &err, true);
        ck_assert_msg(strstr(err, "stdout is closed (EPIPE): no more alerts are written there"), "%s", err);
        ck_assert_msg(strstr(err, "no output takes alerts any more: stopping"), "%s", err);
        ck_assert_int_eq(code, 1);
        free(out);
        free(err);
}
END_TEST

static json_t *alert_config(json_t *a) {
        return json_object_get(json_object_get(a, "evidence"), "config");
}

/* Real nginx and php-fpm, nginx's fastcgi_pass left at php7.4's socket after an upgrade, and a
 * badgatewayd.conf that only says where their configuration is: socket_mismatch fires from the
 * configuration before any request, naming nginx.conf's line; the 502 that follows joins that same
 * finding (and is no fpm_down). */
START_TEST(test_config_finding_then_502) {
        struct fpm_env e;
        struct nginx n;
        struct bgw b;
        char stale[256], pass[300], text[1024];
        newdir();
        fpm_up(&e);
        snprintf(stale, sizeof(stale), "%s/php7.4-fpm.sock", dir);
        snprintf(pass, sizeof(pass), "unix:%s", stale);
        if (!nginx_up_to(&n, dir, &e, pass)) {
                fpm_down(&e);
                return;
        }
        snprintf(text, sizeof(text),
                 "[Daemon]\nProbeInterval = %dms\nSummaryInterval = 1s\nResolveAfter = 2s\n"
                 "[Nginx]\nConfig = %s/nginx.conf\n[PHP-FPM]\nConfig = %s/php-fpm.conf\n",
                 PROBE_INTERVAL_MS, dir, e.dir);
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "run", "--config", path_in("bgw.conf"), "--stdout", NULL };
        bgw_start(&b, dir, args, NULL);
        int fired = bgw_wait_alert(&b, 0, "socket_mismatch", "firing", harness_ms(5000));
        ck_assert_msg(fired >= 0, "no socket_mismatch from the configuration; stdout: %s stderr: %s", b.out, b.err);
        json_t *a = alert_at(&b, fired), *cfg = alert_config(a);
        ck_assert_msg(cfg, "the alert names no configuration file");
        ck_assert_str_eq(json_string_value(json_object_get(cfg, "file")), path_in("nginx.conf"));
        ck_assert_int_eq(json_integer_value(json_object_get(cfg, "line")), NGINX_PASS_LINE);
        ck_assert_int_eq(evidence_lines(a), 0);
        ck_assert_str_eq(json_string_value(json_object_get(a, "upstream")), pass);
        char id[400];
        snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(a, "id")));

        ck_assert_int_eq(http_get(n.port), 502);
        int again = -1;
        for (long long end = harness_now_ms() + harness_ms(8000); again < 0 && harness_now_ms() < end;) {
                int i = bgw_wait_alert(&b, (size_t) fired + 1, "socket_mismatch", "firing", 500);
                if (i >= 0 && evidence_lines(alert_at(&b, i)) >= 1)
                        again = i;
                else if (i >= 0)
                        fired = i;
        }
        ck_assert_msg(again >= 0, "the 502 did not join the finding; stdout: %s", b.out);
        ck_assert_str_eq(json_string_value(json_object_get(alert_at(&b, again), "id")), id);
        printf("before any request: %s\nafter the 502: %lld line(s), %s\n",
               json_string_value(json_object_get(a, "summary")), evidence_lines(alert_at(&b, again)),
               json_string_value(json_object_get(alert_at(&b, again), "summary")));
        ck_assert_int_lt(bgw_wait_alert(&b, 0, "fpm_down", "firing", 0), 0);

        /* fixed in nginx.conf (an edit, no signal): the file is read again and the finding resolves */
        char fixed[300];
        snprintf(fixed, sizeof(fixed), "unix:%s", fpm_env_socket(&e, 0));
        char *conf = fixture_read_path(path_in("nginx.conf"));
        char *at = strstr(conf, pass);
        ck_assert_ptr_nonnull(at);
        FILE *f = fopen(path_in("nginx.conf"), "we");
        ck_assert_ptr_nonnull(f);
        fprintf(f, "%.*s%s%s", (int) (at - conf), conf, fixed, at + strlen(pass));
        fclose(f);
        free(conf);
        int resolved = bgw_wait_alert(&b, (size_t) again, "socket_mismatch", "resolved", harness_ms(10000));
        ck_assert_msg(resolved >= 0, "not resolved after nginx.conf was fixed; stderr: %s", b.err);
        ck_assert_msg(strstr(b.err, "the configuration changed: reloading"), "%s", b.err);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        nginx_down(&n);
        fpm_down(&e);
}
END_TEST

static bool any_remedy_has(json_t *a, const char *text) {
        json_t *r;
        size_t i;
        json_array_foreach(json_object_get(a, "remedy"), i, r)
                if (strstr(json_string_value(r), text))
                        return true;
        return false;
}

/* request_terminate_timeout = 1s ends a real request (php-fpm started by hand, no unit): the
 * alert names the pool's file:line and value once, its remedy raises it there, and no remedy
 * speaks of OOM kills or systemctl. */
START_TEST(test_terminate_timeout_remedy) {
        struct fpm_env e;
        struct nginx n;
        struct bgw b;
        char lines[256], path[256], text[1024], want[256];
        newdir();
        snprintf(lines, sizeof(lines), "pm = static\npm.max_children = 2\nrequest_terminate_timeout = 1s\n%s",
                 geteuid() == 0 ? "listen.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n" : "");
        struct fpm_pool pool = { "www", false, lines };
        ck_assert_msg(fpm_env_start(&e, &pool, 1) == 0, "php-fpm: %s", e.error);
        harness_track(e.pid, e.dir);
        ck_assert_int_eq(fpm_env_write(&e, "index.php", "<?php $t = microtime(true); while (microtime(true) - $t < 4) {}\n",
                                       path, sizeof(path)), 0);
        if (!nginx_up(&n, dir, &e)) {
                fpm_down(&e);
                return;
        }
        snprintf(text, sizeof(text), "[Daemon]\nProbeInterval = %dms\nResolveAfter = 2s\n"
                 "[Nginx]\nConfig = %s/nginx.conf\n[PHP-FPM]\nConfig = %s/php-fpm.conf\n", PROBE_INTERVAL_MS, dir, e.dir);
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "run", "--config", path_in("bgw.conf"), "--stdout", NULL };
        bgw_start(&b, dir, args, NULL);
        bgw_pump(&b, harness_ms(1500));
        ck_assert_int_eq(http_get(n.port), 502);
        int fired = bgw_wait_alert(&b, 0, "worker_killed", "firing", harness_ms(8000));
        ck_assert_msg(fired >= 0, "no worker_killed; stdout: %s stderr: %s", b.out, b.err);
        json_t *a = alert_at(&b, fired);
        const char *summary = json_string_value(json_object_get(a, "summary"));
        const char *first = json_string_value(json_array_get(json_object_get(a, "remedy"), 0));
        printf("terminate timeout: %s\n  remedy: %s\n", summary, first);
        snprintf(want, sizeof(want), "request_terminate_timeout (1s at %s/php-fpm.conf:", e.dir);
        ck_assert_msg(strstr(summary, want), "%s", summary);
        ck_assert_ptr_eq(strstr(strstr(summary, "request_terminate_timeout") + 1, "request_terminate_timeout"), NULL);
        snprintf(want, sizeof(want), "raise request_terminate_timeout in pool www at %s/php-fpm.conf:", e.dir);
        ck_assert_msg(strncmp(first, want, strlen(want)) == 0 && strstr(first, "(now 1s)"), "%s", first);
        ck_assert(!any_remedy_has(a, "out of memory"));
        ck_assert(!any_remedy_has(a, "systemctl"));
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        nginx_down(&n);
        fpm_down(&e);
}
END_TEST

/* A pool whose socket only an ACL opens to nginx's user (listen.acl_users, as RHEL ships it):
 * neither its configuration nor the live socket is a socket_permission finding. As root only:
 * the ACL names www-data. */
START_TEST(test_acl_pool_no_finding) {
        struct fpm_env e;
        struct fpm_pool pool = { "www", false, "pm = static\npm.max_children = 1\nlisten.acl_users = www-data\n" };
        char text[512], *out, *err;
        if (geteuid() != 0)
                return;
        newdir();
        ck_assert_msg(fpm_env_start(&e, &pool, 1) == 0, "php-fpm: %s", e.error);
        harness_track(e.pid, e.dir);
        write_file(path_in("none.conf"), "");   /* an empty nginx.conf: no nginx; a missing one is an error */
        snprintf(text, sizeof(text), "[Nginx]\nUser = www-data\nConfig = %s/none.conf\n[PHP-FPM]\nConfig = %s/php-fpm.conf\n",
                 dir, e.dir);
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        int code = bgw_run(args, &out, &err);
        ck_assert_msg(!strstr(out, "socket_permission"), "%s", out);
        ck_assert_msg(code == 0 || code == 1, "exit %d: %s%s", code, out, err);  /* 1: no unit runs this php-fpm */
        ck_assert_msg(strstr(out, "1 of 1 pool healthy") || strstr(out, "fpm_unit_missing"), "%s", out);
        printf("acl pool, check exit %d:\n%s", code, out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* nginx's configuration that nginx itself would refuse (a block left open): check says where on
 * stderr, and a pool that answers is not an OK any more but a warning. */
START_TEST(test_check_config_problem) {
        struct fpm_env e;
        char text[512], *out, *err;
        newdir();
        fpm_up(&e);
        write_file(path_in("nginx.conf"), "events {}\nhttp {\n  server {\n    listen 127.0.0.1:1;\n");
        snprintf(text, sizeof(text), "[Nginx]\nUser = %s\nConfig = %s\nErrorLog = %s\n[PHP-FPM]\nConfig = %s/php-fpm.conf\n",
                 servers_nginx_user(), path_in("nginx.conf"), path_in("error.log"), e.dir);
        write_file(path_in("error.log"), "");
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        int code = bgw_run(args, &out, &err);
        ck_assert_msg(code == 1, "exit %d: %s%s", code, out, err);
        ck_assert_msg(strstr(out, "BADGATEWAY WARNING - 1 of 1 pool healthy; 1 problem in nginx's or php-fpm's configuration"), "%s", out);
        char where[300];
        snprintf(where, sizeof(where), "%s:", path_in("nginx.conf"));
        ck_assert_msg(strstr(err, where), "%s", err);
        printf("config problem: %s%s", out, err);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* A pool whose listen names a ${VAR} that php-fpm's environment here lacks (no unit runs it, and
 * this process has no such variable): php-fpm would read "/www.sock", but the php-fpm that runs
 * may have it set; check neither probes that path (no fpm_down) nor judges its socket, and says
 * why. The other master's pool is watched as usual. */
START_TEST(test_check_unset_var_not_probed) {
        struct fpm_env e;
        char text[1024], *out, *err;
        newdir();
        fpm_up(&e);
        ck_assert_ptr_null(getenv("BGW_TEST_SOCKDIR"));
        snprintf(text, sizeof(text), "[global]\nerror_log = %s\n[site]\nlisten = ${BGW_TEST_SOCKDIR}/www.sock\n"
                 "user = www-data\npm = static\npm.max_children = 2\n", path_in("site-fpm.log"));
        write_file(path_in("site-fpm.conf"), text);
        write_file(path_in("site-fpm.log"), "");
        write_file(path_in("none.conf"), "");   /* an empty nginx.conf: no nginx; a missing one is an error */
        snprintf(text, sizeof(text), "[Nginx]\nUser = %s\nConfig = %s/none.conf\n[PHP-FPM]\nConfig = %s/php-fpm.conf\n"
                 "Config = %s\n", servers_nginx_user(), dir, e.dir, path_in("site-fpm.conf"));
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        int code = bgw_run(args, &out, &err);
        printf("unset ${VAR}, check exit %d:\n%s%s", code, out, err);
        ck_assert_msg(code == 0 || code == 1, "exit %d: %s%s", code, out, err);   /* 1: no unit runs php-fpm */
        ck_assert_msg(!strstr(out, "fpm_down") && !strstr(out, "/www.sock"), "%s", out);
        ck_assert_msg(!strstr(out, "socket_permission") && !strstr(out, "socket_mismatch"), "%s", out);
        ck_assert_msg(strstr(err, "pool site (") && strstr(err, "listen = ${BGW_TEST_SOCKDIR}/www.sock names "
                      "${BGW_TEST_SOCKDIR}, which is not set for php-fpm here (no unit runs it, and this process's "
                      "environment has no BGW_TEST_SOCKDIR): not probed"), "%s", err);
        ck_assert_msg(strstr(out, "1 of 1 pool healthy") || strstr(out, "fpm_unit_missing"), "%s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* Pools named in badgatewayd.conf serve what nginx sends them: a fastcgi_pass to a [Pool] Listen=
 * is no socket_mismatch, even when php-fpm's own configuration is elsewhere or missing. */
START_TEST(test_config_pools_serve_passes) {
        struct fpm_env e;
        char text[1024], *out, *err;
        newdir();
        fpm_up(&e);
        snprintf(text, sizeof(text), "http { server { location / { fastcgi_pass unix:%s; } }\n"
                 "server { listen 81; location / { fastcgi_pass unix:%s/gone.sock; } } }\n", fpm_env_socket(&e, 0), dir);
        write_file(path_in("nginx.conf"), text);
        write_file(path_in("error.log"), "");
        snprintf(text, sizeof(text), "[Nginx]\nUser = %s\nConfig = %s\nErrorLog = %s\n[PHP-FPM]\nConfig = %s/none.conf\n"
                 "[Pool www]\nListen = %s\n", servers_nginx_user(), path_in("nginx.conf"), path_in("error.log"), dir,
                 fpm_env_socket(&e, 0));
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        int code = bgw_run(args, &out, &err);
        char gone[300];
        snprintf(gone, sizeof(gone), "unix:%s/gone.sock", dir);
        ck_assert_msg(code == 2 && strstr(out, gone), "exit %d: %s%s", code, out, err);  /* the other pass is stale */
        ck_assert_msg(strstr(out, "socket_mismatch") && !strstr(out, "listen at nowhere"), "%s", out);
        char served[300];
        snprintf(served, sizeof(served), "sends requests to unix:%s,", fpm_env_socket(&e, 0));
        ck_assert_msg(!strstr(out, served), "the configured pool's socket was called unserved: %s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* Pools whose names make one perfdata label ("a b", "a|b"): the second gets _2, none is lost. */
START_TEST(test_perfdata_labels_unique) {
        char text[1024], *out, *err;
        newdir();
        write_file(path_in("none.conf"), "");   /* an empty nginx.conf: no nginx; a missing one is an error */
        snprintf(text, sizeof(text), "[Pool a b]\nListen = %s/x1.sock\n[Pool a|b]\nListen = %s/x2.sock\n"
                 "[Nginx]\nConfig = %s/none.conf\nErrorLog = %s/none.log\n[PHP-FPM]\nConfig = %s/none.conf\n",
                 dir, dir, dir, dir, dir);
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 2);
        ck_assert_msg(strstr(out, "'a_b_probe'=") && strstr(out, "'a_b_2_probe'=") && strstr(out, "'a_b_2_up'="), "%s", out);
        free(out);
        free(err);
        /* a name read from php-fpm's configuration may hold any byte: a label holds printable UTF-8 */
        snprintf(text, sizeof(text), "[global]\nerror_log = %s/fpm.log\n[a=b\x01" "c\xff d\xc3\xa9]\nlisten = %s/x3.sock\n"
                 "user = nobody\npm = static\npm.max_children = 1\n", dir, dir);
        write_file(path_in("fpm.conf"), text);
        write_file(path_in("fpm.log"), "");
        snprintf(text, sizeof(text), "[Nginx]\nConfig = %s/none.conf\nErrorLog = %s/none.log\n[PHP-FPM]\nConfig = %s/fpm.conf\n",
                 dir, dir, dir);
        write_file(path_in("bgw.conf"), text);
        ck_assert_int_eq(bgw_run(args, &out, &err), 2);
        ck_assert_msg(strstr(out, " 'a_b_c__d\xc3\xa9_probe'=") && strstr(out, " 'a_b_c__d\xc3\xa9_up'="), "%s", out);
        free(out);
        free(err);
}
END_TEST

/* check's details come worst first, as its first line names the worst: a critical about an
 * upstream before a warning about a pool, though the diagnosis holds pools first. */
START_TEST(test_check_details_worst_first) {
        struct fpm_env e;
        char text[1024], *out, *err;
        newdir();
        fpm_up(&e);
        snprintf(text, sizeof(text), "[global]\nlog_level = error\n[www]\nlisten = %s\n", fpm_env_socket(&e, 0));
        write_file(path_in("fpm.conf"), text);
        snprintf(text, sizeof(text), "http { server { location / { fastcgi_pass unix:%s/stale.sock; } } }\n", dir);
        write_file(path_in("nginx.conf"), text);
        write_file(path_in("error.log"), "");
        snprintf(text, sizeof(text), "[Nginx]\nUser = %s\nConfig = %s\nErrorLog = %s\n[PHP-FPM]\nConfig = %s\n"
                 "[Pool www]\nListen = %s\n", servers_nginx_user(), path_in("nginx.conf"), path_in("error.log"),
                 path_in("fpm.conf"), fpm_env_socket(&e, 0));
        write_file(path_in("bgw.conf"), text);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 2);
        const char *crit = strstr(out, "\ncritical socket_mismatch"), *warn = strstr(out, "\nwarning fpm_log_level");
        ck_assert_msg(crit && warn && crit < warn, "%s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* (e) */
START_TEST(test_notify) {
        struct fpm_env e;
        struct bgw b;
        const char *env[] = { "WATCHDOG_USEC=300000", NULL };
        newdir();
        fpm_up(&e);
        start_daemon(&b, live_config(&e, "", ""), env, NULL);
        int ready = bgw_wait_note(&b, 0, "READY=1", 0);
        const char *note = json_string_value(json_array_get(b.notes, (size_t) ready));
        ck_assert_msg(strstr(note, "STATUS=OK: 1 of 1 pool healthy"), "%s", note);
        int dog = -1;
        for (int i = 0; i < 3; i++) {
                dog = bgw_wait_note(&b, (size_t) dog + 1, "WATCHDOG=1", 1000);
                ck_assert_int_ge(dog, 0);
        }
        fpm_quit(&e);
        ck_assert_int_ge(bgw_wait_note(&b, 0, "STATUS=FIRING fpm_down www: ", 2000), 0);
        ck_assert_int_eq(bgw_stop(&b), 0);
        ck_assert_int_ge(bgw_wait_note(&b, 0, "STOPPING=1", 1000), 0);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

/*
 * A Nagios/Icinga plugin's output, by the plugin guidelines: the first line is "SERVICE STATE -
 * text", the state word the exit code's, the text without '|'; then optionally " | " and
 * perfdata items separated by one space, each 'label'=value[UOM];[warn];[crit];[min];[max] (label
 * quoted, no ' or = in it; value digits, '-' and '.', or U; UOM one of the guidelines'; warn and
 * crit ranges; trailing fields may go). No later line holds a '|' (it would start more perfdata).
 * Returns the text in text and the perfdata (after "| ", or "") in perf.
 */
#define PERF_ITEM "'[^'=]+'=(U|-?[0-9]+(\\.[0-9]+)?)(us|ms|s|%|B|KB|MB|TB|c)?(;[-0-9.:~@]*){0,4}"
static void plugin_output(const char *out, int code, char *text, size_t tsize, char *perf, size_t psize) {
        static const char *const states[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
        regex_t line_re;
        char first[4096], head[64];
        size_t len = strcspn(out, "\n");
        ck_assert_msg(code >= 0 && code <= 3, "exit %d is no plugin's: %s", code, out);
        ck_assert_uint_lt(len, sizeof(first));
        snprintf(first, sizeof(first), "%.*s", (int) len, out);
        ck_assert_int_eq(regcomp(&line_re, "^BADGATEWAY (OK|WARNING|CRITICAL|UNKNOWN) - [^|]*[^| ]"
                                           "( \\| " PERF_ITEM "( " PERF_ITEM ")*)?$", REG_EXTENDED | REG_NOSUB), 0);
        int match = regexec(&line_re, first, 0, NULL, 0);
        regfree(&line_re);
        ck_assert_msg(match == 0, "not a plugin's first line: '%s'", first);
        snprintf(head, sizeof(head), "BADGATEWAY %s - ", states[code]);
        ck_assert_msg(strncmp(first, head, strlen(head)) == 0, "exit %d, but: %s", code, first);
        const char *bar = strchr(first, '|');
        size_t tlen = bar ? (size_t) (bar - 1 - first) - strlen(head) : len - strlen(head);
        snprintf(text, tsize, "%.*s", (int) tlen, first + strlen(head));
        snprintf(perf, psize, "%s", bar ? bar + 2 : "");
        ck_assert_msg(!out[len] || !strchr(out + len + 1, '|'), "a '|' after the first line: %s", out);
}

/* The first line of `check`'s output is a plugin's: the text in text, the perfdata in perf. */
static int check_plugin(const char *const *args, char *text, size_t tsize, char *perf, size_t psize) {
        char *out, *err;
        int code = bgw_run(args, &out, &err);
        printf("check, exit %d:\n%s", code, out);
        plugin_output(out, code, text, tsize, perf, psize);
        free(out);
        free(err);
        return code;
}

static json_t *check_json(const char *conf, int want_exit) {
        char *out, *err;
        json_error_t je;
        const char *args[] = { "check", "--config", conf, "--json", NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), want_exit);
        json_t *j = json_loads(out, 0, &je);
        ck_assert_msg(json_is_array(j) && json_array_size(j) > 0, "not a JSON array: %s (%s)", out, err);
        free(out);
        free(err);
        return j;
}

static const char *summary_health(json_t *j) {
        json_t *last = json_array_get(j, json_array_size(j) - 1);
        return json_string_value(json_object_get(json_object_get(last, "summary"), "health"));
}

/* (f) */
/* check: the master's stop lines in a log two pools share are evidence for both pools' fpm_down. */
START_TEST(test_check_master_lines) {
        char text[1024], stamp[64];
        time_t now = time(NULL);
        newdir();
        strftime(stamp, sizeof(stamp), "[%d-%b-%Y %H:%M:%S]", localtime(&now));
        snprintf(text, sizeof(text), "%s NOTICE: Terminating ...\n%s NOTICE: exiting, bye-bye!\n", stamp, stamp);
        write_file(path_in("fpm.log"), text);
        append_file(path_in("error.log"), "", 0);
        snprintf(text, sizeof(text), "[Nginx]\nErrorLog = %s/error.log\nUser = %s\n[Pool www]\nListen = %s/www.sock\n"
                 "Log = %s/fpm.log\n[Pool shop]\nListen = %s/shop.sock\nLog = %s/fpm.log\n",
                 dir, servers_nginx_user(), dir, dir, dir, dir);
        write_file(path_in("bgw.conf"), text);
        json_t *j = check_json(path_in("bgw.conf"), 2);
        size_t down = 0;
        for (size_t i = 0; i < json_array_size(j); i++) {
                json_t *a = json_array_get(j, i);
                if (strcmp(json_string_value(json_object_get(a, "cause")) ?: "", "fpm_down") != 0)
                        continue;
                down++;
                json_t *kinds = json_object_get(json_object_get(a, "evidence"), "kinds");
                ck_assert_msg(json_integer_value(json_object_get(kinds, "fpm_stopping")) == 2 && evidence_lines(a) == 2,
                              "%s", json_string_value(json_object_get(a, "pool")));
        }
        ck_assert_uint_eq(down, 2);
        json_decref(j);
}
END_TEST

START_TEST(test_check_exit_codes) {
        struct fpm_env e;
        char *out, *err;
        newdir();
        fpm_up(&e);
        const char *conf = live_config(&e, "", "");
        append_file(path_in("error.log"), "", 0);
        json_t *j = check_json(conf, 0);
        ck_assert_uint_eq(json_array_size(j), 1);
        ck_assert_str_eq(summary_health(j), "ok");
        json_decref(j);

        fpm_quit(&e);
        j = check_json(conf, 2);
        ck_assert_str_eq(summary_health(j), "critical");
        ck_assert_str_eq(json_string_value(json_object_get(json_array_get(j, 0), "cause")), "fpm_down");
        json_decref(j);
        const char *args[] = { "check", "--config", conf, NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 2);
        ck_assert_msg(strncmp(out, "BADGATEWAY CRITICAL - fpm_down www: ", 36) == 0, "%s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

enum squatter { ANSWERS_HTTP, CLOSES, SILENT };

/* A program that holds a TCP port on 127.0.0.1 and is not php-fpm: what a fastcgi_pass or a
 * pool's Listen pointed at the wrong port reaches. It answers like an HTTP server, closes every
 * connection at once, or says nothing. Its comm is "not-fastcgi". */
static pid_t start_squatter(enum squatter how, int *port) {
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(sa);
        ck_assert_int_eq(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(s, 16), 0);
        ck_assert_int_eq(getsockname(s, (struct sockaddr *) &sa, &len), 0);
        *port = ntohs(sa.sin_port);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                static const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
                char request[1024];
                setpgid(0, 0);
                prctl(PR_SET_NAME, "not-fastcgi");
                for (;;) {
                        int c = accept(s, NULL, NULL);
                        if (how == SILENT)
                                continue;       /* holds every connection open, answers nothing */
                        /* read the request first: closing on unread bytes would reset the connection */
                        if (c >= 0 && read(c, request, sizeof(request)) >= 0 && how == ANSWERS_HTTP &&
                            write(c, answer, sizeof(answer) - 1) < 0)
                                _exit(1);
                        if (c >= 0)
                                close(c);
                }
        }
        setpgid(pid, pid);
        harness_track(pid, NULL);
        close(s);
        return pid;
}

static json_t *holder_of(json_t *alert) {
        return json_object_get(json_object_get(alert, "evidence"), "port_holder");
}

/* A config with one pool, tcp, at 127.0.0.1:port. */
static const char *tcp_config(int port) {
        char text[512];
        const char *conf = path_in("bgw.conf");
        snprintf(text, sizeof(text),
                 "[Daemon]\nProbeInterval = %dms\nProbeTimeout = 500ms\nResolveAfter = %dms\n"
                 "[Nginx]\nErrorLog = %s/error.log\nUser = %s\n[Pool tcp]\nListen = 127.0.0.1:%d\n",
                 PROBE_INTERVAL_MS, RESOLVE_AFTER_MS, dir, servers_nginx_user(), port);
        write_file(conf, text);
        append_file(path_in("error.log"), "", 0);
        return conf;
}

/* (g) A TCP pool's port held by a program that is not php-fpm: check and run say who holds it. */
START_TEST(test_port_holder) {
        int port;
        char want[96];
        newdir();
        pid_t squatter = start_squatter(ANSWERS_HTTP, &port);
        const char *conf = tcp_config(port);
        snprintf(want, sizeof(want), "port %d is held by not-fastcgi (pid %d)", port, (int) squatter);

        json_t *j = check_json(conf, 2);
        json_t *a = json_array_get(j, 0);
        ck_assert_str_eq(json_string_value(json_object_get(a, "cause")), "not_fastcgi");
        ck_assert_int_eq(json_integer_value(json_object_get(holder_of(a), "pid")), squatter);
        ck_assert_str_eq(json_string_value(json_object_get(holder_of(a), "comm")), "not-fastcgi");
        const char *summary = json_string_value(json_object_get(a, "summary"));
        ck_assert_msg(strstr(summary, want), "%s", summary);
        json_decref(j);

        struct bgw b;
        start_daemon(&b, conf, NULL, NULL);
        int i = bgw_wait_alert(&b, 0, "not_fastcgi", "firing", harness_ms(5000));
        ck_assert_msg(i >= 0, "no not_fastcgi; stdout: %s stderr: %s", b.out, b.err);
        ck_assert_int_eq(json_integer_value(json_object_get(holder_of(alert_at(&b, i)), "pid")), squatter);
        ck_assert_msg(strstr(json_string_value(json_object_get(alert_at(&b, i), "summary")), want), "%s",
                      json_string_value(json_object_get(alert_at(&b, i), "summary")));
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
}
END_TEST

/* The text of the first line `check` prints (between "BADGATEWAY STATE - " and " | "), and its
 * exit code. */
static int check_line(const char *const *args, char *line, size_t size) {
        char perf[1024];
        return check_plugin(args, line, size, perf, sizeof(perf));
}

/* (h) What one round of `check` makes of a port that closes at once, a port that says nothing,
 * resets in nginx's log with no php-fpm line to pair them with, and a log it cannot read. */
START_TEST(test_check_one_round) {
        int port;
        char line[512], want[400];
        newdir();
        start_squatter(CLOSES, &port);
        const char *args[] = { "check", "--config", tcp_config(port), "--since", "2026-11-25", NULL };
        ck_assert_int_eq(check_line(args, line, sizeof(line)), 1);
        ck_assert_str_eq(line, "0 of 1 pool healthy; pool tcp: probe: the peer closed the connection "
                               "without a whole answer (closed before the answer)");

        pid_t silent = start_squatter(SILENT, &port);
        args[2] = tcp_config(port);
        snprintf(want, sizeof(want), "port %d is held by not-fastcgi (pid %d)", port, (int) silent);
        ck_assert_int_eq(check_line(args, line, sizeof(line)), 2);
        ck_assert_msg(strncmp(line, "pool_saturated tcp: ", 20) == 0 && strstr(line, want), "%s", line);

        struct fpm_env e;
        fpm_up(&e);
        args[2] = live_config(&e, "ResolveAfter = 1h\n", "");     /* the resets are not history */
        append_resets(path_in("error.log"), fpm_env_socket(&e, 0), 3);
        ck_assert_int_eq(check_line(args, line, sizeof(line)), 2);
        ck_assert_msg(strncmp(line, "worker_killed www: ", 19) == 0, "%s", line);

        ck_assert_int_eq(unlink(path_in("error.log")), 0);
        ck_assert_int_eq(check_line(args, line, sizeof(line)), 1);
        snprintf(want, sizeof(want), "1 of 1 pool healthy; 1 log unreadable: %s (No such file or directory)",
                 path_in("error.log"));
        ck_assert_str_eq(line, want);
        /* the long output names it too, for a monitoring system that keeps only stdout */
        char *out, *err;
        ck_assert_int_eq(bgw_run(args, &out, &err), 1);
        snprintf(want, sizeof(want), "\n\nunreadable log: %s: No such file or directory\n", path_in("error.log"));
        ck_assert_msg(strstr(out, want), "%s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* (h2) The plugin's first line in each state, by the guidelines' grammar, with its perfdata:
 * OK, CRITICAL with lines per cause, WARNING, CRITICAL for a pool that is down, and UNKNOWN for a
 * usage error, a missing config, an unreadable timeout. */
START_TEST(test_check_plugin_states) {
        struct fpm_env e;
        char text[1024], perf[1024];
        newdir();
        fpm_up(&e);
        const char *args[] = { "check", "--config", live_config(&e, "ResolveAfter = 1h\n", ""), "--since", "2026-11-25",
                               NULL };
        append_file(path_in("error.log"), "", 0);
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 0);
        ck_assert_str_eq(text, "1 of 1 pool healthy");
        ck_assert_msg(strncmp(perf, "'www_probe'=0.", 14) == 0 && strstr(perf, "s;;;0 'www_up'=1;;;0;1"), "%s", perf);

        append_resets(path_in("error.log"), fpm_env_socket(&e, 0), 3);
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 2);
        ck_assert_msg(strncmp(text, "worker_killed www: ", 19) == 0, "%s", text);
        ck_assert_msg(strstr(perf, "'www_up'=1;;;0;1 'worker_killed_lines'=3;;;0"), "%s", perf);

        ck_assert_int_eq(unlink(path_in("error.log")), 0);
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 1);
        ck_assert_msg(strncmp(text, "1 of 1 pool healthy; 1 log unreadable: /", 40) == 0 &&
                      strstr(text, "/error.log (No such file or directory)"), "%s", text);

        append_file(path_in("error.log"), "", 0);
        fpm_quit(&e);
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 2);
        ck_assert_msg(strncmp(text, "fpm_down www: PHP-FPM pool www is down", 38) == 0, "%s", text);
        ck_assert_msg(strstr(perf, "'www_up'=0;;;0;1"), "%s", perf);
        fpm_down(&e);

        const char *bad_timeout[] = { "check", "--config", path_in("bgw.conf"), "-t", "soon", NULL };
        ck_assert_int_eq(check_plugin(bad_timeout, text, sizeof(text), perf, sizeof(perf)), 3);
        ck_assert_str_eq(text, "usage error: --timeout: not a number of seconds (badgatewayd check --help)");
        ck_assert_str_eq(perf, "");
        const char *no_value[] = { "check", "--config", path_in("bgw.conf"), "-t", NULL };
        ck_assert_int_eq(check_plugin(no_value, text, sizeof(text), perf, sizeof(perf)), 3);
        ck_assert_str_eq(text, "usage error: an option is missing its value (badgatewayd check --help)");
        const char *no_config[] = { "check", "--config", path_in("none.conf"), NULL };
        ck_assert_int_eq(check_plugin(no_config, text, sizeof(text), perf, sizeof(perf)), 3);
        ck_assert_msg(strstr(text, "none.conf: No such file or directory"), "%s", text);
        const char *extra[] = { "check", "stray", NULL };
        ck_assert_int_eq(check_plugin(extra, text, sizeof(text), perf, sizeof(perf)), 3);

        /* a pool's name with what a label may not hold, and a '|' the text may not hold */
        char conf[512];
        snprintf(conf, sizeof(conf), "[Nginx]\nErrorLog = %s/error.log\nUser = %s\n[Pool it's=my pool|x]\n"
                 "Listen = %s/none.sock\n", dir, servers_nginx_user(), dir);
        write_file(path_in("odd.conf"), conf);
        const char *odd[] = { "check", "--config", path_in("odd.conf"), NULL };
        ck_assert_int_eq(check_plugin(odd, text, sizeof(text), perf, sizeof(perf)), 2);
        const char *odd_text = "fpm_down it's=my pool\xc2\xa6x: ";      /* the '|' as U+00A6 */
        ck_assert_msg(strncmp(text, odd_text, strlen(odd_text)) == 0, "%s", text);
        ck_assert_msg(strncmp(perf, "'it_s_my_pool_x_probe'=0.", 25) == 0 && strstr(perf, " 'it_s_my_pool_x_up'=0;;;0;1"),
                      "%s", perf);

        char *out, *err;
        const char *version[] = { "check", "-V", NULL };
        ck_assert_int_eq(bgw_run(version, &out, &err), 0);
        ck_assert_msg(strncmp(out, "badgatewayd ", 12) == 0 && strchr(out, '\n') == out + strlen(out) - 1, "%s", out);
        free(out);
        free(err);
        const char *run_version[] = { "run", "--config", "-V", "--version", NULL };
        ck_assert_int_eq(bgw_run(run_version, &out, &err), 0);
        ck_assert_msg(strncmp(out, "badgatewayd ", 12) == 0, "%s", out);
        free(out);
        free(err);
}
END_TEST

/* (h3) Every pool's probe at once: three pools that accept and never answer, ProbeTimeout=1s, are
 * one second, not three. Then -t shorter than the probes: UNKNOWN, in its time. */
START_TEST(test_check_parallel_probes) {
        int port[3];
        char text[1024], perf[1024], conf[1024];
        newdir();
        for (int i = 0; i < 3; i++)
                start_squatter(SILENT, &port[i]);
        int n = snprintf(conf, sizeof(conf), "[Daemon]\nProbeTimeout = 1s\n[Nginx]\nErrorLog = %s/error.log\nUser = %s\n",
                         dir, servers_nginx_user());
        for (int i = 0; i < 3; i++)
                n += snprintf(conf + n, sizeof(conf) - (size_t) n, "[Pool p%d]\nListen = 127.0.0.1:%d\n", i, port[i]);
        write_file(path_in("bgw.conf"), conf);
        append_file(path_in("error.log"), "", 0);
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        long long t0 = harness_now_ms();
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 2);
        long long took = harness_now_ms() - t0;
        printf("3 silent pools, ProbeTimeout=1s: check took %lld ms\n", took);
        ck_assert_msg(took < harness_ms(2500), "%lld ms", took);
        ck_assert_msg(strncmp(text, "pool_saturated p", 16) == 0 && strstr(text, "(+2 more)"), "%s", text);
        for (int i = 0; i < 3; i++) {
                char want[32];
                snprintf(want, sizeof(want), "'p%d_probe'=1.", i);
                ck_assert_msg(strstr(perf, want), "%s", perf);
                snprintf(want, sizeof(want), "'p%d_up'=0;;;0;1", i);
                ck_assert_msg(strstr(perf, want), "%s", perf);
        }

        n = snprintf(conf, sizeof(conf), "[Daemon]\nProbeTimeout = 30s\n[Nginx]\nErrorLog = %s/error.log\nUser = %s\n"
                     "[Pool slow]\nListen = 127.0.0.1:%d\n", dir, servers_nginx_user(), port[0]);
        write_file(path_in("bgw.conf"), conf);
        const char *short_args[] = { "check", "--config", path_in("bgw.conf"), "-t", "1", NULL };
        t0 = harness_now_ms();
        ck_assert_int_eq(check_plugin(short_args, text, sizeof(text), perf, sizeof(perf)), 3);
        took = harness_now_ms() - t0;
        printf("-t 1, ProbeTimeout=30s: check took %lld ms\n", took);
        ck_assert_str_eq(text, "timed out after 1 s");
        ck_assert_str_eq(perf, "");
        ck_assert_msg(took < harness_ms(2500), "%lld ms", took);
        const char *json_args[] = { "check", "--config", path_in("bgw.conf"), "--timeout", "1", "--json", NULL };
        char *out, *err;
        ck_assert_int_eq(bgw_run(json_args, &out, &err), 3);
        ck_assert_str_eq(out, "[{\"summary\":{\"status\":\"UNKNOWN: timed out after 1 s\",\"health\":\"unknown\","
                              "\"exit\":3}}]\n");
        free(out);
        free(err);
}
END_TEST

static json_t *discover_json(const char *root) {
        char *out, *err;
        json_error_t je;
        const char *args[] = { "discover", "--root", root, "--json", NULL };
        ck_assert_int_eq(bgw_run(args, &out, &err), 0);
        json_t *j = json_loads(out, 0, &je);
        ck_assert_msg(json_is_object(j), "not a JSON object: %s (%s)", out, err);
        free(out);
        free(err);
        return j;
}

static const char *jstr(json_t *o, const char *path) {
        char key[64];
        for (const char *dot; (dot = strchr(path, '.')); path = dot + 1) {
                snprintf(key, sizeof(key), "%.*s", (int) (dot - path), path);
                o = isdigit((unsigned char) key[0]) ? json_array_get(o, (size_t) atoi(key)) : json_object_get(o, key);
        }
        return json_string_value(json_object_get(o, path));
}

/* (i) discover --root: Debian 12's stock nginx and php-fpm trees; then the default site's php
 * location uncommented as Debian ships it, at php7.4's socket; then pointed at php8.2's. */
START_TEST(test_discover_root) {
        char cmd[1024];
        const char *data = getenv("TEST_DATA_DIR");
        newdir();
        snprintf(cmd, sizeof(cmd), "cp -a '%s/nginx-debian12/.' '%s/php-debian12/.' '%s/'", data, data, dir);
        ck_assert_int_eq(system(cmd), 0);
        json_t *j = discover_json(dir);
        ck_assert_str_eq(jstr(j, "nginx.user"), "www-data");
        ck_assert_str_eq(jstr(j, "nginx.error_logs.0.path"), "/var/log/nginx/error.log");
        ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(j, "nginx"), "fastcgi_pass")), 0);
        ck_assert_str_eq(jstr(j, "pools.0.name"), "www");
        ck_assert_str_eq(jstr(j, "pools.0.listen"), "unix:/run/php/php8.2-fpm.sock");
        ck_assert_str_eq(jstr(j, "pools.0.listen_owner"), "www-data");
        ck_assert_str_eq(jstr(j, "pools.0.unit"), "php8.2-fpm.service");
        ck_assert_str_eq(jstr(j, "pools.0.file"), "/etc/php/8.2/fpm/pool.d/www.conf");
        ck_assert_uint_eq(json_array_size(json_object_get(j, "findings")), 0);
        json_decref(j);

        snprintf(cmd, sizeof(cmd), "cp '%s/nginx-variants/default-php74' '%s/etc/nginx/sites-available/default'",
                 data, dir);
        ck_assert_int_eq(system(cmd), 0);
        j = discover_json(dir);
        ck_assert_str_eq(jstr(j, "nginx.fastcgi_pass.0.target"), "unix:/run/php/php7.4-fpm.sock");
        ck_assert_uint_eq(json_array_size(json_object_get(j, "findings")), 1);
        ck_assert_str_eq(jstr(j, "findings.0.cause"), "socket_mismatch");
        ck_assert_str_eq(jstr(j, "findings.0.file"), "/etc/nginx/sites-enabled/default");
        ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(json_object_get(j, "findings"), 0), "line")), 60);
        const char *summary = jstr(j, "findings.0.summary");
        fprintf(stderr, "finding: %s\n", summary);
        ck_assert_msg(strstr(summary, "unix:/run/php/php7.4-fpm.sock") &&
                      strstr(summary, "unix:/run/php/php8.2-fpm.sock (pool www)"), "%s", summary);
        json_decref(j);

        snprintf(cmd, sizeof(cmd), "sed -i 's/php7.4-fpm/php8.2-fpm/' '%s/etc/nginx/sites-available/default'", dir);
        ck_assert_int_eq(system(cmd), 0);
        j = discover_json(dir);
        ck_assert_uint_eq(json_array_size(json_object_get(j, "findings")), 0);
        json_decref(j);

        /* bytes that are not UTF-8 stay in the words, as \xNN; a link out of the root is not followed */
        snprintf(cmd, sizeof(cmd), "mkdir -p '%s/etc/nginx/conf.d' && printf 'server { server_name caf\\351.fr; "
                 "location / { fastcgi_pass unix:/run/php/nope.sock; } }\\n' > '%s/etc/nginx/conf.d/t.conf' && "
                 "ln -s /etc/php '%s/etc/php-outside' && rm -rf '%s/etc/php' && ln -s /etc/php '%s/etc/php'",
                 dir, dir, dir, dir, dir);
        ck_assert_int_eq(system(cmd), 0);
        j = discover_json(dir);
        ck_assert_uint_eq(json_array_size(json_object_get(j, "pools")), 0);    /* /etc/php is the host's */
        ck_assert_str_eq(jstr(j, "nginx.fastcgi_pass.0.server_name"), "caf\\xe9.fr");
        json_decref(j);
        char *out, *err;
        const char *bad_root[] = { "discover", "--root", path_in("no-such-dir"), NULL };
        ck_assert_int_eq(bgw_run(bad_root, &out, &err), 64);
        ck_assert_msg(strstr(err, "No such file or directory"), "%s", err);
        free(out);
        free(err);
}
END_TEST

/* nginx's connect() to the pool's socket refused (111), stamped age seconds ago in nginx's local
 * time; *hhmm gets that time as "13:05". */
static void append_refused(const char *sock, long age, char hhmm[static 8]) {
        char when[32], line[768];
        time_t t = time(NULL) - age;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y/%m/%d %H:%M:%S", &tm);
        strftime(hhmm, 8, "%H:%M", &tm);
        int n = snprintf(line, sizeof(line),
                         "%s [error] 4242#4242: *1 connect() to unix:%s failed (111: Connection refused) while "
                         "connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", "
                         "upstream: \"fastcgi://unix:%s:\", host: \"x\"\n", when, sock, sock);
        append_file(path_in("error.log"), line, (size_t) n);
}

/* (v) A refusal 5 minutes old while the pool answers now is history: a warning in the past
 * tense, not "is down". Run as a user that may not connect to the socket (NRPE without sudo),
 * the check says so and that the pool's state is unknown; a refusal just now is still critical. */
START_TEST(test_check_past_refusal) {
        struct fpm_env e;
        char text[1024], perf[1024], want[512], hhmm[8], now_hhmm[8];
        newdir();
        fpm_up(&e);
        /* a refusal "just now" (below) stays within ResolveAfter however slow the run */
        const char *args[] = { "check", "--config", live_config(&e, "ResolveAfter = 1m\n", ""), NULL };
        write_file(path_in("error.log"), "");
        append_refused(fpm_env_socket(&e, 0), 300, hhmm);
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 1);
        snprintf(want, sizeof(want), "fpm_down www: PHP-FPM pool www was down or restarting: nginx could not reach "
                 "it 1 time (last at %s); it answers now.", hhmm);
        ck_assert_str_eq(text, want);
        ck_assert_msg(strstr(perf, "'www_up'=1;;;0;1 'fpm_down_lines'=1;;;0"), "%s", perf);
        json_t *j = check_json(args[2], 1);
        ck_assert_str_eq(summary_health(j), "warning");
        ck_assert_msg(json_is_true(json_object_get(json_array_get(j, 0), "past")), "not marked past");
        json_decref(j);

        if (geteuid() != 0 || !getpwnam("nobody")) {
                fpm_down(&e);
                return;
        }
        char *out, *err;
        ck_assert_int_eq(bgw_run_as("nobody", args, &out, &err), 3);
        printf("check as nobody:\n%s", out);
        plugin_output(out, 3, text, sizeof(text), perf, sizeof(perf));
        snprintf(want, sizeof(want), "pool www: this check (user nobody) may not connect to %s (", fpm_env_socket(&e, 0));
        ck_assert_msg(strncmp(text, want, strlen(want)) == 0 && strstr(text, "mode 0660), so the pool's state is unknown"),
                      "%s", text);
        ck_assert_msg(strstr(perf, "'www_up'=U"), "%s", perf);
        ck_assert_msg(!strstr(out, "is down") && !strstr(out, "no configured pool answers"), "%s", out);
        free(out);
        free(err);
        append_refused(fpm_env_socket(&e, 0), 0, now_hhmm);     /* nginx refused just now: that stands */
        ck_assert_int_eq(bgw_run_as("nobody", args, &out, &err), 2);
        plugin_output(out, 2, text, sizeof(text), perf, sizeof(perf));
        ck_assert_msg(strncmp(text, "fpm_down www: ", 14) == 0, "%s", text);
        ck_assert_msg(strstr(out, "\nunknown pool www: this check (user nobody) may not connect"), "%s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

/* A line of nginx's (or php-fpm's, fpm = true) log written age seconds ago, to path. */
static void append_aged(const char *path, long age, bool fpm, const char *text, char hhmm[static 8]) {
        char when[32], line[1024];
        time_t t = time(NULL) - age;
        struct tm tm;
        localtime_r(&t, &tm);
        strftime(when, sizeof(when), fpm ? "[%d-%b-%Y %H:%M:%S]" : "%Y/%m/%d %H:%M:%S", &tm);
        strftime(hhmm, 8, "%H:%M", &tm);
        int n = snprintf(line, sizeof(line), "%s %s\n", when, text);
        append_file(path, line, (size_t) n);
}

static void append_refusals(const char *path, const char *sock, long age, int n, char hhmm[static 8]) {
        char text[768];
        snprintf(text, sizeof(text), "[error] 4242#4242: *1 connect() to unix:%s failed (111: Connection refused) "
                 "while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", "
                 "upstream: \"fastcgi://unix:%s:\", host: \"x\"", sock, sock);
        for (int i = 0; i < n; i++)
                append_aged(path, age, false, text, hhmm);
}

/* Connections php-fpm accepts or queues and never gets a request on: with pm.max_children = 1 and
 * listen.backlog = 1, the next connect() fails with EAGAIN (backlog_full), as under slow requests. */
static int fill_pool(const char *sock, int *fds, int max) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        int n = 0;
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", sock);
        for (; n < max; n++) {
                fds[n] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
                if (fds[n] < 0 || connect(fds[n], (struct sockaddr *) &a, sizeof(a)) < 0) {
                        bool full = errno == EAGAIN;
                        close(fds[n]);
                        return full ? n : -1;
                }
                harness_ms(100);        /* the worker accepts the first one */
        }
        return -1;
}

/* bgw.conf: pool www of php-fpm e, its log fpm.log, nginx's error.log and an nginx.conf whose one
 * fastcgi_pass goes to the pool, ResolveAfter as given. */
static void write_conf(const struct fpm_env *e, const char *resolve_after) {
        char text[1600];
        snprintf(text, sizeof(text), "events { }\nhttp { server { listen 127.0.0.1:8080; location / { fastcgi_pass "
                 "unix:%s; } } }\n", fpm_env_socket(e, 0));
        write_file(path_in("nginx.conf"), text);
        snprintf(text, sizeof(text), "[Daemon]\nProbeTimeout = 500ms\nResolveAfter = %s\n[Nginx]\nErrorLog = %s/error.log\n"
                 "User = %s\nConfig = %s/nginx.conf\n[PHP-FPM]\nConfig = %s/php-fpm.conf\n[Pool www]\nListen = %s\n"
                 "Log = %s/fpm.log\n", resolve_after, dir, servers_nginx_user(), dir, e->dir, fpm_env_socket(e, 0), dir);
        write_file(path_in("bgw.conf"), text);
}

static json_t *alert_of(json_t *all, const char *cause) {
        for (size_t i = 0; i + 1 < json_array_size(all); i++)
                if (strcmp(json_string_value(json_object_get(json_array_get(all, i), "cause")) ?: "", cause) == 0)
                        return json_array_get(all, i);
        return NULL;
}

/* (w) check on a pool that is alive but full, with older failures in a rotated log: pool_saturated is
 * the verdict; the older refusals are fpm_down in the past tense, counted and timed by nginx's
 * lines alone (php-fpm's own stop notices after them are not failures); a line to a socket no
 * pool serves stays socket_mismatch. Then, the pool free again: a worker kill before the probe
 * answered is history, and with ResolveAfter = 60s a mismatch 90 s old is too. */
/* (w) logrotate's dateext names (error.log-YYYYMMDD, .gz or not) are read as the numbered ones are:
 * refusals 3 minutes old, rotated away since, are the history check reports. */
START_TEST(test_check_dateext) {
        struct fpm_env e;
        char text[1024], perf[1024], want[512], hhmm[8], rotated[300];
        newdir();
        fpm_up(&e);
        write_conf(&e, "1h");
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        char day[16];
        strftime(day, sizeof(day), "%Y%m%d", &tm);
        snprintf(rotated, sizeof(rotated), "error.log-%s", day);
        append_refusals(path_in(rotated), fpm_env_socket(&e, 0), 180, 2, hhmm);
        write_file(path_in("error.log"), "");
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        ck_assert_int_eq(check_plugin(args, text, sizeof(text), perf, sizeof(perf)), 1);
        snprintf(want, sizeof(want), "fpm_down www: PHP-FPM pool www was down or restarting: nginx could not reach "
                 "it 2 times (last at %s)", hhmm);
        ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "want '%s', got '%s'", want, text);
        fpm_down(&e);
}
END_TEST

START_TEST(test_check_saturated_history) {
        struct fpm_env e;
        struct fpm_pool pool = { "www", false, NULL };
        char lines[256], text[1024], perf[1024], want[1024], hhmm[8], later[8], path[256];
        int fds[16];
        newdir();
        snprintf(lines, sizeof(lines), "pm = static\npm.max_children = 1\nlisten.backlog = 1\n%s",
                 geteuid() == 0 ? "listen.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n" : "");
        pool.lines = lines;
        ck_assert_msg(fpm_env_start(&e, &pool, 1) == 0, "php-fpm: %s", e.error);
        harness_track(e.pid, e.dir);
        const char *sock = fpm_env_socket(&e, 0);
        write_conf(&e, "1h");
        const char *args[] = { "check", "--config", path_in("bgw.conf"), NULL };
        snprintf(path, sizeof(path), "%s/php-fmp.sock", dir);
        append_refusals(path_in("error.log.1"), sock, 200, 6, hhmm);    /* rotated: mv + nginx -s reopen */
        append_refusals(path_in("error.log.1"), path, 190, 1, later);
        write_file(path_in("error.log"), "");
        append_aged(path_in("fpm.log"), 100, true, "NOTICE: Terminating ...", later);
        append_aged(path_in("fpm.log"), 100, true, "NOTICE: exiting, bye-bye!", later);
        append_aged(path_in("fpm.log"), 99, true, "NOTICE: fpm is running, pid 4242", later);
        append_aged(path_in("fpm.log"), 99, true, "NOTICE: ready to handle connections", later);
        int n = fill_pool(sock, fds, 16);
        ck_assert_msg(n > 0, "php-fpm's backlog did not fill");
        char *out, *err;
        int code = bgw_run(args, &out, &err);
        printf("check on a full pool, exit %d:\n%s", code, out);
        plugin_output(out, 2, text, sizeof(text), perf, sizeof(perf));
        ck_assert_msg(strncmp(text, "pool_saturated www: ", 20) == 0, "%s", text);
        snprintf(want, sizeof(want), "\nwarning fpm_down www: PHP-FPM pool www was down or restarting: nginx could not "
                 "reach it 6 times (last at %s); it takes connections now", hhmm);
        ck_assert_msg(strstr(out, want), "want '%s' in: %s", want, out);
        snprintf(want, sizeof(want), "\nwarning socket_mismatch unix:%s: Earlier on upstream unix:%s: fastcgi_pass names a "
                 "socket or port nobody serves, 1 time (last at ", path, path);
        ck_assert_msg(strstr(out, want) && strstr(out, "); nginx's configuration as read now sends there no more.\n") &&
                      !strstr(out, "no configured pool answers"), "%s", out);
        free(out);
        free(err);
        const char *json_args[] = { "check", "--config", path_in("bgw.conf"), "--json", NULL };
        ck_assert_int_eq(bgw_run(json_args, &out, &err), 2);
        json_t *j = json_loads(out, 0, NULL), *down = alert_of(j, "fpm_down");
        ck_assert_msg(down, "%s", out);
        struct tm tm = { 0 };
        const char *got = json_string_value(json_object_get(json_object_get(down, "evidence"), "first_line"));
        ck_assert_msg(got && strptime(got, "%Y-%m-%dT%H:%M:%S", &tm), "first_line %s", got);
        long age = (long) (time(NULL) - timegm(&tm));   /* the line's own time, not the check's */
        ck_assert_msg(age >= 200 && age <= 215, "first_line %s is %ld s old, not 200", got, age);
        json_decref(j);
        free(out);
        free(err);
        for (int i = 0; i < n; i++)
                close(fds[i]);

        write_conf(&e, "60s");
        write_file(path_in("error.log.1"), "");
        write_file(path_in("fpm.log"), "");
        snprintf(want, sizeof(want), "[error] 4242#4242: *9 recv() failed (104: Connection reset by peer) while reading "
                 "response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: "
                 "\"fastcgi://unix:%s:\", host: \"x\"", sock);
        append_aged(path_in("error.log"), 90, false, want, later);
        append_refusals(path_in("error.log"), path, 90, 1, later);
        code = bgw_run(args, &out, &err);
        printf("check 90 s later, exit %d:\n%s", code, out);
        plugin_output(out, 1, text, sizeof(text), perf, sizeof(perf));
        ck_assert_msg(strncmp(text, "worker_killed www: Earlier on pool www: ", 40) == 0 &&
                      strstr(text, "nothing since for 60 s"), "%s", text);
        snprintf(want, sizeof(want), "\nwarning socket_mismatch unix:%s: Earlier on upstream ", path);
        ck_assert_msg(strstr(out, want), "%s", out);
        free(out);
        free(err);
        fpm_down(&e);
}
END_TEST

static TCase *daemon_case(const char *name) {
        TCase *tc = tcase_create(name);
        tcase_add_unchecked_fixture(tc, harness_setup, harness_teardown);
        tcase_set_timeout(tc, 300);
        return tc;
}

int main(void) {
        if (access(fpm_env_binary(), X_OK) < 0) {
                printf("skipped: no %s (set PHP_FPM)\n", fpm_env_binary());
                return 77;
        }
        Suite *s = suite_create("daemon");
        TCase *tc = daemon_case("config");
        tcase_add_test(tc, test_check_config);
        tcase_add_test(tc, test_no_pool_anywhere);
        tcase_add_test(tc, test_run_waits_for_pool);
        tcase_add_test(tc, test_kmsg_lines_counted);
        tcase_add_test(tc, test_discover_root);
        tcase_add_test(tc, test_run_bad_config);
        tcase_add_test(tc, test_perfdata_labels_unique);
        tcase_add_test(tc, test_stdout_closed);
        suite_add_tcase(s, tc);
        tc = daemon_case("envvar");     /* its own case: the live one tracks as many processes as it may */
        tcase_add_test(tc, test_check_unset_var_not_probed);
        suite_add_tcase(s, tc);
        tc = daemon_case("fpmlog");
        tcase_add_test(tc, test_fpm_master_lines);
        tcase_add_test(tc, test_check_master_lines);
        suite_add_tcase(s, tc);
        tc = daemon_case("remedies");
        tcase_add_test(tc, test_terminate_timeout_remedy);
        suite_add_tcase(s, tc);
        tc = daemon_case("live");
        tcase_add_test(tc, test_fpm_down_then_resolved);
        tcase_add_test(tc, test_burst);
        tcase_add_test(tc, test_reload);
        tcase_add_test(tc, test_config_change_reloads);
        tcase_add_test(tc, test_config_finding_then_502);
        tcase_add_test(tc, test_acl_pool_no_finding);
        tcase_add_test(tc, test_check_config_problem);
        tcase_add_test(tc, test_config_pools_serve_passes);
        tcase_add_test(tc, test_check_details_worst_first);
        tcase_add_test(tc, test_notify);
        tcase_add_test(tc, test_check_exit_codes);
        tcase_add_test(tc, test_port_holder);
        tcase_add_test(tc, test_check_one_round);
        tcase_add_test(tc, test_check_plugin_states);
        tcase_add_test(tc, test_check_parallel_probes);
        suite_add_tcase(s, tc);
        tc = daemon_case("verdict");
        tcase_add_test(tc, test_check_past_refusal);
        tcase_add_test(tc, test_check_saturated_history);
        tcase_add_test(tc, test_check_dateext);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
