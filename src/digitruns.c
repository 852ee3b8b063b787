/* digitruns.c — see digitruns.h. */
#include "digitruns.h"

#include "byteset.h"

#include <stdbool.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void digitruns_init(ps_digitruns *d)
{
    memset(d, 0, sizeof *d);
}

int digitruns_add(ps_digitruns *d, const uint64_t alphabet[4])
{
    for (unsigned a = 0; a < d->n; a++) {
        unsigned c = 0;
        while (c < 256 && (d->member[c][a] != 0) == byteset_has(alphabet, c))
            c++;
        if (c == 256)
            return (int)a;
    }
    if (d->n == DIGITRUNS_MAX) {
        /* Full: widen the alphabet that grows least. Runs and their digit counts only grow, so every gate that uses
         * the lane stays a necessary condition; it only closes less. */
        unsigned best = 0, grow_best = ~0u;
        for (unsigned a = 0; a < d->n; a++) {
            unsigned grow = 0;
            for (unsigned c = 0; c < 256; c++)
                grow += byteset_has(alphabet, c) && !d->member[c][a];
            if (grow < grow_best) {
                grow_best = grow;
                best = a;
            }
        }
        for (unsigned c = 0; c < 256; c++)
            if (byteset_has(alphabet, c))
                d->member[c][best] = 0xFF;
        return (int)best;
    }
    for (unsigned c = 0; c < 256; c++)
        d->member[c][d->n] = byteset_has(alphabet, c) ? 0xFF : 0;
    return (int)d->n++;
}

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The longest count in a run of each alphabet over u[i..n): a run counts its digits (digits_only) or all its bytes. */
static inline void count_runs(const ps_digitruns *d, const unsigned char *u, size_t i, size_t n, bool digits_only,
                              uint8_t best[DIGITRUNS_MAX])
{
#ifdef __SSE2__
    __m128i c0 = _mm_setzero_si128(), c1 = c0, b0 = c0, b1 = c0;
    const __m128i one = _mm_set1_epi8(1), zero = _mm_setzero_si128();
    for (; i < n; i++) {
        const uint8_t *m = d->member[u[i]];
        __m128i add = !digits_only || is_digit(u[i]) ? one : zero;
        c0 = _mm_and_si128(_mm_adds_epu8(c0, add), _mm_loadu_si128((const __m128i *)m));
        c1 = _mm_and_si128(_mm_adds_epu8(c1, add), _mm_loadu_si128((const __m128i *)(m + 16)));
        b0 = _mm_max_epu8(b0, c0);
        b1 = _mm_max_epu8(b1, c1);
    }
    _mm_storeu_si128((__m128i *)best, b0);
    _mm_storeu_si128((__m128i *)(best + 16), b1);
#else
    uint8_t cnt[DIGITRUNS_MAX] = {0};
    for (; i < n; i++) {
        unsigned add = !digits_only || is_digit(u[i]);
        for (unsigned a = 0; a < d->n; a++) {
            unsigned v = d->member[u[i]][a] ? cnt[a] + add : 0;
            cnt[a] = (uint8_t)(v > 255 ? 255 : v);
            if (cnt[a] > best[a])
                best[a] = cnt[a];
        }
    }
#endif
}

void digitruns_scan(const ps_digitruns *d, const char *p, size_t n, uint8_t best[DIGITRUNS_MAX])
{
    const unsigned char *u = (const unsigned char *)p;
    memset(best, 0, DIGITRUNS_MAX);
    /* Runs without a digit count 0: start at the first digit, stop after the last. */
    size_t i = 0;
    while (i < n && !is_digit(u[i]))
        i++;
    while (n > i && !is_digit(u[n - 1]))
        n--;
    if (i < n)
        count_runs(d, u, i, n, true, best);
}

void digitruns_lengths(const ps_digitruns *d, const char *p, size_t n, uint8_t best[DIGITRUNS_MAX])
{
    memset(best, 0, DIGITRUNS_MAX);
    count_runs(d, (const unsigned char *)p, 0, n, false, best);
}
