#include "fpm_env.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum {
        START_DEADLINE_MS = 10000,
        QUIT_DEADLINE_MS = 5000,
        KILL_DEADLINE_MS = 5000,
        POLL_MS = 5,
        LOG_MAX = 64 * 1024,
};

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(int ms) {
        poll(NULL, 0, ms);
}

__attribute__((format(printf, 3, 4)))
static int fail(struct fpm_env *e, int r, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        if (e->error[0] == '\0')
                vsnprintf(e->error, sizeof(e->error), fmt, ap);
        va_end(ap);
        return r;
}

const char *fpm_env_binary(void) {
        const char *b = getenv("PHP_FPM");
        return b && *b ? b : "/usr/sbin/php-fpm8.2";
}

const char *fpm_env_socket(const struct fpm_env *e, size_t i) {
        return strncmp(e->address[i], "unix:", 5) == 0 ? e->address[i] + 5 : NULL;
}

/* A loopback port nobody uses now; the socket stays bound until *fd is closed. */
static int bind_free_port(int *fd, int *port) {
        struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof(a);
        *fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (*fd < 0 || bind(*fd, (struct sockaddr *) &a, sizeof(a)) < 0 ||
            getsockname(*fd, (struct sockaddr *) &a, &len) < 0)
                return -errno;
        *port = ntohs(a.sin_port);
        return 0;
}

static int set_addresses(struct fpm_env *e, const struct fpm_pool *pools, size_t n) {
        int fds[FPM_ENV_POOLS_MAX], r = 0;
        size_t held = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                int port = 0;
                if (!pools[i].tcp) {
                        snprintf(e->address[i], sizeof(e->address[i]), "unix:%s/%s.sock", e->dir, pools[i].name);
                        continue;
                }
                r = bind_free_port(&fds[held], &port);
                if (fds[held] >= 0)
                        held++;
                snprintf(e->address[i], sizeof(e->address[i]), "127.0.0.1:%d", port);
        }
        while (held > 0)
                close(fds[--held]);
        e->n_pools = n;
        return r < 0 ? fail(e, r, "no free port: %s", strerror(-r)) : 0;
}

/* As root, php-fpm wants a user for each pool: www-data, else nobody. */
static void pool_user(FILE *f) {
        if (geteuid() != 0)
                return;
        struct passwd *pw = getpwnam("www-data");
        if (!pw)
                pw = getpwnam("nobody");
        struct group *gr = pw ? getgrgid(pw->pw_gid) : NULL;
        if (pw && gr)
                fprintf(f, "user = %s\ngroup = %s\n", pw->pw_name, gr->gr_name);
}

static int write_config(struct fpm_env *e, const struct fpm_pool *pools, size_t n, const char *conf) {
        FILE *f = fopen(conf, "w");
        if (!f)
                return fail(e, -errno, "%s: %s", conf, strerror(errno));
        fprintf(f, "[global]\npid = %s/php-fpm.pid\nerror_log = %s/error.log\nlog_level = notice\n",
                e->dir, e->dir);
        for (size_t i = 0; i < n; i++) {
                const char *socket = fpm_env_socket(e, i);
                fprintf(f, "\n[%s]\nlisten = %s\n", pools[i].name, socket ? socket : e->address[i]);
                pool_user(f);
                fputs(pools[i].lines ? pools[i].lines : "", f);
        }
        return fclose(f) == 0 ? 0 : fail(e, -EIO, "writing %s failed", conf);
}

static void exec_fpm(const char *dir, const char *conf, pid_t parent) {
        char out[128];
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setpgid(0, 0);
        /* should the test runner die, the master goes too; stop() deals with the workers */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(127);
        snprintf(out, sizeof(out), "%s/stderr.log", dir);
        int in = open("/dev/null", O_RDONLY);
        int log = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || log < 0 || dup2(in, 0) < 0 || dup2(log, 1) < 0 || dup2(log, 2) < 0)
                _exit(127);
        execl(fpm_env_binary(), "php-fpm", "-F", "-y", conf, (char *) NULL);
        _exit(127);
}

static int spawn(struct fpm_env *e, const char *conf) {
        pid_t parent = getpid();
        pid_t pid = fork();
        if (pid < 0)
                return fail(e, -errno, "fork: %s", strerror(errno));
        if (pid == 0)
                exec_fpm(e->dir, conf, parent);
        setpgid(pid, pid);
        e->pid = pid;
        return 0;
}

static size_t read_file(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        size_t n = 0;
        ssize_t got;
        if (fd < 0)
                return 0;
        while (n + 1 < size && (got = read(fd, buf + n, size - 1 - n)) > 0)
                n += (size_t) got;
        close(fd);
        buf[n] = '\0';
        return n;
}

static bool log_says(const struct fpm_env *e, const char *what) {
        char path[128];
        static char log[LOG_MAX];
        snprintf(path, sizeof(path), "%s/error.log", e->dir);
        read_file(path, log, sizeof(log));
        return strstr(log, what) != NULL;
}

static bool sockets_exist(const struct fpm_env *e) {
        for (size_t i = 0; i < e->n_pools; i++) {
                struct stat st;
                const char *path = fpm_env_socket(e, i);
                if (path && (stat(path, &st) < 0 || !S_ISSOCK(st.st_mode)))
                        return false;
        }
        return true;
}

static int log_tail_error(struct fpm_env *e, int r, const char *why) {
        char path[128], log[4096];
        snprintf(path, sizeof(path), "%s/error.log", e->dir);
        size_t n = read_file(path, log, sizeof(log));
        if (n == 0) {
                snprintf(path, sizeof(path), "%s/stderr.log", e->dir);
                n = read_file(path, log, sizeof(log));
        }
        return fail(e, r, "%s; log: %s", why, n > 300 ? log + n - 300 : log);
}

/* Whether the master exited, without reaping it: its pid keeps naming our process group. */
static bool exited(pid_t pid) {
        siginfo_t info = { 0 };
        return waitid(P_PID, (id_t) pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 || info.si_pid == pid;
}

static int wait_ready(struct fpm_env *e) {
        int64_t deadline = now_ms() + START_DEADLINE_MS;
        for (;;) {
                if (exited(e->pid))
                        return log_tail_error(e, -ECHILD, "php-fpm exited at start");
                if (log_says(e, "ready to handle connections") && sockets_exist(e))
                        return 0;
                if (now_ms() > deadline)
                        return log_tail_error(e, -ETIMEDOUT, "php-fpm not ready in time");
                pause_ms(POLL_MS);
        }
}

int fpm_env_start(struct fpm_env *e, const struct fpm_pool *pools, size_t n) {
        char conf[128];
        memset(e, 0, sizeof(*e));
        if (n > FPM_ENV_POOLS_MAX)
                return fail(e, -E2BIG, "too many pools");
        if (access(fpm_env_binary(), X_OK) < 0)
                return fail(e, -errno, "%s: %s", fpm_env_binary(), strerror(errno));
        strcpy(e->dir, "/tmp/bgw-live-XXXXXX");
        if (!mkdtemp(e->dir)) {
                e->dir[0] = '\0';
                return fail(e, -errno, "mkdtemp: %s", strerror(errno));
        }
        chmod(e->dir, 0755);    /* the workers' user reads scripts here */
        /* workers orphaned by a killed master come to us, to be reaped in stop() */
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        snprintf(conf, sizeof(conf), "%s/php-fpm.conf", e->dir);
        int r = set_addresses(e, pools, n);
        if (r == 0)
                r = write_config(e, pools, n, conf);
        if (r == 0)
                r = spawn(e, conf);
        if (r == 0)
                r = wait_ready(e);
        if (r < 0)
                fpm_env_stop(e);
        return r;
}

struct proc {
        char state;
        pid_t ppid;
        pid_t pgrp;
};

static bool read_proc(pid_t pid, struct proc *p) {
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int) pid);
        if (read_file(path, buf, sizeof(buf)) == 0)
                return false;
        const char *end = strrchr(buf, ')');    /* the command name may hold anything */
        int ppid, pgrp;
        if (!end || sscanf(end + 1, " %c %d %d", &p->state, &ppid, &pgrp) != 3)
                return false;
        p->ppid = ppid;
        p->pgrp = pgrp;
        return true;
}

bool fpm_env_dead(pid_t pid) {
        struct proc p;
        return !read_proc(pid, &p) || p.state == 'Z' || p.state == 'X';
}

/* Live processes with that parent (ppid > 0) or in that group (pgrp > 0); returns how many. */
static size_t find_procs(pid_t ppid, pid_t pgrp, pid_t *out, size_t max) {
        DIR *d = opendir("/proc");
        struct dirent *de;
        size_t n = 0;
        while (d && (de = readdir(d))) {
                pid_t pid = (pid_t) atoi(de->d_name);
                struct proc p;
                if (pid <= 0 || !read_proc(pid, &p) || p.state == 'Z' || p.state == 'X')
                        continue;
                if ((ppid > 0 && p.ppid != ppid) || (pgrp > 0 && p.pgrp != pgrp))
                        continue;
                if (n < max)
                        out[n] = pid;
                n++;
        }
        if (d)
                closedir(d);
        return n;
}

int fpm_env_children(const struct fpm_env *e, pid_t *pids, size_t max, size_t *n) {
        if (e->pid <= 0)
                return -ESRCH;
        *n = find_procs(e->pid, 0, pids, max);
        return *n > max ? -E2BIG : 0;
}

static bool wait_exit(pid_t pid, int ms) {
        int64_t deadline = now_ms() + ms;
        while (!exited(pid)) {
                if (now_ms() > deadline)
                        return false;
                pause_ms(POLL_MS);
        }
        return true;
}

static bool group_gone(pid_t pgrp, int ms) {
        int64_t deadline = now_ms() + ms;
        pid_t left;
        while (find_procs(0, pgrp, &left, 1) > 0) {
                if (now_ms() > deadline)
                        return false;
                pause_ms(POLL_MS);
        }
        return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path) < 0 ? -1 : 0;
}

int fpm_env_stop(struct fpm_env *e) {
        int r = 0;
        if (e->pid > 0) {
                kill(e->pid, SIGQUIT);
                wait_exit(e->pid, QUIT_DEADLINE_MS);
                /* a master stuck in its graceful stop, or workers a test orphaned */
                kill(-e->pid, SIGKILL);
                while (waitpid(-e->pid, NULL, 0) > 0)
                        continue;       /* the master, and the orphans we took in as subreaper */
                if (!group_gone(e->pid, KILL_DEADLINE_MS))
                        r = fail(e, -EBUSY, "processes of group %d survived", (int) e->pid);
                e->pid = 0;
        }
        if (e->dir[0] && nftw(e->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && r == 0)
                r = fail(e, -errno, "removing %s: %s", e->dir, strerror(errno));
        e->dir[0] = '\0';
        return r;
}

int fpm_env_write(const struct fpm_env *e, const char *name, const char *text, char *path, size_t size) {
        snprintf(path, size, "%s/%s", e->dir, name);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        size_t n = strlen(text);
        ssize_t w = write(fd, text, n);
        int r = w == (ssize_t) n ? 0 : -EIO;
        return close(fd) < 0 ? -errno : r;
}
