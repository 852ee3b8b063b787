/* test_validate.c — validators against published specimen numbers, mangled variants, bounds, and entropy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "validate.h"

/* Runs fn over a heap copy of exactly strlen(text) bytes, without a NUL, so ASan/valgrind flag any read past n. */
static bool run(ps_validate_fn fn, const char *text)
{
    size_t n = strlen(text);
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, text, n);
    bool r = fn(p, n);
    free(p);
    return r;
}

static double fabs_diff(double a, double b) { return a > b ? a - b : b - a; }

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void check(const char *name, const char *const *good, size_t ngood, const char *const *bad, size_t nbad)
{
    const ps_validator *v = validate_find(name);
    assert_non_null(v);
    assert_true(ngood >= 3 && nbad >= 3);
    for (size_t i = 0; i < ngood; i++)
        if (!run(v->fn, good[i]))
            fail_msg("%s: expected valid: '%s'", name, good[i]);
    for (size_t i = 0; i < nbad; i++)
        if (run(v->fn, bad[i]))
            fail_msg("%s: expected invalid: '%s'", name, bad[i]);
}

#define CHECK(name, good, bad) check(name, good, COUNT(good), bad, COUNT(bad))

static void test_luhn(void **state)
{
    (void)state;
    static const char *const good[] = {
        "4111111111111111", "5555555555554444", "378282246310005", "4012888888881881", "6011111111111117",
        "30569309025904", "4222222222222", "4111 1111 1111 1111", "4111-1111-1111-1111", "3782 822463 10005",
    };
    static const char *const bad[] = {
        "4111111111111112",     /* digit changed */
        "378282246310050",      /* last two transposed */
        "5555555555545444",     /* transposed */
        "41111111113",          /* 11 digits */
        "41111111111111111113", /* 20 digits */
        "4111 1111 1111 111a", "4111  1111 1111 1111", " 4111111111111111", "4111111111111111-",
        "4111.1111.1111.1111", "0000000000000000", /* passes Luhn, placeholder */
        "4111\302\2401111 1111 1111" /* U+00A0 as separator */, "",
    };
    CHECK("luhn", good, bad);
}

static void test_iban(void **state)
{
    (void)state;
    /* SWIFT IBAN registry specimens. */
    static const char *const good[] = {
        "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432",
        "GB82 WEST 1234 5698 7654 32", "gb82west12345698765432", "GB29NWBK60161331926819",
        "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034", "CH9300762011623852957",
        "NO9386011117947", "AD1200012030200359100100", "AE070331234567890123456", "AL47212110090000000235698741",
        "AT611904300234573201", "AZ21NABZ00000000137010001944", "BA391290079401028494", "BG80BNBG96611020345678",
        "BH67BMAG00001299123456", "BR1800000000141455123924100C2", "CY17002001280000001200527600",
        "CZ6508000000192000145399", "DK5000400440116243", "DO28BAGR00000001212453611324",
        "EE382200221020145685", "ES9121000418450200051332", "FI2112345600000785", "FO6264600001631634",
        "GE29NB0000000101904917", "GI75NWBK000000007099453", "GL8964710001000206",
        "GR1601101250000000012300695", "GT82TRAJ01020000001210029690", "HR1210010051863000160",
        "HU42117730161111101800000000", "IE29AIBK93115212345678", "IL620108000000099999999",
        "IS140159260076545510730339", "IT60X0542811101000000123456", "JO94CBJO0010000000000131000302",
        "KZ86125KZT5004100100", "LB62099900000001001901229114", "LI21088100002324013AA",
        "LT121000011101001000", "LU280019400644750000", "LV80BANK0000435195001", "MC1112739000700011111000h79",
        "MD24AG000225100013104168", "ME25505000012345678951", "MK07250120000058984",
        "MR1300020001010000123456753", "MT84MALT011000012345MTLCAST001S", "MU17BOMM0101101030300200000MUR",
        "PK36SCBL0000001123456702", "PL61109010140000071219812874", "PS92PALS000000000400123456702",
        "PT50000201231234567890154", "QA58DOHB00001234567890ABCDEFG", "RO49AAAA1B31007593840000",
        "RS35260005601001611379", "SA0380000000608010167519", "SE4550000000058398257466",
        "SI56191000000123438", "SK3112000000198742637541", "SM86U0322509800000000270100",
        "TN5910006035183598478831", "TR330006100519786457841326", "VG96VPVG0000012345678901",
        "XK051212012345678906",
    };
    static const char *const bad[] = {
        "DE89370400440532013001",     /* digit changed */
        "DE98370400440532013000",     /* check digits transposed */
        "BE68530907547034",           /* BBAN digits transposed */
        "AL48212110090000000235698741", "DK5000400440116342",
        "DE8937040044053201300",      /* too short for DE */
        "BE365390075470341234",       /* mod 97 fine, too long for BE */
        "AT93190430023457320199",     /* mod 97 fine, too long for AT */
        "XX89370400440532013000",     /* unknown country */
        "DE89 3704 0044 0532 0130 00 ", "DE89-3704-0044-0532-0130-00", "DE89  370400440532013000",
        "DE89370400440532013000\xff", "0098", "",
    };
    CHECK("iban", good, bad);
}

static void test_ssn(void **state)
{
    (void)state;
    static const char *const good[] = {
        "536-22-1234", "536 22 1234", "536221234", "001-01-0001", "665-99-9999", "899-99-9998",
    };
    static const char *const bad[] = {
        "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "536-00-1234", "536-22-0000",
        "078-05-1120", "219-09-9999", /* advertising numbers */
        "123-45-6789", "111-11-1111", /* placeholders */
        "536-22-123", "536-22-12345", "536-22 1234", "53-622-1234", "536--22-1234", "536.22.1234", "53a-22-1234",
    };
    CHECK("ssn", good, bad);
}

static void test_ipv4(void **state)
{
    (void)state;
    static const char *const good[] = {
        "192.168.0.1", "0.0.0.0", "255.255.255.255", "8.8.8.8", "10.0.100.254",
    };
    static const char *const bad[] = {
        "01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3.300", "1.2.3", "1.2.3.4.5", "1..2.3", "1.2.3.4.", ".1.2.3.4",
        "1.2.3.4 ", "1.2.3.-4", "1.2.3.1000", "a.b.c.d", "",
    };
    CHECK("ipv4", good, bad);
}

static void test_nhs(void **state)
{
    (void)state;
    static const char *const good[] = {
        "943 476 5919", "9434765919", "943-476-5870", "9434765870", "401 023 2137",
    };
    static const char *const bad[] = {
        "943 476 5918", /* digit changed */
        "943 476 9519", /* transposed */
        "9434765871", "943 476 591", "943 4765919", "943 476-5919", "943476591 9", "943.476.5919",
        "1234567890", /* check digit would be 10 */
        "0000000000", "1111111111", /* pass the checksum; placeholders */
    };
    CHECK("nhs", good, bad);
}

static void test_aba(void **state)
{
    (void)state;
    static const char *const good[] = {"021000021", "011000015", "121000358", "026009593"};
    static const char *const bad[] = {
        "021000022", "012000021", "130000006", /* checksum fine, prefix 13 unused */
        "02100002", "0210000210", "021-000-021", "000000000", "02100002a",
    };
    CHECK("aba", good, bad);
}

static void test_uk_nino(void **state)
{
    (void)state;
    static const char *const good[] = {"AB123456C", "AB 12 34 56 C", "JG103759A", "CE123456", "ab123456d"};
    static const char *const bad[] = {
        "QQ123456C", /* HMRC's own specimen: Q is never used */
        "DA123456A", "AO123456A", "GB123456A", "ZZ123456A", "NK123456A", "AB123456E", "AB12345C", "AB1234567C",
        "AB 12 34 56  C", "AB-12-34-56-C", "1B123456C",
    };
    CHECK("uk-nino", good, bad);
}

static void test_de_taxid(void **state)
{
    (void)state;
    static const char *const good[] = {
        "86095742719", "47036892816", "65929970489", "57549285017", "25768131411", "11234567890", "86 095 742 719",
    };
    static const char *const bad[] = {
        "86095742718",  /* digit changed */
        "68095742719",  /* transposed */
        "01234567896",  /* leading zero */
        "12345678903",  /* every digit once */
        "11112345678",  /* one digit four times */
        "11223456785",  /* two digits repeated */
        "11123456786",  /* triple in adjacent positions */
        "8609574271", "860957427190", "8609574271a",
    };
    CHECK("de-taxid", good, bad);
}

static void test_fr_nir(void **state)
{
    (void)state;
    static const char *const good[] = {
        "2 95 10 99 126 111 93", "295109912611193", "253072B07300470", "253072A07300443", "253072a07300443",
    };
    static const char *const bad[] = {
        "295109912611199", "295109921611193", "253072C07300443", "29510991261119", "2951099126111930",
        "2 95 10 99 126 111  93", "2-95-10-99-126-111-93", "595109912611193",
    };
    CHECK("fr-nir", good, bad);
}

static void test_es_dni(void **state)
{
    (void)state;
    static const char *const good[] = {"12345678Z", "54362315K", "54362315-K", "X2482300W", "x-2482300w"};
    static const char *const bad[] = {
        "12345678A", "21345678Z", "X2482300A", "X2482300", "1234567Z", "123456789Z", "W2482300W", "00000000T",
        "12345678-", "12345678Z\xc3\xa9",
    };
    CHECK("es-dni", good, bad);
}

static void test_it_cf(void **state)
{
    (void)state;
    static const char *const good[] = {"RCCMNL83S18D969H", "CNTCHR83T41D969D", "rccmnl83s18d969h"};
    static const char *const bad[] = {
        "RCCMNL83S18D969I", "RCCMNL83S18D696H", "RCCMNL83S18D969", "RCCMNL83S18D969HH", "RCCMNL83X18D969H",
        "RCCMNL83S18D9699", "RCCMNL83S1 8D969H", "1CCMNL83S18D969H",
    };
    CHECK("it-cf", good, bad);
}

static void test_nl_bsn(void **state)
{
    (void)state;
    static const char *const good[] = {"111222333", "123456782", "1112.22.333", "111 222 333"};
    static const char *const bad[] = {
        "111222334", "112122333", "12345678", "1234567820", "000000000", "111222333 ", "1112..22.333", "11122233a",
    };
    CHECK("nl-bsn", good, bad);
}

static void test_be_nrn(void **state)
{
    (void)state;
    static const char *const good[] = {
        "85.07.30-033 28", "85.07.30-033.28", "85073003328", "17 07 30 033 84", "75.06.08-980.09", "00000100195",
    };
    static const char *const bad[] = {
        "85073003327", "58073003328", "12345678901", "85133000105", "8507300332", "850730033280",
        "85.07.30--033.28", "85073000097",
        /* 1977 and 1950 births whose key is only right for 2077 and 2050 */
        "77.08.09-275.90", "50.07.31-481.08",
    };
    CHECK("be-nrn", good, bad);
}

static void test_pl_pesel(void **state)
{
    (void)state;
    static const char *const good[] = {"44051401359", "02211307589", "02070803628"};
    static const char *const bad[] = {
        "44051401358", "44051410359", "02381307589", "4405140135", "440514013590", "4405140135a", "4405 1401359",
    };
    CHECK("pl-pesel", good, bad);
}

static void test_se_pnr(void **state)
{
    (void)state;
    static const char *const good[] = {
        "880320-0016", "8803200016", "880320+0016", "19880320-0016", "198803200016", "811228-9874",
        "701063-2391", /* samordningsnummer: day + 60 */
    };
    static const char *const bad[] = {
        "880320-0018", "880302-0016", "881320-0016", "880320/0016", "88032-00016", "19880320+0016",
        "880320-001", "880320 0016", "1988032-00016",
    };
    CHECK("se-pnr", good, bad);
}

static void test_dk_cpr(void **state)
{
    (void)state;
    static const char *const good[] = {"211062-5629", "2110625629", "2110620629", "2110525629", "290200-4000"};
    static const char *const bad[] = {
        "511062-5629", "211362-5629", "300262-1234", "290201-1234", "290200-1234" /* 1900: not a leap year */,
        "21106-25629", "211062-562", "211062_5629",
    };
    CHECK("dk-cpr", good, bad);
}

static void test_fi_hetu(void **state)
{
    (void)state;
    static const char *const good[] = {"131052-308T", "131052+308T", "131052A308T", "131052a308t"};
    static const char *const bad[] = {
        "131052-308U", "131052/308T", "131052T308T", "310252-308Y", "130052-308R", "131052-000V", "131052-308",
        "131052-308TT",
    };
    CHECK("fi-hetu", good, bad);
}

static void test_no_fnr(void **state)
{
    (void)state;
    static const char *const good[] = {
        "15108695088", "151086 95088", "151086-95088", "10048744732", "26111593816", "23114048690", "18061592527",
        "13049958441", /* born 1899 */
        "26111594014", "55108695071", /* D-number: day + 40 */
    };
    static const char *const bad[] = {
        "15108695077", "26111593817", "26111593826", "26111593875", "19575770838" /* bad date */,
        "42485176432123", "1510869508", "151086  95088",
        "15108695071", /* the D-number above with the day field back to 15: checksums no longer hold */
    };
    CHECK("no-fnr", good, bad);
}

static void test_ie_pps(void **state)
{
    (void)state;
    static const char *const good[] = {
        "6433435F", "6433435FT", "6433435FW", "6433435OA", "6433435IH", "1234567T", "1234567FA",
    };
    static const char *const bad[] = {
        "6433435E", "6433435VH", "4633435F", "643343F", "64334355F", "6433435FZ", "6433435", "6433435F ",
    };
    CHECK("ie-pps", good, bad);
}

static void test_pt_nif(void **state)
{
    (void)state;
    static const char *const good[] = {
        "501964843", "501 964 843", "123456789", "999999990", "451964845" /* 45: non-resident */, "701964847",
    };
    static const char *const bad[] = {
        "501964842", "510964843", "50196484", "5019648430", "50196484a",
        "401964841", "023456787", /* checksum fine, 4x (x != 5) and 0 are not issued */
    };
    CHECK("pt-nif", good, bad);
}

static void test_ch_ahv(void **state)
{
    (void)state;
    static const char *const good[] = {"756.9217.0769.85", "7569217076985", "756.1234.5678.97", "756 1234 5678 97"};
    static const char *const bad[] = {
        "756.9217.0769.84", "756.9217.0796.85", "123.4567.8910.19", "756.9217.076985", "756.9217.0769.8",
        "756.9217 0769.85", "756-9217-0769-85",
    };
    CHECK("ch-ahv", good, bad);
}

static void test_us_itin(void **state)
{
    (void)state;
    static const char *const good[] = {"912-90-3456", "912-70-3456", "900-50-0000", "999 88 1234", "912653456"};
    static const char *const bad[] = {
        "912-93-4567", "912-89-1234", "912-66-1234", "912-49-1234", "123-45-6789", "9129-03456", "999-99-9999",
        "912-90-345",
    };
    CHECK("us-itin", good, bad);
}

/* The omocodia letters LMNPQRSTUV stand for 0-9 in digit positions; the check letter is computed over the
 * characters as written. 'V' (odd-table 10) replacing the last place digit '9' (odd-table 21) of RCCMNL83S18D969H
 * moves the sum from 7 ('H') by -11, so the check becomes 'W'. */
static void test_it_cf_omocodia(void **state)
{
    (void)state;
    const ps_validator *v = validate_find("it-cf");
    assert_non_null(v);
    assert_true(run(v->fn, "RCCMNL83S18D96VW"));
    assert_false(run(v->fn, "RCCMNL83S18D96VH"));
    /* 'W' is not an omocodia letter, so no check letter makes it valid. */
    char cf[] = "RCCMNL83S18D96W?";
    for (char c = 'A'; c <= 'Z'; c++) {
        cf[15] = c;
        assert_false(run(v->fn, cf));
    }
}

/* Bytes past n that would change the answer must not be looked at. */
static void test_bounds(void **state)
{
    (void)state;
    static const struct {
        const char *name, *valid, *tails;
    } cases[] = {
        {"luhn", "4111111111111111", "1 -x"},     {"iban", "DE89370400440532013000", "0 X"},
        {"ssn", "536-22-1234", "5-"},             {"ipv4", "1.2.3.255", "5.x"},
        {"nhs", "943 476 5919", "9 -"},           {"aba", "021000021", "0-"},
        {"uk-nino", "AB123456C", "A "},           {"de-taxid", "86095742719", "1 "},
        {"fr-nir", "295109912611193", "3 "},      {"es-dni", "12345678Z", "Z-"},
        {"it-cf", "RCCMNL83S18D969H", "HX"},      {"nl-bsn", "111222333", "3."},
        {"be-nrn", "85073003328", "8."},          {"pl-pesel", "44051401359", "9"},
        {"se-pnr", "880320-0016", "6-"},          {"dk-cpr", "211062-5629", "9-"},
        {"fi-hetu", "131052-308T", "T-"},         {"no-fnr", "15108695088", "8 "},
        {"ie-pps", "6433435F", "FQ"},             {"pt-nif", "501964843", "3 "},
        {"ch-ahv", "756.9217.0769.85", "5."},     {"us-itin", "912-90-3456", "6-"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const ps_validator *v = validate_find(cases[i].name);
        assert_non_null(v);
        char buf[64];
        size_t n = strlen(cases[i].valid);
        assert_true(n < sizeof buf);
        memcpy(buf, cases[i].valid, n);
        for (const char *t = cases[i].tails; *t; t++) {
            buf[n] = *t;
            if (!v->fn(buf, n))
                fail_msg("%s: '%s' + '%c' beyond n changed the answer", cases[i].name, cases[i].valid, *t);
            if (v->fn(buf, n + 1))
                fail_msg("%s: '%s%c' should be invalid", cases[i].name, cases[i].valid, *t);
        }
        /* Every proper prefix is a different, invalid value (an IPv4 address or a NINO without suffix aside). */
        bool prefix_may_pass = strcmp(cases[i].name, "ipv4") == 0 || strcmp(cases[i].name, "uk-nino") == 0;
        for (size_t k = 0; k < n && !prefix_may_pass; k++)
            if (v->fn(buf, k))
                fail_msg("%s: prefix of length %zu accepted", cases[i].name, k);
    }
}

/* Random and non-ASCII input: never a crash or an out-of-bounds read (exact-size heap copies), and any byte >= 0x80
 * means false. */
static void test_random_input(void **state)
{
    (void)state;
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcz -./+\xc2\xa0\xff";
    uint32_t x = 12345;
    for (const ps_validator *v = validate_all(); v->name; v++) {
        for (int iter = 0; iter < 3000; iter++) {
            x = x * 1103515245u + 12345u;
            size_t n = (x >> 16) % 36;
            char *p = malloc(n ? n : 1);
            assert_non_null(p);
            bool high = false;
            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                p[i] = alphabet[(x >> 16) % (sizeof alphabet - 1)];
                high |= (unsigned char)p[i] >= 0x80;
            }
            bool r = v->fn(p, n);
            if (high && r)
                fail_msg("%s accepted non-ASCII input", v->name);
            free(p);
        }
    }
}

static void test_table(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "luhn",   "iban",   "ssn",      "ipv4",   "nhs",    "aba",     "uk-nino", "de-taxid",
        "fr-nir", "es-dni", "it-cf",    "nl-bsn", "be-nrn", "pl-pesel", "se-pnr", "dk-cpr",
        "fi-hetu", "no-fnr", "ie-pps",  "pt-nif", "ch-ahv", "us-itin",
    };
    size_t count = 0;
    for (const ps_validator *v = validate_all(); v->name; v++, count++) {
        assert_non_null(v->fn);
        assert_non_null(v->summary);
        assert_ptr_equal(validate_find(v->name), v);
        assert_false(v->fn("", 0));
    }
    assert_int_equal(count, COUNT(expected));
    for (size_t i = 0; i < COUNT(expected); i++)
        if (!validate_find(expected[i]))
            fail_msg("validator '%s' missing", expected[i]);
    assert_null(validate_find("nope"));
    assert_null(validate_find("LUHN"));
    assert_null(validate_find(""));
    assert_null(validate_find(NULL));
}

static void test_entropy(void **state)
{
    (void)state;
    assert_true(validate_entropy("", 0) == 0.0);
    assert_true(validate_entropy("aaaa", 4) == 0.0);
    assert_true(validate_entropy("a", 1) == 0.0);
    assert_true(fabs_diff(validate_entropy("ab", 2), 1.0) < 1e-12);
    assert_true(fabs_diff(validate_entropy("aabb", 4), 1.0) < 1e-12);
    assert_true(fabs_diff(validate_entropy("abcd", 4), 2.0) < 1e-12);
    /* -(2/3 log2 2/3 + 1/3 log2 1/3) */
    assert_true(fabs_diff(validate_entropy("aab", 3), 0.91829583405448956) < 1e-12);
    /* only the first n bytes count */
    assert_true(validate_entropy("aaab", 3) == 0.0);
    char all[512];
    for (size_t i = 0; i < sizeof all; i++)
        all[i] = (char)(unsigned char)(i % 256);
    assert_true(fabs_diff(validate_entropy(all, 256), 8.0) < 1e-12);
    assert_true(fabs_diff(validate_entropy(all, 512), 8.0) < 1e-12);
    assert_true(fabs_diff(validate_entropy(all, 16), 4.0) < 1e-12);
    /* 3 of one byte, 1 of another: 2 - 3/4 log2 3 */
    assert_true(fabs_diff(validate_entropy("xxxy", 4), 0.81127812445913283) < 1e-12);
}

/* A text and the same text written k times have one entropy: the two agree across validate_entropy's ways of
 * counting (bytes below 256 bytes of text, words above), with counts up to 255 and counts past its log2 memo. */
static void test_entropy_repeated(void **state)
{
    (void)state;
    unsigned seed = 0x5EED;
    char t[255], rep[255 * 9];
    for (int iter = 0; iter < 2000; iter++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = 1 + (seed >> 8) % sizeof t;
        unsigned alphabet = 1 + (seed >> 20) % (iter % 3 ? 64 : 4); /* few bytes: counts up to n */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            t[i] = (char)(unsigned char)(0x20 + (seed >> 16) % alphabet + (iter % 5 == 0 ? 0x70 : 0));
        }
        size_t k = 1 + (256 + n - 1) / n; /* enough copies to pass 256 bytes */
        if (k > 9)
            k = 9;
        for (size_t j = 0; j < k; j++)
            memcpy(rep + j * n, t, n);
        double a = validate_entropy(t, n), b = validate_entropy(rep, k * n);
        if (fabs_diff(a, b) > 1e-9)
            fail_msg("%zu bytes of %u kinds: %.15f, written %zu times: %.15f", n, alphabet, a, k, b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_luhn),       cmocka_unit_test(test_iban),     cmocka_unit_test(test_ssn),
        cmocka_unit_test(test_ipv4),       cmocka_unit_test(test_nhs),      cmocka_unit_test(test_aba),
        cmocka_unit_test(test_uk_nino),    cmocka_unit_test(test_de_taxid), cmocka_unit_test(test_fr_nir),
        cmocka_unit_test(test_es_dni),     cmocka_unit_test(test_it_cf),    cmocka_unit_test(test_it_cf_omocodia),
        cmocka_unit_test(test_nl_bsn),     cmocka_unit_test(test_be_nrn),   cmocka_unit_test(test_pl_pesel),
        cmocka_unit_test(test_se_pnr),     cmocka_unit_test(test_dk_cpr),   cmocka_unit_test(test_fi_hetu),
        cmocka_unit_test(test_no_fnr),     cmocka_unit_test(test_ie_pps),   cmocka_unit_test(test_pt_nif),
        cmocka_unit_test(test_ch_ahv),     cmocka_unit_test(test_us_itin),  cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_random_input), cmocka_unit_test(test_table),  cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_entropy_repeated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
