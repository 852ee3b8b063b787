/* prefilter.h — where in a chunk of records might any rule match? Every rule gives the prefilter one necessary
 * trigger, chosen by the engine: a rare byte (a digit, '@', ':', ...), a word (a keyword, a required context word, a
 * literal every match starts with), or a long run of a few bytes (16 of [A-Z0-9] for an Italian fiscal code). A
 * record with no trigger in it has no match of any rule, so the chunk loop passes it through without scanning it:
 * one SIMD pass over the chunk instead of per-record work on the 80-90 % of prose lines that hold nothing.
 * Triggers may be looser than the rules (that costs only time), never tighter. */
#ifndef PS_PREFILTER_H
#define PS_PREFILTER_H

#include "litscan.h"
#include "wordtab.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PREFILTER_RUNS 16 /* kinds of run the rules ask for */
#define PREFILTER_SCANS 3 /* kinds of run looked for (in one pass): the others are merged into these */

typedef struct ps_prefilter {
    uint64_t bytes[4];  /* trigger bytes */
    uint8_t lo[16], hi[16]; /* the same as nibble tables (a superset when it does not fit in 8 rectangles) */
    ps_wordtab words;   /* trigger words (set 0) */
    ps_litscan lits;
    struct {
        uint8_t lo[16], hi[16]; /* the run's bytes, as nibble tables (bit 0) */
        uint64_t set[4];
        unsigned min_len;
    } runs[PREFILTER_RUNS];
    unsigned n_runs;
    /* No kind of run holds a byte at or below the space: a block without as many bytes above it in a row as the
     * shortest kind's length holds no run (prose's words are shorter), and its kinds are not looked up. */
    bool runs_above_space;
    unsigned shortest_run; /* the shortest kind's length (prefilter_finish) */
    int simd; /* 2: the CPU has AVX2, 1: SSSE3, 0: neither */
} ps_prefilter;

void prefilter_init(ps_prefilter *pf);
void prefilter_free(ps_prefilter *pf);
void prefilter_add_bytes(ps_prefilter *pf, const uint64_t set[4]);
/* A lower-cased word of two or more bytes, borrowed (it must outlive the prefilter). @return 0, or -1 (memory). */
int prefilter_add_word(ps_prefilter *pf, const char *w, size_t len);
/* A run of at least min_len bytes of `set`. @return 0, or -1 when PREFILTER_RUNS are taken. */
int prefilter_add_run(ps_prefilter *pf, const uint64_t set[4], unsigned min_len);
/* @return 0, or -1 when out of memory. */
int prefilter_finish(ps_prefilter *pf);

/* The first position >= from in p[0..n) holding a trigger byte / starting a trigger word / starting a trigger run;
 * n when there is none. `run` < pf->n_runs picks the kind of run. May read up to 64 bytes past p[n - 1] (subjects carry padding, see buf_pad). */
size_t prefilter_next_byte(const ps_prefilter *pf, const char *p, size_t n, size_t from);
size_t prefilter_next_word(const ps_prefilter *pf, const char *p, size_t n, size_t from);
size_t prefilter_next_run(const ps_prefilter *pf, unsigned run, const char *p, size_t n, size_t from);
/* The least of every kind's prefilter_next_run: one pass over the bytes for all of them with AVX2 (their loads and
 * nibbles are shared, and a kind is looked for exactly only near a whole group of its grid). */
size_t prefilter_next_runs(const ps_prefilter *pf, const char *p, size_t n, size_t from);

#endif
