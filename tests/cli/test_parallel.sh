# End-to-end: scale-out with GNU parallel. One big file cut into blocks at line ends (--pipepart), each block
# redacted by its own piiscrub process, output kept in input order (-k): byte-identical to one process.
. "$(dirname "$0")/lib.sh" "$@"

if ! command -v parallel >/dev/null 2>&1; then
    tcase "GNU parallel is installed"
    fail "GNU parallel not found: apt-get install parallel (scripts/deps.sh installs it)"
    finish
fi
PAR=(parallel --will-cite)

# ~12 MB of text: the sample corpus and generated lines with planted PII; the last line has no newline.
python3 - "$SRC/corpus/sample.txt" "$TMP/big.txt" "$TMP/big.jsonl" <<'PY'
import json, random, sys
rng = random.Random(42)
sample = open(sys.argv[1], "rb").read()
words = "the of and to in order card mail call ip ssn naïve 日本".split()
pii = ["jane.doe%d@mail.example.net", "(212) 555-01%02d", "4111 1111 1111 1111", "219-45-7781", "203.0.113.%d"]
out, recs = [], []
n = 0
while n < 12_000_000:
    if rng.random() < 0.01:
        out.append(sample)
        n += len(sample)
        continue
    w = [rng.choice(words) for _ in range(rng.randint(0, 15))]
    if rng.random() < 0.1:
        p = rng.choice(pii)
        w.insert(rng.randint(0, len(w)), p % rng.randint(0, 99) if "%" in p else p)
    line = " ".join(w)
    out.append((line + "\n").encode())
    recs.append(json.dumps({"id": len(recs), "text": line}, ensure_ascii=False))
    n += len(line) + 1
open(sys.argv[2], "wb").write(b"".join(out) + b"last line jane.doe@mail.example.net")
open(sys.argv[3], "w", encoding="utf-8").write("\n".join(recs[:60000]) + "\n")
PY
printf 'parallel-test-key-0123456789abcd' >"$TMP/key"
chmod 600 "$TMP/key"

tcase "single process: the reference output"
run_file "$TMP/big.txt" -j 1
assert_rc 0
cp "$OUT" "$TMP/single.txt"
assert_contains "$TMP/single.txt" '[EMAIL]'

tcase "parallel --pipepart -k --block 1M: the same bytes as one process"
LAST_CMD="parallel --pipepart -a big.txt -k --block 1M piiscrub -j 1"
RC=0
"${PAR[@]}" --pipepart -a "$TMP/big.txt" -k --block 1M "$BIN" -j 1 >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_out_file "$TMP/single.txt"
# It really was cut: more blocks than one.
n=$("${PAR[@]}" --pipepart -a "$TMP/big.txt" -k --block 1M wc -c 2>/dev/null | wc -l)
if [ "$n" -ge 8 ]; then pass; else fail "expected at least 8 blocks, got $n"; fi

tcase "parallel --pipe (a stream on stdin) -k: the same bytes"
LAST_CMD="parallel --pipe -k --block 1M piiscrub -j 1 < big.txt"
RC=0
"${PAR[@]}" --pipe -k --block 1M "$BIN" -j 1 <"$TMP/big.txt" >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_out_file "$TMP/single.txt"

tcase "jsonl with the hash action: same tokens in every process"
run_file "$TMP/big.jsonl" -f jsonl -j 1 -a hash --key-file "$TMP/key"
assert_rc 0
cp "$OUT" "$TMP/single.jsonl"
assert_contains "$TMP/single.jsonl" '[EMAIL:'
RC=0
"${PAR[@]}" --pipepart -a "$TMP/big.jsonl" -k --block 500k "$BIN" -f jsonl -j 1 -a hash --key-file "$TMP/key" \
    >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_out_file "$TMP/single.jsonl"

tcase "the --sshlogin form (':' is this machine, so no ssh is needed here)"
LAST_CMD="parallel --pipepart -a big.txt -k --block 2M -S 2/: piiscrub -j 1"
RC=0
"${PAR[@]}" --pipepart -a "$TMP/big.txt" -k --block 2M -S 2/: "$BIN" -j 1 >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_out_file "$TMP/single.txt"

finish
