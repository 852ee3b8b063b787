/* jsonl.h — one JSON value per line, without re-serialisation: validate a line, find its string values (never keys)
 * with their paths, decode a string's escapes for matching and encode a redacted string back.
 * Every byte outside the strings that get rewritten stays exactly as it was: the caller copies raw bytes between
 * the string spans this module reports. No allocation per value beyond the caller's buffers. */
#ifndef PS_JSONL_H
#define PS_JSONL_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

enum {
    JSONL_OK = 0,
    JSONL_INVALID = -1,  /* not exactly one valid JSON value (RFC 8259) */
    JSONL_TOO_DEEP = -2, /* nesting deeper than max_depth */
    JSONL_NOMEM = -3,
};

/* A compiled set of field paths: dotted names ("meta.author.email"); "*" as a segment matches any array element
 * or any object key ("items.*.text"). A path also selects every string below it ("meta" selects meta.a, meta.b.c).
 * Keys containing '.' cannot be named (documented limitation). */
typedef struct ps_jpaths ps_jpaths;

/* @return JSONL_OK, JSONL_INVALID (an empty path or empty segment) or JSONL_NOMEM. */
int jsonl_paths_new(const char *const *paths, size_t n, ps_jpaths **out);
void jsonl_paths_free(ps_jpaths *p); /* accepts NULL */

struct jw_stack;

/* One string value of a line. */
typedef struct ps_jstring {
    size_t start, end;   /* the string's content in the line: between the quotes, escapes still encoded */
    int has_escapes;     /* the content has at least one backslash */
    const char *decoded; /* with escapes, when the walk was given a buffer: the content decoded (as jsonl_decode),
                            decoded_len bytes in that buffer; valid during the callback only. Else NULL */
    size_t decoded_len;
    struct jw_stack *walk; /* where jsonl_string_path finds the path */
    size_t depth;
} ps_jstring;

/* The dotted path of the string's value, array elements as their index ("items.3.text"); valid during the callback
 * only; NUL-terminated. Built on request when the walk selects no fields: most strings never need theirs.
 * @return the path, or NULL when out of memory. */
const char *jsonl_string_path(const ps_jstring *js);

/* @return 0 to go on, non-zero to stop the walk (jsonl_walk returns that value). */
typedef int (*jsonl_string_fn)(void *ctx, const ps_jstring *s);

/* Walks line[0..n), which must hold exactly one JSON value with optional surrounding whitespace (a trailing '\r'
 * counts as whitespace). Calls cb, in order of appearance, for every string value (object keys excluded) that
 * `paths` selects (all of them when paths is NULL). The walk is iterative: memory stays bounded for any input.
 * Validation is complete (UTF-8 is not validated: invalid bytes inside strings are passed through) — the line is
 * reported JSONL_INVALID *before* any callback when it is not valid JSON, so callers never act on half a line.
 * @return JSONL_OK, JSONL_INVALID, JSONL_TOO_DEEP, JSONL_NOMEM, or the callback's non-zero value. */
int jsonl_walk(const char *line, size_t n, const ps_jpaths *paths, unsigned max_depth, jsonl_string_fn cb,
               void *ctx);

/* As jsonl_walk, in one pass instead of two: callbacks fire as strings are met, so on a line that turns out not to be
 * valid JSON some may already have fired when JSONL_INVALID (or JSONL_TOO_DEEP) is returned. For callers that can
 * take back what they did (the scrubber rolls the record back); about twice as fast on short records.
 * With dec, every string value that `paths` selects and that holds escapes is decoded into it (ps_jstring.decoded)
 * in the pass that checks it, one pass where jsonl_decode would be a second: for callers that decode every string
 * they are given. The callback may grow dec (to pad it) but not shrink it. */
int jsonl_walk_optimistic(const char *line, size_t n, const ps_jpaths *paths, unsigned max_depth, ps_buf *dec,
                          jsonl_string_fn cb, void *ctx);

/* @return JSONL_OK when line[0..n) is exactly one valid JSON value, else JSONL_INVALID, JSONL_TOO_DEEP or
 * JSONL_NOMEM. */
int jsonl_validate(const char *line, size_t n, unsigned max_depth);

/* Decodes JSON string content raw[0..n) (valid: as reported by jsonl_walk) into out (appended): \" \\ \/ \b \f \n
 * \r \t and \uXXXX including surrogate pairs (a lone surrogate becomes U+FFFD). @return 0 or -1 (no memory). */
int jsonl_decode(const char *raw, size_t n, ps_buf *out);

/* Moves (*raw_at, *dec_at), a place in raw[0..n) (JSON string content, as jsonl_walk reports it) and the same place
 * in its decoding (as jsonl_decode decodes it), on to the decoded offset `to`: where an edge of a span of the decoded
 * text is in the raw text. When `to` falls inside the decoding of one escape ("\u00e9" decodes to two bytes), the
 * place is that escape's start, or with `after` its end: a span widened to whole escapes only ever covers more. A
 * `to` behind *dec_at leaves the place as it is. */
void jsonl_raw_offset(const char *raw, size_t n, size_t *raw_at, size_t *dec_at, size_t to, bool after);

/* Encodes s[0..n) as JSON string content (no quotes), appended to out: '"' and '\\' escaped, control characters as
 * \n \r \t \b \f or \u00XX, everything else (UTF-8, even invalid bytes) as is. @return 0 or -1. */
int jsonl_encode(const char *s, size_t n, ps_buf *out);

/* A value that jsonl_find looked for. */
typedef struct jsonl_value {
    enum { JSONL_ABSENT, JSONL_STRING, JSONL_SCALAR } kind; /* absent: not in the line, or an object or array;
                                                               scalar: a number, true, false or null */
    size_t start, end; /* in the line; a string's content between its quotes, escapes still encoded */
} jsonl_value;

/* Validates line[0..n) and finds the values at k dotted paths in the same pass, for consent and region gates: each
 * path exact (no wildcards; "" is the top-level value). When a key repeats, the last one wins, as in most JSON
 * consumers. @return JSONL_OK with values[0..k) filled (all absent on any other return), JSONL_INVALID,
 * JSONL_TOO_DEEP or JSONL_NOMEM. */
int jsonl_find(const char *line, size_t n, const char *const *paths, size_t k, unsigned max_depth,
               jsonl_value *values);

/* Appends a found value to out: a string decoded, a number and true/false/null as their text.
 * @return 1, 0 when the value is absent, or JSONL_NOMEM. */
int jsonl_value_text(const char *line, const jsonl_value *v, ps_buf *out);

/* jsonl_find and jsonl_value_text for one path. @return 1 found, 0 not found (or an object or array),
 * JSONL_INVALID, JSONL_TOO_DEEP or JSONL_NOMEM. */
int jsonl_get(const char *line, size_t n, const char *path, unsigned max_depth, ps_buf *out);

#endif
