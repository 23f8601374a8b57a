/* A resolved alert's MESSAGE_ID, one per cause and apart from the firing one: journalctl -x shows
 * what resolved means under it, and journalctl MESSAGE_ID=… picks the firing or the resolved. */
#pragma once
#include "kinds.h"

/* 32 hex digits; CAUSE_NONE's (all zeros) for a cause that has none (catalog-gen refuses that). */
const char *cause_resolved_message_id(enum cause c);
