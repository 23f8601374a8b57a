/* badgatewayd: finds why nginx answers 502 Bad Gateway in front of PHP-FPM. */
#include <stdio.h>
#include <string.h>

#include "scan.h"

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd COMMAND [ARGS]\n"
                "commands:\n"
                "  scan [--json] [--since TIME] FILE...   classify existing nginx/php-fpm logs\n"
                "  --version                              print the version\n");
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return 64;
        }
        if (strcmp(argv[1], "scan") == 0)
                return scan_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "--version") == 0) {
                printf("badgatewayd %s\n", BADGATEWAYD_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return 0;
        }
        fprintf(stderr, "badgatewayd: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 64;
}
