/* test_run.h — one ps_run over a file's bytes, the step the end-to-end tests repeat for every format, thread count
 * and block size (test_prefilter, test_gates). Include after cmocka.h and piiscrub.h. */
#ifndef PS_TEST_RUN_H
#define PS_TEST_RUN_H

#include <unistd.h>

/* Rewinds fd and runs it through e into write(ctx); *st gets the run's stats (ps_stats_free them). */
static inline void run_fd(const ps_engine *e, int fd, ps_format fmt, unsigned threads, size_t block, ps_write_fn write,
                          void *ctx, ps_stats *st)
{
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    ps_run_options o = {0};
    o.format = fmt;
    o.threads = threads;
    o.block_size = block;
    o.write = write;
    o.write_ctx = ctx;
    assert_int_equal(ps_stats_init(st, e), PS_OK);
    assert_int_equal(ps_run(e, &o, fd, st), PS_OK);
}

#endif
