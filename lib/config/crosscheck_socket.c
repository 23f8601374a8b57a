/*
 * socket_permission from the configuration: the socket php-fpm 8.2 will make of a pool's
 * listen.owner, listen.group, listen.mode, listen.acl_users and listen.acl_groups
 * (fpm_unix_resolve_socket_premissions() and fpm_unix_set_socket_premissions() in
 * sapi/fpm/fpm/fpm_unix.c), judged for nginx's worker user and its groups as the kernel would.
 */
#include "crosscheck_in.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { ACL_NAMES_MAX = 32, NAME_MAX_BYTES = 64, WORDS_MAX = 192 };

/* nginx's worker process: its user and every group it is in. */
struct worker {
        char name[NAME_MAX_BYTES];
        uid_t uid;
        gid_t groups[HOST_GROUPS_MAX + 1];
        size_t n_groups;
};

/* The socket php-fpm makes: owner, group and mode, and the ACL entries it adds (all rw). */
struct sock {
        uid_t uid;
        gid_t gid;
        unsigned mode;
        char owner[WORDS_MAX], group[WORDS_MAX], mode_words[WORDS_MAX];       /* how each came to be */
        bool acl;
        uid_t acl_uids[ACL_NAMES_MAX];
        gid_t acl_gids[ACL_NAMES_MAX];
        size_t n_acl_uids, n_acl_gids;
};

/* A name that does not resolve, said once: the finding's summary and where. */
struct unresolved {
        char summary[CROSSCHECK_SUMMARY_MAX];
        const char *file;
        unsigned line;
};

static bool numeric(const char *s) {
        return s[0] && strspn(s, "0123456789") == strlen(s);
}

static const char *lookup_error(int r) {
        return r == -ENOENT ? "no such name here" : strerror(-r);
}

static bool set(const struct fpm_conf_value *v) {
        return v->file && v->text && v->text[0];
}

/* ---- nginx's worker ---- */

/* The worker's group: the user directive's group, else the one named like its user (nginx
 * refuses to start when it does not resolve: -errno). Without the directive, nginx's built-in
 * "nogroup", else "nobody"; *gid stays as it was when neither resolves. */
static int worker_group(const struct crosscheck *cc, const struct nginx_user *u, gid_t *gid, const char **name) {
        *name = u->set ? (u->group[0] ? u->group : u->user) : NULL;
        if (*name)
                return host_group(cc->h, *name, gid);
        if (host_group(cc->h, "nogroup", gid) < 0)
                host_group(cc->h, "nobody", gid);
        return 0;
}

static void add_gid(struct worker *w, gid_t g) {
        for (size_t i = 0; i < w->n_groups; i++)
                if (w->groups[i] == g)
                        return;
        if (w->n_groups < sizeof(w->groups) / sizeof(w->groups[0]))
                w->groups[w->n_groups++] = g;
}

static bool nginx_worker(const struct crosscheck *cc, struct worker *w, struct unresolved *bad) {
        const struct nginx_user *u = &cc->h->nginx->user;
        const char *told = cc->h->nginx_user_override;
        struct host_user hu;
        const char *gname;
        gid_t gid = (gid_t) -1;
        cc_put(w->name, sizeof(w->name), "%s", told[0] ? told : u->set ? u->user :
                                               cc->h->nginx_default_user[0] ? cc->h->nginx_default_user : "nobody");
        int r = host_user(cc->h, w->name, &hu);
        bad->file = u->set ? u->at.file : cc->h->nginx_path;
        bad->line = u->set ? u->at.line : 0;
        if (told[0] && r == 0) {        /* the caller's word: the user and the groups it is in */
                w->uid = hu.uid;
                for (size_t i = 0; i < hu.n_groups; i++)
                        add_gid(w, hu.groups[i]);
                return true;
        }
        if (r < 0) {
                cc_put(bad->summary, sizeof(bad->summary),
                       "nginx's user %s (%s at %s:%u) cannot be looked up (%s): nginx will not start its workers, "
                       "and whether they may connect to php-fpm's sockets cannot be judged.", w->name,
                       u->set ? "the user directive" : "no user directive: nginx's built-in default", bad->file,
                       bad->line, lookup_error(r));
                return false;
        }
        if ((r = worker_group(cc, u, &gid, &gname)) < 0) {
                cc_put(bad->summary, sizeof(bad->summary),
                       "nginx's group %s (the user directive at %s:%u) cannot be looked up (%s): nginx will not "
                       "start its workers.", gname, u->at.file, u->at.line, lookup_error(r));
                return false;
        }
        w->uid = hu.uid;
        for (size_t i = 0; i < hu.n_groups; i++)
                add_gid(w, hu.groups[i]);
        if (gid != (gid_t) -1)
                add_gid(w, gid);
        return true;
}

static bool worker_in(const struct worker *w, gid_t g) {
        for (size_t i = 0; i < w->n_groups; i++)
                if (w->groups[i] == g)
                        return true;
        return false;
}

/* ---- the socket php-fpm makes ---- */

static void unresolved_key(const struct fpm_conf_pool *p, enum fpm_pool_key k, const char *name, int r,
                           struct unresolved *bad) {
        const struct fpm_conf_value *v = &p->v[k];
        cc_put(bad->summary, sizeof(bad->summary),
               "%s = %s at %s:%d names %s php-fpm cannot look up (%s): it refuses to start pool %s (\"cannot get "
               "%s for %s '%s'\").", fpm_pool_key_name(k), v->text, v->file, v->line, name, lookup_error(r), p->name,
               k == FPM_POOL_LISTEN_GROUP || k == FPM_POOL_LISTEN_ACL_GROUPS ? "gid" : "uid",
               k == FPM_POOL_LISTEN_GROUP || k == FPM_POOL_LISTEN_ACL_GROUPS ? "group" : "user", name);
        bad->file = v->file;
        bad->line = (unsigned) v->line;
}

static bool sock_owner(const struct crosscheck *cc, const struct fpm_conf_pool *p, struct sock *s,
                       struct unresolved *bad) {
        const struct fpm_conf_value *v = &p->v[FPM_POOL_LISTEN_OWNER];
        struct host_user hu;
        s->uid = 0;
        if (s->acl) {
                cc_put(s->owner, sizeof(s->owner), "root:root (with an ACL php-fpm ignores listen.owner and "
                       "listen.group: the master's user, root assumed)");
                return true;
        }
        if (!set(v)) {
                cc_put(s->owner, sizeof(s->owner), "owner root (listen.owner not set: the master's user, root assumed)");
                return true;
        }
        cc_put(s->owner, sizeof(s->owner), "owner %s (listen.owner at %s:%d)", v->text, v->file, v->line);
        if (numeric(v->text)) {
                s->uid = (uid_t) strtoul(v->text, NULL, 10);
                return true;
        }
        int r = host_user(cc->h, v->text, &hu);
        if (r < 0)
                unresolved_key(p, FPM_POOL_LISTEN_OWNER, v->text, r, bad);
        s->uid = hu.uid;
        s->gid = hu.gid;        /* a named owner brings its primary group */
        return r == 0;
}

static bool sock_group(const struct crosscheck *cc, const struct fpm_conf_pool *p, struct sock *s,
                       struct unresolved *bad) {
        const struct fpm_conf_value *v = &p->v[FPM_POOL_LISTEN_GROUP], *owner = &p->v[FPM_POOL_LISTEN_OWNER];
        if (s->acl)
                return true;    /* said with the owner */
        if (!set(v) && set(owner) && !numeric(owner->text)) {
                cc_put(s->group, sizeof(s->group), ", group %u (listen.owner %s's primary group)", (unsigned) s->gid,
                       owner->text);
                return true;
        }
        if (!set(v)) {
                cc_put(s->group, sizeof(s->group), ", group root (listen.group not set: the master's, root assumed)");
                return true;
        }
        cc_put(s->group, sizeof(s->group), ", group %s (listen.group at %s:%d)", v->text, v->file, v->line);
        if (numeric(v->text)) {
                s->gid = (gid_t) strtoul(v->text, NULL, 10);
                return true;
        }
        int r = host_group(cc->h, v->text, &s->gid);
        if (r < 0)
                unresolved_key(p, FPM_POOL_LISTEN_GROUP, v->text, r, bad);
        return r == 0;
}

/* Each name of listen.acl_users (users) or listen.acl_groups into s, as php-fpm looks them up. */
static bool sock_acl_list(const struct crosscheck *cc, const struct fpm_conf_pool *p, enum fpm_pool_key k,
                          struct sock *s, struct unresolved *bad) {
        struct span items[ACL_NAMES_MAX];
        size_t n = fpm_conf_list(&p->v[k], items, ACL_NAMES_MAX);
        for (size_t i = 0; i < n && i < ACL_NAMES_MAX; i++) {
                char name[NAME_MAX_BYTES];
                struct host_user hu;
                int r = 0;
                cc_put(name, sizeof(name), "%.*s", (int) items[i].n, items[i].p);
                if (k == FPM_POOL_LISTEN_ACL_USERS && (r = host_user(cc->h, name, &hu)) == 0)
                        s->acl_uids[s->n_acl_uids++] = hu.uid;
                else if (k == FPM_POOL_LISTEN_ACL_GROUPS && (r = host_group(cc->h, name, &s->acl_gids[s->n_acl_gids])) == 0)
                        s->n_acl_gids++;
                if (r < 0) {
                        unresolved_key(p, k, name, r, bad);
                        return false;
                }
        }
        return true;
}

static bool php_fpm_socket(const struct crosscheck *cc, const struct fpm_conf_pool *p, struct sock *s,
                           struct unresolved *bad) {
        const struct fpm_conf_value *mode = &p->v[FPM_POOL_LISTEN_MODE];
        *s = (struct sock) { .mode = mode->ok ? (unsigned) mode->number & 07777 : 0660 };
        s->acl = set(&p->v[FPM_POOL_LISTEN_ACL_USERS]) || set(&p->v[FPM_POOL_LISTEN_ACL_GROUPS]);
        if (mode->file)
                cc_put(s->mode_words, sizeof(s->mode_words), "mode %04o (listen.mode at %s:%d)", s->mode, mode->file,
                       mode->line);
        else
                cc_put(s->mode_words, sizeof(s->mode_words), "mode %04o (php-fpm's default)", s->mode);
        return sock_owner(cc, p, s, bad) && sock_group(cc, p, s, bad) &&
               sock_acl_list(cc, p, FPM_POOL_LISTEN_ACL_USERS, s, bad) &&
               sock_acl_list(cc, p, FPM_POOL_LISTEN_ACL_GROUPS, s, bad);
}

/* ---- the kernel's judgement (and POSIX ACLs': acl(5), "access check algorithm") ---- */

enum access_class { BY_ROOT, BY_OWNER, BY_ACL_USER, BY_GROUP, BY_OTHER };

static bool acl_group_match(const struct worker *w, const struct sock *s) {
        for (size_t i = 0; i < s->n_acl_gids; i++)
                if (worker_in(w, s->acl_gids[i]))
                        return true;
        return false;
}

static bool acl_user_match(const struct worker *w, const struct sock *s) {
        for (size_t i = 0; i < s->n_acl_uids; i++)
                if (s->acl_uids[i] == w->uid)
                        return true;
        return false;
}

/* Which entry decides, and whether it grants write (connect(2) needs it). php-fpm's ACL entries
 * are rw and the mask it computes includes rw, so a matching named entry grants. */
static enum access_class access_class(const struct worker *w, const struct sock *s, bool *granted) {
        bool acl_group = acl_group_match(w, s);
        *granted = true;
        if (w->uid == 0)
                return BY_ROOT;
        if (w->uid == s->uid) {
                *granted = s->mode & 0200;
                return BY_OWNER;
        }
        if (acl_user_match(w, s))
                return BY_ACL_USER;
        if (acl_group || worker_in(w, s->gid)) {
                *granted = acl_group || (s->mode & 0020);
                return BY_GROUP;
        }
        *granted = s->mode & 0002;
        return BY_OTHER;
}

static const char *why_denied(enum access_class c, bool acl) {
        if (acl && c == BY_OTHER)
                return "is in none of them, and the mode gives others no write permission";
        return c == BY_OWNER ? "owns it, but the mode gives its owner no write permission" :
               c == BY_GROUP ? "is in its group, but the mode gives the group no write permission" :
               "is neither its owner nor in its group, and the mode gives others no write permission";
}

/* Where the finding points: what decides the socket's access. */
static const struct fpm_conf_value *deciding_value(const struct fpm_conf_pool *p, bool acl) {
        static const enum fpm_pool_key order[] = { FPM_POOL_LISTEN_ACL_USERS, FPM_POOL_LISTEN_ACL_GROUPS,
                                                   FPM_POOL_LISTEN_OWNER, FPM_POOL_LISTEN_GROUP, FPM_POOL_LISTEN_MODE };
        for (size_t i = acl ? 0 : 2; i < sizeof(order) / sizeof(order[0]); i++)
                if (set(&p->v[order[i]]))
                        return &p->v[order[i]];
        return &p->v[FPM_POOL_LISTEN];
}

/* ", with rw only for listen.acl_users = apache,nginx and listen.acl_groups = web" */
static void acl_words(const struct fpm_conf_pool *p, char *buf, size_t size) {
        const struct fpm_conf_value *users = &p->v[FPM_POOL_LISTEN_ACL_USERS], *groups = &p->v[FPM_POOL_LISTEN_ACL_GROUPS];
        cc_put(buf, size, ", with rw only for %s%s%s%s%s", set(users) ? "listen.acl_users = " : "",
               set(users) ? users->text : "", set(users) && set(groups) ? " and " : "",
               set(groups) ? "listen.acl_groups = " : "", set(groups) ? groups->text : "");
}

static void denied(const struct crosscheck *cc, const struct host_master *m, const struct fpm_conf_pool *p,
                   const struct worker *w, const struct sock *s, enum access_class c) {
        const struct fpm_conf_value *at = deciding_value(p, s->acl);
        struct crosscheck_finding f = { .cause = CAUSE_SOCKET_PERMISSION, .pool = p->name,
                                        .listen = p->has_address ? &p->address : NULL, .file = at->file,
                                        .line = (unsigned) at->line };
        char acl[WORDS_MAX] = "";
        if (s->acl)
                acl_words(p, acl, sizeof(acl));
        cc_put(f.summary, sizeof(f.summary),
               "nginx's user %s may not connect to pool %s's socket %s: php-fpm makes it %s%s, %s%s; %s %s "
               "(502, 13: Permission denied).", w->name, p->name, address_unix_path(&p->address), s->owner,
               s->group, s->mode_words, acl, w->name, why_denied(c, s->acl));
        if (s->acl)
                cc_put(f.remedy, sizeof(f.remedy), "add %s to listen.acl_users at %s:%d, then systemctl restart %s",
                       w->name, at->file, at->line, m->unit[0] ? m->unit : "php-fpm");
        else
                cc_put(f.remedy, sizeof(f.remedy), "in [%s] (%s:%d): listen.owner = %s, listen.group = %s, "
                       "listen.mode = 0660; then systemctl restart %s", p->name, p->file, p->line, w->name, w->name,
                       m->unit[0] ? m->unit : "php-fpm");
        cc->fn(cc->userdata, &f);
}

static void say_unresolved(const struct crosscheck *cc, const struct fpm_conf_pool *p, const struct unresolved *bad) {
        struct crosscheck_finding f = { .cause = CAUSE_SOCKET_PERMISSION, .pool = p ? p->name : NULL,
                                        .listen = p && p->has_address ? &p->address : NULL, .file = bad->file,
                                        .line = bad->line };
        cc_put(f.summary, sizeof(f.summary), "%s", bad->summary);
        cc->fn(cc->userdata, &f);
}

static void check_pool(const struct crosscheck *cc, const struct host_master *m, const struct fpm_conf_pool *p,
                       const struct worker *w) {
        struct sock s;
        struct unresolved bad;
        bool granted;
        static const enum fpm_pool_key socket_keys[] = { FPM_POOL_LISTEN_OWNER, FPM_POOL_LISTEN_GROUP,
                                                         FPM_POOL_LISTEN_MODE, FPM_POOL_LISTEN_ACL_USERS,
                                                         FPM_POOL_LISTEN_ACL_GROUPS };
        if (!p->has_address || p->address.kind != ADDRESS_UNIX || cc_listen_unknown(p))
                return;
        for (size_t k = 0; k < sizeof(socket_keys) / sizeof(socket_keys[0]); k++)
                if (p->v[socket_keys[k]].unset_var)
                        return;         /* its owner, group or mode are not known here */
        if (!php_fpm_socket(cc, p, &s, &bad)) {
                say_unresolved(cc, p, &bad);
                return;
        }
        enum access_class c = access_class(w, &s, &granted);
        if (!granted)
                denied(cc, m, p, w, &s, c);
}

/* A root without an account database (a configuration tree copied alone) resolves no name at
 * all, not even root's: nothing can be judged there, and nothing is said. */
static bool have_accounts(const struct crosscheck *cc) {
        struct host_user root;
        return host_user(cc->h, "root", &root) == 0;
}

void crosscheck_sockets(const struct crosscheck *cc) {
        struct worker w = { .n_groups = 0 };
        struct unresolved bad;
        bool any = false;
        for (size_t m = 0; m < cc->h->n_masters; m++)
                for (size_t i = 0; i < cc->h->masters[m].conf->n_pools; i++)
                        any |= cc->h->masters[m].conf->pools[i].has_address &&
                               cc->h->masters[m].conf->pools[i].address.kind == ADDRESS_UNIX;
        if (!any || !have_accounts(cc))
                return;
        if (!nginx_worker(cc, &w, &bad)) {
                say_unresolved(cc, NULL, &bad);
                return;
        }
        for (size_t m = 0; m < cc->h->n_masters; m++)
                for (size_t i = 0; i < cc->h->masters[m].conf->n_pools; i++)
                        check_pool(cc, &cc->h->masters[m], &cc->h->masters[m].conf->pools[i], &w);
}
