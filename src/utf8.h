/* utf8.h — UTF-8 for the modules that walk or write text by characters: the well-formedness check, decoding and
 * encoding. */
#ifndef PS_UTF8_H
#define PS_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* @return the length (1..4) of the well-formed UTF-8 sequence at s[0..n) (n >= 1), or 0 when s[0] does not start
 * one (overlong forms, surrogates and values above U+10FFFF are not well-formed). */
size_t utf8_seq_len(const unsigned char *s, size_t n);

/* The code point of the well-formed sequence s[0..len) (len as utf8_seq_len gives it). */
uint32_t utf8_decode(const unsigned char *s, size_t len);

/* Writes code point cp (< 0x110000) to o as UTF-8. @return its length, 1..4. */
size_t utf8_encode(uint32_t cp, char *o);

#endif
