/* The probe against a real php-fpm: each broken state made on purpose, then probed. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "address.h"
#include "fcgi.h"
#include "fpm_env.h"
#include "clock.h"
#include "probe.h"
#include "sockcheck.h"
#include "../lib/fixtures.h"

/* One php-fpm per TCase, started and stopped in the runner process (unchecked fixtures), so a
 * failing or timed-out test, which dies in its forked child, cannot leave php-fpm behind. */
static struct fpm_env env;
static int stop_failures;

#define FULL_POOL "pm = static\npm.max_children = 2\nping.path = /ping\npm.status_path = /status\n"

enum { UNIX_POOL, TCP_POOL, SINGLE_POOL, ROOT_POOL, ACL_POOL };

static const struct fpm_pool pools[] = {
        { "unixpool", false, FULL_POOL },
        { "tcppool", true, FULL_POOL },
        { "single", false, "pm = static\npm.max_children = 1\nping.path = /ping\n" },
        { "rootonly", false, "pm = static\npm.max_children = 1\n"
                             "listen.owner = root\nlisten.group = root\nlisten.mode = 0600\n" },
        /* Debian's www.conf documents it, RHEL's stock pool uses it: root:root 0660 plus an ACL */
        { "aclpool", false, "pm = static\npm.max_children = 1\nlisten.acl_users = www-data\n" },
};

static void start(size_t n) {
        if (fpm_env_start(&env, pools, n) < 0)
                fprintf(stderr, "php-fpm did not start: %s\n", env.error);
}

/* Not root: php-fpm could not hand a socket to root, so there are no rootonly and aclpool pools. */
static void setup_all_pools(void) {
        start(geteuid() == 0 ? 5 : 3);
}

static void setup_two_pools(void) {
        start(2);
}

static void teardown(void) {
        if (fpm_env_stop(&env) < 0) {
                fprintf(stderr, "stopping php-fpm: %s\n", env.error);
                stop_failures++;
        }
}

#define NEED_FPM() ck_assert_msg(env.pid > 0, "php-fpm did not start: %s", env.error)

static void drive(struct probe *p) {
        while (!probe_done(p)) {
                int64_t left = (int64_t) probe_deadline(p) - (int64_t) clock_monotonic_usec();
                struct pollfd pfd = { probe_fd(p), probe_events(p), 0 };
                int n = left > 0 ? poll(&pfd, 1, (int) ((left + 999) / 1000)) : 0;
                ck_assert_int_ge(n, 0);
                if (n > 0)
                        ck_assert_int_eq(probe_step(p), 0);
                else if (clock_monotonic_usec() >= probe_deadline(p))
                        ck_assert_int_eq(probe_timeout(p), 0);
        }
}

/* probe_new() on a listen string, parsed as the config parses a pool's Listen=. */
static int probe_at(struct probe **p, const char *listen, const struct probe_options *opt) {
        struct address a;
        int r = address_parse(&a, listen, strlen(listen));
        return r < 0 ? r : probe_new(p, &a, opt);
}

static void report(const char *label, const struct probe_result *r) {
        fprintf(stderr, "%-30s %-15s errno=%-3d connect=%ldus rtt=%ldus %s\n", label,
                probe_outcome_id(r->outcome), r->error, r->connect_us, r->rtt_us, r->detail);
}

static struct probe_result run_opt(const char *label, const char *address, const struct probe_options *opt) {
        struct probe *p;
        ck_assert_int_eq(probe_at(&p, address, opt), 0);
        ck_assert_int_eq(probe_start(p), 0);
        drive(p);
        struct probe_result r = *probe_result(p);
        probe_free(p);
        report(label, &r);
        return r;
}

static struct probe_result run(const char *label, const char *address, enum probe_mode mode, int answer_ms) {
        struct probe_options opt = { .mode = mode, .answer_timeout_ms = answer_ms };
        return run_opt(label, address, &opt);
}

#define ck_assert_outcome(r, id) ck_assert_str_eq(probe_outcome_id((r).outcome), (id))

static void wait_dead(pid_t pid) {
        uint64_t deadline = clock_monotonic_usec() + 5000000;
        while (!fpm_env_dead(pid)) {
                ck_assert_msg(clock_monotonic_usec() < deadline, "pid %d still alive", (int) pid);
                poll(NULL, 0, 5);
        }
}

START_TEST(test_values_ok) {
        NEED_FPM();
        for (int i = UNIX_POOL; i <= TCP_POOL; i++) {
                struct probe_result r = run(i == UNIX_POOL ? "values unix" : "values tcp", env.address[i],
                                            PROBE_VALUES, 0);
                ck_assert_outcome(r, "ok");
                ck_assert_int_eq(r.values.mpxs_conns, 0);
                ck_assert_int_eq(r.values.max_conns, -1);
                ck_assert_int_ge(r.connect_us, 0);
                ck_assert_int_ge(r.rtt_us, 0);
        }
}
END_TEST

/* php-fpm keeps a worker after GET_VALUES until the client closes: with one worker, a probe
 * that did not close at once would make the next one time out. */
START_TEST(test_values_close_at_once) {
        NEED_FPM();
        for (int i = 0; i < 5; i++) {
                struct probe_result r = run("values single, in a row", env.address[SINGLE_POOL], PROBE_VALUES, 1000);
                ck_assert_outcome(r, "ok");
        }
}
END_TEST

START_TEST(test_ping_ok) {
        NEED_FPM();
        for (int i = UNIX_POOL; i <= TCP_POOL; i++) {
                struct probe_result r = run(i == UNIX_POOL ? "ping unix" : "ping tcp", env.address[i], PROBE_PING, 0);
                ck_assert_outcome(r, "ok");
                ck_assert_int_eq(r.http_status, 200);
                ck_assert_int_ge(r.rtt_us, 0);
        }
}
END_TEST

START_TEST(test_status_ok) {
        NEED_FPM();
        for (int i = UNIX_POOL; i <= TCP_POOL; i++) {
                struct probe_result r = run(i == UNIX_POOL ? "status unix" : "status tcp", env.address[i],
                                            PROBE_STATUS, 0);
                const struct probe_status *st = &r.status;
                ck_assert_outcome(r, "ok");
                ck_assert_int_eq(r.http_status, 200);
                ck_assert_str_eq(st->pool, pools[i].name);
                ck_assert_str_eq(st->process_manager, "static");
                /* php-fpm 8.2's scoreboard counts are approximate (GET_VALUES connections inflate
                 * them, a busy machine shows fewer): only lower bounds hold here */
                ck_assert_int_ge(st->total_processes, 1);
                ck_assert_int_eq(st->idle_processes + st->active_processes, st->total_processes);
                ck_assert_int_ge(st->active_processes, 1);      /* the one answering */
                ck_assert_int_ge(st->accepted_conn, 1);
                ck_assert_int_eq(st->listen_queue, 0);
                ck_assert_int_ge(st->max_listen_queue, 0);
                ck_assert_int_ge(st->max_active_processes, 1);
                ck_assert_int_eq(st->max_children_reached, 0);
                ck_assert_int_eq(st->slow_requests, 0);
                fprintf(stderr, "  pool=%s pm=%s accepted=%ld queue=%ld/%ld idle=%ld active=%ld total=%ld\n",
                        st->pool, st->process_manager, st->accepted_conn, st->listen_queue,
                        st->max_listen_queue, st->idle_processes, st->active_processes, st->total_processes);
        }
}
END_TEST

START_TEST(test_ping_unconfigured_path) {
        NEED_FPM();
        struct probe_options opt = { .mode = PROBE_PING, .path = "/nope" };
        struct probe_result r = run_opt("ping a path php-fpm lacks", env.address[UNIX_POOL], &opt);
        ck_assert_outcome(r, "bad_answer");
        ck_assert_int_ge(r.http_status, 400);
        ck_assert_int_ge(r.rtt_us, 0);
}
END_TEST

/* The documented trap: root connects to a socket nginx's worker user could not. */
START_TEST(test_root_only_socket) {
        NEED_FPM();
        if (geteuid() != 0) {
                fprintf(stderr, "not root: no rootonly pool\n");
                return;
        }
        struct stat st;
        ck_assert_int_eq(stat(fpm_env_socket(&env, ROOT_POOL), &st), 0);
        ck_assert_uint_eq(st.st_uid, 0);
        ck_assert_uint_eq(st.st_gid, 0);
        ck_assert_uint_eq(st.st_mode & 0777, 0600);
        struct probe_result r = run("values 0600 root socket, root", env.address[ROOT_POOL], PROBE_VALUES, 0);
        ck_assert_outcome(r, "ok");
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(100);
                struct probe *p;
                if (probe_at(&p, env.address[ROOT_POOL], NULL) < 0 || probe_start(p) < 0)
                        _exit(101);
                drive(p);
                report("values 0600 root socket, nobody", probe_result(p));
                _exit(probe_result(p)->outcome);
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_str_eq(probe_outcome_id(WEXITSTATUS(status)), "permission");
        /* what the daemon, running as root, must conclude without connecting as www-data */
        struct sock_identity web;
        struct sockcheck_result sc;
        ck_assert_int_eq(sock_identity_from_user("www-data", &web), 0);
        ck_assert_int_eq(sockcheck_unix(fpm_env_socket(&env, ROOT_POOL), &web, &sc), 0);
        ck_assert_str_eq(sockcheck_verdict_name(sc.verdict), "socket_denied");
        ck_assert_uint_eq(sc.mode, 0600);
        /* without listen.owner, php-fpm gives the socket to the master's user: root:root 0660,
         * closed to www-data as well (Debian's www.conf sets listen.owner = www-data for that) */
        ck_assert_int_eq(sockcheck_unix(fpm_env_socket(&env, UNIX_POOL), &web, &sc), 0);
        ck_assert_uint_eq(sc.uid, 0);
        ck_assert_uint_eq(sc.mode, 0660);
        ck_assert_str_eq(sockcheck_verdict_name(sc.verdict), "socket_denied");
}
END_TEST

/* listen.acl_users = www-data: the mode alone says no, php-fpm's ACL says yes, and so does the
 * kernel when www-data connects. */
START_TEST(test_acl_users_socket) {
        NEED_FPM();
        if (geteuid() != 0) {
                fprintf(stderr, "not root: no aclpool pool\n");
                return;
        }
        struct sock_identity web;
        struct sockcheck_result sc;
        ck_assert_int_eq(sock_identity_from_user("www-data", &web), 0);
        ck_assert_int_eq(sockcheck_unix(fpm_env_socket(&env, ACL_POOL), &web, &sc), 0);
        ck_assert_uint_eq(sc.uid, 0);
        ck_assert_uint_eq(sc.mode & 0007, 0);
        ck_assert_str_eq(sockcheck_verdict_name(sc.verdict), "ok");
        ck_assert(sc.acl);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(web.groups[0]) < 0 || setuid(web.uid) < 0)
                        _exit(100);
                struct probe *p;
                if (probe_at(&p, env.address[ACL_POOL], NULL) < 0 || probe_start(p) < 0)
                        _exit(101);
                drive(p);
                report("values acl_users socket, www-data", probe_result(p));
                _exit(probe_result(p)->outcome);
        }
        int status;
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        ck_assert(WIFEXITED(status));
        ck_assert_str_eq(probe_outcome_id(WEXITSTATUS(status)), "ok");
}
END_TEST

static int connect_unix(const char *path) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(connect(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        return fd;
}

/* A real request for a script, made with our own encoder; returns the connection. */
static int send_request(const char *socket_path, const char *script) {
        char buf[1024];
        struct fcgi_buf b = { buf, sizeof(buf), 0 };
        const struct fcgi_pair params[] = {
                { SPAN_LIT("REQUEST_METHOD"), SPAN_LIT("GET") },
                { SPAN_LIT("SCRIPT_NAME"), SPAN_LIT("/slow.php") },
                { SPAN_LIT("SCRIPT_FILENAME"), span_make(script, strlen(script)) },
                { SPAN_LIT("QUERY_STRING"), SPAN_LIT("") },
        };
        ck_assert_int_eq(fcgi_put_begin_request(&b, 1, 0), 0);
        ck_assert_int_eq(fcgi_put_params(&b, 1, params, 4), 0);
        ck_assert_int_eq(fcgi_put_params_end(&b, 1), 0);
        ck_assert_int_eq(fcgi_put_stdin(&b, 1, SPAN_NULL), 0);
        int fd = connect_unix(socket_path);
        ck_assert_int_eq(write(fd, buf, b.len), (ssize_t) b.len);
        return fd;
}

/* Reads the answer until END_REQUEST; returns its STDOUT (headers and body). */
static void read_answer(int fd, char *out, size_t size) {
        static struct fcgi_decoder d;
        size_t n = 0;
        bool ended = false;
        fcgi_decoder_init(&d);
        while (!ended) {
                char buf[4096];
                struct pollfd pfd = { fd, POLLIN, 0 };
                ck_assert_int_eq(poll(&pfd, 1, 10000), 1);
                ssize_t got = read(fd, buf, sizeof(buf));
                ck_assert_int_gt(got, 0);
                struct span in = span_make(buf, (size_t) got);
                struct fcgi_record rec;
                int r;
                while ((r = fcgi_decode(&d, &in, &rec)) > 0) {
                        if (rec.type == FCGI_STDOUT && rec.content.n < size - n) {
                                memcpy(out + n, rec.content.p, rec.content.n);
                                n += rec.content.n;
                        }
                        ended = ended || rec.type == FCGI_END_REQUEST;
                }
                ck_assert_int_eq(r, 0);
        }
        out[n] = '\0';
}

START_TEST(test_saturated) {
        NEED_FPM();
        char script[128], answer[4096];
        ck_assert_int_eq(fpm_env_write(&env, "slow.php", "<?php sleep(3); echo 'slept';\n", script, sizeof(script)), 0);
        int slow = send_request(fpm_env_socket(&env, SINGLE_POOL), script);
        struct probe_result r = run("values single, worker busy", env.address[SINGLE_POOL], PROBE_VALUES, 1000);
        ck_assert_outcome(r, "saturated");
        ck_assert_int_eq(r.error, ETIMEDOUT);
        ck_assert_int_ge(r.connect_us, 0);
        ck_assert_int_eq(r.rtt_us, -1);
        r = run("ping single, worker busy", env.address[SINGLE_POOL], PROBE_PING, 500);
        ck_assert_outcome(r, "saturated");
        read_answer(slow, answer, sizeof(answer));
        close(slow);
        ck_assert_ptr_nonnull(strstr(answer, "\r\n\r\nslept"));
        r = run("values single, worker free", env.address[SINGLE_POOL], PROBE_VALUES, 3000);
        ck_assert_outcome(r, "ok");
}
END_TEST

START_TEST(test_after_sigquit) {
        NEED_FPM();
        const char *socket_path = fpm_env_socket(&env, UNIX_POOL);
        ck_assert_int_eq(kill(env.pid, SIGQUIT), 0);
        wait_dead(env.pid);
        ck_assert_int_eq(access(socket_path, F_OK), -1);
        struct probe_result r = run("values unix, after SIGQUIT", env.address[UNIX_POOL], PROBE_VALUES, 0);
        ck_assert_outcome(r, "socket_missing");
        ck_assert_int_eq(r.error, ENOENT);
        ck_assert_int_eq(r.connect_us, -1);
        r = run("values tcp, after SIGQUIT", env.address[TCP_POOL], PROBE_VALUES, 0);
        ck_assert_outcome(r, "refused");
}
END_TEST

START_TEST(test_after_kill9) {
        NEED_FPM();
        pid_t kids[8];
        size_t n;
        ck_assert_int_eq(fpm_env_children(&env, kids, 8, &n), 0);
        ck_assert_uint_eq(n, 4);
        ck_assert_int_eq(kill(env.pid, SIGKILL), 0);     /* first, or it would respawn workers */
        for (size_t i = 0; i < n; i++)
                ck_assert_int_eq(kill(kids[i], SIGKILL), 0);
        wait_dead(env.pid);
        for (size_t i = 0; i < n; i++)
                wait_dead(kids[i]);
        struct stat st;
        ck_assert_int_eq(stat(fpm_env_socket(&env, UNIX_POOL), &st), 0);
        ck_assert(S_ISSOCK(st.st_mode));
        struct probe_result r = run("values unix, stale socket", env.address[UNIX_POOL], PROBE_VALUES, 0);
        ck_assert_outcome(r, "refused");
        ck_assert_int_eq(r.error, ECONNREFUSED);
        r = run("values tcp, after kill -9", env.address[TCP_POOL], PROBE_VALUES, 0);
        ck_assert_outcome(r, "refused");
}
END_TEST

static int listen_loopback(int *port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        ck_assert_int_eq(getsockname(fd, (struct sockaddr *) &a, &len), 0);
        *port = ntohs(a.sin_port);
        return fd;
}

/* A loopback server that sends answer (maybe nothing) to the probe, then closes its side. */
static struct probe_result serve_once(const char *label, const char *answer, size_t n) {
        int port, lfd = listen_loopback(&port);
        char address[32];
        ck_assert_int_eq(listen(lfd, 4), 0);
        snprintf(address, sizeof(address), "127.0.0.1:%d", port);
        struct probe *p;
        ck_assert_int_eq(probe_at(&p, address, NULL), 0);
        ck_assert_int_eq(probe_start(p), 0);
        int c = accept(lfd, NULL, NULL);
        ck_assert_int_ge(c, 0);
        ck_assert_int_eq(write(c, answer, n), (ssize_t) n);
        shutdown(c, SHUT_WR);
        drive(p);
        struct probe_result r = *probe_result(p);
        report(label, &r);
        probe_free(p);
        close(c);
        close(lfd);
        return r;
}

/* An HTTP server where FastCGI was expected: it answers 400 to anything, as nginx does. */
START_TEST(test_http_server) {
        static const char http[] = "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Length: 0\r\n"
                                   "Connection: close\r\n\r\n";
        struct probe_result r = serve_once("values on an HTTP server", http, sizeof(http) - 1);
        ck_assert_outcome(r, "not_fastcgi");
        ck_assert_int_eq(r.error, EPROTO);
        ck_assert_uint_eq(r.bad_byte, 'H');
        ck_assert_uint_eq(r.bad_offset, 0);
}
END_TEST

START_TEST(test_closed_or_wrong_answers) {
        static const char cut[] = "\x01\x0a\x00\x00\x00\x12\x06\x00\x0f\x01" "FCGI_MPXS";
        static const char end[] = "\x01\x03\x00\x01\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00";
        struct probe_result r = serve_once("values, peer closes", "", 0);
        ck_assert_outcome(r, "closed");
        ck_assert_int_eq(r.rtt_us, -1);
        r = serve_once("values, answer cut short", cut, sizeof(cut) - 1);
        ck_assert_outcome(r, "closed");
        ck_assert_str_eq(r.detail, "closed inside a record");
        r = serve_once("values, END_REQUEST instead", end, sizeof(end) - 1);
        ck_assert_outcome(r, "bad_answer");
}
END_TEST

/* With listen(fd, 0) one connection fills a unix socket's queue, as a busy pool's does. */
START_TEST(test_unix_backlog_full) {
        char dir[] = "/tmp/bgw-live-XXXXXX", address[64];
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(address, sizeof(address), "unix:%s/full.sock", dir);
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", address + 5);
        int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_eq(bind(lfd, (struct sockaddr *) &a, sizeof(a)), 0);
        ck_assert_int_eq(listen(lfd, 0), 0);
        struct probe *first;
        ck_assert_int_eq(probe_at(&first, address, NULL), 0);
        ck_assert_int_eq(probe_start(first), 0);
        ck_assert(!probe_done(first));
        struct probe_result r = run("values, unix backlog full", address, PROBE_VALUES, 0);
        probe_free(first);
        close(lfd);
        unlink(a.sun_path);
        rmdir(dir);
        ck_assert_outcome(r, "backlog_full");
        ck_assert_int_eq(r.error, EAGAIN);
}
END_TEST

/* A full TCP accept queue drops SYNs: connect() hangs, as with a saturated TCP pool. */
START_TEST(test_tcp_backlog_full) {
        int port, lfd = listen_loopback(&port);
        char address[32];
        ck_assert_int_eq(listen(lfd, 0), 0);
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_eq(connect(filler, (struct sockaddr *) &a, sizeof(a)), 0);
        struct pollfd queued = { lfd, POLLIN, 0 };
        ck_assert_int_eq(poll(&queued, 1, 5000), 1);
        snprintf(address, sizeof(address), "127.0.0.1:%d", port);
        struct probe_options opt = { .connect_timeout_ms = 300 };
        struct probe_result r = run_opt("values, TCP accept queue full", address, &opt);
        close(filler);
        close(lfd);
        ck_assert_outcome(r, "connect_timeout");
        ck_assert_int_eq(r.connect_us, -1);
}
END_TEST

START_TEST(test_addresses) {
        static const char *const good[] = {
                "unix:/run/php/fpm.sock", "/run/php/fpm.sock", "127.0.0.1:9000", "localhost:9000",
                "[::1]:9000", "[::]:1", "0.0.0.0:65535",
        };
        static const char *const bad[] = {
                "", "unix:", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:90x",
                "127.0.0.1:-1", "example.com:80", ":80", "[::1]", "[::1]:", "[nope]:80", "[::1]80",
        };
        struct probe *p;
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
                ck_assert_msg(probe_at(&p, good[i], NULL) == 0, "%s refused", good[i]);
                probe_free(p);
        }
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                ck_assert_msg(probe_at(&p, bad[i], NULL) == -EINVAL, "%s accepted", bad[i]);
        char long_path[200];
        memset(long_path, 'x', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        ck_assert_int_eq(probe_at(&p, long_path, NULL), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_free_port) {
        int port, fd = listen_loopback(&port);
        char address[32];
        close(fd);
        snprintf(address, sizeof(address), "127.0.0.1:%d", port);
        struct probe_result r = run("values on a free port", address, PROBE_VALUES, 0);
        ck_assert_outcome(r, "refused");
        ck_assert_int_eq(r.error, ECONNREFUSED);
}
END_TEST

START_TEST(test_no_socket_file) {
        struct probe_result r = run("values on a missing path", "unix:/tmp/bgw-live-none/none.sock", PROBE_VALUES, 0);
        ck_assert_outcome(r, "socket_missing");
}
END_TEST

/* connect() to a directory or a regular file fails with ECONNREFUSED, as a stale socket does: the
 * detail says which it is (a typo'd Listen=, a file left where the socket was). */
START_TEST(test_not_a_socket) {
        char dir[128], file[160], address[200], want[300];
        fixture_newdir(dir);
        snprintf(address, sizeof(address), "unix:%s", dir);
        struct probe_result r = run("values on a directory", address, PROBE_VALUES, 0);
        ck_assert_outcome(r, "refused");
        snprintf(want, sizeof(want), "%s is a directory, not a socket", dir);
        ck_assert_str_eq(r.detail, want);
        snprintf(file, sizeof(file), "%s/file.sock", dir);
        fclose(fopen(file, "we"));
        snprintf(address, sizeof(address), "unix:%s", file);
        r = run("values on a regular file", address, PROBE_VALUES, 0);
        ck_assert_outcome(r, "refused");
        snprintf(want, sizeof(want), "%s is a regular file, not a socket", file);
        ck_assert_str_eq(r.detail, want);
        unlink(file);
        rmdir(dir);
}
END_TEST

static TCase *fpm_case(const char *name, void (*setup)(void)) {
        TCase *tc = tcase_create(name);
        tcase_add_unchecked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 60);
        return tc;
}

int main(void) {
        if (access(fpm_env_binary(), X_OK) < 0) {
                printf("skipped: no %s (set PHP_FPM)\n", fpm_env_binary());
                return 77;
        }
        Suite *s = suite_create("probe");
        TCase *tc = fpm_case("pools", setup_all_pools);
        tcase_add_test(tc, test_values_ok);
        tcase_add_test(tc, test_values_close_at_once);
        tcase_add_test(tc, test_ping_ok);
        tcase_add_test(tc, test_status_ok);
        tcase_add_test(tc, test_ping_unconfigured_path);
        tcase_add_test(tc, test_root_only_socket);
        tcase_add_test(tc, test_acl_users_socket);
        tcase_add_test(tc, test_saturated);
        suite_add_tcase(s, tc);
        tc = fpm_case("sigquit", setup_two_pools);
        tcase_add_test(tc, test_after_sigquit);
        suite_add_tcase(s, tc);
        tc = fpm_case("kill9", setup_two_pools);
        tcase_add_test(tc, test_after_kill9);
        suite_add_tcase(s, tc);
        tc = tcase_create("no php-fpm");
        tcase_add_test(tc, test_http_server);
        tcase_add_test(tc, test_closed_or_wrong_answers);
        tcase_add_test(tc, test_unix_backlog_full);
        tcase_add_test(tc, test_tcp_backlog_full);
        tcase_add_test(tc, test_addresses);
        tcase_add_test(tc, test_free_port);
        tcase_add_test(tc, test_no_socket_file);
        suite_add_tcase(s, tc);
        tc = tcase_create("not a socket");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_test(tc, test_not_a_socket);
        suite_add_tcase(s, tc);
        int failed = fixture_run(s) != EXIT_SUCCESS;
        return failed || stop_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
