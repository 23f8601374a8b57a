/* The words of an alert: its summary sentence and remedies, from what the finding holds. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag_internal.h"

void diag_put(char *buf, size_t size, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void add_remedy(struct alert *a, const char *fmt, ...) {
        if (a->n_remedies == ALERT_REMEDIES)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->remedy[a->n_remedies++], sizeof(a->remedy[0]), fmt, ap);
        va_end(ap);
}

/* "unix:/run/php/x.sock" → "/run/php/x.sock" for messages about files. */
static const char *path_of(const char *address) {
        return strncmp(address, "unix:", 5) == 0 ? address + 5 : address;
}

static const char *unit_or_default(const struct target *t) {
        return t->unit[0] ? t->unit : "'php*-fpm'";
}

static void probe_words(const struct target *t, char *buf, size_t size) {
        buf[0] = '\0';
        if (!t->have_probe)
                return;
        if (t->probe.outcome == PROBE_UNREACHABLE && t->probe.error)
                diag_put(buf, size, "%s (%s)", probe_outcome_text(t->probe.outcome), strerror(t->probe.error));
        else
                diag_put(buf, size, "%s", probe_outcome_text(t->probe.outcome));
}

static void unit_words(const struct target *t, char *buf, size_t size) {
        buf[0] = '\0';
        if (t->have_unit)
                unit_state_describe(&t->unit_state, buf, size);
}

/* Requests nginx failed on: its own lines, not php-fpm's notes about itself. */
static unsigned long long failed_requests(const struct finding *f) {
        unsigned long long n = 0;
        for (unsigned k = 1; k < KIND__MAX; k++)
                if (kind_info((enum event_kind) k)->source == SOURCE_NGINX)
                        n += f->kind_counts[k];
        return n;
}

static void fpm_down(const struct diag *d, const struct target *t, const struct finding *f, struct alert *a) {
        char probe[200], unit[200], failed[64] = "";
        if (diag_state_shows(d, t, CAUSE_FPM_DOWN) && !diag_probe_ok(t))
                probe_words(t, probe, sizeof(probe));
        else
                probe[0] = '\0';
        unit_words(t, unit, sizeof(unit));
        if (failed_requests(f))
                diag_put(failed, sizeof(failed), " (%llu failed requests)", failed_requests(f));
        if (t->is_pool)
                diag_put(a->summary, sizeof(a->summary), "PHP-FPM pool %s is down%s%s%s%s%s%s%s.", t->name,
                         probe[0] ? ": " : "", probe, unit[0] ? "; " : "", unit[0] ? unit_or_default(t) : "",
                         unit[0] ? " is " : "", unit, failed);
        else
                diag_put(a->summary, sizeof(a->summary),
                         "nginx cannot reach PHP-FPM at %s and no configured pool answers (%llu failed requests).",
                         t->address, (unsigned long long) f->lines);
        add_remedy(a, "systemctl status %s", unit_or_default(t));
        add_remedy(a, "journalctl -u %s -n 50", unit_or_default(t));
        add_remedy(a, "systemctl restart %s", unit_or_default(t));
        if (t->have_unit && strcmp(t->unit_state.result, "oom-kill") == 0)
                add_remedy(a, "the kernel OOM-killed it: lower pm.max_children or memory_limit, add memory, "
                              "or set OOMPolicy=continue in a drop-in");
}

static void socket_mismatch(const struct diag *d, const struct target *t, const struct finding *f, struct alert *a) {
        char where[300] = "";
        for (size_t i = 0, n = 0; i < d->n_pools && n < sizeof(where) - 1; i++)
                if (diag_probe_ok(&d->targets[i]))
                        n += (size_t) snprintf(where + n, sizeof(where) - n, "%s%s (pool %s)", n ? ", " : "",
                                               d->targets[i].address, d->targets[i].name);
        if (t->is_pool)
                diag_put(a->summary, sizeof(a->summary),
                         "%s is active but nothing listens at %s: pool %s listens somewhere else.",
                         unit_or_default(t), t->address, t->name);
        else
                diag_put(a->summary, sizeof(a->summary),
                         "nginx sends requests to %s, where nothing listens (%llu failed); php-fpm listens at %s.",
                         t->address, (unsigned long long) f->lines, where[0] ? where : "no address known");
        add_remedy(a, "make nginx's fastcgi_pass match the pool's listen (grep -rn fastcgi_pass /etc/nginx/)");
        add_remedy(a, "grep -rn '^listen' /etc/php/*/fpm/pool.d/");
        add_remedy(a, "ss -xlp | grep php; ls -l /run/php/");
        add_remedy(a, "nginx -t && systemctl reload nginx");
}

static void socket_permission(const struct diag *d, const struct target *t, const struct finding *f,
                              struct alert *a) {
        if (t->have_socket && t->sock_verdict == SOCKCHECK_DIR_DENIED)
                diag_put(a->summary, sizeof(a->summary),
                         "nginx (user %s) may not reach %s: directory %s is %u:%u mode %04o without search permission for it.",
                         d->nginx_user, path_of(t->address), t->sock_where, (unsigned) t->sock_uid,
                         (unsigned) t->sock_gid, (unsigned) t->sock_mode);
        else if (t->have_socket && t->sock_verdict == SOCKCHECK_SOCKET_DENIED)
                diag_put(a->summary, sizeof(a->summary),
                         "nginx (user %s) may not connect to %s: it is owned by %u:%u with mode %04o; it needs write permission.",
                         d->nginx_user, t->sock_where, (unsigned) t->sock_uid, (unsigned) t->sock_gid,
                         (unsigned) t->sock_mode);
        else
                diag_put(a->summary, sizeof(a->summary),
                         "nginx (user %s) may not connect to %s (13: Permission denied, %llu times).", d->nginx_user,
                         t->address, (unsigned long long) f->lines);
        add_remedy(a, "in the pool: listen.owner = %s, listen.group = %s, listen.mode = 0660", d->nginx_user, d->nginx_user);
        add_remedy(a, "systemctl restart %s", unit_or_default(t));
        add_remedy(a, "ls -l %s; namei -l %s", path_of(t->address), path_of(t->address));
}

static const char *signal_words(int sig) {
        switch (sig) {
        case 9: return "killed by SIGKILL (an OOM kill, most likely)";
        case 11: return "crashed with SIGSEGV";
        case 15: return "terminated with SIGTERM (request_terminate_timeout)";
        case 6: return "aborted with SIGABRT";
        default: return NULL;
        }
}

static void worker_killed(const struct diag *d, const struct target *t, const struct finding *f, struct alert *a) {
        const char *how = signal_words(f->signal);
        bool oom = t->have_unit && strcmp(t->unit_state.result, "oom-kill") == 0;
        diag_put(a->summary, sizeof(a->summary), "PHP-FPM workers of %s %s died mid-request: %s%s (%llu log lines).",
                 t->is_pool ? "pool" : "upstream", t->is_pool ? t->name : t->address,
                 oom ? "OOM-killed (systemd Result=oom-kill)" : how ? how : "connection reset by the worker",
                 f->kind_counts[KIND_FPM_REQUEST_TERMINATED] ? ", after request_terminate_timeout" : "",
                 (unsigned long long) f->lines);
        add_remedy(a, "journalctl -k | grep -i 'out of memory'");
        add_remedy(a, "lower pm.max_children or memory_limit so that max_children x memory_limit fits in RAM");
        add_remedy(a, "check request_terminate_timeout in the pool and the slowlog");
        add_remedy(a, "coredumpctl list php-fpm* (for SIGSEGV)");
}

static void pool_saturated(const struct diag *d, const struct target *t, const struct finding *f, struct alert *a) {
        char probe[200];
        probe_words(t, probe, sizeof(probe));
        diag_put(a->summary, sizeof(a->summary), "Every worker of %s %s is busy%s%s%s (%llu log lines).",
                 t->is_pool ? "pool" : "upstream", t->is_pool ? t->name : t->address, probe[0] ? ": probe " : "",
                 probe, f->kind_counts[KIND_FPM_MAX_CHILDREN] ? "; php-fpm reached pm.max_children" : "",
                 (unsigned long long) f->lines);
        add_remedy(a, "raise pm.max_children if memory allows, or make slow scripts faster");
        add_remedy(a, "look at the pool's status page (pm.status_path) and slowlog");
        add_remedy(a, "raise listen.backlog for bursts");
}

static void upstream_timeout(const struct diag *d, const struct target *t, const struct finding *f,
                             struct alert *a) {
        diag_put(a->summary, sizeof(a->summary), "Scripts on %s ran past nginx's fastcgi_read_timeout (%llu times, 504).",
                 t->is_pool ? t->name : t->address, (unsigned long long) f->lines);
        add_remedy(a, "find the slow scripts: request_slowlog_timeout and the pool's slowlog");
        add_remedy(a, "keep fastcgi_read_timeout and max_execution_time / request_terminate_timeout consistent");
}

static void from_lines(const struct diag *d, const struct target *t, const struct finding *f, struct alert *a) {
        const char *who = t->is_pool ? t->name : t->address;
        unsigned long long n = (unsigned long long) f->lines;
        switch (a->cause) {
        case CAUSE_PHP_MEMORY_EXHAUSTED:
                diag_put(a->summary, sizeof(a->summary), "PHP scripts on %s hit memory_limit (%llu times, 500).", who, n);
                add_remedy(a, "raise memory_limit for the pool, or fix the script's memory use");
                break;
        case CAUSE_PHP_FATAL:
                diag_put(a->summary, sizeof(a->summary), "PHP scripts on %s died of fatal errors (%llu times, 500).", who, n);
                add_remedy(a, "read the PHP error in the samples and fix the script");
                break;
        case CAUSE_HEADER_TOO_BIG:
                diag_put(a->summary, sizeof(a->summary),
                         "Responses from %s have headers larger than fastcgi_buffer_size (%llu times, 502).", who, n);
                add_remedy(a, "raise fastcgi_buffer_size and fastcgi_buffers in nginx");
                break;
        case CAUSE_NOT_FASTCGI:
                diag_put(a->summary, sizeof(a->summary),
                         "%s does not speak FastCGI: fastcgi_pass points at the wrong port (%llu times, 502).", who, n);
                add_remedy(a, "point fastcgi_pass at the php-fpm pool's listen address");
                break;
        default:
                diag_put(a->summary, sizeof(a->summary),
                         "php-fpm on %s cannot find or may not run the requested scripts (%llu times, 404/403).", who, n);
                add_remedy(a, "check SCRIPT_FILENAME (fastcgi_param), file permissions and security.limit_extensions");
                break;
        }
}

static void kinds_words(const struct finding *f, char *buf, size_t size) {
        size_t n = 0;
        buf[0] = '\0';
        for (unsigned k = 1; k < KIND__MAX && n < size; k++)
                if (f->kind_counts[k]) {
                        int w = snprintf(buf + n, size - n, "%s%s=%u", n ? ", " : "", kind_id((enum event_kind) k),
                                         f->kind_counts[k]);
                        if (w < 0)
                                break;
                        n += (size_t) w;
                }
}

static void fill_evidence(const struct target *t, const struct finding *f, struct alert_evidence *e) {
        e->lines = f->lines;
        e->lines_since_last = f->lines_since_emit;
        e->first_line_usec = f->first_line;
        e->last_line_usec = f->last_line;
        kinds_words(f, e->kinds, sizeof(e->kinds));
        e->n_samples = f->n_samples;
        memcpy(e->samples, f->samples, sizeof(e->samples));
        e->signal = f->signal;
        if ((e->probe.have = t->have_probe)) {
                diag_put(e->probe.outcome, sizeof(e->probe.outcome), "%s", probe_outcome_id(t->probe.outcome));
                e->probe.err = t->probe.error;
                e->probe.rtt_us = t->probe.rtt_us;
        }
        if ((e->unit.have = t->have_unit)) {
                const struct unit_state *u = &t->unit_state;
                diag_put(e->unit.load_state, sizeof(e->unit.load_state), "%s", u->load_state);
                diag_put(e->unit.active_state, sizeof(e->unit.active_state), "%s", u->active_state);
                diag_put(e->unit.sub_state, sizeof(e->unit.sub_state), "%s", u->sub_state);
                diag_put(e->unit.result, sizeof(e->unit.result), "%s", u->result);
                e->unit.n_restarts = u->n_restarts;
                e->unit.exec_main_status = u->exec_main_status;
        }
}

static void fill_socket(const struct diag *d, const struct target *t, struct alert_socket *s) {
        if (!(s->have = t->have_socket))
                return;
        diag_put(s->verdict, sizeof(s->verdict), "%s", sockcheck_verdict_name(t->sock_verdict));
        diag_put(s->path, sizeof(s->path), "%s", t->sock_where);
        s->uid = t->sock_uid;
        s->gid = t->sock_gid;
        s->mode = t->sock_mode;
        diag_put(s->user, sizeof(s->user), "%s", d->nginx_user);
}

/* A resolved alert says what it was and for how long, not the state that cleared it. */
void diag_resolved_summary(const struct target *t, enum cause c, uint64_t now, struct alert *a) {
        const struct finding *f = &t->f[c];
        unsigned long long secs = now > f->first_seen ? (now - f->first_seen) / 1000000 : 0;
        diag_put(a->summary, sizeof(a->summary), "Resolved: %s, for %s %s, after %llus (%llu lines in all).",
                 cause_text(c), t->is_pool ? "pool" : "upstream", t->is_pool ? t->name : t->address, secs,
                 (unsigned long long) f->lines);
}

void diag_fill_alert(const struct diag *d, const struct target *t, enum cause c, struct alert *a) {
        const struct finding *f = &t->f[c];
        memset(a, 0, sizeof(*a));
        a->cause = c;
        diag_put(a->id, sizeof(a->id), "%s/%llu/%s", cause_id(c), (unsigned long long) (f->first_seen / 1000000),
                 t->is_pool ? t->name : t->address);
        diag_put(a->pool, sizeof(a->pool), "%s", t->name);
        diag_put(a->upstream, sizeof(a->upstream), "%s", t->address);
        diag_put(a->unit, sizeof(a->unit), "%s", t->unit);
        a->first_seen_usec = f->first_seen;
        a->last_seen_usec = f->last_seen;
        fill_evidence(t, f, &a->evidence);
        fill_socket(d, t, &a->evidence.socket);
        switch (c) {
        case CAUSE_FPM_DOWN: fpm_down(d, t, f, a); break;
        case CAUSE_SOCKET_MISMATCH: socket_mismatch(d, t, f, a); break;
        case CAUSE_SOCKET_PERMISSION: socket_permission(d, t, f, a); break;
        case CAUSE_WORKER_KILLED: worker_killed(d, t, f, a); break;
        case CAUSE_POOL_SATURATED: pool_saturated(d, t, f, a); break;
        case CAUSE_UPSTREAM_TIMEOUT: upstream_timeout(d, t, f, a); break;
        default: from_lines(d, t, f, a); break;
        }
}
