/*
 * Who listens where, from /proc: TCP listeners on a port and listening unix sockets by path,
 * and the process that owns a socket inode. Best effort: another user's /proc/PID/fd may be
 * unreadable, and a socket inherited by several processes names the first one found.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct listener_owner {
        pid_t pid;
        char comm[16];
};

/* Parses /proc/net/tcp or tcp6 text: the inode of a LISTEN socket on `port`, else -ENOENT. */
int listeners_tcp_parse(const char *text, size_t n, uint16_t port, unsigned long *inode);
/* Parses /proc/net/unix text: calls fn for each listening socket that has a path. */
int listeners_unix_parse(const char *text, size_t n,
                         void (*fn)(void *userdata, const char *path, size_t len, unsigned long inode),
                         void *userdata);
/* Reads /proc/net/tcp and tcp6: is anything listening on `port`? 0 with its inode, -ENOENT if not. */
int listeners_tcp_find(uint16_t port, unsigned long *inode);
/* Scans /proc/PID/fd links for "socket:[inode]". -ENOENT if no readable process holds it. */
int listeners_owner(unsigned long inode, struct listener_owner *owner);
/* Who listens on TCP `port` (any address, IPv4 or IPv6): 0 with the owner, pid 0 and an empty
 * comm when the port is held by a process whose fds this one may not read; -ENOENT when nothing
 * listens on the port. */
int listeners_port_holder(uint16_t port, struct listener_owner *owner);
