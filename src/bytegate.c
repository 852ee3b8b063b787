/* bytegate.c — see bytegate.h. */
#include "bytegate.h"

#include "byteset.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_SHUFTI 1
#endif

void bytegate_init(ps_bytegate *g)
{
    memset(g, 0, sizeof *g);
#ifdef PS_HAVE_SHUFTI
    __builtin_cpu_init();
    g->simd = __builtin_cpu_supports("ssse3");
#endif
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

static uint32_t scan_scalar(const ps_bytegate *g, const unsigned char *u, size_t n)
{
    uint32_t a = 0, b = 0, c = 0, d = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a |= g->byte_bits[u[i]];
        b |= g->byte_bits[u[i + 1]];
        c |= g->byte_bits[u[i + 2]];
        d |= g->byte_bits[u[i + 3]];
    }
    for (; i < n; i++)
        a |= g->byte_bits[u[i]];
    return a | b | c | d;
}

#ifdef PS_HAVE_SHUFTI
/* OR of the 16 byte lanes of v. */
__attribute__((target("ssse3"))) static unsigned or_lanes(__m128i v)
{
    v = _mm_or_si128(v, _mm_srli_si128(v, 8));
    v = _mm_or_si128(v, _mm_srli_si128(v, 4));
    v = _mm_or_si128(v, _mm_srli_si128(v, 2));
    v = _mm_or_si128(v, _mm_srli_si128(v, 1));
    return (unsigned)_mm_cvtsi128_si32(v) & 0xffu;
}

__attribute__((target("ssse3"))) static uint32_t scan_ssse3(const ps_bytegate *g, const unsigned char *u, size_t n)
{
    unsigned tables = (g->n_rects + 7) / 8;
    __m128i lo[4], hi[4], acc[4];
    for (unsigned t = 0; t < 4; t++) {
        lo[t] = _mm_loadu_si128((const __m128i *)g->lo[t]);
        hi[t] = _mm_loadu_si128((const __m128i *)g->hi[t]);
        acc[t] = _mm_setzero_si128();
    }
    const __m128i nib = _mm_set1_epi8(0x0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(u + i));
        __m128i l = _mm_and_si128(v, nib);
        __m128i h = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
        for (unsigned t = 0; t < tables; t++)
            acc[t] = _mm_or_si128(acc[t], _mm_and_si128(_mm_shuffle_epi8(lo[t], l), _mm_shuffle_epi8(hi[t], h)));
    }
    uint32_t bits = 0;
    for (unsigned t = 0; t < tables; t++)
        bits |= (uint32_t)or_lanes(acc[t]) << (8 * t);
    return bits | scan_scalar(g, u + i, n - i);
}
#endif

uint32_t bytegate_scan(const ps_bytegate *g, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
#ifdef PS_HAVE_SHUFTI
    if (g->simd && n >= 16)
        return scan_ssse3(g, u, n);
#endif
    return scan_scalar(g, u, n);
}
