#include "servers.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

enum { READY_MS = 10000 };

const char *servers_nginx_user(void) {
        static char name[64];
        struct passwd *pw = getpwuid(geteuid());
        if (geteuid() == 0 && getpwnam("www-data"))
                return "www-data";
        snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "nobody");
        return name;
}

void fpm_up(struct fpm_env *e) {
        static char lines[256];
        snprintf(lines, sizeof(lines), "pm = static\npm.max_children = 2\n%s",
                 geteuid() == 0 ? "listen.owner = www-data\nlisten.group = www-data\nlisten.mode = 0660\n" : "");
        struct fpm_pool pool = { "www", false, lines };
        char path[256];
        ck_assert_msg(fpm_env_start(e, &pool, 1) == 0, "php-fpm: %s", e->error);
        harness_track(e->pid, e->dir);
        ck_assert_int_eq(fpm_env_write(e, "index.php", "<?php echo 'ok';\n", path, sizeof(path)), 0);
}

static void reap_group(pid_t pgid) {
        while (waitpid(-pgid, NULL, 0) > 0)
                continue;
}

void fpm_quit(struct fpm_env *e) {
        ck_assert_int_gt(e->pid, 0);
        ck_assert_int_eq(kill(e->pid, SIGQUIT), 0);
        ck_assert_int_eq(waitpid(e->pid, NULL, 0), e->pid);
        reap_group(e->pid);
        harness_untrack(e->pid, NULL);
        e->pid = 0;
}

static bool accepts(const struct sockaddr *a, socklen_t len) {
        int fd = socket(a->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        bool ok = fd >= 0 && connect(fd, a, len) == 0;
        if (fd >= 0)
                close(fd);
        return ok;
}

static bool wait_accepts(const struct sockaddr *a, socklen_t len) {
        long long end = harness_now_ms() + READY_MS;
        while (!accepts(a, len))
                if (harness_now_ms() > end || poll(NULL, 0, 5) < 0)
                        return false;
        return true;
}

/* Like fpm_env's own start: its own group, killed with us, output in dir/stderr.log. */
static void exec_fpm(const struct fpm_env *e, pid_t parent) {
        char conf[128], out[128];
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(127);
        snprintf(conf, sizeof(conf), "%s/php-fpm.conf", e->dir);
        snprintf(out, sizeof(out), "%s/stderr.log", e->dir);
        int in = open("/dev/null", O_RDONLY), log = open(out, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
                _exit(127);
        execl(fpm_env_binary(), "php-fpm", "-F", "-y", conf, (char *) NULL);
        _exit(127);
}

void fpm_restart(struct fpm_env *e) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        snprintf(a.sun_path, sizeof(a.sun_path), "%s", fpm_env_socket(e, 0));
        pid_t parent = getpid(), pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                exec_fpm(e, parent);
        setpgid(pid, pid);
        harness_track(pid, NULL);
        e->pid = pid;
        ck_assert_msg(wait_accepts((struct sockaddr *) &a, sizeof(a)), "php-fpm did not come back");
}

void fpm_down(struct fpm_env *e) {
        pid_t pid = e->pid;
        char dir[sizeof(e->dir)];
        snprintf(dir, sizeof(dir), "%s", e->dir);
        ck_assert_msg(fpm_env_stop(e) == 0, "stopping php-fpm: %s", e->error);
        harness_untrack(pid, dir);
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

static void write_nginx_conf(const char *dir, int port, const struct fpm_env *e, const char *pass) {
        char path[256], text[4096];
        snprintf(path, sizeof(path), "%s/nginx.conf", dir);
        snprintf(text, sizeof(text),
                 "daemon off;\nmaster_process on;\nworker_processes 1;\n%s"
                 "error_log %s/error.log info;\npid %s/nginx.pid;\n"
                 "events { worker_connections 64; }\n"
                 "http {\n  access_log off;\n"
                 "  client_body_temp_path %s/body;\n  fastcgi_temp_path %s/fastcgi;\n"
                 "  proxy_temp_path %s/proxy;\n  uwsgi_temp_path %s/uwsgi;\n  scgi_temp_path %s/scgi;\n"
                 "  server {\n    listen 127.0.0.1:%d;\n    location / {\n"
                 "      fastcgi_pass %s;\n"
                 "      fastcgi_param SCRIPT_FILENAME %s/index.php;\n"
                 "      fastcgi_param REQUEST_METHOD $request_method;\n"
                 "    }\n  }\n}\n",
                 geteuid() == 0 ? "user www-data;\n" : "", dir, dir, dir, dir, dir, dir, dir, port, pass, e->dir);
        write_file(path, text);
}

bool nginx_up(struct nginx *n, const char *dir, const struct fpm_env *e) {
        char pass[160];
        snprintf(pass, sizeof(pass), "unix:%s", fpm_env_socket(e, 0));
        return nginx_up_to(n, dir, e, pass);
}

bool nginx_up_to(struct nginx *n, const char *dir, const struct fpm_env *e, const char *pass) {
        char conf[256], log[256];
        n->pid = 0;
        n->port = free_port();
        if (access("/usr/sbin/nginx", X_OK) < 0) {
                fprintf(stderr, "no /usr/sbin/nginx: the test goes on without it\n");
                return false;
        }
        write_nginx_conf(dir, n->port, e, pass);
        snprintf(conf, sizeof(conf), "%s/nginx.conf", dir);
        snprintf(log, sizeof(log), "%s/error.log", dir);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
                setpgid(0, 0);
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                execl("/usr/sbin/nginx", "nginx", "-p", dir, "-c", conf, "-e", log, (char *) NULL);
                _exit(127);
        }
        setpgid(pid, pid);
        harness_track(pid, NULL);
        n->pid = pid;
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) n->port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        if (wait_accepts((struct sockaddr *) &a, sizeof(a)))
                return true;
        fprintf(stderr, "nginx did not start: the test goes on without it\n");
        nginx_down(n);
        return false;
}

void nginx_down(struct nginx *n) {
        if (n->pid <= 0)
                return;
        kill(n->pid, SIGTERM);
        reap_group(n->pid);
        harness_untrack(n->pid, NULL);
        n->pid = 0;
}

int http_get(int port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t) port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        static const char req[] = "GET / HTTP/1.0\r\nHost: test\r\n\r\n";
        char buf[512] = "";
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), status = -1;
        if (fd < 0)
                return -1;
        if (connect(fd, (struct sockaddr *) &a, sizeof(a)) == 0 && write(fd, req, sizeof(req) - 1) > 0 &&
            read(fd, buf, sizeof(buf) - 1) > 0)
                sscanf(buf, "HTTP/%*s %d", &status);
        close(fd);
        return status;
}
