/* rules.c — rule files (YAML, schema v1) to a validated ps_ruleset. The only file that includes <yaml.h>.
 *
 * libyaml's event API is read directly so that aliases and anchors are refused before anything could expand them,
 * and nesting is capped at the schema's depth. Each rule is built into a small tree (so its id is known before any
 * of its errors are reported, wherever `id:` sits), converted, and the tree dropped: memory stays within a small
 * multiple of the 16 MiB file cap. Every load goes into a temporary set and is appended only when all of it is valid,
 * so a failed load leaves the ruleset as it was. */
#include "rules.h"

#include "builtin_packs.h"
#include "validate.h"

#include <yaml.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define RULES_MAX_FILE ((size_t)16 * 1024 * 1024)
#define RULES_MAX_DEPTH 5 /* root mapping > rules list > rule > context/examples > words/match list */
#define RULES_MAX_ID 64
#define RULES_SHOW 40 /* bytes of a value quoted back in a message */

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- diagnostics */

static void copy_trunc(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= size)
        n = size - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

void rules_diag(ps_diag *diag, const ps_srcpos *pos, const char *rule_id, const char *fmt, ...)
{
    if (!diag)
        return;
    memset(diag, 0, sizeof *diag);
    if (pos) {
        copy_trunc(diag->file, sizeof diag->file, pos->file);
        diag->line = pos->line;
        diag->col = pos->col;
    }
    copy_trunc(diag->rule_id, sizeof diag->rule_id, rule_id);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->msg, sizeof diag->msg, fmt, ap);
    va_end(ap);
}

/* Copies up to RULES_SHOW bytes of s for quoting in a message: control bytes become '?', a cut never splits a UTF-8
 * sequence, and "..." marks a cut. */
static const char *shown(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s), cut = n;
    if (cut > RULES_SHOW) {
        cut = RULES_SHOW;
        while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut--;
    }
    if (cut + 4 > size)
        cut = size > 4 ? size - 4 : 0;
    size_t i;
    for (i = 0; i < cut; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    if (cut < n)
        memcpy(buf + i, "...", 3), i += 3;
    buf[i] = '\0';
    return buf;
}

/* ---------------------------------------------------------------- rule storage */

static void strlist_fini(ps_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    free(l->pos);
    memset(l, 0, sizeof *l);
}

static void rule_fini(ps_rule *r)
{
    free(r->id);
    free(r->entity);
    free(r->description);
    free(r->pattern);
    free(r->pack);
    free(r->validate);
    strlist_fini(&r->keywords);
    strlist_fini(&r->context_words);
    strlist_fini(&r->allow);
    strlist_fini(&r->not_after);
    strlist_fini(&r->ex_match);
    strlist_fini(&r->ex_no_match);
    memset(r, 0, sizeof *r);
}

static void ruleset_fini(ps_ruleset *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        rule_fini(&rs->rules[i]);
    free(rs->rules);
    for (size_t i = 0; i < rs->n_files; i++)
        free(rs->files[i]);
    free(rs->files);
    memset(rs, 0, sizeof *rs);
}

static int rules_reserve(ps_ruleset *rs, size_t need)
{
    if (need <= rs->cap)
        return 0;
    size_t cap = rs->cap ? rs->cap : 16;
    while (cap < need) {
        if (cap > SIZE_MAX / 2 / sizeof(ps_rule))
            return -1;
        cap *= 2;
    }
    ps_rule *v = realloc(rs->rules, cap * sizeof *v);
    if (!v)
        return -1;
    rs->rules = v;
    rs->cap = cap;
    return 0;
}

/* Keeps a copy of a file name in rs; positions point at it. @return the copy, or NULL when out of memory. */
static const char *add_file(ps_ruleset *rs, const char *name)
{
    char **v = realloc(rs->files, (rs->n_files + 1) * sizeof *v);
    if (!v)
        return NULL;
    rs->files = v;
    char *copy = strdup(name);
    if (!copy)
        return NULL;
    rs->files[rs->n_files++] = copy;
    return copy;
}

/* Moves everything of tmp to the end of rs. Nothing of rs changes unless this succeeds. */
static int commit(ps_ruleset *rs, ps_ruleset *tmp)
{
    if (rules_reserve(rs, rs->n + tmp->n))
        return PS_E_NOMEM;
    if (tmp->n_files) {
        char **files = realloc(rs->files, (rs->n_files + tmp->n_files) * sizeof *files);
        if (!files)
            return PS_E_NOMEM;
        rs->files = files;
        memcpy(rs->files + rs->n_files, tmp->files, tmp->n_files * sizeof *files);
        rs->n_files += tmp->n_files;
    }
    if (tmp->n)
        memcpy(rs->rules + rs->n, tmp->rules, tmp->n * sizeof *tmp->rules);
    rs->n += tmp->n;
    free(tmp->rules);
    free(tmp->files);
    memset(tmp, 0, sizeof *tmp);
    return PS_OK;
}

/* ---------------------------------------------------------------- a small YAML tree, one rule at a time */

enum { YN_SCALAR, YN_SEQ, YN_MAP };

typedef struct ynode {
    int kind;
    bool plain;      /* scalar written without quotes: may be a number, a boolean or null */
    unsigned line, col;
    char *s;         /* scalar text */
    struct ynode *kids; /* list: the items; mapping: key, value, key, value, ... */
    size_t n, cap;
} ynode;

static void ynode_fini(ynode *nd)
{
    for (size_t i = 0; i < nd->n; i++)
        ynode_fini(&nd->kids[i]);
    free(nd->kids);
    free(nd->s);
    memset(nd, 0, sizeof *nd);
}

typedef struct loader {
    yaml_parser_t parser;
    const char *file; /* display name, owned by tmp->files */
    const char *text;
    size_t len;
    ps_diag *diag;
    const ps_ruleset *old; /* what the ruleset already holds: ids must stay unique across it */
    ps_ruleset *tmp;
    char rid[RULES_MAX_ID + 64]; /* id of the rule being read, once its `id:` has been read; "" otherwise */
    ps_srcpos deep;              /* first collection nested deeper than the schema allows (line 0: none) */
} loader;

static const char *cur_rid(const loader *ld)
{
    return ld->rid[0] ? ld->rid : NULL;
}

static ps_srcpos pos_at(const loader *ld, unsigned line, unsigned col)
{
    ps_srcpos p = {ld->file, line, col};
    return p;
}

static ps_srcpos mark_pos(const loader *ld, yaml_mark_t m)
{
    return pos_at(ld, (unsigned)m.line + 1, (unsigned)m.column + 1);
}

static ps_srcpos node_pos(const loader *ld, const ynode *nd)
{
    return pos_at(ld, nd->line, nd->col);
}

static int nomem(const loader *ld)
{
    ps_srcpos p = pos_at(ld, 0, 0);
    rules_diag(ld->diag, &p, NULL, "out of memory while loading the rule file");
    return PS_E_NOMEM;
}

static int syntax_error(const loader *ld)
{
    const yaml_parser_t *p = &ld->parser;
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_MEMORY_ERROR)
        return nomem(ld);
    if (p->error == YAML_READER_ERROR) {
        /* libyaml gives only a byte offset here; turn it into a line and column. */
        size_t off = p->problem_offset < ld->len ? p->problem_offset : ld->len;
        unsigned line = 1, col = 1;
        for (size_t i = 0; i < off; i++) {
            if (ld->text[i] == '\n')
                line++, col = 1;
            else
                col++;
        }
        ps_srcpos pos = pos_at(ld, line, col);
        rules_diag(ld->diag, &pos, cur_rid(ld), "YAML syntax error: %s at byte offset %zu; rule files must be UTF-8 text",
                   problem, p->problem_offset);
        return PS_E_RULES;
    }
    ps_srcpos pos = mark_pos(ld, p->problem_mark);
    if (p->context)
        rules_diag(ld->diag, &pos, cur_rid(ld),
                   "YAML syntax error: %s (%s at line %zu, column %zu); check the indentation and quoting here",
                   problem, p->context, p->context_mark.line + 1, p->context_mark.column + 1);
    else
        rules_diag(ld->diag, &pos, cur_rid(ld), "YAML syntax error: %s; check the indentation and quoting here", problem);
    return PS_E_RULES;
}

/* The next event, with aliases, anchors and tags refused. On error nothing is left to delete. */
static int next_event(loader *ld, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&ld->parser, ev))
        return syntax_error(ld);
    const yaml_char_t *anchor = NULL, *tag = NULL;
    bool alias = false;
    switch (ev->type) {
    case YAML_ALIAS_EVENT: alias = true; break;
    case YAML_SCALAR_EVENT: anchor = ev->data.scalar.anchor, tag = ev->data.scalar.tag; break;
    case YAML_SEQUENCE_START_EVENT: anchor = ev->data.sequence_start.anchor, tag = ev->data.sequence_start.tag; break;
    case YAML_MAPPING_START_EVENT: anchor = ev->data.mapping_start.anchor, tag = ev->data.mapping_start.tag; break;
    default: break;
    }
    if (alias || anchor || tag) {
        ps_srcpos pos = mark_pos(ld, ev->start_mark);
        yaml_event_delete(ev);
        if (tag && !alias && !anchor)
            rules_diag(ld->diag, &pos, cur_rid(ld), "YAML tags (such as !!str) are not allowed in rule files; remove "
                       "the tag");
        else
            rules_diag(ld->diag, &pos, cur_rid(ld),
                       "aliases and anchors are not allowed in rule files; write the value out in full instead");
        return PS_E_RULES;
    }
    return PS_OK;
}

static int push_kid(ynode *parent, ynode *kid)
{
    if (parent->n == parent->cap) {
        size_t cap = parent->cap ? parent->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof(ynode))
            return -1;
        ynode *v = realloc(parent->kids, cap * sizeof *v);
        if (!v)
            return -1;
        parent->kids = v;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = *kid;
    return 0;
}

static int deep_error(const loader *ld)
{
    rules_diag(ld->diag, &ld->deep, cur_rid(ld), "nesting deeper than the schema allows: no list or mapping is "
               "expected here; a value at this depth is a string or a number");
    return PS_E_RULES;
}

/* Builds the node that starts with *ev (which this consumes) at nesting `depth` (the top-level mapping is 1). */
static int build_node(loader *ld, yaml_event_t *ev, unsigned depth, ynode *out)
{
    memset(out, 0, sizeof *out);
    out->line = (unsigned)ev->start_mark.line + 1;
    out->col = (unsigned)ev->start_mark.column + 1;
    if (ev->type == YAML_SCALAR_EVENT) {
        const char *v = (const char *)ev->data.scalar.value;
        size_t n = ev->data.scalar.length;
        out->kind = YN_SCALAR;
        out->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (memchr(v, '\0', n)) {
            ps_srcpos pos = node_pos(ld, out);
            yaml_event_delete(ev);
            rules_diag(ld->diag, &pos, cur_rid(ld), "values in rule files must not contain NUL bytes; write \\x00 in a "
                       "pattern");
            return PS_E_RULES;
        }
        out->s = malloc(n + 1);
        if (!out->s) {
            yaml_event_delete(ev);
            return nomem(ld);
        }
        memcpy(out->s, v, n);
        out->s[n] = '\0';
        yaml_event_delete(ev);
        return PS_OK;
    }
    if (ev->type != YAML_SEQUENCE_START_EVENT && ev->type != YAML_MAPPING_START_EVENT) {
        ps_srcpos pos = node_pos(ld, out);
        yaml_event_delete(ev);
        rules_diag(ld->diag, &pos, NULL, "unexpected YAML structure; a rule file is one mapping with `version:` and `rules:`");
        return PS_E_RULES;
    }
    bool map = ev->type == YAML_MAPPING_START_EVENT;
    yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
    out->kind = map ? YN_MAP : YN_SEQ;
    yaml_event_delete(ev);
    if (depth > RULES_MAX_DEPTH) {
        /* Skip it and report once the enclosing rule (and so its id) is read; but not without bound, as libyaml's
         * own stacks grow with the nesting. */
        if (!ld->deep.line)
            ld->deep = node_pos(ld, out);
        for (unsigned level = 1; level;) {
            yaml_event_t sev;
            int rc = next_event(ld, &sev);
            if (rc)
                return rc;
            if (sev.type == YAML_SEQUENCE_START_EVENT || sev.type == YAML_MAPPING_START_EVENT)
                level++;
            else if (sev.type == YAML_SEQUENCE_END_EVENT || sev.type == YAML_MAPPING_END_EVENT)
                level--;
            yaml_event_delete(&sev);
            if (level > 32)
                return deep_error(ld);
        }
        return PS_OK;
    }
    for (;;) {
        yaml_event_t cev;
        int rc = next_event(ld, &cev);
        if (rc) {
            ynode_fini(out);
            return rc;
        }
        if (cev.type == end) {
            yaml_event_delete(&cev);
            return PS_OK;
        }
        ynode kid;
        rc = build_node(ld, &cev, depth + 1, &kid);
        if (rc) {
            ynode_fini(out);
            return rc;
        }
        if (push_kid(out, &kid)) {
            ynode_fini(&kid);
            ynode_fini(out);
            return nomem(ld);
        }
        /* A rule's id, known from here on for messages about the rest of it. */
        if (map && depth == 3 && out->n >= 2 && !(out->n & 1)) {
            const ynode *k = &out->kids[out->n - 2];
            if (k->kind == YN_SCALAR && !strcmp(k->s, "id") && kid.kind == YN_SCALAR)
                copy_trunc(ld->rid, sizeof ld->rid, kid.s);
        }
    }
}

/* build_node for a node directly under the top-level mapping, or a rule: reports any nesting that was too deep. */
static int build_top(loader *ld, yaml_event_t *ev, unsigned depth, ynode *out)
{
    int rc = build_node(ld, ev, depth, out);
    if (!rc && ld->deep.line) {
        ynode_fini(out);
        return deep_error(ld);
    }
    return rc;
}

/* ---------------------------------------------------------------- scalar types */

static bool is_null(const ynode *nd)
{
    if (nd->kind != YN_SCALAR || !nd->plain)
        return false;
    const char *s = nd->s;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

static const char *describe(const ynode *nd, char *buf, size_t size)
{
    if (nd->kind == YN_SEQ)
        return "a list";
    if (nd->kind == YN_MAP)
        return "a mapping";
    if (is_null(nd))
        return "nothing";
    char tmp[RULES_SHOW + 8];
    snprintf(buf, size, "'%s'", shown(nd->s, tmp, sizeof tmp));
    return buf;
}

/* Decimal integers; anything past the saturation point only needs to be out of range. */
static bool parse_int_text(const char *s, long *out)
{
    bool neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v < 100000000L) /* saturates below 2^31: far outside every range checked */
            v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* Decimal numbers without exponent: locale-independent (strtod would follow LC_NUMERIC). */
static bool parse_num_text(const char *s, double *out)
{
    bool neg = *s == '-', digits = false;
    if (*s == '-' || *s == '+')
        s++;
    uint64_t mant = 0;
    unsigned frac = 0, sig = 0;
    bool dot = false;
    for (; *s; s++) {
        if (*s == '.' && !dot) {
            dot = true;
            continue;
        }
        if (*s < '0' || *s > '9')
            return false;
        digits = true;
        if (sig < 18) {
            mant = mant * 10 + (uint64_t)(*s - '0');
            if (mant)
                sig++;
            if (dot)
                frac++;
        } else if (!dot) {
            *out = 1e18; /* huge: only needs to be out of range */
            return true;
        }
    }
    if (!digits)
        return false;
    double p = 1;
    for (unsigned i = 0; i < frac; i++)
        p *= 10;
    *out = (neg ? -1.0 : 1.0) * ((double)mant / p);
    return true;
}

static int parse_bool_text(const char *s, bool *out)
{
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes"))
        return *out = true, 1;
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no"))
        return *out = false, 1;
    return 0;
}

static const char *quote_hint(const ynode *nd, bool parses)
{
    return nd->kind == YN_SCALAR && !nd->plain && parses ? " (a quoted value is a string; remove the quotes)" : "";
}

static int type_error(const loader *ld, const ynode *nd, const char *rid, const char *name, const char *want,
                      const char *hint)
{
    char buf[RULES_SHOW + 16];
    ps_srcpos pos = node_pos(ld, nd);
    rules_diag(ld->diag, &pos, rid, "'%s' must be %s, got %s%s", name, want, describe(nd, buf, sizeof buf), hint);
    return PS_E_RULES;
}

static int get_string(const loader *ld, const ynode *nd, const char *rid, const char *name, char **out)
{
    if (nd->kind != YN_SCALAR || is_null(nd))
        return type_error(ld, nd, rid, name, "a string", "");
    char *s = strdup(nd->s);
    if (!s)
        return nomem(ld);
    *out = s;
    return PS_OK;
}

static int get_int(const loader *ld, const ynode *nd, const char *rid, const char *name, long lo, long hi, long *out)
{
    long v = 0;
    bool ok = nd->kind == YN_SCALAR && parse_int_text(nd->s, &v);
    if (!ok || !nd->plain)
        return type_error(ld, nd, rid, name, "an integer", quote_hint(nd, ok));
    if (v < lo || v > hi) {
        ps_srcpos pos = node_pos(ld, nd);
        rules_diag(ld->diag, &pos, rid, "'%s' must be between %ld and %ld, got %s", name, lo, hi, nd->s);
        return PS_E_RULES;
    }
    *out = v;
    return PS_OK;
}

static int get_num(const loader *ld, const ynode *nd, const char *rid, const char *name, double lo, double hi,
                   double *out)
{
    double v = 0;
    bool ok = nd->kind == YN_SCALAR && parse_num_text(nd->s, &v);
    if (!ok || !nd->plain)
        return type_error(ld, nd, rid, name, "a number", quote_hint(nd, ok));
    if (v < lo || v > hi) {
        ps_srcpos pos = node_pos(ld, nd);
        rules_diag(ld->diag, &pos, rid, "'%s' must be between %g and %g, got %s", name, lo, hi, nd->s);
        return PS_E_RULES;
    }
    *out = v;
    return PS_OK;
}

static int get_bool(const loader *ld, const ynode *nd, const char *rid, const char *name, bool *out)
{
    bool v = false;
    bool ok = nd->kind == YN_SCALAR && parse_bool_text(nd->s, &v);
    if (!ok || !nd->plain)
        return type_error(ld, nd, rid, name, "true or false", quote_hint(nd, ok));
    *out = v;
    return PS_OK;
}

/* A list of strings; `nonempty_list` / `nonempty_items` refuse an empty list / empty strings. */
static int get_strlist(const loader *ld, const ynode *nd, const char *rid, const char *name, bool nonempty_list,
                       bool nonempty_items, ps_strlist *out)
{
    if (nd->kind != YN_SEQ)
        return type_error(ld, nd, rid, name, "a list of strings (e.g. [a, b])", "");
    if (nonempty_list && nd->n == 0) {
        ps_srcpos pos = node_pos(ld, nd);
        rules_diag(ld->diag, &pos, rid, "'%s' must not be empty; list at least one string", name);
        return PS_E_RULES;
    }
    for (size_t i = 0; i < nd->n; i++) {
        const ynode *it = &nd->kids[i];
        char buf[RULES_SHOW + 16];
        if (it->kind != YN_SCALAR || is_null(it)) {
            ps_srcpos pos = node_pos(ld, it);
            rules_diag(ld->diag, &pos, rid, "items of '%s' must be strings, got %s%s", name,
                       describe(it, buf, sizeof buf), it->kind == YN_SCALAR ? "; write '' for an empty string" : "");
            return PS_E_RULES;
        }
        if (nonempty_items && !it->s[0]) {
            ps_srcpos pos = node_pos(ld, it);
            rules_diag(ld->diag, &pos, rid, "items of '%s' must not be empty strings", name);
            return PS_E_RULES;
        }
    }
    if (nd->n == 0)
        return PS_OK;
    out->v = calloc(nd->n, sizeof *out->v);
    out->pos = calloc(nd->n, sizeof *out->pos);
    if (!out->v || !out->pos) {
        strlist_fini(out);
        return nomem(ld);
    }
    for (size_t i = 0; i < nd->n; i++) {
        out->v[i] = strdup(nd->kids[i].s);
        if (!out->v[i]) {
            out->n = i;
            strlist_fini(out);
            return nomem(ld);
        }
        out->pos[i] = node_pos(ld, &nd->kids[i]);
    }
    out->n = nd->n;
    return PS_OK;
}

/* ---------------------------------------------------------------- names and keys */

static bool valid_name(const char *s, bool upper)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        char c = *s;
        bool ok = (c >= '0' && c <= '9') || (upper ? (c >= 'A' && c <= 'Z') || c == '_' : (c >= 'a' && c <= 'z') || c == '-');
        if (!ok)
            return false;
    }
    return true;
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[33];
    if (la > 32 || lb > 32)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* "a, b, c" into buf (truncated if it must be). */
static const char *join_names(const char *const *names, size_t n, char *buf, size_t size)
{
    size_t w = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && w < size; i++) {
        int k = snprintf(buf + w, size - w, "%s%s", i ? ", " : "", names[i]);
        if (k < 0)
            break;
        w += (size_t)k;
    }
    return buf;
}

/* The closest of names to s when it is at most 2 edits away, else NULL. */
static const char *closest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < n; i++) {
        size_t d = edit_distance(s, names[i]);
        if (d < best_d)
            best = names[i], best_d = d;
    }
    return best;
}

/* One key of a mapping: a name, and a known one. `where` is NULL at the top and rule levels, else the parent key.
 * @return the key's index in allowed, or -1 (diag filled). */
static int check_key(const loader *ld, const ynode *k, const char *const *allowed, size_t n_allowed, const char *rid,
                     const char *where)
{
    char in[64] = "", buf[RULES_SHOW + 16], list[400];
    ps_srcpos pos = node_pos(ld, k);
    if (where)
        snprintf(in, sizeof in, " in '%s'", where);
    if (k->kind != YN_SCALAR) {
        rules_diag(ld->diag, &pos, rid, "keys%s must be names, got %s", in, describe(k, buf, sizeof buf));
        return -1;
    }
    for (size_t j = 0; j < n_allowed; j++)
        if (!strcmp(k->s, allowed[j]))
            return (int)j;
    const char *near = closest(k->s, allowed, n_allowed);
    if (near)
        rules_diag(ld->diag, &pos, rid, "unknown key '%s'%s (did you mean '%s'?)", shown(k->s, buf, sizeof buf), in,
                   near);
    else
        rules_diag(ld->diag, &pos, rid, "unknown key '%s'%s; allowed keys: %s", shown(k->s, buf, sizeof buf), in,
                   join_names(allowed, n_allowed, list, sizeof list));
    return -1;
}

static int dup_key(const loader *ld, const ynode *k, unsigned first_line, const char *rid, const char *where)
{
    char in[64] = "", buf[RULES_SHOW + 16];
    ps_srcpos pos = node_pos(ld, k);
    if (where)
        snprintf(in, sizeof in, " in '%s'", where);
    rules_diag(ld->diag, &pos, rid, "duplicate key '%s'%s (first given at line %u); keep only one",
               shown(k->s, buf, sizeof buf), in, first_line);
    return PS_E_RULES;
}

/* Keys of a mapping: all names, each once, each known. */
static int check_keys(const loader *ld, const ynode *map, const char *const *allowed, size_t n_allowed,
                      const char *rid, const char *where)
{
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const ynode *k = &map->kids[i];
        if (check_key(ld, k, allowed, n_allowed, rid, where) < 0)
            return PS_E_RULES;
        for (size_t j = 0; j < i; j += 2)
            if (!strcmp(map->kids[j].s, k->s))
                return dup_key(ld, k, map->kids[j].line, rid, where);
    }
    return PS_OK;
}

static const ynode *map_get(const ynode *map, const char *key)
{
    for (size_t i = 0; i + 1 < map->n; i += 2)
        if (map->kids[i].kind == YN_SCALAR && !strcmp(map->kids[i].s, key))
            return &map->kids[i + 1];
    return NULL;
}

/* ---------------------------------------------------------------- one rule */

static const char *const top_keys[] = {"version", "pack", "rules"};
static const char *const rule_keys[] = {"id",    "entity",      "description", "pattern", "flags",
                                        "keywords", "group",    "validate",    "context", "allow",       "not_after",
                                        "min_entropy", "priority", "action",   "examples"};
static const char *const context_keys[] = {"words", "window", "required"};
static const char *const example_keys[] = {"match", "no_match"};
static const char *const flag_names[] = {"caseless", "multiline", "dotall", "extended", "ucp", "ungreedy"};
static const unsigned flag_bits[] = {PS_RFLAG_CASELESS, PS_RFLAG_MULTILINE, PS_RFLAG_DOTALL,
                                     PS_RFLAG_EXTENDED, PS_RFLAG_UCP,       PS_RFLAG_UNGREEDY};
static const char *const action_list[] = {"tag", "mask", "partial", "hash", "remove"};

static const ps_rule *find_rule(const ps_ruleset *rs, const char *id)
{
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->rules[i].id, id))
            return &rs->rules[i];
    return NULL;
}

static int parse_flags(const loader *ld, const ynode *nd, const char *rid, unsigned *out)
{
    char buf[RULES_SHOW + 16], list[200];
    if (nd->kind != YN_SEQ)
        return type_error(ld, nd, rid, "flags", "a list such as [caseless]", "");
    unsigned flags = 0;
    for (size_t i = 0; i < nd->n; i++) {
        const ynode *it = &nd->kids[i];
        size_t f = 0;
        if (it->kind == YN_SCALAR)
            while (f < NELEM(flag_names) && strcmp(it->s, flag_names[f]))
                f++;
        if (it->kind == YN_SCALAR && f < NELEM(flag_names)) {
            flags |= flag_bits[f];
            continue;
        }
        ps_srcpos pos = node_pos(ld, it);
        const char *near = it->kind == YN_SCALAR ? closest(it->s, flag_names, NELEM(flag_names)) : NULL;
        char mean[64] = "";
        if (near)
            snprintf(mean, sizeof mean, " (did you mean '%s'?)", near);
        rules_diag(ld->diag, &pos, rid, "unknown flag %s%s; flags are: %s", describe(it, buf, sizeof buf), mean,
                   join_names(flag_names, NELEM(flag_names), list, sizeof list));
        return PS_E_RULES;
    }
    *out = flags;
    return PS_OK;
}

static int parse_validate(const loader *ld, const ynode *nd, const char *rid, char **out)
{
    int rc = get_string(ld, nd, rid, "validate", out);
    if (rc || validate_find(*out))
        return rc;
    const char *names[64];
    size_t n = 0;
    for (const ps_validator *v = validate_all(); v && v->name && n < NELEM(names); v++)
        names[n++] = v->name;
    char buf[RULES_SHOW + 16], list[600], mean[80] = "";
    const char *near = closest(*out, names, n);
    if (near)
        snprintf(mean, sizeof mean, " (did you mean '%s'?)", near);
    ps_srcpos pos = node_pos(ld, nd);
    rules_diag(ld->diag, &pos, rid, "unknown validator %s%s; validators are: %s", describe(nd, buf, sizeof buf), mean,
               join_names(names, n, list, sizeof list));
    return PS_E_RULES;
}

static int parse_action(const loader *ld, const ynode *nd, const char *rid, ps_action *out)
{
    char *name = NULL;
    int rc = get_string(ld, nd, rid, "action", &name);
    if (rc)
        return rc;
    rc = ps_action_parse(name, out);
    free(name);
    if (rc == PS_OK)
        return PS_OK;
    char buf[RULES_SHOW + 16], list[100];
    ps_srcpos pos = node_pos(ld, nd);
    rules_diag(ld->diag, &pos, rid, "unknown action %s; actions are: %s", describe(nd, buf, sizeof buf),
               join_names(action_list, NELEM(action_list), list, sizeof list));
    return PS_E_RULES;
}

static int parse_context(const loader *ld, const ynode *nd, const char *rid, ps_rule *r)
{
    if (nd->kind != YN_MAP)
        return type_error(ld, nd, rid, "context", "a mapping such as {words: [dob, born], window: 48}", "");
    int rc = check_keys(ld, nd, context_keys, NELEM(context_keys), rid, "context");
    if (rc)
        return rc;
    const ynode *words = map_get(nd, "words"), *window = map_get(nd, "window"), *req = map_get(nd, "required");
    if (!words) {
        ps_srcpos pos = node_pos(ld, nd);
        rules_diag(ld->diag, &pos, rid, "'context' needs `words:`, the list of words to look for near a match");
        return PS_E_RULES;
    }
    long w = 48;
    bool required = true;
    if ((rc = get_strlist(ld, words, rid, "context.words", true, true, &r->context_words)))
        return rc;
    if (window && (rc = get_int(ld, window, rid, "context.window", 1, 1024, &w)))
        return rc;
    if (req && (rc = get_bool(ld, req, rid, "context.required", &required)))
        return rc;
    r->has_context = true;
    r->context_window = (unsigned)w;
    r->context_required = required;
    return PS_OK;
}

static int parse_examples(const loader *ld, const ynode *nd, const char *rid, ps_rule *r)
{
    if (nd->kind != YN_MAP)
        return type_error(ld, nd, rid, "examples", "a mapping with `match:` and/or `no_match:` lists", "");
    int rc = check_keys(ld, nd, example_keys, NELEM(example_keys), rid, "examples");
    if (rc)
        return rc;
    const ynode *m = map_get(nd, "match"), *nm = map_get(nd, "no_match");
    if (m && (rc = get_strlist(ld, m, rid, "examples.match", false, false, &r->ex_match)))
        return rc;
    if (nm && (rc = get_strlist(ld, nm, rid, "examples.no_match", false, false, &r->ex_no_match)))
        return rc;
    return PS_OK;
}

static int parse_id(const loader *ld, const ynode *m, const char *rid, ps_rule *r)
{
    const ynode *idn = map_get(m, "id");
    char buf[RULES_SHOW + 16];
    if (!idn) {
        ps_srcpos pos = node_pos(ld, m);
        rules_diag(ld->diag, &pos, NULL, "rule has no `id`; give every rule a unique id made of a-z, 0-9 and '-'");
        return PS_E_RULES;
    }
    int rc = get_string(ld, idn, rid, "id", &r->id);
    if (rc)
        return rc;
    ps_srcpos pos = node_pos(ld, idn);
    if (!valid_name(r->id, false)) {
        rules_diag(ld->diag, &pos, rid, "rule id '%s' may only contain a-z, 0-9 and '-'", shown(r->id, buf, sizeof buf));
        return PS_E_RULES;
    }
    if (strlen(r->id) > RULES_MAX_ID) {
        rules_diag(ld->diag, &pos, rid, "rule id is longer than %d characters; shorten it", RULES_MAX_ID);
        return PS_E_RULES;
    }
    const ps_rule *other = find_rule(ld->old, r->id);
    if (!other)
        other = find_rule(ld->tmp, r->id);
    if (other) {
        rules_diag(ld->diag, &pos, rid, "duplicate rule id '%s': already defined at %s:%u:%u; rule ids must be unique "
                   "across all loaded rule files", r->id, other->pos.file, other->pos.line, other->pos.col);
        return PS_E_RULES;
    }
    return PS_OK;
}

static int convert_rule(const loader *ld, const ynode *m, ps_rule *r)
{
    char buf[RULES_SHOW + 16];
    r->pos = node_pos(ld, m);
    if (m->kind != YN_MAP) {
        rules_diag(ld->diag, &r->pos, NULL, "each item of 'rules' must be a mapping with at least `id:` and "
                   "`pattern:`, got %s", describe(m, buf, sizeof buf));
        return PS_E_RULES;
    }
    /* Name the rule in every message, even when `id:` comes after the mistake. */
    const ynode *idn = map_get(m, "id");
    const char *rid = idn && idn->kind == YN_SCALAR ? idn->s : NULL;
    int rc = check_keys(ld, m, rule_keys, NELEM(rule_keys), rid, NULL);
    if (!rc)
        rc = parse_id(ld, m, rid, r);
    r->priority = 0;
    r->action = PS_ACTION_INHERIT;
    for (size_t i = 0; i + 1 < m->n && !rc; i += 2) {
        const char *k = m->kids[i].s;
        const ynode *v = &m->kids[i + 1];
        long n = 0;
        if (!strcmp(k, "id")) {
            continue;
        } else if (!strcmp(k, "entity")) {
            rc = get_string(ld, v, rid, "entity", &r->entity);
            if (!rc && !valid_name(r->entity, true)) {
                ps_srcpos pos = node_pos(ld, v);
                rules_diag(ld->diag, &pos, rid, "'entity' may only contain A-Z, 0-9 and '_' (e.g. EMAIL), got '%s'",
                           shown(r->entity, buf, sizeof buf));
                rc = PS_E_RULES;
            }
        } else if (!strcmp(k, "description")) {
            rc = get_string(ld, v, rid, "description", &r->description);
        } else if (!strcmp(k, "pattern")) {
            rc = get_string(ld, v, rid, "pattern", &r->pattern);
            r->pattern_pos = node_pos(ld, v);
            if (!rc && !r->pattern[0]) {
                rules_diag(ld->diag, &r->pattern_pos, rid, "'pattern' must not be empty; give the regular expression to "
                           "match");
                rc = PS_E_RULES;
            }
        } else if (!strcmp(k, "flags")) {
            rc = parse_flags(ld, v, rid, &r->flags);
        } else if (!strcmp(k, "keywords")) {
            rc = get_strlist(ld, v, rid, "keywords", false, true, &r->keywords);
        } else if (!strcmp(k, "group")) {
            rc = get_int(ld, v, rid, "group", 0, 99, &n);
            r->group = (unsigned)n;
        } else if (!strcmp(k, "validate")) {
            rc = parse_validate(ld, v, rid, &r->validate);
        } else if (!strcmp(k, "context")) {
            rc = parse_context(ld, v, rid, r);
        } else if (!strcmp(k, "allow")) {
            rc = get_strlist(ld, v, rid, "allow", false, true, &r->allow);
        } else if (!strcmp(k, "not_after")) {
            rc = get_strlist(ld, v, rid, "not_after", false, true, &r->not_after);
        } else if (!strcmp(k, "min_entropy")) {
            rc = get_num(ld, v, rid, "min_entropy", 0, 8, &r->min_entropy);
        } else if (!strcmp(k, "priority")) {
            rc = get_int(ld, v, rid, "priority", -1000, 1000, &n);
            r->priority = (int)n;
        } else if (!strcmp(k, "action")) {
            rc = parse_action(ld, v, rid, &r->action);
        } else if (!strcmp(k, "examples")) {
            rc = parse_examples(ld, v, rid, r);
        }
    }
    if (rc)
        return rc;
    if (!r->pattern) {
        rules_diag(ld->diag, &r->pos, rid, "rule has no `pattern`; add the regular expression that finds this data");
        return PS_E_RULES;
    }
    if (!r->entity) {
        r->entity = strdup(r->id);
        if (!r->entity)
            return nomem(ld);
        for (char *p = r->entity; *p; p++)
            *p = *p == '-' ? '_' : (*p >= 'a' && *p <= 'z') ? (char)(*p - 'a' + 'A') : *p;
    }
    return PS_OK;
}

/* ---------------------------------------------------------------- one file */

static int no_rules(const loader *ld, ps_srcpos pos)
{
    rules_diag(ld->diag, &pos, NULL, "file has no rules; a rule file needs `version: 1` and a `rules:` list");
    return PS_E_RULES;
}

/* Reads the value of `rules:` and appends each rule to ld->tmp. */
static int parse_rules(loader *ld, size_t *count)
{
    yaml_event_t ev;
    int rc = next_event(ld, &ev);
    if (rc)
        return rc;
    if (ev.type != YAML_SEQUENCE_START_EVENT) {
        ynode nd;
        if ((rc = build_top(ld, &ev, 2, &nd)))
            return rc;
        rc = is_null(&nd) ? PS_OK : type_error(ld, &nd, NULL, "rules", "a list of rules (`- id: ...`)", "");
        ynode_fini(&nd);
        return rc;
    }
    yaml_event_delete(&ev);
    for (;;) {
        if ((rc = next_event(ld, &ev)))
            return rc;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return PS_OK;
        }
        ynode item;
        ld->rid[0] = '\0';
        if ((rc = build_top(ld, &ev, 3, &item)))
            return rc;
        ld->rid[0] = '\0';
        ps_rule r;
        memset(&r, 0, sizeof r);
        rc = convert_rule(ld, &item, &r);
        ynode_fini(&item);
        if (!rc && rules_reserve(ld->tmp, ld->tmp->n + 1))
            rc = nomem(ld);
        if (rc) {
            rule_fini(&r);
            return rc;
        }
        ld->tmp->rules[ld->tmp->n++] = r;
        ++*count;
    }
}

/* Reads the value of `version:` or `pack:`. */
static int parse_top_value(loader *ld, const char *key, char **pack)
{
    yaml_event_t ev;
    ynode nd;
    int rc = next_event(ld, &ev);
    if (rc || (rc = build_top(ld, &ev, 2, &nd)))
        return rc;
    ps_srcpos pos = node_pos(ld, &nd);
    char buf[RULES_SHOW + 16];
    if (!strcmp(key, "version")) {
        long v = 0;
        rc = get_int(ld, &nd, NULL, "version", LONG_MIN, LONG_MAX, &v);
        if (!rc && v != 1) {
            rules_diag(ld->diag, &pos, NULL, "unsupported rule file version %s; this piiscrub reads `version: 1`",
                       shown(nd.s, buf, sizeof buf));
            rc = PS_E_RULES;
        }
    } else {
        rc = get_string(ld, &nd, NULL, "pack", pack);
        if (!rc && !valid_name(*pack, false)) {
            rules_diag(ld->diag, &pos, NULL, "pack name '%s' may only contain a-z, 0-9 and '-'",
                       shown(*pack, buf, sizeof buf));
            rc = PS_E_RULES;
        }
    }
    ynode_fini(&nd);
    return rc;
}

static int parse_file(loader *ld, char **pack)
{
    yaml_event_t ev;
    int rc;
    bool seen[NELEM(top_keys)] = {false};
    unsigned seen_line[NELEM(top_keys)] = {0};
    size_t n_rules = 0;

    if ((rc = next_event(ld, &ev))) /* stream start */
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(ld, &ev)))
        return rc;
    ps_srcpos root = mark_pos(ld, ev.start_mark);
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return no_rules(ld, root);
    }
    yaml_event_delete(&ev); /* document start */
    if ((rc = next_event(ld, &ev)))
        return rc;
    root = mark_pos(ld, ev.start_mark);
    if (ev.type != YAML_MAPPING_START_EVENT) {
        ynode nd;
        char buf[RULES_SHOW + 16];
        if ((rc = build_top(ld, &ev, 1, &nd)))
            return rc;
        if (is_null(&nd)) {
            rc = no_rules(ld, root);
        } else {
            rules_diag(ld->diag, &root, NULL, "the top level of a rule file must be a mapping with `version: 1` and "
                       "`rules:`, got %s", describe(&nd, buf, sizeof buf));
            rc = PS_E_RULES;
        }
        ynode_fini(&nd);
        return rc;
    }
    yaml_event_delete(&ev);
    for (;;) {
        if ((rc = next_event(ld, &ev)))
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        ynode key;
        if ((rc = build_top(ld, &ev, 2, &key)))
            return rc;
        int k = check_key(ld, &key, top_keys, NELEM(top_keys), NULL, NULL);
        rc = k < 0 ? PS_E_RULES : seen[k] ? dup_key(ld, &key, seen_line[k], NULL, NULL) : PS_OK;
        if (!rc) {
            seen[k] = true;
            seen_line[k] = key.line;
            /* The value is read only once the key is known good, so a typo is reported at the typo. */
            rc = !strcmp(key.s, "rules") ? parse_rules(ld, &n_rules) : parse_top_value(ld, top_keys[k], pack);
        }
        ynode_fini(&key);
        if (rc)
            return rc;
    }
    if ((rc = next_event(ld, &ev))) /* document end */
        return rc;
    yaml_event_delete(&ev);
    if ((rc = next_event(ld, &ev)))
        return rc;
    if (ev.type != YAML_STREAM_END_EVENT) {
        ps_srcpos pos = mark_pos(ld, ev.start_mark);
        yaml_event_delete(&ev);
        rules_diag(ld->diag, &pos, NULL, "a rule file holds one YAML document; put each pack in its own file");
        return PS_E_RULES;
    }
    yaml_event_delete(&ev);
    if (!seen[0]) {
        rules_diag(ld->diag, &root, NULL, "missing `version: 1`; add it at the top of the rule file");
        return PS_E_RULES;
    }
    if (n_rules == 0)
        return no_rules(ld, root);
    return PS_OK;
}

/* The pack of rules [first, tmp->n): `pack:` or the file's base name. */
static int set_packs(const loader *ld, const char *pack, size_t first)
{
    char derived[256];
    if (!pack) {
        const char *base = strrchr(ld->file, '/');
        base = base ? base + 1 : ld->file;
        if (!strncmp(base, "builtin:", 8))
            base += 8;
        size_t n = strlen(base);
        if (n > 5 && !strcmp(base + n - 5, ".yaml"))
            n -= 5;
        else if (n > 4 && !strcmp(base + n - 4, ".yml"))
            n -= 4;
        if (n >= sizeof derived)
            n = sizeof derived - 1;
        memcpy(derived, base, n);
        derived[n] = '\0';
        if (!valid_name(derived, false)) {
            char buf[RULES_SHOW + 16];
            ps_srcpos pos = pos_at(ld, 0, 0);
            rules_diag(ld->diag, &pos, NULL, "the pack name '%s' taken from the file name may only contain a-z, 0-9 "
                       "and '-'; add `pack: <name>` to the file or rename it", shown(derived, buf, sizeof buf));
            return PS_E_RULES;
        }
        pack = derived;
    }
    for (size_t i = first; i < ld->tmp->n; i++)
        if (!(ld->tmp->rules[i].pack = strdup(pack)))
            return nomem(ld);
    return PS_OK;
}

/* Parses one file's text into tmp; old is what the ruleset already holds. */
static int load_text(ps_ruleset *tmp, const ps_ruleset *old, const char *name, const char *text, size_t len,
                     ps_diag *diag)
{
    loader ld;
    memset(&ld, 0, sizeof ld);
    ld.file = add_file(tmp, name);
    ld.text = text ? text : "";
    ld.len = text ? len : 0;
    ld.diag = diag;
    ld.old = old;
    ld.tmp = tmp;
    if (!ld.file) {
        ld.file = name;
        return nomem(&ld);
    }
    if (ld.len > RULES_MAX_FILE) {
        ps_srcpos pos = pos_at(&ld, 0, 0);
        rules_diag(diag, &pos, NULL, "rule file is larger than 16 MiB; split it into several files");
        return PS_E_RULES;
    }
    if (!yaml_parser_initialize(&ld.parser))
        return nomem(&ld);
    yaml_parser_set_input_string(&ld.parser, (const unsigned char *)ld.text, ld.len);
    size_t first = tmp->n;
    char *pack = NULL;
    int rc = parse_file(&ld, &pack);
    yaml_parser_delete(&ld.parser);
    if (!rc)
        rc = set_packs(&ld, pack, first);
    free(pack);
    return rc;
}

static int file_error(ps_diag *diag, const char *name, const char *what, int err)
{
    ps_srcpos pos = {name, 0, 0};
    rules_diag(diag, &pos, NULL, "%s: %s", what, strerror(err));
    return PS_E_RULES;
}

/* Reads an open file (at most 16 MiB) and parses it into tmp. Closes fd. */
static int load_fd(ps_ruleset *tmp, const ps_ruleset *old, const char *name, int fd, ps_diag *diag)
{
    struct stat st;
    ps_srcpos pos = {name, 0, 0};
    if (fstat(fd, &st)) {
        int err = errno;
        close(fd);
        return file_error(diag, name, "cannot read rule file", err);
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > RULES_MAX_FILE) {
        close(fd);
        rules_diag(diag, &pos, NULL, "rule file is larger than 16 MiB; split it into several files");
        return PS_E_RULES;
    }
    /* Not only regular files: a pipe (`-r <(generate)`) is read the same way, up to the cap. */
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536, len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        close(fd);
        rules_diag(diag, &pos, NULL, "out of memory while reading the rule file");
        return PS_E_NOMEM;
    }
    for (;;) {
        if (len == cap) {
            if (cap > RULES_MAX_FILE) {
                free(buf);
                close(fd);
                rules_diag(diag, &pos, NULL, "rule file is larger than 16 MiB; split it into several files");
                return PS_E_RULES;
            }
            size_t ncap = cap * 2 > RULES_MAX_FILE + 1 ? RULES_MAX_FILE + 1 : cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                close(fd);
                rules_diag(diag, &pos, NULL, "out of memory while reading the rule file");
                return PS_E_NOMEM;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t k = read(fd, buf + len, cap - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int err = errno;
            free(buf);
            close(fd);
            return file_error(diag, name, "cannot read rule file", err);
        }
        if (k == 0)
            break;
        len += (size_t)k;
    }
    close(fd);
    int rc = load_text(tmp, old, name, buf, len, diag);
    free(buf);
    return rc;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool rule_file_name(const char *s)
{
    size_t n = strlen(s);
    /* Dot files are editor backups and lock files, not rules. */
    if (s[0] == '.')
        return false;
    return (n > 5 && !strcmp(s + n - 5, ".yaml")) || (n > 4 && !strcmp(s + n - 4, ".yml"));
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Every *.yaml / *.yml of a directory, sorted by name. Takes fd. */
static int load_dir(ps_ruleset *tmp, const ps_ruleset *old, const char *path, int fd, ps_diag *diag)
{
    ps_srcpos pos = {path, 0, 0};
    DIR *d = fdopendir(fd);
    if (!d) {
        int err = errno;
        close(fd);
        return file_error(diag, path, "cannot read rule directory", err);
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = PS_OK;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno)
                rc = file_error(diag, path, "cannot read rule directory", errno);
            break;
        }
        if (!rule_file_name(de->d_name))
            continue;
        struct stat st;
        if (!fstatat(dirfd(d), de->d_name, &st, 0) && S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char **nv = realloc(names, ncap * sizeof *nv);
            if (!nv) {
                rc = PS_E_NOMEM;
                break;
            }
            names = nv;
            cap = ncap;
        }
        if (!(names[n] = strdup(de->d_name))) {
            rc = PS_E_NOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == PS_E_NOMEM)
        rules_diag(diag, &pos, NULL, "out of memory while listing the rule directory");
    if (!rc && n == 0) {
        rules_diag(diag, &pos, NULL, "directory has no *.yaml or *.yml rule files; point at a rule file or a "
                   "directory that holds some");
        rc = PS_E_RULES;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    size_t plen = strlen(path);
    bool slash = plen && path[plen - 1] == '/';
    for (size_t i = 0; i < n && !rc; i++) {
        size_t need = plen + 1 + strlen(names[i]) + 1;
        char *full = malloc(need);
        if (!full) {
            rules_diag(diag, &pos, NULL, "out of memory while listing the rule directory");
            rc = PS_E_NOMEM;
            break;
        }
        snprintf(full, need, "%s%s%s", path, slash ? "" : "/", names[i]);
        int ffd = open(full, O_RDONLY | O_CLOEXEC);
        if (ffd < 0)
            rc = file_error(diag, full, "cannot open rule file", errno);
        else
            rc = load_fd(tmp, old, full, ffd, diag);
        free(full);
    }
    free_names(names, n);
    return rc;
}

/* ---------------------------------------------------------------- public API */

int ps_ruleset_new(ps_ruleset **out)
{
    if (!out)
        return PS_E_USAGE;
    ps_ruleset *rs = calloc(1, sizeof *rs);
    if (!rs)
        return PS_E_NOMEM;
    *out = rs;
    return PS_OK;
}

void ps_ruleset_free(ps_ruleset *rs)
{
    if (!rs)
        return;
    ruleset_fini(rs);
    free(rs);
}

/* Appends tmp to rs, or frees it: the last step of every load. */
static int finish_load(ps_ruleset *rs, ps_ruleset *tmp, int rc, ps_diag *diag)
{
    if (!rc && (rc = commit(rs, tmp)))
        rules_diag(diag, NULL, NULL, "out of memory while adding the loaded rules");
    ruleset_fini(tmp);
    return rc;
}

int ps_ruleset_load_path(ps_ruleset *rs, const char *path, ps_diag *diag)
{
    if (!rs || !path) {
        rules_diag(diag, NULL, NULL, "ps_ruleset_load_path needs a ruleset and a path");
        return PS_E_USAGE;
    }
    ps_ruleset tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        rc = file_error(diag, path, "cannot open rule file", errno);
    } else if (fstat(fd, &st)) {
        rc = file_error(diag, path, "cannot read rule file", errno);
        close(fd);
    } else if (S_ISDIR(st.st_mode)) {
        rc = load_dir(&tmp, rs, path, fd, diag);
    } else {
        rc = load_fd(&tmp, rs, path, fd, diag);
    }
    return finish_load(rs, &tmp, rc, diag);
}

int ps_ruleset_load_buffer(ps_ruleset *rs, const char *name, const char *yaml, size_t len, ps_diag *diag)
{
    if (!rs || (!yaml && len)) {
        rules_diag(diag, NULL, NULL, "ps_ruleset_load_buffer needs a ruleset and a buffer");
        return PS_E_USAGE;
    }
    ps_ruleset tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = load_text(&tmp, rs, name ? name : "buffer.yaml", yaml, len, diag);
    return finish_load(rs, &tmp, rc, diag);
}

int ps_ruleset_load_builtin(ps_ruleset *rs, ps_diag *diag)
{
    if (!rs) {
        rules_diag(diag, NULL, NULL, "ps_ruleset_load_builtin needs a ruleset");
        return PS_E_USAGE;
    }
    ps_ruleset tmp;
    memset(&tmp, 0, sizeof tmp);
    int rc = PS_OK;
    for (const ps_builtin_pack *p = ps_builtin_packs; p->name && !rc; p++)
        rc = load_text(&tmp, rs, p->name, p->yaml, p->len, diag);
    return finish_load(rs, &tmp, rc, diag);
}

/* Is `name` one of the comma-separated names of csv (spaces around names ignored)? */
static bool csv_has(const char *csv, const char *name, size_t len)
{
    while (*csv) {
        const char *end = strchr(csv, ',');
        if (!end)
            end = csv + strlen(csv);
        const char *a = csv, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        if ((size_t)(b - a) == len && !memcmp(a, name, len))
            return true;
        csv = *end ? end + 1 : end;
    }
    return false;
}

static bool has_pack(const ps_ruleset *rs, const char *name, size_t len)
{
    for (size_t i = 0; i < rs->n; i++)
        if (strlen(rs->rules[i].pack) == len && !memcmp(rs->rules[i].pack, name, len))
            return true;
    return false;
}

int ps_ruleset_keep_packs(ps_ruleset *rs, const char *packs_csv, ps_diag *diag)
{
    if (!rs || !packs_csv) {
        rules_diag(diag, NULL, NULL, "ps_ruleset_keep_packs needs a ruleset and a list of packs");
        return PS_E_USAGE;
    }
    bool any = false;
    for (const char *p = packs_csv; *p;) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && (*a == ' ' || *a == '\t'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
            b--;
        p = *end ? end + 1 : end;
        if (a == b)
            continue;
        any = true;
        if (has_pack(rs, a, (size_t)(b - a)))
            continue;
        /* The loaded packs, each once, in load order. */
        char list[600] = "";
        size_t w = 0;
        for (size_t i = 0; i < rs->n && w < sizeof list; i++) {
            size_t j = 0;
            while (j < i && strcmp(rs->rules[j].pack, rs->rules[i].pack))
                j++;
            if (j == i) {
                int k = snprintf(list + w, sizeof list - w, "%s%s", w ? ", " : "", rs->rules[i].pack);
                w += k > 0 ? (size_t)k : 0;
            }
        }
        int shown_len = b - a > 100 ? 100 : (int)(b - a);
        if (rs->n)
            rules_diag(diag, NULL, NULL, "unknown pack '%.*s'; loaded packs: %s", shown_len, a, list);
        else
            rules_diag(diag, NULL, NULL, "unknown pack '%.*s'; no packs are loaded", shown_len, a);
        return PS_E_USAGE;
    }
    if (!any) {
        rules_diag(diag, NULL, NULL, "no pack names given; list them separated by commas, e.g. core,secrets");
        return PS_E_USAGE;
    }
    size_t j = 0;
    for (size_t i = 0; i < rs->n; i++) {
        if (csv_has(packs_csv, rs->rules[i].pack, strlen(rs->rules[i].pack)))
            rs->rules[j++] = rs->rules[i];
        else
            rule_fini(&rs->rules[i]);
    }
    rs->n = j;
    return PS_OK;
}

size_t ps_ruleset_count(const ps_ruleset *rs)
{
    return rs ? rs->n : 0;
}

int ps_ruleset_rule(const ps_ruleset *rs, size_t i, ps_rule_info *info)
{
    if (!rs || !info || i >= rs->n)
        return PS_E_USAGE;
    const ps_rule *r = &rs->rules[i];
    info->id = r->id;
    info->entity = r->entity;
    info->description = r->description ? r->description : "";
    info->pack = r->pack;
    info->validate = r->validate;
    info->file = r->pos.file;
    info->line = r->pos.line;
    info->col = r->pos.col;
    info->priority = r->priority;
    info->action = r->action;
    return PS_OK;
}
