/* cli_report.c — --report, --stats, --list-rules and --test-rules output of the piiscrub CLI. */
#include "cli_report.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0 when the bytes there are not valid UTF-8
 * (overlong forms and surrogates included). */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else
        return 0;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return len;
}

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

int cli_report_finding(void *ctx, const ps_finding *f)
{
    cli_report *r = ctx;
    fputs("{\"file\":", r->fp);
    cli_json_string(r->fp, r->input);
    fprintf(r->fp, ",\"record\":%" PRIu64 ",\"offset\":%" PRIu64 ",\"length\":%" PRIu64 ",\"rule\":", f->record,
            f->offset, f->length);
    cli_json_string(r->fp, str_or(ps_engine_rule_id(r->engine, f->rule), "?"));
    fputs(",\"entity\":", r->fp);
    cli_json_string(r->fp, str_or(ps_engine_rule_entity(r->engine, f->rule), "?"));
    fputs("}\n", r->fp);
    return ferror(r->fp) ? 1 : 0;
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
