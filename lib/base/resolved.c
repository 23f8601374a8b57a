#include "resolved.h"

/* Made with uuid4 once, like the firing ones in CAUSE_LIST; a contract as they are. */
static const char *const resolved_ids[CAUSE__MAX] = {
        [CAUSE_FPM_DOWN] = "3fa98a169ef3410c987b5338b1f9a0c0",
        [CAUSE_SOCKET_MISMATCH] = "f43327b98d454061851906c5206568bc",
        [CAUSE_SOCKET_PERMISSION] = "ec31b56dcb824987b95409924d47cb41",
        [CAUSE_WORKER_KILLED] = "150ae37ee5bc479db2907f0a08a86f46",
        [CAUSE_POOL_SATURATED] = "2d4df6644edb4a51a4eede50d7e228f6",
        [CAUSE_UPSTREAM_TIMEOUT] = "5962b02b763d4b579daab1f504a009d2",
        [CAUSE_PHP_MEMORY_EXHAUSTED] = "4245e73a52ce4f8289cd0e67f5021904",
        [CAUSE_PHP_FATAL] = "15a2fa5bf109455ebf8e7da1ddf105e9",
        [CAUSE_HEADER_TOO_BIG] = "f7d9e16e1b3d43bdaee3505078b98e47",
        [CAUSE_NOT_FASTCGI] = "039e05487def45d097828a4ce02a8cb3",
        [CAUSE_APP_BAD_RESPONSE] = "44d2f27da67f4db092a12cdbc55c76d6",
        [CAUSE_SCRIPT_CONFIG] = "07ba1201fc844d899687deb4b24b68a7",
        [CAUSE_NGINX_ERROR_LOG_LEVEL] = "03207b59d53f42c39416ff81505e8fe7",
        [CAUSE_NGINX_ERROR_LOG_OFF] = "e669868806844dac8e81db4524e8b48a",
        [CAUSE_FPM_LOG_LEVEL] = "502b4056089349698be49643a4bfc214",
        [CAUSE_FASTCGI_READ_TIMEOUT_SHORT] = "caa4d5eacee64fa18f9f78a3998e1779",
        [CAUSE_FPM_MEMORY_OVERCOMMIT] = "64d3225b26034e22a7a56362eb94d1d1",
        [CAUSE_FPM_UNIT_MISSING] = "b2ba693a5acf45ad9483b4c98bc8c543",
        [CAUSE_UPSTREAM_TLS] = "ee9840264a2f468a9f37711b1d06a9c2",
        [CAUSE_KEEPALIVE_CLOSED] = "4bf7993efde447d3a1db257566fe6312",
};

const char *cause_resolved_message_id(enum cause c) {
        if ((unsigned) c >= CAUSE__MAX || !resolved_ids[c])
                return "00000000000000000000000000000000";     /* CAUSE_NONE's */
        return resolved_ids[c];
}
