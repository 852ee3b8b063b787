/* validate.c — checksum and structure validators for candidate matches, and Shannon entropy.
 * Every validator reads only s[0..n), works on a small stack copy, and treats any byte outside the format's
 * alphabet (including every non-ASCII byte) as a rejection. Letters are accepted in either case. */
#include "validate.h"

#include <stdint.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- character and text helpers ------------------------------------------------------------------------------ */

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
static unsigned char to_upper(unsigned char c) { return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 'a' + 'A') : c; }
static bool is_alnum(unsigned char c) { return is_digit(c) || is_upper(to_upper(c)); }
static bool in_set(unsigned char c, const char *set) { return c != '\0' && strchr(set, c) != NULL; }

static bool all_digits(const char *d, size_t k)
{
    for (size_t i = 0; i < k; i++)
        if (!is_digit((unsigned char)d[i]))
            return false;
    return true;
}

/* Placeholders such as 000000000 or 1111 1111 1111 1111 pass several checksums; no scheme issues them. */
static bool all_same(const char *d, size_t k)
{
    for (size_t i = 1; i < k; i++)
        if (d[i] != d[0])
            return false;
    return true;
}

/* Value of k (<= 9) decimal digits, already known to be digits. */
static unsigned num(const char *d, size_t k)
{
    unsigned v = 0;
    for (size_t i = 0; i < k; i++)
        v = v * 10 + (unsigned)(d[i] - '0');
    return v;
}

/* Copies the alphanumerics of s[0..n) to out, upper-cased and NUL-terminated. A separator from `seps` may only
 * stand between two alphanumerics (no leading, trailing or doubled separator); any other byte fails.
 * @return the number of alphanumerics copied, or 0 on failure or when they do not fit in cap - 1 bytes. */
static size_t compact(const char *s, size_t n, const char *seps, char *out, size_t cap)
{
    size_t k = 0;
    bool after_sep = true; /* so that a leading separator fails */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_alnum(c)) {
            if (k + 1 >= cap)
                return 0;
            out[k++] = (char)to_upper(c);
            after_sep = false;
        } else if (!after_sep && in_set(c, seps)) {
            after_sep = true;
        } else {
            return 0;
        }
    }
    if (after_sep)
        return 0;
    out[k] = '\0';
    return k;
}

/* Accepts exactly the alphanumerics of the group sizes in `groups` (0-terminated), either run together or with one
 * separator from `seps` between consecutive groups, the same separator throughout (123-45-6789, not 123-45 6789).
 * Writes the upper-cased compact form to out, which must hold the total plus a NUL. */
static bool grouped(const char *s, size_t n, const unsigned char *groups, const char *seps, char *out)
{
    size_t total = 0, ng = 0;
    for (; groups[ng] != 0; ng++)
        total += groups[ng];
    bool with_seps;
    if (n == total)
        with_seps = false;
    else if (ng > 1 && n == total + ng - 1)
        with_seps = true;
    else
        return false;
    unsigned char sep = 0;
    size_t i = 0, k = 0;
    for (size_t g = 0; g < ng; g++) {
        if (g > 0 && with_seps) {
            unsigned char c = (unsigned char)s[i++];
            if (g == 1) {
                if (!in_set(c, seps))
                    return false;
                sep = c;
            } else if (c != sep) {
                return false;
            }
        }
        for (size_t j = 0; j < groups[g]; j++) {
            unsigned char c = (unsigned char)s[i++];
            if (!is_alnum(c))
                return false;
            out[k++] = (char)to_upper(c);
        }
    }
    out[k] = '\0';
    return true;
}

static bool is_leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* For a two-digit year with unknown century pass 2000 + yy: 29 February then passes when yy % 4 == 0. */
static bool valid_date(unsigned y, unsigned m, unsigned d)
{
    static const unsigned char mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    return !(m == 2 && d == 29 && !is_leap(y));
}

/* Luhn over k digits, the last being the check digit. */
static bool luhn_ok(const char *d, size_t k)
{
    unsigned sum = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned v = (unsigned)(d[k - 1 - i] - '0');
        if (i & 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

static const unsigned char G_3_2_4[] = {3, 2, 4, 0};

/* 9 digits in the 3-2-4 form shared by SSN and ITIN. */
static bool ssn_shape(const char *s, size_t n, char d[10])
{
    return grouped(s, n, G_3_2_4, "- ", d) && all_digits(d, 9);
}

/* ---- validators ---------------------------------------------------------------------------------------------- */

static bool v_luhn(const char *s, size_t n)
{
    char d[20];
    size_t k = compact(s, n, " -", d, sizeof d);
    return k >= 12 && k <= 19 && all_digits(d, k) && !all_same(d, k) && luhn_ok(d, k);
}

/* IBAN lengths from the SWIFT IBAN registry. */
static const struct iban_country {
    char cc[3];
    unsigned char len;
} iban_countries[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22},
    {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HR", 21}, {"HU", 28}, {"IE", 22},
    {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28}, {"LC", 32},
    {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22}, {"MK", 19},
    {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23}, {"PK", 24},
    {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24}, {"SC", 31},
    {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28}, {"TL", 23},
    {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};

static bool v_iban(const char *s, size_t n)
{
    char b[35];
    size_t k = compact(s, n, " ", b, sizeof b);
    if (k < 15 || !is_upper((unsigned char)b[0]) || !is_upper((unsigned char)b[1]) || !all_digits(b + 2, 2))
        return false;
    size_t want = 0;
    for (size_t i = 0; i < sizeof iban_countries / sizeof iban_countries[0]; i++)
        if (iban_countries[i].cc[0] == b[0] && iban_countries[i].cc[1] == b[1])
            want = iban_countries[i].len;
    unsigned check = num(b + 2, 2);
    if (k != want || check < 2 || check > 98) /* 98 - (x mod 97) is always in 02..98 */
        return false;
    /* Country and check digits move to the end, letters count as 10..35; mod 97 taken digit by digit. */
    unsigned r = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned char c = (unsigned char)b[(i + 4) % k];
        r = is_digit(c) ? (r * 10 + (unsigned)(c - '0')) % 97 : (r * 100 + (unsigned)(c - 'A' + 10)) % 97;
    }
    return r == 1;
}

static bool v_ssn(const char *s, size_t n)
{
    char d[10];
    if (!ssn_shape(s, n, d))
        return false;
    unsigned area = num(d, 3), group = num(d + 3, 2), serial = num(d + 5, 4);
    if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 || all_same(d, 9))
        return false;
    /* Advertising numbers (Woolworth wallet card, Social Security card ad) and the textbook placeholder. */
    return strcmp(d, "078051120") != 0 && strcmp(d, "219099999") != 0 && strcmp(d, "123456789") != 0;
}

static bool v_ipv4(const char *s, size_t n)
{
    size_t i = 0;
    for (int octet = 0; octet < 4; octet++) {
        if (octet > 0) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && i - start < 3 && is_digit((unsigned char)s[i]))
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t len = i - start;
        if (len == 0 || v > 255 || (len > 1 && s[start] == '0'))
            return false;
    }
    return i == n;
}

static bool v_nhs(const char *s, size_t n)
{
    static const unsigned char groups[] = {3, 3, 4, 0};
    char d[11];
    if (!grouped(s, n, groups, " -", d) || !all_digits(d, 10) || all_same(d, 10))
        return false;
    unsigned sum = 0;
    for (unsigned i = 0; i < 9; i++)
        sum += (unsigned)(d[i] - '0') * (10 - i);
    unsigned check = 11 - sum % 11;
    if (check == 11)
        check = 0;
    return check != 10 && check == (unsigned)(d[9] - '0');
}

static bool v_aba(const char *s, size_t n)
{
    static const unsigned char groups[] = {9, 0};
    static const unsigned char weights[9] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
    char d[10];
    if (!grouped(s, n, groups, "", d) || !all_digits(d, 9) || all_same(d, 9))
        return false;
    unsigned p = num(d, 2);
    if (!(p <= 12 || (p >= 21 && p <= 32) || (p >= 61 && p <= 72) || p == 80))
        return false;
    unsigned sum = 0;
    for (size_t i = 0; i < 9; i++)
        sum += (unsigned)(d[i] - '0') * weights[i];
    return sum % 10 == 0;
}

static bool v_uk_nino(const char *s, size_t n)
{
    static const char *const unused[] = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"};
    char b[10];
    size_t k = compact(s, n, " ", b, sizeof b);
    if ((k != 8 && k != 9) || !is_upper((unsigned char)b[0]) || !is_upper((unsigned char)b[1]) || !all_digits(b + 2, 6))
        return false;
    if (k == 9 && (b[8] < 'A' || b[8] > 'D'))
        return false;
    if (in_set((unsigned char)b[0], "DFIQUV") || in_set((unsigned char)b[1], "DFIOQUV"))
        return false;
    for (size_t i = 0; i < sizeof unused / sizeof unused[0]; i++)
        if (b[0] == unused[i][0] && b[1] == unused[i][1])
            return false;
    return true;
}

static bool v_de_taxid(const char *s, size_t n)
{
    char d[12];
    if (compact(s, n, " /", d, sizeof d) != 11 || !all_digits(d, 11) || d[0] == '0')
        return false;
    /* Among the first 10 digits exactly one digit occurs more than once: twice, or (since 2016) three times but
     * never in three adjacent positions. */
    unsigned count[10] = {0}, repeated = 0, rep = 0;
    for (size_t i = 0; i < 10; i++)
        count[d[i] - '0']++;
    for (unsigned v = 0; v < 10; v++)
        if (count[v] > 1) {
            repeated++;
            rep = v;
        }
    if (repeated != 1 || count[rep] > 3)
        return false;
    if (count[rep] == 3)
        for (size_t i = 0; i + 2 < 10; i++)
            if (d[i] == d[i + 1] && d[i] == d[i + 2])
                return false;
    /* ISO 7064 MOD 11,10 */
    unsigned product = 10;
    for (size_t i = 0; i < 10; i++) {
        unsigned sum = ((unsigned)(d[i] - '0') + product) % 10;
        if (sum == 0)
            sum = 10;
        product = sum * 2 % 11;
    }
    unsigned check = 11 - product;
    if (check == 10)
        check = 0;
    return check == (unsigned)(d[10] - '0');
}

static bool v_fr_nir(const char *s, size_t n)
{
    char b[16];
    if (compact(s, n, " ", b, sizeof b) != 15 || !all_digits(b, 5) || !all_digits(b + 7, 8))
        return false;
    if (!in_set((unsigned char)b[0], "123478"))
        return false;
    bool corsica = b[5] == '2' && (b[6] == 'A' || b[6] == 'B');
    if (!corsica && !all_digits(b + 5, 2))
        return false;
    if (corsica) { /* 2A counts as 19, 2B as 18 */
        b[5] = '1';
        b[6] = b[6] == 'A' ? '9' : '8';
    }
    unsigned r = 0;
    for (size_t i = 0; i < 13; i++)
        r = (r * 10 + (unsigned)(b[i] - '0')) % 97;
    return num(b + 13, 2) == 97 - r;
}

static bool v_es_dni(const char *s, size_t n)
{
    static const char letters[] = "TRWAGMYFPDXBNJZSQVHLCKE";
    char b[10];
    if (compact(s, n, " -", b, sizeof b) != 9 || !is_upper((unsigned char)b[8]))
        return false;
    unsigned v;
    if (b[0] == 'X' || b[0] == 'Y' || b[0] == 'Z') { /* NIE: the prefix stands for a leading 0, 1 or 2 */
        if (!all_digits(b + 1, 7))
            return false;
        v = (unsigned)(b[0] - 'X') * 10000000u + num(b + 1, 7);
    } else {
        if (!all_digits(b, 8))
            return false;
        v = num(b, 8);
        if (v == 0)
            return false;
    }
    return b[8] == letters[v % 23];
}

/* Digit value of a codice fiscale date/place position: a digit, or an omocodia substitute letter. */
static int cf_digit(char c)
{
    static const char omocodia[] = "LMNPQRSTUV";
    if (is_digit((unsigned char)c))
        return c - '0';
    const char *p = c != '\0' ? strchr(omocodia, c) : NULL;
    return p ? (int)(p - omocodia) : -1;
}

static bool v_it_cf(const char *s, size_t n)
{
    static const unsigned char groups[] = {16, 0};
    static const char months[] = "ABCDEHLMPRST";
    static const unsigned char odd[26] = {1,  0,  5,  7,  9,  13, 15, 17, 19, 21, 2,  4,  18,
                                          20, 11, 3,  6,  8,  12, 14, 16, 10, 22, 25, 24, 23};
    static const unsigned char digit_pos[7] = {6, 7, 9, 10, 12, 13, 14};
    char b[17];
    if (!grouped(s, n, groups, "", b))
        return false;
    static const unsigned char letter_pos[9] = {0, 1, 2, 3, 4, 5, 8, 11, 15};
    for (size_t i = 0; i < sizeof letter_pos; i++)
        if (!is_upper((unsigned char)b[letter_pos[i]]))
            return false;
    for (size_t i = 0; i < sizeof digit_pos; i++)
        if (cf_digit(b[digit_pos[i]]) < 0)
            return false;
    const char *m = strchr(months, b[8]);
    if (!m)
        return false;
    unsigned day = (unsigned)(cf_digit(b[9]) * 10 + cf_digit(b[10]));
    if (day > 40) /* women: day + 40 */
        day -= 40;
    if (!valid_date(2000 + (unsigned)(cf_digit(b[6]) * 10 + cf_digit(b[7])), (unsigned)(m - months) + 1, day))
        return false;
    unsigned sum = 0;
    for (size_t i = 0; i < 15; i++) {
        unsigned char c = (unsigned char)b[i];
        unsigned idx = is_digit(c) ? (unsigned)(c - '0') : (unsigned)(c - 'A');
        sum += (i % 2 == 0) ? odd[idx] : idx; /* 1-based odd positions sit at even indices */
    }
    return b[15] == (char)('A' + sum % 26);
}

static bool v_nl_bsn(const char *s, size_t n)
{
    char d[10];
    if (compact(s, n, " .-", d, sizeof d) != 9 || !all_digits(d, 9) || all_same(d, 9))
        return false;
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += (d[i] - '0') * (9 - i);
    sum -= d[8] - '0';
    return sum % 11 == 0;
}

static bool v_be_nrn(const char *s, size_t n)
{
    char d[12];
    if (compact(s, n, " .-", d, sizeof d) != 11 || !all_digits(d, 11))
        return false;
    /* Month 0 means unknown; bis numbers add 20 or 40. The day counter runs 001..997. */
    unsigned month = num(d + 2, 2), counter = num(d + 6, 3);
    if (month > 52 || month % 20 > 12 || counter == 0 || counter > 997)
        return false;
    uint64_t base = num(d, 9);
    unsigned check = num(d + 9, 2);
    if (check == 97 - base % 97)
        return true;
    /* Born 2000 or later: a 2 stands before the nine digits. Read so, a year 50-99 would be a birth in 2050 or
     * later, so such a number only passes with the 1900s check (one bad key in 97 would pass otherwise). */
    return num(d, 2) < 50 && check == 97 - (2000000000u + base) % 97;
}

static bool v_pl_pesel(const char *s, size_t n)
{
    static const unsigned char groups[] = {11, 0};
    static const unsigned char weights[10] = {1, 3, 7, 9, 1, 3, 7, 9, 1, 3};
    static const unsigned short century[5] = {1900, 2000, 2100, 2200, 1800};
    char d[12];
    if (!grouped(s, n, groups, "", d) || !all_digits(d, 11))
        return false;
    unsigned sum = 0;
    for (size_t i = 0; i < 10; i++)
        sum += (unsigned)(d[i] - '0') * weights[i];
    if ((10 - sum % 10) % 10 != (unsigned)(d[10] - '0'))
        return false;
    unsigned mm = num(d + 2, 2);
    return valid_date(century[mm / 20] + num(d, 2), mm % 20, num(d + 4, 2));
}

static bool v_se_pnr(const char *s, size_t n)
{
    static const unsigned char short_form[] = {6, 4, 0}, long_form[] = {8, 4, 0};
    char d[13];
    unsigned year;
    const char *t;
    if (grouped(s, n, short_form, "-+", d) && all_digits(d, 10)) {
        t = d;
        year = 2000 + num(d, 2);
    } else if (grouped(s, n, long_form, "-", d) && all_digits(d, 12)) {
        t = d + 2;
        year = num(d, 4);
        if (year < 1800 || year > 2099)
            return false;
    } else {
        return false;
    }
    unsigned day = num(t + 4, 2);
    if (day > 60) /* samordningsnummer: day + 60 */
        day -= 60;
    return valid_date(year, num(t + 2, 2), day) && luhn_ok(t, 10);
}

static bool v_dk_cpr(const char *s, size_t n)
{
    static const unsigned char groups[] = {6, 4, 0};
    char d[11];
    if (!grouped(s, n, groups, "- ", d) || !all_digits(d, 10))
        return false;
    /* The first serial digit and the two-digit year give the century. */
    unsigned yy = num(d + 4, 2), c = (unsigned)(d[6] - '0'), year;
    if (c <= 3)
        year = 1900 + yy;
    else if (c == 4 || c == 9)
        year = (yy <= 36 ? 2000 : 1900) + yy;
    else
        year = (yy <= 57 ? 2000 : 1800) + yy;
    return valid_date(year, num(d + 2, 2), num(d, 2));
}

static bool v_fi_hetu(const char *s, size_t n)
{
    static const char checks[] = "0123456789ABCDEFHJKLMNPRSTUVWXY";
    char b[12];
    if (n != 11)
        return false;
    for (size_t i = 0; i < 11; i++)
        b[i] = (char)to_upper((unsigned char)s[i]);
    b[11] = '\0';
    if (!all_digits(b, 6) || !all_digits(b + 7, 3))
        return false;
    unsigned year = num(b + 4, 2);
    if (b[6] == '+')
        year += 1800;
    else if (in_set((unsigned char)b[6], "-YXWVU"))
        year += 1900;
    else if (in_set((unsigned char)b[6], "ABCDEF"))
        year += 2000;
    else
        return false;
    unsigned individual = num(b + 7, 3);
    if (individual < 2 || !valid_date(year, num(b + 2, 2), num(b, 2)))
        return false;
    return b[10] == checks[(num(b, 6) * 1000u + individual) % 31];
}

static bool no_check(const char *d, const unsigned char *w, size_t k)
{
    unsigned sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += (unsigned)(d[i] - '0') * w[i];
    unsigned check = (11 - sum % 11) % 11;
    return check != 10 && check == (unsigned)(d[k] - '0');
}

static bool v_no_fnr(const char *s, size_t n)
{
    static const unsigned char groups[] = {6, 5, 0};
    static const unsigned char w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2}, w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    char d[12];
    if (!grouped(s, n, groups, " -", d) || !all_digits(d, 11) || !no_check(d, w1, 9) || !no_check(d, w2, 10))
        return false;
    unsigned day = num(d, 2), month = num(d + 2, 2), yy = num(d + 4, 2), ind = num(d + 6, 3), year;
    if (day > 40) /* D-number */
        day -= 40;
    if (month > 40) /* H-number */
        month -= 40;
    /* The individual number gives the century. */
    if (ind < 500)
        year = 1900 + yy;
    else if (ind < 750 && yy >= 54)
        year = 1800 + yy;
    else if (yy < 40)
        year = 2000 + yy;
    else if (ind >= 900)
        year = 1900 + yy;
    else
        return false;
    return valid_date(year, month, day);
}

static bool v_ie_pps(const char *s, size_t n)
{
    static const char letters[] = "WABCDEFGHIJKLMNOPQRSTUV";
    char b[10];
    size_t k = compact(s, n, " -", b, sizeof b);
    if ((k != 8 && k != 9) || !all_digits(b, 7) || b[7] < 'A' || b[7] > 'W')
        return false;
    unsigned sum = 0;
    for (unsigned i = 0; i < 7; i++)
        sum += (unsigned)(b[i] - '0') * (8 - i);
    if (k == 9) {
        /* Since 2013 a second letter A, B or H enters the check with weight 9; the older W, T and X do not. */
        if (b[8] == 'A' || b[8] == 'B' || b[8] == 'H')
            sum += 9u * (unsigned)(b[8] - 'A' + 1);
        else if (!in_set((unsigned char)b[8], "WTX"))
            return false;
    }
    return b[7] == letters[sum % 23];
}

static bool v_pt_nif(const char *s, size_t n)
{
    char d[10];
    if (compact(s, n, " .-", d, sizeof d) != 9 || !all_digits(d, 9))
        return false;
    if (!in_set((unsigned char)d[0], "1235689") && !(d[0] == '4' && d[1] == '5') && d[0] != '7')
        return false;
    unsigned sum = 0;
    for (unsigned i = 0; i < 8; i++)
        sum += (unsigned)(d[i] - '0') * (9 - i);
    unsigned r = sum % 11;
    return (r < 2 ? 0 : 11 - r) == (unsigned)(d[8] - '0');
}

static bool v_ch_ahv(const char *s, size_t n)
{
    static const unsigned char groups[] = {3, 4, 4, 2, 0};
    char d[14];
    if (!grouped(s, n, groups, ". ", d) || !all_digits(d, 13) || memcmp(d, "756", 3) != 0)
        return false;
    unsigned sum = 0;
    for (size_t i = 0; i < 12; i++)
        sum += (unsigned)(d[i] - '0') * (i % 2 ? 3 : 1);
    return (10 - sum % 10) % 10 == (unsigned)(d[12] - '0');
}

static bool v_us_itin(const char *s, size_t n)
{
    char d[10];
    if (!ssn_shape(s, n, d) || d[0] != '9' || all_same(d, 9))
        return false;
    unsigned g = num(d + 3, 2);
    return (g >= 50 && g <= 65) || (g >= 70 && g <= 88) || (g >= 90 && g <= 92) || g >= 94;
}

/* ---- table and entropy --------------------------------------------------------------------------------------- */

static const ps_validator validators[] = {
    {"luhn", v_luhn, "payment card number: 12-19 digits, Luhn mod 10"},
    {"iban", v_iban, "IBAN (ISO 13616): registry length per country, mod 97"},
    {"ssn", v_ssn, "US Social Security number: 3-2-4 digits, no unissued area/group/serial"},
    {"ipv4", v_ipv4, "IPv4 dotted quad, octets 0-255 without leading zeros"},
    {"nhs", v_nhs, "UK NHS number: 10 digits (3-3-4), mod 11"},
    {"aba", v_aba, "US ABA routing number: 9 digits, weights 3-7-1, Federal Reserve prefix"},
    {"uk-nino", v_uk_nino, "UK National Insurance number: 2 letters, 6 digits, optional A-D"},
    {"de-taxid", v_de_taxid, "German Steuer-IdNr: 11 digits, digit pattern, ISO 7064 MOD 11,10"},
    {"fr-nir", v_fr_nir, "French NIR (INSEE): 13 digits + key 97 - n mod 97, Corsica 2A/2B"},
    {"es-dni", v_es_dni, "Spanish DNI or NIE: 8 digits (or X/Y/Z + 7) + mod 23 letter"},
    {"it-cf", v_it_cf, "Italian codice fiscale: 16 characters, date, check letter, omocodia"},
    {"nl-bsn", v_nl_bsn, "Dutch BSN: 9 digits, 11-test"},
    {"be-nrn", v_be_nrn, "Belgian national number: 11 digits, 97 - mod 97 (2000+ aware)"},
    {"pl-pesel", v_pl_pesel, "Polish PESEL: 11 digits, birth date, weighted mod 10"},
    {"se-pnr", v_se_pnr, "Swedish personnummer: (YY)YYMMDD-NNNC, date, Luhn"},
    {"dk-cpr", v_dk_cpr, "Danish CPR: DDMMYY-SSSS with a valid date"},
    {"fi-hetu", v_fi_hetu, "Finnish HETU: DDMMYY, century sign, ZZZ, mod 31 check character"},
    {"no-fnr", v_no_fnr, "Norwegian fodselsnummer / D-number: 11 digits, date, two mod 11 checks"},
    {"ie-pps", v_ie_pps, "Irish PPS number: 7 digits + check letter (+ A/B/H/W/T/X), mod 23"},
    {"pt-nif", v_pt_nif, "Portuguese NIF: 9 digits, mod 11"},
    {"ch-ahv", v_ch_ahv, "Swiss AHV/AVS number: 756.XXXX.XXXX.XX, EAN-13 check digit"},
    {"us-itin", v_us_itin, "US ITIN: 9XX-XX-XXXX with an IRS-assigned middle group"},
    {NULL, NULL, NULL},
};

const ps_validator *validate_all(void) { return validators; }

const ps_validator *validate_find(const char *name)
{
    if (!name)
        return NULL;
    for (const ps_validator *v = validators; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

/* log2 for x >= 1 without libm (the library does not link it): x = 2^e * m, m in [1, 2),
 * ln m = 2 atanh((m - 1) / (m + 1)) by its series, which converges fast as the argument is at most 1/3. */
static double log2_ge1(double x)
{
    double e = 0.0;
    while (x >= 2.0) {
        x *= 0.5;
        e += 1.0;
    }
    double z = (x - 1.0) / (x + 1.0), z2 = z * z, term = z, sum = 0.0;
    for (unsigned k = 1; k < 64 && term > 1e-18; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return e + 2.0 * sum / 0.69314718055994530942;
}

#define ENTROPY_MEMO 64 /* counts below this have their log2 computed once a call */

/* sum c log2 c over the bytes of `twice` (those seen more than once), in byte order, their counts in c8 (a text
 * shorter than 256 bytes) or else in cw. The counts of a short token repeat (a base64 line of 76 bytes: ~20 bytes
 * seen more than once, with 4 or 5 different counts), and each log2 is a series of divisions: each count's is
 * computed once. */
static double sum_c_log2_c(const uint64_t twice[4], const uint8_t *c8, const size_t *cw)
{
    double memo[ENTROPY_MEMO], acc = 0.0;
    uint64_t known = 0;
    for (unsigned w = 0; w < 4; w++)
        for (uint64_t m = twice[w]; m; m &= m - 1) {
            unsigned b = w * 64 + (unsigned)__builtin_ctzll(m);
            size_t c = c8 ? c8[b] : cw[b];
            if (c < ENTROPY_MEMO && !((known >> c) & 1)) {
                memo[c] = log2_ge1((double)c);
                known |= (uint64_t)1 << c;
            }
            acc += (double)c * (c < ENTROPY_MEMO ? memo[c] : log2_ge1((double)c));
        }
    return acc;
}

/* H = log2 n - (1/n) * sum c log2 c, summed in byte order over the bytes seen more than once, which are found
 * without a branch each (PEM body lines, tested one per line of base64 text, spent 40 % of the run here on
 * mispredicted branches and divisions). A token shorter than 256 bytes counts in bytes: its table is cleared and
 * read 16 bytes at a time. */
double validate_entropy(const char *s, size_t n)
{
    if (n == 0)
        return 0.0;
    uint64_t twice[4];
    double acc;
    if (n < 256) {
        uint8_t count[256];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++)
            count[(unsigned char)s[i]]++;
        for (unsigned w = 0; w < 4; w++) {
            uint64_t m = 0; /* in a register: an OR into memory per byte would wait on the one before */
#ifdef __SSE2__
            for (unsigned k = 0; k < 4; k++) {
                __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(count + w * 64 + k * 16));
                __m128i at_most_1 = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(1)), v);
                m |= (uint64_t)(~(unsigned)_mm_movemask_epi8(at_most_1) & 0xFFFFu) << (k * 16);
            }
#else
            for (unsigned j = 0; j < 64; j++)
                m |= (uint64_t)(count[w * 64 + j] > 1) << j;
#endif
            twice[w] = m;
        }
        acc = sum_c_log2_c(twice, count, NULL);
    } else {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(unsigned char)s[i]]++;
        for (unsigned w = 0; w < 4; w++) {
            uint64_t m = 0;
            for (unsigned j = 0; j < 64; j++)
                m |= (uint64_t)(count[w * 64 + j] > 1) << j;
            twice[w] = m;
        }
        acc = sum_c_log2_c(twice, NULL, count);
    }
    double h = log2_ge1((double)n) - acc / (double)n;
    return h < 0.0 ? 0.0 : h > 8.0 ? 8.0 : h;
}
