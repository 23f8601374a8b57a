#include "push.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <curl/curl.h>

#include "alertmanager_json.h"
#include "clock.h"
#include "jsonstr.h"
#include "push_queue.h"
#include "say.h"
#include "sink.h"
#include "urlmask.h"

#define BACKOFF_MAX_S 30.

struct push_target {
        const char *name;               /* "Alertmanager", "webhook" */
        const char *output;             /* its label in the metrics: "alertmanager", "webhook" */
        struct push *push;
        char url[CONFIG_URL_MAX + 32];  /* where to POST; "" when off */
        char shown[URL_MASK_SIZE(CONFIG_URL_MAX + 32)]; /* url as messages show it: no password, no token */
        bool batch;                     /* Alertmanager: a JSON array, one item per alert id */
        struct push_queue queue;
        CURL *easy;                     /* the request in flight, or NULL */
        char *body;
        struct curl_slist *headers;
        char error[CURL_ERROR_SIZE];
        char reply[PUSH_REPLY_MAX];
        size_t reply_len;
        ev_timer retry;
        double backoff;                 /* seconds before the next try; 0 while it works */
        bool failing, full, refused;    /* what was said, until a request is delivered again */
        uint64_t delivered_before, dropped_before;      /* the queue's counts when it began failing */
};

struct push_socket;

struct push {
        struct ev_loop *loop;
        CURLM *multi;                   /* NULL until a target is on */
        ev_timer curl_timer;
        ev_timer resend;
        uint64_t resend_usec;
        char instance[256];             /* the host name: Alertmanager's "instance" label */
        push_firing_fn firing;
        void *firing_userdata;
        struct push_target am, hook;
        struct push_socket *sockets;    /* every socket curl asked us to watch */
        bool draining;
};

/* One socket curl wants watched. */
struct push_socket {
        ev_io io;
        struct push *p;
        struct push_socket *next;
};

static void kick(struct push_target *t);

static void forget_socket(struct push *p, struct push_socket *s) {
        for (struct push_socket **at = &p->sockets; *at; at = &(*at)->next)
                if (*at == s) {
                        *at = s->next;
                        break;
                }
        ev_io_stop(p->loop, &s->io);
        free(s);
}

static uint64_t total_pending(const struct push *p) {
        return p->am.queue.n + p->hook.queue.n;
}

static void say_recovered(struct push_target *t) {
        struct push_queue *q = &t->queue;
        if (t->failing || t->full)
                say_at(LOG_NOTICE, "%s %s: delivering alerts again: %llu delivered late, %zu more queued, %llu dropped "
                       "meanwhile", t->name, t->shown, (unsigned long long) (q->delivered - t->delivered_before), q->n,
                       (unsigned long long) (q->dropped - t->dropped_before));
        t->failing = t->full = t->refused = false;
        t->backoff = 0;
}

/* The start of a bad stretch: what was delivered and dropped so far, to count from. */
static void begin_trouble(struct push_target *t) {
        if (t->failing || t->full)
                return;
        t->delivered_before = t->queue.delivered;
        t->dropped_before = t->queue.dropped;
}

static void failed(struct push_target *t, const char *why) {
        push_queue_untake(&t->queue);
        if (!t->failing) {
                begin_trouble(t);
                say_at(LOG_WARNING, "%s %s: cannot deliver alerts: %s; keeping up to %d and retrying", t->name, t->shown,
                       why, PUSH_QUEUE_MAX);
        }
        t->failing = true;
        t->backoff = t->backoff ? t->backoff * 2 : 1.;
        if (t->backoff > BACKOFF_MAX_S)
                t->backoff = BACKOFF_MAX_S;
        ev_timer_set(&t->retry, t->backoff, 0.);
        ev_timer_start(t->push->loop, &t->retry);
}

/* The start of the receiver's reply as one safe line: it must not forge log entries. */
static const char *reply_text(const struct push_target *t, char out[static TEXT_QUOTE_SIZE(PUSH_REPLY_SAID)]) {
        return text_quote(out, TEXT_QUOTE_SIZE(PUSH_REPLY_SAID), t->reply, t->reply_len, PUSH_REPLY_SAID);
}

/* 400 Bad Request and the like: the same request would be refused again. */
static void refused(struct push_target *t, long code) {
        size_t n = t->queue.taken;
        char text[TEXT_QUOTE_SIZE(PUSH_REPLY_SAID)];
        if (!t->refused)
                say_at(LOG_ERR, "%s %s refused %zu alert%s (HTTP %ld): %s", t->name, t->shown, n, n == 1 ? "" : "s",
                       code, reply_text(t, text));
        t->refused = true;
        push_queue_refused(&t->queue);
}

static void end_request(struct push_target *t) {
        curl_multi_remove_handle(t->push->multi, t->easy);
        curl_easy_cleanup(t->easy);
        curl_slist_free_all(t->headers);
        free(t->body);
        t->easy = NULL;
        t->headers = NULL;
        t->body = NULL;
}

static void finish(struct push_target *t, CURLcode res) {
        long code = 0;
        char why[CURL_ERROR_SIZE + TEXT_QUOTE_SIZE(PUSH_REPLY_SAID) + 64], text[TEXT_QUOTE_SIZE(PUSH_REPLY_SAID)];
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
        if (res != CURLE_OK)
                snprintf(why, sizeof(why), "%s", t->error[0] ? t->error : curl_easy_strerror(res));
        else
                snprintf(why, sizeof(why), "HTTP %ld: %s", code, reply_text(t, text));
        end_request(t);
        if (res == CURLE_OK && code >= 200 && code < 300) {
                push_queue_delivered(&t->queue);
                say_recovered(t);
        } else if (res == CURLE_OK && code >= 400 && code < 500 && code != 408 && code != 429)
                refused(t, code);
        else
                failed(t, why);
        kick(t);
}

static void check_done(struct push *p) {
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(p->multi, &left)))
                if (msg->msg == CURLMSG_DONE) {
                        char *t = NULL;
                        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
                        finish((struct push_target *) t, msg->data.result);
                }
        if (p->draining && !p->am.easy && !p->hook.easy)
                ev_break(p->loop, EVBREAK_ONE);
}

static void on_io(EV_P_ ev_io *w, int revents) {
        struct push *p = ((struct push_socket *) w)->p;
        int running, flags = (revents & EV_READ ? CURL_CSELECT_IN : 0) | (revents & EV_WRITE ? CURL_CSELECT_OUT : 0);
        curl_multi_socket_action(p->multi, w->fd, flags, &running);   /* may free w */
        check_done(p);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
        struct push *p = userp;
        struct push_socket *s = socketp;
        if (what == CURL_POLL_REMOVE) {
                if (s)
                        forget_socket(p, s);
                return 0;
        }
        if (!s) {
                if (!(s = calloc(1, sizeof(*s))))
                        return -1;
                s->p = p;
                s->next = p->sockets;
                p->sockets = s;
                curl_multi_assign(p->multi, fd, s);
        }
        ev_io_stop(p->loop, &s->io);
        ev_io_init(&s->io, on_io, fd, (what & CURL_POLL_IN ? EV_READ : 0) | (what & CURL_POLL_OUT ? EV_WRITE : 0));
        ev_io_start(p->loop, &s->io);
        return 0;
}

static void on_curl_timer(EV_P_ ev_timer *w, int revents) {
        struct push *p = w->data;
        int running;
        curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        check_done(p);
}

/* curl's one timeout: -1 none, 0 at once (on the next loop turn), else in timeout_ms. */
static int on_timeout_change(CURLM *multi, long timeout_ms, void *userp) {
        struct push *p = userp;
        ev_timer_stop(p->loop, &p->curl_timer);
        if (timeout_ms >= 0) {
                ev_timer_set(&p->curl_timer, (double) timeout_ms / 1000., 0.);
                ev_timer_start(p->loop, &p->curl_timer);
        }
        return 0;
}

static size_t on_reply(char *data, size_t size, size_t n, void *userdata) {
        struct push_target *t = userdata;
        size_t len = size * n, room = sizeof(t->reply) - t->reply_len;
        memcpy(t->reply + t->reply_len, data, len < room ? len : room);
        t->reply_len += len < room ? len : room;
        return len;
}

/* The taken items: a JSON array of them (Alertmanager), or the one item (webhook). NULL: ENOMEM. */
static char *request_body(const struct push_target *t, size_t n) {
        size_t len = 3;
        for (size_t i = 0; i < n; i++)
                len += strlen(push_queue_body(&t->queue, i)) + 1;
        if (!t->batch)
                return strdup(push_queue_body(&t->queue, 0));
        char *body = malloc(len), *at = body;
        if (!body)
                return NULL;
        *at++ = '[';
        for (size_t i = 0; i < n; i++)
                at = stpcpy(stpcpy(at, i ? "," : ""), push_queue_body(&t->queue, i));
        strcpy(at, "]");
        return body;
}

static int start_request(struct push_target *t, size_t n) {
        t->body = request_body(t, n);
        t->easy = curl_easy_init();
        t->headers = curl_slist_append(NULL, "Content-Type: application/json");
        t->error[0] = '\0';
        t->reply_len = 0;
        if (!t->body || !t->easy || !t->headers)
                return -ENOMEM;
        CURL *e = t->easy;
        curl_easy_setopt(e, CURLOPT_URL, t->url);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long) strlen(t->body));
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "badgatewayd");
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long) PUSH_TIMEOUT_MS);
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_reply);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
        curl_easy_setopt(e, CURLOPT_PRIVATE, t);
        return curl_multi_add_handle(t->push->multi, e) == CURLM_OK ? 0 : -ENOMEM;
}

/* Sends the oldest queued alerts unless a request is in flight or a retry is waiting. */
static void kick(struct push_target *t) {
        if (!t->url[0] || t->easy || ev_is_active(&t->retry))
                return;
        size_t n = push_queue_take(&t->queue, t->batch ? PUSH_BATCH_MAX : 1);
        if (n && start_request(t, n) < 0) {
                if (t->easy)
                        end_request(t);
                curl_slist_free_all(t->headers);
                free(t->body);
                t->headers = NULL;
                t->body = NULL;
                failed(t, "out of memory");
        }
}

static void on_retry(EV_P_ ev_timer *w, int revents) {
        kick(w->data);
}

static void say_full(struct push_target *t, uint64_t dropped) {
        if (t->queue.dropped == dropped || t->full)
                return;
        begin_trouble(t);
        t->full = true;
        say_at(LOG_ERR, "%s %s: %d alerts wait to be delivered, the most it keeps: the oldest are dropped (counted, "
               "and said when it works again)", t->name, t->shown, PUSH_QUEUE_MAX);
}

static void put(struct push_target *t, const char *key, char *body) {
        uint64_t dropped = t->queue.dropped;
        push_queue_put(&t->queue, key, body);
        say_full(t, dropped);
        kick(t);
}

/* Firing: valid for 4 resends, as Prometheus does, so that one lost request does not resolve it. */
static void put_alertmanager(struct push *p, const struct alert *a, uint64_t now) {
        json_t *j = alertmanager_alert(a, p->instance, now, 4 * p->resend_usec);
        char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        put(&p->am, a->id, body);
}

void push_alert(struct push *p, const struct alert *a) {
        if (p->am.url[0])
                put_alertmanager(p, a, clock_realtime_usec());
        if (p->hook.url[0])
                put(&p->hook, NULL, sink_alert_json(a));
}

static void resend_one(void *userdata, const struct alert *a) {
        struct push *p = userdata;
        put_alertmanager(p, a, clock_realtime_usec());
}

static void on_resend(EV_P_ ev_timer *w, int revents) {
        struct push *p = w->data;
        if (p->am.url[0])
                p->firing(p->firing_userdata, clock_realtime_usec(), resend_one, p);
}

static void init_target(struct push *p, struct push_target *t, const char *name, const char *output, bool batch) {
        *t = (struct push_target) { .name = name, .output = output, .push = p, .batch = batch };
        ev_timer_init(&t->retry, on_retry, 1., 0.);
        t->retry.data = t;
}

struct push *push_new(struct ev_loop *loop, push_firing_fn firing, void *userdata) {
        struct push *p = malloc(sizeof(*p));
        if (!p)
                return NULL;
        *p = (struct push) { .loop = loop, .firing = firing, .firing_userdata = userdata };
        init_target(p, &p->am, "Alertmanager", "alertmanager", true);
        init_target(p, &p->hook, "webhook", "webhook", false);
        ev_timer_init(&p->curl_timer, on_curl_timer, 0., 0.);
        ev_timer_init(&p->resend, on_resend, 1., 1.);
        p->curl_timer.data = p->resend.data = p;
        if (gethostname(p->instance, sizeof(p->instance) - 1) < 0)
                snprintf(p->instance, sizeof(p->instance), "localhost");
        return p;
}

static int start_curl(struct push *p) {
        if (p->multi)
                return 0;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(p->multi = curl_multi_init()))
                return -ENOMEM;
        curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
        curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, on_timeout_change);
        curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
        return 0;
}

/* Stops sending to t: what is in flight or queued is dropped, and said. */
static void turn_off(struct push_target *t) {
        size_t lost = t->queue.n;
        if (t->easy)
                end_request(t);
        ev_timer_stop(t->push->loop, &t->retry);
        if (lost || t->queue.dropped)
                say_at(LOG_WARNING, "%s %s: %zu alert%s not delivered, %llu dropped before", t->name, t->shown, lost,
                       lost == 1 ? "" : "s", (unsigned long long) t->queue.dropped);
        push_queue_clear(&t->queue);
        t->url[0] = '\0';
}

/* Alertmanager's base URL gets the API path; a URL that already ends with it is taken as it is. */
/* url with api after its own path, before its query: libcurl's URL API takes it apart. false if
 * it cannot (then the URL is used as given, and curl says what is wrong with it). */
static bool join_path(const char *url, const char *api, char *out, size_t size) {
        CURLU *u = curl_url();
        char *path = NULL, *full = NULL, joined[CONFIG_URL_MAX + 32];
        bool ok = false;
        if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
                size_t n = strlen(path), a = strlen(api);
                while (n && path[n - 1] == '/')
                        n--;
                bool has_api = n >= a && memcmp(path + n - a, api, a) == 0;
                snprintf(joined, sizeof(joined), "%.*s%s", (int) n, path, has_api ? "" : api);
                ok = curl_url_set(u, CURLUPART_PATH, joined, 0) == CURLUE_OK &&
                     curl_url_get(u, CURLUPART_URL, &full, 0) == CURLUE_OK &&
                     (size_t) snprintf(out, size, "%s", full) < size;
        }
        curl_free(path);
        curl_free(full);
        curl_url_cleanup(u);
        return ok;
}

static void set_target(struct push_target *t, const char *url, const char *api) {
        char want[sizeof(t->url)];
        size_t n = strlen(url);
        while (n && url[n - 1] == '/')
                n--;
        if (!*url || !*api || !join_path(url, api, want, sizeof(want)))
                snprintf(want, sizeof(want), "%.*s", (int) n, url);
        if (strcmp(want, t->url) == 0)
                return;
        if (!want[0]) {
                turn_off(t);
                return;
        }
        memcpy(t->url, want, sizeof(want));
        url_mask(t->url, t->shown, sizeof(t->shown));
        ev_timer_stop(t->push->loop, &t->retry);        /* a new URL: try it now */
        t->backoff = 0;
        kick(t);
}

int push_configure(struct push *p, const struct config *c) {
        if ((c->alertmanager_url[0] || c->webhook_url[0]) && start_curl(p) < 0)
                return -ENOMEM;
        set_target(&p->am, c->alertmanager_url, "/api/v2/alerts");
        set_target(&p->hook, c->webhook_url, "");
        if (!p->am.url[0] || p->resend_usec != c->alertmanager_resend_usec)
                ev_timer_stop(p->loop, &p->resend);
        p->resend_usec = c->alertmanager_resend_usec;
        if (p->am.url[0] && !ev_is_active(&p->resend)) {
                ev_timer_set(&p->resend, 1., (double) p->resend_usec / 1e6);   /* what the state file restored */
                ev_timer_start(p->loop, &p->resend);
        }
        return 0;
}

void push_count(const struct push *p, struct metrics *m) {
        const struct push_target *t[] = { &p->am, &p->hook };
        for (size_t i = 0; i < 2; i++)
                if (t[i]->url[0] || t[i]->queue.dropped)
                        metrics_set(m, METRIC_ALERTS_DROPPED, (const char *[]) { t[i]->output },
                                    (double) t[i]->queue.dropped);
}

static void on_deadline(EV_P_ ev_timer *w, int revents) {
        ev_break(EV_A_ EVBREAK_ONE);
}

/* Runs the loop until every working target's queue is delivered, or grace_s has passed. */
static void drain(struct push *p, double grace_s) {
        ev_timer deadline;
        if (p->am.failing)
                ev_timer_stop(p->loop, &p->am.retry);
        if (p->hook.failing)
                ev_timer_stop(p->loop, &p->hook.retry);
        if (!p->am.easy && !p->hook.easy)
                return;
        ev_timer_init(&deadline, on_deadline, grace_s, 0.);
        ev_timer_start(p->loop, &deadline);
        p->draining = true;
        ev_run(p->loop, 0);
        p->draining = false;
        ev_timer_stop(p->loop, &deadline);
}

void push_close(struct push *p, double grace_s) {
        ev_timer_stop(p->loop, &p->resend);
        if (p->multi && total_pending(p))
                drain(p, grace_s);
        turn_off(&p->am);
        turn_off(&p->hook);
        ev_timer_stop(p->loop, &p->curl_timer);
        if (p->multi) {
                curl_multi_cleanup(p->multi);
                curl_global_cleanup();
        }
        while (p->sockets)
                forget_socket(p, p->sockets);
        free(p);
}
