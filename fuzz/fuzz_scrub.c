/* fuzz_scrub.c — engine, explain and redaction over one arbitrary record with the built-in packs: no crash, no leak,
 * every kept candidate that --explain reports lies inside a span the redaction replaced, and the engine with its
 * gates and bounded searches accepts exactly the candidates an exhaustive scan (every rule, whole record) accepts.
 * (Idempotence is not a property: a guard like "not after a letter" can hold after a tag where it failed before.) */
#include "fuzz_common.h"

#include "buf.h"
#include "engine.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct check {
    size_t kept;
} check;

static int on_event(void *ctx, const ps_explain_event *ev)
{
    check *c = ctx;
    if (ev->kept) {
        c->kept++;
        if (ev->start < ev->redacted_start || ev->end > ev->redacted_end)
            abort(); /* a kept candidate outside its redaction would leak */
    }
    return 0;
}

static void same_as_exhaustive(const ps_engine *e, const char *data, size_t size)
{
    ps_buf copy = {0};
    ps_scratch *gated = NULL, *all = NULL;
    ps_spanvec a = {0}, b = {0};
    if (buf_append(&copy, data, size) == 0 && buf_pad(&copy, 64) == 0 && engine_scratch_new(e, &gated) == PS_OK &&
        engine_scratch_new(e, &all) == PS_OK) {
        engine_scratch_exhaustive(all);
        ps_subject subj = {copy.p ? copy.p : "", size, 0, 0, 1, 0, 0};
        size_t hold;
        int sa = engine_scan(e, gated, &subj, -1, &a, NULL, &hold);
        int sb = engine_scan(e, all, &subj, -1, &b, NULL, &hold);
        if (sa == PS_OK && sb == PS_OK) { /* a match limit may stop one and not the other */
            if (a.n != b.n)
                abort();
            if (a.n) {
                qsort(a.v, a.n, sizeof *a.v, redact_span_cmp);
                qsort(b.v, b.n, sizeof *b.v, redact_span_cmp);
            }
            for (size_t i = 0; i < a.n; i++)
                if (redact_span_cmp(&a.v[i], &b.v[i]))
                    abort(); /* a gate or a bound hid (or made up) a candidate */
        }
    }
    spanvec_free(&a);
    spanvec_free(&b);
    engine_scratch_free(gated);
    engine_scratch_free(all);
    buf_free(&copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_engine *e = fuzz_engine();
    char *out = NULL;
    size_t n = 0;
    int st = ps_scrub(e, (const char *)data, size, &out, &n);
    if (st == PS_E_NOMEM)
        return 0;
    free(out);
    check c = {0};
    int xst = ps_explain(e, (const char *)data, size, on_event, &c);
    if (xst != PS_OK && xst != PS_E_UNSCANNED && xst != PS_E_NOMEM)
        abort();
    same_as_exhaustive(e, (const char *)data, size);
    return 0;
}
