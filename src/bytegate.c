/* bytegate.c — see bytegate.h. */
#include "bytegate.h"

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

/* Finds or adds the rectangle (hi nibble, low-nibble set). @return its bit index, or -1 when all 16 are taken. */
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
    if (g->n_rects == 16)
        return -1;
    unsigned b = g->n_rects++, t = b >> 3, bit = 1u << (b & 7);
    g->hi[t][hi] |= (uint8_t)bit;
    for (unsigned x = 0; x < 16; x++) {
        if (lo_set & (1u << x)) {
            g->lo[t][x] |= (uint8_t)bit;
            g->byte_bits[(hi << 4) | x] |= (uint16_t)(1u << b);
        }
    }
    return (int)b;
}

uint16_t bytegate_add(ps_bytegate *g, const uint64_t set[4])
{
    uint16_t lo_sets[16] = {0};
    unsigned needed = 0;
    for (unsigned c = 0; c < 256; c++)
        if (set[c >> 6] & ((uint64_t)1 << (c & 63)))
            lo_sets[c >> 4] |= (uint16_t)(1u << (c & 15));
    for (unsigned hi = 0; hi < 16; hi++)
        needed += lo_sets[hi] != 0;
    if (needed == 0)
        return 0;
    /* All or nothing: a set only partly represented would gate wrongly. */
    ps_bytegate saved = *g;
    uint16_t bits = 0;
    for (unsigned hi = 0; hi < 16; hi++) {
        if (!lo_sets[hi])
            continue;
        int b = rect_bit(g, hi, lo_sets[hi]);
        if (b < 0) {
            *g = saved;
            return 0;
        }
        bits |= (uint16_t)(1u << b);
    }
    return bits;
}

static uint16_t scan_scalar(const ps_bytegate *g, const unsigned char *u, size_t n)
{
    uint16_t a = 0, b = 0, c = 0, d = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        a |= g->byte_bits[u[i]];
        b |= g->byte_bits[u[i + 1]];
        c |= g->byte_bits[u[i + 2]];
        d |= g->byte_bits[u[i + 3]];
    }
    for (; i < n; i++)
        a |= g->byte_bits[u[i]];
    return (uint16_t)(a | b | c | d);
}

#ifdef PS_HAVE_SHUFTI
__attribute__((target("ssse3"))) static uint16_t scan_ssse3(const ps_bytegate *g, const unsigned char *u, size_t n)
{
    const __m128i lo0 = _mm_loadu_si128((const __m128i *)g->lo[0]);
    const __m128i hi0 = _mm_loadu_si128((const __m128i *)g->hi[0]);
    const __m128i lo1 = _mm_loadu_si128((const __m128i *)g->lo[1]);
    const __m128i hi1 = _mm_loadu_si128((const __m128i *)g->hi[1]);
    const __m128i nib = _mm_set1_epi8(0x0f);
    __m128i acc0 = _mm_setzero_si128(), acc1 = _mm_setzero_si128();
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(u + i));
        __m128i l = _mm_and_si128(v, nib);
        __m128i h = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
        acc0 = _mm_or_si128(acc0, _mm_and_si128(_mm_shuffle_epi8(lo0, l), _mm_shuffle_epi8(hi0, h)));
        acc1 = _mm_or_si128(acc1, _mm_and_si128(_mm_shuffle_epi8(lo1, l), _mm_shuffle_epi8(hi1, h)));
    }
    /* OR the 16 lanes together. */
    acc0 = _mm_or_si128(acc0, _mm_srli_si128(acc0, 8));
    acc0 = _mm_or_si128(acc0, _mm_srli_si128(acc0, 4));
    acc0 = _mm_or_si128(acc0, _mm_srli_si128(acc0, 2));
    acc0 = _mm_or_si128(acc0, _mm_srli_si128(acc0, 1));
    acc1 = _mm_or_si128(acc1, _mm_srli_si128(acc1, 8));
    acc1 = _mm_or_si128(acc1, _mm_srli_si128(acc1, 4));
    acc1 = _mm_or_si128(acc1, _mm_srli_si128(acc1, 2));
    acc1 = _mm_or_si128(acc1, _mm_srli_si128(acc1, 1));
    uint16_t bits = (uint16_t)((_mm_cvtsi128_si32(acc0) & 0xff) | ((_mm_cvtsi128_si32(acc1) & 0xff) << 8));
    return (uint16_t)(bits | scan_scalar(g, u + i, n - i));
}
#endif

uint16_t bytegate_scan(const ps_bytegate *g, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
#ifdef PS_HAVE_SHUFTI
    if (g->simd && n >= 16)
        return scan_ssse3(g, u, n);
#endif
    return scan_scalar(g, u, n);
}
