/* rules.h — the rule set as plain data: what the YAML said, validated, with source positions kept for messages.
 * No PCRE2 here (engine.c compiles); the only file that includes <yaml.h> is rules.c. */
#ifndef PS_RULES_H
#define PS_RULES_H

#include "piiscrub.h"

#include <stdbool.h>
#include <stddef.h>

/* A position in a rule file. `file` points into the ruleset's list of file names (owned by the ruleset). */
typedef struct ps_srcpos {
    const char *file;
    unsigned line, col; /* 1-based */
} ps_srcpos;

/* A list of strings, each with the position of its YAML scalar. */
typedef struct ps_strlist {
    char **v;
    ps_srcpos *pos;
    size_t n;
} ps_strlist;

/* Pattern flags, mapped to PCRE2 options by engine.c. */
enum {
    PS_RFLAG_CASELESS = 1u << 0,  /* caseless */
    PS_RFLAG_MULTILINE = 1u << 1, /* multiline: ^ and $ at inner newlines */
    PS_RFLAG_DOTALL = 1u << 2,    /* dotall: . matches \n */
    PS_RFLAG_EXTENDED = 1u << 3,  /* extended: whitespace and # comments in the pattern are ignored */
    PS_RFLAG_UCP = 1u << 4,       /* ucp: \d \w \b use Unicode properties (slower) */
    PS_RFLAG_UNGREEDY = 1u << 5,  /* ungreedy */
};

typedef struct ps_rule {
    char *id;          /* [a-z0-9-]+, unique in the ruleset */
    char *entity;      /* label for the tag action; default: the id upper-cased with '-' -> '_' */
    char *description; /* may be NULL */
    char *pattern;
    char *pack;        /* the file's `pack`; default: the file name without directory and extension */
    unsigned flags;    /* PS_RFLAG_* */
    ps_strlist keywords;
    unsigned group;    /* capture group to redact; 0 = the whole match */
    char *validate;    /* validator name (exists in validate.c), or NULL */
    bool has_context;
    ps_strlist context_words;
    unsigned context_window;  /* bytes before and after the match; default 48 */
    bool context_required;    /* default true when context is given */
    ps_strlist allow;         /* regexes that veto a candidate when they match the candidate's text */
    ps_strlist not_after;     /* regexes that veto a candidate when they match the text just before it */
    double min_entropy;       /* bits per byte; 0 = no check */
    int priority;             /* default 0 */
    ps_action action;         /* PS_ACTION_INHERIT unless set */
    ps_strlist ex_match, ex_no_match;
    ps_srcpos pos;            /* where the rule's mapping starts */
    ps_srcpos pattern_pos;    /* where the pattern scalar starts */
} ps_rule;

struct ps_ruleset {
    ps_rule *rules;
    size_t n, cap;
    char **files; /* names of loaded files, owned here; ps_srcpos.file points into these */
    size_t n_files;
};

/* Fills a ps_diag from a position and a rule id (either may be NULL) and a printf-style message. */
void rules_diag(ps_diag *diag, const ps_srcpos *pos, const char *rule_id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
