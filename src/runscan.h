/* runscan.h — where a digit rule's matches can be: the runs of its alphabet (the bytes a match is made of, rxinfo)
 * that hold as many digits as a match and are as long. The run gate (rungate.h) says whether a record has such a run;
 * this says where each one is, so that the rule's regex searches only there. On a log line
 * "Oct  2 09:04:17 mail sshd[120975]: Invalid user jenkins from 188.13.120.106 port 54695" a phone rule's only
 * such run is the address, so it starts its search there instead of at every digit of the line. Masks of 64 bytes at
 * a time (AVX2 nibble lookups), so the runs of letters and spaces between are passed at bit speed. */
#ifndef PS_RUNSCAN_H
#define PS_RUNSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ps_runscan {
    uint8_t member[256];    /* 1 where the byte is in the alphabet */
    uint8_t nibbles[2][16]; /* bytes below 0x80 ([0]) and from 0x80 ([1]): for low nibble l, bit h & 7 set when the
                               byte with high nibble h is in the alphabet */
    unsigned min_digits, min_len;
    unsigned min_others; /* bytes that are not ASCII digits a run must hold (an IPv4 address's three dots) */
    unsigned min_group; /* digits in a row that a run must hold somewhere (0 or 1: none) */
    unsigned window; /* the shortest run that can count, at most 64: no shorter one is looked at */
    int avx2; /* the CPU has AVX2 (0 forces the portable loop: tests) */
} ps_runscan;

/* A run is of `alphabet`'s bytes and counts when it holds min_digits ASCII digits (0: any run) and min_len bytes,
 * min_group of the digits in a row (0 or 1: any), and min_others bytes that are not ASCII digits. The alphabet holds
 * the digits when min_group > 1. */
void runscan_init(ps_runscan *r, const uint64_t alphabet[4], unsigned min_digits, unsigned min_len,
                  unsigned min_group, unsigned min_others);

/* The runs that count in p[from..n), in order, taking the text before `from` as outside any run, that start at or
 * before `limit`: up to cap of them, in one pass, as [rs[i], re[i]). @return how many. */
size_t runscan_runs(const ps_runscan *r, const char *p, size_t n, size_t from, size_t limit, size_t *rs, size_t *re,
                    size_t cap);

#endif
