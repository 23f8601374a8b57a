/* What the host's nginx was built with: `nginx -V`, run with posix_spawn(3) and a pipe, for a
 * bounded time. */
#include "host_parts.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The value of "--name=" in args ("--conf-path=/etc/nginx/nginx.conf ..."), up to a space or
 * a quote; false when absent or too long. */
static bool option(const char *args, const char *name, char *out, size_t size) {
        for (const char *p = args; (p = strstr(p, name)); p += strlen(name)) {
                if (p != args && p[-1] != ' ' && p[-1] != '\'')
                        continue;
                const char *v = p + strlen(name);
                size_t n = strcspn(v, " '\n");
                if (n == 0 || n >= size)
                        return false;
                memcpy(out, v, n);
                out[n] = '\0';
                return true;
        }
        return false;
}

void host_nginx_build_parse(const char *text, struct host_nginx_build *b) {
        *b = (struct host_nginx_build) { 0 };
        const char *args = strstr(text, "configure arguments:");
        if (!args)
                return;
        option(args, "--conf-path=", b->conf_path, sizeof(b->conf_path));
        option(args, "--user=", b->user, sizeof(b->user));
        if (option(args, "--prefix=", b->prefix, sizeof(b->prefix))) {
                size_t n = strlen(b->prefix);
                while (n > 1 && b->prefix[n - 1] == '/')
                        b->prefix[--n] = '\0';
        }
}

static const char *find_nginx(void) {
        static const char *const places[] = { "/usr/sbin/nginx", "/usr/local/sbin/nginx",
                                              "/usr/local/nginx/sbin/nginx", "/usr/bin/nginx", "/sbin/nginx" };
        for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++)
                if (access(places[i], X_OK) == 0)
                        return places[i];
        return NULL;
}

/* nginx -V with stdin /dev/null and stdout, stderr to the pipe's write end. */
static int spawn_nginx(const char *path, int out, pid_t *pid) {
        posix_spawn_file_actions_t fa;
        char *argv[] = { (char *) path, (char *) "-V", NULL };
        int r = posix_spawn_file_actions_init(&fa);
        if (r)
                return -r;
        r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (!r)
                r = posix_spawn_file_actions_adddup2(&fa, out, 1);
        if (!r)
                r = posix_spawn_file_actions_adddup2(&fa, out, 2);
        if (!r)
                r = posix_spawn(pid, path, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        return -r;
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads fd until its end, at most size - 1 bytes kept, until deadline (ms, CLOCK_MONOTONIC). */
static int read_until(int fd, char *buf, size_t size, long long deadline) {
        size_t got = 0;
        for (;;) {
                long long left = deadline - now_ms();
                struct pollfd p = { fd, POLLIN, 0 };
                int n = left > 0 ? poll(&p, 1, (int) left) : 0;
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -ETIMEDOUT;
                char scratch[4096];
                char *to = got + 1 < size ? buf + got : scratch;
                size_t room = got + 1 < size ? size - 1 - got : sizeof(scratch);
                ssize_t r = read(fd, to, room);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0) {
                        buf[got] = '\0';
                        return r < 0 ? -errno : 0;
                }
                if (to != scratch)
                        got += (size_t) r;
        }
}

int host_nginx_build_read(struct host_nginx_build *b, int timeout_ms) {
        *b = (struct host_nginx_build) { 0 };
        const char *path = find_nginx();
        int fds[2];
        pid_t pid = 0;
        if (!path)
                return -ENOENT;
        if (pipe2(fds, O_CLOEXEC) < 0)
                return -errno;
        int r = spawn_nginx(path, fds[1], &pid);
        close(fds[1]);
        char *text = r == 0 ? malloc(HOST_NGINX_V_OUTPUT_MAX) : NULL;
        if (r == 0)
                r = text ? read_until(fds[0], text, HOST_NGINX_V_OUTPUT_MAX, now_ms() + timeout_ms) : -ENOMEM;
        close(fds[0]);
        if (r == 0)
                host_nginx_build_parse(text, b);
        free(text);
        if (pid > 0 && r != 0)
                kill(pid, SIGKILL);     /* still running, or its output was lost: it goes */
        while (pid > 0 && waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
        return r;
}
