/* digest.c — a SHA-256 of what the loaded rules say, for the run manifest: two runs with the same digest applied the
 * same rules, whatever the files were called or how they were laid out. */
#include "rules.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

static void feed_str(EVP_MD_CTX *c, const char *s)
{
    EVP_DigestUpdate(c, s ? s : "", s ? strlen(s) + 1 : 1); /* the NUL separates fields */
}

static void feed_list(EVP_MD_CTX *c, const ps_strlist *l)
{
    char n[32];
    snprintf(n, sizeof n, "%zu", l->n);
    feed_str(c, n);
    for (size_t i = 0; i < l->n; i++)
        feed_str(c, l->v[i]);
}

int ps_ruleset_digest(const ps_ruleset *rs, char hex[65])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(c);
        return PS_E_NOMEM;
    }
    for (size_t i = 0; i < rs->n; i++) {
        const ps_rule *r = &rs->rules[i];
        char num[128];
        feed_str(c, r->id);
        feed_str(c, r->entity);
        feed_str(c, r->pack);
        feed_str(c, r->pattern);
        snprintf(num, sizeof num, "%u/%u/%s/%u/%d/%.17g/%d/%d", r->flags, r->group, r->validate ? r->validate : "-",
                 r->context_window, r->context_required, r->min_entropy, r->priority, (int)r->action);
        feed_str(c, num);
        feed_list(c, &r->keywords);
        feed_str(c, r->has_context ? "context" : "-");
        feed_list(c, &r->context_words);
        feed_list(c, &r->allow);
    }
    unsigned char md[32];
    unsigned len = 0;
    int ok = EVP_DigestFinal_ex(c, md, &len);
    EVP_MD_CTX_free(c);
    if (!ok)
        return PS_E_NOMEM;
    for (unsigned i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return PS_OK;
}
