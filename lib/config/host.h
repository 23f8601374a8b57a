/*
 * A host's nginx and php-fpm as their own configuration describes them: nginx's main file and
 * what it includes, every php-fpm master's php-fpm.conf with the systemd unit that runs it, and
 * the accounts (etc/passwd, etc/group) that name nginx's user and the sockets' owners. Read
 * under a root directory taken as "/" (like systemctl --root), or on the host itself.
 */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "fpm_conf.h"
#include "nginx_conf.h"

enum { HOST_MASTERS_MAX = 16, HOST_GROUPS_MAX = 64, HOST_UNIT_MAX = 256, HOST_ALSO_SERVED_MAX = 32 };

/* A pool the caller knows of besides the masters' (badgatewayd.conf's [Pool NAME] Listen=). */
struct host_served {
        char name[64];
        struct address address;
};

/* What systemd's unit files say of a master's unit (systemctl is-enabled's words). */
enum host_unit_file {
        HOST_UNIT_UNKNOWN,      /* not looked at: no unit name, or no way to ask */
        HOST_UNIT_NOT_FOUND,    /* no such unit file */
        HOST_UNIT_ENABLED,      /* a .wants/ or .requires/ link starts it */
        HOST_UNIT_DISABLED,     /* a unit file, nothing starts it */
        HOST_UNIT_STATIC,       /* no [Install] section: started by something else */
        HOST_UNIT_MASKED,       /* linked to /dev/null */
};

/* Where a master's environment, and so its php-fpm.conf's ${VAR}, comes from. */
enum host_env_from {
        HOST_ENV_NONE,          /* nothing known: a master under a root that no unit runs (a container
                                 * image's ENV, say); every ${VAR} reads as unset */
        HOST_ENV_UNIT,          /* its unit's: the manager's environment, then Environment=, then the
                                 * EnvironmentFile= files (over the bus: the manager's Environment and
                                 * the unit's Environment and EnvironmentFiles properties; from unit
                                 * files: etc/systemd/system.conf's DefaultEnvironment=, then the unit's
                                 * and its drop-ins' lines) */
        HOST_ENV_PROCESS,       /* this process's own environ: a master on the host that no unit runs
                                 * was started by hand, from some shell; the best guess there is */
};

/* A php.ini setting the master's PHP reads: php.ini, then the scan directory's *.ini files in
 * alphabetical order, the last one wins. */
struct host_php_ini_value {
        long long bytes;                /* a size: bytes; -1: no limit; 0: no php.ini sets it */
        char text[64];                  /* as written, quotes dropped */
        char file[PATH_MAX];            /* where, as the host names it; "" when not set */
        int line;
};

struct host_master {
        char path[PATH_MAX];            /* its php-fpm.conf, as the host names it */
        char unit[HOST_UNIT_MAX];       /* "php8.2-fpm.service"; "" when none is known */
        enum host_unit_file unit_file;
        uint64_t memory_max;            /* bytes: the unit's MemoryMax= (drop-ins included); 0: none */
        char **env;                     /* "NAME=value", NULL-terminated: what php-fpm.conf was read with */
        enum host_env_from env_from;
        char php_ini[PATH_MAX];         /* the php.ini its PHP reads (whether it exists or not); "" none */
        char php_ini_scan[PATH_MAX];    /* the directories of its *.ini files, ':'-separated; "" none */
        struct host_php_ini_value memory_limit; /* php.ini's memory_limit; PHP's built-in default
                                                 * (128M) applies when no file sets it */
        struct fpm_conf *conf;          /* never NULL for a master listed */
};

/* Where to look; NULL or empty fields take the defaults (the host's usual places). */
struct host_paths {
        const char *root;               /* NULL or "": the host itself */
        const char *nginx_conf;         /* NULL: `nginx -V`'s --conf-path on the host, else
                                         * /etc/nginx/nginx.conf */
        const char *const *fpm_confs;   /* NULL: /etc/php/ * /fpm/php-fpm.conf, /etc/php-fpm.conf,
                                         * /usr/local/etc/php-fpm.conf */
        size_t n_fpm_confs;
};

enum { HOST_LOOKED_MAX = 1024 };

struct host_conf {
        char root[PATH_MAX];            /* "" for the host */
        int root_fd;                    /* O_PATH descriptor of the root, -1 when closed */
        char nginx_path[PATH_MAX];      /* the main file read, or "" when none was found */
        char nginx_wanted[PATH_MAX];    /* the main file looked for (whether found or not) */
        char nginx_prefix[PATH_MAX];    /* nginx's prefix, where a relative error_log is: `nginx -V`'s
                                         * --prefix= on the host, else /usr/share/nginx (Debian's and
                                         * RHEL's builds); no trailing '/' */
        char nginx_default_user[64];    /* the user nginx's workers run as without a `user` line:
                                         * `nginx -V`'s --user=, else nginx's built-in "nobody" */
        struct nginx_conf *nginx;       /* NULL: no nginx configuration found */
        char nginx_unread[NGINX_CONF_DIAG_TEXT_MAX];   /* when nginx is NULL, why nginx_wanted
                                                         * was not read: "cannot read \"…\": …" */
        char nginx_user_override[64];   /* nginx's worker user as the caller knows it (badgatewayd.conf's
                                         * User=), which the cross-checks take over nginx's own; "" */
        char fpm_looked[HOST_LOOKED_MAX];       /* where masters were looked for, ", "-separated:
                                                 * the paths given or the default globs */
        bool units_from_bus;            /* units came from systemd's manager, not unit files */
        bool fpm_default_places;        /* masters were looked for at host_fpm_places */
        bool systemd;                   /* systemd is the init (the host), or the root's tree has
                                         * systemd's unit directories: units start php-fpm here */
        struct host_master masters[HOST_MASTERS_MAX];
        size_t n_masters;
        size_t n_masters_dropped;       /* found past HOST_MASTERS_MAX */
        uint64_t ram_bytes;             /* the machine's memory (/proc/meminfo MemTotal); 0: unknown */
        struct host_served also_served[HOST_ALSO_SERVED_MAX];   /* a fastcgi_pass reaching one is served */
        size_t n_also_served;
};

/* An account as etc/passwd and etc/group give it. */
struct host_user {
        uid_t uid;
        gid_t gid;                      /* its primary group */
        gid_t groups[HOST_GROUPS_MAX];  /* every group that lists it, the primary one included */
        size_t n_groups;
};

/* The default places of php-fpm masters, in the order looked at, NULL-terminated: each a glob(3)
 * pattern and the unit that runs it there ("" for Debian's php<version>-fpm.service, the version
 * read from the path; NULL when none is known). */
struct host_fpm_place {
        const char *pattern;
        const char *unit;
};
extern const struct host_fpm_place host_fpm_places[];

/* systemctl is-enabled's word for s: "enabled", "disabled", "static", "masked", "not-found",
 * "unknown". */
const char *host_unit_file_str(enum host_unit_file s);

/*
 * Reads everything the paths point to. The root is opened (O_PATH) into root_fd and every file is
 * read inside it (under_root.h). nginx's main file: paths->nginx_conf, else on the host the
 * --conf-path= of `nginx -V` (run for at most 2 s; it also gives nginx_prefix and
 * nginx_default_user), else /etc/nginx/nginx.conf. php-fpm masters: paths->fpm_confs (each kept,
 * even when it cannot be read: its conf's diags say why), else every match of host_fpm_places.
 * Each master's unit: on the host when systemd runs (sd_booted), from the manager over the system
 * bus; else, or when the bus cannot be reached, from the unit files under the root (see
 * host_units.c). Each master's php-fpm.conf is read once its unit is known, with the environment
 * php-fpm would have (enum host_env_from): so ${VAR} reads as there; a value naming a variable
 * that environment lacks says so (fpm_conf_value.unset_var). Then the memory_limit of the php.ini
 * its PHP reads (host_php_ini.c: PHPRC and PHP_INI_SCAN_DIR of that environment, else by layout).
 * ram_bytes: the host's MemTotal; 0 under a root.
 * Returns 0, -errno for the root itself (-ENOENT, -ENOTDIR, -ENAMETOOLONG), or -ENOMEM. Files
 * that are missing or unreadable are not errors: nginx is then NULL, a default place gives no
 * master, and the readers' diags say why. Free with host_conf_free() whatever it returns.
 */
int host_conf_load(struct host_conf *h, const struct host_paths *paths);
void host_conf_free(struct host_conf *h);

/* Calls fn with each problem the readers found ("FILE", LINE, "unexpected \"}\""): a missing
 * include, unbalanced braces, a value php-fpm refuses; line 0 for a file as a whole. Returns how
 * many, those past the readers' caps counted too. */
size_t host_conf_problems(const struct host_conf *h, void (*fn)(void *userdata, const char *file, unsigned line,
                                                                const char *text), void *userdata);

/* Calls fn with every path the configuration read comes from, as the host names it: files read,
 * includes (globs, and files that may be missing) and the default places looked at. A change in
 * any of them may change what host_conf_load() reads. Paths may repeat. */
void host_conf_sources(const struct host_conf *h, void (*fn)(void *userdata, const char *path), void *userdata);

/* A user by name, from the root's etc/passwd and etc/group (the host's own name service when
 * the root is the host). 0 with *u filled, -ENOENT for no such user, or -errno reading the files. */
int host_user(const struct host_conf *h, const char *name, struct host_user *u);
/* A group's id by name, the same way. 0, -ENOENT or -errno. */
int host_group(const struct host_conf *h, const char *name, gid_t *gid);
