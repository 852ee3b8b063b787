/* frame.h — reading input in blocks and cutting blocks at record ends. */
#ifndef PS_FRAME_H
#define PS_FRAME_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Asked while the input has nothing to read yet: true gives the read up (the run is stopping). */
typedef bool (*frame_stop_fn)(void *ctx);

#define FRAME_STOPPED 1
#define FRAME_POLL_MS 50 /* how often a read that waits asks whether to give up */

/* Reads from fd into b until b holds `want` bytes or the input ends (*eof set), or a short read brought at least
 * one separator (input arrives slowly: do not wait for a full block). Retries EINTR. With `stop`, a read that would
 * wait asks it every FRAME_POLL_MS, so a run that stops does not wait for a slow writer upstream (another thread
 * found the answer of --check --quiet, or the output went away).
 * @return 0, FRAME_STOPPED (stop said so; what was read is in b), or -1 with errno set (read error, or ENOMEM). */
int frame_fill(int fd, ps_buf *b, size_t want, char sep, int *eof, frame_stop_fn stop, void *ctx);

/* @return the offset just past the last separator in p[0..n), or 0 when there is none. */
size_t frame_cut(const char *p, size_t n, char sep);

#endif
