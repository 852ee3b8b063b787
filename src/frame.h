/* frame.h — reading input in blocks and cutting blocks at record ends. */
#ifndef PS_FRAME_H
#define PS_FRAME_H

#include "buf.h"

#include <stddef.h>

/* Reads from fd into b until b holds `want` bytes or the input ends (*eof set), or a short read brought at least
 * one separator (input arrives slowly: do not wait for a full block). Retries EINTR.
 * @return 0, or -1 with errno set (read error, or ENOMEM). */
int frame_fill(int fd, ps_buf *b, size_t want, char sep, int *eof);

/* @return the offset just past the last separator in p[0..n), or 0 when there is none. */
size_t frame_cut(const char *p, size_t n, char sep);

#endif
