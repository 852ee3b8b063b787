/* test_engine.c — compiling rules and what each rule key does to matching, through the public API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine.h"
#include "piiscrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct compiled {
    ps_ruleset *rs;
    ps_engine *e;
    ps_diag diag;
    int status;
} compiled;

static compiled build_opts(const char *yaml, const ps_engine_options *o)
{
    compiled c = {0};
    assert_int_equal(ps_ruleset_new(&c.rs), PS_OK);
    c.status = ps_ruleset_load_buffer(c.rs, "t.yaml", yaml, strlen(yaml), &c.diag);
    if (c.status == PS_OK)
        c.status = ps_engine_compile(c.rs, o, &c.e, &c.diag);
    return c;
}

static compiled build(const char *yaml)
{
    ps_engine_options o = {0};
    return build_opts(yaml, &o);
}

static void release(compiled *c)
{
    ps_engine_free(c->e);
    ps_ruleset_free(c->rs);
}

/* Redacts `in` and compares with `want`. */
static void expect(const ps_engine *e, const char *in, size_t n, const char *want)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(ps_scrub(e, in, n, &out, &len), PS_OK);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(out, want, len);
    free(out);
}
#define EXPECT(e, in, want) expect((e), (in), strlen(in), (want))

/* EXPECT for a subject long enough, and with a '\n', to be scanned in line mode (engine.c's LINE_MODE_MIN). */
#define EXPECT_LINES(e, in, want)                                                                                     \
    do {                                                                                                               \
        assert_true(strlen(in) >= 128 && strchr((in), '\n'));                                                          \
        EXPECT((e), (in), (want));                                                                                     \
    } while (0)

/* A subject of many lines (a JSON string holding a document) is gated line by line, but its matches are those of
 * the whole subject: keywords and context words on other lines count, ^ is the subject's start, and rules whose
 * matches or lookarounds take a '\n' run on the whole of it. */
static void many_lines_match_as_one_subject(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: acct\n    entity: ACCT\n    pattern: '\\b\\d{6}\\b'\n    keywords: [account]\n"
                       "  - id: near\n    entity: NEAR\n    pattern: '\\b\\d{3}-\\d{4}\\b'\n"
                       "    context: {words: [phone], window: 16}\n"
                       "  - id: first\n    entity: FIRST\n    pattern: '^\\d{4}\\b'\n"
                       "  - id: after-nl\n    entity: NL\n    pattern: '(?<=\\n)ZZ\\d'\n    keywords: [zz]\n"
                       "  - id: span\n    entity: SPAN\n    pattern: 'BEGIN\\s+\\d+\\s+END'\n    keywords: [begin]\n"
                       "  - id: ahead\n    entity: AHEAD\n    pattern: 'Q\\d(?=\\s*!)'\n    keywords: [' !']\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT_LINES(c.e,
           "account numbers are below, and the rest of this text is filler to make it long\n"
           "123456 is one\ncall my phone\n555-1234 later, 555-9876 is too far from that word\n"
           "7777 is not at the start\nZZ1 starts a line, xZZ2 does not\nBEGIN\n42\nEND\nQ7\n! and Q8 !\n",
           "account numbers are below, and the rest of this text is filler to make it long\n"
           "[ACCT] is one\ncall my phone\n[NEAR] later, 555-9876 is too far from that word\n"
           "7777 is not at the start\n[NL] starts a line, xZZ2 does not\n[SPAN]\n[AHEAD]\n! and [AHEAD] !\n");
    /* The same lines without their keywords and context words: nothing. */
    EXPECT_LINES(c.e,
           "numbers are below, and the rest of this text is filler to make it long enough\n"
           "123456 is one\ncall my cell\n555-1234 later\n1234 is at the start of a line only\nQ7 ?\n",
           "numbers are below, and the rest of this text is filler to make it long enough\n"
           "123456 is one\ncall my cell\n555-1234 later\n1234 is at the start of a line only\nQ7 ?\n");
    EXPECT_LINES(c.e,
           "1234 starts the subject, and the rest of this text is filler to make it long enough for its lines to be gated\n"
           "5678 starts only a line\n",
           "[FIRST] starts the subject, and the rest of this text is filler to make it long enough for its lines to be gated\n"
           "5678 starts only a line\n");
    release(&c);
    /* A one-byte keyword is a byte to the prefilter, not a word: its rule still runs without any trigger word. */
    c = build("version: 1\nrules:\n"
              "  - id: acct\n    entity: ACCT\n    pattern: '\\b\\d{6}\\b'\n    keywords: [account]\n"
              "  - id: pct\n    entity: PCT\n    pattern: 'SALE\\s+now'\n    keywords: ['%', percent]\n"
              "  - id: wire\n    entity: WIRE\n    pattern: 'WIRE\\s+\\d+'\n    keywords: [transfer]\n"
              "    context: {words: [bank], window: 200}\n"
              "  - id: hash\n    entity: HASH\n    pattern: '\\b\\d{4}-\\d{4}\\b'\n    keywords: ['#']\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT_LINES(c.e,
           "filler that is long enough to take this text well over the length from which the lines of a record are gated one by one\n"
           "SALE\nnow: 50% off\n",
           "filler that is long enough to take this text well over the length from which the lines of a record are gated one by one\n"
           "[PCT]: 50% off\n");
    /* A one-byte keyword that a match need not hold counts anywhere in the subject, and is needed. */
    EXPECT_LINES(c.e,
           "the ticket # and then some filler that is long enough to take this text well over the length from which lines are gated\n"
           "1234-5678\n",
           "the ticket # and then some filler that is long enough to take this text well over the length from which lines are gated\n"
           "[HASH]\n");
    EXPECT_LINES(c.e,
           "the ticket and then some more filler that is long enough to take this text well over the length from which lines are gated\n"
           "1234-5678\n",
           "the ticket and then some more filler that is long enough to take this text well over the length from which lines are gated\n"
           "1234-5678\n");
    /* A context word before the first trigger word still counts. */
    EXPECT_LINES(c.e,
           "the bank and then filler that is long enough to take this text well over the length from which lines are gated\n"
           "WIRE\n123 by transfer\n",
           "the bank and then filler that is long enough to take this text well over the length from which lines are gated\n"
           "[WIRE] by transfer\n");
    release(&c);
}

static void compile_error_names_position_and_offset(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: bad\n    pattern: 'ab(c'\n");
    assert_int_equal(c.status, PS_E_RULES);
    assert_string_equal(c.diag.file, "t.yaml");
    assert_int_equal(c.diag.line, 4);
    assert_string_equal(c.diag.rule_id, "bad");
    assert_non_null(strstr(c.diag.msg, "does not compile at offset 4"));
    assert_non_null(strstr(c.diag.msg, "missing closing parenthesis"));
    release(&c);
}

static void empty_match_rejected(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: star\n    pattern: 'a*'\n");
    assert_int_equal(c.status, PS_E_RULES);
    assert_non_null(strstr(c.diag.msg, "matches the empty string"));
    release(&c);
    c = build("version: 1\nrules:\n  - id: ok\n    pattern: 'a'\n    allow: ['x?']\n");
    assert_int_equal(c.status, PS_E_RULES);
    assert_non_null(strstr(c.diag.msg, "allow regex matches the empty string"));
    release(&c);
}

static void group_must_exist(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: g\n    pattern: 'k=(\\w+)'\n    group: 2\n");
    assert_int_equal(c.status, PS_E_RULES);
    assert_non_null(strstr(c.diag.msg, "group 2 does not exist"));
    release(&c);
}

static void group_redacts_value_only(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: pw\n    entity: SECRET\n    pattern: 'password=(\\S+)'\n"
                       "    group: 1\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "login password=hunter2 ok", "login password=[SECRET] ok");
    release(&c);
}

static void hash_needs_key(void **state)
{
    (void)state;
    ps_engine_options o = {0};
    o.action = PS_ACTION_HASH;
    compiled c = build_opts("version: 1\nrules:\n  - id: a\n    pattern: 'abc'\n", &o);
    assert_int_equal(c.status, PS_E_KEY);
    assert_non_null(strstr(c.diag.msg, "--key-file"));
    release(&c);
    static const unsigned char key[] = "k1";
    o.key = key;
    o.key_len = 2;
    c = build_opts("version: 1\nrules:\n  - id: a\n    pattern: 'abc'\n", &o);
    assert_int_equal(c.status, PS_OK);
    char *out;
    size_t n;
    assert_int_equal(ps_scrub(c.e, "x abc y", 7, &out, &n), PS_OK);
    assert_null(strstr(out, "abc"));
    assert_non_null(strstr(out, "[A:"));
    free(out);
    release(&c);
}

static void validator_drops_bad_checksums(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: card\n    pattern: '\\b(?:\\d[ -]?){12,18}\\d\\b'\n"
                       "    validate: luhn\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "a 4111 1111 1111 1111 b", "a [CARD] b");
    EXPECT(c.e, "a 4111 1111 1111 1112 b", "a 4111 1111 1111 1112 b");
    release(&c);
}

static void context_required_within_window(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: dob\n    pattern: '\\b\\d{2}/\\d{2}/\\d{4}\\b'\n"
                       "    context: {words: [born, dob], window: 10}\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "Born: 01/02/1990", "Born: [DOB]");
    EXPECT(c.e, "01/02/1990 (DOB)", "[DOB] (DOB)");
    EXPECT(c.e, "meeting 01/02/1990", "meeting 01/02/1990");
    /* "born" 11 bytes before the match: outside the window */
    EXPECT(c.e, "born xxxxx 01/02/1990", "born xxxxx 01/02/1990");
    /* whole words only: "stubborn" does not count; but '_' and '-' separate words in keys */
    EXPECT(c.e, "stubborn 01/02/1990", "stubborn 01/02/1990");
    EXPECT(c.e, "dob_utc=01/02/1990", "dob_utc=[DOB]");
    release(&c);
}

static void allow_vetoes(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: email\n    pattern: '\\w+@[\\w.]+'\n"
                       "    allow: ['@example\\.(?:com|org)$']\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "a@example.com b@corp.net", "a@example.com [EMAIL]");
    release(&c);
}

static void not_after_vetoes_by_the_text_before(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: phone\n    pattern: '\\b\\d{3}-\\d{4}\\b'\n"
                       "    not_after: ['(?i:\\bnhs no:? ?)$', 'ref.*$']\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "call 555-1234", "call [PHONE]");
    EXPECT(c.e, "NHS No: 555-1234", "NHS No: 555-1234");
    EXPECT(c.e, "nhs no: x 555-1234", "nhs no: x [PHONE]"); /* the label is not right before it */
    EXPECT(c.e, "555-1234 NHS no: 555-1234", "[PHONE] NHS no: 555-1234");
    /* 'ref' within the 64 bytes before vetoes, further back it does not */
    EXPECT(c.e, "ref 0123456789012345678901234567890123456789012345678 555-1234",
           "ref 0123456789012345678901234567890123456789012345678 555-1234");
    EXPECT(c.e, "ref 01234567890123456789012345678901234567890123456789012345678901 555-1234",
           "ref 01234567890123456789012345678901234567890123456789012345678901 [PHONE]");
    release(&c);
    /* a bad regex is an error at its position, and one that matches the empty string would veto everything */
    c = build("version: 1\nrules:\n  - id: phone\n    pattern: '\\d{7}'\n    not_after: ['(ab']\n");
    assert_int_equal(c.status, PS_E_RULES);
    assert_int_equal(c.diag.line, 5);
    assert_non_null(strstr(c.diag.msg, "not_after regex"));
    release(&c);
    c = build("version: 1\nrules:\n  - id: phone\n    pattern: '\\d{7}'\n    not_after: ['x?$']\n");
    assert_int_equal(c.status, PS_E_RULES);
    assert_non_null(strstr(c.diag.msg, "not_after regex matches the empty string"));
    release(&c);
}

static void min_entropy_filters_low_entropy(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: tok\n    entity: TOKEN\n    pattern: 'tok_([A-Za-z0-9]{10,})'\n"
                       "    group: 1\n    min_entropy: 3.0\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "tok_aaaaaaaaaaaa", "tok_aaaaaaaaaaaa");
    EXPECT(c.e, "tok_a8Fk2LpQ9zXw", "tok_[TOKEN]");
    release(&c);
}

static void keywords_gate_case_insensitively(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: acct\n    pattern: '\\b\\d{8}\\b'\n    keywords: [account]\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "ACCOUNT 12345678", "ACCOUNT [ACCT]");
    EXPECT(c.e, "order 12345678", "order 12345678");
    release(&c);
}

/* The byte gates must not skip the other case of a letter when the pattern ignores case inline. */
static void inline_caseless_gates_both_cases(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: k\n    pattern: '(?i)zq_key=\\w+'\n"
                       "  - id: m\n    pattern: 'x(?i:QZ)\\d'\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "a ZQ_KEY=abc", "a [K]");
    EXPECT(c.e, "b xqz1", "b [M]");
    release(&c);
}

static void caseless_flag(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: w\n    pattern: 'secret'\n    flags: [caseless]\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "a SeCrEt b", "a [W] b");
    release(&c);
}

static void overlaps_merge_under_highest_priority(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: low\n    pattern: 'abc'\n    priority: 1\n"
                       "  - id: high\n    pattern: 'cde'\n    priority: 9\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "xabcdey", "x[HIGH]y");
    EXPECT(c.e, "abc cde", "[LOW] [HIGH]");
    release(&c);
}

static void invalid_utf8_and_nul_bytes(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: e\n    pattern: '\\w+@\\w+\\.\\w+'\n");
    assert_int_equal(c.status, PS_OK);
    static const char in[] = "\xff\xfe a@b.io \0\xc3 c@d.org \xe2\x82";
    static const char want[] = "\xff\xfe [E] \0\xc3 [E] \xe2\x82";
    char *out;
    size_t n;
    assert_int_equal(ps_scrub(c.e, in, sizeof in - 1, &out, &n), PS_OK);
    assert_int_equal(n, sizeof want - 1);
    assert_memory_equal(out, want, n);
    free(out);
    release(&c);
}

/* Look-alike characters must not hide a value: matching runs on a folded view, the original bytes are redacted. */
static void unicode_evasion_per_entity(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: card\n    pattern: '\\b(?:\\d[ -]?){12,18}\\d\\b'\n    validate: luhn\n"
                       "  - id: email\n    pattern: '[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+'\n"
                       "  - id: phone\n    pattern: '\\b\\d{3}-\\d{3}-\\d{4}\\b'\n"
                       "  - id: ssn\n    pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b'\n    validate: ssn\n");
    assert_int_equal(c.status, PS_OK);
    /* full-width digits */
    EXPECT(c.e, "card \xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91 1111 1111 1111 ok", "card [CARD] ok");
    /* NBSP and thin space as separators */
    EXPECT(c.e, "4111\xc2\xa0""1111\xe2\x80\x89""1111 1111", "[CARD]");
    /* zero-width space and soft hyphen inside an address */
    EXPECT(c.e, "to jane\xe2\x80\x8b.doe@mail.ex\xc2\xad""ample.net!", "to [EMAIL]!");
    /* full-width at-sign */
    EXPECT(c.e, "a.b\xef\xbc\xa0""example.org", "[EMAIL]");
    /* Unicode dashes and minus signs */
    EXPECT(c.e, "call 555\xe2\x80\x90""867\xe2\x88\x92""5309", "call [PHONE]");
    EXPECT(c.e, "ssn 078\xe2\x80\x93""05\xe2\x80\x94""1120 x", "ssn 078\xe2\x80\x93""05\xe2\x80\x94""1120 x");
    EXPECT(c.e, "ssn 123\xe2\x80\x93""45\xe2\x80\x94""6780 x", "ssn [SSN] x");
    /* "fancy text": mathematical script and bold letters, circled and superscript digits */
    EXPECT(c.e, "to \xf0\x9d\x93\xb3\xf0\x9d\x93\xaa\xf0\x9d\x93\xb7\xf0\x9d\x93\xae@example.com!",
           "to [EMAIL]!");
    EXPECT(c.e, "jane@\xf0\x9d\x90\x9e\xf0\x9d\x90\xb1.org", "[EMAIL]");
    EXPECT(c.e, "call \xe2\x91\xa4\xe2\x91\xa4\xe2\x91\xa4-867-5309", "call [PHONE]");
    EXPECT(c.e, "ssn \xe2\x81\xb5\xc2\xb3\xe2\x81\xb6-22-1234 x", "ssn [SSN] x");
    EXPECT(c.e, "E=mc\xc2\xb2 and H\xe2\x82\x82O", "E=mc\xc2\xb2 and H\xe2\x82\x82O");
    /* struck-through letters (a combining overlay after each) and negative circled capitals */
    EXPECT(c.e, "j\xcc\xb6o\xcc\xb6" "e\xcc\xb6@example.com", "[EMAIL]");
    EXPECT(c.e, "\xf0\x9f\x85\x99\xf0\x9f\x85\x9e\xf0\x9f\x85\x94" "@example.com ok", "[EMAIL] ok");
    /* small capitals: ᴊᴏᴇ@ᴍᴀɪʟ.ᴄᴏᴍ */
    EXPECT(c.e, "\xe1\xb4\x8a\xe1\xb4\x8f\xe1\xb4\x87@\xe1\xb4\x8d\xe1\xb4\x80\xc9\xaa\xca\x9f.\xe1\xb4\x84\xe1\xb4\x8f\xe1\xb4\x8d",
           "[EMAIL]");
    /* ordinary accents and CJK are left alone */
    EXPECT(c.e, "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac", "\xc3\xa9t\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac");
    release(&c);
}

/* A rule that ignores case matches U+017F (long s) for 's' and U+212A (Kelvin sign) for 'k'; its keywords, which are
 * ASCII, are found in the folded view, so a key spelt with them is no way around the keyword gate. */
static void caseless_lookalikes_meet_keywords(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: pw\n    pattern: '(?<=pass|key)=(\\S+)'\n    flags: [caseless]\n    group: 1\n"
                       "    keywords: [pass, key]\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "pass=hunter2 x", "pass=[PW] x");
    EXPECT(c.e, "pa\xc5\xbfs=hunter2 x", "pa\xc5\xbfs=[PW] x");
    EXPECT(c.e, "api_\xe2\x84\xaa""ey=hunter2 x", "api_\xe2\x84\xaa""ey=[PW] x");
    EXPECT(c.e, "pa\xc5\xbfsword=x, \xc5\xbf", "pa\xc5\xbfsword=x, \xc5\xbf"); /* no '=' after the keyword */
    release(&c);
}

/* Words are compared ignoring ASCII case only, so they are listed in each case of their other letters: a rule that
 * ignores case and matches "LÖSENORD=" finds its keyword "lösenord" there, and a required context word "número"
 * is found as "NÚMERO". */
static void words_in_any_case_of_their_letters(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: pw\n    pattern: '(?<=l\xc3\xb6senord)=(\\S+)'\n    flags: [caseless]\n    group: 1\n"
                       "    keywords: ['l\xc3\xb6senord']\n"
                       "  - id: nif\n    pattern: '\\b\\d{9}\\b'\n"
                       "    context: {words: ['n\xc3\xbamero'], window: 16, required: true}\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "l\xc3\xb6senord=hunter2 x", "l\xc3\xb6senord=[PW] x");
    EXPECT(c.e, "L\xc3\x96SENORD=hunter2 x", "L\xc3\x96SENORD=[PW] x");
    EXPECT(c.e, "N\xc3\x9aMERO 123456789", "N\xc3\x9aMERO [NIF]");
    EXPECT(c.e, "NUMBER 123456789", "NUMBER 123456789");
    release(&c);
}

/* In line mode a rule found by its keywords keeps its whole-subject meaning: a keyword on another line of the
 * subject counts, as one written before the match on its own line does. */
static void keywords_on_other_lines_count(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: kv\n    entity: KV\n    pattern: '(?<=key=)[a-z]{6,}'\n    keywords: [key]\n"
                       "  - id: pair\n    entity: PAIR\n    pattern: '\\b[a-z]{5}-[a-z]{5}\\b'\n    keywords: [token]\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT_LINES(c.e,
                 "the token is named here, and the rest of this text is filler to make it long enough for lines\n"
                 "then key=abcdefg on a line\nand abcde-fghij on another\n",
                 "the token is named here, and the rest of this text is filler to make it long enough for lines\n"
                 "then key=[KV] on a line\nand [PAIR] on another\n");
    EXPECT_LINES(c.e,
                 "no word of theirs here, and the rest of this text is filler to make it long enough for lines\n"
                 "then kez=abcdefg on a line\nand abcde-fghij on another\n",
                 "no word of theirs here, and the rest of this text is filler to make it long enough for lines\n"
                 "then kez=abcdefg on a line\nand abcde-fghij on another\n");
    release(&c);
}

/* Runs rule 0 of e over `text` as one subject (ps_subject.no_words as given); @return how many times it ran (line
 * mode: once per line), its spans in *n and its regex calls in *calls (when not NULL). */
static uint64_t runs_of_first_rule_calls(const ps_engine *e, const char *text, int no_words, size_t *n,
                                         uint64_t *calls)
{
    ps_scratch *s = NULL;
    assert_int_equal(engine_scratch_new(e, &s), PS_OK);
    assert_int_equal(engine_profile_enable(s, e), PS_OK);
    size_t len = strlen(text);
    char *p = calloc(len + 64, 1); /* subjects carry padding */
    assert_non_null(p);
    memcpy(p, text, len);
    ps_subject subj = {p, len, 0, 0, 1, no_words, 0};
    ps_spanvec out = {0};
    size_t hold;
    assert_int_equal(engine_scan(e, s, &subj, -1, &out, NULL, &hold), PS_OK);
    uint64_t ns[2] = {0}, runs[2] = {0}, n_calls[2] = {0};
    engine_profile_add(s, ns, runs, n_calls, ps_engine_rule_count(e));
    *n = out.n;
    if (calls)
        *calls = n_calls[0];
    spanvec_free(&out);
    free(p);
    engine_scratch_free(s);
    return runs[0];
}

static uint64_t runs_of_first_rule_words(const ps_engine *e, const char *text, int no_words, size_t *n)
{
    return runs_of_first_rule_calls(e, text, no_words, n, NULL);
}

static uint64_t runs_of_first_rule(const ps_engine *e, const char *text, size_t *n)
{
    return runs_of_first_rule_words(e, text, 0, n);
}

/* Rule 0 of e over text: it ran `runs` times, made `calls` regex searches and found `n` spans. */
static void expect_searches(const ps_engine *e, const char *text, uint64_t runs, uint64_t calls, size_t n)
{
    size_t got_n = 0;
    uint64_t got_calls = 0, got_runs = runs_of_first_rule_calls(e, text, 0, &got_n, &got_calls);
    if (got_runs != runs || got_calls != calls || got_n != n)
        fail_msg("\"%s\": %llu runs, %llu calls, %zu spans; want %llu, %llu, %zu", text, (unsigned long long)got_runs,
                 (unsigned long long)got_calls, got_n, (unsigned long long)runs, (unsigned long long)calls, n);
}

/* A context word is a whole word of the text, wherever the window around the candidate begins: "phone" is not in
 * "iPhone" even when the window starts at its 'P'. The record's word gate says the same, so a record whose context
 * words are all parts of other words does not run the rule at all. */
static void context_words_are_whole_words_of_the_text(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: local\n    entity: PHONE\n    pattern: '(?<!\\d)\\d{7}(?!\\d)'\n"
                       "    context: {words: [phone, tel], window: 10}\n");
    assert_int_equal(c.status, PS_OK);
    EXPECT(c.e, "phone: 5551234", "phone: [PHONE]");
    /* the window (10 bytes before the match) starts at "Phone": its 'i' still joins it to another word */
    EXPECT(c.e, "iPhone  12 5551234", "iPhone  12 5551234");
    EXPECT(c.e, "tel: see below, iPhone  12 5551234", "tel: see below, iPhone  12 5551234"); /* "tel" opens it */
    EXPECT(c.e, "Intel  1234 5551234", "Intel  1234 5551234");
    EXPECT(c.e, "(phone)  5551234", "(phone)  [PHONE]");
    EXPECT(c.e, "tel_5551234", "tel_[PHONE]");
    size_t n = 0;
    assert_int_equal(runs_of_first_rule(c.e, "iPhone 12, Intel 5551234", &n), 0); /* the gate closed it */
    assert_int_equal(runs_of_first_rule(c.e, "iPhone 12, tel 5551234", &n), 1);
    assert_int_equal(n, 1);
    release(&c);
}

/* A search starts only where a match can: not just after a byte a leading one-character lookbehind refuses
 * (rxinfo's not_before), and not in a run without as many digits in a row as every match holds (min_group). The
 * profile's regex calls show it; the matches are those of an unbounded search. */
static void searches_skip_refused_starts_and_short_groups(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - {id: dotted, entity: PHONE, pattern: '(?<![\\w.])\\d{3}\\.\\d{3}\\.\\d{4}(?![\\w.])'}\n");
    assert_int_equal(c.status, PS_OK);
    /* an address's groups have three digits at most: the rule does not run (its gate needs four in a row), and where
     * the line has four elsewhere, the address's run is not searched */
    expect_searches(c.e, "from 192.168.100.200 port 22", 0, 0, 0);
    expect_searches(c.e, "from 192.168.100.200 port 2222", 1, 0, 0);
    /* every start of this run's window comes after a word byte or a '.': none is searched */
    expect_searches(c.e, "ref a12.555.123.4567", 1, 0, 0);
    /* at the subject's start, after a space, after '(': found, one call each */
    expect_searches(c.e, "555.123.4567 and (555.123.4568) x555.123.4569", 1, 2, 2);
    EXPECT(c.e, "555.123.4567 and (555.123.4568) x555.123.4569 .555.123.4560",
           "[PHONE] and ([PHONE]) x555.123.4569 .555.123.4560");
    release(&c);
}

/* A subject that the caller's prefilter saw no trigger word in (ps_subject.no_words) is not searched for the word
 * sets that are triggers: a rule whose trigger is its keywords stays closed there. The promise is the caller's, so a
 * subject that does hold the keyword shows the search was skipped. A set with a one-byte word is searched still. */
static void no_trigger_words_skip_their_search(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - id: kv\n    entity: KV\n    pattern: '(?<=key=)[a-z]{6,}'\n    keywords: [key]\n");
    assert_int_equal(c.status, PS_OK);
    size_t n = 0;
    assert_int_equal(runs_of_first_rule_words(c.e, "the key=abcdefg", 0, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(runs_of_first_rule_words(c.e, "the key=abcdefg", 1, &n), 0);
    assert_int_equal(n, 0);
    release(&c);
    compiled one = build("version: 1\nrules:\n"
                         "  - id: kv\n    entity: KV\n    pattern: '(?<=[k%]ey=)[a-z]{6,}'\n    keywords: [key, '%']\n");
    assert_int_equal(one.status, PS_OK);
    assert_int_equal(runs_of_first_rule_words(one.e, "the key=abcdefg", 1, &n), 1);
    assert_int_equal(n, 1);
    release(&one);
}

/* A search led by a byte starts no earlier than the run of bytes a match consumes or its lookahead sees that ends at
 * that byte (lead_start): the bytes between a match and its lead byte that only a lookahead sees ('-' here) are part
 * of that run, so the match is found; a byte outside it (' ') cuts the run. */
static void lead_windows_start_at_the_run_before_the_lead(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - {id: ahead, pattern: '\\b[a-z]{2}(?=-{0,5}\\d)'}\n"
                       "  - {id: mail, pattern: '(?<![a-z.])[a-z.]{1,30}@[a-z]+'}\n");
    assert_int_equal(c.status, PS_OK);
    char buf[64];
    assert_int_equal(ps_engine_rule_search(c.e, 0, buf, sizeof buf), 1);
    assert_string_equal(buf, "within 7 B before a digit");
    size_t n = 0;
    assert_int_equal(runs_of_first_rule(c.e, "x ab---5 cd 7", &n), 1);
    assert_int_equal(n, 1); /* "ab" (its digit seen through '---'); "cd" is cut from its digit by a space */
    /* an e-mail's search starts at its local part, after the '<' that ends the run before its '@' */
    EXPECT(c.e, "from=<alice.b@example> to=<bob@host>", "from=<[MAIL]> to=<[MAIL]>");
    release(&c);
}

/* A rule whose keyword is on the line of every match (in a leading lookbehind: rxinfo_has_word) runs in line mode
 * only on the lines that hold its keyword, as in text mode, not on the whole subject wherever the keyword is; a
 * rule whose keyword may be on another line still runs on the whole subject. Their matches are the same. */
static void keywords_on_the_match_line_gate_lines(void **state)
{
    (void)state;
    const char *doc = "the key to this text is below, and the rest of this line is filler to make it long enough\n"
                      "a=b c=d e=f\nkey=abcdefg here\nx=y\nsecret key=hijklmn too\nmonkey business=none\n";
    compiled on = build("version: 1\nrules:\n"
                        "  - id: kv\n    entity: KV\n    pattern: '(?<=key=)[a-z]{6,}'\n    keywords: [key]\n");
    assert_int_equal(on.status, PS_OK);
    size_t n = 0;
    /* on the four lines with its keyword ("monkey" holds one too), not on the other two */
    assert_int_equal(runs_of_first_rule(on.e, doc, &n), 4);
    assert_int_equal(n, 2);
    release(&on);
    compiled off = build("version: 1\nrules:\n"
                         "  - id: kv\n    entity: KV\n    pattern: '(?<=[k]ey=)[a-z]{6,}'\n    keywords: [key]\n");
    assert_int_equal(off.status, PS_OK);
    assert_int_equal(runs_of_first_rule(off.e, doc, &n), 1); /* [k]: not written out, so not proved */
    assert_int_equal(n, 2);
    release(&off);
}

/* A rule 'redos' of `pattern` under a match limit of 10 000; `in` gets a line of 62 a's and a '!'. */
static compiled limited_rule(const char *pattern, char in[64])
{
    ps_engine_options o = {0};
    o.match_limit = 10000;
    char yaml[128];
    snprintf(yaml, sizeof yaml, "version: 1\nrules:\n  - id: redos\n    pattern: '%s'\n", pattern);
    compiled c = build_opts(yaml, &o);
    assert_int_equal(c.status, PS_OK);
    memset(in, 'a', 62);
    in[62] = '!';
    in[63] = 0;
    return c;
}

static void match_limit_fails_closed(void **state)
{
    (void)state;
    char in[64];
    compiled c = limited_rule("^(a+)+(?:$|z)", in);
    char *out;
    size_t n;
    assert_int_equal(ps_scrub(c.e, in, strlen(in), &out, &n), PS_E_UNSCANNED);
    assert_string_equal(out, "[UNSCANNED]");
    free(out);
    release(&c);
}

/* A rule anchored at the end ('$') is not searched where no match can end: with the same match limit, the
 * backtracking pattern above finishes at once on a line ending in '!', and still matches a line it fits (also before
 * a final newline). Under multiline, '$' may match inside, so such a rule is searched as before. */
static void end_anchored_rule_skips_subjects_no_match_can_end(void **state)
{
    (void)state;
    char in[64];
    compiled c = limited_rule("^(a+)+$", in);
    char *out;
    size_t n;
    assert_int_equal(ps_scrub(c.e, in, strlen(in), &out, &n), PS_OK);
    assert_string_equal(out, in);
    free(out);
    in[62] = 'a';
    assert_int_equal(ps_scrub(c.e, in, strlen(in), &out, &n), PS_OK);
    assert_string_equal(out, "[REDOS]");
    free(out);
    assert_int_equal(ps_scrub(c.e, "aaa\n", 4, &out, &n), PS_OK);
    assert_string_equal(out, "[REDOS]\n");
    free(out);
    release(&c);
    ps_engine_options o = {0};
    c = build_opts("version: 1\nrules:\n  - id: m\n    pattern: '(?:ab)+$'\n    flags: [multiline]\n", &o);
    assert_int_equal(c.status, PS_OK);
    assert_int_equal(ps_scrub(c.e, "x abab\nyz!", 11, &out, &n), PS_OK);
    assert_string_equal(out, "x [M]\nyz!");
    free(out);
    release(&c);
}

typedef struct tally {
    int failed_match, failed_no_match;
    char why[256];
} tally;

static int on_example(void *ctx, const ps_example_result *r)
{
    tally *t = ctx;
    if (!r->passed) {
        if (r->expect_match)
            t->failed_match++;
        else
            t->failed_no_match++;
        snprintf(t->why, sizeof t->why, "%s", r->why);
        assert_true(r->line > 0);
    }
    return 0;
}

static void examples_are_checked(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: card\n    pattern: '\\b\\d{16}\\b'\n    validate: luhn\n"
                       "    examples:\n      match: ['4111111111111111', '4111111111111112']\n"
                       "      no_match: ['1234', '5555555555554444']\n");
    assert_int_equal(c.status, PS_OK);
    tally t = {0};
    size_t run = 0, failed = 0;
    assert_int_equal(ps_engine_test_examples(c.e, on_example, &t, &run, &failed), PS_OK);
    assert_int_equal(run, 4);
    assert_int_equal(failed, 2);
    assert_int_equal(t.failed_match, 1);
    assert_int_equal(t.failed_no_match, 1);
    release(&c);
    c = build("version: 1\nrules:\n  - id: card\n    pattern: '\\b\\d{16}\\b'\n    validate: luhn\n"
              "    examples:\n      match: ['4111111111111112']\n");
    memset(&t, 0, sizeof t);
    assert_int_equal(ps_engine_test_examples(c.e, on_example, &t, &run, &failed), PS_OK);
    assert_non_null(strstr(t.why, "luhn validator rejected"));
    release(&c);
}

static void rule_lookup(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n  - id: one\n    pattern: '1'\n  - id: two\n    entity: DOS\n"
                       "    pattern: '2'\n");
    assert_int_equal(ps_engine_rule_count(c.e), 2);
    assert_string_equal(ps_engine_rule_id(c.e, 1), "two");
    assert_string_equal(ps_engine_rule_entity(c.e, 1), "DOS");
    assert_null(ps_engine_rule_id(c.e, 2));
    release(&c);
}

static void ruleset_digest_follows_content(void **state)
{
    (void)state;
    static const char a[] = "version: 1\nrules:\n  - id: x\n    pattern: 'abc'\n";
    static const char b[] = "version: 1\nrules:\n  # a comment changes nothing\n  - id: x\n    pattern: \"abc\"\n";
    static const char c[] = "version: 1\nrules:\n  - id: x\n    pattern: 'abd'\n";
    char da[65], db[65], dc[65];
    ps_ruleset *rs;
    ps_diag d;
    const char *srcs[] = {a, b, c};
    char *outs[] = {da, db, dc};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(ps_ruleset_new(&rs), PS_OK);
        /* the same pack name: the digest covers what rules say, and their pack, not the file name */
        assert_int_equal(ps_ruleset_load_buffer(rs, i == 1 ? "other/t.yaml" : "t.yaml", srcs[i], strlen(srcs[i]), &d),
                         PS_OK);
        assert_int_equal(ps_ruleset_digest(rs, outs[i]), PS_OK);
        ps_ruleset_free(rs);
    }
    assert_int_equal(strlen(da), 64);
    assert_string_equal(da, db);
    assert_string_not_equal(da, dc);
}

/* Where each rule's search starts (--profile's SEARCH STARTS): bounded before a rare byte, or anywhere; a rule whose
 * matches are runs holding two or more digits searches only in such runs, and so does one whose long matches are runs
 * of an alphabet without spaces when its lead is far. */
static void search_bounds_are_described(void **state)
{
    (void)state;
    compiled c = build("version: 1\nrules:\n"
                       "  - {id: mail, pattern: '[a-z.]{1,20}@[a-z]+\\.[a-z]{2,}'}\n"
                       "  - {id: open, pattern: '[a-z.]+@[a-z]+'}\n"
                       "  - {id: num, pattern: '\\b\\d{3}-\\d{4}\\b'}\n"
                       "  - {id: tagged, pattern: 'no\\. ?\\d{6}'}\n"
                       "  - {id: quad, pattern: '\\b\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\b'}\n"
                       "  - {id: far, pattern: '(?=[0-9a-f:]{0,40}\\d)(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}'}\n"
                       "  - {id: near, pattern: '[a-f]{3}\\d[0-9a-f]{12}'}\n");
    assert_int_equal(c.status, PS_OK);
    char buf[64];
    assert_int_equal(ps_engine_rule_search(c.e, 0, buf, sizeof buf), 1);
    assert_string_equal(buf, "within 20 B before '@'");
    assert_int_equal(ps_engine_rule_search(c.e, 1, buf, sizeof buf), 0); /* [a-z.]+ before it: unbounded */
    assert_string_equal(buf, "anywhere");
    assert_int_equal(ps_engine_rule_search(c.e, 2, buf, sizeof buf), 1);
    assert_string_equal(buf, "in runs of its bytes with 7+ digits"); /* digit rules: runscan's windows */
    assert_int_equal(ps_engine_rule_search(c.e, 3, buf, sizeof buf), 1);
    assert_string_equal(buf, "in runs of its bytes with 6+ digits");
    assert_int_equal(ps_engine_rule_search(c.e, 4, buf, sizeof buf), 1);
    assert_string_equal(buf, "in runs of its bytes with 4+ digits");
    /* a long match of a narrow alphabet whose lead is far from its start: its runs bound it better */
    assert_int_equal(ps_engine_rule_search(c.e, 5, buf, sizeof buf), 1);
    assert_string_equal(buf, "in runs of its bytes 15+ long");
    assert_int_equal(ps_engine_rule_search(c.e, 6, buf, sizeof buf), 1); /* its lead is near: kept */
    assert_string_equal(buf, "within 3 B before a digit");
    assert_int_equal(ps_engine_rule_search(c.e, 7, buf, sizeof buf), -1);
    assert_string_equal(buf, "");
    char tiny[8];
    assert_int_equal(ps_engine_rule_search(c.e, 0, tiny, sizeof tiny), 1);
    assert_string_equal(tiny, "within "); /* cut, still terminated */
    release(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compile_error_names_position_and_offset),
        cmocka_unit_test(empty_match_rejected),
        cmocka_unit_test(group_must_exist),
        cmocka_unit_test(group_redacts_value_only),
        cmocka_unit_test(hash_needs_key),
        cmocka_unit_test(validator_drops_bad_checksums),
        cmocka_unit_test(context_required_within_window),
        cmocka_unit_test(context_words_are_whole_words_of_the_text),
        cmocka_unit_test(allow_vetoes),
        cmocka_unit_test(not_after_vetoes_by_the_text_before),
        cmocka_unit_test(min_entropy_filters_low_entropy),
        cmocka_unit_test(keywords_gate_case_insensitively),
        cmocka_unit_test(caseless_flag),
        cmocka_unit_test(inline_caseless_gates_both_cases),
        cmocka_unit_test(overlaps_merge_under_highest_priority),
        cmocka_unit_test(invalid_utf8_and_nul_bytes),
        cmocka_unit_test(unicode_evasion_per_entity),
        cmocka_unit_test(caseless_lookalikes_meet_keywords),
        cmocka_unit_test(words_in_any_case_of_their_letters),
        cmocka_unit_test(keywords_on_other_lines_count),
        cmocka_unit_test(no_trigger_words_skip_their_search),
        cmocka_unit_test(lead_windows_start_at_the_run_before_the_lead),
        cmocka_unit_test(searches_skip_refused_starts_and_short_groups),
        cmocka_unit_test(keywords_on_the_match_line_gate_lines),
        cmocka_unit_test(match_limit_fails_closed),
        cmocka_unit_test(end_anchored_rule_skips_subjects_no_match_can_end),
        cmocka_unit_test(examples_are_checked),
        cmocka_unit_test(rule_lookup),
        cmocka_unit_test(search_bounds_are_described),
        cmocka_unit_test(ruleset_digest_follows_content),
        cmocka_unit_test(many_lines_match_as_one_subject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
