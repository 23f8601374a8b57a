#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixtures.h"
#include "listeners.h"

START_TEST(test_tcp_parse) {
        static const char text[] =
                "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
                "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000    33        0 4242 1 0 100 0 0 10 0\n"
                "   1: 0100007F:23F0 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 5151 1 0 100 0 0 10 0";
        unsigned long inode = 0;
        ck_assert_int_eq(listeners_tcp_parse(text, strlen(text), 8080, &inode), 0);
        ck_assert_uint_eq(inode, 4242);
        /* port 9200 only has an established connection, not a listener */
        ck_assert_int_lt(listeners_tcp_parse(text, strlen(text), 9200, &inode), 0);
        ck_assert_int_lt(listeners_tcp_parse("garbage\n\n\x01", 10, 8080, &inode), 0);
}
END_TEST

struct found {
        char path[108];
        unsigned long inode;
        int count;
};

static void on_unix(void *ud, const char *path, size_t len, unsigned long inode) {
        struct found *f = ud;
        f->count++;
        snprintf(f->path, sizeof(f->path), "%.*s", (int) len, path);
        f->inode = inode;
}

START_TEST(test_unix_parse) {
        static const char text[] =
                "Num       RefCount Protocol Flags    Type St Inode Path\n"
                "0000000047180405: 00000002 00000000 00010000 0001 01  1460 /run/php/php8.2-fpm.sock\n"
                "0000000047180406: 00000003 00000000 00000000 0001 03  1461 /run/php/php8.2-fpm.sock\n"
                "0000000047180407: 00000002 00000000 00010000 0001 01  1462 @abstract\n"
                "0000000047180408: 00000002 00000000 00010000 0001 01  1463";
        struct found f = { 0 };
        listeners_unix_parse(text, strlen(text), on_unix, &f);
        ck_assert_int_eq(f.count, 1);
        ck_assert_str_eq(f.path, "/run/php/php8.2-fpm.sock");
        ck_assert_uint_eq(f.inode, 1460);
}
END_TEST

START_TEST(test_live_tcp_listener_and_owner) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        ck_assert_int_eq(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(s, 4), 0);
        socklen_t len = sizeof(sa);
        getsockname(s, (struct sockaddr *) &sa, &len);
        unsigned long inode;
        ck_assert_int_eq(listeners_tcp_find(ntohs(sa.sin_port), &inode), 0);
        struct listener_owner owner;
        ck_assert_int_eq(listeners_owner(inode, &owner), 0);
        ck_assert_int_eq(owner.pid, getpid());
        ck_assert_uint_gt(strlen(owner.comm), 0);
        struct listener_owner holder;
        ck_assert_int_eq(listeners_port_holder(ntohs(sa.sin_port), &holder), 0);
        ck_assert_int_eq(holder.pid, getpid());
        ck_assert_str_eq(holder.comm, owner.comm);
        close(s);
        ck_assert_int_lt(listeners_tcp_find(ntohs(sa.sin_port), &inode), 0);
        ck_assert_int_eq(listeners_port_holder(ntohs(sa.sin_port), &holder), -ENOENT);
}
END_TEST

struct wanted {
        const char *path;
        unsigned long inode;
};

static void on_wanted(void *ud, const char *path, size_t len, unsigned long inode) {
        struct wanted *w = ud;
        if (strlen(w->path) == len && memcmp(w->path, path, len) == 0)
                w->inode = inode;
}

START_TEST(test_live_unix_listener) {
        char dir[128];
        fixture_newdir(dir);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        ck_assert_int_lt(snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/fpm.sock", dir), (int) sizeof(sa.sun_path));
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        ck_assert_int_eq(bind(s, (struct sockaddr *) &sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(s, 4), 0);
        size_t cap = 4 << 20;
        char *text = malloc(cap);
        FILE *f = fopen("/proc/net/unix", "r");
        size_t n = fread(text, 1, cap, f);
        fclose(f);
        struct wanted w = { sa.sun_path, 0 };
        listeners_unix_parse(text, n, on_wanted, &w);
        free(text);
        struct listener_owner owner = { 0 };
        int r = w.inode ? listeners_owner(w.inode, &owner) : -1;
        close(s);
        ck_assert_uint_ne(w.inode, 0);
        ck_assert_int_eq(r, 0);
        ck_assert_int_eq(owner.pid, getpid());
}
END_TEST

int main(void) {
        Suite *s = suite_create("listeners");
        TCase *tc = tcase_create("proc");
        tcase_add_unchecked_fixture(tc, fixture_base_create, fixture_base_remove);
        tcase_add_test(tc, test_tcp_parse);
        tcase_add_test(tc, test_unix_parse);
        tcase_add_test(tc, test_live_tcp_listener_and_owner);
        tcase_add_test(tc, test_live_unix_listener);
        suite_add_tcase(s, tc);
        return fixture_run(s);
}
