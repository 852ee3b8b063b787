/* litscan.h — where in a text may one of many short words start (ASCII case ignored)? A SIMD fingerprint filter
 * after Hyperscan's "Teddy": each word's first LITSCAN_WIDTH bytes are split into nibbles, and a word of bucket b may
 * start at position i only if bit b is set in lo[k][low nibble of p[i+k]] & hi[k][high nibble of p[i+k]] for every
 * k < LITSCAN_WIDTH. Sixteen positions cost eight PSHUFB. Candidates are only "may start": the caller compares the
 * words there. Four bytes, not three: the fourth halves the candidates of the default packs' words in prose.
 * The nibble products of a bucket's words make its false candidates; litscan_buckets spreads words over the eight
 * buckets so that those products cover few of the bytes of ordinary text. */
#ifndef PS_LITSCAN_H
#define PS_LITSCAN_H

#include "byteset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LITSCAN_WIDTH 4 /* bytes of each word that the fingerprint looks at */

typedef struct ps_litscan {
    uint8_t lo[LITSCAN_WIDTH][16], hi[LITSCAN_WIDTH][16];
    int n_words;
    uint8_t used; /* the buckets that hold a word */
    /* The buckets whose every word counts only at a word's start (a whole word that begins with an ASCII letter or
     * digit, litscan_add_word_start): no candidate of theirs is reported where the byte before is one. In text two
     * in three fingerprint candidates are inside a word ("tel" in "hotel"). */
    uint8_t start_only;
    int simd; /* 2: the CPU has AVX2, 1: SSSE3, 0: neither */
    /* Optional, borrowed: a 65536-bit map of the words' first two bytes (lower-cased, as ps_wordtab.any_bigram).
     * Candidates whose bigram is not in it are dropped in the scan loop, before found() is called. */
    const uint64_t *bigrams;
    /* Optional too, with bigrams: the bigrams that are two-byte words, and a 65536-bit map of litscan_tri_hash of
     * the first three bytes of the longer words (as ps_wordtab's). A candidate that is neither is dropped as well:
     * on log lines seven in ten of those the bigrams let through ("pos" of "POST", "con" of "connect"). */
    const uint64_t *short_bigrams, *trigrams;
} ps_litscan;

/* 16 bits from three lower-cased bytes. */
static inline unsigned litscan_tri_hash(unsigned a, unsigned b, unsigned c)
{
    return ((a * 0x9E37u) ^ (b * 0x85EBu) ^ (c * 0xC2B3u) ^ (a << 7) ^ (c >> 1)) & 0xFFFFu;
}

static inline bool litscan_map_has(const uint64_t *m, unsigned b)
{
    return (m[b >> 6] >> (b & 63)) & 1;
}

/* Can a word of a table start at u[i], by its maps (ps_wordtab's: the words' bigrams, the bigrams that are words,
 * the hash of the longer words' first three bytes; trigrams may be NULL)? `third`: u[i + 2] is part of the text,
 * which a word longer than two bytes needs. u[i + 1] must be readable. */
static inline bool litscan_may_start(const uint64_t *bigrams, const uint64_t *short_bigrams, const uint64_t *trigrams,
                                     const unsigned char *u, size_t i, bool third)
{
    unsigned a = ascii_lower(u[i]), b = ascii_lower(u[i + 1]), bg = a << 8 | b;
    if (!litscan_map_has(bigrams, bg))
        return false;
    return !trigrams || litscan_map_has(short_bigrams, bg) ||
           (third && litscan_map_has(trigrams, litscan_tri_hash(a, b, ascii_lower(u[i + 2]))));
}

void litscan_init(ps_litscan *t);

#define LITSCAN_BUCKETS 8

/* Adds a word of two or more bytes (its first bytes lower-case ASCII or any non-letter) to bucket `bucket`
 * (< LITSCAN_BUCKETS), e.g. as litscan_buckets chose. */
void litscan_add(ps_litscan *t, const char *w, size_t len, unsigned bucket);

/* The same for a word that counts only where the byte before it, if any, is not an ASCII letter or digit (a whole
 * word whose first byte is one). A bucket whose words all came this way reports only such places. */
void litscan_add_word_start(ps_litscan *t, const char *w, size_t len, unsigned bucket);

/* Chooses a bucket for each of n words (as litscan_add takes them) so that few positions of ordinary text (English
 * prose, logs, code) are false candidates: greedily, the words whose fingerprints are commonest first, each into
 * the bucket whose nibble products it widens least. Words flagged in start_only (NULL: none) are to be added with
 * litscan_add_word_start: they get buckets of their own, which let through a word's starts only (a fifth of the
 * places in text). The same words give the same buckets. @return 0, or -1 when out of memory. */
int litscan_buckets(const char *const *w, const size_t *len, const bool *start_only, size_t n, uint8_t *bucket);

/* Adds every word of `from` to `into` (the filter of a union of word lists; their buckets from one choice). */
void litscan_merge(ps_litscan *into, const ps_litscan *from);

/* Calls found(ctx, i) for every position i in [0, n) where some word may start, in increasing order (a word added
 * by litscan_add_word_start: where p[i - 1] is not an ASCII letter or digit, or i is 0); stops early when found
 * returns non-zero. Reads up to LITSCAN_WIDTH - 1 bytes past p[n - 1]: they must be readable (subjects
 * carry padding, see buf_pad); they can only add candidates near the end, which the caller's comparison rejects. */
void litscan_scan(const ps_litscan *t, const char *p, size_t n, int (*found)(void *ctx, size_t i), void *ctx);

#endif
