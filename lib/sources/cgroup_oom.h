/*
 * How many processes the kernel's OOM killer killed in a cgroup, from the cgroup's own counter:
 * cgroup v2 memory.events "oom_kill N" (Documentation/admin-guide/cgroup-v2.rst; counts the
 * cgroup and its descendants), cgroup v1 memory.oom_control "oom_kill N"
 * (mm/memcontrol-v1.c mem_cgroup_oom_control_read). The cgroup is a unit's ControlGroup property
 * ("/system.slice/php8.2-fpm.service"), a path under each hierarchy's root.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

enum cgroup_version {
        CGROUP_NONE,
        CGROUP_V2,      /* ROOT/CG/memory.events (a pure cgroup2 mount) or ROOT/unified/CG/memory.events */
        CGROUP_V1,      /* ROOT/memory/CG/memory.oom_control */
};

/*
 * The oom_kill counter of cgroup cg (absolute, starting with '/') under root ("/sys/fs/cgroup";
 * tests give another). v2 is tried first, then v1; a v2 memory.events without the memory
 * controller has no oom_kill line and v1 is tried. 0 with *count and *version set; -EINVAL for a
 * path that is not absolute or holds "..", -ENOENT when neither file has the counter, or the
 * errno of reading it.
 */
int cgroup_oom_kills(const char *root, const char *cg, uint64_t *count, enum cgroup_version *version);
/* "oom_kill N" in a memory.events or memory.oom_control text: 0 and *count, or -ENOENT. */
int cgroup_oom_parse(const char *text, size_t n, uint64_t *count);
const char *cgroup_version_name(enum cgroup_version v);  /* "v2", "v1", "none" */
