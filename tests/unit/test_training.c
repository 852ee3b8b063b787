/* test_training.c — jsonl mode and the training-data filters, through ps_run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "engine.h"
#include "jsonl.h"
#include "piiscrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char RULES[] = "version: 1\n"
                            "rules:\n"
                            "  - id: email\n"
                            "    entity: EMAIL\n"
                            "    pattern: '[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}[A-Za-z]{2,24}'\n"
                            "    keywords: ['@']\n"
                            "  - id: phone\n"
                            "    entity: PHONE\n"
                            "    pattern: '\\b\\d{3}-\\d{3}-\\d{4}\\b'\n"
                            "  - id: pem\n"
                            "    entity: KEY\n"
                            "    pattern: '-----BEGIN PRIVATE KEY-----[\\s\\S]*?-----END PRIVATE KEY-----'\n"
                            "    keywords: [begin private key]\n"; /* every rule has a trigger: the chunk prefilter is on */

static ps_ruleset *rs;
static ps_engine *eng;

static int setup(void **state)
{
    (void)state;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_int_equal(ps_ruleset_load_buffer(rs, "t.yaml", RULES, sizeof RULES - 1, &d), PS_OK);
    ps_engine_options o = {0};
    assert_int_equal(ps_engine_compile(rs, &o, &eng, &d), PS_OK);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ps_engine_free(eng);
    ps_ruleset_free(rs);
    return 0;
}

static int sink(void *ctx, const char *p, size_t n)
{
    return buf_append(ctx, p, n);
}

typedef struct seen {
    char fields[16][64];
    uint64_t offsets[16];
    size_t n;
} seen;

static int on_finding(void *ctx, const ps_finding *f)
{
    seen *s = ctx;
    if (s->n < 16) {
        snprintf(s->fields[s->n], sizeof s->fields[0], "%s", f->field ? f->field : "(none)");
        s->offsets[s->n] = f->offset;
        s->n++;
    }
    return 0;
}

/* Runs the pipeline over `in`; returns the output (NUL-terminated) and the status. */
static char *run(const char *in, ps_run_options *o, ps_stats *st, int *status)
{
    char path[] = "/tmp/ps_test_training_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(in);
    assert_int_equal(write(fd, in, n), (ssize_t)n);
    lseek(fd, 0, SEEK_SET);
    unlink(path);
    ps_buf out = {0};
    o->format = PS_FORMAT_JSONL;
    o->write = sink;
    o->write_ctx = &out;
    assert_int_equal(ps_stats_init(st, eng), PS_OK);
    *status = ps_run(eng, o, fd, st);
    close(fd);
    buf_append(&out, "", 1);
    return out.p;
}

static char *run_ok(const char *in, ps_run_options *o, ps_stats *st)
{
    int status;
    char *out = run(in, o, st, &status);
    assert_int_equal(status, PS_OK);
    return out;
}

static void strings_redacted_everything_else_identical(void **state)
{
    (void)state;
    const char *in = "{\"id\": 7,  \"text\":\"mail a.b@example.org\\nnow\", \"n\":1.50e+3, \"k\":[true,null],"
                     "\"a.b@example.org\":\"key never scanned\"}\n";
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"id\": 7,  \"text\":\"mail [EMAIL]\\nnow\", \"n\":1.50e+3, \"k\":[true,null],"
                             "\"a.b@example.org\":\"key never scanned\"}\n");
    assert_int_equal(st.findings, 1);
    assert_int_equal(st.invalid, 0);
    free(out);
    ps_stats_free(&st);
}

static void escapes_decoded_for_matching(void **state)
{
    (void)state;
    /* A phone right after a \n escape: byte-level matching sees "n555" and misses it (performance.md, lesson 8). */
    const char *in = "{\"t\":\"call\\n555-867-5309 or \\u0061\\u0040example.com \\\"q\\\"\"}\n";
    ps_run_options o = {0};
    ps_stats st;
    seen s = {0};
    o.on_finding = on_finding;
    o.finding_ctx = &s;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"t\":\"call\\n[PHONE] or [EMAIL] \\\"q\\\"\"}\n");
    assert_int_equal(s.n, 2);
    assert_string_equal(s.fields[0], "t");
    assert_int_equal(s.offsets[0], 5); /* offsets inside the decoded string: "call\n" is 5 bytes */
    free(out);
    ps_stats_free(&st);
}

/* A redacted string keeps the rest of its bytes as the line has them: an escape nobody redacted ("\u00e9", "\/", a
 * surrogate pair, "\u0040") is not written again in another form; one inside a finding goes with it. */
static void unredacted_escapes_kept_as_written(void **state)
{
    (void)state;
    const char *in = "{\"t\":\"caf\\u00e9 \\/ a@b.io \\u00e9\\n\\ud83d\\ude00 x\\u0040y\",\"u\":\"\\u0061\\u0040example.com!\"}\n";
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"t\":\"caf\\u00e9 \\/ [EMAIL] \\u00e9\\n\\ud83d\\ude00 x\\u0040y\",\"u\":\"[EMAIL]!\"}\n");
    assert_int_equal(st.findings, 2);
    free(out);
    ps_stats_free(&st);
}

/* A string whose escapes are all plain (a quote, a newline: no \uXXXX, no \/) is asked about in its raw text, where
 * with these rules decoding makes no trigger (engine_escapes_inert). One with a trigger is scanned decoded; one with
 * none is counted as scanned at its decoded length: twenty \" and an x are 21 bytes, not 41, so one finding in
 * 6 + 21 bytes is 37.9 per KiB, over a limit of 30 that 6 + 41 bytes (21.8) would pass. */
static void plain_escapes_asked_raw(void **state)
{
    (void)state;
    assert_true(engine_escapes_inert(eng));
    const char *in = "{\"t\":\"say \\\"hi\\\" to 555-867-5309\",\"u\":\"\\\"quoted\\\"\\nno trigger in it\","
                     "\"v\":\"\\\"mail\\\" a\\u0040b.io\"}\n"; /* a \\u escape is not plain: v is looked at decoded */
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"t\":\"say \\\"hi\\\" to [PHONE]\",\"u\":\"\\\"quoted\\\"\\nno trigger in it\","
                             "\"v\":\"\\\"mail\\\" [EMAIL]\"}\n");
    free(out);
    ps_stats_free(&st);
    char dense[256] = "{\"t\":\"a@b.io\",\"u\":\"";
    for (int i = 0; i < 20; i++)
        strcat(dense, "\\\"");
    strcat(dense, "x\"}\n");
    ps_filter *f;
    assert_int_equal(ps_filter_new(&f), PS_OK);
    ps_filter_drop_density(f, 30.0);
    o.filter = f;
    out = run_ok(dense, &o, &st);
    assert_string_equal(out, "");
    assert_int_equal(st.dropped[PS_DROP_DENSITY], 1);
    free(out);
    ps_stats_free(&st);
    ps_filter_free(f);
}

/* Runs `in` through an engine of `rules` (its chunk prefilter on; escapes_inert as told) and checks the output. */
static void expect_with_rules(const char *rules, bool inert, const char *in, const char *expect)
{
    ps_ruleset *own_rs;
    ps_engine *own, *saved = eng;
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&own_rs), PS_OK);
    assert_int_equal(ps_ruleset_load_buffer(own_rs, "own.yaml", rules, strlen(rules), &d), PS_OK);
    ps_engine_options eo = {0};
    assert_int_equal(ps_engine_compile(own_rs, &eo, &own, &d), PS_OK);
    assert_true(engine_prefilter_on(own));
    assert_int_equal(engine_escapes_inert(own), inert);
    eng = own;
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, expect);
    free(out);
    ps_stats_free(&st);
    eng = saved;
    ps_engine_free(own);
    ps_ruleset_free(own_rs);
}

/* Decoding that makes a trigger the raw text lacks. A rule triggered by a byte an escape stands for (a newline): the
 * raw text x\n#5 has no newline, so strings with escapes are looked at decoded. A run that a \/ escape joins: the raw
 * text's backslash breaks the run of [a-z/] that the decoded text has, so such a string is looked at decoded too. And
 * a quote in a trigger run or word: the engine then looks at every string with escapes decoded. */
static void escapes_that_make_triggers_looked_at_decoded(void **state)
{
    (void)state;
    expect_with_rules("version: 1\nrules:\n  - id: n\n    entity: N\n    pattern: '\\n#\\d'\n", false,
                      "{\"t\":\"x\\n#5\"}\n", "{\"t\":\"x[N]\"}\n");
    expect_with_rules("version: 1\nrules:\n  - id: p\n    entity: P\n    pattern: '\\b[a-z]{10}/[a-z]{10}\\b'\n", true,
                      "{\"t\":\"see abcdefghij\\/klmnopqrst \\\"x\\\"\"}\n", "{\"t\":\"see [P] \\\"x\\\"\"}\n");
    /* A quote in a trigger run, and in a trigger word: an escaped quote breaks the raw run and the raw word. */
    expect_with_rules("version: 1\nrules:\n  - id: q\n    entity: Q\n    pattern: '[a-z\"]{20}'\n", false,
                      "{\"t\":\"abcdefghij\\\"klmnopqrs\"}\n", "{\"t\":\"[Q]\"}\n");
    expect_with_rules("version: 1\nrules:\n  - id: h\n    entity: H\n    pattern: 'hi'\n    keywords: ['\"hi\"']\n",
                      false, "{\"t\":\"\\\"hi\\\"\"}\n", "{\"t\":\"\\\"[H]\\\"\"}\n");
}

static void multiline_pem_in_one_string(void **state)
{
    (void)state;
    const char *in = "{\"cfg\":\"x=1\\n-----BEGIN PRIVATE KEY-----\\nMIIBVQ\\nabc\\n-----END PRIVATE KEY-----\\ny=2\"}\n";
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"cfg\":\"x=1\\n[KEY]\\ny=2\"}\n");
    free(out);
    ps_stats_free(&st);
}

static void short_and_long_strings_share_the_prefilter(void **state)
{
    (void)state;
    /* The chunk's trigger cursor looks only inside a short string, and ahead of a long one. PII is found in a short
     * string after a short one, after a long one whose look ahead passed it, and after a document with escapes; and
     * in a long plain string after short ones. */
    const char *in = "{\"k\":\"plain\",\"m\":\"u@ex.io\",\"t\":\"a long plain string with nothing in it at all\","
                     "\"p\":\"555-867-5309\",\"d\":\"one line\\nanother line\\nand a third line of a document\","
                     "\"q\":\"w@ex.io\",\"s\":\"tag\",\"x\":\"later, call 555-867-5309 about it\"}\n"
                     "{\"k\":\"v@ex.io\",\"t\":\"no trigger here\"}\n";
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"k\":\"plain\",\"m\":\"[EMAIL]\",\"t\":\"a long plain string with nothing in it at all\","
                             "\"p\":\"[PHONE]\",\"d\":\"one line\\nanother line\\nand a third line of a document\","
                             "\"q\":\"[EMAIL]\",\"s\":\"tag\",\"x\":\"later, call [PHONE] about it\"}\n"
                             "{\"k\":\"[EMAIL]\",\"t\":\"no trigger here\"}\n");
    assert_int_equal(st.findings, 5);
    free(out);
    ps_stats_free(&st);
}

static void field_selection(void **state)
{
    (void)state;
    const char *in = "{\"text\":\"a@b.io\",\"meta\":{\"author\":{\"email\":\"c@d.io\"},\"note\":\"e@f.io\"},"
                     "\"items\":[{\"text\":\"g@h.io\"},{\"text\":\"i@j.io\"}]}\n";
    const char *fields[] = {"meta.author.email", "items.*.text"};
    ps_run_options o = {0};
    o.fields = fields;
    o.n_fields = 2;
    ps_stats st;
    seen s = {0};
    o.on_finding = on_finding;
    o.finding_ctx = &s;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"text\":\"a@b.io\",\"meta\":{\"author\":{\"email\":\"[EMAIL]\"},\"note\":\"e@f.io\"},"
                             "\"items\":[{\"text\":\"[EMAIL]\"},{\"text\":\"[EMAIL]\"}]}\n");
    assert_int_equal(s.n, 3);
    assert_string_equal(s.fields[0], "meta.author.email");
    assert_string_equal(s.fields[1], "items.0.text");
    assert_string_equal(s.fields[2], "items.1.text");
    free(out);
    ps_stats_free(&st);
}

static void invalid_lines_policies(void **state)
{
    (void)state;
    const char *in = "{\"ok\":\"a@b.io\"}\n{broken a@b.io\n{\"ok\":1}\n";
    ps_run_options o = {0};
    ps_stats st;
    char *out = run_ok(in, &o, &st); /* text: redacted as plain text, counted */
    assert_string_equal(out, "{\"ok\":\"[EMAIL]\"}\n{broken [EMAIL]\n{\"ok\":1}\n");
    assert_int_equal(st.invalid, 1);
    free(out);
    ps_stats_free(&st);

    /* The error comes after strings already scrubbed (the walk is one pass): what they got is taken back and the
     * line is scrubbed once, as text, its findings counted once. */
    const char *late = "{\"a\":\"x@y.io\",\"b\":\"\\u0040 c@d.io\"} ,\n";
    out = run_ok(late, &o, &st);
    assert_string_equal(out, "{\"a\":\"[EMAIL]\",\"b\":\"\\u0040 [EMAIL]\"} ,\n");
    assert_int_equal(st.invalid, 1);
    assert_int_equal(st.findings, 2);
    free(out);
    ps_stats_free(&st);
    o.on_invalid = PS_ON_INVALID_DROP;
    out = run_ok(late, &o, &st);
    assert_string_equal(out, "");
    assert_int_equal(st.findings, 0);
    assert_int_equal(st.dropped[PS_DROP_INVALID], 1);
    free(out);
    ps_stats_free(&st);
    o.on_invalid = PS_ON_INVALID_TEXT;

    o.on_invalid = PS_ON_INVALID_DROP;
    out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"ok\":\"[EMAIL]\"}\n{\"ok\":1}\n");
    assert_int_equal(st.dropped[PS_DROP_INVALID], 1);
    free(out);
    ps_stats_free(&st);

    o.on_invalid = PS_ON_INVALID_ABORT;
    int status;
    out = run(in, &o, &st, &status);
    assert_int_equal(status, PS_E_INVALID);
    assert_string_equal(out, "{\"ok\":\"[EMAIL]\"}\n"); /* the records before, whole */
    free(out);
    ps_stats_free(&st);
}

static void consent_and_region_gates(void **state)
{
    (void)state;
    const char *in = "{\"id\":\"u1\",\"meta\":{\"region\":\"EEA\",\"consent\":true},\"t\":\"x\"}\n"
                     "{\"id\":\"u2\",\"meta\":{\"region\":\"US\",\"consent\":true},\"t\":\"a@b.io\"}\n"
                     "{\"id\":\"u3\",\"meta\":{\"region\":\"US\",\"consent\":false},\"t\":\"y\"}\n"
                     "{\"id\":\"u4\",\"meta\":{\"consent\":true},\"t\":\"no region\"}\n"
                     "{\"id\":\"u5\",\"meta\":{\"region\":\"CH\"},\"t\":\"no consent field\"}\n"
                     "{\"id\":\"u6\",\"meta\":{\"region\":\"US\",\"consent\":true},\"t\":\"opted out\"}\n";
    char ids[] = "/tmp/ps_test_ids_XXXXXX";
    int fd = mkstemp(ids);
    assert_int_equal(write(fd, "u9\r\nu6\n\n", 8), 8);
    close(fd);
    ps_filter *f;
    ps_diag d;
    assert_int_equal(ps_filter_new(&f), PS_OK);
    assert_int_equal(ps_filter_exclude(f, "meta.region", "EEA,CH,UK", &d), PS_OK);
    assert_int_equal(ps_filter_require(f, "meta.consent", "true", &d), PS_OK);
    assert_int_equal(ps_filter_exclude_ids(f, ids, "id", &d), PS_OK);
    assert_int_equal(ps_filter_id_count(f), 2);
    unlink(ids);
    ps_run_options o = {0};
    o.filter = f;
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"id\":\"u2\",\"meta\":{\"region\":\"US\",\"consent\":true},\"t\":\"[EMAIL]\"}\n"
                             "{\"id\":\"u4\",\"meta\":{\"consent\":true},\"t\":\"no region\"}\n");
    assert_int_equal(st.dropped[PS_DROP_EXCLUDE], 2); /* u1 EEA, u5 CH (gates apply in order: exclude first) */
    assert_int_equal(st.dropped[PS_DROP_REQUIRE], 1); /* u3 */
    assert_int_equal(st.dropped[PS_DROP_IDS], 1);     /* u6 */
    assert_int_equal(st.missing_field, 1);            /* u4 has no region: kept by exclude */
    assert_int_equal(st.records, 6);
    free(out);
    ps_stats_free(&st);
    ps_filter_free(f);
}

static void field_gates_need_jsonl(void **state)
{
    (void)state;
    ps_filter *f;
    ps_diag d;
    assert_int_equal(ps_filter_new(&f), PS_OK);
    assert_int_equal(ps_filter_require(f, "consent", "true", &d), PS_OK);
    assert_int_equal(ps_filter_exclude(f, "bad..path", "x", &d), PS_E_USAGE);
    assert_non_null(strstr(d.msg, "invalid field path"));
    ps_stats st;
    assert_int_equal(ps_stats_init(&st, eng), PS_OK);
    ps_buf out = {0};
    ps_run_options o = {0};
    o.format = PS_FORMAT_TEXT;
    o.filter = f;
    o.write = sink;
    o.write_ctx = &out;
    assert_int_equal(ps_run(eng, &o, 0, &st), PS_E_USAGE);
    ps_stats_free(&st);
    ps_filter_free(f);
}

static void drop_policies(void **state)
{
    (void)state;
    const char *in = "{\"t\":\"a@b.io c@d.io e@f.io\"}\n{\"t\":\"one g@h.io and a long enough text around it\"}\n"
                     "{\"t\":\"clean\"}\n";
    ps_filter *f;
    assert_int_equal(ps_filter_new(&f), PS_OK);
    ps_filter_drop_findings(f, 3);
    ps_run_options o = {0};
    o.filter = f;
    ps_stats st;
    char *out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"t\":\"one [EMAIL] and a long enough text around it\"}\n{\"t\":\"clean\"}\n");
    assert_int_equal(st.dropped[PS_DROP_FINDINGS], 1);
    free(out);
    ps_stats_free(&st);
    ps_filter_drop_findings(f, 0);
    ps_filter_drop_density(f, 30.0); /* findings per KiB: 1 in 44 bytes = 23.3/KiB kept; 3 in 20 = 153/KiB dropped */
    out = run_ok(in, &o, &st);
    assert_string_equal(out, "{\"t\":\"one [EMAIL] and a long enough text around it\"}\n{\"t\":\"clean\"}\n");
    assert_int_equal(st.dropped[PS_DROP_DENSITY], 1);
    free(out);
    ps_stats_free(&st);
    ps_filter_free(f);
}

/* Generated lines: output is valid JSON exactly when the input is, whatever the block size and thread count. */
static int no_op(void *ctx, const ps_jstring *js)
{
    (void)ctx;
    (void)js;
    return 0;
}

static uint64_t rng = 99;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng >> 33) % n);
}

static void gen_value(ps_buf *b, int depth)
{
    static const char *const strs[] = {"plain", "a@b.io", "x\\ny@z.org", "\\u00e9t\\u00e9 555-867-5309", "\\\"q\\\"",
                                       "\\ud83d\\ude00 c@d.io", "tab\\there", "", "\xc3\xa9"};
    switch (depth > 4 ? rnd(3) : rnd(6)) {
    case 0: buf_append(b, "\"", 1); {
            const char *s = strs[rnd(9)];
            buf_append(b, s, strlen(s));
        }
        buf_append(b, "\"", 1);
        break;
    case 1: buf_append(b, "-12.5e3", 7); break;
    case 2: buf_append(b, "null", 4); break;
    case 3:
    case 4: {
        buf_append(b, "{", 1);
        unsigned n = rnd(4);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                buf_append(b, ", ", 2);
            buf_append(b, i % 2 ? "\"k a@b.io\":" : "\"text\" :", i % 2 ? 11 : 8);
            gen_value(b, depth + 1);
        }
        buf_append(b, "}", 1);
        break;
    }
    default: {
        buf_append(b, "[", 1);
        unsigned n = rnd(4);
        for (unsigned i = 0; i < n; i++) {
            if (i)
                buf_append(b, ",", 1);
            gen_value(b, depth + 1);
        }
        buf_append(b, "]", 1);
    }
    }
}

/* The string values of a valid line, as raw spans. */
typedef struct raw_strings {
    size_t start[64], end[64], n;
} raw_strings;

static int note_string(void *ctx, const ps_jstring *js)
{
    raw_strings *r = ctx;
    if (r->n < 64) {
        r->start[r->n] = js->start;
        r->end[r->n] = js->end;
    }
    r->n++;
    return 0;
}

/* The first place of needle[0..m) (m > 0) in hay[0..n), or NULL (memmem is not C11). */
static const char *find_bytes(const char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* Is out[0..m) in[0..n) with some spans replaced by "[TAG]"s: the bytes between the tags the input's own, in order? */
static bool raw_outside_tags(const char *in, size_t n, const char *out, size_t m)
{
    size_t pos = 0;
    for (size_t i = 0; i < m;) {
        const char *tag = memchr(out + i, '[', m - i);
        size_t piece = tag ? (size_t)(tag - (out + i)) : m - i;
        const char *at = piece ? find_bytes(in + pos, n - pos, out + i, piece) : in + pos;
        if (!at)
            return false;
        pos = (size_t)(at - in) + piece;
        i += piece;
        if (tag) {
            const char *close = memchr(tag, ']', (size_t)(out + m - tag));
            if (!close)
                return false;
            i = (size_t)(close - out) + 1;
        }
    }
    return true;
}

static void generated_lines_stay_valid(void **state)
{
    (void)state;
    ps_buf in = {0};
    for (int i = 0; i < 400; i++) {
        gen_value(&in, 0);
        if (rnd(10) == 0)
            buf_append(&in, "}", 1); /* now invalid */
        buf_append(&in, "\n", 1);
    }
    buf_append(&in, "", 1);
    char *ref = NULL;
    static const size_t blocks[] = {0, 16, 4096};
    static const unsigned threads[] = {1, 2, 8};
    for (size_t bi = 0; bi < 3; bi++) {
        for (size_t ti = 0; ti < 3; ti++) {
            ps_run_options o = {0};
            o.block_size = blocks[bi];
            o.threads = threads[ti];
            ps_stats st;
            char *out = run_ok(in.p, &o, &st);
            ps_stats_free(&st);
            if (!ref) {
                ref = out;
                continue;
            }
            assert_string_equal(out, ref);
            free(out);
        }
    }
    /* Line by line: valid in ⇔ valid out, and no planted value survives in a valid line. */
    const char *ip = in.p, *op = ref;
    while (*ip) {
        const char *ie = strchr(ip, '\n'), *oe = strchr(op, '\n');
        assert_non_null(ie);
        assert_non_null(oe);
        int vin = jsonl_walk(ip, (size_t)(ie - ip), NULL, 1000, no_op, NULL) == JSONL_OK;
        int vout = jsonl_walk(op, (size_t)(oe - op), NULL, 1000, no_op, NULL) == JSONL_OK;
        assert_int_equal(vin, vout);
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)(oe - op), op);
        if (vout) {
            /* Each string keeps the bytes outside its findings as the input has them, escapes and all. */
            raw_strings rin = {0}, rout = {0};
            assert_int_equal(jsonl_walk(ip, (size_t)(ie - ip), NULL, 1000, note_string, &rin), JSONL_OK);
            assert_int_equal(jsonl_walk(op, (size_t)(oe - op), NULL, 1000, note_string, &rout), JSONL_OK);
            assert_int_equal(rin.n, rout.n);
            for (size_t k = 0; k < rin.n && k < 64; k++)
                if (!raw_outside_tags(ip + rin.start[k], rin.end[k] - rin.start[k], op + rout.start[k],
                                      rout.end[k] - rout.start[k]))
                    fail_msg("string %zu of line '%.*s' became '%.*s'", k, (int)(ie - ip), ip,
                             (int)(rout.end[k] - rout.start[k]), op + rout.start[k]);
            /* keys are never scanned: blank out the one key that holds an address before looking */
            for (char *k; (k = strstr(line, "\"k a@b.io\""));)
                memset(k, '_', 10);
            assert_null(strstr(line, "@b.io"));
            assert_null(strstr(line, "555-867-5309"));
        }
        ip = ie + 1;
        op = oe + 1;
    }
    free(ref);
    buf_free(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(strings_redacted_everything_else_identical),
        cmocka_unit_test(escapes_decoded_for_matching),
        cmocka_unit_test(unredacted_escapes_kept_as_written),
        cmocka_unit_test(plain_escapes_asked_raw),
        cmocka_unit_test(escapes_that_make_triggers_looked_at_decoded),
        cmocka_unit_test(multiline_pem_in_one_string),
        cmocka_unit_test(short_and_long_strings_share_the_prefilter),
        cmocka_unit_test(field_selection),
        cmocka_unit_test(invalid_lines_policies),
        cmocka_unit_test(consent_and_region_gates),
        cmocka_unit_test(field_gates_need_jsonl),
        cmocka_unit_test(drop_policies),
        cmocka_unit_test(generated_lines_stay_valid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
