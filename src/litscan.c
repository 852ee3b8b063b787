/* litscan.c — see litscan.h. */
#include "litscan.h"

#include "byteset.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_TEDDY 1
#endif

void litscan_init(ps_litscan *t)
{
    memset(t, 0, sizeof *t);
    t->start_only = 0xFF; /* no bucket holds a word that may start anywhere, yet */
#ifdef PS_HAVE_TEDDY
    __builtin_cpu_init();
    t->simd = __builtin_cpu_supports("avx2") ? 2 : __builtin_cpu_supports("ssse3");
#endif
}

/* The (lo, hi) nibble bits of fingerprint byte c, its upper case included: a word's bytes are lower-case, the text
 * may be in any case, and 'a'..'z' differ from 'A'..'Z' in the high nibble only. */
static void nibbles_of(unsigned c, uint16_t *lo, uint16_t *hi)
{
    *lo |= (uint16_t)(1u << (c & 15));
    *hi |= (uint16_t)(1u << (c >> 4));
    if (c >= 'a' && c <= 'z')
        *hi |= (uint16_t)(1u << ((c - 32) >> 4));
}

/* Position k of word w as nibble masks: a word shorter than the fingerprint takes any byte there. */
static void word_nibbles(const char *w, size_t len, int k, uint16_t *lo, uint16_t *hi)
{
    if ((size_t)k < len) {
        nibbles_of((unsigned char)w[k], lo, hi);
    } else {
        *lo = 0xFFFF;
        *hi = 0xFFFF;
    }
}

void litscan_add_word_start(ps_litscan *t, const char *w, size_t len, unsigned bucket)
{
    uint8_t bit = (uint8_t)(1u << (bucket % LITSCAN_BUCKETS));
    t->n_words++;
    t->used |= bit;
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        uint16_t lo = 0, hi = 0;
        word_nibbles(w, len, k, &lo, &hi);
        for (int x = 0; x < 16; x++) {
            if ((lo >> x) & 1)
                t->lo[k][x] |= bit;
            if ((hi >> x) & 1)
                t->hi[k][x] |= bit;
        }
    }
}

void litscan_add(ps_litscan *t, const char *w, size_t len, unsigned bucket)
{
    litscan_add_word_start(t, w, len, bucket);
    t->start_only &= (uint8_t)~(1u << (bucket % LITSCAN_BUCKETS));
}

/* How often byte c turns up in ordinary text, roughly (per 10 000 bytes): English letters by their frequency,
 * capitals a twentieth of that, spaces, digits and punctuation. Only the ratios matter. */
static double text_freq(unsigned c)
{
    static const unsigned short letter[26] = {820, 150, 280, 430, 1270, 220, 200, 610, 700, 15,  80,  400, 240,
                                               670, 750, 190, 10,  600, 630, 910, 280, 100, 240, 15,  200, 7};
    if (c >= 'a' && c <= 'z')
        return letter[c - 'a'] * 0.75;
    if (c >= 'A' && c <= 'Z')
        return letter[c - 'A'] * 0.04;
    if (c == ' ')
        return 1600;
    if ((c >= '0' && c <= '9') || c == '.' || c == ',' || c == '\n')
        return 60;
    return c >= 0x21 && c < 0x7F ? 8 : 1;
}

/* text_freq summed by high nibble h and a half of the low-nibble mask: half[k][h][m] is the share of the bytes
 * h << 4 | (8k + l) for the bits l of m. A mask's share is then two lookups per high nibble instead of a walk of
 * every pair (choosing buckets asks it some 100 000 times at start-up). */
typedef struct share_tab {
    double half[2][16][256];
} share_tab;

static void share_tab_fill(share_tab *t)
{
    for (unsigned k = 0; k < 2; k++)
        for (unsigned h = 0; h < 16; h++) {
            t->half[k][h][0] = 0;
            for (unsigned m = 1; m < 256; m++) { /* the mask less its lowest bit, and that bit's byte */
                unsigned low = 8 * k + (unsigned)__builtin_ctz(m);
                t->half[k][h][m] = t->half[k][h][m & (m - 1)] + text_freq(h << 4 | low);
            }
        }
}

/* The share of text bytes that nibble masks let through at one position. */
static double mask_share(const share_tab *t, uint16_t lo, uint16_t hi)
{
    double share = 0;
    for (unsigned h = hi; h; h &= h - 1) {
        unsigned b = (unsigned)__builtin_ctz(h);
        share += t->half[0][b][lo & 0xFF] + t->half[1][b][lo >> 8];
    }
    return share;
}

struct by_cost {
    double cost;
    size_t i;
};

static int cmp_by_cost(const void *a, const void *b)
{
    const struct by_cost *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The buckets as they fill: nibble masks per position, and the share of text each position lets through. A bucket's
 * cost, the product of its shares, is the part of text positions it makes candidates of (up to a constant). */
typedef struct bucket_fill {
    uint16_t lo[LITSCAN_WIDTH], hi[LITSCAN_WIDTH];
    double share[LITSCAN_WIDTH];
} bucket_fill;

/* Bucket f's cost with word w added (its shares in share[]). */
static double cost_with(const share_tab *tab, const bucket_fill *f, const char *w, size_t len,
                        double share[LITSCAN_WIDTH])
{
    double cost = 1;
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        uint16_t lo = f->lo[k], hi = f->hi[k];
        word_nibbles(w, len, k, &lo, &hi);
        share[k] = lo == f->lo[k] && hi == f->hi[k] ? f->share[k] : mask_share(tab, lo, hi);
        cost *= share[k];
    }
    return cost;
}

/* The share of a start-only bucket's candidates that are at a word's start (a quarter to a third, in English prose
 * and in logs): what its fingerprint cost counts for when the buckets are shared out between the kinds. */
#define WORD_START_SHARE 0.3

/* Puts the words of order[0..n) of kind `start` (start_only, or not) into buckets [lo, hi), greedily: the commonest
 * fingerprints first, each where it widens the bucket's nibble products least. @return the buckets' summed cost. */
static double fill_buckets(const share_tab *tab, const char *const *w, const size_t *len, const bool *start_only,
                           const struct by_cost *order, size_t n, bool start, unsigned lo, unsigned hi,
                           uint8_t *bucket)
{
    bucket_fill fill[LITSCAN_BUCKETS];
    double cost[LITSCAN_BUCKETS], total = 0;
    for (unsigned b = lo; b < hi; b++) {
        fill[b] = (bucket_fill){{0}, {0}, {0}};
        cost[b] = 0;
    }
    for (size_t o = 0; o < n; o++) {
        size_t i = order[o].i;
        if ((start_only && start_only[i]) != start)
            continue;
        unsigned best = lo;
        double best_cost = 0, best_share[LITSCAN_WIDTH] = {0};
        for (unsigned b = lo; b < hi; b++) {
            double share[LITSCAN_WIDTH];
            double c = cost_with(tab, &fill[b], w[i], len[i], share);
            if (b == lo || c - cost[b] < best_cost - cost[best]) {
                best = b;
                best_cost = c;
                memcpy(best_share, share, sizeof share);
            }
        }
        bucket[i] = (uint8_t)best;
        cost[best] = best_cost;
        for (int k = 0; k < LITSCAN_WIDTH; k++) {
            word_nibbles(w[i], len[i], k, &fill[best].lo[k], &fill[best].hi[k]);
            fill[best].share[k] = best_share[k];
        }
    }
    for (unsigned b = lo; b < hi; b++)
        total += cost[b];
    return total;
}

int litscan_buckets(const char *const *w, const size_t *len, const bool *start_only, size_t n, uint8_t *bucket)
{
    struct by_cost *order = malloc((n ? n : 1) * sizeof *order);
    uint8_t *trial = malloc(n ? n : 1);
    share_tab *tab = malloc(sizeof *tab);
    if (!order || !trial || !tab) {
        free(order);
        free(trial);
        free(tab);
        return -1;
    }
    share_tab_fill(tab);
    const bucket_fill empty = {{0}, {0}, {0}};
    size_t starts = 0; /* start-only words */
    for (size_t i = 0; i < n; i++) {
        double share[LITSCAN_WIDTH];
        order[i] = (struct by_cost){cost_with(tab, &empty, w[i], len[i], share), i};
        starts += start_only && start_only[i];
    }
    qsort(order, n, sizeof *order, cmp_by_cost); /* the commonest fingerprints first */
    if (starts == 0 || starts == n) {
        fill_buckets(tab, w, len, start_only, order, n, starts > 0, 0, LITSCAN_BUCKETS, bucket);
    } else {
        /* Both kinds: the start-only words get buckets [0, s), the others the rest, for the s that lets through the
         * fewest candidates. */
        double best = 0;
        for (unsigned s = 1; s < LITSCAN_BUCKETS; s++) {
            double c = WORD_START_SHARE * fill_buckets(tab, w, len, start_only, order, n, true, 0, s, trial) +
                       fill_buckets(tab, w, len, start_only, order, n, false, s, LITSCAN_BUCKETS, trial);
            if (s == 1 || c < best) {
                best = c;
                memcpy(bucket, trial, n);
            }
        }
    }
    free(order);
    free(trial);
    free(tab);
    return 0;
}

void litscan_merge(ps_litscan *into, const ps_litscan *from)
{
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        for (int x = 0; x < 16; x++) {
            into->lo[k][x] |= from->lo[k][x];
            into->hi[k][x] |= from->hi[k][x];
        }
    }
    into->n_words += from->n_words;
    into->used |= from->used;
    into->start_only &= from->start_only;
    if (!into->bigrams) {
        into->bigrams = from->bigrams;
        into->short_bigrams = from->short_bigrams;
        into->trigrams = from->trigrams;
    }
}

/* Do the bytes at u[i] start as a word does (always, without the maps)? The padding after the text holds u[i + 2]. */
static inline int start_ok(const ps_litscan *t, const unsigned char *u, size_t i)
{
    return !t->bigrams || litscan_may_start(t->bigrams, t->short_bigrams, t->trigrams, u, i, true);
}

static inline unsigned at(const ps_litscan *t, const unsigned char *u, size_t i)
{
    unsigned m = 0xff;
    for (int k = 0; k < LITSCAN_WIDTH; k++)
        m &= (unsigned)(t->lo[k][u[i + (size_t)k] & 15] & t->hi[k][u[i + (size_t)k] >> 4]);
    return m;
}

#ifdef PS_HAVE_TEDDY
/* Hands the candidates of one step (bit k of `bits`: position i + k) to found(). @return non-zero to stop. Inlined
 * into each scan loop, as GCC chose to before start_ok grew: a call per step cost 2 M instructions on 2 MB of logs. */
static inline __attribute__((always_inline)) int report(const ps_litscan *t, const unsigned char *u, size_t i,
                                                        unsigned bits, int (*found)(void *, size_t), void *ctx)
{
    for (; bits; bits &= bits - 1) {
        size_t k = i + (size_t)__builtin_ctz(bits);
        if (start_ok(t, u, k) && found(ctx, k))
            return 1;
    }
    return 0;
}

/* Bit i set where the byte before v's byte i is an ASCII letter or digit: v's own bytes, shifted up one, and for bit
 * 0 `before` (the byte before v). */
__attribute__((target("ssse3"))) static inline unsigned after_alnum16(__m128i v, unsigned before)
{
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0')), l = _mm_sub_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)),
                                                                     _mm_set1_epi8('a'));
    __m128i is = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d),
                              _mm_cmpeq_epi8(_mm_min_epu8(l, _mm_set1_epi8(25)), l));
    return ((unsigned)_mm_movemask_epi8(is) << 1 | before) & 0xffffu;
}

__attribute__((target("avx2"))) static inline unsigned after_alnum32(__m256i v, unsigned before)
{
    __m256i d = _mm256_sub_epi8(v, _mm256_set1_epi8('0')),
            l = _mm256_sub_epi8(_mm256_or_si256(v, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
    __m256i is = _mm256_or_si256(_mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d),
                                 _mm256_cmpeq_epi8(_mm256_min_epu8(l, _mm256_set1_epi8(25)), l));
    return (unsigned)_mm256_movemask_epi8(is) << 1 | before;
}

/* `keep`: the positions of the last block that count (a short text's, see litscan_scan). */
__attribute__((target("ssse3"))) static size_t scan_ssse3(const ps_litscan *t, const unsigned char *u, size_t i,
                                                           size_t n, unsigned keep, int (*found)(void *, size_t),
                                                           void *ctx, int *stop)
{
    __m128i lo[LITSCAN_WIDTH], hi[LITSCAN_WIDTH];
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        lo[k] = _mm_loadu_si128((const __m128i *)t->lo[k]);
        hi[k] = _mm_loadu_si128((const __m128i *)t->hi[k]);
    }
    const __m128i nib = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
    const uint8_t so = t->start_only & t->used;
    const __m128i so_v = _mm_set1_epi8((char)so);
    /* Blocks of 16 positions; the last, when shorter, is the 16 that end at n, less those already looked at. */
    for (size_t j = i; i < n && n >= 16; i = j += 16) {
        unsigned skip = 0;
        if (j + 16 > n) {
            skip = (unsigned)(i - (n - 16));
            j = n - 16;
        }
        __m128i m = _mm_set1_epi8(-1), v0 = _mm_loadu_si128((const __m128i *)(u + j));
#pragma GCC unroll 4
        for (int k = 0; k < LITSCAN_WIDTH; k++) {
            __m128i v = k ? _mm_loadu_si128((const __m128i *)(u + j + (size_t)k)) : v0;
            __m128i l = _mm_and_si128(v, nib), h = _mm_and_si128(_mm_srli_epi16(v, 4), nib);
            m = _mm_and_si128(m, _mm_and_si128(_mm_shuffle_epi8(lo[k], l), _mm_shuffle_epi8(hi[k], h)));
        }
        unsigned bits = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero)) & (0xffffu << skip) &
                        (j + 16 >= n ? keep : 0xffffu);
        if (bits && so) { /* where a letter or digit comes before, only plain buckets' candidates count */
            unsigned loose = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_andnot_si128(so_v, m), zero));
            bits &= loose | ~after_alnum16(v0, j > 0 && ascii_alnum(u[j - 1]));
        }
        if (bits && report(t, u, j, bits, found, ctx)) {
            *stop = 1;
            return n;
        }
    }
    return i;
}

/* The same, 32 positions per step (PSHUFB works within each 16-byte lane: the tables are in both). */
__attribute__((target("avx2"))) static size_t scan_avx2(const ps_litscan *t, const unsigned char *u, size_t i,
                                                         size_t n, int (*found)(void *, size_t), void *ctx, int *stop)
{
    __m256i lo[LITSCAN_WIDTH], hi[LITSCAN_WIDTH];
    for (int k = 0; k < LITSCAN_WIDTH; k++) {
        lo[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->lo[k]));
        hi[k] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->hi[k]));
    }
    const __m256i nib = _mm256_set1_epi8(0x0f), zero = _mm256_setzero_si256();
    const uint8_t so = t->start_only & t->used;
    const __m256i so_v = _mm256_set1_epi8((char)so);
    /* As scan_ssse3, 32 positions at a time. */
    for (size_t j = i; i < n && n >= 32; i = j += 32) {
        unsigned skip = 0;
        if (j + 32 > n) {
            skip = (unsigned)(i - (n - 32));
            j = n - 32;
        }
        __m256i m = _mm256_set1_epi8(-1), v0 = _mm256_loadu_si256((const __m256i *)(u + j));
#pragma GCC unroll 4 /* the tables stay in registers (a loop kept them on the stack: a third of the cost) */
        for (int k = 0; k < LITSCAN_WIDTH; k++) {
            __m256i v = k ? _mm256_loadu_si256((const __m256i *)(u + j + (size_t)k)) : v0;
            __m256i l = _mm256_and_si256(v, nib), h = _mm256_and_si256(_mm256_srli_epi16(v, 4), nib);
            m = _mm256_and_si256(m, _mm256_and_si256(_mm256_shuffle_epi8(lo[k], l), _mm256_shuffle_epi8(hi[k], h)));
        }
        unsigned bits = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero)) & (~0u << skip);
        if (bits && so) { /* as scan_ssse3 */
            unsigned loose = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_andnot_si256(so_v, m), zero));
            bits &= loose | ~after_alnum32(v0, j > 0 && ascii_alnum(u[j - 1]));
        }
        if (bits && report(t, u, j, bits, found, ctx)) {
            *stop = 1;
            return n;
        }
    }
    return i;
}
#endif

void litscan_scan(const ps_litscan *t, const char *p, size_t n, int (*found)(void *ctx, size_t i), void *ctx)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t i = 0;
    if (!t->n_words)
        return;
#ifdef PS_HAVE_TEDDY
    if (t->simd && n < 16) {
        /* Shorter than a step (a JSON id or label, a line of `seq`): one step over a zero-padded copy, whose
         * positions from n on do not count. The byte loop below cost about 75 instructions a position (JSONL
         * records: 900 for each 12-byte id). Zero bytes start no word; the copy holds the bytes the steps read. */
        unsigned char pad[16 + LITSCAN_WIDTH];
        memset(pad, 0, sizeof pad);
        memcpy(pad, u, n);
        int stop = 0;
        (void)scan_ssse3(t, pad, 0, 16, n ? (1u << n) - 1 : 0, found, ctx, &stop);
        return;
    }
    if (t->simd) {
        int stop = 0;
        if (t->simd > 1)
            i = scan_avx2(t, u, 0, n, found, ctx, &stop);
        if (stop)
            return;
        i = scan_ssse3(t, u, i, n, 0xffffu, found, ctx, &stop); /* (the tail of the AVX2 loop) */
        if (stop)
            return;
    }
#endif
    for (; i < n; i++)
        if (at(t, u, i) && start_ok(t, u, i) && found(ctx, i))
            return;
}
