/* scrub.h — redact records: a chunk of whole records, or one over-long record fed in windows.
 * Knows nothing of threads: the pipeline calls these from whichever thread owns the chunk. */
#ifndef PS_SCRUB_H
#define PS_SCRUB_H

#include "buf.h"
#include "engine.h"
#include "piiscrub.h"
#include "redact.h"

#include <stddef.h>
#include <stdint.h>

/* A finding as a chunk keeps it: the record index inside the chunk (0-based; the writer adds the records written
 * before) and the field path as an offset into the chunk's `fields` arena (+1; 0 = no field). */
typedef struct ps_chunk_finding {
    uint64_t record, offset, length;
    uint32_t rule;
    size_t field;
} ps_chunk_finding;

/* What one chunk produced. */
typedef struct ps_chunk_out {
    ps_buf out;
    ps_chunk_finding *f;
    size_t nf, capf;
    ps_buf fields; /* NUL-terminated field paths of jsonl findings */
    uint64_t records, changed, unscanned, invalid, missing_field;
    uint64_t dropped[PS_DROP_REASONS];
    int status; /* PS_OK, or PS_E_UNSCANNED / PS_E_INVALID (abort: `out` holds the records before the failing one),
                   PS_E_NOMEM */
} ps_chunk_out;

void chunk_out_reset(ps_chunk_out *o);
void chunk_out_free(ps_chunk_out *o);

struct ps_jpaths;

/* Per-thread state for scrubbing: the engine's scratch, reusable span lists and buffers, and the run's settings. */
typedef struct ps_worker {
    const ps_engine *e;
    ps_scratch *s;
    ps_spanvec spans, matches;
    ps_buf dec, red, tmp; /* jsonl: a decoded string, its redacted form, gate lookups */
    const ps_run_options *o;
    const struct ps_jpaths *paths; /* jsonl --field selection, or NULL */
    ps_format format;
    int check_only;
    /* jsonl in scrub_chunk: the chunk's prefilter cursor (NULL elsewhere). A string without a trigger inside it
     * cannot match: it is not scanned (one with escapes is decoded and looked at on its own). */
    ps_trigger_cursor *pf_cur;
    size_t pf_len; /* the chunk's length */
    /* text in scrub_chunk: where the chunk prefilter's next trigger word is, at or after the current record's start
     * (0 elsewhere: unknown). A record that ends before it has none (ps_subject.no_words). */
    size_t next_word;
} ps_worker;

/* `o` and `paths` are borrowed for the worker's life. @return PS_OK or PS_E_NOMEM. */
int worker_init(ps_worker *w, const ps_engine *e, const ps_run_options *o, const struct ps_jpaths *paths);
void worker_free(ps_worker *w);

/* The record separator of a format. */
char scrub_separator(ps_format f);

/* Redacts p[0..n) as one whole record (no separator inside is special). Appends to o; on a scan error, fails
 * closed ([UNSCANNED], counted) or sets o->status (abort). A trailing CR stays out of the match in text format. */
void scrub_one(ps_worker *w, const char *p, size_t n, ps_chunk_out *o);

/* Redacts p[0..n): whole records, each followed by the separator, except that the last one may lack it (end of
 * input). Appends to o. */
void scrub_chunk(ps_worker *w, const char *p, size_t n, ps_chunk_out *o);

/* An over-long record, scanned in windows that keep a back margin and hold back any match that may continue. */
typedef struct ps_longrec {
    ps_buf win;        /* window bytes; win.p[0] is record offset `base` */
    uint64_t base;
    size_t out_pos;    /* window offset up to which output was produced */
    size_t want;       /* scan again once the window holds this many bytes */
    size_t block, cap; /* nominal window size; beyond cap the rest of the record fails closed */
    int failed;        /* the rest of this record is [UNSCANNED] */
    int changed;
} ps_longrec;

void longrec_init(ps_longrec *lr, size_t block);
void longrec_free(ps_longrec *lr);
/* Feeds the next bytes of the record (without its separator); `last` says the record ends here. Output for the part
 * that became final is appended to o (records and changed are set on the last feed). */
void longrec_feed(ps_worker *w, ps_longrec *lr, const char *p, size_t n, int last, ps_chunk_out *o);

#endif
