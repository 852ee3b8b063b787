/* prefilter.c — see prefilter.h. */
#include "prefilter.h"

#include "byteset.h"

#include <string.h>

#define LOWER_LETTERS ((uint64_t)0x3FFFFFF << ('a' - 64)) /* 'a'..'z' in word 1 of a byte set */
#define RUN_CAP 48 /* runs longer than this are looked for as runs of this length (still necessary) */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_PSHUFB 1
#endif

/* Nibble tables for a byte set: each distinct set of low nibbles (over the high nibbles that have any) gets a bit;
 * past eight, the rest share the last bit, which makes the tables match a superset of the set. */
static void nibble_tables(const uint64_t set[4], uint8_t lo[16], uint8_t hi[16])
{
    uint16_t lows[16] = {0}, seen[8] = {0};
    unsigned n_seen = 0;
    memset(lo, 0, 16);
    memset(hi, 0, 16);
    for (unsigned c = 0; c < 256; c++)
        if (byteset_has(set, c))
            lows[c >> 4] |= (uint16_t)(1u << (c & 15));
    for (unsigned h = 0; h < 16; h++) {
        if (!lows[h])
            continue;
        unsigned b = 0;
        while (b < n_seen && seen[b] != lows[h])
            b++;
        if (b == n_seen) {
            if (n_seen < 8)
                seen[n_seen++] = lows[h];
            else
                b = 7;
        }
        hi[h] |= (uint8_t)(1u << b);
        for (unsigned l = 0; l < 16; l++)
            if (lows[h] & (1u << l))
                lo[l] |= (uint8_t)(1u << b);
    }
    if (n_seen == 8) /* bit 7 stands for the union of every set merged into it */
        for (unsigned h = 0; h < 16; h++)
            if (hi[h] & 0x80)
                for (unsigned l = 0; l < 16; l++)
                    if (lows[h] & (1u << l))
                        lo[l] |= 0x80;
}

void prefilter_init(ps_prefilter *pf)
{
    memset(pf, 0, sizeof *pf);
    wordtab_init(&pf->words);
#ifdef PS_HAVE_PSHUFB
    __builtin_cpu_init();
    pf->simd = __builtin_cpu_supports("avx2") ? 2 : __builtin_cpu_supports("ssse3");
#endif
}

void prefilter_free(ps_prefilter *pf)
{
    if (pf)
        wordtab_free(&pf->words);
}

void prefilter_add_bytes(ps_prefilter *pf, const uint64_t set[4])
{
    byteset_unite(pf->bytes, set);
}

int prefilter_add_word(ps_prefilter *pf, const char *w, size_t len)
{
    return wordtab_add(&pf->words, w, len, 0);
}

int prefilter_add_run(ps_prefilter *pf, const uint64_t set[4], unsigned min_len)
{
    for (unsigned i = 0; i < pf->n_runs; i++) {
        if (!memcmp(pf->runs[i].set, set, sizeof pf->runs[i].set)) {
            if (min_len < pf->runs[i].min_len)
                pf->runs[i].min_len = min_len;
            return 0;
        }
    }
    if (pf->n_runs == PREFILTER_RUNS)
        return -1;
    memcpy(pf->runs[pf->n_runs].set, set, sizeof pf->runs[pf->n_runs].set);
    pf->runs[pf->n_runs++].min_len = min_len;
    return 0;
}

/* The length a kind of run is looked for at. */
static unsigned run_len(const ps_prefilter *pf, unsigned r)
{
    return pf->runs[r].min_len < RUN_CAP ? pf->runs[r].min_len : RUN_CAP;
}

/* What merging runs a and b costs their selectivity: the bytes each gains, and four per byte of length the longer
 * loses (one when even the shorter is long; lengths past RUN_CAP are looked for as RUN_CAP anyway). */
static unsigned merge_loss(const ps_prefilter *pf, unsigned a, unsigned b)
{
    uint64_t u[4];
    for (int k = 0; k < 4; k++)
        u[k] = pf->runs[a].set[k] | pf->runs[b].set[k];
    unsigned la = run_len(pf, a), lb = run_len(pf, b);
    unsigned shorter = la < lb ? la : lb;
    unsigned per_byte = shorter >= 24 ? 1 : 4; /* runs that long are rare whatever their exact length */
    return 2 * byteset_count(u) - byteset_count(pf->runs[a].set) - byteset_count(pf->runs[b].set) + per_byte * (la + lb - 2 * shorter);
}

/* Each kind of run costs its tables and its run test on every block: merge the two that lose least (see merge_loss)
 * until PREFILTER_SCANS remain. The merged run, over the union at the shorter length, is still necessary for both. */
static void merge_runs(ps_prefilter *pf)
{
    while (pf->n_runs > PREFILTER_SCANS) {
        unsigned bi = 0, bj = 1, best = ~0u;
        for (unsigned i = 0; i < pf->n_runs; i++) {
            for (unsigned j = i + 1; j < pf->n_runs; j++) {
                unsigned loss = merge_loss(pf, i, j);
                if (loss < best) {
                    best = loss;
                    bi = i;
                    bj = j;
                }
            }
        }
        byteset_unite(pf->runs[bi].set, pf->runs[bj].set);
        if (pf->runs[bj].min_len < pf->runs[bi].min_len)
            pf->runs[bi].min_len = pf->runs[bj].min_len;
        pf->runs[bj] = pf->runs[--pf->n_runs];
    }
}

int prefilter_finish(ps_prefilter *pf)
{
    merge_runs(pf);
    nibble_tables(pf->bytes, pf->lo, pf->hi);
    if (wordtab_finish(&pf->words))
        return -1;
    wordtab_lits(&pf->words, 1, &pf->lits);
    pf->runs_above_space = pf->n_runs > 0;
    pf->shortest_run = RUN_CAP;
    for (unsigned i = 0; i < pf->n_runs; i++) {
        nibble_tables(pf->runs[i].set, pf->runs[i].lo, pf->runs[i].hi);
        pf->runs_above_space = pf->runs_above_space && !(pf->runs[i].set[0] & (((uint64_t)1 << (' ' + 1)) - 1));
        pf->shortest_run = run_len(pf, i) < pf->shortest_run ? run_len(pf, i) : pf->shortest_run;
    }
    return 0;
}

static inline bool in_tables(const uint8_t lo[16], const uint8_t hi[16], unsigned char c)
{
    return (lo[c & 15] & hi[c >> 4]) != 0;
}

#ifdef PS_HAVE_PSHUFB
/* 16 bits: which of p[0..16) the nibble tables hold. */
__attribute__((target("ssse3"))) static inline unsigned members16(__m128i lo, __m128i hi, const unsigned char *p)
{
    const __m128i nib = _mm_set1_epi8(0x0f);
    __m128i v = _mm_loadu_si128((const __m128i *)p);
    __m128i m = _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, nib)),
                              _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), nib)));
    return ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, _mm_setzero_si128())) & 0xffffu;
}

__attribute__((target("ssse3"))) static size_t next_byte_ssse3(const ps_prefilter *pf, const unsigned char *u,
                                                                size_t n, size_t i)
{
    __m128i lo = _mm_loadu_si128((const __m128i *)pf->lo), hi = _mm_loadu_si128((const __m128i *)pf->hi);
    for (; i < n; i += 16) {
        unsigned m = members16(lo, hi, u + i);
        if (m) {
            size_t at = i + (size_t)__builtin_ctz(m);
            return at < n ? at : n;
        }
    }
    return n;
}

/* 64 bits: which of p[0..64) a run's tables hold. */
__attribute__((target("ssse3"))) static uint64_t members64(__m128i lo, __m128i hi, const unsigned char *p)
{
    return (uint64_t)members16(lo, hi, p) | (uint64_t)members16(lo, hi, p + 16) << 16 |
           (uint64_t)members16(lo, hi, p + 32) << 32 | (uint64_t)members16(lo, hi, p + 48) << 48;
}

#endif

size_t prefilter_next_byte(const ps_prefilter *pf, const char *p, size_t n, size_t from)
{
    const unsigned char *u = (const unsigned char *)p;
#ifdef PS_HAVE_PSHUFB
    if (pf->simd)
        return next_byte_ssse3(pf, u, n, from);
#endif
    for (size_t i = from; i < n; i++)
        if (in_tables(pf->lo, pf->hi, u[i]))
            return i;
    return n;
}

struct first_word {
    const ps_wordtab *t;
    const unsigned char *u;
    size_t n, base, at;
};

static int word_here(void *ctx, size_t i)
{
    struct first_word *c = ctx;
    if (!wordtab_at(c->t, c->u, c->n, c->base + i, 0))
        return 0;
    c->at = c->base + i;
    return 1;
}

size_t prefilter_next_word(const ps_prefilter *pf, const char *p, size_t n, size_t from)
{
    if (!pf->words.n || from >= n)
        return n;
    struct first_word c = {&pf->words, (const unsigned char *)p, n, from, n};
    litscan_scan(&pf->lits, p + from, n - from, word_here, &c);
    return c.at;
}


/* Bit i: p[i] is in run r's set, for i < 64 (a window may read up to 64 bytes past the text: padding). With AVX2
 * the pass of every kind at once (prefilter_next_runs) is taken instead: this serves the other CPUs, and tests. */
static uint64_t run_members(const ps_prefilter *pf, unsigned r, const unsigned char *p)
{
    uint64_t m = 0;
#ifdef PS_HAVE_PSHUFB
    if (pf->simd)
        return members64(_mm_loadu_si128((const __m128i *)pf->runs[r].lo),
                         _mm_loadu_si128((const __m128i *)pf->runs[r].hi), p);
#endif
    for (unsigned k = 0; k < 64; k++)
        m |= (uint64_t)in_tables(pf->runs[r].lo, pf->runs[r].hi, p[k]) << k;
    return m;
}

/* Bit i * g of the result (for each aligned group of g = 4, 8 or 16 bits): the group of m is all ones (g = 0: none). */
static inline uint64_t whole_groups(uint64_t m, unsigned g)
{
    static const uint64_t grid[17] = {[4] = 0x1111111111111111u, [8] = 0x0101010101010101u,
                                      [16] = 0x0001000100010001u};
    m &= m >> 1;
    m &= m >> 2;
    if (g >= 8)
        m &= m >> 4;
    if (g >= 16)
        m &= m >> 8;
    return m & grid[g];
}

/* The bytes of run r among the 64 at u + w, but none at or past n. */
static inline uint64_t block_members(const ps_prefilter *pf, unsigned r, const unsigned char *u, size_t n, size_t w)
{
    uint64_t m = run_members(pf, r, u + w);
    return n - w < 64 ? m & (((uint64_t)1 << (n - w)) - 1) : m;
}

/* The first start of a run of len (<= 64) in [from, n), windows overlapping by len - 1 (one block of members at a
 * time is cheaper here than runscan's pairs of blocks: prose has few long runs to step through). */
static size_t next_run_exact(const ps_prefilter *pf, unsigned r, const unsigned char *u, size_t n, size_t from,
                             unsigned len)
{
    size_t stride = 64 - len + 1;
    for (size_t w = from; w < n; w += stride) {
        uint64_t starts = bits_run_starts(block_members(pf, r, u, n, w), 0, len);
        if (starts)
            return w + (size_t)__builtin_ctzll(starts);
    }
    return n;
}

/* A run of len >= 2g - 1 holds a whole group of the g-byte grid from `from`; the first whole group of a run is fewer
 * than g bytes from its start. So each byte is read once, and only near a whole group of run bytes (rare for long
 * runs) is the run looked for exactly. g = 0: exactly everywhere. */
static size_t next_run(const ps_prefilter *pf, unsigned r, const unsigned char *u, size_t n, size_t from, unsigned len,
                       unsigned g)
{
    if (!g)
        return next_run_exact(pf, r, u, n, from, len);
    for (size_t w = from; w < n; w += 64) {
        for (uint64_t full = whole_groups(block_members(pf, r, u, n, w), g); full; full &= full - 1) {
            size_t at = w + (size_t)__builtin_ctzll(full), lo = at - from >= g ? at - g + 1 : from;
            size_t hi = at + len < n ? at + len : n;
            size_t s = next_run_exact(pf, r, u, hi, lo, len);
            if (s < hi)
                return s;
        }
    }
    return n;
}

size_t prefilter_next_run(const ps_prefilter *pf, unsigned r, const char *p, size_t n, size_t from)
{
    const unsigned char *u = (const unsigned char *)p;
    unsigned len = run_len(pf, r);
    if (len <= 1)
        return from < n ? from : n;
    if (from >= n || n - from < len)
        return n; /* no room for one (a short JSON value): not worth a block */
    /* Not with eight-byte groups of a set that holds lower-case letters: words of eight letters are everywhere in
     * prose, and each would be looked at twice. */
    unsigned g = len >= 31 ? 16 : len >= 15 && !(pf->runs[r].set[1] & LOWER_LETTERS) ? 8 : 0;
    return next_run(pf, r, u, n, from, len, g);
}

/* ---------------------------------------------------------------- every kind of run in one pass */

/* The widest aligned grid of g-byte groups (g = 4, 8 or 16) that a run of len >= 2g - 1 must hold a whole group of,
 * or 0 for none (a short run). */
static unsigned group_of(unsigned len)
{
    unsigned g = 4;
    while (g < 16 && 4 * g - 1 <= len)
        g *= 2;
    return len >= 2 * g - 1 ? g : 0;
}

#ifdef PS_HAVE_PSHUFB
/* One kind of run in the one pass: its tables, its length, and its grid (kind_starts). */
typedef struct run_kind {
    __m256i lo, hi;
    unsigned len;
    unsigned g;     /* its grid's group, 4, 8 or 16 bytes; 0 for none (a short run is looked for anywhere) */
    uint64_t first; /* the next block's first group; 0 when there is no grid, which passes every block */
} run_kind;

__attribute__((target("avx2"))) static void run_kind_init(run_kind *k, const uint8_t lo[16], const uint8_t hi[16],
                                                          unsigned len)
{
    memset(k, 0, sizeof *k);
    k->lo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)lo));
    k->hi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)hi));
    k->len = len;
    k->g = group_of(len);
    k->first = k->g ? ((uint64_t)1 << k->g) - 1 : 0;
}

/* Which of the 64 bytes whose nibbles are (l0, h0, l1, h1) the tables hold. */
static inline __attribute__((always_inline, target("avx2"))) uint64_t
kind_members(__m256i lo, __m256i hi, __m256i l0, __m256i h0, __m256i l1, __m256i h1)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i x0 = _mm256_and_si256(_mm256_shuffle_epi8(lo, l0), _mm256_shuffle_epi8(hi, h0));
    __m256i x1 = _mm256_and_si256(_mm256_shuffle_epi8(lo, l1), _mm256_shuffle_epi8(hi, h1));
    uint32_t a = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x0, zero));
    uint32_t b = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x1, zero));
    return (uint64_t)b << 32 | a;
}

/* The members of each kind of run among the 64 bytes at u + w, none at or past n: the bytes are loaded and split into
 * nibbles once for all three. */
static inline __attribute__((always_inline, target("avx2"))) void
runs_block(const run_kind *k, const unsigned char *u, size_t n, size_t w, uint64_t m[3])
{
    const __m256i nib = _mm256_set1_epi8(0x0f);
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(u + w));
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(u + w + 32));
    __m256i l0 = _mm256_and_si256(v0, nib), h0 = _mm256_and_si256(_mm256_srli_epi16(v0, 4), nib);
    __m256i l1 = _mm256_and_si256(v1, nib), h1 = _mm256_and_si256(_mm256_srli_epi16(v1, 4), nib);
    uint64_t keep = n - w < 64 ? ((uint64_t)1 << (n - w)) - 1 : ~(uint64_t)0;
    m[0] = kind_members(k[0].lo, k[0].hi, l0, h0, l1, h1) & keep;
    m[1] = kind_members(k[1].lo, k[1].hi, l0, h0, l1, h1) & keep;
    m[2] = kind_members(k[2].lo, k[2].hi, l0, h0, l1, h1) & keep;
}

/* Where kind k's runs start in the block whose members are cur (next: the block after): at least the first start of
 * each, which is all the pass takes (its lowest bit). A run of len >= 2g - 1 holds a whole group of the g-byte grid,
 * in this block or first in the next: only a block with one is looked at exactly (a run of 20 holds 8 aligned bytes
 * of its set: few blocks of prose, even for letters). */
static inline uint64_t kind_starts(const run_kind *k, uint64_t cur, uint64_t next)
{
    /* k->g is the same for every block of a pass: whole_groups' branches are predicted */
    if (!whole_groups(cur, k->g) && (next & k->first) != k->first)
        return 0;
    /* The runs inside the block, in one word; then the one its last bytes start, which the next block may finish. */
    uint64_t starts = bits_run_starts(cur, 0, k->len);
    unsigned top = cur == ~(uint64_t)0 ? 64 : (unsigned)__builtin_clzll(~cur);
    unsigned on = next == ~(uint64_t)0 ? 64 : (unsigned)__builtin_ctzll(~next);
    if (top && top < k->len && top + on >= k->len)
        starts |= (uint64_t)1 << (64 - top);
    return starts;
}

/* Which of the 64 bytes at u + w are above the space, none at or past n. */
static inline __attribute__((always_inline, target("avx2"))) uint64_t above_space(const unsigned char *u, size_t n,
                                                                                  size_t w)
{
    const __m256i space = _mm256_set1_epi8(' ');
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(u + w));
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(u + w + 32));
    uint32_t a = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(v0, space), v0));
    uint32_t b = ~(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(v1, space), v1));
    uint64_t keep = n - w < 64 ? ((uint64_t)1 << (n - w)) - 1 : ~(uint64_t)0;
    return ((uint64_t)b << 32 | a) & keep;
}

/* prefilter_next_runs with AVX2: a block and the next at a time, so that a run crossing into the next block is seen
 * from the block it starts in. Kinds of run that are not there have empty tables (they find nothing). When every kind
 * is made of bytes above the space, a block where no stretch of them as long as the shortest kind starts is passed
 * on that alone (two compares for 32 bytes, where the kinds' tables cost a dozen operations each). */
__attribute__((target("avx2"))) static size_t next_runs_avx2(const ps_prefilter *pf, const unsigned char *u,
                                                              size_t n, size_t from)
{
    static const uint8_t none[16];
    _Static_assert(PREFILTER_SCANS == 3, "one run_kind per kind of run");
    run_kind k[3];
    for (unsigned r = 0; r < 3; r++)
        run_kind_init(&k[r], r < pf->n_runs ? pf->runs[r].lo : none, r < pf->n_runs ? pf->runs[r].hi : none,
                      r < pf->n_runs ? run_len(pf, r) : 2);
    uint64_t cur[3] = {0}, next[3] = {0};
    bool have_cur = false; /* cur holds the kinds' members of the block at w */
    uint64_t above = pf->runs_above_space ? above_space(u, n, from) : 0;
    for (size_t w = from;; w += 64) {
        bool more = n - w > 64;
        if (pf->runs_above_space) {
            uint64_t above_next = more ? above_space(u, n, w + 64) : 0;
            bool too_short = !bits_run_starts(above, above_next, pf->shortest_run);
            above = above_next;
            if (too_short) {
                if (!more)
                    return n;
                have_cur = false;
                continue;
            }
        }
        if (!have_cur)
            runs_block(k, u, n, w, cur);
        if (more)
            runs_block(k, u, n, w + 64, next);
        else
            next[0] = next[1] = next[2] = 0;
        uint64_t starts = kind_starts(&k[0], cur[0], next[0]) | kind_starts(&k[1], cur[1], next[1]) |
                          kind_starts(&k[2], cur[2], next[2]);
        if (starts)
            return w + (size_t)__builtin_ctzll(starts);
        if (!more)
            return n;
        memcpy(cur, next, sizeof cur);
        have_cur = true;
    }
}
#endif

size_t prefilter_next_runs(const ps_prefilter *pf, const char *p, size_t n, size_t from)
{
    if (from >= n || !pf->n_runs)
        return n;
    if (pf->shortest_run <= 1) /* a run of one byte of its set, or of none: anywhere */
        return from;
    if (n - from < pf->shortest_run)
        return n; /* no room for one (a short JSON value): not worth a block */
#ifdef PS_HAVE_PSHUFB
    if (pf->simd > 1)
        return next_runs_avx2(pf, (const unsigned char *)p, n, from);
#endif
    size_t at = n;
    for (unsigned r = 0; r < pf->n_runs; r++) {
        size_t s = prefilter_next_run(pf, r, p, n, from);
        at = s < at ? s : at;
    }
    return at;
}
