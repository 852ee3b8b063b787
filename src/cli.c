/* cli.c — main() of piiscrub: options, rule loading, the run loop over the inputs, exit codes.
 * A thin client of include/piiscrub.h; the only part of the tree that reads options, prints or exits. */
#include "cli_opts.h"
#include "cli_report.h"
#include "piiscrub.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h> /* only for the versions that -V prints */
#include <yaml.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "piiscrub"
#define KEY_MAX (64u * 1024u) /* a key is a few dozen bytes; anything this big is the wrong file */
#define THREADS_MAX 4096u

static const char help_text[] =
    "piiscrub - remove personal data (PII) from logs, text and JSON lines, as a stream\n"
    "\n"
    "Usage:\n"
    "  piiscrub [OPTIONS] [FILE...]\n"
    "\n"
    "Reads each FILE in order (standard input when there is none, or for '-'), replaces what the rules\n"
    "find (email addresses, phone numbers, card numbers, ...) and writes the result to standard output.\n"
    "Every byte that is not redacted passes through unchanged, in order, whatever the thread count.\n"
    "\n"
    "Examples:\n"
    "  piiscrub < app.log > clean.log                    'mail jane@corp.io' -> 'mail [EMAIL]'\n"
    "  kubectl logs web-1 | piiscrub -a partial | less   card numbers become ****-****-****-1111\n"
    "  zcat dump.jsonl.gz | piiscrub -f jsonl -j 8 | gzip > clean.jsonl.gz\n"
    "  head -c 32 /dev/urandom > key && chmod 600 key\n"
    "  piiscrub -a hash --key-file key < users.csv       same value -> same token: [EMAIL:3fa9c2d1e0b4]\n"
    "  git diff | piiscrub --check                       a CI gate: exit 1 when PII is present\n"
    "  piiscrub --check -q dump/*.txt || echo 'PII'      yes or no: stops at the first finding\n"
    "  piiscrub --check --report pii.sarif --report-format sarif logs/*.log\n"
    "                                                    lists file:line:col: rule, writes a SARIF report\n"
    "  echo 'card 4111 1111 1111 1112' | piiscrub --explain\n"
    "                                                    why was (or wasn't) this redacted?\n"
    "  piiscrub --progress -o clean.log big.log          a status line on stderr while it works\n"
    "  piiscrub -r my-rules/ --test-rules                run the examples written in your rules\n"
    "  piiscrub --packs core --list-rules                which rules are loaded, from where\n"
    "  piiscrub --stats --report findings.jsonl -o clean.txt a.txt b.txt\n"
    "\n"
    "Rules:\n"
    "  -r, --rules PATH        rule file, or directory of *.yaml files (repeatable); replaces the packs\n"
    "                          built into the binary\n"
    "      --packs A,B         keep only the rules of these packs\n"
    "      --list-rules        print the loaded rules (id, pack, entity, action, validator, file:line)\n"
    "      --test-rules        run every rule's match/no_match examples; exit 1 on any failure\n"
    "\n"
    "Input and output:\n"
    "  -f, --format F          text (default: a record is a line) | nul (NUL-separated records)\n"
    "                          | jsonl (a JSON value per line; only its strings are scanned)\n"
    "      --field PATH        jsonl: scan only this field (repeatable; dotted for nested objects,\n"
    "                          '*' for every element of an array)\n"
    "  -o, --output FILE       write to FILE (created 0644, truncated) instead of standard output\n"
    "  -j, --threads N         worker threads; 0 = all cores (default), 1 = no worker threads\n"
    "      --check             redact nothing; list each finding on standard output as\n"
    "                          FILE:LINE:COLUMN: RULE (ENTITY) (LINE = record number, COLUMN = byte\n"
    "                          offset + 1; never the matched text); exit 1 if anything would be\n"
    "                          redacted, 0 if not\n"
    "  -q, --quiet             with --check: print nothing, stop at the first finding (as grep -q)\n"
    "\n"
    "Redaction:\n"
    "  -a, --action A          tag (default): [EMAIL] | mask: same length, '*' | partial: the last 4\n"
    "                          letters/digits stay | hash: [EMAIL:3fa9c2d1e0b4], keyed | remove\n"
    "                          (a rule's own `action:` wins over this)\n"
    "      --key-file FILE     the secret key for hash (raw bytes; a trailing newline is dropped);\n"
    "                          or set PIISCRUB_KEY_FILE=FILE. Keep it private: chmod 600 FILE\n"
    "      --tag-format S      the tag text; {entity} and {rule} are replaced (default '[{entity}]')\n"
    "\n"
    "Reports:\n"
    "      --stats[=FILE]      a JSON summary (bytes, records, findings per rule, MB/s) to standard\n"
    "                          error, or to FILE\n"
    "      --report FILE       one JSON line per finding: file, record, offset, length, rule, entity;\n"
    "                          never the matched text\n"
    "      --report-format F   jsonl (default) | sarif (SARIF 2.1.0 for code-scanning services)\n"
    "      --progress          a status line on standard error: bytes, percent and ETA (when the input\n"
    "                          sizes are known), MB/s, findings (default: when standard error is a\n"
    "                          terminal and standard output is not)\n"
    "      --no-progress       never show it\n"
    "      --profile           after the run, a per-rule table on standard error: share of matching\n"
    "                          time, runs, ns per run, findings, where its search starts, and its\n"
    "                          prefilter trigger\n"
    "      --block-size N      bytes per chunk handed to a thread (default 1M; suffixes K, M, G are\n"
    "                          KiB, MiB, GiB); the output is the same for every size\n"
    "\n"
    "Explaining:\n"
    "      --explain           instead of redacting, print per candidate: RECORD:START-END RULE (ENTITY),\n"
    "                          the text masked, and kept (redacted as ...), merged into another span,\n"
    "                          or dropped by a check (validate, context, allow, not_after,\n"
    "                          min_entropy, keywords)\n"
    "      --explain-show-values   show the matched text in clear in --explain (prints personal data)\n"
    "\n"
    "Failing closed:\n"
    "      --on-error=E        when a record cannot be scanned (PCRE2 limit, memory): unscanned\n"
    "                          (default: it becomes [UNSCANNED]) | abort (stop, exit 4)\n"
    "      --on-invalid=I      jsonl: a line that is not JSON: text (default: scanned as text,\n"
    "                          counted) | drop | abort (exit 4)\n"
    "\n"
    "Training data (dropped records are counted by reason in --stats):\n"
    "      --exclude F=V1,V2   jsonl: drop records whose field F has one of the values (repeatable)\n"
    "      --require F=V       jsonl: keep only records whose field F is V (a record without F is\n"
    "                          dropped)\n"
    "      --exclude-ids FILE  jsonl: drop records whose --id-field value is a line of FILE\n"
    "      --id-field PATH     jsonl: the field holding a record's id, for --exclude-ids\n"
    "      --drop-findings N   drop a record with N or more findings\n"
    "      --drop-density X    drop a record with more than X findings per KiB of scanned text\n"
    "\n"
    "Other:\n"
    "  -V, --version           print the version and the PCRE2 and libyaml versions\n"
    "  -h, --help              print this help\n"
    "\n"
    "Exit status:\n"
    "  0  success\n"
    "  1  --check found something to redact, or --test-rules had a failing example\n"
    "  2  usage error, rule file error, or a missing or empty key\n"
    "  3  I/O error (an input could not be read, the output could not be written)\n"
    "  4  fail-closed abort (--on-error=abort and a record could not be scanned)\n"
    "\n"
    "Read more: man piiscrub, man 5 piiscrub-rules (the rule file format), README.md in the sources;\n"
    "piiscrub --list-rules shows where each rule is written.\n";

enum {
    OPT_PACKS = 256,
    OPT_LIST_RULES,
    OPT_FIELD,
    OPT_KEY_FILE,
    OPT_STATS,
    OPT_REPORT,
    OPT_REPORT_FORMAT,
    OPT_CHECK,
    OPT_TEST_RULES,
    OPT_EXPLAIN,
    OPT_EXPLAIN_SHOW_VALUES,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_ON_ERROR,
    OPT_ON_INVALID,
    OPT_TAG_FORMAT,
    OPT_EXCLUDE,
    OPT_REQUIRE,
    OPT_EXCLUDE_IDS,
    OPT_ID_FIELD,
    OPT_DROP_FINDINGS,
    OPT_DROP_DENSITY,
    OPT_PROFILE,
    OPT_BLOCK_SIZE,
};

static const struct option long_opts[] = {
    {"rules", required_argument, NULL, 'r'},
    {"packs", required_argument, NULL, OPT_PACKS},
    {"list-rules", no_argument, NULL, OPT_LIST_RULES},
    {"test-rules", no_argument, NULL, OPT_TEST_RULES},
    {"threads", required_argument, NULL, 'j'},
    {"format", required_argument, NULL, 'f'},
    {"field", required_argument, NULL, OPT_FIELD},
    {"action", required_argument, NULL, 'a'},
    {"key-file", required_argument, NULL, OPT_KEY_FILE},
    {"tag-format", required_argument, NULL, OPT_TAG_FORMAT},
    {"stats", optional_argument, NULL, OPT_STATS},
    {"report", required_argument, NULL, OPT_REPORT},
    {"report-format", required_argument, NULL, OPT_REPORT_FORMAT},
    {"check", no_argument, NULL, OPT_CHECK},
    {"quiet", no_argument, NULL, 'q'},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"explain-show-values", no_argument, NULL, OPT_EXPLAIN_SHOW_VALUES},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"profile", no_argument, NULL, OPT_PROFILE},
    {"block-size", required_argument, NULL, OPT_BLOCK_SIZE},
    {"on-error", required_argument, NULL, OPT_ON_ERROR},
    {"on-invalid", required_argument, NULL, OPT_ON_INVALID},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"require", required_argument, NULL, OPT_REQUIRE},
    {"exclude-ids", required_argument, NULL, OPT_EXCLUDE_IDS},
    {"id-field", required_argument, NULL, OPT_ID_FIELD},
    {"drop-findings", required_argument, NULL, OPT_DROP_FINDINGS},
    {"drop-density", required_argument, NULL, OPT_DROP_DENSITY},
    {"output", required_argument, NULL, 'o'},
    {"version", no_argument, NULL, 'V'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* ---------------------------------------------------------------- messages */

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs(PROG ": ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\ntry '" PROG " --help'\n", stderr);
}

static void print_diag(const ps_diag *d, int status)
{
    char buf[2048];
    if (d->msg[0] == '\0') {
        fprintf(stderr, PROG ": %s\n", ps_strerror(status));
        return;
    }
    ps_diag_format(d, buf, sizeof buf);
    fprintf(stderr, PROG ": %s\n", buf);
}

static const char *long_name(int val)
{
    for (const struct option *o = long_opts; o->name; o++)
        if (o->val == val)
            return o->name;
    return "?";
}

static int print_version(void)
{
    char pcre[64] = "?";
    int ymaj = 0, ymin = 0, ypat = 0;
    if (pcre2_config(PCRE2_CONFIG_VERSION, pcre) > 0 && pcre2_config(PCRE2_CONFIG_VERSION, NULL) <= (int)sizeof pcre)
        pcre[strcspn(pcre, " ")] = '\0'; /* "10.42 2022-12-11" -> "10.42" */
    yaml_get_version(&ymaj, &ymin, &ypat);
    printf(PROG " %s (PCRE2 %s, libyaml %d.%d.%d)\n", ps_version(), pcre, ymaj, ymin, ypat);
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- option values */

/* A decimal number, with `units`: then optionally K, M or G after it (times 1024, 1024^2, 1024^3; "KB", "KiB" and so
 * on too, as zstd reads them). @return 0, or -1 when malformed or above max. */
static int parse_number(const char *s, unsigned long max, bool units, unsigned long *out)
{
    static const char *const unit[] = {"", "K", "KB", "KiB", "M", "MB", "MiB", "G", "GB", "GiB"};
    static const unsigned shift[] = {0, 10, 10, 10, 20, 20, 20, 30, 30, 30};
    char *end;
    if (s[0] < '0' || s[0] > '9')
        return -1;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno)
        return -1;
    for (size_t i = 0; i < (units ? sizeof unit / sizeof unit[0] : 1); i++) {
        if (strcmp(end, unit[i]) != 0)
            continue;
        if (v > (max >> shift[i]))
            return -1;
        *out = v << shift[i];
        return 0;
    }
    return -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    return parse_number(s, max, false, out);
}

/* Picks `s` out of the '|'-separated `choices`. @return its index, or -1. */
static int parse_choice(const char *s, const char *choices)
{
    int i = 0;
    size_t n = strlen(s);
    for (const char *p = choices;; i++) {
        size_t l = strcspn(p, "|");
        if (l == n && strncmp(p, s, n) == 0)
            return i;
        if (p[l] == '\0')
            return -1;
        p += l + 1;
    }
}

/* "F=V" with a non-empty field name. */
static int valid_field_value(const char *s, size_t len)
{
    const char *eq = memchr(s, '=', len);
    return eq && eq != s;
}

static int bad_value(const char *opt, const char *val, const char *expected)
{
    usage_error("invalid value '%s' for --%s: %s", val, opt, expected);
    return -1;
}

/* Parses argv into *o. @return 0 (o->mode says what to do) or -1 after printing a usage error. */
static int parse_args(cli_opts *o, int argc, char **argv)
{
    unsigned long ul;
    int c, ch;

    memset(o, 0, sizeof *o);
    o->progress = -1;
    /* Each list holds at most one entry per argument; allocating that much up front keeps parsing simple. */
    o->rules = calloc((size_t)argc, sizeof *o->rules);
    o->fields = calloc((size_t)argc, sizeof *o->fields);
    o->excludes = calloc((size_t)argc, sizeof *o->excludes);
    o->requires = calloc((size_t)argc, sizeof *o->requires);
    if (!o->rules || !o->fields || !o->excludes || !o->requires) {
        fputs(PROG ": out of memory\n", stderr);
        return -1;
    }

    opterr = 0; /* our own messages: one line + a hint */
    while ((c = getopt_long(argc, argv, ":r:j:f:a:o:qVh", long_opts, NULL)) != -1) {
        const char *arg = optarg;
        switch (c) {
        case 'h': o->mode = CLI_MODE_HELP; return 0;
        case 'V': o->mode = CLI_MODE_VERSION; return 0;
        case 'r':
            if (!arg[0])
                return bad_value("rules", arg, "expected a rule file or directory");
            o->rules[o->n_rules++] = arg;
            break;
        case OPT_PACKS:
            if (!arg[0] || arg[strspn(arg, ",")] == '\0')
                return bad_value("packs", arg, "expected pack names, e.g. --packs core,secrets");
            o->packs = arg;
            break;
        case OPT_LIST_RULES:
        case OPT_TEST_RULES: {
            cli_mode m = c == OPT_LIST_RULES ? CLI_MODE_LIST_RULES : CLI_MODE_TEST_RULES;
            if (o->mode != CLI_MODE_RUN && o->mode != m) {
                usage_error("--list-rules and --test-rules cannot be used together");
                return -1;
            }
            o->mode = m;
            break;
        }
        case 'j':
            if (parse_uint(arg, THREADS_MAX, &ul) < 0)
                return bad_value("threads", arg, "expected a number of threads from 0 (all cores) to 4096");
            o->threads = (unsigned)ul;
            break;
        case 'f':
            if ((ch = parse_choice(arg, "text|nul|jsonl")) < 0)
                return bad_value("format", arg, "expected text, nul or jsonl");
            o->format = ch == 0 ? PS_FORMAT_TEXT : ch == 1 ? PS_FORMAT_NUL : PS_FORMAT_JSONL;
            break;
        case OPT_FIELD:
            if (!arg[0])
                return bad_value("field", arg, "expected a field path");
            o->fields[o->n_fields++] = arg;
            break;
        case 'a':
            if (ps_action_parse(arg, &o->action) != PS_OK)
                return bad_value("action", arg, "expected tag, mask, partial, hash or remove");
            break;
        case OPT_KEY_FILE:
            if (!arg[0])
                return bad_value("key-file", arg, "expected the path of a key file");
            o->key_file = arg;
            break;
        case OPT_TAG_FORMAT: o->tag_format = arg; break;
        case OPT_STATS:
            if (arg && !arg[0])
                return bad_value("stats", arg, "expected --stats or --stats=FILE");
            o->stats = 1;
            o->stats_file = arg;
            break;
        case OPT_REPORT:
            if (!arg[0])
                return bad_value("report", arg, "expected a file name");
            o->report_file = arg;
            break;
        case OPT_REPORT_FORMAT:
            if ((ch = parse_choice(arg, "jsonl|sarif")) < 0)
                return bad_value("report-format", arg, "expected jsonl or sarif");
            o->report_format = ch == 0 ? CLI_REPORT_JSONL : CLI_REPORT_SARIF;
            o->report_format_set = 1;
            break;
        case OPT_CHECK: o->check = 1; break;
        case 'q': o->quiet = 1; break;
        case OPT_EXPLAIN: o->explain = 1; break;
        case OPT_EXPLAIN_SHOW_VALUES: o->explain_show_values = 1; break;
        case OPT_PROGRESS: o->progress = 1; break;
        case OPT_NO_PROGRESS: o->progress = 0; break;
        case OPT_PROFILE: o->profile = 1; break;
        case OPT_BLOCK_SIZE:
            if (parse_number(arg, (unsigned long)1 << 30, true, &ul) < 0 || ul == 0)
                return bad_value("block-size", arg, "expected a size from 1 byte to 1G, e.g. 4096, 256K or 4M");
            o->block_size = ul;
            break;
        case OPT_ON_ERROR:
            if ((ch = parse_choice(arg, "unscanned|abort")) < 0)
                return bad_value("on-error", arg, "expected unscanned or abort");
            o->on_error = ch == 0 ? PS_ON_ERROR_UNSCANNED : PS_ON_ERROR_ABORT;
            break;
        case OPT_ON_INVALID:
            if ((ch = parse_choice(arg, "text|drop|abort")) < 0)
                return bad_value("on-invalid", arg, "expected text, drop or abort");
            o->on_invalid = (cli_on_invalid)ch;
            o->on_invalid_set = 1;
            break;
        case OPT_EXCLUDE:
            if (!valid_field_value(arg, strlen(arg)))
                return bad_value("exclude", arg, "expected FIELD=VALUE[,VALUE...], e.g. meta.region=EEA,CH,UK");
            o->excludes[o->n_excludes++] = arg;
            break;
        case OPT_REQUIRE:
            if (!valid_field_value(arg, strlen(arg)))
                return bad_value("require", arg, "expected FIELD=VALUE, e.g. meta.consent=true");
            o->requires[o->n_requires++] = arg;
            break;
        case OPT_EXCLUDE_IDS:
            if (!arg[0])
                return bad_value("exclude-ids", arg, "expected a file of ids");
            o->exclude_ids = arg;
            break;
        case OPT_ID_FIELD:
            if (!arg[0])
                return bad_value("id-field", arg, "expected a field name");
            o->id_field = arg;
            break;
        case OPT_DROP_FINDINGS:
            if (parse_uint(arg, ULONG_MAX, &ul) < 0)
                return bad_value("drop-findings", arg, "expected a whole number of findings");
            o->drop_findings = ul;
            o->drop_findings_set = 1;
            break;
        case OPT_DROP_DENSITY: {
            char *end;
            errno = 0;
            double d = strtod(arg, &end);
            if (!arg[0] || *end != '\0' || errno || !isfinite(d) || d < 0)
                return bad_value("drop-density", arg, "expected a number >= 0");
            o->drop_density = d;
            o->drop_density_set = 1;
            break;
        }
        case 'o':
            if (!arg[0])
                return bad_value("output", arg, "expected a file name");
            o->output = strcmp(arg, "-") == 0 ? NULL : arg;
            break;
        case ':': {
            const char *a = argv[optind - 1];
            if (optopt >= 256)
                usage_error("option '--%s' needs a value", long_name(optopt));
            else if (strncmp(a, "--", 2) == 0)
                usage_error("option '%s' needs a value", a);
            else
                usage_error("option '-%c' needs a value", optopt);
            return -1;
        }
        case '?':
        default: {
            const char *a = argv[optind - 1];
            if (optopt != 0 && strncmp(a, "--", 2) == 0 && strchr(a, '='))
                usage_error("option '%.*s' takes no value", (int)(strchr(a, '=') - a), a);
            else if (optopt > 0 && optopt < 256)
                usage_error("unknown option '-%c'", optopt);
            else
                usage_error("unknown option '%s'", a);
            return -1;
        }
        }
    }
    o->inputs = argv + optind;
    o->n_inputs = (size_t)(argc - optind);

    if (o->n_fields && o->format != PS_FORMAT_JSONL) {
        usage_error("--field needs --format jsonl");
        return -1;
    }
    if (o->mode != CLI_MODE_RUN && o->n_inputs) {
        usage_error("--%s reads no input; drop the FILE arguments",
                    o->mode == CLI_MODE_LIST_RULES ? "list-rules" : "test-rules");
        return -1;
    }
    if (o->check && o->output) {
        usage_error("--check writes nothing; drop -o/--output");
        return -1;
    }
    if (o->quiet && !o->check) {
        usage_error("-q/--quiet goes with --check (it answers yes or no without listing)");
        return -1;
    }
    if (o->quiet && o->report_file) {
        usage_error("-q/--quiet stops at the first finding, --report wants them all; drop one of them");
        return -1;
    }
    if (o->explain_show_values && !o->explain) {
        usage_error("--explain-show-values goes with --explain");
        return -1;
    }
    if (o->explain && o->mode == CLI_MODE_RUN) {
        const char *other = o->check ? "--check" : o->report_file ? "--report" : o->stats ? "--stats" : NULL;
        if (other) {
            usage_error("--explain prints an explanation instead of redacting; drop %s", other);
            return -1;
        }
        if (o->format == PS_FORMAT_JSONL) {
            usage_error("--explain reads text or nul records; for JSON lines, explain the string itself");
            return -1;
        }
    }
    if (o->report_format_set && !o->report_file) {
        usage_error("--report-format says how to write --report FILE; add --report FILE");
        return -1;
    }
    return 0;
}

/* Option combinations that cannot work. @return 0 or -1 after a message. */
static int check_training_opts(const cli_opts *o)
{
    int gates = o->n_excludes || o->n_requires || o->exclude_ids;
    if (o->format != PS_FORMAT_JSONL && (gates || o->n_fields || o->on_invalid_set)) {
        usage_error("--field, --exclude, --require, --exclude-ids and --on-invalid read JSON fields: add -f jsonl");
        return -1;
    }
    if (!!o->exclude_ids != !!o->id_field) {
        usage_error("--exclude-ids FILE and --id-field PATH go together: which field holds the id?");
        return -1;
    }
    return 0;
}

/* Builds the library filter from the training-data options. @return 0, or an exit code after a message. */
static int build_filter(const cli_opts *o, ps_filter **out)
{
    *out = NULL;
    if (!o->n_excludes && !o->n_requires && !o->exclude_ids && !o->drop_findings_set && !o->drop_density_set)
        return CLI_EXIT_OK;
    ps_filter *f;
    ps_diag d;
    memset(&d, 0, sizeof d);
    if (ps_filter_new(&f) != PS_OK) {
        fputs(PROG ": out of memory\n", stderr);
        return CLI_EXIT_IO;
    }
    int rc = PS_OK;
    char field[512];
    for (size_t i = 0; rc == PS_OK && i < o->n_excludes + o->n_requires; i++) {
        int req = i >= o->n_excludes;
        const char *arg = req ? o->requires[i - o->n_excludes] : o->excludes[i];
        const char *eq = strchr(arg, '=');
        snprintf(field, sizeof field, "%.*s", (int)(eq - arg), arg);
        rc = req ? ps_filter_require(f, field, eq + 1, &d) : ps_filter_exclude(f, field, eq + 1, &d);
    }
    if (rc == PS_OK && o->exclude_ids)
        rc = ps_filter_exclude_ids(f, o->exclude_ids, o->id_field, &d);
    if (o->drop_findings_set)
        ps_filter_drop_findings(f, o->drop_findings);
    if (o->drop_density_set)
        ps_filter_drop_density(f, o->drop_density);
    if (rc != PS_OK) {
        print_diag(&d, rc);
        ps_filter_free(f);
        return rc == PS_E_IO ? CLI_EXIT_IO : rc == PS_E_NOMEM ? CLI_EXIT_IO : CLI_EXIT_USAGE;
    }
    *out = f;
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------- key */

/* Reads the hash key: raw bytes, one trailing "\n" or "\r\n" dropped. @return 0, or an exit code after a message. */
static int load_key(const char *path, int from_env, unsigned char **key_out, size_t *len_out)
{
    const char *via = from_env ? " (from PIISCRUB_KEY_FILE)" : "";
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        fprintf(stderr, PROG ": cannot read key file '%s'%s: %s\n", path, via, strerror(errno));
        if (fd >= 0)
            close(fd);
        return CLI_EXIT_USAGE;
    }
    if (S_ISREG(st.st_mode) && (st.st_mode & 077))
        fprintf(stderr, PROG ": warning: key file '%s' is accessible by group or others; chmod 600 '%s'\n", path,
                path);

    unsigned char *key = malloc(KEY_MAX + 1);
    size_t len = 0;
    if (!key) {
        close(fd);
        fputs(PROG ": out of memory\n", stderr);
        return CLI_EXIT_IO;
    }
    while (len <= KEY_MAX) {
        ssize_t r = read(fd, key + len, KEY_MAX + 1 - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, PROG ": cannot read key file '%s'%s: %s\n", path, via, strerror(errno));
            explicit_bzero(key, KEY_MAX + 1);
            free(key);
            close(fd);
            return CLI_EXIT_USAGE;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (len > KEY_MAX) {
        fprintf(stderr, PROG ": key file '%s'%s is larger than %u bytes; is it the right file?\n", path, via, KEY_MAX);
        explicit_bzero(key, KEY_MAX + 1);
        free(key);
        return CLI_EXIT_USAGE;
    }
    if (len && key[len - 1] == '\n') {
        len--;
        if (len && key[len - 1] == '\r')
            len--;
    }
    if (len == 0) {
        fprintf(stderr,
                PROG ": key file '%s'%s is empty; make a key with: head -c 32 /dev/urandom > '%s' && chmod 600 '%s'\n",
                path, via, path, path);
        free(key);
        return CLI_EXIT_USAGE;
    }
    *key_out = key;
    *len_out = len;
    return CLI_EXIT_OK;
}

static void key_message(void)
{
    fputs(PROG ": the hash action needs a secret key: give one with --key-file FILE or PIISCRUB_KEY_FILE=FILE\n" PROG
          ": make one with: head -c 32 /dev/urandom > key && chmod 600 key\n",
          stderr);
}

/* ---------------------------------------------------------------- output */

typedef struct out_sink {
    int fd;
    const char *name; /* "stdout" or the -o FILE */
    int err;          /* errno of the first failed write; 0 while all is well */
} out_sink;

/* A ps_write_fn: every byte or an error, whatever write(2) does (EINTR, short writes, non-blocking fds). */
static int sink_write(void *ctx, const char *buf, size_t len)
{
    out_sink *s = ctx;
    while (len) {
        ssize_t w = write(s->fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                struct pollfd p = {.fd = s->fd, .events = POLLOUT};
                (void)poll(&p, 1, -1);
                continue;
            }
            s->err = errno;
            return 1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

static void sink_error(const out_sink *s)
{
    if (s->err != EPIPE) /* the reader went away (head, less): stop quietly */
        fprintf(stderr, PROG ": error writing to %s: %s\n", s->name, strerror(s->err));
}

/* Does input `name` name the same regular file as `out`? Reading a file while writing it would loop or clobber. */
static int same_file(const char *name, const struct stat *out)
{
    struct stat st;
    int r = strcmp(name, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(name, &st);
    return r == 0 && S_ISREG(st.st_mode) && st.st_dev == out->st_dev && st.st_ino == out->st_ino;
}

static int check_inputs_vs_output(const cli_opts *o)
{
    struct stat out;
    if (o->check)
        return 0;
    if (o->output ? stat(o->output, &out) != 0 : fstat(STDOUT_FILENO, &out) != 0)
        return 0; /* a new file: cannot be an input */
    if (!S_ISREG(out.st_mode))
        return 0;
    static const char *const dash = "-";
    const char *const *in = o->n_inputs ? (const char *const *)o->inputs : &dash;
    size_t n = o->n_inputs ? o->n_inputs : 1;
    for (size_t i = 0; i < n; i++) {
        if (same_file(in[i], &out)) {
            fprintf(stderr, PROG ": input '%s' is also the output; write to another file\n",
                    strcmp(in[i], "-") == 0 ? "stdin" : in[i]);
            return -1;
        }
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Closes a stdio stream we opened (or flushes stdout/stderr) and says so when anything went wrong. @return 0 or -1. */
static int finish_stream(FILE *fp, const char *what, int close_it)
{
    int bad = ferror(fp);
    int e = bad ? EIO : 0;
    if (close_it) {
        if (fclose(fp) != 0 && !bad) {
            bad = 1;
            e = errno;
        }
    } else if (fflush(fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (bad && e != EPIPE)
        fprintf(stderr, PROG ": error writing to %s: %s\n", what, strerror(e));
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- the run */

/* --check redacts nothing but still runs every record through, so that every finding is listed. */
static int discard_write(void *ctx, const char *buf, size_t len)
{
    (void)ctx;
    (void)buf;
    (void)len;
    return 0;
}

/* Is the progress line wanted? By default only when someone watches stderr and it does not share the terminal
 * with the redacted stream (the listing of --check clears the line itself). */
static int want_progress(const cli_opts *o)
{
    if (o->progress >= 0)
        return o->progress;
    if (!isatty(STDERR_FILENO))
        return 0;
    return o->check || o->output || !isatty(STDOUT_FILENO);
}

/* The total size of the inputs, when every one is a regular file. @return 1 when known. */
static int inputs_size(const cli_opts *o, uint64_t *total)
{
    struct stat sb;
    *total = 0;
    size_t n = o->n_inputs ? o->n_inputs : 1;
    for (size_t i = 0; i < n; i++) {
        const char *name = o->n_inputs ? o->inputs[i] : "-";
        int r = strcmp(name, "-") == 0 ? fstat(STDIN_FILENO, &sb) : stat(name, &sb);
        if (r != 0 || !S_ISREG(sb.st_mode))
            return 0;
        *total += (uint64_t)sb.st_size;
    }
    return 1;
}

/* Reads every input through the engine. @return the exit code. */
static int run_inputs(const cli_opts *o, const ps_engine *e, const cli_rule_meta *meta, const char *digest)
{
    int code = CLI_EXIT_OK, io_failed = 0, stop = 0;
    out_sink sink = {.fd = STDOUT_FILENO, .name = "stdout", .err = 0};
    cli_progress prog;
    cli_report rep = {.fp = NULL,
                      .sarif = o->report_format == CLI_REPORT_SARIF,
                      .list_fp = o->check && !o->quiet ? stdout : NULL,
                      .progress = &prog,
                      .engine = e,
                      .meta = meta,
                      .input = "-"};
    FILE *stats_fp = NULL;
    ps_stats st;
    memset(&st, 0, sizeof st);
    cli_progress_init(&prog, NULL, 0, 0, 0);

    if (check_inputs_vs_output(o) < 0)
        return CLI_EXIT_USAGE;
    ps_filter *filter = NULL;
    if ((code = build_filter(o, &filter)) != CLI_EXIT_OK)
        return code;
    if (ps_stats_init(&st, e) != PS_OK) {
        fputs(PROG ": out of memory\n", stderr);
        ps_filter_free(filter);
        return CLI_EXIT_IO;
    }
    /* Open every output before reading anything, so a typo in a path costs nothing. */
    if (o->report_file && !(rep.fp = fopen(o->report_file, "w"))) {
        fprintf(stderr, PROG ": cannot open report file '%s': %s\n", o->report_file, strerror(errno));
        code = CLI_EXIT_IO;
        goto out;
    }
    if (o->stats_file && !(stats_fp = fopen(o->stats_file, "w"))) {
        fprintf(stderr, PROG ": cannot open stats file '%s': %s\n", o->stats_file, strerror(errno));
        code = CLI_EXIT_IO;
        goto out;
    }
    if (o->output && !o->check) {
        sink.fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        sink.name = o->output;
        if (sink.fd < 0) {
            fprintf(stderr, PROG ": cannot open output file '%s': %s\n", o->output, strerror(errno));
            code = CLI_EXIT_IO;
            goto out;
        }
    }
    if (rep.fp && rep.sarif)
        cli_sarif_begin(&rep);

    ps_run_options ro;
    memset(&ro, 0, sizeof ro);
    ro.format = o->format;
    ro.threads = o->threads;
    ro.on_error = o->on_error;
    ro.on_invalid = (ps_on_invalid)o->on_invalid;
    ro.profile = o->profile;
    ro.block_size = o->block_size;
    ro.fields = o->fields;
    ro.n_fields = o->n_fields;
    ro.filter = filter;
    ro.check_only = o->quiet; /* --check lists every finding, so only --check --quiet stops at the first */
    ro.write = o->check ? discard_write : sink_write;
    ro.write_ctx = &sink;
    ro.on_finding = rep.fp || rep.list_fp ? cli_report_finding : NULL;
    ro.finding_ctx = &rep;

    static char *const dash[] = {"-"};
    char *const *inputs = o->n_inputs ? o->inputs : dash;
    size_t n_inputs = o->n_inputs ? o->n_inputs : 1;
    double t0 = now_seconds();
    if (want_progress(o)) {
        uint64_t total;
        int known = inputs_size(o, &total);
        cli_progress_init(&prog, stderr, t0, total, known);
        ro.on_progress = cli_progress_update;
        ro.progress_ctx = &prog;
    }

    for (size_t i = 0; i < n_inputs && !stop; i++) {
        const char *name = inputs[i];
        int is_stdin = strcmp(name, "-") == 0;
        int fd = is_stdin ? STDIN_FILENO : open(name, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            cli_progress_clear(&prog);
            fprintf(stderr, PROG ": %s: %s\n", name, strerror(errno));
            io_failed = 1;
            continue;
        }
        rep.input = name;
        errno = 0;
        int rc = ps_run(e, &ro, fd, &st);
        int saved_errno = errno;
        if (!is_stdin)
            close(fd);
        if (rc != PS_OK || sink.err || (rep.fp && ferror(rep.fp)))
            cli_progress_clear(&prog); /* a message follows */

        if (sink.err) {
            sink_error(&sink);
            code = CLI_EXIT_IO;
            stop = 1;
            break;
        }
        if (rep.fp && ferror(rep.fp)) {
            fprintf(stderr, PROG ": error writing to report file '%s'\n", o->report_file);
            code = CLI_EXIT_IO;
            stop = 1;
            break;
        }
        switch (rc) {
        case PS_OK:
            stop = o->quiet && st.findings; /* the answer is known: the other inputs are not even opened */
            break;
        case PS_E_STOPPED: /* a callback stopped it: the --check listing could not be written */
            if (!(o->check && st.findings)) {
                fprintf(stderr, PROG ": %s: %s\n", is_stdin ? "stdin" : name, ps_strerror(rc));
                code = CLI_EXIT_IO;
            }
            stop = 1;
            break;
        case PS_E_IO:
            fprintf(stderr, PROG ": %s: %s\n", is_stdin ? "stdin" : name,
                    saved_errno ? strerror(saved_errno) : ps_strerror(rc));
            io_failed = 1;
            break;
        case PS_E_UNSCANNED:
            fprintf(stderr,
                    PROG ": %s: record could not be scanned; stopping because of --on-error=abort "
                         "(nothing of that record was written)\n",
                    is_stdin ? "stdin" : name);
            code = CLI_EXIT_ABORT;
            stop = 1;
            break;
        case PS_E_USAGE: /* the library refused the run options: nothing was read */
            fprintf(stderr, PROG ": cannot run with these options (check the --field paths): %s\n", ps_strerror(rc));
            code = CLI_EXIT_USAGE;
            stop = 1;
            break;
        case PS_E_INVALID:
            fprintf(stderr, PROG ": %s: record %" PRIu64 " is not valid JSON; stopping because of --on-invalid=abort\n",
                    is_stdin ? "stdin" : name, st.records + 1);
            code = CLI_EXIT_ABORT;
            stop = 1;
            break;
        default:
            fprintf(stderr, PROG ": %s: %s\n", is_stdin ? "stdin" : name, ps_strerror(rc));
            code = CLI_EXIT_IO;
            stop = 1;
            break;
        }
    }
    double secs = now_seconds() - t0;
    cli_progress_finish(&prog, &st, o->progress == 1);
    /* Warn once, at the end, about what was not redacted the ordinary way. */
    if (o->profile)
        cli_profile_write(stderr, &st, e);
    if (st.unscanned)
        fprintf(stderr, PROG ": warning: %" PRIu64 " record(s) could not be scanned (a PCRE2 limit) and were replaced "
                "by [UNSCANNED]; use --on-error=abort to stop instead\n", st.unscanned);
    if (st.invalid && o->on_invalid == CLI_ON_INVALID_TEXT)
        fprintf(stderr, PROG ": warning: %" PRIu64 " line(s) were not valid JSON (redacted as plain text unless a --require gate left them out); "
                "see --on-invalid\n", st.invalid);
    if (o->check) {
        st.bytes_out = 0; /* nothing was written */
        if (rep.list_err) {
            /* A reader that went away (| head) already has its answer: exit 1, quietly. */
            if (rep.list_err != EPIPE) {
                fprintf(stderr, PROG ": error writing to stdout: %s\n", strerror(rep.list_err));
                code = code ? code : CLI_EXIT_IO;
            }
        } else if (finish_stream(stdout, "stdout", 0) < 0 && !st.findings && code == CLI_EXIT_OK) {
            code = CLI_EXIT_IO;
        }
    }

    if (sink.fd != STDOUT_FILENO || !o->check) {
        if (close(sink.fd) != 0 && !sink.err && errno != EINTR) {
            sink.err = errno;
            sink_error(&sink);
            code = code ? code : CLI_EXIT_IO;
        }
        sink.fd = -1;
    }
    if (rep.fp) {
        if (rep.sarif)
            cli_sarif_end(&rep, code == CLI_EXIT_OK && !io_failed);
        FILE *fp = rep.fp;
        rep.fp = NULL;
        if (finish_stream(fp, o->report_file, 1) < 0 && code == CLI_EXIT_OK)
            code = CLI_EXIT_IO;
    }
    if (o->stats) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        cli_stats_info info = {
            .seconds = secs,
            .threads = o->threads ? o->threads : (cores > 0 ? (unsigned)cores : 1u),
            .format = o->format,
            .action = o->action,
            .rules_digest = digest,
            .opts = o,
            .id_count = ps_filter_id_count(filter),
        };
        FILE *fp = stats_fp ? stats_fp : stderr;
        cli_stats_write(fp, &st, e, &info);
        stats_fp = NULL;
        if (finish_stream(fp, fp == stderr ? "stderr" : o->stats_file, fp != stderr) < 0 && code == CLI_EXIT_OK)
            code = CLI_EXIT_IO;
    }
    if (code == CLI_EXIT_OK && io_failed)
        code = CLI_EXIT_IO;
    if (code == CLI_EXIT_OK && o->check && st.findings)
        code = CLI_EXIT_FOUND;

out:
    if (sink.fd >= 0 && sink.fd != STDOUT_FILENO)
        close(sink.fd);
    if (rep.fp)
        fclose(rep.fp);
    if (stats_fp)
        fclose(stats_fp);
    ps_stats_free(&st);
    ps_filter_free(filter);
    return code;
}

/* --explain: reads records (text or nul) and explains each instead of redacting. @return the exit code. */
static int explain_inputs(const cli_opts *o, const ps_engine *e, const cli_rule_meta *meta)
{
    int code = CLI_EXIT_OK;
    FILE *out = stdout;
    char *line = NULL;
    size_t cap = 0;
    int sep = o->format == PS_FORMAT_NUL ? '\0' : '\n';

    if (check_inputs_vs_output(o) < 0)
        return CLI_EXIT_USAGE;
    if (o->output && !(out = fopen(o->output, "w"))) {
        fprintf(stderr, PROG ": cannot open output file '%s': %s\n", o->output, strerror(errno));
        return CLI_EXIT_IO;
    }
    if (o->explain_show_values)
        fputs(PROG ": warning: --explain-show-values prints the matched personal data in clear; do not paste this "
                   "output into tickets, chats or logs\n",
              stderr);

    cli_explain x;
    memset(&x, 0, sizeof x);
    x.fp = out;
    x.engine = e;
    x.meta = meta;
    x.tag_format = o->tag_format;
    x.show_values = o->explain_show_values;

    static char *const dash[] = {"-"};
    char *const *inputs = o->n_inputs ? o->inputs : dash;
    size_t n_inputs = o->n_inputs ? o->n_inputs : 1;
    for (size_t i = 0; i < n_inputs && code == CLI_EXIT_OK; i++) {
        const char *name = inputs[i];
        int is_stdin = strcmp(name, "-") == 0;
        FILE *in = is_stdin ? stdin : fopen(name, "r");
        if (!in) {
            fprintf(stderr, PROG ": %s: %s\n", name, strerror(errno));
            code = CLI_EXIT_IO;
            break;
        }
        x.input = n_inputs > 1 ? name : NULL; /* like grep: name the file when there are several */
        uint64_t record = 0;
        ssize_t n;
        errno = 0;
        while ((n = getdelim(&line, &cap, sep, in)) >= 0) {
            size_t len = (size_t)n;
            if (len && line[len - 1] == (char)sep)
                len--;
            record++;
            if (cli_explain_record(&x, record, line, len) == PS_E_NOMEM) {
                fputs(PROG ": out of memory\n", stderr);
                code = CLI_EXIT_IO;
                break;
            }
            errno = 0;
        }
        if (code == CLI_EXIT_OK && ferror(in)) {
            fprintf(stderr, PROG ": %s: %s\n", is_stdin ? "stdin" : name, strerror(errno ? errno : EIO));
            code = CLI_EXIT_IO;
        }
        if (!is_stdin)
            fclose(in);
        if (ferror(out))
            break; /* reported below */
    }
    free(line);
    fprintf(out, "explained %" PRIu64 " record%s: %" PRIu64 " candidate%s, %" PRIu64 " kept, %" PRIu64 " dropped\n",
            x.records, x.records == 1 ? "" : "s", x.candidates, x.candidates == 1 ? "" : "s", x.kept, x.dropped);
    if (finish_stream(out, out == stdout ? "stdout" : o->output, out != stdout) < 0 && code == CLI_EXIT_OK)
        code = CLI_EXIT_IO;
    return code;
}

/* Loads the rules the options ask for into *rs_out. @return 0 or an exit code after a message. */
static int load_rules(const cli_opts *o, ps_ruleset **rs_out)
{
    ps_ruleset *rs = NULL;
    ps_diag diag;
    int rc;
    memset(&diag, 0, sizeof diag);
    if (ps_ruleset_new(&rs) != PS_OK) {
        fputs(PROG ": out of memory\n", stderr);
        return CLI_EXIT_IO;
    }
    if (o->n_rules == 0) {
        rc = ps_ruleset_load_builtin(rs, &diag);
    } else {
        rc = PS_OK;
        for (size_t i = 0; i < o->n_rules && rc == PS_OK; i++)
            rc = ps_ruleset_load_path(rs, o->rules[i], &diag);
    }
    if (rc == PS_OK && o->packs)
        rc = ps_ruleset_keep_packs(rs, o->packs, &diag);
    if (rc != PS_OK) {
        print_diag(&diag, rc);
        ps_ruleset_free(rs);
        return rc == PS_E_NOMEM ? CLI_EXIT_IO : CLI_EXIT_USAGE;
    }
    *rs_out = rs;
    return CLI_EXIT_OK;
}

static int run(const cli_opts *o)
{
    ps_ruleset *rs = NULL;
    ps_engine *e = NULL;
    unsigned char *key = NULL;
    size_t key_len = 0;
    unsigned char throwaway[32];
    ps_diag diag;
    int code, rc;
    memset(&diag, 0, sizeof diag);

    if ((code = load_rules(o, &rs)) != CLI_EXIT_OK)
        return code;
    if (o->mode == CLI_MODE_LIST_RULES) {
        cli_list_rules(stdout, rs, o->action);
        ps_ruleset_free(rs);
        return finish_stream(stdout, "stdout", 0) < 0 ? CLI_EXIT_IO : CLI_EXIT_OK;
    }
    if (o->mode == CLI_MODE_RUN && ps_ruleset_count(rs) == 0) {
        fputs(PROG ": no rules loaded, so nothing would be redacted; check -r/--rules and --packs\n", stderr);
        ps_ruleset_free(rs);
        return CLI_EXIT_USAGE;
    }

    ps_engine_options eo;
    memset(&eo, 0, sizeof eo);
    eo.action = o->action;
    eo.tag_format = o->tag_format;
    if (o->key_file) {
        if ((code = load_key(o->key_file, o->key_from_env, &key, &key_len)) != CLI_EXIT_OK) {
            ps_ruleset_free(rs);
            return code;
        }
        eo.key = key;
        eo.key_len = key_len;
    } else if ((o->mode == CLI_MODE_TEST_RULES || o->check || o->explain) &&
               getentropy(throwaway, sizeof throwaway) == 0) {
        /* These modes never write a token, so a key nobody knows lets hashing rules be checked without one. */
        eo.key = throwaway;
        eo.key_len = sizeof throwaway;
    }
    rc = ps_engine_compile(rs, &eo, &e, &diag);
    if (key) {
        explicit_bzero(key, key_len);
        free(key);
    }
    explicit_bzero(throwaway, sizeof throwaway);
    if (rc != PS_OK) {
        ps_ruleset_free(rs);
        if (rc == PS_E_KEY)
            key_message();
        else if (rc == PS_E_USAGE && diag.msg[0] == '\0')
            fprintf(stderr, PROG ": invalid --tag-format '%s'\n", o->tag_format ? o->tag_format : "");
        else
            print_diag(&diag, rc);
        return rc == PS_E_NOMEM ? CLI_EXIT_IO : CLI_EXIT_USAGE;
    }

    if (o->mode == CLI_MODE_TEST_RULES) {
        size_t failed = 0;
        ps_ruleset_free(rs);
        rc = cli_test_rules(stdout, e, &failed);
        ps_engine_free(e);
        if (finish_stream(stdout, "stdout", 0) < 0)
            return CLI_EXIT_IO;
        if (rc != PS_OK) {
            fprintf(stderr, PROG ": %s\n", ps_strerror(rc));
            return CLI_EXIT_IO;
        }
        return failed ? CLI_EXIT_FOUND : CLI_EXIT_OK;
    }
    /* Reports describe rules (SARIF descriptions, explain's actions): the ruleset lives until the run is over. */
    cli_rule_meta *meta = cli_rule_meta_new(e, rs, o->action);
    if (!meta) {
        fputs(PROG ": out of memory\n", stderr);
        code = CLI_EXIT_IO;
    } else {
        char digest[65] = ""; /* for --stats only: hashing wakes OpenSSL, about 1 ms of every start */
        if (o->stats && ps_ruleset_digest(rs, digest) != PS_OK)
            digest[0] = '\0';
        code = o->explain ? explain_inputs(o, e, meta) : run_inputs(o, e, meta, digest);
    }
    free(meta);
    ps_engine_free(e);
    ps_ruleset_free(rs);
    return code;
}

int main(int argc, char **argv)
{
    cli_opts opts;
    int code;

    /* A closed pipe must show up as EPIPE from write(2), so that we can stop quietly with exit 3. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);

    if (parse_args(&opts, argc, argv) < 0) {
        code = CLI_EXIT_USAGE;
        goto done;
    }
    if (opts.mode == CLI_MODE_HELP) {
        fputs(help_text, stdout);
        code = finish_stream(stdout, "stdout", 0) < 0 ? CLI_EXIT_IO : CLI_EXIT_OK;
        goto done;
    }
    if (opts.mode == CLI_MODE_VERSION) {
        print_version();
        code = finish_stream(stdout, "stdout", 0) < 0 ? CLI_EXIT_IO : CLI_EXIT_OK;
        goto done;
    }
    if (check_training_opts(&opts) < 0) {
        code = CLI_EXIT_USAGE;
        goto done;
    }
    if (!opts.key_file) {
        const char *env = getenv("PIISCRUB_KEY_FILE");
        if (env && env[0]) {
            opts.key_file = env;
            opts.key_from_env = 1;
        }
    }
    code = run(&opts);

done:
    free(opts.rules);
    free(opts.fields);
    free(opts.excludes);
    free(opts.requires);
    return code;
}
