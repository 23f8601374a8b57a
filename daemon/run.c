/* badgatewayd run: the foreground daemon. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loadconf.h"
#include "say.h"
#include "manager.h"
#include "run.h"
#include "util.h"

static void usage(FILE *to) {
        fprintf(to,
                "usage: badgatewayd run [--config FILE] [--stdout] [--journal] [--jsonl FILE] [--state-dir DIR]\n"
                "  Watches nginx's and php-fpm's logs, probes each pool and follows its systemd unit;\n"
                "  sends one alert per root cause. Config: " DEFAULT_CONFIG "\n"
                "  and its drop-ins (.d/*.conf) when they exist; pools, logs and nginx's user it does\n"
                "  not name come from php-fpm's and nginx's own configuration. Alerts go to journald\n"
                "  under systemd, else to stdout as JSON lines.\n"
                "  --config FILE  read FILE instead\n"
                "  --stdout       alerts as JSON lines on stdout\n"
                "  --journal      alerts to journald (with --stdout: both)\n"
                "  --jsonl FILE   alerts as JSON lines appended to FILE, reopened on SIGHUP\n"
                "  --state-dir DIR  where each log was read and what fires is kept across restarts\n"
                "                 (default: $STATE_DIRECTORY, else " DEFAULT_STATE_DIR ")\n");
}

static int parse_args(int argc, char **argv, struct manager_options *opt) {
        static const struct option opts[] = {
                { "config", required_argument, NULL, 'c' },
                { "stdout", no_argument, NULL, 's' },
                { "journal", no_argument, NULL, 'j' },
                { "jsonl", required_argument, NULL, 'f' },
                { "state-dir", required_argument, NULL, 'S' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        int o;
        while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) >= 0) {
                switch (o) {
                case 'c': opt->config_file = optarg; break;
                case 's': opt->out.to_stdout = true; break;
                case 'j': opt->out.to_journal = true; break;
                case 'f': opt->out.file = optarg; break;
                case 'S': opt->state_dir = optarg; break;
                case 'h': usage(stdout); exit(0);
                default: usage(stderr); return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "badgatewayd run: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return -EINVAL;
        }
        return 0;
}

static void managerp_stop(struct manager **m) {
        if (*m)
                manager_stop(*m);
        free(*m);
}

int run_main(int argc, char **argv) {
        struct manager_options opt = { 0 };
        if (parse_args(argc, argv, &opt) < 0)
                return 64;
        signal(SIGPIPE, SIG_IGN);
        struct ev_loop *loop = ev_default_loop(0);
        if (!loop) {
                say_at(LOG_ERR, "cannot make the event loop");
                return 1;
        }
        int code;
        {
                _cleanup_(managerp_stop) struct manager *m = calloc(1, sizeof(*m));
                int r = m ? manager_start(m, loop, &opt) : -ENOMEM;
                if (r == 0)
                        ev_run(loop, 0);
                if (r < 0 && r != -EINVAL)
                        say_at(LOG_ERR, "cannot start: %s", strerror(-r));
                code = r == -EINVAL ? EXIT_CONFIG : r < 0 || (m && m->failed) ? 1 : 0;
        }
        ev_loop_destroy(loop);
        return code;
}
