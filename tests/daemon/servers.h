/* php-fpm (through tests/live/fpm_env) that a test can stop and start again on the same socket,
 * and an nginx in front of it; every process is tracked by the harness. */
#pragma once
#include <stdbool.h>
#include <unistd.h>

#include "fpm_env.h"

/* The nginx worker user the daemon judges sockets for: www-data as root, else ourselves. */
const char *servers_nginx_user(void);

/* One unix pool "www" with index.php; fails the test if php-fpm does not start. */
void fpm_up(struct fpm_env *e);
/* SIGQUIT, as systemctl stop does; waits for the whole group. The dir stays. */
void fpm_quit(struct fpm_env *e);
/* The same config again, on the same socket; returns when the socket accepts. */
void fpm_restart(struct fpm_env *e);
void fpm_down(struct fpm_env *e);

#define NGINX_PASS_LINE (geteuid() == 0 ? 18 : 17)      /* one more for "user www-data;" as root */

struct nginx {
        pid_t pid;
        int port;
};

/* nginx on 127.0.0.1, config under dir, error_log dir/error.log at info, fastcgi_pass to the
 * pool's socket. False (and a note on stderr) when it cannot start here: nginx is a bonus. */
bool nginx_up(struct nginx *n, const char *dir, const struct fpm_env *e);
/* The same, with fastcgi_pass set to pass ("unix:/path", "127.0.0.1:9000") at line
 * NGINX_PASS_LINE of dir/nginx.conf. */
bool nginx_up_to(struct nginx *n, const char *dir, const struct fpm_env *e, const char *pass);
void nginx_down(struct nginx *n);
/* GET / over HTTP/1.0: the status code, or -1. */
int http_get(int port);
