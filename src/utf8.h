/* utf8.h — one well-formedness check for UTF-8, shared by the modules that walk text by characters. */
#ifndef PS_UTF8_H
#define PS_UTF8_H

#include <stddef.h>

/* @return the length (1..4) of the well-formed UTF-8 sequence at s[0..n) (n >= 1), or 0 when s[0] does not start
 * one (overlong forms, surrogates and values above U+10FFFF are not well-formed). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif
