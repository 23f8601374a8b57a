#include "net.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"      /* SBINDIR, NET_MODULE_DIR: where meson installs the two */

/* The longest module path: a DESTDIR as long as a path, then the install directory. */
#define NET_PATH_MAX (PATH_MAX + sizeof(NET_MODULE_DIR) + sizeof(NET_MODULE))

static const struct net_module *loaded;

const struct net_module *net_module(void) {
        return loaded;
}

/* Installed (EXE = ROOT SBINDIR/badgatewayd, ROOT "" or a DESTDIR): ROOT NET_MODULE_DIR/NET_MODULE;
 * anywhere else, as in the build tree: next to the executable. */
static void module_path(char *out, size_t size) {
        char dir[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
        char *slash = n > 0 ? memrchr(dir, '/', (size_t) n) : NULL;
        if (!slash) {
                snprintf(out, size, "%s/%s", NET_MODULE_DIR, NET_MODULE);
                return;
        }
        *slash = '\0';
        size_t len = strlen(dir), sbin = strlen(SBINDIR);
        if (len >= sbin && strcmp(dir + len - sbin, SBINDIR) == 0)
                snprintf(out, size, "%.*s%s/%s", (int) (len - sbin), dir, NET_MODULE_DIR, NET_MODULE);
        else
                snprintf(out, size, "%s/%s", dir, NET_MODULE);
}

/* dlerror() without the "PATH: " it often starts with, which the message says already. */
static const char *dl_why(const char *path) {
        const char *e = dlerror();
        size_t len = strlen(path);
        if (!e)
                return "unknown error";
        return strncmp(e, path, len) == 0 && strncmp(e + len, ": ", 2) == 0 ? e + len + 2 : e;
}

int net_load(char *why, size_t size) {
        char path[NET_PATH_MAX];
        if (loaded)
                return 0;
        module_path(path, sizeof(path));
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        const struct net_module *m = h ? dlsym(h, NET_SYMBOL_NAME) : NULL;
        if (!m) {
                snprintf(why, size, "cannot load %s: %s", path, dl_why(path));
                if (h)
                        dlclose(h);
                return -ELIBACC;
        }
        loaded = m;
        return 0;
}

int net_for_config(const struct config *c, struct config_error *err) {
        const char *needs = c->metrics_listen[0]      ? "[Metrics] Listen="
                            : c->alertmanager_url[0] ? "[Alertmanager]"
                            : c->webhook_url[0]      ? "[Webhook]"
                                                     : NULL;
        if (!needs || net_load(err->text, sizeof(err->text)) == 0)
                return 0;
        size_t len = strlen(err->text);
        snprintf(err->text + len, sizeof(err->text) - len, "; %s needs it", needs);
        return -EINVAL;
}

int net_url_check(const char *url, const char **why) {
        static char load_error[NET_PATH_MAX + 256];
        if (net_load(load_error, sizeof(load_error)) < 0) {
                *why = load_error;
                return -ELIBACC;
        }
        return loaded->url_check(url, why);
}
