/*
 * scrub.c — records in, redacted records out.
 *
 * A record is scanned as one PCRE2 subject (performance.md: per-record subjects keep PCRE2's required-byte checks
 * cheap, and matches never cross records). A record longer than a block is fed through ps_longrec in windows:
 *
 *   window = [back margin | bytes already final ... | new bytes ]
 *                          ^ out_pos                              ^ end
 *   The engine scans from out_pos with PCRE2_PARTIAL_HARD and reports `hold`: the earliest start of a match that
 *   may continue past the window (or whose context is not all in view). The window's boundary B starts at hold and
 *   moves left past the start of any match that reaches B, so no match crosses or touches it. Everything before B
 *   is final and is written; the next window keeps a back margin (context words, lookbehind) before B and scans
 *   from B. The result equals scanning the whole record at once, whatever the window size, but for one thing: a
 *   rule's keywords may be anywhere in the record, not all of it is in view, so in a window they are taken as
 *   present (ps_subject.partial: more is redacted, never less). When no boundary can be found within `cap` bytes the
 *   rest of the record fails closed as [UNSCANNED].
 */
#define _GNU_SOURCE /* memrchr */
#include "scrub.h"

#include "filter.h"
#include "jsonl.h"

#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SUBJECT_PAD 64 /* see buf_pad */
#define UNSCANNED_TEXT "[UNSCANNED]"
#define UNSCANNED_LEN (sizeof UNSCANNED_TEXT - 1)
#define LONGREC_MIN_CAP (1u << 20)
#define LONGREC_CAP_BLOCKS 16

void chunk_out_reset(ps_chunk_out *o)
{
    o->out.len = 0;
    o->nf = 0;
    o->fields.len = 0;
    o->records = o->changed = o->unscanned = o->invalid = o->missing_field = 0;
    memset(o->dropped, 0, sizeof o->dropped);
    o->status = PS_OK;
}

void chunk_out_free(ps_chunk_out *o)
{
    buf_free(&o->out);
    buf_free(&o->fields);
    free(o->f);
    memset(o, 0, sizeof *o);
}

int worker_init(ps_worker *w, const ps_engine *e, const ps_run_options *o, const struct ps_jpaths *paths)
{
    memset(w, 0, sizeof *w);
    w->e = e;
    w->o = o;
    w->paths = paths;
    w->format = o->format;
    w->check_only = o->check_only;
    int st = engine_scratch_new(e, &w->s);
    if (st == PS_OK && o->profile)
        st = engine_profile_enable(w->s, e);
    return st;
}

void worker_free(ps_worker *w)
{
    engine_scratch_free(w->s);
    spanvec_free(&w->spans);
    spanvec_free(&w->matches);
    buf_free(&w->dec);
    buf_free(&w->red);
    buf_free(&w->tmp);
    memset(w, 0, sizeof *w);
}

char scrub_separator(ps_format f)
{
    return f == PS_FORMAT_NUL ? '\0' : '\n';
}

static int push_finding(ps_chunk_out *o, uint64_t record, const ps_span *sp, size_t field)
{
    if (o->nf == o->capf) {
        size_t cap = o->capf ? o->capf * 2 : 64;
        ps_chunk_finding *f = realloc(o->f, cap * sizeof *f);
        if (!f)
            return -1;
        o->f = f;
        o->capf = cap;
    }
    o->f[o->nf++] = (ps_chunk_finding){record, sp->start, sp->end - sp->start, sp->rule, field};
    return 0;
}

/* Merges w->spans and records them as findings (field: see ps_chunk_finding). @return the merged count, or -1. */
static long merge_and_count(ps_worker *w, uint64_t record, size_t field, ps_chunk_out *o)
{
    size_t n = redact_merge(engine_redactor(w->e), w->spans.v, w->spans.n);
    w->spans.n = n;
    for (size_t i = 0; i < n; i++)
        if (push_finding(o, record, &w->spans.v[i], field))
            return -1;
    return (long)n;
}

/* Merges w->spans, records them as findings and renders text[from..to) (record offsets; text is at `base`). */
static int emit(ps_worker *w, const char *text, uint64_t base, uint64_t from, uint64_t to, uint64_t record,
                ps_chunk_out *o)
{
    if (merge_and_count(w, record, 0, o) < 0)
        return PS_E_NOMEM;
    if (w->check_only)
        return PS_OK;
    return redact_render(engine_redactor(w->e), text, base, from, to, w->spans.v, w->spans.n, &o->out)
               ? PS_E_NOMEM
               : PS_OK;
}

/* Appends base[*pending..upto) — unchanged bytes not yet copied — to the output. */
static int flush(ps_worker *w, const char *base, size_t *pending, size_t upto, ps_chunk_out *o)
{
    int r = w->check_only ? 0 : buf_append(&o->out, base + *pending, upto - *pending);
    *pending = upto;
    return r ? PS_E_NOMEM : PS_OK;
}

static int append_unscanned(ps_worker *w, ps_chunk_out *o)
{
    o->unscanned++;
    return w->check_only || buf_append(&o->out, UNSCANNED_TEXT, UNSCANNED_LEN) == 0 ? PS_OK : PS_E_NOMEM;
}

/* The state of one record while it is scrubbed, so that a drop policy can take it all back. */
typedef struct record_mark {
    size_t out_len, nf, fields_len, pending;
    uint64_t unscanned;
} record_mark;

static record_mark mark(const ps_chunk_out *o, size_t pending)
{
    return (record_mark){o->out.len, o->nf, o->fields.len, pending, o->unscanned};
}

/* Takes back all that was done since the mark. */
static void rewind_to(const record_mark *m, ps_chunk_out *o, size_t *pending)
{
    o->out.len = m->out_len;
    o->nf = m->nf;
    o->fields.len = m->fields_len;
    o->unscanned = m->unscanned;
    *pending = m->pending;
}

/* Leaves the record base[at..at+n) and its separator out of the output. */
static int drop_record(ps_worker *w, const char *base, size_t at, size_t n, size_t *pending, const record_mark *m,
                       ps_drop_reason why, ps_chunk_out *o)
{
    rewind_to(m, o, pending);
    int st = flush(w, base, pending, at, o);
    *pending = at + n; /* the caller skips the separator */
    o->dropped[why]++;
    return st;
}

/* A plain-text record base[at..at+n) (without separator). Unchanged records are not copied here: their bytes stay
 * pending and are copied in one piece with their neighbours (most records of most inputs have nothing to redact).
 * @return PS_OK, or a status that stops the chunk (abort, no memory); *findings gets the record's findings. */
static int scrub_text(ps_worker *w, const char *base, size_t at, size_t n, size_t *pending, ps_chunk_out *o,
                      uint64_t *findings)
{
    /* The chunk prefilter's cursor stands at or after the record's start: its next trigger word is after the record
     * or not (see ps_worker.next_word). */
    int no_words = w->next_word >= at + n;
    const char *p = base + at;
    size_t len = n;
    if (w->format != PS_FORMAT_NUL && len && p[len - 1] == '\r')
        len--; /* CRLF stays CRLF: the CR is passed through, never part of a match */
    ps_subject subj = {p, len, 0, 0, 1, no_words, 0};
    size_t hold;
    w->spans.n = 0;
    *findings = 0;
    int st = engine_scan(w->e, w->s, &subj, -1, &w->spans, NULL, &hold);
    if (st == PS_OK && w->spans.n == 0)
        return PS_OK;
    size_t nf_before = o->nf;
    if (st == PS_OK && (st = flush(w, base, pending, at, o)) == PS_OK)
        st = emit(w, p, 0, 0, len, o->records, o);
    if (st == PS_OK) {
        *pending = at + len;
        *findings = o->nf - nf_before;
        return PS_OK;
    }
    if (st == PS_E_UNSCANNED && w->o->on_error == PS_ON_ERROR_UNSCANNED) {
        /* Fail closed: nothing of the record is written. */
        o->nf = nf_before;
        if ((st = flush(w, base, pending, at, o)) == PS_OK)
            st = append_unscanned(w, o);
        *pending = at + n;
    }
    return st;
}

/* jsonl: the walk's callback context for one line. */
typedef struct json_ctx {
    ps_worker *w;
    const char *base;
    size_t at;
    size_t *pending;
    ps_chunk_out *o;
    uint64_t findings, scanned;
    int status;
} json_ctx;

#define JSON_PREFILTER_MAX 512
#define JSON_SHORT 16 /* bytes: a string this short is a label or a code, seldom followed by more plain text */

/* Are the escapes of raw[0..n), a valid string's content, all plain (a quote, a backslash or a control byte: no
 * \uXXXX, no \/)? *decoded_len gets the content's length once decoded (each plain escape is two bytes, one when
 * decoded). */
static bool plain_escapes(const char *raw, size_t n, size_t *decoded_len)
{
    *decoded_len = n;
    for (const char *p = raw, *e = raw + n; (p = memchr(p, '\\', (size_t)(e - p))); p += 2) {
        if (p[1] == 'u' || p[1] == '/')
            return false;
        --*decoded_len;
    }
    return true;
}

/* A redacted string value, appended to out: the bytes outside the spans (merged, sorted, in the decoded text) as the
 * line has them, escapes and all, so that a "\u00e9" or "\/" nobody redacted comes out as it went in, and each
 * span's replacement encoded for JSON; no pass over the rest of the value to encode it again (a document's text,
 * with a "\n" on every line). A span's edge inside an escape's decoding takes in the whole escape. @return 0 or -1
 * (no memory). */
static int emit_json_value(ps_worker *w, const char *raw, size_t raw_len, const char *text, size_t len, bool esc,
                           ps_buf *out)
{
    const ps_redactor *r = engine_redactor(w->e);
    size_t copied = 0, raw_at = 0, dec_at = 0;
    for (size_t i = 0; i < w->spans.n; i++) {
        /* Clamped rather than trusted, as redact_render does: a span past the text reads nothing past it. */
        size_t e = w->spans.v[i].end < len ? (size_t)w->spans.v[i].end : len;
        size_t s = w->spans.v[i].start < e ? (size_t)w->spans.v[i].start : e, rs = s, re = e;
        if (esc) {
            jsonl_raw_offset(raw, raw_len, &raw_at, &dec_at, s, false);
            rs = raw_at; /* (below copied when the last span took in the escape this one starts in) */
            jsonl_raw_offset(raw, raw_len, &raw_at, &dec_at, e, true);
            re = raw_at;
        }
        rs = rs < copied ? copied : rs;
        w->red.len = 0;
        if (buf_append(out, raw + copied, rs - copied) ||
            redact_replace(r, w->spans.v[i].rule, text + s, e - s, &w->red) || jsonl_encode(w->red.p, w->red.len, out))
            return -1;
        copied = re < rs ? rs : re;
    }
    return buf_append(out, raw + copied, raw_len - copied);
}

/* One string value of a JSON line: decode, scan, and write it anew when something is redacted (emit_json_value). */
static int scrub_json_string(void *ctx, const ps_jstring *js)
{
    json_ctx *c = ctx;
    ps_worker *w = c->w;
    const char *raw = c->base + c->at + js->start;
    size_t raw_len = js->end - js->start;
    const char *text = raw;
    size_t len = raw_len;
    /* A short value (a label, a code) is looked at on its own: the cursor's look ahead from it would read the long
     * strings after it, and when those hold escapes they never ask the cursor (documents: 7 % of the run). A string
     * whose escapes are plain (a quote, a newline) asks about its raw text, where decoding makes no trigger
     * (engine_escapes_inert), when it is short enough to hope for none (see below): prose lines in JSON often hold
     * quotes, and each such string took a look of its own at its decoded text (JSONL lines: 4 % of the run). */
    size_t ahead = len < JSON_SHORT ? c->at + js->end : w->pf_len, decoded_len = len;
    bool raw_asks = w->pf_cur && (!js->has_escapes || (raw_len <= JSON_PREFILTER_MAX && engine_escapes_inert(w->e) &&
                                                       plain_escapes(raw, raw_len, &decoded_len)));
    if (raw_asks &&
        (len < engine_min_len(w->e) || /* an id, a flag: too short for any match, not worth the cursor's look */
         engine_next_trigger(w->e, w->pf_cur, c->base, ahead, c->at + js->start, c->at + js->end) >= c->at + js->end)) {
        c->scanned += decoded_len;
        return 0; /* no rule can match in it (see ps_worker.pf_cur) */
    }
    if (js->has_escapes) {
        if (!js->decoded) { /* else the walk decoded it into w->dec */
            w->dec.len = 0;
            if (jsonl_decode(raw, raw_len, &w->dec))
                return c->status = PS_E_NOMEM;
        }
        if (buf_pad(&w->dec, SUBJECT_PAD))
            return c->status = PS_E_NOMEM;
        text = w->dec.p;
        len = w->dec.len;
        /* Escapes change bytes (\u0040 is '@') and so runs and words: the decoded text gets its own look, when it
         * is short enough to hope for none (a document of twenty lines nearly always holds a trigger). */
        ps_trigger_cursor own = {0};
        if (w->pf_cur && !raw_asks && len <= JSON_PREFILTER_MAX &&
            engine_next_trigger(w->e, &own, text, len, 0, len) >= len) {
            c->scanned += len;
            return 0;
        }
    }
    c->scanned += len;
    /* Past the checks above, a string the cursor looked at (raw_asks) has its next word after it, or not. */
    ps_subject subj = {text, len, 0, 0, 1, raw_asks && w->pf_cur->word >= c->at + js->end, 0};
    size_t hold;
    w->spans.n = 0;
    int st = engine_scan(w->e, w->s, &subj, -1, &w->spans, NULL, &hold);
    if (st == PS_OK && w->spans.n == 0)
        return 0;
    size_t content_at = c->at + js->start;
    if ((c->status = flush(w, c->base, c->pending, content_at, c->o)) != PS_OK)
        return c->status;
    *c->pending = content_at + raw_len;
    if (st == PS_E_UNSCANNED) {
        if (w->o->on_error == PS_ON_ERROR_ABORT)
            return c->status = PS_E_UNSCANNED;
        return (c->status = append_unscanned(w, c->o)) != PS_OK;
    }
    if (st != PS_OK)
        return c->status = st;
    /* The field path goes into the chunk's arena once per string with findings. */
    size_t field = c->o->fields.len + 1;
    const char *path = jsonl_string_path(js);
    if (!path || buf_append(&c->o->fields, path, strlen(path) + 1))
        return c->status = PS_E_NOMEM;
    long n = merge_and_count(w, c->o->records, field, c->o);
    if (n < 0)
        return c->status = PS_E_NOMEM;
    c->findings += (uint64_t)n;
    if (w->check_only)
        return 0;
    if (emit_json_value(w, raw, raw_len, text, len, js->has_escapes, &c->o->out))
        return c->status = PS_E_NOMEM;
    return 0;
}

#define JSON_MAX_DEPTH (1u << 20) /* the walk is iterative: a byte per level */

/* A JSON line. @return as scrub_text; *drop is set to a ps_drop_reason when the record is to be left out. */
static int scrub_json(ps_worker *w, const char *base, size_t at, size_t n, size_t *pending, ps_chunk_out *o,
                      const record_mark *m, uint64_t *findings, uint64_t *scanned, int *drop)
{
    const char *line = base + at;
    const ps_filter *f = w->o->filter;
    int rc = JSONL_OK;
    if (filter_has_field_gates(f)) {
        /* Gates come before scanning, and need a valid line to read fields from (one pass does both). */
        int missing, why;
        rc = filter_gate(f, line, n, JSON_MAX_DEPTH, &w->tmp, &missing, &why);
        if (rc == JSONL_OK) {
            o->missing_field += missing;
            if (why >= 0) {
                *drop = why;
                return PS_OK;
            }
        } else if (rc != JSONL_NOMEM && filter_has_require(f)) {
            /* A line that is not JSON cannot show the consent a gate requires: it stays out. */
            o->invalid++;
            o->missing_field++;
            *drop = PS_DROP_REQUIRE;
            return PS_OK;
        }
    }
    json_ctx c = {w, base, at, pending, o, 0, 0, PS_OK};
    if (rc == JSONL_OK) /* one pass: strings are scrubbed before the end of the line is known to be valid */
        rc = jsonl_walk_optimistic(line, n, w->paths, JSON_MAX_DEPTH, &w->dec, scrub_json_string, &c);
    *findings = c.findings;
    *scanned = c.scanned;
    if (rc == JSONL_OK)
        return PS_OK;
    if (c.status != PS_OK)
        return c.status;
    if (rc == JSONL_NOMEM)
        return PS_E_NOMEM;
    /* Not valid JSON: what its strings got is taken back, and the --on-invalid policy applies. */
    rewind_to(m, o, pending);
    *findings = 0;
    o->invalid++;
    switch (w->o->on_invalid) {
    case PS_ON_INVALID_DROP:
        *drop = PS_DROP_INVALID;
        return PS_OK;
    case PS_ON_INVALID_ABORT:
        return PS_E_INVALID;
    default:
        *scanned = n;
        return scrub_text(w, base, at, n, pending, o, findings);
    }
}

/* One record of any format, with the drop policies. @return PS_OK, or a status that stops the chunk; *dropped set
 * when the record (and so its separator) is left out. */
static int scrub_record(ps_worker *w, const char *base, size_t at, size_t n, size_t *pending, ps_chunk_out *o,
                        int *dropped)
{
    record_mark m = mark(o, *pending);
    uint64_t findings = 0, scanned = n;
    int drop = -1, st;
    if (w->format == PS_FORMAT_JSONL)
        st = scrub_json(w, base, at, n, pending, o, &m, &findings, &scanned, &drop);
    else
        st = scrub_text(w, base, at, n, pending, o, &findings);
    if (st != PS_OK) {
        /* Abort: the output keeps the whole records before this one. */
        rewind_to(&m, o, pending);
        return flush(w, base, pending, at, o) ? PS_E_NOMEM : st;
    }
    const ps_filter *f = w->o->filter;
    if (drop < 0 && f && findings)
        drop = filter_policy(f, findings, scanned);
    *dropped = drop >= 0;
    if (drop >= 0)
        st = drop_record(w, base, at, n, pending, &m, (ps_drop_reason)drop, o);
    else
        o->changed += findings > 0 || o->unscanned > m.unscanned;
    o->records++;
    return st;
}

void scrub_one(ps_worker *w, const char *p, size_t n, ps_chunk_out *o)
{
    size_t pending = 0;
    int dropped = 0;
    o->status = scrub_record(w, p, 0, n, &pending, o, &dropped);
    if (o->status == PS_OK && !dropped && flush(w, p, &pending, n, o))
        o->status = PS_E_NOMEM;
}

/* The number of c in p[0..n): the records of a stretch the prefilter skips (a million short lines in 50 MB of prose:
 * a memchr per line cost more than the count). */
static size_t count_byte(const char *p, size_t n, char c)
{
    size_t k = 0, i = 0;
#ifdef __SSE2__
    /* Byte counters (a match is -1: subtract it), summed every 255 steps before they could wrap. */
    const __m128i cc = _mm_set1_epi8(c), zero = _mm_setzero_si128();
    __m128i total = zero;
    while (i + 16 <= n) {
        __m128i acc = zero;
        for (int step = 0; step < 255 && i + 16 <= n; step++, i += 16)
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + i)), cc));
        total = _mm_add_epi64(total, _mm_sad_epu8(acc, zero));
    }
    k = (size_t)_mm_cvtsi128_si64(total) + (size_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(total, total));
#endif
    for (; i < n; i++)
        k += p[i] == c;
    return k;
}

void scrub_chunk(ps_worker *w, const char *p, size_t n, ps_chunk_out *o)
{
    char sep = scrub_separator(w->format);
    size_t pos = 0, pending = 0;
    /* The prefilter: a record without a trigger has no match of any rule. In text formats such records pass
     * through unscanned (they stay pending and are copied with their neighbours; only their count is kept). JSON
     * lines are all validated and gated, but only the strings with a trigger or an escape (\u0040 is '@') inside
     * are decoded and scanned (scrub_json_string). */
    bool prefilter = engine_prefilter_on(w->e), json = w->format == PS_FORMAT_JSONL;
    ps_trigger_cursor cur = {0};
    while (pos < n) {
        const char *end = memchr(p + pos, sep, n - pos);
        if (prefilter && !json) {
            size_t t = engine_next_trigger(w->e, &cur, p, n, pos, end ? (size_t)(end - p) : n), upto = t;
            if (t > pos && t < n) { /* back to the start of the trigger's record */
                const char *sep_before = memrchr(p + pos, sep, t - pos);
                upto = sep_before ? (size_t)(sep_before - p) + 1 : pos;
            }
            if (upto > pos) {
                o->records += count_byte(p + pos, upto - pos, sep) + (upto == n && p[n - 1] != sep);
                pos = upto;
                continue;
            }
        }
        size_t len = end ? (size_t)(end - (p + pos)) : n - pos;
        w->pf_cur = prefilter && json ? &cur : NULL;
        w->pf_len = n;
        w->next_word = prefilter && !json ? cur.word : 0;
        int dropped = 0;
        o->status = scrub_record(w, p, pos, len, &pending, o, &dropped);
        w->pf_cur = NULL;
        w->next_word = 0;
        if (o->status != PS_OK)
            return;
        pos += len + (end != NULL);
        if (dropped)
            pending = pos;
    }
    if (flush(w, p, &pending, n, o))
        o->status = PS_E_NOMEM;
}

/* ---------------------------------------------------------------- over-long records */

void longrec_init(ps_longrec *lr, size_t block)
{
    memset(lr, 0, sizeof *lr);
    lr->block = block;
    lr->cap = block * LONGREC_CAP_BLOCKS > LONGREC_MIN_CAP ? block * LONGREC_CAP_BLOCKS : LONGREC_MIN_CAP;
    lr->want = block;
}

void longrec_free(ps_longrec *lr)
{
    buf_free(&lr->win);
}

static void longrec_reset(ps_longrec *lr)
{
    lr->win.len = 0;
    lr->base = 0;
    lr->out_pos = 0;
    lr->want = lr->block;
    lr->failed = 0;
    lr->changed = 0;
}

/* The boundary: start at hold, then move left past any match that reaches it. */
static size_t pick_boundary(const ps_spanvec *matches, size_t hold, size_t from)
{
    size_t b = hold;
    int moved = 1;
    while (moved && b > from) {
        moved = 0;
        for (size_t i = 0; i < matches->n; i++) {
            const ps_span *m = &matches->v[i];
            if (m->start < b && m->end >= b) {
                b = (size_t)m->start;
                moved = 1;
            }
        }
    }
    return b < from ? from : b;
}

/* Fail closed for the rest of the record. */
static void longrec_fail(ps_worker *w, ps_longrec *lr, ps_chunk_out *o)
{
    lr->failed = 1;
    lr->changed = 1;
    if (w->o->on_error == PS_ON_ERROR_ABORT) {
        o->unscanned++;
        o->status = PS_E_UNSCANNED;
        return;
    }
    o->status = append_unscanned(w, o);
}

/* jsonl: an over-long line is gathered whole (up to the cap) and scrubbed as one JSON record, since a JSON value
 * cannot be redacted in windows without breaking its escapes. */
static void longrec_json(ps_worker *w, ps_longrec *lr, int last, ps_chunk_out *o)
{
    if (!last) {
        if (lr->win.len > lr->cap)
            longrec_fail(w, lr, o);
        return;
    }
    size_t pending = 0;
    int dropped = 0;
    uint64_t records = o->records;
    o->status = scrub_record(w, lr->win.p, 0, lr->win.len, &pending, o, &dropped);
    if (o->status == PS_OK && !dropped && flush(w, lr->win.p, &pending, lr->win.len, o))
        o->status = PS_E_NOMEM;
    o->records = records; /* longrec_feed counts the record */
    lr->changed = 0;
}

/* Scans the window once. @return 1 when it made progress, 0 when it needs more bytes, -1 on failure (o->status set
 * or the record failed closed). */
static int longrec_step(ps_worker *w, ps_longrec *lr, int last, ps_chunk_out *o)
{
    size_t len = lr->win.len;
    int keep_cr = w->format == PS_FORMAT_TEXT && len > lr->out_pos && lr->win.p[len - 1] == '\r';
    size_t subj_len = len - (size_t)keep_cr;
    ps_subject subj = {lr->win.p, subj_len, lr->base, lr->out_pos, last, 0, 1};
    size_t hold;
    w->spans.n = 0;
    w->matches.n = 0;
    int st = engine_scan(w->e, w->s, &subj, -1, &w->spans, last ? NULL : &w->matches, &hold);
    if (st == PS_E_UNSCANNED) {
        longrec_fail(w, lr, o);
        return -1;
    }
    if (st) {
        o->status = st;
        return -1;
    }
    size_t b = last ? subj_len : pick_boundary(&w->matches, hold, lr->out_pos);
    if (!last && b <= lr->out_pos)
        return 0;
    /* Only spans before the boundary are final. */
    size_t k = 0;
    for (size_t i = 0; i < w->spans.n; i++)
        if (w->spans.v[i].start < lr->base + b)
            w->spans.v[k++] = w->spans.v[i];
    w->spans.n = k;
    size_t nf_before = o->nf;
    if (emit(w, lr->win.p, lr->base, lr->base + lr->out_pos, lr->base + b, 0, o)) {
        o->status = PS_E_NOMEM;
        return -1;
    }
    lr->changed |= o->nf > nf_before;
    if (last) {
        if (keep_cr && !w->check_only && buf_append(&o->out, "\r", 1))
            o->status = PS_E_NOMEM;
        return 1;
    }
    /* Keep a back margin before the boundary for the next window. */
    size_t margin = engine_back_margin(w->e);
    size_t drop = b > margin ? b - margin : 0;
    memmove(lr->win.p, lr->win.p + drop, len - drop);
    lr->win.len -= drop;
    lr->base += drop;
    lr->out_pos = b - drop;
    lr->want = lr->win.len + lr->block;
    return 1;
}

void longrec_feed(ps_worker *w, ps_longrec *lr, const char *p, size_t n, int last, ps_chunk_out *o)
{
    if (!lr->failed && (buf_append(&lr->win, p, n) || buf_pad(&lr->win, SUBJECT_PAD))) {
        o->status = PS_E_NOMEM;
        return;
    }
    if (w->format == PS_FORMAT_JSONL && !lr->failed) {
        longrec_json(w, lr, last, o);
    }
    while (w->format != PS_FORMAT_JSONL && !lr->failed && o->status == PS_OK && (last || lr->win.len >= lr->want)) {
        int r = longrec_step(w, lr, last, o);
        if (r < 0 || last)
            break;
        if (r == 0) {
            /* No boundary yet: wait for more bytes, up to the cap. */
            if (lr->win.len >= lr->cap) {
                longrec_fail(w, lr, o);
                break;
            }
            lr->want = lr->win.len * 2 < lr->cap ? lr->win.len * 2 : lr->cap;
        }
    }
    if (lr->failed)
        lr->win.len = 0; /* the rest of the record is discarded unscanned */
    if (last) {
        o->records++;
        o->changed += lr->changed;
        longrec_reset(lr);
    }
}
