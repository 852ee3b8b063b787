/* test_rxinfo.c — rxinfo's reading of patterns: hand-made cases with exact answers, and soundness against PCRE2
 * itself (every real match must be made of the alphabet, hold min_digits digits and min_len characters, and its
 * text must hold the run) over the built-in packs' examples and over random patterns. An unsound answer closes a
 * gate on text that holds PII. */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "byteset.h"
#include "digitruns.h"
#include "engine.h"
#include "piiscrub.h"
#include "rules.h"
#include "rxinfo.h"
#include "test_rng.h"

#include <ctype.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- sets */

static bool in_set(const uint64_t s[4], unsigned c)
{
    return (s[c >> 6] >> (c & 63)) & 1;
}

static void set_add(uint64_t s[4], unsigned c)
{
    s[c >> 6] |= (uint64_t)1 << (c & 63);
}

/* A set from a class-like spec: bytes and a-b ranges ('-' first or last is itself); a leading '^' complements
 * (over all 256 bytes); "*" is every byte. */
static void spec_set(const char *spec, uint64_t s[4])
{
    memset(s, 0, 4 * sizeof s[0]);
    const unsigned char *p = (const unsigned char *)spec;
    bool neg = *p == '^';
    if (neg)
        p++;
    if (p[0] == '*' && !p[1]) {
        for (unsigned c = 0; c < 256; c++)
            set_add(s, c);
        return;
    }
    while (*p) {
        unsigned lo = *p++, hi = lo;
        if (p[0] == '-' && p[1]) {
            hi = p[1];
            p += 2;
        }
        for (unsigned c = lo; c <= hi; c++)
            set_add(s, c);
    }
    if (neg)
        for (int i = 0; i < 4; i++)
            s[i] = ~s[i];
}

static void set_str(const uint64_t s[4], char *buf, size_t size)
{
    size_t k = 0;
    for (unsigned c = 0; c < 256 && k + 8 < size;) {
        if (!in_set(s, c)) {
            c++;
            continue;
        }
        unsigned d = c;
        while (d + 1 < 256 && in_set(s, d + 1))
            d++;
        k += (size_t)snprintf(buf + k, size - k, c == d ? "%02x " : "%02x-%02x ", c, d);
        c = d + 1;
    }
    buf[k] = 0;
}

/* ---------------------------------------------------------------- hand-made cases */

typedef struct rxcase {
    const char *pattern;
    bool caseless;
    bool ok;
    const char *alphabet; /* spec_set */
    unsigned digits, len;
    const char *run; /* spec_set, "=" for the alphabet, NULL for none */
    unsigned run_len;
} rxcase;

#define NA "\x80-\xff"
#define YES(p, ci, al, d, l, run, rl) {p, ci, true, al, d, l, run, rl}
#define NO(p, ci) {p, ci, false, NULL, 0, 0, NULL, 0}

static const rxcase cases[] = {
    /* literals and escapes */
    YES("abc", false, "abc", 0, 3, "=", 3),
    YES("a1b2", false, "12ab", 2, 4, "=", 4),
    YES("\\x41\\x{31}", false, "1A", 1, 2, "=", 2),
    YES("\\x{263A}", false, NA, 0, 1, "=", 1),
    YES("\xc3\xa9", false, NA, 0, 1, "=", 1),
    YES("\\.\\-\\/", false, "-./", 0, 3, "=", 3),
    YES("\\t\\n", false, "\t\n", 0, 2, NULL, 0),
    YES("\\bfoo\\b^$\\A\\z", false, "fo", 0, 3, "=", 3),
    YES(".", false, "*", 0, 1, NULL, 0),
    /* classes */
    YES("[0-9a-f]{8}", false, "0-9a-f", 0, 8, "=", 8),
    YES("[0-9]", false, "0-9", 1, 1, "=", 1),
    YES("[\\x30-\\x39]", false, "0-9", 1, 1, "=", 1),
    YES("[^a-z]", false, "^a-z", 0, 1, NULL, 0),
    YES("[\\d-z]", false, "-0-9z", 0, 1, "=", 1),
    YES("[]a]", false, "]a", 0, 1, "=", 1),
    YES("[^]a]", false, "^]a", 0, 1, NULL, 0),
    YES("[a-]", false, "-a", 0, 1, "=", 1),
    YES("[\\]\\\\]", false, "\\]", 0, 1, "=", 1),
    YES("[\\x{100}-\\x{200}]", false, NA, 0, 1, "=", 1),
    YES("[a-\\x{100}]", false, "a-\xff", 0, 1, "=", 1),
    YES("[\\b]", false, "\b", 0, 1, "=", 1),
    NO("[[:digit:]]", false),
    NO("[[:alpha:]x]", false),
    NO("[z-a]", false),
    /* \d \w \s \h \v and complements */
    YES("\\d", false, "0-9", 1, 1, "=", 1),
    YES("\\D", false, "^0-9", 0, 1, NULL, 0),
    YES("\\w+", false, "0-9A-Z_a-z", 0, 1, "=", 1),
    YES("\\W", false, "^0-9A-Z_a-z", 0, 1, NULL, 0),
    YES("\\s", false, "\t-\r ", 0, 1, NULL, 0),
    YES("\\S", false, "^\t-\r ", 0, 1, "=", 1),
    YES("\\h", false, "\t " NA, 0, 1, NULL, 0),
    YES("\\H", false, "^\t ", 0, 1, "=", 1),
    YES("\\v", false, "\n-\r" NA, 0, 1, "=", 1),
    YES("\\V", false, "^\n-\r", 0, 1, NULL, 0),
    YES("[\\s\\d]", false, "\t-\r 0-9", 0, 1, NULL, 0),
    /* quantifiers */
    YES("a?", false, "a", 0, 0, NULL, 0),
    YES("a*b+", false, "ab", 0, 1, "=", 1),
    YES("\\d{2,}", false, "0-9", 2, 2, "=", 2),
    YES("\\d{2,5}x", false, "0-9x", 2, 3, "=", 3),
    YES("\\d{0}y", false, "y", 0, 1, "=", 1),
    YES("\\d{0,0}y", false, "y", 0, 1, "=", 1),
    YES("\\d{3}?x", false, "0-9x", 3, 4, "=", 4),
    YES("\\d++", false, "0-9", 1, 1, "=", 1),
    YES("\\d*+x", false, "0-9x", 0, 1, "=", 1),
    YES("\\d??x", false, "0-9x", 0, 1, "=", 1),
    YES("\\d{2,4}+x", false, "0-9x", 2, 3, "=", 3),
    YES("\\d+?", false, "0-9", 1, 1, "=", 1),
    YES("(?:\\d{2}){3}", false, "0-9", 6, 6, "=", 6),
    YES("(?:ab){0}c", false, "c", 0, 1, "=", 1),
    YES("\\d{300}", false, "0-9", 255, 255, "=", 255),
    YES("\\d{3}-\\d{2}-\\d{4}", false, "-0-9", 9, 11, "=", 11),
    YES("(\\d{3}) (\\d{2})", false, " 0-9", 5, 6, "0-9", 3),
    NO("a{,3}", false),
    NO("a{2", false),
    NO("*a", false),
    NO("a|*", false),
    NO("{1}", false),
    /* alternation */
    YES("\\d{3}|\\d{5}x", false, "0-9x", 3, 3, "0-9x", 3),
    YES("abc|\\d", false, "0-9abc", 0, 1, "=", 1),
    YES("(?:12|345)6", false, "1-6", 3, 3, "=", 3),
    YES("a|", false, "a", 0, 0, NULL, 0),
    YES("ab|c d", false, " abcd", 0, 2, NULL, 0),
    /* lookarounds consume nothing; a positive one gives its run */
    YES("(?=\\d{5})\\d", false, "0-9", 1, 1, "0-9", 5),
    YES("(?<=@)x", false, "x", 0, 1, "@", 1), /* a tie: the lookbehind's run, as good */
    YES("(?<!\\d)x", false, "x", 0, 1, "=", 1),
    YES("(?!abc)x", false, "x", 0, 1, "=", 1),
    YES("(?![A-Z]{30})a", false, "a", 0, 1, "=", 1),
    YES("(?=[A-Za-z0-9+/]{24})[A-Za-z0-9+/]+", false, "+/0-9A-Za-z", 0, 1, "=", 24),
    YES("(?=\\d{20}|[a-z]{30})\\w", false, "0-9A-Z_a-z", 0, 1, "0-9a-z", 20),
    YES("(?:(?=a{20}))?b", false, "b", 0, 1, "=", 1),
    YES("(?=a{20}|b c d e f g h i j k l m)x", false, "x", 0, 1, "=", 1),
    YES("(?<=[A-Z]{10})-", false, "-", 0, 1, "A-Z", 10),
    /* backreferences: the group's alphabet, no digits, no length */
    YES("(\\d)\\1", false, "0-9", 1, 1, "=", 1),
    YES("(a)\\g{1}", false, "a", 0, 1, "=", 1),
    YES("(?=(\\d+))\\1", false, "0-9", 0, 0, "0-9", 1),
    NO("\\1(a)", false),
    NO("(a)\\2", false),
    NO("(a\\1)", false),
    NO("(?<n>a)\\k<n>", false),
    NO("(?P<n>a)(?P=n)", false),
    NO("(a)\\g{-1}", false),
    /* options */
    YES("(?:(?i)a)b", false, "Aab", 0, 2, "=", 2),
    YES("((?i)a)b", false, "Aab", 0, 2, "=", 2),
    YES("(?i:a)b", false, "Aab", 0, 2, "=", 2),
    YES("a(?i)b", false, "Bab", 0, 2, "=", 2),
    YES("(?i)a|b", false, "ABab", 0, 1, "=", 1),
    YES("(a(?i)b|c)d", false, "BCabcd", 0, 2, "=", 2),
    YES("(?-i:a)b", true, "Bab", 0, 2, "=", 2),
    YES("(?i)x", false, "Xx", 0, 1, "=", 1),
    YES("x", true, "Xx", 0, 1, "=", 1),
    YES("k", true, "Kk" NA, 0, 1, "=", 1),
    YES("S", true, "Ss" NA, 0, 1, "=", 1),
    YES("(?i)[a-z]", false, "A-Za-z" NA, 0, 1, "=", 1),
    YES("(?i)[a-j]", false, "A-Ja-j", 0, 1, "=", 1),
    YES("(?s)a(?m)b(?U)c", false, "abc", 0, 3, "=", 3),
    NO("(?x)a", false),
    NO("(?xx)a", false),
    NO("(?J)a", false),
    /* definitions and subroutine calls */
    YES("(?(DEFINE)(?<d>\\d{3}))(?&d)-(?&d)", false, "*", 0, 1, NULL, 0),
    YES("(?(DEFINE)(a))b", false, "b", 0, 1, "=", 1),
    YES("(\\d)(?1)", false, "*", 1, 1, "0-9", 1),
    YES("(\\d)(?-1)", false, "*", 1, 1, "0-9", 1),
    YES("a(?R)?b", false, "*", 0, 2, NULL, 0),
    YES("(?<x>z)(?P>x)", false, "*", 0, 1, "z", 1),
    /* branch reset: a later backreference gives up */
    NO("(?|(a)|(b))\\1", false),
    YES("(?|(a)|(b))c", false, "abc", 0, 2, "=", 2),
    /* groups */
    YES("(?>ab)", false, "ab", 0, 2, "=", 2),
    YES("(?#comment)a", false, "a", 0, 1, "=", 1),
    YES("(?<name>a)(?'q'b)(?P<r>c)", false, "abc", 0, 3, "=", 3),
    /* verbs (those that are not known, or the last of the list, are in test_bug_verbs) */
    YES("(*SKIP)a(*PRUNE)(*COMMIT)(*THEN)(*MARK:m)", false, "a", 0, 1, "=", 1),
    YES("a(*FAIL)|b", false, "ab", 0, 1, "=", 1),
    /* not modelled */
    NO("\\p{L}", false),
    NO("\\P{N}", false),
    NO("\\Q.\\E", false),
    NO("\\R", false),
    NO("\\X", false),
    NO("\\C", false),
    NO("\\cA", false),
    NO("\\0", false),
    NO("\\o{101}", false),
    NO("(?(1)a|b)", false),
    NO("(?C1)a", false),
    NO("\\g<1>(a)", false),
    NO("\\N{U+0041}", false),
    /* unbalanced and broken */
    NO("(a", false),
    NO("a)", false),
    NO("[a", false),
    NO("a(?", false),
    NO("\\", false),
    NO("(?<n", false),
    NO("(?#x", false),
};

/* @return 0, or 1 after printing what differs. */
static int check_case(const rxcase *c)
{
    ps_rxinfo info;
    memset(&info, 0x5A, sizeof info);
    bool ok = rxinfo_analyze(c->pattern, c->caseless, &info);
    if (ok != c->ok) {
        print_error("rxinfo_analyze(\"%s\", %d) = %d, want %d\n", c->pattern, c->caseless, ok, c->ok);
        return 1;
    }
    if (!ok)
        return 0;
    uint64_t want[4], run[4];
    spec_set(c->alphabet, want);
    char a[1024], b[1024];
    int bad = 0;
    if (memcmp(want, info.alphabet, sizeof want)) {
        set_str(info.alphabet, a, sizeof a);
        set_str(want, b, sizeof b);
        print_error("\"%s\": alphabet %s, want %s\n", c->pattern, a, b);
        bad = 1;
    }
    if (info.min_digits != c->digits || info.min_len != c->len) {
        print_error("\"%s\": digits %u len %u, want %u %u\n", c->pattern, info.min_digits, info.min_len, c->digits,
                    c->len);
        bad = 1;
    }
    if (info.run_len != c->run_len) {
        print_error("\"%s\": run_len %u, want %u\n", c->pattern, info.run_len, c->run_len);
        bad = 1;
    }
    if (c->run) {
        if (!strcmp(c->run, "="))
            memcpy(run, want, sizeof run);
        else
            spec_set(c->run, run);
        if (memcmp(run, info.run_set, sizeof run)) {
            set_str(info.run_set, a, sizeof a);
            set_str(run, b, sizeof b);
            print_error("\"%s\": run_set %s, want %s\n", c->pattern, a, b);
            bad = 1;
        }
    }
    return bad;
}

static void test_cases(void **state)
{
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        bad += check_case(&cases[i]);
    assert_int_equal(bad, 0);
}

/* text_digit: a digit the match consumes, or one a positive lookaround sees, on every path. */
static void test_text_digit(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        bool text_digit;
    } digit_cases[] = {
        {"a1", true},
        {"ab", false},
        {"(?=[A-Z0-9]{0,18}\\d)[A-Z]+", true},
        {"(?<=\\d)x", true},
        {"(?!\\d)x", false},
        {"(?<!\\d)x", false},
        {"(?:(?=\\d))?x", false},
        {"(?:(?=\\d)){1,2}x", true},
        {"a(?=\\d)|b", false},
        {"a(?=\\d)|b\\d", true},
        {"(?:x(?=.*\\d)|y7)z", true},
        {"(?=(?!\\d)).", false},
        {"[0-9]?", false},
    };
    for (size_t i = 0; i < sizeof digit_cases / sizeof digit_cases[0]; i++) {
        ps_rxinfo info;
        assert_true(rxinfo_analyze(digit_cases[i].pattern, false, &info));
        if (info.text_digit != digit_cases[i].text_digit)
            fail_msg("\"%s\": text_digit %d, want %d", digit_cases[i].pattern, info.text_digit, digit_cases[i].text_digit);
    }
}

/* look: the bytes positive lookarounds can look at, wherever they are; with the alphabet, it says whether a match
 * and all its gates read can lie on one line (no '\n' in either). */
static void test_look(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        bool newline; /* may a positive lookaround look at a '\n'? */
        bool digit;   /* at a digit? */
    } look_cases[] = {
        {"a(?=\\s)", true, false},
        {"a(?=[a-z]{2})", false, false},
        {"(?<=\\n)x", true, false},
        {"(?<=\\d)x", false, true},
        {"(?!\\n)x", false, false},
        {"(?<![\\s\\d])x", false, false},
        {"(?=(?=.))x", true, true},
        {"x(?=(?!\\s)\\d)", false, true},
        {"(?:a(?=[^a]))?b", true, true},
        {"(?:a|b(?=\\d\\n))c", true, true},
        {"\\s+x", false, false},
    };
    for (size_t i = 0; i < sizeof look_cases / sizeof look_cases[0]; i++) {
        ps_rxinfo info;
        assert_true(rxinfo_analyze(look_cases[i].pattern, false, &info));
        bool nl = (info.look[0] >> '\n') & 1, digit = (info.look[0] >> '5') & 1;
        if (nl != look_cases[i].newline || digit != look_cases[i].digit)
            fail_msg("\"%s\": look has '\\n' %d and '5' %d, want %d and %d", look_cases[i].pattern, nl, digit,
                     look_cases[i].newline, look_cases[i].digit);
    }
}

/* The span: what a match and a positive lookahead at its start cover together. */
static void test_span(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        unsigned digits, len;
        const char *set; /* spec_set's form */
    } span_cases[] = {
        {"\\d{3}", 3, 3, "0-9"},
        {"(?=\\d(?:[ .-]?\\d){8})[\\d .-]{5}", 9, 9, " .0-9-"},
        {"(?<![\\w.])(?=\\d{4})\\d", 4, 4, "0-9"},         /* a lookbehind before it changes nothing */
        {"(?!\\d{9})\\d{3}", 3, 3, "0-9"},                   /* a negative lookahead guarantees nothing */
        {"a(?=\\d{9})", 0, 1, "a"},                          /* a lookahead after the start: not from the start */
        {"(?=\\d{9})\\d{3}|\\d{5}", 5, 5, "0-9"},             /* either branch: the fewer digits */
        {"(?:(?=\\d{6}))?\\d", 1, 1, "0-9"},                   /* an optional lookahead: nothing */
        {"(?:(?=\\d{7})\\d)\\d", 7, 7, "0-9"},                /* in a group at the start */
        {"(?=[a-z]{2}\\d{6})[a-z]+", 6, 8, "a-z0-9"},        /* the lookahead's bytes join the set */
        {"x?(?=\\d{6})\\d", 1, 1, "0-9x"},                    /* after an optional byte: maybe not the start */
        {"(?=\\d{3})(?=\\d{2}-\\d{4})\\d", 6, 7, "0-9-"},      /* two lookaheads: the longer cover */
    };
    for (size_t i = 0; i < sizeof span_cases / sizeof span_cases[0]; i++) {
        ps_rxinfo info;
        uint64_t want[4];
        assert_true(rxinfo_analyze(span_cases[i].pattern, false, &info));
        spec_set(span_cases[i].set, want);
        if (info.span_digits != span_cases[i].digits || info.span_len != span_cases[i].len ||
            memcmp(info.span_set, want, sizeof want))
            fail_msg("\"%s\": span of %u digits, %u long, want %u, %u (or another set)", span_cases[i].pattern,
                     info.span_digits, info.span_len, span_cases[i].digits, span_cases[i].len);
    }
}

static void test_not_before_and_group(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        const char *not_before; /* spec_set's form */
        unsigned group;
    } nb_cases[] = {
        {"(?<![\\w+./-])(?<!\\d )\\d{3}-\\d{4}", "0-9A-Za-z_+./-", 4}, /* one-byte lookbehinds unite; two-byte ones add nothing */
        {"(?i)(?<![a-c])x", "a-cA-C", 0},                                   /* ignoring case */
        {"(?<!a)x|(?<![ab])y", "a", 0},                                     /* either branch: what both refuse */
        {"(?<!a)x|y", "", 0},
        {"x(?<!a)", "", 0},                                                 /* after a byte: not at the start */
        {"(?:(?<!a))?x", "", 0},                                            /* optional */
        {"(?=(?<!a)x)x", "a", 0},                                           /* a lookahead at the start */
        {"(?<=a)x", "", 0},                                                 /* positive: not modelled */
        {"(?!a)x", "", 0},        /* a negative lookahead refuses 'a' at the start, not before it */
        {"(?!\\d)[a-z0-9]{2}\\d\\d", "", 2},
        {"(?<![^a])x", "", 0},                                              /* non-ASCII: not listed */
        {"(?<!\\ba)x", "", 0},  /* an assertion in it: it refuses 'a' only at a word's start */
        {"(?<!a$)x", "", 0},
        {"(?<!(?<=a)b)x", "", 0},
        {"(?<![\\]a])x", "]a", 0}, /* a class holding ']' */
        {"(?<!\\.)x", ".", 0},
        {"(?<!\\x2e)x", "", 0},   /* one character, but not read as one: nothing (never a wrong byte) */
        {"\\d{2}(?:\\.\\d{2}){2}", "", 2},
        {"\\d(?=-)\\d{2}", "", 3},                                            /* a lookaround does not break a group */
        {"1\\d?2", "", 2},                                                  /* an optional digit: the fewest */
        {"(?:\\d\\d-){3}", "", 2},
        {"(?:-\\d\\d){2}", "", 2},
        {"(?:\\d-\\d){2}", "", 2},                                          /* one repetition's end, the next's start */
        {"\\d{3}|\\d-\\d{5}", "", 3},
        {"(?:\\d{2}|a)\\d", "", 1},
        {"\\d+\\d*7", "", 2},
    };
    for (size_t i = 0; i < sizeof nb_cases / sizeof nb_cases[0]; i++) {
        ps_rxinfo info;
        uint64_t want[4];
        char got_s[300], want_s[300];
        assert_true(rxinfo_analyze(nb_cases[i].pattern, false, &info));
        spec_set(nb_cases[i].not_before, want);
        set_str(info.not_before, got_s, sizeof got_s);
        set_str(want, want_s, sizeof want_s);
        if (memcmp(info.not_before, want, sizeof want) || info.min_group != nb_cases[i].group)
            fail_msg("\"%s\": not_before [%s] and min_group %u, want [%s] and %u", nb_cases[i].pattern, got_s,
                     info.min_group, want_s, nb_cases[i].group);
    }
}

/* min_others: the fewest characters that cannot be digits, as min_digits counts digits (a class holding a digit
 * counts for neither; lookarounds and backreferences count nothing). */
static void test_others(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        unsigned others;
    } oc[] = {
        {"(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)", 3}, /* IPv4 */
        {"\\d{3}-\\d{2}-\\d{4}|\\d{9}", 0},  /* either branch: the fewest */
        {"\\d{6}[- ]\\d{3}[-. ]\\d{2}", 2},
        {"[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}\\.[0-9A-Fa-f]{4}", 2}, /* hex digits may be digits: only the dots */
        {"[^0-9]x\\D\\s", 4},
        {"a(?=bc)(?<=a)\\w.", 1},       /* \\w and . may be digits; lookarounds consume nothing */
        {"(-)\\d\\1", 1},                /* a backreference counts nothing */
        {"(?:ab){2,}c?", 4},
        {"x{0,3}\\d", 0},
        {"\xc3\xa9\\d", 1},             /* a non-ASCII character */
    };
    for (size_t i = 0; i < sizeof oc / sizeof oc[0]; i++) {
        ps_rxinfo info;
        assert_true(rxinfo_analyze(oc[i].pattern, false, &info));
        if (info.min_others != oc[i].others)
            fail_msg("\"%s\": min_others %u, want %u", oc[i].pattern, info.min_others, oc[i].others);
    }
}

static void test_limits(void **state)
{
    (void)state;
    char p[1024];
    ps_rxinfo info;
    /* nesting deeper than the parser goes: give up, no crash */
    size_t k = 0;
    for (int i = 0; i < 200; i++)
        p[k++] = '(';
    p[k++] = 'a';
    for (int i = 0; i < 200; i++)
        p[k++] = ')';
    p[k] = 0;
    assert_false(rxinfo_analyze(p, false, &info));
    /* more groups than it numbers: give up */
    k = 0;
    for (int i = 0; i < 100; i++) {
        memcpy(p + k, "(a)", 3);
        k += 3;
    }
    p[k] = 0;
    assert_false(rxinfo_analyze(p, false, &info));
    /* an empty pattern matches the empty string */
    assert_true(rxinfo_analyze("", false, &info));
    assert_int_equal(info.min_len, 0);
    assert_int_equal(info.min_digits, 0);
    assert_int_equal(info.run_len, 0);
}

/* ---------------------------------------------------------------- soundness against PCRE2 */

typedef struct checked {
    size_t matches, patterns;
} checked;

static size_t utf8_chars(const unsigned char *p, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += (p[i] & 0xC0) != 0x80;
    return k;
}

static bool has_run(const unsigned char *p, size_t n, const uint64_t set[4], unsigned len)
{
    size_t have = 0;
    for (size_t i = 0; i < n; i++) {
        have = in_set(set, p[i]) ? have + 1 : 0;
        if (have >= len)
            return true;
    }
    return len == 0;
}

/* Every match of `code` in subj must fit info. @return false (with a message in why) at the first that does not. */
static bool has_ascii_digit(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] >= '0' && p[i] <= '9')
            return true;
    return false;
}

static bool sound_on(const pcre2_code *code, const ps_rxinfo *info, const char *subj, size_t n, char *why,
                     size_t why_size, checked *ck)
{
    const unsigned char *u = (const unsigned char *)subj;
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    assert_non_null(md);
    size_t start = 0;
    bool ok = true;
    bool runs_ok = has_run(u, n, info->run_set, info->run_len);
    ps_digitruns dr;
    digitruns_init(&dr);
    int dix = digitruns_add(&dr, info->alphabet); /* a match is a run of its alphabet: as long, with its digits */
    bool digits_checked =
        info->min_digits >= 1 && (info->alphabet[0] & ((uint64_t)0x3FF << '0')) == ((uint64_t)0x3FF << '0');
    uint8_t best[DIGITRUNS_MAX], lens[DIGITRUNS_MAX];
    digitruns_count(&dr, subj, n, best, lens, NULL, NULL);
    while (ok && start <= n) {
        int rc = pcre2_match(code, (PCRE2_SPTR)subj, n, start, 0, md, NULL);
        if (rc < 0)
            break;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        size_t s = ov[0], e = ov[1];
        if (s > e) /* \K in a lookahead: not something the packs do */
            break;
        ck->matches++;
        unsigned digits = 0;
        for (size_t i = s; i < e; i++) {
            if (!in_set(info->alphabet, u[i])) {
                snprintf(why, why_size, "byte 0x%02x at %zu of match [%zu,%zu) is not in the alphabet", u[i], i, s,
                         e);
                ok = false;
            }
            digits += u[i] >= '0' && u[i] <= '9';
        }
        if (ok && digits < info->min_digits) {
            snprintf(why, why_size, "match [%zu,%zu) holds %u digits < min_digits %u", s, e, digits,
                     info->min_digits);
            ok = false;
        }
        if (ok && utf8_chars(u + s, e - s) < info->min_len) {
            snprintf(why, why_size, "match [%zu,%zu) has %zu characters < min_len %u", s, e, utf8_chars(u + s, e - s),
                     info->min_len);
            ok = false;
        }
        for (unsigned c = 0; ok && c < 256; c++)
            if (in_set(info->required, c) && !memchr(u + s, (int)c, e - s)) {
                snprintf(why, why_size, "match [%zu,%zu) lacks the required byte 0x%02x", s, e, c);
                ok = false;
            }
        if (ok && info->text_digit && !has_ascii_digit(u, n)) {
            snprintf(why, why_size, "match [%zu,%zu), but text_digit and the text has no digit", s, e);
            ok = false;
        }
        if (ok && !runs_ok) {
            snprintf(why, why_size, "match [%zu,%zu), but no run of %u run_set bytes in the text", s, e,
                     info->run_len);
            ok = false;
        }
        if (ok && lens[dix] < (info->min_len > 255 ? 255 : info->min_len)) {
            snprintf(why, why_size, "match [%zu,%zu), but the longest run of the alphabet is %u < min_len", s, e,
                     lens[dix]);
            ok = false;
        }
        if (ok) { /* the span: from the match's start, span_len characters of span_set with span_digits digits */
            size_t k = s;
            unsigned span_digits = 0;
            for (; k < n && in_set(info->span_set, u[k]); k++)
                span_digits += u[k] >= '0' && u[k] <= '9';
            if (span_digits < info->span_digits || utf8_chars(u + s, k - s) < info->span_len) {
                snprintf(why, why_size, "match [%zu,%zu): the span_set run from its start has %u digits, %zu "
                         "characters < span %u, %u", s, e, span_digits, utf8_chars(u + s, k - s), info->span_digits,
                         info->span_len);
                ok = false;
            }
        }
        if (ok && s > 0 && in_set(info->not_before, u[s - 1])) {
            snprintf(why, why_size, "match [%zu,%zu) starts after 0x%02x, a not_before byte", s, e, u[s - 1]);
            ok = false;
        }
        if (ok) { /* min_group digits in a row, in the match */
            unsigned row = 0, most = 0;
            for (size_t i = s; i < e; i++) {
                row = u[i] >= '0' && u[i] <= '9' ? row + 1 : 0;
                most = row > most ? row : most;
            }
            if (most < info->min_group) {
                snprintf(why, why_size, "match [%zu,%zu) holds %u digits in a row < min_group %u", s, e, most,
                         info->min_group);
                ok = false;
            }
        }
        if (ok) { /* min_others bytes that are not digits, in the match */
            unsigned others = 0;
            for (size_t i = s; i < e; i++)
                others += !(u[i] >= '0' && u[i] <= '9');
            if (others < info->min_others) {
                snprintf(why, why_size, "match [%zu,%zu) holds %u bytes that are not digits < min_others %u", s, e,
                         others, info->min_others);
                ok = false;
            }
        }
        if (ok && digits_checked && best[dix] < (info->min_digits > 255 ? 255 : info->min_digits)) {
            snprintf(why, why_size, "match [%zu,%zu), but digitruns finds only %u digits in a run", s, e, best[dix]);
            ok = false;
        }
        start = e > s ? e : s + 1;
        while (start < n && (u[start] & 0xC0) == 0x80)
            start++;
    }
    pcre2_match_data_free(md);
    return ok;
}

static pcre2_code *compile(const char *pattern, uint32_t opts)
{
    int err;
    PCRE2_SIZE off;
    return pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts, &err, &off, NULL);
}

static const char *const extra_subjects[] = {
    "john.doe@example.com 415-555-2671 (415) 555 2671 +44 20 7946 0958",
    "IBAN GB82 WEST 1234 5698 7654 32 DE89370400440532013000 4111 1111 1111 1111",
    "SSN 123-45-6789 AHV 756.1234.5678.97 RSSMRA85T10A562S 12345678Z X1234567L",
    "AKIAIOSFODNN7EXAMPLE ghp_1234567890abcdefghijABCDEFGHIJ123456 2001:db8::1 192.168.1.23",
    "\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93-45-6789 4111\xc2\xa0" "1111 \xe2\x84\xaa\xc5\xbf KELVIN",
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
};

static void test_packs_sound(void **state)
{
    (void)state;
    ps_ruleset *rs;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_int_equal(ps_ruleset_load_builtin(rs, &d), PS_OK);
    size_t n_subj = 0, cap = 1024;
    const char **subj = malloc(cap * sizeof *subj);
    assert_non_null(subj);
    for (size_t i = 0; i < rs->n; i++) {
        const ps_strlist *lists[2] = {&rs->rules[i].ex_match, &rs->rules[i].ex_no_match};
        for (int l = 0; l < 2; l++) {
            for (size_t k = 0; k < lists[l]->n; k++) {
                if (n_subj == cap) {
                    cap *= 2;
                    const char **v = realloc(subj, cap * sizeof *subj);
                    assert_non_null(v);
                    subj = v;
                }
                subj[n_subj++] = lists[l]->v[k];
            }
        }
    }
    for (size_t k = 0; k < sizeof extra_subjects / sizeof extra_subjects[0]; k++) {
        if (n_subj == cap) {
            cap *= 2;
            const char **v = realloc(subj, cap * sizeof *subj);
            assert_non_null(v);
            subj = v;
        }
        subj[n_subj++] = extra_subjects[k];
    }
    checked ck = {0};
    size_t analysed = 0, own_matches = 0, gated = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const ps_rule *r = &rs->rules[i];
        if (r->flags & (PS_RFLAG_EXTENDED | PS_RFLAG_UCP))
            continue; /* the engine does not read these */
        ps_rxinfo info;
        if (!rxinfo_analyze(r->pattern, (r->flags & PS_RFLAG_CASELESS) != 0, &info))
            continue;
        analysed++;
        gated += info.min_digits >= 2 || info.run_len >= 8;
        pcre2_code *code = compile(r->pattern, engine_pattern_options(r->flags));
        if (!code)
            fail_msg("rule %s: pattern does not compile", r->id);
        size_t before = ck.matches;
        for (size_t k = 0; k < n_subj; k++) {
            char why[300];
            if (!sound_on(code, &info, subj[k], strlen(subj[k]), why, sizeof why, &ck))
                fail_msg("rule %s, text \"%s\": %s (min_digits %u, min_len %u, run_len %u)", r->id, subj[k], why,
                         info.min_digits, info.min_len, info.run_len);
        }
        /* the rule's own match examples must match the bare pattern somewhere */
        own_matches += ck.matches > before;
        pcre2_code_free(code);
    }
    assert_true(analysed >= 20);       /* the analysis reads most of the packs: this checks something */
    assert_true(gated >= 10);          /* and sharp gates come out of it */
    assert_true(own_matches * 10 >= analysed * 9);
    assert_true(ck.matches > 500);
    free(subj);
    ps_ruleset_free(rs);
}

/* ---------------------------------------------------------------- random patterns */


typedef struct pbuf {
    char p[512];
    size_t n;
} pbuf;

static void pb(pbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k < sizeof b->p) {
        memcpy(b->p + b->n, s, k);
        b->n += k;
        b->p[b->n] = 0;
    }
}

static void gen_alt(rng *r, pbuf *b, int depth);

static void gen_atom(rng *r, pbuf *b, int depth)
{
    static const char *const atoms[] = {
        "a", "b", "k", "s", "K", "S", "1", "7", "-", " ", ".", "\\.", "\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\h",
        "\\v", "[0-9]", "[a-c]", "[^a-c]", "[\\d ]", "[A-Z0-9]", "[^\\d]", "[-a]", "[x-z\\d]", "\\x31", "\\x{e9}",
        "\xc3\xa9", "\\b", "^", "$", "[a-z]", "\\x{100}",
        /* these four fold to ASCII letters under caseless: see test_bug_caseless_to_ascii */
        "[\\x{100}-\\x{200}]", "\\x{212A}", "\xe2\x84\xaa", "\xc5\xbf"};
    size_t n_atoms = sizeof atoms / sizeof atoms[0] - 4;
    unsigned k = depth < 3 ? below(r, 12) : 0;
    if (k == 1) {
        static const char *const open[] = {"(", "(?:", "(?>", "(?i:", "(?-i:", "(?=", "(?!", "(?<=", "(?<!"};
        unsigned o = below(r, sizeof open / sizeof open[0]);
        pb(b, open[o]);
        if (o >= 7) { /* lookbehinds: fixed length, one character (not_before's kind) or two, or with an anchor */
            pb(b, atoms[below(r, 34)]);
            if (below(r, 2))
                pb(b, atoms[below(r, 34)]);
        } else {
            gen_alt(r, b, depth + 1);
        }
        pb(b, ")");
    } else if (k == 2) {
        pb(b, below(r, 2) ? "(?i)" : "(?-i)");
    } else {
        pb(b, atoms[below(r, (unsigned)n_atoms)]);
    }
    if (below(r, 3) == 0) {
        static const char *const q[] = {"?", "*", "+", "{2}", "{0}", "{1,3}", "{2,}", "??", "+?", "*+", "{3}?"};
        pb(b, q[below(r, sizeof q / sizeof q[0])]);
    }
}

static void gen_seq(rng *r, pbuf *b, int depth)
{
    for (unsigned k = 1 + below(r, 5); k--;)
        gen_atom(r, b, depth);
}

static void gen_alt(rng *r, pbuf *b, int depth)
{
    gen_seq(r, b, depth);
    while (below(r, 4) == 0) {
        pb(b, "|");
        gen_seq(r, b, depth);
    }
}

static void gen_subject(rng *r, char *s, size_t n)
{
    static const char *const pool[] = {"a", "b", "c", "k", "s", "A", "B", "K", "S", "x", "z", "1", "7", "0", "-", " ",
                                       ".", "\t", "\n", "_", "\xc3\xa9", "\xe2\x84\xaa", "\xc5\xbf", "\xc2\xa0",
                                       "\xef\xbc\x91", "\xc4\x80"};
    size_t k = 0;
    while (k < n) {
        const char *p = pool[below(r, sizeof pool / sizeof pool[0])];
        size_t len = strlen(p);
        if (k + len > n)
            break;
        memcpy(s + k, p, len);
        k += len;
    }
    s[k] = 0;
}

static void test_random_patterns(void **state)
{
    (void)state;
    rng r = {0xBADC0DE};
    checked ck = {0};
    size_t analysed = 0;
    for (int iter = 0; iter < 4000; iter++) {
        pbuf b = {.n = 0};
        b.p[0] = 0;
        if (below(&r, 6) == 0) { /* a one-character lookaround first, as rules begin: not_before reads those */
            static const char *const look[] = {"(?!a)", "(?<!a)", "(?![a1 ])", "(?<![a1 ])", "(?!\\d)", "(?<!\\d)"};
            pb(&b, look[below(&r, sizeof look / sizeof look[0])]);
        }
        gen_alt(&r, &b, 0);
        bool caseless = below(&r, 3) == 0;
        ps_rxinfo info;
        if (!rxinfo_analyze(b.p, caseless, &info))
            continue;
        pcre2_code *code = compile(b.p, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0));
        if (!code)
            continue; /* the generator can write what PCRE2 refuses (e.g. a variable lookbehind) */
        analysed++;
        for (int s = 0; s < 40; s++) {
            char subj[64], why[300];
            gen_subject(&r, subj, 4 + below(&r, 50));
            if (!sound_on(code, &info, subj, strlen(subj), why, sizeof why, &ck))
                fail_msg("pattern \"%s\" (caseless %d), text \"%s\": %s (min_digits %u, min_len %u, run_len %u)", b.p,
                         caseless, subj, why, info.min_digits, info.min_len, info.run_len);
        }
        pcre2_code_free(code);
    }
    assert_true(analysed > 1000);
    assert_true(ck.matches > 10000);
}

/* rxinfo's reach: an attempt from any start reads no further than `reach` bytes on. Cut the text there (at the next
 * character's start) and the anchored attempt finds what it finds on the whole text, and never runs into the cut
 * (PCRE2_PARTIAL_HARD would say so). */
static bool reach_sound(pcre2_code *code, unsigned reach, const char *subj, char *why, size_t why_size)
{
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    assert_non_null(md);
    size_t n = strlen(subj);
    bool ok = true;
    for (size_t st = 0; ok && st + reach < n; st++) {
        if (((unsigned char)subj[st] & 0xC0) == 0x80)
            continue;
        size_t cut = st + reach;
        while (cut < n && ((unsigned char)subj[cut] & 0xC0) == 0x80)
            cut++;
        int whole = pcre2_match(code, (PCRE2_SPTR)subj, n, st, PCRE2_ANCHORED, md, NULL);
        PCRE2_SIZE ws = 0, we = 0;
        if (whole >= 0) {
            ws = pcre2_get_ovector_pointer(md)[0];
            we = pcre2_get_ovector_pointer(md)[1];
        }
        int part = pcre2_match(code, (PCRE2_SPTR)subj, cut, st, PCRE2_ANCHORED | PCRE2_PARTIAL_HARD, md, NULL);
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (part == PCRE2_ERROR_PARTIAL || (whole >= 0) != (part >= 0) ||
            (whole >= 0 && (ov[0] != ws || ov[1] != we))) {
            snprintf(why, why_size, "from %zu, cut at %zu: %d [%zu,%zu) where the whole text gives %d [%zu,%zu)", st,
                     cut, part, part >= 0 ? (size_t)ov[0] : 0, part >= 0 ? (size_t)ov[1] : 0, whole, (size_t)ws,
                     (size_t)we);
            ok = false;
        }
    }
    pcre2_match_data_free(md);
    return ok;
}

static void test_reach(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        unsigned reach;
    } reach_cases[] = {
        {"abc", 3},
        {"a\\b", 5},              /* \b reads the character after: up to 4 bytes */
        {"a(?=bcd)", 4},
        {"a(?!x{5})", 6},
        {"(?:ab){2,3}", 6},
        {"(?<=xyz)a", 3},          /* the lookbehind, taken as reading on (a lookahead in it could) */
        {"a|bcd", 3},
        {"[a-z]{1,12} ?\\[at\\]", 17},
        {"a+", RXINFO_NO_REACH},   /* unbounded */
        {"a(?=.*b)", RXINFO_NO_REACH},
        {"\\Ga", RXINFO_NO_REACH}, /* asserts at the search's start, which a user of the reach moves */
    };
    for (size_t i = 0; i < sizeof reach_cases / sizeof reach_cases[0]; i++) {
        ps_rxinfo info;
        assert_true(rxinfo_analyze(reach_cases[i].pattern, false, &info));
        if (info.reach != reach_cases[i].reach)
            fail_msg("\"%s\": reach %u, want %u", reach_cases[i].pattern, info.reach, reach_cases[i].reach);
    }
    rng r = {0x4EAC4};
    size_t bounded = 0;
    for (int iter = 0; iter < 3000; iter++) {
        pbuf b = {.n = 0};
        b.p[0] = 0;
        gen_alt(&r, &b, 0);
        bool caseless = below(&r, 3) == 0;
        ps_rxinfo info;
        if (!rxinfo_analyze(b.p, caseless, &info) || info.reach == RXINFO_NO_REACH)
            continue;
        pcre2_code *code = compile(b.p, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0));
        if (!code)
            continue; /* the generator can write what PCRE2 refuses */
        bounded++;
        for (int k = 0; k < 20; k++) {
            char subj[64], why[200];
            gen_subject(&r, subj, 8 + below(&r, 50));
            if (!reach_sound(code, info.reach, subj, why, sizeof why))
                fail_msg("pattern \"%s\" (caseless %d, reach %u), text \"%s\": %s", b.p, caseless, info.reach, subj,
                         why);
        }
        pcre2_code_free(code);
    }
    assert_true(bounded > 500);
}

/* rxinfo_tail: every match ends at the end (or before a final newline) and is no longer than the bound. */
static bool tail_sound(const char *pattern, bool caseless, unsigned tail, const char *subj, char *why, size_t why_size)
{
    pcre2_code *code = compile(pattern, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0));
    if (!code)
        return true; /* the generator can write what PCRE2 refuses */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    assert_non_null(md);
    size_t n = strlen(subj);
    bool ok = true;
    for (size_t start = 0; ok && start <= n; start++) { /* every match, from every character */
        if (start < n && ((unsigned char)subj[start] & 0xC0) == 0x80)
            continue;
        int rc = pcre2_match(code, (PCRE2_SPTR)subj, n, start, PCRE2_ANCHORED, md, NULL);
        if (rc < 0)
            continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        bool at_end = ov[1] == n || (ov[1] + 1 == n && subj[n - 1] == '\n');
        if (!at_end || ov[1] - ov[0] > tail) {
            snprintf(why, why_size, "match [%zu,%zu) %s, tail %u", (size_t)ov[0], (size_t)ov[1],
                     at_end ? "is longer than the tail" : "does not end at the end", tail);
            ok = false;
        }
    }
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    return ok;
}

static void test_tail(void **state)
{
    (void)state;
    static const struct {
        const char *pattern;
        unsigned tail;
    } tail_cases[] = {
        {"abc$", 3},
        {"(?i:\\b(?:nhs|ssn)[^\\w\\r\\n]{1,3})$", 9 + 3 * 4}, /* caseless s may be U+017F: 4 bytes taken */
        {"(?:ab|cde)\\z", 3},
        {"x{2,5}\\Z", 5},
        {"(?:a$|bc$)", 2},
        {"a$|b", RXINFO_NO_TAIL},         /* the second branch may end anywhere */
        {"a+$", RXINFO_NO_TAIL},          /* unbounded */
        {"a$b?", RXINFO_NO_TAIL},         /* (it cannot match past '$' but is not read that way) */
        {"(?m)a$", RXINFO_NO_TAIL},       /* '$' before any newline */
        {"\\Ga$", RXINFO_NO_TAIL},       /* asserts at the search's start */
        {"ab$(?!x)", RXINFO_NO_TAIL},     /* a lookaround after the end: not read */
        {"(?:a$)?", RXINFO_NO_TAIL},
    };
    for (size_t i = 0; i < sizeof tail_cases / sizeof tail_cases[0]; i++) {
        unsigned got = rxinfo_tail(tail_cases[i].pattern, false);
        if (got != tail_cases[i].tail)
            fail_msg("\"%s\": tail %u, want %u", tail_cases[i].pattern, got, tail_cases[i].tail);
    }
    /* Soundness: random patterns with '$' at the end, on random texts; and the packs' not_after regexes. */
    rng r = {0x7A11};
    size_t bounded = 0;
    for (int iter = 0; iter < 3000; iter++) {
        pbuf b = {.n = 0};
        b.p[0] = 0;
        gen_alt(&r, &b, 0);
        pb(&b, below(&r, 4) ? "$" : "\\z");
        bool caseless = below(&r, 3) == 0;
        unsigned tail = rxinfo_tail(b.p, caseless);
        if (tail == RXINFO_NO_TAIL)
            continue;
        bounded++;
        for (int k = 0; k < 20; k++) {
            char subj[64], why[200];
            gen_subject(&r, subj, 2 + below(&r, 40));
            if (!tail_sound(b.p, caseless, tail, subj, why, sizeof why))
                fail_msg("pattern \"%s\" (caseless %d), text \"%s\": %s", b.p, caseless, subj, why);
        }
    }
    assert_true(bounded > 300);
    ps_ruleset *rs;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_int_equal(ps_ruleset_load_builtin(rs, &d), PS_OK);
    size_t pack_bounded = 0;
    for (size_t i = 0; i < rs->n; i++)
        for (size_t k = 0; k < rs->rules[i].not_after.n; k++) {
            const char *pat = rs->rules[i].not_after.v[k];
            bool caseless = (rs->rules[i].flags & PS_RFLAG_CASELESS) != 0;
            unsigned tail = rxinfo_tail(pat, caseless);
            if (tail == RXINFO_NO_TAIL)
                continue;
            pack_bounded++;
            char why[200];
            static const char *const texts[] = {"see section 4 ", "NHS no: ", "Version 2\n", "x ref: ", "call "};
            for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++)
                if (!tail_sound(pat, caseless, tail, texts[t], why, sizeof why))
                    fail_msg("rule %s, not_after \"%s\" on \"%s\": %s", rs->rules[i].id, pat, texts[t], why);
        }
    assert_true(pack_bounded >= 3); /* the packs' label vetoes are bounded: this checks something */
    ps_ruleset_free(rs);
}

/* rxinfo_ends: wherever PCRE2 finds a match of an end-anchored pattern in subj, rxinfo_may_end says one may be there.
 * @return 1 when a match was found (and the answer was right), 0 when none was, -1 when the answer was wrong. */
static int ends_sound(const char *pattern, bool caseless, const ps_rxends *e, const char *subj)
{
    pcre2_code *code = compile(pattern, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0));
    if (!code)
        return 0; /* the generator can write what PCRE2 refuses */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    assert_non_null(md);
    size_t n = strlen(subj);
    int rc = pcre2_match(code, (PCRE2_SPTR)subj, n, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    pcre2_code_free(code);
    if (rc < 0)
        return 0;
    return rxinfo_may_end(e, subj, n) ? 1 : -1;
}

static void test_ends(void **state)
{
    (void)state;
    /* ipv4's not_after, shortened: the last byte is no word byte, the one before it one that ends a word or none. */
    const char *veto = "(?i:\\b(?:version|rev|v)[^\\w\\r\\n]{1,3})$";
    ps_rxends e;
    assert_true(rxinfo_ends(veto, true, &e));
    assert_int_equal(e.min_bytes, 2);
    assert_int_equal(e.tail, 6 + 4 + 3 * 4); /* a caseless s may be U+017F, and [^\w] any character */
    assert_true(byteset_has(e.ends[0], ' ') && byteset_has(e.ends[0], ':') && !byteset_has(e.ends[0], 'a'));
    assert_false(byteset_has(e.ends[0], '\n'));
    assert_true(byteset_has(e.ends[1], 'n') && byteset_has(e.ends[1], 'N') && byteset_has(e.ends[1], 'v'));
    assert_true(byteset_has(e.ends[1], ' ')); /* "version  " */
    assert_false(byteset_has(e.ends[1], 'm'));
    assert_false(rxinfo_may_end(&e, "failed for root from ", 21));
    assert_false(rxinfo_may_end(&e, "", 0));
    assert_true(rxinfo_may_end(&e, "Version ", 8));
    assert_true(rxinfo_may_end(&e, "rev:\n", 5)); /* '$' before a final newline */
    assert_false(rxinfo_ends("ab$|c", false, &e)); /* a branch may end anywhere */
    assert_false(rxinfo_ends("(?m)ab$", false, &e));
    assert_true(rxinfo_ends("(?:\\d{2})+$", false, &e)); /* unbounded: no tail, but its ends */
    assert_int_equal(e.tail, RXINFO_NO_TAIL);
    assert_false(rxinfo_may_end(&e, "12a", 3));
    /* Repetitions that may be absent or repeated past the bytes looked at, alternatives of other lengths: each
     * matches its text, and the ends must say so. */
    static const struct {
        const char *pattern, *text;
    } end_cases[] = {
        {"xa?$", "zx"},          {"yxa*$", "yxaa"},       {"y(?:ab){0,3}$", "yabab"}, {"(?:a|bcd)e$", "bcde"},
        {"ab(?:c|)$", "ab"},     {"a(?:bc)+$", "abcbc"},  {"(x)\\1$", "xx"},          {"(?i)k$", "\xe2\x84\xaa"},
        {"\\d{2,}\\z", "9999"},  {"[^a]b?$", "\xc3\xa9"}, {"(?:a|b)(?=c)?d$", "bd"}, {"ab$", "ab\n"},
        {"(a)(?i)x\\1$", "axA"}, {"ya{0,1}$", "y"},
    };
    for (size_t i = 0; i < sizeof end_cases / sizeof end_cases[0]; i++) {
        if (!rxinfo_ends(end_cases[i].pattern, false, &e))
            fail_msg("\"%s\" not understood", end_cases[i].pattern);
        if (ends_sound(end_cases[i].pattern, false, &e, end_cases[i].text) != 1)
            fail_msg("\"%s\" matches \"%s\", but its ends say none can", end_cases[i].pattern, end_cases[i].text);
    }
    /* Soundness: random patterns ending in '$' or \z, on random texts, and the packs' not_after regexes. */
    rng r = {0xE4D5};
    size_t understood = 0, matched = 0;
    for (int iter = 0; iter < 4000; iter++) {
        pbuf b = {.n = 0};
        b.p[0] = 0;
        gen_alt(&r, &b, 0);
        pb(&b, below(&r, 4) ? "$" : "\\z");
        bool caseless = below(&r, 3) == 0;
        if (!rxinfo_ends(b.p, caseless, &e))
            continue;
        understood++;
        for (int k = 0; k < 20; k++) {
            char subj[64];
            gen_subject(&r, subj, 1 + below(&r, 12));
            int got = ends_sound(b.p, caseless, &e, subj);
            if (got < 0)
                fail_msg("pattern \"%s\" (caseless %d) matches \"%s\", but its ends say none can", b.p, caseless, subj);
            matched += got == 1;
        }
    }
    assert_true(understood > 1000);
    assert_true(matched > 2000);
    ps_ruleset *rs;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_int_equal(ps_ruleset_load_builtin(rs, &d), PS_OK);
    static const char *const texts[] = {"see section 4 ", "NHS no: ", "Version 2\n", "x ref: ", "iban  ", "Chapter\t"};
    size_t pack_matched = 0;
    for (size_t i = 0; i < rs->n; i++)
        for (size_t k = 0; k < rs->rules[i].not_after.n; k++) {
            const char *pat = rs->rules[i].not_after.v[k];
            bool caseless = (rs->rules[i].flags & PS_RFLAG_CASELESS) != 0;
            if (!rxinfo_ends(pat, caseless, &e))
                continue;
            for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
                int got = ends_sound(pat, caseless, &e, texts[t]);
                if (got < 0)
                    fail_msg("rule %s: not_after \"%s\" matches \"%s\", but its ends say none can", rs->rules[i].id,
                             pat, texts[t]);
                pack_matched += got == 1;
            }
        }
    assert_true(pack_matched >= 4); /* the packs' label vetoes match these: this checks something */
    ps_ruleset_free(rs);
}

/* Soundness on chosen patterns and texts. @return the number of failures (printed). */
static int sound_list(const char *const *pat, const bool *caseless, const char *const *subj, size_t n)
{
    int bad = 0;
    checked ck = {0};
    for (size_t i = 0; i < n; i++) {
        ps_rxinfo info;
        char why[300];
        if (!rxinfo_analyze(pat[i], caseless[i], &info))
            continue;
        pcre2_code *code = compile(pat[i], PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless[i] ? PCRE2_CASELESS : 0));
        assert_non_null(code);
        if (!sound_on(code, &info, subj[i], strlen(subj[i]), why, sizeof why, &ck)) {
            print_error("pattern \"%s\" (caseless %d) on \"%s\": %s\n", pat[i], caseless[i], subj[i], why);
            bad++;
        }
        pcre2_code_free(code);
    }
    return bad;
}

/* Tricky constructs that are read correctly (soundness against PCRE2). */
static void test_tricky_sound(void **state)
{
    (void)state;
    static const char *const pat[] = {"(?i)(a)\\1", "(a)(?i)\\1", "(?i:(a))\\1", "(a){0}\\1b", "(?=\\d{3})",
                                      "(?i)(?=[a-z]{6})x", "(?=\\d{5}){2}\\d", "[\\W\\d]+", "\\N+", "(?i)[^k]",
                                      "(?i)[^\\x{212A}]", "\\H+", "\\V+", "(?(DEFINE)(?i))abc", ".+"};
    static const bool ci[] = {false, false, false, false, false, false, false, false, false, true,
                              true, false, false, false, true};
    static const char *const subj[] = {"aA Aa", "aA", "AA aa", "b ab", "x123", "XYZABC xyzabc", "12345", "a-1 \xc2\xa0",
                                       "ab\x85\n" "cd", "kK\xe2\x84\xaa" "s", "kK\xe2\x84\xaa" "s", "a\xc2\xa0" "b c",
                                       "a\xe2\x80\xa8" "b\n", "abc", "kK\xe2\x84\xaa"};
    _Static_assert(sizeof pat / sizeof pat[0] == sizeof ci / sizeof ci[0], "lists");
    _Static_assert(sizeof pat / sizeof pat[0] == sizeof subj / sizeof subj[0], "lists");
    assert_int_equal(sound_list(pat, ci, subj, sizeof pat / sizeof pat[0]), 0);
}

/* Verbs that change the matching rules ((*UCP), (*ACCEPT), (*CR), (*pla:...)) make the analysis give up; the
 * backtracking ones and (*:name) consume nothing. (Found reading past the end of the verb table.) */
static void test_verbs(void **state)
{
    (void)state;
    ps_rxinfo info;
    assert_false(rxinfo_analyze("(*UCP)\\d{9}", false, &info));
    assert_false(rxinfo_analyze("a(*ACCEPT)b", false, &info));
    assert_false(rxinfo_analyze("(*CR)a", false, &info));
    assert_false(rxinfo_analyze("(*pla:a)b", false, &info));
    assert_true(rxinfo_analyze("(*:name)a", false, &info));
    assert_int_equal(info.min_len, 1);
}

/* Under caseless UTF matching, U+212A KELVIN SIGN matches 'k'/'K' and U+017F LONG S matches 's'/'S': a non-ASCII
 * character (literal, \x{...}, or a class range holding them) must bring those letters into the alphabet. */
static void test_caseless_non_ascii_to_ascii(void **state)
{
    (void)state;
    static const char *const pat[] = {"\\x{212A}", "\xe2\x84\xaa", "\xc5\xbf", "[\\x{100}-\\x{200}]", "[\\x{2000}-\\x{2200}]x",
                                      "(?i)\\x{17F}", "(?i:\\x{212a}\\d{3})"};
    static const bool ci[] = {true, true, true, true, true, false, false};
    static const char *const subj[] = {"1cx\n.K", "k", "S", "s", "kx", "s", "k123"};
    assert_int_equal(sound_list(pat, ci, subj, sizeof pat / sizeof pat[0]), 0);
}

/* An option set inside (?(DEFINE)...) ends with it, as in PCRE2: "(?(DEFINE)(?-i))abc" caseless still matches
 * "ABC". */
static void test_define_scopes_options(void **state)
{
    (void)state;
    static const char *const pat[] = {"(?(DEFINE)(?-i))abc", "(?(DEFINE)(?<x>(?-i)a))bc"};
    static const bool ci[] = {true, true};
    static const char *const subj[] = {"xABCx", "BC"};
    assert_int_equal(sound_list(pat, ci, subj, 2), 0);
}

/* ---------------------------------------------------------------- rxinfo_lead */

/* Every match PCRE2 finds anchored at each start of subj holds a byte of `set` no further in than `lead`.
 * @return false with why filled on the first that does not. *matches counts the matches looked at. */
static bool lead_sound(const pcre2_code *code, const uint64_t set[4], unsigned lead, const char *subj, char *why,
                       size_t why_size, size_t *matches)
{
    const unsigned char *u = (const unsigned char *)subj;
    size_t n = strlen(subj);
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    assert_non_null(md);
    bool ok = true;
    for (size_t s = 0; ok && s <= n; s++) {
        if (s < n && (u[s] & 0xC0) == 0x80)
            continue;
        if (pcre2_match(code, (PCRE2_SPTR)subj, n, s, PCRE2_ANCHORED, md, NULL) < 0)
            continue;
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[0] != s || ov[1] < ov[0])
            continue; /* \K: not something the packs or the generator write */
        (*matches)++;
        size_t t = s; /* in the match, or after it where a lookahead looked */
        while (t < n && !in_set(set, u[t]))
            t++;
        if (t == n || t - s > lead) {
            snprintf(why, why_size, "match [%zu,%zu) has its first byte of the set at %s%zu > lead %u", s,
                     (size_t)ov[1], t == n ? "none, " : "", t - s, lead);
            ok = false;
        }
    }
    pcre2_match_data_free(md);
    return ok;
}

static void test_lead_cases(void **state)
{
    (void)state;
    uint64_t digits[4] = {0}, at[4] = {0}, colon[4] = {0};
    spec_set("0-9", digits);
    spec_set("@", at);
    spec_set(":", colon);
    static const struct {
        const char *pattern;
        int set; /* 0 digits, 1 '@', 2 ':' */
        unsigned lead;
    } lead_cases[] = {
        {"\\d{3}-\\d{4}", 0, 0},
        {"(?<!\\w)\\d{3}", 0, 0},
        {"[A-Z]{2}\\d{2}", 0, 2},
        {"[A-Z]{2,4}\\d", 0, 4},
        {"(?:tel|phone): ?\\d+", 0, 7},
        {"a?b?c?\\d", 0, 3},
        {"(?:ab|c)\\d|\\d", 0, 2},
        {"\\w{1,5}@\\w+", 1, 5},   /* \w may be a digit, but '@' is what is asked */
        {"\\w{1,5}@\\w+", 0, RXINFO_NO_LEAD}, /* a match may hold no digit */
        {"[a-z]+@x", 1, RXINFO_NO_LEAD},     /* unbounded before the '@' */
        {"[a-z]{1,64}@x", 1, 64},
        {"x(?=@)@", 1, 1},
        {"(?=\\d)\\w\\d?", 0, 0},               /* the lookahead's digit is at the start */
        {"(?=[A-Z0-9]{0,18}\\d)[A-Z]+", 0, 18}, /* a licence number: a digit within 19 bytes */
        {"a(?=\\w{0,3}\\d)", 0, 4},             /* a lookahead after one byte */
        {"(?<=\\d)x", 0, RXINFO_NO_LEAD},        /* a lookbehind's digit is before the start */
        {"(?!\\d)\\w{3}\\d", 0, 3},
        {"(?:(?=\\d))?\\w+", 0, RXINFO_NO_LEAD},
        {".\\d", 0, 4},            /* '.' may be a 4-byte character */
        {"(?i)k\\d", 0, 4},        /* caseless k is also U+212A, 3 bytes */
        {"[0-9a-f:]{2,39}", 2, RXINFO_NO_LEAD},
        {"[0-9a-f]{1,4}::", 2, 4},
        {"(a)\\1\\d", 0, 2},                 /* a backreference: as long as its group */
        {"(?i)(a)\\1\\d", 0, RXINFO_NO_LEAD}, /* ignoring case, any length: 's' and U+017F */
        {"(a|bc)\\1\\d", 0, 4},
        {"\\d|x", 0, RXINFO_NO_LEAD},
        {"(?:\\d{2}){0}x\\d", 0, 1},
        {"\\p{L}\\d", 0, RXINFO_NO_LEAD},    /* not understood */
    };
    static const struct {
        const char *pattern, *required;
    } req_cases[] = {
        {"a@b", "@ab"}, {"x(?:@|:)y", "xy"}, {"(?:ab|cb)", "b"}, {"a?b*c+", "c"}, {"(?=@)x", "x"},
        {"(?i)k@", "@"}, {"\\d-\\d{0}", "-"}, {"[a]:", ":a"}, {"\\x41\\.", ".A"},
    };
    for (size_t i = 0; i < sizeof req_cases / sizeof req_cases[0]; i++) {
        ps_rxinfo info;
        assert_true(rxinfo_analyze(req_cases[i].pattern, false, &info));
        uint64_t want[4] = {0};
        for (const char *c = req_cases[i].required; *c; c++)
            set_add(want, (unsigned char)*c);
        if (memcmp(info.required, want, sizeof want) != 0)
            fail_msg("required bytes of \"%s\" are not \"%s\"", req_cases[i].pattern, req_cases[i].required);
    }
    for (size_t i = 0; i < sizeof lead_cases / sizeof lead_cases[0]; i++) {
        const uint64_t *set = lead_cases[i].set == 0 ? digits : lead_cases[i].set == 1 ? at : colon;
        unsigned got = rxinfo_lead(lead_cases[i].pattern, false, set);
        if (got != lead_cases[i].lead)
            fail_msg("rxinfo_lead(\"%s\") = %u, want %u", lead_cases[i].pattern, got, lead_cases[i].lead);
    }
}

/* The pack rules' leads (digits, and each single ASCII byte a rule is sure to hold) against PCRE2 on every example,
 * and the leads of random patterns on random texts. */
static void test_lead_sound(void **state)
{
    (void)state;
    ps_ruleset *rs;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_int_equal(ps_ruleset_load_builtin(rs, &d), PS_OK);
    static const char bytes[] = "0@:.-/+#";
    size_t with_lead = 0, matches = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const ps_rule *r = &rs->rules[i];
        if (r->flags & (PS_RFLAG_EXTENDED | PS_RFLAG_UCP))
            continue;
        bool ci = (r->flags & PS_RFLAG_CASELESS) != 0;
        pcre2_code *code = compile(r->pattern, engine_pattern_options(r->flags));
        assert_non_null(code);
        for (const char *b = bytes; *b; b++) {
            uint64_t set[4] = {0};
            if (*b == '0')
                spec_set("0-9", set);
            else
                set_add(set, (unsigned char)*b);
            unsigned lead = rxinfo_lead(r->pattern, ci, set);
            if (lead == RXINFO_NO_LEAD)
                continue;
            with_lead++;
            const ps_strlist *lists[2] = {&r->ex_match, &r->ex_no_match};
            for (int l = 0; l < 2; l++)
                for (size_t k = 0; k < lists[l]->n; k++) {
                    char why[300];
                    if (!lead_sound(code, set, lead, lists[l]->v[k], why, sizeof why, &matches))
                        fail_msg("rule %s, set '%c', text \"%s\": %s", r->id, *b, lists[l]->v[k], why);
                }
        }
        pcre2_code_free(code);
    }
    assert_true(with_lead >= 25); /* most digit rules and the e-mail rule get one: this checks something */
    assert_true(matches > 300);
    ps_ruleset_free(rs);

    rng g = {0x1EAD};
    size_t analysed = 0;
    matches = 0;
    for (int iter = 0; iter < 4000; iter++) {
        pbuf b = {.n = 0};
        b.p[0] = 0;
        gen_alt(&g, &b, 0);
        bool caseless = below(&g, 3) == 0;
        uint64_t set[4] = {0};
        if (below(&g, 2))
            spec_set("0-9", set);
        else
            set_add(set, below(&g, 2) ? '-' : '.');
        unsigned lead = rxinfo_lead(b.p, caseless, set);
        if (lead == RXINFO_NO_LEAD)
            continue;
        pcre2_code *code = compile(b.p, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0));
        if (!code)
            continue;
        analysed++;
        for (int k = 0; k < 30; k++) {
            char subj[64], why[300];
            gen_subject(&g, subj, 4 + below(&g, 50));
            if (!lead_sound(code, set, lead, subj, why, sizeof why, &matches))
                fail_msg("pattern \"%s\" (caseless %d), text \"%s\": %s", b.p, caseless, subj, why);
        }
        pcre2_code_free(code);
    }
    assert_true(analysed > 300);
    assert_true(matches > 3000);
}


/* ---------------------------------------------------------------- rxinfo_has_word */

static bool has_word(const char *pattern, bool caseless, const char *words)
{
    const char *w[8];
    size_t len[8], n = 0;
    static char buf[128];
    snprintf(buf, sizeof buf, "%s", words);
    for (char *t = strtok(buf, ","); t && n < 8; t = strtok(NULL, ","), n++) {
        w[n] = t;
        len[n] = strlen(t);
    }
    return rxinfo_has_word(pattern, caseless, w, len, n);
}

static void test_has_word_cases(void **state)
{
    (void)state;
    assert_true(has_word("(?<=password)[:=]x", true, "pass"));
    assert_true(has_word("(?<![a-z])pass(?:word)?=", true, "pass"));
    assert_true(has_word("(?<=key|token)=", false, "key,token"));
    assert_true(has_word("(?<=(?:ken|key)[\"' ]?)(?<=api_key|token)=", true, "key,token"));
    assert_true(has_word("[a-z0-9](?-i:P)assword=", true, "pass"));  /* across a group */
    assert_true(has_word("pa(?:s)s", false, "pass"));
    assert_true(has_word("api\\.key=", true, "key"));                 /* an escaped character */
    assert_true(has_word("(?:secret|token)+=", true, "secret,token"));
    assert_true(has_word("x(?=[ab]*password)", false, "pass"));       /* a positive lookahead sees it */
    assert_true(has_word("(?i)PASSWORD", false, "pass"));             /* lower-cased */
    assert_true(has_word("0123456789012345678901234567890123456789password", false, "pass")); /* past TEXT_MAX */
    assert_true(has_word("(?:ab|ab)(?:cd|ce)", false, "abc"));        /* common prefix and suffix */
    assert_true(has_word("(?:xab|yab)c", false, "abc"));
    assert_true(has_word("l\xc3\xb6senord=", true, "l\xc3\xb6senord")); /* ö: its one other case is listed too */
    assert_true(has_word("h\xc3\xa5l=", false, "h\xc3\xa5l"));          /* å, case kept */
    assert_false(has_word("h\xc3\xa5l=", true, "h\xc3\xa5l"));          /* å ignoring case: also U+212B */
    assert_false(has_word("pa(?:ss)?word", false, "pass"));           /* optional */
    assert_false(has_word("(?<=key|tok)=", false, "key,token"));      /* one alternative lacks it */
    assert_false(has_word("(?<=pa)ss", false, "pass"));               /* not joined across a lookbehind */
    assert_false(has_word("(?!password)x", false, "pass"));           /* a negative lookaround sees nothing */
    assert_false(has_word("(?:secret|token)*=", false, "secret,token"));
    assert_false(has_word("pass=|token=", false, "pass"));
    assert_false(has_word("[p]ass", false, "pass"));                  /* a class is not written out */
    assert_false(has_word("pass\\1", false, "pass"));                 /* not understood */
    assert_false(has_word("pass", false, ""));                        /* no words */
}

/* Folds what the engine folds before any search (fold.c): PCRE2 takes U+212A and U+017F for k and s. */
static void fold_ks(const char *s, char *o)
{
    while (*s) {
        if (!strncmp(s, "\xe2\x84\xaa", 3)) {
            *o++ = 'K';
            s += 3;
        } else if (!strncmp(s, "\xc5\xbf", 2)) {
            *o++ = 's';
            s += 2;
        } else {
            *o++ = *s++;
        }
    }
    *o = 0;
}

/* Does the text hold one of the words, ignoring ASCII case, in one of the spellings the engine lists? */
static bool text_has(const char *text, const char *const *w, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = strlen(w[i]);
        for (const char *t = text; strlen(t) >= m; t++) {
            size_t k = 0;
            while (k < m && tolower((unsigned char)t[k]) == (unsigned char)w[i][k])
                k++;
            if (k == m)
                return true;
        }
    }
    return false;
}

/* Every match, in the examples of the packs' rules that it proves and in random patterns and texts, has a word in
 * its subject: a wrong "yes" would gate a rule off the lines that hold its matches. */
static void test_has_word_sound(void **state)
{
    (void)state;
    ps_ruleset *rs;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_int_equal(ps_ruleset_load_builtin(rs, &d), PS_OK);
    size_t proved = 0, matches = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const ps_rule *r = &rs->rules[i];
        if (!r->keywords.n || (r->flags & (PS_RFLAG_EXTENDED | PS_RFLAG_UCP)))
            continue;
        const char *w[64];
        size_t len[64], n = 0;
        char low[64][64];
        for (size_t k = 0; k < r->keywords.n && n < 64; k++, n++) {
            snprintf(low[n], sizeof low[n], "%s", r->keywords.v[k]);
            for (char *c = low[n]; *c; c++)
                *c = (char)tolower((unsigned char)*c);
            w[n] = low[n];
            len[n] = strlen(low[n]);
        }
        if (!rxinfo_has_word(r->pattern, (r->flags & PS_RFLAG_CASELESS) != 0, w, len, n))
            continue;
        proved++;
        pcre2_code *code = compile(r->pattern, engine_pattern_options(r->flags));
        assert_non_null(code);
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        const ps_strlist *lists[2] = {&r->ex_match, &r->ex_no_match};
        for (int l = 0; l < 2; l++)
            for (size_t k = 0; k < lists[l]->n; k++) {
                const char *t = lists[l]->v[k];
                if (pcre2_match(code, (PCRE2_SPTR)t, strlen(t), 0, 0, md, NULL) < 0)
                    continue;
                matches++;
                char folded[1024];
                assert_true(strlen(t) < sizeof folded);
                fold_ks(t, folded);
                if (!text_has(folded, w, n))
                    fail_msg("rule %s matches \"%s\", which holds none of its keywords", r->id, t);
            }
        pcre2_match_data_free(md);
        pcre2_code_free(code);
    }
    assert_true(proved >= 3); /* secret-assignment, password-assignment, password-prose at least */
    assert_true(matches >= 20);
    ps_ruleset_free(rs);

    rng g = {0x3011D};
    static const char *const words[] = {"ab", "ks", "k1", "s-", "b a", "\xc3\xa9" "a", "\xc3\x89" "a"};
    size_t n_words = sizeof words / sizeof words[0];
    size_t len[sizeof words / sizeof words[0]];
    for (size_t i = 0; i < n_words; i++)
        len[i] = strlen(words[i]);
    size_t yes = 0;
    matches = 0;
    for (int iter = 0; iter < 40000; iter++) {
        pbuf b = {.n = 0};
        b.p[0] = 0;
        gen_alt(&g, &b, 0);
        bool caseless = below(&g, 2) == 0;
        if (!rxinfo_has_word(b.p, caseless, words, len, n_words - 1)) /* é's other case: as the engine lists it */
            continue;
        pcre2_code *code = compile(b.p, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (caseless ? PCRE2_CASELESS : 0));
        if (!code)
            continue;
        yes++;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
        for (int k = 0; k < 300; k++) {
            /* short texts of the words' letters: most matches hold a word only if the pattern makes them */
            static const char *const pool[] = {"a", "b", "k", "s", "1", "-", " ", "A", "B", "K", "S", "x", "\n",
                                               "\xc3\xa9", "\xc3\x89", "\xe2\x84\xaa", "\xc5\xbf"};
            char subj[64], folded[64];
            size_t sn = 0;
            for (unsigned c = 1 + below(&g, 10); c--;) {
                const char *piece = pool[below(&g, sizeof pool / sizeof pool[0])];
                memcpy(subj + sn, piece, strlen(piece));
                sn += strlen(piece);
            }
            subj[sn] = 0;
            if (pcre2_match(code, (PCRE2_SPTR)subj, strlen(subj), 0, 0, md, NULL) < 0)
                continue;
            matches++;
            fold_ks(subj, folded);
            if (!text_has(folded, words, n_words))
                fail_msg("pattern \"%s\" (caseless %d) matches \"%s\", which holds none of the words", b.p, caseless,
                         subj);
        }
        pcre2_match_data_free(md);
        pcre2_code_free(code);
    }
    assert_true(yes > 200);
    assert_true(matches > 300);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_others),
        cmocka_unit_test(test_text_digit),
        cmocka_unit_test(test_look),
        cmocka_unit_test(test_span),
        cmocka_unit_test(test_not_before_and_group),
        cmocka_unit_test(test_tail),
        cmocka_unit_test(test_reach),
        cmocka_unit_test(test_ends),
        cmocka_unit_test(test_packs_sound),
        cmocka_unit_test(test_random_patterns),
        cmocka_unit_test(test_tricky_sound),
        cmocka_unit_test(test_caseless_non_ascii_to_ascii),
        cmocka_unit_test(test_define_scopes_options),
        cmocka_unit_test(test_verbs),
        cmocka_unit_test(test_lead_cases),
        cmocka_unit_test(test_lead_sound),
        cmocka_unit_test(test_has_word_cases),
        cmocka_unit_test(test_has_word_sound),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
