# End-to-end: what piiscrub writes. Exact bytes with the test rules (tests/cli/rules), a few checks on the built-ins.
. "$(dirname "$0")/lib.sh" "$@"

LINE='Mail jane.doe@mail.example.net or call (555) 867-5309; card 4111 1111 1111 1111'
R=(-r "$RULES/basic.yaml")

tcase "three entities, tag action (issue 2)"
run "$LINE"$'\n' "${R[@]}"
assert_rc 0
assert_out $'Mail [EMAIL] or call [PHONE]; card [CREDIT_CARD]\n'
assert_err_empty

tcase "three entities with the built-in packs"
run "$LINE"$'\n'
assert_rc 0
assert_out_contains '[EMAIL]'
assert_out_contains '[PHONE]'
assert_out_contains '[CREDIT_CARD]'
assert_not_contains "$OUT" 'jane.doe'
assert_not_contains "$OUT" '867-5309'
assert_not_contains "$OUT" '4111'
assert_out_contains 'Mail '
assert_out_contains ' or call '
assert_out_contains '; card '

tcase "a bare password holding '&' is redacted whole; in a query string it ends where the next parameter starts"
run $'contrase\xc3\xb1a: gIv&FzRPj1!I6Pz done\npwd=l2cHNvxbz4zJAES& ok\n/login?user=jane&password=Tr0ub4dor3&next=/\n'
assert_rc 0
assert_out $'contrase\xc3\xb1a: [PASSWORD] done\npwd=[PASSWORD] ok\n/login?user=jane&password=[PASSWORD]&next=/\n'

tcase "a rule that starts with a negative lookahead matches after the byte it refuses (its start guard is a lookbehind's only)"
printf 'version: 1\nrules:\n  - id: code\n    entity: CODE\n    description: two letters or digits, then two digits\n    pattern: %s\n' \
    "'(?!\\d)[a-z0-9]{2}\\d\\d'" >"$TMP/neg-ahead.yaml"
run $'1ab55 zz 9cd77\n' -r "$TMP/neg-ahead.yaml"
assert_rc 0
assert_out $'1[CODE] zz 9[CODE]\n'

tcase "a Luhn-invalid card number is kept"
run $'card 4111 1111 1111 1112\n' "${R[@]}"
assert_rc 0
assert_out $'card 4111 1111 1111 1112\n'

tcase "--action mask keeps length and separators"
run "$LINE"$'\n' "${R[@]}" --action mask
assert_rc 0
assert_out $'Mail ****.***@****.*******.*** or call (***) ***-****; card **** **** **** ****\n'

tcase "-a partial keeps the last 4 alphanumerics"
run $'card 4111 1111 1111 1111\n' "${R[@]}" -a partial
assert_rc 0
assert_out $'card **** **** **** 1111\n'

tcase "-a remove"
run $'a jane@corp.example.org b\n' "${R[@]}" -a remove
assert_rc 0
assert_out $'a  b\n'

tcase "-a tag explicitly"
run $'x jane@corp.example.org\n' "${R[@]}" -a tag
assert_out $'x [EMAIL]\n'

tcase "--tag-format with {entity} and {rule}"
run $'x jane@corp.example.org\n' "${R[@]}" --tag-format '<{entity}:{rule}>'
assert_rc 0
assert_out $'x <EMAIL:email>\n'

tcase "--tag-format with an unknown placeholder is a usage error"
run $'x\n' "${R[@]}" --tag-format '[{nope}]'
assert_rc 2
assert_out_empty

tcase "missing final newline is kept"
run 'x jane@corp.example.org' "${R[@]}"
assert_rc 0
assert_out 'x [EMAIL]'

tcase "CRLF line ends are kept"
run $'a jane@corp.example.org\r\nb (555) 867-5309\r\nc\r\n' "${R[@]}"
assert_rc 0
assert_out $'a [EMAIL]\r\nb [PHONE]\r\nc\r\n'

tcase "empty input gives empty output"
run '' "${R[@]}"
assert_rc 0
assert_out_empty
assert_err_empty

tcase "lines without PII pass through byte for byte, invalid UTF-8 included"
printf 'plain\n\xff\xfe broken utf-8 \xc3\n\ttab\n\n  \n' >"$TMP/plain"
run_file "$TMP/plain" "${R[@]}"
assert_rc 0
assert_out_file "$TMP/plain"

tcase "--format nul: NUL-separated records"
printf 'a jane@corp.example.org\0b plain\0c (555) 867-5309' >"$TMP/nul"
run_file "$TMP/nul" "${R[@]}" -f nul
assert_rc 0
printf 'a [EMAIL]\0b plain\0c [PHONE]' >"$TMP/nul.expected"
assert_out_file "$TMP/nul.expected"

tcase "--format=nul long form, with a newline inside a record"
printf 'x\njane@corp.example.org\0' >"$TMP/nul2"
run_file "$TMP/nul2" "${R[@]}" --format=nul
assert_rc 0
printf 'x\n[EMAIL]\0' >"$TMP/nul2.expected"
assert_out_file "$TMP/nul2.expected"

tcase "--format jsonl: strings are scanned, the rest is kept"
run $'{"msg": "mail jane@corp.example.org", "n": 4111111111111111}\n' "${R[@]}" -f jsonl
assert_rc 0
assert_out $'{"msg": "mail [EMAIL]", "n": 4111111111111111}\n'

tcase "several files in order, '-' is stdin"
printf 'one jane@corp.example.org\n' >"$TMP/f1"
printf 'three (555) 867-5309' >"$TMP/f3"
run $'two plain\n' "${R[@]}" "$TMP/f1" - "$TMP/f3"
assert_rc 0
assert_out $'one [EMAIL]\ntwo plain\nthree [PHONE]'

tcase "options after the file names are still options"
run '' "$TMP/f1" -r "$RULES/basic.yaml"
assert_rc 0
assert_out $'one [EMAIL]\n'

tcase "'--' ends the options"
cp "$TMP/f1" "$TMP/-a"
cd "$TMP" || exit 1
run '' "${R[@]}" -- -a
cd - >/dev/null || exit 1
assert_rc 0
assert_out $'one [EMAIL]\n'

tcase "-o FILE: created 0644, truncated, nothing on stdout"
printf 'old content that is much longer than the new one\n' >"$TMP/o.txt"
run "$LINE"$'\n' "${R[@]}" -o "$TMP/o.txt"
assert_rc 0
assert_out_empty
printf 'Mail [EMAIL] or call [PHONE]; card [CREDIT_CARD]\n' >"$TMP/o.expected"
assert_files_equal "$TMP/o.txt" "$TMP/o.expected"
rm -f "$TMP/new.txt"
(umask 022 && "$BIN" "${R[@]}" --output "$TMP/new.txt" </dev/null)
mode=$(stat -c %a "$TMP/new.txt" 2>/dev/null || echo missing)
if [ "$mode" = 644 ]; then pass; else fail "-o created mode $mode, expected 644"; fi

tcase "-o - is stdout"
run $'x jane@corp.example.org\n' "${R[@]}" -o -
assert_out $'x [EMAIL]\n'

tcase "an input that is also the -o output is refused"
printf 'x jane@corp.example.org\n' >"$TMP/same"
run '' "${R[@]}" -o "$TMP/same" "$TMP/same"
assert_rc 2
assert_err_contains 'is also the output'
assert_contains "$TMP/same" 'jane@corp.example.org'

tcase "-r DIR loads every pack of the directory; --packs keeps some"
run $'TICKET-1234 jane@corp.example.org\n' -r "$RULES"
assert_rc 0
assert_out $'[TICKET] [EMAIL]\n'
run $'TICKET-1234 jane@corp.example.org\n' -r "$RULES" --packs other
assert_rc 0
assert_out $'[TICKET] jane@corp.example.org\n'
run $'TICKET-1234 jane@corp.example.org\n' -r "$RULES/basic.yaml" --rules "$RULES/other.yaml" --packs basic,other
assert_out $'[TICKET] [EMAIL]\n'

tcase "--packs naming a pack that is not loaded"
run $'x\n' -r "$RULES" --packs nosuchpack
assert_rc 2
assert_err_contains 'nosuchpack'
assert_out_empty

tcase "-j 1 and -j 2 (and -j 0) give identical bytes on a multi-block input"
python3 - "$TMP/big" <<'PY'
import sys, random
r = random.Random(7)
words = ["lorem", "ipsum", "jane.doe@mail.example.net", "(555) 867-5309", "4111 1111 1111 1111",
         "4111 1111 1111 1112", "x@y.io", "\u00e9t\u00e9", "dolor", "TICKET-0042"]
with open(sys.argv[1], "wb") as f:
    for i in range(60000):
        # ", " between words: no rule can match across two words, so the reference below stays exact.
        line = ", ".join(r.choice(words) for _ in range(r.randint(0, 12)))
        f.write(line.encode() + (b"\r\n" if i % 7 == 0 else b"\n"))
    f.write(b"no final newline jane@corp.example.org")
PY
"$BIN" -r "$RULES" -j 1 <"$TMP/big" >"$TMP/j1"; rc1=$?
"$BIN" -r "$RULES" -j 2 <"$TMP/big" >"$TMP/j2"; rc2=$?
"$BIN" -r "$RULES" --threads 0 "$TMP/big" >"$TMP/j0"; rc0=$?
if [ "$rc1$rc2$rc0" = 000 ]; then pass; else fail "exit statuses -j1/-j2/-j0: $rc1/$rc2/$rc0"; fi
assert_files_equal "$TMP/j1" "$TMP/j2"
assert_files_equal "$TMP/j1" "$TMP/j0"
assert_not_contains "$TMP/j1" 'jane.doe'
assert_contains "$TMP/j1" '4111 1111 1111 1112'
# The output is the input with exactly the matches replaced: compare with the same rules applied in Python.
if python3 - "$TMP/big" "$TMP/j1" <<'PY'; then pass; else fail "output is not the input with exactly the spans replaced"; fi
import re, sys
src = open(sys.argv[1], "rb").read()
out = open(sys.argv[2], "rb").read()
exp = re.sub(rb"TICKET-\d{4}", b"[TICKET]", src)
exp = re.sub(rb"[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}", b"[EMAIL]", exp)
exp = re.sub(rb"\(\d{3}\) \d{3}-\d{4}", b"[PHONE]", exp)
exp = exp.replace(b"4111 1111 1111 1111", b"[CREDIT_CARD]")
sys.exit(0 if exp == out else 1)
PY

finish
