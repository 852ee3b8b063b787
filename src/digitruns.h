/* digitruns.h — for several alphabets at once: the most ASCII digits in one run of a text's bytes that all belong to
 * the alphabet, or the longest such run. With rxinfo's reading of a pattern (a match is such a run, with at least min_digits digits), it
 * tells which digit rules can match a record at all: a log line "... 194.170.130.182 port 37751" has runs of at most
 * 5 digits over {digits, '-', ' '}, so a 9-digit SSN rule need not run there. One pass, 32 alphabets in one AVX2
 * (or two SSE2) registers of saturating byte counters. */
#ifndef PS_DIGITRUNS_H
#define PS_DIGITRUNS_H

#include <stddef.h>
#include <stdint.h>

#define DIGITRUNS_MAX 32

typedef struct ps_digitruns {
    uint8_t member[256][DIGITRUNS_MAX]; /* 0xFF where byte c is in alphabet a */
    uint8_t digit[256][DIGITRUNS_MAX];  /* 1 where byte c is an ASCII digit in alphabet a: what a run's count adds */
    unsigned n;
    int avx2; /* the CPU has AVX2 (0 forces the SSE2 loop: tests) */
} ps_digitruns;

void digitruns_init(ps_digitruns *d);

/* Adds an alphabet, or finds an equal one. When all DIGITRUNS_MAX lanes are taken, the smallest lane that holds all
 * its bytes stands for it (its runs are at least as long, with at least as many digits). @return the lane, or -1
 * when full and no lane holds it: no gate. */
int digitruns_add(ps_digitruns *d, const uint64_t alphabet[4]);

/* For each alphabet a < d->n, over p[0..n) and saturating at 255: digits[a] = the most digits in one run of its
 * bytes, lens[a] = the length of its longest run. In the same pass, when byte_bits is not NULL, *bits = the OR of
 * byte_bits[c] over the bytes c of the text (a bytegate's table: a record's byte classes come with its runs). */
void digitruns_count(const ps_digitruns *d, const char *p, size_t n, uint8_t digits[DIGITRUNS_MAX],
                     uint8_t lens[DIGITRUNS_MAX], const uint32_t byte_bits[256], uint32_t *bits);

#endif
