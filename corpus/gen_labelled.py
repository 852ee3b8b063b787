#!/usr/bin/env python3
"""Deterministic labelled corpus for piiscrub's accuracy evaluation (python3 stdlib only).

Writes --out (text, one record per line) and --labels (JSONL, one object per planted value):
  {"line": 1-based line number, "start": byte offset, "end": byte offset (exclusive, in the UTF-8 line),
   "type": entity type (EMAIL, CREDIT_CARD, ... or NEG for a hard negative), "format": the spelling used,
   "negative": true for a hard negative, "evasion": null or the Unicode evasion applied, "context": line style}

Lines imitate e-mails, support tickets, chat, CVs, log lines, CSV rows, config snippets and JSONL records, with
accented, CJK and emoji text around the values. Checksummed identifiers are valid (each checksum is implemented
here from its published definition, independently of src/validate.c); hard negatives are values that look like PII
and are not: invalid checksums, versions, timestamps, order numbers, ISBNs, git SHAs, UUIDs, prices, years, ports,
serial numbers. Every value is fake. The same --seed and --lines give byte-identical files.
"""
import argparse
import base64
import datetime
import json
import random
import string
import sys

DIG = string.digits
UP = string.ascii_uppercase
LO = string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
B64 = string.ascii_letters + string.digits + '+/'
B64URL = string.ascii_letters + string.digits + '-_'


def rs(r, alphabet, n):
    return ''.join(r.choice(alphabet) for _ in range(n))


def wpick(r, pairs):
    """pairs: [(weight, value)] -> value."""
    total = sum(w for w, _ in pairs)
    x = r.random() * total
    for w, v in pairs:
        x -= w
        if x < 0:
            return v
    return pairs[-1][1]


def other_char(r, c, alphabet):
    return r.choice([a for a in alphabet if a != c])


def birth_date(r, lo=1940, hi=2005):
    y = r.randint(lo, hi)
    m = r.randint(1, 12)
    d = r.randint(1, [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
                      31][m - 1])
    return y, m, d


# ---------------------------------------------------------------------------------------------------------------------
# Checksums


def luhn_digit(payload):
    s = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return str((10 - s % 10) % 10)


def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]


def mod97(s):
    r = 0
    for ch in s:
        r = (r * 10 + int(ch)) % 97 if ch.isdigit() else (r * 100 + ord(ch) - 55) % 97
    return r


def iban_check(cc, bban):
    return '%02d' % (98 - mod97(bban + cc + '00'))


def iso7064_11_10(digits):
    product = 10
    for ch in digits:
        s = (int(ch) + product) % 10 or 10
        product = s * 2 % 11
    c = 11 - product
    return '0' if c == 10 else str(c)


CF_ODD = dict(zip(DIG + UP, [1, 0, 5, 7, 9, 13, 15, 17, 19, 21] +
                  [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]))


def cf_check(s15):
    total = 0
    for i, ch in enumerate(s15):
        if i % 2 == 0:
            total += CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - 65
    return chr(65 + total % 26)


# ---------------------------------------------------------------------------------------------------------------------
# Value generators. Each takes (r, bad) and returns (value, format); bad=True gives the same shape with a wrong check.


def group(s, sizes, sep):
    out, i = [], 0
    for n in sizes:
        out.append(s[i:i + n])
        i += n
    return sep.join(out)


CARD_BRANDS = [
    ('visa', lambda r: '4', [(6, 16), (1, 13), (1, 19)]),
    ('mastercard', lambda r: r.choice(['51', '52', '53', '54', '55', str(r.randint(2221, 2720))]), [(1, 16)]),
    ('amex', lambda r: r.choice(['34', '37']), [(1, 15)]),
    ('discover', lambda r: r.choice(['6011', '65', str(r.randint(644, 649))]), [(1, 16)]),
    ('diners', lambda r: r.choice(['36', '38', str(r.randint(300, 305))]), [(1, 14)]),
    ('jcb', lambda r: str(r.randint(3528, 3589)), [(1, 16)]),
    ('unionpay', lambda r: '62' + r.choice(['12', '22', '58', '84']), [(3, 16), (1, 19)]),
    ('maestro', lambda r: r.choice(['5018', '5020', '5038', '6304', '6759', '6761', '6763']), [(2, 16), (1, 19),
                                                                                            (1, 13)]),
]


def gen_card(r, bad=False):
    brand, prefix, lengths = r.choice(CARD_BRANDS)
    n = wpick(r, lengths)
    while True:
        p = prefix(r)
        payload = p + rs(r, DIG, n - 1 - len(p))
        c = luhn_digit(payload)
        if bad:
            c = other_char(r, c, DIG)
        num = payload + c
        if len(set(num)) > 2:
            break
    if n == 15:
        sizes = [4, 6, 5]
    elif n == 14:
        sizes = [4, 6, 4]
    elif n in (16, 19):
        sizes = [4, 4, 4, 4, 3][:n // 4 + (1 if n == 19 else 0)]
    else:
        sizes = None
    style = wpick(r, [(4, 'plain'), (4, 'spaces'), (2, 'dashes')]) if sizes else 'plain'
    if style == 'plain':
        return num, '%s-%d-plain' % (brand, n)
    return group(num, sizes, ' ' if style == 'spaces' else '-'), '%s-%d-%s' % (brand, n, style)


IBAN_BBAN = {  # country: list of (alphabet, count)
    'DE': [(DIG, 18)], 'GB': [(UP, 4), (DIG, 14)], 'FR': [(DIG, 23)], 'ES': [(DIG, 20)],
    'IT': [(UP, 1), (DIG, 22)], 'NL': [(UP, 4), (DIG, 10)], 'BE': [(DIG, 12)], 'CH': [(DIG, 17)],
    'AT': [(DIG, 16)], 'PL': [(DIG, 24)], 'PT': [(DIG, 21)], 'IE': [(UP, 4), (DIG, 14)], 'SE': [(DIG, 20)],
    'DK': [(DIG, 14)], 'FI': [(DIG, 14)], 'NO': [(DIG, 11)], 'LU': [(DIG, 16)], 'CZ': [(DIG, 20)],
}
IBAN_CC = sorted(IBAN_BBAN)


def gen_iban(r, bad=False):
    cc = r.choice(IBAN_CC)
    bban = ''.join(rs(r, a, n) for a, n in IBAN_BBAN[cc])
    chk = iban_check(cc, bban)
    if bad:
        chk = chk[0] + other_char(r, chk[1], DIG)
    v = cc + chk + bban
    if r.random() < 0.55:
        return ' '.join(v[i:i + 4] for i in range(0, len(v), 4)), cc + '-grouped'
    return v, cc + '-compact'


SWIFT_BANKS = [('DEUT', 'DE'), ('COBA', 'DE'), ('BNPA', 'FR'), ('SOGE', 'FR'), ('NWBK', 'GB'), ('BARC', 'GB'),
               ('HSBC', 'GB'), ('INGB', 'NL'), ('ABNA', 'NL'), ('RABO', 'NL'), ('UBSW', 'CH'), ('CRES', 'CH'),
               ('BSCH', 'ES'), ('BBVA', 'ES'), ('UNCR', 'IT'), ('BCIT', 'IT'), ('NDEA', 'FI'), ('DABA', 'DK'),
               ('ESSE', 'SE'), ('DNBA', 'NO'), ('BKAU', 'AT'), ('AIBK', 'IE'), ('CGDI', 'PT'), ('CHAS', 'US')]


def gen_swift(r, bad=False):
    bank, cc = r.choice(SWIFT_BANKS)
    loc = r.choice(['FF', '2L', 'PP', 'MM', '22', 'ZZ', 'HH', 'XX', '33', 'KK', 'AS'])
    if r.random() < 0.45:
        br = r.choice(['XXX', '100', 'MUC', 'PAR', '0A1'])
        return bank + cc + loc + br, 'bic11'
    return bank + cc + loc, 'bic8'


ABA_PREFIX = list(range(0, 13)) + list(range(21, 33)) + list(range(61, 73)) + [80]


def gen_aba(r, bad=False):
    while True:
        d = '%02d' % r.choice(ABA_PREFIX) + rs(r, DIG, 6)
        w = [3, 7, 1, 3, 7, 1, 3, 7]
        s = sum(int(c) * k for c, k in zip(d, w))
        c = str((10 - s % 10) % 10)
        if bad:
            c = other_char(r, c, DIG)
        v = d + c
        if len(set(v)) > 1:
            return v, 'aba9'


def ssn_parts(r):
    while True:
        area = r.randint(1, 899)
        if area == 666:
            continue
        v = '%03d%02d%04d' % (area, r.randint(1, 99), r.randint(1, 9999))
        if v not in ('078051120', '219099999', '123456789'):
            return v


def gen_ssn(r, bad=False):
    if bad:
        v = r.choice(['000', '666']) + '%02d%04d' % (r.randint(1, 99), r.randint(1, 9999))
    else:
        v = ssn_parts(r)
    f = wpick(r, [(6, 'dashes'), (2, 'spaces'), (2, 'plain')])
    if f == 'plain':
        return v, 'plain'
    return group(v, [3, 2, 4], '-' if f == 'dashes' else ' '), f


ITIN_GROUPS = list(range(50, 66)) + list(range(70, 89)) + [90, 91, 92] + list(range(94, 100))


def gen_itin(r, bad=False):
    g = r.choice(ITIN_GROUPS) if not bad else r.choice([10, 40, 89, 93])
    v = '9%02d%02d%04d' % (r.randint(0, 99), g, r.randint(0, 9999))
    f = wpick(r, [(7, 'dashes'), (3, 'spaces')])
    return group(v, [3, 2, 4], '-' if f == 'dashes' else ' '), f


def gen_us_passport(r, bad=False):
    if r.random() < 0.5:
        return rs(r, '123456789', 1) + rs(r, DIG, 8), 'digits9'
    return r.choice('ACEFGHKLMNPRSTUVWXYZ') + rs(r, DIG, 8), 'letter8'


def gen_us_dl(r, bad=False):
    f = r.choice(['ca', 'ny', 'tx', 'fl', 'il', 'wa'])
    if f == 'ca':
        return r.choice(UP) + rs(r, DIG, 7), 'ca-letter7'
    if f == 'ny':
        return rs(r, DIG, 9), 'ny-digits9'
    if f == 'tx':
        return rs(r, DIG, 8), 'tx-digits8'
    if f == 'fl':
        return r.choice(UP) + '%s-%s-%s-%s-%s' % (rs(r, DIG, 3), rs(r, DIG, 3), rs(r, DIG, 2), rs(r, DIG, 3),
                                                   rs(r, DIG, 1)), 'fl-dashed'
    if f == 'il':
        return r.choice(UP) + '%s-%s-%s' % (rs(r, DIG, 3), rs(r, DIG, 4), rs(r, DIG, 4)), 'il-dashed'
    v = rs(r, UP + DIG, 8)
    return 'WDL' + v[:4] + r.choice(DIG) + v[4:], 'wa-wdl'


NINO_FIRST = 'ABCEGHJKLMNPRSTWXYZ'
NINO_SECOND = 'ABCEGHJKLMNPRSTWXYZ'


def gen_nino(r, bad=False):
    while True:
        p = r.choice(NINO_FIRST) + r.choice(NINO_SECOND)
        if p not in ('BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'):
            break
    if bad:
        p = r.choice(['QQ', 'DA', 'FA', 'GB', 'BO'])
    d = rs(r, DIG, 6)
    s = r.choice('ABCD')
    if r.random() < 0.6:
        return p + d + s, 'compact'
    return '%s %s %s %s %s' % (p, d[:2], d[2:4], d[4:], s), 'spaced'


def gen_nhs(r, bad=False):
    while True:
        d = r.choice('4667') + rs(r, DIG, 8)  # England/Wales issue 400-499 and 600-799 million
        s = sum(int(c) * (10 - i) for i, c in enumerate(d))
        c = 11 - s % 11
        if c == 11:
            c = 0
        if c == 10:
            continue
        c = str(c)
        if bad:
            c = other_char(r, c, DIG)
        v = d + c
        if len(set(v)) > 1:
            break
    f = wpick(r, [(6, 'spaces'), (3, 'compact'), (1, 'dashes')])
    if f == 'compact':
        return v, f
    return group(v, [3, 3, 4], ' ' if f == 'spaces' else '-'), f


PC_AREAS = ['SW', 'EC', 'W', 'N', 'E', 'SE', 'NW', 'M', 'B', 'LS', 'EH', 'G', 'CF', 'BS', 'L', 'S', 'NE', 'OX', 'CB',
            'BT', 'RG', 'GU', 'KT', 'CR', 'DN', 'PO', 'YO', 'AB', 'BN', 'NG']
PC_IN = 'ABDEFGHJLNPQRSTUWXYZ'
UK_TOWNS = {'SW': 'London', 'EC': 'London', 'W': 'London', 'N': 'London', 'E': 'London', 'SE': 'London',
            'NW': 'London', 'M': 'Manchester', 'B': 'Birmingham', 'LS': 'Leeds', 'EH': 'Edinburgh', 'G': 'Glasgow',
            'CF': 'Cardiff', 'BS': 'Bristol', 'L': 'Liverpool', 'S': 'Sheffield', 'NE': 'Newcastle', 'OX': 'Oxford',
            'CB': 'Cambridge', 'BT': 'Belfast', 'RG': 'Reading', 'GU': 'Guildford', 'KT': 'Kingston',
            'CR': 'Croydon', 'DN': 'Doncaster', 'PO': 'Portsmouth', 'YO': 'York', 'AB': 'Aberdeen', 'BN': 'Brighton',
            'NG': 'Nottingham'}


def gen_postcode(r, bad=False):
    a = r.choice(PC_AREAS)
    if a in ('SW', 'EC', 'W', 'N', 'E') and r.random() < 0.3:
        # The letter after the district digit: A9A takes A-H J K P S T U W, AA9A takes A B E H M N P R V W X Y.
        out = a + str(r.randint(1, 9)) + r.choice('ABEHMNPRVWXY' if len(a) == 2 else 'ABCDEFGHJKPSTUW')
        f = 'AA9A' if len(a) == 2 else 'A9A'
    else:
        out = a + str(r.randint(1, 29 if len(a) == 1 else 19))
        f = ('A' * len(a)) + ('99' if len(out) - len(a) == 2 else '9')
    inward = str(r.randint(0, 9)) + r.choice(PC_IN) + r.choice(PC_IN)
    if r.random() < 0.08:
        return out + inward, f + '-nospace'
    return out + ' ' + inward, f


def gen_de_taxid(r, bad=False):
    while True:
        digits = list(DIG)
        r.shuffle(digits)
        nine = digits[:9]
        dup = r.choice(nine)
        ten = nine + [dup]
        r.shuffle(ten)
        if ten[0] == '0':
            continue
        s = ''.join(ten)
        if any(s[i] == s[i + 1] == s[i + 2] for i in range(8)):
            continue
        c = iso7064_11_10(s)
        if bad:
            c = other_char(r, c, DIG)
        v = s + c
        break
    if r.random() < 0.7:
        return v, 'compact'
    return group(v, [2, 3, 3, 3], ' '), 'spaced'


def gen_fr_nir(r, bad=False):
    y, m, _ = birth_date(r)
    dep = '2A' if r.random() < 0.03 else ('2B' if r.random() < 0.03 else '%02d' % r.choice(
        [x for x in range(1, 96) if x != 20]))
    body = '%d%02d%02d%s%03d%03d' % (r.choice([1, 2]), y % 100, m, dep, r.randint(1, 990), r.randint(1, 999))
    num = int(body.replace('2A', '19').replace('2B', '18'))
    key = 97 - num % 97
    if bad:
        key = (key + r.randint(1, 96)) % 97 or 97
    v = body + '%02d' % key
    fmt = 'corsica-' if dep in ('2A', '2B') else ''
    if r.random() < 0.5:
        return v, fmt + 'compact'
    return group(v, [1, 2, 2, 2, 3, 3, 2], ' '), fmt + 'spaced'


DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE'


def gen_es_dni(r, bad=False):
    if r.random() < 0.7:
        n = rs(r, DIG, 8)
        head, num, fmt = n, int(n), 'dni'
    else:
        p = r.choice('XYZ')
        n = rs(r, DIG, 7)
        head, num, fmt = p + n, int(str('XYZ'.index(p)) + n), 'nie'
    c = DNI_LETTERS[num % 23]
    if bad:
        c = other_char(r, c, DNI_LETTERS)
    sep = wpick(r, [(8, ''), (2, '-')])
    return head + sep + c, fmt + ('-dash' if sep else '')


CF_PLACES = ['A562', 'F205', 'H501', 'F839', 'L219', 'G273', 'A944', 'D612', 'L736', 'C351', 'B157', 'E506']


def gen_it_cf(r, bad=False):
    cons = 'BCDFGHLMNPRSTVZ'
    y, m, d = birth_date(r)
    if r.random() < 0.5:
        d += 40
    s = rs(r, cons, 3) + rs(r, cons, 2) + r.choice('AEIO') + '%02d' % (y % 100) + 'ABCDEHLMPRST'[m - 1] + \
        '%02d' % d + r.choice(CF_PLACES)
    c = cf_check(s)
    if bad:
        c = other_char(r, c, UP)
    return s + c, 'standard'


def gen_nl_bsn(r, bad=False):
    while True:
        d = rs(r, '123456789', 1) + rs(r, DIG, 7)
        c = sum(int(x) * (9 - i) for i, x in enumerate(d)) % 11
        if c == 10:
            continue
        c = str(c)
        if bad:
            c = other_char(r, c, DIG)
        v = d + c
        break
    f = wpick(r, [(6, 'compact'), (3, 'dotted'), (1, 'spaced')])
    if f == 'compact':
        return v, f
    if f == 'dotted':
        return group(v, [4, 2, 3], '.'), f
    return group(v, [3, 3, 3], ' '), f


def gen_be_nrn(r, bad=False):
    y, m, d = birth_date(r, 1940, 2012)
    base = '%02d%02d%02d%03d' % (y % 100, m, d, r.randint(1, 997))
    k = 97 - int(('2' if y >= 2000 else '') + base) % 97
    if bad:
        k = (k + r.randint(1, 96)) % 97 or 97
    v = base + '%02d' % k
    f = wpick(r, [(5, 'dotted'), (2, 'dashed'), (1, 'spaced'), (2, 'compact')])
    if f == 'dotted':
        return '%s.%s.%s-%s.%s' % (v[:2], v[2:4], v[4:6], v[6:9], v[9:]), f
    if f == 'dashed':
        return '%s-%s-%s' % (v[:6], v[6:9], v[9:]), f
    if f == 'spaced':
        return group(v, [2, 2, 2, 3, 2], ' '), f
    return v, f


def gen_pl_pesel(r, bad=False):
    y, m, d = birth_date(r, 1940, 2015)
    mm = m + (20 if y >= 2000 else 0)
    s = '%02d%02d%02d%04d' % (y % 100, mm, d, r.randint(0, 9999))
    w = [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]
    c = str((10 - sum(int(a) * b for a, b in zip(s, w)) % 10) % 10)
    if bad:
        c = other_char(r, c, DIG)
    return s + c, 'digits11'


def gen_se_pnr(r, bad=False):
    y, m, d = birth_date(r)
    samord = r.random() < 0.05
    core = '%02d%02d%02d%03d' % (y % 100, m, d + (60 if samord else 0), r.randint(0, 999))
    c = luhn_digit(core)
    if bad:
        c = other_char(r, c, DIG)
    f = wpick(r, [(6, 'short-dash'), (2, 'long-dash'), (1, 'short-compact'), (1, 'long-compact')])
    if samord:
        f = 'samordning-' + f
    full = core + c
    cent = str(y // 100)
    if f.endswith('short-dash'):
        return full[:6] + ('+' if y < 1925 and r.random() < 0.5 else '-') + full[6:], f
    if f.endswith('long-dash'):
        return cent + full[:6] + '-' + full[6:], f
    if f.endswith('short-compact'):
        return full, f
    return cent + full, f


def gen_dk_cpr(r, bad=False):
    while True:
        y, m, d = birth_date(r, 1940, 2020)
        if y < 2000:
            c7 = r.choice('0123') if y < 1937 else r.choice('01234')
        else:
            c7 = r.choice('4') if y <= 2036 else '5'
        if bad:
            d2 = r.choice([32, 33, 40])  # no such day
            v = '%02d%02d%02d%s%03d' % (d2, m, y % 100, c7, r.randint(0, 999))
        else:
            v = '%02d%02d%02d%s%03d' % (d, m, y % 100, c7, r.randint(0, 999))
        break
    if r.random() < 0.7:
        return v[:6] + '-' + v[6:], 'dashed'
    return v, 'compact'


HETU_CHECK = '0123456789ABCDEFHJKLMNPRSTUVWXY'


def gen_fi_hetu(r, bad=False):
    y, m, d = birth_date(r, 1930, 2022)
    if y >= 2000:
        sign = r.choice('A' * 4 + 'BCDEF')
    else:
        sign = r.choice('-' * 6 + 'YXWVU')
    ind = r.randint(2, 899)
    c = HETU_CHECK[int('%02d%02d%02d%03d' % (d, m, y % 100, ind)) % 31]
    if bad:
        c = other_char(r, c, HETU_CHECK)
    return '%02d%02d%02d%s%03d%s' % (d, m, y % 100, sign, ind, c), 'sign-' + ('dash' if sign == '-' else
                                                                              'A' if sign == 'A' else 'new')


def gen_no_fnr(r, bad=False):
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    while True:
        y, m, d = birth_date(r, 1940, 2020)
        ind = r.randint(0, 499) if y < 2000 else r.randint(500, 999)
        dnum = r.random() < 0.05
        s = '%02d%02d%02d%03d' % (d + (40 if dnum else 0), m, y % 100, ind)
        k1 = (11 - sum(int(a) * b for a, b in zip(s, w1)) % 11) % 11
        if k1 == 10:
            continue
        s += str(k1)
        k2 = (11 - sum(int(a) * b for a, b in zip(s, w2)) % 11) % 11
        if k2 == 10:
            continue
        k2 = str(k2)
        if bad:
            k2 = other_char(r, k2, DIG)
        v = s + k2
        break
    f = ('dnumber-' if dnum else '') + wpick(r, [(8, 'compact'), (2, 'spaced')])
    if f.endswith('spaced'):
        return v[:6] + ' ' + v[6:], f
    return v, f


PPS_LETTERS = 'WABCDEFGHIJKLMNOPQRSTUV'


def gen_ie_pps(r, bad=False):
    d = rs(r, DIG, 7)
    s = sum(int(c) * (8 - i) for i, c in enumerate(d))
    second = ''
    if r.random() < 0.35:
        second = r.choice('AAAB' + 'H')
        s += 9 * (ord(second) - 64)
    c = PPS_LETTERS[s % 23]
    if bad:
        c = other_char(r, c, PPS_LETTERS)
    return d + c + second, 'two-letters' if second else 'one-letter'


def gen_pt_nif(r, bad=False):
    d = r.choice('12356789') + rs(r, DIG, 7)
    if d[0] == '7':
        d = '5' + d[1:]
    s = sum(int(c) * (9 - i) for i, c in enumerate(d))
    rem = s % 11
    c = str(0 if rem < 2 else 11 - rem)
    if bad:
        c = other_char(r, c, DIG)
    v = d + c
    if r.random() < 0.7:
        return v, 'compact'
    return group(v, [3, 3, 3], ' '), 'spaced'


def gen_ch_ahv(r, bad=False):
    d = '756' + rs(r, DIG, 9)
    s = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(d))
    c = str((10 - s % 10) % 10)
    if bad:
        c = other_char(r, c, DIG)
    v = d + c
    f = wpick(r, [(8, 'dotted'), (1, 'compact'), (1, 'spaced')])
    if f == 'compact':
        return v, f
    return group(v, [3, 4, 4, 2], '.' if f == 'dotted' else ' '), f


def gen_eu_vat(r, bad=False):
    cc = r.choice(['DE', 'AT', 'FR', 'NL', 'IT', 'BE', 'ES', 'GB', 'PL', 'SE', 'DK', 'IE', 'PT', 'FI'])
    if cc == 'DE':
        v = 'DE' + rs(r, '123456789', 1) + rs(r, DIG, 8)
    elif cc == 'AT':
        v = 'ATU' + rs(r, DIG, 8)
    elif cc == 'FR':
        v = 'FR' + rs(r, DIG, 2) + rs(r, DIG, 9)
    elif cc == 'NL':
        v = 'NL' + rs(r, DIG, 9) + 'B' + '%02d' % r.randint(1, 99)
    elif cc == 'IT':
        v = 'IT' + rs(r, DIG, 11)
    elif cc == 'BE':
        v = 'BE0' + rs(r, DIG, 9)
    elif cc == 'ES':
        v = 'ES' + r.choice('ABX') + rs(r, DIG, 7) + r.choice(UP + DIG)
    elif cc == 'GB':
        v = 'GB' + rs(r, DIG, 9)
    elif cc == 'PL':
        v = 'PL' + rs(r, DIG, 10)
    elif cc == 'SE':
        v = 'SE' + rs(r, DIG, 10) + '01'
    elif cc == 'DK':
        v = 'DK' + rs(r, DIG, 8)
    elif cc == 'IE':
        v = 'IE' + rs(r, DIG, 7) + r.choice('ABCDEFGHW')
    elif cc == 'PT':
        v = 'PT' + rs(r, '125', 1) + rs(r, DIG, 8)
    else:
        v = 'FI' + rs(r, DIG, 8)
    if cc in ('DE', 'GB') and r.random() < 0.3:
        return cc + ' ' + group(v[2:], [3, 3, 3] if cc == 'DE' else [3, 4, 2], ' '), cc + '-spaced'
    return v, cc


# --- core ---

FIRST = ['jane', 'john', 'maria', 'jose', 'li', 'wei', 'anna', 'lukas', 'sophie', 'ahmed', 'fatima', 'olga', 'pierre',
         'chloe', 'sven', 'mikko', 'aoife', 'giulia', 'pedro', 'ngozi', 'yuki', 'kim', 'sam', 'alex', 'zoe']
LAST = ['doe', 'smith', 'garcia', 'mueller', 'nowak', 'rossi', 'dubois', 'jensen', 'okafor', 'tanaka', 'oneill',
        'silva', 'virtanen', 'hansen', 'dejong', 'peeters', 'kowalski', 'fernandez', 'murphy', 'schmidt']
DOMAINS = ['example.com', 'example.org', 'example.net', 'mail.example.com', 'corp.example.co.uk', 'acme-corp.com',
           'uni-example.de', 'example.fr', 'posteo.example', 'shop.example.io', 'eu.example.cloud', 'example.es',
           'students.example.edu', 'example.nl', 'example.it', 'example.jp']


def gen_email(r, bad=False):
    f, l = r.choice(FIRST), r.choice(LAST)
    kind = wpick(r, [(4, 'first.last'), (2, 'initial'), (1, 'plus-tag'), (1, 'digits'), (1, 'underscore'),
                     (1, 'upper'), (1, 'role'), (1, 'obfuscated')])
    if kind == 'first.last':
        lp = f + '.' + l
    elif kind == 'initial':
        lp = f[0] + l
    elif kind == 'plus-tag':
        lp = f + '+' + r.choice(['shop', 'news', 'billing', 'x1'])
    elif kind == 'digits':
        lp = f + l + str(r.randint(1, 9999))
    elif kind == 'underscore':
        lp = f + '_' + l + '-' + str(r.randint(1, 99))
    elif kind == 'upper':
        lp = (f + '.' + l).upper()
    elif kind == 'obfuscated':  # written for people: jane.doe [at] example [dot] org
        at, dot = r.choice([(' [at] ', ' [dot] '), ('(at)', '(dot)'), (' (at) ', '.'), ('{at}', '{dot}'),
                            (' [AT] ', ' [DOT] ')])
        return f.lower() + '.' + l.lower() + at + r.choice(DOMAINS).replace('.', dot), kind
    else:
        lp = r.choice(['support', 'billing', 'noreply', 'hr', 'info', 'dpo'])
    d = r.choice(DOMAINS)
    return lp + '@' + (d.upper() if kind == 'upper' else d), kind


def us_number(r):
    return str(r.randint(2, 9)) + rs(r, DIG, 2), str(r.randint(2, 9)) + rs(r, DIG, 2), rs(r, DIG, 4)


def gen_phone_us(r, bad=False):
    a, b, c = us_number(r)
    f = wpick(r, [(3, 'paren'), (3, 'dashes'), (1, 'dots'), (1, 'spaces'), (2, 'plus1-spaces'), (1, '1-dashes'),
                  (1, 'e164-compact'), (1, 'ext')])
    if f == 'paren':
        return '(%s) %s-%s' % (a, b, c), f
    if f == 'dashes':
        return '%s-%s-%s' % (a, b, c), f
    if f == 'dots':
        return '%s.%s.%s' % (a, b, c), f
    if f == 'spaces':
        return '%s %s %s' % (a, b, c), f
    if f == 'plus1-spaces':
        return '+1 %s %s %s' % (a, b, c), f
    if f == '1-dashes':
        return '1-%s-%s-%s' % (a, b, c), f
    if f == 'e164-compact':
        return '+1%s%s%s' % (a, b, c), f
    return '%s-%s-%s %s %d' % (a, b, c, r.choice(['x', 'ext.', 'ext']), r.randint(10, 9999)), f


def d(r, n):
    return rs(r, DIG, n)


INTL_PHONES = [  # (format name, builder)
    ('uk-e164', lambda r: '+44 20 %s %s' % (d(r, 4), d(r, 4))),
    ('uk-e164-0', lambda r: '+44 (0)20 %s %s' % (d(r, 4), d(r, 4))),
    ('uk-mobile-e164', lambda r: '+44 7%s %s' % (d(r, 3), d(r, 6))),
    ('uk-national', lambda r: '020 %s %s' % (d(r, 4), d(r, 4))),
    ('uk-mobile', lambda r: '07%s %s' % (d(r, 3), d(r, 6))),
    ('de-e164', lambda r: '+49 30 %s' % d(r, 8)),
    ('de-mobile-e164', lambda r: '+49 151 %s' % d(r, 8)),
    ('de-national', lambda r: '030 %s' % d(r, 8)),
    ('de-slash', lambda r: '0%s/%s' % (r.choice(['89', '40', '221', '69']), d(r, 7))),
    ('de-mobile', lambda r: '01%s %s' % (r.choice(['51', '52', '60', '70', '76']), d(r, 8))),
    ('fr-e164', lambda r: '+33 %d %s %s %s %s' % (r.randint(1, 7), d(r, 2), d(r, 2), d(r, 2), d(r, 2))),
    ('fr-national', lambda r: '0%d %s %s %s %s' % (r.randint(1, 5), d(r, 2), d(r, 2), d(r, 2), d(r, 2))),
    ('fr-mobile-dots', lambda r: '0%d.%s.%s.%s.%s' % (r.choice([6, 7]), d(r, 2), d(r, 2), d(r, 2), d(r, 2))),
    ('es-e164', lambda r: '+34 6%s %s %s %s' % (d(r, 2), d(r, 2), d(r, 2), d(r, 2))),
    ('es-mobile', lambda r: '6%s %s %s %s' % (d(r, 2), d(r, 2), d(r, 2), d(r, 2))),
    ('es-landline', lambda r: '91 %s %s %s' % (d(r, 3), d(r, 2), d(r, 2))),
    ('it-e164', lambda r: '+39 06 %s %s' % (d(r, 4), d(r, 4))),
    ('it-landline', lambda r: '06 %s %s' % (d(r, 4), d(r, 4))),
    ('it-mobile', lambda r: '3%s %s %s' % (d(r, 2), d(r, 3), d(r, 4))),
    ('nl-e164', lambda r: '+31 20 %s %s' % (d(r, 3), d(r, 4))),
    ('nl-landline', lambda r: '020-%s %s' % (d(r, 3), d(r, 4))),
    ('nl-mobile', lambda r: '06-%s' % d(r, 8)),
    ('ch-e164', lambda r: '+41 44 %s %s %s' % (d(r, 3), d(r, 2), d(r, 2))),
    ('ch-national', lambda r: '044 %s %s %s' % (d(r, 3), d(r, 2), d(r, 2))),
    ('ie-e164', lambda r: '+353 1 %s %s' % (d(r, 3), d(r, 4))),
    ('ie-national', lambda r: '01 %s %s' % (d(r, 3), d(r, 4))),
    ('ie-mobile', lambda r: '08%d %s %s' % (r.randint(3, 9), d(r, 3), d(r, 4))),
    ('in-e164', lambda r: '+91 9%s %s' % (d(r, 4), d(r, 5))),
    ('in-landline', lambda r: '022 %s %s' % (d(r, 4), d(r, 4))),
    ('br-e164', lambda r: '+55 11 9%s-%s' % (d(r, 4), d(r, 4))),
    ('br-national', lambda r: '(11) 9%s-%s' % (d(r, 4), d(r, 4))),
    ('au-e164', lambda r: '+61 2 %s %s' % (d(r, 4), d(r, 4))),
    ('au-landline', lambda r: '(02) %s %s' % (d(r, 4), d(r, 4))),
    ('au-mobile', lambda r: '04%s %s %s' % (d(r, 2), d(r, 3), d(r, 3))),
    ('jp-e164', lambda r: '+81 3-%s-%s' % (d(r, 4), d(r, 4))),
    ('jp-landline', lambda r: '03-%s-%s' % (d(r, 4), d(r, 4))),
    ('jp-mobile', lambda r: '0%d0-%s-%s' % (r.choice([7, 8, 9]), d(r, 4), d(r, 4))),
    ('e164-compact', lambda r: '+%s%s' % (r.choice(['44', '49', '33', '34', '39', '31', '41', '61']), d(r, 9))),
]


def gen_phone_intl(r, bad=False):
    name, fn = r.choice(INTL_PHONES)
    return fn(r), name


def gen_ipv4(r, bad=False):
    kind = wpick(r, [(5, 'public'), (2, 'private'), (1, 'doc')])
    if kind == 'public':
        a = r.choice([x for x in range(1, 224) if x not in (10, 127)])
        v = '%d.%d.%d.%d' % (a, r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    elif kind == 'private':
        v = r.choice(['10.%d.%d.%d' % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254)),
                      '192.168.%d.%d' % (r.randint(0, 255), r.randint(1, 254)),
                      '172.%d.%d.%d' % (r.randint(16, 31), r.randint(0, 255), r.randint(1, 254))])
    else:
        v = r.choice(['192.0.2', '198.51.100', '203.0.113']) + '.%d' % r.randint(1, 254)
    return v, 'v4-' + kind


def hex4(r, strip=True):
    v = '%x' % r.randint(0, 0xffff)
    return v if strip else v.zfill(4)


def gen_ipv6(r, bad=False):
    f = wpick(r, [(2, 'full'), (4, 'compressed'), (1, 'mapped-v4'), (1, 'link-local-zone'), (1, 'upper'),
                  (1, 'loopback-ish')])
    if f == 'full':
        v = ':'.join(hex4(r, False) for _ in range(8))
    elif f == 'compressed':
        head = ['2001', 'db8'] if r.random() < 0.5 else ['2a0%x' % r.randint(0, 15), hex4(r)]
        head += [hex4(r) for _ in range(r.randint(0, 2))]
        tail = [hex4(r) for _ in range(r.randint(1, 3))]
        v = ':'.join(head) + '::' + ':'.join(tail)
    elif f == 'mapped-v4':
        v = '::ffff:%d.%d.%d.%d' % (r.randint(1, 223), r.randint(0, 255), r.randint(0, 255), r.randint(1, 254))
    elif f == 'link-local-zone':
        v = 'fe80::%s:%s:%s:%s%%%s' % (hex4(r), hex4(r), hex4(r), hex4(r), r.choice(['eth0', 'en0', 'wlan0', '2']))
    elif f == 'upper':
        v = ':'.join(hex4(r, False) for _ in range(8)).upper()
    else:
        v = '2001:db8:%s::%s' % (hex4(r), hex4(r))
    return v, f


def gen_mac(r, bad=False):
    b = [r.randint(0, 255) for _ in range(6)]
    b[0] &= 0xfe
    f = wpick(r, [(5, 'colon-lower'), (2, 'colon-upper'), (2, 'dash-upper'), (1, 'cisco-dots')])
    if f == 'colon-lower':
        return ':'.join('%02x' % x for x in b), f
    if f == 'colon-upper':
        return ':'.join('%02X' % x for x in b), f
    if f == 'dash-upper':
        return '-'.join('%02X' % x for x in b), f
    return '.'.join('%02x%02x' % (b[i], b[i + 1]) for i in (0, 2, 4)), f


def gen_password_value(r):
    kind = wpick(r, [(3, 'word-digits'), (3, 'random'), (1, 'passphrase')])
    if kind == 'word-digits':
        return r.choice(['Summer', 'Winter', 'Dragon', 'Monkey', 'Sunshine', 'Passat', 'Hunter', 'Bayern', 'Cielo',
                         'Kaffee']) + str(r.randint(1, 2025)) + r.choice(['!', '#', '', '?', '$'])
    if kind == 'random':
        return r.choice(ALNUM) + rs(r, ALNUM + '!#%&*_-', r.randint(9, 19))
    return '-'.join(r.choice(['correct', 'horse', 'battery', 'staple', 'blue', 'river', 'tiger', 'lamp']) for _ in
                    range(3)) + str(r.randint(1, 99))


def gen_url_creds(r, bad=False):
    scheme, host = r.choice([('postgres', 'db.example.com:5432/app'), ('mysql', 'mysql.example.net/shop'),
                             ('redis', 'cache.example.org:6379/0'), ('mongodb+srv', 'cluster0.example.mongodb.net'),
                             ('amqp', 'mq.example.com:5672/'), ('https', 'git.example.com/org/repo.git'),
                             ('ftp', 'files.example.org/pub')])
    user = r.choice(['app', 'admin', 'deploy', 'jane', 'svc_backup', ''])
    pw = rs(r, ALNUM + '!*_-', r.randint(8, 18))
    return user + ':' + pw, scheme, scheme + '://', '@' + host


MONTHS = {'en': ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
                 'November', 'December'],
          'de': ['Januar', 'Februar', 'März', 'April', 'Mai', 'Juni', 'Juli', 'August', 'September', 'Oktober',
                 'November', 'Dezember'],
          'fr': ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre',
                 'novembre', 'décembre'],
          'es': ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre',
                 'noviembre', 'diciembre'],
          'it': ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre',
                 'ottobre', 'novembre', 'dicembre']}


def gen_dob(r, bad=False):
    """Returns (value, format, lead-in)."""
    y, m, dd = birth_date(r)
    f = wpick(r, [(3, 'dmy-slash'), (2, 'mdy-slash'), (3, 'iso'), (2, 'dmy-dot'), (2, 'en-month-first'),
                  (1, 'en-day-first'), (1, 'de-written'), (1, 'fr-written'), (1, 'es-written'), (1, 'it-numeric'),
                  (1, 'en-abbrev'), (1, 'dmy-dash-abbrev')])
    if f == 'dmy-slash':
        return '%02d/%02d/%d' % (dd, m, y), f, r.choice(['DOB: ', 'D.O.B. ', 'date of birth: ', 'Born: '])
    if f == 'mdy-slash':
        return '%d/%d/%d' % (m, dd, y), f, r.choice(['DOB ', 'Date of Birth: ', 'birthdate='])
    if f == 'iso':
        return '%d-%02d-%02d' % (y, m, dd), f, r.choice(['date_of_birth: ', 'DOB: ', 'birth_date=', 'born '])
    if f == 'dmy-dot':
        return '%02d.%02d.%d' % (dd, m, y), f, r.choice(['Geburtsdatum: ', 'geb. ', 'født ', 'syntymäaika '])
    if f == 'en-month-first':
        return '%s %d, %d' % (MONTHS['en'][m - 1], dd, y), f, r.choice(['born on ', 'Birthday: ', 'was born '])
    if f == 'en-day-first':
        return '%d %s %d' % (dd, MONTHS['en'][m - 1], y), f, r.choice(['born ', 'Date of birth: '])
    if f == 'de-written':
        return '%d. %s %d' % (dd, MONTHS['de'][m - 1], y), f, 'geboren am '
    if f == 'fr-written':
        return '%d %s %d' % (dd, MONTHS['fr'][m - 1], y), f, r.choice(['né le ', 'née le ', 'date de naissance : '])
    if f == 'es-written':
        return '%d de %s de %d' % (dd, MONTHS['es'][m - 1], y), f, r.choice(['fecha de nacimiento: ', 'nacido el '])
    if f == 'it-numeric':
        return '%02d/%02d/%d' % (dd, m, y), f, r.choice(['data di nascita ', 'nato il ', 'nata il '])
    if f == 'en-abbrev':
        return '%s %d, %d' % (MONTHS['en'][m - 1][:3], dd, y), f, r.choice(['DOB: ', 'Birthday: '])
    return '%02d-%s-%d' % (dd, MONTHS['en'][m - 1][:3], y), f, r.choice(['DOB: ', 'Date of birth: '])


# --- secrets ---


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def gen_secret(r, bad=False):
    """Returns (value, format, key name or None)."""
    f = wpick(r, [(2, 'aws-key-id'), (2, 'aws-secret'), (2, 'github-classic'), (1, 'github-fine-grained'),
                  (1, 'gitlab'), (2, 'slack'), (1, 'slack-webhook'), (2, 'stripe'), (1, 'google-api'),
                  (2, 'openai'), (1, 'anthropic'), (1, 'npm'), (2, 'jwt'), (2, 'bearer'), (2, 'generic-api-key')])
    if f == 'aws-key-id':
        return r.choice(['AKIA', 'AKIA', 'ASIA']) + rs(r, UP + '234567', 16), f, \
            r.choice(['aws_access_key_id', 'AWS_ACCESS_KEY_ID', 'AccessKeyId', None])
    if f == 'aws-secret':
        return rs(r, B64, 40), f, r.choice(['aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY', 'SecretAccessKey',
                                            'aws_secret_key'])
    if f == 'github-classic':
        return r.choice(['ghp_', 'ghp_', 'gho_', 'ghs_', 'ghu_', 'ghr_']) + rs(r, ALNUM, 36), f, \
            r.choice(['GITHUB_TOKEN', 'token', 'GH_TOKEN', None])
    if f == 'github-fine-grained':
        return 'github_pat_' + rs(r, ALNUM, 22) + '_' + rs(r, ALNUM, 59), f, r.choice(['GITHUB_PAT', 'token', None])
    if f == 'gitlab':
        return 'glpat-' + rs(r, ALNUM + '_-', 20), f, r.choice(['PRIVATE-TOKEN', 'GITLAB_TOKEN', None])
    if f == 'slack':
        if r.random() < 0.6:
            v = 'xoxb-%s-%s-%s' % (d(r, 12), d(r, 13), rs(r, ALNUM, 24))
        else:
            v = 'xoxp-%s-%s-%s-%s' % (d(r, 12), d(r, 12), d(r, 13), rs(r, '0123456789abcdef', 32))
        return v, f, r.choice(['SLACK_BOT_TOKEN', 'slack_token', None])
    if f == 'slack-webhook':
        return 'T%s/B%s/%s' % (rs(r, UP + DIG, 8), rs(r, UP + DIG, 10), rs(r, ALNUM, 24)), f, 'WEBHOOK'
    if f == 'stripe':
        return r.choice(['sk_live_', 'sk_test_', 'rk_live_']) + rs(r, ALNUM, r.choice([24, 99])), f, \
            r.choice(['STRIPE_SECRET_KEY', 'stripe.api_key', None])
    if f == 'google-api':
        return 'AIza' + rs(r, ALNUM + '_-', 35), f, r.choice(['GOOGLE_API_KEY', 'key', None])
    if f == 'openai':
        if r.random() < 0.6:
            v = 'sk-proj-' + rs(r, ALNUM + '_-', 74) + 'T3BlbkFJ' + rs(r, ALNUM + '_-', 74)
        else:
            v = 'sk-' + rs(r, ALNUM, 20) + 'T3BlbkFJ' + rs(r, ALNUM, 20)
        return v, f, r.choice(['OPENAI_API_KEY', 'openai.api_key', None])
    if f == 'anthropic':
        return 'sk-ant-api03-' + rs(r, ALNUM + '_-', 93) + 'AA', f, r.choice(['ANTHROPIC_API_KEY', 'x-api-key', None])
    if f == 'npm':
        return 'npm_' + rs(r, ALNUM, 36), f, r.choice(['NPM_TOKEN', '//registry.npmjs.org/:_authToken', None])
    if f == 'jwt':
        hdr = b64url(json.dumps({'alg': r.choice(['HS256', 'RS256']), 'typ': 'JWT'}, separators=(',', ':')).encode())
        pl = b64url(json.dumps({'sub': str(r.randint(1000, 99999999)), 'name': r.choice(FIRST).title(),
                                'iat': r.randint(1500000000, 1720000000)}, separators=(',', ':')).encode())
        sig = b64url(bytes(r.randint(0, 255) for _ in range(32)))
        return '%s.%s.%s' % (hdr, pl, sig), f, r.choice(['id_token', 'jwt', 'Authorization: Bearer', None])
    if f == 'bearer':
        return rs(r, ALNUM, r.randint(32, 48)), f, 'Authorization: Bearer'
    return rs(r, ALNUM, r.choice([32, 40])), f, r.choice(['api_key', 'API_KEY', 'client_secret', 'access_token',
                                                          'X-Api-Key', 'SECRET_KEY'])


# Random strings with no vendor prefix: only the key they are assigned to makes them secrets, so never planted bare.
UNPREFIXED = ('aws-secret', 'generic-api-key', 'bearer')


def pem_lines(r):
    """A PEM private key as a list of lines (header, body lines of 64, footer) and its kind."""
    kind = wpick(r, [(3, 'RSA PRIVATE KEY'), (3, 'PRIVATE KEY'), (1, 'EC PRIVATE KEY'), (2, 'OPENSSH PRIVATE KEY'),
                     (1, 'ENCRYPTED PRIVATE KEY')])
    n = r.randint(1190, 1220) if kind != 'EC PRIVATE KEY' else 121
    if kind == 'OPENSSH PRIVATE KEY':
        n = r.randint(380, 420)
        body = b'openssh-key-v1\x00' + bytes(r.randint(0, 255) for _ in range(n))
        width = 70
    else:
        body = b'\x30\x82' + bytes(r.randint(0, 255) for _ in range(n))
        width = 64
    enc = base64.b64encode(body).decode()
    lines = [enc[i:i + width] for i in range(0, len(enc), width)]
    return ['-----BEGIN %s-----' % kind] + lines + ['-----END %s-----' % kind], kind


# ---------------------------------------------------------------------------------------------------------------------
# Entity specs: type -> generator, prose lead-ins, keys for key=value/JSON, whether a context word is required
# (then every lead-in and key carries one, and the value never appears bare or in CSV rows).

E = {}


def spec(typ, gen, leads, keys, ctx=False, weight=1.0, bare=0.3):
    E[typ] = dict(gen=gen, leads=leads, keys=keys, ctx=ctx, weight=weight, bare=bare)


spec('EMAIL', gen_email, ['mail ', 'email: ', 'E-Mail: ', 'contact ', 'écrivez à ', 'reply to ', 'courriel : '],
     ['email', 'mail', 'user_email', 'contact'], bare=0.5)
spec('PHONE', lambda r, bad=False: gen_phone_us(r) if r.random() < 0.45 else gen_phone_intl(r),
     ['call ', 'Tel: ', 'phone ', 'mobile: ', 'Handy ', 'tél. ', 'teléfono ', '電話 ', 'cell ', 'ring me on '],
     ['phone', 'tel', 'mobile', 'phone_number', 'telefon'], weight=2.0, bare=0.35)
spec('IP_ADDRESS', lambda r, bad=False: gen_ipv4(r) if r.random() < 0.6 else gen_ipv6(r),
     ['from ', 'client ', 'src=', 'IP ', 'host ', 'remote addr '], ['ip', 'client_ip', 'remote_addr', 'src'],
     weight=1.5, bare=0.4)
spec('MAC_ADDRESS', gen_mac, ['mac ', 'link/ether ', 'HWaddr ', 'Physical Address: ', 'device '],
     ['mac', 'hwaddr', 'mac_address'])
spec('CREDENTIALS', None, [], [], weight=1.0)
spec('DATE_OF_BIRTH', None, [], ['dob', 'date_of_birth', 'birthdate', 'geburtsdatum'], ctx=True)
spec('CREDIT_CARD', gen_card, ['card ', 'paid with ', 'Visa ending ', 'CC: ', 'carte ', 'Kreditkarte ', 'tarjeta ',
                               'card number '], ['card', 'pan', 'cc_number', 'card_number'], weight=1.5, bare=0.3)
spec('IBAN', gen_iban, ['IBAN: ', 'IBAN ', 'pay to ', 'Konto ', 'account '], ['iban', 'IBAN', 'account_iban'],
     weight=1.5)
spec('SWIFT_BIC', gen_swift, ['BIC: ', 'SWIFT code ', 'SWIFT/BIC ', 'BIC '], ['bic', 'swift', 'swift_code'], ctx=True)
spec('ABA_ROUTING', gen_aba, ['routing number ', 'ABA ', 'Routing #: ', 'RTN '], ['routing_number', 'aba'], ctx=True)
spec('US_SSN', gen_ssn, ['SSN: ', 'SSN ', 'social security number ', 'my SSN is '], ['ssn', 'SSN', 'social_security'],
     bare=0.3)
spec('US_ITIN', gen_itin, ['ITIN: ', 'ITIN ', 'taxpayer id '], ['itin'], bare=0.3)
spec('US_PASSPORT', gen_us_passport, ['passport no. ', 'Passport number: ', 'US passport '],
     ['passport_number', 'passport'], ctx=True, weight=0.5)
spec('US_DRIVERS_LICENSE', gen_us_dl, ["driver's license ", 'DL# ', 'drivers license number '],
     ['drivers_license', 'dl_number'], ctx=True, weight=0.5)
spec('UK_NINO', gen_nino, ['NI number: ', 'NINO ', 'National Insurance ', 'NI: '], ['nino', 'ni_number'], bare=0.3)
spec('UK_NHS', gen_nhs, ['NHS No: ', 'NHS number ', 'patient '], ['nhs_number', 'nhs'], ctx=True)
spec('UK_POSTCODE', None, [], [], ctx=True)
spec('DE_TAX_ID', gen_de_taxid, ['Steuer-IdNr.: ', 'Steuer-ID ', 'IdNr ', 'Identifikationsnummer '],
     ['steuer_id', 'steuerid', 'tax_id'], bare=0.3)
spec('FR_NIR', gen_fr_nir, ['NIR ', 'n° sécu : ', 'numéro de sécurité sociale ', 'INSEE '], ['nir', 'insee'],
     bare=0.3)
spec('ES_DNI', gen_es_dni, ['DNI: ', 'NIE ', 'DNI ', 'documento '], ['dni', 'nie', 'nif'], bare=0.3)
spec('IT_FISCAL_CODE', gen_it_cf, ['Codice fiscale: ', 'CF ', 'C.F. '], ['codice_fiscale', 'cf'], bare=0.3)
spec('NL_BSN', gen_nl_bsn, ['BSN: ', 'BSN ', 'burgerservicenummer ', 'sofinummer '], ['bsn'], ctx=True)
spec('BE_NRN', gen_be_nrn, ['Rijksregisternummer: ', 'numéro national ', 'NN ', 'RRN '], ['rrn', 'national_number'],
     bare=0.3)
spec('PL_PESEL', gen_pl_pesel, ['PESEL: ', 'nr PESEL ', 'PESEL '], ['pesel'], ctx=True)
spec('SE_PNR', gen_se_pnr, ['personnummer ', 'pnr ', 'Personnummer: '], ['personnummer', 'pnr'], bare=0.3)
spec('DK_CPR', gen_dk_cpr, ['CPR-nr.: ', 'CPR ', 'cpr-nummer '], ['cpr', 'cpr_nr'], ctx=True)
spec('FI_HETU', gen_fi_hetu, ['HETU: ', 'henkilötunnus ', 'hetu '], ['hetu', 'henkilotunnus'], bare=0.3)
spec('NO_FNR', gen_no_fnr, ['fødselsnummer ', 'fnr ', 'Fødselsnr.: '], ['fnr', 'fodselsnummer'], bare=0.3)
spec('IE_PPS', gen_ie_pps, ['PPS No: ', 'PPSN ', 'PPS number '], ['pps', 'ppsn'], bare=0.3)
spec('PT_NIF', gen_pt_nif, ['NIF: ', 'contribuinte n.º ', 'NIF '], ['nif', 'contribuinte'], ctx=True)
spec('CH_AHV', gen_ch_ahv, ['AHV-Nr.: ', 'No AVS ', 'AHV ', 'numéro AVS '], ['ahv', 'avs', 'ahv_nr'], bare=0.3)
spec('EU_VAT', gen_eu_vat, ['VAT: ', 'USt-IdNr.: ', 'N° TVA ', 'BTW-nummer ', 'Partita IVA ', 'VAT Reg. No. '],
     ['vat', 'vat_id', 'vat_number', 'ust_idnr'], ctx=True)
spec('SECRET', None, [], [], weight=3.0)
spec('PASSWORD', None, [], [], weight=1.0)
spec('PRIVATE_KEY', None, [], [], weight=0.25)

TYPES = list(E)


def needs_context(t, fmt):
    """Spellings that are only a bare run of digits with a weak check: planted with their word, never bare."""
    return (t, fmt) in (('US_SSN', 'plain'), ('BE_NRN', 'compact')) or (t == 'SE_PNR' and fmt.endswith('compact'))


# ---------------------------------------------------------------------------------------------------------------------
# Hard negatives: (format, builder(r) -> (value, lead-in)). Lead-ins put some of them next to the words that would
# tempt a rule (a card word before a bad-Luhn number, an NHS word before a bad NHS number).


def isbn13(r):
    p = '978' + d(r, 9)
    c = (10 - sum(int(x) * (1 if i % 2 == 0 else 3) for i, x in enumerate(p)) % 10) % 10
    s = p + str(c)
    return '%s-%s-%s-%s-%s' % (s[:3], s[3], s[4:6], s[6:12], s[12])


def isbn10(r):
    p = d(r, 9)
    c = sum(int(x) * (10 - i) for i, x in enumerate(p))
    c = (11 - c % 11) % 11
    return '%s-%s-%s-%s' % (p[0], p[1:4], p[4:9], 'X' if c == 10 else c)


def dk_cpr_valid(v):
    """Whether a DDMMYY-SSSS value is a valid Danish CPR (a date; the century from the serial's first digit)."""
    if len(v) == 11 and v[6] == '-':
        v = v[:6] + v[7:]
    if len(v) != 10 or not v.isdigit():
        return False
    dd, mm, yy, c = int(v[:2]), int(v[2:4]), int(v[4:6]), int(v[6])
    year = 1900 + yy if c <= 3 else ((2000 if yy <= 36 else 1900) + yy if c in (4, 9) else
                                     (2000 if yy <= 57 else 1800) + yy)
    try:
        datetime.date(year, mm, dd)
    except ValueError:
        return False
    return True


def bad_se_pnr(r):
    """A Swedish personnummer with a wrong Luhn digit. 'personnummer' is also the Danish word for the CPR number,
    which has no check digit: a value that reads as a valid CPR is personal data, not a hard negative."""
    v = gen_se_pnr(r, bad=True)[0]
    rr = random.Random(v)  # redraws come from their own stream, so the rest of the corpus stays as it was
    while dk_cpr_valid(v):
        v = gen_se_pnr(rr, bad=True)[0]
    return v


NEGATIVES = [
    ('bad-luhn-card', lambda r: (gen_card(r, bad=True)[0], r.choice(['card ', 'paid with ', 'CC: ']))),
    ('bad-iban', lambda r: (gen_iban(r, bad=True)[0], 'IBAN ')),
    ('bad-ssn', lambda r: (gen_ssn(r, bad=True)[0], 'SSN ')),
    ('bad-nhs', lambda r: (gen_nhs(r, bad=True)[0], 'NHS No: ')),
    ('bad-aba', lambda r: (gen_aba(r, bad=True)[0], 'routing number ')),
    ('bad-de-taxid', lambda r: (gen_de_taxid(r, bad=True)[0], 'Steuer-IdNr. ')),
    ('bad-fr-nir', lambda r: (gen_fr_nir(r, bad=True)[0], 'NIR ')),
    ('bad-es-dni', lambda r: (gen_es_dni(r, bad=True)[0], 'DNI ')),
    ('bad-it-cf', lambda r: (gen_it_cf(r, bad=True)[0], 'CF ')),
    ('bad-nl-bsn', lambda r: (gen_nl_bsn(r, bad=True)[0], 'BSN ')),
    ('bad-be-nrn', lambda r: (gen_be_nrn(r, bad=True)[0], 'NN ')),
    ('bad-pl-pesel', lambda r: (gen_pl_pesel(r, bad=True)[0], 'PESEL ')),
    ('bad-se-pnr', lambda r: (bad_se_pnr(r), 'personnummer ')),
    ('bad-dk-cpr', lambda r: (gen_dk_cpr(r, bad=True)[0], 'CPR ')),
    ('bad-fi-hetu', lambda r: (gen_fi_hetu(r, bad=True)[0], 'HETU ')),
    ('bad-no-fnr', lambda r: (gen_no_fnr(r, bad=True)[0], 'fnr ')),
    ('bad-ie-pps', lambda r: (gen_ie_pps(r, bad=True)[0], 'PPS ')),
    ('bad-pt-nif', lambda r: (gen_pt_nif(r, bad=True)[0], 'NIF ')),
    ('bad-ch-ahv', lambda r: (gen_ch_ahv(r, bad=True)[0], 'AHV ')),
    ('bad-uk-nino', lambda r: (gen_nino(r, bad=True)[0], 'NINO ')),
    ('bad-itin', lambda r: (gen_itin(r, bad=True)[0], 'ITIN ')),
    ('version', lambda r: (r.choice(['%d.%d.%d.%d-rc%d' % (r.randint(1, 9), r.randint(0, 20), r.randint(0, 9),
                                                            r.randint(0, 99), r.randint(1, 5)),
                                     'v%d.%d.%d' % (r.randint(0, 12), r.randint(0, 40), r.randint(0, 200)),
                                     '10.0.%d.%d' % (r.randint(10000, 22999), r.randint(100, 9999)),
                                     '%d.%d.%d-%d-generic' % (r.randint(4, 6), r.randint(0, 19), r.randint(0, 200),
                                                              r.randint(10, 150)),
                                     '%d.0.%d.%d' % (r.randint(90, 130), r.randint(4000, 7000),
                                                     r.randint(10, 250))]),
                           r.choice(['version ', 'release ', 'build ', 'Chrome/', 'kernel ']))),
    ('timestamp', lambda r: (r.choice(['2024-%02d-%02dT%02d:%02d:%02d.%03dZ' % (
        r.randint(1, 12), r.randint(1, 28), r.randint(0, 23), r.randint(0, 59), r.randint(0, 59), r.randint(0, 999)),
        '%02d/%s/2024:%02d:%02d:%02d' % (r.randint(1, 28), r.choice(['Jan', 'May', 'Oct']), r.randint(0, 23),
                                         r.randint(0, 59), r.randint(0, 59)),
        '2024-%02d-%02d %02d:%02d:%02d' % (r.randint(1, 12), r.randint(1, 28), r.randint(0, 23), r.randint(0, 59),
                                           r.randint(0, 59)),
        str(r.randint(1600000000, 1730000000)), str(r.randint(1600000000000, 1730000000000))]),
        r.choice(['at ', 'ts=', 'time ', 'created ']))),
    ('order-number', lambda r: (r.choice(['ORD-2024-%05d' % r.randint(0, 99999), 'INV-%d-%04d' % (
        r.randint(2019, 2024), r.randint(1, 9999)), '#%d' % r.randint(10000, 99999), 'PO %d' % r.randint(
        4500000000, 4599999999), d(r, 10), d(r, 12), '%s-%s' % (d(r, 4), d(r, 7))]),
        r.choice(['order ', 'Bestellung ', 'ref ', 'invoice ', 'commande ']))),
    ('isbn', lambda r: (isbn13(r) if r.random() < 0.6 else isbn10(r), 'ISBN ')),
    ('git-sha', lambda r: (rs(r, '0123456789abcdef', r.choice([40, 40, 7, 12])), r.choice(['commit ', 'sha ',
                                                                                            'fixes ']))),
    ('uuid', lambda r: ('%s-%s-4%s-%s%s-%s' % (rs(r, '0123456789abcdef', 8), rs(r, '0123456789abcdef', 4),
                                              rs(r, '0123456789abcdef', 3), r.choice('89ab'),
                                              rs(r, '0123456789abcdef', 3), rs(r, '0123456789abcdef', 12)),
                        r.choice(['request_id=', 'uuid ', 'trace ']))),
    ('price', lambda r: (r.choice(['$%d,%03d.%02d' % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99)),
                                   '€%d,%02d' % (r.randint(1, 999), r.randint(0, 99)),
                                   '%d.%03d,%02d EUR' % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99)),
                                   '£%d.%02d' % (r.randint(1, 9999), r.randint(0, 99)),
                                   '%d %03d,%02d €' % (r.randint(1, 99), r.randint(0, 999), r.randint(0, 99))]),
                         r.choice(['total ', 'price ', 'Betrag ', 'montant ']))),
    ('year', lambda r: (r.choice(['%d' % r.randint(1950, 2030), '%d-%d' % (r.randint(1990, 2010), r.randint(
        2011, 2024)), '%d–%d' % (r.randint(1990, 2010), r.randint(2011, 2024)), 'FY%d' % r.randint(2015, 2026)]),
                        r.choice(['in ', 'Copyright ', 'since ', '']))),
    ('port', lambda r: (str(r.choice([22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9200, 27017, 50051])),
                        r.choice(['port ', 'listening on :', 'PORT=']))),
    ('serial', lambda r: (r.choice(['%s-%s-%s' % (d(r, 3), d(r, 4), d(r, 3)), 'SN%s' % d(r, 10),
                                    '%s-%s-%s' % (d(r, 4), d(r, 4), d(r, 4)), '%s-%s' % (d(r, 3), d(r, 7)),
                                    '%s.%s.%s' % (d(r, 3), d(r, 3), d(r, 5))]),
                          r.choice(['S/N ', 'serial ', 'P/N ', 'sku=', 'part ']))),
    ('plain-date', lambda r: (r.choice(['%02d/%02d/%d' % (r.randint(1, 28), r.randint(1, 12), r.randint(1990, 2024)),
                                        '%d-%02d-%02d' % (r.randint(1990, 2024), r.randint(1, 12), r.randint(1, 28)),
                                        '%s %d, %d' % (r.choice(MONTHS['en']), r.randint(1, 28),
                                                       r.randint(1990, 2024))]),
                              r.choice(['Invoice date ', 'due ', 'shipped on ', 'released ']))),
    ('zip-plus4', lambda r: ('%05d-%04d' % (r.randint(10000, 99950), r.randint(1, 9999)), r.choice(['ZIP ', 'CA ']))),
    ('tracking', lambda r: ('1Z' + rs(r, UP + DIG, 16), 'tracking ')),
    ('decimal', lambda r: (r.choice(['%d.%d' % (r.randint(0, 9), r.randint(10 ** 7, 10 ** 9)),
                                     '%.4f, %.4f' % (r.uniform(-90, 90), r.uniform(-180, 180))]),
                           r.choice(['ratio ', 'coords ', 'value ']))),
    ('oid', lambda r: ('1.3.6.1.4.1.%d.%d.%d' % (r.randint(1, 60000), r.randint(1, 20), r.randint(1, 9)), 'OID ')),
    ('hex-digest', lambda r: ('sha256:' + rs(r, '0123456789abcdef', 64), 'digest ')),
]


# ---------------------------------------------------------------------------------------------------------------------
# Unicode evasion


FW = {c: chr(0xFF10 + i) for i, c in enumerate(DIG)}
UPPER, LOWER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'
# "Fancy text" of social posts: mathematical bold, circled, superscript digits, small capitals (no q or x).
BOLD = {**{c: chr(0x1D400 + i) for i, c in enumerate(UPPER)}, **{c: chr(0x1D41A + i) for i, c in enumerate(LOWER)},
        **{c: chr(0x1D7CE + i) for i, c in enumerate(DIG)}}
CIRCLED = {**{c: chr(0x24B6 + i) for i, c in enumerate(UPPER)}, **{c: chr(0x24D0 + i) for i, c in enumerate(LOWER)},
           '0': '\u24ea', **{c: chr(0x2460 + i) for i, c in enumerate(DIG[1:])}}
SUPER = dict(zip(DIG, '\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079'))
SMALL_CAPS = dict(zip('abcdefghijklmnoprstuvwyz', '\u1d00\u0299\u1d04\u1d05\u1d07\ua730\u0262\u029c\u026a\u1d0a'
                      '\u1d0b\u029f\u1d0d\u0274\u1d0f\u1d18\u0280\ua731\u1d1b\u1d1c\u1d20\u1d21\u028f\u1d22'))


def evade(r, value):
    """Returns (value, kind) or (value, None) when no evasion fits."""
    kinds = []
    if any(c.isdigit() for c in value):
        kinds.append('fullwidth-digits')
    if ' ' in value:
        kinds.append('nbsp')
        kinds.append('thin-space')
    if '-' in value:
        kinds.append('unicode-dash')
    if len(value) >= 6:
        kinds.append('zero-width-space')
        kinds.append('soft-hyphen')
    if any(c.isascii() and c.isalnum() for c in value):
        kinds.append('math-bold')
        kinds.append('circled')
    if any(c.isdigit() for c in value):
        kinds.append('superscript-digits')
    if any(c in SMALL_CAPS for c in value):
        kinds.append('small-caps')
    if not kinds:
        return value, None
    k = r.choice(kinds)
    fancy = {'fullwidth-digits': FW, 'math-bold': BOLD, 'circled': CIRCLED, 'superscript-digits': SUPER,
             'small-caps': SMALL_CAPS}
    if k in fancy:
        return ''.join(fancy[k].get(c, c) for c in value), k
    if k == 'nbsp':
        return value.replace(' ', '\u00a0'), k
    if k == 'thin-space':
        return value.replace(' ', '\u2009'), k
    if k == 'unicode-dash':
        return value.replace('-', r.choice(['\u2010', '\u2011', '\u2013', '\u2212'])), k
    i = r.randint(2, len(value) - 2)
    return value[:i] + ('\u200b' if k == 'zero-width-space' else '\u00ad') + value[i:], k


# ---------------------------------------------------------------------------------------------------------------------
# Lines


class Line:
    def __init__(self, context):
        self.parts = []
        self.n = 0
        self.labels = []
        self.context = context

    def t(self, s):
        self.parts.append(s)
        self.n += len(s.encode('utf-8'))

    def v(self, value, typ, fmt, neg=False, evasion=None):
        start = self.n
        self.t(value)
        self.labels.append({'start': start, 'end': self.n, 'type': typ, 'format': fmt, 'negative': neg,
                            'evasion': evasion})

    def text(self):
        return ''.join(self.parts)


NAMES = ['José García', 'Zoë Müller', 'Łukasz Nowak', 'Søren Jørgensen', 'Ana Conceição', 'François Lefèvre',
         'Björk Guðmundsdóttir', '田中 太郎', '李伟', 'Ngozi Okafor', 'Siobhán Ó Briain', 'Jürgen Weiß', 'Chloé Dubois',
         'Mikko Häkkinen', 'Ayşe Yılmaz', 'Nguyễn Văn An', 'Ольга Иванова', 'Jane Doe', 'Sam Patel', 'Kim Lee']
FILLER = ['Please update my details', 'Thanks for the quick reply', 'Bitte aktualisieren Sie meine Daten',
          'Merci de mettre à jour mon dossier', 'Gracias por su ayuda', 'よろしくお願いします', '请更新我的资料',
          'Grazie mille', 'Tack för hjälpen', 'Dank je wel', 'I moved last month', 'the form is attached',
          'as discussed on the phone', 'see the note below', 'Köszönöm szépen', 'Obrigado pela atenção',
          'the refund has not arrived yet', 'can you confirm', 'änderung bitte bestätigen', 'd’accord, à demain']
EMOJI = ['🙂', '🙏', '✅', '📞', '💳', '🎉', '👍', '⚠️', '🔑', '🇪🇺']
CHAT_USERS = ['jane_d', 'mikko', 'søren', 'ana.c', 'li_wei', 'bot', 'support-agent', 'zoë']
SERVICES = ['api', 'auth', 'billing', 'gateway', 'worker', 'sshd', 'postfix', 'nginx']


class Gen:
    def __init__(self, seed, evasion_rate):
        self.r = random.Random(seed)
        self.evasion_rate = evasion_rate
        self.weights = [(E[t]['weight'], t) for t in TYPES]
        self.seq = 0

    # -- items --

    def positive(self, ctx_free=False):
        r = self.r
        while True:
            t = wpick(r, self.weights)
            if ctx_free and (E[t]['ctx'] or t in ('CREDENTIALS', 'PRIVATE_KEY', 'PASSWORD', 'SECRET')):
                continue
            return t

    def render_pos(self, line, t, style):
        """Plants one value of type t in the line, in the given style: prose | kv | json | csv."""
        r = self.r
        s = E[t]
        if t == 'CREDENTIALS':
            v, fmt, pre, post = gen_url_creds(r)
            if style == 'json':
                line.t('"url": "' + pre)
            elif style == 'kv':
                line.t(r.choice(['DATABASE_URL=', 'url: ', 'remote = ', 'BROKER_URL=']) + pre)
            else:
                line.t(r.choice(['connect with ', 'clone ', 'DSN ', '']) + pre)
            line.v(v, t, fmt)
            line.t(post + ('"' if style == 'json' else ''))
            return
        if t == 'PASSWORD':
            v = gen_password_value(r)
            if style == 'json':
                line.t('"%s": "' % r.choice(['password', 'userPassword', 'passwd', 'db_password']))
                line.v(v, t, 'json')
                line.t('"')
            elif style == 'kv' or (style == 'prose' and r.random() < 0.5):
                key = r.choice(['password', 'DB_PASSWORD', 'smtp_pass', 'pwd', 'Passwort', 'mot_de_passe',
                                'contraseña', '--password', 'PASSWORD'])
                q = r.choice(['', '', '"', "'"])
                sep = r.choice(['=', ': ', ' = ']) if not key.startswith('--') else '='
                line.t(key + sep + q)
                line.v(v, t, 'assign' + ('-quoted' if q else ''))
                line.t(q)
            elif style == 'csv':
                line.t('password=')
                line.v(v, t, 'assign')
            else:
                line.t(r.choice(['my password is ', 'the new password is ', 'temporary password was ',
                                 'le mot de passe est ']))
                line.v(v, t, 'prose')
            return
        if t == 'PRIVATE_KEY':  # the inline one-record form; multi-line keys are planted by the caller
            lines, kind = pem_lines(r)
            v = '\\n'.join(lines)
            if style == 'json':
                line.t('"private_key": "')
                line.v(v, t, 'pem-inline-json')
                line.t('\\n"')
            else:
                line.t('SSH_KEY="')
                line.v(v, t, 'pem-inline-env')
                line.t('\\n"')
            return
        if t == 'SECRET':
            v, fmt, key = gen_secret(r)
            if fmt == 'slack-webhook':
                line.t(('"webhook": "' if style == 'json' else 'SLACK_WEBHOOK=') + 'https://hooks.slack.com/services/')
                line.v(v, t, fmt)
                line.t('"' if style == 'json' else '')
                return
            if key == 'Authorization: Bearer':
                if style == 'json':
                    line.t('"Authorization": "Bearer ')
                    line.v(v, t, fmt)
                    line.t('"')
                else:
                    q = r.choice(['', '"'])
                    line.t(('-H "' if q else '') + 'Authorization: Bearer ')
                    line.v(v, t, fmt)
                    line.t(q)
                return
            if style == 'json':
                line.t('"%s": "' % (key or 'token').split(':')[0].strip())
                line.v(v, t, fmt)
                line.t('"')
            elif key and (style == 'kv' or fmt in UNPREFIXED or r.random() < 0.7):
                q = r.choice(['', '"']) if style == 'kv' else ''
                line.t(key + r.choice(['=', ': ', ' = ']) + q)
                line.v(v, t, fmt)
                line.t(q)
            else:
                line.t(r.choice(['token ', 'use ', 'leaked key ', '']))
                line.v(v, t, fmt)
            return
        if t == 'DATE_OF_BIRTH':
            v, fmt, lead = gen_dob(r)
            ev = None
            if r.random() < self.evasion_rate:
                v, ev = evade(r, v)
            if style == 'json':
                line.t('"%s": "' % r.choice(s['keys']))
                line.v(v, t, fmt, evasion=ev)
                line.t('"')
            else:
                line.t(lead)
                line.v(v, t, fmt, evasion=ev)
            return
        if t == 'UK_POSTCODE':
            v, fmt = gen_postcode(r)
            town = UK_TOWNS[''.join(c for c in v[:2] if c.isalpha())]
            ev = None
            if r.random() < self.evasion_rate:
                v, ev = evade(r, v)
            if style == 'json':
                line.t('"address": "%d %s, %s", "postcode": "' % (r.randint(1, 250), r.choice(
                    ['High Street', 'Station Road', 'Church Lane', 'Victoria Avenue']), town))
                line.v(v, t, fmt, evasion=ev)
                line.t('"')
            else:
                street = r.choice(['High Street', 'Station Road', 'Church Lane', 'Victoria Avenue', 'Queen\'s Road',
                                   'Mill Close', 'Park Crescent', 'King Street'])
                lead = r.choice(['Address: ', 'ship to ', 'delivery address: ', '', 'Flat %d, ' % r.randint(1, 20)])
                line.t('%s%d %s, %s ' % (lead, r.randint(1, 250), street, town))
                line.v(v, t, fmt, evasion=ev)
                if r.random() < 0.3:
                    line.t(', United Kingdom')
            return
        v, fmt = s['gen'](r)
        while style == 'csv' and needs_context(t, fmt):
            v, fmt = s['gen'](r)
        ev = None
        if r.random() < self.evasion_rate:
            v, ev = evade(r, v)
        if style == 'json':
            line.t('"%s": "' % r.choice(s['keys']))
            line.v(v, t, fmt, evasion=ev)
            line.t('"')
        elif style == 'kv':
            line.t(r.choice(s['keys']) + r.choice(['=', ': ', '=']))
            line.v(v, t, fmt, evasion=ev)
        elif style == 'csv':
            line.v(v, t, fmt, evasion=ev)
        else:
            if not s['ctx'] and not needs_context(t, fmt) and r.random() < s['bare']:
                line.t(r.choice(['', 'ok ', '→ ', 'new: ', '']))
            else:
                line.t(r.choice(s['leads']))
            line.v(v, t, fmt, evasion=ev)

    def render_neg(self, line, style):
        r = self.r
        fmt, fn = r.choice(NEGATIVES)
        v, lead = fn(r)
        if style == 'json':
            line.t('"%s": "' % r.choice(['ref', 'note', 'id', 'value']))
            line.t(lead)
            line.v(v, 'NEG', fmt, neg=True)
            line.t('"')
        elif style == 'csv':
            line.v(v, 'NEG', fmt, neg=True)
        else:
            line.t(lead)
            line.v(v, 'NEG', fmt, neg=True)

    def items(self, n_min=1, n_max=3):
        r = self.r
        n = wpick(r, [(1, 0), (6, 1), (4, 2), (1, 3)])
        n = max(n_min, min(n_max, n))
        return ['neg' if r.random() < 0.25 else 'pos' for _ in range(n)]

    def plant_all(self, line, kinds, style, joiners, ctx_free=False):
        r = self.r
        for i, k in enumerate(kinds):
            if i:
                line.t(r.choice(joiners))
            if k == 'neg':
                self.render_neg(line, style)
            else:
                self.render_pos(line, self.positive(ctx_free), style)

    def ts(self, line):
        r = self.r
        v = '2024-%02d-%02dT%02d:%02d:%02d.%03dZ' % (r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                                                     r.randint(0, 59), r.randint(0, 59), r.randint(0, 999))
        line.v(v, 'NEG', 'timestamp', neg=True)

    # -- contexts --

    def c_email(self):
        r = self.r
        L = Line('email')
        k = r.random()
        if k < 0.2:
            L.t('From: %s <' % r.choice(NAMES))
            v, fmt = gen_email(r)
            L.v(v, 'EMAIL', fmt)
            L.t('>')
            return L
        if k < 0.35:
            L.t('-- ' + r.choice(NAMES) + ' | ')
            self.plant_all(L, self.items(1, 2), 'prose', [' | ', ' · '])
            return L
        L.t(r.choice(['Hi team, ', 'Hello, ', 'Bonjour, ', 'Hallo zusammen, ', 'Hola, ', '> ']))
        L.t(r.choice(FILLER) + ': ')
        self.plant_all(L, self.items(), 'prose', [', ', ' and ', '; ', ' — '])
        L.t(r.choice(['. Thanks!', '. Merci.', '.', ' ' + r.choice(EMOJI), '. Danke, ' + r.choice(NAMES)]))
        return L

    def c_ticket(self):
        r = self.r
        L = Line('ticket')
        L.t('[TICKET-')
        L.t(str(r.randint(1000, 99999)))
        L.t('] ' + r.choice(['Customer reports: ', 'Kunde meldet: ', 'Agent note: ', 'Escalation — ']))
        self.plant_all(L, self.items(), 'prose', ['; ', ', ', '. Also ', ' / '])
        L.t(r.choice(['', ' (verified)', ' — priority high', ' ' + r.choice(EMOJI)]))
        return L

    def c_chat(self):
        r = self.r
        L = Line('chat')
        L.t('[%02d:%02d] %s: ' % (r.randint(0, 23), r.randint(0, 59), r.choice(CHAT_USERS)))
        L.t(r.choice(['sure, ', 'ok ', 'here it is: ', 'ありがとう ', '好的 ', 'voilà ', 'np! ', '']))
        self.plant_all(L, self.items(1, 2), 'prose', [' and ', ' & ', ', also '])
        L.t(' ' + r.choice(EMOJI))
        return L

    def c_cv(self):
        r = self.r
        L = Line('cv')
        L.t(r.choice(['Name: %s | ', 'Lebenslauf — %s · ', 'CV %s: ', 'Curriculum vitae de %s — ']) % r.choice(NAMES))
        self.plant_all(L, self.items(1, 3), 'prose', [' | ', ' · ', '; '])
        return L

    def c_log(self):
        r = self.r
        L = Line('log')
        self.ts(L)
        L.t(' %s [%s] ' % (r.choice(['INFO', 'WARN', 'ERROR', 'DEBUG']), r.choice(SERVICES)))
        L.t(r.choice(['login ', 'request ', 'update user ', 'payment ', 'sync ']))
        self.plant_all(L, self.items(1, 3), 'kv', [' ', ' ', ', '])
        L.t(' took=%dms' % r.randint(1, 999))
        return L

    def c_csv(self):
        r = self.r
        L = Line('csv')
        L.t('%d,%s,' % (r.randint(1, 9999), r.choice(NAMES)))
        self.plant_all(L, self.items(1, 3), 'csv', [','], ctx_free=True)
        L.t(',' + r.choice(['active', 'closed', 'pending', 'ok']))
        return L

    def c_config(self):
        r = self.r
        L = Line('config')
        L.t(r.choice(['', '  ', 'export ', '    ']))
        self.plant_all(L, self.items(1, 1), 'kv', [''])
        return L

    def c_jsonl(self):
        r = self.r
        L = Line('jsonl')
        L.t('{"id": %d, "ts": "' % r.randint(1, 10 ** 6))
        self.ts(L)
        L.t('", "user": {"name": "%s", ' % r.choice(NAMES))
        self.plant_all(L, self.items(1, 3), 'json', [', '])
        L.t('}, "msg": "%s"}' % r.choice(FILLER))
        return L

    def pem_block(self):
        r = self.r
        lines, kind = pem_lines(r)
        out = []
        indent = r.choice(['', '', '    '])
        for i, ln in enumerate(lines):
            L = Line('pem')
            L.t(indent)
            fmt = 'pem-header' if i == 0 else 'pem-footer' if i == len(lines) - 1 else (
                'pem-last-body' if i == len(lines) - 2 else 'pem-body')
            L.v(ln, 'PRIVATE_KEY', fmt)
            out.append(L)
        return out

    def lines(self, n):
        r = self.r
        ctxs = [(2, self.c_email), (2, self.c_ticket), (2, self.c_chat), (1, self.c_cv), (2, self.c_log),
                (1, self.c_csv), (1, self.c_config), (2, self.c_jsonl)]
        out = 0
        while out < n:
            if r.random() < 0.003 and n - out > 40:
                block = self.pem_block()
                for L in block:
                    yield L
                out += len(block)
                continue
            if r.random() < 0.06:
                L = Line('plain')
                L.t(r.choice(FILLER) + ' ' + r.choice(EMOJI))
            else:
                L = wpick(r, ctxs)()
            yield L
            out += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--lines', type=int, default=20000)
    ap.add_argument('--seed', type=int, default=20240517)
    ap.add_argument('--evasion-rate', type=float, default=0.04, help='share of values given a Unicode evasion')
    ap.add_argument('--out', required=True, help='the text corpus')
    ap.add_argument('--labels', required=True, help='the labels (JSONL)')
    a = ap.parse_args()
    g = Gen(a.seed, a.evasion_rate)
    counts = {}
    with open(a.out, 'w', encoding='utf-8', newline='\n') as fo, \
            open(a.labels, 'w', encoding='utf-8', newline='\n') as fl:
        for i, L in enumerate(g.lines(a.lines), 1):
            text = L.text()
            assert '\n' not in text and '\r' not in text
            fo.write(text + '\n')
            for lab in L.labels:
                rec = {'line': i, 'start': lab['start'], 'end': lab['end'], 'type': lab['type'],
                       'format': lab['format'], 'negative': lab['negative'], 'evasion': lab['evasion'],
                       'context': L.context}
                fl.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + '\n')
                key = 'NEG' if lab['negative'] else lab['type']
                counts[key] = counts.get(key, 0) + 1
    print('gen_labelled: %d lines, %d planted (%s)' % (i, sum(counts.values()), ', '.join(
        '%s %d' % kv for kv in sorted(counts.items()))), file=sys.stderr)


if __name__ == '__main__':
    main()
