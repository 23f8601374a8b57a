/* A push URL as it may be shown in a log line or an error: its secrets masked. */
#pragma once
#include <stddef.h>

/* Room url_mask() needs for a URL of n bytes: a one-byte value may become "***". */
#define URL_MASK_SIZE(n) ((n) * 3 + 8)

/*
 * url with the password of its userinfo, every value of its query and its fragment replaced by
 * "***" (RFC 3986 parts: "http://alice:***@host:9093/p?token=***&flag=***#***"); any text, a
 * malformed URL too (a --check-config error shows what was written): the userinfo is what comes
 * before the last '@' ahead of the first '?' or '#', so a '/' in a password is masked too. The
 * user name and the path are kept. out has size bytes (URL_MASK_SIZE(strlen(url)) always
 * suffices; less cuts the text short) and is always NUL-terminated. Returns out.
 */
char *url_mask(const char *url, char *out, size_t size);
