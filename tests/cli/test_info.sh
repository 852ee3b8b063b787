# End-to-end: --list-rules, --test-rules, --version, --help.
. "$(dirname "$0")/lib.sh" "$@"

tcase "--list-rules: a table of id, pack, entity, action, validate, file:line"
run '' -r "$RULES" --list-rules
assert_rc 0
assert_err_empty
if head -n 1 "$OUT" | grep -Eq '^ID +PACK +ENTITY +ACTION +VALIDATE +SOURCE$'; then pass; else fail "bad header line"; fi
if grep -Eq "^email +basic +EMAIL +tag +- +$RULES/basic.yaml:5\$" "$OUT"; then pass; else fail "email row"; fi
if grep -Eq "^us-phone +basic +PHONE +tag +- +$RULES/basic.yaml:[0-9]+\$" "$OUT"; then pass; else fail "us-phone row"; fi
if grep -Eq "^card +basic +CREDIT_CARD +tag +luhn +$RULES/basic.yaml:[0-9]+\$" "$OUT"; then pass; else fail "card row"; fi
if grep -Eq "^ticket +other +TICKET +tag +- +$RULES/other.yaml:4\$" "$OUT"; then pass; else fail "ticket row"; fi
n=$(wc -l <"$OUT")
if [ "$n" -eq 5 ]; then pass; else fail "expected 5 lines (header + 4 rules), got $n"; fi

tcase "--list-rules shows the run's action, and a rule's own action"
run '' -r "$RULES/basic.yaml" -r "$BAD/hash.yaml" --list-rules -a mask
assert_rc 0
if grep -Eq '^email +basic +EMAIL +mask ' "$OUT"; then pass; else fail "email should show mask"; fi
if grep -Eq '^user-id +hashed +USER +hash ' "$OUT"; then pass; else fail "user-id should show hash"; fi

tcase "--list-rules with --packs"
run '' -r "$RULES" --packs other --list-rules
assert_rc 0
n=$(wc -l <"$OUT")
if [ "$n" -eq 2 ]; then pass; else fail "expected header + 1 rule, got $n lines"; fi
assert_out_contains 'ticket'

tcase "--list-rules with the built-in packs lists some rules"
run '' --list-rules
assert_rc 0
n=$(wc -l <"$OUT")
if [ "$n" -ge 2 ]; then pass; else fail "no built-in rules listed"; fi
assert_out_contains 'builtin:'

tcase "--test-rules: all examples pass"
run '' -r "$RULES" --test-rules
assert_rc 0
assert_out $'8 examples, 8 passed, 0 failed\n'

tcase "--test-rules: failing examples are reported with file:line:col and why"
run '' -r "$BAD/failing.yaml" --test-rules
assert_rc 1
if grep -Eq "^$BAD/failing\.yaml:9:[0-9]+: rule 'digits': match example \"12345\" was not redacted \(.+\)\$" "$OUT"; then
    pass; else fail "match failure line"; fi
if grep -Eq "^$BAD/failing\.yaml:10:[0-9]+: rule 'digits': no_match example \"654321\" was redacted \(.+\)\$" "$OUT"; then
    pass; else fail "no_match failure line"; fi
assert_not_contains "$OUT" '"123456"'
assert_not_contains "$OUT" '"abc"'
if tail -n 1 "$OUT" | grep -qx '4 examples, 2 passed, 2 failed'; then pass; else fail "summary line"; fi

tcase "--test-rules does not read stdin"
LAST_CMD="piiscrub --test-rules (stdin left open)"
RC=0
# A stdin that never ends: reading it would hang until the timeout.
exec {never}< <(exec sleep 30 >/dev/null 2>&1)
sleeper=$!
timeout 10 "$BIN" -r "$RULES" --test-rules <&"$never" >"$OUT" 2>"$ERR" || RC=$?
kill "$sleeper" 2>/dev/null
exec {never}<&-
assert_rc 0

tcase "--test-rules over the built-in packs passes"
run '' --test-rules
assert_rc 0
assert_out_contains ' 0 failed'

tcase "-V / --version"
run '' -V
assert_rc 0
if grep -Eqx 'piiscrub 0\.1\.0 \(PCRE2 [0-9]+\.[0-9]+, libyaml [0-9]+\.[0-9]+(\.[0-9]+)?\)' "$OUT"; then pass; else
    fail "bad version line"; fi
cp "$OUT" "$TMP/v"
run '' --version
assert_out_file "$TMP/v"

tcase "-h / --help teaches: usage, examples, options, exit codes, more"
run '' -h
assert_rc 0
assert_err_empty
for s in 'Usage:' 'piiscrub [OPTIONS] [FILE...]' 'Examples:' '| piiscrub' 'Exit status:' 'Read more' \
    '--rules' '--packs' '--list-rules' '--test-rules' '--threads' '--format' '--field' '--action' '--key-file' \
    'PIISCRUB_KEY_FILE' '--stats' '--report' '--report-format' 'sarif' '--explain-show-values' '--no-progress' 'man piiscrub' '--check' '--explain' \
    '--on-error' '--on-invalid' '--tag-format' '--exclude' '--require' '--exclude-ids' '--id-field' \
    '--drop-findings' '--drop-density' '--progress' '--output' '--version' '--help' 'head -c 32 /dev/urandom'; do
    assert_out_contains "$s"
done
for code in 0 1 2 3 4; do
    if grep -Eq "^  $code  " "$OUT"; then pass; else fail "exit code $code not explained"; fi
done
cp "$OUT" "$TMP/h"
run '' --help
assert_out_file "$TMP/h"
w=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$TMP/h")
if [ "$w" -le 110 ]; then pass; else fail "help lines up to $w columns wide"; fi

tcase "--help wins over other options and reads no rules"
run '' -r "$TMP/does-not-exist" --help
assert_rc 0
assert_out_file "$TMP/h"

finish
