/* cli_report.c — --report, --stats, --list-rules and --test-rules output of the piiscrub CLI. */
#include "cli_report.h"

#include "utf8.h"

#include "cli_opts.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Where SARIF readers send people for the tool: set PS_HOMEPAGE_URL at build time; the man page otherwise. */
#ifdef PS_HOMEPAGE_URL
#define CLI_INFORMATION_URI PS_HOMEPAGE_URL
#else
#define CLI_INFORMATION_URI "man:piiscrub(1)"
#endif


void cli_json_string(FILE *fp, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t n = strlen(str);
    putc('"', fp);
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        switch (c) {
        case '"': fputs("\\\"", fp); i++; continue;
        case '\\': fputs("\\\\", fp); i++; continue;
        case '\n': fputs("\\n", fp); i++; continue;
        case '\r': fputs("\\r", fp); i++; continue;
        case '\t': fputs("\\t", fp); i++; continue;
        case '\b': fputs("\\b", fp); i++; continue;
        case '\f': fputs("\\f", fp); i++; continue;
        default: break;
        }
        if (c < 0x20) {
            fprintf(fp, "\\u%04x", c);
            i++;
            continue;
        }
        size_t len = utf8_seq_len(s + i, n - i);
        if (len == 0) {
            fputs("\\ufffd", fp);
            i++;
            continue;
        }
        fwrite(s + i, 1, len, fp);
        i += len;
    }
    putc('"', fp);
}

const char *cli_format_name(ps_format f)
{
    switch (f) {
    case PS_FORMAT_TEXT: return "text";
    case PS_FORMAT_NUL: return "nul";
    case PS_FORMAT_JSONL: return "jsonl";
    }
    return "unknown";
}

static const char *str_or(const char *s, const char *dflt)
{
    return s && s[0] ? s : dflt;
}

static void json_list(FILE *fp, const char *const *v, size_t n)
{
    putc('[', fp);
    for (size_t i = 0; i < n; i++) {
        if (i)
            putc(',', fp);
        cli_json_string(fp, v[i]);
    }
    putc(']', fp);
}

/* The options in force, so a training set can say how it was cleaned (the key itself never appears). */
static void write_manifest_options(FILE *fp, const cli_opts *o, size_t id_count)
{
    static const char *const invalid[] = {"text", "drop", "abort"};
    fputs(",\"options\":{\"rule_files\":", fp);
    if (o->n_rules)
        json_list(fp, o->rules, o->n_rules);
    else
        fputs("\"builtin\"", fp);
    fputs(",\"packs\":", fp);
    if (o->packs)
        cli_json_string(fp, o->packs);
    else
        fputs("null", fp);
    fputs(",\"tag_format\":", fp);
    cli_json_string(fp, o->tag_format ? o->tag_format : "[{entity}]");
    fprintf(fp, ",\"keyed_hash\":%s,\"on_error\":\"%s\",\"on_invalid\":\"%s\",\"fields\":",
            o->key_file ? "true" : "false", o->on_error == PS_ON_ERROR_ABORT ? "abort" : "unscanned",
            invalid[o->on_invalid]);
    json_list(fp, o->fields, o->n_fields);
    fputs(",\"exclude\":", fp);
    json_list(fp, o->excludes, o->n_excludes);
    fputs(",\"require\":", fp);
    json_list(fp, o->requires, o->n_requires);
    fputs(",\"exclude_ids\":", fp);
    if (o->exclude_ids) {
        cli_json_string(fp, o->exclude_ids);
        fputs(",\"id_field\":", fp);
        cli_json_string(fp, o->id_field);
        fprintf(fp, ",\"ids_loaded\":%zu", id_count);
    } else {
        fputs("null", fp);
    }
    if (o->drop_findings_set)
        fprintf(fp, ",\"drop_findings\":%lu", o->drop_findings);
    if (o->drop_density_set)
        fprintf(fp, ",\"drop_density\":%g", o->drop_density);
    putc('}', fp);
}

void cli_stats_write(FILE *fp, const ps_stats *st, const ps_engine *e, const cli_stats_info *info)
{
    double secs = info->seconds > 0 ? info->seconds : 0.0;
    double mbps = secs > 0 ? (double)st->bytes_in / 1e6 / secs : 0.0;
    ps_action action = info->action == PS_ACTION_INHERIT ? PS_ACTION_TAG : info->action;

    fputs("{\"version\":", fp);
    cli_json_string(fp, ps_version());
    fprintf(fp,
            ",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ",\"records\":%" PRIu64 ",\"records_changed\":%" PRIu64
            ",\"findings\":%" PRIu64 ",\"unscanned\":%" PRIu64 ",\"seconds\":%.6f,\"mb_per_s\":%.3f,\"threads\":%u",
            st->bytes_in, st->bytes_out, st->records, st->records_changed, st->findings, st->unscanned, secs, mbps,
            info->threads);
    fputs(",\"format\":", fp);
    cli_json_string(fp, cli_format_name(info->format));
    fputs(",\"action\":", fp);
    cli_json_string(fp, ps_action_name(action));
    fputs(",\"invalid\":", fp);
    fprintf(fp, "%" PRIu64 ",\"missing_field\":%" PRIu64 ",\"dropped\":{", st->invalid, st->missing_field);
    for (int r = 0; r < PS_DROP_REASONS; r++) {
        fprintf(fp, "%s", r ? "," : "");
        cli_json_string(fp, ps_drop_reason_name((ps_drop_reason)r));
        fprintf(fp, ":%" PRIu64, st->dropped[r]);
    }
    fputs("},\"rules_digest\":", fp);
    cli_json_string(fp, info->rules_digest ? info->rules_digest : "");
    if (info->opts)
        write_manifest_options(fp, info->opts, info->id_count);
    fputs(",\"rules\":{", fp);
    int first = 1;
    for (size_t i = 0; i < st->n_rules && st->per_rule; i++) {
        if (st->per_rule[i] == 0)
            continue;
        if (!first)
            putc(',', fp);
        first = 0;
        cli_json_string(fp, str_or(ps_engine_rule_id(e, i), "?"));
        fprintf(fp, ":%" PRIu64, st->per_rule[i]);
    }
    fputs("}}\n", fp);
}

enum { LR_COLS = 6 };

void cli_list_rules(FILE *fp, const ps_ruleset *rs, ps_action run_action)
{
    static const char *const head[LR_COLS] = {"ID", "PACK", "ENTITY", "ACTION", "VALIDATE", "SOURCE"};
    size_t n = ps_ruleset_count(rs);
    int width[LR_COLS];
    char src[600];
    if (run_action == PS_ACTION_INHERIT)
        run_action = PS_ACTION_TAG;

    /* Two passes: widths first, so the columns line up whatever the ids. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0)
            for (int c = 0; c < LR_COLS; c++)
                width[c] = (int)strlen(head[c]);
        else
            fprintf(fp, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", width[0], head[0], width[1], head[1], width[2], head[2],
                    width[3], head[3], width[4], head[4], head[5]);
        for (size_t i = 0; i < n; i++) {
            ps_rule_info ri;
            if (ps_ruleset_rule(rs, i, &ri) != PS_OK)
                continue;
            const char *col[LR_COLS];
            col[0] = str_or(ri.id, "?");
            col[1] = str_or(ri.pack, "-");
            col[2] = str_or(ri.entity, "-");
            col[3] = ps_action_name(ri.action == PS_ACTION_INHERIT ? run_action : ri.action);
            col[4] = str_or(ri.validate, "-");
            snprintf(src, sizeof src, "%s:%u", str_or(ri.file, "?"), ri.line);
            col[5] = src;
            if (pass == 0) {
                for (int c = 0; c < LR_COLS; c++) {
                    size_t l = strlen(col[c]);
                    if ((int)l > width[c])
                        width[c] = l > 200 ? 200 : (int)l;
                }
            } else {
                fprintf(fp, "%-*s  %-*s  %-*s  %-*s  %-*s  %s\n", width[0], col[0], width[1], col[1], width[2],
                        col[2], width[3], col[3], width[4], col[4], col[5]);
            }
        }
    }
}

static int test_rules_cb(void *ctx, const ps_example_result *r)
{
    FILE *fp = ctx;
    if (r->passed)
        return 0;
    fprintf(fp, "%s:%u:%u: rule '%s': %s example ", str_or(r->file, "?"), r->line, r->col, str_or(r->rule_id, "?"),
            r->expect_match ? "match" : "no_match");
    cli_json_string(fp, r->example ? r->example : "");
    fprintf(fp, " was %s (%s)\n", r->expect_match ? "not redacted" : "redacted", str_or(r->why, "no reason given"));
    return 0;
}

int cli_test_rules(FILE *fp, const ps_engine *e, size_t *failed)
{
    size_t run = 0, bad = 0;
    int rc = ps_engine_test_examples(e, test_rules_cb, fp, &run, &bad);
    if (rc != PS_OK)
        return rc;
    fprintf(fp, "%zu examples, %zu passed, %zu failed\n", run, run - bad, bad);
    *failed = bad;
    return PS_OK;
}

/* ---------------------------------------------------------------- rules as reports describe them */

cli_rule_meta *cli_rule_meta_new(const ps_engine *e, const ps_ruleset *rs, ps_action run_action)
{
    size_t n = ps_engine_rule_count(e), nr = rs ? ps_ruleset_count(rs) : 0;
    cli_rule_meta *m = calloc(n ? n : 1, sizeof *m);
    if (!m)
        return NULL;
    if (run_action == PS_ACTION_INHERIT)
        run_action = PS_ACTION_TAG;
    for (size_t i = 0; i < n; i++) {
        m[i].id = str_or(ps_engine_rule_id(e, i), "?");
        m[i].entity = str_or(ps_engine_rule_entity(e, i), "?");
        m[i].description = NULL;
        m[i].pack = NULL;
        m[i].action = run_action;
        /* The engine keeps the ruleset's order, so the same index is tried first. */
        for (size_t k = 0; k < nr; k++) {
            ps_rule_info ri;
            size_t j = (i + k) % nr;
            if (ps_ruleset_rule(rs, j, &ri) != PS_OK || !ri.id || strcmp(ri.id, m[i].id) != 0)
                continue;
            m[i].description = ri.description && ri.description[0] ? ri.description : NULL;
            m[i].pack = ri.pack;
            if (ri.action != PS_ACTION_INHERIT)
                m[i].action = ri.action;
            break;
        }
    }
    return m;
}

/* ---------------------------------------------------------------- findings: JSONL, SARIF, --check lines */

/* SARIF wants a URI reference: "-" is stdin, an absolute path becomes file:///..., everything outside the
 * unreserved set (and '/') is percent-encoded, so a ':' in a relative name cannot pass for a scheme. */
static void put_uri(FILE *fp, const char *name)
{
    static const char hex[] = "0123456789ABCDEF";
    putc('"', fp);
    if (strcmp(name, "-") == 0) {
        fputs("stdin\"", fp);
        return;
    }
    if (name[0] == '/')
        fputs("file://", fp);
    while (name[0] == '.' && name[1] == '/')
        name += 2;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        unsigned c = *p;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
            c == '_' || c == '~' || c == '/') {
            putc((int)c, fp);
        } else {
            putc('%', fp);
            putc(hex[c >> 4], fp);
            putc(hex[c & 15], fp);
        }
    }
    putc('"', fp);
}

static void sarif_result(cli_report *r, const ps_finding *f)
{
    FILE *fp = r->fp;
    const cli_rule_meta *m = r->meta ? &r->meta[f->rule] : NULL;
    const char *id = m ? m->id : str_or(ps_engine_rule_id(r->engine, f->rule), "?");
    const char *entity = m ? m->entity : str_or(ps_engine_rule_entity(r->engine, f->rule), "?");
    char msg[600];
    if (r->n_results++)
        putc(',', fp);
    fputs("\n    {\"ruleId\":", fp);
    cli_json_string(fp, id);
    fprintf(fp, ",\"ruleIndex\":%zu,\"level\":\"error\",\"message\":{\"text\":", f->rule);
    if (f->field)
        snprintf(msg, sizeof msg, "%s found in field %s (rule %s)", entity, f->field, id);
    else
        snprintf(msg, sizeof msg, "%s found (rule %s)", entity, id);
    cli_json_string(fp, msg);
    fputs("},\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", fp);
    put_uri(fp, r->input);
    /* In jsonl the offset is inside the decoded string of a field, not the line: only the line is a location. */
    if (f->field)
        fprintf(fp, "},\"region\":{\"startLine\":%" PRIu64 "}}}]", f->record);
    else
        fprintf(fp,
                "},\"region\":{\"startLine\":%" PRIu64 ",\"startColumn\":%" PRIu64 ",\"endColumn\":%" PRIu64
                "}}}]",
                f->record, f->offset + 1, f->offset + f->length + 1);
    if (f->field) {
        fputs(",\"properties\":{\"field\":", fp);
        cli_json_string(fp, f->field);
        fprintf(fp, ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64 "}", f->offset, f->length);
    }
    putc('}', fp);
}

int cli_report_finding(void *ctx, const ps_finding *f)
{
    cli_report *r = ctx;
    size_t n_rules = ps_engine_rule_count(r->engine);
    const char *id = str_or(ps_engine_rule_id(r->engine, f->rule), "?");
    const char *entity = str_or(ps_engine_rule_entity(r->engine, f->rule), "?");
    if (f->rule >= n_rules) /* never expected; keep the SARIF ruleIndex honest if it happens */
        return 1;
    if (r->fp && r->sarif) {
        sarif_result(r, f);
    } else if (r->fp) {
        fputs("{\"file\":", r->fp);
        cli_json_string(r->fp, r->input);
        fprintf(r->fp, ",\"record\":%" PRIu64, f->record);
        if (f->field) { /* jsonl: the offset is inside this field's decoded string */
            fputs(",\"field\":", r->fp);
            cli_json_string(r->fp, f->field);
        }
        fprintf(r->fp, ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64 ",\"rule\":", f->offset, f->length);
        cli_json_string(r->fp, id);
        fputs(",\"entity\":", r->fp);
        cli_json_string(r->fp, entity);
        fputs("}\n", r->fp);
    }
    if (r->list_fp) {
        /* grep style: file:line:col, the line being the record number and the column the byte offset + 1. */
        if (r->progress && r->progress->shown)
            cli_progress_clear(r->progress);
        const char *name = strcmp(r->input, "-") == 0 ? "stdin" : r->input;
        if (f->field) /* jsonl: a column of the line is not known, the field is */
            fprintf(r->list_fp, "%s:%" PRIu64 ": %s (%s) in %s\n", name, f->record, id, entity, f->field);
        else
            fprintf(r->list_fp, "%s:%" PRIu64 ":%" PRIu64 ": %s (%s)\n", name, f->record, f->offset + 1, id, entity);
        if (r->progress && r->progress->fp)
            fflush(r->list_fp); /* before the next status line reaches the same terminal */
        if (ferror(r->list_fp)) {
            r->list_err = errno ? errno : EIO;
            return 1;
        }
    }
    return r->fp && ferror(r->fp) ? 1 : 0;
}

void cli_sarif_begin(cli_report *r)
{
    FILE *fp = r->fp;
    size_t n = ps_engine_rule_count(r->engine);
    r->n_results = 0;
    fputs("{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{\n"
          "  \"tool\":{\"driver\":{\"name\":\"piiscrub\",\"version\":",
          fp);
    cli_json_string(fp, ps_version());
    fputs(",\"semanticVersion\":", fp);
    cli_json_string(fp, ps_version());
    fputs(",\"informationUri\":", fp);
    cli_json_string(fp, CLI_INFORMATION_URI);
    fputs(",\"rules\":[", fp);
    for (size_t i = 0; i < n; i++) {
        const cli_rule_meta *m = r->meta ? &r->meta[i] : NULL;
        const char *id = m ? m->id : str_or(ps_engine_rule_id(r->engine, i), "?");
        const char *entity = m ? m->entity : str_or(ps_engine_rule_entity(r->engine, i), "?");
        const char *desc = m && m->description ? m->description : entity;
        fputs(i ? ",\n    {\"id\":" : "\n    {\"id\":", fp);
        cli_json_string(fp, id);
        fputs(",\"name\":", fp);
        cli_json_string(fp, id);
        fputs(",\"shortDescription\":{\"text\":", fp);
        cli_json_string(fp, desc);
        fputs("},\"defaultConfiguration\":{\"level\":\"error\"},\"properties\":{\"entity\":", fp);
        cli_json_string(fp, entity);
        if (m && m->pack) {
            fputs(",\"pack\":", fp);
            cli_json_string(fp, m->pack);
        }
        fputs(",\"tags\":[\"privacy\",\"pii\"]}}", fp);
    }
    /* Columns count bytes of the record (UTF-8), 1-based. SARIF knows only UTF-16 code units and code points;
     * code points is the closer one (the same on ASCII lines), and the property says what is really counted. */
    fputs("]}},\n  \"columnKind\":\"unicodeCodePoints\",\n"
          "  \"properties\":{\"columnUnit\":\"utf8Bytes\",\"lineUnit\":\"record\"},\n"
          "  \"results\":[",
          fp);
}

void cli_sarif_end(cli_report *r, int successful)
{
    fprintf(r->fp, "%s],\n  \"invocations\":[{\"executionSuccessful\":%s}]\n}]}\n", r->n_results ? "\n  " : "",
            successful ? "true" : "false");
}

/* ---------------------------------------------------------------- --progress */

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cli_progress_init(cli_progress *p, FILE *fp, double now, uint64_t total, int total_known)
{
    memset(p, 0, sizeof *p);
    p->fp = fp;
    p->t0 = p->last = now;
    p->total = total;
    p->total_known = total_known;
}

static void human_bytes(char *buf, size_t size, double b)
{
    if (b >= 1e9)
        snprintf(buf, size, "%.2f GB", b / 1e9);
    else if (b >= 1e6)
        snprintf(buf, size, "%.1f MB", b / 1e6);
    else
        snprintf(buf, size, "%.1f kB", b / 1e3);
}

static void progress_draw(cli_progress *p, const ps_stats *st, double now)
{
    char line[200], done[32], rate[32], eta[48] = "", pct[16] = "";
    double secs = now - p->t0;
    double bps = secs > 0 ? (double)st->bytes_in / secs : 0;
    human_bytes(done, sizeof done, (double)st->bytes_in);
    human_bytes(rate, sizeof rate, bps);
    if (p->total_known && p->total > 0) {
        uint64_t d = st->bytes_in < p->total ? st->bytes_in : p->total;
        snprintf(pct, sizeof pct, "  %3.0f%%", 100.0 * (double)d / (double)p->total);
        if (bps > 0) {
            unsigned long left = (unsigned long)((double)(p->total - d) / bps + 0.5);
            if (left >= 3600)
                snprintf(eta, sizeof eta, "  ETA %lu:%02lu:%02lu", left / 3600, left / 60 % 60, left % 60);
            else
                snprintf(eta, sizeof eta, "  ETA %lu:%02lu", left / 60, left % 60);
        }
    }
    int n = snprintf(line, sizeof line, "%s%s  %s/s%s  %" PRIu64 " finding%s", done, pct, rate, eta, st->findings,
                     st->findings == 1 ? "" : "s");
    size_t len = n < 0 ? 0 : (size_t)n >= sizeof line ? sizeof line - 1 : (size_t)n;
    /* Blank what a longer earlier line leaves behind; no escape sequences, so a log of stderr stays readable. */
    fprintf(p->fp, "\r%s%*s", line, p->width > len ? (int)(p->width - len) : 0, "");
    fflush(p->fp);
    p->width = len;
    p->shown = 1;
    p->last = now;
}

int cli_progress_update(void *ctx, const ps_stats *st)
{
    cli_progress *p = ctx;
    if (!p->fp)
        return 0;
    double now = mono_now(); /* one clock read per chunk (~1 MiB): nothing next to the scan */
    if (now - p->last >= 0.25)
        progress_draw(p, st, now);
    return 0;
}

void cli_progress_clear(cli_progress *p)
{
    if (!p->fp || !p->shown)
        return;
    fprintf(p->fp, "\r%*s\r", (int)p->width, "");
    fflush(p->fp);
    p->shown = 0;
    p->width = 0;
}

void cli_progress_finish(cli_progress *p, const ps_stats *st, int always)
{
    if (!p->fp || (!p->shown && !always))
        return;
    progress_draw(p, st, mono_now());
    fputc('\n', p->fp);
    fflush(p->fp);
    p->shown = 0;
    p->width = 0;
}

/* ---------------------------------------------------------------- --explain */

void cli_put_value(FILE *fp, const char *v, size_t n, int show)
{
    const unsigned char *s = (const unsigned char *)v;
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == '\t')
                fputs("\\t", fp);
            else if (c == '\r')
                fputs("\\r", fp);
            else if (c == '\n')
                fputs("\\n", fp);
            else if (c < 0x20 || c == 0x7f)
                fprintf(fp, "\\x%02x", c);
            else if (c == '\\')
                fputs("\\\\", fp);
            else if (c == '"')
                fputs("\\\"", fp);
            else if (!show && ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
                putc('*', fp);
            else
                putc((int)c, fp);
            i++;
            continue;
        }
        size_t len = utf8_seq_len(s + i, n - i);
        if (len == 0) {
            if (show)
                fprintf(fp, "\\x%02x", c);
            else
                putc('*', fp);
            i++;
            continue;
        }
        if (show)
            fwrite(s + i, 1, len, fp);
        else
            putc('*', fp);
        i += len;
    }
}

/* The tag text of a rule, as the tag action writes it: {entity} and {rule} filled in, {{ and }} literal. */
static void put_tag(FILE *fp, const char *fmt, const cli_rule_meta *m)
{
    if (!fmt)
        fmt = "[{entity}]";
    for (const char *p = fmt; *p;) {
        if ((p[0] == '{' || p[0] == '}') && p[1] == p[0]) {
            putc(p[0], fp);
            p += 2;
        } else if (strncmp(p, "{entity}", 8) == 0) {
            fputs(m->entity, fp);
            p += 8;
        } else if (strncmp(p, "{rule}", 6) == 0) {
            fputs(m->id, fp);
            p += 6;
        } else {
            putc(*p++, fp);
        }
    }
}

typedef struct explained {
    ps_explain_event ev;
    char *why; /* copied: the library's text lives only during the callback */
} explained;

typedef struct explain_acc {
    explained *v;
    size_t n, cap;
    int nomem;
} explain_acc;

static int explain_collect(void *ctx, const ps_explain_event *ev)
{
    explain_acc *a = ctx;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        explained *v = realloc(a->v, cap * sizeof *v);
        if (!v) {
            a->nomem = 1;
            return 1;
        }
        a->v = v;
        a->cap = cap;
    }
    explained *x = &a->v[a->n];
    x->ev = *ev;
    x->why = ev->why ? strdup(ev->why) : NULL;
    if (ev->why && !x->why) {
        a->nomem = 1;
        return 1;
    }
    x->ev.why = x->why;
    a->n++;
    return 0;
}

static int by_position(const void *pa, const void *pb)
{
    const ps_explain_event *a = &((const explained *)pa)->ev, *b = &((const explained *)pb)->ev;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    return a->end < b->end ? -1 : a->end > b->end;
}

static void explain_line(cli_explain *x, uint64_t record, const char *text, const ps_explain_event *ev)
{
    FILE *fp = x->fp;
    const cli_rule_meta *m = &x->meta[ev->rule];
    if (x->input)
        fprintf(fp, "%s:", strcmp(x->input, "-") == 0 ? "stdin" : x->input);
    fprintf(fp, "%" PRIu64 ":%" PRIu64 "-%" PRIu64 " %s (%s) \"", record, ev->start, ev->end, m->id, m->entity);
    cli_put_value(fp, text + ev->start, (size_t)(ev->end - ev->start), x->show_values);
    fputs("\": ", fp);
    if (!ev->kept) {
        fprintf(fp, "dropped by %s: %s\n", str_or(ev->check, "a check"), str_or(ev->why, "no reason given"));
        return;
    }
    if (ev->merged) {
        const cli_rule_meta *o = &x->meta[ev->merged_rule];
        fprintf(fp, "kept, merged into %s span %" PRIu64 "-%" PRIu64 "\n", o->id, ev->redacted_start,
                ev->redacted_end);
        return;
    }
    fputs("kept, ", fp);
    switch (m->action) {
    case PS_ACTION_MASK:
        fputs("masked as \"", fp);
        cli_put_value(fp, text + ev->redacted_start, (size_t)(ev->redacted_end - ev->redacted_start), 0);
        putc('"', fp);
        break;
    case PS_ACTION_PARTIAL: fputs("partially masked (the last 4 letters or digits stay)", fp); break;
    case PS_ACTION_HASH: fprintf(fp, "replaced by a keyed hash [%s:...]", m->entity); break;
    case PS_ACTION_REMOVE: fputs("removed", fp); break;
    case PS_ACTION_INHERIT:
    case PS_ACTION_TAG:
    default:
        fputs("redacted as ", fp);
        put_tag(fp, x->tag_format, m);
        break;
    }
    if (ev->redacted_start != ev->start || ev->redacted_end != ev->end)
        fprintf(fp, " (span %" PRIu64 "-%" PRIu64 ")", ev->redacted_start, ev->redacted_end);
    putc('\n', fp);
}

int cli_explain_record(cli_explain *x, uint64_t record, const char *text, size_t len)
{
    explain_acc acc = {0};
    int rc = ps_explain(x->engine, text, len, explain_collect, &acc);
    if (acc.nomem)
        rc = PS_E_NOMEM;
    if (rc != PS_E_NOMEM) {
        if (acc.n > 1)
            qsort(acc.v, acc.n, sizeof *acc.v, by_position);
        for (size_t i = 0; i < acc.n; i++) {
            explain_line(x, record, text, &acc.v[i].ev);
            x->candidates++;
            if (acc.v[i].ev.kept)
                x->kept++;
            else
                x->dropped++;
        }
        if (rc == PS_E_UNSCANNED) {
            if (x->input)
                fprintf(x->fp, "%s:", strcmp(x->input, "-") == 0 ? "stdin" : x->input);
            fprintf(x->fp, "%" PRIu64 ": scan stopped: a PCRE2 limit was hit, so the run would write [UNSCANNED] "
                           "for this record (candidates after that point are not listed)\n",
                    record);
        }
    }
    x->records++;
    for (size_t i = 0; i < acc.n; i++)
        free(acc.v[i].why);
    free(acc.v);
    return rc;
}

void cli_profile_write(FILE *fp, const ps_stats *st, const ps_engine *e)
{
    size_t n = st->n_rules, *order = calloc(n ? n : 1, sizeof *order);
    uint64_t total = 0;
    if (!order || !st->rule_ns)
        goto out;
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        total += st->rule_ns[i];
    }
    /* Insertion sort, most expensive first: n is a few hundred at most. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && st->rule_ns[order[j]] > st->rule_ns[order[j - 1]]; j--) {
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    fprintf(fp, "%-28s %7s %10s %12s %9s %9s %9s  %-48s  %s\n", "RULE", "SHARE", "MS", "RUNS", "NS/RUN", "CALLS/RUN",
            "FINDINGS", "SEARCH STARTS", "PREFILTER TRIGGER");
    size_t untriggered = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        double share = total ? 100.0 * (double)st->rule_ns[i] / (double)total : 0.0;
        const char *trigger = ps_engine_rule_trigger(e, i);
        untriggered += trigger == NULL;
        char search[64];
        ps_engine_rule_search(e, i, search, sizeof search);
        double runs = st->rule_runs[i] ? (double)st->rule_runs[i] : 1.0;
        fprintf(fp, "%-28s %6.1f%% %10.1f %12" PRIu64 " %9.0f %9.2f %9" PRIu64 "  %-48s  %s\n",
                str_or(ps_engine_rule_id(e, i), "?"), share, (double)st->rule_ns[i] / 1e6, st->rule_runs[i],
                (double)st->rule_ns[i] / runs, (double)st->rule_calls[i] / runs, st->per_rule[i], search,
                str_or(trigger, "NONE"));
    }
    fprintf(fp, "(matching time of all rules: %.1f ms, all threads added up; RUNS = records (lines, in a "
                "record of many lines) a rule's gates let through; CALLS/RUN = regex searches per run (a search of "
                "each window where a match can start: none when the windows in a record its gates let through hold "
                "no start); SEARCH STARTS = where in a record its regex is started: bound what may come before a "
                "rare byte, e.g. [\\w.]{1,64}@ rather than [\\w.]+@, and a long record is searched only near it)\n",
            (double)total / 1e6);
    if (untriggered)
        fprintf(fp, "(%zu rule(s) with no prefilter trigger (NONE): the prefilter is off and every record is "
                    "scanned; give them keywords, or a pattern that needs a digit or a rarer byte)\n", untriggered);
out:
    free(order);
}
