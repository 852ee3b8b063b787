/* fuzz_rules.c — the rule loader and compiler on arbitrary YAML: never crash, never leak, errors always located. */
#include "piiscrub.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ps_ruleset *rs;
    ps_diag d;
    if (ps_ruleset_new(&rs))
        return 0;
    int st = ps_ruleset_load_buffer(rs, "fuzz.yaml", (const char *)data, size, &d);
    if (st == PS_OK) {
        ps_engine *e;
        ps_engine_options o = {0};
        o.match_limit = 100000;
        if (ps_engine_compile(rs, &o, &e, &d) == PS_OK) {
            char *out;
            size_t n;
            static const char text[] = "mail a@b.io call 555-867-5309 card 4111 1111 1111 1111 \xff\xfe";
            if (ps_scrub(e, text, sizeof text - 1, &out, &n) != PS_E_NOMEM)
                free(out);
            size_t run, failed;
            ps_engine_test_examples(e, NULL, NULL, &run, &failed);
            ps_engine_free(e);
        }
    } else if (st == PS_E_RULES && d.msg[0] == 0) {
        abort(); /* a rule error must say what is wrong */
    }
    ps_ruleset_free(rs);
    return 0;
}
