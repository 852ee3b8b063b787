/* api.c — small public helpers: version, status names, diagnostics, action names. */
#include "piiscrub.h"

#include <stdio.h>
#include <string.h>

const char *ps_version(void)
{
    return PS_VERSION_STRING;
}

const char *ps_strerror(int status)
{
    switch (status) {
    case PS_OK: return "success";
    case PS_E_NOMEM: return "out of memory";
    case PS_E_RULES: return "invalid rule file";
    case PS_E_IO: return "I/O error";
    case PS_E_UNSCANNED: return "a record could not be scanned (fail-closed abort)";
    case PS_E_USAGE: return "invalid argument";
    case PS_E_KEY: return "the hash action needs a key";
    case PS_E_STOPPED: return "stopped by the output";
    case PS_E_INVALID: return "invalid input record";
    default: return "unknown error";
    }
}

int ps_diag_format(const ps_diag *d, char *buf, size_t size)
{
    char where[700] = "";
    size_t w = 0;
    if (d->file[0]) {
        if (d->line && d->col)
            w = (size_t)snprintf(where, sizeof where, "%s:%u:%u: ", d->file, d->line, d->col);
        else if (d->line)
            w = (size_t)snprintf(where, sizeof where, "%s:%u: ", d->file, d->line);
        else
            w = (size_t)snprintf(where, sizeof where, "%s: ", d->file);
    }
    if (d->rule_id[0] && w < sizeof where)
        snprintf(where + w, sizeof where - w, "rule '%s': ", d->rule_id);
    return snprintf(buf, size, "%s%s", where, d->msg);
}

static const char *const action_names[] = {"inherit", "tag", "mask", "partial", "hash", "remove"};

int ps_action_parse(const char *name, ps_action *out)
{
    for (size_t i = 1; i < sizeof action_names / sizeof action_names[0]; i++) {
        if (strcmp(name, action_names[i]) == 0) {
            *out = (ps_action)i;
            return PS_OK;
        }
    }
    return PS_E_USAGE;
}

const char *ps_action_name(ps_action a)
{
    if ((unsigned)a < sizeof action_names / sizeof action_names[0])
        return action_names[a];
    return "unknown";
}
