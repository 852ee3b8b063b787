/* test_fold.c — Unicode evasion folding: every folded character, its neighbours that must stay, offsets mapped back,
 * invalid UTF-8, the fold_needed fast path, and a seeded random property test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fold.h"
#include "utf8.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define DROP (-1)

/* Heap copy of exactly n bytes (no NUL), so ASan/valgrind catch any read past the end. */
static char *dup_exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

static int needed(const char *s, size_t n)
{
    char *p = dup_exact(s, n);
    int r = fold_needed(p, n);
    free(p);
    return r;
}

/* Folds s[0..n) into fresh out/map and checks the map's invariants. */
static void fold(const char *s, size_t n, ps_buf *out, ps_offmap *map)
{
    char *p = dup_exact(s, n);
    *out = (ps_buf){0};
    *map = (ps_offmap){0};
    assert_int_equal(fold_apply(p, n, out, map), 0);
    free(p);
    assert_int_equal(map->len, out->len);
    assert_true(map->cap > map->len);
    assert_int_equal(map->v[map->len], n);
    for (size_t j = 0; j < map->len; j++) {
        assert_true(map->v[j] < n);
        assert_true(map->w[j] >= 1 && map->w[j] <= 4);
        assert_true(map->v[j] + map->w[j] <= map->v[j + 1]);
    }
}

static void fold_free(ps_buf *out, ps_offmap *map)
{
    buf_free(out);
    offmap_free(map);
}

static void assert_span(const ps_offmap *m, size_t fs, size_t fe, size_t os, size_t oe)
{
    size_t a = 12345, b = 12345;
    fold_map_span(m, fs, fe, &a, &b);
    if (a != os || b != oe)
        fail_msg("span [%zu,%zu) -> [%zu,%zu), expected [%zu,%zu)", fs, fe, a, b, os, oe);
}

/* ---- the table of every folded character ---- */

typedef struct fold_range {
    uint32_t lo, hi;
    int out; /* ASCII of lo, or DROP */
    int inc; /* 1: out increments with the code point (digits, full-width ASCII) */
} fold_range;

static const fold_range FOLDS[] = {
    {0xFF01, 0xFF5E, '!', 1}, /* full-width ASCII: digits, letters, @ . - + ( ) : / _ and the rest */
    {0x2010, 0x2015, '-', 0}, {0x2212, 0x2212, '-', 0}, {0xFE58, 0xFE58, '-', 0}, {0xFE63, 0xFE63, '-', 0},
    {0x00A0, 0x00A0, ' ', 0}, {0x2000, 0x200A, ' ', 0}, {0x202F, 0x202F, ' ', 0}, {0x205F, 0x205F, ' ', 0},
    {0x3000, 0x3000, ' ', 0}, {0x017F, 0x017F, 's', 0},
    /* letterlike symbols and one-letter Roman numerals (the Kelvin sign among them) */
    {0x2102, 0x2102, 'C', 0}, {0x210A, 0x210A, 'g', 0}, {0x210B, 0x210D, 'H', 0}, {0x210E, 0x210E, 'h', 0},
    {0x2110, 0x2111, 'I', 0}, {0x2112, 0x2112, 'L', 0}, {0x2113, 0x2113, 'l', 0}, {0x2115, 0x2115, 'N', 0},
    {0x2119, 0x2119, 'P', 0}, {0x211A, 0x211A, 'Q', 0}, {0x211B, 0x211D, 'R', 0}, {0x2124, 0x2124, 'Z', 0},
    {0x2128, 0x2128, 'Z', 0}, {0x212A, 0x212A, 'K', 0}, {0x212C, 0x212C, 'B', 0}, {0x212D, 0x212D, 'C', 0},
    {0x212F, 0x212F, 'e', 0}, {0x2130, 0x2130, 'E', 0}, {0x2131, 0x2131, 'F', 0}, {0x2133, 0x2133, 'M', 0},
    {0x2134, 0x2134, 'o', 0}, {0x2139, 0x2139, 'i', 0}, {0x2145, 0x2145, 'D', 0}, {0x2146, 0x2146, 'd', 0},
    {0x2147, 0x2147, 'e', 0}, {0x2148, 0x2148, 'i', 0}, {0x2149, 0x2149, 'j', 0}, {0x2160, 0x2160, 'I', 0},
    {0x2164, 0x2164, 'V', 0}, {0x2169, 0x2169, 'X', 0}, {0x216C, 0x216C, 'L', 0}, {0x216D, 0x216D, 'C', 0},
    {0x216E, 0x216E, 'D', 0}, {0x216F, 0x216F, 'M', 0}, {0x2170, 0x2170, 'i', 0}, {0x2174, 0x2174, 'v', 0},
    {0x2179, 0x2179, 'x', 0}, {0x217C, 0x217C, 'l', 0}, {0x217D, 0x217D, 'c', 0}, {0x217E, 0x217E, 'd', 0},
    {0x217F, 0x217F, 'm', 0},
    /* circled, superscript and subscript digits and letters */
    {0x2460, 0x2468, '1', 1}, {0x24B6, 0x24CF, 'A', 1}, {0x24D0, 0x24E9, 'a', 1}, {0x24EA, 0x24EA, '0', 0},
    {0x00B2, 0x00B3, '2', 1}, {0x00B9, 0x00B9, '1', 0}, {0x2070, 0x2070, '0', 0}, {0x2071, 0x2071, 'i', 0},
    {0x2074, 0x2079, '4', 1}, {0x207F, 0x207F, 'n', 0}, {0x2080, 0x2089, '0', 1},
    {0x24F5, 0x24FD, '1', 1}, {0x24FF, 0x24FF, '0', 0}, {0x2776, 0x277E, '1', 1}, {0x2780, 0x2788, '1', 1},
    {0x278A, 0x2792, '1', 1}, {0x1F130, 0x1F149, 'A', 1}, {0x1F150, 0x1F169, 'A', 1}, {0x1F170, 0x1F189, 'A', 1},
    {0x0332, 0x0338, DROP, 0},
    /* small capitals */
    {0x1D00, 0x1D00, 'a', 0}, {0x0299, 0x0299, 'b', 0}, {0x1D04, 0x1D04, 'c', 0}, {0x1D05, 0x1D05, 'd', 0},
    {0x1D07, 0x1D07, 'e', 0}, {0xA730, 0xA730, 'f', 0}, {0x0262, 0x0262, 'g', 0}, {0x029C, 0x029C, 'h', 0},
    {0x026A, 0x026A, 'i', 0}, {0x1D0A, 0x1D0A, 'j', 0}, {0x1D0B, 0x1D0B, 'k', 0}, {0x029F, 0x029F, 'l', 0},
    {0x1D0D, 0x1D0D, 'm', 0}, {0x0274, 0x0274, 'n', 0}, {0x1D0F, 0x1D0F, 'o', 0}, {0x1D18, 0x1D18, 'p', 0},
    {0x0280, 0x0280, 'r', 0}, {0xA731, 0xA731, 's', 0}, {0x1D1B, 0x1D1B, 't', 0}, {0x1D1C, 0x1D1C, 'u', 0},
    {0x1D20, 0x1D20, 'v', 0}, {0x1D21, 0x1D21, 'w', 0}, {0x028F, 0x028F, 'y', 0}, {0x1D22, 0x1D22, 'z', 0},
    /* mathematical letters: 13 styles of A-Z then a-z */
    {0x1D400, 0x1D419, 'A', 1}, {0x1D41A, 0x1D433, 'a', 1}, {0x1D434, 0x1D44D, 'A', 1}, {0x1D44E, 0x1D467, 'a', 1},
    {0x1D468, 0x1D481, 'A', 1}, {0x1D482, 0x1D49B, 'a', 1}, {0x1D49C, 0x1D4B5, 'A', 1}, {0x1D4B6, 0x1D4CF, 'a', 1},
    {0x1D4D0, 0x1D4E9, 'A', 1}, {0x1D4EA, 0x1D503, 'a', 1}, {0x1D504, 0x1D51D, 'A', 1}, {0x1D51E, 0x1D537, 'a', 1},
    {0x1D538, 0x1D551, 'A', 1}, {0x1D552, 0x1D56B, 'a', 1}, {0x1D56C, 0x1D585, 'A', 1}, {0x1D586, 0x1D59F, 'a', 1},
    {0x1D5A0, 0x1D5B9, 'A', 1}, {0x1D5BA, 0x1D5D3, 'a', 1}, {0x1D5D4, 0x1D5ED, 'A', 1}, {0x1D5EE, 0x1D607, 'a', 1},
    {0x1D608, 0x1D621, 'A', 1}, {0x1D622, 0x1D63B, 'a', 1}, {0x1D63C, 0x1D655, 'A', 1}, {0x1D656, 0x1D66F, 'a', 1},
    {0x1D670, 0x1D689, 'A', 1}, {0x1D68A, 0x1D6A3, 'a', 1},
    {0x2024, 0x2024, '.', 0}, {0xFF61, 0xFF61, '.', 0}, {0x3002, 0x3002, '.', 0}, {0xFE52, 0xFE52, '.', 0},
    {0xFE6B, 0xFE6B, '@', 0},
    {0xFE50, 0xFE50, ',', 0}, {0xFE54, 0xFE54, ';', 0}, {0xFE55, 0xFE55, ':', 0}, {0xFE56, 0xFE56, '?', 0},
    {0xFE57, 0xFE57, '!', 0}, {0xFE59, 0xFE59, '(', 0}, {0xFE5A, 0xFE5A, ')', 0}, {0xFE5B, 0xFE5B, '{', 0},
    {0xFE5C, 0xFE5C, '}', 0}, {0xFE5F, 0xFE5F, '#', 0}, {0xFE60, 0xFE60, '&', 0}, {0xFE61, 0xFE61, '*', 0},
    {0xFE62, 0xFE62, '+', 0}, {0xFE64, 0xFE64, '<', 0}, {0xFE65, 0xFE65, '>', 0}, {0xFE66, 0xFE66, '=', 0},
    {0xFE68, 0xFE68, '\\', 0}, {0xFE69, 0xFE69, '$', 0}, {0xFE6A, 0xFE6A, '%', 0},
    {0x0660, 0x0669, '0', 1}, {0x06F0, 0x06F9, '0', 1}, {0x0966, 0x096F, '0', 1}, {0x09E6, 0x09EF, '0', 1},
    {0x0E50, 0x0E59, '0', 1},
    {0x1D7CE, 0x1D7D7, '0', 1}, {0x1D7D8, 0x1D7E1, '0', 1}, {0x1D7E2, 0x1D7EB, '0', 1}, {0x1D7EC, 0x1D7F5, '0', 1},
    {0x1D7F6, 0x1D7FF, '0', 1},
    {0x00AD, 0x00AD, DROP, 0}, {0x200B, 0x200F, DROP, 0}, {0x202A, 0x202E, DROP, 0}, {0x2060, 0x2064, DROP, 0},
    {0x2066, 0x206F, DROP, 0}, {0xFEFF, 0xFEFF, DROP, 0},
};

/* Neighbours of the ranges above and common non-ASCII text: all must be copied unchanged. */
static const uint32_t KEEP[] = {
    0x80,    0xA1,    0xA3,    0xA9,    0xAC,    0xAE,    0xC2,    0xE9,    0x17E,   0x180,   0x2129,  0x212B,
    0xB1,    0xB4,    0xBA,    0x2072,  0x207E,  0x208A,  0x2101,  0x210F,  0x2116,  0x2161,  0x2180,  0x245F,
    0x2469,  0x24B5,  0x24EB,  0x24F4,  0x24FE,  0x2775,  0x277F,  0x2789,  0x2793,  0x1F12F, 0x1F14A, 0x1F16A,
    0x1F18A, 0x1F1E6, 0x0301,  0x0331,  0x0339,  0x1D01,  0x1D23,  0x0263,  0x0281,  0xA732,  0x1EA0,  0x1EC7,    0x3A9,   0x65F,   0x66A,   0x645,
    0x6EF,   0x6FA,   0x965,   0x970,   0x928,   0x9E5,   0x9F0,   0xE4F,   0xE5A,   0xE35,   0x1FFF,  0x2016,
    0x2017,  0x2023,  0x2025,  0x2026,  0x2028,  0x2029,  0x2030,  0x205E,  0x2065,  0x2073,  0x20AC,  0x2122,
    0x2211,  0x2213,  0x2FFF,  0x3001,  0x3003,  0x3042,  0x306E,  0x30C6,  0x65E5,  0xFE4F,  0xFE51,  0xFE53,
    0xFE5D,  0xFE5E,  0xFE67,  0xFE6C,  0xFEFE,  0xFF00,  0xFF5F,  0xFF60,  0xFF62,  0xFF64,  0xFFFD,  0x10000,
    0x1D3FF, 0x1D6A4, 0x1D6A8, 0x1D7CD, 0x1D800, 0x1F600, 0x1F44D, 0x10FFFF,
};

static int range_out(const fold_range *r, uint32_t cp)
{
    return r->out == DROP ? DROP : r->out + (r->inc ? (int)(cp - r->lo) : 0);
}

static void test_every_folded_char(void **state)
{
    (void)state;
    size_t total = 0;
    for (size_t k = 0; k < COUNT(FOLDS); k++) {
        for (uint32_t cp = FOLDS[k].lo; cp <= FOLDS[k].hi; cp++, total++) {
            int want = range_out(&FOLDS[k], cp);
            char in[8] = "a";
            size_t L = utf8_encode(cp, in + 1);
            in[1 + L] = 'b';
            size_t n = L + 2;
            ps_buf out;
            ps_offmap m;
            assert_int_equal(needed(in + 1, L), 1);
            assert_int_equal(needed(in, n), 1);
            fold(in, n, &out, &m);
            if (want == DROP) {
                if (out.len != 2 || memcmp(out.p, "ab", 2) != 0)
                    fail_msg("U+%04X should be dropped", (unsigned)cp);
                assert_int_equal(m.v[0], 0);
                assert_int_equal(m.v[1], 1 + L);
                assert_span(&m, 0, 2, 0, n); /* a dropped character inside a span is covered */
                assert_span(&m, 0, 1, 0, 1); /* ... but not just after its end */
                assert_span(&m, 1, 2, 1 + L, n); /* ... nor just before its start */
            } else {
                if (out.len != 3 || out.p[0] != 'a' || out.p[1] != (char)want || out.p[2] != 'b')
                    fail_msg("U+%04X should fold to '%c'", (unsigned)cp, want);
                assert_int_equal(m.v[0], 0);
                assert_int_equal(m.v[1], 1);
                assert_int_equal(m.v[2], 1 + L);
                assert_span(&m, 1, 2, 1, 1 + L);
                assert_span(&m, 0, 2, 0, 1 + L);
                assert_span(&m, 1, 3, 1, n);
            }
            /* Inside longer ASCII (the block-wise scanners), at block starts, ends and across them. */
            static const size_t at[] = {0, 13, 30, 31, 32, 40, 63};
            for (size_t a = 0; a < COUNT(at); a++) {
                char big[128];
                size_t bn = at[a] + L + 40;
                memset(big, 'x', bn);
                memcpy(big + at[a], in + 1, L);
                if (!needed(big, bn))
                    fail_msg("U+%04X at %zu not found", (unsigned)cp, at[a]);
                fold_free(&out, &m);
                fold(big, bn, &out, &m);
                assert_int_equal(out.len, bn - L + (want == DROP ? 0 : 1));
                if (want != DROP) {
                    assert_int_equal(out.p[at[a]], want);
                    assert_span(&m, at[a], at[a] + 1, at[a], at[a] + L);
                }
                assert_int_equal(m.v[at[a] + (want == DROP ? 0 : 1)], at[a] + L);
            }
            /* The character alone, at the very start and end of the input. */
            fold_free(&out, &m);
            fold(in + 1, L, &out, &m);
            assert_int_equal(out.len, want == DROP ? 0 : 1);
            assert_span(&m, 0, out.len, want == DROP ? L : 0, L);
            fold_free(&out, &m);
        }
    }
    /* full-width 94, dashes 9, spaces 15, dots 4, @ 1, small forms 19, script digits 50, math digits 50, dropped 27,
     * long s 1, letterlike and Roman 46, circled 62 + 37, superscript and subscript 22, math letters 676, squared and
     * negative 78, combining overlays 7, small capitals 24 */
    assert_int_equal(total, 1222);
}

static void test_brief_examples(void **state)
{
    (void)state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"\xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91", "4111"},         /* ４１１１ */
        {"\xef\xbc\xa1\xef\xbd\x9a\xef\xbc\xbf\xef\xbc\x8b", "Az_+"},         /* Ａｚ＿＋ */
        {"\xef\xbc\xa0\xef\xbc\x8e\xef\xbc\x8d\xef\xbc\x88\xef\xbc\x89\xef\xbc\x9a\xef\xbc\x8f", "@.-():/"},
        {"1\xe2\x80\x90" "2\xe2\x80\x91" "3\xe2\x80\x93" "4\xe2\x80\x94" "5\xe2\x88\x92" "6", "1-2-3-4-5-6"},
        {"1\xc2\xa0" "2\xe2\x80\x89" "3\xe2\x80\xaf" "4\xe3\x80\x80" "5", "1 2 3 4 5"},
        {"1\xe2\x80\x8b" "2\xc2\xad" "3\xe2\x81\xa0" "4\xef\xbb\xbf" "5\xe2\x80\x8d" "6", "123456"},
        {"a\xef\xb9\xab" "b\xe2\x80\xa4" "c\xef\xbd\xa1" "d\xe3\x80\x82" "e", "a@b.c.d.e"},
        {"\xd9\xa4\xdb\xb1\xe0\xa5\xa8\xe0\xa7\xa9\xe0\xb9\x95\xf0\x9d\x9f\x8e\xf0\x9d\x9f\xbf", "412350" "9"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        ps_buf out;
        ps_offmap m;
        fold(cases[i].in, strlen(cases[i].in), &out, &m);
        if (out.len != strlen(cases[i].want) || memcmp(out.p, cases[i].want, out.len) != 0)
            fail_msg("case %zu: got '%.*s', want '%s'", i, (int)out.len, out.p, cases[i].want);
        fold_free(&out, &m);
    }
}

static void test_kept_chars(void **state)
{
    (void)state;
    for (size_t k = 0; k < COUNT(KEEP); k++) {
        char in[8] = "x";
        size_t L = utf8_encode(KEEP[k], in + 1);
        in[1 + L] = 'y';
        size_t n = L + 2;
        if (needed(in, n) || needed(in + 1, L))
            fail_msg("fold_needed true for U+%04X", (unsigned)KEEP[k]);
        ps_buf out;
        ps_offmap m;
        fold(in, n, &out, &m);
        if (out.len != n || memcmp(out.p, in, n) != 0)
            fail_msg("U+%04X changed", (unsigned)KEEP[k]);
        for (size_t j = 0; j < n; j++) {
            assert_int_equal(m.v[j], j);
            assert_int_equal(m.w[j], 1);
        }
        assert_span(&m, 1, 1 + L, 1, 1 + L);
        fold_free(&out, &m);
    }
}

/* ---- offsets of mixed text ---- */

static void test_mixed_offsets(void **state)
{
    (void)state;
    /* "Card: ４１１１‑１１１１, mail: jane­.doe＠ex​ample．com é!" */
    const char in[] = "Card: \xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xe2\x80\x91"
                      "\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91, mail: jane\xc2\xad.doe\xef\xbc\xa0"
                      "ex\xe2\x80\x8b" "ample\xef\xbc\x8e" "com \xc3\xa9!";
    const char want[] = "Card: 4111-1111, mail: jane.doe@example.com \xc3\xa9!";
    size_t n = sizeof in - 1;
    ps_buf out;
    ps_offmap m;
    assert_int_equal(needed(in, n), 1);
    fold(in, n, &out, &m);
    assert_int_equal(out.len, sizeof want - 1);
    assert_memory_equal(out.p, want, out.len);

    /* The card: folded [6, 15) is original [6, 6 + 8*3 + 3). */
    assert_span(&m, 6, 15, 6, 33);
    assert_int_equal(m.v[10], 18); /* the dash */
    assert_int_equal(m.w[10], 3);
    /* Sub-spans that start and end on folded characters. */
    assert_span(&m, 7, 9, 9, 15);
    assert_span(&m, 10, 11, 18, 21);
    /* ", mail: " is copied: identity offsets. */
    assert_span(&m, 15, 23, 33, 41);
    /* The e-mail: from 'j' to the last 'm', covering the soft hyphen, ＠, the zero-width space and ．. */
    const char *at = strstr(in, "jane");
    size_t es = (size_t)(at - in), ee = (size_t)(strstr(in, "com ") - in) + 3;
    assert_span(&m, 23, 43, es, ee);
    assert_memory_equal(in + es, "jane\xc2\xad", 6);
    /* "jane" alone ends before the soft hyphen; ".doe" starts after it. */
    assert_span(&m, 23, 27, es, es + 4);
    assert_span(&m, 27, 31, es + 6, es + 10);
    /* é is copied byte for byte; the last byte and the end. */
    assert_span(&m, 44, 46, n - 3, n - 1);
    assert_span(&m, 46, 47, n - 1, n);
    assert_span(&m, 47, 47, n, n);
    assert_span(&m, 0, 47, 0, n);
    fold_free(&out, &m);
}

static void test_spans_at_edges(void **state)
{
    (void)state;
    ps_buf out;
    ps_offmap m;
    /* Dropped characters at both ends: "\u200B4\u200B" folds to "4". */
    fold("\xe2\x80\x8b" "4\xe2\x80\x8b", 7, &out, &m);
    assert_int_equal(out.len, 1);
    assert_span(&m, 0, 1, 3, 4);
    assert_span(&m, 0, 0, 3, 3);
    assert_span(&m, 1, 1, 7, 7);
    assert_span(&m, 0, 99, 3, 4); /* fe clamped */
    assert_span(&m, 5, 2, 7, 7);  /* fs clamped to fe */
    fold_free(&out, &m);

    /* Only dropped characters: empty view, the sentinel still maps. */
    fold("\xe2\x80\x8b\xc2\xad", 5, &out, &m);
    assert_int_equal(out.len, 0);
    assert_int_equal(m.len, 0);
    assert_span(&m, 0, 0, 5, 5);
    fold_free(&out, &m);

    /* Empty input (also with a NULL pointer). */
    out = (ps_buf){0};
    m = (ps_offmap){0};
    assert_int_equal(fold_apply(NULL, 0, &out, &m), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(m.len, 0);
    assert_int_equal(m.v[0], 0);
    assert_span(&m, 0, 0, 0, 0);
    fold_free(&out, &m);
    assert_int_equal(fold_needed(NULL, 0), 0);

    /* A 4-byte character at each end, a dropped one between two folded ones. */
    fold("\xf0\x9d\x9f\x8f\xef\xbc\x92\xe2\x81\xa0\xef\xbc\x93\xf0\x9d\x9f\x98", 17, &out, &m);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.p, "1230", 4);
    assert_span(&m, 0, 1, 0, 4);
    assert_span(&m, 1, 2, 4, 7);
    assert_span(&m, 1, 3, 4, 13);
    assert_span(&m, 2, 3, 10, 13);
    assert_span(&m, 3, 4, 13, 17);
    assert_span(&m, 0, 4, 0, 17);
    fold_free(&out, &m);

    /* A zeroed map and a map built by hand without widths. */
    ps_offmap z = {0};
    assert_span(&z, 0, 0, 0, 0);
    offmap_free(&z);
    offmap_free(&z);
    size_t v[] = {0, 3, 4};
    ps_offmap hand = {.v = v, .len = 2, .cap = 3};
    assert_span(&hand, 0, 1, 0, 3);
    assert_span(&hand, 0, 2, 0, 4);
}

static void test_append(void **state)
{
    (void)state;
    ps_buf out = {0};
    ps_offmap m = {0};
    assert_int_equal(fold_apply("ab\xc2\xa0", 4, &out, &m), 0);
    assert_int_equal(fold_apply("\xef\xbc\x94" "c", 4, &out, &m), 0);
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.p, "ab 4c", 5);
    assert_int_equal(m.len, 5);
    static const size_t want[] = {0, 1, 2, 0, 3, 4};
    for (size_t j = 0; j < COUNT(want); j++)
        assert_int_equal(m.v[j], want[j]);
    fold_free(&out, &m);

    /* Appending to a hand-built map (heap, no widths) gives it widths of 1. */
    ps_offmap h = {.v = malloc(2 * sizeof(size_t)), .len = 2, .cap = 2};
    assert_non_null(h.v);
    h.v[0] = 0;
    h.v[1] = 1;
    assert_int_equal(buf_append(&out, "xy", 2), 0);
    assert_int_equal(fold_apply("\xef\xbc\x94", 3, &out, &h), 0);
    assert_int_equal(h.len, 3);
    assert_non_null(h.w);
    assert_int_equal(h.w[0], 1);
    assert_int_equal(h.w[1], 1);
    assert_int_equal(h.w[2], 3);
    assert_memory_equal(out.p, "xy4", 3);
    fold_free(&out, &h);
}

/* ---- invalid UTF-8 ---- */

static void test_invalid_untouched(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t n;
    } bad[] = {
        {"\xe2\x80", 2},          /* truncated ZWSP / thin space */
        {"\xe2", 1},              /* lone lead */
        {"\xef\xbc", 2},          /* truncated full-width */
        {"\xc2", 1},              /* truncated NBSP */
        {"\xf0\x9d\x9f", 3},      /* truncated math digit */
        {"\xd9", 1},              /* truncated Arabic-Indic digit */
        {"\xe0\xa5", 2},          /* truncated Devanagari digit */
        {"\xe2\x28\xa1", 3},      /* bad continuation */
        {"\xe0\x82\xa0", 3},      /* overlong NBSP */
        {"\xc1\xa0", 2},          /* overlong */
        {"\xe0\x80\xa0", 3},      /* overlong */
        {"\xed\xa0\x80", 3},      /* surrogate */
        {"\x80\x8b\xa0\xbf", 4},  /* lone continuations */
        {"\xff\xfe\xc0\xf8", 4},  /* never valid */
        {"\xef\xbc\x00", 3},      /* NUL inside */
        {"\xf0\x9d\x9f\x8d", 4},  /* U+1D7CD, just below the math digits */
        {"\xf4\x90\x80\x80", 4},  /* beyond U+10FFFF */
    };
    for (size_t i = 0; i < COUNT(bad); i++) {
        /* Alone (so truncated sequences sit at the very end), then between ASCII. */
        for (int wrap = 0; wrap < 2; wrap++) {
            char in[16];
            size_t n = 0;
            if (wrap)
                in[n++] = 'a';
            memcpy(in + n, bad[i].s, bad[i].n);
            n += bad[i].n;
            if (wrap)
                in[n++] = 'z';
            if (needed(in, n))
                fail_msg("case %zu: fold_needed true", i);
            ps_buf out;
            ps_offmap m;
            fold(in, n, &out, &m);
            if (out.len != n || memcmp(out.p, in, n) != 0)
                fail_msg("case %zu changed", i);
            for (size_t j = 0; j < n; j++)
                assert_int_equal(m.v[j], j);
            fold_free(&out, &m);
        }
    }

    /* A broken prefix does not hide a real foldable character right after it. */
    ps_buf out;
    ps_offmap m;
    fold("\xe2\x80\xe2\x80\x8b" "1\xef\xef\xbc\x94", 10, &out, &m);
    assert_int_equal(out.len, 5);
    assert_memory_equal(out.p, "\xe2\x80" "1\xef" "4", 5);
    static const size_t want[] = {0, 1, 5, 6, 7, 10};
    for (size_t j = 0; j < COUNT(want); j++)
        assert_int_equal(m.v[j], want[j]);
    assert_span(&m, 0, 3, 0, 6); /* covers the dropped ZWSP inside */
    assert_span(&m, 4, 5, 7, 10);
    fold_free(&out, &m);
}

/* ---- fold_needed fast path ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void test_needed_ascii(void **state)
{
    (void)state;
    uint64_t rng = 0x9E3779B97F4A7C15u;
    char src[300];
    for (size_t len = 0; len <= 200; len++) {
        for (size_t k = 0; k < len; k++)
            src[k] = (char)(rng_next(&rng) % 128); /* NUL and control bytes included */
        for (size_t off = 0; off < 8; off++) {
            char *p = malloc(off + len + 1);
            assert_non_null(p);
            memcpy(p + off, src, len);
            assert_int_equal(fold_needed(p + off, len), 0);
            free(p);
        }
    }
    static const char *const text[] = {
        "caf\xc3\xa9 cr\xc3\xa8me br\xc3\xbbl\xc3\xa9" "e, na\xc3\xafve \xc3\x84rger",            /* Latin-1 letters */
        "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x86\xe3\x82\xad\xe3\x82\xb9\xe3\x83\x88", /* 日本語のテキスト */
        "\xf0\x9f\x98\x80\xf0\x9f\x91\x8d ok \xf0\x9d\x9a\xa8",                                /* emoji, math bold Alpha */
        "\xc2\xa3" "5 \xc2\xa9 \xe2\x82\xac" "3 \xe2\x84\xa2 \xe2\x80\xa6 \xe2\x80\xa0",        /* £ © € ™ … † */
        "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 \xd8\xb3\xd9\x84\xd8\xa7\xd9\x85",            /* Arabic letters */
        "\xe0\xa4\xa8\xe0\xa4\xae\xe0\xa4\xb8\xe0\xa5\x8d\xe0\xa4\xa4\xe0\xa5\x87 \xe0\xb8\xaa\xe0\xb8\xa7\xe0\xb8\xb1", /* Hindi, Thai */
        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xce\xa9\xcf\x80",                      /* Cyrillic, Greek */
    };
    for (size_t i = 0; i < COUNT(text); i++)
        if (needed(text[i], strlen(text[i])))
            fail_msg("text %zu: fold_needed true", i);
}

static void test_needed_positions(void **state)
{
    (void)state;
    /* A foldable character at every position across several 8- and 32-byte blocks, straddling their edges,
     * and ending exactly at the end of the buffer. */
    static const char *const chars[] = {"\xef\xbc\x94", "\xc2\xa0", "\xe2\x80\x8b", "\xf0\x9d\x9f\x8e", "\xd9\xa0"};
    for (size_t c = 0; c < COUNT(chars); c++) {
        size_t L = strlen(chars[c]);
        for (size_t pos = 0; pos <= 100; pos++) {
            for (size_t tail = 0; tail <= 1; tail++) {
                size_t n = pos + L + (tail ? 37 : 0);
                char *p = malloc(n);
                assert_non_null(p);
                memset(p, 'x', n);
                memcpy(p + pos, chars[c], L);
                if (!fold_needed(p, n))
                    fail_msg("char %zu at %zu (tail %zu) not found", c, pos, tail);
                /* Cut one byte short: truncated at the end, nothing to fold. */
                if (!tail && fold_needed(p, n - 1))
                    fail_msg("char %zu truncated at %zu found", c, pos);
                free(p);
            }
        }
    }
    /* After a long run of non-foldable UTF-8. */
    char buf[256];
    size_t n = 0;
    while (n + 3 <= 200) {
        memcpy(buf + n, "\xe6\x97\xa5", 3);
        n += 3;
    }
    assert_int_equal(needed(buf, n), 0);
    memcpy(buf + n, "\xe3\x80\x80", 3);
    assert_int_equal(needed(buf, n + 3), 1);
}

/* ---- random property test ---- */

typedef struct piece {
    char b[4];
    unsigned char n;
    int out; /* folded ASCII, DROP, or -2: copied unchanged */
} piece;

static piece random_piece(uint64_t *rng)
{
    static const char *const other[] = {"\xc3\xa9", "\xe6\x97\xa5", "\xf0\x9f\x98\x80", "\xe2\x80\xa6", "\xc2\xa3",
                                        "\xff", "\xc0", "\xe2\x80", "\xef\xbc", "\xf0\x9d\x9f", "\xd9"};
    piece p = {{0}, 0, -2};
    uint64_t r = rng_next(rng) % 10;
    if (r < 5) {
        p.b[0] = (char)(0x20 + rng_next(rng) % 95);
        p.n = 1;
        p.out = p.b[0];
    } else if (r < 9) {
        size_t total = 0;
        for (size_t k = 0; k < COUNT(FOLDS); k++)
            total += FOLDS[k].hi - FOLDS[k].lo + 1;
        size_t pick = rng_next(rng) % total;
        for (size_t k = 0; k < COUNT(FOLDS); k++) {
            size_t span = FOLDS[k].hi - FOLDS[k].lo + 1;
            if (pick < span) {
                uint32_t cp = FOLDS[k].lo + (uint32_t)pick;
                p.n = (unsigned char)utf8_encode(cp, p.b);
                p.out = range_out(&FOLDS[k], cp);
                break;
            }
            pick -= span;
        }
    } else {
        const char *s = other[rng_next(rng) % COUNT(other)];
        p.n = (unsigned char)strlen(s);
        memcpy(p.b, s, p.n);
    }
    return p;
}

static void test_random_property(void **state)
{
    (void)state;
    enum { MAXP = 120 };
    uint64_t rng = 0xD1B54A32D192ED03u;
    piece pc[MAXP];
    size_t ostart[MAXP + 1], fstart[MAXP + 1];
    char in[MAXP * 4], want[MAXP * 4];
    for (int iter = 0; iter < 3000; iter++) {
        size_t np = rng_next(&rng) % MAXP, n = 0, wn = 0;
        int any = 0;
        for (size_t i = 0; i < np; i++) {
            pc[i] = random_piece(&rng);
            ostart[i] = n;
            fstart[i] = wn;
            memcpy(in + n, pc[i].b, pc[i].n);
            n += pc[i].n;
            if (pc[i].out == -2) {
                memcpy(want + wn, pc[i].b, pc[i].n);
                wn += pc[i].n;
            } else {
                any |= pc[i].n > 1;
                if (pc[i].out != DROP)
                    want[wn++] = (char)pc[i].out;
            }
        }
        ostart[np] = n;
        fstart[np] = wn;

        assert_int_equal(needed(in, n), any);
        ps_buf out;
        ps_offmap m;
        fold(in, n, &out, &m);
        assert_int_equal(out.len, wn);
        assert_memory_equal(out.p, want, wn);
        for (size_t i = 0; i < np; i++) {
            size_t produced = fstart[i + 1] - fstart[i];
            for (size_t k = 0; k < produced; k++)
                assert_int_equal(m.v[fstart[i] + k], ostart[i] + (pc[i].out == -2 ? k : 0));
        }

        /* Spans between piece boundaries of the folded view map to piece boundaries of the original, from the
         * first byte of the first piece producing output to the end of the last one, and fold back to themselves. */
        for (int t = 0; t < 40 && np > 0; t++) {
            size_t a = rng_next(&rng) % (np + 1), b = rng_next(&rng) % (np + 1);
            if (a > b) {
                size_t x = a;
                a = b;
                b = x;
            }
            size_t fs = fstart[a], fe = fstart[b], os, oe;
            fold_map_span(&m, fs, fe, &os, &oe);
            assert_true(os <= oe);
            if (fs < fe) {
                size_t first = a, last = b - 1;
                while (fstart[first + 1] == fstart[first])
                    first++; /* skip pieces that produced nothing */
                while (fstart[last + 1] == fstart[last])
                    last--;
                assert_int_equal(os, ostart[first]);
                assert_int_equal(oe, ostart[last + 1]);
            } else {
                assert_int_equal(oe, os);
            }
            ps_buf o2;
            ps_offmap m2;
            fold(in + os, oe - os, &o2, &m2);
            assert_int_equal(o2.len, fe - fs);
            if (o2.len)
                assert_memory_equal(o2.p, out.p + fs, o2.len);
            fold_free(&o2, &m2);
        }
        fold_free(&out, &m);
    }
}

static void test_large(void **state)
{
    (void)state;
    /* 1 MiB of ASCII with a full-width digit every 1000 bytes: many copy runs, map length exact. */
    size_t n = 1u << 20, folds = 0;
    char *p = malloc(n);
    assert_non_null(p);
    memset(p, 'a', n);
    for (size_t i = 500; i + 3 <= n; i += 1000, folds++)
        memcpy(p + i, "\xef\xbc\x97", 3);
    assert_int_equal(fold_needed(p, n), 1);
    assert_int_equal(fold_needed(p, 500), 0);
    ps_buf out = {0};
    ps_offmap m = {0};
    assert_int_equal(fold_apply(p, n, &out, &m), 0);
    assert_int_equal(out.len, n - 2 * folds);
    assert_int_equal(m.len, out.len);
    assert_int_equal(out.p[500], '7');
    assert_int_equal(m.v[501], 503);
    assert_int_equal(out.p[1498], '7');
    assert_int_equal(m.v[1498], 1500);
    assert_span(&m, 1498, 1499, 1500, 1503);
    assert_int_equal(m.v[m.len], n);
    fold_free(&out, &m);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_folded_char), cmocka_unit_test(test_brief_examples),
        cmocka_unit_test(test_kept_chars),        cmocka_unit_test(test_mixed_offsets),
        cmocka_unit_test(test_spans_at_edges),    cmocka_unit_test(test_append),
        cmocka_unit_test(test_invalid_untouched), cmocka_unit_test(test_needed_ascii),
        cmocka_unit_test(test_needed_positions),  cmocka_unit_test(test_random_property),
        cmocka_unit_test(test_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
