/* cli_opts.h — the command line of piiscrub, parsed into one struct that main() owns (no globals).
 * Strings point into argv (or the environment) and are not owned; the two lists are allocated by cli_opts_parse and
 * freed by cli_opts_free. */
#ifndef PS_CLI_OPTS_H
#define PS_CLI_OPTS_H

#include "piiscrub.h"

#include <stddef.h>

/* Exit codes (design.md "CLI contract"). */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FOUND = 1,   /* --check found PII, or --test-rules had a failure */
    CLI_EXIT_USAGE = 2,   /* usage, rule or key error */
    CLI_EXIT_IO = 3,      /* reading input or writing output failed */
    CLI_EXIT_ABORT = 4,   /* fail-closed abort (--on-error=abort) */
};

typedef enum cli_mode { CLI_MODE_RUN = 0, CLI_MODE_HELP, CLI_MODE_VERSION, CLI_MODE_LIST_RULES, CLI_MODE_TEST_RULES }
    cli_mode;
typedef enum cli_report_format { CLI_REPORT_JSONL = 0, CLI_REPORT_SARIF } cli_report_format;
typedef enum cli_on_invalid { CLI_ON_INVALID_TEXT = 0, CLI_ON_INVALID_DROP, CLI_ON_INVALID_ABORT } cli_on_invalid;

typedef struct cli_opts {
    cli_mode mode;

    /* rules */
    const char **rules; /* -r PATH, in order; n_rules == 0 means the built-in packs */
    size_t n_rules;
    const char *packs;  /* --packs A,B or NULL */

    /* run */
    unsigned threads;   /* -j; 0 = all cores */
    ps_format format;
    const char **fields; /* --field PATH (jsonl) */
    size_t n_fields;
    ps_action action;   /* -a; PS_ACTION_INHERIT when not given (the engine then tags) */
    const char *key_file; /* --key-file, else $PIISCRUB_KEY_FILE, else NULL */
    int key_from_env;
    const char *tag_format;
    ps_on_error on_error;
    int check;
    int quiet; /* -q: --check answers by its exit status only, and stops at the first finding */

    /* output and reports */
    const char *output;  /* -o FILE or NULL (stdout) */
    int stats;           /* --stats given */
    const char *stats_file; /* --stats=FILE, NULL = stderr */
    const char *report_file;
    cli_report_format report_format;
    int report_format_set;

    /* training data (jsonl) */
    int on_invalid_set;
    cli_on_invalid on_invalid;
    const char **excludes;   /* --exclude FIELD=V1,V2,... (repeatable) */
    size_t n_excludes;
    const char **requires;   /* --require FIELD=VALUE (repeatable) */
    size_t n_requires;
    const char *exclude_ids; /* FILE */
    const char *id_field;
    int drop_findings_set;
    unsigned long drop_findings;
    int drop_density_set;
    double drop_density;

    /* everyday use */
    int explain;             /* --explain: per candidate, which rule and which check kept or dropped it */
    int explain_show_values; /* --explain-show-values: print matched text in clear (with a warning) */
    int progress;            /* -1 = auto (stderr is a terminal), 0 = off, 1 = on */
    int profile;             /* --profile: per-rule cost table on stderr */
    unsigned long block_size; /* --block-size; 0 = the library default */

    /* inputs: FILE operands; none means stdin */
    char **inputs;
    size_t n_inputs;
} cli_opts;

#endif
