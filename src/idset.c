/* idset.c — see idset.h. Slots hold (hash, offset of the id in one arena); the table stays at most half full. */
#include "idset.h"

#include "buf.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct slot {
    uint64_t hash;
    uint64_t off; /* offset of the id's length prefix in the arena, +1 (0 = empty slot) */
} slot;

struct ps_idset {
    slot *t;
    size_t cap, n; /* cap is a power of two */
    ps_buf arena;  /* each id: uint32 length, then its bytes */
};

int idset_new(ps_idset **out)
{
    ps_idset *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    s->cap = 1024;
    if (!(s->t = calloc(s->cap, sizeof *s->t))) {
        free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void idset_free(ps_idset *s)
{
    if (!s)
        return;
    free(s->t);
    buf_free(&s->arena);
    free(s);
}

static int same(const ps_idset *s, const slot *sl, const char *id, size_t n)
{
    uint32_t len;
    memcpy(&len, s->arena.p + sl->off - 1, sizeof len);
    return len == n && memcmp(s->arena.p + sl->off - 1 + sizeof len, id, n) == 0;
}

/* @return the slot holding the id, or the empty slot where it would go. */
static slot *find(const ps_idset *s, uint64_t h, const char *id, size_t n)
{
    size_t mask = s->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        slot *sl = &s->t[i];
        if (sl->off == 0 || (sl->hash == h && same(s, sl, id, n)))
            return sl;
    }
}

static int grow(ps_idset *s)
{
    size_t cap = s->cap * 2;
    slot *t = calloc(cap, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->t[i].off)
            continue;
        size_t j = (size_t)s->t[i].hash & (cap - 1);
        while (t[j].off)
            j = (j + 1) & (cap - 1);
        t[j] = s->t[i];
    }
    free(s->t);
    s->t = t;
    s->cap = cap;
    return 0;
}

int idset_add(ps_idset *s, const char *id, size_t n)
{
    if (n > UINT32_MAX)
        return -1;
    if ((s->n + 1) * 2 > s->cap && grow(s))
        return -1;
    uint64_t h = XXH3_64bits(id, n);
    slot *sl = find(s, h, id, n);
    if (sl->off)
        return 0;
    uint32_t len = (uint32_t)n;
    size_t off = s->arena.len;
    if (buf_append(&s->arena, &len, sizeof len) || buf_append(&s->arena, id, n))
        return -1;
    sl->hash = h;
    sl->off = off + 1;
    s->n++;
    return 0;
}

int idset_has(const ps_idset *s, const char *id, size_t n)
{
    return find(s, XXH3_64bits(id, n), id, n)->off != 0;
}

size_t idset_count(const ps_idset *s)
{
    return s->n;
}
