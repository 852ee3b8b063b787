#!/usr/bin/env python3
"""Time piiscrub against its peers on the corpora that gen_corpus.py wrote, and write bench/RESULTS.md.

Called by bench/run.sh (which installs, builds and generates first); see bench/README.md. python3 stdlib only.

Method: for each corpus, every tool runs once per round, the tools in round-robin order (the first tool rotates
from round to round), for --runs rounds. A run is one whole process (or pipeline), stdin from the corpus file,
stdout to a file on disk, timed by wall clock around fork..wait; CPU time is the children's user+sys. Rates are
input MB (10**6 bytes) / median seconds. After the timed rounds each output is checked (exit status, the number of
[REDACTED] markers, piiscrub -j 1 versus -j 2 byte for byte) and deleted.
"""
import argparse
import datetime
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import threading
import sys
import time

MB = 1000 * 1000
GIB = 1 << 30
MARK = b'[REDACTED]'
CORPORA = [('prose', 'prose.txt', 'English prose, PII planted in ~2 % of lines'),
           ('logs', 'logs.txt', 'web/sshd/postfix/app logs, an IPv4 in most lines'),
           ('jsonl', 'records.jsonl', 'JSONL training records {"id","text","meta"} built from the prose')]


def log(msg):
    print(msg, flush=True)


def loadavg():
    """The 1-minute load average: how busy the machine was apart from us."""
    try:
        return open('/proc/loadavg').read().split()[0]
    except OSError:
        return '?'


def sh(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ''


def first_line(s):
    return s.splitlines()[0] if s else '?'


class Tool:
    def __init__(self, key, label, argv, display, kind):
        self.key = key          # short id, used in file names and BENCH_TOOLS
        self.label = label      # table label
        self.argv = argv
        self.display = display  # the command as a person would type it
        self.kind = kind        # 'limit', 'piiscrub' or 'peer'


def make_tools(a, corpus):
    peers = a.peers
    ref = os.path.join(peers, 'reference-patterns.rg')
    fmt = ['-f', 'jsonl'] if corpus == 'jsonl' and a.jsonl_format == 'jsonl' else []
    fmt_s = ' -f jsonl' if fmt else ''
    perl_script = open(os.path.join(peers, 'patterns.pl')).read()
    rel = os.path.relpath
    tools = [
        Tool('cat', 'cat | cat (the limit)', ['bash', '-c', 'cat | cat'], 'cat < IN | cat > OUT', 'limit'),
        Tool('piiscrub-j1', 'piiscrub -j 1', [a.bin, '-j', '1'] + fmt, 'piiscrub -j 1%s < IN > OUT' % fmt_s,
             'piiscrub'),
        Tool('piiscrub-j2', 'piiscrub -j 2', [a.bin, '-j', '2'] + fmt, 'piiscrub -j 2%s < IN > OUT' % fmt_s,
             'piiscrub'),
        Tool('rg', 'ripgrep --passthru -r',
             ['rg', '--no-config', '--passthru', '-N', '--color', 'never', '-f', ref, '-r', '[REDACTED]'],
             "rg --no-config --passthru -N --color never -f %s -r '[REDACTED]' < IN > OUT" % rel(ref), 'peer'),
        Tool('sed', 'sed -E', ['sed', '-E', '-f', os.path.join(peers, 'patterns.sed')],
             'sed -E -f %s < IN > OUT' % rel(os.path.join(peers, 'patterns.sed')), 'peer'),
        Tool('perl', 'perl -pe', ['perl', '-pe', perl_script],
             'perl -pe "$(cat %s)" < IN > OUT' % rel(os.path.join(peers, 'patterns.pl')), 'peer'),
        Tool('python', 'Python re.sub loop', [a.python, os.path.join(peers, 're_sub.py'), ref],
             'python3 %s %s < IN > OUT' % (rel(os.path.join(peers, 're_sub.py')), rel(ref)), 'peer'),
    ]
    if a.tools:
        keep = set(a.tools.split(','))
        tools = [t for t in tools if t.key in keep]
    return tools


def run_once(argv, infile, outfile, errfile, env, timeout):
    """Wall seconds, CPU seconds (user+sys of all waited children) and exit status of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(infile, 'rb') as fi, open(outfile, 'wb') as fo, open(errfile, 'ab') as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdin=fi, stdout=fo, stderr=fe, env=env)
        # A blocking wait, with a watchdog for the timeout: Popen.wait(timeout=...) polls with sleeps of up to 50 ms,
        # which rounded every time up to the next 50 ms step.
        expired = threading.Event()
        def kill():
            expired.set()
            p.kill()
        watchdog = threading.Timer(timeout, kill)
        watchdog.start()
        try:
            rc = p.wait()
        finally:
            watchdog.cancel()
            if p.poll() is None:  # we are being stopped: leave no child behind
                p.kill()
                p.wait()
        t1 = time.perf_counter()
        if expired.is_set():
            rc = 'timeout'

    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return t1 - t0, cpu, rc


def count_marks(path):
    n = 0
    tail = b''
    with open(path, 'rb') as f:
        while True:
            block = f.read(1 << 24)
            if not block:
                break
            buf = tail + block
            n += buf.count(MARK)
            # A marker cut by the block edge starts in the last len-1 bytes; one counted already cannot fit there.
            tail = buf[-(len(MARK) - 1):]
    return n


def same_file(a, b):
    if os.path.getsize(a) != os.path.getsize(b):
        return False
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        while True:
            x = fa.read(1 << 24)
            y = fb.read(1 << 24)
            if x != y:
                return False
            if not x:
                return True


def lines_differing(a, b):
    """How many lines of two outputs differ (outputs of the same input, so line for line), or -1 when their line
    counts differ."""
    n = 0
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        for x, y in zip(fa, fb):
            if x != y:
                n += 1
        if fa.read(1) or fb.read(1):
            return -1
    return n


def probe_jsonl(a, env):
    rec = b'{"id":"t","text":"mail jane.doe@mail.example.net\\nphone 212-555-0142","meta":{}}\n'
    try:
        p = subprocess.run([a.bin, '-j', '1', '-f', 'jsonl'], input=rec, capture_output=True, env=env, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return p.returncode == 0 and b'jane.doe' not in p.stdout and p.stdout.startswith(b'{')


def bench_corpus(a, corpus, path, env, results):
    tools = make_tools(a, corpus)
    size = os.path.getsize(path)
    rundir = os.path.join(a.out, 'run')
    os.makedirs(rundir, exist_ok=True)
    outs = {t.key: os.path.join(a.scratch, '%s.%s.out' % (corpus, t.key)) for t in tools}
    errs = {t.key: os.path.join(rundir, '%s.%s.err' % (corpus, t.key)) for t in tools}
    for e in errs.values():
        open(e, 'wb').close()
    # Every tool reads a copy in the scratch directory: on tmpfs its pages stay in memory, while a file's page cache
    # may be reclaimed between runs (this VM's DAMON pageout did, and put disk reads into some timings and not
    # others). Elsewhere, reading it once warms the page cache so the first tool timed does not pay for the disk.
    src = os.path.join(a.scratch, '%s.in' % corpus)
    shutil.copyfile(path, src)
    with open(src, 'rb') as f:
        while f.read(1 << 24):
            pass
    times = {t.key: [] for t in tools}
    cpus = {t.key: [] for t in tools}
    failed = {}
    load0 = loadavg()
    log('== %s: %s, %.1f MB, %d rounds, load average %s' % (corpus, os.path.basename(path), size / MB, a.runs, load0))
    for r in range(a.runs):
        order = tools[r % len(tools):] + tools[:r % len(tools)]
        for t in order:
            if t.key in failed:
                continue
            wall, cpu, rc = run_once(t.argv, src, outs[t.key], errs[t.key], env, a.timeout)
            ok = rc == 0 or (t.key == 'rg' and rc == 1)
            if not ok:
                failed[t.key] = 'exit status %s' % rc
                log('   %-12s round %d FAILED (%s); see %s' % (t.key, r + 1, failed[t.key], errs[t.key]))
                continue
            times[t.key].append(wall)
            cpus[t.key].append(cpu)
            log('   round %d/%d %-12s %8.3f s %8.1f MB/s' % (r + 1, a.runs, t.key, wall, size / MB / wall))
    rows = []
    for t in tools:
        row = {'key': t.key, 'label': t.label, 'command': t.display, 'kind': t.kind, 'runs': times[t.key],
               'cpu': cpus[t.key], 'failed': failed.get(t.key)}
        if times[t.key]:
            row['median_s'] = statistics.median(times[t.key])
            row['min_s'] = min(times[t.key])
            row['max_s'] = max(times[t.key])
            row['cpu_s'] = statistics.median(cpus[t.key])
            row['mb_s'] = size / MB / row['median_s']
        rows.append(row)
    # Checks on the outputs of the last round.
    checks = []
    byk = {r['key']: r for r in rows}
    if 'cat' in outs and not failed.get('cat'):
        byk['cat']['identical_to_input'] = same_file(path, outs['cat'])
        if not byk['cat']['identical_to_input']:
            checks.append('cat output differs from its input: the harness is broken')
    for t in tools:
        if t.kind == 'peer' and not failed.get(t.key):
            n = count_marks(outs[t.key])
            byk[t.key]['redacted'] = n
            if n == 0:
                checks.append('%s redacted nothing: its numbers do not count' % t.key)
            if t.key != 'rg' and 'rg' in outs and not failed.get('rg'):
                same = same_file(outs[t.key], outs['rg'])
                byk[t.key]['same_as_rg'] = same
                if not same:
                    byk[t.key]['lines_differing_from_rg'] = lines_differing(outs[t.key], outs['rg'])
    if 'piiscrub-j1' in outs and 'piiscrub-j2' in outs and not failed.get('piiscrub-j1') \
            and not failed.get('piiscrub-j2'):
        same = same_file(outs['piiscrub-j1'], outs['piiscrub-j2'])
        byk['piiscrub-j2']['same_as_j1'] = same
        if not same:
            checks.append('piiscrub -j 2 output differs from -j 1 (it must be byte-identical)')
    # piiscrub's own count of what it redacted: one more, untimed run with --stats.
    pt = next((t for t in tools if t.kind == 'piiscrub' and not failed.get(t.key)), None)
    stats = None
    if pt:
        stats_file = os.path.join(rundir, '%s.stats.json' % corpus)
        argv = pt.argv[:1] + ['--stats=' + stats_file, '--profile'] + pt.argv[1:]
        _, _, rc = run_once(argv, path, outs[pt.key], errs[pt.key], env, a.timeout)
        try:
            stats = json.load(open(stats_file))
        except (OSError, ValueError):
            stats = None
        if stats is not None:
            stats['profile'] = parse_profile(errs[pt.key])
        if rc != 0 or not stats:
            checks.append('piiscrub --stats run failed (exit %s)' % rc)
        else:
            for t in tools:
                if t.kind == 'piiscrub' and not failed.get(t.key):
                    byk[t.key]['redacted'] = stats.get('findings')
            if not stats.get('findings'):
                checks.append('piiscrub redacted nothing')
            if same_file(path, outs[pt.key]):
                checks.append('piiscrub output is identical to its input')
    for t in tools:
        if failed.get(t.key):
            checks.append('%s failed: %s (stderr in %s)' % (t.key, failed[t.key], os.path.relpath(errs[t.key])))
    for o in list(outs.values()) + [src]:
        if os.path.exists(o):
            os.unlink(o)
    rg = byk.get('rg', {}).get('mb_s')
    for r in rows:
        if rg and r.get('mb_s'):
            r['x_rg'] = r['mb_s'] / rg
    results['corpora'][corpus] = {'file': os.path.basename(path), 'bytes': size, 'rows': rows, 'checks': checks,
                                  'stats': stats, 'load': (load0, loadavg())}
    for c in checks:
        log('   CHECK: ' + c)
    for r in rows:
        if r.get('mb_s'):
            log('   %-12s %8.1f MB/s  x rg %s  redacted %s' % (r['key'], r['mb_s'],
                                                               '%.2f' % r['x_rg'] if r.get('x_rg') else '-',
                                                               r.get('redacted', '-')))


def make_big(a):
    src = os.path.join(a.out, 'prose.txt')
    big = os.path.join(a.out, 'prose-1GiB.txt')
    if os.path.exists(big) and os.path.getsize(big) == GIB and os.path.getmtime(big) >= os.path.getmtime(src):
        return big
    data = open(src, 'rb').read()
    left = GIB
    with open(big + '.tmp', 'wb') as f:
        while left > 0:
            chunk = data[:left]
            f.write(chunk)
            left -= len(chunk)
    os.replace(big + '.tmp', big)
    return big


def bench_rss(a, env, results):
    big = make_big(a)
    out = os.path.join(a.scratch, 'rss.out')
    rows = []
    for j in (1, 2):
        argv = ['/usr/bin/time', '-f', 'PSBENCH %M %e', a.bin, '-j', str(j)]
        with open(big, 'rb') as fi, open(out, 'wb') as fo:
            try:
                p = subprocess.run(argv, stdin=fi, stdout=fo, stderr=subprocess.PIPE, env=env, timeout=a.timeout)
            except subprocess.TimeoutExpired:
                p = subprocess.CompletedProcess(argv, 'timeout', b'', b'timed out')
        m = re.search(rb'PSBENCH (\d+) ([0-9.]+)', p.stderr)
        row = {'threads': j, 'exit': p.returncode, 'command': 'piiscrub -j %d < prose-1GiB.txt > OUT' % j}
        if m and p.returncode == 0:
            row['rss_kib'] = int(m.group(1))
            row['wall_s'] = float(m.group(2))
            row['mb_s'] = GIB / MB / row['wall_s'] if row['wall_s'] else None
            log('   rss -j %d: %.1f MiB peak, %.2f s' % (j, row['rss_kib'] / 1024, row['wall_s']))
        else:
            log('   rss -j %d FAILED: exit %s %s' % (j, p.returncode, p.stderr[-300:].decode('utf-8', 'replace')))
        rows.append(row)
    os.unlink(out)
    if not a.keep_big:
        os.unlink(big)
    results['rss'] = {'input_bytes': GIB, 'rows': rows}


def bench_startup(a, env, results):
    out = os.path.join(a.scratch, 'startup.out')
    res = {}
    for key, argv in (('piiscrub', [a.bin]), ('true', ['/bin/true'])):
        ts = []
        err = out + '.err'
        open(err, 'wb').close()
        for _ in range(a.startup_runs):
            wall, _, rc = run_once(argv, '/dev/null', out, err, env, 60)
            if rc != 0:
                res[key + '_failed'] = 'exit %s' % rc
                break
            ts.append(wall)
        if ts:
            res[key + '_ms'] = statistics.median(ts) * 1000
            res[key + '_min_ms'] = min(ts) * 1000
        os.unlink(err)
    if os.path.exists(out):
        os.unlink(out)
    res['runs'] = a.startup_runs
    results['startup'] = res
    log('   start-up: piiscrub %s ms, /bin/true %s ms (medians of %d)' % (
        '%.2f' % res['piiscrub_ms'] if 'piiscrub_ms' in res else 'FAILED',
        '%.2f' % res['true_ms'] if 'true_ms' in res else '?', a.startup_runs))


def machine(a):
    lscpu = sh(['lscpu'])
    info = {}
    for line in lscpu.splitlines():
        k, _, v = line.partition(':')
        info[k.strip()] = v.strip()
    mem = ''
    try:
        for line in open('/proc/meminfo'):
            if line.startswith('MemTotal:'):
                mem = '%.1f GiB' % (int(line.split()[1]) / 1024 / 1024)
    except OSError:
        pass
    osname = ''
    try:
        for line in open('/etc/os-release'):
            if line.startswith('PRETTY_NAME='):
                osname = line.split('=', 1)[1].strip().strip('"')
    except OSError:
        pass
    build = {}
    cache = os.path.join(a.build_dir, 'CMakeCache.txt') if a.build_dir else ''
    if cache and os.path.exists(cache):
        for line in open(cache):
            m = re.match(r'(CMAKE_BUILD_TYPE|CMAKE_C_FLAGS_RELEASE|CMAKE_C_COMPILER):[A-Z]+=(.*)', line)
            if m:
                build[m.group(1)] = m.group(2)
    cc = build.get('CMAKE_C_COMPILER', 'cc')
    rules = sh([a.bin, '--list-rules']).splitlines()[1:]
    packs = sorted({ln.split()[1] for ln in rules if len(ln.split()) > 1})
    return {
        'rules': '%d rules in %d built-in packs (%s)' % (len(rules), len(packs), ', '.join(packs)) if rules else '?',
        'cpu': info.get('Model name', platform.processor() or '?'),
        'cpus': info.get('CPU(s)', str(os.cpu_count())),
        'threads_per_core': info.get('Thread(s) per core', '?'),
        'cores_per_socket': info.get('Core(s) per socket', '?'),
        'sockets': info.get('Socket(s)', '?'),
        'l3': info.get('L3 cache', '?'),
        'memory': mem,
        'kernel': platform.release(),
        'os': osname,
        'versions': {
            'piiscrub': first_line(sh([a.bin, '--version'])),
            'ripgrep': first_line(sh(['rg', '--version'])),
            'sed': first_line(sh(['sed', '--version'])),
            'perl': sh(['perl', '-e', 'print "perl $^V"']),
            'python': first_line(sh([a.python, '--version'])),
            'cat': first_line(sh(['cat', '--version'])),
            'compiler': first_line(sh([cc, '--version'])),
        },
        'build': build,
    }


# --------------------------------------------------------------------------------------------------------------------
# RESULTS.md


def fmt(x, spec):
    return spec % x if isinstance(x, (int, float)) else '–'


def cell(s):
    """Text for a table cell: GFM splits cells on every unescaped pipe, even inside a code span."""
    return s.replace('|', '\\|')


def verdict(ok):
    return 'met' if ok else '**not met**'


def write_results(a, results):
    m = results['machine']
    v = m['versions']
    L = []
    w = L.append
    w('# piiscrub throughput benchmark — results')
    w('')
    w('Generated by `%s` on %s (%s). Do not edit by hand: rerun the command.' % (
        a.command, results['date'], results['duration']))
    w('Method, corpora and peers: [README.md](README.md). Numbers move while the engine is being worked on; compare '
      'ratios measured in one run, not MB/s across machines.')
    w('')
    loads = [results['load_before'], results['load_after']] + [x for c in results['corpora'].values()
                                                                 for x in c.get('load', ())]
    try:
        busiest = max(float(x) for x in loads)
    except ValueError:
        busiest = 0.0
    ncpu = os.cpu_count() or 1
    if busiest > 0.5 * ncpu + 1:
        w('> **The machine was busy during this run** (1-minute load average up to %.2f on %d CPUs, from other '
          'processes): every number below is pessimistic and noisy, `-j 2` most of all, since it needs a free second '
          'core. Rerun on an idle machine before drawing conclusions from small differences.' % (busiest, ncpu))
        w('')
    w('## Machine')
    w('')
    w('| | |')
    w('|---|---|')
    w('| CPU | %s |' % m['cpu'])
    w('| cores | %s logical CPU(s): %s socket(s) × %s core(s) × %s thread(s); L3 %s |' % (
        m['cpus'], m['sockets'], m['cores_per_socket'], m['threads_per_core'], m['l3']))
    w('| memory | %s |' % m['memory'])
    w('| OS, kernel | %s, Linux %s |' % (m['os'], m['kernel']))
    w('| load average (1 min) before / after | %s / %s |' % (results['load_before'], results['load_after']))
    w('| piiscrub | %s, %s build (`%s`), %s |' % (v['piiscrub'], m['build'].get('CMAKE_BUILD_TYPE', '?'),
                                                   m['build'].get('CMAKE_C_FLAGS_RELEASE', '?'), v['compiler']))
    if m.get('rules'):
        w('| piiscrub rules | %s |' % m['rules'])
    w('| peers | %s; %s; %s; %s; %s |' % (v['ripgrep'], v['sed'], v['perl'], v['python'], v['cat']))
    w('')
    w('## Throughput')
    w('')
    w('Median of %d runs per tool, tools alternating round-robin within each round; wall time of the whole process, '
      'stdin from a copy of the corpus and stdout to a file, both in `%s`; MB = 10^6 bytes; all tools run with `LC_ALL=C`. '
      '"× rg" is MB/s relative to ripgrep on the same corpus in the same run. "redacted" counts `[REDACTED]` '
      'markers in a peer\'s output, and piiscrub\'s own `--stats` findings for piiscrub (its tags name the entity, and '
      'its default packs differ from the 15 reference patterns, so the counts are not expected to agree).' % (
          a.runs, results['scratch']))
    w('')
    w('Each peer\'s output is compared with ripgrep\'s: "= rg\'s" means byte-identical; "N lines ≠ rg\'s" means '
      'the same job with another overlap rule: where two patterns overlap (say a card number run on from an SSN), '
      'sed, Perl and Python apply the patterns one after another in file order, ripgrep takes the leftmost match '
      'of their union.')
    w('')
    for corpus, _, desc in CORPORA:
        c = results['corpora'].get(corpus)
        if not c:
            continue
        w('### %s — %s (%.1f MB, `bench/out/%s`)' % (corpus, desc, c['bytes'] / MB, c['file']))
        w('')
        if c.get('load'):
            w('Load average (1 min) when this corpus started / ended: %s / %s.' % tuple(c['load']))
            w('')
        w('| tool | MB/s | × rg | median s | min–max s | CPU s | redacted | command |')
        w('|---|---:|---:|---:|---:|---:|---:|---|')
        for r in c['rows']:
            if r.get('failed'):
                w('| %s | FAILED | | | | | | `%s` — %s |' % (cell(r['label']), cell(r['command']), r['failed']))
                continue
            red = r.get('redacted')
            note = ''
            if r.get('same_as_rg') is True:
                note = ' (output = rg\'s)'
            elif r.get('same_as_rg') is False:
                d = r.get('lines_differing_from_rg')
                if d is None or d < 0:
                    note = ' (output ≠ rg\'s)'
                else:
                    note = ' (%d line%s ≠ rg\'s)' % (d, '' if d == 1 else 's')
            if r.get('same_as_j1') is True:
                note = ' (output = -j 1\'s)'
            w('| %s | %s | %s | %s | %s–%s | %s | %s%s | `%s` |' % (
                cell(r['label']), fmt(r.get('mb_s'), '%.1f'), fmt(r.get('x_rg'), '%.2f'),
                fmt(r.get('median_s'), '%.3f'),
                fmt(r.get('min_s'), '%.3f'), fmt(r.get('max_s'), '%.3f'), fmt(r.get('cpu_s'), '%.2f'),
                red if red is not None else '–', note, cell(r['command'])))
        w('')
        if corpus == 'jsonl':
            if a.jsonl_format == 'jsonl':
                w('piiscrub ran with `-f jsonl` here (it decodes the JSON strings and scans only them); the peers '
                  'rewrite the raw bytes.')
            else:
                w('piiscrub ran in text mode here (%s), rewriting raw bytes like the peers.' % a.jsonl_note)
            w('')
        for chk in c['checks']:
            w('- **check:** %s' % chk)
        if c['checks']:
            w('')
    w('## Ratios')
    w('')
    w('| corpus | piiscrub -j 1 ÷ rg | piiscrub -j 2 ÷ rg | piiscrub -j 2 ÷ -j 1 | sed ÷ rg | perl ÷ rg '
      '| Python ÷ rg |')
    w('|---|---:|---:|---:|---:|---:|---:|')
    ratios = {}
    for corpus, _, _ in CORPORA:
        c = results['corpora'].get(corpus)
        if not c:
            continue
        byk = {r['key']: r for r in c['rows']}

        def x(k):
            return byk.get(k, {}).get('x_rg')
        j1 = byk.get('piiscrub-j1', {}).get('mb_s')
        j2 = byk.get('piiscrub-j2', {}).get('mb_s')
        scale = j2 / j1 if j1 and j2 else None
        ratios[corpus] = {'j1_rg': x('piiscrub-j1'), 'j2_rg': x('piiscrub-j2'), 'j2_j1': scale}
        w('| %s | %s | %s | %s | %s | %s | %s |' % (corpus, fmt(x('piiscrub-j1'), '%.2f'),
                                                    fmt(x('piiscrub-j2'), '%.2f'),
                                                    fmt(scale, '%.2f'), fmt(x('sed'), '%.3f'), fmt(x('perl'), '%.3f'),
                                                    fmt(x('python'), '%.3f')))
    w('')
    w('## Memory: peak RSS on a 1 GiB input')
    w('')
    rss = results.get('rss')
    if not rss:
        w('Not measured in this run (BENCH_SKIP_RSS=1).')
    else:
        w('`/usr/bin/time -f %M`, input = the prose corpus repeated to 1 GiB, output to a file.')
        w('')
        w('| command | peak RSS | wall s | MB/s |')
        w('|---|---:|---:|---:|')
        for r in rss['rows']:
            if 'rss_kib' in r:
                w('| `%s` | %.1f MiB | %.2f | %s |' % (r['command'], r['rss_kib'] / 1024, r['wall_s'],
                                                     fmt(r.get('mb_s'), '%.1f')))
            else:
                w('| `%s` | FAILED (exit %s) | | |' % (r['command'], r['exit']))
    w('')
    w('## Start-up')
    w('')
    s = results.get('startup', {})
    w('Median of %s runs of `piiscrub < /dev/null` (loads and compiles the built-in packs, reads nothing): '
      '**%s ms** (fastest %s ms). The same harness runs `/bin/true` in %s ms, so that much is fork/exec and '
      'measurement overhead.' % (s.get('runs'), fmt(s.get('piiscrub_ms'), '%.2f'),
                                 fmt(s.get('piiscrub_min_ms'), '%.2f'),
                                 fmt(s.get('true_ms'), '%.2f')))
    w('')
    w('## Targets of issue 4')
    w('')
    w('| target | measured | |')
    w('|---|---:|---|')

    def target(name, val, ok, spec):
        w('| %s | %s | %s |' % (name, fmt(val, spec), verdict(ok) if val is not None else 'not measured'))
    p = ratios.get('prose', {})
    lg = ratios.get('logs', {})
    target('prose: piiscrub -j 1 ≥ 1.5 × rg', p.get('j1_rg'), (p.get('j1_rg') or 0) >= 1.5, '%.2f ×')
    target('logs: piiscrub -j 1 ≥ 1.0 × rg', lg.get('j1_rg'), (lg.get('j1_rg') or 0) >= 1.0, '%.2f ×')
    target('prose: -j 2 ≥ 1.8 × -j 1', p.get('j2_j1'), (p.get('j2_j1') or 0) >= 1.8, '%.2f ×')
    target('logs: -j 2 ≥ 1.8 × -j 1', lg.get('j2_j1'), (lg.get('j2_j1') or 0) >= 1.8, '%.2f ×')
    rss2 = None
    if rss:
        rss2 = next((r.get('rss_kib') for r in rss['rows'] if r['threads'] == 2), None)
    target('peak RSS at -j 2 ≤ 64 MiB', rss2 / 1024 if rss2 else None, rss2 is not None and rss2 <= 64 * 1024,
           '%.1f MiB')
    su = s.get('piiscrub_ms')
    target('start-up ≤ 20 ms', su, su is not None and su <= 20, '%.2f ms')
    w('')
    w('## Multi-pattern prefilter')
    w('')
    w('piiscrub finds, in one SIMD pass per block, a trigger that each rule\'s matches must bring (a rare byte, a digit, '
      'a long run of the bytes a match is made of, a keyword or a required context word), and scans only the records '
      'that hold one. Vectorscan in prefilter mode was measured as the alternative and left out: with these 67 rules '
      'it takes 93-122 s to compile and its line-by-line candidate search alone costs more than piiscrub\'s whole run; '
      'see [vectorscan/README.md](vectorscan/README.md) (`bash bench/vectorscan/run.sh`).')
    w('')
    w('## Per-rule cost')
    w('')
    profiled = [(cc, ((results['corpora'].get(cc) or {}).get('stats') or {}).get('profile') or [])
                for cc, _, _ in CORPORA if cc in results['corpora']]
    if any(rows for _, rows in profiled):
        w('From `piiscrub --profile` (one untimed `-j 1`-style run per corpus; matching time only, all threads '
          'added up): the 12 most expensive rules. "runs" = records the prefilter and the rule\'s gates (byte '
          'classes, minimum length, keywords, context words, digits and runs of its bytes) let through to its regex '
          '— a rule that runs on every record and finds nothing is the one to tighten. "regex calls per run" = '
          'searches of the windows where a match can start (0 when none is left in a record). "search starts" = where in a '
          'record its regex is started (only near a byte every match holds, or anywhere). "trigger" = what the '
          'record prefilter looks for on the rule\'s behalf.')
        w('')
        for cc, rows in profiled:
            if not rows:
                continue
            w('**%s**' % cc)
            w('')
            w('| rule | share of match time | ms | runs | ns per run | regex calls per run | findings | search starts '
              '| trigger |')
            w('|---|---:|---:|---:|---:|---:|---:|---|---|')
            for r in rows[:12]:
                calls = r.get('calls_per_run')
                w('| %s | %.1f %% | %.1f | %d | %d | %s | %d | %s | %s |' % (
                    r['rule'], r['share'], r['ms'], r['runs'], r['ns_per_run'], '–' if calls is None else '%.2f' % calls,
                    r['findings'], r.get('search', ''), r.get('trigger', '')))
            w('')
    else:
        w('**Not measured.** (%s)' % results['profile_note'])
        w('')
    w('What piiscrub did find, per rule (`--stats`, one untimed run of each corpus) — counts, not costs:')
    w('')
    rule_ids = []
    for corpus, _, _ in CORPORA:
        st = (results['corpora'].get(corpus) or {}).get('stats') or {}
        for k in (st.get('rules') or {}):
            if k not in rule_ids:
                rule_ids.append(k)
    present = [cc for cc, _, _ in CORPORA if cc in results['corpora']]
    w('| rule | ' + ' | '.join(present) + ' |')
    w('|---|' + '---:|' * len(present))
    for rid in rule_ids:
        w('| %s | %s |' % (rid, ' | '.join(str(((results['corpora'][cc].get('stats') or {}).get('rules') or {})
                                               .get(rid, 0)) for cc in present)))
    w('')
    w('## Corpora')
    w('')
    man = results.get('manifest') or {}
    w('Generated by `bench/gen_corpus.py --mb %s --seed %s` (deterministic for a given seed and package versions).' % (
        man.get('mb'), man.get('seed')))
    w('')
    w('| corpus | bytes | lines / records | planted PII |')
    w('|---|---:|---:|---|')
    for k, c in sorted((man.get('corpora') or {}).items()):
        n = c.get('records') or c.get('lines')
        w('| %s | %d | %s | %s |' % (k, c['bytes'], n, ', '.join('%s %d' % kv for kv in sorted(c['planted'].items()))))
    w('')
    srcs = man.get('sources') or {}
    if srcs:
        w('Prose sources: ' + '; '.join('%s (documents: %d, %.1f MB, weight %.2f)' % (
            k, s2['documents'], s2['bytes'] / MB, s2['weight']) for k, s2 in sorted(srcs.items())) + '.')
        w('')
    with open(a.results, 'w') as f:
        f.write('\n'.join(L))


def parse_profile(path):
    """Rows of `piiscrub --profile`'s table (stderr): rule, share %, ms, runs, ns per run, regex calls per run
    (newer binaries), findings, and the rule's search start and prefilter trigger when the binary prints them."""
    rows = []
    try:
        for line in open(path, encoding='utf-8', errors='replace'):
            m = re.match(r'^(\S+)\s+([\d.]+)%\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(?:(\d+\.\d+)\s+)?(\d+)(?:\s+(\S.*?))?\s*$',
                         line)
            if m:
                # the last columns, two spaces apart: where the search starts (newer binaries), the trigger
                tail = re.split(r'\s{2,}', m.group(8) or '')
                rows.append({'rule': m.group(1), 'share': float(m.group(2)), 'ms': float(m.group(3)),
                             'runs': int(m.group(4)), 'ns_per_run': int(m.group(5)),
                             'calls_per_run': float(m.group(6)) if m.group(6) else None, 'findings': int(m.group(7)),
                             'search': tail[0] if len(tail) > 1 else '', 'trigger': tail[-1]})
    except OSError:
        pass
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--render-only', action='store_true',
                    help='rewrite --results from OUT/results.json of the last run, measuring nothing')
    ap.add_argument('--bin', default='', help='the piiscrub binary')
    ap.add_argument('--out', required=True, help='directory holding the corpora (bench/out)')
    ap.add_argument('--peers', required=True)
    ap.add_argument('--results', required=True, help='the RESULTS.md to write')
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--startup-runs', type=int, default=20)
    ap.add_argument('--python', default=sys.executable, help='interpreter for the Python peer')
    ap.add_argument('--build-dir', default='')
    ap.add_argument('--skip-rss', action='store_true')
    ap.add_argument('--keep-big', action='store_true', help='keep the 1 GiB input for the next run')
    ap.add_argument('--jsonl-format', default='auto', choices=['auto', 'jsonl', 'text'])
    ap.add_argument('--tools', default='',
                    help='comma-separated subset: cat,piiscrub-j1,piiscrub-j2,rg,sed,perl,python')
    ap.add_argument('--corpora', default='', help='comma-separated subset: prose,logs,jsonl')
    ap.add_argument('--timeout', type=float, default=1800, help='seconds before one run is killed')
    ap.add_argument('--command', default='bash bench/run.sh')
    ap.add_argument('--scratch', default='', help='directory for the outputs (default: OUT/run); tmpfs avoids '
                    'disk write-back noise')
    a = ap.parse_args()
    if a.render_only:
        results = json.load(open(os.path.join(a.out, 'results.json')))
        for k, v in results.get('args', {}).items():
            setattr(a, k, v)
        write_results(a, results)
        log('wrote %s' % a.results)
        return
    if not a.bin:
        sys.exit('measure.py: --bin is required')
    # Stopped by a signal: unwind through the finally blocks, which kill the running child and clean up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit('measure.py: stopped'))
    signal.signal(signal.SIGHUP, lambda *_: sys.exit('measure.py: stopped'))
    a.bin = os.path.abspath(a.bin)
    a.peers = os.path.abspath(a.peers)
    if a.runs < 1:
        sys.exit('measure.py: --runs must be at least 1')
    env = dict(os.environ, LC_ALL='C')
    env.pop('RIPGREP_CONFIG_PATH', None)
    started = time.time()
    results = {'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'),
               'machine': machine(a), 'corpora': {}, 'load_before': loadavg()}
    a.jsonl_note = ''
    if a.jsonl_format == 'auto':
        if probe_jsonl(a, env):
            a.jsonl_format = 'jsonl'
        else:
            a.jsonl_format = 'text'
            a.jsonl_note = '`-f jsonl` is not working in this build yet'
    else:
        a.jsonl_note = 'BENCH_JSONL_FORMAT=text'
    helptext = sh([a.bin, '--help'])
    if '--profile' in helptext:
        results['profile_note'] = '`--profile` output could not be read'
    else:
        results['profile_note'] = '`piiscrub --help` lists no `--profile`; `--stats` gives findings per rule only'
    try:
        results['manifest'] = json.load(open(os.path.join(a.out, 'corpora.json')))
    except (OSError, ValueError):
        results['manifest'] = {}
    want = set(a.corpora.split(',')) if a.corpora else None
    base = a.scratch or os.path.join(a.out, 'run')
    os.makedirs(base, exist_ok=True)
    a.scratch = os.path.join(base, 'piiscrub-bench.%d' % os.getpid())
    os.makedirs(a.scratch)
    results['scratch'] = base
    try:
        for corpus, fname, _ in CORPORA:
            if want and corpus not in want:
                continue
            path = os.path.join(a.out, fname)
            if not os.path.exists(path):
                sys.exit('measure.py: %s is missing; run bench/run.sh' % path)
            bench_corpus(a, corpus, path, env, results)
        # Start-up before the 1 GiB runs: right after them the machine is still writing that output back, which
        # added ~9 ms to a 16 ms start-up in one run.
        log('== start-up')
        bench_startup(a, env, results)
        if not a.skip_rss and os.path.exists(os.path.join(a.out, 'prose.txt')):
            log('== peak RSS, 1 GiB input')
            bench_rss(a, env, results)
    finally:
        shutil.rmtree(a.scratch, ignore_errors=True)
    results['load_after'] = loadavg()
    results['duration'] = 'took %.0f min' % ((time.time() - started) / 60)
    results['args'] = {'command': a.command, 'runs': a.runs, 'jsonl_format': a.jsonl_format,
                       'jsonl_note': a.jsonl_note}
    with open(os.path.join(a.out, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1, default=str)
    write_results(a, results)
    log('wrote %s' % a.results)


if __name__ == '__main__':
    main()
