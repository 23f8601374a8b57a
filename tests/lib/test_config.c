#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "duration.h"
#include "fixtures.h"
#include "url.h"             /* the daemon's URL checker, libcurl's parser */
#include "urlmask.h"

#include <curl/curl.h>

static struct config *c;
static struct config_error err;

static void setup(void) {
        c = calloc(1, sizeof(*c));
        config_set_url_check(url_check);
}

static void teardown(void) {
        free(c);
}

static int parse(const char *text) {
        return config_parse_string(c, "/etc/badgatewayd/badgatewayd.conf", text, &err);
}

static const char good[] =
        "# comment\n"
        "[Daemon]\n"
        "ProbeInterval = 10s\n"
        "ProbeTimeout = 1500ms\n"
        "ResolveAfter = 2min\n"
        "ReadFromStart = yes\n"
        "\n"
        "[Nginx]\n"
        "ErrorLog = /var/log/nginx/error.log\n"
        "ErrorLog = /var/log/nginx/site.error.log\n"
        "User = nginx\n"
        "\n"
        "[Pool www]\n"
        "Listen = /run/php/php8.2-fpm.sock\n"
        "Unit = php8.2-fpm.service\n"
        "Log = /var/log/php8.2-fpm.log\n"
        "PingPath = /ping\n"
        "\n"
        "[Pool api]\n"
        "Listen = 127.0.0.1:9001\n";

START_TEST(test_good_config) {
        ck_assert_int_eq(parse(good), 0);
        ck_assert_uint_eq(c->probe_interval_usec, 10000000);
        ck_assert_uint_eq(c->probe_timeout_usec, 1500000);
        ck_assert_uint_eq(c->resolve_after_usec, 120000000);
        ck_assert_uint_eq(c->summary_interval_usec, 300000000);
        ck_assert(c->read_from_start);
        ck_assert_uint_eq(c->catch_up_bytes, 50ULL << 20);    /* the default */
        ck_assert_int_eq(c->n_nginx_logs, 2);
        ck_assert_str_eq(c->nginx_logs[1], "/var/log/nginx/site.error.log");
        ck_assert_str_eq(c->nginx_user, "nginx");
        ck_assert_int_eq(c->n_pools, 2);
        ck_assert_str_eq(c->pools[0].name, "www");
        ck_assert_str_eq(c->pools[0].unit, "php8.2-fpm.service");
        ck_assert_str_eq(c->pools[0].ping_path, "/ping");
        ck_assert_int_eq(c->pools[0].line, 13);
        ck_assert_str_eq(c->pools[1].listen, "127.0.0.1:9001");
        ck_assert_str_eq(c->pools[1].unit, "");
        ck_assert_int_eq(c->pools[0].address.kind, ADDRESS_UNIX);
        ck_assert_str_eq(c->pools[0].address.text, "unix:/run/php/php8.2-fpm.sock");
        ck_assert_int_eq(c->pools[1].address.kind, ADDRESS_INET);
        ck_assert_str_eq(c->pools[1].address.text, "127.0.0.1:9001");
        ck_assert_uint_eq(c->pools[1].address.port, 9001);
}
END_TEST

START_TEST(test_defaults) {
        ck_assert_int_eq(parse("[Pool www]\nListen = /run/php/php8.2-fpm.sock\n"), 0);
        ck_assert_uint_eq(c->probe_interval_usec, 5000000);
        ck_assert_int_eq(c->n_nginx_logs, 0);           /* nginx's own, found by loadconf() */
        ck_assert_str_eq(c->nginx_user, "");
        ck_assert_str_eq(c->nginx_conf, "");
        ck_assert_int_eq(c->n_fpm_confs, 0);
        ck_assert_ptr_null(c->host);
        ck_assert(!c->read_from_start);
}
END_TEST

/* No section at all is a valid file: pools, logs and the user come from discovery. */
START_TEST(test_no_pools_is_fine) {
        ck_assert_int_eq(parse("[Daemon]\nProbeInterval = 5s\n"), 0);
        ck_assert_int_eq(c->n_pools, 0);
        ck_assert_int_eq(parse("# nothing\n"), 0);
}
END_TEST


static void expect_error(const char *text, const char *want) {
        ck_assert_int_eq(parse(text), -EINVAL);
        ck_assert_str_eq(err.text, want);
}

START_TEST(test_configuration_paths) {
        ck_assert_int_eq(parse("[Nginx]\nConfig = /srv/nginx/nginx.conf\n[PHP-FPM]\nConfig = /etc/php/8.3/fpm/php-fpm.conf\n"
                               "Config = /opt/site/php-fpm.conf\n"), 0);
        ck_assert_str_eq(c->nginx_conf, "/srv/nginx/nginx.conf");
        ck_assert_int_eq(c->n_fpm_confs, 2);
        ck_assert_str_eq(c->fpm_confs[0], "/etc/php/8.3/fpm/php-fpm.conf");
        ck_assert_str_eq(c->fpm_confs[1], "/opt/site/php-fpm.conf");
        expect_error("[PHP-FPM]\nConfig = php-fpm.conf\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: Config: 'php-fpm.conf' is not an absolute path");
        expect_error("[PHP-FPM]\nConfg = /x\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: unknown key 'Confg' in [PHP-FPM]; did you mean 'Config'?");
        expect_error("[PHP-FPN]\n", "/etc/badgatewayd/badgatewayd.conf:1: unknown section 'PHP-FPN'; did you mean 'PHP-FPM'?");
}
END_TEST

#define AT "/etc/badgatewayd/badgatewayd.conf:"

/* Each message names the line at fault and what is wrong there, not a symptom further on. */
START_TEST(test_messages_say_the_fault) {
        expect_error("[Daemon\nProbeInterval = 1s\n", AT "1: the section header '[Daemon' is not closed: ']' is missing");
        expect_error("[Journal]\nFollow = sometimes\n", AT "2: Follow: 'sometimes' is not auto, yes or no");
        expect_error("[Daemon]\nProbeInterval = 0\n", AT "2: ProbeInterval: '0' is out of range (10ms to 1h)");
        expect_error("[Alertmanager]\nResendInterval = 0\n", AT "2: ResendInterval: '0' is out of range (1s to 1h)");
        expect_error("[Pool ]\nListen = /run/x.sock\n",
                     AT "1: [Pool ] has no name: a pool's section is [Pool NAME], the name alerts give it");
        expect_error("[Pool]\n", AT "1: [Pool] has no name: a pool's section is [Pool NAME], the name alerts give it");
        expect_error("[Pool \xff\x01]\nListen = /run/x.sock\n", AT "1: the section name holds a control byte or is not UTF-8");
        expect_error("[Pool a\x1b[2Jb]\n", AT "1: the section name holds a control byte or is not UTF-8");
        expect_error("[Pool a\xc2\x9b" "b]\n", AT "1: the section name holds a control byte or is not UTF-8");
        ck_assert_int_eq(parse("[Pool caf\xc3\xa9" "]\nListen = /run/x.sock\n"), 0);
}
END_TEST

/* systemd's rule (systemd.syntax(7)): a comment is a line whose first non-blank is '#' or ';';
 * either one after a value is refused alike (libinih would drop "; x" and keep "# x"). */
START_TEST(test_comments_on_their_own_line) {
        ck_assert_int_eq(parse("# a\n; b\n  # c\n[Pool www]\n;Listen = /no.sock\nListen = /run/x.sock\n"
                               "PingPath = /ping#x\n"), 0);
        ck_assert_str_eq(c->pools[0].listen, "/run/x.sock");
        ck_assert_str_eq(c->pools[0].ping_path, "/ping#x");
        expect_error("[Daemon]\nProbeInterval = 5s ; five\n",
                     AT "2: '; five' after the value: a comment goes on a line of its own, with '#' or ';' first (as in "
                     "systemd's files)");
        expect_error("[Daemon]\nProbeInterval = 5s\t# five\n",
                     AT "2: '# five' after the value: a comment goes on a line of its own, with '#' or ';' first (as in "
                     "systemd's files)");
        expect_error("[Daemon] ; x\n", AT "1: '; x' after the section header: a comment goes on a line of its own, with "
                     "'#' or ';' first (as in systemd's files)");
        expect_error("[Daemon] x\n", AT "1: 'x' after the section header: nothing may follow ']'");
}
END_TEST

/* A directory is no socket path: probing it would say "nothing listens" forever. */
START_TEST(test_listen_directory) {
        expect_error("[Pool x]\nListen = /\n", AT "2: Listen: '/' is a directory, not a socket path (/run/php/x.sock)");
        expect_error("[Pool x]\nListen = /run/php/\n",
                     AT "2: Listen: '/run/php/' is a directory, not a socket path (/run/php/x.sock)");
        char dir[128], text[256], want[512];
        fixture_newdir(dir);
        snprintf(text, sizeof(text), "[Pool x]\nListen = unix:%s\n", dir);
        snprintf(want, sizeof(want), AT "2: Listen: 'unix:%s' is a directory, not a socket path (/run/php/x.sock)", dir);
        expect_error(text, want);
        rmdir(dir);
        ck_assert_int_eq(parse(text), 0);       /* not there (yet): php-fpm makes it */
}
END_TEST

START_TEST(test_unknown_key_suggests) {
        expect_error("[Daemon]\nProbeIntervall = 5s\n[Pool www]\nListen = /x.sock\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: unknown key 'ProbeIntervall' in [Daemon]; did you mean 'ProbeInterval'?");
        expect_error("[Pool www]\nlisten = /x.sock\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: unknown key 'listen' in [Pool www]; did you mean 'Listen'?");
        expect_error("[Nginx]\nFrobnicate = 1\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: unknown key 'Frobnicate' in [Nginx]");
}
END_TEST

START_TEST(test_catch_up_sizes) {
        static const struct { const char *text; uint64_t bytes; } sizes[] = {
                { "1024", 1024 }, { "512K", 512 << 10 }, { "50M", 50 << 20 }, { "50MB", 50 << 20 },
                { "2 GiB", 2ULL << 30 }, { "1t", 1ULL << 40 }, { "4096B", 4096 },
        };
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                char text[64];
                snprintf(text, sizeof(text), "[Daemon]\nCatchUp = %s\n", sizes[i].text);
                ck_assert_msg(parse(text) == 0, "%s: %s", sizes[i].text, err.text);
                ck_assert_uint_eq(c->catch_up_bytes, sizes[i].bytes);
        }
}
END_TEST

START_TEST(test_bad_values) {
        expect_error("[Daemon]\n\nProbeInterval = 5 sekunden\n",
                     "/etc/badgatewayd/badgatewayd.conf:3: ProbeInterval: '5 sekunden' is not a duration (examples: 5s, 250ms, 5 min, 1h 30min)");
        expect_error("[Daemon]\nProbeTimeout = 0\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ProbeTimeout: '0' is out of range (1ms to 10min)");
        expect_error("[Daemon]\nProbeTimeout = 25d\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ProbeTimeout: '25d' is out of range (1ms to 10min)");
        expect_error("[Daemon]\nResolveAfter = 5124000000h\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ResolveAfter: '5124000000h' is out of range (1ms to 7d)");
        expect_error("[Daemon]\nProbeInterval = 1ms\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ProbeInterval: '1ms' is out of range (10ms to 1h)");
        expect_error("[Daemon]\nCatchUp = lots\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: CatchUp: 'lots' is not a size (examples: 50M, 512K, 1G)");
        expect_error("[Daemon]\nCatchUp = 5X\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: CatchUp: '5X' is not a size (examples: 50M, 512K, 1G)");
        expect_error("[Daemon]\nCatchUp = 100\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: CatchUp: '100' is out of range (1K to 1T)");
        expect_error("[Daemon]\nCatchUp = 2T\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: CatchUp: '2T' is out of range (1K to 1T)");
        expect_error("[Daemon]\nCatchUp = 99999999999999999999999G\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: CatchUp: '99999999999999999999999G' is not a size (examples: 50M, 512K, 1G)");
        expect_error("[Daemon]\nCatchUp = 17179869184G\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: CatchUp: '17179869184G' is out of range (1K to 1T)");
        expect_error("[Daemon]\nReadFromStart = maybe\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ReadFromStart: 'maybe' is not a boolean (yes or no)");
        expect_error("[Pool www]\nListen = php.example.com:9000\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: Listen: 'php.example.com:9000' is not a listen address "
                     "(/run/php/x.sock, unix:/path, 127.0.0.1:9000, [::1]:9000, localhost:9000 or a port)");
        static const char *good_listens[] = { "/run/php/x.sock", "unix:/run/x.sock", "127.0.0.1:9000",
                                              "[::1]:9000", "localhost:9000", "9000", "unix:///run/x.sock",
                                              "0.0.0.0:9000", "[::]:9000" };
        for (unsigned i = 0; i < sizeof(good_listens) / sizeof(good_listens[0]); i++) {
                char text[128];
                snprintf(text, sizeof(text), "[Pool www]\nListen = %s\n", good_listens[i]);
                ck_assert_msg(parse(text) == 0, "%s: %s", good_listens[i], err.text);
        }
        static const char *bad_listens[] = { "run/x.sock", "127.0.0.1", "127.0.0.1:99999", "[::1:9000", "1.2.3:80",
                                             "php_backend", "fastcgi://127.0.0.1:9000", "unix:" };
        for (unsigned i = 0; i < sizeof(bad_listens) / sizeof(bad_listens[0]); i++) {
                char text[128];
                snprintf(text, sizeof(text), "[Pool www]\nListen = %s\n", bad_listens[i]);
                ck_assert_msg(parse(text) == -EINVAL, "accepted %s", bad_listens[i]);
        }
        char path[ADDRESS_PATH_MAX + 2], text[256], want[512];
        memset(path, 'x', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = '\0';
        snprintf(text, sizeof(text), "[Pool www]\nListen = %s\n", path);
        snprintf(want, sizeof(want), "/etc/badgatewayd/badgatewayd.conf:2: Listen: '%s' is longer than a unix "
                 "socket path may be (107 bytes)", path);
        expect_error(text, want);
        expect_error("[Nginx]\nErrorLog = logs/error.log\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ErrorLog: 'logs/error.log' is not an absolute path");
}
END_TEST

START_TEST(test_push_sections) {
        ck_assert_int_eq(parse("[Alertmanager]\nURL = http://127.0.0.1:9093\nResendInterval = 30s\n"
                               "[Webhook]\nURL = https://chat.example.com/hooks/x?token=a%20b\n"), 0);
        ck_assert_str_eq(c->alertmanager_url, "http://127.0.0.1:9093");
        ck_assert_uint_eq(c->alertmanager_resend_usec, 30 * 1000000ULL);
        ck_assert_str_eq(c->webhook_url, "https://chat.example.com/hooks/x?token=a%20b");
        ck_assert_int_eq(parse("[Daemon]\n"), 0);
        ck_assert_str_eq(c->alertmanager_url, "");
        ck_assert_uint_eq(c->alertmanager_resend_usec, 60 * 1000000ULL);
        expect_error("[Alertmanager]\nURL = 127.0.0.1:9093\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: URL: '127.0.0.1:9093' is not an http:// or https:// URL: "
                     "not http:// or https:// (example: http://127.0.0.1:9093)");
        expect_error("[Webhook]\nURL = http:///x\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: URL: 'http:///x' is not an http:// or https:// URL: "
                     "no host (example: http://127.0.0.1:9093)");
        expect_error("[Webhook]\nURL = http://a b\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: URL: 'http://a b' is not an http:// or https:// URL: "
                     "a space or control byte (example: http://127.0.0.1:9093)");
        static const struct {
                const char *url, *why;
        } bad[] = {
                { "http://127.0.0.1:99999", "Port number was not a decimal number between 0 and 65535" },
                { "http://[::1", "Bad IPv6 address" },
                { "http://127.0.0.1:", "a ':' with no port number after it" },
                { "http://127.0.0.1:/x", "a ':' with no port number after it" },
                { "http://127.0.0.1:0", "port 0" },
                { "http://:80", "No host part in the URL" },
                { "ftp://x", "not http:// or https://" },
        };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[96], want[256];
                snprintf(text, sizeof(text), "[Alertmanager]\nURL = %s\n", bad[i].url);
                snprintf(want, sizeof(want), "/etc/badgatewayd/badgatewayd.conf:2: URL: '%s' is not an http:// or "
                         "https:// URL: %s (example: http://127.0.0.1:9093)", bad[i].url, bad[i].why);
                expect_error(text, want);
        }
        expect_error("[Alertmanager]\nURL = http://alice:s3cret@127.0.0.1:/?token=abc123\n",     /* no secret shown */
                     "/etc/badgatewayd/badgatewayd.conf:2: URL: 'http://alice:***@127.0.0.1:/?token=***' is not an http:// "
                     "or https:// URL: a ':' with no port number after it (example: http://127.0.0.1:9093)");
        ck_assert_int_eq(parse("[Alertmanager]\nURL = https://[::1]:65535/api\n[Webhook]\nURL = http://h:1?a=b:\n"), 0);
        ck_assert_str_eq(c->alertmanager_url, "https://[::1]:65535/api");
        expect_error("[Alertmanager]\nResendInterval = 500ms\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: ResendInterval: '500ms' is out of range (1s to 1h)");
        expect_error("[Daemon]\nResendInterval = 1min\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: unknown key 'ResendInterval' in [Daemon]");
        expect_error("[Alertmanager]\nUrl = http://x\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: unknown key 'Url' in [Alertmanager]; did you mean 'URL'?");
        expect_error("[AlertManagr]\n",
                     "/etc/badgatewayd/badgatewayd.conf:1: unknown section 'AlertManagr'; did you mean 'Alertmanager'?");
}
END_TEST

static int cannot_check(const char *url, const char **why) {
        *why = "cannot load /x/badgatewayd-net.so: No such file or directory";
        return -ELIBACC;
}

/* A checker that cannot check, and none at all: an error at the URL's line, naming the section. */
START_TEST(test_url_checker_missing) {
        config_set_url_check(cannot_check);
        expect_error("[Daemon]\n[Webhook]\nURL = http://127.0.0.1:1\n",
                     "/etc/badgatewayd/badgatewayd.conf:3: cannot load /x/badgatewayd-net.so: No such file or "
                     "directory; [Webhook] needs it");
        ck_assert_int_eq(parse("[Alertmanager]\nResendInterval = 5s\n"), 0);
        config_set_url_check(NULL);
        expect_error("[Alertmanager]\nURL = http://127.0.0.1:1\n",
                     "/etc/badgatewayd/badgatewayd.conf:2: this program has no URL checker; [Alertmanager] needs it");
}
END_TEST

START_TEST(test_sections) {
        expect_error("[Deamon]\nProbeInterval = 5s\n",
                     "/etc/badgatewayd/badgatewayd.conf:1: unknown section 'Deamon'; did you mean 'Daemon'?");
        expect_error("ProbeInterval = 5s\n",
                     "/etc/badgatewayd/badgatewayd.conf:1: 'ProbeInterval' is outside any section ([Daemon], [Nginx], [PHP-FPM] or [Pool NAME])");
        expect_error("[Pool www]\nListen = /a.sock\n[Pool www]\nListen = /b.sock\n",
                     "/etc/badgatewayd/badgatewayd.conf:3: duplicate section [Pool www] (first at line 1)");
        expect_error("[Nginx]\nUser = www-data\n\n[Pool api]\nUnit = php-api.service\n",
                     "/etc/badgatewayd/badgatewayd.conf:4: [Pool api] has no Listen= (the pool's listen address, as in fastcgi_pass)");
        expect_error("[Pool www]\nListen = /x.sock\nthis line has no equals sign\n",
                     "/etc/badgatewayd/badgatewayd.conf:3: cannot read this line: expected 'Key = value' or '[Section]'");
}
END_TEST

START_TEST(test_load_errors) {
        char dir[128];
        fixture_newdir(dir);
        char path[256], want[512];
        snprintf(path, sizeof(path), "%s/missing.conf", dir);
        ck_assert_int_eq(config_load(c, path, &err), -ENOENT);
        snprintf(want, sizeof(want), "%s: No such file or directory", path);
        ck_assert_str_eq(err.text, want);
        ck_assert_int_eq(config_load(c, dir, &err), -EISDIR);
        snprintf(path, sizeof(path), "%s/nul.conf", dir);
        FILE *f = fopen(path, "w");
        fwrite("[Pool a]\0\n", 1, 10, f);
        fclose(f);
        ck_assert_int_eq(config_load(c, path, &err), -EILSEQ);
        snprintf(path, sizeof(path), "%s/ok.conf", dir);
        f = fopen(path, "w");
        fputs(good, f);
        fclose(f);
        ck_assert_int_eq(config_load(c, path, &err), 0);
        ck_assert_str_eq(c->file, path);
}
END_TEST

static void put_file(const char *dir, const char *name, const char *text) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        fclose(f);
}

/* FILE.d/\*.conf after FILE, in byte order of their names; later keys win, as in systemd. */
START_TEST(test_dropins) {
        char dir[128], d[300], path[256], want[768];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/badgatewayd.conf", dir);
        snprintf(d, sizeof(d), "%s.d", path);
        put_file(dir, "badgatewayd.conf", good);
        ck_assert_int_eq(mkdir(d, 0755), 0);
        put_file(d, "20-b.conf", "[Daemon]\nProbeInterval = 30 sec\n[Pool www]\nUnit = php8.3-fpm.service\n");
        put_file(d, "10-a.conf", "[Daemon]\nProbeInterval = 20s\nSummaryInterval = 1h 30min\n"
                                 "[Nginx]\nErrorLog =\nErrorLog = /srv/error.log\n"
                                 "[Pool extra]\nListen = /run/php/extra.sock\n");
        put_file(d, "Z-upper.conf", "[Daemon]\nProbeTimeout = 500msec\n");     /* 'Z' sorts before 'a' */
        put_file(d, "a-last.conf", "[Daemon]\nProbeTimeout = 1.5s\n");
        put_file(d, "README", "not a drop-in\n");
        put_file(d, "30-c.conf~", "[Daemon]\nProbeInterval = nonsense\n");
        put_file(d, ".40-hidden.conf", "[Daemon]\nProbeInterval = nonsense\n");
        ck_assert_int_eq(config_load(c, path, &err), 0);
        ck_assert_str_eq(c->file, path);
        ck_assert_uint_eq(c->probe_interval_usec, 30000000);
        ck_assert_uint_eq(c->summary_interval_usec, 5400000000ULL);
        ck_assert_uint_eq(c->probe_timeout_usec, 1500000);
        ck_assert_int_eq(c->n_nginx_logs, 1);   /* an empty ErrorLog= resets the list */
        ck_assert_str_eq(c->nginx_logs[0], "/srv/error.log");
        ck_assert_int_eq(c->n_pools, 3);
        ck_assert_str_eq(c->pools[0].name, "www");
        ck_assert_str_eq(c->pools[0].unit, "php8.3-fpm.service");
        ck_assert_str_eq(c->pools[0].listen, "/run/php/php8.2-fpm.sock");      /* kept from the main file */
        ck_assert_str_eq(c->pools[2].name, "extra");

        /* errors name the drop-in and its line */
        put_file(d, "50-bad.conf", "[Daemon]\n\nProbeTimeout = 25d\n");
        ck_assert_int_eq(config_load(c, path, &err), -EINVAL);
        snprintf(want, sizeof(want), "%s/50-bad.conf:3: ProbeTimeout: '25d' is out of range (1ms to 10min)", d);
        ck_assert_str_eq(err.text, want);
        put_file(d, "50-bad.conf", "[Pool nolisten]\nUnit = x.service\n");
        ck_assert_int_eq(config_load(c, path, &err), -EINVAL);
        snprintf(want, sizeof(want), "%s/50-bad.conf:1: [Pool nolisten] has no Listen= (the pool's listen address, as in "
                 "fastcgi_pass)", d);
        ck_assert_str_eq(err.text, want);
        put_file(d, "50-bad.conf", "[Pool n]\nListen = /a.sock\n[Pool n]\nListen = /b.sock\n");
        ck_assert_int_eq(config_load(c, path, &err), -EINVAL);
        snprintf(want, sizeof(want), "%s/50-bad.conf:3: duplicate section [Pool n] (first at line 1)", d);
        ck_assert_str_eq(err.text, want);
        snprintf(want, sizeof(want), "%s/50-bad.conf", d);
        FILE *f = fopen(want, "w");
        fwrite("[Pool a]\0\n", 1, 10, f);
        fclose(f);
        ck_assert_int_eq(config_load(c, path, &err), -EILSEQ);
        snprintf(want, sizeof(want), "%s/50-bad.conf: contains a NUL byte: not a text file", d);
        ck_assert_str_eq(err.text, want);
        snprintf(want, sizeof(want), "%s/50-bad.conf", d);
        ck_assert_int_eq(unlink(want), 0);

        /* a directory named x.conf is no drop-in; no .d directory at all is fine */
        snprintf(want, sizeof(want), "%s/60-dir.conf", d);
        ck_assert_int_eq(mkdir(want, 0755), 0);
        ck_assert_int_eq(config_load(c, path, &err), 0);
        snprintf(path, sizeof(path), "%s/other.conf", dir);
        put_file(dir, "other.conf", good);
        ck_assert_int_eq(config_load(c, path, &err), 0);
        ck_assert_uint_eq(c->probe_interval_usec, 10000000);
}
END_TEST

/* FILE.d/\*.conf without FILE, as systemd reads journald.conf.d/ with no journald.conf: the
 * drop-ins alone, c->file their directory; errors still name the drop-in and its line. Neither
 * FILE nor a drop-in: -ENOENT naming FILE, c at its defaults. */
START_TEST(test_dropins_without_main_file) {
        char dir[128], d[300], path[256], want[768];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/badgatewayd.conf", dir);
        snprintf(d, sizeof(d), "%s.d", path);
        ck_assert_int_eq(mkdir(d, 0755), 0);
        put_file(d, "README", "not a drop-in\n");
        ck_assert_int_eq(config_load(c, path, &err), -ENOENT);  /* a .d with no *.conf is none */
        snprintf(want, sizeof(want), "%s: No such file or directory", path);
        ck_assert_str_eq(err.text, want);
        ck_assert_str_eq(c->file, "");
        put_file(d, "10-a.conf", "[Daemon]\nProbeInterval = 20s\n[Pool www]\nListen = /run/php/www.sock\n");
        put_file(d, "20-b.conf", "[Daemon]\nProbeInterval = 30s\n[Pool www]\nUnit = php8.3-fpm.service\n");
        ck_assert_msg(config_load(c, path, &err) == 0, "%s", err.text);
        ck_assert_str_eq(err.text, "");
        ck_assert_str_eq(c->file, d);
        ck_assert_uint_eq(c->probe_interval_usec, 30000000);
        ck_assert_int_eq(c->n_pools, 1);
        ck_assert_str_eq(c->pools[0].listen, "/run/php/www.sock");
        ck_assert_str_eq(c->pools[0].unit, "php8.3-fpm.service");
        put_file(d, "30-bad.conf", "[Daemon]\n\nProbeTimeout = 25d\n");
        ck_assert_int_eq(config_load(c, path, &err), -EINVAL);
        snprintf(want, sizeof(want), "%s/30-bad.conf:3: ProbeTimeout: '25d' is out of range (1ms to 10min)", d);
        ck_assert_str_eq(err.text, want);
}
END_TEST

/* An empty [Metrics] Listen= or TextfileDirectory= in a drop-in turns off what the main file set. */
START_TEST(test_dropin_metrics_off) {
        char dir[128], d[300], path[256], main_text[1024];
        fixture_newdir(dir);
        snprintf(path, sizeof(path), "%s/badgatewayd.conf", dir);
        snprintf(d, sizeof(d), "%s.d", path);
        snprintf(main_text, sizeof(main_text), "%s[Metrics]\nListen = 127.0.0.1:9184\nTextfileDirectory = /srv/textfile\n", good);
        put_file(dir, "badgatewayd.conf", main_text);
        ck_assert_int_eq(config_load(c, path, &err), 0);
        ck_assert_str_eq(c->metrics_listen, "127.0.0.1:9184");
        ck_assert_str_eq(c->metrics_textfile_dir, "/srv/textfile");
        ck_assert_int_eq(mkdir(d, 0755), 0);
        put_file(d, "50-off.conf", "[Metrics]\nListen =\nTextfileDirectory=\n");
        ck_assert_msg(config_load(c, path, &err) == 0, "%s", err.text);
        ck_assert_str_eq(c->metrics_listen, "");
        ck_assert_str_eq(c->metrics_textfile_dir, "");
        ck_assert_int_eq(c->metrics_address.port, 0);
        put_file(d, "60-on.conf", "[Metrics]\nListen = [::1]:0\n");      /* set again after the reset */
        ck_assert_int_eq(config_load(c, path, &err), 0);
        ck_assert_str_eq(c->metrics_listen, "[::1]:0");
}
END_TEST

START_TEST(test_long_line_keeps_line_numbers) {
        char *text = malloc(10000);
        strcpy(text, "[Pool www]\nListen = /x.sock\n# ");
        memset(text + strlen(text), 'x', 5000);
        strcpy(text + 30 + 5000 - 1, "\nUnti = a\n");
        ck_assert_int_eq(parse(text), -EINVAL);
        ck_assert_str_eq(err.text, "/etc/badgatewayd/badgatewayd.conf:4: unknown key 'Unti' in [Pool www]; did you mean 'Unit'?");
        free(text);
}
END_TEST

/* Lines past libinih's 200 bytes are read whole: a long comment's tail is no key, a long path
 * is a path; past CONFIG_LINE_MAX a line is an error at its own number. */
START_TEST(test_long_lines_read_whole) {
        char text[2048], path[252];
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = '\0';
        char dashes[198];
        memset(dashes, '-', sizeof(dashes) - 1);
        dashes[sizeof(dashes) - 1] = '\0';
        snprintf(text, sizeof(text), "# %sListen = /evil.sock\n[Pool x]\nListen = /run/x.sock\n[Nginx]\nErrorLog = %s\n",
                 dashes, path);
        ck_assert_int_eq(parse(text), 0);
        ck_assert_int_eq(c->n_pools, 1);
        ck_assert_str_eq(c->pools[0].listen, "/run/x.sock");
        ck_assert_int_eq(c->n_nginx_logs, 1);
        ck_assert_str_eq(c->nginx_logs[0], path);

        char *huge = malloc(CONFIG_LINE_MAX + 64);
        ck_assert_ptr_nonnull(huge);
        strcpy(huge, "[Pool x]\nListen = /run/x.sock\n# ");
        memset(huge + strlen(huge), 'x', CONFIG_LINE_MAX);
        strcpy(huge + 32 + CONFIG_LINE_MAX - 2, "\n");
        ck_assert_int_eq(parse(huge), -EINVAL);
        ck_assert_str_eq(err.text, "/etc/badgatewayd/badgatewayd.conf:3: the line is longer than 65535 bytes");
        free(huge);
}
END_TEST

/* An editor's UTF-8 byte-order mark before the first section. */
START_TEST(test_byte_order_mark) {
        ck_assert_int_eq(parse("\xef\xbb\xbf[Pool a]\nListen = /run/a.sock\n"), 0);
        ck_assert_int_eq(c->n_pools, 1);
        ck_assert_str_eq(c->pools[0].name, "a");
        ck_assert_str_eq(c->pools[0].listen, "/run/a.sock");
}
END_TEST

START_TEST(test_durations) {
        uint64_t us;
        char buf[32];
        ck_assert_int_eq(duration_parse("5s", &us), 0);
        ck_assert_uint_eq(us, 5000000);
        ck_assert_int_eq(duration_parse("90", &us), 0);
        ck_assert_uint_eq(us, 90000000);
        ck_assert_int_eq(duration_parse("1h 30min", &us), 0);
        ck_assert_uint_eq(us, 5400000000ULL);
        ck_assert_int_eq(duration_parse("1h30m", &us), 0);
        ck_assert_uint_eq(us, 5400000000ULL);
        ck_assert_int_eq(duration_parse("250ms", &us), 0);
        ck_assert_str_eq(duration_format(us, buf), "250ms");
        ck_assert_str_eq(duration_format(5400000000ULL, buf), "1h 30min");
        ck_assert_str_eq(duration_format(0, buf), "0");
        ck_assert_str_eq(duration_format(UINT64_MAX, buf), "213503982d 8h 1min 49s 551ms");
        ck_assert_int_eq(duration_parse("", &us), -EINVAL);
        /* systemd.time(7): a space between number and unit, long names, fractions */
        static const struct {
                const char *text;
                uint64_t usec;
        } spans[] = {
                { "5 s", 5000000 }, { "5 min", 300000000 }, { "1.5s", 1500000 }, { "500msec", 500000 },
                { "1h 30min", 5400000000ULL }, { "2 hours 1 second", 7201000000ULL }, { ".5h", 1800000000ULL },
                { "3 usec 2us", 5 }, { "7\xce\xbcs", 7 }, { "7\xc2\xb5s", 7 }, { "1w", 604800000000ULL },
                { "2 weeks", 1209600000000ULL }, { "1d 1day 1days", 259200000000ULL }, { "1hr", 3600000000ULL },
                { "1M", 2629800000000ULL }, { "1y", 31557600000000ULL }, { "1 minute 1 minutes", 120000000 },
                { "0.0000001s", 0 }, { "1.999999999s", 1999999 }, { "10 sec", 10000000 }, { "2seconds", 2000000 },
                { ".5s", 500000 }, { "5 .5s", 5500000 }, { "1s.5s", 1500000 },
        };
        for (unsigned i = 0; i < sizeof(spans) / sizeof(spans[0]); i++) {
                int r = duration_parse(spans[i].text, &us);
                ck_assert_msg(r == 0, "refused '%s': %d", spans[i].text, r);
                ck_assert_msg(us == spans[i].usec, "'%s' is %llu us", spans[i].text, (unsigned long long) us);
        }
        static const char *const bad[] = { "5 S", "5 mins", "\xc2\xb5s", "5 \xc2s", "s", "5 s s", "infinity", "1h-30min",
                                           "5 seconds ago", "+5s", "1..5s", "5.s", "5.", ".s", "5. s" };
        for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(duration_parse(bad[i], &us) == -EINVAL, "accepted '%s'", bad[i]);
        ck_assert_int_eq(duration_parse("5x", &us), -EINVAL);
        ck_assert_int_eq(duration_parse("-5s", &us), -EINVAL);
        ck_assert_int_eq(duration_parse("99999999999999999999s", &us), -ERANGE);
        ck_assert_int_eq(duration_parse("999999999999d", &us), -ERANGE);
}
END_TEST

/* url_mask(): the password and the query's values masked, the rest kept, malformed URLs too. */
START_TEST(test_url_mask) {
        static const struct {
                const char *url, *want;
        } cases[] = {
                { "http://alice:s3cret@127.0.0.1:9093", "http://alice:***@127.0.0.1:9093" },
                { "https://h/hook?token=abc123", "https://h/hook?token=***" },
                { "http://h:1/p?a=1&b=&flag;c=2#frag", "http://h:1/p?a=***&b=&***;c=***#***" },
                { "http://alice@h/", "http://alice@h/" },
                { "http://alice:pa/ss@h/", "http://alice:***@h/" },             /* a '/' in the password */
                { "http://alice:s3cret@127.0.0.1:/x?k=v", "http://alice:***@127.0.0.1:/x?k=***" },
                { "http://h/x@y:z", "http://h/x@y:z" },                         /* an '@' in the path */
                { "http://a:b@c@h/", "http://a:***@h/" },
                { "127.0.0.1:9093", "127.0.0.1:9093" },
                { "http://h/?", "http://h/?" },
                { "http://h/#", "http://h/#" },
                { "", "" },
        };
        char out[256];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                ck_assert_str_eq(url_mask(cases[i].url, out, sizeof(out)), cases[i].want);
        ck_assert_str_eq(url_mask("http://alice:s3cret@h", out, 16), "http://alice:**");       /* cut short */
        ck_assert_str_eq(url_mask("http://h", out, 1), "");
}
END_TEST

/* Where libcurl, which sends the request, finds the password and the query: url_mask() hides
 * each, and keeps the host, the port and the path as curl reads them. */
START_TEST(test_url_mask_as_curl_parses) {
        static const char *const urls[] = {
                "http://alice:s3cret@127.0.0.1:9093/api", "https://u:p%40ss@[::1]:8443/a/b?x=1&y=2",
                "http://h/hook?token=abc123&x", "http://:pw@h/", "http://u:a:b@h/?q=w;e=r",
        };
        char out[256];
        for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
                CURLU *u = curl_url(), *m = curl_url();
                ck_assert_int_eq(curl_url_set(u, CURLUPART_URL, urls[i], 0), CURLUE_OK);
                url_mask(urls[i], out, sizeof(out));
                ck_assert_msg(curl_url_set(m, CURLUPART_URL, out, 0) == CURLUE_OK, "%s", out);
                static const CURLUPart kept[] = { CURLUPART_HOST, CURLUPART_PORT, CURLUPART_PATH, CURLUPART_USER };
                for (size_t k = 0; k < sizeof(kept) / sizeof(kept[0]); k++) {
                        char *a = NULL, *b = NULL;
                        curl_url_get(u, kept[k], &a, 0);
                        curl_url_get(m, kept[k], &b, 0);
                        ck_assert_msg((!a && !b) || (a && b && strcmp(a, b) == 0), "%s: part %d '%s' became '%s'",
                                      urls[i], (int) kept[k], a ? a : "", b ? b : "");
                        curl_free(a);
                        curl_free(b);
                }
                char *secret = NULL;
                if (curl_url_get(u, CURLUPART_PASSWORD, &secret, 0) == CURLUE_OK)
                        ck_assert_msg(!strstr(out, secret), "%s: password in %s", urls[i], out);
                curl_free(secret);
                if (curl_url_get(u, CURLUPART_QUERY, &secret, 0) == CURLUE_OK)
                        ck_assert_msg(!strstr(out, strchr(secret, '=') ? strchr(secret, '=') + 1 : secret),
                                      "%s: query value in %s", urls[i], out);
                curl_free(secret);
                curl_url_cleanup(u);
                curl_url_cleanup(m);
        }
}
END_TEST

int main(void) {
        Suite *s = suite_create("config");
        TCase *tc = tcase_create("parse");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_good_config);
        tcase_add_test(tc, test_catch_up_sizes);
        tcase_add_test(tc, test_defaults);
        tcase_add_test(tc, test_unknown_key_suggests);
        tcase_add_test(tc, test_bad_values);
        tcase_add_test(tc, test_sections);
        tcase_add_test(tc, test_no_pools_is_fine);
        tcase_add_test(tc, test_configuration_paths);
        tcase_add_test(tc, test_load_errors);
        tcase_add_test(tc, test_long_line_keeps_line_numbers);
        tcase_add_test(tc, test_long_lines_read_whole);
        tcase_add_test(tc, test_byte_order_mark);
        tcase_add_test(tc, test_durations);
        tcase_add_test(tc, test_dropins);
        tcase_add_test(tc, test_dropin_metrics_off);
        tcase_add_test(tc, test_dropins_without_main_file);
        tcase_add_test(tc, test_push_sections);
        tcase_add_test(tc, test_url_mask);
        tcase_add_test(tc, test_url_mask_as_curl_parses);
        tcase_add_test(tc, test_url_checker_missing);
        tcase_add_test(tc, test_messages_say_the_fault);
        tcase_add_test(tc, test_comments_on_their_own_line);
        tcase_add_test(tc, test_listen_directory);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
