/*
 * Can nginx's worker user connect to a unix socket? Judged from ownership, mode bits and POSIX
 * ACLs (libacl; php-fpm's listen.acl_users and listen.acl_groups set one on the socket) along the
 * whole path, symlinks followed and recorded, because the daemon may run as root, where its own
 * connect() proves nothing.
 */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

enum { SOCKCHECK_MAX_GROUPS = 64, SOCKCHECK_MAX_LINKS = 8 };

struct sock_identity {
        char name[64];
        uid_t uid;
        gid_t groups[SOCKCHECK_MAX_GROUPS];     /* primary group first */
        int ngroups;
};

enum sockcheck_verdict {
        SOCKCHECK_OK,
        SOCKCHECK_MISSING,              /* nothing at the path (or a link's target) */
        SOCKCHECK_NOT_SOCKET,           /* something else is there */
        SOCKCHECK_DIR_DENIED,           /* a directory on the way lacks search (x) permission */
        SOCKCHECK_SOCKET_DENIED,        /* the socket lacks write permission for the user */
        SOCKCHECK_LOOP,                 /* too many symlinks */
};

struct sockcheck_result {
        enum sockcheck_verdict verdict;
        char resolved[PATH_MAX];        /* the socket's path after following links */
        char links[SOCKCHECK_MAX_LINKS][PATH_MAX];      /* "link -> target" for each link met */
        int nlinks;
        char where[PATH_MAX];           /* the path that is missing or denies access */
        uid_t uid;                      /* owner, group and mode of the socket, or of `where` */
        gid_t gid;
        mode_t mode;
        mode_t type;                    /* the file type bits (S_IFMT) of `where`: S_IFDIR when a
                                         * directory stands where the socket should; 0 unknown */
        bool acl;                       /* `where` has an extended ACL, which decided its verdict */
};

/* Looks the user up (getpwnam + getgrouplist). -ENOENT if there is no such user. */
int sock_identity_from_user(const char *user, struct sock_identity *id);
/* 0 with a verdict in r, or a negative errno when the check itself failed (EIO, ENAMETOOLONG…). */
int sockcheck_unix(const char *path, const struct sock_identity *who, struct sockcheck_result *r);
const char *sockcheck_verdict_name(enum sockcheck_verdict v);
/* What a file of this type is, for "PATH is a directory, not a socket": "a directory", "a regular
 * file", "a FIFO", "a character device", "a block device", "a symbolic link", "a socket", else "a
 * file of an unknown type". Only the S_IFMT bits of mode count. Static storage. */
const char *sockcheck_type_words(mode_t mode);
/* The permission bits `who` gets on a file with this owner, group and mode: 4 r, 2 w, 1 x. */
unsigned sockcheck_access_bits(const struct sock_identity *who, uid_t uid, gid_t gid, mode_t mode);
/* The same for a file with an extended ACL in its text form (acl_to_text(): "user::rw-,user:33:rw-,
 * group::---,mask::rw-,other::---"), checked as the kernel does (acl(5), "ACCESS CHECK ALGORITHM"):
 * the owner's entry, else a named user's entry within the mask, else the owning group's and named
 * groups' entries within the mask (any that grants), else other's. -EINVAL for a malformed ACL. */
int sockcheck_acl_bits(const struct sock_identity *who, uid_t uid, gid_t gid, const char *acl_text,
                       unsigned *bits);
