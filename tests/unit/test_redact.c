/* test_redact.c — overlap resolution, the replacement actions and rendering. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redact.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char KEY[] = "k";
#define KEY_LEN 1

/* ---------------------------------------------------------------- helpers */

static ps_redactor *mk_one(ps_action a, const char *entity, const char *fmt, const unsigned char *key, size_t klen)
{
    ps_redact_rule rule = {.id = "the-rule", .entity = entity, .priority = 0, .action = a};
    ps_redactor *r = NULL;
    assert_int_equal(redact_new(&rule, 1, fmt, key, klen, &r), PS_OK);
    assert_non_null(r);
    return r;
}

/* Replaces value[0..len) (copied into an exact-size heap block, so ASan catches any over-read) and returns the result
 * as a NUL-terminated string owned by the caller. */
static char *replace(const ps_redactor *r, uint32_t rule, const char *value, size_t len)
{
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, value, len);
    ps_buf b = {0};
    assert_int_equal(redact_replace(r, rule, copy, len, &b), 0);
    free(copy);
    assert_int_equal(buf_append(&b, "", 1), 0);
    return b.p;
}

static void check_action(ps_action a, const char *value, size_t len, const char *want)
{
    ps_redactor *r = mk_one(a, "EMAIL", NULL, KEY, KEY_LEN);
    char *got = replace(r, 0, value, len);
    assert_string_equal(got, want);
    free(got);
    redact_free(r);
}

#define CHECK(a, lit, want) check_action((a), (lit), sizeof(lit) - 1, (want))

/* ---------------------------------------------------------------- spanvec */

static void test_spanvec(void **state)
{
    (void)state;
    ps_spanvec sv = {0};
    size_t grows = 0, last_cap = 0;
    for (uint32_t i = 0; i < 10000; i++) {
        assert_int_equal(spanvec_push(&sv, i, i + 3, i % 7), 0);
        if (sv.cap != last_cap) {
            grows++;
            last_cap = sv.cap;
        }
    }
    assert_int_equal(sv.n, 10000);
    assert_true(sv.cap >= sv.n);
    assert_true(grows <= 14); /* geometric, not one realloc per push */
    for (uint32_t i = 0; i < 10000; i++) {
        assert_int_equal(sv.v[i].start, i);
        assert_int_equal(sv.v[i].end, i + 3);
        assert_int_equal(sv.v[i].rule, i % 7);
    }
    spanvec_free(&sv);
    assert_null(sv.v);
    assert_int_equal(sv.n, 0);
    assert_int_equal(sv.cap, 0);
    spanvec_free(&sv); /* a zeroed vector is fine */
}

/* ---------------------------------------------------------------- merging */

/* Rule priorities: 0 → 0, 1 → 5, 2 → 5, 3 → 10. */
static ps_redactor *mk_prio(void)
{
    ps_redact_rule rules[] = {
        {"r0", "R0", 0, PS_ACTION_TAG},
        {"r1", "R1", 5, PS_ACTION_TAG},
        {"r2", "R2", 5, PS_ACTION_TAG},
        {"r3", "R3", 10, PS_ACTION_TAG},
    };
    ps_redactor *r = NULL;
    assert_int_equal(redact_new(rules, 4, NULL, NULL, 0, &r), PS_OK);
    return r;
}

static void expect_spans(const ps_span *got, size_t n_got, const ps_span *want, size_t n_want)
{
    assert_int_equal(n_got, n_want);
    for (size_t i = 0; i < n_want; i++) {
        assert_int_equal(got[i].start, want[i].start);
        assert_int_equal(got[i].end, want[i].end);
        assert_int_equal(got[i].rule, want[i].rule);
    }
}

#define MERGE(r, in, want)                                                                                             \
    do {                                                                                                               \
        ps_span v_[] = in;                                                                                             \
        ps_span w_[] = want;                                                                                           \
        size_t n_ = redact_merge((r), v_, sizeof v_ / sizeof v_[0]);                                                   \
        expect_spans(v_, n_, w_, sizeof w_ / sizeof w_[0]);                                                            \
    } while (0)
#define S(...) {__VA_ARGS__}

static void test_merge_basic(void **state)
{
    (void)state;
    ps_redactor *r = mk_prio();
    assert_int_equal(redact_merge(r, NULL, 0), 0);
    /* overlap: the higher priority labels the union */
    MERGE(r, S({0, 10, 0}, {5, 15, 1}), S({0, 15, 1}));
    MERGE(r, S({0, 10, 3}, {5, 15, 1}), S({0, 15, 3}));
    /* touching merges; a one-byte gap does not */
    MERGE(r, S({0, 5, 0}, {5, 9, 0}), S({0, 9, 0}));
    MERGE(r, S({0, 5, 0}, {6, 9, 1}), S({0, 5, 0}, {6, 9, 1}));
    /* nested: the outer extent stays, the inner higher priority labels it */
    MERGE(r, S({0, 20, 0}, {5, 8, 3}), S({0, 20, 3}));
    MERGE(r, S({5, 8, 0}, {0, 20, 1}), S({0, 20, 1}));
    /* disjoint and unsorted */
    MERGE(r, S({30, 40, 1}, {0, 5, 0}, {10, 12, 2}), S({0, 5, 0}, {10, 12, 2}, {30, 40, 1}));
    /* duplicates collapse */
    MERGE(r, S({3, 7, 2}, {3, 7, 2}, {3, 7, 2}), S({3, 7, 2}));
    /* single span unchanged */
    MERGE(r, S({4, 9, 2}), S({4, 9, 2}));
    redact_free(r);
}

static void test_merge_chains(void **state)
{
    (void)state;
    ps_redactor *r = mk_prio();
    /* first and third never meet directly; the chain joins them */
    MERGE(r, S({0, 5, 0}, {4, 10, 1}, {9, 20, 3}, {25, 30, 0}), S({0, 20, 3}, {25, 30, 0}));
    /* a long early span swallows later ones that do not overlap each other */
    MERGE(r, S({12, 14, 1}, {0, 30, 0}, {2, 4, 0}, {30, 31, 0}, {32, 33, 2}), S({0, 31, 1}, {32, 33, 2}));
    /* touching chain, unsorted */
    MERGE(r, S({10, 15, 2}, {5, 10, 1}, {0, 5, 0}), S({0, 15, 1}));
    redact_free(r);
}

static void test_merge_ties(void **state)
{
    (void)state;
    ps_redactor *r = mk_prio(); /* r1 and r2 both have priority 5 */
    /* earlier start wins, even against a longer span of a lower index; in both input orders */
    MERGE(r, S({0, 5, 2}, {3, 20, 1}), S({0, 20, 2}));
    MERGE(r, S({3, 20, 1}, {0, 5, 2}), S({0, 20, 2}));
    MERGE(r, S({0, 5, 1}, {3, 20, 2}), S({0, 20, 1}));
    /* same start: the longer wins, whatever the index */
    MERGE(r, S({0, 5, 1}, {0, 9, 2}), S({0, 9, 2}));
    MERGE(r, S({0, 9, 2}, {0, 5, 1}), S({0, 9, 2}));
    MERGE(r, S({0, 9, 1}, {0, 5, 2}), S({0, 9, 1}));
    /* same extent: the lower index wins */
    MERGE(r, S({0, 5, 2}, {0, 5, 1}), S({0, 5, 1}));
    MERGE(r, S({0, 5, 1}, {0, 5, 2}), S({0, 5, 1}));
    /* a tie never beats a strictly higher priority that comes later */
    MERGE(r, S({0, 5, 1}, {0, 9, 2}, {7, 8, 3}), S({0, 9, 3}));
    redact_free(r);
}

/* Every permutation of the input gives the same result. */
static void permute(ps_span *a, size_t k, size_t n, const ps_redactor *r, const ps_span *want, size_t n_want,
                    size_t *count)
{
    if (k == n) {
        ps_span v[8];
        memcpy(v, a, n * sizeof *a);
        size_t m = redact_merge(r, v, n);
        expect_spans(v, m, want, n_want);
        (*count)++;
        return;
    }
    for (size_t i = k; i < n; i++) {
        ps_span t = a[k];
        a[k] = a[i];
        a[i] = t;
        permute(a, k + 1, n, r, want, n_want, count);
        a[i] = a[k];
        a[k] = t;
    }
}

static void test_merge_deterministic(void **state)
{
    (void)state;
    ps_redactor *r = mk_prio();
    ps_span in[] = {{0, 5, 2}, {0, 5, 1}, {2, 9, 2}, {9, 11, 0}, {20, 22, 3}, {21, 22, 1}};
    ps_span want[] = {{0, 11, 1}, {20, 22, 3}};
    size_t count = 0;
    permute(in, 0, 6, r, want, 2, &count);
    assert_int_equal(count, 720);
    redact_free(r);
}

/* Many spans, in two random orders: the same result, whether they are few enough to be put in order by insertion
 * or many enough for qsort. */
static void test_merge_many(void **state)
{
    (void)state;
    ps_redactor *r = mk_prio();
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int iter = 0; iter < 300; iter++) {
        size_t n = (size_t)(iter % 3 == 0 ? 40 : 2 + iter % 15);
        ps_span a[40], b[40];
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005u + 1442695040888963407u;
            uint64_t start = (x >> 33) % 200, len = 1 + (x >> 20) % 12;
            a[i] = (ps_span){start, start + len, (uint32_t)((x >> 8) % 4)};
        }
        memcpy(b, a, n * sizeof *a);
        for (size_t i = n - 1; i > 0; i--) { /* shuffle b */
            x = x * 6364136223846793005u + 1442695040888963407u;
            size_t j = (size_t)((x >> 33) % (i + 1));
            ps_span t = b[i];
            b[i] = b[j];
            b[j] = t;
        }
        size_t ma = redact_merge(r, a, n), mb = redact_merge(r, b, n);
        expect_spans(a, ma, b, mb);
        for (size_t i = 1; i < ma; i++)
            assert_true(a[i - 1].end < a[i].start); /* apart: not even touching */
    }
    redact_free(r);
}

/* ---------------------------------------------------------------- redact_new */

static void test_new_errors(void **state)
{
    (void)state;
    ps_redact_rule rules[] = {
        {"email", "EMAIL", 0, PS_ACTION_TAG},
        {"phone", "PHONE", 0, PS_ACTION_HASH},
    };
    static char dummy;
    ps_redactor *const sentinel = (ps_redactor *)(void *)&dummy;
    ps_redactor *r = sentinel; /* must stay untouched on error */
    assert_int_equal(redact_new(rules, 2, NULL, NULL, 0, &r), PS_E_KEY);
    assert_int_equal(redact_new(rules, 2, NULL, KEY, 0, &r), PS_E_KEY);
    assert_ptr_equal(r, sentinel);
    /* no hashing rule: no key needed */
    assert_int_equal(redact_new(rules, 1, NULL, NULL, 0, &r), PS_OK);
    redact_free(r);
    /* an unresolved action is a caller bug */
    ps_redact_rule inherit = {"x", "X", 0, PS_ACTION_INHERIT};
    r = sentinel;
    assert_int_equal(redact_new(&inherit, 1, NULL, KEY, KEY_LEN, &r), PS_E_USAGE);
    assert_ptr_equal(r, sentinel);
    /* zero rules is fine */
    assert_int_equal(redact_new(NULL, 0, NULL, NULL, 0, &r), PS_OK);
    redact_free(r);
    redact_free(NULL);
}

static void test_new_copies(void **state)
{
    (void)state;
    ps_redact_rule rules[] = {{"email", "EMAIL", 0, PS_ACTION_HASH}};
    unsigned char key[] = "k";
    ps_redactor *r = NULL;
    assert_int_equal(redact_new(rules, 1, NULL, key, 1, &r), PS_OK);
    rules[0].action = PS_ACTION_REMOVE;
    rules[0].entity = "OTHER";
    key[0] = 'z';
    char *got = replace(r, 0, "jane.doe@x.com", 14);
    assert_string_equal(got, "[EMAIL:98c2f1a15471]");
    free(got);
    redact_free(r);
}

/* ---------------------------------------------------------------- tag */

static void check_tag(const char *fmt, const char *want)
{
    ps_redact_rule rules[] = {{"email", "EMAIL", 0, PS_ACTION_TAG}};
    ps_redactor *r = NULL;
    assert_int_equal(redact_new(rules, 1, fmt, NULL, 0, &r), PS_OK);
    char *got = replace(r, 0, "jane@x.com", 10);
    assert_string_equal(got, want);
    free(got);
    redact_free(r);
}

static void test_tag_formats(void **state)
{
    (void)state;
    check_tag(NULL, "[EMAIL]");
    check_tag("[{entity}]", "[EMAIL]");
    check_tag("<{rule}|{entity}>", "<email|EMAIL>");
    check_tag("{entity}", "EMAIL");
    check_tag("{entity}{entity}{rule}", "EMAILEMAILemail");
    check_tag("{{{entity}}}", "{EMAIL}");
    check_tag("{{{entity}", "{EMAIL");
    check_tag("{{entity}}", "{entity}");
    check_tag("a{{b}}c", "a{b}c");
    check_tag("REDACTED", "REDACTED");
    check_tag("", "");
    check_tag("«{entity}»", "«EMAIL»");
}

static void test_tag_format_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{ent}", "{ENTITY}", "{}", "{entity", "[{entity]", "{", "}", "x}y", "{{entity}", "{entity}}", "{ entity}",
        "{{{entity}}}}", "{rule}{nope}",
    };
    ps_redact_rule rules[] = {{"email", "EMAIL", 0, PS_ACTION_TAG}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ps_redactor *r = NULL;
        int rc = redact_new(rules, 1, bad[i], NULL, 0, &r);
        if (rc != PS_E_USAGE)
            fail_msg("tag_format \"%s\": got %d, want PS_E_USAGE", bad[i], rc);
        assert_null(r);
    }
}

static void test_tag_ignores_value(void **state)
{
    (void)state;
    CHECK(PS_ACTION_TAG, "caf\xc3\xa9", "[EMAIL]");
    CHECK(PS_ACTION_TAG, "\xff\xfe\x80", "[EMAIL]");
    CHECK(PS_ACTION_TAG, "", "[EMAIL]");
}

/* ---------------------------------------------------------------- mask and partial */

static void test_mask_ascii(void **state)
{
    (void)state;
    CHECK(PS_ACTION_MASK, "4111-1111-1111-1111", "****-****-****-****");
    CHECK(PS_ACTION_MASK, "jane.doe@x.com", "****.***@*.***");
    CHECK(PS_ACTION_MASK, "a\tb\nc d\re", "*\t*\n* *\r*");
    CHECK(PS_ACTION_MASK, "(555) 867-5309", "(***) ***-****");
    CHECK(PS_ACTION_MASK, "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
    CHECK(PS_ACTION_MASK, "x", "*");
    CHECK(PS_ACTION_MASK, "", "");
    /* NUL and other control bytes are characters, not separators */
    check_action(PS_ACTION_MASK, "a\0b\x01", 4, "****");
}

static void test_mask_utf8(void **state)
{
    (void)state;
    CHECK(PS_ACTION_MASK, "caf\xc3\xa9", "****");                          /* café */
    CHECK(PS_ACTION_MASK, "\xe6\x97\xa5\xe6\x9c\xac Tokyo", "** *****");  /* 日本 Tokyo */
    CHECK(PS_ACTION_MASK, "a\xf0\x9f\x98\x80" "b", "***");                 /* a😀b */
    CHECK(PS_ACTION_MASK, "\xc3\xa9.\xc3\xa9", "*.*");
    CHECK(PS_ACTION_MASK, "\xef\xbf\xbf\xf4\x8f\xbf\xbf", "**");           /* U+FFFF, U+10FFFF */
}

static void test_mask_invalid_utf8(void **state)
{
    (void)state;
    CHECK(PS_ACTION_MASK, "\xff\xfe-a", "**-*");
    CHECK(PS_ACTION_MASK, "\x80", "*");                  /* lone continuation */
    CHECK(PS_ACTION_MASK, "\xe6\x97", "**");             /* truncated at the end of the value */
    CHECK(PS_ACTION_MASK, "ab\xf0\x9f", "****");
    CHECK(PS_ACTION_MASK, "\xe6\x97-", "**-");           /* truncated before ASCII */
    CHECK(PS_ACTION_MASK, "\xc0\xaf", "**");             /* overlong '/' */
    CHECK(PS_ACTION_MASK, "\xe0\x80\xaf", "***");        /* overlong */
    CHECK(PS_ACTION_MASK, "\xed\xa0\x80", "***");        /* surrogate */
    CHECK(PS_ACTION_MASK, "\xf4\x90\x80\x80", "****");   /* above U+10FFFF */
    CHECK(PS_ACTION_MASK, "\xf5\x80\x80\x80", "****");
    CHECK(PS_ACTION_MASK, "\xc3" "a\xc3\xa9", "***");   /* bad lead, then a, then é */
}

static void test_partial(void **state)
{
    (void)state;
    CHECK(PS_ACTION_PARTIAL, "4111 1111 1111 1234", "**** **** **** 1234");
    CHECK(PS_ACTION_PARTIAL, "4111-1111-1111-1234", "****-****-****-1234");
    CHECK(PS_ACTION_PARTIAL, "555-867-5309", "***-***-5309");
    CHECK(PS_ACTION_PARTIAL, "123-45-6789", "***-**-6789");
    CHECK(PS_ACTION_PARTIAL, "AB12CD", "**12CD");
    CHECK(PS_ACTION_PARTIAL, "12-3-45", "*2-3-45");     /* the last 4 may straddle separators */
    CHECK(PS_ACTION_PARTIAL, "jane.doe@x.com", "****.***@x.com");
    /* 4 or fewer alphanumerics: all masked, else "the last 4" would be the whole value */
    CHECK(PS_ACTION_PARTIAL, "1234", "****");
    CHECK(PS_ACTION_PARTIAL, "12-34", "**-**");
    CHECK(PS_ACTION_PARTIAL, "a", "*");
    CHECK(PS_ACTION_PARTIAL, "", "");
    CHECK(PS_ACTION_PARTIAL, "--", "--");
}

static void test_partial_utf8_invalid(void **state)
{
    (void)state;
    CHECK(PS_ACTION_PARTIAL, "\xe6\x97\xa5\xe6\x9c\xac" "1234x", "***234x");  /* 日本1234x */
    CHECK(PS_ACTION_PARTIAL, "\xc3\xa9" "12345", "**2345");                   /* é12345 */
    CHECK(PS_ACTION_PARTIAL, "12345\xe6\x97\xa5", "*2345*");                  /* non-ASCII after the kept digits */
    CHECK(PS_ACTION_PARTIAL, "12\xf0\x9f\x98\x80" "345", "*2*345");            /* emoji between kept digits */
    CHECK(PS_ACTION_PARTIAL, "\xff" "12345", "**2345");
    CHECK(PS_ACTION_PARTIAL, "12345\xe6\x97", "*2345**");                     /* truncated at the end */
    CHECK(PS_ACTION_PARTIAL, "\xe6\x97\xa5\xe6\x9c\xac", "**");               /* no ASCII alphanumerics */
}

/* ---------------------------------------------------------------- remove and unknown rules */

static void test_remove(void **state)
{
    (void)state;
    CHECK(PS_ACTION_REMOVE, "jane@x.com", "");
    CHECK(PS_ACTION_REMOVE, "\xe6\x97\xa5\xff", "");
    CHECK(PS_ACTION_REMOVE, "", "");
}

static void test_unknown_rule_fails_closed(void **state)
{
    (void)state;
    ps_redactor *r = mk_one(PS_ACTION_REMOVE, "EMAIL", NULL, NULL, 0);
    char *got = replace(r, 7, "secret", 6);
    assert_string_equal(got, "[REDACTED]");
    free(got);
    redact_free(r);
}

/* ---------------------------------------------------------------- hash */

static char *hash_of(const char *entity, const unsigned char *key, size_t klen, const char *value)
{
    ps_redactor *r = mk_one(PS_ACTION_HASH, entity, NULL, key, klen);
    char *got = replace(r, 0, value, strlen(value));
    redact_free(r);
    return got;
}

static void assert_token_shape(const char *tok, const char *entity)
{
    size_t el = strlen(entity);
    assert_int_equal(strlen(tok), 1 + el + 1 + 12 + 1);
    assert_int_equal(tok[0], '[');
    assert_memory_equal(tok + 1, entity, el);
    assert_int_equal(tok[1 + el], ':');
    for (size_t i = 0; i < 12; i++) {
        char c = tok[2 + el + i];
        assert_true((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
    assert_int_equal(tok[2 + el + 12], ']');
}

static void test_hash_known_vectors(void **state)
{
    (void)state;
    /* HMAC-SHA256("k", "EMAIL\0jane.doe@x.com")[:6], computed independently (Python hmac) */
    char *t = hash_of("EMAIL", KEY, KEY_LEN, "jane.doe@x.com");
    assert_string_equal(t, "[EMAIL:98c2f1a15471]");
    free(t);
    t = hash_of("PHONE", KEY, KEY_LEN, "(555) 867-5309");
    assert_string_equal(t, "[PHONE:ad97a3c04f44]");
    free(t);
    /* a tag_format does not change the hash token */
    ps_redactor *r = mk_one(PS_ACTION_HASH, "EMAIL", "<<{rule}>>", KEY, KEY_LEN);
    t = replace(r, 0, "jane.doe@x.com", 14);
    assert_string_equal(t, "[EMAIL:98c2f1a15471]");
    free(t);
    redact_free(r);
}

static void test_hash_deterministic_and_keyed(void **state)
{
    (void)state;
    char *a = hash_of("EMAIL", KEY, KEY_LEN, "bob@example.net");
    char *b = hash_of("EMAIL", KEY, KEY_LEN, "bob@example.net");
    char *c = hash_of("EMAIL", (const unsigned char *)"another key", 11, "bob@example.net");
    char *d = hash_of("EMAIL", KEY, KEY_LEN, "bob@example.org");
    char *e = hash_of("CONTACT", KEY, KEY_LEN, "bob@example.net");
    assert_token_shape(a, "EMAIL");
    assert_token_shape(c, "EMAIL");
    assert_token_shape(e, "CONTACT");
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_string_not_equal(a + 7, e + 9); /* the hex differs, not only the label */
    free(a), free(b), free(c), free(d), free(e);

    /* the same redactor gives the same token twice (the keyed context is not consumed) */
    ps_redactor *r = mk_one(PS_ACTION_HASH, "EMAIL", NULL, KEY, KEY_LEN);
    char *x = replace(r, 0, "bob@example.net", 15);
    char *y = replace(r, 0, "bob@example.net", 15);
    assert_string_equal(x, y);
    free(x), free(y);
    redact_free(r);
}

static void test_hash_entity_separator(void **state)
{
    (void)state;
    /* the 0x00 separator keeps "A1"+"23" apart from "A"+"123" */
    ps_redact_rule rules[] = {{"a", "A1", 0, PS_ACTION_HASH}, {"b", "A", 0, PS_ACTION_HASH}};
    ps_redactor *r = NULL;
    assert_int_equal(redact_new(rules, 2, NULL, KEY, KEY_LEN, &r), PS_OK);
    char *a = replace(r, 0, "23", 2);
    char *b = replace(r, 1, "123", 3);
    assert_string_not_equal(a + 4, b + 3);
    free(a), free(b);
    redact_free(r);
}

static void test_hash_normalisation(void **state)
{
    (void)state;
    static const char *const phones[] = {
        "(555) 867-5309", "555.867.5309", "555 867 5309", "5558675309", "555/867/5309", "555-867-5309",
    };
    char *first = hash_of("PHONE", KEY, KEY_LEN, phones[0]);
    for (size_t i = 1; i < sizeof phones / sizeof phones[0]; i++) {
        char *t = hash_of("PHONE", KEY, KEY_LEN, phones[i]);
        assert_string_equal(first, t);
        free(t);
    }
    static const char *const others[] = {"555-867-5308", "+1 555 867 5309", "555-867-5309x", "555_867_5309"};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        char *t = hash_of("PHONE", KEY, KEY_LEN, others[i]);
        assert_string_not_equal(first, t);
        free(t);
    }
    free(first);
    /* no digit at all: lowercased, not reduced to nothing */
    char *p = hash_of("X", KEY, KEY_LEN, "(-)");
    char *q = hash_of("X", KEY, KEY_LEN, "");
    assert_string_not_equal(p, q);
    free(p), free(q);

    /* emails: ASCII case does not matter */
    char *e1 = hash_of("EMAIL", KEY, KEY_LEN, "Jane.Doe@X.COM");
    char *e2 = hash_of("EMAIL", KEY, KEY_LEN, "jane.doe@x.com");
    assert_string_equal(e1, e2);
    assert_string_equal(e1, "[EMAIL:98c2f1a15471]");
    free(e1), free(e2);
}

static void test_hash_long_value(void **state)
{
    (void)state;
    /* longer than the internal 256-byte slice: check against a one-shot HMAC of the expected message */
    char value[1001];
    unsigned char msg[6 + 1000];
    memcpy(msg, "EMAIL", 6); /* with its NUL */
    for (size_t i = 0; i < 1000; i++) {
        value[i] = (char)('A' + i % 26);
        msg[6 + i] = (unsigned char)('a' + i % 26);
    }
    value[1000] = '\0';
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    assert_non_null(HMAC(EVP_sha256(), KEY, KEY_LEN, msg, sizeof msg, md, &md_len));
    char want[64];
    int w = snprintf(want, sizeof want, "[EMAIL:");
    for (size_t i = 0; i < 6; i++)
        w += snprintf(want + w, sizeof want - (size_t)w, "%02x", md[i]);
    snprintf(want + w, sizeof want - (size_t)w, "]");
    char *got = hash_of("EMAIL", KEY, KEY_LEN, value);
    assert_string_equal(got, want);
    free(got);
}

static void test_hash_never_leaks(void **state)
{
    (void)state;
    static const char *const values[] = {"5558675309", "jane.doe@x.com", "4111111111111111", "abc"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char *t = hash_of("ID", KEY, KEY_LEN, values[i]);
        assert_token_shape(t, "ID");
        assert_null(strstr(t, values[i]));
        free(t);
    }
}

static void test_hash_odd_values(void **state)
{
    (void)state;
    ps_redactor *r = mk_one(PS_ACTION_HASH, "EMAIL", NULL, KEY, KEY_LEN);
    char *a = replace(r, 0, "", 0);
    char *b = replace(r, 0, "\xe6\x97\xa5\xe6\x9c\xac", 6);
    char *c = replace(r, 0, "\xff\xfe\x00\x80", 4);
    char *d = replace(r, 0, "\xff\xfe\x00\x81", 4);
    char *e = replace(r, 0, "\xc3\x89", 2); /* É: non-ASCII is not case-folded */
    char *f = replace(r, 0, "\xc3\xa9", 2); /* é */
    assert_token_shape(a, "EMAIL");
    assert_token_shape(b, "EMAIL");
    assert_token_shape(c, "EMAIL");
    assert_string_not_equal(a, b);
    assert_string_not_equal(c, d);
    assert_string_not_equal(e, f);
    free(a), free(b), free(c), free(d), free(e), free(f);
    redact_free(r);
}

/* ---------------------------------------------------------------- render */

/* Rules for rendering: 0 tags "[A]", 1 tags "[B]", 2 masks, 3 removes. */
static ps_redactor *mk_render(void)
{
    ps_redact_rule rules[] = {
        {"a", "A", 0, PS_ACTION_TAG},
        {"b", "B", 0, PS_ACTION_TAG},
        {"m", "M", 0, PS_ACTION_MASK},
        {"x", "X", 0, PS_ACTION_REMOVE},
    };
    ps_redactor *r = NULL;
    assert_int_equal(redact_new(rules, 4, NULL, NULL, 0, &r), PS_OK);
    return r;
}

/* Renders record[from, to) with the given spans; the text handed over holds exactly record[base, to). */
static char *render(const ps_redactor *r, const char *record, uint64_t base, uint64_t from, uint64_t to,
                    const ps_span *spans, size_t n)
{
    size_t tl = (size_t)(to - base);
    char *text = malloc(tl ? tl : 1);
    assert_non_null(text);
    memcpy(text, record + base, tl);
    ps_buf b = {0};
    assert_int_equal(buf_append(&b, ">", 1), 0); /* what was there stays */
    assert_int_equal(redact_render(r, text, base, from, to, spans, n, &b), 0);
    free(text);
    assert_int_equal(buf_append(&b, "", 1), 0);
    return b.p;
}

#define RENDER(r, rec, base, from, to, spans, want)                                                                    \
    do {                                                                                                               \
        ps_span s_[] = spans;                                                                                          \
        char *g_ = render((r), (rec), (base), (from), (to), s_, sizeof s_ / sizeof s_[0]);                             \
        assert_string_equal(g_, (want));                                                                               \
        free(g_);                                                                                                      \
    } while (0)

static void test_render(void **state)
{
    (void)state;
    ps_redactor *r = mk_render();
    const char *rec = "SECRET in the middle SECRET";
    uint64_t len = strlen(rec);
    /* no spans: a plain copy */
    char *g = render(r, rec, 0, 0, len, NULL, 0);
    assert_string_equal(g, ">SECRET in the middle SECRET");
    free(g);
    RENDER(r, rec, 0, 0, len, S({0, 6, 0}), ">[A] in the middle SECRET");          /* very start */
    RENDER(r, rec, 0, 0, len, S({21, 27, 1}), ">SECRET in the middle [B]");        /* very end */
    RENDER(r, rec, 0, 0, len, S({0, 6, 0}, {21, 27, 1}), ">[A] in the middle [B]");
    RENDER(r, rec, 0, 0, len, S({0, 27, 2}), ">****** ** *** ****** ******");      /* the whole record */
    RENDER(r, rec, 0, 0, len, S({7, 9, 0}, {9, 13, 1}), ">SECRET [A][B] middle SECRET"); /* adjacent */
    RENDER(r, rec, 0, 0, len, S({6, 21, 3}), ">SECRETSECRET");                      /* remove */
    RENDER(r, rec, 0, 0, len, S({0, 6, 2}, {6, 7, 3}, {7, 9, 1}), ">******[B] the middle SECRET");
    redact_free(r);
}

static void test_render_offsets(void **state)
{
    (void)state;
    ps_redactor *r = mk_render();
    const char *rec = "0123456789abcdefghij";
    /* text starts at record offset 5, rendering starts at 8 */
    RENDER(r, rec, 5, 8, 18, S({10, 12, 0}, {16, 18, 1}), ">89[A]cdef[B]");
    RENDER(r, rec, 5, 8, 18, S({8, 10, 2}), ">**abcdefgh");
    RENDER(r, rec, 5, 5, 20, S({5, 6, 1}, {19, 20, 0}), ">[B]6789abcdefghi[A]");
    RENDER(r, rec, 3, 3, 3, S({3, 3, 3}), ">");
    char *g = render(r, rec, 7, 12, 12, NULL, 0); /* an empty range */
    assert_string_equal(g, ">");
    free(g);
    /* a record far beyond 4 GiB of stream: offsets are 64-bit */
    const uint64_t big = (uint64_t)1 << 40;
    const char *text = "xxSECRETyy";
    ps_span sp = {big + 2, big + 8, 0};
    ps_buf b = {0};
    assert_int_equal(redact_render(r, text, big, big + 1, big + 10, &sp, 1, &b), 0);
    assert_int_equal(b.len, 6);
    assert_memory_equal(b.p, "x[A]yy", 6);
    buf_free(&b);
    /* from before the text is a caller bug, refused rather than read out of bounds */
    assert_int_equal(redact_render(r, text, 5, 4, 8, NULL, 0, &b), -1);
    assert_int_equal(redact_render(r, text, 5, 8, 7, NULL, 0, &b), -1);
    buf_free(&b);
    redact_free(r);
}

static void test_render_bytes_outside_untouched(void **state)
{
    (void)state;
    ps_redactor *r = mk_render();
    /* bytes outside spans are copied exactly, NULs, invalid UTF-8 and all */
    const char rec[] = "\x00\xff" "ab\xe6\x97\xa5" "cd\x00";
    ps_span sp[] = {{2, 4, 0}, {7, 9, 2}};
    ps_buf b = {0};
    assert_int_equal(redact_render(r, rec, 0, 0, sizeof rec - 1, sp, 2, &b), 0);
    const char want[] = "\x00\xff" "[A]\xe6\x97\xa5" "**\x00";
    assert_int_equal(b.len, sizeof want - 1);
    assert_memory_equal(b.p, want, sizeof want - 1);
    buf_free(&b);
    redact_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spanvec),
        cmocka_unit_test(test_merge_basic),
        cmocka_unit_test(test_merge_chains),
        cmocka_unit_test(test_merge_ties),
        cmocka_unit_test(test_merge_deterministic),
        cmocka_unit_test(test_merge_many),
        cmocka_unit_test(test_new_errors),
        cmocka_unit_test(test_new_copies),
        cmocka_unit_test(test_tag_formats),
        cmocka_unit_test(test_tag_format_errors),
        cmocka_unit_test(test_tag_ignores_value),
        cmocka_unit_test(test_mask_ascii),
        cmocka_unit_test(test_mask_utf8),
        cmocka_unit_test(test_mask_invalid_utf8),
        cmocka_unit_test(test_partial),
        cmocka_unit_test(test_partial_utf8_invalid),
        cmocka_unit_test(test_remove),
        cmocka_unit_test(test_unknown_rule_fails_closed),
        cmocka_unit_test(test_hash_known_vectors),
        cmocka_unit_test(test_hash_deterministic_and_keyed),
        cmocka_unit_test(test_hash_entity_separator),
        cmocka_unit_test(test_hash_normalisation),
        cmocka_unit_test(test_hash_long_value),
        cmocka_unit_test(test_hash_never_leaks),
        cmocka_unit_test(test_hash_odd_values),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_offsets),
        cmocka_unit_test(test_render_bytes_outside_untouched),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
