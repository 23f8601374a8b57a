/*
 * The words of an alert: its summary sentence and remedies. Each cause's row in `words` says
 * them; a summary that depends on the evidence has a function of its own.
 */
#include <signal.h>
#include <string.h>
#include <time.h>

#include "target.h"

struct words_in {
        const struct diag *d;
        const struct target *t;
        const struct finding *f;
};

typedef void summary_fn(const struct words_in *w, struct alert *a);

__attribute__((format(printf, 2, 3))) static void add_remedy(struct alert *a, const char *fmt, ...) {
        if (a->n_remedies == ALERT_REMEDIES)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(a->remedy[a->n_remedies++], sizeof(a->remedy[0]), fmt, ap);
        va_end(ap);
}

/* " (3 times, 502)" from fmt for a count n, and "" for none: a count of 0 is not said. */
__attribute__((format(printf, 4, 5))) static void counted(char *buf, size_t size, unsigned long long n,
                                                          const char *fmt, ...) {
        buf[0] = '\0';
        if (!n)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, size, fmt, ap);
        va_end(ap);
}

/* "/run/php/x.sock" for messages about files; a TCP address as it is. */
static const char *path_of(const struct target *t) {
        const char *path = address_unix_path(&t->address);
        return path ? path : t->address.text;
}

static const char *unit_or_default(const struct target *t) {
        return t->unit[0] ? t->unit : "'php*-fpm*'";
}

const char *words_who(const struct target *t) {
        return t->name[0] ? t->name : t->address.text;
}

/* "pool www", "upstream unix:/x.sock", "nginx", "other upstreams". */
static void target_words(const struct target *t, char *buf, size_t size) {
        diag_put(buf, size, "%s%s", t->is_pool ? "pool " : t->is_nginx || t->is_other ? "" : "upstream ",
                 words_who(t));
}

static void probe_words(const struct target *t, char *buf, size_t size) {
        buf[0] = '\0';
        if (!t->have_probe)
                return;
        if (t->probe.outcome == PROBE_REFUSED && t->probe.detail[0])
                diag_put(buf, size, "connection refused: %s", t->probe.detail);        /* "/x is a directory, not a socket" */
        else if (t->probe.outcome == PROBE_UNREACHABLE && t->probe.error)
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

/* "127.0.0.1:9000 is held by apache2 (pid 812)"; empty without a holder. */
static void holder_words(const struct target *t, char *buf, size_t size) {
        unsigned port = t->address.port;
        buf[0] = '\0';
        if (t->have_holder && t->holder.pid > 0)
                diag_put(buf, size, "port %u is held by %s (pid %d)", port, t->holder.comm, (int) t->holder.pid);
        else if (t->have_holder)
                diag_put(buf, size, "port %u is held by a process badgatewayd may not see", port);
}

static void fpm_down(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        char probe[200] = "", unit[200], failed[64], holder[128] = "";
        if (state_shows(t, CAUSE_FPM_DOWN) && !state_probe_ok(t))
                probe_words(t, probe, sizeof(probe));
        unit_words(t, unit, sizeof(unit));
        counted(failed, sizeof(failed), failed_requests(w->f), " (%llu failed requests)", failed_requests(w->f));
        if (probe[0])
                holder_words(t, holder, sizeof(holder));
        if (t->is_pool)
                diag_put(a->summary, sizeof(a->summary), "PHP-FPM pool %s is down%s%s%s%s%s%s%s%s%s.", t->name,
                         probe[0] ? ": " : "", probe, unit[0] ? "; " : "", unit[0] ? unit_or_default(t) : "",
                         unit[0] ? " is " : "", unit, holder[0] ? "; " : "", holder, failed);
        else if (state_any_pool_blind(w->d))   /* whether some pool answers is not known */
                diag_put(a->summary, sizeof(a->summary),
                         "nginx cannot reach PHP-FPM at %s, which no configured pool serves%s; whether the pools "
                         "answer is not known: this process may not connect to their sockets.", t->address.text, failed);
        else
                diag_put(a->summary, sizeof(a->summary), "nginx cannot reach PHP-FPM at %s and no configured pool answers%s.",
                         t->address.text, failed);
        if (state_oom_killed(t))
                add_remedy(a, "the kernel OOM-killed it: lower pm.max_children or memory_limit, add memory, "
                              "or set OOMPolicy=continue in a drop-in");
}

static void socket_mismatch(const struct words_in *w, struct alert *a) {
        const struct diag *d = w->d;
        const struct target *t = w->t;
        char where[300] = "", failed[48];
        counted(failed, sizeof(failed), w->f->lines, " (%llu failed)", (unsigned long long) w->f->lines);
        for (size_t i = 0, n = 0; i < d->n_pools && n < sizeof(where) - 1; i++)
                if (state_alive(&d->targets[i]))
                        n += (size_t) snprintf(where + n, sizeof(where) - n, "%s%s (pool %s)", n ? ", " : "",
                                               d->targets[i].address.text, d->targets[i].name);
        if (t->is_pool)
                diag_put(a->summary, sizeof(a->summary),
                         "%s is active but nothing listens at %s: pool %s listens somewhere else.",
                         unit_or_default(t), t->address.text, t->name);
        else if (w->f->config.have)     /* where to edit, from nginx's configuration */
                diag_put(a->summary, sizeof(a->summary),
                         "nginx sends requests to %s (fastcgi_pass at %s:%u), where nothing listens%s; "
                         "php-fpm listens at %s.", t->address.text, w->f->config.file, w->f->config.line, failed,
                         where[0] ? where : "no address known");
        else
                diag_put(a->summary, sizeof(a->summary),
                         "nginx sends requests to %s, where nothing listens%s; php-fpm listens at %s.",
                         t->address.text, failed, where[0] ? where : "no address known");
}

static void socket_permission(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        const char *user = w->d->nginx_user;
        const char *acl = t->sock_acl ? " and an ACL" : "";
        char times[48];
        counted(times, sizeof(times), w->f->lines, ", %llu times", (unsigned long long) w->f->lines);
        if (t->have_socket && t->sock_verdict == SOCKCHECK_DIR_DENIED)
                diag_put(a->summary, sizeof(a->summary),
                         "nginx (user %s) may not reach %s: directory %s is %u:%u mode %04o%s without search permission for it.",
                         user, path_of(t), t->sock_where, (unsigned) t->sock_uid,
                         (unsigned) t->sock_gid, (unsigned) t->sock_mode, acl);
        else if (t->have_socket && t->sock_verdict == SOCKCHECK_SOCKET_DENIED)
                diag_put(a->summary, sizeof(a->summary),
                         "nginx (user %s) may not connect to %s: it is owned by %u:%u with mode %04o%s; it needs write permission.",
                         user, t->sock_where, (unsigned) t->sock_uid, (unsigned) t->sock_gid,
                         (unsigned) t->sock_mode, acl);
        else
                diag_put(a->summary, sizeof(a->summary),
                         "nginx (user %s) may not connect to %s (13: Permission denied%s).", user,
                         t->address.text, times);
}

/* What php-fpm's "exited on signal N" says happened to the worker. */
static const struct {
        int signal;
        const char *words;
} signal_words[] = {
        { SIGSEGV, "crashed with SIGSEGV" },
        { SIGTERM, "terminated with SIGTERM" },
        { SIGABRT, "aborted with SIGABRT" },
};

/* What the evidence proves killed the workers; the summary and the remedies follow from it. */
enum death {
        DEATH_UNKNOWN,          /* resets, or a SIGKILL no kernel log can explain */
        DEATH_RELOAD,           /* a php-fpm reload within seconds of the resets */
        DEATH_OOM,              /* the kernel's record, the cgroup's counter or systemd's Result=oom-kill */
        DEATH_TERMINATE,        /* request_terminate_timeout: php-fpm's "execution timed out" */
        DEATH_SIGKILL,          /* SIGKILL, and the OOM killer proven not to have sent it */
        DEATH_CRASH,            /* SIGSEGV, SIGBUS, SIGABRT */
};

static enum death death_of(const struct words_in *w) {
        const struct finding *f = w->f;
        int sig = f->signal;
        if (diag_reload_cut(f))
                return DEATH_RELOAD;
        if (f->oom.proof != OOM_UNPROVEN || state_oom_killed(w->t))
                return DEATH_OOM;
        if (f->kind_counts[KIND_FPM_REQUEST_TERMINATED])
                return DEATH_TERMINATE;
        if (sig == SIGKILL && (w->d->s.kernel_log || w->t->have_cgroup))
                return DEATH_SIGKILL;
        if (sig == SIGSEGV || sig == SIGBUS || sig == SIGABRT)
                return DEATH_CRASH;
        return DEATH_UNKNOWN;
}

/* "request_terminate_timeout (3s at /etc/php/8.2/fpm/pool.d/www.conf:9)", or without the
 * parenthesis when the pool's configuration was not read. */
static void terminate_words(const struct target *t, char *buf, size_t size) {
        if (t->terminate_timeout[0])
                diag_put(buf, size, "request_terminate_timeout (%s at %s)", t->terminate_timeout, t->terminate_at);
        else
                diag_put(buf, size, "request_terminate_timeout");
}

/* The kernel's proof first, then systemd's Result=oom-kill, then what the signal says. */
static void how_killed(const struct words_in *w, char *buf, size_t size) {
        int sig = w->f->signal;
        char rtt[PATH_MAX + 64];
        if (death_of(w) == DEATH_RELOAD) {
                unsigned n = diag_reload_cut(w->f);
                diag_put(buf, size, "a php-fpm reload (SIGUSR2, \"Reloading in progress\") ended %u in-flight request%s",
                         n, n == 1 ? "" : "s");
                return;
        }
        if (w->f->oom.proof != OOM_UNPROVEN || (sig == SIGKILL && !state_oom_killed(w->t))) {
                oom_words(w->d, w->t, w->f, buf, size);
                return;
        }
        if (state_oom_killed(w->t)) {
                diag_put(buf, size, "OOM-killed (systemd Result=oom-kill)");
                return;
        }
        if (death_of(w) == DEATH_TERMINATE) {
                terminate_words(w->t, rtt, sizeof(rtt));
                diag_put(buf, size, "terminated with SIGTERM after %s", rtt);
                return;
        }
        for (size_t i = 0; i < sizeof(signal_words) / sizeof(signal_words[0]); i++)
                if (signal_words[i].signal == sig) {
                        diag_put(buf, size, "%s", signal_words[i].words);
                        return;
                }
        diag_put(buf, size, "connection reset by the worker");
}

/* php-fpm's master without systemd: its pid file, when its configuration names one. */
static bool no_unit(const struct target *t) {
        return t->is_pool && !t->unit[0];
}

/* A stop and a start: what makes the socket again. php-fpm's reload (SIGUSR2) keeps its socket
 * ("using inherited socket fd=N"), chmod and all. */
static void restart_words(const struct target *t, char *buf, size_t size) {
        if (!no_unit(t))
                diag_put(buf, size, "systemctl restart %s", unit_or_default(t));
        else if (t->pid_file[0])
                diag_put(buf, size, "kill -QUIT $(cat %s), then start php-fpm again the way it was started (no "
                         "systemd unit runs it; a reload, kill -USR2, keeps the old socket)", t->pid_file);
        else
                diag_put(buf, size, "stop php-fpm and start it again the way it was started (no systemd unit runs it; "
                         "a reload keeps the old socket)");
}

/* A reload: php-fpm's master reads its configuration again and starts new workers. */
static void reload_words(const struct target *t, char *buf, size_t size) {
        if (!no_unit(t))
                diag_put(buf, size, "systemctl reload %s", unit_or_default(t));
        else if (t->pid_file[0])
                diag_put(buf, size, "kill -USR2 $(cat %s) (php-fpm's master, its pid = file; no systemd unit runs it)",
                         t->pid_file);
        else
                diag_put(buf, size, "restart php-fpm the way it was started (no systemd unit runs it)");
}

/* Where a SIGKILL that the OOM killer did not send came from. */
static void sigkill_remedies(const struct target *t, struct alert *a) {
        if (no_unit(t)) {
                add_remedy(a, "find who sent SIGKILL: a person (kill -9) or a deploy script; no systemd unit runs "
                              "php-fpm, so no stop timeout did");
                return;
        }
        add_remedy(a, "find who sent SIGKILL: a person (kill -9), a deploy script, or systemd at its stop timeout: "
                      "journalctl -u %s", unit_or_default(t));
        add_remedy(a, "systemctl show -p TimeoutStopUSec %s (systemd kills what outlives it at a stop or restart)",
                   unit_or_default(t));
}

/* worker_killed's remedies: for what the evidence proves, not for every way a worker dies. */
static void worker_remedies(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        char limit[400];
        switch (death_of(w)) {
        case DEATH_RELOAD:
                add_remedy(a, "set process_control_timeout in php-fpm's [global] (e.g. 30s, longer than your "
                              "slowest request): a reload then lets workers finish their requests");
                add_remedy(a, "reload php-fpm at quiet times; a reload (%s) ends every worker",
                           no_unit(t) ? "kill -USR2" : "systemctl reload");
                return;
        case DEATH_OOM:
                if (w->f->oom.proof != OOM_UNPROVEN) {
                        oom_limit_words(t, w->f, limit, sizeof(limit));
                        add_remedy(a, "lower pm.max_children or memory_limit so that max_children x memory_limit "
                                      "fits in %s, or raise that limit", limit);
                } else {
                        add_remedy(a, "lower pm.max_children or memory_limit so that max_children x memory_limit "
                                      "fits in the unit's memory (systemctl show -p MemoryMax %s)", unit_or_default(t));
                }
                add_remedy(a, "journalctl -k | grep -i 'out of memory' (the kernel's reports: which process used how much)");
                return;
        case DEATH_TERMINATE:
                if (t->terminate_timeout[0])
                        add_remedy(a, "raise request_terminate_timeout in pool %s at %s (now %s)", t->name,
                                   t->terminate_at, t->terminate_timeout);
                else
                        add_remedy(a, "raise request_terminate_timeout in the pool");
                add_remedy(a, "or make the slow script faster: request_slowlog_timeout and the pool's slowlog name it");
                return;
        case DEATH_SIGKILL:
                sigkill_remedies(t, a);
                return;
        case DEATH_CRASH:
                add_remedy(a, "coredumpctl list 'php-fpm*'; coredumpctl info PID shows where it crashed "
                              "(an extension: opcache, xdebug, a PECL module)");
                add_remedy(a, "php -m: disable the extension added last and watch whether the crashes stop");
                return;
        case DEATH_UNKNOWN:
                break;
        }
        add_remedy(a, "journalctl -k | grep -i 'out of memory'");
        add_remedy(a, "lower pm.max_children or memory_limit so that max_children x memory_limit fits in RAM");
        add_remedy(a, "check request_terminate_timeout in the pool and the slowlog");
        add_remedy(a, "coredumpctl list 'php-fpm*' (for SIGSEGV)");
}

static void not_fastcgi(const struct words_in *w, struct alert *a) {
        char holder[128], times[48];
        holder_words(w->t, holder, sizeof(holder));
        if (!holder[0])
                return;
        counted(times, sizeof(times), w->f->lines, " (%llu times, 502)", (unsigned long long) w->f->lines);
        diag_put(a->summary, sizeof(a->summary), "%s does not speak FastCGI: %s; fastcgi_pass points at the wrong port%s.",
                 w->t->address.text, holder, times);
}

static void worker_killed(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        const struct finding *f = w->f;
        char target[128], how[400], lines[48];
        target_words(t, target, sizeof(target));
        how_killed(w, how, sizeof(how));
        counted(lines, sizeof(lines), f->lines, " (%llu log lines)", (unsigned long long) f->lines);
        diag_put(a->summary, sizeof(a->summary), "PHP-FPM workers of %s died mid-request: %s%s.", target, how, lines);
}

/* The probe answers while the lines said every worker was busy: busy then, alive now. */
static void pool_saturated(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        const struct finding *f = w->f;
        char probe[200], holder[128], target[128], lines[48];
        probe_words(t, probe, sizeof(probe));
        holder_words(t, holder, sizeof(holder));
        target_words(t, target, sizeof(target));
        counted(lines, sizeof(lines), f->lines, " (%llu log lines)", (unsigned long long) f->lines);
        const char *max = f->kind_counts[KIND_FPM_MAX_CHILDREN] ? "; php-fpm reached pm.max_children" : "";
        if (state_probe_ok(t))
                diag_put(a->summary, sizeof(a->summary), "Every worker of %s was busy when the lines were written%s%s; "
                         "the probe answered: the pool is alive.", target, max, lines);
        else
                diag_put(a->summary, sizeof(a->summary), "Every worker of %s is busy%s%s%s%s%s%s.",
                         target, probe[0] ? ": probe " : "", probe, max, holder[0] ? "; " : "", holder, lines);
}

/*
 * Per cause: the summary (a template, or a function when it depends on the evidence) and the
 * remedies. Templates name {who} (the pool, or the upstream no pool serves), {lines}, {unit},
 * {user} (nginx's worker user), {path} (the socket's path) and {address}.
 */
static const struct {
        const char *summary;
        summary_fn *summarize;
        const char *remedy[ALERT_REMEDIES];
        const char *no_unit[ALERT_REMEDIES];    /* for a pool no systemd unit runs, when it differs */
} words[CAUSE__MAX] = {
        [CAUSE_FPM_DOWN] = { NULL, fpm_down, {
                "systemctl status {unit}",
                "journalctl -u {unit} -n 50",
                "systemctl restart {unit}",
        }, {
                "pgrep -a php-fpm: is php-fpm's master running?",
                "read php-fpm's error_log: why it stopped",
                "{reload}; if no master runs, start php-fpm the way it was started",
        } },
        [CAUSE_SOCKET_MISMATCH] = { NULL, socket_mismatch, {
                "make nginx's fastcgi_pass match the pool's listen (grep -rn fastcgi_pass /etc/nginx/)",
                "grep -rn '^listen' /etc/php/*/fpm/pool.d/",
                "ss -xlp | grep php; ls -l /run/php/",
                "nginx -t && systemctl reload nginx",
        } },
        [CAUSE_SOCKET_PERMISSION] = { NULL, socket_permission, {       /* and sock_causes, below */
                "in the pool: listen.owner = {user}, listen.group = {user}, listen.mode = 0660",
                "{restart}",
                "ls -l {path}; namei -l {path}; getfacl {path}",
        } },
        [CAUSE_WORKER_KILLED] = { NULL, worker_killed, { NULL } },     /* worker_remedies() */
        [CAUSE_POOL_SATURATED] = { NULL, pool_saturated, {
                "raise pm.max_children if memory allows, or make slow scripts faster",
                "look at the pool's status page (pm.status_path) and slowlog",
                "raise listen.backlog for bursts",
        } },
        [CAUSE_UPSTREAM_TIMEOUT] = { "Scripts on {who} ran past nginx's fastcgi_read_timeout ({lines} times, 504).", NULL, {
                "find the slow scripts: request_slowlog_timeout and the pool's slowlog",
                "keep fastcgi_read_timeout and max_execution_time / request_terminate_timeout consistent",
        } },
        [CAUSE_PHP_MEMORY_EXHAUSTED] = { "PHP scripts on {who} hit memory_limit ({lines} times, 500).", NULL, {
                "raise memory_limit for the pool, or fix the script's memory use",
        } },
        [CAUSE_PHP_FATAL] = { "PHP scripts on {who} died of fatal errors ({lines} times, 500).", NULL, {
                "read the PHP error in the samples and fix the script",
        } },
        [CAUSE_HEADER_TOO_BIG] = {
                "Responses from {who} have headers larger than fastcgi_buffer_size ({lines} times, 502).", NULL, {
                "raise fastcgi_buffer_size and fastcgi_buffers in nginx",
        } },
        [CAUSE_NOT_FASTCGI] = {
                "{who} does not speak FastCGI: fastcgi_pass points at the wrong port ({lines} times, 502).", not_fastcgi, {
                "point fastcgi_pass at the php-fpm pool's listen address",
        } },
        [CAUSE_APP_BAD_RESPONSE] = {
                "The application on {who} sent invalid or truncated responses ({lines} times, 502).", NULL, {
                "look for output before the headers: a BOM or whitespace before <?php, echo before header()",
                "check a Content-Length the script sets itself against what it sends",
        } },
        [CAUSE_NGINX_ERROR_LOG_LEVEL] = {
                "nginx's error_log level is above error: the lines that name a 502's cause are not written.", NULL, {
                "grep -rn error_log /etc/nginx/",
                "nginx -t && systemctl reload nginx",
        } },
        [CAUSE_NGINX_ERROR_LOG_OFF] = {
                "error_log off: nginx writes its errors to a file named off.", NULL, {
                "grep -rn 'error_log *off' /etc/nginx/",
                "nginx -t && systemctl reload nginx",
        } },
        [CAUSE_FPM_LOG_LEVEL] = {
                "php-fpm's log_level for {who} is above warning: worker deaths and max_children are not logged.", NULL, {
                "grep -rn '^log_level' /etc/php/*/fpm/ /etc/php-fpm.conf",
                "systemctl reload {unit}",
        }, {
                "grep -rn '^log_level' /etc/php/*/fpm/ /etc/php-fpm.conf",
                "{reload}",
        } },
        [CAUSE_FASTCGI_READ_TIMEOUT_SHORT] = {
                "nginx's fastcgi_read_timeout is shorter than {who}'s request_terminate_timeout: 504s while PHP keeps running.", NULL, {
                "keep fastcgi_read_timeout at least as long as request_terminate_timeout",
                "nginx -t && systemctl reload nginx",
        } },
        [CAUSE_FPM_MEMORY_OVERCOMMIT] = {
                "pm.max_children x memory_limit of {who} is more memory than it may use: OOM kills wait to happen.", NULL, {
                "lower pm.max_children or memory_limit so that max_children x memory_limit fits",
                "systemctl show -p MemoryMax {unit}; free -h",
        } },
        [CAUSE_FPM_UNIT_MISSING] = {
                "PHP-FPM pool {who} has no enabled systemd unit: nothing starts it at boot or after a crash.", NULL, {
                "systemctl list-unit-files 'php*-fpm*'",
                "systemctl enable --now {unit}",
        } },
        [CAUSE_SCRIPT_CONFIG] = {
                "php-fpm on {who} cannot find or may not run the requested scripts ({lines} times, 404/403).", NULL, {
                "check SCRIPT_FILENAME (fastcgi_param), file permissions and security.limit_extensions",
        } },
        [CAUSE_UPSTREAM_TLS] = {
                "The TLS handshake with the {server} at {address} failed ({lines} times, 502).", NULL, {
                "{dir}_ssl_server_name on; nginx sends no SNI by default, and a server with several names, "
                "a CDN or a load balancer ends the handshake without it",
                "{dir}_ssl_name NAME when {dir}_pass names an IP address or an upstream group",
                "{dir}_ssl_protocols TLSv1.2 TLSv1.3 as the upstream accepts them; "
                "openssl s_client -connect {address} -servername NAME shows what it offers",
        } },
        [CAUSE_KEEPALIVE_CLOSED] = {
                "The {server} at {address} closed idle kept-alive connections as nginx reused them ({lines} times, 502).", NULL, {
                "keep nginx's keepalive_timeout (upstream block) shorter than the {server}'s own keep-alive timeout",
                "{dir}_next_upstream error timeout non_idempotent retries such requests, POST included: only "
                "where a retry is safe",
                "a request body the upstream refuses (its upload limit) ends the same way: check that limit",
        } },
};

/*
 * socket_permission's remedies per cause the socket check found (its verdict). A verdict
 * without a row here uses the cause's row in `words`, which fits the socket's own mode (and
 * nginx's "13: Permission denied" before any check). {sockdir}: the directory that denies the
 * search.
 */
static const struct {
        const char *remedy[ALERT_REMEDIES];
} sock_causes[SOCKCHECK_LOOP + 1] = {
        [SOCKCHECK_DIR_DENIED] = { {
                "move the socket to a directory {user} may search: in the pool listen = /run/php/{who}.sock, "
                "in nginx fastcgi_pass unix:/run/php/{who}.sock",
                "or let {user} search {sockdir}: chmod o+x {sockdir}, or setfacl -m u:{user}:x {sockdir}",
                "after a move: {restart}; nginx -t && systemctl reload nginx",
                "namei -l {path}; getfacl {sockdir}",
        } },
};

/* What an upstream is called and the prefix of its module's directives, per protocol. */
static const struct {
        const char *server, *dir;
} protos[PROTO__MAX] = {
        [PROTO_UNKNOWN] = { "PHP-FPM server", "fastcgi" },
        [PROTO_FASTCGI] = { "PHP-FPM server", "fastcgi" },
        [PROTO_HTTP] = { "HTTP server", "proxy" },
        [PROTO_UWSGI] = { "uWSGI server", "uwsgi" },
        [PROTO_SCGI] = { "SCGI server", "scgi" },
        [PROTO_GRPC] = { "gRPC server", "grpc" },
        [PROTO_OTHER] = { "upstream server", "proxy" },
};

/*
 * The words for an upstream nginx reaches by proxy_pass, uwsgi_pass, scgi_pass or grpc_pass
 * (target_proxied()): no PHP-FPM, no pool, no pm.max_children. A cause without a row here uses its
 * row in `words`. {server} and {dir} come from `protos`.
 */
static const struct {
        const char *what;       /* for the resolved alert, in place of cause_text() */
        const char *summary;
        const char *remedy[ALERT_REMEDIES];
} proxied[CAUSE__MAX] = {
        [CAUSE_FPM_DOWN] = { "nginx could not connect to the upstream",
                "nginx cannot connect to the {server} at {address} ({lines} failed requests, 502).", {
                "check that the {server} runs and listens at {address} (ss -ltnp on its host)",
                "check {dir}_pass and the upstream block: grep -rn '{dir}_pass\\|server ' /etc/nginx/",
                "for 101/113 (unreachable): the route to {address} (ip route get), or its IPv6 connectivity",
        } },
        [CAUSE_WORKER_KILLED] = { "the upstream closed or reset connections mid-request",
                "The {server} at {address} closed or reset connections mid-request ({lines} times, 502).", {
                "read the {server}'s own log at the times of the samples: a crash, a restart, a process limit",
                "compare the {server}'s timeouts and request size limits with what nginx sends",
        } },
        [CAUSE_POOL_SATURATED] = { "the upstream did not accept connections in time",
                "Connections to the {server} at {address} timed out ({lines} times): it is overloaded or cannot be reached.", {
                "look at the {server}'s load and its listen backlog",
                "check {dir}_connect_timeout and the network path to {address}",
        } },
        [CAUSE_UPSTREAM_TIMEOUT] = { "the upstream answered later than nginx's read timeout",
                "The {server} at {address} sent nothing within {dir}_read_timeout ({lines} times, 504).", {
                "find the slow requests in the {server}'s own log",
                "keep {dir}_read_timeout and the {server}'s own timeouts consistent",
        } },
        [CAUSE_HEADER_TOO_BIG] = { "response headers exceed the buffer size",
                "Responses from the {server} at {address} have headers larger than {dir}_buffer_size ({lines} times, 502).", {
                "raise {dir}_buffer_size and {dir}_buffers in nginx",
        } },
        [CAUSE_NOT_FASTCGI] = { "the upstream's answer is not valid for its protocol",
                "The {server} at {address} answered with something that is not a valid response ({lines} times, 502).", {
                "check that {dir}_pass names the right port and protocol (http or https, uwsgi or http)",
        } },
        [CAUSE_APP_BAD_RESPONSE] = { "the application sent an invalid or truncated response",
                "The application behind the {server} at {address} sent invalid or truncated responses ({lines} times, 502).", {
                "request a URL from the samples straight from {address} and read the raw headers",
        } },
};

const char *words_what(const struct target *t, enum cause c) {
        if ((unsigned) c < CAUSE__MAX && target_proxied(t) && proxied[c].what)
                return proxied[c].what;
        return cause_text(c);
}

struct var {
        const char *name, *value;
};

/* The var named by the text after '{', if a '}' closes a known name there. */
static const struct var *var_at(const char *p, const struct var *vars, size_t n) {
        const char *close = strchr(p, '}');
        for (size_t i = 0; close && i < n; i++)
                if (strlen(vars[i].name) == (size_t) (close - p) && memcmp(vars[i].name, p, (size_t) (close - p)) == 0)
                        return &vars[i];
        return NULL;
}

/* p starts " (...{lines}...)": a count, left out of a template when there is none. */
static bool uncounted(const char *p) {
        const char *close = strncmp(p, " (", 2) == 0 ? strchr(p, ')') : NULL, *count = strstr(p, "{lines}");
        return close && count && count < close;
}

static void fill(const struct words_in *w, const char *tmpl, char *out, size_t size) {
        char lines[24], restart[PATH_MAX + 200], reload[PATH_MAX + 100];
        diag_put(lines, sizeof(lines), "%llu", (unsigned long long) w->f->lines);
        restart_words(w->t, restart, sizeof(restart));
        reload_words(w->t, reload, sizeof(reload));
        const struct var vars[] = {
                { "who", words_who(w->t) }, { "lines", lines }, { "unit", unit_or_default(w->t) },
                { "user", w->d->nginx_user }, { "path", path_of(w->t) }, { "address", w->t->address.text },
                { "server", protos[w->t->proto].server }, { "dir", protos[w->t->proto].dir },
                { "sockdir", w->t->have_socket ? w->t->sock_where : "" }, { "restart", restart },
                { "reload", reload },
        };
        size_t used = 0;
        for (const char *p = tmpl; *p && used + 1 < size; ) {
                if (!w->f->lines && uncounted(p)) {
                        p = strchr(p, ')') + 1;
                        continue;
                }
                const struct var *v = p[0] == '{' ? var_at(p + 1, vars, sizeof(vars) / sizeof(vars[0])) : NULL;
                size_t n = v ? strlen(v->value) : 1;
                if (n > size - 1 - used)
                        n = size - 1 - used;
                memcpy(out + used, v ? v->value : p, n);
                used += n;
                p += v ? strlen(v->name) + 2 : 1;
        }
        out[used] = '\0';
}

/* Causes a healthy probe or socket check would deny: a check that found all well after or
 * before their lines is no evidence of them, unless the words say it answers now (state_past). */
static const unsigned checks_deny = C(FPM_DOWN) | C(SOCKET_MISMATCH) | C(SOCKET_PERMISSION) | C(NOT_FASTCGI);

static bool contradicts(const struct diag *d, const struct target *t, enum cause c, bool ok) {
        return ok && (checks_deny & (1u << c)) && !state_past(d, t, c);
}

static void fill_evidence(const struct diag *d, const struct target *t, enum cause c, struct alert_evidence *e) {
        const struct finding *f = &t->f[c];
        e->lines = f->lines;
        e->lines_since_last = f->lines_since_emit;
        e->late_lines = f->late_since_emit;
        e->first_line_usec = f->first_written;  /* the lines' own times (check), else their arrival */
        e->last_line_usec = f->last_written;
        memcpy(e->kinds, f->kind_counts, sizeof(e->kinds));
        e->n_samples = f->n_samples;
        memcpy(e->samples, f->samples, sizeof(e->samples));
        e->signal = f->signal;
        oom_fill_evidence(t, f, &e->oom);
        if ((e->probe.have = t->have_probe && !contradicts(d, t, c, t->probe.outcome == PROBE_OK))) {
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

static void fill_config(const struct finding *f, struct alert_config *c) {
        if (!(c->have = f->config.have))
                return;
        diag_put(c->file, sizeof(c->file), "%s", f->config.file);
        c->line = f->config.line;
}

static void fill_holder(const struct target *t, struct alert_holder *h) {
        if (!(h->have = t->have_holder))
                return;
        h->pid = (int) t->holder.pid;
        diag_put(h->comm, sizeof(h->comm), "%s", t->holder.comm);
}

static void fill_socket(const struct diag *d, const struct target *t, enum cause c, struct alert_socket *s) {
        if (!(s->have = t->have_socket && !contradicts(d, t, c, t->sock_verdict == SOCKCHECK_OK)))
                return;
        diag_put(s->verdict, sizeof(s->verdict), "%s", sockcheck_verdict_name(t->sock_verdict));
        diag_put(s->path, sizeof(s->path), "%s", t->sock_where);
        s->have_owner = t->sock_verdict != SOCKCHECK_MISSING;
        s->uid = t->sock_uid;
        s->gid = t->sock_gid;
        s->mode = t->sock_mode;
        s->acl = t->sock_acl;
        diag_put(s->user, sizeof(s->user), "%s", d->nginx_user);
}

/* A resolved alert says what it was and for how long, not the state that cleared it. */
void words_resolved(const struct target *t, enum cause c, uint64_t now, struct alert *a) {
        const struct finding *f = &t->f[c];
        unsigned long long secs = now > f->first_seen ? (now - f->first_seen) / 1000000 : 0;
        char target[128], lines[48];
        target_words(t, target, sizeof(target));
        counted(lines, sizeof(lines), f->lines, " (%llu lines in all)", (unsigned long long) f->lines);
        diag_put(a->summary, sizeof(a->summary), "Resolved: %s, for %s, after %llus%s.", words_what(t, c), target, secs,
                 lines);
}

/* The socket denies nginx while the pool's configuration (read: its file is known) lets it in,
 * for no configuration finding says otherwise: the live socket was changed (chmod, chown) after
 * php-fpm made it. */
static bool socket_changed(const struct words_in *w) {
        const struct target *t = w->t;
        return t->is_pool && t->conf_at[0] && !w->f->config.have && t->have_socket &&
               t->sock_verdict == SOCKCHECK_SOCKET_DENIED;
}

static void socket_changed_remedies(const struct words_in *w, struct alert *a) {
        char restart[PATH_MAX + 200];
        restart_words(w->t, restart, sizeof(restart));
        add_remedy(a, "restart php-fpm to make the socket again with the pool's listen.owner/group/mode (%s), which "
                      "let %s in: %s", w->t->conf_at, w->d->nginx_user, restart);
        add_remedy(a, "find what changed the socket after php-fpm made it (a chmod or chown in a deploy script)");
        add_remedy(a, "ls -l %s; namei -l %s", path_of(w->t), path_of(w->t));
}

/* The configuration's own remedy comes first; the row's follow while there is room. */
static void fill_remedies(const struct words_in *w, enum cause c, struct alert *a) {
        if (w->f->config.have && w->f->config.remedy[0])
                add_remedy(a, "%s", w->f->config.remedy);
        const char *const *remedy = target_proxied(w->t) && proxied[c].summary ? proxied[c].remedy : words[c].remedy;
        const struct target *t = w->t;
        if (no_unit(t) && words[c].no_unit[0])
                remedy = words[c].no_unit;
        if (c == CAUSE_WORKER_KILLED && remedy == words[c].remedy) {
                worker_remedies(w, a);
                return;
        }
        if (c == CAUSE_SOCKET_PERMISSION && socket_changed(w)) {
                socket_changed_remedies(w, a);
                return;
        }
        if (c == CAUSE_SOCKET_PERMISSION && t->have_socket && (unsigned) t->sock_verdict <= SOCKCHECK_LOOP &&
            sock_causes[t->sock_verdict].remedy[0])
                remedy = sock_causes[t->sock_verdict].remedy;
        for (int i = 0; a->n_remedies < ALERT_REMEDIES && i < ALERT_REMEDIES && remedy[i]; i++)
                fill(w, remedy[i], a->remedy[a->n_remedies++], sizeof(a->remedy[0]));
}

/* Local time of an instant, "13:05", or "2026-11-25 13:05" when it is more than 20 h before
 * `ref` (both µs); fmt_long: always with the date and seconds, as journalctl --since reads it. */
static void when_words(uint64_t usec, uint64_t ref, bool fmt_long, char *buf, size_t size) {
        time_t secs = (time_t) (usec / 1000000);
        struct tm tm;
        buf[0] = '\0';
        if (!localtime_r(&secs, &tm))
                return;
        bool day = fmt_long || ref - usec > 20 * 3600 * 1000000ULL;
        strftime(buf, size, fmt_long ? "%Y-%m-%d %H:%M:%S" : day ? "%Y-%m-%d %H:%M" : "%H:%M", &tm);
}

/* "N times (last at 13:05)": the finding's lines, nginx's failed requests when there are some. */
static void times_words(const struct words_in *w, uint64_t ref, char *buf, size_t size) {
        unsigned long long n = failed_requests(w->f) ? failed_requests(w->f) : w->f->lines;
        char last[32];
        when_words(failed_requests(w->f) ? w->f->failed_written : w->f->last_written, ref, false, last, sizeof(last));
        diag_put(buf, size, "%llu time%s (last at %s)", n, n == 1 ? "" : "s", last);
}

/* fpm_down whose lines are history (state_past()): the pool answers now, or the check may not
 * probe it and the lines are old. What happened then is the question, not a restart now. */
static void past_fpm_down(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        char times[96], from[32], until[32];
        times_words(w, t->probe_at, times, sizeof(times));
        if (state_probe_ok(t))
                diag_put(a->summary, sizeof(a->summary),
                         "PHP-FPM pool %s was down or restarting: nginx could not reach it %s; it answers now.",
                         t->name, times);
        else if (state_alive(t))
                diag_put(a->summary, sizeof(a->summary),
                         "PHP-FPM pool %s was down or restarting: nginx could not reach it %s; it takes "
                         "connections now (probe: %s).", t->name, times, probe_outcome_text(t->probe.outcome));
        else if (!state_blind(t))
                diag_put(a->summary, sizeof(a->summary),
                         "PHP-FPM pool %s was down or restarting: nginx could not reach it %s; nothing since.",
                         t->name, times);
        else
                diag_put(a->summary, sizeof(a->summary),
                         "PHP-FPM pool %s was down or restarting: nginx could not reach it %s; whether it answers "
                         "now is not known: this check may not connect to its socket.", t->name, times);
        when_words(w->f->last_written - 300 * 1000000ULL, 0, true, from, sizeof(from));
        when_words(w->f->last_written + 60 * 1000000ULL, 0, true, until, sizeof(until));
        if (no_unit(t)) {       /* no journal of a unit: php-fpm's own log says it */
                add_remedy(a, "read php-fpm's error_log from %s to %s: a reload, a crash, a stop (no systemd unit runs it)",
                           from, until);
                return;
        }
        add_remedy(a, "journalctl -u %s --since '%s' --until '%s' (why it stopped or restarted then)",
                   unit_or_default(t), from, until);
        add_remedy(a, "systemctl show -p NRestarts -p ActiveEnterTimestamp %s", unit_or_default(t));
        add_remedy(a, "read php-fpm's log around then: a reload, a crash, max_children");
}

/* socket_permission whose lines are history: the socket allows nginx's user now. */
static void past_socket_permission(const struct words_in *w, struct alert *a) {
        const struct target *t = w->t;
        char times[96];
        times_words(w, t->socket_at, times, sizeof(times));
        diag_put(a->summary, sizeof(a->summary),
                 "nginx (user %s) was refused at %s %s (13: Permission denied); the socket allows it now "
                 "(%u:%u mode %04o).", w->d->nginx_user, path_of(t), times, (unsigned) t->sock_uid,
                 (unsigned) t->sock_gid, (unsigned) t->sock_mode);
        add_remedy(a, "a php-fpm restart recreates the socket: keep listen.owner, listen.group and listen.mode "
                      "in the pool, not a chmod after the start");
        add_remedy(a, "ls -l %s; namei -l %s", path_of(t), path_of(t));
}

/* Any other finding whose lines are history: what it was, when, and what shows it over. */
static void past_other(const struct words_in *w, enum cause c, struct alert *a) {
        const struct target *t = w->t;
        char target[128], times[96], why[96];
        target_words(t, target, sizeof(target));
        times_words(w, w->d->flushed_at, times, sizeof(times));
        if (state_clears(w->d, t, c) && !t->is_pool)
                diag_put(why, sizeof(why), "nginx's configuration as read now sends there no more");
        else if (state_clears(w->d, t, c))
                diag_put(why, sizeof(why), "the pool %s now", state_probe_ok(t) ? "answers" : "takes connections");
        else
                diag_put(why, sizeof(why), "nothing since for %llu s (ResolveAfter)",
                         (unsigned long long) (w->d->s.resolve_after_usec / 1000000));
        diag_put(a->summary, sizeof(a->summary), "Earlier on %s: %s, %s; %s.", target, words_what(t, c), times, why);
        fill_remedies(w, c, a);
}

/* The words for a finding whose lines are history (state_past()); false when it is not. */
static bool past_words(const struct words_in *w, enum cause c, struct alert *a) {
        if (!state_past(w->d, w->t, c))
                return false;
        if (c == CAUSE_FPM_DOWN && w->t->is_pool)
                past_fpm_down(w, a);
        else if (c == CAUSE_SOCKET_PERMISSION && w->t->have_socket && w->t->sock_verdict == SOCKCHECK_OK)
                past_socket_permission(w, a);
        else
                past_other(w, c, a);
        return true;
}

static void fill_words(const struct words_in *w, enum cause c, struct alert *a) {
        if ((unsigned) c >= CAUSE__MAX || past_words(w, c, a))
                return;
        fill_remedies(w, c, a);
        if (state_config_only(w->t, c) && w->f->config.summary[0]) {
                diag_put(a->summary, sizeof(a->summary), "%s", w->f->config.summary);
                return;
        }
        if ((CAUSES_FROM_CONFIG & (1u << c)) && w->f->config.summary[0]) {     /* and the failures it explains */
                diag_put(a->summary, sizeof(a->summary), "%s It failed %llu request%s since.", w->f->config.summary,
                         (unsigned long long) failed_requests(w->f), failed_requests(w->f) == 1 ? "" : "s");
                return;
        }
        if (target_proxied(w->t) && proxied[c].summary) {
                fill(w, proxied[c].summary, a->summary, sizeof(a->summary));
                return;
        }
        if (words[c].summary)
                fill(w, words[c].summary, a->summary, sizeof(a->summary));
        if (words[c].summarize)
                words[c].summarize(w, a);
}

void words_fill_alert(const struct diag *d, const struct target *t, enum cause c, struct alert *a) {
        const struct finding *f = &t->f[c];
        const struct words_in w = { d, t, f };
        memset(a, 0, sizeof(*a));
        a->cause = c;
        diag_put(a->id, sizeof(a->id), "%s/%llu/%s", cause_id(c), (unsigned long long) (f->first_seen / 1000000),
                 words_who(t));
        diag_put(a->pool, sizeof(a->pool), "%s", t->is_pool ? t->name : "");
        diag_put(a->upstream, sizeof(a->upstream), "%s", t->address.text);
        diag_put(a->unit, sizeof(a->unit), "%s", t->unit);
        a->first_seen_usec = f->first_seen;
        a->last_seen_usec = f->last_seen;
        fill_evidence(d, t, c, &a->evidence);
        a->late = a->evidence.late_lines > 0;
        a->past = state_past(d, t, c);
        fill_socket(d, t, c, &a->evidence.socket);
        fill_holder(t, &a->evidence.port_holder);
        fill_config(f, &a->evidence.config);
        fill_words(&w, c, a);
}
