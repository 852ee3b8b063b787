# End-to-end: --stats and --report.
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")
IN=$'Mail jane.doe@mail.example.net or call (555) 867-5309; card 4111 1111 1111 1111\nplain\nbob@corp.example.org and alice@corp.example.org\n'

tcase "--stats: one JSON object on stderr with the counts"
run "$IN" "${R[@]}" --stats -j 2
assert_rc 0
cp "$ERR" "$TMP/stats.json"
assert_json "$TMP/stats.json" '
assert d["version"] == "0.1.0", d
assert d["bytes_in"] == 134, d["bytes_in"]
assert d["records"] == 3 and d["records_changed"] == 2, d
assert d["findings"] == 5 and d["unscanned"] == 0, d
assert d["rules"] == {"email": 3, "us-phone": 1, "card": 1}, d["rules"]
assert list(d["rules"]) == ["email", "us-phone", "card"], "rules must be in rule order"
assert d["threads"] == 2 and d["format"] == "text" and d["action"] == "tag", d
assert isinstance(d["seconds"], float) and d["seconds"] >= 0 and d["mb_per_s"] >= 0, d
assert d["bytes_out"] == 75, d["bytes_out"]
assert set(d) == {"version","bytes_in","bytes_out","records","records_changed","findings","unscanned","seconds",
                  "mb_per_s","threads","format","action","rules","invalid","missing_field","dropped","rules_digest",
                  "options"}, sorted(d)
assert d["dropped"] == {"invalid":0,"findings":0,"density":0,"exclude":0,"require":0,"ids":0}, d["dropped"]
assert len(d["rules_digest"]) == 64 and d["options"]["keyed_hash"] is False, d
'
assert_out $'Mail [EMAIL] or call [PHONE]; card [CREDIT_CARD]\nplain\n[EMAIL] and [EMAIL]\n'

tcase "--stats=FILE: the JSON goes to FILE, stderr stays quiet"
run "$IN" "${R[@]}" --stats="$TMP/s.json" -a mask -f text
assert_rc 0
assert_err_empty
assert_json "$TMP/s.json" '
assert d["action"] == "mask" and d["findings"] == 5, d
assert d["threads"] >= 1, d'

tcase "--stats sums over several inputs; rules with no finding are left out"
printf 'x jane@corp.example.org\n' >"$TMP/f1"
run $'y bob@corp.example.org\n' "${R[@]}" --stats="$TMP/s2.json" "$TMP/f1" - -f nul
assert_rc 0
assert_json "$TMP/s2.json" '
assert d["rules"] == {"email": 2}, d["rules"]
assert d["bytes_in"] == 47 and d["format"] == "nul", d'

tcase "--stats with no input"
run '' "${R[@]}" --stats="$TMP/s3.json" -j 1
assert_rc 0
assert_json "$TMP/s3.json" '
assert d["bytes_in"] == 0 and d["records"] == 0 and d["rules"] == {} and d["threads"] == 1, d'

tcase "--report: JSONL findings, never the matched text"
printf 'first jane.doe@mail.example.net\n' >"$TMP/in1"
run "$IN" "${R[@]}" --report "$TMP/r.jsonl" "$TMP/in1" -
assert_rc 0
assert_jsonl "$TMP/r.jsonl" '
exp = [
  {"file": sys.argv[1].rsplit("/", 1)[0] + "/in1", "record": 1, "offset": 6, "length": 25, "rule": "email", "entity": "EMAIL"},
  {"file": "-", "record": 1, "offset": 5, "length": 25, "rule": "email", "entity": "EMAIL"},
  {"file": "-", "record": 1, "offset": 39, "length": 14, "rule": "us-phone", "entity": "PHONE"},
  {"file": "-", "record": 1, "offset": 60, "length": 19, "rule": "card", "entity": "CREDIT_CARD"},
  {"file": "-", "record": 3, "offset": 0, "length": 20, "rule": "email", "entity": "EMAIL"},
  {"file": "-", "record": 3, "offset": 25, "length": 22, "rule": "email", "entity": "EMAIL"},
]
assert lines == exp, lines'
for raw in jane doe@ 867-5309 '4111 1111' bob@ alice; do assert_not_contains "$TMP/r.jsonl" "$raw"; done

tcase "--report escapes file names as JSON"
weird="$TMP/we\"ird\\name"
printf 'x jane@corp.example.org\n' >"$weird"
run '' "${R[@]}" --report "$TMP/r2.jsonl" "$weird"
assert_rc 0
assert_jsonl "$TMP/r2.jsonl" '
assert lines[0]["file"].endswith("we\"ird\\name"), lines'

tcase "--report with no finding: an empty file"
run $'plain\n' "${R[@]}" --report "$TMP/r3.jsonl"
assert_rc 0
if [ -f "$TMP/r3.jsonl" ] && [ ! -s "$TMP/r3.jsonl" ]; then pass; else fail "report file missing or not empty"; fi

tcase "--report-format jsonl explicitly; same with -j 4"
run "$IN" "${R[@]}" --report "$TMP/r4.jsonl" --report-format jsonl -j 4
assert_rc 0
run "$IN" "${R[@]}" --report "$TMP/r5.jsonl" -j 1
assert_files_equal "$TMP/r4.jsonl" "$TMP/r5.jsonl"

finish
