# test_training.sh — jsonl mode and the training-data options, end to end.
. "$(dirname "$0")/lib.sh" "$@"
R=(-r "$RULES/basic.yaml")

tcase "jsonl: strings redacted, every other byte kept, keys never scanned"
run $'{"id": 7, "text":"mail jane.doe@mail.example.net\\nnow", "n":1.50e+3, "jane@x.example.org":"k"}\n' "${R[@]}" -f jsonl
assert_rc 0
assert_out $'{"id": 7, "text":"mail [EMAIL]\\nnow", "n":1.50e+3, "jane@x.example.org":"k"}\n'

tcase "jsonl: --field selects, descendants and * included"
run $'{"t":"a@b.example.org","meta":{"author":{"email":"c@d.example.org"}},"items":[{"t":"e@f.example.org"}]}\n' \
    "${R[@]}" -f jsonl --field meta --field 'items.*.t'
assert_rc 0
assert_out $'{"t":"a@b.example.org","meta":{"author":{"email":"[EMAIL]"}},"items":[{"t":"[EMAIL]"}]}\n'

tcase "jsonl: an invalid line is redacted as text, counted, warned once"
run $'{"ok":1}\n{broken a@b.example.org\n{also broken\n' "${R[@]}" -f jsonl --stats
assert_rc 0
assert_out $'{"ok":1}\n{broken [EMAIL]\n{also broken\n'
assert_err_contains "2 line(s) were not valid JSON"
[ "$(grep -c 'not valid JSON' "$ERR")" -eq 1 ] && pass || fail "the warning is printed more than once"

tcase "jsonl: --on-invalid=drop"
run $'{"ok":1}\n{broken a@b.example.org\n' "${R[@]}" -f jsonl --on-invalid=drop --stats="$TMP/s.json"
assert_rc 0
assert_out $'{"ok":1}\n'
assert_json "$TMP/s.json" 'assert d["invalid"] == 1 and d["dropped"]["invalid"] == 1, d'

tcase "jsonl: --on-invalid=abort exits 4 after the whole records before"
run $'{"a":"x@y.example.org"}\n{broken\n{"b":1}\n' "${R[@]}" -f jsonl --on-invalid=abort
assert_rc 4
assert_out $'{"a":"[EMAIL]"}\n'
assert_err_contains "record 2 is not valid JSON"

cat >"$TMP/shard.jsonl" <<'J'
{"id":"u1","meta":{"region":"EEA","consent":true},"text":"from the EU a@b.example.org"}
{"id":"u2","meta":{"region":"US","consent":true},"text":"call (555) 867-5309"}
{"id":"u3","meta":{"region":"US","consent":false},"text":"no consent"}
{"id":"u4","meta":{"consent":true},"text":"no region field"}
{"id":"u5","meta":{"region":"US","consent":true},"text":"opted out"}
{"id":"u6","meta":{"region":"CH","consent":true},"text":"swiss"}
J
printf 'u5\nu99\n' >"$TMP/optout.txt"

tcase "gates: --exclude, --require, --exclude-ids with counts in --stats"
run_file "$TMP/shard.jsonl" "${R[@]}" -f jsonl --exclude meta.region=EEA,CH,UK --require meta.consent=true \
    --exclude-ids "$TMP/optout.txt" --id-field id --stats="$TMP/s.json"
assert_rc 0
assert_out $'{"id":"u2","meta":{"region":"US","consent":true},"text":"call [PHONE]"}\n{"id":"u4","meta":{"consent":true},"text":"no region field"}\n'
assert_json "$TMP/s.json" '
dr = d["dropped"]
assert (dr["exclude"], dr["require"], dr["ids"]) == (2, 1, 1), dr
assert d["missing_field"] == 1 and d["records"] == 6, d
o = d["options"]
assert o["exclude"] == ["meta.region=EEA,CH,UK"] and o["require"] == ["meta.consent=true"], o
assert o["ids_loaded"] == 2 and o["id_field"] == "id", o
assert len(d["rules_digest"]) == 64, d'

tcase "gates: a line that is not JSON cannot show required consent: it stays out"
run $'not json a@b.example.org\n{"c":true,"t":"x"}\n' "${R[@]}" -f jsonl --require c=true
assert_rc 0
assert_out $'{"c":true,"t":"x"}\n'

tcase "policies: --drop-findings and --drop-density, in jsonl and text"
run $'{"t":"a@b.example.org c@d.example.org"}\n{"t":"one e@f.example.org"}\n' "${R[@]}" -f jsonl --drop-findings 2
assert_rc 0
assert_out $'{"t":"one [EMAIL]"}\n'
run $'a@b.example.org c@d.example.org\nplain\n' "${R[@]}" --drop-findings 2 --stats="$TMP/s.json"
assert_rc 0
assert_out $'plain\n'
assert_json "$TMP/s.json" 'assert d["dropped"]["findings"] == 1, d'
run $'x a@b.example.org\none e@f.example.org and a long enough line of text around it to be thin\n' "${R[@]}" \
    --drop-density 40
assert_rc 0
assert_out $'one [EMAIL] and a long enough line of text around it to be thin\n'

tcase "placeholders: --tag-format for tokenizers with PII tokens"
run $'{"t":"a@b.example.org"}\n' "${R[@]}" -f jsonl --tag-format ' |||{entity}||| '
assert_rc 0
assert_out $'{"t":" |||EMAIL||| "}\n'

tcase "report: jsonl findings carry the field path and offsets in the decoded string"
run $'{"a":{"b":"x\\ny@z.example.org"}}\n' "${R[@]}" -f jsonl --report "$TMP/r.jsonl"
assert_rc 0
assert_jsonl "$TMP/r.jsonl" '
f = lines[0]
assert f["field"] == "a.b" and f["offset"] == 2 and f["length"] == 15 and f["record"] == 1, f'
assert_not_contains "$TMP/r.jsonl" "y@z.example.org"

tcase "jsonl: same bytes for every thread count"
for i in $(seq 1 300); do
    printf '{"id":%d,"text":"row %d mail u%d@example.org call (555) 867-%04d \\u00e9","n":[1,2.5,null]}\n' "$i" "$i" "$i" "$i"
done >"$TMP/many.jsonl"
run_file "$TMP/many.jsonl" "${R[@]}" -f jsonl -j 1
cp "$OUT" "$TMP/j1"
run_file "$TMP/many.jsonl" "${R[@]}" -f jsonl -j 4
assert_files_equal "$TMP/j1" "$OUT"
assert_jsonl "$OUT" 'assert len(lines) == 300 and all("@" not in l["text"] for l in lines)'

finish
