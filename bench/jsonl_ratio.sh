#!/usr/bin/env bash
# JSONL throughput on the same text content as text mode (issue 5's target: >= 80 %).
# Usage: bash bench/jsonl_ratio.sh [BIN] [MB]   (default: build-bench/piiscrub, 10 MB of bench/out/prose.txt)
# Prints medians of 7 alternating runs of: text mode over the prose, jsonl over the same lines wrapped as
# {"id","text","meta"} records (every string scanned), and jsonl with --field text.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-build-bench/piiscrub}
MB=${2:-10}
[ -f bench/out/prose.txt ] || { echo "run bash bench/run.sh first (it makes bench/out/prose.txt)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
head -c $((MB * 1000000)) bench/out/prose.txt >"$work/t.txt"
python3 - "$work/t.txt" "$work/t.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], encoding="utf-8", errors="surrogateescape") as f, \
     open(sys.argv[2], "w", encoding="utf-8", errors="surrogateescape") as o:
    for i, line in enumerate(f):
        o.write(json.dumps({"id": i, "text": line.rstrip("\n"), "meta": {"src": "prose"}}, ensure_ascii=False) + "\n")
PY
t() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
declare -a A B C
for i in 1 2 3 4 5 6 7; do
    A+=("$(t "$BIN" -j 1 <"$work/t.txt")")
    B+=("$(t "$BIN" -j 1 -f jsonl <"$work/t.jsonl")")
    C+=("$(t "$BIN" -j 1 -f jsonl --field text <"$work/t.jsonl")")
done
med() { printf '%s\n' "$@" | sort -n | sed -n 4p; }
a=$(med "${A[@]}"); b=$(med "${B[@]}"); c=$(med "${C[@]}")
echo "text ${a} ms; jsonl ${b} ms ($((100 * a / b)) % of text); jsonl --field text ${c} ms ($((100 * a / c)) % of text)"
