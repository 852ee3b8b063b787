/* engine.h — compiled rules and the matching of one subject. The only module that includes <pcre2.h>.
 * A ps_engine is immutable after ps_engine_compile and shared by all threads; each thread owns a ps_scratch
 * (PCRE2 match data, JIT stack, match context with limits). */
#ifndef PS_ENGINE_H
#define PS_ENGINE_H

#include "piiscrub.h"
#include "redact.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ps_scratch ps_scratch;

/* @return PS_OK or PS_E_NOMEM. */
int engine_scratch_new(const ps_engine *e, ps_scratch **out);
void engine_scratch_free(ps_scratch *s); /* accepts NULL */

/* Every rule runs on the whole subject: no gates, no bounded searches (keywords are checked per candidate instead).
 * For --explain, which shows every candidate, and for the tests that check that gates and bounds change nothing. */
void engine_scratch_exhaustive(ps_scratch *s);

/* The PCRE2 compile options of a rule pattern with these PS_RFLAG_* flags (UTF, invalid UTF tolerated, ...). */
uint32_t engine_pattern_options(unsigned flags);

/* The redactor built with the engine (actions, tag format, key). */
const ps_redactor *engine_redactor(const ps_engine *e);

/* Whether whole subjects of many lines are gated line by line (see ps_engine.line_mode). */
bool engine_line_mode(const ps_engine *e);

/* The fewest bytes any rule's match takes: a shorter subject has none. */
size_t engine_min_len(const ps_engine *e);

/* The lanes of run alphabets the engine's gates count (at most DIGITRUNS_MAX: tests see when they ran out). */
unsigned engine_run_lanes(const ps_engine *e);

/* Bytes of context that must stay available before a window's first reported byte (context windows, lookbehind). */
size_t engine_back_margin(const ps_engine *e);

/* A subject to scan: subject[0..len) where subject[0] is record offset `base`. Candidates that start before
 * `scan_from` are not reported (they were final in an earlier window). `last` says the subject reaches the record's
 * end; when it does not, PCRE2 partial matching finds matches that may continue past len. `no_words`: the caller's
 * prefilter cursor (engine_next_trigger) found no trigger word in subject[0..len), so the word sets made of trigger
 * words need not be looked for (a log line without "pass", "secret" or "key" skips their search). */
typedef struct ps_subject {
    const char *p;
    size_t len;
    uint64_t base;
    size_t scan_from;
    int last;
    int no_words;
    /* A window of a record longer than the block (scrub.c's longrec; every subject that is not `last` is one): the
     * rest of the record is not in view, so a rule's keywords, which may be anywhere in it, are taken as present (a
     * match is kept: over-redaction, never a leak). */
    int partial;
} ps_subject;

/* Appends to `out` every accepted candidate (all checks passed) of every rule, as record offsets, unmerged.
 * When `matches` is not NULL, it also gets the whole-match range (subject offsets) of every match, accepted or not:
 * the window driver needs them to pick a boundary no match crosses.
 * Sets *hold to the subject offset from which nothing is final yet: a candidate that may still grow, or whose
 * context is not all in view, starts there (len when `last`).
 * `only_rule` < 0 scans every rule; otherwise only that one (rule self-tests).
 * @return PS_OK, PS_E_UNSCANNED (a PCRE2 match error: limits, memory — the caller fails closed) or PS_E_NOMEM. */
int engine_scan(const ps_engine *e, ps_scratch *s, const ps_subject *subj, int only_rule, ps_spanvec *out,
                ps_spanvec *matches, size_t *hold);

/* JIT-compiles now the rules i with i % n == k (of those not compiled yet). Threads that are about to scan much
 * text call it each with their own k before their first block: each rule is otherwise compiled on its first use,
 * and threads that start on the same text need the same rules in the same order, so one compiles while the others
 * wait for its lock. */
void engine_jit_share(const ps_engine *e, unsigned k, unsigned n);

/* Profiling: time every rule's matching in this scratch. @return PS_OK or PS_E_NOMEM. */
int engine_profile_enable(ps_scratch *s, const ps_engine *e);
/* Adds this scratch's per-rule nanoseconds, runs and regex calls to ns, runs and calls[0..n) (no-op when not
 * profiling). */
void engine_profile_add(const ps_scratch *s, uint64_t *ns, uint64_t *runs, uint64_t *calls, size_t n);

/* The chunk prefilter (text formats): when on, a record in which engine_next_trigger finds nothing has no match of
 * any rule and need not be scanned. */
bool engine_prefilter_on(const ps_engine *e);
/* With the prefilter on: does a JSON string whose escapes are all plain (a quote, a backslash or a control byte: no
 * \uXXXX, no \/) hold a trigger after decoding only where its raw text does? Then its raw text is asked
 * (engine_next_trigger) as a string without escapes is. */
bool engine_escapes_inert(const ps_engine *e);
/* Where each kind of trigger (a byte, a word, a run) is next in one chunk; zero-initialise it for each chunk. */
typedef struct ps_trigger_cursor {
    size_t byte, word, run;
    bool started, run_known;
} ps_trigger_cursor;
/* The first position >= from in the chunk p[0..n) where some rule's trigger is, or n. Successive calls with one
 * cursor must be about one chunk and ask about non-decreasing positions; n may differ between them (a caller that
 * only wants to know about p[from..n) passes that n: the cursor looks no further, and a kind that found nothing
 * before n looks again when asked about a later position). `near`: a trigger byte or word before it is enough to
 * know (the caller's record has one), and is returned though a run may start earlier; pass `from` for the first
 * trigger of every kind. p must carry 64 bytes of padding (see buf_pad). */
size_t engine_next_trigger(const ps_engine *e, ps_trigger_cursor *c, const char *p, size_t n, size_t from,
                           size_t near);

/* Why the most recent candidate of engine_scan was dropped, or NULL (for self-tests and explain). */
const char *engine_last_drop(const ps_scratch *s);

#endif
