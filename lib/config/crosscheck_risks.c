/* Risks each configuration holds on its own: error_log levels and `off`, php-fpm's log_level,
 * pm.max_children x memory_limit against the memory the pool may use, and the unit. */
#include "crosscheck_in.h"

#include <string.h>
#include <syslog.h>

enum { PHP_MEMORY_LIMIT_DEFAULT = 128 << 20 };  /* PHP's built-in default, when no php.ini sets it */

/* nginx's levels, most severe first (ngx_log.c's err_levels, "stderr" left out). */
static int nginx_level_rank(const char *level) {
        static const char *const levels[] = { "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug" };
        for (int i = 0; i < (int) (sizeof(levels) / sizeof(levels[0])); i++)
                if (strcmp(level, levels[i]) == 0)
                        return i;
        return 7;       /* debug_http and its kin are stored as "debug" */
}

enum { NGINX_RANK_ERROR = 3 };

static bool is_off(const struct nginx_error_log *l) {
        return l->kind == NGINX_LOG_FILE && strcmp(l->target, "off") == 0;
}

/* Another error_log of the same block that is written to and records error-level lines: nginx
 * writes each line to every log of the block whose level takes it, so nothing is hidden. */
static bool block_logs_errors(const struct nginx_conf *n, const struct nginx_error_log *l) {
        for (size_t i = 0; i < n->n_error_logs; i++) {
                const struct nginx_error_log *o = &n->error_logs[i];
                if (o != l && o->block == l->block && !is_off(o) && nginx_level_rank(o->level) >= NGINX_RANK_ERROR)
                        return true;
        }
        return false;
}

static void error_log_off(const struct crosscheck *cc, const struct nginx_error_log *l) {
        struct crosscheck_finding f = { .cause = CAUSE_NGINX_ERROR_LOG_OFF, .file = l->at.file, .line = l->at.line };
        cc_put(f.summary, sizeof(f.summary),
               "error_log off at %s:%u (%s): nginx has no \"off\" switch for error_log, it writes its errors to a "
               "file named off under its prefix, where nobody looks for the lines that name a 502's cause.",
               l->at.file, l->at.line, nginx_context_str(l->context));
        cc_put(f.remedy, sizeof(f.remedy), "error_log /var/log/nginx/error.log; at %s:%u (error_log /dev/null crit; "
               "is the way to keep almost nothing)", l->at.file, l->at.line);
        cc->fn(cc->userdata, &f);
}

static void error_log_level(const struct crosscheck *cc, const struct nginx_error_log *l) {
        struct crosscheck_finding f = { .cause = CAUSE_NGINX_ERROR_LOG_LEVEL, .file = l->at.file, .line = l->at.line };
        cc_put(f.summary, sizeof(f.summary),
               "error_log %s %s at %s:%u (%s): nginx logs only %s and worse, so the error-level lines that name a "
               "502's cause (connect() failed, upstream prematurely closed, upstream timed out) are never written.",
               l->target, l->level, l->at.file, l->at.line, nginx_context_str(l->context), l->level);
        cc_put(f.remedy, sizeof(f.remedy), "error_log %s error; at %s:%u (or warn), then nginx -t && systemctl "
               "reload nginx", l->target, l->at.file, l->at.line);
        cc->fn(cc->userdata, &f);
}

void crosscheck_error_logs(const struct crosscheck *cc) {
        const struct nginx_conf *n = cc->h->nginx;
        for (size_t i = 0; i < n->n_error_logs; i++) {
                const struct nginx_error_log *l = &n->error_logs[i];
                if (is_off(l))
                        error_log_off(cc, l);
                else if (nginx_level_rank(l->level) < NGINX_RANK_ERROR && !block_logs_errors(n, l))
                        error_log_level(cc, l);
        }
}

static void log_level(const struct crosscheck *cc, const struct host_master *m) {
        const struct fpm_conf_value *v = &m->conf->global[FPM_GLOBAL_LOG_LEVEL];
        if (!v->ok || !v->file || (v->number != LOG_ERR && v->number != LOG_ALERT))
                return;
        struct crosscheck_finding f = { .cause = CAUSE_FPM_LOG_LEVEL, .file = v->file, .line = (unsigned) v->line,
                                        .pool = m->conf->n_pools ? m->conf->pools[0].name : NULL,
                                        .listen = m->conf->n_pools && m->conf->pools[0].has_address ?
                                                  &m->conf->pools[0].address : NULL };
        cc_put(f.summary, sizeof(f.summary),
               "log_level = %s at %s:%d: php-fpm logs only %s and worse, so its warnings that name a 502's cause "
               "(\"child ... exited on signal 9\", \"server reached pm.max_children\") are never written.",
               v->text, v->file, v->line, v->number == LOG_ALERT ? "alerts" : "errors");
        cc_put(f.remedy, sizeof(f.remedy), "log_level = notice at %s:%d (php-fpm's default), then systemctl reload %s",
               v->file, v->line, m->unit[0] ? m->unit : "php-fpm");
        cc->fn(cc->userdata, &f);
}

/* The pool's memory_limit value, or NULL when the pool sets none (php-fpm: php_admin_value wins). */
static const struct fpm_conf_value *memory_limit(const struct fpm_conf_pool *p) {
        const struct fpm_conf_value *admin = &p->v[FPM_POOL_PHP_ADMIN_VALUE_MEMORY_LIMIT];
        const struct fpm_conf_value *user = &p->v[FPM_POOL_PHP_VALUE_MEMORY_LIMIT];
        return admin->file && admin->ok ? admin : user->file && user->ok ? user : NULL;
}

/* What the pool may use: "php8.2-fpm.service's MemoryMax=2G" or "the machine's 4G of RAM". */
static bool memory_bound(const struct crosscheck *cc, const struct host_master *m, unsigned long long *bytes,
                         char *words, size_t size) {
        char b[32];
        *bytes = m->memory_max ? m->memory_max : cc->h->ram_bytes;
        if (m->memory_max)
                cc_put(words, size, "%s's MemoryMax=%s", m->unit[0] ? m->unit : "its unit", cc_bytes(*bytes, b));
        else
                cc_put(words, size, "the machine's %s of RAM", cc_bytes(*bytes, b));
        return *bytes > 0;
}

/* memory_limit = -1 at file:line, the pool's (php_admin_value) or php.ini's (in_ini). */
static void unlimited(const struct crosscheck *cc, const struct fpm_conf_pool *p, const char *file, int line,
                      bool in_ini, const char *bound) {
        struct crosscheck_finding f = { .cause = CAUSE_FPM_MEMORY_OVERCOMMIT, .pool = p->name,
                                        .listen = p->has_address ? &p->address : NULL, .file = file,
                                        .line = (unsigned) line };
        cc_put(f.summary, sizeof(f.summary),
               "memory_limit = -1 (no limit) at %s:%d in pool %s with pm.max_children %lld: one script may take "
               "all of %s, and the kernel OOM-kills workers mid-request (502).",
               file, line, p->name, p->v[FPM_POOL_PM_MAX_CHILDREN].number, bound);
        cc_put(f.remedy, sizeof(f.remedy), "%s = 256M (a real limit) at %s:%d",
               in_ini ? "memory_limit" : "php_admin_value[memory_limit]", file, line);
        cc->fn(cc->userdata, &f);
}

/* Where memory_limit comes from when the pool sets none: " at php.ini:LINE", or PHP's default. */
static void ini_words(const struct host_master *m, char *buf, size_t size) {
        if (m->memory_limit.file[0])
                cc_put(buf, size, " at %s:%d", m->memory_limit.file, m->memory_limit.line);
        else if (m->php_ini[0])
                cc_put(buf, size, " (set neither in the pool nor in %s%s%s: PHP's built-in 128M assumed)",
                       m->php_ini, m->php_ini_scan[0] ? " or the *.ini files of " : "", m->php_ini_scan);
        else
                cc_put(buf, size, " (memory_limit not set in the pool: 128M assumed)");
}

static void overcommit(const struct crosscheck *cc, const struct host_master *m, const struct fpm_conf_pool *p) {
        const struct fpm_conf_value *mc = &p->v[FPM_POOL_PM_MAX_CHILDREN], *ml = memory_limit(p);
        const struct host_php_ini_value *ini = m->memory_limit.file[0] ? &m->memory_limit : NULL;
        long long limit = ml ? ml->number : ini ? ini->bytes : PHP_MEMORY_LIMIT_DEFAULT;
        unsigned long long bound, total;
        char bound_words[128], lb[32], tb[32], assumed[2 * PATH_MAX + 160] = "";
        if (!mc->ok || !mc->file || mc->number <= 0 || !memory_bound(cc, m, &bound, bound_words, sizeof(bound_words)))
                return;
        if (limit < 0) {
                if (m->memory_max)
                        unlimited(cc, p, ml ? ml->file : ini->file, ml ? ml->line : ini->line, !ml, bound_words);
                return;
        }
        bool over = __builtin_mul_overflow((unsigned long long) mc->number, (unsigned long long) limit, &total);
        if (!over && total <= bound)
                return;
        if (!ml)
                ini_words(m, assumed, sizeof(assumed));
        struct crosscheck_finding f = { .cause = CAUSE_FPM_MEMORY_OVERCOMMIT, .pool = p->name,
                                        .listen = p->has_address ? &p->address : NULL, .file = mc->file,
                                        .line = (unsigned) mc->line };
        cc_put(f.summary, sizeof(f.summary),
               "pm.max_children %lld at %s:%d x memory_limit %s%s = %s in pool %s is more than %s: with every "
               "worker at its limit the kernel OOM-kills workers mid-request (502).",
               mc->number, mc->file, mc->line, cc_bytes((unsigned long long) limit, lb), assumed,
               over ? "more than 16E" : cc_bytes(total, tb), p->name, bound_words);
        cc_put(f.remedy, sizeof(f.remedy), "pm.max_children = %llu at %s:%d (what fits at memory_limit %s), or "
               "lower memory_limit", limit ? bound / (unsigned long long) limit : 0, mc->file, mc->line, lb);
        cc->fn(cc->userdata, &f);
}

/* What a unit file's state means for the pools it runs; NULL when nothing is wrong. */
static const char *unit_problem(const struct host_master *m) {
        static const struct {
                enum host_unit_file state;
                const char *words;
        } problems[] = {
                { HOST_UNIT_DISABLED, "is disabled: php-fpm does not start at boot" },
                { HOST_UNIT_MASKED, "is masked: nothing can start php-fpm" },
                { HOST_UNIT_NOT_FOUND, "has no unit file" },
        };
        for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
                if (m->unit[0] && m->unit_file == problems[i].state)
                        return problems[i].words;
        return NULL;
}

static void unit_remedy(const struct host_master *m, char *buf, size_t size) {
        if (m->unit_file == HOST_UNIT_MASKED)
                cc_put(buf, size, "systemctl unmask %s && systemctl enable --now %s", m->unit, m->unit);
        else if (m->unit_file == HOST_UNIT_NOT_FOUND)
                cc_put(buf, size, "install the php-fpm package that ships %s, or name the unit that runs the pool",
                       m->unit);
        else
                cc_put(buf, size, "systemctl enable --now %s", m->unit);
}

static void unit_missing(const struct crosscheck *cc, const struct host_master *m, const struct fpm_conf_pool *p) {
        const char *problem = unit_problem(m);
        const char *main_file = m->conf->n_files ? m->conf->files[0] : m->path;
        if ((m->unit[0] && !problem) || !cc->h->systemd)
                return;         /* no systemd (a container): something else starts php-fpm */
        struct crosscheck_finding f = { .cause = CAUSE_FPM_UNIT_MISSING, .pool = p->name,
                                        .listen = p->has_address ? &p->address : NULL, .file = p->file,
                                        .line = (unsigned) p->line };
        if (!problem) {
                cc_put(f.summary, sizeof(f.summary),
                       "pool %s (%s:%d) belongs to %s, which no systemd unit known here runs: nothing starts it at "
                       "boot or after a crash, and nginx answers 502 until someone does.", p->name, p->file, p->line,
                       main_file);
                cc_put(f.remedy, sizeof(f.remedy), "run php-fpm -y %s from a systemd unit, enabled", main_file);
        } else {
                cc_put(f.summary, sizeof(f.summary), "%s, which runs pool %s (%s:%d), %s; nginx answers 502 while "
                       "it is not running.", m->unit, p->name, p->file, p->line, problem);
                unit_remedy(m, f.remedy, sizeof(f.remedy));
        }
        cc->fn(cc->userdata, &f);
}

void crosscheck_masters(const struct crosscheck *cc) {
        for (size_t m = 0; m < cc->h->n_masters; m++) {
                const struct host_master *hm = &cc->h->masters[m];
                log_level(cc, hm);
                for (size_t i = 0; i < hm->conf->n_pools; i++) {
                        overcommit(cc, hm, &hm->conf->pools[i]);
                        unit_missing(cc, hm, &hm->conf->pools[i]);
                }
        }
}
