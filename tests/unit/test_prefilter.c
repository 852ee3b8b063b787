/* test_prefilter.c — the chunk prefilter and its parts (litscan, wordtab, prefilter, digitruns) against naive
 * references on random inputs, and the whole pipeline (which skips records before the next trigger) against each
 * record scrubbed alone. A trigger that is too tight lets PII through, so every check here is "never later than
 * the truth" and, where the contract is exact, "equal to the truth". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "digitruns.h"
#include "engine.h"
#include "litscan.h"
#include "piiscrub.h"
#include "prefilter.h"
#include "rules.h"
#include "rungate.h"
#include "runscan.h"
#include "wordtab.h"
#include "test_rng.h"
#include "test_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAD 80 /* readable bytes after every text (the contracts allow reading up to 64 past the end) */

/* ---------------------------------------------------------------- helpers */


static unsigned char lc(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static bool ieq(const unsigned char *a, const char *w, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (lc(a[k]) != (unsigned char)w[k])
            return false;
    return true;
}

static bool in_set(const uint64_t s[4], unsigned c)
{
    return (s[c >> 6] >> (c & 63)) & 1;
}

static void set_add(uint64_t s[4], unsigned c)
{
    s[c >> 6] |= (uint64_t)1 << (c & 63);
}

/* A text buffer: the text at an odd offset (unaligned loads) with PAD bytes after it, zero or random. */
typedef struct text {
    unsigned char *base, *p;
    size_t n;
} text;

static text text_new(rng *r, size_t n, bool random_pad)
{
    text t;
    size_t off = below(r, 16);
    t.base = malloc(off + n + PAD);
    assert_non_null(t.base);
    t.p = t.base + off;
    t.n = n;
    memset(t.base, 0, off + n + PAD);
    if (random_pad)
        for (size_t i = 0; i < PAD; i++)
            t.p[n + i] = (unsigned char)rnd(r);
    return t;
}

static void text_free(text *t)
{
    free(t->base);
}

static const char word_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.:/@#'`[{";

/* A lower-cased word of 2..12 bytes; a small alphabet (sometimes) makes shared prefixes and bigrams common. */
static size_t rand_word(rng *r, char *w, bool small)
{
    size_t len = 2 + below(r, 11);
    size_t nc = small ? 4 : sizeof word_chars - 1;
    for (size_t k = 0; k < len; k++)
        w[k] = word_chars[below(r, (unsigned)nc)];
    w[len] = 0;
    return len;
}

/* Random text bytes: mixed-case letters, digits, punctuation, some high bytes. */
static unsigned char rand_byte(rng *r)
{
    static const char pool[] = "abcdABCDxyzXYZ0123456789 -_.:/@#'`[{\n\t";
    unsigned k = below(r, 20);
    if (k == 0)
        return (unsigned char)(0x80 + below(r, 128));
    if (k == 1)
        return (unsigned char)below(r, 256);
    return (unsigned char)pool[below(r, sizeof pool - 1)];
}

/* Copies w into p with random letter case. */
static void plant(rng *r, unsigned char *p, const char *w, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        unsigned char c = (unsigned char)w[k];
        p[k] = c >= 'a' && c <= 'z' && below(r, 2) ? (unsigned char)(c - 32) : c;
    }
}

typedef struct wordlist {
    char w[24][16];
    size_t len[24];
    unsigned set[24];
    bool start_only[24]; /* counts only where no ASCII letter or digit comes before it (litscan_add_word_start) */
    size_t n;
} wordlist;

static void rand_words(rng *r, wordlist *wl, size_t n)
{
    bool small = below(r, 3) == 0;
    wl->n = n;
    for (size_t k = 0; k < n; k++) {
        wl->len[k] = rand_word(r, wl->w[k], small);
        wl->set[k] = below(r, 6) == 0 ? below(r, 64) : below(r, 4);
        wl->start_only[k] = false;
    }
}

static bool alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static text rand_text_with(rng *r, const wordlist *wl, size_t n)
{
    text t = text_new(r, n, below(r, 2));
    for (size_t i = 0; i < n; i++)
        t.p[i] = rand_byte(r);
    for (unsigned k = below(r, 12); k-- && wl->n;) {
        size_t w = below(r, (unsigned)wl->n);
        if (wl->len[w] <= n)
            plant(r, t.p + below(r, (unsigned)(n - wl->len[w] + 1)), wl->w[w], wl->len[w]);
    }
    if (wl->n && n >= 2 && below(r, 2)) { /* a word cut by the end of the text */
        size_t w = below(r, (unsigned)wl->n), keep = 1 + below(r, (unsigned)wl->len[w] - 1);
        if (keep <= n)
            plant(r, t.p + n - keep, wl->w[w], keep);
    }
    return t;
}

/* ---------------------------------------------------------------- litscan */

typedef struct hits {
    size_t at[1024];
    size_t n;
    size_t stop_after; /* found() returns 1 on this call (1-based); 0 = never */
    size_t limit;      /* positions must be below this */
    bool bad;
} hits;

static int collect(void *ctx, size_t i)
{
    hits *h = ctx;
    if (i >= h->limit || (h->n && i <= h->at[h->n - 1]) || h->n == sizeof h->at / sizeof h->at[0]) {
        h->bad = true; /* out of range, not increasing, or called after the early stop */
        return 1;
    }
    h->at[h->n++] = i;
    return h->stop_after && h->n == h->stop_after;
}

static bool hit_has(const hits *h, size_t i)
{
    for (size_t k = 0; k < h->n; k++)
        if (h->at[k] == i)
            return true;
    return false;
}

static void check_litscan(const ps_litscan *ls, const wordlist *wl, const text *t)
{
    hits h = {.limit = t->n};
    litscan_scan(ls, (const char *)t->p, t->n, collect, &h);
    assert_false(h.bad);
    for (size_t i = 0; i < t->n; i++) {
        for (size_t k = 0; k < wl->n; k++) {
            if (wl->start_only[k] && i > 0 && alnum(t->p[i - 1]))
                continue; /* inside a word: it does not count here */
            if (wl->len[k] <= t->n - i && ieq(t->p + i, wl->w[k], wl->len[k]) && !hit_has(&h, i)) {
                fail_msg("litscan missed word '%s' at %zu (simd %d, n %zu)", wl->w[k], i, ls->simd, t->n);
            }
        }
    }
    /* Early stop: the first k candidates again, and not one call more. */
    if (h.n) {
        size_t k = 1 + (size_t)(h.at[0] % h.n);
        hits g = {.limit = t->n, .stop_after = k};
        litscan_scan(ls, (const char *)t->p, t->n, collect, &g);
        assert_false(g.bad);
        assert_int_equal(g.n, k);
        assert_memory_equal(g.at, h.at, k * sizeof h.at[0]);
    }
}

/* The buckets of a word list: litscan_buckets' choice, or (every third list) any buckets at all, which must find
 * every word just the same. */
static void pick_buckets(rng *r, const wordlist *wl, uint8_t *bucket)
{
    if (below(r, 3) == 0) {
        for (size_t k = 0; k < wl->n; k++)
            bucket[k] = (uint8_t)below(r, LITSCAN_BUCKETS);
        return;
    }
    const char *w[24];
    for (size_t k = 0; k < wl->n; k++)
        w[k] = wl->w[k];
    assert_int_equal(litscan_buckets(w, wl->len, wl->start_only, wl->n, bucket), 0);
    for (size_t k = 0; k < wl->n; k++)
        assert_true(bucket[k] < LITSCAN_BUCKETS);
}

static void test_litscan_random(void **state)
{
    (void)state;
    rng r = {0x9E3779B97F4A7C15u};
    for (int iter = 0; iter < 3000; iter++) {
        wordlist wl;
        rand_words(&r, &wl, 1 + below(&r, 20));
        if (iter % 2) /* some words count only at a word's start (a whole word's first letter) */
            for (size_t k = 0; k < wl.n; k++)
                wl.start_only[k] = below(&r, 2) && alnum((unsigned char)wl.w[k][0]);
        uint8_t bucket[24];
        pick_buckets(&r, &wl, bucket);
        ps_litscan ls;
        litscan_init(&ls);
        for (size_t k = 0; k < wl.n; k++)
            (wl.start_only[k] ? litscan_add_word_start : litscan_add)(&ls, wl.w[k], wl.len[k], bucket[k]);
        size_t n = below(&r, 8) == 0 ? below(&r, 20) : below(&r, 400);
        text t = rand_text_with(&r, &wl, n);
        int simd = ls.simd;
        check_litscan(&ls, &wl, &t);
        ls.simd = 0; /* the portable loop too */
        check_litscan(&ls, &wl, &t);
        ls.simd = simd;
        text_free(&t);
    }
}

/* litscan_buckets: words of the same fingerprint share a bucket; the commonest fingerprints of English get a bucket
 * each (sharing one would make a candidate of every byte their nibbles cross into); the choice is repeatable. */
static void test_litscan_buckets(void **state)
{
    (void)state;
    const char *w[] = {"the", "and", "ing", "her", "you", "was", "for", "thee", "password", "passwd", "pass"};
    size_t len[11];
    for (int k = 0; k < 11; k++)
        len[k] = strlen(w[k]);
    uint8_t b[11], again[11];
    assert_int_equal(litscan_buckets(w, len, NULL, 11, b), 0);
    for (int i = 0; i < 7; i++)
        for (int j = i + 1; j < 7; j++)
            if (b[i] == b[j])
                fail_msg("'%s' and '%s' share bucket %u", w[i], w[j], b[i]);
    assert_int_equal(b[7], b[0]);  /* "thee" is "the" to the fingerprint */
    assert_int_equal(b[9], b[8]);  /* so are "passwd" and "password" */
    assert_int_equal(b[10], b[8]); /* and "pass" */
    assert_int_equal(litscan_buckets(w, len, NULL, 11, again), 0);
    assert_memory_equal(b, again, sizeof b);
    assert_int_equal(litscan_buckets(w, len, NULL, 0, b), 0);
}

static void test_litscan_merge(void **state)
{
    (void)state;
    rng r = {12345};
    for (int iter = 0; iter < 500; iter++) {
        wordlist a, b, all;
        rand_words(&r, &a, 1 + below(&r, 10));
        rand_words(&r, &b, 1 + below(&r, 10));
        all = a;
        for (size_t k = 0; k < b.n; k++) {
            memcpy(all.w[all.n], b.w[k], sizeof b.w[k]);
            all.len[all.n++] = b.len[k];
        }
        for (size_t k = 0; k < all.n; k++) /* a start-only word and a plain one may share a bucket: it is plain */
            all.start_only[k] = below(&r, 2) && alnum((unsigned char)all.w[k][0]);
        uint8_t bucket[24];
        pick_buckets(&r, &all, bucket); /* chosen over the union, as a wordtab does */
        ps_litscan la, lb;
        litscan_init(&la);
        litscan_init(&lb);
        for (size_t k = 0; k < all.n; k++)
            (all.start_only[k] ? litscan_add_word_start : litscan_add)(k < a.n ? &la : &lb, all.w[k], all.len[k],
                                                                        bucket[k]);
        litscan_merge(&la, &lb);
        assert_int_equal(la.n_words, (int)all.n);
        text t = rand_text_with(&r, &all, below(&r, 300));
        check_litscan(&la, &all, &t);
        text_free(&t);
    }
}

/* Every case-variant of a word's first bytes, at every offset in a 16-byte block and across block edges. */
static void test_litscan_every_offset(void **state)
{
    (void)state;
    static const char *const words[] = {"ssn", "k9", "@x", "iban", "zz", "`a", "{q", "pass"};
    for (size_t wi = 0; wi < sizeof words / sizeof words[0]; wi++) {
        ps_litscan ls;
        litscan_init(&ls);
        litscan_add(&ls, words[wi], strlen(words[wi]), (unsigned)wi % LITSCAN_BUCKETS);
        size_t len = strlen(words[wi]);
        for (unsigned variant = 0; variant < (1u << len); variant++) {
            for (size_t n = len; n < 70; n++) {
                for (size_t at = 0; at + len <= n; at += 1 + (n > 40) * 2) {
                    unsigned char buf[70 + PAD];
                    memset(buf, '~', sizeof buf);
                    for (size_t k = 0; k < len; k++) {
                        unsigned char c = (unsigned char)words[wi][k];
                        buf[at + k] = (variant >> k) & 1 && c >= 'a' && c <= 'z' ? (unsigned char)(c - 32) : c;
                    }
                    for (int simd = 0; simd < 2; simd++) {
                        ps_litscan l2 = ls;
                        l2.simd = simd && ls.simd;
                        hits h = {.limit = n};
                        litscan_scan(&l2, (const char *)buf, n, collect, &h);
                        assert_false(h.bad);
                        if (!hit_has(&h, at))
                            fail_msg("'%s' variant %u at %zu of %zu missed (simd %d)", words[wi], variant, at, n,
                                     l2.simd);
                    }
                }
            }
        }
    }
}

/* Start-only buckets: their words are reported at a word's start (or the text's), never inside a word, in either SIMD
 * loop, while a plain bucket's word still is; the portable loop may report more, never fewer. */
static void test_litscan_word_starts(void **state)
{
    (void)state;
    static const char line[] = "tel hotel Tel,xtel 9tel _tel compose pos (tel)  tels";
    static const size_t tel[] = {0, 10, 25, 42, 48}, pos[] = {32, 37};
    size_t n = sizeof line - 1;
    unsigned char buf[sizeof line + PAD] = {0};
    memcpy(buf, line, n);
    ps_litscan ls;
    litscan_init(&ls);
    litscan_add_word_start(&ls, "tel", 3, 0);
    litscan_add(&ls, "pos", 3, 1);
    for (int simd = 0; simd <= ls.simd; simd++) {
        for (size_t from = 0; from <= 20; from += 20) { /* the whole line, and a part that starts inside a word */
            ps_litscan l2 = ls;
            l2.simd = simd;
            hits h = {.limit = n - from};
            litscan_scan(&l2, (const char *)buf + from, n - from, collect, &h);
            assert_false(h.bad);
            size_t want = 0;
            for (size_t k = 0; k < 5; k++)
                if (tel[k] >= from) {
                    assert_true(hit_has(&h, tel[k] - from));
                    want++;
                }
            assert_true(hit_has(&h, 0));
            for (size_t k = 0; k < 2; k++)
                assert_true(hit_has(&h, pos[k] - from));
            want += 2 + (from == 20); /* from 20 the text starts with "tel": a start, for it */
            if (simd)
                assert_int_equal(h.n, want);
            else
                assert_true(h.n >= want);
        }
    }
}

static void test_litscan_empty(void **state)
{
    (void)state;
    ps_litscan ls;
    litscan_init(&ls);
    unsigned char buf[64 + PAD] = {0};
    hits h = {.limit = 64};
    litscan_scan(&ls, (const char *)buf, 64, collect, &h);
    assert_int_equal(h.n, 0);
    litscan_add(&ls, "ab", 2, 0);
    litscan_scan(&ls, (const char *)buf, 0, collect, &h);
    assert_int_equal(h.n, 0);
}

/* ---------------------------------------------------------------- wordtab */

/* The sets of the words at u[i]; those of `whole` sets only where they stand alone (a letter or digit at a word's
 * end has none next to it in u[0..n)). */
static uint64_t naive_at(const wordlist *wl, const unsigned char *u, size_t n, size_t i, uint64_t skip, uint64_t whole)
{
    uint64_t found = 0;
    for (size_t k = 0; k < wl->n; k++) {
        size_t m = wl->len[k];
        if ((skip >> wl->set[k]) & 1 || i > n || m > n - i || !ieq(u + i, wl->w[k], m))
            continue;
        bool joined = (i > 0 && alnum((unsigned char)wl->w[k][0]) && alnum(u[i - 1])) ||
                      (i + m < n && alnum((unsigned char)wl->w[k][m - 1]) && alnum(u[i + m]));
        if (!((whole >> wl->set[k]) & 1) || !joined)
            found |= (uint64_t)1 << wl->set[k];
    }
    return found;
}

static void test_wordtab_at(void **state)
{
    (void)state;
    rng r = {777};
    for (int iter = 0; iter < 2000; iter++) {
        wordlist wl;
        rand_words(&r, &wl, 1 + below(&r, 24));
        ps_wordtab wt;
        wordtab_init(&wt);
        for (size_t k = 0; k < wl.n; k++)
            assert_int_equal(wordtab_add(&wt, wl.w[k], wl.len[k], wl.set[k]), 0);
        assert_int_equal(wordtab_finish(&wt), 0);
        wt.whole_words = iter % 2 ? rnd(&r) : 0; /* some sets count their words as whole words only */
        size_t n = below(&r, 200);
        text t = rand_text_with(&r, &wl, n);
        for (int pass = 0; pass < 3; pass++) {
            uint64_t skip = pass == 0 ? 0 : pass == 1 ? rnd(&r) & rnd(&r) : ((uint64_t)1 << below(&r, 4));
            for (size_t i = 0; i <= n; i++) {
                uint64_t want = naive_at(&wl, t.p, n, i, skip, wt.whole_words),
                         got = wordtab_at(&wt, t.p, n, i, skip);
                if (want != got)
                    fail_msg("wordtab_at(i=%zu, n=%zu, skip=%llx) = %llx, want %llx", i, n, (unsigned long long)skip,
                             (unsigned long long)got, (unsigned long long)want);
            }
        }
        /* wordtab_lits: the filter of some sets reports every place a word of those sets starts. */
        uint64_t sets = rnd(&r) | 1;
        ps_litscan ls;
        wordtab_lits(&wt, sets, &ls);
        wordlist sub = {.n = 0};
        for (size_t k = 0; k < wl.n; k++) {
            if ((sets >> wl.set[k]) & 1) {
                memcpy(sub.w[sub.n], wl.w[k], sizeof wl.w[k]);
                sub.start_only[sub.n] = ((wt.whole_words >> wl.set[k]) & 1) && alnum((unsigned char)wl.w[k][0]);
                sub.len[sub.n++] = wl.len[k];
            }
        }
        assert_int_equal(ls.n_words, (int)sub.n);
        check_litscan(&ls, &sub, &t);
        text_free(&t);
        wordtab_free(&wt);
    }
}

/* wordtab_lits hands litscan the table's maps: a candidate whose bigram starts a word but whose first three bytes
 * start none ("tea" for "tel") is not reported, and every word still is. The fingerprint tables are opened wide
 * here, so that the maps alone decide (in a crowded table many buckets let such places through). */
static void test_wordtab_lits_filter_starts(void **state)
{
    (void)state;
    ps_wordtab wt;
    wordtab_init(&wt);
    assert_int_equal(wordtab_add(&wt, "postcode", 8, 0), 0);
    assert_int_equal(wordtab_add(&wt, "tel", 3, 1), 0);
    assert_int_equal(wordtab_add(&wt, "uk", 2, 1), 0);
    assert_int_equal(wordtab_finish(&wt), 0);
    ps_litscan ls;
    wordtab_lits(&wt, 3, &ls);
    memset(ls.lo, 0xFF, sizeof ls.lo);
    memset(ls.hi, 0xFF, sizeof ls.hi);
    static const char line[] = "tea Tel port POSTCODE ukase teapot";
    unsigned char buf[sizeof line + PAD] = {0};
    memcpy(buf, line, sizeof line - 1);
    size_t n = sizeof line - 1;
    for (int simd = 0; simd < 2; simd++) {
        ps_litscan maps = ls, bigrams_only = ls;
        maps.simd = bigrams_only.simd = simd && ls.simd;
        bigrams_only.trigrams = NULL;
        hits with = {.limit = n}, without = {.limit = n};
        litscan_scan(&maps, (const char *)buf, n, collect, &with);
        litscan_scan(&bigrams_only, (const char *)buf, n, collect, &without);
        assert_false(with.bad || without.bad);
        static const size_t want[] = {4, 13, 22}; /* Tel, POSTCODE, uk(ase) */
        assert_int_equal(with.n, 3);
        for (size_t k = 0; k < 3; k++)
            assert_int_equal(with.at[k], want[k]);
        static const size_t more[] = {0, 8, 28, 31}; /* tea, po(rt), tea(pot), (tea)po(t): bigrams of words */
        assert_int_equal(without.n, 7);
        for (size_t k = 0; k < 4; k++)
            assert_true(hit_has(&without, more[k]) && hit_has(&without, want[k % 3]));
    }
    wordtab_free(&wt);
}

/* ---------------------------------------------------------------- prefilter */

static void rand_byteset(rng *r, uint64_t s[4])
{
    memset(s, 0, 4 * sizeof s[0]);
    unsigned kind = below(r, 4), k = kind == 0 ? 1 + below(r, 3) : kind == 1 ? 5 + below(r, 20) : 30 + below(r, 120);
    for (unsigned i = 0; i < k; i++) {
        unsigned c = kind == 3 ? rand_byte(r) : below(r, 256);
        set_add(s, c);
    }
}

/* How many distinct rows (sets of low nibbles) a byte set has: the nibble tables are exact up to 8. */
static unsigned rows(const uint64_t s[4])
{
    uint16_t seen[16];
    unsigned n = 0;
    for (unsigned h = 0; h < 16; h++) {
        uint16_t low = 0;
        for (unsigned l = 0; l < 16; l++)
            if (in_set(s, h << 4 | l))
                low |= (uint16_t)(1u << l);
        if (!low)
            continue;
        unsigned k = 0;
        while (k < n && seen[k] != low)
            k++;
        if (k == n)
            seen[n++] = low;
    }
    return n;
}

static text text_of_set(rng *r, const uint64_t s[4], size_t n)
{
    text t = text_new(r, n, below(r, 2));
    unsigned members[256], m = 0;
    for (unsigned c = 0; c < 256; c++)
        if (in_set(s, c))
            members[m++] = c;
    unsigned density = below(r, 4);
    for (size_t i = 0; i < n; i++) {
        bool member = m && below(r, 100) < (density == 0 ? 2 : density == 1 ? 20 : density == 2 ? 70 : 95);
        t.p[i] = member ? (unsigned char)members[below(r, m)] : rand_byte(r);
    }
    return t;
}

static void test_prefilter_bytes(void **state)
{
    (void)state;
    rng r = {4242};
    for (int iter = 0; iter < 1500; iter++) {
        ps_prefilter pf;
        prefilter_init(&pf);
        uint64_t s[4] = {0}, part[4];
        for (unsigned k = 1 + below(&r, 3); k--;) {
            rand_byteset(&r, part);
            prefilter_add_bytes(&pf, part);
            for (int i = 0; i < 4; i++)
                s[i] |= part[i];
        }
        assert_int_equal(prefilter_finish(&pf), 0);
        bool exact = rows(s) <= 8;
        size_t n = below(&r, 300);
        text t = text_of_set(&r, s, n);
        for (int simd = 0; simd < 2; simd++) {
            ps_prefilter q = pf;
            q.simd = simd && pf.simd;
            size_t want = n;
            for (size_t from = n + 1; from-- > 0;) {
                if (from < n && in_set(s, t.p[from]))
                    want = from;
                size_t got = prefilter_next_byte(&q, (const char *)t.p, n, from);
                if (got > want || (exact && got != want) || got < from || got > n)
                    fail_msg("next_byte(from=%zu, n=%zu) = %zu, want %zu (rows %u, simd %d)", from, n, got, want,
                             rows(s), q.simd);
            }
        }
        text_free(&t);
        prefilter_free(&pf);
    }
}

static size_t naive_next_word(const wordlist *wl, const unsigned char *u, size_t n, size_t from)
{
    for (size_t i = from; i < n; i++)
        for (size_t k = 0; k < wl->n; k++)
            if (wl->len[k] <= n - i && ieq(u + i, wl->w[k], wl->len[k]))
                return i;
    return n;
}

static void test_prefilter_words(void **state)
{
    (void)state;
    rng r = {99};
    for (int iter = 0; iter < 1500; iter++) {
        wordlist wl;
        rand_words(&r, &wl, below(&r, 8) == 0 ? 0 : 1 + below(&r, 24));
        ps_prefilter pf;
        prefilter_init(&pf);
        for (size_t k = 0; k < wl.n; k++)
            assert_int_equal(prefilter_add_word(&pf, wl.w[k], wl.len[k]), 0);
        assert_int_equal(prefilter_finish(&pf), 0);
        size_t n = below(&r, 300);
        text t = rand_text_with(&r, &wl, n);
        for (int simd = 0; simd < 2; simd++) {
            ps_prefilter q = pf;
            q.simd = simd && pf.simd;
            q.lits.simd = simd && pf.lits.simd;
            for (size_t from = 0; from <= n; from++) {
                size_t want = naive_next_word(&wl, t.p, n, from);
                size_t got = prefilter_next_word(&q, (const char *)t.p, n, from);
                if (got != want)
                    fail_msg("next_word(from=%zu, n=%zu) = %zu, want %zu (simd %d)", from, n, got, want, q.simd);
            }
        }
        text_free(&t);
        prefilter_free(&pf);
    }
}

typedef struct runspec {
    uint64_t set[4];
    unsigned len;
} runspec;

/* The first position >= from where a run of `len` bytes of `set` starts within p[0..n), or n. */
static size_t naive_run(const runspec *rs, const unsigned char *u, size_t n, size_t from, unsigned len)
{
    size_t have = 0;
    for (size_t i = from; i < n; i++) {
        have = in_set(rs->set, u[i]) ? have + 1 : 0;
        if (have >= len && len)
            return i + 1 - len;
    }
    return n;
}

static text text_of_runs(rng *r, const runspec *rs, unsigned nr, size_t n)
{
    text t = text_new(r, n, below(r, 2));
    size_t i = 0;
    while (i < n) {
        const runspec *x = &rs[below(r, nr)];
        unsigned members[256], m = 0;
        for (unsigned c = 0; c < 256; c++)
            if (in_set(x->set, c))
                members[m++] = c;
        /* a run of about the wanted length (a bit shorter or longer), then a few other bytes */
        size_t want = x->len + below(r, 5);
        want = want > 3 ? want - 3 : want;
        if (below(r, 3) == 0)
            want = below(r, 130);
        for (size_t k = 0; k < want && i < n && m; k++)
            t.p[i++] = (unsigned char)members[below(r, m)];
        for (unsigned k = below(r, 3); k-- && i < n;)
            t.p[i++] = rand_byte(r);
    }
    return t;
}

static void rand_runspec(rng *r, runspec *x)
{
    static const char *const sets[] = {"0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
                                       "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
                                       "0123456789abcdefABCDEF", "-_.0123456789abcdefghijklmnopqrstuvwxyz"};
    memset(x->set, 0, sizeof x->set);
    if (below(r, 3)) {
        for (const char *c = sets[below(r, 5)]; *c; c++)
            set_add(x->set, (unsigned char)*c);
    } else {
        rand_byteset(r, x->set);
    }
    x->len = 1 + below(r, 70);
}

static void test_prefilter_runs_exact(void **state)
{
    (void)state;
    rng r = {31337};
    for (int iter = 0; iter < 1500; iter++) {
        runspec rs[PREFILTER_SCANS];
        unsigned nr = 1 + below(&r, PREFILTER_SCANS);
        ps_prefilter pf;
        prefilter_init(&pf);
        for (unsigned k = 0; k < nr; k++) {
            rand_runspec(&r, &rs[k]);
            for (unsigned j = 0; j < k; j++) /* equal sets are one kind of run: keep them apart here */
                if (!memcmp(rs[j].set, rs[k].set, sizeof rs[k].set))
                    set_add(rs[k].set, 0x80 + k);
            assert_int_equal(prefilter_add_run(&pf, rs[k].set, rs[k].len), 0);
        }
        assert_int_equal(prefilter_finish(&pf), 0);
        assert_int_equal(pf.n_runs, nr);
        size_t n = below(&r, 400);
        text t = text_of_runs(&r, rs, nr, n);
        for (unsigned k = 0; k < nr; k++) {
            unsigned len = rs[k].len < 48 ? rs[k].len : 48; /* RUN_CAP in prefilter.c */
            bool exact = rows(rs[k].set) <= 8 && len >= 2;
            for (int simd = 0; simd <= pf.simd; simd++) { /* portable, SSSE3, AVX2: each the CPU has */
                ps_prefilter q = pf;
                q.simd = simd;
                for (size_t from = 0; from <= n; from++) {
                    size_t want = naive_run(&rs[k], t.p, n, from, len);
                    size_t got = prefilter_next_run(&q, k, (const char *)t.p, n, from);
                    if (got > want || (exact && got != want) || got < from)
                        fail_msg("next_run(len=%u, from=%zu, n=%zu) = %zu, want %zu (rows %u, simd %d)", rs[k].len,
                                 from, n, got, want, rows(rs[k].set), q.simd);
                }
            }
        }
        /* All kinds in one pass: the first of their runs, the same as the passes of each kind give. */
        for (int simd = 0; simd <= pf.simd; simd++) {
            ps_prefilter q = pf;
            q.simd = simd;
            for (size_t from = 0; from <= n + 1; from++) {
                size_t want = n;
                for (unsigned k = 0; k < nr; k++) {
                    size_t s = prefilter_next_run(&pf, k, (const char *)t.p, n, from);
                    want = s < want ? s : want;
                }
                size_t got = prefilter_next_runs(&q, (const char *)t.p, n, from);
                if (got != want)
                    fail_msg("next_runs(from=%zu, n=%zu) = %zu, want %zu (%u kinds, simd %d)", from, n, got, want, nr,
                             q.simd);
            }
        }
        text_free(&t);
        prefilter_free(&pf);
    }
}

/* More kinds than PREFILTER_SCANS are merged: every original run must still be found no later by some kind. */
static void test_prefilter_runs_merged(void **state)
{
    (void)state;
    rng r = {2718};
    for (int iter = 0; iter < 600; iter++) {
        runspec rs[PREFILTER_RUNS + 1];
        unsigned nr = PREFILTER_SCANS + 1 + below(&r, PREFILTER_RUNS - PREFILTER_SCANS);
        ps_prefilter pf;
        prefilter_init(&pf);
        for (unsigned k = 0; k < nr; k++) {
            if (k && below(&r, 5) == 0) { /* the same set again, at another length */
                rs[k] = rs[below(&r, k)];
                rs[k].len = 1 + below(&r, 70);
            } else {
                rand_runspec(&r, &rs[k]);
            }
            assert_int_equal(prefilter_add_run(&pf, rs[k].set, rs[k].len), 0);
        }
        assert_int_equal(prefilter_finish(&pf), 0);
        assert_true(pf.n_runs <= PREFILTER_SCANS);
        size_t n = below(&r, 300);
        text t = text_of_runs(&r, rs, nr, n);
        for (size_t from = 0; from <= n; from++) {
            size_t best = n;
            for (unsigned k = 0; k < pf.n_runs; k++) {
                size_t got = prefilter_next_run(&pf, k, (const char *)t.p, n, from);
                assert_true(got >= from && got <= n);
                if (got < best)
                    best = got;
            }
            for (unsigned k = 0; k < nr; k++) {
                unsigned len = rs[k].len < 48 ? rs[k].len : 48;
                size_t want = naive_run(&rs[k], t.p, n, from, len);
                if (best > want)
                    fail_msg("merged runs: run %u (len %u) at %zu, but no kind finds one before %zu (from %zu)", k,
                             rs[k].len, want, best, from);
            }
        }
        text_free(&t);
        prefilter_free(&pf);
    }
    /* All PREFILTER_RUNS kinds taken: one more distinct set is refused, an equal one is not. */
    ps_prefilter pf;
    prefilter_init(&pf);
    uint64_t s[4] = {0};
    for (unsigned k = 0; k < PREFILTER_RUNS; k++) {
        memset(s, 0, sizeof s);
        set_add(s, 'a' + k);
        assert_int_equal(prefilter_add_run(&pf, s, 20), 0);
    }
    memset(s, 0, sizeof s);
    set_add(s, '0');
    assert_int_equal(prefilter_add_run(&pf, s, 20), -1);
    memset(s, 0, sizeof s);
    set_add(s, 'a');
    assert_int_equal(prefilter_add_run(&pf, s, 10), 0);
    prefilter_free(&pf);
}

/* A run straddling the 64-byte windows the scan works in, at every offset. */
static void test_prefilter_run_windows(void **state)
{
    (void)state;
    uint64_t s[4] = {0};
    for (char c = '0'; c <= '9'; c++)
        set_add(s, (unsigned char)c);
    for (unsigned len = 2; len <= 70; len++) {
        ps_prefilter pf;
        prefilter_init(&pf);
        assert_int_equal(prefilter_add_run(&pf, s, len), 0);
        assert_int_equal(prefilter_finish(&pf), 0);
        unsigned eff = len < 48 ? len : 48;
        for (size_t at = 0; at < 200; at += 3) {
            unsigned char buf[300 + PAD];
            memset(buf, 'x', sizeof buf);
            size_t n = at + eff + below(&(rng){at * 131 + len + 1}, 20);
            memset(buf + at, '7', eff);
            if (at >= 2)
                memset(buf + at - 2, '5', 1); /* a lone digit before: no run there */
            for (int simd = 0; simd <= pf.simd; simd++) { /* portable, SSSE3, AVX2: each the CPU has */
                ps_prefilter q = pf;
                q.simd = simd;
                for (size_t from = 0; from <= at; from += 1 + from / 16) {
                    assert_int_equal(prefilter_next_run(&q, 0, (const char *)buf, n, from), at);
                    assert_int_equal(prefilter_next_runs(&q, (const char *)buf, n, from), at);
                }
                /* cut one byte short: none */
                assert_int_equal(prefilter_next_run(&q, 0, (const char *)buf, at + eff - 1, 0), at + eff - 1);
                assert_int_equal(prefilter_next_runs(&q, (const char *)buf, at + eff - 1, 0), at + eff - 1);
            }
        }
        prefilter_free(&pf);
    }
}

/* ---------------------------------------------------------------- digitruns */

static unsigned naive_digits(const uint64_t a[4], const unsigned char *u, size_t n)
{
    unsigned best = 0, cur = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in_set(a, u[i]))
            cur = 0;
        else if (u[i] >= '0' && u[i] <= '9')
            cur++;
        if (cur > best)
            best = cur;
    }
    return best > 255 ? 255 : best;
}

static unsigned naive_length(const uint64_t a[4], const unsigned char *u, size_t n)
{
    unsigned best = 0, cur = 0;
    for (size_t i = 0; i < n; i++) {
        cur = in_set(a, u[i]) ? cur + 1 : 0;
        if (cur > best)
            best = cur;
    }
    return best > 255 ? 255 : best;
}

static void test_digitruns(void **state)
{
    (void)state;
    rng r = {5150};
    static const char seps[] = " -./()+,:\t\n_xX";
    for (int iter = 0; iter < 1500; iter++) {
        ps_digitruns d;
        digitruns_init(&d);
        uint64_t al[DIGITRUNS_MAX][4];
        unsigned na = 1 + below(&r, DIGITRUNS_MAX);
        for (unsigned a = 0; a < na; a++) {
            memset(al[a], 0, sizeof al[a]);
            for (char c = '0'; c <= '9'; c++)
                set_add(al[a], (unsigned char)c);
            for (unsigned k = below(&r, 6); k--;)
                set_add(al[a], below(&r, 4) ? (unsigned char)seps[below(&r, sizeof seps - 1)] : below(&r, 256));
            if (below(&r, 8) == 0)
                for (unsigned c = 0x80; c < 0x100; c++)
                    set_add(al[a], c);
            int idx = digitruns_add(&d, al[a]);
            int first = -1;
            for (unsigned b = 0; b < a && first < 0; b++)
                if (!memcmp(al[b], al[a], sizeof al[a]))
                    first = (int)b;
            assert_true(idx >= 0 && (unsigned)idx < d.n);
            if (first >= 0) { /* an equal alphabet is found, not added */
                int want = digitruns_add(&d, al[first]);
                assert_int_equal(idx, want);
            }
        }
        /* map each listed alphabet to its index */
        int index[DIGITRUNS_MAX];
        for (unsigned a = 0; a < na; a++)
            index[a] = digitruns_add(&d, al[a]);
        size_t n = below(&r, 5) == 0 ? 300 + below(&r, 900) : below(&r, 200);
        text t = text_new(&r, n, true);
        for (size_t i = 0; i < n;) {
            unsigned kind = below(&r, 10);
            if (kind == 0 && i + 300 < n) { /* a long run: saturates at 255 */
                size_t m = 256 + below(&r, 300);
                for (size_t k = 0; k < m && i < n; k++)
                    t.p[i++] = (unsigned char)('0' + below(&r, 10));
            } else if (kind < 5) {
                t.p[i++] = (unsigned char)('0' + below(&r, 10));
            } else if (kind < 8) {
                t.p[i++] = (unsigned char)seps[below(&r, sizeof seps - 1)];
            } else {
                t.p[i++] = rand_byte(&r);
            }
        }
        for (int avx2 = 0; avx2 <= d.avx2; avx2++) { /* the SSE2 loop, and the AVX2 one where the CPU has it */
            ps_digitruns v = d;
            v.avx2 = avx2;
            uint8_t digits[DIGITRUNS_MAX], lens[DIGITRUNS_MAX];
            memset(digits, 0xAA, sizeof digits);
            memset(lens, 0xAA, sizeof lens);
            digitruns_count(&v, (const char *)t.p, n, digits, lens, NULL, NULL);
            for (unsigned a = 0; a < na; a++) {
                unsigned want = naive_digits(al[a], t.p, n);
                if (digits[index[a]] != want)
                    fail_msg("digitruns alphabet %u: %u digits, want %u (n %zu)", a, digits[index[a]], want, n);
                want = naive_length(al[a], t.p, n);
                if (lens[index[a]] != want)
                    fail_msg("digitruns alphabet %u: longest run %u, want %u (n %zu)", a, lens[index[a]], want, n);
            }
        }
        text_free(&t);
    }
}

static void test_digitruns_full(void **state)
{
    (void)state;
    ps_digitruns d;
    digitruns_init(&d);
    uint64_t a[4] = {(uint64_t)0x3FF << '0', 0, 0, 0};
    for (unsigned k = 0; k < DIGITRUNS_MAX; k++) {
        uint64_t b[4];
        memcpy(b, a, sizeof b);
        set_add(b, 0x80 + k);
        assert_int_equal(digitruns_add(&d, b), (int)k);
    }
    /* Full: an alphabet inside every lane takes the smallest (all are as small: the first) without changing it. */
    assert_int_equal(digitruns_add(&d, a), 0);
    uint64_t again[4];
    memcpy(again, a, sizeof again);
    set_add(again, 0x85);
    assert_int_equal(digitruns_add(&d, again), 5);
    /* "12\x85" "345" -> alphabet 5 joins both runs (5 digits), the others see 3. */
    const char txt[] = "12\x85"
                        "345 9" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
                        "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
    uint8_t best[DIGITRUNS_MAX], lens[DIGITRUNS_MAX];
    digitruns_count(&d, txt, 8, best, lens, NULL, NULL);
    for (unsigned k = 0; k < DIGITRUNS_MAX; k++)
        assert_int_equal(best[k], k == 5 ? 5 : 3);
    digitruns_count(&d, txt, 0, best, lens, NULL, NULL);
    for (unsigned k = 0; k < DIGITRUNS_MAX; k++) {
        assert_int_equal(best[k], 0);
        assert_int_equal(lens[k], 0);
    }
    /* Full: a byte no lane holds gets no lane (-1), and no lane changes: widening one would weaken the gates of the
     * rules that use it. */
    uint64_t spaced[4];
    memcpy(spaced, a, sizeof spaced);
    set_add(spaced, ' ');
    assert_int_equal(digitruns_add(&d, spaced), -1);
    digitruns_count(&d, txt, 8, best, lens, NULL, NULL);
    for (unsigned k = 0; k < DIGITRUNS_MAX; k++) {
        assert_int_equal(best[k], k == 5 ? 5 : 3);
        assert_int_equal(lens[k], k == 5 ? 6 : 3);
    }
    /* Of the lanes that hold an alphabet, the smallest: with lane 0 three bytes wider than the others, the digits
     * alone take lane 1. */
    ps_digitruns w;
    digitruns_init(&w);
    for (unsigned k = 0; k < DIGITRUNS_MAX; k++) {
        uint64_t b[4];
        memcpy(b, a, sizeof b);
        set_add(b, 0x80 + k);
        if (k == 0) {
            set_add(b, 0xA0);
            set_add(b, 0xA1);
        }
        assert_int_equal(digitruns_add(&w, b), (int)k);
    }
    assert_int_equal(digitruns_add(&w, a), 1);
}

/* ---------------------------------------------------------------- rungate */

/* rungate_apply, AVX2 and portable, against the needs written out: random rules (some without a lane), counts and
 * lengths around the thresholds, any open bitmap. */
/* ---------------------------------------------------------------- runscan */

/* The first counting run of `a` in u[from..n) (see runscan_runs), byte by byte. */
static bool naive_counting_run(const uint64_t a[4], unsigned min_digits, unsigned min_len, unsigned min_group,
                               unsigned min_others, const unsigned char *u, size_t n, size_t from, size_t limit,
                               size_t *rs, size_t *re)
{
    for (size_t i = from; i < n;) {
        if (!in_set(a, u[i])) {
            i++;
            continue;
        }
        size_t s = i;
        unsigned digits = 0, others = 0, row = 0, most = 0; /* digits in a row: now, and the most */
        for (; i < n && in_set(a, u[i]); i++) {
            bool digit = u[i] >= '0' && u[i] <= '9';
            digits += digit;
            others += !digit;
            row = digit ? row + 1 : 0;
            most = row > most ? row : most;
        }
        if (s > limit)
            return false;
        if (digits >= min_digits && i - s >= min_len && most >= min_group && others >= min_others) {
            *rs = s;
            *re = i;
            return true;
        }
    }
    return false;
}

static void test_runscan(void **state)
{
    (void)state;
    rng r = {0xC0FFEE};
    static const char seps[] = " -./()+,:\t\n";
    for (int iter = 0; iter < 3000; iter++) {
        uint64_t al[4] = {0};
        for (char c = '0'; c <= '9'; c++)
            if (below(&r, 12)) /* now and then a digit the alphabet lacks */
                set_add(al, (unsigned char)c);
        for (unsigned k = below(&r, 6); k--;)
            set_add(al, below(&r, 4) ? (unsigned char)seps[below(&r, sizeof seps - 1)] : below(&r, 256));
        if (below(&r, 6) == 0)
            for (unsigned c = 0x80 + below(&r, 64); c < 0x100; c += 1 + below(&r, 3))
                set_add(al, c);
        /* Now and then a rule longer than a block (its window is capped at one) or shorter than its digits. */
        unsigned min_digits = 1 + below(&r, 12), min_len = below(&r, 8) == 0 ? 60 + below(&r, 20)
                                                           : below(&r, 8) == 0 ? below(&r, min_digits)
                                                                               : min_digits + below(&r, 6);
        /* Now and then digits in a row that a run must hold (a US phone number's four). */
        unsigned min_group = below(&r, 3) == 0 ? 2 + below(&r, min_digits + 2) : 0;
        /* Now and then other bytes a run must hold (an IPv4 address's three dots). */
        unsigned min_others = below(&r, 3) == 0 ? 1 + below(&r, 6) : 0;
        ps_runscan rs;
        runscan_init(&rs, al, min_digits, min_len, min_group, min_others);
        /* Exactly n bytes: a read past the end is a sanitizer error. Long texts cross many 64-byte blocks. */
        size_t n = below(&r, 4) == 0 ? 64 + below(&r, 400) : below(&r, 140);
        unsigned char *t = malloc(n ? n : 1);
        assert_non_null(t);
        for (size_t i = 0; i < n;) {
            unsigned kind = below(&r, 10);
            if (kind == 0) { /* a long run of digits and separators, across block edges */
                for (size_t m = 60 + below(&r, 80); m-- && i < n;)
                    t[i++] = below(&r, 3) ? (unsigned char)('0' + below(&r, 10)) : (unsigned char)seps[below(&r, 3)];
            } else if (kind < 5) {
                t[i++] = (unsigned char)('0' + below(&r, 10));
            } else if (kind < 8) {
                t[i++] = (unsigned char)seps[below(&r, sizeof seps - 1)];
            } else {
                t[i++] = (unsigned char)rnd(&r);
            }
        }
        for (int avx2 = 0; avx2 <= rs.avx2; avx2++) { /* the portable loop, and the AVX2 one where the CPU has it */
            ps_runscan v = rs;
            v.avx2 = avx2;
            /* Every run, in order, as the engine walks them; from and limit anywhere. */
            size_t from = below(&r, 3) ? 0 : below(&r, (unsigned)n + 1);
            size_t limit = below(&r, 3) ? n : from + below(&r, (unsigned)(n - from) + 1);
            /* runscan_runs: up to cap of them in one pass, the same as one naive search after another. */
            size_t cap = 1 + below(&r, 6), ls[6], le[6];
            size_t got_n = runscan_runs(&v, (const char *)t, n, from, limit, ls, le, cap), want_n = 0;
            for (size_t at = from, ws, we;
                 want_n < cap &&
                 naive_counting_run(al, min_digits, min_len, min_group, min_others, t, n, at, limit, &ws, &we);
                 at = we, want_n++)
                if (want_n >= got_n || ls[want_n] != ws || le[want_n] != we)
                    fail_msg("iter %d (avx2 %d, group %u, n %zu, from %zu, limit %zu, cap %zu): run %zu of %zu is "
                             "[%zu, %zu), want [%zu, %zu)", iter, avx2, min_group, n, from, limit, cap, want_n, got_n,
                             want_n < got_n ? ls[want_n] : 0, want_n < got_n ? le[want_n] : 0, ws, we);
            assert_int_equal(got_n, want_n);
            for (int k = 0; k < 200; k++) {
                size_t gs = 0, ge = 0, ws = 0, we = 0;
                bool got = runscan_runs(&v, (const char *)t, n, from, limit, &gs, &ge, 1) == 1;
                bool want =
                    naive_counting_run(al, min_digits, min_len, min_group, min_others, t, n, from, limit, &ws, &we);
                if (got != want || (got && (gs != ws || ge != we)))
                    fail_msg("iter %d (avx2 %d, n %zu, from %zu, limit %zu): run %d [%zu, %zu), want %d [%zu, %zu)",
                             iter, avx2, n, from, limit, got, gs, ge, want, ws, we);
                if (!got)
                    break;
                from = below(&r, 3) ? ge : gs + 1 + below(&r, (unsigned)(ge - gs)); /* or mid-run, as after a window */
            }
        }
        free(t);
    }
}

static void test_rungate(void **state)
{
    (void)state;
    rng r = {0x5EED};
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = 1 + below(&r, 150);
        struct { unsigned alpha, digits, run, lane, lane_len, group; size_t min_len; } need[150];
        ps_rungate g;
        assert_int_equal(rungate_init(&g, n), 0);
        g.digit_lane = below(&r, 4) ? below(&r, DIGITRUNS_MAX) : RUNGATE_NONE; /* digits in a row: its runs */
        for (size_t i = 0; i < n; i++) {
            need[i].alpha = below(&r, 3) ? below(&r, DIGITRUNS_MAX) : RUNGATE_NONE;
            need[i].digits = below(&r, 12);
            need[i].run = below(&r, 4) ? below(&r, 20) : 200 + below(&r, 100); /* some past 255 */
            need[i].lane = below(&r, 2) ? below(&r, DIGITRUNS_MAX) : RUNGATE_NONE;
            need[i].lane_len = below(&r, 30);
            need[i].min_len = below(&r, 5) ? below(&r, 40) : 250 + below(&r, 20);
            rungate_set(&g, i, need[i].alpha, need[i].digits, need[i].run, need[i].lane, need[i].lane_len,
                        need[i].min_len);
            need[i].group = below(&r, 3) ? below(&r, 12) : 0;
            rungate_set_group(&g, i, need[i].group);
        }
        uint8_t digits[DIGITRUNS_MAX + 1], lens[DIGITRUNS_MAX + 1];
        for (unsigned a = 0; a < DIGITRUNS_MAX; a++) {
            digits[a] = (uint8_t)below(&r, 14);
            lens[a] = (uint8_t)(below(&r, 8) ? below(&r, 32) : 255);
        }
        size_t len = below(&r, 4) ? below(&r, 50) : 240 + below(&r, 40);
        uint64_t open[3] = {0}, want[3] = {0};
        for (size_t i = 0; i < n; i++) {
            if (below(&r, 4) == 0)
                continue;
            open[i >> 6] |= (uint64_t)1 << (i & 63);
            bool ok = len >= (need[i].min_len < 255 ? need[i].min_len : 255);
            if (need[i].alpha != RUNGATE_NONE)
                ok = ok && digits[need[i].alpha] >= need[i].digits &&
                     lens[need[i].alpha] >= (need[i].run < 255 ? need[i].run : 255);
            if (need[i].lane != RUNGATE_NONE)
                ok = ok && lens[need[i].lane] >= need[i].lane_len;
            if (g.digit_lane != RUNGATE_NONE) /* without a digits' lane, a group is no need */
                ok = ok && lens[g.digit_lane] >= need[i].group;
            if (ok)
                want[i >> 6] |= (uint64_t)1 << (i & 63);
        }
        for (int avx2 = 0; avx2 <= g.avx2; avx2++) {
            ps_rungate v = g;
            v.avx2 = avx2;
            uint64_t got[3];
            memcpy(got, open, sizeof got);
            rungate_apply(&v, digits, lens, len, got);
            for (int w = 0; w < 3; w++)
                if (got[w] != want[w])
                    fail_msg("iter %d, word %d (avx2 %d): open %016llx, want %016llx", iter, w, avx2,
                             (unsigned long long)got[w], (unsigned long long)want[w]);
        }
        rungate_free(&g);
    }
}

/* ---------------------------------------------------------------- end to end */

/* Representative PII lines, in case the packs' examples miss a shape. */
static const char *const pii_lines[] = {
    "contact: john.doe@example.com, cc jane_roe+news@mail.example.co.uk",
    "MAIL TO <Alice.Smith@Sub.Example.ORG> please",
    "call (415) 555-2671 or 415.555.2671 or +1 415 555 2671",
    "Tel: +44 20 7946 0958 / 020 7946 0958",
    "Telefon: +49 (0)30 123456789, Handy 0151 23456789",
    "tél. 01 23 45 67 89 ou +33 1 23 45 67 89",
    "phone +31 6 12345678 and 06-12345678",
    "IBAN: GB82 WEST 1234 5698 7654 32",
    "iban DE89370400440532013000 for the transfer",
    "FR1420041010050500013M02606 and NL91ABNA0417164300",
    "card 4111 1111 1111 1111 exp 12/27",
    "Visa 4012888888881881, MC 5555555555554444, Amex 378282246310005",
    "SSN 123-45-6789 (test), ssn: 078-05-1120",
    "NINO QQ 12 34 56 C and AB123456C",
    "AHV 756.1234.5678.97",
    "codice fiscale RSSMRA85T10A562S",
    "DNI 12345678Z, NIE X1234567L",
    "BSN 111222333, PESEL 44051401359",
    "steuer-id 12 345 678 901",
    "NHS number 943 476 5919",
    "AKIAIOSFODNN7EXAMPLE is the key id",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "token ghp_1234567890abcdefghijABCDEFGHIJ123456 used",
    "glpat-abcdefghij1234567890 in the ci",
    "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    "sk_live_51H8abcdefghijklmnopqrstuvwx",
    "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    "jwt=eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
    "-----BEGIN RSA PRIVATE KEY-----",
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u",
    "-----END RSA PRIVATE KEY-----",
    "from 2001:db8:85a3::8a2e:370:7334 and fe80::1%eth0",
    "client 192.168.1.23 port 51234",
    "mac 00:1A:2B:3C:4D:5E",
    "https://user:hunter2@db.example.com/x",
    "hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    "born 12/03/1985, DOB 1985-03-12",
    "BIC: DEUTDEFF500, swift COBADEFFXXX",
    "routing 021000021 account 12345678",
    "VAT DE123456789, ATU12345678",
    "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93-45-6789 full-width ssn",
    "4111\xc2\xa0" "1111\xc2\xa0" "1111\xc2\xa0" "1111 nbsp card",
    "123-45\xc2\xad-6789 soft hyphen",
    /* no digit and no rare byte: only a long run (or a word) can trigger these */
    "fiscal RSSMRAURTMLARSNL ok",
    "key AKIAIOSFODNNQEXAMPLE here",
    "token ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ used",
};

static const char *const prose[] = {
    "The quick brown fox jumps over the lazy dog.",
    "Meeting notes: we agreed to ship the release next week.",
    "Nothing to see here, just a plain sentence without numbers.",
    "She said: \"keep the change\" and left (quietly).",
    "INFO worker started; queue=default",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit",
    "",
    "   ",
    "a",
    "Version two of the plan; see section four.",
};

typedef struct outbuf {
    char *p;
    size_t n, cap;
} outbuf;

static int sink(void *ctx, const char *p, size_t n)
{
    outbuf *o = ctx;
    if (!n)
        return 0;
    if (o->n + n > o->cap) {
        size_t cap = (o->n + n) * 2;
        char *q = realloc(o->p, cap);
        if (!q)
            return 1;
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
    return 0;
}

typedef struct strvec {
    const char **v;
    size_t n, cap;
} strvec;

static void sv_push(strvec *s, const char *x)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        assert_non_null(s->v);
    }
    s->v[s->n++] = x;
}

typedef struct e2e {
    ps_ruleset *rs;
    ps_engine *e;
    strvec lines; /* borrowed from rs, the tables above and `wide` */
    char *wide[64]; /* full-width copies of pii_lines (owned) */
} e2e;

/* ASCII '!'..'~' as the full-width forms U+FF01..FF5E (which the engine folds back): PII whose only trigger is a
 * non-ASCII byte. */
static char *full_width(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *d = malloc(3 * n + 1);
    assert_non_null(d);
    for (size_t i = 0; i < n; i++) {
        unsigned c = (unsigned char)s[i];
        if (c >= 0x21 && c <= 0x7E) {
            unsigned cp = c + 0xFEE0;
            d[k++] = (char)0xEF;
            d[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            d[k++] = (char)(0x80 | (cp & 0x3F));
        } else {
            d[k++] = (char)c;
        }
    }
    d[k] = 0;
    return d;
}

static int e2e_setup(void **state)
{
    e2e *x = calloc(1, sizeof *x);
    ps_diag d;
    if (!x || ps_ruleset_new(&x->rs) || ps_ruleset_load_builtin(x->rs, &d) ||
        ps_engine_compile(x->rs, NULL, &x->e, &d))
        return -1;
    for (size_t i = 0; i < x->rs->n; i++) {
        const ps_rule *r = &x->rs->rules[i];
        for (size_t k = 0; k < r->ex_match.n; k++)
            sv_push(&x->lines, r->ex_match.v[k]);
        for (size_t k = 0; k < r->ex_no_match.n; k++)
            sv_push(&x->lines, r->ex_no_match.v[k]);
    }
    for (size_t k = 0; k < sizeof pii_lines / sizeof pii_lines[0]; k++) {
        sv_push(&x->lines, pii_lines[k]);
        if (k < sizeof x->wide / sizeof x->wide[0]) {
            x->wide[k] = full_width(pii_lines[k]);
            sv_push(&x->lines, x->wide[k]);
        }
    }
    *state = x;
    return 0;
}

static int e2e_teardown(void **state)
{
    e2e *x = *state;
    ps_engine_free(x->e);
    ps_ruleset_free(x->rs);
    for (size_t k = 0; k < sizeof x->wide / sizeof x->wide[0]; k++)
        free(x->wide[k]);
    free(x->lines.v);
    free(x);
    return 0;
}

static void put(outbuf *o, const void *p, size_t n)
{
    assert_int_equal(sink(o, p, n), 0);
}

static void put_s(outbuf *o, const char *s)
{
    put(o, s, strlen(s));
}

/* One random record (without its separator). Separators inside examples are replaced by `sub`. */
static void rand_record(rng *r, const e2e *x, outbuf *o, char sep)
{
    static const char *const odd[] = {"\xef\xbc\x91", "\xef\xbc\x90", "\xc2\xa0", "\xc2\xad", "\xe2\x80\x8b",
                                      "\xef\xbc\xa0", "\xe2\x80\x93", "\xd9\xa3", "\xff", "\xc3",
                                      "\xe2\x80\x99", "\xe2\x80\x9c", "\xc2\xa9", "\xe2"};
    size_t start = o->n;
    unsigned kind = below(r, 10);
    if (kind < 4) {
        put_s(o, x->lines.v[below(r, (unsigned)x->lines.n)]);
    } else if (kind < 6) {
        put_s(o, prose[below(r, sizeof prose / sizeof prose[0])]);
    } else if (kind < 8) { /* prose around a PII line, look-alikes here and there */
        put_s(o, prose[below(r, sizeof prose / sizeof prose[0])]);
        put_s(o, below(r, 2) ? " " : odd[below(r, sizeof odd / sizeof odd[0])]);
        put_s(o, x->lines.v[below(r, (unsigned)x->lines.n)]);
        put_s(o, below(r, 2) ? ". " : odd[below(r, sizeof odd / sizeof odd[0])]);
        put_s(o, prose[below(r, sizeof prose / sizeof prose[0])]);
    } else if (kind < 9) { /* random bytes and look-alikes */
        for (unsigned k = below(r, 60); k--;) {
            if (below(r, 4) == 0)
                put_s(o, odd[below(r, sizeof odd / sizeof odd[0])]);
            else {
                unsigned char c = rand_byte(r);
                put(o, &c, 1);
            }
        }
    } else { /* a long record (crosses blocks) */
        for (unsigned k = 2 + below(r, 40); k--;) {
            put_s(o, below(r, 3) ? prose[below(r, sizeof prose / sizeof prose[0])]
                                 : x->lines.v[below(r, (unsigned)x->lines.n)]);
            put_s(o, " ");
        }
    }
    for (size_t i = start; i < o->n; i++)
        if (o->p[i] == sep)
            o->p[i] = ' ';
}

static char *make_doc(rng *r, const e2e *x, ps_format fmt, size_t *len)
{
    outbuf o = {0};
    char sep = fmt == PS_FORMAT_NUL ? '\0' : '\n';
    unsigned n = below(r, 10) == 0 ? below(r, 4) : 50 + below(r, 400);
    for (unsigned i = 0; i < n; i++) {
        if (below(r, 12)) /* else an empty record */
            rand_record(r, x, &o, sep);
        if (fmt == PS_FORMAT_TEXT && below(r, 5) == 0)
            put_s(&o, "\r");
        if (i + 1 < n || below(r, 2))
            put(&o, &sep, 1);
    }
    *len = o.n;
    if (!o.p) {
        o.p = malloc(1);
        assert_non_null(o.p);
    }
    return o.p;
}

/* Each record scrubbed alone (fuzz_frame.c's reference). @return the number of records. */
static size_t reference(const ps_engine *e, const char *in, size_t size, ps_format fmt, outbuf *ref)
{
    char sep = fmt == PS_FORMAT_NUL ? '\0' : '\n';
    size_t pos = 0, records = 0;
    while (pos < size) {
        const char *end = memchr(in + pos, sep, size - pos);
        size_t len = end ? (size_t)(end - (in + pos)) : size - pos, body = len;
        if (fmt == PS_FORMAT_TEXT && body && in[pos + body - 1] == '\r')
            body--;
        char *out;
        size_t on;
        int st = ps_scrub(e, in + pos, body, &out, &on);
        assert_true(st == PS_OK || st == PS_E_UNSCANNED);
        put(ref, out, on);
        free(out);
        put(ref, in + pos + body, len - body);
        if (end)
            put(ref, &sep, 1);
        pos += len + (end != NULL);
        records++;
    }
    return records;
}

static void test_end_to_end(void **state)
{
    e2e *x = *state;
    rng r = {0xC0FFEE};
    size_t changed_docs = 0, total_records = 0;
    for (int doc = 0; doc < 24; doc++) {
        ps_format fmt = doc % 2 ? PS_FORMAT_NUL : PS_FORMAT_TEXT;
        size_t size;
        char *in = make_doc(&r, x, fmt, &size);
        outbuf ref = {0};
        size_t records = reference(x->e, in, size, fmt, &ref);
        total_records += records;
        changed_docs += ref.n != size || (size && memcmp(ref.p, in, size) != 0);
        FILE *f = tmpfile();
        assert_non_null(f);
        assert_int_equal(fwrite(in, 1, size, f), size);
        assert_int_equal(fflush(f), 0);
        static const size_t blocks[] = {64, 4096, 0};
        for (unsigned threads = 1; threads <= 2; threads++) {
            for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
                outbuf out = {0};
                ps_stats st;
                run_fd(x->e, fileno(f), fmt, threads, blocks[b], sink, &out, &st);
                if (out.n != ref.n || (ref.n && memcmp(out.p, ref.p, ref.n))) {
                    size_t i = 0;
                    while (i < out.n && i < ref.n && out.p[i] == ref.p[i])
                        i++;
                    size_t ls = i;
                    while (ls && ls + 60 > i && ref.p[ls - 1] != (fmt == PS_FORMAT_NUL ? '\0' : '\n'))
                        ls--;
                    fail_msg("doc %d (fmt %d, threads %u, block %zu): output differs at byte %zu; the record there "
                             "scrubbed alone: \"%.120s\" / ps_run: \"%.120s\"",
                             doc, (int)fmt, threads, blocks[b], i, ref.p + ls, out.p + ls);
                }
                assert_int_equal(st.records, records);
                ps_stats_free(&st);
                free(out.p);
            }
        }
        fclose(f);
        free(ref.p);
        free(in);
    }
    assert_true(changed_docs >= 12); /* the documents hold PII the rules redact: the comparison means something */
    assert_true(total_records > 1000);
}

/* A lead byte of a character that folds is a trigger only where the character there does fold: a curly quote is
 * none, an en dash (U+2013, '-'), a no-break space or a full-width digit is. */
static void test_fold_triggers(void **state)
{
    e2e *x = *state;
    const size_t NONE = SIZE_MAX;
    static const struct {
        const char *text;
        size_t at; /* the trigger's offset, or NONE */
    } cases[] = {
        {"It\xe2\x80\x99s \xe2\x80\x9cquoted\xe2\x80\x9d text", NONE},
        {"an en\xe2\x80\x93" "dash", 5},
        {"it\xe2\x80\x99s an\xe2\x80\x93" "dash", 9},
        {"no\xc2\xa0" "break", 2},
        {"\xc2\xa9 all rights", NONE},
        {"a digit \xef\xbc\x91", 8},
        {"cut at the end \xe2", NONE},
        {"cut at the end \xe2\x80", NONE},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *t = cases[k].text;
        size_t n = strlen(t);
        char *p = calloc(n + PAD, 1); /* the prefilter may read up to 64 bytes past the end */
        assert_non_null(p);
        memcpy(p, t, n);
        ps_trigger_cursor c = {0};
        size_t got = engine_next_trigger(x->e, &c, p, n, 0, 0), want = cases[k].at == NONE ? n : cases[k].at;
        if (got != want)
            fail_msg("case %zu: trigger at %zu, want %zu", k, got, want);
        free(p);
    }
}

/* `near`: a trigger byte before it ends the cursor's look, though a run (20 of [A-Z0-9], an AWS key id's) starts
 * earlier; at or past it, the run is looked for and is the first trigger. */
static void test_trigger_near(void **state)
{
    e2e *x = *state;
    const char *t = "a ABCDEFGHIJKLMNOPQRSTUV thing, then 7 and more words";
    size_t n = strlen(t), run = 2, digit = (size_t)(strchr(t, '7') - t);
    char *p = calloc(n + PAD, 1);
    assert_non_null(p);
    memcpy(p, t, n);
    static const struct {
        size_t from, near, want;
    } cases[] = {{0, 0, 2}, {0, 37, 2}, {0, 38, 37}, {0, 60, 37}, {25, 25, 37}, {25, 60, 37}};
    assert_int_equal(run, cases[0].want);
    assert_int_equal(digit, 37);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        ps_trigger_cursor c = {0};
        size_t got = engine_next_trigger(x->e, &c, p, n, cases[k].from, cases[k].near);
        if (got != cases[k].want)
            fail_msg("case %zu: trigger at %zu, want %zu", k, got, cases[k].want);
        /* The same cursor asked again without `near` still finds the run where it is first. */
        if (cases[k].from == 0 && engine_next_trigger(x->e, &c, p, n, 0, 0) != run)
            fail_msg("case %zu: the cursor lost the run", k);
    }
    free(p);
}

/* Every match example, alone and inside prose, is still redacted by ps_run with its neighbours (the prefilter) —
 * the same as ps_scrub on it alone. */
static void test_examples_through_run(void **state)
{
    e2e *x = *state;
    outbuf in = {0};
    for (size_t i = 0; i < x->lines.n; i++) {
        put_s(&in, prose[i % (sizeof prose / sizeof prose[0])]);
        put_s(&in, "\n");
        put_s(&in, x->lines.v[i]);
        put_s(&in, "\n");
    }
    for (size_t i = 0; i < in.n; i++)
        if (in.p[i] == '\0')
            in.p[i] = ' ';
    outbuf ref = {0};
    size_t records = reference(x->e, in.p, in.n, PS_FORMAT_TEXT, &ref);
    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(in.p, 1, in.n, f), in.n);
    assert_int_equal(fflush(f), 0);
    assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
    outbuf out = {0};
    ps_run_options o = {0};
    o.threads = 1;
    o.write = sink;
    o.write_ctx = &out;
    ps_stats st;
    assert_int_equal(ps_stats_init(&st, x->e), PS_OK);
    assert_int_equal(ps_run(x->e, &o, fileno(f), &st), PS_OK);
    assert_int_equal(st.records, records);
    assert_int_equal(out.n, ref.n);
    assert_memory_equal(out.p, ref.p, ref.n);
    ps_stats_free(&st);
    fclose(f);
    free(in.p);
    free(ref.p);
    free(out.p);
}

/* engine_scan with its gates and bounded searches (rxinfo_lead: a search starts only near a byte every match
 * holds) finds exactly what an exhaustive scan finds: every rule over the whole subject. Long subjects of many
 * lines, as JSON strings and long records are, where bounded searches skip the most. */
static void test_gates_and_bounds_change_nothing(void **state)
{
    e2e *x = *state;
    ps_scratch *gated = NULL, *all = NULL;
    assert_int_equal(engine_scratch_new(x->e, &gated), PS_OK);
    assert_int_equal(engine_scratch_new(x->e, &all), PS_OK);
    engine_scratch_exhaustive(all);
    assert_true(engine_line_mode(x->e)); /* the documents' many lines are gated line by line */
    rng r = {0x5EED5};
    size_t found = 0;
    for (int doc = 0; doc < 300; doc++) {
        outbuf o = {0};
        unsigned parts = 1 + below(&r, doc % 3 ? 60 : 6);
        for (unsigned k = 0; k < parts; k++) {
            rand_record(&r, x, &o, '\n');
            static const char *const seps[] = {"\n", " ", "\n\n", ", ", "\t", "\r\n", "                        "};
            put_s(&o, seps[below(&r, sizeof seps / sizeof seps[0])]);
            if (below(&r, 8) == 0) /* a long stretch without digits or rare bytes */
                for (unsigned j = 3 + below(&r, 10); j--;)
                    put_s(&o, prose[below(&r, sizeof prose / sizeof prose[0])]);
        }
        char pad[PAD] = {0};
        put(&o, pad, sizeof pad);
        size_t n = o.n - PAD;
        ps_subject subj = {o.p, n, 0, 0, 1, 0, 0};
        ps_spanvec a = {0}, b = {0};
        size_t hold;
        int sa = engine_scan(x->e, gated, &subj, -1, &a, NULL, &hold);
        int sb = engine_scan(x->e, all, &subj, -1, &b, NULL, &hold);
        assert_int_equal(sa, sb);
        if (a.n)
            qsort(a.v, a.n, sizeof *a.v, redact_span_cmp);
        if (b.n)
            qsort(b.v, b.n, sizeof *b.v, redact_span_cmp);
        size_t i = 0;
        while (i < a.n && i < b.n && !redact_span_cmp(&a.v[i], &b.v[i]))
            i++;
        if (i < a.n || i < b.n) {
            const ps_span *d = i < b.n ? &b.v[i] : &a.v[i];
            fail_msg("doc %d (%zu bytes): gated %zu spans, exhaustive %zu; first difference: rule %s at [%llu,%llu) "
                     "\"%.*s\" (%s)",
                     doc, n, a.n, b.n, x->rs->rules[d->rule].id, (unsigned long long)d->start,
                     (unsigned long long)d->end, (int)(d->end - d->start), o.p + d->start,
                     i < b.n ? "only exhaustive" : "only gated");
        }
        found += a.n;
        spanvec_free(&a);
        spanvec_free(&b);
        free(o.p);
    }
    assert_true(found > 1000); /* it compared something */
    engine_scratch_free(gated);
    engine_scratch_free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_litscan_random),
        cmocka_unit_test(test_litscan_merge),
        cmocka_unit_test(test_litscan_buckets),
        cmocka_unit_test(test_litscan_word_starts),
        cmocka_unit_test(test_litscan_every_offset),
        cmocka_unit_test(test_litscan_empty),
        cmocka_unit_test(test_wordtab_at),
        cmocka_unit_test(test_wordtab_lits_filter_starts),
        cmocka_unit_test(test_prefilter_bytes),
        cmocka_unit_test(test_prefilter_words),
        cmocka_unit_test(test_prefilter_runs_exact),
        cmocka_unit_test(test_prefilter_runs_merged),
        cmocka_unit_test(test_prefilter_run_windows),
        cmocka_unit_test(test_digitruns),
        cmocka_unit_test(test_digitruns_full),
        cmocka_unit_test(test_rungate),
        cmocka_unit_test(test_runscan),
        cmocka_unit_test_setup_teardown(test_fold_triggers, e2e_setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_trigger_near, e2e_setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_end_to_end, e2e_setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_examples_through_run, e2e_setup, e2e_teardown),
        cmocka_unit_test_setup_teardown(test_gates_and_bounds_change_nothing, e2e_setup, e2e_teardown),
    };
    /* PS_TEST_PREFILTER_ONLY: only the tests whose names match this cmocka pattern. The ThreadSanitizer stage of
     * scripts/test.sh runs test_end_to_end alone, the one with threads: the property tests gain nothing there and
     * took eight minutes of it (they run in the plain and the ASan stages). */
    const char *only = getenv("PS_TEST_PREFILTER_ONLY");
    if (only && *only)
        cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
