/* fuzz_frame.c — framing across block edges: the first bytes choose a block size, thread count and format; the
 * pipeline's output must equal each record redacted alone, whatever the cut. */
#include "fuzz_common.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct outbuf {
    char *p;
    size_t n, cap;
} outbuf;

static int sink(void *ctx, const char *p, size_t n)
{
    outbuf *o = ctx;
    if (n == 0)
        return 0;
    if (o->n + n > o->cap) {
        size_t cap = (o->n + n) * 2;
        char *q = realloc(o->p, cap);
        if (!q)
            return 1;
        o->p = q;
        o->cap = cap;
    }
    memcpy(o->p + o->n, p, n);
    o->n += n;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    ps_engine *e = fuzz_engine();
    size_t block = 1 + data[0] % 64;
    unsigned threads = 1 + data[1] % 3;
    ps_format fmt = data[2] % 2 ? PS_FORMAT_NUL : PS_FORMAT_TEXT;
    char sep = fmt == PS_FORMAT_NUL ? '\0' : '\n';
    const char *in = (const char *)data + 3;
    size -= 3;

    int fds[2];
    if (pipe(fds))
        return 0;
    if (size > 60000)
        size = 60000; /* stays within the pipe buffer: written before the run reads */
    if (write(fds[1], in, size) != (ssize_t)size)
        abort();
    close(fds[1]);
    outbuf out = {0};
    ps_run_options o = {0};
    o.format = fmt;
    o.threads = threads;
    o.block_size = block;
    o.write = sink;
    o.write_ctx = &out;
    ps_stats st;
    if (ps_stats_init(&st, e))
        abort();
    int rc = ps_run(e, &o, fds[0], &st);
    close(fds[0]);
    if (rc != PS_OK)
        abort();

    /* The reference: each record alone (no chunk prefilter). */
    outbuf ref = {0};
    size_t pos = 0;
    uint64_t records = 0;
    while (pos < size) {
        records++;
        const char *end = memchr(in + pos, sep, size - pos);
        size_t len = end ? (size_t)(end - (in + pos)) : size - pos, body = len;
        if (fmt == PS_FORMAT_TEXT && body && in[pos + body - 1] == '\r')
            body--;
        char *r;
        size_t rn;
        if (ps_scrub(e, in + pos, body, &r, &rn) == PS_E_NOMEM)
            abort();
        sink(&ref, r, rn);
        free(r);
        sink(&ref, in + pos + body, len - body);
        if (end)
            sink(&ref, &sep, 1);
        pos += len + (end != NULL);
    }
    if (ref.n != out.n || (ref.n && memcmp(ref.p, out.p, ref.n) != 0) || st.records != records)
        abort();
    free(ref.p);
    free(out.p);
    ps_stats_free(&st);
    return 0;
}
