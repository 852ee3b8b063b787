/* probe.c — how Vectorscan (Hyperscan) would do as piiscrub's multi-pattern prefilter: compiles the patterns listed in
 * pats.txt (lines "FLAG<TAB>ID<TAB>PATTERN", FLAG 'i' for caseless) in prefilter mode into one block-mode database,
 * then times a scan of a corpus as one buffer and line by line (the way piiscrub would need it: which rules can match
 * which record). Run through run.sh. Patterns Vectorscan refuses even in prefilter mode are listed and left out. */
#include <hs/hs.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RULES 256

typedef struct hits {
    unsigned long long n;
    unsigned char seen[MAX_RULES];
} hits;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags, void *ctx)
{
    (void)from, (void)to, (void)flags;
    hits *h = ctx;
    h->n++;
    h->seen[id] = 1;
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f || fseek(f, 0, SEEK_END))
        return NULL;
    long n = ftell(f);
    char *p = n >= 0 ? malloc((size_t)n + 1) : NULL;
    rewind(f);
    if (!p || fread(p, 1, (size_t)n, f) != (size_t)n)
        return NULL;
    fclose(f);
    *len = (size_t)n;
    return p;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: probe CORPUS\n");
        return 2;
    }
    size_t plen;
    char *pats = slurp("pats.txt", &plen), *corpus;
    size_t len;
    if (!pats || !(corpus = slurp(argv[1], &len))) {
        fprintf(stderr, "probe: cannot read pats.txt or %s\n", argv[1]);
        return 2;
    }
    pats[plen] = 0;
    const char *expr[MAX_RULES];
    unsigned flags[MAX_RULES], ids[MAX_RULES], n = 0;
    for (char *line = strtok(pats, "\n"); line && n < MAX_RULES; line = strtok(NULL, "\n")) {
        char *id = strchr(line, '\t'), *pat = id ? strchr(id + 1, '\t') : NULL;
        if (!pat)
            continue;
        *pat++ = 0;
        unsigned fl = HS_FLAG_PREFILTER | (line[0] == 'i' ? HS_FLAG_CASELESS : 0);
        hs_database_t *one;
        hs_compile_error_t *err;
        if (hs_compile(pat, fl, HS_MODE_BLOCK, NULL, &one, &err) != HS_SUCCESS) {
            printf("  refused: %s (%s)\n", id + 1, err->message);
            hs_free_compile_error(err);
            continue;
        }
        hs_free_database(one);
        expr[n] = pat;
        flags[n] = fl;
        ids[n] = n;
        n++;
    }
    double t0 = now();
    hs_database_t *db;
    hs_compile_error_t *err;
    if (hs_compile_multi(expr, flags, ids, n, HS_MODE_BLOCK, NULL, &db, &err) != HS_SUCCESS) {
        fprintf(stderr, "probe: %s\n", err->message);
        return 1;
    }
    double t1 = now();
    size_t size = 0;
    hs_database_size(db, &size);
    printf("  %u patterns: compiled in %.1f s, database %zu bytes\n", n, t1 - t0, size);
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);

    hits h = {0};
    t0 = now();
    hs_scan(db, corpus, (unsigned)len, 0, scratch, on_match, &h);
    t1 = now();
    printf("  whole buffer: %.1f MB/s, %llu matches\n", (double)len / 1e6 / (t1 - t0), h.n);

    unsigned long long lines = 0, pairs = 0;
    t0 = now();
    for (char *p = corpus, *end = corpus + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        memset(h.seen, 0, n);
        hs_scan(db, p, (unsigned)(nl - p), 0, scratch, on_match, &h);
        for (unsigned i = 0; i < n; i++)
            pairs += h.seen[i];
        lines++;
        p = nl + 1;
    }
    t1 = now();
    printf("  line by line: %.1f MB/s, %.0f ns a line, %.2f candidate rules a line\n", (double)len / 1e6 / (t1 - t0),
           (t1 - t0) * 1e9 / (double)lines, (double)pairs / (double)lines);
    hs_free_scratch(scratch);
    hs_free_database(db);
    free(pats);
    free(corpus);
    return 0;
}
