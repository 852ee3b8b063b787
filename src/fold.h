/* fold.h — Unicode evasion folding. PII written with full-width digits (４１１１), Unicode dashes or minus signs, NBSP or
 * thin spaces, or broken up by zero-width characters and soft hyphens is matched on a folded (ASCII) view of the
 * record; each match is then mapped back to the original bytes, which are the ones redacted.
 *
 * Foldings (UTF-8 in, one ASCII byte or nothing out): NFKC where its result is one ASCII character, and the look-alikes
 * of "fancy text" that NFKC leaves but a reader takes for ASCII letters and digits (marked below):
 *   U+FF01–FF5E (full-width ASCII: digits, letters, @ . - + ( ) : / _ …) → U+0021–007E
 *   U+2010–2015, U+2212, U+FE58, U+FE63 → '-'
 *   U+00A0, U+2000–200A, U+202F, U+205F, U+3000 → ' '
 *   U+2024, U+3002, U+FF61, U+FE52 → '.';  U+FE6B → '@';  the other ASCII "small forms" U+FE50–FE6B → ASCII
 *   U+017F (long s) → 's', U+212A (Kelvin sign) → 'K': the only non-ASCII characters PCRE2 takes for an ASCII letter
 *     when a rule ignores case, so a keyword or a trigger written with them ("paſsword=") is found as well
 *   "fancy text" letters: mathematical bold, italic, script, fraktur, double-struck, sans-serif and monospace A–Z a–z
 *     U+1D400–1D6A3 (𝐣𝐨𝐡𝐧@…, 𝓳𝓪𝓷𝓮@…), the letterlike symbols and Roman numerals of one letter in U+2100–217F
 *     (ℂ ℋ ℎ ℓ ℝ ℯ Ⅴ ⅹ …), circled Ⓐ–Ⓩ ⓐ–ⓩ ⓪ ①–⑨ U+2460–2468 and U+24B6–24EA → their ASCII letter or digit
 *   superscript and subscript digits ¹ ² ³ U+2070–2079 U+2080–2089, and ⁱ ⁿ → '0'–'9', 'i', 'n'; double circled ⓵–⓽ ⓿
 *     and the dingbat circled digits ❶–❾ ➀–➈ ➊–➒ (look-alikes) → '1'–'9', '0'
 *   squared, negative circled and negative squared capitals U+1F130–1F149, U+1F150–1F169, U+1F170–1F189 → 'A'–'Z'
 *     (NFKC folds only the first: the others are look-alikes); small capitals ᴀ ʙ ᴄ … ᴢ → 'a'–'z' (look-alikes; no
 *     x or q)
 *   decimal digits: Arabic-Indic U+0660–0669, extended U+06F0–06F9, Devanagari U+0966–096F, Bengali U+09E6–09EF,
 *     Thai U+0E50–0E59, mathematical U+1D7CE–1D7FF → '0'–'9'
 *   dropped (fold to nothing): U+0332–0338 combining low lines, overlays and strokes (look-alikes: the u̲n̲d̲e̲r̲l̲i̲n̲e̲d̲
 *     and s̶t̶r̶u̶c̶k̶ text of fancy-text generators),
 *     U+00AD soft hyphen, U+200B–200F (zero-width space/joiners, LRM, RLM),
 *     U+202A–202E and U+2066–206F (bidi controls), U+2060–2064 (word joiner, invisible operators), U+FEFF (BOM)
 * Every other byte (ASCII, other UTF-8, invalid or truncated UTF-8) is copied unchanged, so a folded view of valid
 * UTF-8 is valid UTF-8, and the folded view is never longer than the input. */
#ifndef PS_FOLD_H
#define PS_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Maps folded-view bytes to original offsets. v[j] = offset in the original of the first byte of the character that
 * produced folded byte j; v[len] = n (one entry past len, always present after fold_apply) so that an end offset maps
 * too. w[j] = that character's length in the original (1 for copied bytes), so a span can end exactly at the end of
 * its last character; w may be NULL in a map built by hand, then spans end at v[fe]. Zero-initialise before first use;
 * the owner frees it with offmap_free. */
typedef struct ps_offmap {
    size_t *v;
    size_t len, cap;
    unsigned char *w; /* parallel to v; allocated with it */
} ps_offmap;

/* @return 1 when p[0..n) contains a character that fold_apply would change, else 0. ASCII text is skipped a word at a
 * time, so on ASCII this costs about what memchr does; a non-ASCII byte only costs a table look-up unless it is one
 * of the lead bytes C2 C5 C9 CA CC D9 DB E0 E1 E2 E3 EA EF F0, which are confirmed exactly (é, CJK, emoji give 0). */
int fold_needed(const char *p, size_t n);

/* Adds to `set` (a 256-bit map) every byte that can start a character fold_apply changes: a text without any of them
 * folds to itself. */
void fold_lead_bytes(uint64_t set[4]);

/* Appends the folded view of p[0..n) to out and one map entry per appended byte to map (plus the v[len] == n
 * sentinel). Entries are appended in step with out: when map->len == out->len before the call, it holds after it
 * (normally both start empty). Characters that fold to nothing are dropped; every other byte is copied unchanged and
 * maps to its own offset.
 * @return 0, or -1 when out of memory (out and map are then as they were before the call, apart from capacity). */
int fold_apply(const char *p, size_t n, ps_buf *out, ps_offmap *map);

/* Frees the map and zeroes it; accepts a zeroed map. */
void offmap_free(ps_offmap *m);

/* Maps a span [fs, fe) of the folded view back to original offsets [*os, *oe): *os = v[fs]; *oe = the end of the
 * original character that produced folded byte fe-1, so a match ending on a folded character covers all its bytes.
 * Dropped characters strictly inside the span are covered; those just before fs or just after fe-1 are not. An empty
 * span gives *os == *oe == v[fs]. fe is clamped to m->len and fs to fe. */
void fold_map_span(const ps_offmap *m, size_t fs, size_t fe, size_t *os, size_t *oe);

#endif
