/* rxinfo.c — see rxinfo.h. A recursive-descent reading of the PCRE2 syntax the rule packs use. Each piece of the
 * pattern yields (alphabet, fewest digits): a sequence unites alphabets and adds digits, an alternation unites
 * alphabets and takes the fewest digits, a quantifier multiplies digits by its minimum, a lookaround yields
 * nothing (it consumes nothing). Anything else gives up: a wrong "no" would let PII through, a lost gate costs
 * only time. */
#include "rxinfo.h"

#include "byteset.h"
#include "ucase.h"
#include "utf8.h"

#include <string.h>

#define MAX_DIGITS 255u /* the engine counts digits in bytes */
#define MAX_GROUPS 64
#define MAX_DEPTH 64

#define TEXT_MAX 32

/* For rxinfo_ends: the bytes the (j+1)-th last byte of a match can be, over matches longer than j: the ASCII ones in
 * ascii[j], and any non-ASCII one when bit j of high is set (compact: every parse copies pieces); and the fewest
 * bytes a match consumes (the piece's maxlen is the most). */
typedef struct ends_info {
    uint64_t ascii[RXINFO_ENDS][2];
    uint8_t high;
    unsigned min_bytes;
} ends_info;

typedef struct piece {
    uint64_t set[4];
    unsigned digits, len;
    unsigned others; /* the fewest characters a match consumes that cannot be ASCII digits (ps_rxinfo.min_others) */
    /* For rxinfo_lead: the most bytes a match consumes (LONG when unbounded); whether every match holds a byte of
     * the parser's lead set; and then the most bytes before the first such byte. */
    unsigned maxlen;
    /* The most bytes from the piece's start that matching it can read: what it consumes and what a lookahead or an
     * assertion (\b, $) looks at after that (LONG when unbounded; see ps_rxinfo.reach). */
    unsigned reach;
    bool must;
    unsigned lead;
    uint64_t req[4]; /* bytes every match consumes (ps_rxinfo.required) */
    /* the best space-free run this piece guarantees in the text (see ps_rxinfo.run_set) */
    uint64_t run_set[4];
    unsigned run_len;
    bool text_digit; /* a positive lookaround in it sees an ASCII digit (see has_digit) */
    uint64_t look[4]; /* bytes its positive lookarounds can look at (ps_rxinfo.look) */
    /* The text from the piece's start that its match, or a positive lookahead at its start, covers (ps_rxinfo.span):
     * at least span_len bytes, all in span_set, span_digits of them ASCII digits. */
    uint64_t span_set[4];
    unsigned span_digits, span_len;
    bool at_end; /* every match ends where the subject does, or just before a newline that ends it (rxinfo_tail) */
    ends_info ends; /* rxinfo_ends's */
    uint64_t guard[4]; /* ASCII bytes that never come just before where the piece matches (ps_rxinfo.not_before) */
    /* Digit groups (ps_rxinfo.min_group): every match holds dg ASCII digits in a row, begins with dg_pre of them and
     * ends with dg_suf; only_dg when a match holds nothing but digits (the empty text too). */
    unsigned dg, dg_pre, dg_suf;
    bool only_dg;
    /* For rxinfo_has_word: whether every match holds one of the parser's words, in the text it consumes or that a
     * positive lookaround in it sees; and the text every match begins and ends with (ASCII letters lower-cased; at
     * most TEXT_MAX bytes each), `exact` when that is all of it. */
    bool word, exact;
    unsigned char npre, nsuf;
    char pre[TEXT_MAX], suf[TEXT_MAX];
} piece;

#define EMPTY ((piece){.exact = true}) /* matches the empty string */

/* Wherever the piece matches, the text holds an ASCII digit: one it consumes, or one a lookaround sees. */
static bool has_digit(const piece *p)
{
    return p->digits > 0 || p->text_digit;
}
#define LONG 0x10000u /* "unbounded" for byte counts: longer than any lead worth using */

typedef struct parser {
    const char *p;
    bool failed;
    bool caseless;
    bool numbers_lost; /* a branch reset group was seen: group numbers are not known */
    bool multiline;    /* (?m) was seen: '$' may match before any newline */
    const uint64_t *lead_set; /* rxinfo_lead's set, or NULL */
    bool ends; /* rxinfo_ends: the pieces' ends are wanted (they cost a fifth of the start-up when not) */
    const char *const *words; /* rxinfo_has_word's words (lower-cased ASCII letters), or NULL */
    const size_t *word_len;
    size_t n_words;
    unsigned depth;
    unsigned n_groups;
    uint64_t group_set[MAX_GROUPS + 1][4];
    unsigned group_maxlen[MAX_GROUPS + 1];
    bool group_done[MAX_GROUPS + 1];
} parser;

static void add_range(uint64_t s[4], unsigned lo, unsigned hi)
{
    if (hi > 255)
        hi = 255;
    for (unsigned w = lo >> 6; lo <= hi && w <= hi >> 6; w++) { /* the bits of [lo, hi] in each word, at once */
        unsigned a = w == lo >> 6 ? lo & 63 : 0, b = w == hi >> 6 ? hi & 63 : 63;
        s[w] |= (~(uint64_t)0 >> (63 - b)) & (~(uint64_t)0 << a);
    }
}

/* a + b and a * b, saturated at cap (a sum's operands are at most cap, so it cannot wrap). */
static unsigned cap_add(unsigned a, unsigned b, unsigned cap)
{
    return a + b > cap ? cap : a + b;
}

static unsigned cap_mul(unsigned a, unsigned b, unsigned cap)
{
    return b && a > cap / b ? cap : a * b;
}

/* Does the set hold no ASCII digit (a character of it, matched, is never one)? */
static bool no_digit(const uint64_t s[4])
{
    return !(s[0] & ((uint64_t)0x3FF << '0'));
}

static bool only_digits(const uint64_t s[4])
{
    uint64_t digits = (uint64_t)0x3FF << '0';
    return s[0] && !(s[0] & ~digits) && !s[1] && !s[2] && !s[3];
}

static bool has_space(const uint64_t s[4])
{
    return (s[0] >> ' ') & 1 || (s[0] >> '\t') & 1;
}

/* Keeps the longer of two space-free runs (the smaller alphabet on a tie). */
static void better_run(piece *r, const uint64_t set[4], unsigned len)
{
    if (!len || has_space(set))
        return;
    if (len > r->run_len || (len == r->run_len && byteset_count(set) < byteset_count(r->run_set))) {
        memcpy(r->run_set, set, sizeof r->run_set);
        r->run_len = len;
    }
}

static piece fail(parser *ps)
{
    ps->failed = true;
    return EMPTY;
}

/* Two texts that both start where the piece does, as one: together they cover the longer one. */
static void span_cover(piece *r, const uint64_t set[4], unsigned digits, unsigned len)
{
    byteset_unite(r->span_set, set);
    r->span_digits = digits > r->span_digits ? digits : r->span_digits;
    r->span_len = len > r->span_len ? len : r->span_len;
}

static void span_clear(piece *r)
{
    memset(r->span_set, 0, sizeof r->span_set);
    r->span_digits = r->span_len = 0;
}

/* ---- the text every match holds, for rxinfo_has_word ---- */

/* A piece whose text is not known: a class, a lookaround, a repetition that may be absent. */
static void no_text(piece *r)
{
    r->exact = false;
    r->npre = r->nsuf = 0;
}

/* One character whose bytes (UTF-8) are b[0..n): the text the piece matches. */
static void one_char(piece *r, const char *b, size_t n)
{
    r->exact = true;
    r->npre = r->nsuf = (unsigned char)n;
    memcpy(r->pre, b, n);
    memcpy(r->suf, b, n);
}

/* Does one of the parser's words occur in t[0..n) across `split` (in neither t[0..split) nor t[split..n) alone:
 * those were looked at when each was made)? */
static bool holds_word(const parser *ps, const char *t, size_t n, size_t split)
{
    for (size_t i = 0; i < ps->n_words; i++) {
        size_t m = ps->word_len[i];
        for (size_t k = split >= m ? split - m + 1 : 0; m && k < split && k + m <= n; k++)
            if (memcmp(t + k, ps->words[i], m) == 0)
                return true;
    }
    return false;
}

/* r followed by a: a word may also lie across the two, in r's last bytes and a's first ones. */
static void text_append(const parser *ps, piece *r, const piece *a)
{
    char both[2 * TEXT_MAX];
    size_t n = (size_t)r->nsuf + a->npre;
    memcpy(both, r->suf, r->nsuf);
    memcpy(both + r->nsuf, a->pre, a->npre);
    r->word = r->word || a->word || holds_word(ps, both, n, r->nsuf);
    size_t keep = n < TEXT_MAX ? n : TEXT_MAX;
    if (r->exact) { /* r->pre is all of r: the prefix goes on into a */
        r->npre = (unsigned char)keep;
        memcpy(r->pre, both, keep);
    }
    if (a->exact) { /* a->pre is all of a: the suffix is what ends both */
        r->nsuf = (unsigned char)keep;
        memcpy(r->suf, both + n - keep, keep);
    } else {
        r->nsuf = a->nsuf;
        memcpy(r->suf, a->suf, a->nsuf);
    }
    r->exact = r->exact && a->exact && n <= TEXT_MAX;
}

/* Either r or b: a word only when both hold one; the text they both begin and end with. */
static void text_either(piece *r, const piece *b)
{
    r->word = r->word && b->word;
    r->exact = r->exact && b->exact && r->npre == b->npre && memcmp(r->pre, b->pre, r->npre) == 0;
    unsigned k = 0;
    while (k < r->npre && k < b->npre && r->pre[k] == b->pre[k])
        k++;
    r->npre = (unsigned char)k;
    k = 0;
    while (k < r->nsuf && k < b->nsuf && r->suf[r->nsuf - 1 - k] == b->suf[b->nsuf - 1 - k])
        k++;
    memmove(r->suf, r->suf + r->nsuf - k, k);
    r->nsuf = (unsigned char)k;
}

/* Non-ASCII characters are matched as their UTF-8 bytes; the analysis does not track which. */
static void add_non_ascii(uint64_t s[4])
{
    add_range(s, 0x80, 0xFF);
}

static void add_word(uint64_t s[4])
{
    add_range(s, '0', '9');
    add_range(s, 'A', 'Z');
    add_range(s, 'a', 'z');
    byteset_add(s, '_');
}

static void add_space(uint64_t s[4])
{
    add_range(s, '\t', '\r');
    byteset_add(s, ' ');
}

/* The complement of an ASCII set, plus every non-ASCII byte (a negated class or \D matches any other character). */
static void add_complement(uint64_t s[4], const uint64_t ascii[4])
{
    s[0] |= ~ascii[0];
    s[1] |= ~ascii[1];
    add_non_ascii(s);
}

/* Caseless matching: both cases of every letter; and (UTF) 'k' also matches U+212A KELVIN SIGN and 's' U+017F LONG S,
 * so those letters bring non-ASCII bytes, and non-ASCII characters bring those letters. */
static void fold_case(uint64_t s[4])
{
    /* 'A'..'Z' are bits 1..26 of s[1], 'a'..'z' bits 33..58: one word's shifts fold them all. */
    const uint64_t upper = (uint64_t)0x3FFFFFF << 1;
    uint64_t letters = (s[1] & upper) | ((s[1] >> 32) & upper);
    s[1] |= letters | letters << 32;
    bool ks = (letters >> ('K' - 64)) & 1 || (letters >> ('S' - 64)) & 1;
    if (s[2] || s[3]) {
        byteset_add(s, 'K');
        byteset_add(s, 'k');
        byteset_add(s, 'S');
        byteset_add(s, 's');
    }
    if (ks)
        add_non_ascii(s);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* An escape that stands for a set of characters, in or out of a class: \d \w \s \h \v and their complements.
 * @return true when p[1] was one (set filled). */
static bool class_escape(char e, uint64_t set[4])
{
    uint64_t t[4] = {0};
    switch (e) {
    case 'd': add_range(set, '0', '9'); return true;
    case 'w': add_word(set); return true;
    case 's': add_space(set); return true;
    case 'h': byteset_add(set, ' '); byteset_add(set, '\t'); add_non_ascii(set); return true;
    case 'v': add_range(set, '\n', '\r'); add_non_ascii(set); return true;
    case 'D': add_range(t, '0', '9'); break;
    case 'W': add_word(t); break;
    case 'S': add_space(t); break;
    case 'H': byteset_add(t, ' '); byteset_add(t, '\t'); break;
    case 'V': add_range(t, '\n', '\r'); break;
    case 'N': byteset_add(t, '\n'); break;
    default: return false;
    }
    add_complement(set, t);
    return true;
}

/* A single-character escape (\t, \x41, \., ...). @return the character (ASCII; 256 for "some non-ASCII character")
 * and advances past it, or -1 when the escape is not understood. */
static int char_escape(parser *ps)
{
    const char *p = ps->p + 1; /* after the backslash */
    char e = *p;
    switch (e) {
    case 't': ps->p = p + 1; return '\t';
    case 'n': ps->p = p + 1; return '\n';
    case 'r': ps->p = p + 1; return '\r';
    case 'f': ps->p = p + 1; return '\f';
    case 'e': ps->p = p + 1; return 0x1B;
    case 'a': ps->p = p + 1; return 0x07;
    case 'x': {
        unsigned v = 0;
        if (p[1] == '{') {
            const char *q = p + 2;
            int n = 0;
            while (hexval(*q) >= 0 && n < 8) {
                v = v * 16 + (unsigned)hexval(*q++);
                n++;
            }
            if (*q != '}' || !n)
                return -1;
            ps->p = q + 1;
        } else {
            const char *q = p + 1;
            for (int n = 0; n < 2 && hexval(*q) >= 0; n++)
                v = v * 16 + (unsigned)hexval(*q++);
            ps->p = q;
        }
        return v > 0x7F ? 256 : (int)v;
    }
    default:
        if (!e || (e >= '0' && e <= '9') || (e >= 'A' && e <= 'Z') || (e >= 'a' && e <= 'z') ||
            (unsigned char)e >= 0x80)
            return -1; /* \1 \p \Q \c \o \g \k ... are handled elsewhere or not modelled */
        ps->p = p + 1;
        return (unsigned char)e; /* an escaped punctuation character stands for itself */
    }
}

/* Skips one UTF-8 character starting at a lead byte >= 0x80. */
static void skip_utf8(parser *ps)
{
    ps->p++;
    while (((unsigned char)*ps->p & 0xC0) == 0x80)
        ps->p++;
}

/* An unescaped character of a class: its byte, or 256 for a non-ASCII one (skipped whole). */
static int class_char(parser *ps)
{
    if ((unsigned char)*ps->p >= 0x80) {
        skip_utf8(ps);
        return 256;
    }
    return (unsigned char)*ps->p++;
}

/* ---- the bytes a match ends with, for rxinfo_ends ---- */

/* Adds the bytes of `set` to what the (j+1)-th last byte can be. */
static void ends_add(ends_info *e, unsigned j, const uint64_t set[4])
{
    e->ascii[j][0] |= set[0];
    e->ascii[j][1] |= set[1];
    if (set[2] | set[3])
        e->high |= (uint8_t)(1u << j);
}

/* What the (j+1)-th last byte can be, as a byte set. */
static void ends_get(const ends_info *e, unsigned j, uint64_t set[4])
{
    set[0] = e->ascii[j][0];
    set[1] = e->ascii[j][1];
    set[2] = set[3] = (e->high >> j) & 1 ? ~(uint64_t)0 : 0;
}

/* r followed by a (a consuming at most a_max bytes): the last bytes are a's, and r's before them when a is shorter
 * (a's every length from its fewest bytes to its most stands for the ones it can have). */
static void ends_append(ends_info *r, const ends_info *a, unsigned a_max)
{
    ends_info e = *a;
    for (unsigned j = 0; j < RXINFO_ENDS; j++) {
        for (unsigned l = a->min_bytes; l <= j && l <= a_max; l++) {
            uint64_t set[4];
            ends_get(r, j - l, set);
            ends_add(&e, j, set);
        }
    }
    e.min_bytes = cap_add(r->min_bytes, a->min_bytes, LONG);
    *r = e;
}

/* One repetition's ends (one, of at most one_max bytes) made min to max repetitions' (max: LONG when unbounded). Fewer
 * repetitions end as the last ones of more do, and the last RXINFO_ENDS bytes lie in the last RXINFO_ENDS: so that
 * many (or max) in a row say it all. */
static void ends_repeat(ends_info *one, unsigned one_max, unsigned min, unsigned max)
{
    ends_info r = {0};
    for (unsigned i = 0; i < max && i < RXINFO_ENDS; i++)
        ends_append(&r, one, one_max);
    r.min_bytes = cap_mul(one->min_bytes, min, LONG);
    *one = r;
}

/* Any byte of `set` at each of the last `n` positions (a character of up to n bytes, or any text). */
static void ends_any(ends_info *e, const uint64_t set[4], unsigned n)
{
    for (unsigned j = 0; j < RXINFO_ENDS && j < n; j++)
        ends_add(e, j, set);
}

/* Either a or b. */
static void ends_either(ends_info *a, const ends_info *b)
{
    for (unsigned j = 0; j < RXINFO_ENDS; j++) {
        uint64_t set[4];
        ends_get(b, j, set);
        ends_add(a, j, set);
    }
    a->min_bytes = b->min_bytes < a->min_bytes ? b->min_bytes : a->min_bytes;
}

/* Ignoring case (a backreference's ends, taken before its set was folded). */
static void ends_fold(ends_info *e)
{
    for (unsigned j = 0; j < RXINFO_ENDS; j++) {
        uint64_t set[4];
        ends_get(e, j, set);
        fold_case(set);
        ends_add(e, j, set);
    }
}

static piece parse_class(parser *ps)
{
    piece r = EMPTY;
    uint64_t set[4] = {0};
    bool negated = false, non_ascii = false;
    ps->p++; /* [ */
    if (*ps->p == '^') {
        negated = true;
        ps->p++;
    }
    bool first = true;
    while (*ps->p && (*ps->p != ']' || first)) {
        first = false;
        int lo;
        if (ps->p[0] == '[' && ps->p[1] == ':')
            return fail(ps); /* POSIX classes: not modelled */
        if (*ps->p == '\\') {
            if (class_escape(ps->p[1], set)) {
                ps->p += 2;
                continue;
            }
            if (ps->p[1] == 'b') { /* backspace inside a class */
                ps->p += 2;
                lo = 0x08;
            } else if ((lo = char_escape(ps)) < 0) {
                return fail(ps);
            }
        } else {
            lo = class_char(ps);
        }
        int hi = lo;
        if (ps->p[0] == '-' && ps->p[1] && ps->p[1] != ']') {
            ps->p++;
            if ((hi = *ps->p == '\\' ? char_escape(ps) : class_char(ps)) < 0)
                return fail(ps);
        }
        if (lo == 256 || hi == 256) { /* a range reaching past ASCII: its ASCII part, and non-ASCII bytes */
            non_ascii = true;
            if (lo < 256)
                add_range(set, (unsigned)lo, 0x7F);
        } else {
            if (hi < lo)
                return fail(ps);
            add_range(set, (unsigned)lo, (unsigned)hi);
        }
    }
    if (*ps->p != ']')
        return fail(ps);
    ps->p++;
    no_text(&r);
    r.len = 1;
    if (negated) {
        add_complement(r.set, set);
    } else {
        byteset_unite(r.set, set);
        if (non_ascii)
            add_non_ascii(r.set);
        r.digits = only_digits(r.set) ? 1 : 0;
    }
    r.others = no_digit(r.set);
    return r;
}

static piece parse_alt(parser *ps);

/* Reads inline option letters up to ':' or ')'. @return false for options that change what the analysis assumes. */
static bool inline_options(parser *ps)
{
    bool on = true;
    for (; *ps->p && *ps->p != ':' && *ps->p != ')'; ps->p++) {
        char c = *ps->p;
        if (c == '-')
            on = false;
        else if (c == 'i')
            ps->caseless = on;
        else if (c == 'm')
            ps->multiline = ps->multiline || on;
        else if (c == 'x' || c == 'u' || c == 'J' || c == 'X' || c == 'n' || c == 'a' || c == 'r')
            return false;
        else if (c != 'm' && c != 's' && c != 'U' && c != '^')
            return false;
    }
    return *ps->p != 0;
}

/* Is t[0..n) one character of the pattern and nothing else: a literal, an escaped punctuation mark, a class escape
 * (\w, \d, ...) or one [...] class? Assertions (\b, ^, $, lookarounds) and quantifiers make it false. */
static bool one_char_text(const char *t, size_t n)
{
    if (n == 1)
        return !strchr("\\[](){}|*+?.^$", t[0]);
    if (n == 2 && t[0] == '\\')
        return strchr("wWdDsShHvV", t[1]) || !((t[1] >= '0' && t[1] <= '9') || (t[1] >= 'A' && t[1] <= 'Z') ||
                                                 (t[1] >= 'a' && t[1] <= 'z'));
    if (n < 3 || t[0] != '[' || t[n - 1] != ']')
        return false;
    size_t i = 1;
    if (t[i] == '^')
        i++;
    if (t[i] == ']') /* a ']' first is a literal */
        i++;
    for (; i < n - 1; i++) {
        if (t[i] == '\\')
            i++; /* an escaped byte, ']' too */
        else if (t[i] == ']')
            return false; /* the class ends before the text does */
    }
    return i == n - 1;
}

/* A group, at '('. */
static piece parse_group(parser *ps)
{
    const char *p = ps->p + 1;
    bool capture = false, zero = false, positive = false, ahead = false;
    bool caseless = ps->caseless; /* options set inside a group end with it */
    if (*p == '*') { /* backtracking verbs consume nothing; others ((*ACCEPT), (*UCP), ...) change the rules */
        static const char *const verbs[] = {"SKIP", "FAIL", "F", "PRUNE", "COMMIT", "THEN", "MARK", "", NULL};
        const char *q = strchr(p, ')');
        size_t n = strcspn(p + 1, ":)");
        bool known = false;
        for (int i = 0; verbs[i] && !known; i++)
            known = strlen(verbs[i]) == n && strncmp(p + 1, verbs[i], n) == 0;
        if (!q || !known)
            return fail(ps);
        ps->p = q + 1;
        return EMPTY;
    }
    if (*p == '?' && (p[1] == '&' || (p[1] == 'P' && p[2] == '>') || p[1] == 'R' || (p[1] >= '0' && p[1] <= '9') ||
                      ((p[1] == '+' || p[1] == '-') && p[2] >= '0' && p[2] <= '9'))) {
        /* A subroutine call matches what the group it names matches: taken as any text of any length. */
        const char *q = strchr(p, ')');
        if (!q)
            return fail(ps);
        ps->p = q + 1;
        piece any = EMPTY;
        add_range(any.set, 0, 255);
        any.maxlen = LONG;
        if (ps->ends)
            ends_any(&any.ends, any.set, RXINFO_ENDS);
        no_text(&any);
        return any;
    }
    if (*p == '?' && strncmp(p + 1, "(DEFINE)", 8) == 0) {
        /* Definitions for subroutine calls: never matched in place. Their groups still take numbers. */
        ps->p = p + 9;
        parse_alt(ps);
        ps->caseless = caseless;
        if (ps->failed || *ps->p != ')')
            return fail(ps);
        ps->p++;
        return EMPTY;
    }
    if (*p != '?') {
        capture = true;
        ps->p = p;
    } else if (p[1] == '#') {
        const char *q = strchr(p, ')');
        if (!q)
            return fail(ps);
        ps->p = q + 1;
        return EMPTY;
    } else if (p[1] == ':' || p[1] == '>') {
        ps->p = p + 2;
    } else if (p[1] == '|') {
        /* Branch reset: each branch numbers its groups from the same number, which this reading does not track;
         * a later backreference gives up. */
        ps->p = p + 2;
        ps->numbers_lost = true;
    } else if (p[1] == '=' || p[1] == '!') {
        zero = ahead = true;
        positive = p[1] == '=';
        ps->p = p + 2;
    } else if (p[1] == '<' && (p[2] == '=' || p[2] == '!')) {
        zero = true;
        positive = p[2] == '=';
        ps->p = p + 3;
    } else if ((p[1] == '<' || p[1] == '\'') || (p[1] == 'P' && p[2] == '<')) {
        const char *q = p + (p[1] == 'P' ? 3 : 2);
        char close = p[1] == '\'' ? '\'' : '>';
        while (*q && *q != close)
            q++;
        if (!*q)
            return fail(ps);
        capture = true;
        ps->p = q + 1;
    } else {
        ps->p = p + 1;
        if (!inline_options(ps))
            return fail(ps);
        if (*ps->p == ')') { /* (?i) and friends: options only, up to the end of the enclosing group */
            ps->p++;
            return EMPTY;
        }
        ps->p++; /* (?i: ... */
    }
    unsigned g = 0;
    if (capture) {
        if (ps->n_groups >= MAX_GROUPS)
            return fail(ps);
        g = ++ps->n_groups;
    }
    const char *body = ps->p;
    piece in = parse_alt(ps);
    ps->caseless = caseless;
    if (ps->failed || *ps->p != ')')
        return fail(ps);
    size_t body_len = (size_t)(ps->p - body);
    ps->p++;
    if (capture) {
        memcpy(ps->group_set[g], in.set, sizeof in.set);
        ps->group_maxlen[g] = in.maxlen;
        ps->group_done[g] = true;
    }
    if (!zero)
        return in;
    piece r = EMPTY;
    no_text(&r); /* it sees text, but not next to what comes before or after it */
    r.reach = in.reach; /* a lookbehind reads before here, but a lookahead in it may read after */
    r.word = positive && in.word;
    /* (?<![\w.-]): the ASCII bytes it refuses. Only a lookbehind of one character and nothing else: one with an
     * assertion in it ((?<!\ba), (?<!a$)) refuses a byte only sometimes. */
    if (!ahead && !positive && in.len == 1 && in.maxlen == 1 && one_char_text(body, body_len))
        memcpy(r.guard, in.set, 2 * sizeof in.set[0]);
    if (ahead && positive) /* what its text starts with starts where it is */
        memcpy(r.guard, in.guard, sizeof r.guard);
    if (positive) { /* what it looks at is in the text, though not in the match */
        memcpy(r.look, in.look, sizeof r.look);
        byteset_unite(r.look, in.set);
        memcpy(r.run_set, in.run_set, sizeof r.run_set);
        r.run_len = in.run_len;
        r.text_digit = has_digit(&in);
    }
    if (ahead && positive) { /* its bytes are in the text from here on: they bound where a search may start too */
        r.must = in.must;
        r.lead = in.lead;
        memcpy(r.span_set, in.span_set, sizeof r.span_set);
        r.span_digits = in.span_digits;
        r.span_len = in.span_len;
    }
    return r;
}

/* A backreference: the characters group `g` matched, so its alphabet; its digits are not counted. */
static piece backref(parser *ps, unsigned g)
{
    if (g == 0 || g > ps->n_groups || !ps->group_done[g] || ps->numbers_lost)
        return fail(ps);
    piece r = EMPTY;
    byteset_unite(r.set, ps->group_set[g]);
    /* What the group matched last, whichever repetition; ignoring case, that text in another case, whose UTF-8
     * may be longer ('s' and U+017F). */
    r.maxlen = ps->caseless ? LONG : ps->group_maxlen[g];
    r.reach = r.maxlen;
    if (ps->ends)
        ends_any(&r.ends, r.set, r.maxlen);
    no_text(&r);
    return r;
}

static piece parse_atom(parser *ps)
{
    piece r = EMPTY;
    unsigned char c = (unsigned char)*ps->p;
    if (c == '(')
        return parse_group(ps);
    if (c == '[')
        return parse_class(ps);
    if (c == '.') {
        ps->p++;
        add_range(r.set, 0, 255);
        r.len = 1;
        no_text(&r);
        return r;
    }
    if (c == '^' || c == '$') {
        ps->p++;
        r.at_end = c == '$' && !ps->multiline;
        return r;
    }
    if (c == '*' || c == '+' || c == '?' || c == '{' || c == ')' || c == '|')
        return fail(ps); /* a quantifier with nothing to repeat, or a literal brace: not modelled */
    if (c >= 0x80) {
        const char *b = ps->p;
        skip_utf8(ps);
        add_non_ascii(r.set);
        r.len = 1;
        r.others = 1;
        /* Its own bytes; ignoring case, a letter whose one other spelling the rule's word lists hold too. */
        const unsigned char *u = (const unsigned char *)b;
        size_t n = (size_t)(ps->p - b);
        if (n <= 4 && utf8_seq_len(u, n) == n && (!ps->caseless || ucase_two_cased(utf8_decode(u, n))))
            one_char(&r, b, n);
        else
            no_text(&r);
        return r;
    }
    if (c != '\\') {
        ps->p++;
        byteset_add(r.set, c);
        r.digits = c >= '0' && c <= '9';
        r.others = !r.digits;
        r.len = 1;
        char low = (char)ascii_lower(c);
        one_char(&r, &low, 1);
        return r;
    }
    char e = ps->p[1];
    if (class_escape(e, r.set)) {
        ps->p += 2;
        r.digits = e == 'd';
        r.others = no_digit(r.set);
        r.len = 1;
        no_text(&r);
        return r;
    }
    if (e == 'b' || e == 'B' || e == 'A' || e == 'z' || e == 'Z' || e == 'G' || e == 'K') {
        ps->p += 2;
        r.at_end = e == 'z' || e == 'Z';
        return r;
    }
    if (e >= '1' && e <= '9') {
        unsigned g = 0;
        ps->p++;
        while (*ps->p >= '0' && *ps->p <= '9' && g < 1000)
            g = g * 10 + (unsigned)(*ps->p++ - '0');
        return backref(ps, g);
    }
    if (e == 'g' && ps->p[2] == '{' && ps->p[3] >= '1' && ps->p[3] <= '9') {
        unsigned g = 0;
        ps->p += 3;
        while (*ps->p >= '0' && *ps->p <= '9' && g < 1000)
            g = g * 10 + (unsigned)(*ps->p++ - '0');
        if (*ps->p++ != '}')
            return fail(ps);
        return backref(ps, g);
    }
    int ch = char_escape(ps);
    if (ch < 0)
        return fail(ps);
    if (ch == 256) {
        add_non_ascii(r.set);
        no_text(&r);
    } else {
        byteset_add(r.set, (unsigned)ch);
        char low = (char)ascii_lower((unsigned char)ch);
        one_char(&r, &low, 1);
    }
    r.digits = ch >= '0' && ch <= '9';
    r.others = !r.digits;
    r.len = 1;
    return r;
}

/* Reads a quantifier if one follows. @return false when none does; *min and *max get its bounds (LONG: none). */
static bool quantifier(parser *ps, unsigned *min, unsigned *max, bool *none)
{
    const char *p = ps->p;
    *none = false;
    if (*p == '?' || *p == '*') {
        *min = 0;
        *max = *p == '?' ? 1 : LONG;
        p++;
    } else if (*p == '+') {
        *min = 1;
        *max = LONG;
        p++;
    } else if (*p == '{') {
        const char *q = p + 1;
        unsigned lo = 0, hi = 0;
        int n = 0;
        while (*q >= '0' && *q <= '9' && lo < 100000) {
            lo = lo * 10 + (unsigned)(*q++ - '0');
            n++;
        }
        if (!n)
            return false; /* "{,m}" or a literal brace: the caller gives up on the brace */
        bool bounded = true;
        if (*q == ',') {
            q++;
            if (*q >= '0' && *q <= '9') {
                while (*q >= '0' && *q <= '9' && hi < 100000)
                    hi = hi * 10 + (unsigned)(*q++ - '0');
            } else {
                bounded = false;
            }
        } else {
            hi = lo;
        }
        if (*q != '}')
            return false;
        *min = lo;
        *max = bounded ? hi : LONG;
        *none = bounded && hi == 0;
        p = q + 1;
    } else {
        return false;
    }
    if (*p == '?' || *p == '+')
        p++;
    ps->p = p;
    return true;
}

/* The digit groups of a piece that follows r, as r's: a group may run on from r's last digits into a's first. */
static void groups_append(piece *r, const piece *a)
{
    unsigned joined = cap_add(r->dg_suf, a->dg_pre, MAX_DIGITS);
    r->dg = r->dg > a->dg ? r->dg : a->dg;
    r->dg = joined > r->dg ? joined : r->dg;
    if (r->only_dg)
        r->dg_pre = cap_add(r->len, a->dg_pre, MAX_DIGITS); /* r's digits, every one, then a's first ones */
    r->dg_suf = a->only_dg ? cap_add(r->dg_suf, a->len, MAX_DIGITS) : a->dg_suf;
    r->only_dg = r->only_dg && a->only_dg;
}

/* A piece repeated min or more times (groups_append's view of it): one repetition ends where the next begins. */
static void groups_repeat(piece *a, unsigned min)
{
    if (!min) {
        a->dg = a->dg_pre = a->dg_suf = 0;
    } else if (a->only_dg) {
        a->dg = a->dg_pre = a->dg_suf = a->len; /* a->len is already the repetitions' */
    } else if (min >= 2) {
        unsigned joined = cap_add(a->dg_suf, a->dg_pre, MAX_DIGITS);
        a->dg = joined > a->dg ? joined : a->dg;
    }
}

static piece parse_seq(parser *ps)
{
    piece r = EMPTY;
    r.only_dg = true; /* nothing yet: the empty text */
    bool at_start = true; /* nothing before the atom consumes anything: it starts where the sequence does */
    while (*ps->p && *ps->p != '|' && *ps->p != ')' && !ps->failed) {
        bool group = *ps->p == '(';
        piece a = parse_atom(ps);
        if (ps->failed)
            break;
        if (ps->caseless && !group) { /* a group folded its own atoms under its own options */
            fold_case(a.set);
            if (ps->ends && !a.len)
                ends_fold(&a.ends); /* a backreference's (a character's are made from its folded set below) */
        }
        if (!group && a.len) { /* one character: its UTF-8 bytes */
            bool ascii = !(a.set[2] | a.set[3]);
            a.maxlen = ascii ? 1 : 4;
            a.must = ps->lead_set && ascii && (a.set[0] | a.set[1]) && byteset_subset(a.set, ps->lead_set);
            if (byteset_count(a.set) == 1)
                memcpy(a.req, a.set, sizeof a.req);
            a.only_dg = only_digits(a.set);
            a.dg = a.dg_pre = a.dg_suf = a.only_dg;
            if (ps->ends) {
                a.ends.min_bytes = (a.set[0] | a.set[1]) ? 1 : 2; /* an ASCII byte, or a character of 2-4 */
                ends_any(&a.ends, a.set, a.maxlen);
            }
        }
        if (!group) /* a character reads itself; an assertion (\b, $) may read the character after it */
            a.reach = a.maxlen > a.reach ? a.maxlen : a.reach ? a.reach : 4;
        if (!a.maxlen) /* it consumes nothing: the empty text, all digits */
            a.only_dg = true;
        unsigned min, max;
        bool none, quantified = false;
        while (quantifier(ps, &min, &max, &none)) {
            quantified = true;
            if (ps->ends)
                ends_repeat(&a.ends, a.maxlen, min, max); /* before a.maxlen is the repetitions' */
            a.digits = cap_mul(a.digits, min, MAX_DIGITS);
            a.others = cap_mul(a.others, min, MAX_DIGITS);
            a.len = cap_mul(a.len, min, MAX_DIGITS);
            a.reach = max ? cap_add(cap_mul(a.maxlen, max - 1, LONG), a.reach, LONG) : 0; /* the last one's reach */
            a.maxlen = cap_mul(a.maxlen, max, LONG);
            a.must = a.must && min > 0; /* then the first repetition holds the byte, as far in as one does */
            if (!min)
                memset(a.req, 0, sizeof a.req);
            if (none)
                memset(a.set, 0, sizeof a.set);
            if (!min) { /* optional: guarantees nothing */
                span_clear(&a);
                memset(a.guard, 0, sizeof a.guard);
                a.run_len = 0;
                a.text_digit = false;
                a.word = false;
                no_text(&a);
            } else if (min != 1 || max != 1) {
                a.exact = false; /* begins and ends as one repetition does */
            }
            groups_repeat(&a, min);
        }
        if (*ps->p == '{')
            return fail(ps);
        r.at_end = a.at_end && !quantified; /* the sequence ends as its last atom does */
        if (!group && a.len) /* a character or class, repeated: the repetitions follow one another from its start */
            span_cover(&a, a.set, a.digits, a.len);
        if (at_start) {
            span_cover(&r, a.span_set, a.span_digits, a.span_len);
            byteset_unite(r.guard, a.guard); /* it starts where the sequence does */
        }
        at_start = at_start && !a.maxlen;
        if (ps->words)
            text_append(ps, &r, &a);
        groups_append(&r, &a); /* before r.len takes a's */
        byteset_unite(r.set, a.set);
        byteset_unite(r.look, a.look);
        byteset_unite(r.req, a.req);
        r.digits = cap_add(r.digits, a.digits, MAX_DIGITS);
        r.others = cap_add(r.others, a.others, MAX_DIGITS);
        r.len = cap_add(r.len, a.len, MAX_DIGITS);
        r.text_digit = r.text_digit || a.text_digit;
        if (ps->ends)
            ends_append(&r.ends, &a.ends, a.maxlen);
        if (!r.must && a.must) { /* the first piece sure to hold the byte: all before it may come first */
            r.must = true;
            r.lead = cap_add(r.maxlen, a.lead, LONG);
        }
        unsigned a_reach = cap_add(r.maxlen, a.reach, LONG);
        r.reach = a_reach > r.reach ? a_reach : r.reach;
        r.maxlen = cap_add(r.maxlen, a.maxlen, LONG);
        better_run(&r, a.run_set, a.run_len);
    }
    better_run(&r, r.set, r.len); /* the sequence itself, when it is space-free */
    span_cover(&r, r.set, r.digits, r.len);
    return r;
}

static piece parse_alt(parser *ps)
{
    if (++ps->depth > MAX_DEPTH)
        return fail(ps);
    piece r = parse_seq(ps);
    while (!ps->failed && *ps->p == '|') {
        ps->p++;
        piece b = parse_seq(ps);
        text_either(&r, &b);
        r.text_digit = has_digit(&r) && has_digit(&b);
        byteset_unite(r.set, b.set);
        byteset_unite(r.look, b.look);
        for (int i = 0; i < 4; i++) {
            r.req[i] &= b.req[i];
            r.guard[i] &= b.guard[i];
        }
        r.dg = b.dg < r.dg ? b.dg : r.dg; /* what both branches hold */
        r.dg_pre = b.dg_pre < r.dg_pre ? b.dg_pre : r.dg_pre;
        r.dg_suf = b.dg_suf < r.dg_suf ? b.dg_suf : r.dg_suf;
        r.only_dg = r.only_dg && b.only_dg;
        if (b.digits < r.digits)
            r.digits = b.digits;
        if (b.others < r.others)
            r.others = b.others;
        if (b.len < r.len)
            r.len = b.len;
        if (b.maxlen > r.maxlen)
            r.maxlen = b.maxlen;
        if (b.reach > r.reach)
            r.reach = b.reach;
        r.at_end = r.at_end && b.at_end;
        if (ps->ends)
            ends_either(&r.ends, &b.ends);
        byteset_unite(r.span_set, b.span_set); /* either branch's span: the union, the fewer digits, the shorter */
        if (b.span_digits < r.span_digits)
            r.span_digits = b.span_digits;
        if (b.span_len < r.span_len)
            r.span_len = b.span_len;
        if (r.must && b.must && b.lead > r.lead)
            r.lead = b.lead;
        r.must = r.must && b.must;
        /* Either branch's run: their union, at the shorter length. */
        if (r.run_len && b.run_len) {
            byteset_unite(r.run_set, b.run_set);
            if (b.run_len < r.run_len)
                r.run_len = b.run_len;
            if (has_space(r.run_set))
                r.run_len = 0;
        } else {
            r.run_len = 0;
        }
    }
    ps->depth--;
    return r;
}

bool rxinfo_analyze(const char *pattern, bool caseless, ps_rxinfo *out)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = pattern;
    ps.caseless = caseless;
    piece r = parse_alt(&ps);
    if (ps.failed || *ps.p)
        return false;
    memcpy(out->alphabet, r.set, sizeof r.set);
    memcpy(out->look, r.look, sizeof r.look);
    out->min_digits = r.digits;
    out->min_others = r.others;
    out->text_digit = has_digit(&r);
    out->min_len = r.len;
    memcpy(out->required, r.req, sizeof r.req);
    memcpy(out->run_set, r.run_set, sizeof r.run_set);
    out->run_len = r.run_len;
    memcpy(out->span_set, r.span_set, sizeof r.span_set);
    out->span_digits = r.span_digits;
    out->span_len = r.span_len;
    memcpy(out->not_before, r.guard, sizeof r.guard);
    out->min_group = r.dg;
    out->reach = r.reach >= LONG || strstr(pattern, "\\G") ? RXINFO_NO_REACH : r.reach;
    return true;
}

bool rxinfo_has_word(const char *pattern, bool caseless, const char *const *words, const size_t *len, size_t n)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = pattern;
    ps.caseless = caseless;
    ps.words = words;
    ps.word_len = len;
    ps.n_words = n;
    piece r = parse_alt(&ps);
    return !ps.failed && !*ps.p && n && r.word;
}

/* Could a match end at text[end], its last bytes each one it can end with? */
static bool ends_fit(const ps_rxends *e, const char *text, size_t end)
{
    if (end < e->min_bytes)
        return false;
    for (unsigned j = 0; j < e->min_bytes && j < RXINFO_ENDS; j++)
        if (!byteset_has(e->ends[j], (unsigned char)text[end - 1 - j]))
            return false;
    return true;
}

bool rxinfo_may_end(const ps_rxends *e, const char *text, size_t len)
{
    return ends_fit(e, text, len) || (len && text[len - 1] == '\n' && ends_fit(e, text, len - 1));
}

unsigned rxinfo_tail(const char *pattern, bool caseless)
{
    ps_rxends e;
    return rxinfo_ends(pattern, caseless, &e) ? e.tail : RXINFO_NO_TAIL;
}

bool rxinfo_ends(const char *pattern, bool caseless, ps_rxends *out)
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = pattern;
    ps.caseless = caseless;
    ps.ends = true;
    piece r = parse_alt(&ps);
    if (ps.failed || *ps.p || !r.at_end)
        return false;
    /* \G asserts at the search's start, which a user of the tail moves */
    out->tail = r.maxlen >= LONG || strstr(pattern, "\\G") ? RXINFO_NO_TAIL : r.maxlen;
    for (unsigned j = 0; j < RXINFO_ENDS; j++)
        ends_get(&r.ends, j, out->ends[j]);
    out->min_bytes = r.ends.min_bytes;
    return true;
}

unsigned rxinfo_lead(const char *pattern, bool caseless, const uint64_t set[4])
{
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.p = pattern;
    ps.caseless = caseless;
    ps.lead_set = set;
    piece r = parse_alt(&ps);
    if (ps.failed || *ps.p || !r.must || r.lead >= LONG)
        return RXINFO_NO_LEAD;
    return r.lead;
}
