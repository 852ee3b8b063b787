#!/usr/bin/env python3
"""Deterministic benchmark corpora for piiscrub (python3 stdlib only).

Writes three files of about --mb megabytes (10**6 bytes) each into --outdir:
  prose.txt     English prose from real text shipped by Debian packages (Jane Austen's novels from r-cran-janeaustenr,
                the Linux kernel documentation from linux-doc-*, fortunes, the Jargon File from jargon-text), drawn
                paragraph by paragraph, with fake PII planted in --pii-rate of the non-empty lines.
  logs.txt      web access, sshd, postfix, kernel and application log lines; an IPv4 address in most of them.
  records.jsonl one JSON object per line, {"id": ..., "text": ..., "meta": {...}}, the text made of prose paragraphs
                (planted the same way) with their newlines kept, so the JSON strings hold \\n escapes.
and corpora.json, a manifest of what went in (sources, sizes, planted PII by kind).

The same --seed, --mb and installed package versions give byte-identical files. The planted values are fake but
valid: cards pass Luhn, SSNs pass the SSA rules, IPv4 octets are in range.
"""
import argparse
import glob
import gzip
import json
import os
import random
import struct
import sys
import zlib

MB = 1000 * 1000

# --------------------------------------------------------------------------------------------------------------------
# Sources


class _RReader:
    """Just enough of R's XDR serialization (versions 2 and 3) to read character vectors and named lists."""

    def __init__(self, data):
        self.b = data
        self.p = 0
        self.refs = []

    def _int(self):
        v = struct.unpack_from('>i', self.b, self.p)[0]
        self.p += 4
        return v

    def read(self):
        if self.b[:2] != b'X\n':
            raise ValueError('not an XDR R serialization')
        self.p = 2
        version = self._int()
        self._int()
        self._int()
        if version == 3:
            n = self._int()
            self.p += n
        return self._item()

    def _item(self):
        flags = self._int()
        t = flags & 0xFF
        has_attr = flags & (1 << 9)
        has_tag = flags & (1 << 10)
        if t in (254, 253, 242, 241, 247):  # NULL, globalenv, emptyenv, baseenv, base namespace
            return None
        if t == 255:  # reference to an earlier symbol
            return self.refs[(flags >> 8) - 1]
        if t == 1:  # symbol
            v = self._item()
            self.refs.append(v)
            return v
        if t == 9:  # CHARSXP
            n = self._int()
            if n == -1:
                return None
            v = self.b[self.p:self.p + n].decode('utf-8', 'replace')
            self.p += n
            return v
        if t == 2:  # pairlist -> dict
            out = {}
            while True:
                if has_attr:
                    self._item()
                tag = self._item() if has_tag else None
                out[tag] = self._item()
                flags = self._int()
                if flags & 0xFF == 254:
                    return out
                if flags & 0xFF != 2:
                    raise ValueError('unexpected pairlist cell %d' % (flags & 0xFF))
                has_attr = flags & (1 << 9)
                has_tag = flags & (1 << 10)
        n = self._int()
        if t in (16, 19):  # character vector, list
            v = [self._item() for _ in range(n)]
        elif t in (10, 13):  # logical, integer
            v = list(struct.unpack_from('>%di' % n, self.b, self.p))
            self.p += 4 * n
        elif t == 14:  # double
            v = list(struct.unpack_from('>%dd' % n, self.b, self.p))
            self.p += 8 * n
        else:
            raise ValueError('unsupported R type %d' % t)
        if has_attr:
            attr = self._item()
            if t == 19 and isinstance(attr, dict) and attr.get('names'):
                v = dict(zip(attr['names'], v))
        return v


def _rdb_chunk(blob, compressed):
    n = struct.unpack('>I', blob[:4])[0]
    if compressed in (1, True):
        raw = zlib.decompress(blob[4:])
    elif compressed == 2:
        import bz2
        raw = bz2.decompress(blob[5:])
    elif compressed == 3:
        import lzma
        raw = lzma.decompress(blob[5:])
    else:
        raw = blob[4:]
    if len(raw) != n:
        raise ValueError('R lazy-load chunk has the wrong length')
    return raw


def load_austen():
    """Jane Austen's six novels: R lazy-load database of r-cran-janeaustenr (one character vector per book)."""
    base = glob.glob('/usr/lib/R/site-library/janeaustenr/data/Rdata.rdx')
    if not base:
        return []
    rdx = open(base[0], 'rb').read()
    idx = _RReader(gzip.decompress(rdx) if rdx[:2] == b'\x1f\x8b' else _rdb_chunk(rdx, 1)).read()
    rdb = open(base[0][:-1] + 'b', 'rb').read()
    comp = idx['compressed'][0]
    docs = []
    for name in sorted(idx['variables']):
        off, ln = idx['variables'][name]
        lines = _RReader(_rdb_chunk(rdb[off:off + ln], comp)).read()
        if isinstance(lines, list):
            docs.append(('austen/' + name, '\n'.join(x or '' for x in lines)))
    return docs


def load_kernel_docs():
    roots = sorted(glob.glob('/usr/share/doc/linux-doc-*/Documentation'))
    if not roots:
        return []
    root = roots[-1]
    docs = []
    for path in sorted(glob.glob(root + '/**/*.rst*', recursive=True)):
        if '/translations/' in path:  # English prose only
            continue
        if path.endswith('.gz'):
            data = gzip.open(path).read()
        elif path.endswith('.rst'):
            data = open(path, 'rb').read()
        else:
            continue
        docs.append(('kernel/' + os.path.relpath(path, root), data.decode('utf-8', 'replace')))
    return docs


def load_fortunes():
    docs = []
    for path in sorted(glob.glob('/usr/share/games/fortunes/*')):
        if path.endswith(('.dat', '.u8')) or os.path.isdir(path) or 'ascii-art' in path:
            continue
        text = open(path, 'rb').read().decode('utf-8', 'replace')
        # One fortune per paragraph: '%' lines separate them.
        docs.append(('fortunes/' + os.path.basename(path), '\n\n'.join(text.split('\n%\n'))))
    return docs


def load_jargon():
    path = '/usr/share/doc/jargon-text/jargon.txt.gz'
    if not os.path.exists(path):
        return []
    return [('jargon', gzip.open(path).read().decode('utf-8', 'replace'))]


# Share of the prose drawn from each source (by paragraphs drawn), so no single package dominates.
SOURCES = [('austen', load_austen, 0.35), ('kernel', load_kernel_docs, 0.35),
           ('fortunes', load_fortunes, 0.15), ('jargon', load_jargon, 0.15)]


def paragraphs(text):
    out = []
    for block in text.replace('\r\n', '\n').split('\n\n'):
        lines = [ln.rstrip() for ln in block.split('\n')]
        lines = [ln for ln in lines if ln.strip()]
        if lines:
            out.append(lines)
    return out


def load_sources():
    pools = []
    for name, loader, weight in SOURCES:
        docs = loader()
        paras = []
        src_bytes = 0
        for doc, text in docs:
            src_bytes += len(text.encode('utf-8'))
            for p in paragraphs(text):
                paras.append((doc, p))
        if paras:
            pools.append({'name': name, 'weight': weight, 'paras': paras, 'docs': len(docs), 'bytes': src_bytes})
        else:
            print('gen_corpus: source %s not installed, skipped' % name, file=sys.stderr)
    if not pools:
        sys.exit('gen_corpus: no prose source installed (r-cran-janeaustenr, linux-doc-*, fortunes, jargon-text)')
    return pools


# --------------------------------------------------------------------------------------------------------------------
# Fake PII

FIRST = ['james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'wei',
         'fatima', 'carlos', 'aisha', 'olga', 'kenji', 'priya', 'lars', 'chloe', 'mateo', 'noah', 'emma', 'liam', 'ava']
LAST = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez',
        'nguyen', 'kim', 'oconnor', 'schmidt', 'rossi', 'novak', 'tanaka', 'patel', 'cohen', 'dubois', 'silva']
DOMAINS = ['gmail.com', 'yahoo.com', 'outlook.com', 'acme-corp.com', 'mail.example.net', 'uni-heidelberg.de',
           'company.co.uk', 'proton.me', 'fastmail.fm', 'research.lab.org', 'startup.io', 'hospital-group.us']


def fake_email(r):
    f, l = r.choice(FIRST), r.choice(LAST)
    style = r.randrange(5)
    if style == 0:
        local = f + '.' + l
    elif style == 1:
        local = f[0] + l + str(r.randrange(100))
    elif style == 2:
        local = f + '_' + l
    elif style == 3:
        local = f + '.' + l + '+' + r.choice(['news', 'work', 'bills'])
    else:
        local = l + str(r.randrange(1950, 2010))
    email = local + '@' + r.choice(DOMAINS)
    return email.upper() if r.random() < 0.05 else email


def fake_phone(r):
    a, e, n = r.randrange(200, 1000), r.randrange(200, 1000), r.randrange(10000)
    fmt = r.randrange(5)
    if fmt == 0:
        return '(%03d) %03d-%04d' % (a, e, n)
    if fmt == 1:
        return '%03d-%03d-%04d' % (a, e, n)
    if fmt == 2:
        return '%03d.%03d.%04d' % (a, e, n)
    if fmt == 3:
        return '+1 %03d %03d %04d' % (a, e, n)
    return '1-%03d-%03d-%04d' % (a, e, n)


def _luhn_complete(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = int(d)
        if i % 2 == 0:  # doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return digits + str((10 - total % 10) % 10)


def fake_card(r):
    kind = r.randrange(4)
    if kind == 0:
        prefix, length = '4', 16
    elif kind == 1:
        prefix, length = str(r.randrange(51, 56)), 16
    elif kind == 2:
        prefix, length = r.choice(['34', '37']), 15
    else:
        prefix, length = '6011', 16
    body = prefix + ''.join(str(r.randrange(10)) for _ in range(length - len(prefix) - 1))
    num = _luhn_complete(body)
    sep = r.choice(['', ' ', '-'])
    if length == 15:
        return sep.join([num[:4], num[4:10], num[10:]])
    return sep.join(num[i:i + 4] for i in range(0, 16, 4))


def fake_ssn(r):
    while True:
        area = r.randrange(1, 900)
        if area == 666:
            continue
        s = '%03d-%02d-%04d' % (area, r.randrange(1, 100), r.randrange(1, 10000))
        if s not in ('078-05-1120', '219-09-9999', '123-45-6789'):
            return s


def fake_ipv4(r):
    while True:
        a = r.randrange(1, 224)
        if a not in (10, 127):
            return '%d.%d.%d.%d' % (a, r.randrange(256), r.randrange(256), r.randrange(1, 255))


PII = [('email', fake_email, ['email me at', 'contact', 'from', 'reply to', '']),
       ('phone', fake_phone, ['call', 'phone:', 'tel.', 'at', '']),
       ('card', fake_card, ['card', 'paid with', 'card no.', '']),
       ('ssn', fake_ssn, ['SSN', 'SSN:', 'social security number', '']),
       ('ipv4', fake_ipv4, ['from', 'host', 'IP', ''])]


def plant(r, line, counts):
    """Insert one fake value (with a lead-in word, sometimes) between two words of line."""
    kind, gen, leads = PII[r.randrange(len(PII))]
    counts[kind] = counts.get(kind, 0) + 1
    value = gen(r)
    lead = r.choice(leads)
    phrase = (lead + ' ' + value) if lead else value
    words = line.split(' ')
    pos = r.randrange(len(words) + 1)
    words.insert(pos, phrase)
    return ' '.join(words)


# --------------------------------------------------------------------------------------------------------------------
# Corpora


class ProseDrawer:
    def __init__(self, pools, rng, pii_rate):
        self.pools = pools
        self.rng = rng
        self.pii_rate = pii_rate
        self.cum = []
        total = 0.0
        for p in pools:
            total += p['weight']
            self.cum.append(total)
        self.total = total
        self.counts = {}
        self.lines = 0
        self.planted_lines = 0
        self.drawn = {p['name']: 0 for p in pools}

    def paragraph(self):
        """One paragraph (list of lines) from a source chosen by weight, PII planted line by line."""
        r = self.rng
        x = r.random() * self.total
        for i, c in enumerate(self.cum):
            if x < c:
                break
        pool = self.pools[i]
        self.drawn[pool['name']] += 1
        doc, lines = pool['paras'][r.randrange(len(pool['paras']))]
        out = []
        for ln in lines:
            self.lines += 1
            if r.random() < self.pii_rate:
                ln = plant(r, ln, self.counts)
                self.planted_lines += 1
            out.append(ln)
        return doc, out


def gen_prose(path, target, pools, seed, pii_rate):
    d = ProseDrawer(pools, random.Random('prose-%d' % seed), pii_rate)
    size = 0
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        buf = []
        while size < target:
            _, lines = d.paragraph()
            s = '\n'.join(lines) + '\n\n'
            size += len(s.encode('utf-8'))
            buf.append(s)
            if len(buf) >= 4096:
                f.write(''.join(buf))
                buf.clear()
        f.write(''.join(buf))
    return {'bytes': os.path.getsize(path), 'lines': d.lines + sum(d.drawn.values()),
            'text_lines': d.lines, 'lines_with_pii': d.planted_lines, 'planted': d.counts,
            'paragraphs_by_source': d.drawn}


def gen_jsonl(path, target, pools, seed, pii_rate):
    r = random.Random('jsonl-%d' % seed)
    d = ProseDrawer(pools, r, pii_rate)
    size = 0
    n = 0
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        buf = []
        while size < target:
            k = 1 + r.randrange(6)
            parts = [d.paragraph() for _ in range(k)]
            text = '\n\n'.join('\n'.join(lines) for _, lines in parts)
            rec = {'id': 'doc-%08d' % n, 'text': text,
                   'meta': {'source': parts[0][0], 'lang': 'en', 'paragraphs': k, 'chars': len(text),
                            'split': 'train' if r.random() < 0.9 else 'validation',
                            'quality': round(r.random(), 3)}}
            s = json.dumps(rec, ensure_ascii=False) + '\n'
            size += len(s.encode('utf-8'))
            buf.append(s)
            n += 1
            if len(buf) >= 1024:
                f.write(''.join(buf))
                buf.clear()
        f.write(''.join(buf))
    return {'bytes': os.path.getsize(path), 'records': n, 'text_lines': d.lines,
            'lines_with_pii': d.planted_lines, 'planted': d.counts, 'paragraphs_by_source': d.drawn}


MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
PATHS = ['/', '/index.html', '/login', '/api/v1/users', '/api/v1/orders', '/static/app.js', '/static/style.css',
         '/images/logo.png', '/search', '/cart', '/checkout', '/account/settings', '/robots.txt', '/favicon.ico',
         '/wp-login.php', '/.env', '/blog/2023/10/release-notes', '/docs/getting-started', '/healthz']
QUERIES = ['', '', '', '?page=2', '?q=red+shoes', '?id=48213', '?utm_source=newsletter&utm_medium=email',
           '?lang=en', '?sort=price&order=asc']
AGENTS = ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0 Safari/537.36',
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 13_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 '
          'Safari/605.1.15',
          'Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/118.0',
          'curl/7.88.1', 'python-requests/2.31.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)',
          'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148']
USERS = ['root', 'admin', 'ubuntu', 'deploy', 'git', 'alice', 'bob', 'oracle', 'test', 'postgres', 'jenkins']
HOSTS = ['web01', 'web02', 'mail', 'bastion', 'db01', 'worker-3']
SYSTEMD = ['Started Session %d of user %s.', 'Starting Daily apt upgrade and clean activities...',
           'Finished Rotate log files.', 'logrotate.service: Deactivated successfully.',
           'Started Cleanup of Temporary Directories.', 'session-%d.scope: Deactivated successfully.']


def gen_logs(path, target, seed, pii_rate):
    r = random.Random('logs-%d' % seed)
    t = 1696118400  # 2023-10-01T00:00:00Z
    size = 0
    lines = 0
    with_ip = 0
    counts = {}
    pid = 1000
    with open(path, 'w', encoding='utf-8', newline='\n') as f:
        buf = []
        while size < target:
            t += r.randrange(3)
            day = 1 + (t - 1696118400) // 86400 % 28
            hms = '%02d:%02d:%02d' % (t // 3600 % 24, t // 60 % 60, t % 60)
            ip = fake_ipv4(r)
            kind = r.random()
            has_ip = True
            if kind < 0.50:  # web access log, combined format
                line = '%s - %s [%02d/Oct/2023:%s +0000] "%s %s%s HTTP/1.1" %d %d "%s" "%s"' % (
                    ip, r.choice(['-', '-', '-', r.choice(USERS)]), day, hms,
                    r.choice(['GET', 'GET', 'GET', 'POST', 'HEAD']), r.choice(PATHS), r.choice(QUERIES),
                    r.choice([200, 200, 200, 200, 301, 304, 404, 500]), r.randrange(100, 90000),
                    r.choice(['-', 'https://www.example.com/', 'https://www.google.com/']), r.choice(AGENTS))
            else:
                pid += r.randrange(5)
                head = 'Oct %2d %s %s ' % (day, hms, r.choice(HOSTS))
                if kind < 0.70:
                    msg = r.choice(['Failed password for invalid user %s from %s port %d ssh2',
                                    'Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:Xk3fQ9vLr2',
                                    'Connection closed by authenticating user %s %s port %d [preauth]',
                                    'Invalid user %s from %s port %d'])
                    line = head + 'sshd[%d]: ' % pid + msg % (r.choice(USERS), ip, r.randrange(1024, 65536))
                elif kind < 0.85:
                    qid = '%X' % r.randrange(16 ** 9)
                    choice = r.randrange(3)
                    if choice == 0:
                        line = head + 'postfix/smtpd[%d]: connect from unknown[%s]' % (pid, ip)
                    elif choice == 1:
                        line = head + 'postfix/smtpd[%d]: %s: client=mx.example.org[%s]' % (pid, qid, ip)
                    else:
                        email = fake_email(r)
                        counts['email'] = counts.get('email', 0) + 1
                        line = head + 'postfix/smtp[%d]: %s: to=<%s>, relay=mx.example.org[%s]:25, delay=0.%d, ' \
                            'status=sent (250 2.0.0 OK)' % (pid, qid, email, ip, r.randrange(10, 99))
                elif kind < 0.92:
                    line = head + 'app[%d]: level=info msg="request done" client_ip=%s method=GET path=%s ' \
                        'status=200 duration_ms=%d.%d' % (pid, ip, r.choice(PATHS), r.randrange(500), r.randrange(10))
                    if r.random() < pii_rate * 5:
                        kindp, gen, _ = PII[r.randrange(len(PII))]
                        counts[kindp] = counts.get(kindp, 0) + 1
                        line += ' user=%s' % gen(r)
                else:  # no address: kernel and systemd chatter
                    has_ip = False
                    if r.random() < 0.5:
                        line = head + 'systemd[1]: ' + r.choice(SYSTEMD).replace('%d', str(r.randrange(9999))) \
                            .replace('%s', r.choice(USERS))
                    else:
                        line = head + 'kernel: [%d.%06d] eth0: renamed from veth%x, link up, mtu 1500' % (
                            r.randrange(100000), r.randrange(10 ** 6), r.randrange(16 ** 6))
            if has_ip:
                with_ip += 1
                counts['ipv4'] = counts.get('ipv4', 0) + 1
            s = line + '\n'
            size += len(s)
            lines += 1
            buf.append(s)
            if len(buf) >= 8192:
                f.write(''.join(buf))
                buf.clear()
        f.write(''.join(buf))
    return {'bytes': os.path.getsize(path), 'lines': lines, 'lines_with_ipv4': with_ip, 'planted': counts}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--mb', type=float, default=100.0, help='size of each corpus in MB (10**6 bytes)')
    ap.add_argument('--seed', type=int, default=20231001)
    ap.add_argument('--pii-rate', type=float, default=0.02, help='share of prose lines given a fake PII value')
    ap.add_argument('--outdir', required=True)
    ap.add_argument('--only', choices=['prose', 'logs', 'jsonl'], action='append')
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    target = int(a.mb * MB)
    only = set(a.only or ['prose', 'logs', 'jsonl'])
    manifest = {'seed': a.seed, 'mb': a.mb, 'pii_rate': a.pii_rate, 'corpora': {}}
    pools = None
    if only & {'prose', 'jsonl'}:
        pools = load_sources()
        manifest['sources'] = {p['name']: {'documents': p['docs'], 'bytes': p['bytes'], 'paragraphs': len(p['paras']),
                                           'weight': p['weight']} for p in pools}
    if 'prose' in only:
        manifest['corpora']['prose'] = gen_prose(os.path.join(a.outdir, 'prose.txt'), target, pools, a.seed,
                                                 a.pii_rate)
    if 'logs' in only:
        manifest['corpora']['logs'] = gen_logs(os.path.join(a.outdir, 'logs.txt'), target, a.seed, a.pii_rate)
    if 'jsonl' in only:
        manifest['corpora']['jsonl'] = gen_jsonl(os.path.join(a.outdir, 'records.jsonl'), target, pools, a.seed,
                                                 a.pii_rate)
    with open(os.path.join(a.outdir, 'corpora.json'), 'w') as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write('\n')
    for k, v in manifest['corpora'].items():
        print('gen_corpus: %-6s %7.1f MB  planted %s' % (k, v['bytes'] / MB, json.dumps(v['planted'], sort_keys=True)),
              file=sys.stderr)


if __name__ == '__main__':
    main()
