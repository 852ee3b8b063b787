/* bytegate.h — "does this text contain a byte of set S?" for many sets S at once, in one pass.
 * Each set is cut into rectangles (one high nibble × a set of low nibbles), which is exact; each distinct rectangle
 * gets one of 32 bits, so a pass is one table lookup per byte (byte_bits; the engine ORs them in the pass that
 * counts a record's runs, see digitruns_count). Sets are widened a little first (any digit → all digits, several letters of a case →
 * that whole case) so rules share rectangles; a wider set only gates less, never wrongly. A set that still does
 * not fit is treated as always present (it never gates). */
#ifndef PS_BYTEGATE_H
#define PS_BYTEGATE_H

#include <stddef.h>
#include <stdint.h>

#define BYTEGATE_BITS 32

typedef struct ps_bytegate {
    uint8_t lo[4][16], hi[4][16]; /* rectangle bits 8t..8t+7 in table t */
    uint32_t byte_bits[256];      /* the same, per byte: a text's classes are the OR over its bytes */
    unsigned n_rects;
} ps_bytegate;

void bytegate_init(ps_bytegate *g);

/* Adds a byte set (256-bit bitmap). @return the rectangle bits that stand for it (test: (found & bits) != 0),
 * or 0 when it does not fit (the caller then treats it as always present). */
uint32_t bytegate_add(ps_bytegate *g, const uint64_t set[4]);

#endif
