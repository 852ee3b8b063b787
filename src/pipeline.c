/*
 * pipeline.c — the threaded redaction pipeline: one reader, N workers, one writer, output in input order.
 *
 * Design (after pigz's parallel_compress and zstdmt's job ring):
 *
 * The caller's thread is the reader. It fills the input buffer of ring slot `seq % nslots` with a block of about
 * block_size bytes, cuts it after the last record separator, carries the partial tail into the next block, and
 * publishes the slot as READY with sequence number `seq`. Workers take READY slots in sequence order, redact every
 * record of the chunk into the slot's output buffer (scrub_chunk) and mark it DONE. The writer thread waits for the
 * slot of sequence `next_write` to be DONE, hands its bytes and findings to the sinks, adds its counters to the stats
 * and frees the slot for the reader. Because the reader can only fill a FREE slot, the ring is also the backpressure:
 * memory stays within nslots blocks (in + out) whatever the input size.
 *
 * A record longer than a block cannot be cut into chunks. The reader scans it itself, window by window
 * (scrub.c's ps_longrec), and publishes each window's output as a slot that is already DONE, so the writer emits it in
 * order like any other chunk; memory stays bounded by the window cap.
 *
 * Errors are deterministic: the writer meets them in sequence order, so the first error in input order wins. A
 * chunk that failed (fail-closed abort, no memory) still carries the whole records before the failing one; the
 * writer writes those, sets `stop`, and everyone drains and joins. With threads == 1 nothing is started: the reader
 * redacts and writes each chunk inline, calling the same functions.
 */
#include "filter.h"
#include "frame.h"
#include "jsonl.h"
#include "scrub.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_BLOCK (1u << 20)
#define MAX_THREADS 256

enum { SLOT_FREE = 0, SLOT_READY, SLOT_WORKING, SLOT_DONE };

/* write_slot's "stop, but not an error" answer. */
#define ANSWER_KNOWN 1

typedef struct slot {
    ps_buf in;
    ps_chunk_out out;
    uint64_t in_bytes; /* input bytes this slot accounts for (separators included) */
    uint64_t seq;
    int state;
} slot;

typedef struct pipeline {
    const ps_engine *e;
    const ps_run_options *o;
    ps_stats *stats;
    size_t block;
    char sep;
    unsigned threads;
    slot *ring;
    size_t nslots;
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done, cv_free;
    uint64_t submitted;  /* slots published so far */
    uint64_t next_work;  /* next sequence a worker looks at */
    uint64_t next_write; /* next sequence the writer emits */
    int reader_done;
    int stop;
    int status;          /* first error in input order (set by the writer) */
    uint64_t records_written;
} pipeline;

/* ---------------------------------------------------------------- writer side */

/* Emits one finished slot: bytes, findings, counters. Called by exactly one thread at a time.
 * @return PS_OK, ANSWER_KNOWN, or an error status. */
static int write_slot(pipeline *pl, slot *s)
{
    const ps_run_options *o = pl->o;
    ps_stats *st = pl->stats;
    ps_chunk_out *c = &s->out;
    int status = PS_OK;
    if (c->out.len && o->write && !o->check_only && o->write(o->write_ctx, c->out.p, c->out.len))
        status = PS_E_STOPPED;
    for (size_t i = 0; i < c->nf && status == PS_OK; i++) {
        const ps_chunk_finding *cf = &c->f[i];
        ps_finding f = {pl->records_written + cf->record + 1, cf->offset, cf->length, cf->rule,
                        cf->field ? c->fields.p + cf->field - 1 : NULL};
        if (f.rule < st->n_rules)
            st->per_rule[f.rule]++;
        if (o->on_finding && o->on_finding(o->finding_ctx, &f))
            status = PS_E_STOPPED;
    }
    st->invalid += c->invalid;
    st->missing_field += c->missing_field;
    for (int r = 0; r < PS_DROP_REASONS; r++)
        st->dropped[r] += c->dropped[r];
    st->bytes_in += s->in_bytes;
    st->bytes_out += o->check_only ? 0 : c->out.len;
    st->records += c->records;
    st->records_changed += c->changed;
    st->findings += c->nf;
    st->unscanned += c->unscanned;
    pl->records_written += c->records;
    if (status == PS_OK && c->status != PS_OK)
        status = c->status;
    if (status == PS_OK && o->on_progress && o->on_progress(o->progress_ctx, st))
        status = PS_E_STOPPED;
    if (status == PS_OK && o->check_only && st->findings)
        status = ANSWER_KNOWN; /* --check: something would be redacted, nothing more to learn */
    return status;
}

static void *writer_main(void *arg)
{
    pipeline *pl = arg;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        slot *s = &pl->ring[pl->next_write % pl->nslots];
        while (!(pl->next_write < pl->submitted && s->seq == pl->next_write && s->state == SLOT_DONE) &&
               !(pl->reader_done && pl->next_write == pl->submitted) && !pl->stop)
            pthread_cond_wait(&pl->cv_done, &pl->mu);
        if (pl->stop || (pl->next_write == pl->submitted && pl->reader_done))
            break;
        pthread_mutex_unlock(&pl->mu);
        int st = write_slot(pl, s);
        pthread_mutex_lock(&pl->mu);
        if (st != PS_OK) {
            if (st != ANSWER_KNOWN)
                pl->status = st;
            pl->stop = 1;
        }
        s->state = SLOT_FREE;
        pl->next_write++;
        pthread_cond_broadcast(&pl->cv_free);
    }
    pthread_cond_broadcast(&pl->cv_free);
    pthread_cond_broadcast(&pl->cv_work);
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* ---------------------------------------------------------------- workers */

typedef struct worker_arg {
    pipeline *pl;
    ps_worker w;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    pipeline *pl = wa->pl;
    pthread_mutex_lock(&pl->mu);
    for (;;) {
        /* Skip slots the reader finished itself (long-record windows), and slots already written and reused. */
        while (pl->next_work < pl->submitted) {
            const slot *c = &pl->ring[pl->next_work % pl->nslots];
            if (c->seq == pl->next_work && c->state == SLOT_READY)
                break;
            pl->next_work++;
        }
        if (pl->stop)
            break;
        if (pl->next_work == pl->submitted) {
            if (pl->reader_done)
                break;
            pthread_cond_wait(&pl->cv_work, &pl->mu);
            continue;
        }
        slot *s = &pl->ring[pl->next_work % pl->nslots];
        pl->next_work++;
        s->state = SLOT_WORKING;
        pthread_mutex_unlock(&pl->mu);
        scrub_chunk(&wa->w, s->in.p, s->in.len, &s->out);
        pthread_mutex_lock(&pl->mu);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&pl->cv_done);
    }
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* ---------------------------------------------------------------- reader side */

/* Waits for the slot of the next sequence to be free. @return it, or NULL when the run stops. */
static slot *acquire(pipeline *pl)
{
    slot *s = &pl->ring[pl->submitted % pl->nslots];
    if (pl->threads == 1)
        return pl->stop ? NULL : s;
    pthread_mutex_lock(&pl->mu);
    while (s->state != SLOT_FREE && !pl->stop)
        pthread_cond_wait(&pl->cv_free, &pl->mu);
    int stop = pl->stop;
    pthread_mutex_unlock(&pl->mu);
    return stop ? NULL : s;
}

/* Publishes a filled slot: READY for a worker, or DONE when the reader produced its output itself. */
static void submit(pipeline *pl, slot *s, ps_worker *inline_worker, int done)
{
    if (pl->threads == 1) {
        s->seq = pl->submitted;
        if (!done)
            scrub_chunk(inline_worker, s->in.p, s->in.len, &s->out);
        pl->submitted++;
        int st = write_slot(pl, s);
        pl->next_write++;
        if (st != PS_OK) {
            if (st != ANSWER_KNOWN)
                pl->status = st;
            pl->stop = 1;
        }
        return;
    }
    pthread_mutex_lock(&pl->mu);
    s->seq = pl->submitted;
    s->state = done ? SLOT_DONE : SLOT_READY;
    pl->submitted++;
    pthread_cond_broadcast(done ? &pl->cv_done : &pl->cv_work);
    pthread_mutex_unlock(&pl->mu);
}

static void reset_slot(slot *s)
{
    s->in.len = 0;
    s->in_bytes = 0;
    chunk_out_reset(&s->out);
}

/* The reader loop; `first` holds bytes already read (taken over), and `first_eof` says the input ended after them.
 * @return PS_OK or the read error (PS_E_IO with errno kept, PS_E_NOMEM). */
static int read_all(pipeline *pl, int fd, ps_worker *rw, ps_buf *first, int first_eof)
{
    ps_buf carry = *first;
    memset(first, 0, sizeof *first);
    ps_longrec lr;
    longrec_init(&lr, pl->block);
    int in_long = 0, eof = 0, status = PS_OK;
    while (!eof) {
        slot *s = acquire(pl);
        if (!s)
            break;
        reset_slot(s);
        if (buf_append(&s->in, carry.p, carry.len)) {
            status = PS_E_NOMEM;
            break;
        }
        carry.len = 0;
        if (first_eof) { /* never read past an end already seen: on a terminal that would wait for more */
            eof = 1;
            first_eof = 0;
        } else if (frame_fill(fd, &s->in, pl->block, pl->sep, &eof)) {
            status = errno == ENOMEM ? PS_E_NOMEM : PS_E_IO;
            break;
        }
        if (buf_pad(&s->in, 64)) { /* records are PCRE2 subjects: see buf_pad */
            status = PS_E_NOMEM;
            break;
        }
        if (s->in.len == 0 && !in_long)
            break;
        size_t len = s->in.len;
        if (in_long) {
            /* Continue the over-long record up to its separator. */
            const char *end = memchr(s->in.p, pl->sep, len);
            size_t k = end ? (size_t)(end - s->in.p) : len;
            int last = end || eof;
            longrec_feed(rw, &lr, s->in.p, k, last, &s->out);
            if (end && !pl->o->check_only && buf_append(&s->out.out, &pl->sep, 1))
                s->out.status = PS_E_NOMEM;
            size_t used = k + (end != NULL);
            if (buf_append(&carry, s->in.p + used, len - used)) {
                status = PS_E_NOMEM;
                break;
            }
            s->in_bytes = used;
            in_long = !last;
            if (carry.len)
                eof = 0; /* the carried bytes still need a chunk */
            submit(pl, s, rw, 1);
            continue;
        }
        size_t cut = eof ? len : frame_cut(s->in.p, len, pl->sep);
        if (cut == 0) {
            /* A full block without a separator: the start of an over-long record. */
            in_long = 1;
            longrec_feed(rw, &lr, s->in.p, len, 0, &s->out);
            s->in_bytes = len;
            submit(pl, s, rw, 1);
            continue;
        }
        if (buf_append(&carry, s->in.p + cut, len - cut)) {
            status = PS_E_NOMEM;
            break;
        }
        s->in.len = cut;
        s->in_bytes = cut;
        submit(pl, s, rw, 0);
    }
    buf_free(&carry);
    longrec_free(&lr);
    return status;
}

/* ---------------------------------------------------------------- run */

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
}

static void free_ring(pipeline *pl)
{
    for (size_t i = 0; pl->ring && i < pl->nslots; i++) {
        buf_free(&pl->ring[i].in);
        chunk_out_free(&pl->ring[i].out);
    }
    free(pl->ring);
}

static int run(const ps_engine *e, const ps_run_options *o, int in_fd, ps_stats *stats, const ps_jpaths *paths);

int ps_run(const ps_engine *e, const ps_run_options *o, int in_fd, ps_stats *stats)
{
    if (!e || !o || !stats || (!o->write && !o->check_only) || stats->n_rules != ps_engine_rule_count(e))
        return PS_E_USAGE;
    if (o->format != PS_FORMAT_JSONL && (o->n_fields || filter_has_field_gates(o->filter)))
        return PS_E_USAGE; /* fields exist only in jsonl */
    ps_jpaths *paths = NULL;
    if (o->n_fields) {
        int r = jsonl_paths_new(o->fields, o->n_fields, &paths);
        if (r)
            return r == JSONL_NOMEM ? PS_E_NOMEM : PS_E_USAGE;
    }
    int st = run(e, o, in_fd, stats, paths);
    jsonl_paths_free(paths);
    return st;
}

static int run(const ps_engine *e, const ps_run_options *o, int in_fd, ps_stats *stats, const ps_jpaths *paths)
{
    pipeline pl = {0};
    pl.e = e;
    pl.o = o;
    pl.stats = stats;
    pl.block = o->block_size ? o->block_size : DEFAULT_BLOCK;
    pl.sep = scrub_separator(o->format);
    pl.threads = o->threads ? o->threads : online_cores();
    if (pl.threads > MAX_THREADS)
        pl.threads = MAX_THREADS;
    /* Read the first block before starting threads: an input that ends within it (a short file, a line piped in,
     * /dev/null) is done inline, without paying for threads that would have nothing to share. */
    ps_buf first = {0};
    int first_eof = 0;
    if (pl.threads > 1 && frame_fill(in_fd, &first, pl.block, pl.sep, &first_eof)) {
        int err = errno;
        buf_free(&first);
        errno = err;
        return err == ENOMEM ? PS_E_NOMEM : PS_E_IO;
    }
    if (first_eof)
        pl.threads = 1;
    pl.nslots = pl.threads == 1 ? 1 : pl.threads + 2;
    if (!(pl.ring = calloc(pl.nslots, sizeof *pl.ring))) {
        buf_free(&first);
        return PS_E_NOMEM;
    }

    ps_worker rw; /* the reader's own worker: long records, and every chunk when threads == 1 */
    int st = worker_init(&rw, e, o, paths);
    if (st) {
        buf_free(&first);
        free_ring(&pl);
        return st;
    }
    if (pl.threads == 1) {
        int rst = read_all(&pl, in_fd, &rw, &first, first_eof);
        st = pl.status ? pl.status : rst;
        engine_profile_add(rw.s, stats->rule_ns, stats->rule_runs, stats->n_rules);
        worker_free(&rw);
        free_ring(&pl);
        return st;
    }

    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.cv_work, NULL);
    pthread_cond_init(&pl.cv_done, NULL);
    pthread_cond_init(&pl.cv_free, NULL);
    worker_arg *wa = calloc(pl.threads, sizeof *wa);
    pthread_t *tids = calloc(pl.threads, sizeof *tids);
    pthread_t writer;
    unsigned started = 0;
    int writer_started = 0;
    st = (!wa || !tids) ? PS_E_NOMEM : PS_OK;
    for (unsigned i = 0; st == PS_OK && i < pl.threads; i++) {
        wa[i].pl = &pl;
        if ((st = worker_init(&wa[i].w, e, o, paths)))
            break;
        if (pthread_create(&tids[i], NULL, worker_main, &wa[i])) {
            worker_free(&wa[i].w);
            st = PS_E_NOMEM;
            break;
        }
        started++;
    }
    if (st == PS_OK && pthread_create(&writer, NULL, writer_main, &pl) == 0)
        writer_started = 1;
    else if (st == PS_OK)
        st = PS_E_NOMEM;
    int rst = PS_OK;
    if (st == PS_OK)
        rst = read_all(&pl, in_fd, &rw, &first, first_eof);
    buf_free(&first); /* when read_all did not run */

    pthread_mutex_lock(&pl.mu);
    pl.reader_done = 1;
    if (st != PS_OK)
        pl.stop = 1;
    pthread_cond_broadcast(&pl.cv_work);
    pthread_cond_broadcast(&pl.cv_done);
    pthread_mutex_unlock(&pl.mu);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
        engine_profile_add(wa[i].w.s, stats->rule_ns, stats->rule_runs, stats->n_rules);
        worker_free(&wa[i].w);
    }
    if (writer_started)
        pthread_join(writer, NULL);
    /* Errors of earlier chunks (seen by the writer) come before a read error at the end. */
    if (st == PS_OK)
        st = pl.status ? pl.status : rst;
    free(wa);
    free(tids);
    engine_profile_add(rw.s, stats->rule_ns, stats->rule_runs, stats->n_rules);
    worker_free(&rw);
    pthread_cond_destroy(&pl.cv_work);
    pthread_cond_destroy(&pl.cv_done);
    pthread_cond_destroy(&pl.cv_free);
    pthread_mutex_destroy(&pl.mu);
    free_ring(&pl);
    return st;
}

/* ---------------------------------------------------------------- stats and one-shot scrubbing */

int ps_stats_init(ps_stats *st, const ps_engine *e)
{
    memset(st, 0, sizeof *st);
    st->n_rules = ps_engine_rule_count(e);
    if (st->n_rules && (!(st->per_rule = calloc(st->n_rules, sizeof *st->per_rule)) ||
                        !(st->rule_ns = calloc(st->n_rules, sizeof *st->rule_ns)) ||
                        !(st->rule_runs = calloc(st->n_rules, sizeof *st->rule_runs)))) {
        ps_stats_free(st);
        return PS_E_NOMEM;
    }
    return PS_OK;
}

void ps_stats_free(ps_stats *st)
{
    free(st->per_rule);
    free(st->rule_ns);
    free(st->rule_runs);
    memset(st, 0, sizeof *st);
}

int ps_scrub(const ps_engine *e, const char *in, size_t len, char **out, size_t *out_len)
{
    ps_worker w;
    static const ps_run_options one_record = {.format = PS_FORMAT_NUL};
    int st = worker_init(&w, e, &one_record, NULL);
    if (st)
        return st;
    ps_chunk_out o = {0};
    /* The caller's bytes are copied into padded memory: the buffer is a PCRE2 subject (see buf_pad). */
    ps_buf copy = {0};
    if (buf_append(&copy, in, len) || buf_pad(&copy, 64)) {
        buf_free(&copy);
        worker_free(&w);
        return PS_E_NOMEM;
    }
    scrub_one(&w, copy.p ? copy.p : "", len, &o);
    buf_free(&copy);
    st = o.status;
    if (st == PS_OK && o.unscanned)
        st = PS_E_UNSCANNED;
    if ((st == PS_OK || st == PS_E_UNSCANNED) && buf_append(&o.out, "", 1))
        st = PS_E_NOMEM;
    if (st == PS_OK || st == PS_E_UNSCANNED) {
        *out = o.out.p;
        *out_len = o.out.len - 1;
        o.out.p = NULL;
    }
    chunk_out_free(&o);
    worker_free(&w);
    return st;
}
