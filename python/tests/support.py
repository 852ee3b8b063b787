"""Shared by the binding's tests: where the CLI and the library are, running the CLI, generated corpora.

The tests compare the binding with the CLI byte for byte. They find the binary in $PIISCRUB_CLI (tests/cli/
test_python.sh sets it), else build/piiscrub in the source tree, and the library in $PIISCRUB_LIBRARY, else beside
the binary."""
import json
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PYDIR = os.path.dirname(HERE)
SRC = os.path.dirname(PYDIR)
CLI = os.environ.get("PIISCRUB_CLI") or os.path.join(SRC, "build", "piiscrub")
os.environ.setdefault("PIISCRUB_LIBRARY", os.path.join(os.path.dirname(os.path.abspath(CLI)), "libpiiscrub.so"))
os.environ.pop("PIISCRUB_KEY_FILE", None)  # a caller's key must not change what the tests see
sys.path.insert(0, PYDIR)

import piiscrub  # noqa: E402,F401  (re-exported to the tests)

SAMPLE = os.path.join(SRC, "corpus", "sample.txt")
RULES = os.path.join(SRC, "tests", "cli", "rules")
BAD = os.path.join(SRC, "tests", "cli", "bad")


def cli(args, data=None, stdin_path=None, check=True):
    """Runs the CLI. @return (exit status, stdout bytes, stderr text)."""
    if stdin_path is not None:
        with open(stdin_path, "rb") as f:
            p = subprocess.run([CLI] + list(args), stdin=f, capture_output=True)
    else:
        p = subprocess.run([CLI] + list(args), input=data or b"", capture_output=True)
    if check and p.returncode != 0:
        raise AssertionError("piiscrub %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr.decode()))
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def cli_supports(*args):
    """Whether this build of the CLI accepts the options (some arrive with other issues)."""
    rc, _, err = cli(list(args) + ["-f", "jsonl"], b"{}\n", check=False)
    return rc == 0


NAMES = ["Jane Doe", "Ana María Ortiz", "Émile Zola", "李小龙", "O'Brien"]


def pii(rng):
    return rng.choice([
        "jane.doe%d@mail.example.net" % rng.randint(0, 999),
        "(212) 555-01%02d" % rng.randint(0, 99),
        "4111 1111 1111 1111",
        "5555-5555-5555-4444",
        "219-45-7781",
        "203.0.113.%d" % rng.randint(1, 254),
        "M.Okafor+shop@mail.example.net",
    ])


def text_line(rng):
    words = ["call", "me", "at", "or", "mail", "the", "order", "é", "naïve", "日本", "ok", "card", "ssn", "ip"]
    parts = [rng.choice(words) for _ in range(rng.randint(0, 12))]
    for _ in range(rng.choice([0, 0, 1, 2])):
        parts.insert(rng.randint(0, len(parts)), pii(rng))
    return " ".join(parts)


def jsonl_corpus(n, seed=1):
    """n JSON lines (str) of several shapes, a few of them not JSON, as generated training data looks."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = rng.random()
        if r < 0.03:
            out.append("not json: " + text_line(rng))
            continue
        if r < 0.04:
            out.append("")
            continue
        rec = {
            "id": "doc-%05d" % i,
            "text": text_line(rng) + ("\n" + text_line(rng) if rng.random() < 0.3 else ""),
            "meta": {"lang": rng.choice(["en", "de", "fr"]), "consent": rng.choice(["yes", "yes", "no"]),
                     "author": {"name": rng.choice(NAMES), "email": pii(rng)}},
            "tags": [text_line(rng) for _ in range(rng.randint(0, 3))],
            "score": rng.random(),
        }
        if rng.random() < 0.2:
            del rec["meta"]["consent"]
        line = json.dumps(rec, ensure_ascii=rng.random() < 0.5)
        if rng.random() < 0.1:
            line = line.replace("@", "\\u0040")  # escapes are decoded for matching
        if rng.random() < 0.05:
            line += "\r"
        out.append(line)
    return out
