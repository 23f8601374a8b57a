#pragma once

/* badgatewayd discover [--root DIR] [--json]; returns the exit code: 0, 1 when neither nginx's
 * nor any php-fpm configuration was found, 64 for a usage error. */
int discover_main(int argc, char **argv);
