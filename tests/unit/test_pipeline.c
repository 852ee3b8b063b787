/* test_pipeline.c — the invariant every configuration must keep: the same bytes out for every block size and
 * thread count, equal to redacting each record alone; and every byte outside a reported span is the input's. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "buf.h"
#include "piiscrub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

static const char RULES[] =
    "version: 1\n"
    "pack: t\n"
    "rules:\n"
    "  - id: email\n"
    "    entity: EMAIL\n"
    "    pattern: '[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\\.){1,8}[A-Za-z]{2,24}'\n"
    "    keywords: ['@']\n"
    "  - id: card\n"
    "    entity: CARD\n"
    "    pattern: '\\b(?:\\d[ -]?){12,18}\\d\\b'\n"
    "    validate: luhn\n"
    "    priority: 10\n"
    "  - id: digits\n"
    "    entity: NUM\n"
    "    pattern: '\\b\\d{6,9}\\b'\n"
    "    context: {words: [acct, account], window: 20}\n"
    "  - id: secret\n"
    "    entity: SECRET\n"
    "    pattern: 'token=([A-Za-z0-9]{8,})'\n"
    "    group: 1\n"
    "    min_entropy: 2.5\n"
    "  - id: long-run\n"
    "    entity: RUN\n"
    "    pattern: 'x{20,}y'\n";

typedef struct fixture {
    ps_ruleset *rs;
    ps_engine *e;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ps_diag d;
    assert_int_equal(ps_ruleset_new(&f->rs), PS_OK);
    int st = ps_ruleset_load_buffer(f->rs, "test.yaml", RULES, sizeof RULES - 1, &d);
    if (st) {
        char msg[2048];
        ps_diag_format(&d, msg, sizeof msg);
        fail_msg("%s", msg);
    }
    ps_engine_options o = {0};
    assert_int_equal(ps_engine_compile(f->rs, &o, &f->e, &d), PS_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ps_engine_free(f->e);
    ps_ruleset_free(f->rs);
    free(f);
    return 0;
}

static int sink(void *ctx, const char *p, size_t n)
{
    return buf_append(ctx, p, n);
}

typedef struct findings {
    ps_finding *v;
    size_t n, cap;
} findings;

static int on_finding(void *ctx, const ps_finding *f)
{
    findings *fs = ctx;
    if (fs->n == fs->cap) {
        fs->cap = fs->cap ? fs->cap * 2 : 64;
        fs->v = realloc(fs->v, fs->cap * sizeof *fs->v);
    }
    fs->v[fs->n++] = *f;
    return 0;
}

/* Runs the pipeline over `in` (through a temp file) and returns the output. */
static ps_buf run(const ps_engine *e, const char *in, size_t n, ps_format fmt, unsigned threads, size_t block,
                  findings *fs, ps_stats *st_out)
{
    char path[] = "/tmp/ps_test_pipeline_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, in, n), (ssize_t)n);
    lseek(fd, 0, SEEK_SET);
    unlink(path);
    ps_buf out = {0};
    ps_run_options o = {0};
    o.format = fmt;
    o.threads = threads;
    o.block_size = block;
    o.write = sink;
    o.write_ctx = &out;
    o.on_finding = fs ? on_finding : NULL;
    o.finding_ctx = fs;
    ps_stats st;
    assert_int_equal(ps_stats_init(&st, e), PS_OK);
    assert_int_equal(ps_run(e, &o, fd, &st), PS_OK);
    assert_int_equal(st.bytes_in, n);
    assert_int_equal(st.bytes_out, out.len);
    if (st_out)
        *st_out = st;
    else
        ps_stats_free(&st);
    close(fd);
    return out;
}

/* A deterministic generator of hostile text: PII, near misses, long runs, NULs, invalid UTF-8, CRLF. */
static uint64_t rng_state;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static void gen(ps_buf *b, size_t target, int with_newlines)
{
    static const char *const pieces[] = {
        "jane.doe@mail.example.net", "x@y.io", "4111 1111 1111 1111", "4111 1111 1111 1112", "acct 12345678",
        "12345678", "token=aB3dE5gH7jK9", "token=aaaaaaaaaa", "hello world", " ", " ", "the quick brown fox",
        "\xff\xfe", "\xc3\xa9t\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac", "\r", "@", "-", ".", "\0",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxy", "1234-5678-9012-3456",
        "mail me at a.b@c.example.org please", "5555555555554444", "ACCOUNT: 987654321",
        /* Unicode look-alikes: full-width digits, NBSP, zero-width space, non-breaking hyphen, full-width @ */
        "\xef\xbc\x94\xef\xbc\x91\xef\xbc\x91\xef\xbc\x91 1111 1111 1111", "4111\xc2\xa0""1111\xc2\xa0""1111\xc2\xa0""1111",
        "jane\xe2\x80\x8b.doe@mail.example.net", "acct 1234\xe2\x80\x91""5678", "x\xef\xbc\xa0y.io",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    while (b->len < target) {
        unsigned k = rnd((unsigned)np + 3);
        if (k >= np) {
            if (with_newlines)
                assert_int_equal(buf_append(b, k == np ? "\r\n" : "\n", k == np ? 2 : 1), 0);
            continue;
        }
        const char *p = pieces[k];
        size_t len = k == 19 ? 1 : strlen(p);
        assert_int_equal(buf_append(b, p, len), 0);
    }
}

/* The reference: each record redacted alone with ps_scrub (CR kept out of the match, as the pipeline does). */
static ps_buf reference(const ps_engine *e, const char *in, size_t n, char sep)
{
    ps_buf ref = {0};
    size_t pos = 0;
    while (pos < n) {
        const char *end = memchr(in + pos, sep, n - pos);
        size_t len = end ? (size_t)(end - (in + pos)) : n - pos;
        size_t body = len;
        if (sep == '\n' && body && in[pos + body - 1] == '\r')
            body--;
        char *out;
        size_t out_len;
        assert_int_equal(ps_scrub(e, in + pos, body, &out, &out_len), PS_OK);
        buf_append(&ref, out, out_len);
        free(out);
        buf_append(&ref, in + pos + body, len - body);
        if (end)
            buf_append(&ref, &sep, 1);
        pos += len + (end != NULL);
    }
    return ref;
}

static void check_matrix(const ps_engine *e, const char *in, size_t n, ps_format fmt, char sep)
{
    ps_buf ref = reference(e, in, n, sep);
    static const size_t blocks[] = {1, 7, 64, 4096, 65536, 0};
    static const unsigned threads[] = {1, 2, 8};
    for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++) {
        for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
            ps_buf out = run(e, in, n, fmt, threads[t], blocks[b], NULL, NULL);
            if (out.len != ref.len || (ref.len && memcmp(out.p, ref.p, ref.len) != 0))
                fail_msg("output differs from the reference at block %zu, threads %u (len %zu vs %zu)", blocks[b],
                         threads[t], out.len, ref.len);
            buf_free(&out);
        }
    }
    buf_free(&ref);
}

static void matrix_text(void **state)
{
    fixture *f = *state;
    for (uint64_t seed = 1; seed <= 12; seed++) {
        rng_state = seed;
        ps_buf in = {0};
        gen(&in, 2000 + seed * 300, 1);
        check_matrix(f->e, in.p, in.len, PS_FORMAT_TEXT, '\n');
        buf_free(&in);
    }
}

static void matrix_long_lines(void **state)
{
    /* Few separators: most records are longer than the small blocks, so the window path carries the load. */
    fixture *f = *state;
    for (uint64_t seed = 100; seed < 106; seed++) {
        rng_state = seed;
        ps_buf in = {0};
        gen(&in, 20000, 0);
        buf_append(&in, "\n", 1);
        gen(&in, 30000, 0);
        check_matrix(f->e, in.p, in.len, PS_FORMAT_TEXT, '\n');
        buf_free(&in);
    }
}

static void matrix_nul(void **state)
{
    fixture *f = *state;
    rng_state = 77;
    ps_buf in = {0};
    gen(&in, 5000, 1);
    check_matrix(f->e, in.p, in.len, PS_FORMAT_NUL, '\0');
    buf_free(&in);
}

static void edge_inputs(void **state)
{
    fixture *f = *state;
    static const char *const cases[] = {"", "a", "\n", "\n\n\n", "no newline at end", "x@y.io", "x@y.io\n",
                                        "a\r\nb\r\n", "\r\n", "jane@mail.example.net\r\n"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_matrix(f->e, cases[i], strlen(cases[i]), PS_FORMAT_TEXT, '\n');
}

/* Output = input with exactly the reported spans replaced; nothing else changes. */
static void bytes_outside_spans_identical(void **state)
{
    fixture *f = *state;
    rng_state = 4242;
    ps_buf in = {0};
    gen(&in, 50000, 1);
    findings fs = {0};
    ps_buf out = run(f->e, in.p, in.len, PS_FORMAT_TEXT, 2, 512, &fs, NULL);
    assert_true(fs.n > 10);
    /* Rebuild the output from the input and the findings: record starts, then replace each span by its tag. */
    ps_buf rebuilt = {0};
    size_t pos = 0, fi = 0;
    uint64_t record = 1;
    while (pos < in.len) {
        const char *end = memchr(in.p + pos, '\n', in.len - pos);
        size_t len = end ? (size_t)(end - (in.p + pos)) : in.len - pos;
        size_t cur = 0;
        for (; fi < fs.n && fs.v[fi].record == record; fi++) {
            assert_true(fs.v[fi].offset >= cur);
            assert_true(fs.v[fi].offset + fs.v[fi].length <= len);
            buf_append(&rebuilt, in.p + pos + cur, fs.v[fi].offset - cur);
            char tag[64];
            snprintf(tag, sizeof tag, "[%s]", ps_engine_rule_entity(f->e, fs.v[fi].rule));
            buf_append(&rebuilt, tag, strlen(tag));
            cur = fs.v[fi].offset + fs.v[fi].length;
        }
        buf_append(&rebuilt, in.p + pos + cur, len - cur);
        if (end)
            buf_append(&rebuilt, "\n", 1);
        pos += len + (end != NULL);
        record++;
    }
    assert_int_equal(fi, fs.n);
    assert_int_equal(rebuilt.len, out.len);
    assert_memory_equal(rebuilt.p, out.p, out.len);
    free(fs.v);
    buf_free(&rebuilt);
    buf_free(&out);
    buf_free(&in);
}

static void stats_counts(void **state)
{
    fixture *f = *state;
    const char in[] = "a x@y.io b\nnothing\n4111 1111 1111 1111 and z@w.org\n";
    ps_stats st;
    ps_buf out = run(f->e, in, sizeof in - 1, PS_FORMAT_TEXT, 1, 0, NULL, &st);
    assert_string_equal(out.p ? (buf_append(&out, "", 1), out.p) : "",
                        "a [EMAIL] b\nnothing\n[CARD] and [EMAIL]\n");
    assert_int_equal(st.records, 3);
    assert_int_equal(st.records_changed, 2);
    assert_int_equal(st.findings, 3);
    assert_int_equal(st.per_rule[0], 2);
    assert_int_equal(st.per_rule[1], 1);
    ps_stats_free(&st);
    buf_free(&out);
}

/* A record whose one potential match is longer than the window cap fails closed: it never passes through. */
static void over_long_match_fails_closed(void **state)
{
    fixture *f = *state;
    size_t n = 3u << 20; /* 3 MiB of 'x' without the closing 'y': the long-run rule stays partial throughout */
    char *in = malloc(n + 1);
    memset(in, 'x', n);
    in[n] = '\n';
    ps_stats st;
    ps_buf out = run(f->e, in, n + 1, PS_FORMAT_TEXT, 1, 64, NULL, &st);
    assert_true(st.unscanned >= 1);
    assert_true(out.len < n); /* the unscanned rest is not copied */
    assert_non_null(memmem(out.p, out.len, "[UNSCANNED]", 11));
    assert_int_equal(out.p[out.len - 1], '\n');
    ps_stats_free(&st);
    buf_free(&out);
    free(in);
}

/* ps_run over fd with `threads` threads, 4 KiB blocks and the given sink; st is initialised here (the caller frees it).
 * @return ps_run's status. */
static int run_fd(const ps_engine *e, int fd, unsigned threads, ps_write_fn write, void *ctx, ps_stats *st)
{
    ps_run_options o = {0};
    o.threads = threads;
    o.block_size = 4096;
    o.write = write;
    o.write_ctx = ctx;
    assert_int_equal(ps_stats_init(st, e), PS_OK);
    return ps_run(e, &o, fd, st);
}

/* A sink that takes `allow` calls and refuses the next one. */
typedef struct stopping_sink {
    ps_buf got;
    int calls, allow;
} stopping_sink;

static int sink_then_stop(void *ctx, const char *p, size_t n)
{
    stopping_sink *s = ctx;
    if (s->calls++ == s->allow)
        return 1;
    return buf_append(&s->got, p, n);
}

/* The output side stops the run (a closed pipe, a full disk): with any number of threads, ps_run returns after the
 * blocks before the refused one were written, in order, and nothing after them. */
static void sink_error_stops_every_thread(void **state)
{
    fixture *f = *state;
    rng_state = 99;
    ps_buf in = {0};
    gen(&in, 200000, 1);
    ps_buf ref = reference(f->e, in.p, in.len, '\n');
    char path[] = "/tmp/ps_test_pipeline_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, in.p, in.len), (ssize_t)in.len);
    unlink(path);
    static const unsigned threads[] = {1, 2, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        lseek(fd, 0, SEEK_SET);
        stopping_sink s = {{0}, 0, 5};
        ps_stats st;
        assert_int_equal(run_fd(f->e, fd, threads[t], sink_then_stop, &s, &st), PS_E_STOPPED);
        assert_int_equal(s.calls, 6); /* five blocks written, the sixth refused, no call after it */
        assert_true(s.got.len > 0 && s.got.len < ref.len);
        assert_memory_equal(s.got.p, ref.p, s.got.len);
        ps_stats_free(&st);
        buf_free(&s.got);
    }
    close(fd);
    buf_free(&ref);
    buf_free(&in);
}

/* An input that cannot be read is an I/O error, with threads or without; nothing is written. */
static void read_error_is_reported(void **state)
{
    fixture *f = *state;
    static const unsigned threads[] = {1, 2, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        int fd = open("/tmp", O_RDONLY | O_DIRECTORY); /* read() fails: EISDIR */
        assert_true(fd >= 0);
        ps_buf out = {0};
        ps_stats st;
        assert_int_equal(run_fd(f->e, fd, threads[t], sink, &out, &st), PS_E_IO);
        assert_int_equal(out.len, 0);
        ps_stats_free(&st);
        close(fd);
    }
}

/* A slow writer upstream (a log stream): it writes one record, and writes the next only once the first has come out
 * (or after 10 s, when the test fails). The records before a pause are not held back for more input. */
typedef struct slow_feed {
    int fd;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t out_len;
    bool timed_out;
} slow_feed;

static int sink_and_signal(void *ctx, const char *p, size_t n)
{
    slow_feed *f = ctx;
    pthread_mutex_lock(&f->mu);
    f->out_len += n;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
    (void)p;
    return 0;
}

static void *feed_slowly(void *arg)
{
    slow_feed *f = arg;
    assert_int_equal(write(f->fd, "mail a@b.io\n", 12), 12);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&f->mu);
    while (f->out_len == 0 && !f->timed_out)
        f->timed_out = pthread_cond_timedwait(&f->cv, &f->mu, &until) != 0;
    pthread_mutex_unlock(&f->mu);
    assert_int_equal(write(f->fd, "mail c@d.io\n", 12), 12);
    close(f->fd);
    return NULL;
}

static void records_go_out_before_more_input_comes(void **state)
{
    fixture *f = *state;
    static const unsigned threads[] = {1, 2, 8};
    for (size_t t = 0; t < sizeof threads / sizeof threads[0]; t++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        slow_feed feed = {.fd = fds[1]};
        pthread_mutex_init(&feed.mu, NULL);
        pthread_cond_init(&feed.cv, NULL);
        pthread_t writer;
        assert_int_equal(pthread_create(&writer, NULL, feed_slowly, &feed), 0);
        ps_stats st;
        assert_int_equal(run_fd(f->e, fds[0], threads[t], sink_and_signal, &feed, &st), PS_OK);
        pthread_join(writer, NULL);
        close(fds[0]);
        if (feed.timed_out)
            fail_msg("threads %u: the first record was held back until the next one came", threads[t]);
        assert_int_equal(st.findings, 2);
        ps_stats_free(&st);
        pthread_cond_destroy(&feed.cv);
        pthread_mutex_destroy(&feed.mu);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matrix_text),
        cmocka_unit_test(matrix_long_lines),
        cmocka_unit_test(matrix_nul),
        cmocka_unit_test(edge_inputs),
        cmocka_unit_test(bytes_outside_spans_identical),
        cmocka_unit_test(stats_counts),
        cmocka_unit_test(over_long_match_fails_closed),
        cmocka_unit_test(sink_error_stops_every_thread),
        cmocka_unit_test(read_error_is_reported),
        cmocka_unit_test(records_go_out_before_more_input_comes),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
