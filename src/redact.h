/* redact.h — from candidate spans to output bytes: overlap resolution and the replacement actions.
 * Matching (engine.c) and replacing (here) are apart, as ripgrep keeps searching apart from printing. */
#ifndef PS_REDACT_H
#define PS_REDACT_H

#include "buf.h"
#include "piiscrub.h"

#include <stddef.h>
#include <stdint.h>

/* A candidate or resolved redaction: bytes [start, end) of a record (absolute record offsets), found by rule `rule`. */
typedef struct ps_span {
    uint64_t start, end;
    uint32_t rule;
} ps_span;

typedef struct ps_spanvec {
    ps_span *v;
    size_t n, cap;
} ps_spanvec;

int spanvec_push(ps_spanvec *sv, uint64_t start, uint64_t end, uint32_t rule);
/* The total order redact_merge sorts by (a qsort comparator of ps_span): by start, the longer first, then by rule.
 * 0 only for equal spans, so it also tells whether two sorted lists are the same. */
int redact_span_cmp(const void *a, const void *b);
void spanvec_free(ps_spanvec *sv);

/* What redaction needs to know of each rule. */
typedef struct ps_redact_rule {
    const char *id;
    const char *entity;
    int priority;
    ps_action action; /* resolved: never PS_ACTION_INHERIT */
} ps_redact_rule;

/* Everything the replacement step needs; built once by the engine, read-only afterwards (shared by threads). */
typedef struct ps_redactor ps_redactor;

/* Creates a redactor. `rules` is copied (the strings are borrowed and must outlive it); the key is copied.
 * tag_format NULL = "[{entity}]"; "{entity}" and "{rule}" are replaced, "{{" and "}}" are literal braces.
 * @return PS_OK, PS_E_KEY (some rule hashes and key_len == 0), PS_E_USAGE (tag_format has an unknown {name}), PS_E_NOMEM. */
int redact_new(const ps_redact_rule *rules, size_t n_rules, const char *tag_format, const unsigned char *key,
               size_t key_len, ps_redactor **out);
void redact_free(ps_redactor *r);

/* Resolves overlaps in place: sorts by start, merges spans that overlap or touch into one span labelled by the
 * highest-priority rule (ties: the earlier start, then the longer span, then the lower rule index).
 * Merging only ever redacts more. @return the new count. */
size_t redact_merge(const ps_redactor *r, ps_span *v, size_t n);

/* Appends to `out` the redacted form of record bytes [from, to), whose first byte is record offset `base`:
 * `text` points at record offset `base`, and `spans` (merged, sorted) must lie inside [from, to).
 * @return 0 or -1 (out of memory). */
int redact_render(const ps_redactor *r, const char *text, uint64_t base, uint64_t from, uint64_t to,
                  const ps_span *spans, size_t n, ps_buf *out);

/* Appends the replacement of one span's bytes (value[0..len)) under rule `rule`. @return 0 or -1. */
int redact_replace(const ps_redactor *r, uint32_t rule, const char *value, size_t len, ps_buf *out);

#endif
