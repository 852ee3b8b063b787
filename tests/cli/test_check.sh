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

tcase "--check -q: the exit status only"
run $'clean line\nmail jane@corp.example.org\n' "${R[@]}" --check -q
assert_rc 1
assert_out_empty
assert_err_empty
run $'clean line\n' "${R[@]}" --check --quiet
assert_rc 0
assert_out_empty
assert_err_empty

tcase "-q without --check, or with --report: usage errors"
run '' "${R[@]}" -q
assert_rc 2
assert_err_contains "goes with --check"
run '' "${R[@]}" --check -q --report "$TMP/r.jsonl"
assert_rc 2
assert_err_contains "--report wants them all"

tcase "--check -q stops at the first file with a finding: the next one is never opened"
# A FIFO nobody writes: opening it would wait for ever (timeout's 124 then fails the case).
mkfifo "$TMP/never"
printf 'mail jane@corp.example.org\n' >"$TMP/pii"
for j in 1 2; do
    LAST_CMD="piiscrub --check -q -j $j pii never"
    RC=0
    timeout 20 ${PIISCRUB_TEST_WRAPPER:-} "$BIN" "${R[@]}" --check -q -j "$j" "$TMP/pii" "$TMP/never" >"$OUT" 2>"$ERR" || RC=$?
    assert_rc 1
done

tcase "--check -q does not wait for a slow input once it has its answer"
# The writer sends PII, then waits (up to 20 s) until piiscrub has exited; if piiscrub waited for the rest of the
# input instead, the writer gives up, leaves a mark and closes the pipe. A thread blocked in read() on the pipe
# must notice that the run stopped.
for j in 1 2 8; do
    exited=$TMP/exited.$j late=$TMP/late.$j # per run: a writer still looking must not see the next run's files
    LAST_CMD="slow writer | piiscrub --check -q -j $j"
    RC=0
    ${PIISCRUB_TEST_WRAPPER:-} "$BIN" "${R[@]}" --check -q -j "$j" \
        < <(printf 'clean\n'; sleep 0.2; printf 'mail jane@corp.example.org\n'
            for _ in $(seq 200); do [ -e "$exited" ] || [ ! -d "$TMP" ] && exit 0; sleep 0.1; done
            touch "$late") >"$OUT" 2>"$ERR" || RC=$?
    touch "$exited"
    assert_rc 1
    if [ ! -e "$late" ]; then pass; else fail "-j $j waited for the input to end"; fi
done

finish
