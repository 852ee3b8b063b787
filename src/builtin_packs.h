/* builtin_packs.h — the rule packs embedded at build time (generated builtin_packs.c). */
#ifndef PS_BUILTIN_PACKS_H
#define PS_BUILTIN_PACKS_H

#include <stddef.h>

typedef struct ps_builtin_pack {
    const char *name; /* "builtin:core.yaml" */
    const char *yaml;
    size_t len;
} ps_builtin_pack;

/* Terminated by an entry whose name is NULL. */
extern const ps_builtin_pack ps_builtin_packs[];

#endif
