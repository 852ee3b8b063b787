/* test_ucase.c — the other case of non-ASCII letters, checked against PCRE2's own caseless matching, and the case
 * variants of rule words. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcre2.h>

#include "ucase.h"
#include "utf8.h"

/* The pattern "cp, ignoring case, and nothing else", JIT-compiled. */
static pcre2_code *caseless_one(uint32_t cp)
{
    char pat[4];
    int err;
    PCRE2_SIZE eoff;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, utf8_encode(cp, pat),
                                   PCRE2_UTF | PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED, &err, &eoff, NULL);
    assert_non_null(re);
    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* The letters ucase_other claims: Latin-1, Latin Extended-A, the Greek and Cyrillic alphabets. */
static int claimed(uint32_t cp)
{
    return (cp >= 0xC0 && cp <= 0x17E) || (cp >= 0x386 && cp <= 0x3CE) || (cp >= 0x400 && cp <= 0x4BF);
}

/* Every pair of claimed letters that PCRE2 (UTF, caseless) takes for each other is a pair of ucase_other, and
 * ucase_other gives nothing PCRE2 does not match. Final sigma is the one letter with two partners (σ ς Σ). */
static void test_other_case_is_pcre2s(void **state)
{
    (void)state;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    assert_non_null(md);
    unsigned pairs = 0;
    for (uint32_t cp = 0xC0; cp <= 0x4BF; cp++) {
        if (!claimed(cp))
            continue;
        char txt[4];
        pcre2_code *re = caseless_one(cp);
        uint32_t o = ucase_other(cp);
        for (uint32_t q = 0x80; q <= 0x4FF; q++) {
            if (q == cp)
                continue;
            size_t tn = utf8_encode(q, txt);
            int m = pcre2_match(re, (PCRE2_SPTR)txt, tn, 0, 0, md, NULL) > 0;
            if (q == o && !m)
                fail_msg("ucase_other(U+%04X) = U+%04X, which PCRE2 does not match", (unsigned)cp, (unsigned)o);
            if (m && claimed(q) && q != o && !(cp == 0x3A3 && q == 0x3C2) && !(q == 0x3A3 && cp == 0x3C2) &&
                !(cp == 0x3C2 && q == 0x3C3) && !(cp == 0x3C3 && q == 0x3C2))
                fail_msg("PCRE2 matches U+%04X for U+%04X, ucase_other gives U+%04X", (unsigned)q, (unsigned)cp,
                         (unsigned)o);
        }
        pairs += o != 0;
        pcre2_code_free(re);
    }
    pcre2_match_data_free(md);
    assert_true(pairs > 300);
    assert_int_equal(ucase_other('a'), 0); /* ASCII is the word searches' own business */
    assert_int_equal(ucase_other(0x4E00), 0);
}

typedef struct seen {
    char v[UCASE_MAX_VARIANTS + 1][32];
    int n;
} seen;

static int collect(void *ctx, const char *v, size_t n)
{
    seen *s = ctx;
    assert_true(s->n < UCASE_MAX_VARIANTS + 1 && n < 32);
    memcpy(s->v[s->n], v, n);
    s->v[s->n++][n] = 0;
    return 0;
}

static void test_variants(void **state)
{
    (void)state;
    seen s = {.n = 0};
    assert_int_equal(ucase_variants("l\xc3\xb6senord", 9, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[0], "l\xc3\xb6senord");
    assert_string_equal(s.v[1], "l\xc3\x96senord"); /* lÖsenord: the ASCII letters are left to the search */
    s.n = 0;
    assert_int_equal(ucase_variants("has\xc5\x82o", 6, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.v[1], "has\xc5\x81o"); /* hasŁo */
    s.n = 0;
    assert_int_equal(ucase_variants("password", 8, collect, &s), 0);
    assert_int_equal(s.n, 1);
    s.n = 0; /* five letters with a case: the first four vary, 16 spellings */
    assert_int_equal(ucase_variants("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 10, collect, &s), 0);
    assert_int_equal(s.n, UCASE_MAX_VARIANTS);
    assert_string_equal(s.v[15], "\xc3\x89\xc3\x89\xc3\x89\xc3\x89\xc3\xa9");
    s.n = 0; /* bytes that are not UTF-8, and CJK, stay as they are */
    assert_int_equal(ucase_variants("\xff\xe6\x97\xa5x", 5, collect, &s), 0);
    assert_int_equal(s.n, 1);
}

static int stop_at_second(void *ctx, const char *v, size_t n)
{
    (void)v;
    (void)n;
    return ++*(int *)ctx == 2 ? 7 : 0;
}

static void test_variants_stop(void **state)
{
    (void)state;
    int calls = 0;
    assert_int_equal(ucase_variants("\xc3\xa9\xc3\xa9", 4, stop_at_second, &calls), 7);
    assert_int_equal(calls, 2);
}

/* ucase_two_cased: PCRE2, ignoring case, matches such a letter with itself and ucase_other's letter only, across the
 * blocks that hold case partners of Latin letters (letterlike symbols such as U+212B, Latin Extended Additional,
 * full-width forms...). rxinfo_has_word relies on it: a word spelled with it is in the word lists in both cases. */
static void test_two_cased_is_pcre2s(void **state)
{
    (void)state;
    static const uint32_t blocks[][2] = {{0x80, 0x2FFF}, {0xA640, 0xA7FF}, {0xAB30, 0xAB6F}, {0xFB00, 0xFB4F},
                                         {0xFF00, 0xFFEF}, {0x10400, 0x104FF}, {0x1E900, 0x1E95F}};
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    assert_non_null(md);
    unsigned checked = 0;
    for (uint32_t cp = 0x80; cp <= 0x17F; cp++) {
        if (!ucase_two_cased(cp))
            continue;
        char txt[4];
        pcre2_code *re = caseless_one(cp);
        uint32_t o = ucase_other(cp);
        assert_true(o >= 0x80);
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
            for (uint32_t q = blocks[b][0]; q <= blocks[b][1]; q++) {
                if (q >= 0xD800 && q <= 0xDFFF)
                    continue;
                size_t tn = utf8_encode(q, txt);
                int m = pcre2_match(re, (PCRE2_SPTR)txt, tn, 0, 0, md, NULL) > 0;
                if (m != (q == cp || q == o))
                    fail_msg("PCRE2 %s U+%04X for U+%04X (ucase_other: U+%04X)", m ? "matches" : "does not match",
                             (unsigned)q, (unsigned)cp, (unsigned)o);
            }
        for (uint32_t q = 0; q < 0x80; q++) { /* nor an ASCII letter (K and S have such partners the other way) */
            char c = (char)q;
            if (pcre2_match(re, (PCRE2_SPTR)&c, 1, 0, 0, md, NULL) > 0)
                fail_msg("PCRE2 matches '%c' for U+%04X", c, (unsigned)cp);
        }
        checked++;
        pcre2_code_free(re);
    }
    pcre2_match_data_free(md);
    assert_true(checked > 150);
    assert_false(ucase_two_cased(0xE5)); /* a-ring: U+212B ANGSTROM SIGN too */
    assert_false(ucase_two_cased(0xDF)); /* sharp s: no other case here */
    assert_false(ucase_two_cased(0x3B1)); /* Greek: not claimed */
}

/* utf8.h's encoder and decoder, which ucase, rxinfo and jsonl share: every scalar value goes there and back, as a
 * well-formed sequence of the length its range gives. */
static void test_utf8_round_trip(void **state)
{
    (void)state;
    for (uint32_t cp = 0; cp < 0x110000; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char o[4];
        size_t n = utf8_encode(cp, o);
        assert_int_equal(n, cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4);
        assert_int_equal(utf8_seq_len((const unsigned char *)o, n), n);
        if (utf8_decode((const unsigned char *)o, n) != cp)
            fail_msg("U+%04X comes back as U+%04X", (unsigned)cp, (unsigned)utf8_decode((const unsigned char *)o, n));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_other_case_is_pcre2s),
        cmocka_unit_test(test_two_cased_is_pcre2s),
        cmocka_unit_test(test_utf8_round_trip),
        cmocka_unit_test(test_variants),
        cmocka_unit_test(test_variants_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
