/* rxinfo.h — what every match of a PCRE2 pattern is made of, read from the pattern text: the bytes a match can
 * contain (its alphabet) and the fewest ASCII digits a match holds. A match is then a run of alphabet bytes with
 * at least that many digits in it, which gives the engine a gate far sharper than "the record has a digit":
 * a US SSN (alphabet: digits, '-', ' '; 9 digits) cannot be in a log line whose digit runs are an IP address and a
 * port. Conservative by construction: a construct it does not understand makes the whole answer "unknown". */
#ifndef PS_RXINFO_H
#define PS_RXINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ps_rxinfo {
    uint64_t alphabet[4]; /* every byte a match can consume (lookarounds consume nothing) */
    uint64_t look[4];     /* every byte a positive lookaround can look at: with the alphabet, all the text that the
                             gates read from a pattern (no '\n' in either: a match and what it needs are in one line) */
    unsigned min_digits;  /* no match holds fewer ASCII digits */
    unsigned min_others;  /* nor fewer characters that are not ASCII digits (bytes, so): an IPv4 address's 3 dots */
    bool text_digit;      /* the text holds an ASCII digit wherever the pattern matches: in the match, or where a
                             positive lookaround looks ((?=[A-Z0-9]{0,18}\d) at a licence number's start) */
    unsigned min_len;     /* no match consumes fewer characters (so bytes) */
    uint64_t required[4]; /* bytes every match consumes (each ASCII; a case-folded letter is not listed) */
    /* A run that must be in the text wherever the pattern matches, without spaces: the whole match, or the text a
     * positive lookaround on the pattern's every path looks at (PEM body lines: (?=[A-Za-z0-9+/]{24})). Length 0
     * when there is none. */
    uint64_t run_set[4];
    unsigned run_len;
    /* The text from a match's start that the match, or a positive lookahead at its start, covers: at least span_len
     * bytes of span_set, with span_digits ASCII digits. A phone rule's (?=[(]?\d(?:[ ()./-]{0,3}\d){8}) makes it 9
     * digits where the match alone may hold 4: the run of span_set bytes that a match starts in holds them all. */
    uint64_t span_set[4];
    unsigned span_digits, span_len;
    /* ASCII bytes that never come just before a match's start: a leading one-character negative lookbehind on every
     * path ((?<![\w.-]) before a phone number), so on a dotted quad only the first digit can start one. */
    uint64_t not_before[4];
    /* Every match holds this many ASCII digits in a row: a US phone number's last four, where an IPv4 address's
     * groups have three at most. */
    unsigned min_group;
    /* The most bytes from where a match attempt starts that it can read (what it consumes, what a lookahead or \b
     * after that looks at), or RXINFO_NO_REACH when unbounded. An attempt that needs text further on (a keyword every
     * match holds, past a window's end) starts no more than this many bytes before it. */
    unsigned reach;
} ps_rxinfo;

#define RXINFO_NO_REACH 0xFFFFFFFFu

/* Analyses `pattern` as compiled with PCRE2_UTF and no UCP (\d \w \s are ASCII); `caseless` when the rule's flags
 * make it ignore case. @return true with *out filled, or false when the pattern uses a construct the analysis does
 * not model (\p, backreferences, \Q, conditionals, extended mode, ...): then nothing may be concluded. */
bool rxinfo_analyze(const char *pattern, bool caseless, ps_rxinfo *out);

#define RXINFO_NO_LEAD 0xFFFFFFFFu

/* How far after a match's start its first byte of `set` can be: wherever `pattern` matches, a byte of set (ASCII
 * bytes only) is at most the returned number of bytes after the start, in the match or in what a lookahead sees
 * ((?=[A-Z0-9]{0,18}\d) at the start: 18 bytes to a digit). So a match can only start in [t - lead, t] for some
 * position t holding such a byte: the engine starts its search there, not before. Bytes, not characters: a
 * character that may be non-ASCII counts 4. Lookbehinds look before the start and count for nothing; text matched
 * before \K counts (a search starts where the attempt does).
 * @return the lead, or RXINFO_NO_LEAD when some match may lack such a byte, the lead is unbounded, or the pattern
 * is not understood. */
unsigned rxinfo_lead(const char *pattern, bool caseless, const uint64_t set[4]);

#define RXINFO_NO_TAIL 0xFFFFFFFFu

/* For a pattern anchored at the end ("...$"): the most bytes a match can span, when every match ends where the subject
 * does (or before a newline that ends it) and no match is longer. A search need then start no earlier than that many
 * bytes, and one, before the end: a not_after veto on the 64 bytes before a candidate only looks at its last few.
 * @return the bound, or RXINFO_NO_TAIL when a match may end elsewhere, may be unbounded, uses \G, or the pattern is
 * not understood. */
unsigned rxinfo_tail(const char *pattern, bool caseless);

#define RXINFO_ENDS 4

/* For a pattern anchored at the end ("...$"): its tail (rxinfo_tail), and the bytes its matches end with: ends[j] =
 * every byte that can be the (j+1)-th last byte of a match longer than j, min_bytes = the fewest bytes a match
 * consumes. A subject (or one ending in a newline, without it) whose last min(min_bytes, RXINFO_ENDS) bytes are not
 * each in its set cannot end in a match: the not_after veto "(?i:\b(?:version|v|...)[^\w\r\n]{1,3})$" need not
 * be tried after "from ". */
typedef struct ps_rxends {
    unsigned tail;
    unsigned min_bytes;
    uint64_t ends[RXINFO_ENDS][4];
} ps_rxends;

/* @return false, *out untouched, when a match may end elsewhere or the pattern is not understood. */
bool rxinfo_ends(const char *pattern, bool caseless, ps_rxends *out);

/* Could a match of the pattern e describes be found in text[0..len): its last bytes fit, at the end or before a
 * newline that ends the text ('$')? */
bool rxinfo_may_end(const ps_rxends *e, const char *text, size_t len);

/* Does every match of `pattern` hold one of the n words (ASCII letters lower-cased), ignoring ASCII case, in the
 * text it consumes or in what a positive lookaround on its every path sees? A keyword in a leading lookbehind
 * ((?<=password)[:=], secret-assignment's) or in the match itself. Only text the pattern writes out letter by
 * letter counts; a non-ASCII letter counts when ignoring case adds only the other spelling the engine lists words
 * in (ucase_two_cased). @return false when it cannot tell, or the pattern is not understood. */
bool rxinfo_has_word(const char *pattern, bool caseless, const char *const *words, const size_t *len, size_t n);

#endif
