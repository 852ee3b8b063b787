/* test_rng.h — a seeded xorshift generator for the property tests: each test owns its state, so runs repeat. */
#ifndef PS_TEST_RNG_H
#define PS_TEST_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t s;
} rng;

static inline uint64_t rnd(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

/* Uniform in [0, n) (0 when n is 0). */
static inline unsigned below(rng *r, unsigned n)
{
    return n ? (unsigned)(rnd(r) % n) : 0;
}

#endif
