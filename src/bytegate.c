/* bytegate.c — see bytegate.h. */
#include "bytegate.h"

#include "byteset.h"

#include <string.h>


void bytegate_init(ps_bytegate *g)
{
    memset(g, 0, sizeof *g);
}

/* Finds or adds the rectangle (hi nibble, low-nibble set). @return its bit index, or -1 when all bits are taken. */
static int rect_bit(ps_bytegate *g, unsigned hi, uint16_t lo_set)
{
    for (unsigned b = 0; b < g->n_rects; b++) {
        unsigned t = b >> 3, bit = 1u << (b & 7);
        if (!(g->hi[t][hi] & bit))
            continue;
        uint16_t have = 0;
        for (unsigned x = 0; x < 16; x++)
            if (g->lo[t][x] & bit)
                have |= (uint16_t)(1u << x);
        if (have == lo_set)
            return (int)b;
    }
    if (g->n_rects == BYTEGATE_BITS)
        return -1;
    unsigned b = g->n_rects++, t = b >> 3, bit = 1u << (b & 7);
    g->hi[t][hi] |= (uint8_t)bit;
    for (unsigned x = 0; x < 16; x++) {
        if (lo_set & (1u << x)) {
            g->lo[t][x] |= (uint8_t)bit;
            g->byte_bits[(hi << 4) | x] |= (uint32_t)1 << b;
        }
    }
    return (int)b;
}

/* Widens a set so that rules share rectangles: one digit means all ten, more than three letters of a case mean
 * the whole case. */
static void widen(const uint64_t in[4], uint64_t out[4])
{
    memcpy(out, in, 4 * sizeof *out);
    unsigned digits = 0, upper = 0, lower = 0;
    for (unsigned c = '0'; c <= '9'; c++)
        digits += byteset_has(in, c);
    for (unsigned c = 'A'; c <= 'Z'; c++)
        upper += byteset_has(in, c);
    for (unsigned c = 'a'; c <= 'z'; c++)
        lower += byteset_has(in, c);
    for (unsigned c = 0; c < 256; c++) {
        int d = c >= '0' && c <= '9', u = c >= 'A' && c <= 'Z', l = c >= 'a' && c <= 'z';
        if ((d && digits) || (u && upper > 3) || (l && lower > 3))
            byteset_add(out, c);
    }
}

uint32_t bytegate_add(ps_bytegate *g, const uint64_t in[4])
{
    uint64_t set[4];
    widen(in, set);
    uint16_t lo_sets[16] = {0};
    unsigned needed = 0;
    for (unsigned c = 0; c < 256; c++)
        if (byteset_has(set, c))
            lo_sets[c >> 4] |= (uint16_t)(1u << (c & 15));
    for (unsigned hi = 0; hi < 16; hi++)
        needed += lo_sets[hi] != 0;
    if (needed == 0)
        return 0;
    /* All or nothing: a set only partly represented would gate wrongly. */
    ps_bytegate saved = *g;
    uint32_t bits = 0;
    for (unsigned hi = 0; hi < 16; hi++) {
        if (!lo_sets[hi])
            continue;
        int b = rect_bit(g, hi, lo_sets[hi]);
        if (b < 0) {
            *g = saved;
            return 0;
        }
        bits |= (uint32_t)1 << b;
    }
    return bits;
}
