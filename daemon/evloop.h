#pragma once

/* libev's EV_NONE (no events, unused here) would clash with the event kind EV_NONE of kinds.h. */
#define EV_NONE EVLOOP_NONE
#include <ev.h>
#undef EV_NONE
