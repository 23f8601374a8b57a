/* Alerts pushed to a real Alertmanager (Debian's prometheus-alertmanager, on loopback at a free
 * port) and to a webhook (python3's http.server): a pool whose php-fpm stops fires there and
 * resolves; an Alertmanager stopped while alerts happen gets them once it is back. */
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "fixtures.h"
#include "harness.h"
#include "push_queue.h"
#include "servers.h"

#define ALERTMANAGER "/usr/bin/prometheus-alertmanager"

enum { PROBE_INTERVAL_MS = 200, RESOLVE_AFTER_MS = 1000, READY_MS = 5000, ARRIVE_MS = 5000 };

static char dir[128];

static const char *path_in(const char *name) {
        return fixture_path(dir, name);
}

static char *read_text(const char *path) {
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;
        ck_assert_msg(f, "%s: %s", path, strerror(errno));
        ck_assert_int_ge(getdelim(&text, &size, '\0', f), 0);
        fclose(f);
        return text;
}

static int free_port(void) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *) &a, &len), 0);
        close(fd);
        return ntohs(a.sin_port);
}

/* argv run in its own process group, output to log; tracked by the harness. */
static pid_t spawn(const char *const *argv, const char *log) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                setpgid(0, 0);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
                dup2(fd, 1);
                dup2(fd, 2);
                execv(argv[0], (char *const *) argv);
                _exit(127);
        }
        setpgid(pid, pid);
        harness_track(pid, NULL);
        return pid;
}

static void stop(pid_t pid) {
        kill(pid, SIGTERM);
        while (waitpid(-pid, NULL, 0) > 0)
                continue;
        harness_untrack(pid, NULL);
}

struct reply {
        char *text;
        size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *userdata) {
        struct reply *r = userdata;
        char *more = realloc(r->text, r->len + size * n + 1);
        ck_assert_ptr_nonnull(more);
        memcpy(more + r->len, p, size * n);
        r->len += size * n;
        more[r->len] = '\0';
        r->text = more;
        return size * n;
}

/* GET http://127.0.0.1:port/path: the status (-1 when nothing answers); the body in *body if wanted. */
static long get(int port, const char *path, char **body) {
        char url[256];
        struct reply r = { 0 };
        long code = -1;
        snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
        CURL *e = curl_easy_init();
        ck_assert_ptr_nonnull(e);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 2000L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
        if (curl_easy_perform(e) == CURLE_OK)
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        curl_easy_cleanup(e);
        if (body)
                *body = r.text;
        else
                free(r.text);
        return code;
}

struct am {
        pid_t pid;
        int port;
};

/* Alertmanager on 127.0.0.1:port (0: a free one), its state in dir/am, clustering off; returns
 * once /-/ready answers 200. */
static void am_start(struct am *a, int port) {
        char listen[64], config[300], storage[300];
        a->port = port ? port : free_port();
        write_file(path_in("am.yml"), "route:\n  receiver: none\n  group_wait: 1s\nreceivers:\n  - name: none\n");
        snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", a->port);
        snprintf(config, sizeof(config), "--config.file=%s", path_in("am.yml"));
        snprintf(storage, sizeof(storage), "--storage.path=%s", path_in("am"));
        const char *argv[] = { ALERTMANAGER, config, storage, listen, "--cluster.listen-address=", NULL };
        a->pid = spawn(argv, path_in("am.log"));
        long long until = harness_now_ms() + 15000;
        while (get(a->port, "/-/ready", NULL) != 200) {
                ck_assert_msg(harness_now_ms() < until, "Alertmanager not ready on port %d; see %s", a->port,
                              path_in("am.log"));
                usleep(50000);
        }
}

/* The alert named alertname that Alertmanager lists as active (a copy), or NULL. */
static json_t *am_alert(const struct am *a, const char *alertname) {
        char *body;
        long code = get(a->port, "/api/v2/alerts", &body);
        ck_assert_int_eq(code, 200);
        json_t *list = json_loads(body, 0, NULL), *found = NULL, *x;
        size_t i;
        ck_assert_msg(json_is_array(list), "not a JSON array: %s", body);
        json_array_foreach(list, i, x) {
                const char *name = json_string_value(json_object_get(json_object_get(x, "labels"), "alertname"));
                if (name && strcmp(name, alertname) == 0 && !found)
                        found = json_incref(x);
        }
        json_decref(list);
        free(body);
        return found;
}

static json_t *am_wait(const struct am *a, const char *alertname, int ms) {
        long long until = harness_now_ms() + harness_ms(ms);
        json_t *x;
        while (!(x = am_alert(a, alertname)) && harness_now_ms() < until)
                usleep(100000);
        return x;
}

static bool am_wait_gone(const struct am *a, const char *alertname, int ms) {
        long long until = harness_now_ms() + harness_ms(ms);
        json_t *x;
        while ((x = am_alert(a, alertname)) && harness_now_ms() < until) {
                json_decref(x);
                usleep(100000);
        }
        json_decref(x);
        return !x;
}

static const char *str(json_t *o, const char *a, const char *b) {
        json_t *x = json_object_get(o, a);
        return json_string_value(b ? json_object_get(x, b) : x);
}

/* resolve_ms: [Daemon] ResolveAfter. */
static const char *config_resolving(const struct fpm_env *e, const char *push, int resolve_ms) {
        static char text[2048];
        snprintf(text, sizeof(text),
                 "[Daemon]\nProbeInterval = %dms\nProbeTimeout = 500ms\nResolveAfter = %dms\n"
                 "[Nginx]\nErrorLog = %s\nUser = %s\n[Pool www]\nListen = %s\n%s",
                 PROBE_INTERVAL_MS, resolve_ms, path_in("error.log"), servers_nginx_user(),
                 fpm_env_socket(e, 0), push);
        write_file(path_in("bgw.conf"), text);
        return path_in("bgw.conf");
}

static const char *config(const struct fpm_env *e, const char *push) {
        return config_resolving(e, push, RESOLVE_AFTER_MS);
}

static void start_daemon(struct bgw *b, const char *conf) {
        const char *args[] = { "run", "--config", conf, "--stdout", "--state-dir", path_in("state"), NULL };
        const char *env[] = { "no_proxy=*", NULL };
        append_file(path_in("error.log"), "", 0);
        bgw_start(b, dir, args, env);
        ck_assert_msg(bgw_wait_note(b, 0, "READY=1", READY_MS) >= 0, "no READY=1; stderr: %s", b->err);
}

static json_t *alert_at(struct bgw *b, int i) {
        return json_array_get(b->alerts, (size_t) i);
}

/* RFC 3339 as Alertmanager prints it, to seconds since the epoch. */
static long long epoch(const char *t) {
        struct tm tm = { 0 };
        ck_assert_ptr_nonnull(t);
        ck_assert_ptr_nonnull(strptime(t, "%Y-%m-%dT%H:%M:%S", &tm));
        return (long long) timegm(&tm);
}

/* The labels and annotations Alertmanager shows for the daemon's fpm_down alert `a`. */
static void check_shown(json_t *shown, json_t *a, const struct fpm_env *e) {
        char host[256] = "", upstream[300];
        gethostname(host, sizeof(host) - 1);
        snprintf(upstream, sizeof(upstream), "unix:%s", fpm_env_socket(e, 0));
        ck_assert_str_eq(str(shown, "labels", "alertname"), "fpm_down");
        ck_assert_str_eq(str(shown, "labels", "severity"), "critical");
        ck_assert_str_eq(str(shown, "labels", "pool"), "www");
        ck_assert_str_eq(str(shown, "labels", "upstream"), upstream);
        ck_assert_str_eq(str(shown, "labels", "instance"), host);
        ck_assert_str_eq(str(shown, "annotations", "summary"), str(a, "summary", NULL));
        ck_assert_str_eq(str(shown, "annotations", "alert_id"), str(a, "id", NULL));
        /* the pool runs under no unit here: the remedies say what works without systemd */
        const char *remedy = str(shown, "annotations", "remedy");
        ck_assert_msg(strstr(remedy, "php-fpm") && !strstr(remedy, "systemctl"), "remedy: %s", remedy);
        ck_assert_str_eq(str(shown, "status", "state"), "active");
        ck_assert_int_eq(epoch(str(shown, "startsAt", NULL)), epoch(str(a, "first_seen", NULL)));
        ck_assert_int_gt(epoch(str(shown, "endsAt", NULL)), (long long) time(NULL));
}

static void print_shown(const char *what, json_t *shown) {
        char *text = json_dumps(shown, JSON_INDENT(2) | JSON_SORT_KEYS);
        fprintf(stderr, "%s:\n%s\n", what, text);
        free(text);
}

START_TEST(test_fires_and_resolves) {
        struct fpm_env e;
        struct am am;
        struct bgw b;
        char push[256];
        fixture_newdir(dir);
        chmod(dir, 0755);
        am_start(&am, 0);
        fpm_up(&e);
        snprintf(push, sizeof(push), "[Alertmanager]\nURL = http://127.0.0.1:%d/\nResendInterval = 2s\n", am.port);
        start_daemon(&b, config(&e, push));

        fpm_quit(&e);
        int fired = bgw_wait_alert(&b, 0, "fpm_down", "firing", 3000);
        ck_assert_msg(fired >= 0, "no fpm_down; stdout: %s stderr: %s", b.out, b.err);
        long long t0 = harness_now_ms();
        json_t *shown = am_wait(&am, "fpm_down", ARRIVE_MS);
        ck_assert_msg(shown, "Alertmanager has no fpm_down; stderr: %s", b.err);
        fprintf(stderr, "fpm_down firing -> in Alertmanager: %lld ms\n", harness_now_ms() - t0);
        print_shown("Alertmanager shows", shown);
        check_shown(shown, alert_at(&b, fired), &e);

        /* Re-sent while it fires: endsAt moves on. */
        long long ends = epoch(str(shown, "endsAt", NULL)), until = harness_now_ms() + harness_ms(6000);
        json_t *later = NULL;
        do {
                json_decref(later);
                usleep(200000);
                later = am_alert(&am, "fpm_down");
                ck_assert_ptr_nonnull(later);
        } while (epoch(str(later, "endsAt", NULL)) <= ends + 1 && harness_now_ms() < until);
        ck_assert_int_gt(epoch(str(later, "endsAt", NULL)), ends + 1);
        ck_assert_str_eq(str(later, "startsAt", NULL), str(shown, "startsAt", NULL));

        fpm_restart(&e);
        int resolved = bgw_wait_alert(&b, (size_t) fired + 1, "fpm_down", "resolved", 5000);
        ck_assert_msg(resolved >= 0, "not resolved; stdout: %s", b.out);
        t0 = harness_now_ms();
        /* Firing, it was valid for 4 resends (8 s): gone sooner, it was the resolved alert. */
        ck_assert_msg(am_wait_gone(&am, "fpm_down", 3000), "still active in Alertmanager");
        fprintf(stderr, "fpm_down resolved -> gone from Alertmanager's active alerts: %lld ms\n",
                harness_now_ms() - t0);
        ck_assert_int_eq(bgw_stop(&b), 0);
        ck_assert_msg(!strstr(b.err, "cannot deliver"), "%s", b.err);
        json_decref(shown);
        json_decref(later);
        bgw_free(&b);
        stop(am.pid);
        fpm_down(&e);
}
END_TEST

START_TEST(test_down_then_back) {
        struct fpm_env e;
        struct am am;
        struct bgw b;
        char push[256];
        fixture_newdir(dir);
        chmod(dir, 0755);
        am_start(&am, 0);
        fpm_up(&e);
        snprintf(push, sizeof(push), "[Alertmanager]\nURL = http://127.0.0.1:%d\n", am.port);
        start_daemon(&b, config(&e, push));

        stop(am.pid);
        ck_assert_int_ne(get(am.port, "/-/ready", NULL), 200);
        fpm_quit(&e);
        int fired = bgw_wait_alert(&b, 0, "fpm_down", "firing", 3000);
        ck_assert_msg(fired >= 0, "no fpm_down; stdout: %s stderr: %s", b.out, b.err);
        ck_assert_msg(bgw_wait_stderr(&b, "cannot deliver alerts", 3000), "stderr: %s", b.err);
        for (long long until = harness_now_ms() + 2000; harness_now_ms() < until;)
                bgw_pump(&b, 200);      /* a retry or two fail too */

        am_start(&am, am.port); /* its alerts were in memory: none are left */
        long long t0 = harness_now_ms();
        json_t *shown = am_wait(&am, "fpm_down", 35000);
        ck_assert_msg(shown, "Alertmanager has no fpm_down after it came back; stderr: %s", b.err);
        fprintf(stderr, "Alertmanager back -> queued fpm_down there: %lld ms\n", harness_now_ms() - t0);
        check_shown(shown, alert_at(&b, fired), &e);
        ck_assert_msg(bgw_wait_stderr(&b, "delivering alerts again: 1 delivered late, 0 more queued, 0 dropped", 2000),
                      "stderr: %s", b.err);
        fprintf(stderr, "daemon said:\n%s", b.err);
        ck_assert_int_eq(bgw_stop(&b), 0);
        json_decref(shown);
        bgw_free(&b);
        stop(am.pid);
        fpm_down(&e);
}
END_TEST

/* Each line the receiver writes: the Content-Type, a tab, the body. */
static const char receiver[] =
        "import http.server, os, sys\n"
        "out, portfile, port = sys.argv[1], sys.argv[2], int(sys.argv[3])\n"
        "code, reply = int(sys.argv[4]), bytes.fromhex(sys.argv[5])\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_POST(self):\n"
        "        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))\n"
        "        with open(out, 'ab') as f:\n"
        "            f.write(self.headers.get('Content-Type', '').encode() + b'\\t' + body + b'\\n')\n"
        "        with open(out + '.paths', 'a') as f:\n"
        "            f.write(self.path + '\\n')\n"
        "        self.send_response(code)\n"
        "        self.send_header('Content-Length', str(len(reply)))\n"
        "        self.end_headers()\n"
        "        self.wfile.write(reply)\n"
        "    def log_message(self, *args):\n"
        "        pass\n"
        "s = http.server.HTTPServer(('127.0.0.1', port), H)\n"
        "with open(portfile + '.new', 'w') as f:\n"
        "    f.write(str(s.server_address[1]))\n"
        "os.rename(portfile + '.new', portfile)\n"
        "s.serve_forever()\n";

static const char *python3(void) {
        return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : NULL;
}

/* The n-th body the receiver got, parsed, or NULL after ms. */
static json_t *received(int n, int ms) {
        long long until = harness_now_ms() + harness_ms(ms);
        for (;;) {
                FILE *f = fopen(path_in("hook.txt"), "re");
                char *line = NULL;
                size_t size = 0;
                json_t *got = NULL;
                for (int i = 0; f && getline(&line, &size, f) > 0; i++) {
                        char *tab = strchr(line, '\t');
                        ck_assert_msg(tab && strncmp(line, "application/json\t", 17) == 0, "line: %s", line);
                        if (i == n)
                                got = json_loads(tab + 1, 0, NULL);
                }
                free(line);
                if (f)
                        fclose(f);
                if (got || harness_now_ms() > until)
                        return got;
                usleep(100000);
        }
}

/* The receiver on port (0: a free one), answering HTTP code with the bytes of hex; returns the
 * port it listens on. */
static int receiver_replying(pid_t *pid, int port, const char *code, const char *hex) {
        char arg[16];
        snprintf(arg, sizeof(arg), "%d", port);
        unlink(path_in("port"));
        write_file(path_in("receiver.py"), receiver);
        const char *argv[] = { python3(), path_in("receiver.py"), path_in("hook.txt"), path_in("port"), arg, code, hex, NULL };
        *pid = spawn(argv, path_in("receiver.log"));
        long long until = harness_now_ms() + 10000;
        while (access(path_in("port"), R_OK) < 0) {
                ck_assert_msg(harness_now_ms() < until, "the receiver did not start; see %s", path_in("receiver.log"));
                usleep(50000);
        }
        char *text = read_text(path_in("port"));
        int got = atoi(text);
        free(text);
        return got;
}

static int receiver_start(pid_t *pid, int port) {
        return receiver_replying(pid, port, "200", "");
}

START_TEST(test_webhook) {
        struct fpm_env e;
        struct bgw b;
        char push[128];
        pid_t hook;
        fixture_newdir(dir);
        chmod(dir, 0755);
        int port = receiver_start(&hook, 0);
        fpm_up(&e);
        snprintf(push, sizeof(push), "[Webhook]\nURL = http://127.0.0.1:%d/hooks/badgatewayd\n", port);
        start_daemon(&b, config(&e, push));

        fpm_quit(&e);
        int fired = bgw_wait_alert(&b, 0, "fpm_down", "firing", 3000);
        ck_assert_msg(fired >= 0, "no fpm_down; stdout: %s", b.out);
        json_t *got = received(0, 3000);
        ck_assert_msg(got, "the webhook got nothing; stderr: %s", b.err);
        ck_assert_msg(json_equal(got, alert_at(&b, fired)), "the webhook's JSON is not the alert's");
        json_decref(got);
        fpm_restart(&e);
        int resolved = bgw_wait_alert(&b, (size_t) fired + 1, "fpm_down", "resolved", 5000);
        ck_assert_msg(resolved >= 0, "not resolved; stdout: %s", b.out);
        got = received(1, 3000);
        ck_assert_msg(got && json_equal(got, alert_at(&b, resolved)), "the webhook did not get the resolved alert");
        json_decref(got);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        stop(hook);
        fpm_down(&e);
}
END_TEST

/* An Alertmanager URL with a path and a query: the API's path goes after the path, before the
 * query (the receiver here is the webhook's, standing in for Alertmanager). */
START_TEST(test_alertmanager_url_query) {
        struct fpm_env e;
        struct bgw b;
        char push[160];
        pid_t am;
        fixture_newdir(dir);
        chmod(dir, 0755);
        int port = receiver_start(&am, 0);
        fpm_up(&e);
        snprintf(push, sizeof(push), "[Alertmanager]\nURL = http://127.0.0.1:%d/am/?tenant=a\n", port);
        start_daemon(&b, config(&e, push));
        fpm_quit(&e);
        ck_assert_msg(bgw_wait_alert(&b, 0, "fpm_down", "firing", 3000) >= 0, "no fpm_down; stdout: %s", b.out);
        json_t *got = received(0, 3000);
        ck_assert_msg(got, "Alertmanager got nothing; stderr: %s", b.err);
        json_decref(got);
        char *paths = read_text(path_in("hook.txt.paths"));
        ck_assert_msg(strncmp(paths, "/am/api/v2/alerts?tenant=a\n", 27) == 0, "paths: %s", paths);
        free(paths);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        stop(am);
        fpm_down(&e);
}
END_TEST

/* Every body the receiver got, parsed, in order. */
static json_t *received_all(void) {
        json_t *all = json_array();
        FILE *f = fopen(path_in("hook.txt"), "re");
        char *line = NULL;
        size_t size = 0;
        while (f && getline(&line, &size, f) > 0) {
                json_t *j = json_loads(strchr(line, '\t') + 1, 0, NULL);
                ck_assert_msg(j, "not JSON: %s", line);
                json_array_append_new(all, j);
        }
        free(line);
        if (f)
                fclose(f);
        return all;
}

static size_t count_of(const char *text, const char *what) {
        size_t n = 0;
        for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
                n++;
        return n;
}

/* "PHP Fatal error" as nginx logs what php-fpm wrote on stderr: php_fatal, at once. */
static void append_fatal(const char *sock, int i) {
        char line[600];
        int n = snprintf(line, sizeof(line),
                         "2026/11/25 13:23:28 [error] 6586#6586: *%d FastCGI sent in stderr: \"PHP message: PHP Fatal "
                         "error:  Uncaught Error: Call to undefined function f() in /srv/x.php:3\" while reading "
                         "response header from upstream, client: 127.0.0.1, server: t, request: \"GET /x.php "
                         "HTTP/1.1\", upstream: \"fastcgi://unix:%s:\", host: \"127.0.0.1\"\n", i, sock);
        append_file(path_in("error.log"), line, (size_t) n);
}

/* "connect() to 127.0.0.1:PORT failed (111: Connection refused)": a finding per port. */
static void append_refused(int port, int i) {
        char line[600];
        int n = snprintf(line, sizeof(line),
                         "2026/11/25 13:23:28 [error] 6586#6586: *%d connect() to 127.0.0.1:%d failed (111: Connection "
                         "refused) while connecting to upstream, client: 127.0.0.1, server: t, request: \"GET /x.php "
                         "HTTP/1.1\", upstream: \"fastcgi://127.0.0.1:%d\", host: \"127.0.0.1\"\n", i, port, port);
        append_file(path_in("error.log"), line, (size_t) n);
}

/* A webhook down while more alerts come than the queue keeps: the oldest are dropped, said once,
 * counted when it is back; what was kept arrives in order. */
START_TEST(test_webhook_queue_full) {
        struct fpm_env e;
        struct bgw b;
        char push[160], said[160], *metrics, line[96];
        pid_t hook;
        fixture_newdir(dir);
        chmod(dir, 0755);
        int port = free_port();
        fpm_up(&e);
        int metrics_port = free_port();
        snprintf(push, sizeof(push), "[Webhook]\nURL = http://127.0.0.1:%d/\n[Metrics]\nListen = 127.0.0.1:%d\n", port,
                 metrics_port);
        start_daemon(&b, config_resolving(&e, push, 1));        /* each line fires and resolves */
        long long until = harness_now_ms() + harness_ms(30000);
        for (int i = 0; json_array_size(b.alerts) < PUSH_QUEUE_MAX + 40; i++) {
                ck_assert_msg(harness_now_ms() < until, "only %zu alerts", json_array_size(b.alerts));
                append_fatal(fpm_env_socket(&e, 0), i);
                for (int k = 0; k < 8; k++)     /* upstreams nothing serves: findings of their own */
                        append_refused(20000 + (i * 8 + k) % 4000, i);
                bgw_pump(&b, 20);
        }
        for (size_t n = 0; n != json_array_size(b.alerts);) {  /* until the last resolves */
                n = json_array_size(b.alerts);
                for (long long quiet = harness_now_ms() + 300; harness_now_ms() < quiet;)
                        bgw_pump(&b, 50);
        }
        size_t total = json_array_size(b.alerts);
        ck_assert_int_eq(count_of(b.err, "cannot deliver alerts"), 1);
        ck_assert_int_eq(count_of(b.err, "the oldest are dropped"), 1);

        ck_assert_int_eq(receiver_start(&hook, port), port);
        snprintf(said, sizeof(said), "delivering alerts again: 1 delivered late, %d more queued, %zu dropped meanwhile",
                 PUSH_QUEUE_MAX - 1, total - PUSH_QUEUE_MAX);
        ck_assert_msg(bgw_wait_stderr(&b, said, 35000), "want '%s' in: %s", said, b.err);
        fprintf(stderr, "%zu alerts while the webhook was down: %s\n", total, strstr(b.err, "delivering"));
        json_t *got = received_all();
        for (long long t = harness_now_ms() + harness_ms(10000); json_array_size(got) < PUSH_QUEUE_MAX &&
             harness_now_ms() < t; got = received_all()) {
                json_decref(got);
                usleep(100000);
        }
        ck_assert_int_eq(json_array_size(got), PUSH_QUEUE_MAX);
        size_t at = 0;          /* each one received is an alert of stdout, in order */
        for (size_t i = 0; i < json_array_size(got); i++, at++) {
                while (at < total && !json_equal(json_array_get(got, i), alert_at(&b, (int) at)))
                        at++;
                ck_assert_msg(at < total, "received #%zu is not a later alert of stdout", i);
        }
        ck_assert_uint_eq(at, total);   /* the last one too */
        json_decref(got);
        ck_assert_int_eq(get(metrics_port, "/metrics", &metrics), 200);
        snprintf(line, sizeof(line), "\nbadgatewayd_alerts_dropped_total{output=\"webhook\"} %zu\n", total - PUSH_QUEUE_MAX);
        ck_assert_msg(strstr(metrics, line), "no '%s' in: %s", line + 1, metrics);
        free(metrics);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        stop(hook);
        fpm_down(&e);
}
END_TEST

/* A receiver refusing with a body of terminal escapes, a line end and a NUL: the log gets it as
 * one escaped line, so a receiver cannot forge log entries. */
START_TEST(test_webhook_refusal_quoted) {
        struct fpm_env e;
        struct bgw b;
        char push[128];
        pid_t hook;
        fixture_newdir(dir);
        chmod(dir, 0755);
        int port = receiver_replying(&hook, 0, "400", "626164201b5b33316d0a0078");    /* "bad \e[31m\n\0x" */
        fpm_up(&e);
        snprintf(push, sizeof(push), "[Webhook]\nURL = http://127.0.0.1:%d/\n", port);
        start_daemon(&b, config(&e, push));
        append_fatal(fpm_env_socket(&e, 0), 1);
        const char *said = "refused 1 alert (HTTP 400): bad \\x1b[31m\\x0a\\x00x\n";
        ck_assert_msg(bgw_wait_stderr(&b, said, 10000), "want '%s' in: %s", said, b.err);
        ck_assert_msg(!strchr(b.err, '\x1b'), "a raw ESC in: %s", b.err);
        ck_assert_int_eq(bgw_stop(&b), 0);
        bgw_free(&b);
        stop(hook);
        fpm_down(&e);
}
END_TEST

/* A password in the URL's userinfo and a token in its query never reach the log: both receivers
 * down, what the daemon says shows "***" in their place. */
START_TEST(test_secrets_masked) {
        struct fpm_env e;
        struct bgw b;
        char push[256];
        fixture_newdir(dir);
        chmod(dir, 0755);
        int port = free_port();         /* nothing listens there */
        fpm_up(&e);
        snprintf(push, sizeof(push), "[Alertmanager]\nURL = http://alice:s3cret@127.0.0.1:%d\n"
                 "[Webhook]\nURL = http://127.0.0.1:%d/hook?token=abc123&x\n", port, port);
        start_daemon(&b, config(&e, push));
        append_fatal(fpm_env_socket(&e, 0), 1);
        for (long long until = harness_now_ms() + harness_ms(10000);
             count_of(b.err, "cannot deliver alerts") < 2 && harness_now_ms() < until;)
                bgw_pump(&b, 100);
        ck_assert_int_eq(bgw_stop(&b), 0);
        fprintf(stderr, "receivers down, the daemon said:\n%s", b.err);
        ck_assert_int_eq(count_of(b.err, "cannot deliver alerts"), 2);
        ck_assert_msg(!strstr(b.err, "s3cret") && !strstr(b.err, "abc123"), "a secret in: %s", b.err);
        char am[96], hook[96];
        snprintf(am, sizeof(am), "Alertmanager http://alice:***@127.0.0.1:%d/api/v2/alerts: cannot deliver", port);
        snprintf(hook, sizeof(hook), "webhook http://127.0.0.1:%d/hook?token=***&***: cannot deliver", port);
        ck_assert_msg(strstr(b.err, am) && strstr(b.err, hook), "want '%s' and '%s' in: %s", am, hook, b.err);
        bgw_free(&b);
        fpm_down(&e);
}
END_TEST

int main(void) {
        if (access(fpm_env_binary(), X_OK) < 0) {
                printf("skipped: no %s (set PHP_FPM)\n", fpm_env_binary());
                return 77;
        }
        if (access(ALERTMANAGER, X_OK) < 0 || !python3()) {
                printf("skipped: no %s or /usr/bin/python3 (scripts/deps.sh installs them)\n", ALERTMANAGER);
                return 77;
        }
        curl_global_init(CURL_GLOBAL_DEFAULT);
        Suite *s = suite_create("push");
        TCase *tc = tcase_create("live");
        tcase_add_unchecked_fixture(tc, harness_setup, harness_teardown);
        tcase_set_timeout(tc, 120);
        tcase_add_test(tc, test_fires_and_resolves);
        tcase_add_test(tc, test_down_then_back);
        tcase_add_test(tc, test_webhook);
        tcase_add_test(tc, test_alertmanager_url_query);
        tcase_add_test(tc, test_webhook_queue_full);
        tcase_add_test(tc, test_webhook_refusal_quoted);
        tcase_add_test(tc, test_secrets_masked);
        suite_add_tcase(s, tc);
        int r = fixture_run(s);
        curl_global_cleanup();
        return r;
}
