/* buf.h — a growable byte buffer. The owner of a ps_buf owns its bytes; buf_free releases them. */
#ifndef PS_BUF_H
#define PS_BUF_H

#include <stddef.h>

typedef struct ps_buf {
    char *p;
    size_t len, cap;
} ps_buf;

/* buf_reserve's way when the room is not there yet. */
int buf_grow(ps_buf *b, size_t extra);

/* Makes room for `extra` more bytes. @return 0 or -1 (out of memory; the buffer is unchanged). Inline: callers ask
 * in their loops (jsonl_encode once per escape), and there is nearly always room. */
static inline int buf_reserve(ps_buf *b, size_t extra)
{
    return b->cap - b->len >= extra ? 0 : buf_grow(b, extra);
}
/* Appends n bytes. @return 0 or -1. */
int buf_append(ps_buf *b, const void *data, size_t n);
/* Appends n copies of byte c. @return 0 or -1. */
int buf_append_fill(ps_buf *b, char c, size_t n);
/* Makes sure `n` zero bytes follow the data (not counted in len): PCRE2's JIT may read a little past a subject with
 * wide loads (harmless, same allocation), and memory checkers should see those bytes initialised. @return 0 or -1. */
int buf_pad(ps_buf *b, size_t n);
/* Frees the bytes and zeroes the struct; accepts a zeroed buffer. */
void buf_free(ps_buf *b);

#endif
