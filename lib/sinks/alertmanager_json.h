/*
 * An alert as Alertmanager's HTTP API v2 takes it: one "postableAlert" of POST /api/v2/alerts
 * (the schema is alertmanager's api/v2/openapi.yaml). Alert in, JSON out; sending is daemon/push.c.
 */
#pragma once
#include <jansson.h>
#include <stdint.h>

#include "alert.h"

/*
 * labels: alertname (the cause id, "fpm_down"), severity (alert_severity()), instance, pool and
 * upstream (an empty pool or upstream is left out: Alertmanager takes an empty label as none).
 * annotations: summary, remedy (the remedies, one per line), description (the evidence in a
 * line), alert_id. startsAt: when the cause was first seen. endsAt: firing, now_usec +
 * firing_ttl_usec (Alertmanager resolves the alert by itself unless it is sent again before
 * then); resolved, now_usec. Times are RFC 3339 UTC with microseconds; now_usec is CLOCK_REALTIME.
 * instance is the host name. Bytes that are not UTF-8 become "\xNN" (json_bytes()), as
 * Alertmanager refuses the whole batch for one invalid label. NULL when out of memory.
 */
json_t *alertmanager_alert(const struct alert *a, const char *instance, uint64_t now_usec, uint64_t firing_ttl_usec);
