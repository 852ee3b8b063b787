/* filter.h — consent/region gates and document drop policies (the ps_filter of the public API). */
#ifndef PS_FILTER_H
#define PS_FILTER_H

#include "buf.h"
#include "idset.h"
#include "piiscrub.h"

#include <stdint.h>

typedef struct ps_gate {
    char *field;
    int require;    /* 1: keep only records whose field equals values[0]; 0: drop records with one of values */
    char **values;
    size_t n_values;
} ps_gate;

struct ps_filter {
    ps_gate *gates;
    size_t n_gates;
    ps_idset *ids;
    char *id_field;
    const char **fields; /* what the gates read (borrowed from gates and id_field), the id field last */
    size_t n_fields;
    uint64_t drop_findings;
    double drop_density;
};

/* @return 1 when the filter has gates that need fields (jsonl only). */
int filter_has_field_gates(const ps_filter *f);

/* @return 1 when some gate requires a value (then a line that cannot show it — invalid JSON — stays out). */
int filter_has_require(const ps_filter *f);

/* Validates one JSON line (nesting up to max_depth) and applies the gates to it, in one pass over it. @return the
 * line's JSONL status; on JSONL_OK, *why is -1 to keep the record or the ps_drop_reason to drop it, and *missing is
 * set when a gated field was absent. tmp is scratch space. No memory for a value drops the record: when in doubt, a
 * gated record stays out. */
int filter_gate(const ps_filter *f, const char *line, size_t n, unsigned max_depth, ps_buf *tmp, int *missing,
                int *why);

/* @return the drop reason for a record with `findings` findings over `scanned` bytes, or -1 to keep it. */
int filter_policy(const ps_filter *f, uint64_t findings, uint64_t scanned);

#endif
