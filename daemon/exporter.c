#include "exporter.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomicfile.h"
#include "net.h"
#include "say.h"

void exporter_init(struct exporter *e, struct ev_loop *loop, exporter_render_fn render, void *userdata) {
        *e = (struct exporter) { .loop = loop, .render = render, .userdata = userdata };
}

/* HTTP is badgatewayd-net.so's, loaded by the manager for a Listen= (net_for_config()). */
static void start_serving(struct exporter *e) {
        if (net_module())
                net_module()->exporter_serve(e);
}

static void stop_serving(struct exporter *e) {
        if (e->mhd)
                net_module()->exporter_unserve(e);
}

void exporter_configure(struct exporter *e, const struct config *c) {
        if (strcmp(e->listen, c->metrics_listen) != 0) {
                stop_serving(e);
                snprintf(e->listen, sizeof(e->listen), "%s", c->metrics_listen);
                e->address = c->metrics_address;
                e->listen_failing = false;
                if (e->listen[0])
                        start_serving(e);
        }
        if (strcmp(e->dir, c->metrics_textfile_dir) != 0)
                e->textfile_error = 0;
        snprintf(e->dir, sizeof(e->dir), "%s", c->metrics_textfile_dir);
}

/* node_exporter takes *.prom only, so it never reads the temp file; it runs as another user (0644). */
static int write_textfile(struct exporter *e) {
        size_t len;
        char *text = e->render(e->userdata, &len);
        if (!text)
                return -ENOMEM;
        int r = atomic_file_write(e->dir, EXPORTER_TEXTFILE, text, len, 0644, false);
        free(text);
        return r;
}

/* What lets the service write there (README, Metrics). */
static const char *textfile_hint(int r) {
        if (r == -EROFS)
                return " (the unit's ReadWritePaths= must name the directory: systemctl edit badgatewayd)";
        return r == -EACCES ? " (let the service's user write there: setfacl -m u:badgatewayd:rwx " : "";
}

void exporter_tick(struct exporter *e) {
        if (e->listen[0] && !e->mhd)
                start_serving(e);
        if (!e->dir[0])
                return;
        int r = write_textfile(e);
        if (r < 0 && r != e->textfile_error)
                say_at(LOG_WARNING, "metrics: cannot write %s/%s: %s%s%s%s; trying again every ProbeInterval", e->dir,
                       EXPORTER_TEXTFILE, strerror(-r), textfile_hint(r), r == -EACCES ? e->dir : "",
                       r == -EACCES ? ")" : "");
        else if (r == 0 && e->textfile_error < 0)
                say("metrics: %s/%s written again", e->dir, EXPORTER_TEXTFILE);
        e->textfile_error = r;
}

void exporter_stop(struct exporter *e) {
        stop_serving(e);
        e->listen[0] = '\0';
}
