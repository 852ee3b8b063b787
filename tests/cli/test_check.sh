# End-to-end: --check, the CI gate.
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")

tcase "--check with PII: exit 1, no redacted text, one grep-style line per finding on stdout"
run $'clean line\nmail jane@corp.example.org\n' "${R[@]}" --check
assert_rc 1
assert_out $'stdin:2:6: email (EMAIL)\n'
assert_err_empty

tcase "--check without PII: exit 0, writes nothing"
run $'clean line\ncard 4111 1111 1111 1112\n' "${R[@]}" --check
assert_rc 0
assert_out_empty
assert_err_empty

tcase "--check on empty input: exit 0"
run '' "${R[@]}" --check
assert_rc 0
assert_out_empty

tcase "--check over files: PII in the second file"
printf 'clean\n' >"$TMP/a"
printf 'call (555) 867-5309\n' >"$TMP/b"
run '' "${R[@]}" --check "$TMP/a" "$TMP/b"
assert_rc 1
assert_out "$TMP/b:1:6: us-phone (PHONE)"$'\n'
run '' "${R[@]}" --check "$TMP/a" "$TMP/a"
assert_rc 0

tcase "--check with a missing file and no PII: exit 3"
run '' "${R[@]}" --check "$TMP/a" "$TMP/missing"
assert_rc 3
assert_err_contains "$TMP/missing"

tcase "--check in other formats"
printf 'clean\0x jane@corp.example.org' >"$TMP/nul"
run_file "$TMP/nul" "${R[@]}" --check -f nul
assert_rc 1
run $'{"a": "clean", "b": 1}\n' "${R[@]}" --check -f jsonl
assert_rc 0
run $'{"a": "jane@corp.example.org"}\n' "${R[@]}" --check -f jsonl
assert_rc 1

tcase "--check with --report lists a finding"
run $'mail jane@corp.example.org\n' "${R[@]}" --check --report "$TMP/r.jsonl"
assert_rc 1
assert_jsonl "$TMP/r.jsonl" 'assert len(lines) >= 1 and lines[0]["rule"] == "email", lines'

finish
