/* badgatewayd: finds why nginx answers 502 Bad Gateway in front of PHP-FPM. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "discover.h"
#include "loadconf.h"
#include "run.h"
#include "scan.h"

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd COMMAND [ARGS]\n"
                "commands:\n"
                "  run [--config FILE] [--stdout] [--journal] [--jsonl FILE] [--state-dir DIR]\n"
                "                                         the daemon, in the foreground\n"
                "  check [--config FILE] [--json] [--since TIME] [--timeout SECONDS]\n"
                "                                         one round of checks, as a Nagios plugin\n"
                "  scan [--json] [--ascii] [--since TIME] FILE...\n"
                "                                         classify existing nginx/php-fpm logs\n"
                "  scan --journal [--unit UNIT]... [--directory DIR | --file FILE]... [FILE...]\n"
                "                                         ... and the journal's entries\n"
                "  discover [--root DIR] [--json]         what nginx's and php-fpm's configuration say\n"
                "  --check-config [--config FILE]         read the config and say what is wrong\n"
                "  -V, --version                          print the version (after any command too)\n"
                "  -h, --help                             this text (COMMAND --help: that command's)\n");
}

/* -V or --version anywhere among a command's options (not as an option's value, nor after "--"):
 * every command prints the version, as monitoring plugins and most tools do. */
static bool wants_version(int argc, char **argv) {
        static const char *const with_value[] = { "-c", "--config", "--jsonl", "-s", "--since", "-r", "--root",
                                                  "-t", "--timeout" };
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        return false;
                if (strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
                        return true;
                for (size_t j = 0; j < sizeof(with_value) / sizeof(with_value[0]); j++)
                        if (strcmp(argv[i], with_value[j]) == 0) {
                                i++;
                                break;
                        }
        }
        return false;
}

static bool has_arg(int argc, char **argv, const char *arg) {
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], arg) == 0)
                        return true;
        return false;
}

int main(int argc, char **argv) {
        if (argc < 2) {
                usage(stderr);
                return 64;
        }
        if (wants_version(argc, argv)) {
                printf("badgatewayd %s\n", BADGATEWAYD_VERSION);
                return 0;
        }
        if (strcmp(argv[1], "scan") == 0)
                return scan_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "run") == 0)
                return run_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "check") == 0)
                return check_main(argc - 1, argv + 1);
        if (strcmp(argv[1], "discover") == 0)
                return discover_main(argc - 1, argv + 1);
        if (argv[1][0] == '-' && has_arg(argc, argv, "--check-config"))
                return check_config_main(argc, argv);
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(stdout);
                return 0;
        }
        fprintf(stderr, "badgatewayd: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 64;
}
