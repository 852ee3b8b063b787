/* validate.h — checksum and structure validators for candidate matches, and Shannon entropy.
 * A validator gets the candidate's bytes (the redacted group) and says whether it is a real identifier; it ignores
 * the separators the format allows (spaces, dashes, dots) itself. Pure functions: no allocation, no state. */
#ifndef PS_VALIDATE_H
#define PS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

typedef bool (*ps_validate_fn)(const char *s, size_t n);

typedef struct ps_validator {
    const char *name;     /* as written in a rule's `validate:` */
    ps_validate_fn fn;
    const char *summary;  /* one line for --list-rules and error messages */
} ps_validator;

/* @return the validator named `name`, or NULL. */
const ps_validator *validate_find(const char *name);
/* @return the table of validators, terminated by an entry whose name is NULL. */
const ps_validator *validate_all(void);

/* Shannon entropy of the bytes, in bits per byte (0 .. 8). */
double validate_entropy(const char *s, size_t n);

#endif
