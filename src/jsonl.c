/* jsonl.c — a hand-written, validating JSON scanner that reports byte offsets into the original line.
 *
 * Why not a JSON library: jansson, cJSON and yajl either build a tree and re-serialise it (changing number formats,
 * spacing, escapes and sometimes key order) or stream events without byte offsets into the input. Redaction must leave
 * every byte outside a rewritten string untouched, so we need the exact [start, end) of each string value in the line
 * as given. JSON's grammar is small enough to validate completely here, and this module is fuzzed (fuzz/fuzz_jsonl.c).
 *
 * Shape: one pass (walk) validates RFC 8259 and reports values as it meets them, with a one-byte-per-level container
 * stack, the dotted path built by appending/truncating segments, and no heap allocation for ordinary depths. It is
 * iterative: memory is O(depth), no recursion. String bodies — most of the bytes of a training record — are skipped
 * 16 bytes at a time (SSE2, or 8 with SWAR elsewhere). A report may come before an error later in the line is found:
 * jsonl_walk, which promises no callback on an invalid line, validates first (walk without a callback, which builds
 * no paths); jsonl_walk_optimistic does not, for callers that can take back what they did (the scrubber rolls the
 * record back). */
#include "jsonl.h"

#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- growable scratch with inline storage: most lines never touch the heap ---- */

#define SMALL_DEPTH 64
#define SMALL_PATH 256

/* The path is built as the walk goes (seg: truncation points), or, when `lazy`, only when a caller asks for it
 * (jsonl_string_path): then seg holds each level's key offset in the line (key_end its end) or array index, and a
 * key costs two stores instead of a copy into the path. */
typedef struct jw_stack {
    unsigned char *kind; /* '{' or '[' per open container */
    size_t *seg;         /* per level: path length before this level's segment (truncation point); lazy: the
                            level's key offset or array index */
    size_t *key_end;     /* lazy: per object level, the end offset of its key */
    size_t cap;          /* levels available in kind, seg and key_end */
    char *path;          /* dotted path of the current value, NUL-terminated at plen */
    size_t plen, pcap;
    bool lazy;
    const unsigned char *line; /* lazy: what the offsets are in */
    unsigned char kind_small[SMALL_DEPTH];
    size_t seg_small[SMALL_DEPTH], key_end_small[SMALL_DEPTH];
    char path_small[SMALL_PATH];
} jw_stack;

static void stack_init(jw_stack *st)
{
    st->kind = st->kind_small;
    st->seg = st->seg_small;
    st->key_end = st->key_end_small;
    st->cap = SMALL_DEPTH;
    st->lazy = false;
    st->line = NULL;
    st->path = st->path_small;
    st->plen = 0;
    st->pcap = SMALL_PATH;
    st->path[0] = '\0';
}

static void stack_free_levels(jw_stack *st)
{
    if (st->kind != st->kind_small)
        free(st->kind);
    if (st->seg != st->seg_small)
        free(st->seg);
    if (st->key_end != st->key_end_small)
        free(st->key_end);
}

static void stack_free(jw_stack *st)
{
    stack_free_levels(st);
    if (st->path != st->path_small)
        free(st->path);
}

/* Room for at least `levels` levels. kind, seg and key_end grow together so indexes stay valid for all. */
static int stack_grow(jw_stack *st, size_t levels)
{
    if (levels <= st->cap)
        return 0;
    size_t cap = st->cap;
    while (cap < levels)
        cap = cap > SIZE_MAX / 4 / sizeof(size_t) ? levels : cap * 2;
    if (cap > SIZE_MAX / sizeof(size_t))
        return -1;
    unsigned char *k = malloc(cap);
    size_t *s = malloc(cap * sizeof *s), *ke = malloc(cap * sizeof *ke);
    if (!k || !s || !ke) {
        free(k);
        free(s);
        free(ke);
        return -1;
    }
    memcpy(k, st->kind, st->cap);
    memcpy(s, st->seg, st->cap * sizeof *s);
    memcpy(ke, st->key_end, st->cap * sizeof *ke);
    stack_free_levels(st);
    st->kind = k;
    st->seg = s;
    st->key_end = ke;
    st->cap = cap;
    return 0;
}

/* Room for `extra` more path bytes plus the NUL. */
static int path_reserve(jw_stack *st, size_t extra)
{
    if (st->pcap - st->plen > extra)
        return 0;
    size_t need = st->plen + extra + 1;
    if (need <= st->plen)
        return -1;
    size_t cap = st->pcap;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p;
    if (st->path == st->path_small) {
        p = malloc(cap);
        if (p)
            memcpy(p, st->path, st->plen + 1);
    } else {
        p = realloc(st->path, cap);
    }
    if (!p)
        return -1;
    st->path = p;
    st->pcap = cap;
    return 0;
}

/* ---- string body scanning ---- */

/* First byte in [p, e) that is '"', '\\' or a control character (< 0x20), or e. The bytes from lo (<= p) on may be
 * read: a tail shorter than 16 bytes is read as the 16 that end at e when those start at lo or after (the last
 * strings of a line, "src": "web"}, are all tail). */
#if defined(__SSE2__)
/* Bit i set when byte i of v is '"', '\\' or a control character (< 0x20). */
static inline unsigned special_mask(__m128i v)
{
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1f);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)),
                               _mm_cmpeq_epi8(_mm_max_epu8(v, c1f), c1f)); /* v <= 0x1f, unsigned */
    return (unsigned)_mm_movemask_epi8(hit);
}
#endif

static inline const unsigned char *scan_special(const unsigned char *lo, const unsigned char *p,
                                                const unsigned char *e)
{
#if defined(__SSE2__)
    while (e - p >= 16) {
        unsigned m = special_mask(_mm_loadu_si128((const __m128i *)(const void *)p));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
    if (p < e && e - lo >= 16) {
        unsigned m = special_mask(_mm_loadu_si128((const __m128i *)(const void *)(e - 16))) >> (16 - (e - p));
        return m ? p + __builtin_ctz(m) : e;
    }
#else
    (void)lo;
    /* SWAR: exact "has a byte < n" / "has a zero byte" tests on 8 bytes at a time. */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (e - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8);
        uint64_t xq = x ^ (ones * '"'), xb = x ^ (ones * '\\');
        uint64_t t = ((xq - ones) & ~xq) | ((xb - ones) & ~xb) | ((x - ones * 0x20) & ~x);
        if (t & highs)
            break;
        p += 8;
    }
#endif
    while (p < e && *p != '"' && *p != '\\' && *p >= 0x20)
        p++;
    return p;
}

static int is_digit(unsigned c)
{
    return c - '0' < 10u;
}

static int is_hex(unsigned c)
{
    return (c - '0' < 10u) || ((c | 0x20u) - 'a' < 6u);
}

static unsigned hex_val(unsigned c)
{
    return c - '0' < 10u ? c - '0' : (c | 0x20u) - 'a' + 10u;
}

static int is_ws(unsigned c)
{
    /* One test for the usual case, a byte above the space: most bytes after a token are not whitespace. */
    const uint64_t ws = (uint64_t)1 << ' ' | (uint64_t)1 << '\t' | (uint64_t)1 << '\n' | (uint64_t)1 << '\r';
    return c <= ' ' && (ws >> c & 1);
}

/* ---- decoding (shared by jsonl_decode and key paths) ---- */

/* Reads "\uXXXX" at r (r[0] is the backslash) if r..e holds one. */
static int read_u(const unsigned char *r, const unsigned char *e, uint32_t *cp)
{
    if (e - r < 6 || r[0] != '\\' || r[1] != 'u' || !is_hex(r[2]) || !is_hex(r[3]) || !is_hex(r[4]) || !is_hex(r[5]))
        return 0;
    *cp = hex_val(r[2]) << 12 | hex_val(r[3]) << 8 | hex_val(r[4]) << 4 | hex_val(r[5]);
    return 1;
}

/* What each one-letter escape stands for (0: not one); a table, not a switch: documents hold one per line. */
static const char simple_escape[256] = {['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = '\b',
                                        ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t'};

/* The escape at r (r[0] is the backslash, r < e) decoded into d (room for 4 bytes): *dn gets the bytes written.
 * @return the bytes read, or 0 when r does not start a valid escape. */
static size_t decode_escape(const unsigned char *r, const unsigned char *e, char *d, size_t *dn)
{
    if (e - r < 2)
        return 0;
    char simple = simple_escape[r[1]];
    if (simple) {
        *d = simple;
        *dn = 1;
        return 2;
    }
    uint32_t cp, lo;
    if (r[1] != 'u' || !read_u(r, e, &cp))
        return 0;
    size_t used = 6;
    if (cp >= 0xd800 && cp <= 0xdbff && read_u(r + 6, e, &lo) && lo >= 0xdc00 && lo <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        used = 12;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
        cp = 0xfffd; /* lone surrogate */
    }
    *dn = utf8_encode(cp, d);
    return used;
}

/* decode_escape with the one-letter escapes inline, without a call: a document has one on every line. */
static inline size_t escape_at(const unsigned char *r, const unsigned char *e, char *d, size_t *dn)
{
    char simple = e - r >= 2 ? simple_escape[r[1]] : 0;
    if (!simple)
        return decode_escape(r, e, d, dn);
    *d = simple;
    *dn = 1;
    return 2;
}

/* Copies r[0..e) up to its first '"', '\\' or control byte (see scan_special) to d: @return the bytes copied. 32
 * bytes a step, so a string with many escapes costs one pass (documents, a "\n" on every line, spent 7 % of the run
 * in a memchr and a memcpy per escape). The wide stores write no further than d + (e - r). */
static inline size_t copy_plain(const unsigned char *lo, const unsigned char *r, const unsigned char *e, char *d)
{
    const unsigned char *b = r;
#if defined(__SSE2__)
    while (e - r >= 32) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)r);
        __m128i w = _mm_loadu_si128((const __m128i *)(const void *)(r + 16));
        _mm_storeu_si128((__m128i *)(void *)(d + (r - b)), v);
        _mm_storeu_si128((__m128i *)(void *)(d + (r - b) + 16), w);
        unsigned m = special_mask(v) | special_mask(w) << 16;
        if (m)
            return (size_t)(r - b) + (unsigned)__builtin_ctz(m);
        r += 32;
    }
    if (e - r >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)r);
        _mm_storeu_si128((__m128i *)(void *)(d + (r - b)), v);
        unsigned m = special_mask(v);
        if (m)
            return (size_t)(r - b) + (unsigned)__builtin_ctz(m);
        r += 16;
    }
#endif
    const unsigned char *q = scan_special(lo, r, e);
    memcpy(d + (r - b), r, (size_t)(q - r));
    return (size_t)(q - b);
}

/* Decodes raw[0..n) into d, which has room for n bytes: no escape decodes longer than it is written, so the output
 * never gets ahead of the input. */
static size_t decode_into(const char *raw, size_t n, char *d)
{
    const unsigned char *r = (const unsigned char *)raw, *e = r + n;
    size_t o = 0, run, dn;
    for (;;) {
        run = copy_plain((const unsigned char *)raw, r, e, d + o);
        r += run;
        o += run;
        if (r == e)
            return o;
        size_t used = *r == '\\' ? escape_at(r, e, d + o, &dn) : 0;
        if (!used) { /* a quote, a control byte or a malformed escape: not in a valid string, copied as they are */
            d[o++] = (char)*r++;
            continue;
        }
        r += used;
        o += dn;
    }
}

int jsonl_decode(const char *raw, size_t n, ps_buf *out)
{
    if (n == 0)
        return 0;
    if (buf_reserve(out, n))
        return -1;
    out->len += decode_into(raw, n, out->p + out->len);
    return 0;
}

void jsonl_raw_offset(const char *raw, size_t n, size_t *raw_at, size_t *dec_at, size_t to, bool after)
{
    const unsigned char *u = (const unsigned char *)raw;
    size_t r = *raw_at, d = *dec_at;
    while (d < to && r < n) {
        const unsigned char *q = memchr(u + r, '\\', n - r);
        size_t plain = q ? (size_t)(q - (u + r)) : n - r;
        if (to - d <= plain) {
            r += to - d;
            d = to;
            break;
        }
        r += plain;
        d += plain;
        if (!q)
            break;
        char unused[4];
        size_t dn, used = escape_at(q, u + n, unused, &dn);
        if (!used) /* not an escape: one byte, as decode_into copies it */
            used = dn = 1;
        if (d + dn > to && !after)
            break; /* `to` is inside this escape's decoding: its start */
        r += used;
        d += dn;
    }
    *raw_at = r;
    *dec_at = d;
}

int jsonl_encode(const char *s, size_t n, ps_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    if (n == 0) /* also keeps a NULL string out of pointer arithmetic */
        return 0;
    const unsigned char *p = (const unsigned char *)s, *e = p + n;
    while (p < e) {
        /* Room for the rest as it is, one escape and copy_plain's wide stores. */
        if (buf_reserve(out, (size_t)(e - p) + 6))
            return -1;
        size_t run = copy_plain((const unsigned char *)s, p, e, out->p + out->len);
        out->len += run;
        p += run;
        if (p == e)
            break;
        char *esc = out->p + out->len;
        esc[0] = '\\';
        out->len += 2;
        switch (*p) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            out->len += 4;
        }
        p++;
    }
    return 0;
}

/* ---- the walk ---- */

enum { V_STRING, V_NUMBER, V_LITERAL, V_OBJECT, V_ARRAY };

/* Called for every value (containers too, before their members) with the stack's path describing it at `depth`
 * segments. Non-zero stops the walk and is returned. */
typedef int (*visit_fn)(void *ctx, jw_stack *st, size_t depth, int kind, size_t start, size_t end, int esc);

/* check_string's way past the first escape (or to the error): q is the first special byte after p. */
static const unsigned char *check_escaped(const unsigned char *lo, const unsigned char *p, const unsigned char *q,
                                          const unsigned char *e, int *esc, char *d, size_t *dn)
{
    size_t o = (size_t)(q - p), n;
    char unused[4];
    *esc = 0;
    if (d && q < e && *q == '\\')
        memcpy(d, p, o);
    while (q < e && *q == '\\') {
        *esc = 1;
        /* A one-letter escape here, without a call (escape_at, but no store of it when only checking). */
        char simple = e - q >= 2 ? simple_escape[q[1]] : 0;
        size_t used = 2;
        if (simple) {
            n = 1;
            if (d)
                d[o] = simple;
        } else if (!(used = decode_escape(q, e, d ? d + o : unused, &n))) {
            return NULL;
        }
        q += used;
        o += n;
        n = d ? copy_plain(lo, q, e, d + o) : (size_t)(scan_special(lo, q, e) - q);
        q += n;
        o += n;
    }
    if (q == e || *q != '"') /* the line ends in it, or a control byte */
        return NULL;
    if (d && *esc)
        *dn = o;
    return q;
}

/* Checks a string body starting just after its opening quote, p (bytes from lo on may be read): returns its closing
 * quote, or NULL. *esc is set when the body holds an escape. When d is not NULL (room for e - p bytes), a body with
 * escapes is also decoded into d, *dn bytes, as jsonl_decode would: one pass over it where checking, then decoding,
 * would take two. Most strings have no escape: that case is inline. */
static inline const unsigned char *check_string(const unsigned char *lo, const unsigned char *p,
                                                const unsigned char *e, int *esc, char *d, size_t *dn)
{
    const unsigned char *q = scan_special(lo, p, e);
    if (q < e && *q == '"') {
        *esc = 0;
        return q;
    }
    return check_escaped(lo, p, q, e, esc, d, dn);
}

/* A number at p (valid or not): returns its end, or NULL. */
static const unsigned char *check_number(const unsigned char *p, const unsigned char *e)
{
    if (*p == '-' && ++p == e)
        return NULL;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (++p < e && is_digit(*p))
            ;
    else
        return NULL;
    if (p < e && *p == '.') {
        if (++p == e || !is_digit(*p))
            return NULL;
        while (++p < e && is_digit(*p))
            ;
    }
    if (p < e && (*p | 0x20) == 'e') {
        if (++p < e && (*p == '+' || *p == '-'))
            p++;
        if (p == e || !is_digit(*p))
            return NULL;
        while (++p < e && is_digit(*p))
            ;
    }
    return p;
}

/* Starts a segment for level `depth` (0-based): truncates to the level's start and adds the separator. */
/* Appends a segment to the path at plen, after a '.' unless it is the first: seg[0..len), decoded when it holds
 * escapes (a key's body). @return 0, or -1 when out of memory. */
static int path_append(jw_stack *st, const char *seg, size_t len, bool esc, bool first)
{
    if (path_reserve(st, len + 1))
        return -1;
    if (!first)
        st->path[st->plen++] = '.';
    if (esc) {
        st->plen += decode_into(seg, len, st->path + st->plen);
    } else {
        memcpy(st->path + st->plen, seg, len);
        st->plen += len;
    }
    st->path[st->plen] = '\0';
    return 0;
}

/* The next array index: increments the last segment's decimal digits in place. */
static int next_index(jw_stack *st, size_t depth)
{
    if (st->lazy) {
        st->seg[depth - 1]++;
        return 0;
    }
    size_t beg = st->seg[depth - 1] + (depth > 1), i = st->plen;
    while (i > beg && st->path[i - 1] == '9')
        st->path[--i] = '0';
    if (i > beg) {
        st->path[i - 1]++;
        return 0;
    }
    if (path_reserve(st, 1))
        return -1;
    st->path[beg] = '1';
    st->path[st->plen++] = '0';
    st->path[st->plen] = '\0';
    return 0;
}

/* The key whose body is [k, q) becomes the path's last segment at level depth - 1. */
static int set_key(jw_stack *st, size_t depth, const unsigned char *k, const unsigned char *q, int esc)
{
    if (st->lazy) {
        st->seg[depth - 1] = (size_t)(k - st->line);
        st->key_end[depth - 1] = (size_t)(q - st->line);
        return 0;
    }
    st->plen = st->seg[depth - 1];
    return path_append(st, (const char *)k, (size_t)(q - k), esc, depth == 1);
}

static int selected(const ps_jpaths *ps, const jw_stack *st, size_t depth);

/* One pass over s[0..n): validates it as exactly one JSON value and, when fn is set, reports values with their paths
 * as it meets them: strings (only those `sel` selects, when not NULL), and containers, numbers and literals too when
 * `all` is set (without fn no path is built). With dec (room for n bytes), a string value it reports with escapes is
 * decoded into it as it is checked, for fn to read (dec->len; keys are not). @return JSONL_OK, JSONL_INVALID,
 * JSONL_TOO_DEEP, JSONL_NOMEM or fn's non-zero value. */
static int walk(const unsigned char *s, size_t n, unsigned max_depth, jw_stack *st, visit_fn fn, bool all,
                const ps_jpaths *sel, ps_buf *dec, void *ctx)
{
    if (n == 0) /* also keeps a NULL line out of pointer arithmetic */
        return JSONL_INVALID;
    st->line = s;
    const unsigned char *p = s, *e = s + n, *q;
    size_t depth = 0;
    int r, esc;
    unsigned c;

value:
    while (p < e && is_ws(*p))
        p++;
    if (p == e)
        return JSONL_INVALID;
    c = *p;
    switch (c) {
    case '"': {
        /* A string the selection leaves out is checked, but neither decoded nor reported (--field text: decoding
         * the text as it is checked spares a second pass over it). */
        bool report = fn && (!sel || selected(sel, st, depth));
        if (!(q = check_string(s, p + 1, e, &esc, report && dec ? dec->p : NULL, report && dec ? &dec->len : NULL)))
            return JSONL_INVALID;
        if (report && (r = fn(ctx, st, depth, V_STRING, (size_t)(p + 1 - s), (size_t)(q - s), esc)))
            return r;
        p = q + 1;
        goto after_value;
    }
    case '{':
    case '[':
        if (depth >= max_depth)
            return JSONL_TOO_DEEP;
        if (depth == st->cap && stack_grow(st, depth + 1))
            return JSONL_NOMEM;
        if (fn && all && (r = fn(ctx, st, depth, c == '{' ? V_OBJECT : V_ARRAY, (size_t)(p - s), (size_t)(p - s), 0)))
            return r;
        st->kind[depth] = (unsigned char)c;
        st->seg[depth] = st->plen;
        p++;
        while (p < e && is_ws(*p))
            p++;
        if (p == e)
            return JSONL_INVALID;
        if (*p == (c == '{' ? '}' : ']')) {
            p++;
            goto after_value;
        }
        depth++;
        if (c == '{')
            goto key;
        if (fn && st->lazy) {
            st->seg[depth - 1] = 0;
        } else if (fn && path_append(st, "0", 1, false, depth == 1)) { /* plen is seg[depth - 1]: just opened */
            return JSONL_NOMEM;
        }
        goto value;
    case 't':
    case 'f':
    case 'n': {
        const char *lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
        size_t len = c == 'f' ? 5 : 4;
        if ((size_t)(e - p) < len || memcmp(p, lit, len) != 0)
            return JSONL_INVALID;
        if (fn && all && (r = fn(ctx, st, depth, V_LITERAL, (size_t)(p - s), (size_t)(p - s) + len, 0)))
            return r;
        p += len;
        goto after_value;
    }
    default:
        if (!(q = check_number(p, e)))
            return JSONL_INVALID;
        if (fn && all && (r = fn(ctx, st, depth, V_NUMBER, (size_t)(p - s), (size_t)(q - s), 0)))
            return r;
        p = q;
        goto after_value;
    }

key:
    /* whitespace already skipped */
    if (*p != '"' || !(q = check_string(s, p + 1, e, &esc, NULL, NULL)))
        return JSONL_INVALID;
    if (fn && set_key(st, depth, p + 1, q, esc))
        return JSONL_NOMEM;
    p = q + 1;
    while (p < e && is_ws(*p))
        p++;
    if (p == e || *p != ':')
        return JSONL_INVALID;
    p++;
    goto value;

after_value:
    while (p < e && is_ws(*p))
        p++;
    if (depth == 0)
        return p == e ? JSONL_OK : JSONL_INVALID;
    if (p == e)
        return JSONL_INVALID;
    c = *p++;
    if (c == ',') {
        if (st->kind[depth - 1] == '[') {
            if (fn && next_index(st, depth))
                return JSONL_NOMEM;
            goto value;
        }
        while (p < e && is_ws(*p))
            p++;
        if (p == e)
            return JSONL_INVALID;
        goto key;
    }
    if (c != (st->kind[depth - 1] == '{' ? '}' : ']'))
        return JSONL_INVALID;
    depth--;
    if (fn && !st->lazy) {
        st->plen = st->seg[depth];
        st->path[st->plen] = '\0';
    }
    goto after_value;
}

/* Segment k (of a path with `depth` segments) as [*b, return). */
static size_t seg_span(const jw_stack *st, size_t depth, size_t k, size_t *b)
{
    *b = st->seg[k] + (k > 0);
    return k + 1 < depth ? st->seg[k + 1] : st->plen;
}

/* ---- path sets ---- */

typedef struct jp_seg {
    const char *s;
    size_t len;
    int star;
    size_t index; /* the array index it names ("3"; decimal without leading zeros), or SIZE_MAX */
} jp_seg;

typedef struct jp_path {
    jp_seg *seg;
    size_t nseg;
} jp_path;

struct ps_jpaths {
    jp_path *path;
    size_t n;
    char *text; /* all path strings, copied */
};

void jsonl_paths_free(ps_jpaths *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->path[i].seg);
    free(p->path);
    free(p->text);
    free(p);
}

/* The array index s[0..len) names, as the walk writes one in a path (decimal, no leading zero), or SIZE_MAX. */
static size_t segment_index(const char *s, size_t len)
{
    if (len == 0 || len > 18 || (s[0] == '0' && len > 1))
        return SIZE_MAX;
    size_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_digit((unsigned char)s[i]))
            return SIZE_MAX;
        v = v * 10 + (size_t)(s[i] - '0');
    }
    return v;
}

int jsonl_paths_new(const char *const *paths, size_t n, ps_jpaths **out)
{
    *out = NULL;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (!paths[i] || !paths[i][0])
            return JSONL_INVALID;
        total += strlen(paths[i]) + 1;
    }
    ps_jpaths *ps = calloc(1, sizeof *ps);
    if (!ps)
        return JSONL_NOMEM;
    if (n && (!(ps->path = calloc(n, sizeof *ps->path)) || !(ps->text = malloc(total)))) {
        jsonl_paths_free(ps);
        return JSONL_NOMEM;
    }
    char *t = ps->text;
    for (size_t i = 0; i < n; i++, ps->n++) {
        size_t len = strlen(paths[i]), nseg = 1;
        memcpy(t, paths[i], len + 1);
        for (size_t j = 0; j < len; j++)
            nseg += t[j] == '.';
        jp_path *jp = &ps->path[i];
        if (!(jp->seg = calloc(nseg, sizeof *jp->seg))) {
            jsonl_paths_free(ps);
            return JSONL_NOMEM;
        }
        const char *b = t;
        for (size_t j = 0; j <= len; j++) {
            if (t[j] != '.' && t[j] != '\0')
                continue;
            jp_seg *sg = &jp->seg[jp->nseg++];
            sg->s = b;
            sg->len = (size_t)(t + j - b);
            sg->star = sg->len == 1 && b[0] == '*';
            sg->index = segment_index(b, sg->len);
            if (sg->len == 0) {
                ps->n++; /* so free releases this path's segments too */
                jsonl_paths_free(ps);
                return JSONL_INVALID;
            }
            b = t + j + 1;
        }
        t += len + 1;
    }
    *out = ps;
    return JSONL_OK;
}

/* Is the key k[0..n) (raw, escapes still encoded) the text s[0..len)? Decoded as it is compared, as decode_into
 * decodes: no buffer for the rare key with escapes. */
static bool key_equals(const unsigned char *k, size_t n, const char *s, size_t len)
{
    if (!memchr(k, '\\', n))
        return n == len && memcmp(k, s, n) == 0;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        char d[4];
        size_t dn = 1, used = k[i] == '\\' ? escape_at(k + i, k + n, d, &dn) : 0;
        if (!used) {
            d[0] = (char)k[i];
            used = dn = 1;
        }
        if (dn > len - o || memcmp(s + o, d, dn) != 0)
            return false;
        i += used;
        o += dn;
    }
    return o == len;
}

/* A path selects the value when it matches a prefix of the value's path segment by segment. The stack is lazy (see
 * walk_line): a key is compared where it is in the line, an index as a number; no path is written (--field on short
 * records spent more on writing each key into a path than it saved by scanning fewer strings). */
__attribute__((noinline)) static int selected(const ps_jpaths *ps, const jw_stack *st, size_t depth)
{
    for (size_t i = 0; i < ps->n; i++) {
        const jp_path *jp = &ps->path[i];
        if (jp->nseg > depth)
            continue;
        size_t k = 0;
        for (; k < jp->nseg; k++) {
            const jp_seg *sg = &jp->seg[k];
            if (sg->star)
                continue;
            if (st->kind[k] == '{' ? !key_equals(st->line + st->seg[k], st->key_end[k] - st->seg[k], sg->s, sg->len)
                                   : st->seg[k] != sg->index)
                break;
        }
        if (k == jp->nseg)
            return 1;
    }
    return 0;
}

/* ---- jsonl_walk ---- */

typedef struct walk_ctx {
    jsonl_string_fn cb;
    void *ctx;
    const ps_buf *dec; /* where walk decodes string values with escapes, or NULL */
} walk_ctx;

static int walk_visit(void *vctx, jw_stack *st, size_t depth, int kind, size_t start, size_t end, int esc)
{
    const walk_ctx *w = vctx;
    (void)kind; /* the strings selected only (see walk's `all` and `sel`) */
    ps_jstring js = {.start = start, .end = end, .has_escapes = esc, .walk = st, .depth = depth};
    if (esc && w->dec) {
        js.decoded = w->dec->p;
        js.decoded_len = w->dec->len;
    }
    return w->cb(w->ctx, &js);
}

/* One walk over line[0..n) with a fresh stack; `lazy`: paths only on request (jsonl_string_path). */
static int walk_line(const char *line, size_t n, unsigned max_depth, visit_fn fn, bool all, const ps_jpaths *sel,
                     ps_buf *dec, void *ctx)
{
    jw_stack st;
    stack_init(&st);
    st.lazy = fn && !all; /* a path is asked for seldom (a string with findings); selected() reads the lazy stack */
    int rc = walk((const unsigned char *)line, n, max_depth, &st, fn, all, sel, dec, ctx);
    stack_free(&st);
    return rc;
}

int jsonl_validate(const char *line, size_t n, unsigned max_depth)
{
    return walk_line(line, n, max_depth, NULL, false, NULL, NULL, NULL);
}

int jsonl_walk_optimistic(const char *line, size_t n, const ps_jpaths *paths, unsigned max_depth, ps_buf *dec,
                          jsonl_string_fn cb, void *ctx)
{
    if (dec) {
        dec->len = 0;
        if (buf_reserve(dec, n))
            return JSONL_NOMEM;
    }
    walk_ctx w = {cb, ctx, dec};
    return walk_line(line, n, max_depth, walk_visit, false, paths, dec, &w);
}

const char *jsonl_string_path(const ps_jstring *js)
{
    jw_stack *st = js->walk;
    if (!st->lazy)
        return st->path;
    st->plen = 0;
    st->path[0] = '\0'; /* a top-level value's path */
    for (size_t l = 0; l < js->depth; l++) {
        char index[24];
        const char *seg = index;
        size_t len;
        bool key = st->kind[l] == '{';
        if (key) {
            seg = (const char *)st->line + st->seg[l];
            len = st->key_end[l] - st->seg[l];
        } else {
            len = (size_t)snprintf(index, sizeof index, "%zu", st->seg[l]);
        }
        if (path_append(st, seg, len, key && memchr(seg, '\\', len), l == 0)) /* keys decoded, as set_key does */
            return NULL;
    }
    return st->path;
}

int jsonl_walk(const char *line, size_t n, const ps_jpaths *paths, unsigned max_depth, jsonl_string_fn cb,
               void *ctx)
{
    int rc = jsonl_validate(line, n, max_depth);
    return rc == JSONL_OK ? jsonl_walk_optimistic(line, n, paths, max_depth, NULL, cb, ctx) : rc;
}

/* ---- jsonl_find, jsonl_get ---- */

typedef struct find_ctx {
    const char *const *targets;
    size_t k;
    jsonl_value *values;
} find_ctx;

enum { P_UNRELATED, P_ANCESTOR, P_EXACT };

/* How the value at the stack's path (depth segments) relates to the dotted path t ("" is the top-level value): it
 * is t's value, an ancestor of it, or neither. Segments are compared as written: no wildcards. */
static int path_relation(const char *t, const jw_stack *st, size_t depth)
{
    if (!*t)
        return depth == 0 ? P_EXACT : P_UNRELATED;
    for (size_t k = 0; k < depth; k++) {
        const char *dot = strchr(t, '.');
        size_t tl = dot ? (size_t)(dot - t) : strlen(t);
        size_t b, end = seg_span(st, depth, k, &b);
        if (end - b != tl || memcmp(st->path + b, t, tl) != 0)
            return P_UNRELATED;
        if (!dot)
            return k + 1 == depth ? P_EXACT : P_UNRELATED;
        t = dot + 1;
    }
    return P_ANCESTOR;
}

/* Duplicate keys: the last occurrence wins (as in Python's json, JavaScript and Go), so a gate sees the value a
 * consumer of the data will see. Re-assigning any ancestor forgets what was found under its earlier value. */
static int find_visit(void *vctx, jw_stack *st, size_t depth, int kind, size_t start, size_t end, int esc)
{
    find_ctx *f = vctx;
    (void)esc;
    for (size_t i = 0; i < f->k; i++) {
        int rel = path_relation(f->targets[i], st, depth);
        if (rel == P_UNRELATED)
            continue;
        jsonl_value *v = &f->values[i];
        v->kind = rel == P_ANCESTOR || kind == V_OBJECT || kind == V_ARRAY ? JSONL_ABSENT
                  : kind == V_STRING                                      ? JSONL_STRING
                                                                          : JSONL_SCALAR;
        v->start = start;
        v->end = end;
    }
    return 0;
}

int jsonl_find(const char *line, size_t n, const char *const *paths, size_t k, unsigned max_depth,
               jsonl_value *values)
{
    for (size_t i = 0; i < k; i++)
        values[i] = (jsonl_value){JSONL_ABSENT, 0, 0};
    find_ctx f = {paths, k, values};
    /* find_visit never stops the walk, and what it found counts only on a valid line. */
    int rc = walk_line(line, n, max_depth, k ? find_visit : NULL, true, NULL, NULL, &f);
    if (rc != JSONL_OK)
        for (size_t i = 0; i < k; i++)
            values[i].kind = JSONL_ABSENT;
    return rc;
}

int jsonl_value_text(const char *line, const jsonl_value *v, ps_buf *out)
{
    if (v->kind == JSONL_ABSENT)
        return 0;
    const char *p = line + v->start;
    size_t len = v->end - v->start;
    int err = v->kind == JSONL_STRING ? jsonl_decode(p, len, out) : buf_append(out, p, len);
    return err ? JSONL_NOMEM : 1;
}

int jsonl_get(const char *line, size_t n, const char *path, unsigned max_depth, ps_buf *out)
{
    if (!path)
        return 0;
    jsonl_value v;
    int rc = jsonl_find(line, n, &path, 1, max_depth, &v);
    return rc != JSONL_OK ? rc : jsonl_value_text(line, &v, out);
}
