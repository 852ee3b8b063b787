/* test_rules.c — rule files (schema v1): every key read back, defaults, every error with its position, rule id and
 * message, directory loading, packs, and that a failed load leaves the ruleset as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "builtin_packs.h"
#include "rules.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef PS_TEST_BUILTIN_STUB
/* Standalone build (without the generated builtin_packs.c): two small packs. */
static const char stub_core[] = "version: 1\nrules:\n  - id: stub-email\n    pattern: '@'\n";
static const char stub_secrets[] = "version: 1\npack: keys\nrules:\n  - id: stub-key\n    pattern: 'key=\\w+'\n";
const ps_builtin_pack ps_builtin_packs[] = {
    {"builtin:core.yaml", stub_core, sizeof stub_core - 1},
    {"builtin:secrets.yaml", stub_secrets, sizeof stub_secrets - 1},
    {NULL, NULL, 0},
};
#endif

#define H "version: 1\nrules:\n"

static int load(ps_ruleset *rs, const char *name, const char *yaml, ps_diag *d)
{
    return ps_ruleset_load_buffer(rs, name, yaml, strlen(yaml), d);
}

static ps_ruleset *new_rs(void)
{
    ps_ruleset *rs = NULL;
    assert_int_equal(ps_ruleset_new(&rs), PS_OK);
    assert_non_null(rs);
    return rs;
}

/* ---------------------------------------------------------------- temp files */

typedef struct tmpdir {
    char path[256];
} tmpdir;

static void td_make(tmpdir *t)
{
    const char *base = getenv("TMPDIR");
    snprintf(t->path, sizeof t->path, "%s/ps_rules_XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t->path));
}

static void td_file(const tmpdir *t, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", t->path, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static void td_mkdir(const tmpdir *t, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", t->path, name);
    assert_int_equal(mkdir(p, 0700), 0);
}

static void td_join(const tmpdir *t, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", t->path, name);
}

static void td_remove(const tmpdir *t)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->path);
    assert_int_equal(system(cmd), 0);
}

/* ---------------------------------------------------------------- a full rule, every key */

static const char FULL[] =
    "version: 1\n"
    "pack: core\n"
    "rules:\n"
    "  - id: email\n"
    "    entity: EMAIL_ADDR\n"
    "    description: Email address\n"
    "    pattern: '[a-z]+@[a-z]+\\.com'\n"
    "    flags: [caseless, multiline, dotall, extended, ucp, ungreedy]\n"
    "    keywords: ['@', mail]\n"
    "    group: 2\n"
    "    validate: luhn\n"
    "    context: {words: [dob, born], window: 30, required: no}\n"
    "    allow: ['@example\\.com$']\n"
    "    min_entropy: 3.25\n"
    "    priority: -50\n"
    "    action: partial\n"
    "    examples:\n"
    "      match: ['a@b.com']\n"
    "      no_match:\n"
    "        - a@b\n"
    "        - ''\n"
    "  - id: second\n"
    "    pattern: |\n"
    "      x+\n";

static void assert_pos(ps_srcpos p, const char *file, unsigned line, unsigned col)
{
    assert_string_equal(p.file, file);
    assert_int_equal(p.line, line);
    assert_int_equal(p.col, col);
}

static void test_full_rule(void **state)
{
    (void)state;
    ps_ruleset *rs = new_rs();
    ps_diag d;
    memset(&d, 0, sizeof d);
    assert_int_equal(load(rs, "rules/full.yaml", FULL, &d), PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 2);

    const ps_rule *r = &rs->rules[0];
    assert_string_equal(r->id, "email");
    assert_string_equal(r->entity, "EMAIL_ADDR");
    assert_string_equal(r->description, "Email address");
    assert_string_equal(r->pattern, "[a-z]+@[a-z]+\\.com");
    assert_string_equal(r->pack, "core");
    assert_int_equal(r->flags, PS_RFLAG_CASELESS | PS_RFLAG_MULTILINE | PS_RFLAG_DOTALL | PS_RFLAG_EXTENDED |
                                   PS_RFLAG_UCP | PS_RFLAG_UNGREEDY);
    assert_int_equal(r->keywords.n, 2);
    assert_string_equal(r->keywords.v[0], "@");
    assert_string_equal(r->keywords.v[1], "mail");
    assert_pos(r->keywords.pos[0], "rules/full.yaml", 9, 16);
    assert_pos(r->keywords.pos[1], "rules/full.yaml", 9, 21);
    assert_int_equal(r->group, 2);
    assert_string_equal(r->validate, "luhn");
    assert_true(r->has_context);
    assert_int_equal(r->context_words.n, 2);
    assert_string_equal(r->context_words.v[0], "dob");
    assert_string_equal(r->context_words.v[1], "born");
    assert_pos(r->context_words.pos[1], "rules/full.yaml", 12, 28);
    assert_int_equal(r->context_window, 30);
    assert_false(r->context_required);
    assert_int_equal(r->allow.n, 1);
    assert_string_equal(r->allow.v[0], "@example\\.com$");
    assert_pos(r->allow.pos[0], "rules/full.yaml", 13, 13);
    assert_true(r->min_entropy == 3.25);
    assert_int_equal(r->priority, -50);
    assert_int_equal(r->action, PS_ACTION_PARTIAL);
    assert_int_equal(r->ex_match.n, 1);
    assert_string_equal(r->ex_match.v[0], "a@b.com");
    assert_pos(r->ex_match.pos[0], "rules/full.yaml", 18, 15);
    assert_int_equal(r->ex_no_match.n, 2);
    assert_string_equal(r->ex_no_match.v[0], "a@b");
    assert_string_equal(r->ex_no_match.v[1], "");
    assert_pos(r->ex_no_match.pos[0], "rules/full.yaml", 20, 11);
    assert_pos(r->ex_no_match.pos[1], "rules/full.yaml", 21, 11);
    assert_pos(r->pos, "rules/full.yaml", 4, 5);
    assert_pos(r->pattern_pos, "rules/full.yaml", 7, 14);

    /* A block scalar is a string too; the second rule keeps its place. */
    assert_string_equal(rs->rules[1].id, "second");
    assert_string_equal(rs->rules[1].pattern, "x+\n");
    assert_string_equal(rs->rules[1].pack, "core");
    assert_pos(rs->rules[1].pos, "rules/full.yaml", 22, 5);
    assert_pos(rs->rules[1].pattern_pos, "rules/full.yaml", 23, 14);

    ps_rule_info info;
    assert_int_equal(ps_ruleset_rule(rs, 0, &info), PS_OK);
    assert_string_equal(info.id, "email");
    assert_string_equal(info.entity, "EMAIL_ADDR");
    assert_string_equal(info.description, "Email address");
    assert_string_equal(info.pack, "core");
    assert_string_equal(info.validate, "luhn");
    assert_string_equal(info.file, "rules/full.yaml");
    assert_int_equal(info.line, 4);
    assert_int_equal(info.col, 5);
    assert_int_equal(info.priority, -50);
    assert_int_equal(info.action, PS_ACTION_PARTIAL);
    assert_int_equal(ps_ruleset_rule(rs, 1, &info), PS_OK);
    assert_null(info.validate);
    assert_int_equal(ps_ruleset_rule(rs, 2, &info), PS_E_USAGE);
    assert_int_equal(ps_ruleset_rule(NULL, 0, &info), PS_E_USAGE);
    ps_ruleset_free(rs);
}

static void test_defaults(void **state)
{
    (void)state;
    ps_ruleset *rs = new_rs();
    ps_diag d;
    assert_int_equal(load(rs, "some/dir/my-pack.yml",
                          H "  - id: my-rule-2\n    pattern: x\n"
                            "  - id: ctx\n    pattern: y\n    context: {words: [a]}\n"
                            "  - id: ctx2\n    pattern: y\n    context: {words: [a], required: YES}\n"
                            "  - id: ctx3\n    pattern: y\n    context: {words: [a], required: False}\n",
                          &d),
                     PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 4);
    const ps_rule *r = &rs->rules[0];
    assert_string_equal(r->entity, "MY_RULE_2");
    assert_string_equal(r->pack, "my-pack");
    assert_null(r->description);
    assert_null(r->validate);
    assert_int_equal(r->flags, 0);
    assert_int_equal(r->group, 0);
    assert_int_equal(r->priority, 0);
    assert_int_equal(r->action, PS_ACTION_INHERIT);
    assert_false(r->has_context);
    assert_int_equal(r->keywords.n, 0);
    assert_int_equal(r->allow.n, 0);
    assert_int_equal(r->ex_match.n + r->ex_no_match.n, 0);
    assert_true(r->min_entropy == 0);
    assert_true(rs->rules[1].has_context);
    assert_int_equal(rs->rules[1].context_window, 48);
    assert_true(rs->rules[1].context_required);
    assert_true(rs->rules[2].context_required);
    assert_false(rs->rules[3].context_required);

    ps_rule_info info;
    assert_int_equal(ps_ruleset_rule(rs, 0, &info), PS_OK);
    assert_int_equal(info.action, PS_ACTION_INHERIT);
    assert_string_equal(info.description, "");
    assert_null(info.validate);

    /* The pack of an embedded file: "builtin:core.yaml" -> core; of a .yaml file in a directory: its base name. */
    assert_int_equal(load(rs, "builtin:core.yaml", H "  - id: b1\n    pattern: x\n", &d), PS_OK);
    assert_string_equal(rs->rules[4].pack, "core");
    assert_int_equal(load(rs, "/x/y/secrets.yaml", H "  - id: b2\n    pattern: x\n", &d), PS_OK);
    assert_string_equal(rs->rules[5].pack, "secrets");
    assert_int_equal(ps_ruleset_count(rs), 6);
    ps_ruleset_free(rs);

    ps_ruleset_free(NULL);
    assert_int_equal(ps_ruleset_count(NULL), 0);
}

/* ---------------------------------------------------------------- every error: status, position, rule, message */

typedef struct err_case {
    const char *yaml;
    int status;
    unsigned line, col;
    const char *rule_id;
    const char *phrase, *phrase2;
} err_case;

static const char BASE[] = H "  - id: base\n    pattern: b\n";

/* Each case is loaded as "t.yaml" into a ruleset that already holds base.yaml; it must fail as described and leave
 * the ruleset as it was. */
static void run_cases(const err_case *cases, size_t n)
{
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        const err_case *c = &cases[i];
        ps_ruleset *rs = new_rs();
        ps_diag d;
        assert_int_equal(load(rs, "base.yaml", BASE, &d), PS_OK);
        memset(&d, 0, sizeof d);
        int rc = load(rs, "t.yaml", c->yaml, &d);
        bool ok = rc == c->status && !strcmp(d.file, "t.yaml") && d.line == c->line && d.col == c->col &&
                  !strcmp(d.rule_id, c->rule_id) && strstr(d.msg, c->phrase) &&
                  (!c->phrase2 || strstr(d.msg, c->phrase2)) && ps_ruleset_count(rs) == 1 &&
                  !strcmp(rs->rules[0].id, "base") && rs->n_files == 1;
        if (!ok) {
            print_error("case %zu: %s\n  want %d %u:%u rule '%s' ~ '%s'\n  got  %d %s:%u:%u rule '%s': %s (count %zu)\n",
                        i, c->yaml, c->status, c->line, c->col, c->rule_id, c->phrase, rc, d.file, d.line, d.col,
                        d.rule_id, d.msg, ps_ruleset_count(rs));
            bad++;
        }
        ps_ruleset_free(rs);
    }
    assert_int_equal(bad, 0);
}

#define RUN(cases) run_cases(cases, sizeof(cases) / sizeof((cases)[0]))

static void test_errors_syntax(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {H "  - id: a\n    pattern: 'x\n", PS_E_RULES, 5, 1, "a", "YAML syntax error",
         "while scanning a quoted scalar at line 4, column 14"},
        /* The rule's mapping ended at the bad indent: the error is between rules. */
        {H "  - id: a\n    pattern: x\n   entity: A\n", PS_E_RULES, 5, 4, "", "YAML syntax error",
         "while parsing a block collection at line 3, column 3"},
        {"version: 1\nrules: [\n", PS_E_RULES, 3, 1, "", "YAML syntax error", NULL},
        {H "  - id: a\n\tpattern: x\n", PS_E_RULES, 4, 1, "", "YAML syntax error", "tab"},
        {H "  - id: a\n    pattern: \xff\n", PS_E_RULES, 4, 14, "", "YAML syntax error", "UTF-8"},
        {H "  - id: a\n    pattern: x\n---\nversion: 1\n", PS_E_RULES, 5, 1, "", "one YAML document", NULL},
    };
    RUN(cases);
}

static void test_errors_empty_and_version(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {"", PS_E_RULES, 1, 1, "", "file has no rules; a rule file needs `version: 1` and a `rules:` list", NULL},
        {"# only a comment\n", PS_E_RULES, 2, 1, "", "file has no rules", NULL},
        {"---\n...\n", PS_E_RULES, 2, 1, "", "file has no rules", NULL},
        {"version: 1\n", PS_E_RULES, 1, 1, "", "file has no rules", NULL},
        {"version: 1\nrules:\n", PS_E_RULES, 1, 1, "", "file has no rules", NULL},
        {"version: 1\nrules: []\n", PS_E_RULES, 1, 1, "", "file has no rules", NULL},
        {"- a\n- b\n", PS_E_RULES, 1, 1, "", "top level of a rule file must be a mapping", NULL},
        {"rules:\n  - id: a\n    pattern: x\n", PS_E_RULES, 1, 1, "", "missing `version: 1`", NULL},
        {"version: 2\n" "rules:\n  - id: a\n    pattern: x\n", PS_E_RULES, 1, 10, "",
         "unsupported rule file version 2", "`version: 1`"},
        {"version: '1'\nrules:\n  - id: a\n    pattern: x\n", PS_E_RULES, 1, 10, "",
         "'version' must be an integer, got '1'", "remove the quotes"},
        {"version: one\n", PS_E_RULES, 1, 10, "", "'version' must be an integer, got 'one'", NULL},
        {"version: 1\nversion: 1\n", PS_E_RULES, 2, 1, "", "duplicate key 'version'", "line 1"},
        {"version: 1\nrules: {id: a}\n", PS_E_RULES, 2, 8, "", "'rules' must be a list of rules", NULL},
        {"version: 1\npack: Core\nrules:\n  - id: a\n    pattern: x\n", PS_E_RULES, 2, 7, "",
         "pack name 'Core' may only contain a-z, 0-9 and '-'", NULL},
    };
    RUN(cases);
}

static void test_errors_unknown_keys(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {"version: 1\nrulez: []\n", PS_E_RULES, 2, 1, "", "unknown key 'rulez' (did you mean 'rules'?)", NULL},
        {"version: 1\nsettings: {}\n", PS_E_RULES, 2, 1, "", "unknown key 'settings'",
         "allowed keys: version, pack, rules"},
        /* The rule is named even though its id comes after the mistake. */
        {H "  - patern: x\n    id: email\n", PS_E_RULES, 3, 5, "email",
         "unknown key 'patern' (did you mean 'pattern'?)", NULL},
        {H "  - id: a\n    pattern: x\n    colour: red\n", PS_E_RULES, 5, 5, "a", "unknown key 'colour'",
         "allowed keys: id, entity, description, pattern, flags, keywords, group, validate, context, allow, not_after, "
         "min_entropy, priority, action, examples"},
        {H "  - id: a\n    pattern: x\n    context: {words: [dob], windw: 3}\n", PS_E_RULES, 5, 29, "a",
         "unknown key 'windw' in 'context' (did you mean 'window'?)", NULL},
        {H "  - id: a\n    pattern: x\n    context: {words: [dob], distance: 3}\n", PS_E_RULES, 5, 29, "a",
         "unknown key 'distance' in 'context'", "allowed keys: words, window, required"},
        {H "  - id: a\n    pattern: x\n    examples:\n      matches: [x]\n", PS_E_RULES, 6, 7, "a",
         "unknown key 'matches' in 'examples' (did you mean 'match'?)", NULL},
        {H "  - id: a\n    pattern: x\n    pattern: y\n", PS_E_RULES, 5, 5, "a", "duplicate key 'pattern'",
         "first given at line 4"},
        {H "  - id: a\n    pattern: x\n    [k]: y\n", PS_E_RULES, 5, 5, "a", "keys must be names, got a list", NULL},
    };
    RUN(cases);
}

static void test_errors_types(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {H "  - id: a\n    pattern: x\n    group: abc\n", PS_E_RULES, 5, 12, "a",
         "'group' must be an integer, got 'abc'", NULL},
        {H "  - id: a\n    pattern: x\n    group: '1'\n", PS_E_RULES, 5, 12, "a", "'group' must be an integer, got '1'",
         "remove the quotes"},
        {H "  - id: a\n    pattern: x\n    group: 100\n", PS_E_RULES, 5, 12, "a",
         "'group' must be between 0 and 99, got 100", NULL},
        {H "  - id: a\n    pattern: x\n    group: 1.5\n", PS_E_RULES, 5, 12, "a", "'group' must be an integer", NULL},
        {H "  - id: a\n    pattern: x\n    priority: 1001\n", PS_E_RULES, 5, 15, "a",
         "'priority' must be between -1000 and 1000", NULL},
        {H "  - id: a\n    pattern: x\n    priority: 99999999999999999999\n", PS_E_RULES, 5, 15, "a",
         "'priority' must be between -1000 and 1000", NULL},
        {H "  - id: a\n    pattern: x\n    min_entropy: 8.5\n", PS_E_RULES, 5, 18, "a",
         "'min_entropy' must be between 0 and 8, got 8.5", NULL},
        {H "  - id: a\n    pattern: x\n    min_entropy: high\n", PS_E_RULES, 5, 18, "a",
         "'min_entropy' must be a number, got 'high'", NULL},
        {H "  - id: a\n    pattern: x\n    context: {words: [dob], window: 0}\n", PS_E_RULES, 5, 37, "a",
         "'context.window' must be between 1 and 1024, got 0", NULL},
        {H "  - id: a\n    pattern: x\n    context: {words: [dob], required: maybe}\n", PS_E_RULES, 5, 39, "a",
         "'context.required' must be true or false, got 'maybe'", NULL},
        {H "  - id: a\n    pattern: x\n    context: {words: [dob], required: 'yes'}\n", PS_E_RULES, 5, 39, "a",
         "'context.required' must be true or false, got 'yes'", "remove the quotes"},
        {H "  - id: a\n    pattern: x\n    context: {window: 3}\n", PS_E_RULES, 5, 14, "a",
         "'context' needs `words:`", NULL},
        {H "  - id: a\n    pattern: x\n    context: {words: []}\n", PS_E_RULES, 5, 22, "a",
         "'context.words' must not be empty", NULL},
        {H "  - id: a\n    pattern: x\n    context: [dob]\n", PS_E_RULES, 5, 14, "a",
         "'context' must be a mapping", "got a list"},
        {H "  - id: a\n    pattern: x\n    flags: caseless\n", PS_E_RULES, 5, 12, "a",
         "'flags' must be a list such as [caseless], got 'caseless'", NULL},
        {H "  - id: a\n    pattern: x\n    keywords: ['a', '']\n", PS_E_RULES, 5, 21, "a",
         "items of 'keywords' must not be empty strings", NULL},
        {H "  - id: a\n    pattern: x\n    keywords: [[a]]\n", PS_E_RULES, 5, 16, "a",
         "items of 'keywords' must be strings, got a list", NULL},
        {H "  - id: a\n    pattern: x\n    keywords: '@'\n", PS_E_RULES, 5, 15, "a",
         "'keywords' must be a list of strings", "got '@'"},
        {H "  - id: a\n    pattern: x\n    allow: [x, '']\n", PS_E_RULES, 5, 16, "a",
         "items of 'allow' must not be empty strings", NULL},
        {H "  - id: a\n    pattern: x\n    description: [a]\n", PS_E_RULES, 5, 18, "a",
         "'description' must be a string, got a list", NULL},
        {H "  - id: a\n    pattern: {x: 1}\n", PS_E_RULES, 4, 14, "a", "'pattern' must be a string, got a mapping",
         NULL},
        {H "  - id: a\n    pattern: x\n    examples: {match: a}\n", PS_E_RULES, 5, 23, "a",
         "'examples.match' must be a list of strings", NULL},
        {H "  - id: a\n    pattern: x\n    examples: [a]\n", PS_E_RULES, 5, 15, "a", "'examples' must be a mapping",
         NULL},
        {H "  - id: a\n    pattern: x\n    examples: {no_match: [x, ~]}\n", PS_E_RULES, 5, 30, "a",
         "items of 'examples.no_match' must be strings, got nothing", "write ''"},
        {H "  - id: a\n    pattern: x\n    entity: email\n", PS_E_RULES, 5, 13, "a",
         "'entity' may only contain A-Z, 0-9 and '_'", NULL},
        {H "  - just-a-string\n", PS_E_RULES, 3, 5, "", "each item of 'rules' must be a mapping",
         "got 'just-a-string'"},
    };
    RUN(cases);
}

static void test_errors_rule_content(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {H "  - pattern: x\n", PS_E_RULES, 3, 5, "", "rule has no `id`", NULL},
        {H "  - id: a\n    entity: A\n", PS_E_RULES, 3, 5, "a", "rule has no `pattern`", NULL},
        {H "  - id: a\n    pattern: ''\n", PS_E_RULES, 4, 14, "a", "'pattern' must not be empty", NULL},
        {H "  - id: a\n    pattern:\n", PS_E_RULES, 4, 13, "a", "'pattern' must be a string, got nothing", NULL},
        {H "  - id: Email\n    pattern: x\n", PS_E_RULES, 3, 9, "Email", "rule id 'Email' may only contain a-z",
         NULL},
        {H "  - id: my_rule\n    pattern: x\n", PS_E_RULES, 3, 9, "my_rule", "may only contain a-z, 0-9 and '-'", NULL},
        {H "  - id: [a]\n    pattern: x\n", PS_E_RULES, 3, 9, "", "'id' must be a string, got a list", NULL},
        {H "  - id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n    pattern: x\n", PS_E_RULES,
         3, 9, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "longer than 64 characters", NULL},
        /* Duplicates: in this file, and against base.yaml loaded before. */
        {H "  - id: a\n    pattern: x\n  - id: a\n    pattern: y\n", PS_E_RULES, 5, 9, "a",
         "duplicate rule id 'a': already defined at t.yaml:3:5", NULL},
        {H "  - id: base\n    pattern: y\n", PS_E_RULES, 3, 9, "base",
         "duplicate rule id 'base': already defined at base.yaml:3:5", NULL},
        {H "  - id: a\n    pattern: x\n    validate: lunh\n", PS_E_RULES, 5, 15, "a",
         "unknown validator 'lunh' (did you mean 'luhn'?)", "validators are: luhn, iban"},
        {H "  - id: a\n    pattern: x\n    validate: checksum\n", PS_E_RULES, 5, 15, "a",
         "unknown validator 'checksum'; validators are: ", "iban"},
        {H "  - id: a\n    pattern: x\n    action: blur\n", PS_E_RULES, 5, 13, "a",
         "unknown action 'blur'; actions are: tag, mask, partial, hash, remove", NULL},
        {H "  - id: a\n    pattern: x\n    action: inherit\n", PS_E_RULES, 5, 13, "a", "unknown action 'inherit'",
         NULL},
        {H "  - id: a\n    pattern: x\n    flags: [ucp, casless]\n", PS_E_RULES, 5, 18, "a",
         "unknown flag 'casless' (did you mean 'caseless'?)",
         "flags are: caseless, multiline, dotall, extended, ucp, ungreedy"},
        {H "  - id: a\n    pattern: \"a\\0b\"\n", PS_E_RULES, 4, 14, "a", "must not contain NUL bytes", NULL},
    };
    RUN(cases);
}

static void test_errors_aliases_and_nesting(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {H "  - id: a\n    pattern: &p x\n", PS_E_RULES, 4, 14, "a",
         "aliases and anchors are not allowed in rule files", NULL},
        {H "  - id: a\n    pattern: *p\n", PS_E_RULES, 4, 14, "a", "aliases and anchors are not allowed", NULL},
        /* Billion laughs: refused at the first anchor, before anything could expand. */
        {H "  - id: lol\n    pattern: x\n    keywords: &a [lol, lol, lol, lol]\n    allow: &b [*a, *a, *a, *a]\n"
           "    examples: {match: [*b, *b, *b, *b]}\n",
         PS_E_RULES, 5, 15, "lol", "aliases and anchors are not allowed", NULL},
        {"&top version: 1\n", PS_E_RULES, 1, 1, "", "aliases and anchors are not allowed", NULL},
        {H "  - id: a\n    pattern: !!str x\n", PS_E_RULES, 4, 14, "a", "YAML tags", NULL},
        /* Too deep, with the id after the nesting: still named. */
        {H "  - context: {words: [[[a]]]}\n    id: deep\n    pattern: x\n", PS_E_RULES, 3, 23, "deep",
         "nesting deeper than the schema allows", NULL},
        {H "  - id: a\n    pattern: x\n    examples: {match: [{a: b}]}\n", PS_E_RULES, 5, 24, "a",
         "nesting deeper than the schema allows", NULL},
        {"version: [[[[[[1]]]]]]\n", PS_E_RULES, 1, 14, "", "nesting deeper than the schema allows", NULL},
    };
    RUN(cases);
}

/* A bomb of nesting stops early: the parse does not walk (or allocate for) the whole thing. */
static void test_deep_nesting_bounded(void **state)
{
    (void)state;
    const size_t depth = 4u << 20;
    const char *pre = H "  - id: a\n    pattern: ";
    size_t n = strlen(pre);
    char *text = malloc(n + depth + 1);
    assert_non_null(text);
    memcpy(text, pre, n);
    memset(text + n, '[', depth);
    text[n + depth] = '\0';
    ps_ruleset *rs = new_rs();
    ps_diag d;
    assert_int_equal(ps_ruleset_load_buffer(rs, "deep.yaml", text, n + depth, &d), PS_E_RULES);
    assert_int_equal(d.line, 4);
    assert_int_equal(d.col, 16);
    assert_string_equal(d.rule_id, "a");
    assert_non_null(strstr(d.msg, "nesting deeper than the schema allows"));
    assert_int_equal(ps_ruleset_count(rs), 0);
    free(text);
    ps_ruleset_free(rs);
}

static void test_size_limit(void **state)
{
    (void)state;
    const size_t max = (size_t)16 << 20;
    char *text = malloc(max + 1);
    assert_non_null(text);
    /* Exactly 16 MiB is read (and is only a comment); one byte more is refused before parsing. */
    memset(text, ' ', max + 1);
    text[0] = '#';
    text[max - 1] = '\n';
    ps_ruleset *rs = new_rs();
    ps_diag d;
    assert_int_equal(ps_ruleset_load_buffer(rs, "big.yaml", text, max, &d), PS_E_RULES);
    assert_non_null(strstr(d.msg, "file has no rules"));
    assert_int_equal(ps_ruleset_load_buffer(rs, "big.yaml", text, max + 1, &d), PS_E_RULES);
    assert_string_equal(d.file, "big.yaml");
    assert_int_equal(d.line, 0);
    assert_non_null(strstr(d.msg, "rule file is larger than 16 MiB"));
    free(text);

    /* The same through a file on disk (sparse, so cheap). */
    tmpdir t;
    td_make(&t);
    char p[512];
    td_join(&t, "big.yaml", p, sizeof p);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)max + 1), 0);
    close(fd);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_string_equal(d.file, p);
    assert_non_null(strstr(d.msg, "rule file is larger than 16 MiB"));
    assert_int_equal(ps_ruleset_count(rs), 0);
    td_remove(&t);
    ps_ruleset_free(rs);
}

/* ---------------------------------------------------------------- files and directories */

static void test_path_errors(void **state)
{
    (void)state;
    tmpdir t;
    td_make(&t);
    ps_ruleset *rs = new_rs();
    ps_diag d;
    char p[512], msg[300];

    td_join(&t, "missing.yaml", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_string_equal(d.file, p);
    assert_int_equal(d.line, 0);
    snprintf(msg, sizeof msg, "cannot open rule file: %s", strerror(ENOENT));
    assert_string_equal(d.msg, msg);

    /* A path through a regular file. */
    td_file(&t, "plain.yaml", BASE);
    td_join(&t, "plain.yaml/x.yaml", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_non_null(strstr(d.msg, strerror(ENOTDIR)));

    /* Unreadable (permissions do not stop root, so only checked as a normal user). */
    if (geteuid() != 0) {
        td_file(&t, "secret.yaml", BASE);
        td_join(&t, "secret.yaml", p, sizeof p);
        assert_int_equal(chmod(p, 0), 0);
        assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
        assert_string_equal(d.file, p);
        assert_non_null(strstr(d.msg, strerror(EACCES)));
        assert_int_equal(chmod(p, 0600), 0);
    }

    /* A file that opens but cannot be read (Linux: reading /proc/self/mem at offset 0 fails with EIO). */
    int probe = open("/proc/self/mem", O_RDONLY);
    if (probe >= 0) {
        close(probe);
        assert_int_equal(ps_ruleset_load_path(rs, "/proc/self/mem", &d), PS_E_RULES);
        assert_string_equal(d.file, "/proc/self/mem");
        snprintf(msg, sizeof msg, "cannot read rule file: %s", strerror(EIO));
        assert_string_equal(d.msg, msg);
    }

    /* A directory without rule files: other files, dot files and subdirectories do not count. */
    td_mkdir(&t, "empty");
    td_file(&t, "empty/notes.txt", BASE);
    td_file(&t, "empty/.hidden.yaml", BASE);
    td_mkdir(&t, "empty/sub.yaml");
    td_join(&t, "empty", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_string_equal(d.file, p);
    assert_non_null(strstr(d.msg, "directory has no *.yaml or *.yml rule files"));

    /* An error in a file names the file by its path. */
    td_file(&t, "bad.yaml", H "  - id: a\n    patern: x\n");
    td_join(&t, "bad.yaml", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_string_equal(d.file, p);
    assert_int_equal(d.line, 4);
    assert_int_equal(d.col, 5);
    assert_string_equal(d.rule_id, "a");

    assert_int_equal(ps_ruleset_load_path(rs, NULL, &d), PS_E_USAGE);
    assert_int_equal(ps_ruleset_count(rs), 0);
    ps_ruleset_free(rs);
    td_remove(&t);
}

static void make_pack_dir(tmpdir *t)
{
    td_make(t);
    td_mkdir(t, "d");
    td_file(t, "d/b.yaml", H "  - id: b1\n    pattern: x\n  - id: b2\n    pattern: y\n");
    td_file(t, "d/a.yml", H "  - id: a1\n    pattern: x\n");
    td_file(t, "d/c.yaml", "version: 1\npack: custom\nrules:\n  - id: c1\n    pattern: x\n");
    td_file(t, "d/z.txt", "not yaml: [");
    td_file(t, "d/.x.yaml", "not yaml: [");
    td_mkdir(t, "d/sub.yaml");
    td_file(t, "d/sub.yaml/s.yaml", H "  - id: s1\n    pattern: x\n");
}

static void test_directory_order(void **state)
{
    (void)state;
    tmpdir t;
    make_pack_dir(&t);
    static const char *const ids[] = {"a1", "b1", "b2", "c1"};
    static const char *const packs[] = {"a", "b", "b", "custom"};
    static const char *const files[] = {"a.yml", "b.yaml", "b.yaml", "c.yaml"};
    for (int slash = 0; slash < 2; slash++) {
        char dir[512], want[600];
        snprintf(dir, sizeof dir, "%s/d%s", t.path, slash ? "/" : "");
        ps_ruleset *rs = new_rs();
        ps_diag d;
        assert_int_equal(ps_ruleset_load_path(rs, dir, &d), PS_OK);
        assert_int_equal(ps_ruleset_count(rs), 4);
        for (size_t i = 0; i < 4; i++) {
            ps_rule_info info;
            assert_int_equal(ps_ruleset_rule(rs, i, &info), PS_OK);
            assert_string_equal(info.id, ids[i]);
            assert_string_equal(info.pack, packs[i]);
            snprintf(want, sizeof want, "%s/d/%s", t.path, files[i]);
            assert_string_equal(info.file, want);
        }
        assert_int_equal(rs->rules[2].pos.line, 5);
        ps_ruleset_free(rs);
    }
    td_remove(&t);
}

static void test_keep_packs(void **state)
{
    (void)state;
    tmpdir t;
    make_pack_dir(&t);
    char dir[512];
    td_join(&t, "d", dir, sizeof dir);
    ps_ruleset *rs = new_rs();
    ps_diag d;
    assert_int_equal(ps_ruleset_load_path(rs, dir, &d), PS_OK);

    assert_int_equal(ps_ruleset_keep_packs(rs, "b,nope", &d), PS_E_USAGE);
    assert_non_null(strstr(d.msg, "unknown pack 'nope'"));
    assert_non_null(strstr(d.msg, "loaded packs: a, b, custom"));
    assert_int_equal(ps_ruleset_count(rs), 4);
    assert_int_equal(ps_ruleset_keep_packs(rs, " , ", &d), PS_E_USAGE);
    assert_int_equal(ps_ruleset_count(rs), 4);

    /* Load order stays, whatever the order of the list. */
    assert_int_equal(ps_ruleset_keep_packs(rs, "custom, a", &d), PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 2);
    assert_string_equal(rs->rules[0].id, "a1");
    assert_string_equal(rs->rules[1].id, "c1");
    /* A pack dropped earlier is no longer loaded. */
    assert_int_equal(ps_ruleset_keep_packs(rs, "b", &d), PS_E_USAGE);
    assert_non_null(strstr(d.msg, "loaded packs: a, custom"));
    assert_int_equal(ps_ruleset_keep_packs(rs, "custom", &d), PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 1);
    assert_string_equal(rs->rules[0].id, "c1");
    /* Rules loaded afterwards get fresh ids checked against what is left. */
    assert_int_equal(load(rs, "a.yaml", H "  - id: a1\n    pattern: x\n", &d), PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 2);
    ps_ruleset_free(rs);

    rs = new_rs();
    assert_int_equal(ps_ruleset_keep_packs(rs, "core", &d), PS_E_USAGE);
    assert_non_null(strstr(d.msg, "no packs are loaded"));
    ps_ruleset_free(rs);
    td_remove(&t);
}

static void test_failed_load_leaves_ruleset(void **state)
{
    (void)state;
    tmpdir t;
    make_pack_dir(&t);
    td_mkdir(&t, "bad");
    td_file(&t, "bad/1.yaml", H "  - id: fine\n    pattern: x\n");
    td_file(&t, "bad/2.yaml", H "  - id: broken\n    pattern: x\n    group: -1\n");
    td_mkdir(&t, "dup");
    td_file(&t, "dup/x.yaml", H "  - id: x1\n    pattern: x\n");
    td_file(&t, "dup/y.yaml", H "  - id: y1\n    pattern: x\n  - id: x1\n    pattern: y\n");
    char p[512], want[600];
    ps_ruleset *rs = new_rs();
    ps_diag d;
    td_join(&t, "d", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 4);
    size_t files_before = rs->n_files;

    /* The first file of the directory was fine: it is not kept either. */
    td_join(&t, "bad", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    td_join(&t, "bad/2.yaml", want, sizeof want);
    assert_string_equal(d.file, want);
    assert_int_equal(d.line, 5);
    assert_int_equal(d.col, 12);
    assert_string_equal(d.rule_id, "broken");
    assert_int_equal(ps_ruleset_count(rs), 4);
    assert_int_equal(rs->n_files, files_before);

    /* Duplicate ids across files of one directory name the other file. */
    td_join(&t, "dup", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_string_equal(d.rule_id, "x1");
    assert_int_equal(d.line, 5);
    td_join(&t, "dup/x.yaml:3:5", want, sizeof want);
    assert_non_null(strstr(d.msg, want));

    /* ... and against rules already loaded: all of dir d again. */
    td_join(&t, "d", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_E_RULES);
    assert_string_equal(d.rule_id, "a1");
    assert_non_null(strstr(d.msg, "duplicate rule id 'a1'"));

    assert_int_equal(ps_ruleset_count(rs), 4);
    assert_int_equal(rs->n_files, files_before);
    static const char *const ids[] = {"a1", "b1", "b2", "c1"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(rs->rules[i].id, ids[i]);

    /* And it still takes new rules after all that. */
    td_join(&t, "dup/x.yaml", p, sizeof p);
    assert_int_equal(ps_ruleset_load_path(rs, p, &d), PS_OK);
    assert_int_equal(ps_ruleset_count(rs), 5);
    assert_string_equal(rs->rules[4].id, "x1");
    ps_ruleset_free(rs);
    td_remove(&t);
}

static void test_builtin(void **state)
{
    (void)state;
    ps_ruleset *rs = new_rs();
    ps_diag d;
    memset(&d, 0, sizeof d);
    int rc = ps_ruleset_load_builtin(rs, &d);
    if (rc != PS_OK)
        print_error("builtin packs: %s:%u:%u %s: %s\n", d.file, d.line, d.col, d.rule_id, d.msg);
    assert_int_equal(rc, PS_OK);
    size_t n = ps_ruleset_count(rs);
    for (size_t i = 0; i < n; i++) {
        ps_rule_info info;
        assert_int_equal(ps_ruleset_rule(rs, i, &info), PS_OK);
        assert_int_equal(strncmp(info.file, "builtin:", 8), 0);
        assert_true(info.pack[0] != '\0');
    }
#ifdef PS_TEST_BUILTIN_STUB
    assert_int_equal(n, 2);
    assert_string_equal(rs->rules[0].id, "stub-email");
    assert_string_equal(rs->rules[0].pack, "core");
    assert_string_equal(rs->rules[0].pos.file, "builtin:core.yaml");
    assert_string_equal(rs->rules[1].id, "stub-key");
    assert_string_equal(rs->rules[1].pack, "keys");
    assert_string_equal(rs->rules[1].pattern, "key=\\w+");
#endif
    /* Loading them twice clashes on ids (when there are any) and changes nothing. */
    if (n) {
        assert_int_equal(ps_ruleset_load_builtin(rs, &d), PS_E_RULES);
        assert_non_null(strstr(d.msg, "duplicate rule id"));
        assert_int_equal(ps_ruleset_count(rs), n);
    }
    ps_ruleset_free(rs);
}

static void test_diag_format(void **state)
{
    (void)state;
    ps_ruleset *rs = new_rs();
    ps_diag d;
    char buf[1200];
    assert_int_equal(load(rs, "r.yaml", H "  - id: a\n    pattern: x\n    group: abc\n", &d), PS_E_RULES);
    ps_diag_format(&d, buf, sizeof buf);
    assert_string_equal(buf, "r.yaml:5:12: rule 'a': 'group' must be an integer, got 'abc'");

    /* rules_diag copes with no position, no rule and an over-long file name. */
    char longname[2000];
    memset(longname, 'f', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    ps_srcpos pos = {longname, 3, 4};
    rules_diag(&d, &pos, NULL, "x %d", 7);
    assert_int_equal(strlen(d.file), sizeof d.file - 1);
    assert_int_equal(d.line, 3);
    assert_string_equal(d.rule_id, "");
    assert_string_equal(d.msg, "x 7");
    rules_diag(&d, NULL, "r", "y");
    assert_string_equal(d.file, "");
    assert_int_equal(d.line, 0);
    assert_string_equal(d.rule_id, "r");
    rules_diag(NULL, NULL, NULL, "ignored");
    ps_ruleset_free(rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_rule),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_errors_syntax),
        cmocka_unit_test(test_errors_empty_and_version),
        cmocka_unit_test(test_errors_unknown_keys),
        cmocka_unit_test(test_errors_types),
        cmocka_unit_test(test_errors_rule_content),
        cmocka_unit_test(test_errors_aliases_and_nesting),
        cmocka_unit_test(test_deep_nesting_bounded),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_path_errors),
        cmocka_unit_test(test_directory_order),
        cmocka_unit_test(test_keep_packs),
        cmocka_unit_test(test_failed_load_leaves_ruleset),
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_diag_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
