/* cli_report.h — what the CLI writes besides the redacted stream: --report findings (JSONL or SARIF), the --check
 * listing, the --progress line, --explain, --stats JSON, the --list-rules table and the --test-rules results.
 * All of it goes through stdio; callers check ferror/fclose. */
#ifndef PS_CLI_REPORT_H
#define PS_CLI_REPORT_H

#include "piiscrub.h"

#include <stdint.h>
#include <stdio.h>

/* Writes s as a JSON string (quotes included). Invalid UTF-8 bytes become U+FFFD so the output always parses. */
void cli_json_string(FILE *fp, const char *s);

/* @return "text", "nul" or "jsonl". */
const char *cli_format_name(ps_format f);

/* The --progress line on stderr (see cli_progress_update). Owned by the run loop; fp NULL = no display. */
typedef struct cli_progress {
    FILE *fp;
    double t0, last;    /* monotonic seconds: start of the run, last refresh */
    uint64_t total;     /* bytes of all inputs, when total_known */
    int total_known;    /* every input is a regular file (fstat sizes) */
    int shown;          /* a status line is on the screen now */
    size_t width;       /* length of that line, to blank what a shorter one leaves */
} cli_progress;

/* Sets up the display on fp (NULL: off) at time `now` (monotonic seconds). */
void cli_progress_init(cli_progress *p, FILE *fp, double now, uint64_t total, int total_known);
/* The ps_run on_progress callback: redraws at most ~4 times a second. Cheap when it does not draw. @return 0. */
int cli_progress_update(void *ctx, const ps_stats *st);
/* Blanks the status line (before other text goes to the same terminal). */
void cli_progress_clear(cli_progress *p);
/* At the end of the run: draws the final state and ends the line with a newline when a line was shown or
 * `always` is set; nothing otherwise. */
void cli_progress_finish(cli_progress *p, const ps_stats *st, int always);

/* One rule as the reports describe it, indexed like the engine's rules. */
typedef struct cli_rule_meta {
    const char *id, *entity, *description, *pack;
    ps_action action; /* resolved: the rule's own action, else the run's */
} cli_rule_meta;

/* Fills meta[0..ps_engine_rule_count(e)) from the engine and the ruleset it was compiled from (matched by id).
 * Strings point into e or rs. @return a malloc'ed array (caller frees) or NULL when out of memory. */
cli_rule_meta *cli_rule_meta_new(const ps_engine *e, const ps_ruleset *rs, ps_action run_action);

/* --report and the --check listing: the ps_finding_fn context. `input` is the name of the input being read ("-"
 * for stdin); main() updates it before each ps_run. */
typedef struct cli_report {
    FILE *fp;            /* --report FILE, or NULL */
    int sarif;           /* fp gets SARIF (cli_sarif_begin/end around the run) instead of JSONL */
    size_t n_results;    /* SARIF results written so far */
    FILE *list_fp;       /* --check: one "file:line:col: rule (ENTITY)" line per finding, or NULL */
    int list_err;        /* errno of the first failed write to list_fp (EPIPE: the reader went away) */
    cli_progress *progress; /* blanked before a listing line (the same terminal), or NULL */
    const ps_engine *engine;
    const cli_rule_meta *meta;
    const char *input;
} cli_report;

/* A ps_finding_fn: one JSONL line or SARIF result per finding, and the --check line ("file:line:col: rule (ENTITY)",
 * or "file:line: rule (ENTITY) in FIELD" in jsonl); never the matched text. @return 0, or 1 (stop) on a write error. */
int cli_report_finding(void *ctx, const ps_finding *f);

/* SARIF 2.1.0: the run header up to the opening of "results", and the rest after the last result. */
void cli_sarif_begin(cli_report *r);
void cli_sarif_end(cli_report *r, int successful);

/* --explain: the state of one pass over the records of an input. */
typedef struct cli_explain {
    FILE *fp;
    const ps_engine *engine;
    const cli_rule_meta *meta;
    const char *tag_format;   /* NULL = "[{entity}]" */
    const char *input;        /* printed before each line when not NULL (several inputs) */
    int show_values;
    uint64_t records, candidates, kept, dropped; /* totals over every record explained */
} cli_explain;

/* Explains one record (without its separator): one line per candidate, in order of position.
 * @return PS_OK, PS_E_UNSCANNED (said in the output too) or PS_E_NOMEM. */
int cli_explain_record(cli_explain *x, uint64_t record, const char *text, size_t len);

/* Prints the value v[0..n) for a human: control bytes and invalid UTF-8 escaped; when `show` is 0, every letter or
 * digit (any non-ASCII character too) becomes '*' and punctuation stays, as the mask action does. */
void cli_put_value(FILE *fp, const char *v, size_t n, int show);

/* What --stats says besides the ps_stats counters. */
typedef struct cli_stats_info {
    double seconds;
    unsigned threads;   /* resolved: 0 is never written */
    ps_format format;
    ps_action action;   /* the run's action (PS_ACTION_INHERIT is written as "tag") */
    const char *rules_digest; /* ps_ruleset_digest, or "" */
    const struct cli_opts *opts; /* the options in force, for the manifest */
    size_t id_count;    /* ids loaded by --exclude-ids */
} cli_stats_info;

/* --stats: one JSON object and a newline. */
void cli_stats_write(FILE *fp, const ps_stats *st, const ps_engine *e, const cli_stats_info *info);

/* --profile: per-rule matching cost, most expensive first. */
void cli_profile_write(FILE *fp, const ps_stats *st, const ps_engine *e);

/* --list-rules: a table of every rule in rs; `run_action` is shown for rules that do not set one. */
void cli_list_rules(FILE *fp, const ps_ruleset *rs, ps_action run_action);

/* --test-rules: runs every example, prints each failure and a summary line to fp.
 * @return PS_OK or PS_E_NOMEM; *failed counts failing examples. */
int cli_test_rules(FILE *fp, const ps_engine *e, size_t *failed);

#endif
