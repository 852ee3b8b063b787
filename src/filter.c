/* filter.c — consent/region gates (before scanning) and document drop policies (after). */
#include "filter.h"

#include "jsonl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[PS_DROP_REASONS] = {"invalid", "findings", "density", "exclude", "require",
                                                          "ids"};

const char *ps_drop_reason_name(ps_drop_reason r)
{
    return (unsigned)r < PS_DROP_REASONS ? reason_names[r] : "unknown";
}

int ps_filter_new(ps_filter **out)
{
    ps_filter *f = calloc(1, sizeof *f);
    if (!f)
        return PS_E_NOMEM;
    *out = f;
    return PS_OK;
}

void ps_filter_free(ps_filter *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n_gates; i++) {
        free(f->gates[i].field);
        for (size_t k = 0; k < f->gates[i].n_values; k++)
            free(f->gates[i].values[k]);
        free(f->gates[i].values);
    }
    free(f->gates);
    idset_free(f->ids);
    free(f->id_field);
    free(f->fields);
    free(f);
}

static void usage(ps_diag *d, const char *msg, const char *arg)
{
    if (!d)
        return;
    memset(d, 0, sizeof *d);
    snprintf(d->msg, sizeof d->msg, msg, arg ? arg : "");
}

static int valid_path(const char *p)
{
    if (!p || !*p || *p == '.')
        return 0;
    size_t n = strlen(p);
    return p[n - 1] != '.' && !strstr(p, "..") && !strchr(p, '*');
}

/* The fields the gates read, in gate order, the id field last: one jsonl_find looks them all up. */
static int index_fields(ps_filter *f)
{
    size_t k = f->n_gates + (f->id_field != NULL);
    const char **fields = realloc(f->fields, (k ? k : 1) * sizeof *fields);
    if (!fields)
        return PS_E_NOMEM;
    for (size_t i = 0; i < f->n_gates; i++)
        fields[i] = f->gates[i].field;
    if (f->id_field)
        fields[f->n_gates] = f->id_field;
    f->fields = fields;
    f->n_fields = k;
    return PS_OK;
}

/* Adds a gate with the values of a comma-separated list (one value when require). */
static int add_gate(ps_filter *f, const char *field, const char *values, int require, ps_diag *diag)
{
    if (!valid_path(field)) {
        usage(diag, "invalid field path '%s': use dotted names like meta.region (no wildcards in gates)", field);
        return PS_E_USAGE;
    }
    ps_gate *g = realloc(f->gates, (f->n_gates + 1) * sizeof *g);
    if (!g)
        return PS_E_NOMEM;
    f->gates = g;
    g = &f->gates[f->n_gates];
    memset(g, 0, sizeof *g);
    if (!(g->field = strdup(field)))
        return PS_E_NOMEM;
    g->require = require;
    f->n_gates++; /* from here on, ps_filter_free releases what the gate holds */
    if (index_fields(f))
        return PS_E_NOMEM;
    const char *p = values;
    do {
        const char *comma = require ? NULL : strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char **v = realloc(g->values, (g->n_values + 1) * sizeof *v);
        if (!v)
            return PS_E_NOMEM;
        g->values = v;
        if (!(v[g->n_values] = strndup(p, len)))
            return PS_E_NOMEM;
        g->n_values++;
        p = comma ? comma + 1 : NULL;
    } while (p);
    return PS_OK;
}

int ps_filter_exclude(ps_filter *f, const char *field, const char *values_csv, ps_diag *diag)
{
    return add_gate(f, field, values_csv ? values_csv : "", 0, diag);
}

int ps_filter_require(ps_filter *f, const char *field, const char *value, ps_diag *diag)
{
    return add_gate(f, field, value ? value : "", 1, diag);
}

int ps_filter_exclude_ids(ps_filter *f, const char *path, const char *id_field, ps_diag *diag)
{
    if (!valid_path(id_field)) {
        usage(diag, "invalid id field '%s': use a dotted name like id or meta.user_id", id_field);
        return PS_E_USAGE;
    }
    FILE *in = fopen(path, "rb");
    if (!in) {
        usage(diag, "cannot open the id list: %s", strerror(errno));
        snprintf(diag->file, sizeof diag->file, "%s", path);
        return PS_E_IO;
    }
    int st = PS_OK;
    if (!f->ids && idset_new(&f->ids))
        st = PS_E_NOMEM;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (st == PS_OK && (n = getline(&line, &cap, in)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        if (n > 0 && idset_add(f->ids, line, (size_t)n))
            st = PS_E_NOMEM;
    }
    if (st == PS_OK && ferror(in)) {
        usage(diag, "cannot read the id list: %s", strerror(errno));
        snprintf(diag->file, sizeof diag->file, "%s", path);
        st = PS_E_IO;
    }
    free(line);
    fclose(in);
    if (st == PS_OK) {
        free(f->id_field);
        if (!(f->id_field = strdup(id_field)) || index_fields(f))
            st = PS_E_NOMEM;
    }
    return st;
}

void ps_filter_drop_findings(ps_filter *f, uint64_t n)
{
    f->drop_findings = n;
}

void ps_filter_drop_density(ps_filter *f, double x)
{
    f->drop_density = x;
}

size_t ps_filter_id_count(const ps_filter *f)
{
    return f && f->ids ? idset_count(f->ids) : 0;
}

int filter_has_require(const ps_filter *f)
{
    for (size_t i = 0; f && i < f->n_gates; i++)
        if (f->gates[i].require)
            return 1;
    return 0;
}

int filter_has_field_gates(const ps_filter *f)
{
    return f && (f->n_gates || f->id_field);
}

/* The gates' verdict on the values found. @return -1 keep, or the drop reason. */
static int judge(const ps_filter *f, const char *line, const jsonl_value *v, ps_buf *tmp, int *missing)
{
    for (size_t i = 0; i < f->n_gates; i++) {
        const ps_gate *g = &f->gates[i];
        tmp->len = 0;
        int r = jsonl_value_text(line, &v[i], tmp);
        if (r < 0) /* no memory for the value: when in doubt, a gated record stays out */
            return g->require ? PS_DROP_REQUIRE : PS_DROP_EXCLUDE;
        if (r == 0) {
            *missing = 1;
            if (g->require)
                return PS_DROP_REQUIRE;
            continue;
        }
        int hit = 0;
        for (size_t k = 0; k < g->n_values && !hit; k++)
            hit = strlen(g->values[k]) == tmp->len && memcmp(g->values[k], tmp->p, tmp->len) == 0;
        if (g->require && !hit)
            return PS_DROP_REQUIRE;
        if (!g->require && hit)
            return PS_DROP_EXCLUDE;
    }
    if (f->id_field) {
        tmp->len = 0;
        int r = jsonl_value_text(line, &v[f->n_gates], tmp);
        if (r < 0)
            return PS_DROP_IDS;
        if (r == 0)
            *missing = 1;
        else if (idset_has(f->ids, tmp->p ? tmp->p : "", tmp->len))
            return PS_DROP_IDS;
    }
    return -1;
}

#define FILTER_SMALL 16 /* gated fields looked up without a heap allocation */

int filter_gate(const ps_filter *f, const char *line, size_t n, unsigned max_depth, ps_buf *tmp, int *missing,
                int *why)
{
    *missing = 0;
    *why = -1;
    jsonl_value small[FILTER_SMALL], *v = small;
    if (f->n_fields > FILTER_SMALL && !(v = malloc(f->n_fields * sizeof *v)))
        return JSONL_NOMEM;
    int rc = jsonl_find(line, n, f->fields, f->n_fields, max_depth, v);
    if (rc == JSONL_OK)
        *why = judge(f, line, v, tmp, missing);
    if (v != small)
        free(v);
    return rc;
}

int filter_policy(const ps_filter *f, uint64_t findings, uint64_t scanned)
{
    if (f->drop_findings && findings >= f->drop_findings)
        return PS_DROP_FINDINGS;
    if (f->drop_density > 0 && findings && (double)findings * 1024.0 / (double)(scanned ? scanned : 1) > f->drop_density)
        return PS_DROP_DENSITY;
    return -1;
}
