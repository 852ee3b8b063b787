/*
 * piiscrub.h — the public API of libpiiscrub, a streaming PII-redaction filter.
 *
 * The life of a run:
 *
 *     ps_ruleset *rs;  ps_ruleset_new(&rs);
 *     ps_ruleset_load_builtin(rs, &diag);          or ps_ruleset_load_path(rs, "my-rules/", &diag)
 *     ps_engine *e;    ps_engine_compile(rs, &opts, &e, &diag);
 *     ps_run(e, &run_opts, in_fd, &stats);         the (threaded) pipeline, fd to a write callback
 *     ps_engine_free(e); ps_ruleset_free(rs);
 *
 * Ownership: every *_new / *_compile has a matching *_free, and every free accepts NULL. Out-parameters are set only
 * on success. Threads: a ps_ruleset and a ps_engine are immutable after loading / compiling, and any number of threads
 * may use one engine at once (each call that needs per-thread state creates or takes its own ps_scratch).
 * Errors: functions return PS_OK (0) or a negative PS_E_* status; ps_strerror() names it, and functions that take a
 * ps_diag fill it with the file, line, column, rule id and a message that says what to do.
 * The library never prints, never exits and never reads options or the environment.
 */
#ifndef PIISCRUB_H
#define PIISCRUB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && defined(PS_BUILDING_LIBRARY)
#define PS_API __attribute__((visibility("default")))
#else
#define PS_API
#endif

#define PS_VERSION_MAJOR 0
#define PS_VERSION_MINOR 1
#define PS_VERSION_PATCH 0
#define PS_VERSION_STRING "0.1.0"

/*! ps_version() : @return the library's version, "MAJOR.MINOR.PATCH". */
PS_API const char *ps_version(void);

/* ---------------------------------------------------------------- status codes */
enum {
    PS_OK = 0,
    PS_E_NOMEM = -1,     /* out of memory */
    PS_E_RULES = -2,     /* a rule file is wrong: ps_diag says where and why */
    PS_E_IO = -3,        /* reading input or writing output failed */
    PS_E_UNSCANNED = -4, /* a record could not be scanned and on_error is PS_ON_ERROR_ABORT (fail closed) */
    PS_E_USAGE = -5,     /* an invalid argument or option combination */
    PS_E_KEY = -6,       /* the hash action needs a key and none (or an empty one) was given */
    PS_E_STOPPED = -7,   /* the write callback asked to stop (e.g. a closed pipe) */
    PS_E_INVALID = -8,   /* jsonl: an invalid record and on_invalid is abort */
};

/*! ps_strerror() : @return a short static description of a PS_* status. */
PS_API const char *ps_strerror(int status);

/* Where an error is and what it is. file/rule_id are empty strings when not known; line/col are 1-based, 0 = unknown. */
typedef struct ps_diag {
    char file[512];
    unsigned line, col;
    char rule_id[128];
    char msg[1024];
} ps_diag;

/*! ps_diag_format() : writes "file:line:col: rule 'id': msg" (parts that are unknown are left out) into buf.
 *  @return the length that the full text needs (like snprintf). */
PS_API int ps_diag_format(const ps_diag *diag, char *buf, size_t size);

/* ---------------------------------------------------------------- actions */
typedef enum ps_action {
    PS_ACTION_INHERIT = 0, /* in a rule: use the run's action */
    PS_ACTION_TAG,         /* [EMAIL] (see tag_format) */
    PS_ACTION_MASK,        /* same length, every character '*', ASCII punctuation and spaces kept */
    PS_ACTION_PARTIAL,     /* like mask, but the last 4 alphanumerics stay */
    PS_ACTION_HASH,        /* [EMAIL:3fa9c2d1e0b4], HMAC-SHA256 under a key */
    PS_ACTION_REMOVE,      /* the span disappears */
} ps_action;

/*! ps_action_parse() : "tag" | "mask" | "partial" | "hash" | "remove" -> *out. @return PS_OK or PS_E_USAGE. */
PS_API int ps_action_parse(const char *name, ps_action *out);
/*! ps_action_name() : @return the name of an action ("inherit" for PS_ACTION_INHERIT). */
PS_API const char *ps_action_name(ps_action a);

/* ---------------------------------------------------------------- rules */
typedef struct ps_ruleset ps_ruleset;

/*! ps_ruleset_new() : an empty ruleset. @return PS_OK or PS_E_NOMEM. */
PS_API int ps_ruleset_new(ps_ruleset **out);
/*! ps_ruleset_free() : accepts NULL. */
PS_API void ps_ruleset_free(ps_ruleset *rs);

/*! ps_ruleset_load_path() : adds the rules of one YAML file, or of every *.yaml / *.yml file in a directory (sorted by
 *  name). Rule ids must be unique across everything loaded into rs.
 *  @return PS_OK, PS_E_RULES (diag filled) or PS_E_NOMEM. On error rs keeps what it held before the call. */
PS_API int ps_ruleset_load_path(ps_ruleset *rs, const char *path, ps_diag *diag);

/*! ps_ruleset_load_buffer() : the same, from YAML text in memory; `name` is used as the file name in messages. */
PS_API int ps_ruleset_load_buffer(ps_ruleset *rs, const char *name, const char *yaml, size_t len, ps_diag *diag);

/*! ps_ruleset_load_builtin() : adds the packs compiled into the library (the rules directory at build time). */
PS_API int ps_ruleset_load_builtin(ps_ruleset *rs, ps_diag *diag);

/*! ps_ruleset_keep_packs() : keeps only the rules of the named packs (comma-separated list).
 *  @return PS_OK, or PS_E_USAGE with diag naming a pack that is not loaded. */
PS_API int ps_ruleset_keep_packs(ps_ruleset *rs, const char *packs_csv, ps_diag *diag);

/*! ps_ruleset_count() : @return the number of rules. */
PS_API size_t ps_ruleset_count(const ps_ruleset *rs);

/*! ps_ruleset_digest() : a SHA-256 (64 hex digits and a NUL) of everything the loaded rules say, in order — for run
 *  manifests: equal digests, equal rules. @return PS_OK or PS_E_NOMEM. */
PS_API int ps_ruleset_digest(const ps_ruleset *rs, char hex[65]);

/* A read-only view of one rule, valid while rs lives. */
typedef struct ps_rule_info {
    const char *id, *entity, *description, *pack, *validate; /* validate: NULL when none */
    const char *file;
    unsigned line, col;
    int priority;
    ps_action action;
} ps_rule_info;

/*! ps_ruleset_rule() : fills *info for rule i (0 <= i < count). @return PS_OK or PS_E_USAGE. */
PS_API int ps_ruleset_rule(const ps_ruleset *rs, size_t i, ps_rule_info *info);

/* ---------------------------------------------------------------- engine */
typedef struct ps_engine ps_engine;

typedef struct ps_engine_options {
    ps_action action;          /* the run's action for rules that do not set one; 0 = tag */
    const unsigned char *key;  /* hash action key (copied); required when any rule resolves to hash */
    size_t key_len;
    const char *tag_format;    /* placeholder for tag: "{entity}" and "{rule}" are replaced; NULL = "[{entity}]" */
    uint32_t match_limit;      /* PCRE2 match limit per match call; 0 = default (10 000 000) */
    uint32_t depth_limit;      /* PCRE2 depth limit; 0 = default (100 000) */
} ps_engine_options;

/*! ps_engine_compile() : compiles every rule (PCRE2 with JIT) and prepares prefilters and actions. Borrows rs only
 *  during the call; the engine copies what it needs.
 *  @return PS_OK, PS_E_RULES (a pattern or allow regex does not compile, or matches the empty string: diag says which
 *  and where), PS_E_KEY (a rule hashes and no key was given), PS_E_USAGE (bad tag_format) or PS_E_NOMEM. */
PS_API int ps_engine_compile(const ps_ruleset *rs, const ps_engine_options *opts, ps_engine **out, ps_diag *diag);
/*! ps_engine_free() : accepts NULL. */
PS_API void ps_engine_free(ps_engine *e);
/*! ps_engine_rule_count() : @return the number of compiled rules; rule indexes in findings and stats are 0..n-1. */
PS_API size_t ps_engine_rule_count(const ps_engine *e);
/*! ps_engine_rule_id() / ps_engine_rule_entity() : @return the id / entity of rule i, or NULL when out of range. */
PS_API const char *ps_engine_rule_id(const ps_engine *e, size_t i);
PS_API const char *ps_engine_rule_entity(const ps_engine *e, size_t i);
/*! ps_engine_rule_trigger() : what the record prefilter looks for on rule i's behalf ("a digit", "one of its
 * keywords", ...): a record without any rule's trigger is passed through unscanned. @return NULL when the rule has
 * no trigger (the prefilter is then off and every record is scanned: give such a rule keywords) or i is out of
 * range. */
PS_API const char *ps_engine_rule_trigger(const ps_engine *e, size_t i);
/*! ps_engine_rule_search() : where inside a record rule i's regex is started, as text for a rule author ("within
 * 64 B before '@'": a match holds an '@' at most 64 bytes in, so the search starts only there; "in runs of its bytes
 * with 9+ digits": only in such runs of the bytes its matches are made of; "anywhere": the whole record is
 * searched). Writes at most size bytes, NUL-terminated, into buf.
 * @return 1 when the search is bounded, 0 when it is not, -1 when i is out of range (buf gets ""). */
PS_API int ps_engine_rule_search(const ps_engine *e, size_t i, char *buf, size_t size);

/* ---------------------------------------------------------------- rule self-tests */
/* The outcome of one rule example (the `examples:` of a rule). */
typedef struct ps_example_result {
    const char *rule_id;
    const char *example;  /* the example text as written in the rule file */
    const char *file;     /* where the example is written */
    unsigned line, col;
    int expect_match;     /* 1 for `match:` examples, 0 for `no_match:` */
    int passed;
    const char *why;      /* when failed: what happened ("no match", "matched but the validator rejected it", ...) */
} ps_example_result;

/* @return 0 to go on, non-zero to stop. */
typedef int (*ps_example_fn)(void *ctx, const ps_example_result *r);

/*! ps_engine_test_examples() : runs every rule's examples against that rule alone (all its checks included): a
 *  `match` example passes when the rule redacts something in it, a `no_match` example when it redacts nothing.
 *  cb (may be NULL) is called for every example. @return PS_OK or PS_E_NOMEM; counts in *run and *failed. */
PS_API int ps_engine_test_examples(const ps_engine *e, ps_example_fn cb, void *ctx, size_t *run, size_t *failed);

/* ---------------------------------------------------------------- explain */
/* One candidate: a regex match of a rule, and what became of it. */
typedef struct ps_explain_event {
    uint64_t start, end;  /* the candidate's bytes (the rule's group) in the text */
    size_t rule;
    int kept;             /* 1: every check passed */
    const char *check;    /* when dropped: the check that dropped it ("validate", "min_entropy", "context", "allow",
                             "keywords"); NULL when kept */
    const char *why;      /* when dropped: a sentence naming the check and the reason */
    int merged;           /* kept, but inside a redaction labelled by another rule (merged_rule) */
    size_t merged_rule;
    uint64_t redacted_start, redacted_end; /* kept: the merged span it ended up in */
} ps_explain_event;

typedef int (*ps_explain_fn)(void *ctx, const ps_explain_event *ev);

/*! ps_explain() : scans text[0..len) as one record and reports every candidate of every rule, in order of rule then
 *  position, with the outcome of each check. cb may return non-zero to stop.
 *  @return PS_OK, PS_E_UNSCANNED (a PCRE2 limit stopped the scan: events so far were reported) or PS_E_NOMEM. */
PS_API int ps_explain(const ps_engine *e, const char *text, size_t len, ps_explain_fn cb, void *ctx);

/* ---------------------------------------------------------------- running */
typedef enum ps_format { PS_FORMAT_TEXT = 0, PS_FORMAT_NUL, PS_FORMAT_JSONL } ps_format;
typedef enum ps_on_error { PS_ON_ERROR_UNSCANNED = 0, PS_ON_ERROR_ABORT } ps_on_error;
/* jsonl: what to do with a line that is not valid JSON. text: redact it as plain text (counted, the default);
 * drop: leave it out (counted); abort: stop with PS_E_INVALID. */
typedef enum ps_on_invalid { PS_ON_INVALID_TEXT = 0, PS_ON_INVALID_DROP, PS_ON_INVALID_ABORT } ps_on_invalid;

/* One redaction. Never carries the matched text. record is 1-based; offset is the byte offset inside the record,
 * or, in jsonl, inside the decoded string value named by `field` (its dotted path; NULL outside jsonl, and for an
 * invalid line redacted as text). `field` is valid during the callback only. */
typedef struct ps_finding {
    uint64_t record;
    uint64_t offset;
    uint64_t length;
    size_t rule;
    const char *field;
} ps_finding;

/* ---------------------------------------------------------------- training-data filters */
/* Why a record was left out of the output. */
typedef enum ps_drop_reason {
    PS_DROP_INVALID = 0, /* jsonl, on_invalid drop */
    PS_DROP_FINDINGS,    /* at least drop_findings findings */
    PS_DROP_DENSITY,     /* more than drop_density findings per KiB of scanned text */
    PS_DROP_EXCLUDE,     /* a gated field has an excluded value */
    PS_DROP_REQUIRE,     /* a required field is missing or has another value */
    PS_DROP_IDS,         /* the record's id is in the opt-out list */
    PS_DROP_REASONS
} ps_drop_reason;

/*! ps_drop_reason_name() : "invalid", "findings", "density", "exclude", "require", "ids". */
PS_API const char *ps_drop_reason_name(ps_drop_reason r);

/* Consent and region gates (applied before scanning) and document drop policies (after). Built before a run,
 * read-only during it (shared by all threads). Field gates need the jsonl format. */
typedef struct ps_filter ps_filter;

/*! ps_filter_new() / ps_filter_free() (accepts NULL). */
PS_API int ps_filter_new(ps_filter **out);
PS_API void ps_filter_free(ps_filter *f);
/*! ps_filter_exclude() : drop records whose `field` (dotted path) has one of the comma-separated values; a record
 *  without the field is kept (and counted as missing). Repeatable. @return PS_OK, PS_E_USAGE (diag), PS_E_NOMEM. */
PS_API int ps_filter_exclude(ps_filter *f, const char *field, const char *values_csv, ps_diag *diag);
/*! ps_filter_require() : keep only records whose `field` equals `value`; a record without it is dropped. Repeatable
 *  (all must hold). Values compare as text: a string's decoded value, or a number / true / false / null as written. */
PS_API int ps_filter_require(ps_filter *f, const char *field, const char *value, ps_diag *diag);
/*! ps_filter_exclude_ids() : drop records whose `id_field` value is a line of the file at `path` (one id per line;
 *  empty lines ignored; CRLF accepted). @return PS_OK, PS_E_IO (diag names the file), PS_E_USAGE, PS_E_NOMEM. */
PS_API int ps_filter_exclude_ids(ps_filter *f, const char *path, const char *id_field, ps_diag *diag);
/*! ps_filter_drop_findings() : drop a record with n or more findings (0 = off). */
PS_API void ps_filter_drop_findings(ps_filter *f, uint64_t n);
/*! ps_filter_drop_density() : drop a record with more than x findings per KiB of scanned text (0 = off). */
PS_API void ps_filter_drop_density(ps_filter *f, double x);
/*! ps_filter_id_count() : @return the number of distinct ids loaded by ps_filter_exclude_ids. */
PS_API size_t ps_filter_id_count(const ps_filter *f);

/* Output sink: called from one thread at a time, in input order. @return 0 to go on, non-zero to stop the run
 * (ps_run then returns PS_E_STOPPED; a sink that failed keeps its own errno to report). */
typedef int (*ps_write_fn)(void *ctx, const char *buf, size_t len);
/* Findings sink: called in input order from the writer side; same return contract. */
typedef int (*ps_finding_fn)(void *ctx, const ps_finding *f);

struct ps_stats;

typedef struct ps_run_options {
    ps_format format;
    unsigned threads;     /* worker threads; 0 = all online cores; 1 = no threads */
    size_t block_size;    /* bytes per chunk; 0 = 1 MiB. Records longer than this are scanned in windows */
    ps_on_error on_error;
    ps_on_invalid on_invalid; /* jsonl */
    const char *const *fields; /* jsonl: dotted paths of the string fields to scan ('*' = any key or index);
                                  NULL / 0 = every string value */
    size_t n_fields;
    const ps_filter *filter;   /* may be NULL */
    int check_only;       /* write nothing; stop at the first finding */
    ps_write_fn write;    /* may be NULL when check_only */
    void *write_ctx;
    ps_finding_fn on_finding; /* may be NULL */
    void *finding_ctx;
    /* Called from the writer side after each chunk is written, with the stats so far (may be NULL). Keep it cheap:
     * throttle any display yourself. Non-zero stops the run (PS_E_STOPPED). */
    int (*on_progress)(void *ctx, const struct ps_stats *stats);
    void *progress_ctx;
    int profile;          /* time each rule's matching (stats->rule_ns, rule_runs); costs a clock read per rule run */
} ps_run_options;

/* Counters of a run. per_rule points to ps_engine_rule_count() counters owned by the stats (ps_stats_free). */
typedef struct ps_stats {
    uint64_t bytes_in, bytes_out;
    uint64_t records, records_changed;
    uint64_t findings;
    uint64_t unscanned;   /* records (or JSON strings, or the rest of an over-long record) replaced by [UNSCANNED] */
    uint64_t invalid;     /* jsonl lines that were not valid JSON (redacted as text, dropped, or the abort) */
    uint64_t dropped[PS_DROP_REASONS]; /* records left out, by reason */
    uint64_t missing_field; /* records without a gated field (kept by exclude, dropped by require) */
    uint64_t *per_rule;
    uint64_t *rule_ns;    /* with profile: nanoseconds spent matching each rule (all threads added up) */
    uint64_t *rule_runs;  /* with profile: records on which each rule's regex ran (its gates let it through) */
    size_t n_rules;
    uint64_t *rule_calls; /* with profile: regex searches each rule made (several a record when it has windows);
                             after n_rules so that the fields before it keep their offsets */
} ps_stats;

/*! ps_stats_init() : zeroes *st and allocates per-rule counters for e. @return PS_OK or PS_E_NOMEM. */
PS_API int ps_stats_init(ps_stats *st, const ps_engine *e);
/*! ps_stats_free() : frees the per-rule counters; accepts a zeroed struct. */
PS_API void ps_stats_free(ps_stats *st);

/*! ps_run() : reads in_fd to its end, redacts, and hands the output to opts->write in input order. Adds to *stats.
 *  With check_only, it stops early at the first finding and returns PS_OK (stats->findings > 0 tells).
 *  @return PS_OK; PS_E_IO (read failed; errno kept); PS_E_STOPPED (a sink asked to stop); PS_E_UNSCANNED (a record
 *  could not be scanned and on_error is abort: nothing of that record was written); PS_E_USAGE (invalid options);
 *  PS_E_NOMEM. */
PS_API int ps_run(const ps_engine *e, const ps_run_options *opts, int in_fd, ps_stats *stats);

/*! ps_scrub() : redacts one buffer as one text record (no framing), single-threaded.
 *  *out is malloc'ed (caller frees) and NUL-terminated; *out_len excludes the NUL.
 *  @return PS_OK, PS_E_UNSCANNED (the buffer could not be scanned; *out then holds "[UNSCANNED]") or PS_E_NOMEM. */
PS_API int ps_scrub(const ps_engine *e, const char *in, size_t len, char **out, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* PIISCRUB_H */
