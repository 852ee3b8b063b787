/* ucase.c — see ucase.h. Only pairs whose UTF-8 sequences have one length are listed, so a variant can replace a
 * letter in place (Ÿ U+0178 / ÿ U+00FF are both two bytes; the Kelvin sign and long s are folded, see fold.h). */
#include "ucase.h"

#include "utf8.h"

#include <string.h>

/* A block where upper and lower case alternate: even code points upper (odd_upper: odd ones). */
static uint32_t alternating(uint32_t cp, uint32_t lo, uint32_t hi, int odd_upper)
{
    if (cp < lo || cp > hi)
        return 0;
    return ((cp & 1) == (uint32_t)odd_upper) ? cp + 1 : cp - 1;
}

uint32_t ucase_other(uint32_t cp)
{
    uint32_t o;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) /* Latin-1: À..Þ / à..þ */
        return cp + 0x20;
    if (cp >= 0xE0 && cp <= 0xFE && cp != 0xF7)
        return cp - 0x20;
    if (cp == 0xFF)
        return 0x178;
    if (cp == 0x178)
        return 0xFF;
    /* Latin Extended-A: pairs, with İ ı (0130, 0131) and ĸ (0138) outside them */
    if ((o = alternating(cp, 0x100, 0x12F, 0)) || (o = alternating(cp, 0x132, 0x137, 0)) ||
        (o = alternating(cp, 0x139, 0x148, 1)) || (o = alternating(cp, 0x14A, 0x177, 0)) ||
        (o = alternating(cp, 0x179, 0x17E, 1)))
        return o;
    /* Greek: Α..Ϋ / α..ϋ (no capital final sigma: ς pairs with Σ), and the accented capitals */
    if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2)
        return cp + 0x20;
    if (cp >= 0x3B1 && cp <= 0x3CB)
        return cp == 0x3C2 ? 0x3A3 : cp - 0x20;
    if (cp == 0x386)
        return 0x3AC;
    if (cp == 0x3AC)
        return 0x386;
    if (cp >= 0x388 && cp <= 0x38A)
        return cp + 0x25;
    if (cp >= 0x3AD && cp <= 0x3AF)
        return cp - 0x25;
    if (cp == 0x38C)
        return 0x3CC;
    if (cp == 0x3CC)
        return 0x38C;
    if (cp == 0x38E || cp == 0x38F)
        return cp + 0x3F;
    if (cp == 0x3CD || cp == 0x3CE)
        return cp - 0x3F;
    /* Cyrillic: Ѐ..Џ / ѐ..џ, А..Я / а..я, then the pairs of Ѡ..ҁ and Ҋ..ӿ */
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    if (cp >= 0x450 && cp <= 0x45F)
        return cp - 0x50;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 0x20;
    if (cp >= 0x430 && cp <= 0x44F)
        return cp - 0x20;
    if ((o = alternating(cp, 0x460, 0x481, 0)) || (o = alternating(cp, 0x48A, 0x4BF, 0)))
        return o;
    return 0;
}

bool ucase_two_cased(uint32_t cp)
{
    return cp >= 0xC0 && cp <= 0x17E && cp != 0xC5 && cp != 0xE5 && ucase_other(cp) != 0;
}

int ucase_variants(const char *w, size_t n, int (*emit)(void *ctx, const char *v, size_t n), void *ctx)
{
    enum { MAX_LETTERS = 4 };
    _Static_assert(1u << MAX_LETTERS == UCASE_MAX_VARIANTS, "a variant per choice of case for each letter");
    size_t at[MAX_LETTERS];
    uint32_t other[MAX_LETTERS];
    unsigned k = 0;
    char tmp[4];
    const unsigned char *u = (const unsigned char *)w;
    for (size_t i = 0; i < n && k < MAX_LETTERS;) {
        size_t l = u[i] < 0x80 ? 1 : utf8_seq_len(u + i, n - i);
        if (l == 0) { /* not UTF-8: compared as bytes, as it is written */
            i++;
            continue;
        }
        uint32_t o = l > 1 ? ucase_other(utf8_decode(u + i, l)) : 0;
        if (o && utf8_encode(o, tmp) == l) { /* then the variant has the word's length */
            at[k] = i;
            other[k++] = o;
        }
        i += l;
    }
    char v[256];
    if (n > sizeof v)
        return emit(ctx, w, n);
    for (unsigned mask = 0; mask < (1u << k); mask++) {
        memcpy(v, w, n);
        for (unsigned b = 0; b < k; b++)
            if (mask >> b & 1)
                utf8_encode(other[b], v + at[b]);
        int rc = emit(ctx, v, n);
        if (rc)
            return rc;
    }
    return 0;
}
