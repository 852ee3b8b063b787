/*
 * pipeline.c — the threaded redaction pipeline: N workers that each read, redact and write their own blocks, output
 * in input order.
 *
 * Design (after pigz's and zstdmt's ordered writers, without their hand-offs):
 *
 * Each worker owns two slots (an input block and its output). In turn, under `read_mu`, a worker takes the next block
 * of the input into a free slot: the bytes carried over from the last cut, then about block_size bytes read, cut
 * after the last record separator; the partial tail is carried to the next block. The block gets the next sequence
 * number. The worker redacts it (scrub_chunk) outside any lock and marks it finished. Finished blocks are written in
 * sequence order by whichever thread finishes the block whose turn it is: it writes that one, and then every block
 * after it that is finished too, whoever took it (drain). So a worker whose block must wait for an earlier one goes
 * on with its other slot instead of idling, and a block is mostly read, scanned and written by one thread on one
 * core: scanning a block on another core than the one that just wrote it costs about 0.2 ms more per MiB on this
 * class of machine (bash bench/crosscore/run.sh). With a reader, workers and a writer, each block crossed cores
 * twice. A worker takes no new block while both its slots wait to be written, so memory stays within two slots
 * (in + out) per worker whatever the input size.
 *
 * A record longer than a block cannot be cut into chunks. The worker that meets it scans it window by window
 * (scrub.c's ps_longrec) while it holds `read_mu`; each window's output is written in turn like any other block;
 * memory stays bounded by the window cap.
 *
 * Errors are deterministic: blocks are written in sequence order, so the first error in input order wins. A chunk
 * that failed (fail-closed abort, no memory) still carries the whole records before the failing one; the thread that
 * writes it writes those and sets `stop`, no later block is written, and the others finish. A read error ends the
 * input: the blocks before it are written, then it is reported. With threads == 1 nothing is started: the caller's
 * thread is the one worker.
 */
#include "filter.h"
#include "frame.h"
#include "jsonl.h"
#include "scrub.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BLOCK (1u << 20)
#define MAX_THREADS 256

/* write_slot's "stop, but not an error" answer. */
#define ANSWER_KNOWN 1

#define LEFT_UNKNOWN UINT64_MAX
#define TAIL_BLOCK_MIN_DIV 16 /* the end of a file is cut into blocks no shorter than a block / this */

#define SLOTS_PER_WORKER 2 /* one to work on while the other waits for its turn to be written */

/* A block a worker took: the input and the output it made of it. */
typedef struct slot {
    ps_buf in;
    ps_chunk_out out;
    uint64_t in_bytes; /* input bytes this block accounts for (separators included) */
    uint64_t seq;
    bool busy;         /* under mu: taken by its worker, and not yet written */
} slot;

typedef struct pipeline {
    const ps_engine *e;
    const ps_run_options *o;
    ps_stats *stats;
    size_t block;
    char sep;
    unsigned threads;
    int fd;
    /* The input side, under read_mu. */
    pthread_mutex_t read_mu;
    ps_buf carry;        /* bytes read past the last cut: the start of the next block */
    ps_longrec lr;       /* the over-long record being scanned, when in_long */
    int in_long;
    int eof;             /* nothing more to take */
    int first_eof;       /* the input ended within the bytes read before the run started (carry) */
    int read_status;     /* a read error, which ended the input */
    uint64_t left;       /* bytes of a regular file still to read, or LEFT_UNKNOWN */
    uint64_t taken;      /* blocks taken so far: the next one's sequence number */
    /* The output side, under mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv_free;  /* a slot was written: its worker may take the next block into it */
    slot **done;             /* finished blocks waiting for their turn, at done_at(seq) */
    bool writing;            /* a thread is writing finished blocks (drain) */
    uint64_t next_write;     /* the sequence number whose turn it is to be written */
    int stop;
    int status;          /* first error in input order */
    uint64_t records_written; /* touched only by the worker whose turn it is */
} pipeline;

/* ---------------------------------------------------------------- writing */

/* Emits one finished block: bytes, findings, counters. Called only in the block's turn.
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

/* Block seq's place among the finished ones: no more than threads * SLOTS_PER_WORKER blocks are ever taken and
 * unwritten, so sequence numbers modulo that never collide. */
static slot **done_at(pipeline *pl, uint64_t seq)
{
    return &pl->done[seq % ((uint64_t)pl->threads * SLOTS_PER_WORKER)];
}

/* Under mu: writes the finished blocks whose turn has come, in order, unless a thread is already at it (that one
 * goes on with the blocks finished meanwhile). Whichever thread finishes a block drains, so the last one to finish
 * writes what is left. */
static void drain(pipeline *pl)
{
    if (pl->writing)
        return;
    pl->writing = true;
    while (!pl->stop) {
        slot **at = done_at(pl, pl->next_write), *s = *at;
        if (!s || s->seq != pl->next_write)
            break;
        pthread_mutex_unlock(&pl->mu);
        int st = write_slot(pl, s); /* alone: `writing` keeps every other thread out */
        pthread_mutex_lock(&pl->mu);
        if (st != PS_OK) {
            if (st != ANSWER_KNOWN)
                pl->status = st;
            pl->stop = 1;
        }
        *at = NULL;
        s->busy = false;
        pl->next_write++;
        pthread_cond_broadcast(&pl->cv_free);
    }
    pl->writing = false;
}

/* A block is finished: it waits for its turn, or is written now. */
static void finish(pipeline *pl, slot *s)
{
    pthread_mutex_lock(&pl->mu);
    *done_at(pl, s->seq) = s;
    drain(pl);
    pthread_mutex_unlock(&pl->mu);
}

/* One of the worker's slots that is free (written), waiting for one if need be. @return NULL when the run stops. */
static slot *free_slot(pipeline *pl, slot *mine)
{
    pthread_mutex_lock(&pl->mu);
    slot *s = NULL;
    while (!pl->stop && !s) {
        for (int k = 0; k < SLOTS_PER_WORKER && !s; k++)
            if (!mine[k].busy)
                s = &mine[k];
        if (!s)
            pthread_cond_wait(&pl->cv_free, &pl->mu);
    }
    if (s)
        s->busy = true;
    pthread_mutex_unlock(&pl->mu);
    return s;
}

static bool stopped(pipeline *pl)
{
    pthread_mutex_lock(&pl->mu);
    int stop = pl->stop;
    pthread_mutex_unlock(&pl->mu);
    return stop;
}

/* ---------------------------------------------------------------- reading */

/* frame_fill's question while the input is slow to come. */
static bool stop_reading(void *ctx)
{
    return stopped(ctx);
}

enum { TAKE_END, TAKE_SCRUB, TAKE_WRITE };

static void reset_slot(slot *s)
{
    s->in.len = 0;
    s->in_bytes = 0;
    chunk_out_reset(&s->out);
}

/* The input ends with an error. */
static int take_failed(pipeline *pl, int status)
{
    pl->read_status = status;
    pl->eof = 1;
    return TAKE_END;
}

/* How many bytes the next block reads. The end of a regular file is cut into shorter blocks, each thread's share of
 * what is left, so that the threads finish together: with whole blocks the last one to take a block works on alone
 * for up to a block's time (about 3 ms a MiB of prose, 3 % of a 50 MB run at -j 2). */
static size_t read_size(const pipeline *pl)
{
    if (pl->threads < 2 || pl->left == LEFT_UNKNOWN)
        return pl->block;
    uint64_t share = pl->left / pl->threads, least = pl->block / TAIL_BLOCK_MIN_DIV + 1;
    return share >= pl->block ? pl->block : share > least ? (size_t)share : least;
}

/* n more bytes of the input were read (a file that grew since its size was taken reads past `left`). */
static void count_read(pipeline *pl, size_t n)
{
    if (pl->left != LEFT_UNKNOWN)
        pl->left -= n < pl->left ? n : pl->left;
}

/* frame_fill for a block: reads into s->in until it holds `want` bytes (see frame_fill for the return). */
static int fill(pipeline *pl, slot *s, size_t want)
{
    size_t before = s->in.len;
    int got = frame_fill(pl->fd, &s->in, want, pl->sep, &pl->eof, stop_reading, pl);
    count_read(pl, s->in.len - before);
    return got;
}

/* Takes the next block of the input into s (under read_mu). @return TAKE_SCRUB when s->in holds whole records to
 * redact, TAKE_WRITE when s->out already holds output (a window of an over-long record, scanned here with w), or
 * TAKE_END when the input is done (pl->read_status says whether it failed). */
static int take_block(pipeline *pl, ps_worker *w, slot *s)
{
    int got;
    if (pl->eof)
        return TAKE_END;
    reset_slot(s);
    if (buf_append(&s->in, pl->carry.p, pl->carry.len))
        return take_failed(pl, PS_E_NOMEM);
    pl->carry.len = 0;
    if (pl->first_eof) { /* never read past an end already seen: on a terminal that would wait for more */
        pl->eof = 1;
        pl->first_eof = 0;
    } else if (s->in.len && memchr(s->in.p, pl->sep, s->in.len)) {
        /* The carried bytes hold whole records already (the block read before the threads started, the rest after
         * an over-long record): they go on now. Reading for more first would hold them back until the writer
         * upstream writes again, and a log stream may not for a long time. */
    } else {
        size_t want = read_size(pl);
        got = fill(pl, s, want);
        if (got == 0 && want < pl->block && !pl->eof && frame_cut(s->in.p, s->in.len, pl->sep) == 0)
            got = fill(pl, s, pl->block); /* a record longer than the shortened block: a whole block's worth */
        if (got == FRAME_STOPPED) { /* the run stops: nothing more is taken */
            pl->eof = 1;
            return TAKE_END;
        }
        if (got != 0)
            return take_failed(pl, errno == ENOMEM ? PS_E_NOMEM : PS_E_IO);
    }
    if (buf_pad(&s->in, 64)) /* records are PCRE2 subjects: see buf_pad */
        return take_failed(pl, PS_E_NOMEM);
    if (s->in.len == 0 && !pl->in_long) {
        pl->eof = 1;
        return TAKE_END;
    }
    size_t len = s->in.len;
    if (pl->in_long) {
        /* Continue the over-long record up to its separator. */
        const char *end = memchr(s->in.p, pl->sep, len);
        size_t k = end ? (size_t)(end - s->in.p) : len;
        int last = end || pl->eof;
        longrec_feed(w, &pl->lr, s->in.p, k, last, &s->out);
        if (end && !pl->o->check_only && buf_append(&s->out.out, &pl->sep, 1))
            s->out.status = PS_E_NOMEM;
        size_t used = k + (end != NULL);
        if (buf_append(&pl->carry, s->in.p + used, len - used))
            return take_failed(pl, PS_E_NOMEM);
        s->in_bytes = used;
        pl->in_long = !last;
        if (pl->carry.len)
            pl->eof = 0; /* the carried bytes still need a block */
        return TAKE_WRITE;
    }
    size_t cut = pl->eof ? len : frame_cut(s->in.p, len, pl->sep);
    if (cut == 0) {
        /* A full block without a separator: the start of an over-long record. */
        pl->in_long = 1;
        longrec_feed(w, &pl->lr, s->in.p, len, 0, &s->out);
        s->in_bytes = len;
        return TAKE_WRITE;
    }
    if (buf_append(&pl->carry, s->in.p + cut, len - cut))
        return take_failed(pl, PS_E_NOMEM);
    s->in.len = cut;
    s->in_bytes = cut;
    return TAKE_SCRUB;
}

/* ---------------------------------------------------------------- workers */

/* One worker's loop: take a block, redact it, and have it written in its turn (by this thread or by the one that
 * writes the blocks before it); until the input ends or the run stops. */
static void work(pipeline *pl, ps_worker *w, slot *mine, unsigned k)
{
    if (pl->threads > 1)
        engine_jit_share(pl->e, k, pl->threads);
    slot *s;
    while ((s = free_slot(pl, mine))) {
        pthread_mutex_lock(&pl->read_mu);
        int got = stopped(pl) ? TAKE_END : take_block(pl, w, s);
        s->seq = pl->taken;
        if (got != TAKE_END)
            pl->taken++;
        pthread_mutex_unlock(&pl->read_mu);
        if (got == TAKE_END) {
            pthread_mutex_lock(&pl->mu);
            s->busy = false;
            pthread_mutex_unlock(&pl->mu);
            return;
        }
        if (got == TAKE_SCRUB)
            scrub_chunk(w, s->in.p, s->in.len, &s->out);
        finish(pl, s);
    }
}

typedef struct worker_arg {
    _Alignas(64) pipeline *pl; /* each worker's own cache lines: it writes its slots' counters on every record */
    unsigned k; /* which worker: its share of the JIT compilation */
    ps_worker w;
    slot s[SLOTS_PER_WORKER];
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *wa = arg;
    work(wa->pl, &wa->w, wa->s, wa->k);
    return NULL;
}

/* ---------------------------------------------------------------- run */

static unsigned online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
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

/* The bytes left to read in fd when it is a regular file, or LEFT_UNKNOWN (a pipe, a terminal, a socket). */
static uint64_t bytes_left(int fd)
{
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        return LEFT_UNKNOWN;
    off_t at = lseek(fd, 0, SEEK_CUR);
    return at < 0 ? LEFT_UNKNOWN : sb.st_size > at ? (uint64_t)(sb.st_size - at) : 0;
}

static int run(const ps_engine *e, const ps_run_options *o, int in_fd, ps_stats *stats, const ps_jpaths *paths)
{
    pipeline pl = {0};
    pl.e = e;
    pl.o = o;
    pl.stats = stats;
    pl.block = o->block_size ? o->block_size : DEFAULT_BLOCK;
    pl.sep = scrub_separator(o->format);
    pl.fd = in_fd;
    pl.threads = o->threads ? o->threads : online_cores();
    if (pl.threads > MAX_THREADS)
        pl.threads = MAX_THREADS;
    /* Read the first block before starting threads: an input that ends within it (a short file, a line piped in,
     * /dev/null) is done inline, without paying for threads that would have nothing to share. A file known to hold
     * more than a block skips that: its threads start at once, and their start-up (a thread can take 2 ms to be
     * scheduled on an idle core of a VM) overlaps the first read. */
    pl.left = bytes_left(in_fd);
    if (pl.threads > 1 && (pl.left == LEFT_UNKNOWN || pl.left <= pl.block) &&
        frame_fill(in_fd, &pl.carry, pl.block, pl.sep, &pl.first_eof, NULL, NULL)) {
        int err = errno;
        buf_free(&pl.carry);
        errno = err;
        return err == ENOMEM ? PS_E_NOMEM : PS_E_IO;
    }
    count_read(&pl, pl.carry.len);
    if (pl.first_eof)
        pl.threads = 1;
    worker_arg *wa = aligned_alloc(_Alignof(worker_arg), pl.threads * sizeof *wa); /* wa[0] is the caller's thread */
    if (wa)
        memset(wa, 0, pl.threads * sizeof *wa);
    pthread_t *tids = calloc(pl.threads, sizeof *tids);
    pl.done = calloc((size_t)pl.threads * SLOTS_PER_WORKER, sizeof *pl.done);
    if (!wa || !tids || !pl.done) {
        free(wa);
        free(tids);
        free(pl.done);
        buf_free(&pl.carry);
        return PS_E_NOMEM;
    }
    longrec_init(&pl.lr, pl.block);
    pthread_mutex_init(&pl.read_mu, NULL);
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.cv_free, NULL);
    int st = PS_OK;
    unsigned inited = 0, started = 0;
    for (; st == PS_OK && inited < pl.threads; inited++) {
        wa[inited].pl = &pl;
        wa[inited].k = inited;
        if ((st = worker_init(&wa[inited].w, e, o, paths)))
            break;
    }
    for (unsigned i = 1; st == PS_OK && i < pl.threads; i++, started++)
        if (pthread_create(&tids[i], NULL, worker_main, &wa[i]))
            st = PS_E_NOMEM;
    if (st == PS_OK) {
        work(&pl, &wa[0].w, wa[0].s, 0);
    } else { /* the workers that did start finish with what they took */
        pthread_mutex_lock(&pl.mu);
        pl.stop = 1;
        pthread_cond_broadcast(&pl.cv_free);
        pthread_mutex_unlock(&pl.mu);
    }
    for (unsigned i = 1; i <= started; i++)
        pthread_join(tids[i], NULL);
    /* Errors of earlier blocks (met in their turn) come before a read error at the end. */
    if (st == PS_OK)
        st = pl.status ? pl.status : pl.read_status;
    for (unsigned i = 0; i < inited; i++) {
        engine_profile_add(wa[i].w.s, stats->rule_ns, stats->rule_runs, stats->rule_calls, stats->n_rules);
        worker_free(&wa[i].w);
    }
    for (unsigned i = 0; i < pl.threads; i++) {
        for (int k = 0; k < SLOTS_PER_WORKER; k++) {
            buf_free(&wa[i].s[k].in);
            chunk_out_free(&wa[i].s[k].out);
        }
    }
    free(wa);
    free(tids);
    free(pl.done);
    buf_free(&pl.carry);
    longrec_free(&pl.lr);
    pthread_cond_destroy(&pl.cv_free);
    pthread_mutex_destroy(&pl.mu);
    pthread_mutex_destroy(&pl.read_mu);
    return st;
}

/* ---------------------------------------------------------------- stats and one-shot scrubbing */

int ps_stats_init(ps_stats *st, const ps_engine *e)
{
    memset(st, 0, sizeof *st);
    st->n_rules = ps_engine_rule_count(e);
    if (st->n_rules && (!(st->per_rule = calloc(st->n_rules, sizeof *st->per_rule)) ||
                        !(st->rule_ns = calloc(st->n_rules, sizeof *st->rule_ns)) ||
                        !(st->rule_runs = calloc(st->n_rules, sizeof *st->rule_runs)) ||
                        !(st->rule_calls = calloc(st->n_rules, sizeof *st->rule_calls)))) {
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
    free(st->rule_calls);
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
