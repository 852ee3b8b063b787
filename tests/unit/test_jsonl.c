/* test_jsonl.c — the JSONL scanner: RFC 8259 validity tables, deep nesting, string spans and paths, field selection,
 * escape decoding/encoding (with a random round-trip property) and gate lookups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsonl.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A heap copy of exactly n bytes, no NUL, so ASan/valgrind flag any read past the line. */
static char *dup_exact(const char *text, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, text, n);
    return p;
}

/* Collects "path=raw content" of every reported string, separated by '|', and checks each report's invariants. */
typedef struct collect {
    const char *line;
    size_t n;
    ps_buf out;
    int calls;
    int stop_after; /* return 7 on this call (1-based); 0 = never */
    int decoded;    /* strings the walk decoded itself */
} collect;

static int collect_cb(void *vctx, const ps_jstring *s)
{
    collect *c = vctx;
    assert_true(s->start <= s->end && s->end < c->n);
    assert_int_equal(c->line[s->start - 1], '"');
    assert_int_equal(c->line[s->end], '"');
    assert_int_equal(s->has_escapes, memchr(c->line + s->start, '\\', s->end - s->start) != NULL);
    if (s->decoded) { /* the walk's decoding is jsonl_decode's */
        ps_buf d = {0};
        assert_true(s->has_escapes);
        assert_int_equal(jsonl_decode(c->line + s->start, s->end - s->start, &d), 0);
        assert_int_equal(s->decoded_len, d.len);
        if (d.len)
            assert_memory_equal(s->decoded, d.p, d.len);
        buf_free(&d);
        c->decoded++;
    }
    if (c->calls++)
        assert_int_equal(buf_append(&c->out, "|", 1), 0);
    const char *path = jsonl_string_path(s);
    assert_non_null(path);
    assert_int_equal(buf_append(&c->out, path, strlen(path)), 0);
    assert_int_equal(buf_append(&c->out, "=", 1), 0);
    assert_int_equal(buf_append(&c->out, c->line + s->start, s->end - s->start), 0);
    if (c->stop_after && c->calls == c->stop_after)
        return 7;
    return 0;
}

/* Walks text (selected by paths, or all strings) and returns the rc; *got receives the collected strings. */
static int walk_collect(const char *text, const ps_jpaths *paths, unsigned max_depth, char **got)
{
    size_t n = strlen(text);
    char *line = dup_exact(text, n);
    collect c = {.line = line, .n = n};
    int rc = jsonl_walk(line, n, paths, max_depth, collect_cb, &c);
    assert_int_equal(buf_append(&c.out, "", 1), 0);
    if (got)
        *got = c.out.p;
    else
        buf_free(&c.out);
    free(line);
    return rc;
}

static int walk_rc(const char *text, size_t n, unsigned max_depth, int *calls)
{
    char *line = dup_exact(text, n);
    collect c = {.line = line, .n = n};
    int rc = jsonl_walk(line, n, NULL, max_depth, collect_cb, &c);
    buf_free(&c.out);
    free(line);
    if (calls)
        *calls = c.calls;
    return rc;
}

static void expect_strings(const char *text, const char *const *paths, size_t npaths, const char *want)
{
    ps_jpaths *ps = NULL;
    if (paths)
        assert_int_equal(jsonl_paths_new(paths, npaths, &ps), JSONL_OK);
    char *got = NULL;
    int rc = walk_collect(text, ps, 64, &got);
    if (rc != JSONL_OK || strcmp(got, want) != 0)
        fail_msg("line %s: rc %d, got '%s', want '%s'", text, rc, got, want);
    free(got);
    jsonl_paths_free(ps);
}

static void test_valid_table(void **state)
{
    (void)state;
    static const char *const good[] = {
        "{}", "[]", "0", "-0", "1", "-1", "123", "1.5", "-0.0", "0e0", "1E10", "1e+10", "1e-10", "-12.34e+56",
        "1.0E-0", "true", "false", "null", "\"\"", "\"a\"", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\u0000\"",
        "\"\\uABCD\\uabcd\"", "\"\\ud800\"",       /* lone high surrogate: valid JSON */
        "\"\\udc00\"",                            /* lone low surrogate */
        "\"\\ud83d\\ude00\"", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"", "\"\x7f\"",
        "\"\xff\xfe\"",                           /* invalid UTF-8 passes: not validated */
        " \t{\"a\" : 1 , \"b\" :[ true , false , null ] }\r\n", "{\"a\":{\"b\":{\"c\":[[],[{}]]}}}",
        "[1,\"a\",[2,{\"k\":\"v\"}],{},[]]", "{\"\":\"\"}", "{\"a\":1,\"a\":2}", "[[[[[[[[[[1]]]]]]]]]]",
        "{\"x\":\"a/b\"}", "\"<\\/script>\"", "   \"padded\"   ", "[ ]", "{ }", "[0,-0,0.0,1e5,-1.5E-5]",
        "{\"id\": 12, \"text\": \"Hello\\nworld\", \"meta\": {\"email\": \"a@b.c\"}}\r",
        "123456789012345678901234567890", "[\"]\",\"[\",\"{\",\"}\",\",\",\":\"]",
    };
    assert_true(COUNT(good) >= 40);
    for (size_t i = 0; i < COUNT(good); i++) {
        int rc = walk_rc(good[i], strlen(good[i]), 64, NULL);
        if (rc != JSONL_OK)
            fail_msg("expected valid (%zu): '%s' -> %d", i, good[i], rc);
    }
    /* a NUL byte is only legal escaped; outside strings it is not whitespace */
    assert_int_equal(walk_rc("\"a\\u0000\"", 9, 64, NULL), JSONL_OK);
}

static void test_invalid_table(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", " ", "\t\r\n", "01", "-01", "00", "1.", ".5", "-", "-.5", "+1", "1e", "1e+", "1E-", "1.e5", "0x10",
        "1 2", "{} {}", "[] []", "\"a\" \"b\"", "tru", "truex", "True", "nul", "NULL", "falsey", "\"abc",
        "\"a\tb\"",   /* raw tab */
        "\"a\nb\"",   /* raw newline */
        "\"\x01\"",   /* raw control char */
        "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\U0041\"", "\"\\\"", "\"\\", "[1,]", "{\"a\":1,}", "[,1]",
        "{,}", "[1 2]", "{\"a\" 1}", "{\"a\":}", "{\"a\"}", "{a:1}", "{'a':1}", "['a']", "{1:2}", "[",
        "]", "{", "}", "[}", "{]", "[[]", "[]]", "{\"a\":1}}", "\xef\xbb\xbf{}", /* BOM */
        "[1,,2]", "{\"a\":1 \"b\":2}", "NaN", "Infinity", "-Infinity", "[1]x", "// c\n1", "\v1", "\f1",
        "1\v", "{\"a\"::1}", "[\"a\":1]", "{\"a\",1}",
    };
    assert_true(COUNT(bad) >= 40);
    for (size_t i = 0; i < COUNT(bad); i++) {
        int calls = 0;
        int rc = walk_rc(bad[i], strlen(bad[i]), 64, &calls);
        if (rc != JSONL_INVALID)
            fail_msg("expected invalid (%zu): '%s' -> %d", i, bad[i], rc);
        assert_int_equal(calls, 0);
    }
    /* NUL bytes: raw inside a string, and as trailing "whitespace" */
    assert_int_equal(walk_rc("\"a\0b\"", 5, 64, NULL), JSONL_INVALID);
    assert_int_equal(walk_rc("1\0", 2, 64, NULL), JSONL_INVALID);
    assert_int_equal(walk_rc("\0", 1, 64, NULL), JSONL_INVALID);
    /* no callback for a line whose error comes after its strings */
    int calls = -1;
    assert_int_equal(walk_rc("{\"a\":\"x\",\"b\":\"y\"} ,", 20, 64, &calls), JSONL_INVALID);
    assert_int_equal(calls, 0);
    /* the empty line with a NULL pointer */
    assert_int_equal(jsonl_walk(NULL, 0, NULL, 64, collect_cb, NULL), JSONL_INVALID);
    assert_int_equal(jsonl_walk_optimistic(NULL, 0, NULL, 64, NULL, collect_cb, NULL), JSONL_INVALID);
    assert_int_equal(jsonl_validate(NULL, 0, 64), JSONL_INVALID);
}

/* The one-pass walk agrees with the checked one on every table line; on a line whose error comes after its strings
 * it has already reported them (its callers roll back), and jsonl_validate gives the same verdicts. */
static void test_optimistic_walk(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "{\"a\":\"x\",\"b\":[\"y\",{\"c\":\"z\"}]}", "[\"a\",1,true,null,\"b\\n\"]", "\"top\"",
        "{\"a\":\"x\",\"b\":\"y\"} ,", "[\"a\",\"b\",]", "{\"a\":\"x\"", "{\"k\\u0041\":{\"\":\"v\"}}", "7",
    };
    for (size_t i = 0; i < COUNT(lines); i++) {
        size_t n = strlen(lines[i]);
        char *line = dup_exact(lines[i], n);
        collect two = {.line = line, .n = n}, one = {.line = line, .n = n}, dec = {.line = line, .n = n};
        int rc2 = jsonl_walk(line, n, NULL, 64, collect_cb, &two);
        int rc1 = jsonl_walk_optimistic(line, n, NULL, 64, NULL, collect_cb, &one);
        ps_buf buf = {0}; /* and decoding as it walks: the same strings, each with escapes decoded */
        assert_int_equal(jsonl_walk_optimistic(line, n, NULL, 64, &buf, collect_cb, &dec), rc2);
        assert_int_equal(rc1, rc2);
        assert_int_equal(jsonl_validate(line, n, 64), rc2);
        assert_int_equal(buf_append(&two.out, "", 1), 0);
        assert_int_equal(buf_append(&one.out, "", 1), 0);
        assert_int_equal(buf_append(&dec.out, "", 1), 0);
        if (rc2 == JSONL_OK) {
            assert_string_equal(one.out.p, two.out.p);
            assert_string_equal(dec.out.p, two.out.p);
            assert_int_equal(one.decoded, 0);
            assert_int_equal(dec.decoded, strstr(lines[i], "\\n\"") != NULL); /* "b\n"; keys are not decoded */
        } else {
            assert_int_equal(two.calls, 0);
        }
        buf_free(&buf);
        buf_free(&two.out);
        buf_free(&one.out);
        buf_free(&dec.out);
        free(line);
    }
    int calls = 0;
    const char *late = "{\"a\":\"x\",\"b\":\"y\"} ,";
    collect c = {.line = late, .n = strlen(late)};
    assert_int_equal(jsonl_walk_optimistic(late, c.n, NULL, 64, NULL, collect_cb, &c), JSONL_INVALID);
    calls = c.calls;
    assert_int_equal(calls, 2);
    buf_free(&c.out);
    /* too deep is found in one pass too, and a stopping callback's value comes back */
    assert_int_equal(jsonl_validate("[[[1]]]", 7, 2), JSONL_TOO_DEEP);
    collect s = {.line = "[\"a\",\"b\"]", .n = 9, .stop_after = 1};
    assert_int_equal(jsonl_walk_optimistic(s.line, s.n, NULL, 64, NULL, collect_cb, &s), 7);
    assert_int_equal(s.calls, 1);
    buf_free(&s.out);
}

static char *make_deep(size_t depth, int objects, size_t *n)
{
    /* objects: {"a":{"a":...{"a":"s"}...}}; arrays: [[[...]]] */
    size_t cap = depth * (objects ? 6 : 2) + 8;
    char *p = malloc(cap);
    assert_non_null(p);
    size_t o = 0;
    for (size_t i = 0; i < depth; i++) {
        if (objects) {
            memcpy(p + o, "{\"a\":", 5);
            o += 5;
        } else {
            p[o++] = '[';
        }
    }
    if (objects) {
        memcpy(p + o, "\"s\"", 3);
        o += 3;
    }
    for (size_t i = 0; i < depth; i++)
        p[o++] = objects ? '}' : ']';
    *n = o;
    return p;
}

static int count_cb(void *vctx, const ps_jstring *s)
{
    size_t *plen = vctx;
    const char *path = jsonl_string_path(s);
    assert_non_null(path);
    *plen = strlen(path);
    return 0;
}

static void test_deep_nesting(void **state)
{
    (void)state;
    size_t n;
    char *line = make_deep(100000, 0, &n);
    assert_int_equal(jsonl_walk(line, n, NULL, 100000, count_cb, NULL), JSONL_OK);
    assert_int_equal(jsonl_walk(line, n, NULL, 99999, count_cb, NULL), JSONL_TOO_DEEP);
    assert_int_equal(jsonl_walk(line, n, NULL, 64, count_cb, NULL), JSONL_TOO_DEEP);
    assert_int_equal(jsonl_walk(line, n - 1, NULL, 100000, count_cb, NULL), JSONL_INVALID); /* one ']' short */
    free(line);

    line = make_deep(100000, 1, &n);
    size_t plen = 0;
    assert_int_equal(jsonl_walk(line, n, NULL, 100000, count_cb, &plen), JSONL_OK);
    assert_int_equal(plen, 100000 * 2 - 1); /* "a.a. … .a" */
    ps_buf out = {0};
    assert_int_equal(jsonl_get(line, n, "a.a.a", 100000, &out), 0); /* an object */
    assert_int_equal(jsonl_get(line, n, "a", 10, &out), JSONL_TOO_DEEP);
    assert_int_equal(out.len, 0);
    free(line);

    /* the depth limit is exact */
    assert_int_equal(walk_rc("[[1]]", 5, 2, NULL), JSONL_OK);
    assert_int_equal(walk_rc("[[1]]", 5, 1, NULL), JSONL_TOO_DEEP);
    assert_int_equal(walk_rc("1", 1, 0, NULL), JSONL_OK);
    assert_int_equal(walk_rc("[]", 2, 0, NULL), JSONL_TOO_DEEP);
}

/* Reports in order: raw offsets of each string (between the quotes), never a key. */
typedef struct spans {
    size_t start[16], end[16];
    char path[16][32];
    int esc[16];
    size_t n;
} spans;

static int spans_cb(void *vctx, const ps_jstring *s)
{
    spans *sp = vctx;
    assert_true(sp->n < 16);
    sp->start[sp->n] = s->start;
    sp->end[sp->n] = s->end;
    sp->esc[sp->n] = s->has_escapes;
    snprintf(sp->path[sp->n], sizeof sp->path[0], "%s", jsonl_string_path(s));
    sp->n++;
    return 0;
}

static void test_callback_order_offsets(void **state)
{
    (void)state;
    /*                  0         1         2         3         4         5
     *                  0123456789012345678901234567890123456789012345678901234567 */
    const char *text = "{\"key\": \"val\", \"n\": [1, \"x\\ny\", {\"in\": \"\"}], \"k2\": \"z\"}";
    size_t n = strlen(text);
    char *line = dup_exact(text, n);
    spans sp = {0};
    assert_int_equal(jsonl_walk(line, n, NULL, 8, spans_cb, &sp), JSONL_OK);
    assert_int_equal(sp.n, 4);
    assert_int_equal(sp.start[0], 9);
    assert_int_equal(sp.end[0], 12);
    assert_string_equal(sp.path[0], "key");
    assert_int_equal(sp.esc[0], 0);
    assert_int_equal(sp.start[1], 25);
    assert_int_equal(sp.end[1], 29);
    assert_string_equal(sp.path[1], "n.1");
    assert_int_equal(sp.esc[1], 1);
    assert_int_equal(sp.start[2], 40);
    assert_int_equal(sp.end[2], 40); /* empty string: start == end */
    assert_string_equal(sp.path[2], "n.2.in");
    assert_int_equal(sp.start[3], 52);
    assert_int_equal(sp.end[3], 53);
    assert_string_equal(sp.path[3], "k2");
    for (size_t i = 0; i < sp.n; i++)
        assert_int_equal(line[sp.start[i] - 1], '"');
    free(line);

    /* a top-level string: path "" */
    expect_strings("  \"top\" ", NULL, 0, "=top");
    /* keys are never reported, even when they look like values */
    expect_strings("{\"secret@example.com\": 1, \"a\": {\"b\": null}}", NULL, 0, "");
}

/* expect_strings with every string (paths built on request) and with "*" (built as the walk goes, for selection):
 * the same strings and paths under a top-level container. */
static void expect_paths(const char *text, const char *want)
{
    static const char *const star[] = {"*"};
    expect_strings(text, NULL, 0, want);
    expect_strings(text, star, 1, want);
}

static void test_paths(void **state)
{
    (void)state;
    expect_paths("{\"a\":{\"b\":{\"c\":\"x\"}},\"d\":[\"p\",[\"q\",\"r\"],{\"e\":\"s\"}],\"f\":\"t\"}",
                 "a.b.c=x|d.0=p|d.1.0=q|d.1.1=r|d.2.e=s|f=t");
    /* empty containers and scalars between strings keep indexes right */
    expect_paths("[[], {}, 1, \"a\", [null, \"b\"], \"c\"]", "3=a|4.1=b|5=c");
    /* keys with escapes are decoded in paths; keys with '.' and empty keys are kept as they are */
    expect_paths("{\"m\\u00e9ta\":{\"a\\\"b\":\"x\"},\"a.b\":\"y\",\"\":{\"\":\"z\"}}",
                 "m\xc3\xa9ta.a\"b=x|a.b=y|.=z");
    /* after a deeper object closes, the next key replaces its segment */
    expect_paths("{\"a\":{\"bb\":{\"ccc\":1}},\"d\":\"v\"}", "d=v");
    expect_paths("{\"a\":[{\"k\":[\"x\",{\"k2\":\"y\"}]},\"z\"],\"b\":\"w\"}", "a.0.k.0=x|a.0.k.1.k2=y|a.1=z|b=w");

    /* indexes carry correctly past 9, 99, 999 */
    ps_buf b = {0};
    assert_int_equal(buf_append(&b, "{\"k\":[", 6), 0);
    for (int i = 0; i < 1001; i++) {
        char item[16];
        int len = snprintf(item, sizeof item, "%s\"%d\"", i ? "," : "", i);
        assert_int_equal(buf_append(&b, item, (size_t)len), 0);
    }
    assert_int_equal(buf_append(&b, "]}", 3), 0); /* with NUL */
    char *got = NULL;
    assert_int_equal(walk_collect(b.p, NULL, 8, &got), JSONL_OK);
    /* every report is "k.<i>=<i>" */
    char *save = NULL;
    int i = 0;
    for (char *tok = strtok_r(got, "|", &save); tok; tok = strtok_r(NULL, "|", &save), i++) {
        char want[32];
        snprintf(want, sizeof want, "k.%d=%d", i, i);
        assert_string_equal(tok, want);
    }
    assert_int_equal(i, 1001);
    free(got);
    buf_free(&b);
}

static void test_selection(void **state)
{
    (void)state;
    const char *rec = "{\"id\":\"r1\",\"text\":\"hello\",\"meta\":{\"author\":{\"email\":\"a@b\",\"name\":\"N\"},"
                      "\"tags\":[\"t0\",\"t1\"]},\"items\":[{\"text\":\"i0\",\"x\":\"y0\"},{\"text\":\"i1\"},\"bare\"]}";
    static const char *const text[] = {"text"};
    expect_strings(rec, text, 1, "text=hello");
    static const char *const email[] = {"meta.author.email"};
    expect_strings(rec, email, 1, "meta.author.email=a@b");
    /* a path selects its descendants */
    static const char *const meta[] = {"meta"};
    expect_strings(rec, meta, 1, "meta.author.email=a@b|meta.author.name=N|meta.tags.0=t0|meta.tags.1=t1");
    /* "*" is one segment: array index or object key */
    static const char *const items[] = {"items.*.text"};
    expect_strings(rec, items, 1, "items.0.text=i0|items.1.text=i1");
    static const char *const star_key[] = {"meta.*.email"};
    expect_strings(rec, star_key, 1, "meta.author.email=a@b");
    static const char *const star_all[] = {"*"};
    expect_strings(rec, star_all, 1,
                   "id=r1|text=hello|meta.author.email=a@b|meta.author.name=N|meta.tags.0=t0|meta.tags.1=t1|"
                   "items.0.text=i0|items.0.x=y0|items.1.text=i1|items.2=bare");
    static const char *const star_idx[] = {"items.*"};
    expect_strings(rec, star_idx, 1, "items.0.text=i0|items.0.x=y0|items.1.text=i1|items.2=bare");
    static const char *const idx[] = {"items.2", "meta.tags.1"};
    expect_strings(rec, idx, 2, "meta.tags.1=t1|items.2=bare"); /* order of appearance, not of the set */
    static const char *const overlap[] = {"meta", "meta.author", "*.author.name"};
    expect_strings(rec, overlap, 3, "meta.author.email=a@b|meta.author.name=N|meta.tags.0=t0|meta.tags.1=t1");
    static const char *const none[] = {"missing", "text.deeper", "meta.author.email.x", "item"};
    expect_strings(rec, none, 4, "");
    expect_strings(rec, NULL, 0,
                   "id=r1|text=hello|meta.author.email=a@b|meta.author.name=N|meta.tags.0=t0|meta.tags.1=t1|"
                   "items.0.text=i0|items.0.x=y0|items.1.text=i1|items.2=bare");
    /* segments compare exactly: no prefix matches within a segment */
    static const char *const te[] = {"tex", "texts"};
    expect_strings(rec, te, 2, "");
    /* a top-level string is only reported when every string is */
    static const char *const any[] = {"*"};
    expect_strings("\"top\"", any, 1, "");
    expect_strings("\"top\"", NULL, 0, "=top");
    /* selection by decoded key */
    static const char *const dec[] = {"caf\xc3\xa9"};
    expect_strings("{\"caf\\u00e9\":\"v\",\"cafe\":\"w\",\"caf\\u00e9s\":\"x\",\"ca\\u0066\":\"y\",\"caf\\u00e8\":\"z\"}", dec, 1,
                   "caf\xc3\xa9=v");
    /* an index is named as the walk writes it: "02" is no index; a key of digits is a key */
    static const char *const lead0[] = {"items.01", "meta.tags.01"};
    expect_strings(rec, lead0, 2, "");
    static const char *const digit_key[] = {"0.1"};
    expect_strings("{\"0\":[\"a\",\"b\"],\"1\":\"c\"}", digit_key, 1, "0.1=b");
    /* an empty set selects nothing */
    ps_jpaths *ps = NULL;
    assert_int_equal(jsonl_paths_new(NULL, 0, &ps), JSONL_OK);
    char *got = NULL;
    assert_int_equal(walk_collect(rec, ps, 8, &got), JSONL_OK);
    assert_string_equal(got, "");
    free(got);
    jsonl_paths_free(ps);
}

static void test_paths_new_errors(void **state)
{
    (void)state;
    static const char *const bad[][2] = {{"ok", ""}, {"a..b", "ok"}, {".a", "ok"}, {"a.", "ok"}, {".", "ok"}};
    for (size_t i = 0; i < COUNT(bad); i++) {
        ps_jpaths *ps = (ps_jpaths *)&ps; /* must be reset to NULL */
        assert_int_equal(jsonl_paths_new(bad[i], 2, &ps), JSONL_INVALID);
        assert_null(ps);
    }
    const char *with_null[] = {"a", NULL};
    ps_jpaths *ps = NULL;
    assert_int_equal(jsonl_paths_new(with_null, 2, &ps), JSONL_INVALID);
    assert_null(ps);
    jsonl_paths_free(NULL);
}

static void test_callback_stop(void **state)
{
    (void)state;
    const char *text = "[\"a\",\"b\",\"c\"]";
    collect c = {.line = text, .n = strlen(text), .stop_after = 2};
    assert_int_equal(jsonl_walk(text, c.n, NULL, 8, collect_cb, &c), 7);
    assert_int_equal(c.calls, 2);
    buf_free(&c.out);
}

static void expect_decode(const char *raw, const char *want, size_t want_len)
{
    ps_buf out = {0};
    assert_int_equal(buf_append(&out, "P", 1), 0); /* decode appends */
    char *r = dup_exact(raw, strlen(raw));
    assert_int_equal(jsonl_decode(r, strlen(raw), &out), 0);
    free(r);
    if (out.len != want_len + 1 || memcmp(out.p + 1, want, want_len) != 0 || out.p[0] != 'P')
        fail_msg("decode '%s': got %zu bytes '%.*s'", raw, out.len - 1, (int)out.len - 1, out.p + 1);
    buf_free(&out);
    /* The walk decodes the same when it is given a buffer, or finds the string invalid (the last three). */
    size_t n = strlen(raw) + 2;
    char *line = malloc(n);
    assert_non_null(line);
    line[0] = line[n - 1] = '"';
    memcpy(line + 1, raw, n - 2);
    collect c = {.line = line, .n = n};
    ps_buf dec = {0};
    int rc = jsonl_walk_optimistic(line, n, NULL, 64, &dec, collect_cb, &c);
    assert_int_equal(rc, jsonl_validate(line, n, 64));
    assert_int_equal(c.decoded, rc == JSONL_OK && strchr(raw, '\\'));
    if (c.decoded && (dec.len != want_len || memcmp(dec.p, want, want_len) != 0))
        fail_msg("walk's decode of '%s': got %zu bytes '%.*s'", raw, dec.len, (int)dec.len, dec.p);
    buf_free(&dec);
    buf_free(&c.out);
    free(line);
}

#define DECODE(raw, want) expect_decode(raw, want, sizeof(want) - 1)

static void test_decode(void **state)
{
    (void)state;
    DECODE("plain text", "plain text");
    DECODE("", "");
    DECODE("\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t");
    DECODE("a\\nb", "a\nb");
    DECODE("-----BEGIN KEY-----\\nMIIB\\n-----END KEY-----", "-----BEGIN KEY-----\nMIIB\n-----END KEY-----");
    DECODE("\\u0041\\u00e9\\u20AC", "A\xc3\xa9\xe2\x82\xac");
    DECODE("\\u0000", "\0");
    DECODE("\\u007f\\u0080\\u07ff\\u0800\\uffff", "\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf");
    DECODE("\\ud83d\\ude00", "\xf0\x9f\x98\x80");             /* U+1F600 */
    DECODE("\\uD800\\uDC00", "\xf0\x90\x80\x80");             /* U+10000 */
    DECODE("\\udbff\\udfff", "\xf4\x8f\xbf\xbf");             /* U+10FFFF */
    DECODE("\\ud800", "\xef\xbf\xbd");                        /* lone high */
    DECODE("\\udc00", "\xef\xbf\xbd");                        /* lone low */
    DECODE("\\ud800x", "\xef\xbf\xbdx");                      /* high then text */
    DECODE("\\ud800\\u0041", "\xef\xbf\xbd" "A");             /* high then non-surrogate */
    DECODE("\\ud800\\ud800\\udc00", "\xef\xbf\xbd\xf0\x90\x80\x80"); /* high, then a pair */
    DECODE("\\udc00\\ud800", "\xef\xbf\xbd\xef\xbf\xbd");     /* reversed pair */
    DECODE("caf\xc3\xa9 \xff", "caf\xc3\xa9 \xff");           /* bytes pass through */
    /* never in a walked string, but must not read past the end */
    DECODE("a\\", "a\\");
    DECODE("\\u12", "\\u12");
    DECODE("\\x", "\\x");
}

static void expect_encode(const char *s, size_t n, const char *want)
{
    ps_buf out = {0};
    char *r = dup_exact(s, n);
    assert_int_equal(jsonl_encode(r, n, &out), 0);
    free(r);
    if (out.len != strlen(want) || (out.len && memcmp(out.p, want, out.len) != 0))
        fail_msg("encode: got '%.*s', want '%s'", (int)out.len, out.p, want);
    buf_free(&out);
}

static void test_encode(void **state)
{
    (void)state;
    expect_encode("", 0, "");
    expect_encode("plain", 5, "plain");
    expect_encode("a\"b\\c/d", 7, "a\\\"b\\\\c/d");
    expect_encode("\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f");
    expect_encode("\x00\x01\x1f\x7f", 4, "\\u0000\\u0001\\u001f\x7f");
    expect_encode("\x0b\x1b", 2, "\\u000b\\u001b");
    expect_encode("caf\xc3\xa9\xff\xfe", 7, "caf\xc3\xa9\xff\xfe");
    expect_encode("[EMAIL] x", 9, "[EMAIL] x");
    /* long runs take the vector path; the escape after it must still be found */
    char longs[100];
    memset(longs, 'x', sizeof longs);
    longs[97] = '"';
    char want[102];
    memset(want, 'x', sizeof want);
    want[97] = '\\';
    want[98] = '"';
    want[101] = '\0';
    expect_encode(longs, sizeof longs, want);
    /* an empty string may come as NULL (an empty redaction): nothing is written, nothing is read */
    ps_buf none = {0};
    assert_int_equal(jsonl_encode(NULL, 0, &none), 0);
    assert_int_equal(none.len, 0);
    /* appends */
    ps_buf out = {0};
    assert_int_equal(buf_append(&out, "ab", 2), 0);
    assert_int_equal(jsonl_encode("\"", 1, &out), 0);
    assert_int_equal(out.len, 4);
    assert_memory_equal(out.p, "ab\\\"", 4);
    buf_free(&out);
}

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static void test_roundtrip_random(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    static const char alphabet[] = "\"\\/ubfnrt0123456789abcdefABCDEF\n\r\t\x01\x1f\x7f\x80\xc3\xa9\xff{}[],: ";
    for (int iter = 0; iter < 3000; iter++) {
        size_t n = (size_t)(rng_next(&seed) % 80);
        char y[80];
        int mode = iter % 3; /* all bytes, JSON-ish bytes, printable */
        for (size_t i = 0; i < n; i++) {
            uint64_t r = rng_next(&seed);
            y[i] = mode == 0   ? (char)(r & 0xff)
                   : mode == 1 ? alphabet[r % (sizeof alphabet - 1)]
                               : (char)(0x20 + r % 95);
        }
        ps_buf enc = {0}, dec = {0};
        assert_int_equal(jsonl_encode(y, n, &enc), 0);
        /* the encoding is valid JSON string content: wrapped in quotes it walks as one string, all of it */
        ps_buf quoted = {0};
        assert_int_equal(buf_append(&quoted, "\"", 1), 0);
        assert_int_equal(buf_append(&quoted, enc.p, enc.len), 0);
        assert_int_equal(buf_append(&quoted, "\"", 1), 0);
        spans sp = {0};
        assert_int_equal(jsonl_walk(quoted.p, quoted.len, NULL, 1, spans_cb, &sp), JSONL_OK);
        assert_int_equal(sp.n, 1);
        assert_int_equal(sp.start[0], 1);
        assert_int_equal(sp.end[0], quoted.len - 1);
        assert_int_equal(jsonl_decode(enc.p, enc.len, &dec), 0);
        assert_int_equal(dec.len, n);
        if (n)
            assert_memory_equal(dec.p, y, n);
        /* and so does the walk's own decoding (collect_cb checks it against jsonl_decode) */
        collect c = {.line = quoted.p, .n = quoted.len};
        ps_buf wd = {0};
        assert_int_equal(jsonl_walk_optimistic(quoted.p, quoted.len, NULL, 1, &wd, collect_cb, &c), JSONL_OK);
        assert_int_equal(c.decoded, enc.len && memchr(enc.p, '\\', enc.len) != NULL);
        if (c.decoded) {
            assert_int_equal(wd.len, n);
            assert_memory_equal(wd.p, y, n);
        }
        buf_free(&wd);
        buf_free(&c.out);
        /* decode of arbitrary content never overflows and stays within n bytes */
        ps_buf any = {0};
        assert_int_equal(jsonl_decode(y, n, &any), 0);
        assert_true(any.len <= n);
        buf_free(&any);
        buf_free(&quoted);
        buf_free(&enc);
        buf_free(&dec);
    }
}

/* jsonl_raw_offset against a map built by decoding each prefix of a random string of plain bytes and escapes: a
 * decoded offset at a token's start is that token's raw start; one inside an escape's decoding rounds to the escape's
 * start, or with `after` to its end; a target behind the place leaves it. */
static void test_raw_offset(void **state)
{
    (void)state;
    static const char *const tokens[] = {"a", "b", " ", "\xc3", "\xa9", "\\n", "\\\"", "\\\\", "\\/", "\\t",
                                         "\\u00e9", "\\u20ac", "\\ud83d\\ude00", "\\ud800", "\\u0041"};
    uint64_t seed = 0x51ed2701u;
    for (int iter = 0; iter < 2000; iter++) {
        size_t nt = (size_t)(rng_next(&seed) % 24), rs[25], ds[25];
        ps_buf raw = {0};
        for (size_t k = 0; k < nt; k++) {
            const char *t = tokens[rng_next(&seed) % (sizeof tokens / sizeof tokens[0])];
            rs[k] = raw.len;
            assert_int_equal(buf_append(&raw, t, strlen(t)), 0);
        }
        rs[nt] = raw.len;
        for (size_t k = 0; k <= nt; k++) { /* each token's decoded start: the decoding of what comes before it */
            ps_buf dec = {0};
            assert_int_equal(jsonl_decode(raw.p, rs[k], &dec), 0);
            ds[k] = dec.len;
            buf_free(&dec);
        }
        size_t raw_at = 0, dec_at = 0;
        for (int step = 0; step < 12; step++) {
            size_t to = (size_t)(rng_next(&seed) % (ds[nt] + 1));
            bool after = rng_next(&seed) & 1;
            size_t want_raw = raw_at, want_dec = dec_at;
            if (to > dec_at) {
                size_t k = 0;
                while (k < nt && ds[k + 1] <= to)
                    k++; /* to is in token k's decoding, or at its start */
                bool inside = k < nt && to > ds[k];
                size_t at = inside && after ? k + 1 : k;
                want_raw = inside || k == nt ? rs[at] : rs[k];
                want_dec = inside ? ds[at] : to;
            }
            jsonl_raw_offset(raw.p, raw.len, &raw_at, &dec_at, to, after);
            if (raw_at != want_raw || dec_at != want_dec)
                fail_msg("to %zu after %d: raw %zu dec %zu, want %zu %zu", to, after, raw_at, dec_at, want_raw,
                         want_dec);
        }
        buf_free(&raw);
    }
}

static int get(const char *text, const char *path, char **val)
{
    size_t n = strlen(text);
    char *line = dup_exact(text, n);
    ps_buf out = {0};
    int rc = jsonl_get(line, n, path, 64, &out);
    free(line);
    if (rc != 1)
        assert_int_equal(out.len, 0);
    assert_int_equal(buf_append(&out, "", 1), 0);
    *val = out.p;
    return rc;
}

static void expect_get(const char *text, const char *path, int want_rc, const char *want)
{
    char *v = NULL;
    int rc = get(text, path, &v);
    if (rc != want_rc || (want && strcmp(v, want) != 0))
        fail_msg("get %s in %s: rc %d value '%s'", path, text, rc, v);
    free(v);
}

static void test_get(void **state)
{
    (void)state;
    const char *rec = "{\"id\": \"u\\u00e9-42\", \"n\": -1.5e3, \"t\": true, \"f\": false, \"z\": null, "
                      "\"meta\": {\"region\": \"EEA\", \"consent\": true, \"list\": [\"a\", 7, {\"k\": \"v\"}],"
                      " \"empty\": \"\", \"o\": {}}, \"a.b\": \"dotted\"}";
    expect_get(rec, "id", 1, "u\xc3\xa9-42");
    expect_get(rec, "n", 1, "-1.5e3");
    expect_get(rec, "t", 1, "true");
    expect_get(rec, "f", 1, "false");
    expect_get(rec, "z", 1, "null");
    expect_get(rec, "meta.region", 1, "EEA");
    expect_get(rec, "meta.consent", 1, "true");
    expect_get(rec, "meta.empty", 1, "");
    expect_get(rec, "meta.list.0", 1, "a");
    expect_get(rec, "meta.list.1", 1, "7");
    expect_get(rec, "meta.list.2.k", 1, "v");
    expect_get(rec, "meta", 0, "");
    expect_get(rec, "meta.o", 0, "");
    expect_get(rec, "meta.list", 0, "");
    expect_get(rec, "missing", 0, "");
    expect_get(rec, "meta.missing", 0, "");
    expect_get(rec, "meta.region.x", 0, "");
    expect_get(rec, "meta.list.3", 0, "");
    expect_get(rec, "meta.list.01", 0, "");
    expect_get(rec, "met", 0, "");
    expect_get(rec, "meta.*", 0, ""); /* no wildcards */
    expect_get(rec, "a.b", 0, "");    /* a key holding '.' cannot be named */
    expect_get(rec, "", 0, "");       /* the top-level value is an object */
    expect_get("\"top\"", "", 1, "top");
    expect_get(" 12 ", "", 1, "12");
    /* the last of duplicate keys wins, as for most JSON consumers */
    expect_get("{\"r\":\"US\",\"r\":\"EEA\"}", "r", 1, "EEA");
    expect_get("{\"a\":{\"b\":\"x\"},\"a\":{\"c\":1}}", "a.b", 0, "");
    expect_get("{\"a\":{\"b\":\"x\"},\"a\":{\"b\":\"y\",\"b\":\"z\"}}", "a.b", 1, "z");
    expect_get("{\"a\":\"x\",\"a\":{}}", "a", 0, "");
    /* invalid or too deep lines are reported as such */
    expect_get("{\"id\": 1,}", "id", JSONL_INVALID, "");
    expect_get("", "id", JSONL_INVALID, "");
    ps_buf out = {0};
    assert_int_equal(jsonl_get("[[[\"x\"]]]", 9, "0.0.0", 2, &out), JSONL_TOO_DEEP);
    assert_int_equal(jsonl_get("[[[\"x\"]]]", 9, "0.0.0", 3, &out), 1);
    assert_int_equal(out.len, 1);
    assert_int_equal(out.p[0], 'x');
    buf_free(&out);
}

/* Several paths in one pass: each as jsonl_get finds it alone, and nothing on a line that is not valid. */
static void test_find(void **state)
{
    (void)state;
    const char *line = "{\"id\": 7, \"meta\": {\"region\": \"E\\u0045A\", \"consent\": false, \"o\": {}},"
                       " \"meta\": {\"region\": \"US\"}, \"text\": \"x\"}";
    const char *paths[] = {"meta.region", "meta.consent", "id", "text", "meta.o", "nope", ""};
    const size_t k = sizeof paths / sizeof *paths;
    jsonl_value v[sizeof paths / sizeof *paths];
    size_t n = strlen(line);
    assert_int_equal(jsonl_find(line, n, paths, k, 64, v), JSONL_OK);
    /* the second "meta" replaces the first: its region wins and the first one's consent is forgotten */
    const int kinds[] = {JSONL_STRING, JSONL_ABSENT, JSONL_SCALAR, JSONL_STRING, JSONL_ABSENT, JSONL_ABSENT,
                         JSONL_ABSENT};
    for (size_t i = 0; i < k; i++) {
        assert_int_equal(v[i].kind, kinds[i]);
        ps_buf one = {0}, found = {0};
        int rc = jsonl_get(line, n, paths[i], 64, &one);
        assert_int_equal(jsonl_value_text(line, &v[i], &found), rc);
        assert_int_equal(found.len, one.len);
        if (one.len)
            assert_memory_equal(found.p, one.p, one.len);
        buf_free(&one);
        buf_free(&found);
    }
    ps_buf text = {0};
    assert_int_equal(jsonl_value_text(line, &v[0], &text), 1);
    assert_int_equal(text.len, 2);
    assert_memory_equal(text.p, "US", 2);
    buf_free(&text);
    /* invalid and too deep lines: the status, and every value absent */
    assert_int_equal(jsonl_find("{\"id\": 7,}", 10, paths, k, 64, v), JSONL_INVALID);
    for (size_t i = 0; i < k; i++)
        assert_int_equal(v[i].kind, JSONL_ABSENT);
    assert_int_equal(jsonl_find("{\"id\": [[1]]}", 14, paths, k, 2, v), JSONL_TOO_DEEP);
    assert_int_equal(v[2].kind, JSONL_ABSENT);
    /* no paths: validation alone */
    assert_int_equal(jsonl_find(line, n, NULL, 0, 64, NULL), JSONL_OK);
    assert_int_equal(jsonl_find(line, n - 1, NULL, 0, 64, NULL), JSONL_INVALID);
}

/* The caller's splice: replacing a reported string by an encoding of any bytes keeps the line valid. */
typedef struct splice {
    const char *line;
    size_t n, last;
    ps_buf out;
} splice;

static int splice_cb(void *vctx, const ps_jstring *s)
{
    splice *sp = vctx;
    ps_buf dec = {0};
    assert_int_equal(jsonl_decode(sp->line + s->start, s->end - s->start, &dec), 0);
    assert_int_equal(buf_append(&sp->out, sp->line + sp->last, s->start - sp->last), 0);
    assert_int_equal(buf_append(&dec, "\"\n\x01\\", 4), 0); /* what a redaction might add */
    assert_int_equal(jsonl_encode(dec.p, dec.len, &sp->out), 0);
    sp->last = s->end;
    buf_free(&dec);
    return 0;
}

static void test_splice(void **state)
{
    (void)state;
    const char *text = "{\"a\" : \"x\\ud83d\\ude00\",\"b\":[1.0e1, \"\\\"q\\\"\"], \"c\" :\"\\u0000\"}\r\n";
    splice sp = {.line = text, .n = strlen(text)};
    assert_int_equal(jsonl_walk(text, sp.n, NULL, 8, splice_cb, &sp), JSONL_OK);
    assert_int_equal(buf_append(&sp.out, text + sp.last, sp.n - sp.last), 0);
    assert_int_equal(walk_rc(sp.out.p, sp.out.len, 8, NULL), JSONL_OK);
    const char *want = "{\"a\" : \"x\xf0\x9f\x98\x80\\\"\\n\\u0001\\\\\",\"b\":[1.0e1, \"\\\"q\\\"\\\"\\n\\u0001\\\\\"], "
                       "\"c\" :\"\\u0000\\\"\\n\\u0001\\\\\"}\r\n";
    assert_int_equal(sp.out.len, strlen(want));
    assert_memory_equal(sp.out.p, want, sp.out.len);
    buf_free(&sp.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_table),      cmocka_unit_test(test_invalid_table), cmocka_unit_test(test_optimistic_walk),
        cmocka_unit_test(test_deep_nesting),     cmocka_unit_test(test_callback_order_offsets),
        cmocka_unit_test(test_paths),            cmocka_unit_test(test_selection),
        cmocka_unit_test(test_paths_new_errors), cmocka_unit_test(test_callback_stop),
        cmocka_unit_test(test_decode),           cmocka_unit_test(test_encode),
        cmocka_unit_test(test_roundtrip_random), cmocka_unit_test(test_get), cmocka_unit_test(test_find),
        cmocka_unit_test(test_splice),           cmocka_unit_test(test_raw_offset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
