/* bytegate.h — "does this text contain a byte of set S?" for many sets S at once, in one pass.
 * Each set is cut into rectangles (one high nibble × a set of low nibbles), which is exact; each distinct rectangle
 * gets one of 16 bits, so a pass is two table lookups per byte — or, with SSSE3, two PSHUFB per 16 bytes
 * (Hyperscan's "shufti"). A set that does not fit in the 16 bits is treated as always present (never gates). */
#ifndef PS_BYTEGATE_H
#define PS_BYTEGATE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ps_bytegate {
    uint8_t lo[2][16], hi[2][16]; /* rectangle bits 0-7 in table 0, 8-15 in table 1 */
    uint16_t byte_bits[256];      /* the same, per byte (scalar path and short tails) */
    unsigned n_rects;
    int simd;                     /* the CPU has SSSE3 */
} ps_bytegate;

void bytegate_init(ps_bytegate *g);

/* Adds a byte set (256-bit bitmap). @return the rectangle bits that stand for it (test: (found & bits) != 0),
 * or 0 when it does not fit (the caller then treats it as always present). */
uint16_t bytegate_add(ps_bytegate *g, const uint64_t set[4]);

/* @return the rectangle bits of every byte in p[0..n). */
uint16_t bytegate_scan(const ps_bytegate *g, const char *p, size_t n);

#endif
