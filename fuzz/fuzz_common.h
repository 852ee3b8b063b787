/* fuzz_common.h — the fixed engine the scrub and frame targets use: the built-in packs. */
#ifndef PS_FUZZ_COMMON_H
#define PS_FUZZ_COMMON_H

#include "piiscrub.h"

#include <stdlib.h>

static ps_engine *fuzz_engine(void)
{
    static ps_engine *e;
    if (!e) {
        ps_ruleset *rs;
        ps_diag d;
        ps_engine_options o = {0};
        o.match_limit = 200000;
        if (ps_ruleset_new(&rs) || ps_ruleset_load_builtin(rs, &d) || ps_engine_compile(rs, &o, &e, &d))
            abort();
        ps_ruleset_free(rs);
    }
    return e;
}

#endif
