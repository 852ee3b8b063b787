/* rungate.h — which rules a record's runs let through. Each rule may need, in the record: a run of its alphabet
 * (the bytes its matches are made of) as long as its shortest match and holding as many digits as a match, a long
 * enough run of the bytes a match needs, as many digits in a row as a match, and a length. digitruns_count measures the runs; the rules' needs are kept
 * side by side, one byte each, so that AVX2 checks 32 rules a step (a record opens a different mix of rules each
 * time: a branch per rule mispredicts). */
#ifndef PS_RUNGATE_H
#define PS_RUNGATE_H

#include "digitruns.h"

#include <stddef.h>
#include <stdint.h>

#define RUNGATE_NONE DIGITRUNS_MAX /* the lane of a rule without such a gate: a slot whose count passes anything */

typedef struct ps_rungate {
    uint8_t *need; /* RUNGATE_ROWS rows of `stride` bytes (rules padded to 32) */
    size_t n, stride;
    unsigned digit_lane; /* a lane whose runs hold every run of digits (the digits alone), or RUNGATE_NONE */
    int avx2; /* the CPU has AVX2 (0 forces the portable loop: tests) */
} ps_rungate;

/* @return 0, or -1 when out of memory. Every rule starts with no needs. */
int rungate_init(ps_rungate *g, size_t n_rules);
void rungate_free(ps_rungate *g);

/* Rule i needs min_digits digits and min_run bytes in one run of digitruns lane `alphabet`, a run of run_len bytes of
 * lane `lane`, and a record of min_len bytes (lanes RUNGATE_NONE: no such need; counts saturate at 255). */
void rungate_set(ps_rungate *g, size_t i, unsigned alphabet, unsigned min_digits, unsigned min_run, unsigned lane,
                 unsigned run_len, size_t min_len);

/* Rule i also needs min_group digits in a row: a run that long of g->digit_lane (set it first). */
void rungate_set_group(ps_rungate *g, size_t i, unsigned min_group);

/* Clears in open (a bitmap of the n rules) every rule whose needs a record of `len` bytes fails, given its counts
 * from digitruns_count (digits[RUNGATE_NONE] and lens[RUNGATE_NONE] are set here). */
void rungate_apply(const ps_rungate *g, uint8_t digits[DIGITRUNS_MAX + 1], uint8_t lens[DIGITRUNS_MAX + 1],
                   size_t len, uint64_t *open);

#endif
