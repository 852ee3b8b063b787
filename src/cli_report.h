/* cli_report.h — what the CLI writes besides the redacted stream: --report findings, --stats JSON, the
 * --list-rules table and the --test-rules results. All of it goes through stdio; callers check ferror/fclose. */
#ifndef PS_CLI_REPORT_H
#define PS_CLI_REPORT_H

#include "piiscrub.h"

#include <stdio.h>

/* Writes s as a JSON string (quotes included). Invalid UTF-8 bytes become U+FFFD so the output always parses. */
void cli_json_string(FILE *fp, const char *s);

/* @return "text", "nul" or "jsonl". */
const char *cli_format_name(ps_format f);

/* --report: the ps_finding_fn context. `input` is the name of the input being read ("-" for stdin); main() updates
 * it before each ps_run. */
typedef struct cli_report {
    FILE *fp;
    const ps_engine *engine;
    const char *input;
} cli_report;

/* A ps_finding_fn: one JSONL line per finding, never the matched text. @return 0, or 1 (stop) on a write error. */
int cli_report_finding(void *ctx, const ps_finding *f);

/* What --stats says besides the ps_stats counters. */
typedef struct cli_stats_info {
    double seconds;
    unsigned threads;   /* resolved: 0 is never written */
    ps_format format;
    ps_action action;   /* the run's action (PS_ACTION_INHERIT is written as "tag") */
} cli_stats_info;

/* --stats: one JSON object and a newline. */
void cli_stats_write(FILE *fp, const ps_stats *st, const ps_engine *e, const cli_stats_info *info);

/* --list-rules: a table of every rule in rs; `run_action` is shown for rules that do not set one. */
void cli_list_rules(FILE *fp, const ps_ruleset *rs, ps_action run_action);

/* --test-rules: runs every example, prints each failure and a summary line to fp.
 * @return PS_OK or PS_E_NOMEM; *failed counts failing examples. */
int cli_test_rules(FILE *fp, const ps_engine *e, size_t *failed);

#endif
