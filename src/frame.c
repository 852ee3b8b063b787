/* frame.c — blocks from a file descriptor, cut at record ends (ripgrep's line buffer: only whole records go on;
 * the partial tail is carried into the next block by the pipeline's reader). */
#define _GNU_SOURCE /* memrchr */
#include "frame.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* Waits until fd has something to read (or an end, or an error for read() to report), asking stop meanwhile.
 * @return false when stop gave the wait up. */
static bool wait_readable(int fd, frame_stop_fn stop, void *ctx)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, FRAME_POLL_MS);
        if (r > 0 || (r < 0 && errno != EINTR))
            return true; /* ready, or poll cannot tell: read() decides */
        if (r == 0 && stop(ctx))
            return false;
    }
}

int frame_fill(int fd, ps_buf *b, size_t want, char sep, int *eof, frame_stop_fn stop, void *ctx)
{
    *eof = 0;
    if (b->len >= want)
        return 0;
    if (buf_reserve(b, want - b->len)) {
        errno = ENOMEM;
        return -1;
    }
    while (b->len < want) {
        if (stop && !wait_readable(fd, stop, ctx))
            return FRAME_STOPPED;
        ssize_t r = read(fd, b->p + b->len, want - b->len);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0) {
            *eof = 1;
            return 0;
        }
        size_t asked = want - b->len;
        b->len += (size_t)r;
        /* A short read means the writer upstream is slower than us (a log stream): hand on the whole records we
         * have now instead of waiting for a full block, so output latency stays low. */
        if ((size_t)r < asked && memchr(b->p + b->len - (size_t)r, sep, (size_t)r))
            return 0;
    }
    return 0;
}

size_t frame_cut(const char *p, size_t n, char sep)
{
    const char *last = n ? memrchr(p, sep, n) : NULL;
    return last ? (size_t)(last - p) + 1 : 0;
}
