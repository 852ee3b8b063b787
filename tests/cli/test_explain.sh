# End-to-end: --explain says, per candidate, which rule matched and which check kept or dropped it.
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")
X=(-r "$RULES/explain/dob.yaml")

tcase "an invalid-Luhn card names the validate check; the value is masked"
run $'card 4111 1111 1111 1112\n' "${R[@]}" --explain
assert_rc 0
assert_out $'1:5-24 card (CREDIT_CARD) "**** **** **** ****": dropped by validate: the luhn validator rejected it\nexplained 1 record: 1 candidate, 0 kept, 1 dropped\n'
assert_err_empty

tcase "a kept card: redacted as the tag; stdout carries no redacted stream"
run $'Mail jane.doe@mail.example.net; card 4111 1111 1111 1111\n' "${R[@]}" --explain
assert_rc 0
assert_out_contains '1:5-30 email (EMAIL) "****.***@****.*******.***": kept, redacted as [EMAIL]'
assert_out_contains '1:37-56 card (CREDIT_CARD) "**** **** **** ****": kept, redacted as [CREDIT_CARD]'
for raw in jane doe@ '4111 1111' mail.example; do assert_not_contains "$OUT" "$raw"; done

tcase "a date of birth without its context word names the context check"
run $'release 2024-03-07 shipped\nborn 1984-03-07\n' "${X[@]}" --explain
assert_rc 0
assert_out_contains '1:8-18 dob (DATE_OF_BIRTH) "****-**-**": dropped by context: no context word (born, ...) within 24 bytes'
assert_out_contains '2:5-15 dob (DATE_OF_BIRTH) "****-**-**": kept, redacted as [DATE_OF_BIRTH]'
assert_out_contains 'explained 2 records: 2 candidates, 1 kept, 1 dropped'

tcase "merged spans, allow-list vetoes and a rule's own action"
run $'card 4111111111111111\nmail a@example.org b@corp.io\n' "${X[@]}" --explain
assert_rc 0
assert_out_contains '1:5-21 card (CREDIT_CARD) "****************": kept, redacted as [CREDIT_CARD]'
assert_out_contains '1:5-21 digits (NUMBER) "****************": kept, merged into card span 5-21'
assert_out_contains '2:5-18 corp-email (EMAIL) "*@*******.***": dropped by allow: allow regex #1 vetoed it'
assert_out_contains '2:19-28 corp-email (EMAIL) "*@****.**": kept, masked as "*@****.**"'

tcase "--tag-format is used in the explanation"
run $'born 1984-03-07\n' "${X[@]}" --explain --tag-format '<{rule}>'
assert_out_contains 'kept, redacted as <dob>'

tcase "--explain-show-values shows the text and warns on stderr"
run $'card 4111 1111 1111 1112\n' "${R[@]}" --explain --explain-show-values
assert_rc 0
assert_out_contains '1:5-24 card (CREDIT_CARD) "4111 1111 1111 1112": dropped by validate'
assert_err_contains 'warning: --explain-show-values prints the matched personal data in clear'

tcase "control bytes are escaped, never printed raw; a non-ASCII letter is one '*'"
printf 'x key=ab\tc\xc3\xa9"d\n' >"$TMP/ctl"
run_file "$TMP/ctl" "${X[@]}" --explain
assert_rc 0
assert_out_contains '1:2-14 api-key (API_KEY) "***=**\t**\"*": kept'
run_file "$TMP/ctl" "${X[@]}" --explain --explain-show-values
assert_rc 0
assert_out_contains $'1:2-14 api-key (API_KEY) "key=ab\\tc\xc3\xa9\\"d": kept'
if LC_ALL=C grep -q $'\t' "$OUT"; then fail "a raw tab reached the output"; else pass; fi

tcase "several files: each line names its file; nul records"
printf 'a jane@corp.example.org\n' >"$TMP/f1"
printf 'clean\0b bob@corp.example.org' >"$TMP/f2"
run '' "${R[@]}" --explain "$TMP/f1" -f nul "$TMP/f2"
assert_rc 0
assert_out_contains "$TMP/f1:1:2-23 email (EMAIL)"
assert_out_contains "$TMP/f2:2:2-22 email (EMAIL)"
assert_out_contains 'explained 3 records: 2 candidates, 2 kept, 0 dropped'

tcase "--explain -o FILE; a hashing rule needs no key to be explained"
run $'x jane@corp.example.org\n' "${R[@]}" --explain -a hash -o "$TMP/explained"
assert_rc 0
assert_out_empty
assert_contains "$TMP/explained" 'kept, replaced by a keyed hash [EMAIL:...]'

tcase "a missing file: exit 3"
run '' "${R[@]}" --explain "$TMP/nope"
assert_rc 3
assert_err_contains "$TMP/nope"

finish
