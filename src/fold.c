/* fold.c — Unicode evasion folding: an ASCII view of look-alike characters, with a map back to original offsets. */
#include "fold.h"

#include "byteset.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

enum { FOLD_NONE = -1, FOLD_DROP = 0 };

/* For each lead byte of a foldable character, the set of second bytes (bit b1 - 0x80) that can continue one; every
 * other byte maps to 0. The scanners look no further unless both bytes pass. */
#define BIT(b) ((uint64_t)1 << ((b) - 0x80))
#define BITS(lo, hi) ((((uint64_t)2 << ((hi) - 0x80)) - 1) & ~(BIT(lo) - 1))
static const uint64_t fold_second[256] = {
    [0xC2] = BIT(0xA0) | BIT(0xAD) | BIT(0xB2) | BIT(0xB3) | BIT(0xB9),
    [0xC5] = BIT(0xBF),
    [0xC9] = BIT(0xA2) | BIT(0xAA) | BIT(0xB4),
    [0xCA] = BIT(0x80) | BIT(0x8F) | BIT(0x99) | BIT(0x9C) | BIT(0x9F),
    [0xCC] = BITS(0xB2, 0xB8),
    [0xD9] = BITS(0xA0, 0xA9),
    [0xDB] = BITS(0xB0, 0xB9),
    [0xE0] = BIT(0xA5) | BIT(0xA7) | BIT(0xB9),
    [0xE1] = BIT(0xB4),
    [0xE2] = BITS(0x80, 0x82) | BITS(0x84, 0x85) | BIT(0x88) | BITS(0x91, 0x93) | BITS(0x9D, 0x9E),
    [0xE3] = BIT(0x80),
    [0xEA] = BIT(0x9C),
    [0xEF] = BIT(0xB9) | BIT(0xBB) | BITS(0xBC, 0xBD),
    [0xF0] = BIT(0x9D) | BIT(0x9F),
};

/* U+FE50–FE6B, the "small form variants"; 0 = not folded (ideographic forms, unassigned). */
static const char small_forms[28] = {
    ',', 0, '.', 0, ';', ':', '?', '!', '-', '(', ')', '{', '}', 0,
    0, '#', '&', '*', '+', '-', '<', '>', '=', 0, '\\', '$', '%', '@',
};

/* U+2100–217F (letterlike symbols, number forms) that NFKC makes one ASCII letter: double-struck, script and
 * fraktur capitals, the Kelvin sign, the one-letter Roman numerals; 0 = not folded. */
static const char letterlike[128] = {
    [0x02] = 'C', [0x0A] = 'g', [0x0B] = 'H', [0x0C] = 'H', [0x0D] = 'H', [0x0E] = 'h', [0x10] = 'I', [0x11] = 'I',
    [0x12] = 'L', [0x13] = 'l', [0x15] = 'N', [0x19] = 'P', [0x1A] = 'Q', [0x1B] = 'R', [0x1C] = 'R', [0x1D] = 'R',
    [0x24] = 'Z', [0x28] = 'Z', [0x2A] = 'K', [0x2C] = 'B', [0x2D] = 'C', [0x2F] = 'e', [0x30] = 'E', [0x31] = 'F',
    [0x33] = 'M', [0x34] = 'o', [0x39] = 'i', [0x45] = 'D', [0x46] = 'd', [0x47] = 'e', [0x48] = 'i', [0x49] = 'j',
    [0x60] = 'I', [0x64] = 'V', [0x69] = 'X', [0x6C] = 'L', [0x6D] = 'C', [0x6E] = 'D', [0x6F] = 'M', [0x70] = 'i',
    [0x74] = 'v', [0x79] = 'x', [0x7C] = 'l', [0x7D] = 'c', [0x7E] = 'd', [0x7F] = 'm',
};

/* U+1D00–1D22, the small capitals of "tiny caps" fancy text (they read as these letters; NFKC leaves them). */
static const char small_caps[0x23] = {
    [0x00] = 'a', [0x04] = 'c', [0x05] = 'd', [0x07] = 'e', [0x0A] = 'j', [0x0B] = 'k', [0x0D] = 'm', [0x0F] = 'o',
    [0x18] = 'p', [0x1B] = 't', [0x1C] = 'u', [0x20] = 'v', [0x21] = 'w', [0x22] = 'z',
};

static int digit_in(unsigned b, unsigned lo)
{
    return b >= lo && b <= lo + 9 ? '0' + (int)(b - lo) : FOLD_NONE;
}

/* Folds the character at s[0..n): @return FOLD_NONE (copy s[0] and go on), FOLD_DROP, or the ASCII byte; *len is
 * the character's length unless FOLD_NONE. Byte values are matched exactly, so overlong, surrogate, truncated or
 * otherwise invalid sequences never fold. */
static int fold_char(const unsigned char *s, size_t n, size_t *len)
{
    if (n < 2)
        return FOLD_NONE;
    unsigned b1 = s[1];
    switch (s[0]) {
    case 0xC2:
        *len = 2;
        if (b1 == 0xB2 || b1 == 0xB3) /* superscript two, three */
            return '2' + (int)(b1 - 0xB2);
        return b1 == 0xA0 ? ' ' : b1 == 0xAD ? FOLD_DROP : b1 == 0xB9 ? '1' : FOLD_NONE;
    case 0xC5: /* U+017F LATIN SMALL LETTER LONG S: PCRE2 matches it for 's' when ignoring case, keywords did not */
        *len = 2;
        return b1 == 0xBF ? 's' : FOLD_NONE;
    case 0xC9: /* small capitals ɢ ɪ ɴ (U+0262, 026A, 0274) */
        *len = 2;
        return b1 == 0xA2 ? 'g' : b1 == 0xAA ? 'i' : b1 == 0xB4 ? 'n' : FOLD_NONE;
    case 0xCA: /* small capitals ʀ ʏ ʙ ʜ ʟ (U+0280, 028F, 0299, 029C, 029F) */
        *len = 2;
        return b1 == 0x80 ? 'r' : b1 == 0x8F ? 'y' : b1 == 0x99 ? 'b' : b1 == 0x9C ? 'h' : b1 == 0x9F ? 'l' : FOLD_NONE;
    case 0xCC: /* U+0332–0338: combining low lines, overlays and strokes, the "underlined" and "struck" fancy text */
        *len = 2;
        return b1 >= 0xB2 && b1 <= 0xB8 ? FOLD_DROP : FOLD_NONE;
    case 0xD9: /* U+0660–0669 */
        *len = 2;
        return digit_in(b1, 0xA0);
    case 0xDB: /* U+06F0–06F9 */
        *len = 2;
        return digit_in(b1, 0xB0);
    default:
        break;
    }
    if (n < 3)
        return FOLD_NONE;
    unsigned b2 = s[2];
    *len = 3;
    switch (s[0]) {
    case 0xE0: /* Devanagari U+0966, Bengali U+09E6, Thai U+0E50 */
        if (b1 == 0xA5 || b1 == 0xA7)
            return digit_in(b2, 0xA6);
        return b1 == 0xB9 ? digit_in(b2, 0x90) : FOLD_NONE;
    case 0xE1: /* small capitals of U+1D00–1D22: ᴀ ᴄ ᴅ ᴇ ᴊ ᴋ ᴍ ᴏ ᴘ ᴛ ᴜ ᴠ ᴡ ᴢ */
        if (b1 != 0xB4 || b2 < 0x80 || b2 > 0xA2)
            return FOLD_NONE;
        return small_caps[b2 - 0x80] ? small_caps[b2 - 0x80] : FOLD_NONE;
    case 0xEA: /* small capitals ꜰ ꜱ (U+A730, A731) */
        return b1 == 0x9C && b2 == 0xB0 ? 'f' : b1 == 0x9C && b2 == 0xB1 ? 's' : FOLD_NONE;
    case 0xE2:
        if ((b2 & 0xC0) != 0x80)
            return FOLD_NONE;
        if (b1 == 0x80) { /* U+2000–203F */
            if (b2 >= 0x80 && b2 <= 0x8A)
                return ' ';
            if ((b2 >= 0x8B && b2 <= 0x8F) || (b2 >= 0xAA && b2 <= 0xAE))
                return FOLD_DROP;
            if (b2 >= 0x90 && b2 <= 0x95)
                return '-';
            return b2 == 0xA4 ? '.' : b2 == 0xAF ? ' ' : FOLD_NONE;
        }
        if (b1 == 0x81) { /* U+2040–207F */
            if (b2 == 0x9F)
                return ' ';
            if (b2 >= 0xA0 && b2 <= 0xAF)
                return b2 != 0xA5 ? FOLD_DROP : FOLD_NONE;
            if (b2 == 0xB0 || (b2 >= 0xB4 && b2 <= 0xB9)) /* superscript digits */
                return '0' + (int)(b2 - 0xB0);
            return b2 == 0xB1 ? 'i' : b2 == 0xBF ? 'n' : FOLD_NONE;
        }
        if (b1 == 0x82) /* U+2080–2089, subscript digits */
            return digit_in(b2, 0x80);
        if (b1 == 0x84 || b1 == 0x85) { /* U+2100–217F; the Kelvin sign U+212A is also what PCRE2 takes for 'k' */
            char c = letterlike[(b1 - 0x84) << 6 | (b2 & 0x3F)];
            return c ? c : FOLD_NONE;
        }
        if (b1 == 0x91) /* circled digits one to nine, U+2460–2468 */
            return b2 >= 0xA0 && b2 <= 0xA8 ? '1' + (int)(b2 - 0xA0) : FOLD_NONE;
        if (b1 == 0x92) /* circled capitals A–J, U+24B6–24BF */
            return b2 >= 0xB6 && b2 <= 0xBF ? 'A' + (int)(b2 - 0xB6) : FOLD_NONE;
        if (b1 == 0x93) { /* circled capitals K–Z, small letters a–z, digit zero, double circled digits: U+24C0–24FF */
            if (b2 <= 0x8F)
                return 'K' + (int)(b2 - 0x80);
            if (b2 <= 0xA9)
                return 'a' + (int)(b2 - 0x90);
            if (b2 >= 0xB5 && b2 <= 0xBD)
                return '1' + (int)(b2 - 0xB5);
            return b2 == 0xAA || b2 == 0xBF ? '0' : FOLD_NONE;
        }
        if (b1 == 0x9D) /* dingbat negative circled digits one to nine, U+2776–277E */
            return b2 >= 0xB6 && b2 <= 0xBE ? '1' + (int)(b2 - 0xB6) : FOLD_NONE;
        if (b1 == 0x9E) { /* dingbat circled sans-serif digits, plain and negative: U+2780–2788, U+278A–2792 */
            if (b2 <= 0x88)
                return '1' + (int)(b2 - 0x80);
            return b2 >= 0x8A && b2 <= 0x92 ? '1' + (int)(b2 - 0x8A) : FOLD_NONE;
        }
        return b1 == 0x88 && b2 == 0x92 ? '-' : FOLD_NONE; /* U+2212 */
    case 0xE3:
        if (b1 != 0x80)
            return FOLD_NONE;
        return b2 == 0x80 ? ' ' : b2 == 0x82 ? '.' : FOLD_NONE;
    case 0xEF:
        if (b1 == 0xBC) /* U+FF00–FF3F */
            return b2 >= 0x81 && b2 <= 0xBF ? (int)b2 - 0x60 : FOLD_NONE;
        if (b1 == 0xBD) { /* U+FF40–FF7F */
            if (b2 >= 0x80 && b2 <= 0x9E)
                return (int)b2 - 0x20;
            return b2 == 0xA1 ? '.' : FOLD_NONE;
        }
        if (b1 == 0xB9 && b2 >= 0x90 && b2 <= 0xAB) /* U+FE50–FE6B */
            return small_forms[b2 - 0x90] ? small_forms[b2 - 0x90] : FOLD_NONE;
        return b1 == 0xBB && b2 == 0xBF ? FOLD_DROP : FOLD_NONE; /* U+FEFF */
    case 0xF0: {
        if (n < 4 || (b1 != 0x9D && b1 != 0x9F) || (b2 & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return FOLD_NONE;
        *len = 4;
        unsigned cp = (b1 == 0x9D ? 0x1D000u : 0x1F000u) | (b2 & 0x3Fu) << 6 | (s[3] & 0x3Fu);
        /* U+1F130–1F149 squared, U+1F150–1F169 negative circled, U+1F170–1F189 negative squared capitals: A–Z
         * (NFKC folds the squared ones; the negative ones are the same letters to a reader) */
        if ((cp >= 0x1F130 && cp <= 0x1F149) || (cp >= 0x1F150 && cp <= 0x1F169) || (cp >= 0x1F170 && cp <= 0x1F189))
            return 'A' + (int)((cp - 0x1F130) % 32);
        if (cp >= 0x1D400 && cp <= 0x1D6A3) { /* U+1D400–1D6A3: 13 styles of mathematical A–Z a–z (their few
                                             * unassigned code points with them) */
            unsigned k = (cp - 0x1D400) % 52;
            return k < 26 ? 'A' + (int)k : 'a' + (int)(k - 26);
        }
        if (cp >= 0x1D7CE && cp <= 0x1D7FF) /* five styles of mathematical digits */
            return '0' + (int)(cp - 0x1D7CE) % 10;
        return FOLD_NONE;
    }
    default:
        return FOLD_NONE;
    }
}

#if defined(__SSE2__)
/* Bit k set when byte k of x is one of the lead bytes of fold_second. */
static inline unsigned lead_mask(__m128i x)
{
    __m128i m = _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xC2));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xC5)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xC9)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xCA)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xCC)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xD9)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xDB)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xE0)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xE1)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xE2)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xE3)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xEA)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xEF)));
    m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xF0)));
    return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* @return the first index >= i holding a lead byte of fold_second, or n. Blocks without a high bit (ASCII) are
 * skipped after one test, as memchr would; only blocks holding non-ASCII bytes are compared against the leads. */
static size_t next_lead(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    while (n - i >= 32) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
        if (_mm_movemask_epi8(_mm_or_si128(a, b))) {
            unsigned m = lead_mask(a) | lead_mask(b) << 16;
            if (m)
                return i + (size_t)__builtin_ctz(m);
        }
        i += 32;
    }
#else
    const uint64_t high = 0x8080808080808080u;
    while (n - i >= 8) {
        uint64_t a;
        memcpy(&a, s + i, 8);
        if (a & high)
            for (size_t k = 0; k < 8; k++)
                if (fold_second[s[i + k]])
                    return i + k;
        i += 8;
    }
#endif
    for (; i < n; i++)
        if (fold_second[s[i]])
            return i;
    return n;
}

void fold_lead_bytes(uint64_t set[4])
{
    for (unsigned c = 0; c < 256; c++)
        if (fold_second[c])
            byteset_add(set, c);
}

/* Cheap test that s[0..n) (s[0] a lead) may start a foldable character: the second byte fits. */
static inline int maybe_foldable(const unsigned char *s, size_t n)
{
    return n >= 2 && (s[1] & 0xC0) == 0x80 && (fold_second[s[0]] >> (s[1] & 0x3F) & 1);
}

int fold_needed(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, len;
#if defined(__SSE2__)
    /* Walks the lead bytes of each block by bit, rather than rescanning after each (CJK text has many E3 leads). The
     * short last block is read as the 32 bytes that end the text, its bytes already seen shifted out: a record of 40
     * bytes costs two loads, not eight bytes by hand. */
    for (; n >= 32 && i < n; i += 32) {
        size_t at = n - i >= 32 ? i : n - 32;
        unsigned seen = (unsigned)(i - at);
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + at + 16));
        if (!_mm_movemask_epi8(_mm_or_si128(a, b)))
            continue;
        for (unsigned m = (lead_mask(a) | lead_mask(b) << 16) >> seen << seen; m; m &= m - 1) {
            size_t k = at + (size_t)__builtin_ctz(m);
            if (maybe_foldable(s + k, n - k) && fold_char(s + k, n - k, &len) != FOLD_NONE)
                return 1;
        }
    }
    if (n >= 32)
        return 0;
#endif
    for (; (i = next_lead(s, i, n)) < n; i++)
        if (maybe_foldable(s + i, n - i) && fold_char(s + i, n - i, &len) != FOLD_NONE)
            return 1;
    return 0;
}

/* Makes room for `extra` more entries in v and w (kept in step). */
static int offmap_reserve(ps_offmap *m, size_t extra)
{
    if (m->cap - m->len >= extra && (m->w || !m->v))
        return 0;
    size_t need = m->len + extra, max = SIZE_MAX / sizeof *m->v;
    if (need < m->len || need > max)
        return -1;
    size_t cap = m->cap ? m->cap : 64;
    while (cap < need)
        cap = cap > max / 2 ? need : cap * 2;
    size_t *v = realloc(m->v, cap * sizeof *v);
    if (!v)
        return -1;
    m->v = v; /* m->cap stays as it was until both arrays have grown */
    unsigned char *w = realloc(m->w, cap);
    if (!w)
        return -1;
    if (!m->w) /* a hand-built map gains widths; its existing entries are taken as single bytes */
        memset(w, 1, m->len);
    m->w = w;
    m->cap = cap;
    return 0;
}

/* Appends s[from..to) unchanged, each byte mapping to itself. */
static void copy_run(const unsigned char *s, size_t from, size_t to, ps_buf *out, ps_offmap *map)
{
    size_t k = to - from;
    if (k == 0)
        return;
    memcpy(out->p + out->len, s + from, k);
    out->len += k;
    size_t *v = map->v + map->len; /* locals: stores through map->v could alias map->len */
    memset(map->w + map->len, 1, k);
    for (size_t j = 0; j < k; j++)
        v[j] = from + j;
    map->len += k;
}

int fold_apply(const char *p, size_t n, ps_buf *out, ps_offmap *map)
{
    /* The folded view is never longer than p, so one reservation covers the whole call. */
    if (n == SIZE_MAX || buf_reserve(out, n) || offmap_reserve(map, n + 1))
        return -1;
    const unsigned char *s = (const unsigned char *)p;
    size_t run = 0, len = 0;
    for (size_t i = 0; (i = next_lead(s, i, n)) < n;) {
        int c = maybe_foldable(s + i, n - i) ? fold_char(s + i, n - i, &len) : FOLD_NONE;
        if (c == FOLD_NONE) {
            i++;
            continue;
        }
        copy_run(s, run, i, out, map);
        if (c != FOLD_DROP) {
            out->p[out->len++] = (char)c;
            map->w[map->len] = (unsigned char)len;
            map->v[map->len++] = i;
        }
        i += len;
        run = i;
    }
    copy_run(s, run, n, out, map);
    map->v[map->len] = n;
    map->w[map->len] = 0;
    return 0;
}

void offmap_free(ps_offmap *m)
{
    free(m->v);
    free(m->w);
    m->v = NULL;
    m->w = NULL;
    m->len = m->cap = 0;
}

void fold_map_span(const ps_offmap *m, size_t fs, size_t fe, size_t *os, size_t *oe)
{
    if (!m->v) {
        *os = *oe = 0;
        return;
    }
    if (fe > m->len)
        fe = m->len;
    if (fs > fe)
        fs = fe;
    *os = m->v[fs];
    if (fs == fe)
        *oe = *os;
    else if (m->w)
        *oe = m->v[fe - 1] + m->w[fe - 1];
    else
        *oe = m->v[fe];
}
