/* The systemd journal as a log source (sd-journal): the entries of nginx's and the pools' units
 * and syslog identifiers, and the kernel's, one at a time, with a cursor to resume after a
 * restart. Knows nothing of the loop: the caller polls journal_fd() and calls journal_process()
 * when it is readable, then journal_next() until it returns 0. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
        JOURNAL_CURSOR_MAX = 512,       /* bytes of a cursor, its NUL included (systemd's are ~150) */
        JOURNAL_UNIT_MAX = 256,
        JOURNAL_IDENT_MAX = 128,
        JOURNAL_MATCH_MAX = 128,        /* units plus identifiers */
};

/* What to follow: entries of any of these units, or carrying any of these identifiers, or the
 * kernel's. Entries of this daemon itself are always skipped (journal_next()). */
struct journal_filter {
        const char *const *units;       /* _SYSTEMD_UNIT= values: "nginx.service" */
        size_t n_units;
        const char *const *identifiers; /* SYSLOG_IDENTIFIER= values: "php-fpm", "nginx" */
        size_t n_identifiers;
        bool kernel;                    /* _TRANSPORT=kernel */
        const char *self_unit;          /* this daemon's unit ("badgatewayd.service"), or NULL */
        const char *self_identifier;    /* the identifier its alerts carry ("badgatewayd"), or NULL */
        pid_t self_pid;                 /* this process; 0: none */
};

/* What `badgatewayd scan --journal` reads when no unit is named: the units and identifiers the
 * daemon follows by default ([Journal] Units=, Identifiers= unset), the pools' units as the
 * glob its discovery asks the manager for (lib/config/host_bus.c). NULL-terminated. */
extern const char *const journal_default_units[];
extern const char *const journal_default_identifiers[];

struct journal_entry {
        const char *message;            /* MESSAGE, not NUL-terminated; valid until the next
                                         * journal_next() or journal_free() */
        size_t message_len;
        uint64_t realtime;              /* __REALTIME_TIMESTAMP: CLOCK_REALTIME µs */
        char unit[JOURNAL_UNIT_MAX];    /* _SYSTEMD_UNIT, or "" */
        char identifier[JOURNAL_IDENT_MAX];     /* SYSLOG_IDENTIFIER, else _COMM, else "kernel" for
                                                 * the kernel's, else "" */
        char about[JOURNAL_UNIT_MAX];   /* the unit the entry is about, as journalctl -u matches
                                         * it: UNIT= (PID 1's), OBJECT_SYSTEMD_UNIT=,
                                         * COREDUMP_UNIT=, or "" */
        long pid;                       /* _PID, else SYSLOG_PID; 0 when neither */
        bool kernel;                    /* _TRANSPORT=kernel */
};

struct journal;

/* Opens the local system journal (directory NULL) or the journal files in directory, matched by
 * f (copied; at most JOURNAL_MATCH_MAX units and identifiers together). Each unit is named as
 * journal_unit_name() names it; a glob (*, ? or [) stands for the units the journal holds now that
 * match it (journal_units() lists them; a unit that comes later is followed after a new open).
 * Positioned at its tail: the first entry journal_next() returns is the first one written after
 * the open, unless journal_seek_cursor() moves it. 0, -E2BIG for too many matches, -EINVAL for an
 * empty filter, -ENOENT when only globs were given and none matched (nothing to follow), or
 * sd_journal_open()'s negative errno (-EACCES…). */
int journal_open(struct journal **ret, const char *directory, const struct journal_filter *f);
struct journal *journal_free(struct journal *j);

/* Where journal_open_read() reads: the local system journal (both NULL), the journal files in
 * directory and its machine-id subdirectories (journalctl -D), or the NULL-terminated files
 * (journalctl --file). */
struct journal_place {
        const char *directory;
        const char *const *files;
};

/* For reading a journal through once (scan), from its first entry at or after since (realtime
 * µs, sd_journal_seek_realtime_usec(); 0: from the head). f's units match as journalctl -u
 * matches them (systemd 252's add_matches_for_unit(), src/shared/logs-show.c), each named as
 * journal_unit_name() names it ("php8.2-fpm" is php8.2-fpm.service): the unit's own
 * entries (_SYSTEMD_UNIT=), PID 1's about it (_PID=1 UNIT=), root's daemons' (_UID=0
 * OBJECT_SYSTEMD_UNIT=) and its coredumps (COREDUMP_UNIT=); a unit with *, ? or [ is a glob
 * (fnmatch(3)) matched against the names those four fields hold in the journal, as journalctl -u
 * does (journal_units() lists what was matched). The own entries f names are skipped as for
 * journal_open(). 0, -EINVAL for an empty filter, -E2BIG for too many units, -ENOENT when there
 * is no journal file there at all, -EACCES when there are some and none may be read, or
 * sd-journal's negative errno. */
int journal_open_read(struct journal **ret, const struct journal_place *where, const struct journal_filter *f,
                      uint64_t since);
/* The name journalctl -u matches for name (systemd 252's unit_name_mangle_with_suffix() with
 * UNIT_NAME_MANGLE_GLOB and ".service", src/basic/unit-name.c) into out (size bytes): a glob as
 * it is ("php*" stays "php*"); else each character a unit name may not hold escaped ('/' as '-',
 * others as \xNN) and ".service" appended unless it ends in a unit type's suffix ("php8.2-fpm"
 * gives "php8.2-fpm.service", "nginx.socket" stays). A path is not turned into its .mount or
 * .device name. 0, -EINVAL for "", -ENAMETOOLONG when out is too small. */
int journal_unit_name(const char *name, char *out, size_t size);

/* The units journal_open_read() matches: f's names, each glob replaced by the names it matched
 * (sorted, once each). *names stays valid until journal_free(). */
size_t journal_units(const struct journal *j, const char *const **names);

/* Whether the journal files at where exist and may be read, before opening them (sd-journal
 * silently skips a file it may not read): 0 when at least one may be; -ENOENT when there is none
 * (or the directory is missing); -EACCES when none may be read (the first such file into path,
 * size bytes). A list of files is not checked (sd_journal_open_files() fails on each itself). */
int journal_check_access(const struct journal_place *where, char *path, size_t size);

/* After this, journal_next() returns the entries written after the one cursor names (as
 * journal_cursor() gave it), that entry itself skipped: what a restart resumes at. A cursor
 * whose entry is gone (vacuumed) resumes at the first entry after where it was. 0, or -EINVAL
 * for a cursor sd-journal cannot read (the position is then unchanged). */
int journal_seek_cursor(struct journal *j, const char *cursor);

/* The next matching entry that is not this daemon's own (its unit, identifier or pid, or an entry
 * with a BADGATEWAY_CAUSE field or one of its causes' firing or resolved MESSAGE_IDs: its alerts). 1 and *e filled;
 * 0 when there is none yet; or a negative errno from sd-journal. */
int journal_next(struct journal *j, struct journal_entry *e);

/* The cursor of the last entry journal_next() went past (returned or skipped) into buf (at least
 * JOURNAL_CURSOR_MAX bytes), else the one journal_seek_cursor() was given. 0, or -ENODATA when
 * neither exists yet. */
int journal_cursor(const struct journal *j, char *buf, size_t size);

/* How many entries journal_next() skipped as the daemon's own since the open. */
uint64_t journal_skipped_own(const struct journal *j);

/* The descriptor to poll for reading (sd_journal_get_fd()), or a negative errno. */
int journal_fd(struct journal *j);
/* After the descriptor was readable: sd_journal_process(). >= 0, or a negative errno. */
int journal_process(struct journal *j);
/* µs (CLOCK_MONOTONIC) by when journal_process() must be called even if the descriptor stays
 * quiet (journal files on a file system without inotify), or UINT64_MAX for never. */
uint64_t journal_timeout(struct journal *j);

/* The line a tailed log would hold for text (one line of e's MESSAGE), in the form
 * `journalctl -o short-iso-precise` prints: "2026-03-12T14:01:06.123456+0100 IDENT[PID]: text"
 * (lib/classify/unwrap.c peels it; nginx's own date inside text stays the line's time, php-fpm's
 * dateless syslog text gets the entry's). Local time. Writes at most size bytes (text cut to fit;
 * size >= 128) and returns the length, no NUL added. */
size_t journal_line(const struct journal_entry *e, const char *text, size_t n, char *buf, size_t size);
