#pragma once

/* badgatewayd scan [--json] [--since TIME] FILE… ; returns the exit code. */
int scan_main(int argc, char **argv);
