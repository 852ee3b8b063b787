#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int buf_grow(ps_buf *b, size_t extra)
{
    size_t need = b->len + extra;
    if (need < b->len)
        return -1; /* overflow */
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *p = realloc(b->p, cap);
    if (!p)
        return -1;
    b->p = p;
    b->cap = cap;
    return 0;
}

int buf_append(ps_buf *b, const void *data, size_t n)
{
    if (n == 0)
        return 0;
    if (buf_reserve(b, n))
        return -1;
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

int buf_append_fill(ps_buf *b, char c, size_t n)
{
    if (n == 0)
        return 0;
    if (buf_reserve(b, n))
        return -1;
    memset(b->p + b->len, c, n);
    b->len += n;
    return 0;
}

int buf_pad(ps_buf *b, size_t n)
{
    if (buf_reserve(b, n))
        return -1;
    memset(b->p + b->len, 0, n);
    return 0;
}

void buf_free(ps_buf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}
