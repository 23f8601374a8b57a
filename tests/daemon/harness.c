#include "harness.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"

enum { TRACK_MAX = 128, ARGS_MAX = 64, STOP_MS = 10000 };

struct tracked {
        pid_t pgid;
        char dir[128];
};

struct registry {
        int n;
        struct tracked t[TRACK_MAX];
};

static struct registry *reg;

long long harness_now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *wrapper(void) {
        const char *w = getenv("BGW_WRAPPER");
        return w && *w ? w : NULL;
}

int harness_ms(int ms) {
        return wrapper() ? ms * 8 : ms;
}

void harness_setup(void) {
        reg = mmap(NULL, sizeof(*reg), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (reg == MAP_FAILED) {
                perror("mmap");
                exit(EXIT_FAILURE);
        }
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        fixture_base_create();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
        return remove(path);
}

void harness_teardown(void) {
        for (int i = 0; i < reg->n; i++) {
                struct tracked *t = &reg->t[i];
                if (t->pgid > 0 && kill(-t->pgid, SIGKILL) == 0)
                        fprintf(stderr, "teardown: killed process group %d a test left\n", (int) t->pgid);
                if (t->pgid > 0)
                        while (waitpid(-t->pgid, NULL, 0) > 0)
                                continue;
                if (t->dir[0])
                        nftw(t->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
        }
        while (waitpid(-1, NULL, WNOHANG) > 0)
                continue;
        munmap(reg, sizeof(*reg));
        reg = NULL;
        fixture_base_remove();
}

void harness_track(pid_t pgid, const char *dir) {
        ck_assert_msg(reg, "harness_setup() was not run");
        ck_assert_int_lt(reg->n, TRACK_MAX);
        struct tracked *t = &reg->t[reg->n];
        t->pgid = pgid;
        snprintf(t->dir, sizeof(t->dir), "%s", dir ? dir : "");
        reg->n++;
}

void harness_untrack(pid_t pgid, const char *dir) {
        for (int i = 0; i < reg->n; i++) {
                if (pgid > 0 && reg->t[i].pgid == pgid)
                        reg->t[i].pgid = 0;
                if (dir && strcmp(reg->t[i].dir, dir) == 0)
                        reg->t[i].dir[0] = '\0';
        }
}

void write_file(const char *path, const char *text) {
        FILE *f = fopen(path, "w");
        ck_assert_msg(f, "%s: %s", path, strerror(errno));
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
}

void append_file(const char *path, const char *text, size_t n) {
        int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        ck_assert_msg(fd >= 0, "%s: %s", path, strerror(errno));
        ck_assert_int_eq(write(fd, text, n), (ssize_t) n);
        close(fd);
}

/* argv: the wrapper's words, the binary, then args. */
static void make_argv(const char *const *args, char **argv, char *words) {
        int n = 0;
        const char *w = wrapper();
        if (w) {
                snprintf(words, 1024, "%s", w);
                for (char *save, *tok = strtok_r(words, " ", &save); tok && n < ARGS_MAX / 2;
                     tok = strtok_r(NULL, " ", &save))
                        argv[n++] = tok;
        }
        const char *bin = getenv("BADGATEWAYD");
        argv[n++] = (char *) (bin ? bin : "badgatewayd");
        for (; *args && n < ARGS_MAX - 1; args++)
                argv[n++] = (char *) *args;
        argv[n] = NULL;
}

/* bgw_run_as(): the user the next child runs as, or NULL. */
static const char *run_as;

/* Becomes run_as (its uid, its primary group, no other groups); exits 126 when it cannot. */
static void drop_to(const char *user) {
        const struct passwd *pw = getpwnam(user);
        if (!pw || setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
                _exit(126);
}

static void exec_child(const char *const *args, const char *const *env, int out, int err) {
        char *argv[ARGS_MAX], words[1024];
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        unsetenv("INVOCATION_ID");
        unsetenv("JOURNAL_STREAM");
        unsetenv("NOTIFY_SOCKET");
        unsetenv("WATCHDOG_USEC");
        unsetenv("WATCHDOG_PID");
        for (; env && *env; env++)
                putenv((char *) *env);
        if (!getenv("STATE_DIRECTORY")) {       /* never the host's /var/lib/badgatewayd */
                static char state[160];
                char d[128];
                snprintf(state, sizeof(state), "STATE_DIRECTORY=%s", fixture_newdir(d));
                putenv(state);
        }
        if (run_as)
                drop_to(run_as);        /* after the state directory is made: it is root's */
        int in = open("/dev/null", O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
                _exit(127);
        make_argv(args, argv, words);
        execvp(argv[0], argv);
        _exit(127);
}

static pid_t spawn(const char *const *args, const char *const *env, int *out, int *err) {
        int o[2], e[2];
        ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
        ck_assert_int_eq(pipe2(e, O_CLOEXEC), 0);
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0)
                exec_child(args, env, o[1], e[1]);
        setpgid(pid, pid);
        harness_track(pid, NULL);
        close(o[1]);
        close(e[1]);
        fcntl(o[0], F_SETFL, O_NONBLOCK);
        fcntl(e[0], F_SETFL, O_NONBLOCK);
        *out = o[0];
        *err = e[0];
        return pid;
}

/* 1 read something, 0 at the end, -1 nothing now. */
static int read_some(int fd, char **buf, size_t *len) {
        char chunk[65536];
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n <= 0)
                return n == 0 ? 0 : -1;
        *buf = realloc(*buf, *len + (size_t) n + 1);
        ck_assert_ptr_nonnull(*buf);
        memcpy(*buf + *len, chunk, (size_t) n);
        *len += (size_t) n;
        (*buf)[*len] = '\0';
        return 1;
}

static void parse_lines(struct bgw *b) {
        char *nl;
        while (b->out && (nl = memchr(b->out + b->out_parsed, '\n', b->out_len - b->out_parsed))) {
                json_error_t e;
                size_t n = (size_t) (nl - (b->out + b->out_parsed));
                json_t *j = json_loadb(b->out + b->out_parsed, n, 0, &e);
                ck_assert_msg(j, "stdout line is not JSON: %.*s", (int) n, b->out + b->out_parsed);
                json_array_append_new(b->alerts, j);
                b->out_parsed += n + 1;
        }
}

static void read_notes(struct bgw *b) {
        char msg[4096];
        ssize_t n;
        while ((n = recv(b->notify_fd, msg, sizeof(msg) - 1, MSG_DONTWAIT)) > 0) {
                msg[n] = '\0';
                json_array_append_new(b->notes, json_stringn_nocheck(msg, (size_t) n));  /* as sent, any bytes */
        }
}

void bgw_pump(struct bgw *b, int ms) {
        struct pollfd p[3] = { { b->out_fd, POLLIN, 0 }, { b->err_fd, POLLIN, 0 }, { b->notify_fd, POLLIN, 0 } };
        if (poll(p, 3, ms) <= 0)
                return;
        if (b->out_fd >= 0 && p[0].revents && read_some(b->out_fd, &b->out, &b->out_len) == 0)
                close(b->out_fd), b->out_fd = -1;
        if (b->err_fd >= 0 && p[1].revents && read_some(b->err_fd, &b->err, &b->err_len) == 0)
                close(b->err_fd), b->err_fd = -1;
        read_notes(b);
        parse_lines(b);
}

static int notify_socket(const char *dir, char *env, size_t size) {
        struct sockaddr_un a = { .sun_family = AF_UNIX };
        snprintf(a.sun_path, sizeof(a.sun_path), "%s/notify", dir);
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(bind(fd, (struct sockaddr *) &a, sizeof(a)), 0);
        snprintf(env, size, "NOTIFY_SOCKET=%s", a.sun_path);
        return fd;
}

void bgw_start(struct bgw *b, const char *dir, const char *const *args, const char *const *env) {
        static char notify_env[160], state_env[200];
        const char *envs[16];
        size_t n = 0;
        *b = (struct bgw) { .alerts = json_array(), .notes = json_array(), .status = -1 };
        b->notify_fd = notify_socket(dir, notify_env, sizeof(notify_env));
        envs[n++] = notify_env;
        /* the test's own state directory, as systemd would give one: never the host's /var/lib */
        snprintf(state_env, sizeof(state_env), "STATE_DIRECTORY=%s/state", dir);
        ck_assert(mkdir(state_env + strlen("STATE_DIRECTORY="), 0700) == 0 || errno == EEXIST);
        envs[n++] = state_env;
        for (; env && *env && n < 15; env++)
                envs[n++] = *env;
        envs[n] = NULL;
        b->pid = spawn(args, envs, &b->out_fd, &b->err_fd);
}

static bool note_has(const char *note, const char *line) {
        size_t n = strlen(line);
        for (const char *p = note; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, line, n) == 0)
                        return true;
        return false;
}

int bgw_wait_note(struct bgw *b, size_t from, const char *line, int ms) {
        long long end = harness_now_ms() + harness_ms(ms);
        for (;;) {
                for (size_t i = from; i < json_array_size(b->notes); i++)
                        if (note_has(json_string_value(json_array_get(b->notes, i)), line))
                                return (int) i;
                long long left = end - harness_now_ms();
                if (left <= 0)
                        return -1;
                bgw_pump(b, (int) (left < 50 ? left : 50));
        }
}

static bool alert_is(json_t *a, const char *cause, const char *state) {
        const char *c = json_string_value(json_object_get(a, "cause"));
        const char *s = json_string_value(json_object_get(a, "state"));
        return c && s && strcmp(c, cause) == 0 && strcmp(s, state) == 0;
}

int bgw_wait_alert(struct bgw *b, size_t from, const char *cause, const char *state, int ms) {
        long long end = harness_now_ms() + harness_ms(ms);
        for (;;) {
                for (size_t i = from; i < json_array_size(b->alerts); i++)
                        if (alert_is(json_array_get(b->alerts, i), cause, state))
                                return (int) i;
                long long left = end - harness_now_ms();
                if (left <= 0)
                        return -1;
                bgw_pump(b, (int) (left < 50 ? left : 50));
        }
}

bool bgw_wait_stderr(struct bgw *b, const char *text, int ms) {
        long long end = harness_now_ms() + harness_ms(ms);
        while (!b->err || !strstr(b->err, text)) {
                long long left = end - harness_now_ms();
                if (left <= 0)
                        return false;
                bgw_pump(b, (int) (left < 50 ? left : 50));
        }
        return true;
}

static bool reap(pid_t pid, int *status, int ms) {
        long long end = harness_now_ms() + ms;
        while (harness_now_ms() < end) {
                pid_t r = waitpid(pid, status, WNOHANG);
                if (r == pid)
                        return true;
                if (r < 0)
                        return false;
                poll(NULL, 0, 5);
        }
        return false;
}

static int exit_code(int status) {
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int bgw_stop(struct bgw *b) {
        if (b->pid <= 0)
                return -1;
        kill(b->pid, SIGTERM);
        long long end = harness_now_ms() + harness_ms(STOP_MS);
        while ((b->out_fd >= 0 || b->err_fd >= 0) && harness_now_ms() < end)
                bgw_pump(b, 50);
        bool gone = reap(b->pid, &b->status, harness_ms(STOP_MS));
        if (!gone) {
                kill(-b->pid, SIGKILL);
                waitpid(b->pid, &b->status, 0);
        }
        harness_untrack(b->pid, NULL);
        b->pid = 0;
        return gone ? exit_code(b->status) : -1;
}

void bgw_free(struct bgw *b) {
        if (b->pid > 0)
                bgw_stop(b);
        if (b->out_fd >= 0)
                close(b->out_fd);
        if (b->err_fd >= 0)
                close(b->err_fd);
        close(b->notify_fd);
        free(b->out);
        free(b->err);
        json_decref(b->alerts);
        json_decref(b->notes);
        *b = (struct bgw) { .out_fd = -1, .err_fd = -1, .notify_fd = -1 };
}

int bgw_run(const char *const *args, char **out, char **err) {
        return bgw_run_reader_gone(args, out, err, false);
}

/* The binary copied into a directory of mode 0755 of its own: another user cannot reach the build
 * under a checkout in root's home (mode 0700). The copy's directory is left in dir. */
static void reachable_copy(const char *bin, char dir[static 64], char copy[static 128]) {
        snprintf(dir, 64, "/tmp/bgw-runas.XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_eq(chmod(dir, 0755), 0);
        snprintf(copy, 128, "%s/badgatewayd", dir);
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && chmod 0755 '%s'", bin, copy, copy);
        ck_assert_int_eq(system(cmd), 0);
}

int bgw_run_as(const char *user, const char *const *args, char **out, char **err) {
        const char *bin = getenv("BADGATEWAYD");
        char dir[64], copy[128], *saved = strdup(bin ? bin : "badgatewayd");
        reachable_copy(saved, dir, copy);
        setenv("BADGATEWAYD", copy, 1);
        run_as = user;
        int code = bgw_run_reader_gone(args, out, err, false);
        run_as = NULL;
        setenv("BADGATEWAYD", saved, 1);
        unlink(copy);
        rmdir(dir);
        free(saved);
        return code;
}

int bgw_run_reader_gone(const char *const *args, char **out, char **err, bool reader_gone) {
        int o, e, status;
        size_t on = 0, en = 0;
        *out = *err = NULL;
        pid_t pid = spawn(args, NULL, &o, &e);
        if (reader_gone)
                close(o), o = -1;
        long long end = harness_now_ms() + harness_ms(60000);
        while ((o >= 0 || e >= 0) && harness_now_ms() < end) {
                struct pollfd p[2] = { { o, POLLIN, 0 }, { e, POLLIN, 0 } };
                poll(p, 2, 100);
                if (o >= 0 && p[0].revents && read_some(o, out, &on) == 0)
                        close(o), o = -1;
                if (e >= 0 && p[1].revents && read_some(e, err, &en) == 0)
                        close(e), e = -1;
        }
        ck_assert_msg(o < 0 && e < 0, "badgatewayd %s did not finish", args[0]);
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        harness_untrack(pid, NULL);
        if (!*out)
                *out = strdup("");
        if (!*err)
                *err = strdup("");
        return exit_code(status);
}
