/*
 * gen_errorlog: a deterministic, realistic mix of nginx error.log and php-fpm log lines for
 * benchmarking `badgatewayd scan`.
 *
 *   gen_errorlog [-s SEED] [-f FAIL_PCT] [-v] [LINES]   (LINES defaults to 1000000; output on stdout)
 *
 * Most lines are benign (keepalive closes, missing favicons, buffered responses, PHP warnings
 * through FastCGI stderr, child starts). About one in fourteen is an upstream failure, drawn
 * from every kind the classifier knows. A few are hostile: requests carrying fake nginx
 * messages, control bytes, invalid UTF-8, multi-line PHP stack traces and 4-60 KiB lines.
 * -f 40 makes failures 40% of the lines (an outage), in the same proportions among themselves.
 * -v prints, on stderr, how many lines of each kind were meant to come out.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinds.h"

/* ---- deterministic randomness: xorshift64*, seeded through splitmix64 ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t seed) {
        uint64_t z = seed + 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        rng_state = (z ^ (z >> 31)) | 1;
}

static uint64_t rng_next(void) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        return rng_state * 0x2545f4914f6cdd1dull;
}

/* uniform in [0, n) */
static unsigned rnd(unsigned n) {
        return (unsigned) (((unsigned __int128) rng_next() * n) >> 64);
}

static unsigned between(unsigned lo, unsigned hi) {
        return lo + rnd(hi - lo + 1);
}

#define PICK(arr) ((arr)[rnd(sizeof(arr) / sizeof((arr)[0]))])

/* ---- the line being built ---- */

enum { REC_MAX = 128 * 1024 };
static char rec[REC_MAX];
static size_t rec_n;

static void put(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void put(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(rec + rec_n, REC_MAX - rec_n, fmt, ap);
        va_end(ap);
        if (n > 0)
                rec_n += (size_t) n < REC_MAX - rec_n ? (size_t) n : REC_MAX - rec_n - 1;
}

/* Templates from the tables: "%s" takes str, "%u" takes num; nothing else is special. */
static void put_tmpl(const char *tmpl, const char *str, unsigned num) {
        for (const char *t = tmpl; *t;) {
                const char *pct = strchr(t, '%');
                size_t lit = pct ? (size_t) (pct - t) : strlen(t);
                put("%.*s", (int) lit, t);
                if (!pct)
                        break;
                if (pct[1] == 's')
                        put("%s", str);
                else if (pct[1] == 'u')
                        put("%u", num);
                else
                        put("%.2s", pct);
                t = pct + (pct[1] ? 2 : 1);
        }
}

static void put_bytes(const char *p, size_t n) {
        if (n > REC_MAX - 1 - rec_n)
                n = REC_MAX - 1 - rec_n;
        memcpy(rec + rec_n, p, n);
        rec_n += n;
}

/* ---- the clock: starts 2026-11-25 00:00:00 and ticks a second every few lines ---- */

static struct {
        int year, mon, day, hour, min, sec;
} clk = { 2026, 11, 25, 0, 0, 0 };

static int days_in(int mon, int year) {
        static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return mon == 2 && leap ? 29 : d[mon - 1];
}

static void tick(void) {
        if (++clk.sec < 60)
                return;
        clk.sec = 0;
        if (++clk.min < 60)
                return;
        clk.min = 0;
        if (++clk.hour < 24)
                return;
        clk.hour = 0;
        if (++clk.day <= days_in(clk.mon, clk.year))
                return;
        clk.day = 1;
        if (++clk.mon <= 12)
                return;
        clk.mon = 1;
        clk.year++;
}

static const char *const month_abbr[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

/* ---- the site: a few vhosts, PHP pools and upstreams ---- */

static const char *const servers[] = { "www.example.com", "shop.example.com", "api.example.net",
                                       "blog.example.org", "example.com" };
static const char *const pools[] = { "www", "shop", "api", "blog" };
static const char *const sockets[] = { "/run/php/php8.2-fpm.sock", "/run/php/php8.2-fpm-shop.sock",
                                       "/run/php/php8.2-fpm-api.sock", "/var/run/php-fpm/blog.sock" };
static const char *const tcp_upstreams[] = { "127.0.0.1:9000", "10.0.2.15:9000", "10.0.2.16:9000",
                                             "[::1]:9001" };
static const char *const scripts[] = {
        "/var/www/example/public/index.php",     "/var/www/shop/pub/index.php",
        "/var/www/api/public/index.php",         "/var/www/blog/wp-admin/admin-ajax.php",
        "/var/www/blog/wp-cron.php",             "/var/www/example/public/cron.php",
};
static const char *const code_files[] = {
        "/var/www/example/app/Http/Controllers/ProductController.php",
        "/var/www/example/vendor/laravel/framework/src/Illuminate/Database/Connection.php",
        "/var/www/shop/vendor/magento/framework/DB/Statement/Pdo/Mysql.php",
        "/var/www/shop/app/code/Vendor/Checkout/Model/Cart.php",
        "/var/www/blog/wp-content/plugins/woocommerce/includes/class-wc-cart.php",
        "/var/www/blog/wp-includes/class-wpdb.php",
        "/var/www/api/src/Service/ReportBuilder.php",
};
static const char *const paths[] = {
        "/", "/index.php", "/index.php?route=product/product&product_id=%u", "/api/v1/orders/%u",
        "/api/v1/products?page=%u&per_page=50", "/wp-admin/admin-ajax.php", "/wp-cron.php?doing_wp_cron",
        "/checkout/cart/add/uenc/aHR0cHM6Ly9zaG9wLmV4YW1wbGUuY29tL3Nob2VzLmh0bWw,/product/%u/",
        "/catalog/category/view/id/%u", "/search?q=red+shoes&sort=price&page=%u", "/account/login",
        "/blog/%u/how-to-tune-php-fpm-pools", "/export.php?format=csv&from=2026-01-01&batch=%u",
};
static const char *const referrers[] = {
        "https://www.example.com/", "https://shop.example.com/shoes.html?p=%u",
        "https://www.google.com/", "https://blog.example.org/%u/how-to-tune-php-fpm-pools",
        "android-app://com.google.android.gm/",
};
static const char *const static_missing[] = {
        "/favicon.ico", "/apple-touch-icon.png", "/apple-touch-icon-precomposed.png", "/robots.txt",
        "/ads.txt", "/.well-known/security.txt", "/wp-login.php", "/.env", "/static/js/app.4f2a9c.js.map",
};
static const char *const php_warnings[] = {
        "PHP Warning:  Undefined array key \"id\" in %s on line %u",
        "PHP Warning:  Undefined variable $product in %s on line %u",
        "PHP Warning:  Trying to access array offset on value of type null in %s on line %u",
        "PHP Notice:  Only variables should be passed by reference in %s on line %u",
        "PHP Deprecated:  strlen(): Passing null to parameter #1 ($string) of type string is deprecated in %s on line %u",
        "PHP Deprecated:  Creation of dynamic property App\\Model\\Order::$legacy is deprecated in %s on line %u",
        "PHP Warning:  file_get_contents(/var/www/example/storage/cache/feed.json): Failed to open stream: No such file or directory in %s on line %u",
};

static unsigned long conn_id = 1000;
static unsigned fpm_pid = 31000;

static void nginx_time(void) {
        put("%04d/%02d/%02d %02d:%02d:%02d", clk.year, clk.mon, clk.day, clk.hour, clk.min, clk.sec);
}

/* "2026/11/25 13:23:11 [error] 1024#1024: *5123 " */
static void nginx_head(const char *level) {
        unsigned worker = between(1023, 1026);
        nginx_time();
        put(" [%s] %u#%u: *%lu ", level, worker, worker, conn_id += between(1, 9));
}

static void put_client_ip(void) {
        switch (rnd(5)) {
        case 0: put("2001:db8:%x::%x", rnd(0xffff), rnd(0xffff)); break;
        case 1: put("10.%u.%u.%u", rnd(256), rnd(256), between(1, 254)); break;
        default: put("%u.%u.%u.%u", PICK(((const unsigned[]) { 203, 198, 192, 81, 94 })), rnd(256), rnd(256), between(1, 254));
        }
}

static void put_path(void) {
        put_tmpl(PICK(paths), "", between(1, 99999));
}

enum upstream_form { UP_NONE, UP_ANY, UP_TCP };

static void put_upstream(unsigned site, enum upstream_form form) {
        if (form == UP_TCP || rnd(6) == 0)
                put("fastcgi://%s", PICK(tcp_upstreams));
        else
                put("fastcgi://unix:%s:", sockets[site % 4]);
}

static unsigned site_of(void) {
        return rnd(sizeof(servers) / sizeof(servers[0]));
}

/* ", client: …, server: …, request: "…"[, upstream: "…"], host: "…"[, referrer: "…"]" */
static void trailer_with(unsigned site, const char *method, enum upstream_form up, const char *path) {
        put(", client: ");
        put_client_ip();
        put(", server: %s, request: \"%s ", servers[site], method);
        if (path)
                put("%s", path);
        else
                put_path();
        put(" HTTP/%s\"", rnd(3) ? "1.1" : "2.0");
        if (up != UP_NONE) {
                put(", upstream: \"");
                put_upstream(site, up);
                put("\"");
        }
        put(", host: \"%s\"", servers[site]);
        if (rnd(3) == 0) {
                put(", referrer: \"");
                put_tmpl(PICK(referrers), "", between(1, 9999));
                put("\"");
        }
}

static void trailer(enum upstream_form up) {
        trailer_with(site_of(), rnd(4) ? "GET" : "POST", up, NULL);
}

static void fpm_head(const char *level, const char *pool) {
        put("[%02d-%s-%04d %02d:%02d:%02d", clk.day, month_abbr[clk.mon - 1], clk.year, clk.hour,
            clk.min, clk.sec);
        if (rnd(10) == 0)       /* log_level = debug adds microseconds and the origin */
                put(".%06u] %s: pid %u, fpm_children_bury(), line 289: ", rnd(1000000), level, 812);
        else
                put("] %s: ", level);
        if (pool)
                put("[pool %s] ", pool);
}

static const char *const php_phase[] = { " while reading response header from upstream",
                                         " while reading upstream" };

/* ---- benign lines ---- */

static void benign_keepalive(void) {
        nginx_head("info");
        put("client ");
        put_client_ip();
        put(" closed keepalive connection");
}

static void benign_static_missing(void) {
        unsigned site = site_of();
        const char *path = PICK(static_missing);
        nginx_head("error");
        put("open() \"/var/www/%s/public%s\" failed (2: No such file or directory)",
            PICK(pools), path);
        trailer_with(site, "GET", UP_NONE, path);
}

static void benign_buffered(void) {
        nginx_head("warn");
        put("an upstream response is buffered to a temporary file /var/cache/nginx/fastcgi_temp/%u/%02u/%010u while reading upstream",
            rnd(10), rnd(100), between(1, 99999999));
        trailer(UP_ANY);
}

static void put_php_warning(void) {
        put_tmpl(PICK(php_warnings), PICK(code_files), between(1, 2400));
}

static void benign_php_warning(void) {
        nginx_head("error");
        put("FastCGI sent in stderr: \"PHP message: ");
        put_php_warning();
        for (unsigned i = rnd(4) == 0 ? between(1, 3) : 0; i > 0; i--) {
                put("; PHP message: ");
                put_php_warning();
        }
        put("\"%s", PICK(php_phase));
        trailer(UP_ANY);
}

static void benign_body_buffered(void) {
        nginx_head("warn");
        put("a client request body is buffered to a temporary file /var/cache/nginx/client_temp/%010u",
            between(1, 99999999));
        trailer_with(site_of(), "POST", UP_NONE, "/wp-admin/async-upload.php");
}

static void benign_client_gone(void) {
        nginx_head("info");
        switch (rnd(4)) {
        case 0:
                put("epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too while sending request to upstream");
                trailer(UP_ANY);
                break;
        case 1:
                put("client prematurely closed connection while reading client request body");
                trailer(UP_NONE);
                break;
        case 2:
                put("recv() failed (104: Connection reset by peer) while reading client request headers");
                trailer(UP_NONE);
                break;
        default:
                put("writev() failed (32: Broken pipe) while sending to client");
                trailer(UP_ANY);
        }
}

static void benign_idle(void) {
        nginx_head("info");
        put("client closed connection while waiting for request, client: ");
        put_client_ip();
        put(", server: 0.0.0.0:443");
}

static void benign_ssl(void) {
        nginx_head("info");
        put("SSL_do_handshake() failed (SSL: error:0A00006C:SSL routines::bad key share) while SSL handshaking, client: ");
        put_client_ip();
        put(", server: 0.0.0.0:443");
}

static void benign_limit(void) {
        nginx_head("error");
        put("limiting requests, excess: %u.%03u by zone \"perip\"", between(5, 60), rnd(1000));
        trailer_with(site_of(), "POST", UP_NONE, "/wp-login.php");
}

static void benign_forbidden(void) {
        nginx_head("error");
        put("access forbidden by rule");
        trailer_with(site_of(), "GET", UP_NONE, PICK(((const char *const[]) { "/.git/config", "/.env", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php" })));
}

static void benign_master_notice(void) {
        nginx_time();
        put(" [notice] 1021#1021: %s", PICK(((const char *const[]) {
                "signal process started", "reconfiguring", "reopening logs",
                "using the \"epoll\" event method", "start worker processes",
                "signal 17 (SIGCHLD) received from 1025",
        })));
}

static void benign_fpm_started_child(void) {
        fpm_head("NOTICE", PICK(pools));
        put("child %u started", fpm_pid += between(1, 40));
}

static void benign_fpm_recycled(void) {
        fpm_head("NOTICE", PICK(pools));
        if (rnd(2))
                put("child %u exited with code 0 after %u.%06u seconds from start", fpm_pid - between(1, 500),
                    between(60, 7200), rnd(1000000));
        else
                put("child %u exited on signal 3 (SIGQUIT) after %u.%06u seconds from start",
                    fpm_pid - between(1, 500), between(10, 900), rnd(1000000));
}

static void benign_fpm_said(void) {
        fpm_head("WARNING", PICK(pools));
        put("child %u said into stderr: \"NOTICE: PHP message: ", fpm_pid - between(1, 300));
        put_php_warning();
        put("\"");
}

/* ---- upstream failures: one per kind, in the shapes nginx 1.22 and php-fpm 8.2 write ---- */

static void connect_unix(const char *level, const char *err) {
        unsigned site = site_of();
        nginx_head(level);
        put("connect() to unix:%s failed (%s) while connecting to upstream", sockets[site % 4], err);
        put(", client: ");
        put_client_ip();
        put(", server: %s, request: \"GET ", servers[site]);
        put_path();
        put(" HTTP/1.1\", upstream: \"fastcgi://unix:%s:\", host: \"%s\"", sockets[site % 4], servers[site]);
}

static void fail_socket_missing(void) {
        connect_unix("crit", "2: No such file or directory");
}

static void fail_refused(void) {
        if (rnd(2)) {
                connect_unix("error", "111: Connection refused");
                return;
        }
        nginx_head("error");
        put("connect() failed (111: Connection refused) while connecting to upstream");
        trailer(UP_TCP);
}

static void fail_permission(void) {
        connect_unix("crit", "13: Permission denied");
}

static void fail_backlog(void) {
        connect_unix("error", "11: Resource temporarily unavailable");
}

static void fail_connect_error(void) {
        nginx_head("error");
        if (rnd(2))
                put("connect() to %s failed (101: Network is unreachable) while connecting to upstream",
                    tcp_upstreams[1 + rnd(2)]);
        else
                put("connect() failed (113: No route to host) while connecting to upstream");
        trailer(UP_TCP);
}

static void fail_reset(void) {
        nginx_head("error");
        switch (rnd(3)) {
        case 0: put("recv() failed (104: Connection reset by peer) while reading response header from upstream"); break;
        case 1: put("readv() failed (104: Connection reset by peer) while reading upstream"); break;
        default: put("writev() failed (32: Broken pipe) while sending request to upstream");
        }
        trailer(UP_ANY);
}

static void fail_closed(void) {
        nginx_head("error");
        put(rnd(2) ? "upstream prematurely closed FastCGI stdout while reading response header from upstream"
                   : "upstream prematurely closed connection while reading upstream");
        trailer(UP_ANY);
}

static void fail_connect_timeout(void) {
        nginx_head("error");
        put("upstream timed out (110: Connection timed out) while connecting to upstream");
        trailer(UP_TCP);
}

static void fail_read_timeout(void) {
        nginx_head("error");
        put("upstream timed out (110: Connection timed out) while %s",
            rnd(4) ? "reading response header from upstream" : "reading upstream");
        trailer(UP_ANY);
}

static void fail_too_big(void) {
        nginx_head("error");
        put("upstream sent too big header while reading response header from upstream");
        trailer(UP_ANY);
}

static void fail_protocol(void) {
        nginx_head("error");
        if (rnd(2))
                put("upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream");
        else
                put("upstream sent invalid FastCGI record type: %u while reading response header from upstream",
                    between(2, 11));
        trailer(UP_ANY);
}

static void fail_no_live(void) {
        unsigned site = site_of();
        nginx_head("error");
        put("no live upstreams while connecting to upstream, client: ");
        put_client_ip();
        put(", server: %s, request: \"GET ", servers[site]);
        put_path();
        put(" HTTP/1.1\", upstream: \"fastcgi://php_backend\", host: \"%s\"", servers[site]);
}

static void fail_disabled(void) {
        nginx_head("warn");
        put("upstream server temporarily disabled while %s",
            rnd(2) ? "connecting to upstream" : "reading response header from upstream");
        trailer(UP_ANY);
}

static void php_stderr(const char *text) {
        nginx_head("error");
        put("FastCGI sent in stderr: \"%s\"%s", text, PICK(php_phase));
        trailer(UP_ANY);
}

static void fail_memory(void) {
        char text[512];
        snprintf(text, sizeof(text),
                 "PHP message: PHP Fatal error:  Allowed memory size of %u bytes exhausted (tried to allocate %u bytes) in %s on line %u",
                 PICK(((const unsigned[]) { 134217728, 268435456, 536870912 })), between(4096, 4194304),
                 PICK(code_files), between(1, 3000));
        php_stderr(text);
}

static void fail_time_limit(void) {
        char text[512];
        snprintf(text, sizeof(text),
                 "PHP message: PHP Fatal error:  Maximum execution time of %u seconds exceeded in %s on line %u",
                 PICK(((const unsigned[]) { 30, 60, 120 })), PICK(code_files), between(1, 3000));
        php_stderr(text);
}

/* Uncaught exceptions: PHP's stack trace goes into the log with its newlines. */
static void fail_php_fatal(bool multiline) {
        const char *file = PICK(code_files);
        unsigned line = between(10, 900);
        nginx_head("error");
        put("FastCGI sent in stderr: \"PHP message: ");
        if (rnd(3) == 0) {
                put_php_warning();
                put("; PHP message: ");
        }
        switch (rnd(3)) {
        case 0:
                put("PHP Fatal error:  Uncaught Error: Call to a member function getId() on null in %s:%u", file, line);
                break;
        case 1:
                put("PHP Fatal error:  Uncaught PDOException: SQLSTATE[HY000] [2002] Connection refused in %s:%u", file, line);
                break;
        default:
                put("PHP Parse error:  syntax error, unexpected token \"}\" in %s on line %u", file, line);
                multiline = false;
        }
        if (multiline)
                put("\nStack trace:\n#0 %s(%u): App\\Kernel->handle(Object(App\\Request))\n#1 {main}\n  thrown in %s on line %u",
                    PICK(scripts), between(10, 90), file, line);
        put("\"%s", PICK(php_phase));
        trailer(UP_ANY);
}

static void fail_script_not_found(void) {
        php_stderr("Primary script unknown");
}

static void fail_script_denied(void) {
        if (rnd(2)) {
                php_stderr("Access to the script '/var/www/example/public/uploads/2026/11/avatar.jpg' has been denied (see security.limit_extensions)");
                return;
        }
        php_stderr("PHP message: PHP Warning:  PHP Request Startup: Failed to open stream: Permission denied in Unknown on line 0; "
                   "Unable to open primary script: /var/www/example/public/report.php (Permission denied)");
}

static void fail_child_signal(void) {
        fpm_head("WARNING", PICK(pools));
        if (rnd(4))
                put("child %u exited on signal 9 (SIGKILL) after %u.%06u seconds from start",
                    fpm_pid - between(1, 300), between(1, 4000), rnd(1000000));
        else
                put("child %u exited on signal 11 (SIGSEGV - core dumped) after %u.%06u seconds from start",
                    fpm_pid - between(1, 300), between(1, 4000), rnd(1000000));
}

static void fail_child_exit(void) {
        fpm_head("WARNING", PICK(pools));
        put("child %u exited with code %u after %u.%06u seconds from start", fpm_pid - between(1, 300),
            PICK(((const unsigned[]) { 255, 1, 127 })), between(1, 4000), rnd(1000000));
}

static void fail_max_children(void) {
        unsigned i = rnd(4);
        fpm_head("WARNING", pools[i]);
        put("server reached %smax_children setting (%u), consider raising it", i == 3 ? "" : "pm.",
            PICK(((const unsigned[]) { 5, 10, 50, 120 })));
}

static void fail_busy(void) {
        fpm_head("WARNING", PICK(pools));
        put("seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning %u children, there are 0 idle, and %u total children",
            PICK(((const unsigned[]) { 8, 16, 32 })), between(10, 60));
}

static void fail_child_script(bool terminated) {
        fpm_head("WARNING", PICK(pools));
        put("child %u, script '%s' (request: \"%s ", fpm_pid - between(1, 300), PICK(scripts),
            rnd(3) ? "GET" : "POST");
        put_path();
        if (terminated)
                put("\") execution timed out (%u.%06u sec), terminating", between(30, 300), rnd(1000000));
        else
                put("\") executing too slow (%u.%06u sec), logging", between(5, 29), rnd(1000000));
}

static void fail_stopping(void) {
        fpm_head("NOTICE", NULL);
        put("%s", PICK(((const char *const[]) { "Terminating ...", "Finishing ...", "exiting, bye-bye!" })));
}

static void fail_started(void) {
        fpm_head("NOTICE", NULL);
        if (rnd(2))
                put("fpm is running, pid %u", between(700, 40000));
        else
                put("ready to handle connections");
}

static void fail_bind(void) {
        fpm_head("ERROR", NULL);
        put("unable to bind listening socket for address '%s': Address already in use (98)", PICK(sockets));
}

static void fail_init(void) {
        fpm_head("ERROR", NULL);
        put("FPM initialization failed");
}

static void fail_reopened(void) {
        fpm_head("NOTICE", NULL);
        put("error log file re-opened");
}

/* ---- hostile lines: none of them is a failure, whatever their text says ---- */

static void hostile_fake_connect(void) {
        nginx_head("error");
        put("open() \"/var/www/example/public/x\" failed (2: No such file or directory)");
        trailer_with(site_of(), "GET", UP_NONE,
                     "/x?connect() to unix:/x failed (2: No such file or directory) while connecting to upstream, "
                     "client: 6.6.6.6, server: evil, request: \\\"GET / HTTP/1.1\\\", upstream: \\\"fastcgi://unix:/x:\\\"");
}

static void hostile_fake_in_referrer(void) {
        nginx_head("info");
        put("client ");
        put_client_ip();
        put(" closed keepalive connection");
        put(", referrer: \"upstream timed out (110: Connection timed out) while reading response header from upstream\"");
}

static void hostile_tls_on_http(void) {
        static const char hello[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\x8e\x1f\xd2\x00\x7f\xc0\x2b\xc0\x2f\x00\x9e\xcc\xa9";
        nginx_head("info");
        put("client sent invalid method while reading client request line, client: ");
        put_client_ip();
        put(", server: _, request: \"");
        put_bytes(hello, sizeof(hello) - 1);
        put("\"");
}

static void hostile_bad_utf8(void) {
        static const char bad[] = "/caf\xe9/\xff\xfe\xc0\xaf/\xed\xa0\x80\x01\x7f";
        nginx_head("error");
        put("open() \"/var/www/example/public/caf\xe9\" failed (2: No such file or directory)");
        trailer_with(site_of(), "GET", UP_NONE, bad);
}

/* 4-60 KiB: a query string a scanner stuffed, or a request that logged a warning per row */
static void hostile_long(bool php) {
        size_t target = between(4 * 1024, 60 * 1024);
        nginx_head("error");
        if (php) {
                put("FastCGI sent in stderr: \"PHP message: ");
                put_php_warning();
                while (rec_n < target) {
                        put("; PHP message: ");
                        put_php_warning();
                }
                put("\" while reading upstream");
                trailer(UP_ANY);
                return;
        }
        put("open() \"/var/www/example/public/search\" failed (2: No such file or directory), client: ");
        put_client_ip();
        put(", server: www.example.com, request: \"GET /search?q=");
        while (rec_n < target)
                put("%%27%%20OR%%201%%3D1%%20--%%20%08x", (unsigned) rng_next());
        put(" HTTP/1.1\", host: \"www.example.com\"");
}

/* ---- the mix ---- */

struct entry {
        unsigned weight;                /* per 100000 lines */
        enum event_kind kind;           /* what the line is meant to classify as */
        void (*fn)(void);
};

static void php_fatal_one(void) { fail_php_fatal(false); }
static void php_fatal_trace(void) { fail_php_fatal(true); }
static void terminated(void) { fail_child_script(true); }
static void slow(void) { fail_child_script(false); }
static void long_php(void) { hostile_long(true); }
static void long_query(void) { hostile_long(false); }

static const struct entry mix[] = {
        /* benign: ~92.4% */
        { 30000, KIND_NONE, benign_keepalive },
        { 10000, KIND_NONE, benign_static_missing },
        { 5000, KIND_NONE, benign_buffered },
        { 14000, KIND_NONE, benign_php_warning },
        { 2000, KIND_NONE, benign_body_buffered },
        { 6000, KIND_NONE, benign_client_gone },
        { 6000, KIND_NONE, benign_idle },
        { 2000, KIND_NONE, benign_ssl },
        { 3000, KIND_NONE, benign_limit },
        { 1500, KIND_NONE, benign_forbidden },
        { 300, KIND_NONE, benign_master_notice },
        { 7000, KIND_NONE, benign_fpm_started_child },
        { 4000, KIND_NONE, benign_fpm_recycled },
        { 1600, KIND_NONE, benign_fpm_said },
        /* failures: ~7.3% */
        { 600, KIND_UPSTREAM_SOCKET_MISSING, fail_socket_missing },
        { 700, KIND_UPSTREAM_REFUSED, fail_refused },
        { 100, KIND_UPSTREAM_PERMISSION_DENIED, fail_permission },
        { 150, KIND_UPSTREAM_BACKLOG_FULL, fail_backlog },
        { 60, KIND_UPSTREAM_CONNECT_ERROR, fail_connect_error },
        { 900, KIND_UPSTREAM_RESET, fail_reset },
        { 300, KIND_UPSTREAM_CLOSED, fail_closed },
        { 150, KIND_UPSTREAM_CONNECT_TIMEOUT, fail_connect_timeout },
        { 900, KIND_UPSTREAM_READ_TIMEOUT, fail_read_timeout },
        { 80, KIND_UPSTREAM_HEADER_TOO_BIG, fail_too_big },
        { 30, KIND_UPSTREAM_PROTOCOL_ERROR, fail_protocol },
        { 80, KIND_NO_LIVE_UPSTREAMS, fail_no_live },
        { 120, KIND_UPSTREAM_DISABLED, fail_disabled },
        { 350, KIND_PHP_MEMORY_EXHAUSTED, fail_memory },
        { 200, KIND_PHP_TIME_LIMIT, fail_time_limit },
        { 250, KIND_PHP_FATAL, php_fatal_one },
        { 100, KIND_PHP_FATAL, php_fatal_trace },
        { 300, KIND_SCRIPT_NOT_FOUND, fail_script_not_found },
        { 60, KIND_SCRIPT_DENIED, fail_script_denied },
        { 350, KIND_FPM_CHILD_SIGNAL, fail_child_signal },
        { 80, KIND_FPM_CHILD_EXIT, fail_child_exit },
        { 250, KIND_FPM_MAX_CHILDREN, fail_max_children },
        { 120, KIND_FPM_POOL_BUSY, fail_busy },
        { 200, KIND_FPM_REQUEST_TERMINATED, terminated },
        { 200, KIND_FPM_SLOW_REQUEST, slow },
        { 15, KIND_FPM_STOPPING, fail_stopping },
        { 15, KIND_FPM_STARTED, fail_started },
        { 5, KIND_FPM_BIND_FAILED, fail_bind },
        { 5, KIND_FPM_INIT_FAILED, fail_init },
        { 10, KIND_FPM_LOG_REOPENED, fail_reopened },
        /* hostile: ~0.3% */
        { 80, KIND_NONE, hostile_fake_connect },
        { 60, KIND_NONE, hostile_fake_in_referrer },
        { 60, KIND_NONE, hostile_tls_on_http },
        { 80, KIND_NONE, hostile_bad_utf8 },
        { 5, KIND_NONE, long_php },
        { 5, KIND_NONE, long_query },
};

enum { NMIX = sizeof(mix) / sizeof(mix[0]) };

/* The weights in use: the table's, or with -f the failures scaled to that share of the lines. */
static unsigned weight[NMIX];

static unsigned set_weights(int fail_pct) {
        unsigned total = 0, fail = 0, other = 0;
        for (unsigned i = 0; i < NMIX; i++)
                *(mix[i].kind != KIND_NONE ? &fail : &other) += mix[i].weight;
        for (unsigned i = 0; i < NMIX; i++) {
                if (fail_pct < 0)
                        weight[i] = mix[i].weight;
                else if (mix[i].kind != KIND_NONE)     /* per 1000000 lines */
                        weight[i] = (unsigned) ((double) mix[i].weight / fail * fail_pct * 10000 + 0.5);
                else
                        weight[i] = (unsigned) ((double) mix[i].weight / other * (100 - fail_pct) * 10000 + 0.5);
                total += weight[i];
        }
        return total;
}

static const struct entry *pick_entry(unsigned total) {
        unsigned r = rnd(total);
        for (unsigned i = 0; i < NMIX; i++) {
                if (r < weight[i])
                        return &mix[i];
                r -= weight[i];
        }
        return &mix[0];
}

static size_t count_newlines(const char *p, size_t n) {
        size_t c = 0;
        for (const char *q = p; (q = memchr(q, '\n', n - (size_t) (q - p))); q++)
                c++;
        return c;
}

static void usage(FILE *to) {
        fprintf(to, "usage: gen_errorlog [-s SEED] [-f FAIL_PCT] [-v] [LINES]   (LINES defaults to 1000000)\n"
                    "  -f FAIL_PCT  failures make FAIL_PCT%% of the lines (0-100), in the default mix's\n"
                    "               proportions among themselves (default: the mix as it is, ~7%%)\n");
}

int main(int argc, char **argv) {
        unsigned long long seed = 1, want = 1000000;
        bool verbose = false;
        int fail_pct = -1;
        int c;
        char *end;
        while ((c = getopt(argc, argv, "f:hs:v")) >= 0) {
                switch (c) {
                case 's': seed = strtoull(optarg, NULL, 0); break;
                case 'f':
                        fail_pct = (int) strtol(optarg, &end, 10);
                        if (*end || end == optarg || fail_pct < 0 || fail_pct > 100) {
                                usage(stderr);
                                return 64;
                        }
                        break;
                case 'v': verbose = true; break;
                case 'h': usage(stdout); return 0;
                default: usage(stderr); return 64;
                }
        }
        if (optind < argc) {
                want = strtoull(argv[optind], &end, 10);
                if (*end || optind + 1 < argc) {
                        usage(stderr);
                        return 64;
                }
        }
        rng_seed(seed);
        static char outbuf[1 << 20];
        setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));

        unsigned total = set_weights(fail_pct);
        size_t per_kind[KIND__MAX] = { 0 };
        unsigned long long lines = 0;
        size_t bytes = 0;
        while (lines < want) {
                const struct entry *e = pick_entry(total);
                if (rnd(6) == 0)
                        tick();
                rec_n = 0;
                e->fn();
                size_t extra = count_newlines(rec, rec_n);
                if (lines + 1 + extra > want) { /* a stack trace would run past the count */
                        e = &mix[0];
                        rec_n = 0;
                        e->fn();
                        extra = 0;
                }
                rec[rec_n++] = '\n';
                fwrite(rec, 1, rec_n, stdout);
                lines += 1 + extra;
                bytes += rec_n;
                per_kind[e->kind]++;
        }
        if (fflush(stdout) != 0) {
                perror("gen_errorlog: stdout");
                return 1;
        }
        if (verbose) {
                fprintf(stderr, "%llu lines, %zu bytes, seed %llu\n", lines, bytes, seed);
                for (unsigned k = 0; k < KIND__MAX; k++)
                        fprintf(stderr, "  %-26s %zu\n", k ? kind_id((enum event_kind) k) : "(none)",
                                per_kind[k]);
        }
        return 0;
}
