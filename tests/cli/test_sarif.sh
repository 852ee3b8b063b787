# End-to-end: the CI gate: --check's grep-style listing and --report-format sarif (SARIF 2.1.0).
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")
mkdir -p "$TMP/repo/logs"
printf 'boot ok\nlogin jane.doe@mail.example.net from (555) 123-4567\n' >"$TMP/repo/logs/app.log"
printf 'paid 4111 1111 1111 1111\nbad card 4111 1111 1111 1112\n' >"$TMP/repo/pay ments.txt"
printf 'nothing here\n' >"$TMP/repo/clean.txt"
PLANTED=(jane.doe mail.example.net 123-4567 '4111 1111 1111 1111' '1111 1111')

tcase "--check over files: file:line:col: rule (ENTITY) per finding, on stdout; exit 1"
cd "$TMP/repo" || exit 1
run '' "${R[@]}" --check logs/app.log "pay ments.txt" clean.txt
assert_rc 1
assert_out $'logs/app.log:2:7: email (EMAIL)\nlogs/app.log:2:38: us-phone (PHONE)\npay ments.txt:1:6: card (CREDIT_CARD)\n'
assert_err_empty
for raw in "${PLANTED[@]}"; do assert_not_contains "$OUT" "$raw"; done

tcase "--check | head: the gate still says 1, quietly; a full disk is an I/O error (3)"
for i in $(seq 1 3000); do echo "row $i jane@corp.example.org"; done >"$TMP/many"
"$BIN" "${R[@]}" --check "$TMP/many" 2>"$TMP/head.err" | head -n 1 >"$TMP/head.out"
rc=${PIPESTATUS[0]}
[ "$rc" -eq 1 ] && pass || fail "--check | head exited $rc"
[ ! -s "$TMP/head.err" ] && pass || fail "--check | head complained: $(cat "$TMP/head.err")"
[ "$(cat "$TMP/head.out")" = "$TMP/many:1:7: email (EMAIL)" ] && pass || fail "first line: $(cat "$TMP/head.out")"
if [ -w /dev/full ]; then
    "$BIN" "${R[@]}" --check "$TMP/many" >/dev/full 2>"$TMP/full.err"
    rc=$?
    [ "$rc" -eq 3 ] && pass || fail "--check >/dev/full exited $rc"
    assert_contains "$TMP/full.err" 'error writing to stdout'
fi

tcase "--check on clean files: no output, exit 0"
run '' "${R[@]}" --check clean.txt
assert_rc 0
assert_out_empty

tcase "--report-format sarif: SARIF 2.1.0 structure, rules with descriptions, results with locations"
run '' "${R[@]}" --check --report "$TMP/pii.sarif" --report-format sarif logs/app.log "pay ments.txt" clean.txt
assert_rc 1
assert_json "$TMP/pii.sarif" '
assert d["version"] == "2.1.0", d["version"]
assert "sarif-2.1.0" in d["$schema"], d["$schema"]
assert len(d["runs"]) == 1
run = d["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "piiscrub" and drv["version"] == "0.1.0" and drv["informationUri"], drv
ids = [r["id"] for r in drv["rules"]]
assert ids == ["email", "us-phone", "card"], ids
for r in drv["rules"]:
    assert r["shortDescription"]["text"] and r["name"] and r["properties"]["entity"], r
assert drv["rules"][2]["shortDescription"]["text"] == "Payment card number (Luhn checked)", drv["rules"][2]
assert run["columnKind"] == "unicodeCodePoints" and run["properties"]["columnUnit"] == "utf8Bytes", run
res = run["results"]
assert len(res) == 3, res
want = [("email", 0, "logs/app.log", 2, 7, 32), ("us-phone", 1, "logs/app.log", 2, 38, 52),
        ("card", 2, "pay%20ments.txt", 1, 6, 25)]
for r, (rid, idx, uri, line, c0, c1) in zip(res, want):
    assert r["ruleId"] == rid and r["ruleIndex"] == idx and r["level"] == "error", r
    assert drv["rules"][r["ruleIndex"]]["id"] == r["ruleId"], r
    assert r["message"]["text"] == "%s found (rule %s)" % (drv["rules"][idx]["properties"]["entity"], rid), r
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == uri, loc
    assert loc["region"] == {"startLine": line, "startColumn": c0, "endColumn": c1}, loc
assert run["invocations"][0]["executionSuccessful"] is True, run["invocations"]
'
for raw in "${PLANTED[@]}"; do assert_not_contains "$TMP/pii.sarif" "$raw"; done

tcase "SARIF without findings: an empty results list; stdin is 'stdin', absolute paths are file:// URIs"
run $'plain\n' "${R[@]}" --report "$TMP/empty.sarif" --report-format sarif
assert_rc 0
assert_out $'plain\n'
assert_json "$TMP/empty.sarif" 'assert d["runs"][0]["results"] == [], d'
run $'x jane@corp.example.org\n' "${R[@]}" --report "$TMP/abs.sarif" --report-format sarif "$TMP/repo/logs/app.log" -
assert_rc 0
assert_json "$TMP/abs.sarif" '
uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in d["runs"][0]["results"]]
assert uris[0].startswith("file:///") and uris[0].endswith("/repo/logs/app.log"), uris
assert uris[-1] == "stdin", uris'

tcase "SARIF with the built-in packs: every result points at a rule of the driver"
run $'mail jane@corp.example.org card 4111 1111 1111 1111\n' --report "$TMP/builtin.sarif" --report-format sarif
assert_rc 0
assert_json "$TMP/builtin.sarif" '
run = d["runs"][0]
rules = run["tool"]["driver"]["rules"]
assert len(rules) >= 3 and all(r["shortDescription"]["text"] for r in rules), len(rules)
assert run["results"], run["results"]
for r in run["results"]:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"], r'
assert_not_contains "$TMP/builtin.sarif" 'jane@corp'

tcase "jsonl: the field stands in for the column (offsets are inside the decoded string)"
printf '{"id": 7, "text": "x\\ty jane@corp.example.org", "meta": {"mail": "bob@corp.example.org"}}\n' >"$TMP/t.jsonl"
run '' "${R[@]}" -f jsonl --check --report "$TMP/j.sarif" --report-format sarif "$TMP/t.jsonl"
assert_rc 1
assert_out "$TMP/t.jsonl:1: email (EMAIL) in text"$'\n'"$TMP/t.jsonl:1: email (EMAIL) in meta.mail"$'\n'
assert_json "$TMP/j.sarif" '
res = d["runs"][0]["results"]
assert [r["message"]["text"] for r in res] == ["EMAIL found in field text (rule email)",
                                               "EMAIL found in field meta.mail (rule email)"], res
assert res[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}, res[0]
assert res[0]["properties"] == {"field": "text", "offset": 4, "length": 21}, res[0]'
for raw in jane bob@; do assert_not_contains "$TMP/j.sarif" "$raw"; done
run '' "${R[@]}" -f jsonl --report "$TMP/j.jsonl" "$TMP/t.jsonl"
assert_rc 0
assert_jsonl "$TMP/j.jsonl" '
assert [(l["field"], l["offset"], l["length"]) for l in lines] == [("text", 4, 21), ("meta.mail", 0, 20)], lines'

tcase "a failed run says so in the SARIF (executionSuccessful false)"
run '' "${R[@]}" --report "$TMP/fail.sarif" --report-format sarif "$TMP/repo/clean.txt" "$TMP/missing"
assert_rc 3
assert_json "$TMP/fail.sarif" 'assert d["runs"][0]["invocations"][0]["executionSuccessful"] is False, d'

finish
