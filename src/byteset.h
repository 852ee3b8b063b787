/* byteset.h — a set of bytes as a 256-bit map (uint64_t[4]), and ASCII lower-casing: the small helpers the gate,
 * prefilter and pattern-reading modules share. */
#ifndef PS_BYTESET_H
#define PS_BYTESET_H

#include <stdbool.h>
#include <stdint.h>

static inline bool byteset_has(const uint64_t s[4], unsigned c)
{
    return (s[c >> 6] >> (c & 63)) & 1;
}

static inline void byteset_add(uint64_t s[4], unsigned c)
{
    s[c >> 6] |= (uint64_t)1 << (c & 63);
}

static inline unsigned byteset_count(const uint64_t s[4])
{
    return (unsigned)(__builtin_popcountll(s[0]) + __builtin_popcountll(s[1]) + __builtin_popcountll(s[2]) +
                      __builtin_popcountll(s[3]));
}

/* Locale-independent on purpose: matching must not depend on the process's locale. */
static inline unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

#endif
