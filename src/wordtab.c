/* wordtab.c — see wordtab.h. */
#include "wordtab.h"

#include "byteset.h"

#include <stdlib.h>
#include <string.h>

void wordtab_init(ps_wordtab *t)
{
    memset(t, 0, sizeof *t);
}

void wordtab_free(ps_wordtab *t)
{
    if (t) {
        free(t->words);
        free(t->first);
    }
}

static inline void set_bit(uint64_t *m, unsigned b)
{
    m[b >> 6] |= (uint64_t)1 << (b & 63);
}

int wordtab_add(ps_wordtab *t, const char *w, size_t len, unsigned set)
{
    if (len < 2 || set >= 64)
        return 0;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        ps_wordref *v = realloc(t->words, cap * sizeof *v);
        if (!v)
            return -1;
        t->words = v;
        t->cap = cap;
    }
    const unsigned char *u = (const unsigned char *)w;
    unsigned bg = u[0] << 8 | u[1];
    set_bit(t->any_bigram, bg);
    if (len == 2)
        set_bit(t->short_bigram, bg);
    else
        set_bit(t->tri_hash, litscan_tri_hash(u[0], u[1], u[2]));
    t->words[t->n++] = (ps_wordref){(uint16_t)bg, (uint8_t)set, 0, w, len};
    return 0;
}

/* Does word w count only where no ASCII letter or digit comes before it: a whole word that begins with one? */
static bool at_word_start_only(const ps_wordtab *t, const ps_wordref *w)
{
    return ((t->whole_words >> w->set) & 1) && ascii_alnum((unsigned char)w->w[0]);
}

static int cmp_ref(const void *a, const void *b)
{
    const ps_wordref *x = a, *y = b;
    return (x->bigram > y->bigram) - (x->bigram < y->bigram);
}

int wordtab_finish(ps_wordtab *t)
{
    if (!t->n)
        return 0;
    qsort(t->words, t->n, sizeof *t->words, cmp_ref);
    /* The index of each distinct bigram's first word, in the order of the bigrams, and the ranks of the bitmap. */
    if (!(t->first = malloc((t->n + 1) * sizeof *t->first)))
        return -1;
    size_t distinct = 0;
    for (size_t k = 0; k < t->n; k++)
        if (k == 0 || t->words[k].bigram != t->words[k - 1].bigram)
            t->first[distinct++] = (uint32_t)k;
    t->first[distinct] = (uint32_t)t->n;
    unsigned below = 0;
    for (size_t k = 0; k < 1024; k++) {
        t->rank_base[k] = (uint16_t)below;
        below += popcount64(t->any_bigram[k]);
    }
    /* One bucket per word for the whole table, so that the filters of any of its sets merge into the filter of
     * their union (litscan_merge). */
    const char **w = malloc(t->n * sizeof *w);
    size_t *len = malloc(t->n * sizeof *len);
    uint8_t *bucket = malloc(t->n);
    bool *start_only = malloc(t->n * sizeof *start_only);
    int st = w && len && bucket && start_only ? 0 : -1;
    for (size_t k = 0; !st && k < t->n; k++) {
        w[k] = t->words[k].w;
        len[k] = t->words[k].len;
        start_only[k] = at_word_start_only(t, &t->words[k]);
    }
    if (!st)
        st = litscan_buckets(w, len, start_only, t->n, bucket);
    for (size_t k = 0; !st && k < t->n; k++)
        t->words[k].bucket = bucket[k];
    free(w);
    free(len);
    free(bucket);
    free(start_only);
    return st;
}

uint64_t wordtab_at(const ps_wordtab *t, const unsigned char *u, size_t n, size_t i, uint64_t skip)
{
    if (i + 1 >= n)
        return 0;
    /* Common English bigrams start many words: a third byte rules most of those out, unless the bigram is itself
     * a word. */
    if (!litscan_may_start(t->any_bigram, t->short_bigram, t->tri_hash, u, i, i + 2 < n))
        return 0;
    unsigned bg = ascii_lower(u[i]) << 8 | ascii_lower(u[i + 1]);
    uint64_t below = t->any_bigram[bg >> 6] & (((uint64_t)1 << (bg & 63)) - 1);
    size_t r = t->rank_base[bg >> 6] + popcount64(below);
    uint64_t found = 0;
    for (size_t k = t->first[r]; k < t->first[r + 1]; k++) {
        const ps_wordref *w = &t->words[k];
        if (((found | skip) >> w->set) & 1 || w->len > n - i)
            continue;
        size_t j = 2;
        while (j < w->len && ascii_lower(u[i + j]) == (unsigned char)w->w[j])
            j++;
        if (j < w->len)
            continue;
        bool joined = (i > 0 && ascii_joined((unsigned char)w->w[0], u[i - 1])) ||
                      (i + j < n && ascii_joined((unsigned char)w->w[j - 1], u[i + j]));
        if (!joined || !((t->whole_words >> w->set) & 1)) /* a whole word, or a set whose words need not be */
            found |= (uint64_t)1 << w->set;
    }
    return found;
}

void wordtab_lits(const ps_wordtab *t, uint64_t sets, ps_litscan *out)
{
    litscan_init(out);
    out->bigrams = t->any_bigram;
    out->short_bigrams = t->short_bigram;
    out->trigrams = t->tri_hash;
    for (size_t k = 0; k < t->n; k++) {
        const ps_wordref *w = &t->words[k];
        if (!((sets >> w->set) & 1))
            continue;
        if (at_word_start_only(t, w))
            litscan_add_word_start(out, w->w, w->len, w->bucket);
        else
            litscan_add(out, w->w, w->len, w->bucket);
    }
}
