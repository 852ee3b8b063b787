#!/usr/bin/python3
"""Throughput of the Python binding against the CLI on the same data, rules and thread count.

    /usr/bin/python3 python/bench.py --bin build/piiscrub [--mb 50] [--threads 1,2] [--runs 3] [--rules FILE]

Corpora: the first MB of bench/out/prose.txt and bench/out/records.jsonl when they exist (bash bench/run.sh makes
them), else generated text. The CLI is timed as a process (stdin from the file, stdout to a file in /dev/shm when
there is room); the binding on lines already in memory, output as a list (what a Python pipeline holds); scrub_file
file to file. Every result is checked byte for byte against the CLI's output. Median of --runs runs.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
sys.path.insert(0, HERE)


def corpus(name, mb, tmp):
    """The first `mb` MB of bench/out/<name> cut at a line end, or generated lines with planted PII."""
    path = os.path.join(tmp, name)
    want = int(mb * 1e6)
    src = os.path.join(SRC, "bench", "out", name)
    if os.path.exists(src) and os.path.getsize(src) >= want:
        with open(src, "rb") as f:
            data = f.read(want)
        data = data[:data.rfind(b"\n") + 1]
    else:
        rng = random.Random(7)
        words = "the of and to in is was for on that with as by it at from this be are an or".split()
        out = []
        n = 0
        while n < want:
            w = [rng.choice(words) for _ in range(rng.randint(4, 14))]
            if rng.random() < 0.05:
                w.insert(rng.randint(0, len(w)), "user%d@mail.example.net" % rng.randint(1, 9999))
            line = " ".join(w)
            if name.endswith(".jsonl"):
                line = '{"id": %d, "text": "%s"}' % (len(out), line)
            out.append(line)
            n += len(line) + 1
        data = ("\n".join(out) + "\n").encode()
    with open(path, "wb") as f:
        f.write(data)
    return path, data


def median_time(fn, runs):
    times = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(SRC, "build", "piiscrub"))
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rules", action="append", help="rule file or directory (default: the built-in packs)")
    ap.add_argument("--short", type=int, default=100000, help="redact() calls for the per-call overhead")
    args = ap.parse_args()
    os.environ.setdefault("PIISCRUB_LIBRARY", os.path.join(os.path.dirname(os.path.abspath(args.bin)),
                                                           "libpiiscrub.so"))
    import piiscrub

    scratch = "/dev/shm" if os.path.isdir("/dev/shm") and os.statvfs("/dev/shm").f_bavail * os.statvfs(
        "/dev/shm").f_frsize > 6 * args.mb * 1e6 else None
    rules_args = [a for r in (args.rules or []) for a in ("-r", r)]
    print("# piiscrub %s, library %s, %d CPUs, load %.2f; %s; %.0f MB per corpus; median of %d" % (
        piiscrub.version(), piiscrub.library_path(), os.cpu_count(), os.getloadavg()[0],
        "rules " + ", ".join(args.rules) if args.rules else "built-in packs", args.mb, args.runs))
    print("| corpus | -j | CLI MB/s | redact_lines / _jsonl MB/s | % of CLI | redact(whole str) MB/s | % of CLI "
          "| scrub_file MB/s | % of CLI |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        for name, fmt in (("prose.txt", "text"), ("records.jsonl", "jsonl")):
            path, data = corpus(name, args.mb, tmp)
            mb = len(data) / 1e6
            lines = data.decode("utf-8", "surrogateescape").split("\n")[:-1]
            out_path = os.path.join(tmp, "out")
            for j in [int(x) for x in args.threads.split(",")]:
                cmd = [args.bin, "-j", str(j), "-f", fmt] + rules_args

                def cli():
                    with open(path, "rb") as i, open(out_path, "wb") as o:
                        subprocess.run(cmd, stdin=i, stdout=o, check=True)
                    with open(out_path, "rb") as o:
                        return o.read()

                t_cli, expected = median_time(cli, args.runs)
                s = piiscrub.Scrubber(rules=args.rules, threads=j)
                batch = s.redact_lines if fmt == "text" else s.redact_jsonl
                t_py, got = median_time(lambda: batch(lines), args.runs)
                assert ("\n".join(got) + "\n").encode("utf-8", "surrogateescape") == expected, "batch != CLI"
                got = None
                t_text = float("nan")
                if fmt == "text":
                    whole = data.decode("utf-8", "surrogateescape")
                    t_text, got = median_time(lambda: s.redact(whole), args.runs)
                    assert got.encode("utf-8", "surrogateescape") == expected, "redact(whole) != CLI"
                    got = whole = None
                t_file, _ = median_time(lambda: s.scrub_file(path, out_path, format=fmt), args.runs)
                with open(out_path, "rb") as o:
                    assert o.read() == expected, "scrub_file != CLI"
                print("| %s | %d | %.1f | %.1f | %.0f %% | %.1f | %.0f %% | %.1f | %.0f %% |" % (
                    name, j, mb / t_cli, mb / t_py, 100 * t_cli / t_py, mb / t_text, 100 * t_cli / t_text,
                    mb / t_file, 100 * t_cli / t_file))
        s = piiscrub.Scrubber(rules=args.rules)
        short = "call jane.doe@mail.example.net about order 42"
        n = args.short
        t = time.perf_counter()
        for _ in range(n):
            s.redact(short)
        t_call = (time.perf_counter() - t) / n
        clean = "nothing to see here, order 42"
        t = time.perf_counter()
        for _ in range(n):
            s.redact(clean)
        t_clean = (time.perf_counter() - t) / n
        print("\nredact() on a %d-byte string: %.1f µs per call with a finding, %.1f µs without (%d calls)" % (
            len(short), t_call * 1e6, t_clean * 1e6, n))


if __name__ == "__main__":
    main()
