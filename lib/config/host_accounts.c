/* Accounts by name: the root's etc/passwd and etc/group read with fgetpwent(3)/fgetgrent(3), or
 * the host's own name service (NSS: files, LDAP, sssd) when the root is the host. */
#include "host.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "under_root.h"

static bool on_host(const struct host_conf *h) {
        return !h->root[0];
}

static FILE *open_db(const struct host_conf *h, const char *path, int *err) {
        int fd = under_root_open(h->root_fd, path);
        FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
        *err = fd < 0 ? fd : f ? 0 : -errno;
        if (fd >= 0 && !f)
                close(fd);
        return f;
}

static void add_group(struct host_user *u, gid_t g) {
        for (size_t i = 0; i < u->n_groups; i++)
                if (u->groups[i] == g)
                        return;
        if (u->n_groups < HOST_GROUPS_MAX)
                u->groups[u->n_groups++] = g;
}

static bool lists(char **members, const char *name) {
        for (; members && *members; members++)
                if (strcmp(*members, name) == 0)
                        return true;
        return false;
}

static int groups_under_root(const struct host_conf *h, const char *name, struct host_user *u) {
        int err;
        FILE *f = open_db(h, "/etc/group", &err);
        if (!f)
                return err == -ENOENT ? 0 : err;        /* no etc/group: the primary group only */
        for (struct group *g; (g = fgetgrent(f));)
                if (lists(g->gr_mem, name))
                        add_group(u, g->gr_gid);
        fclose(f);
        return 0;
}

static int user_under_root(const struct host_conf *h, const char *name, struct host_user *u) {
        int err;
        FILE *f = open_db(h, "/etc/passwd", &err);
        if (!f)
                return err;
        struct passwd *pw;
        while ((pw = fgetpwent(f)) && strcmp(pw->pw_name, name) != 0)
                ;
        if (pw) {
                u->uid = pw->pw_uid;
                u->gid = pw->pw_gid;
        }
        fclose(f);
        if (!pw)
                return -ENOENT;
        add_group(u, u->gid);
        return groups_under_root(h, name, u);
}

static int user_on_host(const char *name, struct host_user *u) {
        char buf[16384];
        struct passwd pwd, *pw = NULL;
        int r = getpwnam_r(name, &pwd, buf, sizeof(buf), &pw);
        if (r)
                return -r;
        if (!pw)
                return -ENOENT;
        u->uid = pw->pw_uid;
        u->gid = pw->pw_gid;
        int n = HOST_GROUPS_MAX;
        if (getgrouplist(name, pw->pw_gid, u->groups, &n) < 0)
                n = HOST_GROUPS_MAX;    /* more than fit: the first ones are kept */
        u->n_groups = (size_t) n;
        return 0;
}

int host_user(const struct host_conf *h, const char *name, struct host_user *u) {
        *u = (struct host_user) { 0 };
        if (!name || !name[0])
                return -ENOENT;
        return on_host(h) ? user_on_host(name, u) : user_under_root(h, name, u);
}

int host_group(const struct host_conf *h, const char *name, gid_t *gid) {
        if (!name || !name[0])
                return -ENOENT;
        if (on_host(h)) {
                char buf[16384];
                struct group grp, *g = NULL;
                int r = getgrnam_r(name, &grp, buf, sizeof(buf), &g);
                if (r)
                        return -r;
                if (g)
                        *gid = g->gr_gid;
                return g ? 0 : -ENOENT;
        }
        int err;
        FILE *f = open_db(h, "/etc/group", &err);
        if (!f)
                return err;
        struct group *g;
        while ((g = fgetgrent(f)) && strcmp(g->gr_name, name) != 0)
                ;
        if (g)
                *gid = g->gr_gid;
        fclose(f);
        return g ? 0 : -ENOENT;
}
