# End-to-end: the labelled corpus generator and the accuracy evaluation (bench/accuracy.py), at a tiny size.
. "$(dirname "$0")/lib.sh" "$@"

GEN=$SRC/corpus/gen_labelled.py
ACC=$SRC/bench/accuracy.py

tcase "the generator is deterministic and its labels point at the planted values"
python3 "$GEN" --lines 400 --seed 7 --out "$TMP/a.txt" --labels "$TMP/a.jsonl" 2>"$ERR" || fail "generator failed"
python3 "$GEN" --lines 400 --seed 7 --out "$TMP/b.txt" --labels "$TMP/b.jsonl" 2>"$ERR" || fail "generator failed"
assert_files_equal "$TMP/a.txt" "$TMP/b.txt"
assert_files_equal "$TMP/a.jsonl" "$TMP/b.jsonl"
python3 "$GEN" --lines 400 --seed 8 --out "$TMP/c.txt" --labels "$TMP/c.jsonl" 2>"$ERR" || fail "generator failed"
if cmp -s "$TMP/a.txt" "$TMP/c.txt"; then fail "another seed gave the same corpus"; else pass; fi
# Every IBAN label spans a value that passes mod 97, every card label one that passes Luhn (evasions folded first).
assert_jsonl "$TMP/a.jsonl" '
import unicodedata
text = open(sys.argv[1][:-6] + ".txt", "rb").read().split(b"\n")
assert len(text) == 401 and text[-1] == b"", len(text)
def fold(b):
    s = unicodedata.normalize("NFKC", b.decode("utf-8"))
    return "".join(c for c in s if c.isalnum())
def mod97(s):
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97
def luhn(s):
    t = 0
    for i, c in enumerate(reversed(s)):
        d = int(c) * (2 if i % 2 else 1)
        t += d - 9 if d > 9 else d
    return t % 10 == 0
kinds = {}
for l in lines:
    v = text[l["line"] - 1][l["start"]:l["end"]]
    assert v and l["end"] > l["start"], l
    kinds[l["type"]] = kinds.get(l["type"], 0) + 1
    if l["type"] == "IBAN":
        assert mod97(fold(v)) == 1, (l, v)
    if l["type"] == "CREDIT_CARD":
        assert luhn(fold(v)), (l, v)
    if l["format"] == "bad-luhn-card":
        assert not luhn(fold(v)), (l, v)
assert kinds.get("NEG", 0) > 50 and len(kinds) > 25, kinds
'

tcase "the evaluation runs end to end and finds checksum-validated types"
LAST_CMD="python3 bench/accuracy.py --lines 1500 --real-mb 0"
RC=0
python3 "$ACC" --bin "$BIN" --lines 1500 --seed 11 --real-mb 0 --threads 2 --outdir "$TMP/acc-out" --md "$TMP/ACC.md" \
    --json "$TMP/acc.json" >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_contains "$TMP/ACC.md" "## Labelled corpus: per entity type"
assert_contains "$TMP/ACC.md" "## Misses and leaks by cause"
assert_contains "$TMP/ACC.md" "| IBAN | validated |"
assert_out_contains "hard negatives destroyed:"
assert_json "$TMP/acc.json" '
t = d["types"]
for name in ("IBAN", "IT_FISCAL_CODE", "UK_NINO", "US_ITIN", "EMAIL"):
    assert t[name]["planted"] >= 20, (name, t[name])
    assert t[name]["recall"] >= 95.0, (name, t[name])
    assert t[name]["precision"] >= 95.0, (name, t[name])
assert t["CREDIT_CARD"]["recall"] >= 90.0, t["CREDIT_CARD"]
assert t["IBAN"]["class"] == "validated" and t["EMAIL"]["class"] == "other", t
hn = d["hard_negatives"]
assert hn["planted"] > 500 and 0 <= hn["rate"] < 20, hn
'

finish
