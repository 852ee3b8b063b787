#!/usr/bin/env bash
# JSONL throughput on the same text content as text mode (issue 5's target: >= 80 %), for three record shapes.
# Usage: bash bench/jsonl_ratio.sh [BIN] [MB]   (default: build-bench/piiscrub, 10 MB of bench/out/prose.txt)
#   lines:      one prose line per {"id","text","meta"} record (46 bytes of text in ~100: the worst case for JSONL)
#   paragraphs: 10 lines joined by spaces per record; text mode reads the same paragraphs, one per line
#   documents:  20 lines joined by "\n" per record (escaped in JSON); text mode reads the same documents as
#               NUL-separated records (-f nul): the same subjects, so a context word on the next line of a document
#               counts in both modes, and the same matches
#   documents-as-lines: the same JSONL against text mode reading the original lines, one record each (a cheaper
#               job: context words never reach over a line's edge)
#   records:    the first MB of the benchmark's training records (bench/out/records.jsonl, when there: an id, a text of
#               a few paragraphs, metadata strings), `--field text`, against their texts as NUL-separated records
#   records-all-strings: the same with every string scanned (ids and metadata too: more text than text mode reads)
# Each shape: medians of 11 alternating runs (task-clock from perf stat when present, else wall time) of text mode
# and of jsonl (every string scanned unless said); the ratio of the times, and the ratio of MB/s of each mode's input.
# JSONL_RATIO_METER=callgrind counts instructions instead (valgrind; one run each, start-up taken out).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build-bench/piiscrub}
MB=${2:-10}
[ -f bench/out/prose.txt ] || { echo "run bash bench/run.sh first (it makes bench/out/prose.txt)" >&2; exit 2; }
shm=; [ -d /dev/shm ] && [ -w /dev/shm ] && shm=/dev/shm # tmpfs: the inputs' pages are not reclaimed between runs
work=$(mktemp -d ${shm:+-p $shm})
trap 'rm -rf "$work"' EXIT
head -c $((MB * 1000000)) bench/out/prose.txt >"$work/lines.txt"
python3 - "$work" <<'PY'
import json, sys
d = sys.argv[1]
lines = open(d + "/lines.txt", encoding="utf-8", errors="surrogateescape").read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
def out(name, texts):
    with open(f"{d}/{name}.jsonl", "w", encoding="utf-8", errors="surrogateescape") as o:
        for i, t in enumerate(texts):
            o.write(json.dumps({"id": i, "text": t, "meta": {"src": "prose"}}, ensure_ascii=False) + "\n")
paras = [" ".join(lines[i:i + 10]) for i in range(0, len(lines), 10)]
with open(d + "/paragraphs.txt", "w", encoding="utf-8", errors="surrogateescape") as o:
    o.write("".join(p + "\n" for p in paras))
out("lines", lines)
out("paragraphs", paras)
docs = ["\n".join(lines[i:i + 20]) for i in range(0, len(lines), 20)]
out("documents", docs)
with open(d + "/documents.txt", "w", encoding="utf-8", errors="surrogateescape") as o:
    o.write("".join(t + "\0" for t in docs))
PY
cp "$work/documents.jsonl" "$work/documents-as-lines.jsonl"
cp "$work/lines.txt" "$work/documents-as-lines.txt"
shapes="lines paragraphs documents documents-as-lines"
if [ -f bench/out/records.jsonl ]; then
    python3 - "$work" "$MB" bench/out/records.jsonl <<'PY'
import json, sys
d, mb, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
size = 0
with open(src, "rb") as i, open(d + "/records.jsonl", "wb") as oj, open(d + "/records.txt", "wb") as ot:
    for line in i:
        if size + len(line) > mb * 1000000:
            break
        size += len(line)
        oj.write(line)
        ot.write(json.loads(line)["text"].encode("utf-8", "surrogateescape") + b"\0")
PY
    cp "$work/records.jsonl" "$work/records-all-strings.jsonl"
    cp "$work/records.txt" "$work/records-all-strings.txt"
    shapes="$shapes records records-all-strings"
fi
RUNS=11
if [ "${JSONL_RATIO_METER:-}" = callgrind ]; then
    # Instructions, not time: deterministic on a noisy machine (one run each; start-up, the same in both modes, taken
    # out). Instructions are not cycles (decoding JSON runs at a higher IPC than matching), so quote both readings.
    ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | awk '/refs:/ {gsub(",", "", $4); print $4}'; }
    startup=$(ir "$BIN" -j 1 </dev/null)
    t() { echo $((($(ir "$@") - startup) / 1000000)); }
    unit="M instructions"
    RUNS=1
elif perf stat -x, -e task-clock true 2>/dev/null; then
    t() { { perf stat -x, -e task-clock "$@" >/dev/null; } 2>&1 | tail -1 | cut -d, -f1 | cut -d. -f1; }
    unit="ms CPU"
else
    t() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
    unit="ms"
fi
med() { printf '%s\n' "$@" | sort -n | sed -n "$(($# / 2 + 1))p"; }
for shape in $shapes; do
    A=() B=() text_format=text fields=()
    case $shape in documents | records*) text_format=nul ;; esac
    [ "$shape" = records ] && fields=(--field text)
    for ((i = 0; i < RUNS; i++)); do
        A+=("$(t "$BIN" -j 1 -f $text_format <"$work/$shape.txt")")
        B+=("$(t "$BIN" -j 1 -f jsonl "${fields[@]}" <"$work/$shape.jsonl")")
    done
    a=$(med "${A[@]}"); b=$(med "${B[@]}")
    # Two readings of "throughput on the same text content": the time the same text takes (the strict one, the
    # first figure), and MB/s of each mode's own input, whose JSON syntax is bytes read, checked and written too.
    ta=$(stat -c %s "$work/$shape.txt"); tb=$(stat -c %s "$work/$shape.jsonl")
    if [ "$RUNS" = 1 ]; then
        per="input bytes per instruction: jsonl $((100 * tb * a / (ta * b))) % of text"
    else
        per="input MB/s: text $((ta / 1000 / a)), jsonl $((tb / 1000 / b)) = $((100 * tb * a / (ta * b))) %"
    fi
    echo "$shape: text ${a} $unit; jsonl ${b} $unit = $((100 * a / b)) % of text ($per)"
done
