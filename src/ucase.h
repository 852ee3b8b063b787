/* ucase.h — the other case of the letters rule words are written in, beyond ASCII. Keywords and context words are
 * compared ignoring ASCII case only (litscan, wordtab, ci_find), while a rule that ignores case matches Ö for ö:
 * "LÖSENORD=..." held no keyword "lösenord" and was passed through. A word is therefore listed in every case of its
 * non-ASCII letters. */
#ifndef PS_UCASE_H
#define PS_UCASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* @return the other case of code point cp (upper for lower, lower for upper) in Latin-1, Latin Extended-A, Greek
 * and Cyrillic, or 0 when it has none there. */
uint32_t ucase_other(uint32_t cp);

/* Whether PCRE2, ignoring case, matches cp with exactly two characters, cp and ucase_other(cp): the letters of
 * Latin-1 and Latin Extended-A, but for Å and å (U+212B ANGSTROM SIGN is a third). A word holding such a letter is
 * in the text, in some case, wherever the rule matches the letter. */
bool ucase_two_cased(uint32_t cp);

#define UCASE_MAX_VARIANTS 16

/* The spellings of the UTF-8 word w[0..n) with each of its non-ASCII letters in either case, w itself first: calls
 * emit(ctx, v, n) for each (v is only valid during the call; a variant has the length of w, as a letter and its other
 * case have UTF-8 sequences of one length). A word with more than log2(UCASE_MAX_VARIANTS) such letters gets only
 * the variants of its first ones. @return the first non-zero return of emit, or 0. */
int ucase_variants(const char *w, size_t n, int (*emit)(void *ctx, const char *v, size_t n), void *ctx);

#endif
