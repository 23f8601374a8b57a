#include "listeners.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Splits text into lines and hands each (without '\n') to fn until it returns non-zero. */
static int each_line(const char *text, size_t n, int (*fn)(void *, const char *, size_t), void *ud) {
        const char *end = text + n;
        for (const char *p = text; p < end;) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t len = (size_t) ((nl ? nl : end) - p);
                int r = fn(ud, p, len);
                if (r)
                        return r;
                p += len + 1;
        }
        return 0;
}

struct tcp_query {
        uint16_t port;
        unsigned long inode;
};

/* "   0: 00000000:07E8 00000000:0000 0A … 0        0 1463 1 …" */
static int tcp_line(void *ud, const char *line, size_t len) {
        struct tcp_query *q = ud;
        char buf[512], local[64];
        unsigned port, state;
        unsigned long inode;
        snprintf(buf, sizeof(buf), "%.*s", (int) (len < sizeof(buf) ? len : sizeof(buf) - 1), line);
        if (sscanf(buf, " %*d: %63[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*u %*d %lu", local, &port, &state,
                   &inode) != 4)
                return 0;
        if (state != 0x0A || port != q->port)
                return 0;
        q->inode = inode;
        return 1;
}

int listeners_tcp_parse(const char *text, size_t n, uint16_t port, unsigned long *inode) {
        struct tcp_query q = { .port = port };
        if (!each_line(text, n, tcp_line, &q))
                return -ENOENT;
        *inode = q.inode;
        return 0;
}

struct unix_query {
        void (*fn)(void *, const char *, size_t, unsigned long);
        void *userdata;
};

/* "0000000047180405: 00000002 00000000 00010000 0001 01  1460 /run/php/php8.2-fpm.sock" */
static int unix_line(void *ud, const char *line, size_t len) {
        struct unix_query *q = ud;
        char buf[256];
        unsigned long flags, inode;
        unsigned type, state;
        int path_at = -1;
        snprintf(buf, sizeof(buf), "%.*s", (int) (len < sizeof(buf) ? len : sizeof(buf) - 1), line);
        if (sscanf(buf, "%*x: %*x %*x %lx %x %x %lu %n", &flags, &type, &state, &inode, &path_at) < 4 ||
            path_at < 0)
                return 0;
        bool listening = flags & 0x10000;       /* __SO_ACCEPTCON */
        if (listening && (size_t) path_at < len && line[path_at] == '/')
                q->fn(q->userdata, line + path_at, len - (size_t) path_at, inode);
        return 0;
}

int listeners_unix_parse(const char *text, size_t n,
                         void (*fn)(void *userdata, const char *path, size_t len, unsigned long inode),
                         void *userdata) {
        struct unix_query q = { fn, userdata };
        return each_line(text, n, unix_line, &q);
}

static char *read_proc(const char *path, size_t *n) {
        FILE *f = fopen(path, "re");
        if (!f)
                return NULL;
        char *text = NULL;
        size_t cap = 0;
        *n = 0;
        for (;;) {
                if (cap - *n < 4096) {
                        char *grown = realloc(text, cap = cap * 2 + 65536);
                        if (!grown)
                                break;
                        text = grown;
                }
                size_t got = fread(text + *n, 1, cap - *n, f);
                *n += got;
                if (got == 0)
                        break;
        }
        fclose(f);
        return text;
}

int listeners_tcp_find(uint16_t port, unsigned long *inode) {
        static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
        for (unsigned i = 0; i < 2; i++) {
                size_t n;
                char *text = read_proc(files[i], &n);
                int r = text ? listeners_tcp_parse(text, n, port, inode) : -ENOENT;
                free(text);
                if (r == 0)
                        return 0;
        }
        return -ENOENT;
}

static bool holds_inode(pid_t pid, const char *want) {
        char fddir[64], link[64], target[64];
        snprintf(fddir, sizeof(fddir), "/proc/%d/fd", (int) pid);
        DIR *d = opendir(fddir);
        if (!d)
                return false;
        bool found = false;
        struct dirent *e;
        while (!found && (e = readdir(d))) {
                if (e->d_name[0] == '.' || snprintf(link, sizeof(link), "%s/%s", fddir, e->d_name) >= (int) sizeof(link))
                        continue;
                ssize_t n = readlink(link, target, sizeof(target) - 1);
                found = n > 0 && (target[n] = '\0', strcmp(target, want) == 0);
        }
        closedir(d);
        return found;
}

static void read_comm(pid_t pid, char comm[16]) {
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", (int) pid);
        FILE *f = fopen(path, "re");
        comm[0] = '\0';
        if (f && fgets(comm, 16, f))
                comm[strcspn(comm, "\n")] = '\0';
        if (f)
                fclose(f);
}

int listeners_owner(unsigned long inode, struct listener_owner *owner) {
        char want[48];
        snprintf(want, sizeof(want), "socket:[%lu]", inode);
        DIR *proc = opendir("/proc");
        if (!proc)
                return -errno;
        struct dirent *e;
        int r = -ENOENT;
        while (r == -ENOENT && (e = readdir(proc))) {
                pid_t pid = (pid_t) strtol(e->d_name, NULL, 10);
                if (pid <= 0 || !holds_inode(pid, want))
                        continue;
                owner->pid = pid;
                read_comm(pid, owner->comm);
                r = 0;
        }
        closedir(proc);
        return r;
}

int listeners_port_holder(uint16_t port, struct listener_owner *owner) {
        unsigned long inode;
        int r = listeners_tcp_find(port, &inode);
        if (r < 0)
                return r;
        if (listeners_owner(inode, owner) < 0)
                *owner = (struct listener_owner) { 0 };
        return 0;
}
