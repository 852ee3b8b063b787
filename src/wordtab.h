/* wordtab.h — a table of short words (two bytes or more, ASCII case ignored), each in a numbered set (< 64), and
 * "which sets have a word starting here?" at one position: a bigram map, a hash of the first three bytes, then a
 * binary search on the first two bytes and a comparison of the rest. litscan finds the positions worth asking about;
 * the engine uses one table for its word gates and one for its record prefilter. */
#ifndef PS_WORDTAB_H
#define PS_WORDTAB_H

#include "litscan.h"

#include <stddef.h>
#include <stdint.h>

typedef struct ps_wordref {
    uint16_t bigram;
    uint8_t set;
    uint8_t bucket; /* its fingerprint bucket (litscan_buckets, over the whole table) */
    const char *w; /* lower-cased, borrowed */
    size_t len;
} ps_wordref;

typedef struct ps_wordtab {
    uint64_t any_bigram[1024];   /* bit (a << 8 | b) for the first two bytes of some word */
    uint64_t short_bigram[1024]; /* the bigrams that are whole two-byte words */
    uint64_t tri_hash[1024];     /* a hash of the first three bytes of every longer word */
    ps_wordref *words;           /* sorted by bigram after wordtab_finish */
    size_t n, cap;
    /* After wordtab_finish, the words of the r-th distinct bigram (in order) are words[first[r] .. first[r + 1]),
     * and a bigram's r is rank_base[bg >> 6] plus the any_bigram bits below it in its word: no search. */
    uint16_t rank_base[1024];
    uint32_t *first;
    /* Sets whose words count only as whole words: where a word's first (last) byte is a letter or digit, the byte
     * before (after) it is not one ("phone" is not in "iPhone", "tel" not in "Intel"). The text's ends count as
     * word ends: a caller that passes part of a text finds more, never fewer. Set before wordtab_finish, which
     * gives the words that can then only start a word buckets of their own (litscan_buckets). */
    uint64_t whole_words;
} ps_wordtab;

void wordtab_init(ps_wordtab *t);
void wordtab_free(ps_wordtab *t);

/* Adds a lower-cased word of two or more bytes to set `set` (< 64). The text is borrowed: it must outlive the
 * table. @return 0, or -1 when out of memory. */
int wordtab_add(ps_wordtab *t, const char *w, size_t len, unsigned set);

/* Call once after the last wordtab_add. @return 0, or -1 when out of memory. */
int wordtab_finish(ps_wordtab *t);

/* The sets (bitmap) of the words that start at u[i] and end by u[n], leaving out the sets in `skip` (of the sets in
 * whole_words, the words that stand alone there). */
uint64_t wordtab_at(const ps_wordtab *t, const unsigned char *u, size_t n, size_t i, uint64_t skip);

/* Fills `out` with the fingerprint filter of the words of `sets`. */
void wordtab_lits(const ps_wordtab *t, uint64_t sets, ps_litscan *out);

#endif
