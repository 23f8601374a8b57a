/*
 * The daemon's tests run the real binary. Every process a test starts is put in its own process
 * group and recorded in memory shared with the runner, which (an unchecked fixture, in the parent)
 * kills what a failed test left behind and removes its dirs. The runner is a child subreaper, so
 * those processes stay its own to reap.
 */
#pragma once
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

void harness_setup(void);
void harness_teardown(void);
/* At teardown, kills the group pgid (if > 0) and removes dir (if not NULL), unless untracked. */
void harness_track(pid_t pgid, const char *dir);
void harness_untrack(pid_t pgid, const char *dir);

/* Waits are stretched this much when the daemon runs under $BGW_WRAPPER (valgrind). */
int harness_ms(int ms);
long long harness_now_ms(void);

/* One daemon: argv after the binary, extra environment "NAME=value" (NULL-terminated). */
struct bgw {
        pid_t pid;
        int out_fd, err_fd, notify_fd;
        char *out, *err;                /* everything read so far, NUL-terminated */
        size_t out_len, err_len, out_parsed;
        json_t *alerts;                 /* every JSON line of stdout, in order */
        json_t *notes;                  /* every sd_notify datagram, as strings */
        int status;                     /* wait status once exited */
};

void bgw_start(struct bgw *b, const char *dir, const char *const *args, const char *const *env);
/* Reads what is there, waiting at most ms. */
void bgw_pump(struct bgw *b, int ms);
/* The first alert at index >= from with that cause and state; its index, or -1 after ms. */
int bgw_wait_alert(struct bgw *b, size_t from, const char *cause, const char *state, int ms);
/* The first notify datagram at index >= from with a line starting with `line`; index or -1. */
int bgw_wait_note(struct bgw *b, size_t from, const char *line, int ms);
bool bgw_wait_stderr(struct bgw *b, const char *text, int ms);
/* SIGTERM, then reads to the end and reaps; returns the exit code (-1 if it did not exit). */
int bgw_stop(struct bgw *b);
void bgw_free(struct bgw *b);

/* Runs the binary to completion; output and errors in malloc'd strings. Returns the exit code. */
int bgw_run(const char *const *args, char **out, char **err);
/* The same as user (root only): its uid and primary group, no other groups. */
int bgw_run_as(const char *user, const char *const *args, char **out, char **err);
/* The same; reader_gone: stdout's reading end is closed at once, as `| head -1` does. */
int bgw_run_reader_gone(const char *const *args, char **out, char **err, bool reader_gone);

/* Writes text to path (mode 0644). */
void write_file(const char *path, const char *text);
void append_file(const char *path, const char *text, size_t n);
