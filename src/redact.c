/* redact.c — overlap resolution and the replacement actions.
 *
 * Replacements, for a span's bytes value[0..len) (UTF-8, possibly invalid):
 *   tag      the tag format with {entity} / {rule} filled in, e.g. "[EMAIL]". The format is parsed once in
 *            redact_new into literal pieces and fields, so rendering never parses. "{{" and "}}" are literal braces;
 *            any other {name}, an unclosed '{' or a lone '}' is PS_E_USAGE.
 *   mask     one '*' per code point, except ASCII punctuation and ASCII whitespace, which are kept as they are.
 *            An invalid UTF-8 byte (including each byte of a truncated sequence) counts as one code point.
 *   partial  like mask, but the last 4 ASCII alphanumerics are kept. When the value holds 4 or fewer ASCII
 *            alphanumerics everything is masked: keeping "the last 4" would then reveal the whole value.
 *   hash     "[" entity ":" 12 lowercase hex digits "]", always this shape (tag_format does not apply): the first
 *            6 bytes of HMAC-SHA256(key, entity || 0x00 || normalised value). The normalised value is the value's
 *            digits alone when it holds at least one digit and nothing but digits, ' ' and + - . ( ) /
 *            (phones, cards: "(555) 867-5309" == "555.867.5309"); otherwise the value ASCII-lowercased (emails).
 *   remove   nothing.
 * A rule index outside the rule table (a caller bug) renders as "[REDACTED]": fail closed, never pass bytes through.
 */
#include "redact.h"

#include "utf8.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#define HASH_HEX_BYTES 6 /* 12 hex digits: enough to keep distinct values apart, short enough to read */

/* ---------------------------------------------------------------- span vectors */

int spanvec_push(ps_spanvec *sv, uint64_t start, uint64_t end, uint32_t rule)
{
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 16;
        if (cap < sv->cap || cap > SIZE_MAX / sizeof *sv->v)
            return -1;
        ps_span *v = realloc(sv->v, cap * sizeof *v);
        if (!v)
            return -1;
        sv->v = v;
        sv->cap = cap;
    }
    sv->v[sv->n++] = (ps_span){.start = start, .end = end, .rule = rule};
    return 0;
}

void spanvec_free(ps_spanvec *sv)
{
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

/* ---------------------------------------------------------------- the redactor */

typedef enum piece_kind { PIECE_LITERAL, PIECE_ENTITY, PIECE_RULE } piece_kind;

/* One piece of the parsed tag format; a literal is lit[off .. off+len). */
typedef struct tag_piece {
    piece_kind kind;
    size_t off, len;
} tag_piece;

struct ps_redactor {
    ps_redact_rule *rules;
    size_t n_rules;
    unsigned char *key;
    size_t key_len;
    char *lit;          /* the unescaped literal text of the tag format */
    tag_piece *pieces;
    size_t n_pieces;
    /* Each rule's tag, rendered once (tag_value): rule i's is tags.p[tag_at[i] .. tag_at[i + 1]). A log line with an
     * address spent more on filling the format in than on copying the line. */
    ps_buf tags;
    size_t *tag_at;
    EVP_MAC_CTX *mac;   /* keyed HMAC-SHA256, duplicated per hash so threads never write to it; NULL if no rule hashes */
};

static const char *str_or_empty(const char *s)
{
    return s ? s : "";
}

/* Parses fmt into r->lit / r->pieces. @return PS_OK, PS_E_USAGE or PS_E_NOMEM. */
static int parse_tag_format(ps_redactor *r, const char *fmt)
{
    size_t n = strlen(fmt);
    /* Each piece consumes at least one byte, so n + 1 pieces always suffice. */
    r->lit = malloc(n + 1);
    r->pieces = malloc((n + 1) * sizeof *r->pieces);
    if (!r->lit || !r->pieces)
        return PS_E_NOMEM;

    size_t lit_len = 0, np = 0;
    bool in_literal = false;
    for (size_t i = 0; i < n;) {
        char c = fmt[i];
        if ((c == '{' || c == '}') && i + 1 < n && fmt[i + 1] == c) {
            i += 2; /* escaped brace: falls through to the literal below */
        } else if (c == '{') {
            const char *close = memchr(fmt + i + 1, '}', n - i - 1);
            if (!close)
                return PS_E_USAGE;
            size_t name_len = (size_t)(close - (fmt + i + 1));
            piece_kind kind;
            if (name_len == 6 && memcmp(fmt + i + 1, "entity", 6) == 0)
                kind = PIECE_ENTITY;
            else if (name_len == 4 && memcmp(fmt + i + 1, "rule", 4) == 0)
                kind = PIECE_RULE;
            else
                return PS_E_USAGE;
            r->pieces[np++] = (tag_piece){.kind = kind};
            in_literal = false;
            i += name_len + 2;
            continue;
        } else if (c == '}') {
            return PS_E_USAGE; /* a lone '}' is as likely a typo as a lone '{' */
        } else {
            i++;
        }
        if (!in_literal) {
            r->pieces[np++] = (tag_piece){.kind = PIECE_LITERAL, .off = lit_len};
            in_literal = true;
        }
        r->lit[lit_len++] = c;
        r->pieces[np - 1].len++;
    }
    r->n_pieces = np;
    return PS_OK;
}

/* Builds a keyed HMAC-SHA256 context to duplicate per hash. @return PS_OK or PS_E_NOMEM. */
static int mac_init(ps_redactor *r)
{
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!mac)
        return PS_E_NOMEM;
    r->mac = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (!r->mac)
        return PS_E_NOMEM;
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (!EVP_MAC_init(r->mac, r->key, r->key_len, params))
        return PS_E_NOMEM;
    return PS_OK;
}

static int tag_value(const ps_redactor *r, const ps_redact_rule *rule, ps_buf *out);

/* Renders every rule's tag into r->tags (see ps_redactor.tags). @return PS_OK or PS_E_NOMEM. */
static int render_tags(ps_redactor *r)
{
    if (!(r->tag_at = malloc((r->n_rules + 1) * sizeof *r->tag_at)) || buf_reserve(&r->tags, 1))
        return PS_E_NOMEM; /* (tags.p is never NULL: an empty tag format renders nothing) */
    for (size_t i = 0; i < r->n_rules; i++) {
        r->tag_at[i] = r->tags.len;
        if (tag_value(r, &r->rules[i], &r->tags))
            return PS_E_NOMEM;
    }
    r->tag_at[r->n_rules] = r->tags.len;
    return PS_OK;
}

int redact_new(const ps_redact_rule *rules, size_t n_rules, const char *tag_format, const unsigned char *key,
               size_t key_len, ps_redactor **out)
{
    bool hashes = false;
    for (size_t i = 0; i < n_rules; i++) {
        if (rules[i].action < PS_ACTION_TAG || rules[i].action > PS_ACTION_REMOVE)
            return PS_E_USAGE; /* the engine must resolve PS_ACTION_INHERIT first */
        if (rules[i].action == PS_ACTION_HASH)
            hashes = true;
    }
    if (hashes && (key_len == 0 || !key))
        return PS_E_KEY;
    if (key_len && !key)
        return PS_E_USAGE;

    ps_redactor *r = calloc(1, sizeof *r);
    if (!r)
        return PS_E_NOMEM;
    int rc = PS_E_NOMEM;
    if (n_rules) {
        r->rules = malloc(n_rules * sizeof *r->rules);
        if (!r->rules)
            goto fail;
        memcpy(r->rules, rules, n_rules * sizeof *r->rules);
    }
    r->n_rules = n_rules;
    if (key_len) {
        r->key = malloc(key_len);
        if (!r->key)
            goto fail;
        memcpy(r->key, key, key_len);
        r->key_len = key_len;
    }
    rc = parse_tag_format(r, tag_format ? tag_format : "[{entity}]");
    if (rc != PS_OK || (rc = render_tags(r)) != PS_OK)
        goto fail;
    if (hashes && (rc = mac_init(r)) != PS_OK)
        goto fail;
    *out = r;
    return PS_OK;
fail:
    redact_free(r);
    return rc;
}

void redact_free(ps_redactor *r)
{
    if (!r)
        return;
    if (r->key) {
        OPENSSL_cleanse(r->key, r->key_len);
        free(r->key);
    }
    EVP_MAC_CTX_free(r->mac);
    free(r->rules);
    free(r->lit);
    free(r->pieces);
    buf_free(&r->tags);
    free(r->tag_at);
    free(r);
}

/* ---------------------------------------------------------------- overlaps */

int redact_span_cmp(const void *a, const void *b)
{
    const ps_span *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end > y->end ? -1 : 1; /* longer first */
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return 0;
}

static int rule_priority(const ps_redactor *r, uint32_t rule)
{
    return rule < r->n_rules ? r->rules[rule].priority : INT_MIN;
}

size_t redact_merge(const ps_redactor *r, ps_span *v, size_t n)
{
    if (n == 0)
        return 0;
    /* The order is total (start, end, rule), so the unstable qsort still gives one answer; a record's few spans (a
     * log line's one or two) are put in order by insertion, which costs less than qsort's call per comparison. */
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            ps_span x = v[i];
            size_t j = i;
            for (; j > 0 && redact_span_cmp(&v[j - 1], &x) > 0; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
    } else {
        qsort(v, n, sizeof *v, redact_span_cmp);
    }
    size_t out = 0;
    ps_span cur = v[0];
    int best = rule_priority(r, v[0].rule);
    for (size_t i = 1; i < n; i++) {
        if (v[i].start <= cur.end) {
            if (v[i].end > cur.end)
                cur.end = v[i].end;
            /* Members arrive in tie-break order (earlier, then longer, then lower index): only a strictly
             * higher priority may take the label. */
            int p = rule_priority(r, v[i].rule);
            if (p > best) {
                best = p;
                cur.rule = v[i].rule;
            }
        } else {
            v[out++] = cur;
            cur = v[i];
            best = rule_priority(r, v[i].rule);
        }
    }
    v[out++] = cur;
    return out;
}

/* ---------------------------------------------------------------- actions */


/* Locale-independent on purpose: the output must not depend on the process's locale. */
static bool is_ascii_punct(unsigned char c)
{
    return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
           (c >= 0x7B && c <= 0x7E);
}

static bool is_ascii_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool is_ascii_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static bool is_ascii_alnum(unsigned char c)
{
    return is_ascii_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Masks value[0..len); bytes at index >= keep_from that are ASCII alphanumerics are kept. */
static int mask_value(const unsigned char *s, size_t len, size_t keep_from, ps_buf *out)
{
    /* Output is never longer than the input. */
    if (buf_reserve(out, len))
        return -1;
    char *o = out->p + out->len;
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        if (is_ascii_punct(c) || is_ascii_space(c) || (i >= keep_from && is_ascii_alnum(c))) {
            *o++ = (char)c;
            i++;
            continue;
        }
        size_t k = utf8_seq_len(s + i, len - i);
        *o++ = '*';
        i += k ? k : 1;
    }
    out->len = (size_t)(o - out->p);
    return 0;
}

static int partial_value(const unsigned char *s, size_t len, ps_buf *out)
{
    /* ASCII bytes never occur inside a multi-byte sequence, so a byte-wise scan from the end is safe. */
    size_t seen = 0, keep_from = len;
    for (size_t i = len; i-- > 0;) {
        if (is_ascii_alnum(s[i]) && ++seen <= 4)
            keep_from = i;
    }
    if (seen <= 4)
        keep_from = len; /* keeping 4 would show it all */
    return mask_value(s, len, keep_from, out);
}

static bool phone_like(const unsigned char *s, size_t len)
{
    bool digit = false;
    for (size_t i = 0; i < len; i++) {
        if (is_ascii_digit(s[i]))
            digit = true;
        else if (!strchr(" +-.()/", s[i]) || s[i] == '\0')
            return false;
    }
    return digit;
}

/* Feeds the normalised value to the MAC in small slices, so hashing never allocates. */
static int mac_update_normalised(EVP_MAC_CTX *ctx, const unsigned char *s, size_t len)
{
    unsigned char tmp[256];
    size_t t = 0;
    bool digits_only = phone_like(s, len);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (digits_only && !is_ascii_digit(c))
            continue;
        tmp[t++] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
        if (t == sizeof tmp) {
            if (!EVP_MAC_update(ctx, tmp, t))
                return -1;
            t = 0;
        }
    }
    if (t && !EVP_MAC_update(ctx, tmp, t))
        return -1;
    return 0;
}

static int hash_value(const ps_redactor *r, const char *entity, const unsigned char *s, size_t len, ps_buf *out)
{
    if (!r->mac)
        return -1; /* unreachable: redact_new builds the MAC whenever a rule hashes */
    EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(r->mac);
    if (!ctx)
        return -1;
    unsigned char md[EVP_MAX_MD_SIZE];
    size_t md_len = 0;
    int ok = EVP_MAC_update(ctx, (const unsigned char *)entity, strlen(entity) + 1) && /* + the 0x00 */
             mac_update_normalised(ctx, s, len) == 0 && EVP_MAC_final(ctx, md, &md_len, sizeof md) &&
             md_len >= HASH_HEX_BYTES;
    EVP_MAC_CTX_free(ctx);
    if (!ok)
        return -1;

    static const char hex[] = "0123456789abcdef";
    char tok[2 * HASH_HEX_BYTES + 2];
    tok[0] = ':';
    for (size_t i = 0; i < HASH_HEX_BYTES; i++) {
        tok[1 + 2 * i] = hex[md[i] >> 4];
        tok[2 + 2 * i] = hex[md[i] & 0xF];
    }
    tok[sizeof tok - 1] = ']';
    if (buf_append(out, "[", 1) || buf_append(out, entity, strlen(entity)) || buf_append(out, tok, sizeof tok))
        return -1;
    return 0;
}

static int tag_value(const ps_redactor *r, const ps_redact_rule *rule, ps_buf *out)
{
    for (size_t i = 0; i < r->n_pieces; i++) {
        const tag_piece *p = &r->pieces[i];
        const char *s;
        size_t n;
        switch (p->kind) {
        case PIECE_ENTITY: s = str_or_empty(rule->entity); n = strlen(s); break;
        case PIECE_RULE: s = str_or_empty(rule->id); n = strlen(s); break;
        default: s = r->lit + p->off; n = p->len; break;
        }
        if (buf_append(out, s, n))
            return -1;
    }
    return 0;
}

int redact_replace(const ps_redactor *r, uint32_t rule, const char *value, size_t len, ps_buf *out)
{
    if (rule >= r->n_rules)
        return buf_append(out, "[REDACTED]", 10);
    const ps_redact_rule *ru = &r->rules[rule];
    const unsigned char *s = (const unsigned char *)value;
    switch (ru->action) {
    case PS_ACTION_MASK: return mask_value(s, len, len, out);
    case PS_ACTION_PARTIAL: return partial_value(s, len, out);
    case PS_ACTION_HASH: return hash_value(r, str_or_empty(ru->entity), s, len, out);
    case PS_ACTION_REMOVE: return 0;
    default: return buf_append(out, r->tags.p + r->tag_at[rule], r->tag_at[rule + 1] - r->tag_at[rule]);
    }
}

int redact_render(const ps_redactor *r, const char *text, uint64_t base, uint64_t from, uint64_t to,
                  const ps_span *spans, size_t n, ps_buf *out)
{
    if (from < base || to < from)
        return -1;
    uint64_t pos = from;
    for (size_t i = 0; i < n; i++) {
        /* Clamp rather than trust: a span outside [pos, to) must not read out of bounds or repeat bytes. */
        uint64_t s = spans[i].start < pos ? pos : spans[i].start > to ? to : spans[i].start;
        uint64_t e = spans[i].end < s ? s : spans[i].end > to ? to : spans[i].end;
        if (buf_append(out, text + (pos - base), (size_t)(s - pos)) ||
            redact_replace(r, spans[i].rule, text + (s - base), (size_t)(e - s), out))
            return -1;
        pos = e;
    }
    return buf_append(out, text + (pos - base), (size_t)(to - pos));
}
