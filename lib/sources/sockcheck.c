#include "sockcheck.h"

#include <acl/libacl.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

int sock_identity_from_user(const char *user, struct sock_identity *id) {
        struct passwd pw, *found = NULL;
        char buf[4096];
        int r = getpwnam_r(user, &pw, buf, sizeof(buf), &found);
        if (r != 0)
                return -r;
        if (!found)
                return -ENOENT;
        *id = (struct sock_identity) { .uid = pw.pw_uid, .ngroups = SOCKCHECK_MAX_GROUPS };
        snprintf(id->name, sizeof(id->name), "%s", user);
        if (getgrouplist(user, pw.pw_gid, id->groups, &id->ngroups) < 0)
                id->ngroups = SOCKCHECK_MAX_GROUPS;     /* truncated: the first ones still count */
        return 0;
}

static bool in_groups(const struct sock_identity *who, gid_t gid) {
        for (int i = 0; i < who->ngroups; i++)
                if (who->groups[i] == gid)
                        return true;
        return false;
}

unsigned sockcheck_access_bits(const struct sock_identity *who, uid_t uid, gid_t gid, mode_t mode) {
        if (who->uid == 0)
                return 7;       /* root: DAC checks are bypassed (x on dirs suffices in practice) */
        if (who->uid == uid)
                return (mode >> 6) & 7;
        if (in_groups(who, gid))
                return (mode >> 3) & 7;
        return mode & 7;
}

static unsigned entry_bits(acl_entry_t e) {
        acl_permset_t ps;
        if (acl_get_permset(e, &ps) < 0)
                return 0;
        return (acl_get_perm(ps, ACL_READ) == 1 ? 4 : 0) | (acl_get_perm(ps, ACL_WRITE) == 1 ? 2 : 0) |
               (acl_get_perm(ps, ACL_EXECUTE) == 1 ? 1 : 0);
}

/* The entries of an ACL as they apply to `who`. */
struct acl_view {
        unsigned owner, named_user, groups, mask, other;
        bool user_named, group_matched;
};

static bool qualifier_is(acl_entry_t e, unsigned long id, bool user) {
        void *q = acl_get_qualifier(e);
        bool same = q && (user ? *(uid_t *) q == (uid_t) id : *(gid_t *) q == (gid_t) id);
        acl_free(q);
        return same;
}

static bool group_entry_matches(acl_entry_t e, const struct sock_identity *who) {
        for (int i = 0; i < who->ngroups; i++)
                if (qualifier_is(e, who->groups[i], false))
                        return true;
        return false;
}

static void view_entry(struct acl_view *v, acl_entry_t e, const struct sock_identity *who, gid_t gid) {
        acl_tag_t tag;
        unsigned bits = entry_bits(e);
        if (acl_get_tag_type(e, &tag) < 0)
                return;
        bool group = (tag == ACL_GROUP_OBJ && in_groups(who, gid)) || (tag == ACL_GROUP && group_entry_matches(e, who));
        if (tag == ACL_USER_OBJ)
                v->owner = bits;
        else if (tag == ACL_USER && qualifier_is(e, who->uid, true))
                v->user_named = true, v->named_user = bits;
        else if (group)
                v->group_matched = true, v->groups |= bits;     /* any matching entry may grant */
        else if (tag == ACL_MASK)
                v->mask = bits;
        else if (tag == ACL_OTHER)
                v->other = bits;
}

static unsigned acl_bits(const struct sock_identity *who, uid_t uid, gid_t gid, acl_t acl) {
        struct acl_view v = { .mask = 7 };
        acl_entry_t e;
        for (int r = acl_get_entry(acl, ACL_FIRST_ENTRY, &e); r == 1; r = acl_get_entry(acl, ACL_NEXT_ENTRY, &e))
                view_entry(&v, e, who, gid);
        if (who->uid == 0)
                return 7;
        if (who->uid == uid)
                return v.owner;
        if (v.user_named)
                return v.named_user & v.mask;
        if (v.group_matched)
                return v.groups & v.mask;
        return v.other;
}

int sockcheck_acl_bits(const struct sock_identity *who, uid_t uid, gid_t gid, const char *acl_text,
                       unsigned *bits) {
        acl_t acl = acl_from_text(acl_text);
        int r = acl && acl_valid(acl) == 0 ? 0 : -EINVAL;
        if (r == 0)
                *bits = acl_bits(who, uid, gid, acl);
        if (acl)
                acl_free(acl);
        return r;
}

/* What `who` may do with the file at path: its extended ACL when it has one, else its mode. */
static unsigned bits_at(const struct sock_identity *who, const char *path, const struct stat *st, bool *by_acl) {
        acl_t acl = acl_extended_file(path) == 1 ? acl_get_file(path, ACL_TYPE_ACCESS) : NULL;
        *by_acl = acl != NULL;
        if (!acl)
                return sockcheck_access_bits(who, st->st_uid, st->st_gid, st->st_mode);
        unsigned bits = acl_bits(who, st->st_uid, st->st_gid, acl);
        acl_free(acl);
        return bits;
}

static void blame(struct sockcheck_result *r, enum sockcheck_verdict v, const char *path,
                  const struct stat *st) {
        r->verdict = v;
        if (v == SOCKCHECK_MISSING || v == SOCKCHECK_NOT_SOCKET || v == SOCKCHECK_LOOP)
                r->acl = false;         /* no permission decided these */
        snprintf(r->where, sizeof(r->where), "%s", path);
        if (st) {
                r->uid = st->st_uid;
                r->gid = st->st_gid;
                r->mode = st->st_mode & 07777;
                r->type = st->st_mode & S_IFMT;
        }
}

/* One step of the walk: `dir` is searchable so far, `comp` is the next name in it. */
struct walk {
        char done[PATH_MAX];    /* resolved prefix, "" for the root */
        char todo[PATH_MAX];    /* what is left, components separated by '/' */
        int links;
};

static int push_link(struct walk *w, struct sockcheck_result *r, const char *at) {
        char target[PATH_MAX], rest[PATH_MAX];
        ssize_t n = readlink(at, target, sizeof(target) - 1);
        if (n < 0)
                return -errno;
        target[n] = '\0';
        if (++w->links > 40)
                return -ELOOP;
        if (r->nlinks < SOCKCHECK_MAX_LINKS &&
            snprintf(r->links[r->nlinks++], PATH_MAX, "%s -> %s", at, target) >= PATH_MAX)
                return -ENAMETOOLONG;
        if (snprintf(rest, sizeof(rest), "%s%s%s", target, w->todo[0] ? "/" : "", w->todo) >=
            (int) sizeof(rest))
                return -ENAMETOOLONG;
        if (target[0] == '/')
                w->done[0] = '\0';
        strcpy(w->todo, rest);
        return 0;
}

/* Takes the next component off todo into comp; false when nothing is left. */
static bool next_component(struct walk *w, char *comp, size_t size) {
        char *p = w->todo;
        while (*p == '/')
                p++;
        if (!*p)
                return false;
        size_t n = strcspn(p, "/");
        snprintf(comp, size, "%.*s", (int) n, p);
        memmove(w->todo, p + n, strlen(p + n) + 1);
        return true;
}

static void step_back(struct walk *w) {
        char *slash = strrchr(w->done, '/');
        if (slash)
                *slash = '\0';
}

static int walk_path(struct walk *w, const struct sock_identity *who, struct sockcheck_result *r,
                     struct stat *st) {
        char comp[NAME_MAX + 1], at[PATH_MAX];
        while (next_component(w, comp, sizeof(comp))) {
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        step_back(w);
                        continue;
                }
                struct stat dir;
                const char *dirpath = w->done[0] ? w->done : "/";
                if (stat(dirpath, &dir) < 0)
                        return -errno;
                if (!(bits_at(who, dirpath, &dir, &r->acl) & 1)) {
                        blame(r, SOCKCHECK_DIR_DENIED, dirpath, &dir);
                        return 1;
                }
                if (snprintf(at, sizeof(at), "%s/%s", w->done, comp) >= (int) sizeof(at))
                        return -ENAMETOOLONG;
                if (lstat(at, st) < 0) {
                        if (errno != ENOENT && errno != ENOTDIR)
                                return -errno;
                        blame(r, SOCKCHECK_MISSING, at, NULL);
                        return 1;
                }
                if (S_ISLNK(st->st_mode)) {
                        int e = push_link(w, r, at);
                        if (e == -ELOOP) {
                                blame(r, SOCKCHECK_LOOP, at, st);
                                return 1;
                        }
                        if (e < 0)
                                return e;
                        continue;
                }
                snprintf(w->done, sizeof(w->done), "%s", at);
        }
        return 0;
}

int sockcheck_unix(const char *path, const struct sock_identity *who, struct sockcheck_result *r) {
        *r = (struct sockcheck_result) { .verdict = SOCKCHECK_OK };
        if (path[0] != '/')
                return -EINVAL;
        struct walk w = { .done = "" };
        if (strlen(path) >= sizeof(w.todo))
                return -ENAMETOOLONG;
        strcpy(w.todo, path);
        struct stat st;
        if (lstat("/", &st) < 0)
                return -errno;
        int e = walk_path(&w, who, r, &st);
        if (e != 0)
                return e < 0 ? e : 0;
        snprintf(r->resolved, sizeof(r->resolved), "%s", w.done[0] ? w.done : "/");
        if (!S_ISSOCK(st.st_mode)) {
                blame(r, SOCKCHECK_NOT_SOCKET, r->resolved, &st);
                return 0;
        }
        blame(r, SOCKCHECK_OK, r->resolved, &st);
        if (!(bits_at(who, r->resolved, &st, &r->acl) & 2))
                r->verdict = SOCKCHECK_SOCKET_DENIED;
        return 0;
}

const char *sockcheck_verdict_name(enum sockcheck_verdict v) {
        static const char *const names[] = {
                [SOCKCHECK_OK] = "ok",
                [SOCKCHECK_MISSING] = "missing",
                [SOCKCHECK_NOT_SOCKET] = "not_socket",
                [SOCKCHECK_DIR_DENIED] = "dir_denied",
                [SOCKCHECK_SOCKET_DENIED] = "socket_denied",
                [SOCKCHECK_LOOP] = "loop",
        };
        return (unsigned) v <= SOCKCHECK_LOOP ? names[v] : "unknown";
}

const char *sockcheck_type_words(mode_t mode) {
        switch (mode & S_IFMT) {
        case S_IFDIR: return "a directory";
        case S_IFREG: return "a regular file";
        case S_IFIFO: return "a FIFO";
        case S_IFCHR: return "a character device";
        case S_IFBLK: return "a block device";
        case S_IFLNK: return "a symbolic link";
        case S_IFSOCK: return "a socket";
        default: return "a file of an unknown type";
        }
}
