/* idset.h — a set of byte strings (record ids from an opt-out list) with O(1) lookup.
 * Open addressing over XXH3 hashes (libxxhash: a well-kept, fast, portable hash — no point writing our own); the ids
 * themselves are kept, so a lookup is exact, never a false positive. */
#ifndef PS_IDSET_H
#define PS_IDSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct ps_idset ps_idset;

/* @return 0 or -1 (no memory). */
int idset_new(ps_idset **out);
void idset_free(ps_idset *s); /* accepts NULL */
/* Adds an id (duplicates are fine). @return 0 or -1. */
int idset_add(ps_idset *s, const char *id, size_t n);
/* @return 1 when the id is in the set. */
int idset_has(const ps_idset *s, const char *id, size_t n);
size_t idset_count(const ps_idset *s);

#endif
