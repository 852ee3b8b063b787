/* rungate.c — see rungate.h. */
#include "rungate.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_AVX2 1
#endif

enum { ROW_ALPHABET, ROW_DIGITS, ROW_RUN, ROW_LANE, ROW_LANE_LEN, ROW_MIN_LEN, ROW_GROUP, RUNGATE_ROWS };

static inline uint8_t cap255(size_t v)
{
    return (uint8_t)(v < 255 ? v : 255);
}

int rungate_init(ps_rungate *g, size_t n_rules)
{
    memset(g, 0, sizeof *g);
    g->n = n_rules;
    g->digit_lane = RUNGATE_NONE;
    g->stride = (n_rules + 31) / 32 * 32;
    if (g->stride && !(g->need = calloc(RUNGATE_ROWS, g->stride)))
        return -1;
    for (size_t i = 0; i < g->stride; i++) /* no needs: the lanes whose counts pass anything */
        g->need[ROW_ALPHABET * g->stride + i] = g->need[ROW_LANE * g->stride + i] = RUNGATE_NONE;
#ifdef PS_HAVE_AVX2
    __builtin_cpu_init();
    g->avx2 = __builtin_cpu_supports("avx2");
#endif
    return 0;
}

void rungate_free(ps_rungate *g)
{
    if (g)
        free(g->need);
}

void rungate_set(ps_rungate *g, size_t i, unsigned alphabet, unsigned min_digits, unsigned min_run, unsigned lane,
                 unsigned run_len, size_t min_len)
{
    uint8_t *row = g->need + i;
    row[ROW_ALPHABET * g->stride] = alphabet < RUNGATE_NONE ? (uint8_t)alphabet : RUNGATE_NONE;
    row[ROW_DIGITS * g->stride] = alphabet < RUNGATE_NONE ? cap255(min_digits) : 0;
    row[ROW_RUN * g->stride] = alphabet < RUNGATE_NONE ? cap255(min_run) : 0;
    row[ROW_LANE * g->stride] = lane < RUNGATE_NONE ? (uint8_t)lane : RUNGATE_NONE;
    row[ROW_LANE_LEN * g->stride] = lane < RUNGATE_NONE ? cap255(run_len) : 0;
    row[ROW_MIN_LEN * g->stride] = cap255(min_len); /* a record of 255 bytes or more passes: looser, never wrong */
}

void rungate_set_group(ps_rungate *g, size_t i, unsigned min_group)
{
    g->need[ROW_GROUP * g->stride + i] = g->digit_lane < RUNGATE_NONE ? cap255(min_group) : 0;
}

#ifdef PS_HAVE_AVX2
/* counts[idx] for 32 lane indexes (0..32; 32 reads whatever: its needs are 0). */
__attribute__((target("avx2"))) static inline __m256i lookup(__m256i lo, __m256i hi, __m256i idx)
{
    __m256i upper = _mm256_cmpgt_epi8(idx, _mm256_set1_epi8(15));
    return _mm256_blendv_epi8(_mm256_shuffle_epi8(lo, idx), _mm256_shuffle_epi8(hi, idx), upper);
}

__attribute__((target("avx2"))) static inline __m256i at_least(__m256i have, __m256i need)
{
    return _mm256_cmpeq_epi8(_mm256_max_epu8(have, need), have);
}

__attribute__((target("avx2"))) static void apply_avx2(const ps_rungate *g, const uint8_t *digits,
                                                        const uint8_t *lens, size_t len, uint64_t *open)
{
    __m256i dlo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)digits));
    __m256i dhi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(digits + 16)));
    __m256i llo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)lens));
    __m256i lhi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(lens + 16)));
    __m256i len8 = _mm256_set1_epi8((char)cap255(len));
    __m256i group = _mm256_set1_epi8((char)lens[g->digit_lane]); /* the most digits in a row */
    for (size_t i = 0; i < g->stride; i += 32) {
        const uint8_t *p = g->need + i;
#define ROW(r) _mm256_loadu_si256((const __m256i *)(p + (r) * g->stride))
        __m256i alpha = ROW(ROW_ALPHABET), lane = ROW(ROW_LANE);
        __m256i ok = _mm256_and_si256(at_least(lookup(dlo, dhi, alpha), ROW(ROW_DIGITS)),
                                      at_least(lookup(llo, lhi, alpha), ROW(ROW_RUN)));
        ok = _mm256_and_si256(ok, at_least(lookup(llo, lhi, lane), ROW(ROW_LANE_LEN)));
        ok = _mm256_and_si256(ok, at_least(len8, ROW(ROW_MIN_LEN)));
        ok = _mm256_and_si256(ok, at_least(group, ROW(ROW_GROUP)));
#undef ROW
        uint64_t fail = (uint32_t)~_mm256_movemask_epi8(ok);
        open[i >> 6] &= ~(fail << (i & 63)); /* 32 rules: half of a bitmap word */
    }
}
#endif

void rungate_apply(const ps_rungate *g, uint8_t digits[DIGITRUNS_MAX + 1], uint8_t lens[DIGITRUNS_MAX + 1],
                   size_t len, uint64_t *open)
{
    digits[RUNGATE_NONE] = lens[RUNGATE_NONE] = 255;
#ifdef PS_HAVE_AVX2
    if (g->avx2) {
        apply_avx2(g, digits, lens, len, open);
        return;
    }
#endif
    uint8_t len8 = cap255(len), group = lens[g->digit_lane];
    for (size_t w = 0; w < (g->n + 63) / 64; w++) {
        uint64_t keep = 0;
        for (uint64_t b = open[w]; b; b &= b - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(b);
            const uint8_t *p = g->need + (w << 6) + bit;
#define NEED(r) p[(r) * g->stride]
            keep |= (uint64_t)((digits[NEED(ROW_ALPHABET)] >= NEED(ROW_DIGITS)) &
                               (lens[NEED(ROW_ALPHABET)] >= NEED(ROW_RUN)) &
                               (lens[NEED(ROW_LANE)] >= NEED(ROW_LANE_LEN)) & (len8 >= NEED(ROW_MIN_LEN)) &
                               (group >= NEED(ROW_GROUP)))
                    << bit;
#undef NEED
        }
        open[w] = keep;
    }
}
