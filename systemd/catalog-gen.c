/*
 * Prints badgatewayd's journal catalog: two entries per CAUSE_LIST row, the firing one under its
 * MESSAGE_ID (what happened, what to check) and the resolved one under cause_resolved_message_id()
 * (what resolved means). journalctl -x shows the entry under each alert; @FIELD@ is replaced by
 * the alert's field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"
#include "resolved.h"

static const struct {
        const char *id, *message_id, *text;
} causes[CAUSE__MAX] = {
#define X(name, id, msgid, prio, text) [CAUSE_##name] = { id, msgid, text },
        CAUSE_LIST(X)
#undef X
};

struct entry {
        const char *subject;
        const char *docs;       /* Documentation: lines, space-separated */
        const char *text;       /* what happened, then what to check */
};

static const struct entry entries[CAUSE__MAX] = {
        [CAUSE_FPM_DOWN] = {
                "PHP-FPM is down: nginx answers 502 Bad Gateway",
                "man:systemctl(1) man:systemd.service(5) https://www.php.net/manual/en/install.fpm.php",
                "nginx could not reach PHP-FPM (the socket is missing, nothing listens on it, or every\n"
                "server of the upstream group is marked down), and the pool's unit or PHP-FPM's log shows\n"
                "that it stopped, crashed or never started. Every PHP request fails until it runs again.\n"
                "\n"
                "What to check:\n"
                "\n"
                "UNIT below is the pool's systemd unit, phpX.Y-fpm for Debian's PHP X.Y: the alert's\n"
                "remedy names it, and journalctl -o verbose shows it as BADGATEWAY_UNIT when known\n"
                "(systemctl list-units 'php*-fpm*' lists the candidates).\n"
                "\n"
                "1. The unit's state and its last messages:\n"
                "       systemctl status UNIT\n"
                "       journalctl -u UNIT -b -n 50\n"
                "2. Start it: systemctl start UNIT. If it fails at once, test its configuration\n"
                "   with php-fpmX.Y -t (ls /usr/sbin/php-fpm* names it).\n"
                "3. If it died rather than stopped:\n"
                "       systemctl show -p Result,ExecMainStatus,NRestarts UNIT\n"
                "   Result=oom-kill means the kernel's OOM killer ended a process of the unit; with the\n"
                "   default OOMPolicy=stop, one killed worker stops the whole service. Make the pool fit\n"
                "   in memory (see the worker_killed entry), or add OOMPolicy=continue in a drop-in\n"
                "   (systemctl edit UNIT), together with Restart=on-failure.\n"
                "4. \"unable to bind listening socket ... Address already in use\" in PHP-FPM's log\n"
                "   (/var/log/php*-fpm.log): another process holds the pool's address:\n"
                "       ss -xlp | grep php; ss -tlnp\n",
        },
        [CAUSE_SOCKET_MISMATCH] = {
                "nginx's fastcgi_pass names a socket or port that no PHP-FPM pool serves",
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass "
                "https://www.php.net/manual/en/install.fpm.configuration.php",
                "nginx connects to @BADGATEWAY_UPSTREAM@, but no running PHP-FPM pool listens there,\n"
                "while the pools badgatewayd knows are up. Typical after a PHP upgrade (Debian's socket\n"
                "/run/php/phpX.Y-fpm.sock carries PHP's version) or a pool's listen= change that nginx\n"
                "did not follow.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. What nginx uses, and what the pools listen on:\n"
                "       nginx -T 2>/dev/null | grep -n fastcgi_pass\n"
                "       grep -rn '^listen' /etc/php/*/fpm/pool.d/\n"
                "2. What listens right now:\n"
                "       ss -xlp | grep php\n"
                "       ss -tlnp | grep php-fpm\n"
                "       ls -l /run/php/\n"
                "3. Make them agree (fastcgi_pass, or the pool's listen), then\n"
                "   nginx -t && systemctl reload nginx, or systemctl restart 'php*-fpm'.\n"
                "4. A socket file with nothing listening on it (\"Connection refused\") is left over\n"
                "   from a crashed master: restarting PHP-FPM replaces it.\n",
        },
        [CAUSE_SOCKET_PERMISSION] = {
                "nginx may not connect to PHP-FPM's socket (13: Permission denied)",
                "https://www.php.net/manual/en/install.fpm.configuration.php man:namei(1)",
                "PHP-FPM listens on @BADGATEWAY_UPSTREAM@, but nginx's worker user may not connect:\n"
                "connecting needs write permission on the socket file and search permission on every\n"
                "directory above it.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Owner, group and mode of the socket and its directories:\n"
                "       ls -l /run/php/\n"
                "       namei -l /run/php/php*-fpm.sock\n"
                "2. The pool's settings: grep -n '^listen' /etc/php/*/fpm/pool.d/*.conf\n"
                "   Debian's default is listen.owner = www-data, listen.group = www-data and\n"
                "   listen.mode = 0660, which fits nginx's default user www-data. If nginx.conf says\n"
                "   \"user nginx;\" (or another user), make that user listen.owner, or a member of\n"
                "   listen.group. listen.acl_users and listen.acl_groups, when set, replace owner,\n"
                "   group and mode: name nginx's user there.\n"
                "3. systemctl restart 'php*-fpm': the socket is created again with the new settings.\n"
                "4. If owner and mode are right, look for a MAC denial: journalctl -k -g denied\n",
        },
        [CAUSE_WORKER_KILLED] = {
                "A PHP-FPM worker died in the middle of a request",
                "https://www.php.net/manual/en/install.fpm.configuration.php man:systemd.service(5)",
                "nginx lost its connection to a worker while it served a request (\"104: Connection\n"
                "reset by peer\", \"upstream prematurely closed connection\") and PHP-FPM's log names a\n"
                "worker that exited on a signal or with an error. The usual causes are the kernel's OOM\n"
                "killer, a crash in PHP or an extension, and request_terminate_timeout.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. The OOM killer: journalctl -k -g 'Out of memory: Killed process'\n"
                "2. Whether the pool fits in memory: memory_limit x pm.max_children must stay below\n"
                "   the RAM left for PHP:\n"
                "       grep -rn -e pm.max_children -e memory_limit /etc/php/*/fpm/\n"
                "       ps -yl --sort=rss -p \"$(pgrep -d, php-fpm)\"; free -m\n"
                "   Lower pm.max_children or memory_limit until it does.\n"
                "3. \"exited on signal 11 (SIGSEGV)\": PHP or an extension crashed. coredumpctl list\n"
                "   (with systemd-coredump installed) shows the dumps; disable extensions one by one.\n"
                "4. \"execution timed out ... terminating\" in PHP-FPM's log: request_terminate_timeout\n"
                "   ended the request. Raise it, or find the slow script with request_slowlog_timeout.\n"
                "5. systemctl show -p Result 'php*-fpm': Result=oom-kill with OOMPolicy=stop\n"
                "   takes the whole pool down.\n",
        },
        [CAUSE_POOL_SATURATED] = {
                "Every PHP-FPM worker is busy: requests queue and fail",
                "https://www.php.net/manual/en/install.fpm.configuration.php "
                "https://www.php.net/manual/en/fpm.status.php",
                "Requests wait for a free worker: PHP-FPM's log says it reached pm.max_children,\n"
                "nginx's connect to the socket fails with \"11: Resource temporarily unavailable\" (the\n"
                "listen backlog is full) or times out, or badgatewayd's probe got no answer in time.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. The status page (pm.status_path, e.g. /status?full): active and idle processes,\n"
                "   listen queue, max children reached, slow requests.\n"
                "2. pm.max_children: raise it only as far as memory allows (memory per worker x\n"
                "   max_children): ps -yl --sort=rss -p \"$(pgrep -d, php-fpm)\"\n"
                "3. listen.backlog (default 511), capped by net.core.somaxconn, is how many\n"
                "   connections may wait for a worker.\n"
                "4. Slow requests hold workers: set request_slowlog_timeout = 5s and\n"
                "   slowlog = /var/log/php-fpm.slow.log to see where scripts spend their time (a\n"
                "   slow database or remote API is the usual answer).\n",
        },
        [CAUSE_UPSTREAM_TIMEOUT] = {
                "A PHP script ran past nginx's fastcgi_read_timeout (504 Gateway Time-out)",
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_read_timeout "
                "https://www.php.net/manual/en/install.fpm.configuration.php",
                "nginx waited longer than fastcgi_read_timeout (default 60s) for the response and\n"
                "answered 504; the worker may still be running the script.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. The limits, side by side: nginx's fastcgi_read_timeout, the pool's\n"
                "   request_terminate_timeout (wall clock) and PHP's max_execution_time (which does\n"
                "   not count time spent waiting on the database or the network). Keep\n"
                "   request_terminate_timeout a little below fastcgi_read_timeout, so that PHP-FPM\n"
                "   ends and logs the request before nginx gives up.\n"
                "2. Which scripts are slow: request_slowlog_timeout = 5s and\n"
                "   slowlog = /var/log/php-fpm.slow.log log a backtrace of each slow request.\n"
                "3. Long jobs (imports, reports) belong in a queue or a CLI run, not behind nginx.\n",
        },
        [CAUSE_PHP_MEMORY_EXHAUSTED] = {
                "A PHP script hit memory_limit",
                "https://www.php.net/manual/en/ini.core.php#ini.memory-limit",
                "\"Allowed memory size of N bytes exhausted\": a script needed more memory than PHP's\n"
                "memory_limit and was stopped; nginx answers 500.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. The script and line are in the error (the alert's samples in BADGATEWAY_JSON,\n"
                "   nginx's error log, PHP-FPM's log).\n"
                "2. Fix the script (whole result sets or files loaded into memory), or raise the limit\n"
                "   for that pool only: php_admin_value[memory_limit] = 256M in its pool file, then\n"
                "   systemctl reload 'php*-fpm'. Keep memory_limit x pm.max_children within RAM.\n",
        },
        [CAUSE_PHP_FATAL] = {
                "A PHP script died of a fatal error",
                "https://www.php.net/manual/en/errorfunc.configuration.php",
                "\"PHP Fatal error\" or \"PHP Parse error\" (including \"Maximum execution time of N\n"
                "seconds exceeded\"): the script stopped; nginx answers 500, or 502 if nothing was sent.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. The file and line are in the error (the alert's samples in BADGATEWAY_JSON,\n"
                "   nginx's error log as \"FastCGI sent in stderr\").\n"
                "2. After a deploy or a PHP upgrade: a missing extension shows as \"Call to undefined\n"
                "   function\"; php-fpmX.Y -m lists the loaded ones (ls /usr/sbin/php-fpm* names it),\n"
                "   apt install phpX.Y-NAME adds one, then systemctl reload 'php*-fpm'.\n"
                "3. \"Maximum execution time exceeded\": max_execution_time in php.ini or the pool's\n"
                "   php_admin_value[max_execution_time]; or make the script faster.\n",
        },
        [CAUSE_HEADER_TOO_BIG] = {
                "PHP's response headers do not fit nginx's fastcgi_buffer_size",
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_buffer_size",
                "\"upstream sent too big header while reading response header from upstream\": the\n"
                "response headers (often large or many Set-Cookie headers) exceed fastcgi_buffer_size\n"
                "(one memory page, 4k or 8k, by default) and nginx answers 502.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Raise the buffers where requests are passed to PHP:\n"
                "       fastcgi_buffer_size 32k;\n"
                "       fastcgi_buffers 16 16k;\n"
                "   then nginx -t && systemctl reload nginx.\n"
                "2. Find why the headers are so big: cookies that grow with every request, debug\n"
                "   headers left on in production.\n",
        },
        [CAUSE_NOT_FASTCGI] = {
                "fastcgi_pass points at something that does not speak FastCGI",
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass",
                "nginx (or badgatewayd's probe) got an answer from @BADGATEWAY_UPSTREAM@ that is not\n"
                "FastCGI: \"upstream sent unsupported FastCGI protocol version: 72\" (72 is the H of\n"
                "\"HTTP/1.1\") means an HTTP server answers there: Apache, another nginx, an application\n"
                "server, or another service on that port.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Who listens there: ss -tlnp (TCP), ss -xlp (unix sockets).\n"
                "2. Point fastcgi_pass at the pool's listen address\n"
                "   (grep -rn '^listen' /etc/php/*/fpm/pool.d/), or move the other service away.\n"
                "   For an HTTP backend use proxy_pass, not fastcgi_pass.\n",
        },
        [CAUSE_APP_BAD_RESPONSE] = {
                "The PHP application sent an invalid or truncated response",
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html",
                "nginx got FastCGI from @BADGATEWAY_UPSTREAM@, but the HTTP response in it was\n"
                "broken: \"upstream sent invalid header\" or \"upstream sent invalid status\" (the script\n"
                "printed output before its headers, or a malformed header or Status: line), or\n"
                "\"upstream prematurely closed FastCGI request\" (the script ended before the body its\n"
                "Content-Length header promised). PHP-FPM itself is fine: the application is not.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Request the URL from the sample lines and look at the raw response:\n"
                "       SCRIPT_FILENAME=/path/to/script.php REQUEST_METHOD=GET cgi-fcgi -bind -connect <pool address>\n"
                "2. Look for output before headers: a BOM or whitespace before <?php, echo or\n"
                "   var_dump before header(), a header() value with a newline in it.\n"
                "3. For a truncated body: a Content-Length header the script sets itself (file\n"
                "   downloads, streaming) that does not match what it sends, or a script that exits\n"
                "   or times out mid-download (check the PHP error log and max_execution_time).\n"
                "4. \"upstream sent unsupported FastCGI protocol version: 0 while reading upstream\": the\n"
                "   stream broke after the response had begun (an extension or a script writing to\n"
                "   the FastCGI connection's descriptor itself); not a wrong port.\n",
        },
        [CAUSE_UPSTREAM_TLS] = {
                "The TLS handshake between nginx and its upstream failed",
                "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_server_name "
                "man:openssl-s_client(1)",
                "nginx connects to @BADGATEWAY_UPSTREAM@ over TLS (proxy_pass https://, grpc_pass\n"
                "grpcs://, uwsgi_pass suwsgi://) and the handshake failed: \"peer closed connection in\n"
                "SSL handshake\", \"SSL_do_handshake() failed (SSL: error:...)\" or a certificate that\n"
                "does not verify, each \"while SSL handshaking to upstream\". Every such request is a 502.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. SNI: nginx sends no server name to the upstream unless told to. A server with\n"
                "   several names, a CDN or a load balancer then resets the handshake:\n"
                "       proxy_ssl_server_name on;\n"
                "2. The name sent and checked: when proxy_pass names an IP address or an upstream\n"
                "   group, set proxy_ssl_name to the upstream's host name.\n"
                "3. Protocols and ciphers: proxy_ssl_protocols TLSv1.2 TLSv1.3; what the upstream\n"
                "   offers:\n"
                "       openssl s_client -connect HOST:PORT -servername NAME\n"
                "4. With proxy_ssl_verify on: proxy_ssl_trusted_certificate and the certificate's\n"
                "   names and dates. (grpc_ssl_* and uwsgi_ssl_* are the same for those modules.)\n",
        },
        [CAUSE_KEEPALIVE_CLOSED] = {
                "The upstream closed idle kept-alive connections that nginx reused",
                "https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive_timeout "
                "https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream",
                "nginx keeps connections to @BADGATEWAY_UPSTREAM@ open between requests (keepalive in\n"
                "the upstream block). The upstream closed one while it was idle, nginx sent the next\n"
                "request on it, and the write failed: \"writev() failed (32: Broken pipe) while sending\n"
                "request to upstream\" (or 104). No process died; the two sides disagree on how long\n"
                "an idle connection lives.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Keep nginx's keepalive_timeout (in the upstream block, 60s by default) shorter\n"
                "   than the upstream's own keep-alive timeout (Node.js 5s, gunicorn 2s, uvicorn 5s).\n"
                "2. Or raise the upstream's keep-alive timeout above nginx's.\n"
                "3. proxy_next_upstream retries GET on another connection by itself; POST only with\n"
                "   non_idempotent, where a retry is safe.\n"
                "4. The same line for a large upload: the upstream may refuse a body over its own\n"
                "   limit by closing the connection.\n",
        },
        [CAUSE_SCRIPT_CONFIG] = {
                "PHP-FPM cannot find, or may not run, the requested script",
                "https://www.php.net/manual/en/install.fpm.configuration.php "
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_param",
                "\"Primary script unknown\" (404), \"Unable to open primary script\" or \"Access to the\n"
                "script ... has been denied (see security.limit_extensions)\" (403): SCRIPT_FILENAME\n"
                "does not name a PHP file that the pool's worker user can read.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. nginx passes fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name\n"
                "   (Debian's snippets/fastcgi-php.conf does), and root is set in that server or\n"
                "   location.\n"
                "2. The pool's user (user = www-data) can read the file and search every directory\n"
                "   above it: namei -l /path/to/script.php\n"
                "3. chroot or chdir in the pool change how the path is resolved.\n"
                "4. security.limit_extensions (default .php .phar) lists the only extensions that run.\n",
        },
        [CAUSE_NGINX_ERROR_LOG_LEVEL] = {
                "nginx's error_log level hides the causes of 502s",
                "https://nginx.org/en/docs/ngx_core_module.html#error_log",
                "The error_log at @BADGATEWAY_CONFIG_FILE@:@BADGATEWAY_CONFIG_LINE@ has the level crit,\n"
                "alert or emerg. nginx logs \"connect() to\n"
                "unix:... failed\", \"upstream prematurely closed connection\" and \"upstream timed out\"\n"
                "at the level error: above it they are never written, and a 502 leaves no trace.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Set the level to error (the default) or warn: error_log /var/log/nginx/error.log;\n"
                "2. nginx -t && systemctl reload nginx\n",
        },
        [CAUSE_NGINX_ERROR_LOG_OFF] = {
                "nginx's error_log is \"off\", a file of that name",
                "https://nginx.org/en/docs/ngx_core_module.html#error_log",
                "\"error_log off;\" does not turn nginx's error log off: nginx writes it to a file\n"
                "named off, relative to its prefix (/usr/share/nginx/off on Debian), where nobody\n"
                "looks for the lines that explain a 502.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Name a real file: error_log /var/log/nginx/error.log; (or stderr under systemd).\n"
                "2. To log less, raise the level to warn or error, never above error.\n"
                "3. nginx -t && systemctl reload nginx\n",
        },
        [CAUSE_FPM_LOG_LEVEL] = {
                "php-fpm's log_level hides worker deaths and max_children",
                "https://www.php.net/manual/en/install.fpm.configuration.php",
                "php-fpm's [global] log_level is error or alert. php-fpm logs \"child ... exited on\n"
                "signal 9\" (an OOM kill) and \"server reached pm.max_children setting\" at the level\n"
                "warning: above it, the two commonest causes of a 502 leave no trace in its log.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. In php-fpm.conf's [global]: log_level = notice (the default) or warning.\n"
                "2. systemctl reload php*-fpm\n",
        },
        [CAUSE_FASTCGI_READ_TIMEOUT_SHORT] = {
                "nginx gives up on PHP before PHP-FPM does",
                "https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_read_timeout "
                "https://www.php.net/manual/en/install.fpm.configuration.php",
                "nginx's fastcgi_read_timeout for a location is shorter than the pool's\n"
                "request_terminate_timeout. A slow script then gets a 504 from nginx while its worker\n"
                "keeps running (and keeps the pool busy) until PHP-FPM kills it.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Make request_terminate_timeout no longer than fastcgi_read_timeout, or raise\n"
                "   fastcgi_read_timeout for the locations that run long scripts.\n"
                "2. Find the slow scripts: request_slowlog_timeout and the pool's slowlog.\n",
        },
        [CAUSE_FPM_MEMORY_OVERCOMMIT] = {
                "A PHP-FPM pool may use more memory than it has",
                "https://www.php.net/manual/en/install.fpm.configuration.php "
                "man:systemd.resource-control(5)",
                "pm.max_children workers, each allowed memory_limit, add up to more than the pool may\n"
                "use: the unit's MemoryMax=, else the machine's memory. Under load the kernel's OOM\n"
                "killer then kills workers mid-request, and nginx answers 502.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. Lower pm.max_children or memory_limit so that their product fits, leaving room\n"
                "   for the master, opcache and the rest of the machine.\n"
                "2. Or raise MemoryMax= in a drop-in (systemctl edit php*-fpm), or add memory.\n",
        },
        [CAUSE_FPM_UNIT_MISSING] = {
                "A PHP-FPM pool has no systemd unit, or a disabled one",
                "man:systemctl(1)",
                "The php-fpm master that runs the pool has no systemd unit, or its unit is disabled:\n"
                "after the next reboot nothing starts it, and every request to the pool is a 502.\n"
                "\n"
                "What to check:\n"
                "\n"
                "1. systemctl enable --now php*-fpm (the unit named in the alert).\n"
                "2. A php-fpm started by hand or by another supervisor: make sure that one starts it\n"
                "   at boot.\n",
        },
};

/* Lines the catalog format would read as a comment or a new entry. */
static int bad_line(const char *text) {
        for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
                if (*p == '#' || *p == ';' || strncmp(p, "--", 2) == 0)
                        return 1;
                if (!strchr(p, '\n'))
                        return 1;
        }
        return 0;
}

static int print_entry(enum cause c) {
        const struct entry *e = &entries[c];
        if (!e->subject || !e->docs || !e->text || bad_line(e->text)) {
                fprintf(stderr, "catalog-gen: no usable entry for cause %s\n", causes[c].id);
                return -1;
        }
        printf("-- %s\nSubject: %s\nDefined-By: badgatewayd\nDocumentation: man:badgatewayd(8)\n", causes[c].message_id,
               e->subject);
        for (const char *d = e->docs; *d;) {
                size_t n = strcspn(d, " ");
                printf("Documentation: %.*s\n", (int) n, d);
                d += n + strspn(d + n, " ");
        }
        printf("\nbadgatewayd alert @BADGATEWAY_ALERT_ID@ is @BADGATEWAY_STATE@.\nCause %s: %s.\n\n%s\n",
               causes[c].id, causes[c].text, e->text);
        return 0;
}

/* What made a resolved alert resolved: the configuration for CAUSES_FROM_CONFIG, else the evidence. */
static const char resolved_config[] =
        "The configuration no longer shows this cause: the file and line named in the firing entry\n"
        "changed (badgatewayd reads nginx's and PHP-FPM's configuration again when a file changes or\n"
        "on systemctl reload badgatewayd), or the pool it was about is no longer watched.\n";
static const char resolved_evidence[] =
        "The evidence for this cause stayed clear for ResolveAfter= (60s unless badgatewayd.conf\n"
        "says otherwise): no new log line points to it and, where the pool's probe or its unit\n"
        "decided it, the pool answers and its unit runs again. A pool removed from the\n"
        "configuration resolves its alerts too. Requests that failed before are not retried.\n";

static int print_resolved(enum cause c) {
        const char *id = cause_resolved_message_id(c);
        if (strcmp(id, "00000000000000000000000000000000") == 0 || strcmp(id, causes[c].message_id) == 0) {
                fprintf(stderr, "catalog-gen: no resolved MESSAGE_ID of its own for cause %s (lib/base/resolved.c)\n",
                        causes[c].id);
                return -1;
        }
        printf("-- %s\nSubject: Resolved: %s\nDefined-By: badgatewayd\nDocumentation: man:badgatewayd(8)\n\n", id,
               entries[c].subject);
        printf("badgatewayd alert @BADGATEWAY_ALERT_ID@ is @BADGATEWAY_STATE@.\nCause %s: %s.\n\n"
               "What resolved means:\n\n%s\n"
               "Nothing needs doing now. The firing entry of this alert has the same\n"
               "BADGATEWAY_ALERT_ID and says what to check:\n"
               "       journalctl -x BADGATEWAY_ALERT_ID=@BADGATEWAY_ALERT_ID@\n"
               "If the cause fires and resolves again and again, it is not gone: follow the firing\n"
               "entry's steps (journalctl -x MESSAGE_ID=%s).\n\n",
               causes[c].id, causes[c].text, (CAUSES_FROM_CONFIG & (1u << c)) ? resolved_config : resolved_evidence,
               causes[c].message_id);
        return 0;
}

int main(void) {
        printf("#  Journal catalog of badgatewayd, generated from CAUSE_LIST in lib/kinds.h and the resolved\n"
               "#  MESSAGE_IDs in lib/base/resolved.c.\n\n");
        for (unsigned c = 1; c < CAUSE__MAX; c++)
                if (print_entry((enum cause) c) < 0 || print_resolved((enum cause) c) < 0)
                        return EXIT_FAILURE;
        return fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
