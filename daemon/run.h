#pragma once

/* badgatewayd run [--config FILE] [--stdout] [--journal]; returns the exit code. */
int run_main(int argc, char **argv);
/* badgatewayd check [--config FILE] [--json] [--since TIME]; Nagios exit codes. */
int check_main(int argc, char **argv);
