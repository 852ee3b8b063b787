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
 *   from B. The result equals scanning the whole record at once, whatever the window size; when no boundary can be
 *   found within `cap` bytes the rest of the record fails closed as [UNSCANNED].
 */
#include "scrub.h"

#include <stdlib.h>
#include <string.h>

#define UNSCANNED_TEXT "[UNSCANNED]"
#define UNSCANNED_LEN (sizeof UNSCANNED_TEXT - 1)
#define LONGREC_MIN_CAP (1u << 20)
#define LONGREC_CAP_BLOCKS 16

void chunk_out_reset(ps_chunk_out *o)
{
    o->out.len = 0;
    o->nf = 0;
    o->records = o->changed = o->unscanned = 0;
    o->status = PS_OK;
}

void chunk_out_free(ps_chunk_out *o)
{
    buf_free(&o->out);
    free(o->f);
    memset(o, 0, sizeof *o);
}

int worker_init(ps_worker *w, const ps_engine *e, ps_format format, ps_on_error on_error, int check_only)
{
    memset(w, 0, sizeof *w);
    w->e = e;
    w->format = format;
    w->on_error = on_error;
    w->check_only = check_only;
    return engine_scratch_new(e, &w->s);
}

void worker_free(ps_worker *w)
{
    engine_scratch_free(w->s);
    spanvec_free(&w->spans);
    spanvec_free(&w->matches);
    memset(w, 0, sizeof *w);
}

char scrub_separator(ps_format f)
{
    return f == PS_FORMAT_NUL ? '\0' : '\n';
}

static int push_finding(ps_chunk_out *o, uint64_t record, const ps_span *sp)
{
    if (o->nf == o->capf) {
        size_t cap = o->capf ? o->capf * 2 : 64;
        ps_finding *f = realloc(o->f, cap * sizeof *f);
        if (!f)
            return -1;
        o->f = f;
        o->capf = cap;
    }
    o->f[o->nf++] = (ps_finding){record, sp->start, sp->end - sp->start, sp->rule};
    return 0;
}

/* Merges w->spans, records them as findings and renders text[from..to) (record offsets; text is at `base`). */
static int emit(ps_worker *w, const char *text, uint64_t base, uint64_t from, uint64_t to, uint64_t record,
                ps_chunk_out *o)
{
    const ps_redactor *r = engine_redactor(w->e);
    size_t n = redact_merge(r, w->spans.v, w->spans.n);
    for (size_t i = 0; i < n; i++)
        if (push_finding(o, record, &w->spans.v[i]))
            return PS_E_NOMEM;
    if (w->check_only)
        return PS_OK;
    return redact_render(r, text, base, from, to, w->spans.v, n, &o->out) ? PS_E_NOMEM : PS_OK;
}

/* Appends base[*pending..upto) — unchanged bytes not yet copied — to the output. */
static int flush(ps_worker *w, const char *base, size_t *pending, size_t upto, ps_chunk_out *o)
{
    int r = w->check_only ? 0 : buf_append(&o->out, base + *pending, upto - *pending);
    *pending = upto;
    return r ? PS_E_NOMEM : PS_OK;
}

/* One whole record base[at..at+n) (without separator). Unchanged records are not copied here: their bytes stay
 * pending and are copied in one piece with their neighbours (most records of most inputs have nothing to redact). */
static void scrub_record(ps_worker *w, const char *base, size_t at, size_t n, size_t *pending, ps_chunk_out *o)
{
    const char *p = base + at;
    size_t len = n;
    if (w->format == PS_FORMAT_TEXT && len && p[len - 1] == '\r')
        len--; /* CRLF stays CRLF: the CR is passed through, never part of a match */
    ps_subject subj = {p, len, 0, 0, 1};
    size_t hold;
    w->spans.n = 0;
    int st = engine_scan(w->e, w->s, &subj, -1, &w->spans, NULL, &hold);
    if (st == PS_OK && w->spans.n == 0) {
        o->records++;
        return;
    }
    size_t out_before = o->out.len, nf_before = o->nf;
    if (st == PS_OK && (st = flush(w, base, pending, at, o)) == PS_OK)
        st = emit(w, p, 0, 0, len, o->records, o);
    if (st == PS_OK) {
        *pending = at + len;
        o->changed++;
        o->records++;
        return;
    }
    o->out.len = out_before;
    o->nf = nf_before;
    if (st == PS_E_UNSCANNED && w->on_error == PS_ON_ERROR_UNSCANNED) {
        /* Fail closed: nothing of the record is written. */
        st = flush(w, base, pending, at, o);
        if (st == PS_OK && !w->check_only && buf_append(&o->out, UNSCANNED_TEXT, UNSCANNED_LEN))
            st = PS_E_NOMEM;
        *pending = at + n;
        o->unscanned++;
        o->changed++;
        o->records++;
        if (st == PS_OK)
            return;
    }
    /* Abort: the output keeps the whole records before this one. */
    if (st != PS_E_NOMEM)
        st = flush(w, base, pending, at, o) ? PS_E_NOMEM : st;
    o->status = st;
}

void scrub_one(ps_worker *w, const char *p, size_t n, ps_chunk_out *o)
{
    size_t pending = 0;
    scrub_record(w, p, 0, n, &pending, o);
    if (o->status == PS_OK && flush(w, p, &pending, n, o))
        o->status = PS_E_NOMEM;
}

void scrub_chunk(ps_worker *w, const char *p, size_t n, ps_chunk_out *o)
{
    char sep = scrub_separator(w->format);
    size_t pos = 0, pending = 0;
    while (pos < n) {
        const char *end = memchr(p + pos, sep, n - pos);
        size_t len = end ? (size_t)(end - (p + pos)) : n - pos;
        scrub_record(w, p, pos, len, &pending, o);
        if (o->status != PS_OK)
            return;
        pos += len + (end != NULL);
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
    o->unscanned++;
    if (w->on_error == PS_ON_ERROR_ABORT) {
        o->status = PS_E_UNSCANNED;
        return;
    }
    if (!w->check_only && buf_append(&o->out, UNSCANNED_TEXT, UNSCANNED_LEN))
        o->status = PS_E_NOMEM;
}

/* Scans the window once. @return 1 when it made progress, 0 when it needs more bytes, -1 on failure (o->status set
 * or the record failed closed). */
static int longrec_step(ps_worker *w, ps_longrec *lr, int last, ps_chunk_out *o)
{
    size_t len = lr->win.len;
    int keep_cr = w->format == PS_FORMAT_TEXT && len > lr->out_pos && lr->win.p[len - 1] == '\r';
    size_t subj_len = len - (size_t)keep_cr;
    ps_subject subj = {lr->win.p, subj_len, lr->base, lr->out_pos, last};
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
    if (!lr->failed && buf_append(&lr->win, p, n)) {
        o->status = PS_E_NOMEM;
        return;
    }
    while (!lr->failed && o->status == PS_OK && (last || lr->win.len >= lr->want)) {
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
