/* fuzz_scrub.c — engine, explain and redaction over one arbitrary record with the built-in packs: no crash, no leak,
 * and every kept candidate that --explain reports lies inside a span the redaction replaced.
 * (Idempotence is not a property: a guard like "not after a letter" can hold after a tag where it failed before.) */
#include "fuzz_common.h"

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
    return 0;
}
