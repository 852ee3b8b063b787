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

static inline void byteset_unite(uint64_t s[4], const uint64_t t[4])
{
    for (int i = 0; i < 4; i++)
        s[i] |= t[i];
}

static inline bool byteset_subset(const uint64_t a[4], const uint64_t b[4])
{
    return !(a[0] & ~b[0]) && !(a[1] & ~b[1]) && !(a[2] & ~b[2]) && !(a[3] & ~b[3]);
}

/* Bits set in x. Written out: without -mpopcnt (not every x86-64 has the instruction) __builtin_popcountll is a
 * libgcc call, and rule analysis counts sets often enough for that to be 5 % of start-up. */
static inline unsigned popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555u;
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
}

static inline unsigned byteset_count(const uint64_t s[4])
{
    return popcount64(s[0]) + popcount64(s[1]) + popcount64(s[2]) + popcount64(s[3]);
}

/* Bit p of the result, for each p < 64: bits p .. p + len - 1 of the 128-bit mask (hi:lo) are all set (1 <= len <=
 * 64), i.e. where a run of at least len set bits starts, seen a 64-bit block and the next at a time. Each step doubles
 * the stretch a bit stands for, and a last one tops it up to len; bits past hi read as clear, and no p < 64 needs
 * them. With hi = 0 it is the same for one block alone. */
static inline uint64_t bits_run_starts(uint64_t lo, uint64_t hi, unsigned len)
{
    unsigned have = 1;
    /* The doubling steps written out: with a loop, its counter cost as much as the shifts (a caller's len is the
     * same on every call, so these branches are predicted). */
#define PS_RUN_STEP(h)                                                                                                 \
    if (len >= 2 * (h)) {                                                                                              \
        lo &= lo >> (h) | hi << (64 - (h));                                                                            \
        hi &= hi >> (h);                                                                                               \
        have = 2 * (h);                                                                                                \
    }
    PS_RUN_STEP(1)
    PS_RUN_STEP(2)
    PS_RUN_STEP(4)
    PS_RUN_STEP(8)
    PS_RUN_STEP(16)
#undef PS_RUN_STEP
    if (len > have)
        lo &= lo >> (len - have) | hi << (64 - (len - have));
    return lo;
}

/* An ASCII letter or digit: what a context word is made of (ASCII only, locale-independent). */
static inline bool ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Does a word whose end byte is `edge` run on into the text byte `next` beside it (both letters or digits), so that
 * it is not a whole word there? */
static inline bool ascii_joined(unsigned char edge, unsigned char next)
{
    return ascii_alnum(edge) && ascii_alnum(next);
}

/* Locale-independent on purpose: matching must not depend on the process's locale. */
static inline unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

#endif
