/*
 * engine.c — compiles a ps_ruleset into PCRE2 JIT code and finds candidate spans in one subject.
 *
 * Per subject (a record, or a window of an over-long record) and per rule:
 *   1. gate: cheap necessary conditions of a whole subject: the byte classes it holds (bytegate: the pattern's
 *      required byte, its possible first bytes, the first bytes of its keywords), the digits and lengths of its runs
 *      of the bytes a match is made of (rxinfo, digitruns), its length; then keywords and required context words.
 *      (Before all this, scrub_chunk skips the records that hold no rule's prefilter trigger: assign_triggers.)
 *   2. confirm: the PCRE2 global-match loop. On a window that is not the record's end, PCRE2_PARTIAL_HARD tells where
 *      a match might continue past the window, and that start is held back for the next window.
 *   3. checks on each candidate, cheapest first: validator, entropy, context words, allow and not_after regexes.
 * Accepted candidates become spans {start, end, rule}; redact.c merges and replaces them.
 *
 * Fail closed: any PCRE2 match error (match/depth/heap limit, JIT stack, memory) returns PS_E_UNSCANNED and the
 * caller replaces the subject rather than pass it through unscanned.
 */
#define _GNU_SOURCE /* memrchr */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "engine.h"

#include "bytegate.h"
#include "byteset.h"
#include "litscan.h"
#include "wordtab.h"
#include "prefilter.h"
#include "digitruns.h"
#include "rungate.h"
#include "runscan.h"
#include "rxinfo.h"
#include "ucase.h"
#include "fold.h"
#include "rules.h"
#include "validate.h"

#include <pcre2.h>
#include <pthread.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdatomic.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define PS_HAVE_AVX2 1
#endif

#define DEFAULT_MATCH_LIMIT 10000000u
#define DEFAULT_DEPTH_LIMIT 100000u
#define JIT_STACK_START (32u * 1024)
#define JIT_STACK_MAX (1024u * 1024)
#define MAX_LOOKBEHIND_MARGIN 256u
#define NOT_AFTER_WINDOW 64u /* bytes before a candidate that its not_after regexes see */
#define LIT_CACHE_PAIR_BITS 5
#define LIT_CACHE (2 << LIT_CACHE_PAIR_BITS) /* fingerprint filters kept per thread, by the word sets they cover */
#define OPEN_MEMO 4       /* byte-class sets whose open rules a thread remembers (open_rules) */
#define OPEN_MEMO_WORDS 4 /* ... for up to 256 rules */

typedef struct engine_example {
    char *text;
    char *file;
    unsigned line, col;
    int expect_match;
} engine_example;

/* Where a rule's prefilter trigger is, for line mode: in its match or in what a positive lookaround sees (a digit, a
 * run, a byte it holds), or anywhere in the record (a keyword, a context word, a one-byte keyword no match holds). */
enum trigger_at { TRIGGER_NONE, TRIGGER_IN_MATCH, TRIGGER_KEYWORDS, TRIGGER_CONTEXT, TRIGGER_IN_RECORD };

enum { START_MAY = 1, START_REFUSED = 2 }; /* engine_rule.start_tab */

/* What rxinfo_ends says of a pattern anchored at the end, a not_after regex (see first_veto) or a rule's own: how far
 * before the end a match can start, and the bytes it ends with. */
typedef struct veto_end {
    bool known; /* rxinfo_ends understood it: it is anchored at the end */
    ps_rxends rx;
} veto_end;

typedef struct engine_rule {
    char *id, *entity;
    pcre2_code *code;
    unsigned group;
    const ps_validator *validator;
    double min_entropy;
    /* context */
    char **ctx_words; /* lower-cased */
    size_t *ctx_len;
    size_t n_ctx;
    unsigned ctx_window;
    bool ctx_required;
    /* vetoes: regexes matched against the candidate's text (allow) and the text just before it (not_after) */
    pcre2_code **allow, **not_after;
    size_t n_allow, n_not_after;
    veto_end *not_after_end; /* per not_after regex: where its match can start and what it ends with */
    /* The rule's own pattern, when anchored at the subject's end ('$', a PEM line's): a subject whose last bytes
     * cannot end a match is not searched (a log line ending in "]" holds no base64 line). */
    veto_end end;
    /* gates: byte sets of which the subject must contain at least one byte each, and keywords */
    char **keywords; /* lower-cased, without case-insensitive duplicates */
    size_t *kw_len;
    size_t n_keywords;
    bool kw_search;        /* some keyword is longer than one byte: a substring search is needed */
    int kw_set, ctx_set;   /* word sets (engine->sets) that must occur in a whole record, or -1 */
    uint32_t min_len;      /* PCRE2_INFO_MINLENGTH: no match is shorter (in characters, so in bytes too) */
    bool caseless;         /* some part of the pattern ignores case (flag, or an inline (?i)) */
    uint64_t sets[3][4];   /* first bytes of a match; the required byte; first bytes of the keywords */
    bool has_set[3];
    uint32_t gate[3];      /* bytegate bits of those sets; the subject must have at least one bit of each */
    unsigned n_gate;
    int run_alphabet;      /* the rule's alphabet in engine->runs, or -1: no digit gate */
    ps_runscan runs_at;    /* where the runs of its alphabet that can hold a match are... */
    bool run_windows;      /* ... when a search starts only in one: digit rules, long matches (assign_digit_gates) */
    int run_lane;          /* run_set's lane in engine->runs, or -1: no run-length gate */
    int digit_lane;        /* the digits' lane, for a rule that needs a digit only in the text (text_digit), or -1 */
    unsigned min_digits;   /* a match is a run of that alphabet holding at least this many digits (rxinfo) */
    unsigned alpha_len;    /* and at least this long (rxinfo's shortest match, in characters so in bytes) */
    unsigned min_group;    /* and with this many digits in a row (rxinfo) */
    unsigned min_others;   /* and this many bytes that are not digits (rxinfo) */
    bool text_digit;       /* the record holds a digit wherever the rule matches, maybe outside the match (rxinfo) */
    uint64_t alphabet[4];  /* the bytes a match can consume (rxinfo) */
    uint64_t run_set[4];   /* a space-free run that must be in the text (rxinfo), run_len long (0: none) */
    unsigned run_len;
    const char *trigger;   /* what the prefilter looks for on the rule's behalf (--profile), or NULL */
    int trigger_at;        /* ... and where it is (enum trigger_at) */
    bool nl_free;          /* neither a match nor a positive lookaround can take a '\n' (rxinfo) */
    bool kw_in_match;      /* its keywords are single bytes, and every match holds one ('@' of an e-mail address) */
    bool kw_on_line;       /* a keyword is on the line of every match: in it, or in a lookbehind before it (rxinfo) */
    unsigned kw_reach;     /* when every match holds a keyword (kw_on_line): the most bytes a match attempt reads
                              from its start (rxinfo's reach), else RXINFO_NO_REACH */
    uint32_t lookbehind;   /* PCRE2_INFO_MAXLOOKBEHIND: characters, so at most 4 bytes each */
    /* Every match holds a byte in [lead_lo, lead_hi] at most `lead` bytes in (rxinfo_lead): a search need only
     * start in [t - lead, t] for such a byte at t (scan_rule). has_lead false: no such bound. */
    bool has_lead;
    unsigned char lead_lo, lead_hi;
    unsigned lead;
    /* A second such bound from another set of bytes ('.' for an IPv4 address led by its digits): the search starts
     * no earlier than `lead2` bytes before the first of them. */
    bool has_lead2;
    unsigned char lead2_lo, lead2_hi;
    unsigned lead2;
    /* The bytes between a match's start and a lead byte after it: consumed by the match, or seen by a lookahead
     * (rxinfo's alphabet and look). A search starts no earlier than the run of them that ends at the lead byte: an
     * e-mail address "...from=<alice@..." is searched from its 'a', not from 64 bytes before its '@'. */
    uint64_t reach[4];
    /* Where in a run window a search may start (scan_rule): start_tab[c] has START_MAY when c may be a match's
     * first byte and START_REFUSED when a match never starts just after c (rxinfo's not_before). `guarded` when some
     * byte is refused: on the run "194.170.130.182 " a phone rule's (?<![\w+./-]) leaves one start, not 15. Lead
     * windows (64 bytes before an '@') are searched whole: a byte-by-byte look at them cost more on logs than the
     * starts it saved. */
    bool guarded;
    uint8_t start_tab[256];
    /* A guarded rule whose matches start with one of one or two bytes only (an ITIN's 9, an E.164 number's +): those
     * bytes, looked for (memchr) before its runs are. */
    unsigned n_firsts;
    unsigned char firsts[2];
    engine_example *examples;
    size_t n_examples;
} engine_rule;

/* A set of words, any of which a record must contain for a rule to run (its keywords, or its required context
 * words). Rules that share a set share one search per record. */
typedef struct wordset {
    char **w; /* lower-cased */
    size_t *len;
    size_t n;
    bool has_single;       /* a one-byte word is in the set: then any occurrence of it is a hit */
    bool whole;            /* its words count as whole words only (context words: ci_find_word) */
    uint8_t single[256];
} wordset;

/* Which rules have their JIT code yet, and the lock their compilation takes. Reached through a pointer, so a const
 * engine (shared by threads) can still compile a rule on first use. Partial matching (the windows of an over-long
 * record) uses a copy of the rule's code with its own JIT mode, made on first need: most inputs never need it, and
 * JIT-compiling both modes up front took twice as long (6.5 against 2.9 ms for the built-in packs). */
#define JIT_CODE 2
#define JIT_LOCKS 16 /* rule i compiles under lock i % JIT_LOCKS: threads starting up compile different rules at once */

struct lazy_jit {
    pthread_mutex_t mu[JIT_LOCKS];
    atomic_int *done;         /* per rule: 1 when its code went through JIT compilation, JIT_CODE when it has JIT code */
    atomic_int *partial_done; /* per rule: partial[i] is made (NULL: out of memory) */
    atomic_int *veto_done;    /* per rule: its not_after regexes went through JIT compilation (on its first candidate):
                                 1, or JIT_CODE when they all have JIT code */
    pcre2_code **partial;
};

struct ps_engine {
    engine_rule *rules;
    size_t n;
    wordset *sets;
    size_t n_sets;
    ps_wordtab words;          /* every word of two or more bytes of the sets, tagged with its set */
    ps_litscan *set_lits;      /* each set's fingerprint filter; a record's filter is the union of those it needs */
    uint64_t single_sets[256]; /* for each byte, the sets holding it as a one-byte word */
    uint64_t single_any;       /* the sets holding a one-byte word */
    /* One pass over a subject tells which gate byte sets it touches; a rule runs only where all of its do. */
    ps_bytegate gate;
    /* The rules' gate masks side by side (gate g of rule i at gate_mask[g][i], all bits when the rule has fewer
     * gates; n rounded up to a multiple of 8, the padding never open): a record opens a rule when it has a bit of
     * each of the rule's masks. Eight rules per AVX2 step, four per SSE2 step. */
    uint32_t *gate_mask[3];
    int avx2; /* the CPU has AVX2: open_rules takes eight rules at a time */
    ps_rungate rungate;  /* per rule, the runs and length a record needs (gate_rules) */
    /* per rule of runs (run_windows), the run of its alphabet a match lies in, without the rest of rungate's needs
     * (a run a lookahead sees, a digit anywhere), which the part of a record not yet in view may meet (window_gates) */
    ps_rungate window_rungate;
    uint64_t *rule_sets; /* per rule, the word sets it needs: keywords, required context words (gate_rules) */
    uint64_t *ctx_need;  /* per rule, its required context words' set alone (a window of a long record) */
    uint64_t *word_rules; /* a bitmap of the rules that need a word set (rule_sets[i] != 0): the others pass by */
    size_t rule_words; /* 64-bit words of a bitmap of rules */
    uint32_t min_len; /* the shortest match any rule can make */
    ps_digitruns runs; /* the alphabets of the rules that need two or more digits */
    int group_lane;    /* the lane of the digits alone in runs (for min_group), or -1 */
    ps_prefilter pf;   /* chunk-level triggers (text formats); used only when every rule has one */
    bool pf_on;
    /* The trigger bytes that only start a character fold_apply may change (E2 starts U+2010 and also a curly
     * quote): a hit on one counts only when the character there folds (engine_next_trigger). */
    uint64_t fold_only[4];
    bool escapes_inert; /* no trigger byte, word or run holds a byte a plain JSON escape stands for */
    uint64_t trigger_sets; /* the word sets whose words are all trigger words (see ps_subject.no_words) */
    /* Line mode (scan_lines), for whole subjects of many lines: the line-local rules (a match, what it needs and its
     * trigger all in one line) run only on the lines with a trigger, gated line by line; the others (each with a
     * word set) on the whole subject. */
    bool line_mode;
    uint64_t *line_local, *whole_rules; /* bitmaps of rules */
    uint64_t *ctx_sets, *kw_sets;       /* per rule, its required context words' set, its keywords' (line-local) */
    uint64_t *line_kw_sets;             /* per rule, its keywords' set when they are on its match's line */
    /* Every rule that is not line-local has words of two or more bytes for its trigger (so none of them is in a
     * subject without a trigger word); and, for whole_from_word, needs no other word set (so none of its words
     * starts before the first trigger). */
    bool whole_by_words, whole_from_word;
    uint64_t whole_sets;                /* the word sets of the rules that are not line-local */
    uint64_t window_kw_sets;            /* the keywords' sets of the rules with a kw_reach (see scan_rule) */
    uint32_t kw_bits;                   /* the bytegate bits of one-byte keywords: a record-level gate */
    unsigned line_margin;               /* the widest context window of a line-local rule */
    struct lazy_jit *jit;  /* first-use JIT compilation (ensure_jit): the engine's only mutable state */
    ps_redactor *redactor;
    ps_redact_rule *redact_rules;
    uint32_t max_pairs; /* ovector pairs needed */
    uint32_t match_limit, depth_limit;
    size_t back_margin;
};

struct ps_scratch {
    pcre2_general_context *lines; /* allocates md, the match contexts and the JIT stack (line_alloc) */
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    pcre2_match_context *mctx_lead; /* the same limits, and an offset limit: for searches bounded by a lead */
    pcre2_jit_stack *jit;
    const char *last_drop;  /* why the latest candidate was dropped */
    const char *last_check; /* which check dropped it */
    char drop_buf[160];
    /* The rules whose byte gates and runs the current subject lets through (rule_words words). */
    uint64_t *open;
    /* The rules the byte gates let through for recent byte-class sets (open_rules): set k's are memo_open[k]. */
    uint64_t memo_key[OPEN_MEMO];
    uint64_t memo_open[OPEN_MEMO][OPEN_MEMO_WORDS];
    unsigned memo_next;
    /* Fingerprint filters for the words of a few recent combinations of needed sets: a record whose open rules
     * need two sets should not pay for candidates of forty. */
    struct {
        uint64_t sets;
        ps_litscan lits;
    } lit_cache[LIT_CACHE];
    unsigned lit_next; /* alternates the way a full pair of slots gives up */
    /* Unicode folding of the current subject (see engine_scan) */
    int folded;
    uint64_t window_kw; /* of window_kw_sets, those in the current window of an over-long record (scan_subject) */
    uint64_t *window_runs; /* and the rules whose run gates that window passes, when it is not the record's end */
    ps_buf fold_buf;
    ps_offmap fold_map;
    ps_spanvec fold_spans;
    /* --explain: every rule runs (no gates; keywords are checked per candidate instead), and on_candidate is
     * told of every candidate (kept: check == NULL). */
    bool ungated;
    /* profiling (ps_run_options.profile): per rule, nanoseconds and runs */
    uint64_t *prof_ns, *prof_runs, *prof_calls;
    size_t prof_n;
    void (*on_candidate)(void *ctx, size_t gs, size_t ge, uint32_t rule, const char *check, const char *why);
    void *candidate_ctx;
};

/* ---------------------------------------------------------------- byte sets */

static const uint64_t DIGIT_SET[4] = {(uint64_t)0x3FF << '0', 0, 0, 0}; /* the ASCII digits */

static void set_add_both_cases(uint64_t s[4], unsigned char c)
{
    byteset_add(s, c);
    if (c >= 'a' && c <= 'z')
        byteset_add(s, (unsigned char)(c - 32));
    else if (c >= 'A' && c <= 'Z')
        byteset_add(s, (unsigned char)(c + 32));
}

/* ---------------------------------------------------------------- text helpers */

static char *lower_dup(const char *s, size_t *len)
{
    size_t n = strlen(s);
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < n; i++)
        d[i] = (char)ascii_lower((unsigned char)s[i]);
    d[n] = 0;
    *len = n;
    return d;
}

/* Case-insensitive search of a lower-cased needle. @return the offset, or (size_t)-1. */
static size_t ci_find(const char *hay, size_t n, const char *needle, size_t m, size_t from)
{
    if (m == 0 || m > n)
        return (size_t)-1;
    unsigned char f = (unsigned char)needle[0];
    unsigned char F = (f >= 'a' && f <= 'z') ? (unsigned char)(f - 32) : f;
    for (size_t i = from; i + m <= n; i++) {
        unsigned char c = (unsigned char)hay[i];
        if (c != f && c != F)
            continue;
        size_t k = 1;
        while (k < m && ascii_lower((unsigned char)hay[i + k]) == (unsigned char)needle[k])
            k++;
        if (k == m)
            return i;
    }
    return (size_t)-1;
}

/* Is the word w (m bytes, lower-cased) in p[lo..hi) as a whole word of p[0..len)? Letters and digits make up a
 * word (ascii_alnum); '_' and '-' separate words, so "cpr" is found in the key "cpr_nr" and "ssn" in "ssn-hash".
 * Where a word's own end is a letter or digit, the byte next to it in the text, inside the window or not, must not
 * be one: "phone" is not in "iPhone", wherever the window around a candidate begins (the word gates say the same
 * of the whole record: wordtab.whole_words). */
static bool ci_find_word(const char *p, size_t len, size_t lo, size_t hi, const char *w, size_t m)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t at = 0;
    while ((at = ci_find(p + lo, hi - lo, w, m, at)) != (size_t)-1) {
        size_t a = lo + at;
        bool left_ok = a == 0 || !ascii_joined((unsigned char)w[0], u[a - 1]);
        bool right_ok = a + m == len || !ascii_joined((unsigned char)w[m - 1], u[a + m]);
        if (left_ok && right_ok)
            return true;
        at++;
    }
    return false;
}

/* ---------------------------------------------------------------- compile */

static void pos_diag(ps_diag *d, const ps_srcpos *pos, const char *id, const char *fmt, const char *a,
                     const char *b)
{
    if (!d)
        return;
    memset(d, 0, sizeof *d);
    if (pos && pos->file) {
        snprintf(d->file, sizeof d->file, "%s", pos->file);
        d->line = pos->line;
        d->col = pos->col;
    }
    if (id)
        snprintf(d->rule_id, sizeof d->rule_id, "%s", id);
    snprintf(d->msg, sizeof d->msg, fmt, a ? a : "", b ? b : "");
}

uint32_t engine_pattern_options(unsigned flags)
{
    uint32_t o = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags & PS_RFLAG_CASELESS)
        o |= PCRE2_CASELESS;
    if (flags & PS_RFLAG_MULTILINE)
        o |= PCRE2_MULTILINE;
    if (flags & PS_RFLAG_DOTALL)
        o |= PCRE2_DOTALL;
    if (flags & PS_RFLAG_EXTENDED)
        o |= PCRE2_EXTENDED;
    if (flags & PS_RFLAG_UCP)
        o |= PCRE2_UCP;
    if (flags & PS_RFLAG_UNGREEDY)
        o |= PCRE2_UNGREEDY;
    return o;
}

/* Compiles one regex; on error fills diag with PCRE2's message and the offset. `what` names the regex. */
static int compile_one(const char *src, uint32_t options, const ps_srcpos *pos, const char *id,
                       const char *what, pcre2_code **out, ps_diag *diag)
{
    int err;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, options, &err, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(err, msg, sizeof msg);
        char where[64];
        snprintf(where, sizeof where, "%s does not compile at offset %zu", what, (size_t)off);
        pos_diag(diag, pos, id, "%s: %s; fix the regex (PCRE2 syntax)", where, (const char *)msg);
        return PS_E_RULES;
    }
    /* No JIT here: rules and their not_after regexes are JIT-compiled on first use (ensure_jit, ensure_veto_jit), so
     * start-up pays only for what runs; allow regexes run on candidates only, rarely enough for the interpreter.
     * A regex that matches the empty string would redact (or veto) at every position. */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
    if (!md) {
        pcre2_code_free(code);
        return PS_E_NOMEM;
    }
    int rc = pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL);
    pcre2_match_data_free(md);
    if (rc >= 0) {
        pos_diag(diag, pos, id, "%s matches the empty string, so it would match everywhere; make it require at least "
                 "one character (e.g. use + instead of *)%s", what, "");
        pcre2_code_free(code);
        return PS_E_RULES;
    }
    *out = code;
    return PS_OK;
}

enum { GATE_FIRST, GATE_NEED, GATE_KEYWORD };

/* Does the pattern turn on caseless matching inline, as in (?i) or (?i:...)? PCRE2_INFO_ALLOPTIONS does not say,
 * and a gate built from one case of a letter would then skip records with the other. Conservative: any option
 * group with an 'i' before its ':' or ')' counts, even one that turns it off. */
static bool inline_caseless(const char *p)
{
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (p[0] != '(' || p[1] != '?')
            continue;
        for (const char *q = p + 2; *q && *q != ')' && *q != ':'; q++) {
            if (*q == 'i')
                return true;
            if (!((*q >= 'a' && *q <= 'z') || *q == '-' || *q == '^'))
                break;
        }
    }
    return false;
}

static void derive_gates(engine_rule *r)
{
    uint32_t v = 0;
    /* Required byte: PCRE2 knows a code unit every match contains. A letter's other case counts too, caseless rule
     * or not: PCRE2 reads [aA] and (?:a|A) as a caseless 'a' and reports 'a' alone (whether it is caseless is not
     * in its API), so a gate of 'a' alone would skip "A12". */
    if (pcre2_pattern_info(r->code, PCRE2_INFO_LASTCODETYPE, &v) == 0 && v == 1) {
        uint32_t cu = 0;
        pcre2_pattern_info(r->code, PCRE2_INFO_LASTCODEUNIT, &cu);
        set_add_both_cases(r->sets[GATE_NEED], (unsigned char)cu);
        r->has_set[GATE_NEED] = true;
    }
    if (pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTCODETYPE, &v) == 0) {
        if (v == 1) {
            uint32_t cu = 0;
            pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTCODEUNIT, &cu);
            set_add_both_cases(r->sets[GATE_FIRST], (unsigned char)cu);
            r->has_set[GATE_FIRST] = true;
        } else {
            const uint8_t *bm = NULL;
            if (pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTBITMAP, &bm) == 0 && bm) {
                for (int k = 0; k < 4; k++)
                    for (int b = 0; b < 8; b++)
                        r->sets[GATE_FIRST][k] |= (uint64_t)bm[k * 8 + b] << (8 * b);
                r->has_set[GATE_FIRST] = true;
            }
        }
    }
    for (size_t i = 0; i < r->n_keywords; i++) {
        set_add_both_cases(r->sets[GATE_KEYWORD], (unsigned char)r->keywords[i][0]);
        r->kw_search |= r->kw_len[i] > 1;
    }
    r->has_set[GATE_KEYWORD] = r->n_keywords > 0;
}

/* Finds or adds the word set holding exactly these (lower-cased, distinct) words, found as whole words only or
 * anywhere (wordset.whole). @return its index, or -1. */
static int intern_wordset(ps_engine *e, char *const *w, const size_t *len, size_t n, bool whole)
{
    for (size_t i = 0; i < e->n_sets; i++) {
        const wordset *ws = &e->sets[i];
        if (ws->n != n || ws->whole != whole)
            continue;
        size_t k = 0;
        while (k < n && ws->len[k] == len[k] && memcmp(ws->w[k], w[k], len[k]) == 0)
            k++;
        if (k == n)
            return (int)i;
    }
    wordset *sets = realloc(e->sets, (e->n_sets + 1) * sizeof *sets);
    if (!sets)
        return -1;
    e->sets = sets;
    wordset *ws = &sets[e->n_sets];
    memset(ws, 0, sizeof *ws);
    ws->w = calloc(n, sizeof *ws->w);
    ws->len = calloc(n, sizeof *ws->len);
    if (!ws->w || !ws->len) {
        free(ws->w);
        free(ws->len);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        if (!(ws->w[k] = strdup(w[k]))) {
            for (size_t j = 0; j < k; j++)
                free(ws->w[j]);
            free(ws->w);
            free(ws->len);
            return -1;
        }
        ws->len[k] = len[k];
        unsigned char c = (unsigned char)w[k][0];
        if (len[k] == 1) {
            ws->has_single = true;
            ws->single[c] = 1;
            ws->single[c >= 'a' && c <= 'z' ? c - 32 : c] = 1;
        }
    }
    ws->n = n;
    ws->whole = whole;
    return (int)e->n_sets++;
}

#define MAX_WORDSETS 64

/* The word gates of each rule: multi-byte keywords (one-byte keywords are settled by the byte gate), and required
 * context words, whose presence somewhere in the record is necessary for any candidate to pass its context check. */
static int assign_wordsets(ps_engine *e)
{
    for (size_t i = 0; i < e->n; i++) {
        engine_rule *r = &e->rules[i];
        r->kw_set = r->ctx_set = -1;
        if (r->kw_search && (r->kw_set = intern_wordset(e, r->keywords, r->kw_len, r->n_keywords, false)) < 0)
            return PS_E_NOMEM;
        /* Context words count as whole words only (ci_find_word): so does their gate. */
        if (r->n_ctx && r->ctx_required &&
            (r->ctx_set = intern_wordset(e, r->ctx_words, r->ctx_len, r->n_ctx, true)) < 0)
            return PS_E_NOMEM;
        /* Beyond 64 sets a rule simply goes ungated by words (its checks still apply). */
        if (r->kw_set >= MAX_WORDSETS)
            r->kw_set = -1;
        if (r->ctx_set >= MAX_WORDSETS)
            r->ctx_set = -1;
    }
    wordtab_init(&e->words);
    for (size_t i = 0; i < e->n_sets && i < MAX_WORDSETS; i++) {
        for (unsigned c = 0; c < 256; c++)
            if (e->sets[i].single[c])
                e->single_sets[c] |= (uint64_t)1 << i;
        if (e->sets[i].has_single)
            e->single_any |= (uint64_t)1 << i;
        if (e->sets[i].whole)
            e->words.whole_words |= (uint64_t)1 << i;
        for (size_t k = 0; k < e->sets[i].n; k++)
            if (wordtab_add(&e->words, e->sets[i].w[k], e->sets[i].len[k], (unsigned)i))
                return PS_E_NOMEM;
    }
    if (wordtab_finish(&e->words))
        return PS_E_NOMEM;
    size_t n_sets = e->n_sets < MAX_WORDSETS ? e->n_sets : MAX_WORDSETS;
    if (n_sets && !(e->set_lits = calloc(n_sets, sizeof *e->set_lits)))
        return PS_E_NOMEM;
    for (size_t i = 0; i < n_sets; i++)
        wordtab_lits(&e->words, (uint64_t)1 << i, &e->set_lits[i]);
    /* The sets that are a rule's trigger (assign_triggers): words of two or more bytes all, so a subject in which
     * the prefilter saw no trigger word holds none of them. */
    for (size_t i = 0; i < e->n; i++) {
        const engine_rule *r = &e->rules[i];
        int set = r->trigger_at == TRIGGER_KEYWORDS ? r->kw_set : r->trigger_at == TRIGGER_CONTEXT ? r->ctx_set : -1;
        if (set >= 0 && !e->sets[set].has_single)
            e->trigger_sets |= (uint64_t)1 << set;
    }
    return PS_OK;
}

/* Gives the gate sets their bytegate bits, the most selective (smallest) sets first: when the 16 bits run out, the
 * sets left without bits are the ones that would have filtered least. */
static void assign_gates(ps_engine *e)
{
    bytegate_init(&e->gate);
    for (unsigned size = 1; size <= 256; size++) {
        for (size_t i = 0; i < e->n; i++) {
            engine_rule *r = &e->rules[i];
            for (int g = 0; g < 3; g++) {
                if (!r->has_set[g] || byteset_count(r->sets[g]) != size)
                    continue;
                uint32_t bits = bytegate_add(&e->gate, r->sets[g]);
                if (bits)
                    r->gate[r->n_gate++] = bits;
                if (g == GATE_KEYWORD && !r->kw_in_match)
                    e->kw_bits |= bits;
            }
        }
    }
}

#define MIN_GATE_RUN 6 /* a record gate for shorter runs would rarely close */
#define RUN_WINDOW_MIN_LEN 12  /* shorter runs of an alphabet are everywhere in prose and logs: a lead bounds better */
#define RUN_WINDOW_MIN_LEAD 32 /* a lead this far from a match's start bounds less than its runs do */

/* Rules that need two or more digits get a digit gate (one digit is the byte gate's business). */
static void assign_digit_gates(ps_engine *e)
{
    digitruns_init(&e->runs);
    /* A rule that needs a digit only where a lookahead looks (a licence number's) may open on any record with a
     * capital letter; a lane of the digits alone, first so that it stays exact, says whether the record has one. */
    bool groups = false;
    for (size_t i = 0; i < e->n; i++) {
        engine_rule *r = &e->rules[i];
        r->digit_lane = r->text_digit && r->min_digits < 2 ? digitruns_add(&e->runs, DIGIT_SET) : -1;
        groups = groups || (r->min_digits >= 2 && r->min_group >= 2);
    }
    /* The digits' lane also tells the most digits in a row, which a rule's min_group needs (an ID of seven digits
     * in a row on a log line whose groups have five at most): made for that alone when no rule needed it. */
    e->group_lane = groups ? digitruns_add(&e->runs, DIGIT_SET) : -1;
    for (size_t i = 0; i < e->n; i++) {
        engine_rule *r = &e->rules[i];
        if (r->min_digits >= 2)
            r->run_alphabet = digitruns_add(&e->runs, r->alphabet);
        /* A long match of an alphabet without spaces is a rare run too: when its lead is far from its start (a full
         * IPv6 address, 15 of [0-9A-Fa-f:.%...], is searched from 45 bytes before a digit: on a log line, from the
         * clock on) or when it has none (a Cisco MAC address, searched from the line's start), its search starts
         * only in such runs instead, whatever its digits. A rule with a short lead keeps it: its PCRE2 search fails
         * fast where the runs would cost a pass of their own (tokens in prose). */
        r->run_windows = r->min_digits >= 2 || (r->alpha_len >= RUN_WINDOW_MIN_LEN && !byteset_has(r->alphabet, ' ') &&
                                                 !byteset_has(r->alphabet, '\n') &&
                                                 (!r->has_lead || r->lead >= RUN_WINDOW_MIN_LEAD));
        if (r->run_windows)
            runscan_init(&r->runs_at, r->alphabet, r->min_digits, r->alpha_len, r->min_group, r->min_others);
    }
    /* Then, in the lanes left, the runs a match needs (a Spanish DNI: 8 of [0-9XYZ]; a full IPv6 address: 15 of
     * [0-9A-Fa-f:]): far sharper than the merged run kinds of the prefilter. When the lanes run out, a run takes
     * the smallest lane that holds its bytes, or goes without a gate (digitruns_add). */
    for (size_t i = 0; i < e->n; i++) {
        engine_rule *r = &e->rules[i];
        r->run_lane = r->run_len >= MIN_GATE_RUN ? digitruns_add(&e->runs, r->run_set) : -1; /* -1: no lane left */
    }
}

/* How often a byte turns up in ordinary text (prose, logs, code): letters, spaces and sentence punctuation are
 * everywhere; digits and code punctuation are in many lines; the rest is rare. */
enum { BYTE_RARE, BYTE_MEDIUM, BYTE_COMMON };

static int byte_class(unsigned c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || strchr(" \t.,-'\"();!?", (int)c))
        return BYTE_COMMON;
    if ((c >= '0' && c <= '9') || strchr(":/_=*#<>[]{}|&+%$~`\\", (int)c))
        return BYTE_MEDIUM;
    return BYTE_RARE;
}

/* The most common class of a set's bytes (BYTE_RARE for an empty set). */
static int set_class(const uint64_t set[4])
{
    int worst = BYTE_RARE;
    for (unsigned c = 1; c < 256; c++)
        if (byteset_has(set, c) && byte_class(c) > worst)
            worst = byte_class(c);
    return worst;
}

/* The rule's gate byte set (first bytes, required byte, one-byte keywords) of the rarest class, or NULL. */
static const uint64_t *rarest_set(const engine_rule *r, int *cls, int *gate)
{
    const uint64_t *best = NULL;
    *cls = BYTE_COMMON;
    *gate = -1;
    for (int g = 0; g < 3; g++) {
        if (!r->has_set[g] || (g == GATE_KEYWORD && r->kw_search))
            continue;
        int c = set_class(r->sets[g]);
        if (c < *cls) {
            *cls = c;
            *gate = g;
            best = r->sets[g];
        }
    }
    return best;
}

static int add_words(ps_prefilter *pf, char *const *w, const size_t *len, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (len[k] == 1) {
            uint64_t one[4] = {0};
            set_add_both_cases(one, (unsigned char)w[k][0]);
            prefilter_add_bytes(pf, one);
        } else if (prefilter_add_word(pf, w[k], len[k])) {
            return PS_E_NOMEM;
        }
    }
    return PS_OK;
}

#define MIN_TRIGGER_RUN 8 /* shorter runs of word characters are everywhere */

/* Is none of the bytes that a JSON escape other than \uXXXX and \/ stands for (a quote, a backslash, a control byte)
 * a trigger byte, in a trigger word or in a trigger run? Then a string's decoded text holds no trigger its raw text
 * lacks: its other bytes are the raw ones, a word without those bytes is in the raw text as it is, and the raw text's
 * runs are broken where the decoded text's are (engine_escapes_inert). */
static bool escapes_inert(const ps_prefilter *pf)
{
    static const char escaped[] = "\"\\\n\r\t\b\f";
    for (const char *c = escaped; *c; c++) {
        unsigned char b = (unsigned char)*c;
        if (byteset_has(pf->bytes, b))
            return false;
        for (unsigned k = 0; k < pf->n_runs; k++)
            if (byteset_has(pf->runs[k].set, b))
                return false;
        for (size_t i = 0; i < pf->words.n; i++)
            if (memchr(pf->words.words[i].w, b, pf->words.words[i].len))
                return false;
    }
    return true;
}

/* One necessary trigger per rule for the chunk prefilter, the most selective kind first: a rare byte its match
 * must hold, a digit, a long run of its match's bytes, its keywords, a byte of code punctuation, its required
 * context words, a shorter run. A rule with none turns the prefilter off. */
static int assign_triggers(ps_engine *e)
{
    prefilter_init(&e->pf);
    e->pf_on = true;
    uint64_t fold_leads[4] = {0};
    /* Unicode look-alikes are folded per record (engine_scan): a record holding one may hide any trigger (a
     * full-width digit, a soft hyphen inside a keyword), so the bytes that start them are triggers too. Other
     * non-ASCII text (accents, CJK) folds to itself. */
    fold_lead_bytes(fold_leads);
    prefilter_add_bytes(&e->pf, fold_leads);
    uint64_t rule_bytes[4] = {0}; /* the trigger bytes of rules */
    for (size_t i = 0; i < e->n; i++) {
        engine_rule *r = &e->rules[i];
        int cls, gate;
        const uint64_t *bytes = rarest_set(r, &cls, &gate);
        bool ctx = r->n_ctx && r->ctx_required;
        int byte_at = gate != GATE_KEYWORD || r->kw_in_match ? TRIGGER_IN_MATCH : TRIGGER_IN_RECORD;
        r->trigger_at = TRIGGER_IN_MATCH;
        if (bytes && cls == BYTE_RARE) {
            prefilter_add_bytes(&e->pf, bytes);
            byteset_unite(rule_bytes, bytes);
            r->trigger = "a rare byte its match holds";
            r->trigger_at = byte_at;
        } else if (r->text_digit) { /* a digit in the match, or one a lookahead needs (a licence number's) */
            prefilter_add_bytes(&e->pf, DIGIT_SET);
            byteset_unite(rule_bytes, DIGIT_SET);
            r->trigger = "a digit";
        } else if (r->run_len >= 16 && !prefilter_add_run(&e->pf, r->run_set, r->run_len)) {
            r->trigger = "a run of the bytes its match is made of";
        } else if (r->kw_search) {
            if (add_words(&e->pf, r->keywords, r->kw_len, r->n_keywords))
                return PS_E_NOMEM;
            r->trigger = "one of its keywords";
            r->trigger_at = TRIGGER_KEYWORDS;
        } else if (bytes && cls == BYTE_MEDIUM) {
            prefilter_add_bytes(&e->pf, bytes);
            byteset_unite(rule_bytes, bytes);
            r->trigger = "a byte its match holds";
            r->trigger_at = byte_at;
        } else if (ctx) {
            if (add_words(&e->pf, r->ctx_words, r->ctx_len, r->n_ctx))
                return PS_E_NOMEM;
            r->trigger = "one of its context words";
            r->trigger_at = TRIGGER_CONTEXT;
        } else if (r->run_len >= MIN_TRIGGER_RUN && !prefilter_add_run(&e->pf, r->run_set, r->run_len)) {
            r->trigger = "a run of the bytes its match is made of";
        } else {
            r->trigger_at = TRIGGER_NONE;
            e->pf_on = false;
        }
    }
    for (int k = 0; k < 4; k++)
        e->fold_only[k] = fold_leads[k] & ~rule_bytes[k];
    e->escapes_inert = escapes_inert(&e->pf);
    return prefilter_finish(&e->pf) ? PS_E_NOMEM : PS_OK;
}

/* Lays the rules' gate masks out for open_rules (see ps_engine.gate_mask). */
static int index_gates(ps_engine *e)
{
    e->rule_words = (e->n + 63) / 64 ? (e->n + 63) / 64 : 1;
    size_t padded = (e->n + 7) & ~(size_t)7; /* open_rules reads them eight at a time */
#ifdef PS_HAVE_AVX2
    __builtin_cpu_init();
    e->avx2 = __builtin_cpu_supports("avx2");
#endif
    for (int g = 0; g < 3; g++) {
        if (!(e->gate_mask[g] = calloc(padded ? padded : 1, sizeof *e->gate_mask[g])))
            return PS_E_NOMEM;
        for (size_t i = 0; i < e->n; i++)
            e->gate_mask[g][i] = (unsigned)g < e->rules[i].n_gate ? e->rules[i].gate[g] : ~(uint32_t)0;
    }
    return PS_OK;
}

/* Word set `set` as a bit of a bitmap of sets; none for -1. */
static uint64_t set_bit(int set)
{
    return set >= 0 ? (uint64_t)1 << set : 0;
}

/* The gates a record's runs, length and words decide (gate_rules), once the digit gates and word sets are assigned. */
static int layout_rule_gates(ps_engine *e)
{
    if (rungate_init(&e->rungate, e->n) || rungate_init(&e->window_rungate, e->n) ||
        !(e->rule_sets = calloc(e->n ? e->n : 1, sizeof *e->rule_sets)) ||
        !(e->ctx_need = calloc(e->n ? e->n : 1, sizeof *e->ctx_need)) ||
        !(e->word_rules = calloc(e->rule_words, sizeof *e->word_rules)))
        return PS_E_NOMEM;
    e->rungate.digit_lane = e->group_lane >= 0 ? (unsigned)e->group_lane : RUNGATE_NONE;
    e->window_rungate.digit_lane = e->rungate.digit_lane;
    for (size_t i = 0; i < e->n; i++) {
        const engine_rule *r = &e->rules[i];
        unsigned lane = r->run_lane >= 0 ? (unsigned)r->run_lane : RUNGATE_NONE;
        if (r->run_alphabet >= 0) { /* a match is a run of its alphabet, with its digits */
            rungate_set(&e->rungate, i, (unsigned)r->run_alphabet, r->min_digits, r->alpha_len, lane, r->run_len,
                        r->min_len);
            rungate_set_group(&e->rungate, i, r->min_group);
            if (r->run_windows) {
                rungate_set(&e->window_rungate, i, (unsigned)r->run_alphabet, r->min_digits, r->alpha_len,
                            RUNGATE_NONE, 0, 0);
                rungate_set_group(&e->window_rungate, i, r->min_group);
            }
        }
        else /* a digit somewhere, or nothing */
            rungate_set(&e->rungate, i, r->digit_lane >= 0 ? (unsigned)r->digit_lane : RUNGATE_NONE, 1, 0, lane,
                        r->run_len, r->min_len);
        e->rule_sets[i] = set_bit(r->kw_set) | set_bit(r->ctx_set);
        e->ctx_need[i] = set_bit(r->ctx_set);
        if (e->rule_sets[i])
            e->word_rules[i >> 6] |= (uint64_t)1 << (i & 63);
    }
    return PS_OK;
}

/* The word set whose words are rule r's prefilter trigger when they all have two or more bytes (the prefilter looks
 * for one-byte words as bytes), or -1. */
static int word_trigger_set(const engine_rule *r)
{
    const size_t *len = NULL;
    size_t n = 0;
    int set = -1;
    if (r->trigger_at == TRIGGER_KEYWORDS) {
        len = r->kw_len, n = r->n_keywords, set = r->kw_set;
    } else if (r->trigger_at == TRIGGER_CONTEXT) {
        len = r->ctx_len, n = r->n_ctx, set = r->ctx_set;
    }
    for (size_t k = 0; k < n; k++)
        if (len[k] < 2)
            return -1;
    return set;
}

/* Which rules line mode may run line by line (see ps_engine.line_mode). It is off when a rule that is not line-local
 * has no word set to gate it on a whole subject. */
static int assign_line_mode(ps_engine *e)
{
    if (!(e->line_local = calloc(e->rule_words, sizeof *e->line_local)) ||
        !(e->whole_rules = calloc(e->rule_words, sizeof *e->whole_rules)) ||
        !(e->ctx_sets = calloc(e->n ? e->n : 1, sizeof *e->ctx_sets)) ||
        !(e->kw_sets = calloc(e->n ? e->n : 1, sizeof *e->kw_sets)) ||
        !(e->line_kw_sets = calloc(e->n ? e->n : 1, sizeof *e->line_kw_sets)))
        return PS_E_NOMEM;
    e->line_mode = e->pf_on;
    e->whole_by_words = e->whole_from_word = true;
    for (size_t i = 0; i < e->n; i++) {
        const engine_rule *r = &e->rules[i];
        /* Its match and its trigger on one line: a byte of the match, or a keyword that is on the match's line. */
        if (r->nl_free && (r->trigger_at == TRIGGER_IN_MATCH || (r->trigger_at == TRIGGER_KEYWORDS && r->kw_on_line))) {
            e->line_local[i >> 6] |= (uint64_t)1 << (i & 63);
            if (r->kw_on_line)
                e->line_kw_sets[i] = set_bit(r->kw_set);
            else
                e->kw_sets[i] = set_bit(r->kw_set);
            e->ctx_sets[i] = set_bit(r->ctx_set);
            if (r->ctx_set >= 0 && r->ctx_window > e->line_margin)
                e->line_margin = r->ctx_window;
        } else {
            e->whole_rules[i >> 6] |= (uint64_t)1 << (i & 63);
            e->whole_sets |= e->rule_sets[i];
            e->line_mode = e->line_mode && e->rule_sets[i];
            int trigger_set = word_trigger_set(r);
            e->whole_by_words = e->whole_by_words && trigger_set >= 0;
            e->whole_from_word = e->whole_from_word && trigger_set >= 0 && e->rule_sets[i] == set_bit(trigger_set);
        }
    }
    return PS_OK;
}

/* Does the pattern's text end with '$' (closing parentheses aside)? Only such a pattern is given to rxinfo_ends:
 * reading what every one of them ends with cost as much as all the rest of rxinfo's reading. */
static bool ends_with_dollar(const char *pattern)
{
    size_t n = strlen(pattern);
    while (n && pattern[n - 1] == ')')
        n--;
    size_t bs = 0; /* backslashes before it: an odd count escapes it */
    while (n > 1 + bs && pattern[n - 2 - bs] == '\\')
        bs++;
    return n && pattern[n - 1] == '$' && bs % 2 == 0;
}

static void free_rule(engine_rule *r)
{
    free(r->id);
    free(r->entity);
    pcre2_code_free(r->code);
    for (size_t i = 0; i < r->n_ctx; i++)
        free(r->ctx_words[i]);
    free(r->ctx_words);
    free(r->ctx_len);
    for (size_t i = 0; i < r->n_allow; i++)
        pcre2_code_free(r->allow[i]);
    free(r->allow);
    for (size_t i = 0; i < r->n_not_after; i++)
        pcre2_code_free(r->not_after[i]);
    free(r->not_after);
    free(r->not_after_end);
    for (size_t i = 0; i < r->n_keywords; i++)
        free(r->keywords[i]);
    free(r->keywords);
    free(r->kw_len);
    for (size_t i = 0; i < r->n_examples; i++) {
        free(r->examples[i].text);
        free(r->examples[i].file);
    }
    free(r->examples);
}

/* A list of distinct words, grown as variants are added (lower_list). */
typedef struct word_list {
    char **w;
    size_t *len;
    size_t n, cap;
} word_list;

static int add_word(void *ctx, const char *w, size_t len)
{
    word_list *l = ctx;
    for (size_t k = 0; k < l->n; k++)
        if (l->len[k] == len && memcmp(l->w[k], w, len) == 0)
            return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        char **nw = realloc(l->w, cap * sizeof *nw);
        if (!nw)
            return PS_E_NOMEM;
        l->w = nw;
        size_t *nl = realloc(l->len, cap * sizeof *nl);
        if (!nl)
            return PS_E_NOMEM;
        l->len = nl;
        l->cap = cap;
    }
    char *d = malloc(len + 1);
    if (!d)
        return PS_E_NOMEM;
    memcpy(d, w, len);
    d[len] = 0;
    l->w[l->n] = d;
    l->len[l->n++] = len;
    return 0;
}

/* The distinct words of l, ASCII lower-cased, each also in every case of its non-ASCII letters (ucase.h): the word
 * searches ignore ASCII case only. The arrays are the caller's to free (free_rule), also after an error. */
static int lower_list(const ps_strlist *l, char ***out, size_t **lens, size_t *n)
{
    word_list wl = {NULL, NULL, 0, 0};
    int st = PS_OK;
    for (size_t i = 0; i < l->n && st == PS_OK; i++) {
        size_t len;
        char *w = lower_dup(l->v[i], &len);
        st = w ? ucase_variants(w, len, add_word, &wl) : PS_E_NOMEM;
        free(w);
    }
    *out = wl.w;
    *lens = wl.len;
    *n = wl.n;
    return st;
}

static int copy_examples(engine_rule *r, const ps_strlist *l, int expect)
{
    for (size_t i = 0; i < l->n; i++) {
        engine_example *x = &r->examples[r->n_examples];
        size_t len = strlen(l->v[i]);
        x->text = calloc(1, len + 64); /* zero padding: the text is a PCRE2 subject (see buf_pad) */
        if (x->text)
            memcpy(x->text, l->v[i], len);
        x->file = strdup(l->pos && l->pos[i].file ? l->pos[i].file : "");
        if (!x->text || !x->file) {
            free(x->text);
            free(x->file);
            return PS_E_NOMEM;
        }
        x->line = l->pos ? l->pos[i].line : 0;
        x->col = l->pos ? l->pos[i].col : 0;
        x->expect_match = expect;
        r->n_examples++;
    }
    return PS_OK;
}

/* Compiles a rule's veto regexes (not JIT: not_after regexes get it on the rule's first candidate, ensure_veto_jit). */
static int compile_vetoes(const ps_strlist *l, const ps_rule *src, uint32_t options, const char *what,
                          pcre2_code ***out, size_t *n, ps_diag *diag)
{
    if (!l->n)
        return PS_OK;
    if (!(*out = calloc(l->n, sizeof **out)))
        return PS_E_NOMEM;
    for (size_t i = 0; i < l->n; i++) {
        const ps_srcpos *p = l->pos ? &l->pos[i] : &src->pos;
        int st = compile_one(l->v[i], options, p, src->id, what, &(*out)[i], diag);
        if (st)
            return st;
        (*n)++;
    }
    return PS_OK;
}

/* [*lo, *hi] when s is one contiguous, non-empty range of ASCII bytes. */
static bool set_range(const uint64_t s[4], unsigned char *lo, unsigned char *hi)
{
    int a = -1, b = -1;
    for (int c = 0; c < 256; c++) {
        if (!byteset_has(s, (unsigned)c))
            continue;
        if (a < 0)
            a = c;
        else if (c != b + 1)
            return false;
        b = c;
    }
    if (a < 0 || b >= 0x80)
        return false;
    *lo = (unsigned char)a;
    *hi = (unsigned char)b;
    return true;
}

#define LEAD_MAX 256 /* a longer lead bounds nothing worth the windows */

/* The byte range and lead that bound where a search for the rule's matches starts: for the rarest byte (or range)
 * every match holds that rxinfo_lead finds a short enough bound for. Tried in order: gate bytes of the rare class
 * (PCRE2's required byte, one-byte keywords), rare bytes every match holds (rxinfo), digits, then the same of the
 * medium class (':' for IPv6, '_' for tokens). The next set in that order, common punctuation last, gives the
 * second bound ('.' within 3 bytes of an IPv4 address's start, which is led by its digits). */
static void choose_lead(engine_rule *r, const char *pattern, bool caseless, const uint64_t required[4])
{
    uint64_t cand[12 + 96][4];
    int cand_class[12 + 96];
    int n = 0;
    for (int cls = BYTE_RARE; cls <= BYTE_COMMON; cls++) {
        for (int g = GATE_NEED; g <= GATE_KEYWORD; g++)
            if (r->has_set[g] && !(g == GATE_KEYWORD && r->kw_search) && set_class(r->sets[g]) == cls) {
                cand_class[n] = cls;
                memcpy(cand[n++], r->sets[g], sizeof cand[0]);
            }
        for (unsigned c = '!'; c <= '~'; c++)
            if (byteset_has(required, c) && byte_class(c) == cls && !(c >= '0' && c <= '9') &&
                !((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) { /* a letter is found at once: no bound */
                memset(cand[n], 0, sizeof cand[0]);
                cand_class[n] = cls;
                byteset_add(cand[n++], c);
            }
        if (cls == BYTE_RARE && r->text_digit) {
            cand_class[n] = cls;
            memcpy(cand[n++], DIGIT_SET, sizeof cand[0]);
        }
    }
    for (int i = 0; i < n; i++) {
        unsigned char lo, hi;
        if (!set_range(cand[i], &lo, &hi) || (r->has_lead && lo == r->lead_lo && hi == r->lead_hi))
            continue;
        if (!r->has_lead && cand_class[i] == BYTE_COMMON)
            return; /* a common byte bounds too little to lead; it may only narrow a rarer lead */
        unsigned lead = rxinfo_lead(pattern, caseless, cand[i]);
        if (lead > LEAD_MAX)
            continue;
        if (r->has_lead) { /* the second bound: the rarest other set that gives one */
            r->has_lead2 = true;
            r->lead2_lo = lo;
            r->lead2_hi = hi;
            r->lead2 = lead;
            return;
        }
        r->has_lead = true;
        r->lead_lo = lo;
        r->lead_hi = hi;
        r->lead = lead;
    }
}

/* Fills r->start_tab (see engine_rule.guarded) from the bytes a match never starts after. */
static void set_start_tab(engine_rule *r, const uint64_t not_before[4])
{
    for (unsigned c = 0; c < 256; c++) {
        bool may = !r->has_set[GATE_FIRST] || byteset_has(r->sets[GATE_FIRST], c);
        bool refused = byteset_has(not_before, c);
        r->start_tab[c] = (uint8_t)((may ? START_MAY : 0) | (refused ? START_REFUSED : 0));
        r->guarded = r->guarded || refused;
    }
    r->guarded = r->guarded && r->min_len > 0; /* an empty match may start anywhere, even at the subject's end */
    unsigned n = 0;
    for (unsigned c = 0; c < 256 && n <= 2; c++)
        if (r->start_tab[c] & START_MAY) {
            if (n < 2)
                r->firsts[n] = (unsigned char)c;
            n++;
        }
    r->n_firsts = r->guarded && n <= 2 ? n : 0;
}

/* Does the pattern use \K (outside \Q...\E)? */
static bool uses_keep_out(const char *p)
{
    for (bool quoted = false; *p; p++) {
        if (*p != '\\' || !p[1])
            continue;
        p++;
        if (quoted)
            quoted = *p != 'E';
        else if (*p == 'Q')
            quoted = true;
        else if (*p == 'K')
            return true;
    }
    return false;
}

static int compile_rule(const ps_rule *src, engine_rule *r, uint32_t *max_pairs, ps_diag *diag)
{
    int st;
    if (!(r->id = strdup(src->id)) || !(r->entity = strdup(src->entity)))
        return PS_E_NOMEM;
    /* \K puts a match's start after text the pattern consumed. A record longer than the block is scanned in
     * windows, and the next window starts its searches where the last one's text became final: a match whose \K
     * text is before that start would be lost. `group` does the same job and keeps every match whole. */
    if (uses_keep_out(src->pattern)) {
        pos_diag(diag, &src->pattern_pos, src->id, "%s",
                 "the pattern uses \\K, which piiscrub does not support (a match split by it could be lost in a long "
                 "record); capture the part to redact and set `group:` to its number instead, e.g. 'id: (\\d+)' with "
                 "group: 1",
                 NULL);
        return PS_E_RULES;
    }
    uint32_t options = engine_pattern_options(src->flags);
    /* No JIT yet: a rule is JIT-compiled on its first use (ensure_jit), so start-up pays only for what runs.
     * PCRE2_USE_OFFSET_LIMIT: searches may be bounded (see engine_rule.lead). */
    if ((st = compile_one(src->pattern, options | PCRE2_USE_OFFSET_LIMIT, &src->pattern_pos, src->id, "pattern",
                          &r->code, diag)))
        return st;
    uint32_t captures = 0;
    pcre2_pattern_info(r->code, PCRE2_INFO_CAPTURECOUNT, &captures);
    if (src->group > captures) {
        char a[32], b[32];
        snprintf(a, sizeof a, "%u", src->group);
        snprintf(b, sizeof b, "%u", captures);
        pos_diag(diag, &src->pos, src->id, "group %s does not exist: the pattern has %s capture group(s); "
                 "set group to one of them, or 0 for the whole match", a, b);
        return PS_E_RULES;
    }
    if (captures + 1 > *max_pairs)
        *max_pairs = captures + 1;
    r->group = src->group;
    if (src->validate && !(r->validator = validate_find(src->validate))) {
        pos_diag(diag, &src->pos, src->id, "unknown validator '%s'%s", src->validate, "");
        return PS_E_RULES;
    }
    r->min_entropy = src->min_entropy;
    if (src->has_context) {
        if ((st = lower_list(&src->context_words, &r->ctx_words, &r->ctx_len, &r->n_ctx)))
            return st;
        r->ctx_window = src->context_window;
        r->ctx_required = src->context_required;
    }
    if ((st = lower_list(&src->keywords, &r->keywords, &r->kw_len, &r->n_keywords)))
        return st;
    uint32_t vopt = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (options & PCRE2_CASELESS);
    if ((st = compile_vetoes(&src->allow, src, vopt, "allow regex", &r->allow, &r->n_allow, diag)) ||
        (st = compile_vetoes(&src->not_after, src, vopt, "not_after regex", &r->not_after, &r->n_not_after,
                             diag)))
        return st;
    if (r->n_not_after && !(r->not_after_end = calloc(r->n_not_after, sizeof *r->not_after_end)))
        return PS_E_NOMEM;
    for (size_t i = 0; i < r->n_not_after; i++) {
        veto_end *v = &r->not_after_end[i];
        v->known = rxinfo_ends(src->not_after.v[i], (vopt & PCRE2_CASELESS) != 0, &v->rx);
    }
    size_t n_ex = src->ex_match.n + src->ex_no_match.n;
    if (n_ex) {
        if (!(r->examples = calloc(n_ex, sizeof *r->examples)))
            return PS_E_NOMEM;
        if ((st = copy_examples(r, &src->ex_match, 1)) || (st = copy_examples(r, &src->ex_no_match, 0)))
            return st;
    }
    r->caseless = (src->flags & PS_RFLAG_CASELESS) || inline_caseless(src->pattern);
    r->end.known = !(src->flags & (PS_RFLAG_EXTENDED | PS_RFLAG_UCP | PS_RFLAG_MULTILINE)) &&
                   ends_with_dollar(src->pattern) &&
                   rxinfo_ends(src->pattern, (src->flags & PS_RFLAG_CASELESS) != 0, &r->end.rx);
    pcre2_pattern_info(r->code, PCRE2_INFO_MINLENGTH, &r->min_len);
    derive_gates(r);
    /* What a match is made of (rxinfo); assign_digit_gates turns it into a gate. UCP makes \\d match non-ASCII
     * digits, and extended mode changes what the text means: those patterns are not read. */
    r->run_alphabet = -1;
    r->kw_reach = RXINFO_NO_REACH;
    pcre2_pattern_info(r->code, PCRE2_INFO_MAXLOOKBEHIND, &r->lookbehind);
    ps_rxinfo info;
    if (!(src->flags & (PS_RFLAG_EXTENDED | PS_RFLAG_UCP)) &&
        rxinfo_analyze(src->pattern, (src->flags & PS_RFLAG_CASELESS) != 0, &info)) {
        r->min_digits = info.min_digits;
        r->alpha_len = info.min_len;
        r->min_group = info.min_group;
        r->min_others = info.min_others;
        r->text_digit = info.text_digit;
        memcpy(r->alphabet, info.alphabet, sizeof r->alphabet);
        memcpy(r->reach, info.alphabet, sizeof r->reach);
        byteset_unite(r->reach, info.look);
        if (byteset_subset(info.span_set, info.alphabet)) {
            /* A lookahead at the start that looks only at the match's own bytes (a phone number's digit count)
             * makes the run a match starts in longer: the run of its alphabet there holds the span. */
            r->min_digits = info.span_digits;
            r->alpha_len = info.span_len;
        }
        memcpy(r->run_set, info.run_set, sizeof r->run_set);
        r->run_len = info.run_len;
        r->nl_free = !byteset_has(info.alphabet, '\n') && !byteset_has(info.look, '\n');
        /* One-byte keywords that every match holds: one of them is a byte every match consumes, or they are all the
         * digits and a match has one. */
        const uint64_t *kw = r->sets[GATE_KEYWORD];
        bool required_kw = (kw[0] & info.required[0]) | (kw[1] & info.required[1]) | (kw[2] & info.required[2]) |
                           (kw[3] & info.required[3]);
        bool digit_kw = (kw[0] & DIGIT_SET[0]) == DIGIT_SET[0] && info.min_digits > 0;
        r->kw_in_match = r->n_keywords && !r->kw_search && (required_kw || digit_kw);
        r->kw_on_line = r->kw_search && r->nl_free &&
                        rxinfo_has_word(src->pattern, (src->flags & PS_RFLAG_CASELESS) != 0,
                                        (const char *const *)r->keywords, r->kw_len, r->n_keywords);
        if (r->kw_on_line)
            r->kw_reach = info.reach;
        choose_lead(r, src->pattern, (src->flags & PS_RFLAG_CASELESS) != 0, info.required);
        set_start_tab(r, info.not_before);
    }
    return PS_OK;
}

/* @return 0, or -1 with no lock left initialised. */
static int init_jit_locks(struct lazy_jit *j)
{
    for (int k = 0; k < JIT_LOCKS; k++)
        if (pthread_mutex_init(&j->mu[k], NULL)) {
            while (k-- > 0)
                pthread_mutex_destroy(&j->mu[k]);
            return -1;
        }
    return 0;
}

int ps_engine_compile(const ps_ruleset *rs, const ps_engine_options *opts, ps_engine **out, ps_diag *diag)
{
    static const ps_engine_options defaults = {0};
    if (!opts)
        opts = &defaults;
    if (!rs || !out)
        return PS_E_USAGE;
    ps_engine *e = calloc(1, sizeof *e);
    if (!e)
        return PS_E_NOMEM;
    size_t nj = rs->n ? rs->n : 1;
    if (!(e->jit = calloc(1, sizeof *e->jit)) || !(e->jit->done = calloc(nj, sizeof *e->jit->done)) ||
        !(e->jit->partial_done = calloc(nj, sizeof *e->jit->partial_done)) ||
        !(e->jit->veto_done = calloc(nj, sizeof *e->jit->veto_done)) ||
        !(e->jit->partial = calloc(nj, sizeof *e->jit->partial)) || init_jit_locks(e->jit)) {
        if (e->jit) {
            free(e->jit->done);
            free(e->jit->partial_done);
            free(e->jit->veto_done);
            free(e->jit->partial);
        }
        free(e->jit);
        free(e);
        return PS_E_NOMEM;
    }
    int st = PS_OK;
    e->match_limit = opts->match_limit ? opts->match_limit : DEFAULT_MATCH_LIMIT;
    e->depth_limit = opts->depth_limit ? opts->depth_limit : DEFAULT_DEPTH_LIMIT;
    e->max_pairs = 1;
    if (rs->n && (!(e->rules = calloc(rs->n, sizeof *e->rules)) ||
                  !(e->redact_rules = calloc(rs->n, sizeof *e->redact_rules)))) {
        st = PS_E_NOMEM;
        goto fail;
    }
    size_t max_window = 0, max_lookbehind = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const ps_rule *src = &rs->rules[i];
        engine_rule *r = &e->rules[i];
        e->n = i + 1;
        if ((st = compile_rule(src, r, &e->max_pairs, diag)))
            goto fail;
        if (r->n_ctx && r->ctx_window > max_window)
            max_window = r->ctx_window;
        if (r->n_not_after && NOT_AFTER_WINDOW > max_window)
            max_window = NOT_AFTER_WINDOW;
        if (r->lookbehind > max_lookbehind)
            max_lookbehind = r->lookbehind;
        ps_redact_rule *rr = &e->redact_rules[i];
        rr->id = r->id;
        rr->entity = r->entity;
        rr->priority = src->priority;
        rr->action = src->action != PS_ACTION_INHERIT ? src->action
                     : opts->action != PS_ACTION_INHERIT ? opts->action : PS_ACTION_TAG;
    }
    assign_gates(e);
    if ((st = index_gates(e)))
        goto fail;
    assign_digit_gates(e);
    if ((st = assign_triggers(e)))
        goto fail;
    e->min_len = UINT32_MAX;
    for (size_t i = 0; i < e->n; i++)
        if (e->rules[i].min_len < e->min_len)
            e->min_len = e->rules[i].min_len;
    if ((st = assign_wordsets(e)) || (st = layout_rule_gates(e)) || (st = assign_line_mode(e)))
        goto fail;
    for (size_t i = 0; i < e->n; i++)
        if (e->rules[i].kw_reach != RXINFO_NO_REACH)
            e->window_kw_sets |= set_bit(e->rules[i].kw_set);
    /* Lookbehind counts characters; 4 bytes each at most in UTF-8. */
    e->back_margin = max_window + 4 * (max_lookbehind < MAX_LOOKBEHIND_MARGIN ? max_lookbehind : MAX_LOOKBEHIND_MARGIN) + 8;
    st = redact_new(e->redact_rules, e->n, opts->tag_format, opts->key, opts->key_len, &e->redactor);
    if (st == PS_E_KEY) {
        pos_diag(diag, NULL, NULL, "the hash action needs a secret key: give one with --key-file FILE or "
                 "PIISCRUB_KEY_FILE=FILE (make one with: head -c 32 /dev/urandom > piiscrub.key)%s%s", "", "");
        goto fail;
    }
    if (st == PS_E_USAGE) {
        pos_diag(diag, NULL, NULL, "invalid tag format '%s': use {entity} or {rule}, and {{ or }} for a brace%s",
                 opts->tag_format, "");
        goto fail;
    }
    if (st)
        goto fail;
    *out = e;
    return PS_OK;
fail:
    ps_engine_free(e);
    return st;
}

void ps_engine_free(ps_engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        free_rule(&e->rules[i]);
    free(e->rules);
    for (size_t i = 0; i < e->n_sets; i++) {
        for (size_t k = 0; k < e->sets[i].n; k++)
            free(e->sets[i].w[k]);
        free(e->sets[i].w);
        free(e->sets[i].len);
    }
    free(e->sets);
    wordtab_free(&e->words);
    free(e->set_lits);
    prefilter_free(&e->pf);
    for (int k = 0; k < JIT_LOCKS; k++)
        pthread_mutex_destroy(&e->jit->mu[k]);
    for (size_t i = 0; i < e->n; i++)
        pcre2_code_free(e->jit->partial[i]);
    free(e->jit->done);
    free(e->jit->partial_done);
    free(e->jit->veto_done);
    free(e->jit->partial);
    free(e->jit);
    for (int g = 0; g < 3; g++)
        free(e->gate_mask[g]);
    rungate_free(&e->rungate);
    rungate_free(&e->window_rungate);
    free(e->rule_sets);
    free(e->ctx_need);
    free(e->word_rules);
    free(e->line_local);
    free(e->whole_rules);
    free(e->ctx_sets);
    free(e->line_kw_sets);
    free(e->kw_sets);
    free(e->redact_rules);
    redact_free(e->redactor);
    free(e);
}

size_t ps_engine_rule_count(const ps_engine *e)
{
    return e ? e->n : 0;
}

const char *ps_engine_rule_id(const ps_engine *e, size_t i)
{
    return e && i < e->n ? e->rules[i].id : NULL;
}

const char *ps_engine_rule_entity(const ps_engine *e, size_t i)
{
    return e && i < e->n ? e->rules[i].entity : NULL;
}

const char *ps_engine_rule_trigger(const ps_engine *e, size_t i)
{
    return e && i < e->n ? e->rules[i].trigger : NULL;
}

/* A lead's byte range in words: "a digit", "'@'", "[a-f]". */
static void describe_range(unsigned char lo, unsigned char hi, char *buf, size_t size)
{
    if (lo == '0' && hi == '9')
        snprintf(buf, size, "a digit");
    else if (lo == hi)
        snprintf(buf, size, "'%c'", lo);
    else
        snprintf(buf, size, "[%c-%c]", lo, hi);
}

int ps_engine_rule_search(const ps_engine *e, size_t i, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (!e || i >= e->n)
        return -1;
    const engine_rule *r = &e->rules[i];
    if (r->run_windows) { /* scan_rule's run windows (runscan.h) */
        if (r->min_digits >= 2)
            snprintf(buf, size, "in runs of its bytes with %u+ digits", r->min_digits);
        else
            snprintf(buf, size, "in runs of its bytes %u+ long", r->alpha_len);
        return 1;
    }
    if (!r->has_lead) {
        snprintf(buf, size, "anywhere");
        return 0;
    }
    char what[16], second[48] = "";
    describe_range(r->lead_lo, r->lead_hi, what, sizeof what);
    if (r->has_lead2) {
        char what2[16];
        describe_range(r->lead2_lo, r->lead2_hi, what2, sizeof what2);
        snprintf(second, sizeof second, " (and %u B before %s)", r->lead2, what2);
    }
    if (r->lead)
        snprintf(buf, size, "within %u B before %s%s", r->lead, what, second);
    else
        snprintf(buf, size, "at %s%s", what, second);
    return 1;
}

const ps_redactor *engine_redactor(const ps_engine *e)
{
    return e->redactor;
}

bool engine_line_mode(const ps_engine *e)
{
    return e->line_mode;
}

size_t engine_min_len(const ps_engine *e)
{
    return e->min_len;
}

unsigned engine_run_lanes(const ps_engine *e)
{
    return e->runs.n;
}

size_t engine_back_margin(const ps_engine *e)
{
    return e->back_margin;
}

/* ---------------------------------------------------------------- scratch */

#define CACHE_LINE 64

/* Zeroed memory that starts a cache line and fills its last one. A worker writes its scratch on every record (the
 * open-rules bitmap, the match data, the offset limit of a match context); allocated from one heap one after another,
 * two workers' pieces could share a cache line, and then each write of one evicts the other's copy. */
static void *line_alloc(size_t n, void *unused)
{
    (void)unused;
    size_t size = (n + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
    void *p = aligned_alloc(CACHE_LINE, size ? size : CACHE_LINE);
    if (p)
        memset(p, 0, size ? size : CACHE_LINE);
    return p;
}

static void line_free(void *p, void *unused)
{
    (void)unused;
    free(p);
}

int engine_scratch_new(const ps_engine *e, ps_scratch **out)
{
    ps_scratch *s = line_alloc(sizeof *s, NULL);
    if (!s)
        return PS_E_NOMEM;
    if (!(s->open = line_alloc(e->rule_words * sizeof *s->open, NULL)) ||
        !(s->window_runs = line_alloc(e->rule_words * sizeof *s->window_runs, NULL)) ||
        !(s->lines = pcre2_general_context_create(line_alloc, line_free, NULL))) {
        engine_scratch_free(s);
        return PS_E_NOMEM;
    }
    s->md = pcre2_match_data_create(e->max_pairs, s->lines);
    s->mctx = pcre2_match_context_create(s->lines);
    s->mctx_lead = pcre2_match_context_create(s->lines);
    s->jit = pcre2_jit_stack_create(JIT_STACK_START, JIT_STACK_MAX, s->lines);
    if (!s->md || !s->mctx || !s->mctx_lead || !s->jit) {
        engine_scratch_free(s);
        return PS_E_NOMEM;
    }
    pcre2_match_context *both[2] = {s->mctx, s->mctx_lead};
    for (int k = 0; k < 2; k++) {
        pcre2_set_match_limit(both[k], e->match_limit);
        pcre2_set_depth_limit(both[k], e->depth_limit);
        pcre2_jit_stack_assign(both[k], NULL, s->jit);
    }
    *out = s;
    return PS_OK;
}

void engine_scratch_exhaustive(ps_scratch *s)
{
    s->ungated = true;
}

void engine_scratch_free(ps_scratch *s)
{
    if (!s)
        return;
    free(s->open);
    free(s->window_runs);
    free(s->prof_ns);
    free(s->prof_runs);
    free(s->prof_calls);
    buf_free(&s->fold_buf);
    offmap_free(&s->fold_map);
    spanvec_free(&s->fold_spans);
    pcre2_match_data_free(s->md);
    pcre2_match_context_free(s->mctx);
    pcre2_match_context_free(s->mctx_lead);
    pcre2_jit_stack_free(s->jit);
    pcre2_general_context_free(s->lines);
    free(s);
}

const char *engine_last_drop(const ps_scratch *s)
{
    return s->last_drop;
}

/* ---------------------------------------------------------------- scan */

/* litscan's callback: the sets of the words that start at u[i]. */
struct words_at {
    const ps_wordtab *t;
    const unsigned char *u;
    size_t n;
    uint64_t found, skip;
};

static int word_at(void *ctx, size_t i)
{
    struct words_at *c = ctx;
    c->found |= wordtab_at(c->t, c->u, c->n, i, c->found | c->skip);
    return (c->found | c->skip) == ~(uint64_t)0; /* every set asked for is found: the rest of the text can wait */
}

/* The fingerprint filter of the words of `sets`, from the scratch's cache. */
static const ps_litscan *lits_for(const ps_engine *e, ps_scratch *s, uint64_t sets)
{
    /* Two ways of LIT_CACHE / 2 slots, by a hash of the sets: a lookup is two compares, not a walk of up to
     * LIT_CACHE entries (line mode looks once for every gated line of a document). An empty slot has no sets. */
    unsigned way0 = 2 * (unsigned)((sets * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - LIT_CACHE_PAIR_BITS));
    for (unsigned i = way0; i < way0 + 2; i++)
        if (s->lit_cache[i].sets == sets)
            return &s->lit_cache[i].lits;
    unsigned i = way0 + (s->lit_cache[way0].sets && (!s->lit_cache[way0 + 1].sets || s->lit_next++ & 1));
    s->lit_cache[i].sets = sets;
    litscan_init(&s->lit_cache[i].lits);
    for (uint64_t b = sets; b; b &= b - 1)
        litscan_merge(&s->lit_cache[i].lits, &e->set_lits[__builtin_ctzll(b)]);
    return &s->lit_cache[i].lits;
}

/* Which of the word sets `sets` occur in p[0..n) (ignoring ASCII case)? One pass for all of them: a SIMD fingerprint
 * of their words' first bytes (litscan) finds where a word may start, and only there are words compared. */
static uint64_t wordsets_in(const ps_engine *e, ps_scratch *s, uint64_t sets, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t found = 0;
    if (sets & e->single_any) /* a byte loop, for the sets asked for that have one-byte words only */
        for (size_t i = 0; i < n; i++)
            found |= e->single_sets[u[i]];
    if (n < 2 || !e->words.n || !(sets & ~found))
        return found;
    struct words_at c = {&e->words, u, n, found, ~sets};
    litscan_scan(lits_for(e, s, sets), p, n, word_at, &c);
    return c.found;
}

#ifdef PS_HAVE_AVX2
/* open_rules' loop, eight rules at a time. */
__attribute__((target("avx2"))) static void open_rules_avx2(const ps_engine *e, ps_scratch *s, uint32_t found)
{
    const __m256i f = _mm256_set1_epi32((int)found), zero = _mm256_setzero_si256();
    for (size_t i = 0; i < e->n; i += 8) {
        __m256i shut = _mm256_setzero_si256();
        for (int g = 0; g < 3; g++) {
            __m256i m = _mm256_loadu_si256((const __m256i *)(const void *)(e->gate_mask[g] + i));
            shut = _mm256_or_si256(shut, _mm256_cmpeq_epi32(_mm256_and_si256(m, f), zero));
        }
        uint64_t open8 = (uint64_t)(~_mm256_movemask_ps(_mm256_castsi256_ps(shut)) & 0xFF);
        s->open[i >> 6] |= open8 << (i & 63); /* i is a multiple of 8: the eight bits stay in one word */
    }
}
#endif

/* Sets s->open to the rules whose byte gates `found` opens. Branch-free: records' byte classes vary too much for
 * branch prediction (35 000 distinct values in 345 000 lines of prose), and open_rules remembers only a few. */
static void open_rules_from(const ps_engine *e, ps_scratch *s, uint32_t found)
{
    memset(s->open, 0, e->rule_words * sizeof *s->open);
    if (!found) { /* only rules without gates */
        for (size_t i = 0; i < e->n; i++)
            if (!e->rules[i].n_gate)
                s->open[i >> 6] |= (uint64_t)1 << (i & 63);
        return;
    }
#ifdef PS_HAVE_AVX2
    if (e->avx2)
        open_rules_avx2(e, s, found);
    else
#endif
#ifdef __SSE2__
    for (size_t i = 0; i < e->n; i += 4) {
        const __m128i f = _mm_set1_epi32((int)found), zero = _mm_setzero_si128();
        __m128i shut = _mm_setzero_si128();
        for (int g = 0; g < 3; g++) {
            __m128i m = _mm_loadu_si128((const __m128i *)(e->gate_mask[g] + i));
            shut = _mm_or_si128(shut, _mm_cmpeq_epi32(_mm_and_si128(m, f), zero));
        }
        uint64_t open4 = (uint64_t)(~_mm_movemask_ps(_mm_castsi128_ps(shut)) & 0xF);
        s->open[i >> 6] |= open4 << (i & 63);
    }
    if (e->n & 63) /* the padding rules */
        s->open[e->n >> 6] &= ((uint64_t)1 << (e->n & 63)) - 1;
#else
    for (size_t i = 0; i < e->n; i++) {
        uint64_t ok = (found & e->gate_mask[0][i]) && (found & e->gate_mask[1][i]) && (found & e->gate_mask[2][i]);
        s->open[i >> 6] |= ok << (i & 63);
    }
#endif
}

/* open_rules_from, remembered for the byte classes of the last OPEN_MEMO records that missed: records of one kind
 * often have the same (a column of numbers, a kernel log's lines), and then it is a compare and a copy where the
 * gates of every rule are a pass over them (lines of `seq`: 18 % of the run). */
static void open_rules(const ps_engine *e, ps_scratch *s, uint32_t found)
{
    size_t words = e->rule_words;
    if (words > OPEN_MEMO_WORDS) {
        open_rules_from(e, s, found);
        return;
    }
    uint64_t key = (uint64_t)1 << 32 | found; /* 0: an empty slot */
    for (unsigned k = 0; k < OPEN_MEMO; k++)
        if (s->memo_key[k] == key) {
            for (size_t w = 0; w < words; w++)
                s->open[w] = s->memo_open[k][w];
            return;
        }
    open_rules_from(e, s, found);
    unsigned k = s->memo_next++ % OPEN_MEMO;
    s->memo_key[k] = key;
    for (size_t w = 0; w < words; w++)
        s->memo_open[k][w] = s->open[w];
}

/* Multi-byte keywords: is one of them in the subject? */
static bool keywords_present(const engine_rule *r, const char *p, size_t n)
{
    for (size_t i = 0; i < r->n_keywords; i++)
        if (ci_find(p, n, r->keywords[i], r->kw_len[i], 0) != (size_t)-1)
            return true;
    return false;
}

static void drop(ps_scratch *s, const char *check, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records why the current candidate was dropped (for --test-rules and --explain). */
static void drop(ps_scratch *s, const char *check, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->drop_buf, sizeof s->drop_buf, fmt, ap);
    va_end(ap);
    s->last_drop = s->drop_buf;
    s->last_check = check;
}

/* Could the pattern ve describes match in text[0..len) (rxinfo_may_end; yes when rxinfo_ends did not read it)? */
static bool may_end_here(const veto_end *ve, const char *text, size_t len)
{
    return !ve->known || rxinfo_may_end(&ve->rx, text, len);
}

/* @return the 1-based index of the first regex of v[0..n) that matches text[0..len), 0 when none does, -1 on a
 * match error. ve: what rxinfo says of each (not_after), or NULL (allow). */
static int first_veto(pcre2_code *const *v, const veto_end *ve, size_t n, const char *text, size_t len, bool jit,
                      ps_scratch *s)
{
    for (size_t i = 0; i < n; i++) {
        /* A regex anchored at the end need not be tried where no match could end (the last bytes before a log
         * line's address are "from ": no "version 1.2.3.4" there), nor where one would not reach it (rxinfo_tail). */
        if (ve && !may_end_here(&ve[i], text, len))
            continue;
        unsigned tail = ve && ve[i].known ? ve[i].rx.tail : RXINFO_NO_TAIL;
        size_t from = tail != RXINFO_NO_TAIL && len > (size_t)tail + 1 ? len - tail - 1 : 0;
        while (from > 0 && ((unsigned char)text[from] & 0xC0) == 0x80)
            from--; /* from a character's start: earlier is never wrong */
        /* Straight into the JIT code when they all have it, as scan_rule does. */
        int rc = jit ? pcre2_jit_match(v[i], (PCRE2_SPTR)text, len, from, 0, s->md, s->mctx)
                     : pcre2_match(v[i], (PCRE2_SPTR)text, len, from, 0, s->md, s->mctx);
        if (rc >= 0)
            return (int)i + 1;
        if (rc != PCRE2_ERROR_NOMATCH)
            return -1;
    }
    return 0;
}

/* Runs the candidate checks, cheapest first. @return 1 accept, 0 drop, <0 a match error in an allow regex. */
static int check_candidate(const engine_rule *r, ps_scratch *s, const ps_subject *subj, size_t gs, size_t ge,
                           bool veto_jit)
{
    const char *v = subj->p + gs;
    size_t vn = ge - gs;
    if (r->validator && !r->validator->fn(v, vn)) {
        drop(s, "validate", "the %s validator rejected it", r->validator->name);
        return 0;
    }
    if (r->min_entropy > 0) {
        double h = validate_entropy(v, vn);
        if (h < r->min_entropy) {
            drop(s, "min_entropy", "its entropy %.2f bits/byte is below min_entropy %.2f", h, r->min_entropy);
            return 0;
        }
    }
    if (r->n_ctx && r->ctx_required) {
        size_t lo = gs > r->ctx_window ? gs - r->ctx_window : 0;
        size_t hi = ge + r->ctx_window < subj->len ? ge + r->ctx_window : subj->len;
        bool found = false;
        for (size_t i = 0; i < r->n_ctx && !found; i++)
            found = ci_find_word(subj->p, subj->len, lo, hi, r->ctx_words[i], r->ctx_len[i]);
        if (!found) {
            drop(s, "context", "no context word (%s%s) within %u bytes", r->ctx_words[0], r->n_ctx > 1 ? ", ..." : "",
                 r->ctx_window);
            return 0;
        }
    }
    int rc = first_veto(r->allow, NULL, r->n_allow, v, vn, false, s);
    if (rc > 0)
        drop(s, "allow", "allow regex #%d vetoed it", rc);
    if (rc)
        return rc > 0 ? 0 : -1;
    size_t from = gs > NOT_AFTER_WINDOW ? gs - NOT_AFTER_WINDOW : 0;
    rc = first_veto(r->not_after, r->not_after_end, r->n_not_after, subj->p + from, gs - from, veto_jit, s);
    if (rc > 0)
        drop(s, "not_after", "not_after regex #%d matched the text before it", rc);
    return rc ? (rc > 0 ? 0 : -1) : 1;
}

static inline size_t next_char(const char *p, size_t len, size_t off)
{
    off++;
    while (off < len && ((unsigned char)p[off] & 0xC0) == 0x80)
        off++;
    return off;
}

/* Runs make(e, i) once for rule i, whichever thread gets there first, under the rule's lock; flags[i] keeps what it
 * returned (nonzero). The flag is read with acquire and set with release after make, so no thread matches with code
 * while another JIT-compiles it (PCRE2 requires that) and each thread sees the code once the flag is set. */
static void once_per_rule(const ps_engine *e, atomic_int *flags, size_t i, int (*make)(const ps_engine *, size_t))
{
    if (atomic_load_explicit(&flags[i], memory_order_acquire))
        return;
    pthread_mutex_lock(&e->jit->mu[i % JIT_LOCKS]);
    if (!atomic_load_explicit(&flags[i], memory_order_relaxed))
        atomic_store_explicit(&flags[i], make(e, i), memory_order_release);
    pthread_mutex_unlock(&e->jit->mu[i % JIT_LOCKS]);
}

/* On failure (no JIT support, no memory for it) the interpreter matches: the same results, slower. */
static int jit_rule(const ps_engine *e, size_t i)
{
    return pcre2_jit_compile(e->rules[i].code, PCRE2_JIT_COMPLETE) == 0 ? JIT_CODE : 1;
}

static void ensure_jit(const ps_engine *e, size_t i)
{
    once_per_rule(e, e->jit->done, i, jit_rule);
}

static int jit_vetoes(const ps_engine *e, size_t i)
{
    int all = JIT_CODE;
    for (size_t k = 0; k < e->rules[i].n_not_after; k++)
        if (pcre2_jit_compile(e->rules[i].not_after[k], PCRE2_JIT_COMPLETE) != 0)
            all = 1;
    return all;
}

/* Rule i's not_after regexes, JIT-compiled when it first has a candidate to check: most rules never do on a given
 * input, and compiling them all at start-up cost 5 % of it. */
static void ensure_veto_jit(const ps_engine *e, size_t i)
{
    once_per_rule(e, e->jit->veto_done, i, jit_vetoes);
}

void engine_jit_share(const ps_engine *e, unsigned k, unsigned n)
{
    for (size_t i = k; n && i < e->n; i += n)
        ensure_jit(e, i);
}

static int make_partial(const ps_engine *e, size_t i)
{
    if ((e->jit->partial[i] = pcre2_code_copy(e->rules[i].code)))
        (void)pcre2_jit_compile(e->jit->partial[i], PCRE2_JIT_PARTIAL_HARD);
    return 1;
}

/* Rule i's code for partial matching, JIT-compiled for it, made on first use under the same lock. @return NULL when
 * there is no memory for the copy. */
static const pcre2_code *partial_code(const ps_engine *e, size_t i)
{
    once_per_rule(e, e->jit->partial_done, i, make_partial);
    return e->jit->partial[i];
}

/* Bit i set when p[i] is in [lo, hi] (p[0..16)). */
#if defined(__SSE2__)
static unsigned range_mask16(const char *p, unsigned char lo, unsigned char hi)
{
    __m128i x = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), _mm_set1_epi8((char)lo));
    __m128i span = _mm_set1_epi8((char)(hi - lo));
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(x, span), x)); /* x <= hi - lo, unsigned */
}
#endif

static bool in_range(char c, unsigned char lo, unsigned char hi)
{
    return (unsigned char)(c - lo) <= (unsigned char)(hi - lo);
}

/* The first position in [from, to) of p holding a byte in [lo, hi], or `to`. */
static size_t first_in_range(const char *p, size_t from, size_t to, unsigned char lo, unsigned char hi)
{
    if (lo == hi) {
        const char *q = from < to ? memchr(p + from, lo, to - from) : NULL;
        return q ? (size_t)(q - p) : to;
    }
    size_t i = from;
#if defined(__SSE2__)
    for (; i + 16 <= to; i += 16) {
        unsigned m = range_mask16(p + i, lo, hi);
        if (m)
            return i + (size_t)__builtin_ctz(m);
    }
#endif
    for (; i < to; i++)
        if (in_range(p[i], lo, hi))
            return i;
    return to;
}

/* The last position in [from, to) of p holding a byte in [lo, hi], or SIZE_MAX. */
static size_t last_in_range(const char *p, size_t from, size_t to, unsigned char lo, unsigned char hi)
{
    size_t last = SIZE_MAX, i = from;
#if defined(__SSE2__)
    for (; i + 16 <= to; i += 16) {
        unsigned m = range_mask16(p + i, lo, hi);
        if (m)
            last = i + 31 - (size_t)__builtin_clz(m);
    }
#endif
    for (; i < to; i++)
        if (in_range(p[i], lo, hi))
            last = i;
    return last;
}

#define LEAD_JOIN 64        /* lead bytes this close share one window: a PCRE2 call costs more than 64 positions */
#define LEAD_ONE_WINDOW 256 /* subjects up to this long get one window, from the first lead byte on */

/* The earliest start of a match whose lead byte (within `lead` bytes of its start) is at t: no earlier than lead bytes
 * before it, nor before the run of the rule's reach that ends at it. */
static size_t lead_start(const engine_rule *r, const char *p, size_t t, unsigned lead)
{
    size_t from = t > lead ? t - lead : 0;
    while (t > from && byteset_has(r->reach, (unsigned char)p[t - 1]))
        t--;
    return t;
}

/* The next window of starts for a rule with a lead, at or after *off: *off moves to its first start, *end to its last.
 * @return false when no byte of the rule's range is left (so no match either). */
static bool next_window(const engine_rule *r, const char *p, size_t n, size_t *off, size_t *end)
{
    size_t t = first_in_range(p, *off, n, r->lead_lo, r->lead_hi);
    if (t >= n)
        return false;
    size_t s = lead_start(r, p, t, r->lead);
    if (s > *off)
        *off = s;
    if (n <= LEAD_ONE_WINDOW) { /* short: one window to the end, not worth finding where the bytes stop */
        *end = n;
        return true;
    }
    /* Joins the windows of every later byte within reach, a reach at a time. */
    for (;;) {
        size_t reach = t + 1 + r->lead + LEAD_JOIN, u;
        if (reach > n)
            reach = n;
        if ((u = last_in_range(p, t + 1, reach, r->lead_lo, r->lead_hi)) == SIZE_MAX)
            break;
        t = u;
    }
    *end = t;
    return true;
}

#define RUN_LIST 8

/* A digit rule's runs in one subject, found RUN_LIST at a time in one pass (runscan_runs): a log line's address and
 * the rest of the line after it are not read twice, once for the window and once to find that no run follows. */
typedef struct run_list {
    size_t s[RUN_LIST], e[RUN_LIST];
    size_t n, i;
    bool all;  /* no run after the last one listed */
    bool tail; /* the run the text ends in was added (a window that is not the record's end) */
} run_list;

/* Where the run of rule r's alphabet that the text u[0..n) ends in starts (n when it ends in none). */
static size_t tail_run_start(const engine_rule *r, const unsigned char *u, size_t n)
{
    size_t i = n;
    while (i > 0 && r->runs_at.member[u[i - 1]])
        i--;
    return i;
}

/* The next window of starts for a rule whose matches are runs of its alphabet (runscan.h), at or after *off and at
 * or before limit: the starts from which a match can lie in a run that holds its digits. In a window of an
 * over-long record that is not its end, the run the window ends in may go on with the bytes to come: it counts
 * whatever it holds so far, and is searched last (a match there is partial, and holds the window's boundary).
 * @return false when there is no such run left. */
static bool next_run_window(const engine_rule *r, const ps_subject *subj, size_t limit, run_list *l, size_t *off,
                            size_t *end)
{
    for (;;) {
        if (l->i == l->n) {
            if (l->all && (subj->last || l->tail))
                return false;
            if (l->all) {
                l->tail = true;
                size_t ts = tail_run_start(r, (const unsigned char *)subj->p, subj->len);
                ts = ts > *off ? ts : *off;
                if (ts >= subj->len || ts > limit)
                    return false;
                *off = ts;
                *end = limit;
                return true;
            }
            l->n = runscan_runs(&r->runs_at, subj->p, subj->len, *off, limit, l->s, l->e, RUN_LIST);
            l->i = 0;
            l->all = l->n < RUN_LIST;
            if (!l->n)
                continue;
        }
        size_t rs = l->s[l->i], re = l->e[l->i];
        if (*off > rs) {
            if (re <= *off || re - *off < r->runs_at.min_len) { /* what is left of it is too short to count */
                l->i++;
                continue;
            }
            l->n = l->i = 0; /* a match ended inside it: what is left counts only with its own digits; look again */
            l->all = false;
            continue;
        }
        *off = rs;
        *end = re - r->alpha_len < limit ? re - r->alpha_len : limit;
        l->i++;
        return true;
    }
}

/* Where rule r's search from `off` may start, given its second set: no match starts more than lead2 bytes before
 * the first byte of that set at or after it, and none by `limit` without one by limit + lead2. One memchr: on log
 * lines an IPv4 search starts near its first '.', not at the clock's digits, and stops after the line's last
 * address instead of trying the digits after it. @return the new start, or limit + 1 when no match can start. */
static size_t lead2_start(const engine_rule *r, const ps_subject *subj, size_t off, size_t limit)
{
    size_t reach = subj->len - limit > r->lead2 ? limit + r->lead2 + 1 : subj->len;
    size_t t = first_in_range(subj->p, off, reach, r->lead2_lo, r->lead2_hi);
    if (t >= reach)
        return limit + 1;
    size_t s = lead_start(r, subj->p, t, r->lead2);
    return s > off ? s : off;
}

/* Can a match of guarded rule r start at u[i] (engine_rule.start_tab)? A byte at the subject's start has none before
 * it to refuse. */
static inline bool may_start(const engine_rule *r, const unsigned char *u, size_t i)
{
    return (r->start_tab[u[i]] & START_MAY) && (i == 0 || !(r->start_tab[u[i - 1]] & START_REFUSED));
}

/* The first position in [from, end] (end < n) where a match of guarded rule r can start, or end + 1. */
static size_t next_start(const engine_rule *r, const unsigned char *u, size_t from, size_t end)
{
    for (size_t i = from; i <= end; i++)
        if (may_start(r, u, i))
            return i;
    return end + 1;
}

/* Does the run of rule r's alphabet from u[i] on (in u[0..n)) hold as many digits, other bytes and bytes as a match
 * that starts at i must: the match lies in it. */
static bool run_from_holds(const engine_rule *r, const unsigned char *u, size_t n, size_t i)
{
    unsigned digits = 0, len = 0; /* its other bytes: len - digits */
    for (; i < n && r->runs_at.member[u[i]]; i++) {
        digits += u[i] >= '0' && u[i] <= '9';
        if (++len >= r->alpha_len && digits >= r->min_digits && len - digits >= r->min_others)
            return true;
    }
    return false;
}

#define ANY_START_TRIES 16 /* first bytes looked at before the runs are left to find the starts */

/* Can a match of guarded rule r (with n_firsts) start anywhere in [from, end] (end < n)? memchr for each of its first
 * bytes, then where one may start (may_start), the run from it: a "+0000" in an access log's clock lacks the nine
 * digits of an E.164 number, and most lines that open an ITIN rule (a date's ten digits) hold no 9 that may start
 * one. It answers yes after ANY_START_TRIES first bytes: in a long record a common one (the 'e' of a JWT's "eyJ",
 * the 's' of "sk-") is everywhere, and its runs are found faster than its first bytes are tried (20 KB lines of
 * prose: 12 % of the run). */
static bool any_start(const engine_rule *r, const unsigned char *u, size_t n, size_t from, size_t end)
{
    unsigned tries = 0;
    for (unsigned k = 0; k < r->n_firsts; k++)
        for (const unsigned char *q = u + from, *e = u + end + 1;
             q < e && (q = memchr(q, r->firsts[k], (size_t)(e - q))); q++) {
            if (++tries > ANY_START_TRIES)
                return true;
            if (may_start(r, u, (size_t)(q - u)) && run_from_holds(r, u, n, (size_t)(q - u)))
                return true;
        }
    return false;
}

#define SHORT_SUBJECT 32 /* bytes: a subject this short is read byte by byte for a guarded rule's starts */

/* Can a match of guarded rule r start in [from, end] of the short text u[0..n): a byte that may start one, whose
 * run holds what a match needs (run_from_holds)? For a JSON id "doc-00000042" an ID-card rule's run of letters,
 * '-' and digits holds its seven digits, but the four bytes that could start a match in it cannot: a look at them
 * costs less than finding the run (runscan's copy of a text shorter than its 64-byte step). */
static bool short_has_start(const engine_rule *r, const unsigned char *u, size_t n, size_t from, size_t end)
{
    if (n - from < r->alpha_len)
        return false;
    if (end > n - r->alpha_len)
        end = n - r->alpha_len; /* a match from a later start would not fit */
    for (size_t i = from; i <= end; i++)
        if (may_start(r, u, i) && run_from_holds(r, u, n, i))
            return true;
    return false;
}

/* In the window that ends at win_end, where rule r's search from *off looks next: *off moves to the first start
 * there may be, and the search is limited to it and the starts right after it (*sub_end). A call per group of
 * adjacent starts: PCRE2 fails a start faster than it enters a call, but a call per start costs fewer
 * instructions on logs and prose than one across the refused bytes between starts. @return false when no start is
 * left in the window. */
static bool next_starts(const engine_rule *r, const ps_subject *subj, size_t *off, size_t win_end, size_t *sub_end)
{
    const unsigned char *u = (const unsigned char *)subj->p;
    if (!subj->len)
        return false; /* a guarded rule's matches are not empty */
    size_t end = win_end < subj->len ? win_end : subj->len - 1;
    size_t s = next_start(r, u, *off, end);
    if (s > end)
        return false;
    size_t last = s;
    while (last < end && may_start(r, u, last + 1))
        last++;
    *off = s;
    *sub_end = last;
    return true;
}

/* Searches the subject for rule r's matches that start in [subj->scan_from, limit]. kw_check: the subject's one-byte
 * keywords were not gated (line mode takes them as present: kw_bits), so a match counts only if one is in it. */
static int scan_rule(const ps_engine *e, const engine_rule *r, uint32_t idx, ps_scratch *s, const ps_subject *subj,
                     size_t limit, bool kw_check, ps_spanvec *out, ps_spanvec *matches, size_t *hold)
{
    uint32_t mopts = subj->last ? 0 : PCRE2_PARTIAL_HARD;
    const pcre2_code *code = subj->last ? r->code : partial_code(e, idx);
    /* Straight into the JIT code when the rule has it: pcre2_match's checks of its arguments cost more than a short
     * search that fails (they are ours to keep: a subject with its length, no ANCHORED, UTF checked by the JIT). */
    bool fast = subj->last && atomic_load_explicit(&e->jit->done[idx], memory_order_relaxed) == JIT_CODE;
    if (!code)
        return PS_E_UNSCANNED; /* no memory for the partial-match code: the caller fails closed */
    if (subj->last && !s->ungated && !may_end_here(&r->end, subj->p, subj->len))
        return PS_OK; /* no match can end where the subject does */
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    size_t off = subj->scan_from;
    /* Keywords no gate checked are looked for once the regex has found something (a JIT scan that fails fast is
     * cheaper than a substring search on every subject): under --explain, and line mode's one-byte keywords. A
     * match of a kw_in_match rule holds one of its own; in a window of an over-long record they count as present
     * (ps_subject.partial). */
    bool kw_pending = r->n_keywords && !r->kw_in_match && !subj->partial && (s->ungated || (kw_check && !r->kw_search));
    /* In a window of an over-long record, where keywords are taken as present, a rule whose every match holds one
     * of its own and none is in view can only have a match whose attempt reads on past the window's end (its
     * keyword is still to come): one that starts within kw_reach bytes of that end, or none in the last window. Its
     * lookbehind must be in view too (a keyword there is before the match): the back margin holds it, except in a
     * record's first window. Prose in one 10 MB line searched for the bracketed "[at]" of email-obfuscated through
     * every window, a fifth of the run. */
    if (subj->partial && !s->ungated && r->kw_reach != RXINFO_NO_REACH && set_bit(r->kw_set) &&
        !(s->window_kw & set_bit(r->kw_set)) && subj->scan_from >= 4 * (size_t)r->lookbehind) {
        if (subj->last)
            return PS_OK;
        size_t from = subj->len > r->kw_reach ? subj->len - r->kw_reach : 0;
        off = from > off ? from : off;
    }
    /* A rule with a lead searches only where a match can start: in [t - lead, t] for each byte t of its range,
     * nearby ranges joined into one window (searched with PCRE2's offset limit at the window's end); --explain runs
     * unbounded searches, so it also checks that bounding changes nothing. In a window that is not the record's end
     * a match whose lead byte is past it starts within `lead` bytes of its end (the tail window below), and one in
     * a run goes on in the run the window ends in (next_run_window); a second lead may be past it, so it bounds whole
     * subjects only. (Windows searched a byte at a time ran a 2 GiB line at 9 MB/s; windows searched whole by the
     * rules of runs, a 10 MB line of prose at a fifth of the speed of its lines.) */
    bool bounded = !s->ungated && (r->has_lead || r->run_windows);
    bool runs = bounded && r->run_windows; /* its windows are its runs (runscan), not a lead's */
    bool lead2 = bounded && subj->last && !runs && r->has_lead2;
    bool tail = !subj->last && !runs; /* the tail window is still to come */
    if (lead2 && (off = lead2_start(r, subj, off, limit)) > limit)
        return PS_OK;
    /* In a window that is not the record's end, a rule of runs that the window's run gates closed searches only the
     * run the window ends in (window_gates): its list of runs starts out done, and next_run_window goes to the tail. */
    bool only_tail = runs && !subj->last && subj->partial && !((s->window_runs[idx >> 6] >> (idx & 63)) & 1);
    /* Where a subject is a window of an over-long record, its runs are fewer than its first bytes: not asked. */
    if (runs && r->n_firsts && !subj->partial && (!subj->len || off >= subj->len ||
                                !any_start(r, (const unsigned char *)subj->p, subj->len, off,
                                           limit < subj->len ? limit : subj->len - 1)))
        return PS_OK; /* no byte a match starts with, where one may start: its runs need not be looked for */
    if (runs && r->guarded && subj->last && subj->len <= SHORT_SUBJECT && off < subj->len &&
        !short_has_start(r, (const unsigned char *)subj->p, subj->len, off, limit < subj->len ? limit : subj->len - 1))
        return PS_OK;
    bool capped = limit < subj->len; /* line mode: no search starts after the line */
    if (capped && !bounded)
        pcre2_set_offset_limit(s->mctx_lead, limit);
    size_t win_end = 0, sub_end = 0; /* the window's last start, and that of the starts searched in one call */
    bool in_window = false;
    run_list runs_left; /* its arrays are written before they are read: not cleared on every call */
    runs_left.n = runs_left.i = 0;
    runs_left.tail = false;
    runs_left.all = only_tail;
    while (off <= limit) {
        pcre2_match_context *mc = capped ? s->mctx_lead : s->mctx;
        if (bounded) {
            if (!in_window || off > win_end) {
                if (runs ? !next_run_window(r, subj, limit, &runs_left, &off, &win_end)
                         : !next_window(r, subj->p, limit, &off, &win_end)) {
                    if (!tail)
                        return PS_OK;
                    tail = false;
                    size_t from = lead_start(r, subj->p, subj->len, r->lead);
                    off = from > off ? from : off;
                    win_end = limit;
                    if (off > limit)
                        return PS_OK;
                }
                pcre2_set_offset_limit(s->mctx_lead, win_end);
                in_window = true;
            }
            sub_end = win_end;
            if (r->guarded && runs) { /* a run window: short, and its refused starts are many */
                if (!next_starts(r, subj, &off, win_end, &sub_end)) {
                    off = win_end + 1;
                    in_window = false;
                    continue;
                }
                pcre2_set_offset_limit(s->mctx_lead, sub_end);
            }
            mc = s->mctx_lead;
        }
        if (s->prof_calls)
            s->prof_calls[idx]++;
        int rc = fast ? pcre2_jit_match(code, (PCRE2_SPTR)subj->p, subj->len, off, mopts, s->md, mc)
                      : pcre2_match(code, (PCRE2_SPTR)subj->p, subj->len, off, mopts, s->md, mc);
        if (rc == PCRE2_ERROR_NOMATCH && bounded) {
            off = sub_end + 1; /* no match starts in [off, sub_end] */
            in_window = off <= win_end;
            continue;
        }
        if (rc == PCRE2_ERROR_NOMATCH)
            return PS_OK;
        if (rc == PCRE2_ERROR_PARTIAL) {
            if (ov[0] < *hold)
                *hold = ov[0];
            return PS_OK;
        }
        if (rc < 0)
            return PS_E_UNSCANNED;
        size_t ms = ov[0], me = ov[1];
        if (kw_pending) {
            if (!keywords_present(r, subj->p, subj->len)) {
                drop(s, "keywords", "none of the rule's keywords is in the text");
                if (s->on_candidate)
                    s->on_candidate(s->candidate_ctx, ms, me, idx, s->last_check, s->last_drop);
                return PS_OK;
            }
            kw_pending = false;
        }
        if (me <= ms || ms < off) { /* empty match (or \K games): move on one character */
            off = next_char(subj->p, subj->len, off);
            continue;
        }
        size_t gs = ov[2 * r->group], ge = ov[2 * r->group + 1];
        if (matches && spanvec_push(matches, ms, me, idx))
            return PS_E_NOMEM;
        off = me;
        if (lead2)
            off = lead2_start(r, subj, off, limit); /* past limit when no later match can start: the loop ends */
        if (gs == PCRE2_UNSET || ge <= gs)
            continue;
        if (!subj->last && r->n_ctx && ge + r->ctx_window > subj->len) {
            /* Its context is not all in view yet: decide it in the next window. */
            if (ms < *hold)
                *hold = ms;
            return PS_OK;
        }
        if (r->n_not_after)
            ensure_veto_jit(e, idx);
        int ok = check_candidate(r, s, subj, gs, ge,
                                 atomic_load_explicit(&e->jit->veto_done[idx], memory_order_relaxed) == JIT_CODE);
        if (ok < 0)
            return PS_E_UNSCANNED;
        if (s->on_candidate)
            s->on_candidate(s->candidate_ctx, gs, ge, idx, ok ? NULL : s->last_check, ok ? NULL : s->last_drop);
        if (ok && spanvec_push(out, subj->base + gs, subj->base + ge, idx))
            return PS_E_NOMEM;
    }
    return PS_OK;
}

/* Closes the open rules (s->open) that need a word set missing from `found`; need[i] is rule i's sets. */
static void close_missing_sets(const ps_engine *e, ps_scratch *s, const uint64_t *need, uint64_t found)
{
    for (size_t w = 0; w < e->rule_words; w++) {
        uint64_t shut = 0;
        for (uint64_t b = s->open[w] & e->word_rules[w]; b; b &= b - 1) {
            unsigned bit = (unsigned)__builtin_ctzll(b);
            shut |= (uint64_t)!!(need[(w << 6) + bit] & ~found) << bit;
        }
        s->open[w] &= ~shut;
    }
}

/* The word sets known to be missing from a subject without looking (ps_subject.no_words). */
static uint64_t sets_absent(const ps_engine *e, const ps_subject *subj)
{
    return subj->no_words ? e->trigger_sets : 0;
}

/* Opens the rules of s->open whose sets, need[i] for rule i, are all in p[lo..hi); the others close. The sets of
 * `absent` are not looked for: they are not there. */
static void need_sets(const ps_engine *e, ps_scratch *s, const uint64_t *need, const char *p, size_t lo, size_t hi,
                      uint64_t absent)
{
    uint64_t sets = 0;
    for (size_t w = 0; w < e->rule_words; w++)
        for (uint64_t b = s->open[w] & e->word_rules[w]; b; b &= b - 1)
            sets |= need[(w << 6) + (size_t)__builtin_ctzll(b)];
    if (!sets)
        return;
    uint64_t found = sets & ~absent ? wordsets_in(e, s, sets & ~absent, p + lo, hi - lo) : 0;
    if ((sets & found) != sets)
        close_missing_sets(e, s, need, found);
}

/* Opens (s->open) the rules that p[0..n) passes the byte and run gates of: one pass gives its byte classes (the byte
 * gates, open_rules; `also` adds bits taken as present) and its runs (digitruns_count), and rungate closes the rules
 * whose length or runs it fails: a run of the bytes a match is made of as long as the shortest match and with as many
 * digits (an IBAN's 15 of [A-Z0-9 ] with two digits), a long enough run of its needed bytes. */
static void gate_bytes_and_runs(const ps_engine *e, ps_scratch *s, const char *p, size_t n, uint32_t also)
{
    uint8_t digits[DIGITRUNS_MAX + 1], lens[DIGITRUNS_MAX + 1];
    uint32_t classes;
    digitruns_count(&e->runs, p, n, digits, lens, e->gate.byte_bits, &classes);
    open_rules(e, s, classes | also);
    rungate_apply(&e->rungate, digits, lens, n, s->open);
}

/* Opens the rules a whole subject may match: its byte and run gates, then, looked for only for the rules still
 * open, its word sets (keywords, required context words). */
static void gate_rules(const ps_engine *e, ps_scratch *s, const ps_subject *subj)
{
    if (subj->partial) { /* keywords may be outside the window: their bytes and words are taken as present */
        gate_bytes_and_runs(e, s, subj->p, subj->len, e->kw_bits);
        need_sets(e, s, e->ctx_need, subj->p, 0, subj->len, 0);
        return;
    }
    gate_bytes_and_runs(e, s, subj->p, subj->len, 0);
    need_sets(e, s, e->rule_sets, subj->p, 0, subj->len, sets_absent(e, subj));
}

/* Runs the rules of [lo, hi) that `open` lets through (all of them when NULL) over the subject; see scan_rule for
 * limit and kw_check. */
static int run_rules(const ps_engine *e, ps_scratch *s, const ps_subject *subj, const uint64_t *open, size_t lo,
                     size_t hi, size_t limit, bool kw_check, ps_spanvec *out, ps_spanvec *matches, size_t *hold)
{
    for (size_t i = lo; i < hi && i < e->n; i++) {
        if (open) {
            /* Jump to the next rule whose byte gates are open. */
            size_t w = i >> 6;
            uint64_t bits = open[w] & (~(uint64_t)0 << (i & 63));
            while (!bits && ++w < e->rule_words)
                bits = open[w];
            if (!bits)
                break;
            i = (w << 6) + (size_t)__builtin_ctzll(bits);
            if (i >= hi)
                break;
        }
        const engine_rule *r = &e->rules[i];
        ensure_jit(e, i);
        int st;
        if (s->prof_ns) {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            st = scan_rule(e, r, (uint32_t)i, s, subj, limit, kw_check, out, matches, hold);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            s->prof_ns[i] += (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
            s->prof_runs[i]++;
        } else {
            st = scan_rule(e, r, (uint32_t)i, s, subj, limit, kw_check, out, matches, hold);
        }
        if (st)
            return st;
    }
    return PS_OK;
}

#define LINE_MODE_MIN 128 /* a whole subject this long with a '\n' in it is scanned in line mode */

/* What line mode knows of a whole subject's keywords: the sets looked for in it so far, and those found. */
typedef struct line_keywords {
    uint64_t searched, found;
} line_keywords;

/* Line mode's gates for the line [ls, le) of the subject: opens (s->open) the line-local rules that can match
 * there. A match of such a rule, and all it needs, is in the line: its bytes, runs and length are the line's. Its
 * keywords are in the line when rxinfo proved them on the line of every match (line_kw_sets), else anywhere in the
 * subject (looked for there once, when a line first needs them; one-byte keywords that a match need not hold pass
 * here and run_rules checks them); a required context word may be just outside the line (looked for within the
 * widest context window around it). @return whether any rule is open. */
static bool gate_line(const ps_engine *e, ps_scratch *s, const ps_subject *subj, line_keywords *doc, size_t ls,
                      size_t le)
{
    const char *p = subj->p;
    size_t n = subj->len;
    gate_bytes_and_runs(e, s, p + ls, le - ls, e->kw_bits);
    uint64_t kw = 0, line_kw = 0, ctx = 0, any = 0;
    for (size_t w = 0; w < e->rule_words; w++) {
        any |= s->open[w] &= e->line_local[w];
        for (uint64_t b = s->open[w] & e->word_rules[w]; b; b &= b - 1) {
            size_t i = (w << 6) + (size_t)__builtin_ctzll(b);
            kw |= e->kw_sets[i];
            line_kw |= e->line_kw_sets[i];
            ctx |= e->ctx_sets[i];
        }
    }
    if (!any)
        return false;
    if (kw & ~doc->searched) {
        doc->found |= wordsets_in(e, s, kw & ~doc->searched, p, n);
        doc->searched |= kw;
    }
    if (kw & ~doc->found)
        close_missing_sets(e, s, e->kw_sets, doc->found);
    if (line_kw | ctx) {
        /* Keywords in the line and context words around it, in one search of the context window; a keyword set
         * found there is looked for again in the line alone (seldom: keywords are rare). */
        size_t lo = ls, hi = le;
        if (ctx) {
            lo = ls > e->line_margin ? ls - e->line_margin : 0;
            hi = n - le > e->line_margin ? le + e->line_margin : n;
        }
        uint64_t found = wordsets_in(e, s, line_kw | ctx, p + lo, hi - lo), in_line = found & line_kw;
        if (in_line && (lo < ls || hi > le))
            in_line = wordsets_in(e, s, in_line, p + ls, le - ls);
        if (line_kw & ~in_line)
            close_missing_sets(e, s, e->line_kw_sets, in_line);
        if (ctx & ~found)
            close_missing_sets(e, s, e->ctx_sets, found);
    }
    for (size_t w = 0; w < e->rule_words; w++)
        if (s->open[w])
            return true;
    return false;
}

/* Line mode (see ps_engine.line_mode): a whole subject of many lines, a JSON string holding a document, is gated
 * line by line as text mode gates its records, so a rule runs only on the lines that can hold its match, not on the
 * whole subject because one line opened it. Searches still see the whole subject (lookarounds, context windows and
 * not_after look across lines as they always do), so the matches are exactly those of a whole-subject scan. */
static int scan_lines(const ps_engine *e, ps_scratch *s, const ps_subject *subj, ps_spanvec *out, size_t *hold)
{
    line_keywords doc = {sets_absent(e, subj), 0};
    const char *p = subj->p;
    size_t n = subj->len;
    ps_trigger_cursor cur = {0};
    size_t t = engine_next_trigger(e, &cur, p, n, 0, 0);
    int st = PS_OK;
    /* The rules that are not line-local, gated on the whole subject by their word sets; not even looked for when
     * their triggers, words all, are not in it. */
    if (!e->whole_by_words || cur.word < n) {
        memcpy(s->open, e->whole_rules, e->rule_words * sizeof *s->open);
        need_sets(e, s, e->rule_sets, p, e->whole_from_word ? cur.word : 0, n, sets_absent(e, subj));
        st = run_rules(e, s, subj, s->open, 0, e->n, n, true, out, NULL, hold);
    }
    /* The line-local ones, on each line that holds a trigger. */
    for (size_t pos = 0; st == PS_OK && t < n; t = pos < n ? engine_next_trigger(e, &cur, p, n, pos, pos) : n) {
        const char *nl = t > pos ? memrchr(p + pos, '\n', t - pos) : NULL;
        size_t ls = nl ? (size_t)(nl - p) + 1 : pos;
        nl = memchr(p + t, '\n', n - t);
        size_t le = nl ? (size_t)(nl - p) : n;
        if (gate_line(e, s, subj, &doc, ls, le)) {
            ps_subject line = *subj;
            line.scan_from = ls;
            st = run_rules(e, s, &line, s->open, 0, e->n, le, true, out, NULL, hold);
        }
        pos = le + 1;
    }
    return st;
}

/* What a window of an over-long record tells scan_rule before its rules run, though the rest of the record is not
 * in view: the keyword sets of window_kw_sets in it (s->window_kw), and, in a window that is not the last, the rules
 * whose runs gate (window_rungate) it passes (s->window_runs): a rule of runs that it closes has no run that counts
 * but the one the window ends in (next_run_window), which the bytes to come may complete. One pass for all rules
 * where each would look for its runs through the whole window. */
static void window_gates(const ps_engine *e, ps_scratch *s, const ps_subject *subj)
{
    s->window_kw = e->window_kw_sets ? wordsets_in(e, s, e->window_kw_sets, subj->p, subj->len) : 0;
    if (subj->last)
        return;
    uint8_t digits[DIGITRUNS_MAX + 1], lens[DIGITRUNS_MAX + 1];
    uint32_t classes;
    digitruns_count(&e->runs, subj->p, subj->len, digits, lens, e->gate.byte_bits, &classes);
    memset(s->window_runs, 0xFF, e->rule_words * sizeof *s->window_runs);
    rungate_apply(&e->window_rungate, digits, lens, subj->len, s->window_runs);
}

static int scan_subject(const ps_engine *e, ps_scratch *s, const ps_subject *subj, int only_rule, ps_spanvec *out,
                        ps_spanvec *matches, size_t *hold)
{
    *hold = subj->len;
    s->last_drop = NULL;
    if (subj->len == 0)
        return PS_OK;
    if (subj->last && subj->len < e->min_len && !s->ungated)
        return PS_OK; /* shorter than any rule's shortest match (JSON ids, flags, short metadata) */
    if (subj->partial && !s->ungated)
        window_gates(e, s, subj);
    size_t lo = only_rule >= 0 ? (size_t)only_rule : 0;
    size_t hi = only_rule >= 0 ? (size_t)only_rule + 1 : e->n;
    /* Whole subjects only: the rules their gates let through (a bitmap). Gates say what a whole match needs; in
     * a window that is not the record's end, the needed bytes may still come. */
    const uint64_t *open = NULL;
    if (subj->last && !s->ungated) {
        if (e->line_mode && only_rule < 0 && !matches && subj->scan_from == 0 && !subj->partial &&
            subj->len >= LINE_MODE_MIN &&
            memchr(subj->p, '\n', subj->len))
            return scan_lines(e, s, subj, out, hold);
        gate_rules(e, s, subj);
        open = s->open;
        if (only_rule >= 0 && !((open[lo >> 6] >> (lo & 63)) & 1)) {
            s->last_drop = "the text lacks a byte, digits, a keyword or a context word that the rule needs";
            s->last_check = "gate";
            return PS_OK;
        }
    }
    return run_rules(e, s, subj, open, lo, hi, subj->len, false, out, matches, hold);
}

/* The first folded offset whose character starts at or after original offset `orig`. */
static size_t folded_offset(const ps_offmap *m, size_t orig)
{
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->v[mid] < orig)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A window that is not the record's end must not end inside a UTF-8 character: a look-alike cut in two would fold
 * differently from the whole record. @return how many trailing bytes to hold back (0..3). */
static size_t incomplete_tail(const char *p, size_t n)
{
    for (size_t k = 1; k <= 3 && k <= n; k++) {
        unsigned char c = (unsigned char)p[n - k];
        if ((c & 0xC0) == 0x80)
            continue; /* a continuation byte: look further back for the lead */
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
        return need > k ? k : 0;
    }
    return 0;
}

/* Unicode evasion (full-width digits, Unicode dashes, NBSP, zero-width characters, ...): where the subject holds
 * such characters, match on a folded ASCII view and map every span back to the original bytes, which are what gets
 * redacted. ASCII subjects pay one fast scan (fold_needed). */
int engine_scan(const ps_engine *e, ps_scratch *s, const ps_subject *subj, int only_rule, ps_spanvec *out,
                ps_spanvec *matches, size_t *hold)
{
    s->folded = 0;
    ps_subject whole = *subj;
    whole.len -= subj->last ? 0 : incomplete_tail(subj->p, subj->len);
    if (!fold_needed(whole.p, whole.len))
        return scan_subject(e, s, &whole, only_rule, out, matches, hold);
    s->fold_buf.len = 0;
    s->fold_map.len = 0;
    if (fold_apply(whole.p, whole.len, &s->fold_buf, &s->fold_map) || buf_pad(&s->fold_buf, 64))
        return PS_E_NOMEM;
    s->folded = 1;
    /* no_words is not passed on: folding may make a trigger word ("pa\u017Fsword" holds "password"). */
    ps_subject f = {s->fold_buf.p, s->fold_buf.len, 0, folded_offset(&s->fold_map, subj->scan_from), subj->last, 0,
                    subj->partial};
    s->fold_spans.n = 0;
    size_t fmatch_from = matches ? matches->n : 0;
    size_t fhold;
    int st = scan_subject(e, s, &f, only_rule, &s->fold_spans, matches, &fhold);
    for (size_t i = 0; i < s->fold_spans.n; i++) {
        size_t os, oe;
        fold_map_span(&s->fold_map, (size_t)s->fold_spans.v[i].start, (size_t)s->fold_spans.v[i].end, &os, &oe);
        if (spanvec_push(out, subj->base + os, subj->base + oe, s->fold_spans.v[i].rule))
            return PS_E_NOMEM;
    }
    for (size_t i = fmatch_from; matches && i < matches->n; i++) {
        size_t os, oe;
        fold_map_span(&s->fold_map, (size_t)matches->v[i].start, (size_t)matches->v[i].end, &os, &oe);
        matches->v[i].start = os;
        matches->v[i].end = oe;
    }
    *hold = fhold >= s->fold_map.len ? whole.len : s->fold_map.v[fhold];
    return st;
}

/* ---------------------------------------------------------------- chunk prefilter */

bool engine_prefilter_on(const ps_engine *e)
{
    return e->pf_on;
}

bool engine_escapes_inert(const ps_engine *e)
{
    return e->pf_on && e->escapes_inert;
}

size_t engine_next_trigger(const ps_engine *e, ps_trigger_cursor *c, const char *p, size_t n, size_t from, size_t near)
{
    /* Each kind remembers its next hit; only a kind whose hit is behind `from` looks again. Trigger bytes are dense
     * in logs and JSON (a digit in every line), runs are sparse: the runs' pass must not stop at every byte. */
    if (!c->started || c->byte < from) {
        size_t b = prefilter_next_byte(&e->pf, p, n, from);
        /* A curly quote or a dash is no trigger: only a character that folds is (the cut at n is the record's). */
        while (b < n && byteset_has(e->fold_only, (unsigned char)p[b]) && !fold_needed(p + b, n - b < 4 ? n - b : 4))
            b = prefilter_next_byte(&e->pf, p, n, b + 1);
        c->byte = b;
    }
    if (!c->started || c->word < from)
        c->word = prefilter_next_word(&e->pf, p, n, from);
    c->started = true;
    size_t at = c->byte < c->word ? c->byte : c->word;
    /* A byte or a word in the caller's record: where the next run is does not matter (a log line's digit). The
     * runs' pass then reads only the stretches of records without one (prose's), not every line of a log. */
    if (at < near)
        return at;
    if (!c->run_known || c->run < from) {
        c->run = prefilter_next_runs(&e->pf, p, n, from);
        c->run_known = true;
    }
    return c->run < at ? c->run : at;
}

/* ---------------------------------------------------------------- self-tests */

int ps_engine_test_examples(const ps_engine *e, ps_example_fn cb, void *ctx, size_t *run, size_t *failed)
{
    ps_scratch *s = NULL;
    ps_spanvec sv = {0};
    int st = engine_scratch_new(e, &s);
    size_t n_run = 0, n_failed = 0;
    for (size_t i = 0; st == PS_OK && i < e->n; i++) {
        const engine_rule *r = &e->rules[i];
        for (size_t k = 0; k < r->n_examples; k++) {
            const engine_example *x = &r->examples[k];
            ps_subject subj = {x->text, strlen(x->text), 0, 0, 1, 0, 0};
            size_t hold;
            sv.n = 0;
            int sst = engine_scan(e, s, &subj, (int)i, &sv, NULL, &hold);
            if (sst == PS_E_NOMEM) {
                st = sst;
                break;
            }
            int got = sv.n > 0;
            char why[200] = "";
            if (sst == PS_E_UNSCANNED)
                snprintf(why, sizeof why, "the match hit a PCRE2 limit");
            else if (x->expect_match && !got)
                snprintf(why, sizeof why, "%s", s->last_drop ? s->last_drop : "the pattern does not match");
            else if (!x->expect_match && got)
                snprintf(why, sizeof why, "bytes %llu..%llu were redacted", (unsigned long long)sv.v[0].start,
                         (unsigned long long)sv.v[0].end);
            int passed = sst == PS_OK && got == x->expect_match;
            n_run++;
            n_failed += !passed;
            ps_example_result res = {r->id, x->text, x->file, x->line, x->col, x->expect_match, passed,
                                     passed ? NULL : why};
            if (cb && cb(ctx, &res))
                goto done;
        }
    }
done:
    spanvec_free(&sv);
    engine_scratch_free(s);
    if (run)
        *run = n_run;
    if (failed)
        *failed = n_failed;
    return st;
}

/* ---------------------------------------------------------------- profiling */

int engine_profile_enable(ps_scratch *s, const ps_engine *e)
{
    s->prof_n = e->n;
    if (!e->n)
        return PS_OK;
    s->prof_ns = calloc(e->n, sizeof *s->prof_ns);
    s->prof_runs = calloc(e->n, sizeof *s->prof_runs);
    s->prof_calls = calloc(e->n, sizeof *s->prof_calls);
    return s->prof_ns && s->prof_runs && s->prof_calls ? PS_OK : PS_E_NOMEM;
}

void engine_profile_add(const ps_scratch *s, uint64_t *ns, uint64_t *runs, uint64_t *calls, size_t n)
{
    for (size_t i = 0; s && s->prof_ns && ns && runs && calls && i < n && i < s->prof_n; i++) {
        ns[i] += s->prof_ns[i];
        runs[i] += s->prof_runs[i];
        calls[i] += s->prof_calls[i];
    }
}

/* ---------------------------------------------------------------- explain */

typedef struct explain_acc {
    ps_explain_event *v;
    size_t n, cap;
    int nomem;
} explain_acc;

static void collect_candidate(void *ctx, size_t gs, size_t ge, uint32_t rule, const char *check, const char *why)
{
    explain_acc *a = ctx;
    if (a->nomem)
        return;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 32;
        ps_explain_event *v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->nomem = 1;
            return;
        }
        a->v = v;
        a->cap = cap;
    }
    ps_explain_event *ev = &a->v[a->n++];
    memset(ev, 0, sizeof *ev);
    ev->start = gs;
    ev->end = ge;
    ev->rule = rule;
    ev->kept = check == NULL;
    ev->check = check;
    /* The reason text lives in the scratch buffer, overwritten by the next drop: keep a copy. */
    ev->why = why ? strdup(why) : NULL;
    if (why && !ev->why)
        a->nomem = 1;
}

int ps_explain(const ps_engine *e, const char *text, size_t len, ps_explain_fn cb, void *ctx)
{
    ps_scratch *s = NULL;
    int st = engine_scratch_new(e, &s);
    if (st)
        return st;
    explain_acc acc = {0};
    ps_spanvec kept = {0};
    s->on_candidate = collect_candidate;
    engine_scratch_exhaustive(s);
    s->candidate_ctx = &acc;
    /* The caller's bytes are copied into padded memory: the text is a PCRE2 subject (see buf_pad). */
    ps_buf copy = {0};
    if (buf_append(&copy, text, len) || buf_pad(&copy, 64)) {
        buf_free(&copy);
        engine_scratch_free(s);
        return PS_E_NOMEM;
    }
    ps_subject subj = {copy.p, len, 0, 0, 1, 0, 0};
    size_t hold;
    int scan_st = engine_scan(e, s, &subj, -1, &kept, NULL, &hold);
    if (acc.nomem)
        scan_st = PS_E_NOMEM;
    for (size_t i = 0; s->folded && i < acc.n; i++) {
        size_t os, oe;
        fold_map_span(&s->fold_map, (size_t)acc.v[i].start, (size_t)acc.v[i].end, &os, &oe);
        acc.v[i].start = os;
        acc.v[i].end = oe;
    }
    size_t n = redact_merge(e->redactor, kept.v, kept.n);
    for (size_t i = 0; i < acc.n && scan_st != PS_E_NOMEM; i++) {
        ps_explain_event *ev = &acc.v[i];
        for (size_t k = 0; ev->kept && k < n; k++) {
            if (ev->start >= kept.v[k].start && ev->end <= kept.v[k].end) {
                ev->redacted_start = kept.v[k].start;
                ev->redacted_end = kept.v[k].end;
                ev->merged = kept.v[k].rule != ev->rule;
                ev->merged_rule = kept.v[k].rule;
                break;
            }
        }
        if (cb && cb(ctx, ev))
            break;
    }
    for (size_t i = 0; i < acc.n; i++)
        free((char *)(uintptr_t)acc.v[i].why);
    free(acc.v);
    spanvec_free(&kept);
    buf_free(&copy);
    engine_scratch_free(s);
    return scan_st == PS_E_NOMEM ? PS_E_NOMEM : scan_st;
}
