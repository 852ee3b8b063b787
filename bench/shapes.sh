#!/usr/bin/env bash
# Text shapes other than the bench's three, against ripgrep's replace mode with the reference patterns: where is
# piiscrub weak? Each shape is made from the first 10 MB of bench/out/prose.txt (run bench/run.sh first) or
# generated with a fixed seed, so the figures are comparable between runs.
# Usage: bash bench/shapes.sh [BIN] [RUNS]   (default: build-bench/piiscrub, 5 alternating runs, CPU medians)
#   one-line:   the prose with its newlines made spaces: one 10 MB record, scanned in windows
#   20k-lines:  the prose in lines of 20 KB (no newline inside): long whole records
#   base64:     lines of 76 base64 characters (PEM bodies, MIME parts): every line is a candidate
#   numbers:    a CSV of ids, amounts, dates, 10-digit numbers and IPv4 addresses
#   seq:        `seq 1 2000000`: two million tiny records of digits
#   mbox:       mail headers (From: with addresses, Date:, Message-ID:) and short body lines
#   crlf:       the prose with CRLF line ends
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build-bench/piiscrub}
RUNS=${2:-5}
[ -f bench/out/prose.txt ] || { echo "run bash bench/run.sh first (it makes bench/out/prose.txt)" >&2; exit 2; }
command -v rg >/dev/null || { echo "ripgrep (rg) is not installed" >&2; exit 2; }
shm=; [ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm
work=$(mktemp -d ${shm:+-p $shm})
trap 'rm -rf "$work"' EXIT
head -c 10000000 bench/out/prose.txt >"$work/prose"
python3 - "$work" <<'PY'
import base64, random, sys
d = sys.argv[1]
prose = open(d + "/prose", "rb").read()
open(d + "/one-line", "wb").write(prose.replace(b"\n", b" "))
flat = prose.replace(b"\n", b" ")
open(d + "/20k-lines", "wb").write(b"".join(flat[i:i + 20000] + b"\n" for i in range(0, len(flat), 20000)))
open(d + "/crlf", "wb").write(prose.replace(b"\n", b"\r\n"))
r = random.Random(7)
with open(d + "/base64", "w") as o:
    for _ in range(130000):
        o.write(base64.b64encode(r.randbytes(57)).decode() + "\n")
with open(d + "/numbers", "w") as o:
    for _ in range(200000):
        o.write(f"{r.randint(1, 10**6)},{r.random():.6f},2023-{r.randint(1, 12):02d}-{r.randint(1, 28):02d},"
                f"{r.randint(10**9, 10**10 - 1)},{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(0, 255)}."
                f"{r.randint(0, 255)},{r.randint(-10**5, 10**5)},{r.choice(['ok', 'fail', 'retry'])}\n")
with open(d + "/seq", "w") as o:
    o.write("".join(f"{i}\n" for i in range(1, 2000001)))
names = ["john", "mary", "li", "ana", "peter", "olga", "sam", "kim"]
doms = ["example.com", "mail.org", "corp.io", "uni.edu"]
words = "the meeting is at noon please call me thanks regards see attached".split()
with open(d + "/mbox", "w") as o:
    for _ in range(180000):
        k = r.random()
        if k < 0.3:
            o.write(f"From: {r.choice(names)}.{r.choice(names)}@{r.choice(doms)}\n")
        elif k < 0.4:
            o.write(f"Date: Mon, {r.randint(1, 28)} Oct 2023 {r.randint(0, 23):02d}:{r.randint(0, 59):02d}:00 +0200\n")
        elif k < 0.5:
            o.write(f"Message-ID: <{r.getrandbits(64):x}.{r.randint(1, 99999)}@{r.choice(doms)}>\n")
        else:
            o.write(" ".join(r.choice(words) for _ in range(r.randint(3, 14))) + "\n")
PY
if perf stat -x, -e task-clock true 2>/dev/null; then
    # (ripgrep exits 1 when nothing matched: that is not a failure here)
    t() { { perf stat -x, -e task-clock "$@" >/dev/null || true; } 2>&1 | tail -1 | cut -d, -f1 | cut -d. -f1; }
    unit="ms CPU"
else
    t() { local s e; s=$(date +%s%N); "$@" >/dev/null || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
    unit="ms"
fi
med() { printf '%s\n' "$@" | sort -n | sed -n "$(($# / 2 + 1))p"; }
rg_cmd=(rg --no-config --passthru -N --color never -f bench/peers/reference-patterns.rg -r '[REDACTED]')
echo "| shape | MB | piiscrub -j 1 ($unit) | ripgrep ($unit) | piiscrub / ripgrep speed |"
echo "|---|---:|---:|---:|---:|"
for shape in one-line 20k-lines base64 numbers seq mbox crlf; do
    A=() B=()
    for ((i = 0; i < RUNS; i++)); do
        A+=("$(t "$BIN" -j 1 <"$work/$shape")")
        B+=("$(t "${rg_cmd[@]}" <"$work/$shape")")
    done
    a=$(med "${A[@]}"); b=$(med "${B[@]}")
    mb=$(($(stat -c %s "$work/$shape") / 100000))
    echo "| $shape | $((mb / 10)).$((mb % 10)) | $a | $b | $((100 * b / (a > 0 ? a : 1))) % |"
done
