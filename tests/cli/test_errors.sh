# End-to-end: usage errors (2), rule errors (2), I/O errors (3), fail-closed abort (4) and their messages.
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")

# usage_case NAME EXPECTED-STDERR-TEXT ARGS...: exit 2, nothing on stdout, a one-line error and the --help hint.
usage_case() {
    local name=$1 text=$2
    shift 2
    tcase "usage: $name"
    run $'x jane@corp.example.org\n' "$@"
    assert_rc 2
    assert_out_empty
    assert_err_contains "$text"
    assert_err_contains "try 'piiscrub --help'"
    local n
    n=$(wc -l <"$ERR")
    if [ "$n" -eq 2 ]; then pass; else fail "expected 2 lines on stderr (error + hint), got $n"; fi
}

usage_case "unknown long option" "unknown option '--frobnicate'" --frobnicate
usage_case "unknown short option" "unknown option '-Z'" -Z
usage_case "missing value" "needs a value" "${R[@]}" --format
usage_case "missing value, short" "option '-j' needs a value" -j
usage_case "value on a flag" "option '--check' takes no value" --check=yes
usage_case "bad --threads" "invalid value 'many' for --threads" -j many
usage_case "negative --threads" "invalid value '-1' for --threads" --threads=-1
usage_case "huge --threads" "for --threads" -j 99999999999999999999
usage_case "bad --format" "invalid value 'xml' for --format" -f xml
usage_case "bad --action" "invalid value 'shred' for --action" -a shred
usage_case "bad --on-error" "invalid value 'ignore' for --on-error" --on-error=ignore
usage_case "bad --on-invalid" "invalid value 'skip' for --on-invalid" --on-invalid=skip
usage_case "bad --report-format" "invalid value 'xml' for --report-format" --report-format xml
usage_case "bad --exclude" "invalid value 'lang' for --exclude" --exclude lang
usage_case "bad --exclude field" "invalid value '=x' for --exclude" --exclude '=x'
usage_case "bad --require" "invalid value '=en' for --require" --require =en
usage_case "bad --drop-findings" "for --drop-findings" --drop-findings 1.5
usage_case "bad --drop-density" "for --drop-density" --drop-density abc
usage_case "empty --stats=" "for --stats" --stats=
usage_case "--field without jsonl" "--field needs --format jsonl" "${R[@]}" --field msg
usage_case "--list-rules with --test-rules" "cannot be used together" --list-rules --test-rules
usage_case "--test-rules with files" "reads no input" --test-rules somefile
usage_case "--check with -o" "--check writes nothing" --check -o "$TMP/x"
usage_case "--report-format without --report" "add --report FILE" --report-format sarif
usage_case "--explain-show-values without --explain" "goes with --explain" --explain-show-values
usage_case "--explain with --check" "drop --check" --explain --check
usage_case "--explain with --report" "drop --report" --explain --report "$TMP/r"
usage_case "--explain with jsonl" "--explain reads text or nul records" --explain -f jsonl

usage_case "--exclude without jsonl" "add -f jsonl" "${R[@]}" --exclude lang=en,de
usage_case "--require without jsonl" "add -f jsonl" "${R[@]}" --require consent=true
usage_case "--on-invalid without jsonl" "add -f jsonl" "${R[@]}" --on-invalid=drop
usage_case "--id-field without --exclude-ids" "go together" "${R[@]}" -f jsonl --id-field id
usage_case "--exclude-ids without --id-field" "go together" "${R[@]}" -f jsonl --exclude-ids "$TMP/ids"

tcase "--exclude-ids with a missing file"
run $'{}\n' "${R[@]}" -f jsonl --exclude-ids "$TMP/no-such-ids" --id-field id
assert_rc 3
assert_out_empty
assert_err_contains "no-such-ids"
assert_err_contains "cannot open the id list"

tcase "--report-format sarif is supported"
run $'x\n' "${R[@]}" --report "$TMP/r.sarif" --report-format sarif
assert_rc 0
assert_out $'x\n'

tcase "--progress and --no-progress are accepted"
run $'x jane@corp.example.org\n' "${R[@]}" --progress
assert_rc 0
assert_out $'x [EMAIL]\n'
run $'x jane@corp.example.org\n' "${R[@]}" --no-progress
assert_rc 0
assert_out $'x [EMAIL]\n'

tcase "a typo'd key in a rule file: exit 2 with file:line:col and the rule id"
run $'x\n' -r "$BAD/typo.yaml"
assert_rc 2
assert_out_empty
if grep -Eq "^piiscrub: [^ ]*typo\.yaml:6:[0-9]+: rule 'email': .*patern" "$ERR"; then pass; else
    fail "expected 'piiscrub: .../typo.yaml:6:COL: rule 'email': ... patern ...'"; fi

tcase "a pattern with \\K is refused (a long record's windows could lose its match), with what to use instead"
run $'id: 42\n' -r "$BAD/keep-out.yaml"
assert_rc 2
assert_out_empty
if grep -Eq "^piiscrub: [^ ]*keep-out\.yaml:[0-9]+:[0-9]+: rule 'id-number': .*\\\\K.*group:" "$ERR"; then pass; else
    fail "expected 'piiscrub: .../keep-out.yaml:LINE:COL: rule 'id-number': ... \\K ... group: ...'"; fi

tcase "a rule path that does not exist: exit 2, named"
run $'x\n' -r "$TMP/no-such-rules.yaml"
assert_rc 2
assert_err_contains 'no-such-rules.yaml'
assert_out_empty

tcase "a rules directory with no rules: exit 2"
mkdir -p "$TMP/empty-rules"
run $'x\n' -r "$TMP/empty-rules"
assert_rc 2
assert_err_contains "$TMP/empty-rules"
assert_out_empty

tcase "a missing input file: message, exit 3, the other files still processed"
printf 'one jane@corp.example.org\n' >"$TMP/f1"
printf 'three (555) 867-5309\n' >"$TMP/f3"
run '' "${R[@]}" "$TMP/f1" "$TMP/missing.txt" "$TMP/f3"
assert_rc 3
assert_out $'one [EMAIL]\nthree [PHONE]\n'
assert_err_contains "$TMP/missing.txt: No such file or directory"

tcase "a directory as input: exit 3, named"
run '' "${R[@]}" "$TMP" "$TMP/f1"
assert_rc 3
assert_err_contains "$TMP"
assert_out_contains 'one [EMAIL]'

tcase "-o /dev/full: exit 3 with the error"
run $'x jane@corp.example.org\n' "${R[@]}" -o /dev/full
assert_rc 3
assert_err_contains 'piiscrub: error writing to /dev/full: No space left on device'

tcase "stdout is /dev/full: exit 3 with the error"
LAST_CMD="piiscrub -r basic.yaml > /dev/full"
RC=0
printf 'x jane@corp.example.org\n' | "$BIN" "${R[@]}" >/dev/full 2>"$ERR" || RC=$?
: >"$OUT"
assert_rc 3
assert_err_contains 'piiscrub: error writing to stdout: No space left on device'

tcase "-o into a directory that does not exist: exit 3"
run $'x\n' "${R[@]}" -o "$TMP/no/such/dir/out.txt"
assert_rc 3
assert_err_contains "$TMP/no/such/dir/out.txt"

tcase "a closed pipe (| head): exit 3, no message"
python3 -c '
import sys
line = b"padding padding padding jane@corp.example.org padding\n"
sys.stdout.buffer.write(line * 200000)' >"$TMP/bigin"
LAST_CMD="piiscrub < bigin | head -c 100"
set -o pipefail
RC=0
"$BIN" "${R[@]}" <"$TMP/bigin" 2>"$ERR" | head -c 100 >"$OUT" || RC=$?
set +o pipefail
assert_rc 3
assert_err_empty
if [ "$(wc -c <"$OUT")" -eq 100 ]; then pass; else fail "head got $(wc -c <"$OUT") bytes, expected 100"; fi

tcase "--report to an unwritable place: exit 3"
run $'x\n' "${R[@]}" --report "$TMP/no/such/report.jsonl"
assert_rc 3
assert_err_contains 'report.jsonl'

tcase "--stats=FILE to /dev/full: exit 3"
run $'x\n' "${R[@]}" --stats=/dev/full
assert_rc 3
assert_err_contains '/dev/full'

tcase "a record that cannot be scanned: [UNSCANNED] by default, exit 0"
A40=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
run "before"$'\n'"$A40"'X b'$'\n'"after"$'\n' -r "$BAD/backtrack.yaml" --stats
assert_rc 0
assert_out $'before\n[UNSCANNED]\nafter\n'
assert_err_contains '"unscanned":1'

tcase "--on-error=abort: exit 4, records before it written, nothing of it"
run "before"$'\n'"$A40"'X b'$'\n'"after"$'\n' -r "$BAD/backtrack.yaml" --on-error=abort
assert_rc 4
assert_out $'before\n'
assert_err_contains 'could not be scanned'
assert_err_contains 'on-error=abort'
assert_not_contains "$OUT" aaaa

tcase "--on-error=unscanned explicitly"
run "$A40"'X b'$'\n' -r "$BAD/backtrack.yaml" --on-error unscanned
assert_rc 0
assert_out $'[UNSCANNED]\n'

finish
