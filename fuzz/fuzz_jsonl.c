/* fuzz_jsonl.c — libFuzzer target for the JSONL scanner.
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude -Isrc fuzz/fuzz_jsonl.c src/jsonl.c src/buf.c -o /tmp/fuzz_jsonl
 *   /tmp/fuzz_jsonl -max_total_time=300 fuzz/corpus/jsonl/
 * Input: byte 0 picks the depth limit, the rest is the line. Checked: validity agrees with a small recursive
 * reference parser; reported spans are quoted strings in the line; decode(encode(x)) == x; the line with every string
 * replaced by an encoding of arbitrary bytes is still valid and has the same string paths; selection with paths
 * derived from the input reports a subset; jsonl_get agrees with validation and never crashes. */
#include "jsonl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c)                                                                                                       \
    do {                                                                                                               \
        if (!(c))                                                                                                      \
            __builtin_trap();                                                                                          \
    } while (0)

/* ---- reference: plain recursive descent, written independently of the iterative scanner ---- */

typedef struct ref {
    const uint8_t *p, *e;
    unsigned max_depth;
    int err; /* 0, JSONL_INVALID, JSONL_TOO_DEEP */
} ref;

static void ref_ws(ref *r)
{
    while (r->p < r->e && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static int ref_fail(ref *r, int err)
{
    if (!r->err)
        r->err = err;
    return 0;
}

static int ref_lit(ref *r, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(r->e - r->p) < n || memcmp(r->p, lit, n) != 0)
        return ref_fail(r, JSONL_INVALID);
    r->p += n;
    return 1;
}

static int ref_digits(ref *r)
{
    const uint8_t *b = r->p;
    while (r->p < r->e && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > b;
}

static int ref_string(ref *r)
{
    r->p++; /* the quote */
    while (r->p < r->e) {
        uint8_t c = *r->p++;
        if (c == '"')
            return 1;
        if (c < 0x20)
            return ref_fail(r, JSONL_INVALID);
        if (c != '\\')
            continue;
        if (r->p == r->e)
            break;
        c = *r->p++;
        if (c == 'u') {
            for (int i = 0; i < 4; i++, r->p++)
                if (r->p == r->e || !strchr("0123456789abcdefABCDEF", *r->p) || !*r->p)
                    return ref_fail(r, JSONL_INVALID);
        } else if (!c || !strchr("\"\\/bfnrt", c)) {
            return ref_fail(r, JSONL_INVALID);
        }
    }
    return ref_fail(r, JSONL_INVALID);
}

static int ref_value(ref *r, unsigned depth)
{
    ref_ws(r);
    if (r->p == r->e)
        return ref_fail(r, JSONL_INVALID);
    switch (*r->p) {
    case '"': return ref_string(r);
    case 't': return ref_lit(r, "true");
    case 'f': return ref_lit(r, "false");
    case 'n': return ref_lit(r, "null");
    case '[':
    case '{': {
        int obj = *r->p == '{';
        if (depth >= r->max_depth)
            return ref_fail(r, JSONL_TOO_DEEP);
        r->p++;
        ref_ws(r);
        if (r->p < r->e && *r->p == (obj ? '}' : ']')) {
            r->p++;
            return 1;
        }
        for (;;) {
            if (obj) {
                ref_ws(r);
                if (r->p == r->e || *r->p != '"')
                    return ref_fail(r, JSONL_INVALID);
                if (!ref_string(r))
                    return 0;
                ref_ws(r);
                if (r->p == r->e || *r->p != ':')
                    return ref_fail(r, JSONL_INVALID);
                r->p++;
            }
            if (!ref_value(r, depth + 1))
                return 0;
            ref_ws(r);
            if (r->p == r->e)
                return ref_fail(r, JSONL_INVALID);
            if (*r->p == ',') {
                r->p++;
                continue;
            }
            if (*r->p != (obj ? '}' : ']'))
                return ref_fail(r, JSONL_INVALID);
            r->p++;
            return 1;
        }
    }
    default:
        if (*r->p == '-')
            r->p++;
        if (r->p < r->e && *r->p == '0')
            r->p++;
        else if (r->p == r->e || *r->p < '1' || *r->p > '9' || !ref_digits(r))
            return ref_fail(r, JSONL_INVALID);
        if (r->p < r->e && *r->p == '.') {
            r->p++;
            if (!ref_digits(r))
                return ref_fail(r, JSONL_INVALID);
        }
        if (r->p < r->e && (*r->p == 'e' || *r->p == 'E')) {
            r->p++;
            if (r->p < r->e && (*r->p == '+' || *r->p == '-'))
                r->p++;
            if (!ref_digits(r))
                return ref_fail(r, JSONL_INVALID);
        }
        return 1;
    }
}

static int ref_check(const uint8_t *p, size_t n, unsigned max_depth)
{
    ref r = {p, p + n, max_depth, 0};
    if (ref_value(&r, 0)) {
        ref_ws(&r);
        if (r.p != r.e)
            return JSONL_INVALID;
        return JSONL_OK;
    }
    return r.err;
}

/* ---- the scanner under test ---- */

typedef struct fctx {
    const char *line;
    size_t n, last, count;
    uint64_t path_hash;
    ps_buf spliced;
    ps_buf first_path; /* NUL-terminated when count > 0 */
    size_t stop_at;    /* stop the walk on this call (1-based); 0 = never */
    int decoding;      /* the walk was given a buffer: every string with escapes comes decoded */
} fctx;

static uint64_t fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 0x100000001b3u;
    return h;
}

static int note_cb(void *vctx, const ps_jstring *s)
{
    fctx *f = vctx;
    CHECK(s->start >= 1 && s->start <= s->end && s->end < f->n);
    CHECK(f->line[s->start - 1] == '"' && f->line[s->end] == '"');
    CHECK(s->start > f->last || f->count == 0);
    CHECK(!!s->has_escapes == (memchr(f->line + s->start, '\\', s->end - s->start) != NULL));
    CHECK(!s->decoded || s->has_escapes);
    if (f->decoding && s->has_escapes) { /* the walk's decoding is jsonl_decode's */
        ps_buf dec = {0};
        CHECK(s->decoded && jsonl_decode(f->line + s->start, s->end - s->start, &dec) == 0);
        CHECK(s->decoded_len == dec.len && (!dec.len || !memcmp(s->decoded, dec.p, dec.len)));
        buf_free(&dec);
    }
    const char *path = jsonl_string_path(s);
    CHECK(path);
    f->path_hash = fnv(f->path_hash, path, strlen(path) + 1);
    f->count++;
    f->last = s->end;
    return f->stop_at && f->count == f->stop_at ? 99 : 0;
}

static int splice_cb(void *vctx, const ps_jstring *s)
{
    fctx *f = vctx;
    ps_buf dec = {0}, enc = {0}, back = {0};
    CHECK(jsonl_decode(f->line + s->start, s->end - s->start, &dec) == 0);
    CHECK(dec.len <= s->end - s->start);
    /* no escapes: decoding is the identity */
    CHECK(s->has_escapes || (dec.len == s->end - s->start && (!dec.len || !memcmp(dec.p, f->line + s->start, dec.len))));
    CHECK(jsonl_encode(dec.p, dec.len, &enc) == 0);
    CHECK(jsonl_decode(enc.p, enc.len, &back) == 0);
    CHECK(back.len == dec.len && (!dec.len || memcmp(back.p, dec.p, dec.len) == 0));
    /* a "redaction": the decoded text with bytes that need escaping around it */
    ps_buf red = {0};
    CHECK(buf_append(&red, "\"\x01\\", 3) == 0);
    CHECK(buf_append(&red, dec.p, dec.len) == 0);
    CHECK(buf_append(&red, "\n\x7f\xff", 3) == 0);
    CHECK(buf_append(&f->spliced, f->line + f->last, s->start - f->last) == 0);
    CHECK(jsonl_encode(red.p, red.len, &f->spliced) == 0);
    f->last = s->end;
    const char *path = jsonl_string_path(s);
    CHECK(path);
    if (f->count++ == 0) {
        CHECK(buf_append(&f->first_path, path, strlen(path) + 1) == 0);
    }
    f->path_hash = fnv(f->path_hash, path, strlen(path) + 1);
    buf_free(&red);
    buf_free(&dec);
    buf_free(&enc);
    buf_free(&back);
    return 0;
}

/* What jsonl_paths_new accepts: non-empty segments. */
static int pattern_ok(const char *p)
{
    size_t n = strlen(p);
    return n && p[0] != '.' && p[n - 1] != '.' && !strstr(p, "..");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned max_depth = data[0] & 0x80 ? 100000 : data[0] & 0x3f;
    const char *line = (const char *)data + 1;
    size_t n = size - 1;

    int want = ref_check(data + 1, n, max_depth);

    /* every string: spans, decode/encode, splice */
    fctx f = {.line = line, .n = n, .path_hash = 1469598103934665603u};
    int rc = jsonl_walk(line, n, NULL, max_depth, splice_cb, &f);
    CHECK(rc == want || rc == JSONL_NOMEM);
    if (rc != JSONL_OK)
        CHECK(f.count == 0); /* no callback on a line that is not valid */
    int vrc = jsonl_validate(line, n, max_depth);
    CHECK(vrc == want || vrc == JSONL_NOMEM);
    /* the one-pass walk: the same verdict, and on a valid line the same strings with the same paths */
    fctx o = {.line = line, .n = n, .path_hash = 1469598103934665603u, .decoding = data[0] & 0x40};
    ps_buf odec = {0};
    int orc = jsonl_walk_optimistic(line, n, NULL, max_depth, o.decoding ? &odec : NULL, note_cb, &o);
    buf_free(&odec);
    CHECK(orc == want || orc == JSONL_NOMEM);
    if (orc == JSONL_OK && rc == JSONL_OK)
        CHECK(o.count == f.count && o.path_hash == f.path_hash);
    if (rc == JSONL_OK) {
        CHECK(buf_append(&f.spliced, line + f.last, n - f.last) == 0);
        fctx g = {.line = f.spliced.p, .n = f.spliced.len, .path_hash = 1469598103934665603u};
        CHECK(jsonl_walk(f.spliced.p, f.spliced.len, NULL, max_depth, note_cb, &g) == JSONL_OK);
        CHECK(g.count == f.count && g.path_hash == f.path_hash);
        /* a stopping callback's value comes back, after exactly that many calls */
        if (f.count) {
            fctx h = {.line = line, .n = n, .path_hash = 1469598103934665603u, .stop_at = 1 + data[0] % f.count};
            CHECK(jsonl_walk(line, n, NULL, max_depth, note_cb, &h) == 99);
            CHECK(h.count == h.stop_at);
        }
    }

    /* a path derived from the input: the tail of the line, NULs as dots */
    char derived[17];
    size_t dl = n < 16 ? n : 16;
    memcpy(derived, line + n - dl, dl);
    for (size_t i = 0; i < dl; i++)
        if (!derived[i])
            derived[i] = '.';
    derived[dl] = '\0';

    /* "*" alone selects every string except a top-level one */
    ps_jpaths *ps = NULL;
    const char *star = "*";
    int prc = jsonl_paths_new(&star, 1, &ps);
    CHECK(prc == JSONL_OK || prc == JSONL_NOMEM);
    size_t lead = 0;
    while (lead < n && (line[lead] == ' ' || line[lead] == '\t' || line[lead] == '\n' || line[lead] == '\r'))
        lead++;
    if (prc == JSONL_OK) {
        fctx s = {.line = line, .n = n, .path_hash = 1469598103934665603u};
        int src = jsonl_walk(line, n, ps, max_depth, note_cb, &s);
        CHECK(src == rc || src == JSONL_NOMEM || rc == JSONL_NOMEM);
        if (src == JSONL_OK && rc == JSONL_OK && line[lead] != '"') /* paths built as it walks, or on request */
            CHECK(s.count == f.count && s.path_hash == f.path_hash);
        if (src == JSONL_OK && rc == JSONL_OK && line[lead] == '"')
            CHECK(s.count == 0);
        jsonl_paths_free(ps);
        ps = NULL;
    }

    /* the derived path and the first reported one (when they are legal patterns) select a subset */
    const char *pat[2];
    size_t np = 0;
    if (pattern_ok(derived))
        pat[np++] = derived;
    if (f.count && pattern_ok(f.first_path.p))
        pat[np++] = f.first_path.p;
    prc = jsonl_paths_new(pat, np, &ps);
    CHECK(prc == JSONL_OK || prc == JSONL_NOMEM);
    if (prc == JSONL_OK) {
        fctx s = {.line = line, .n = n, .path_hash = 1469598103934665603u};
        int src = jsonl_walk(line, n, ps, max_depth, note_cb, &s);
        CHECK(src == rc || src == JSONL_NOMEM || rc == JSONL_NOMEM);
        CHECK(s.count <= f.count);
        /* the one-pass walk with a selection decodes exactly the strings it selects, as jsonl_decode does */
        fctx d = {.line = line, .n = n, .path_hash = 1469598103934665603u, .decoding = 1};
        ps_buf ddec = {0};
        int drc = jsonl_walk_optimistic(line, n, ps, max_depth, &ddec, note_cb, &d);
        buf_free(&ddec);
        CHECK(drc == want || drc == JSONL_NOMEM);
        if (drc == JSONL_OK && src == JSONL_OK)
            CHECK(d.count == s.count && d.path_hash == s.path_hash);
        jsonl_paths_free(ps);
    }

    /* gate lookups: agree with validation; a found value is appended, nothing else is */
    const char *gets[2] = {derived, f.count ? f.first_path.p : ""};
    for (int i = 0; i < 2; i++) {
        ps_buf out = {0};
        int grc = jsonl_get(line, n, gets[i], max_depth, &out);
        if (rc == JSONL_OK)
            CHECK(grc == 0 || grc == 1 || grc == JSONL_NOMEM);
        else if (rc != JSONL_NOMEM)
            CHECK(grc == rc || grc == JSONL_NOMEM);
        if (grc != 1)
            CHECK(out.len == 0);
        buf_free(&out);
    }

    buf_free(&f.spliced);
    buf_free(&f.first_path);
    return 0;
}
