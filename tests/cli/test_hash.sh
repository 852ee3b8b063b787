# End-to-end: the hash action and its key (--key-file, PIISCRUB_KEY_FILE).
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")
IN=$'a jane.doe@mail.example.net b (555) 867-5309\nagain jane.doe@mail.example.net\n'
umask 077
printf 'first-secret-key-0123456789abcdef' >"$TMP/key1"
printf 'first-secret-key-0123456789abcdef\n' >"$TMP/key1nl"
printf 'first-secret-key-0123456789abcdef\r\n' >"$TMP/key1crlf"
printf 'second-secret-key-0123456789abcde' >"$TMP/key2"
: >"$TMP/empty"
printf '\n' >"$TMP/newline-only"

tcase "-a hash without a key: exit 2, says how to give and make one"
run "$IN" "${R[@]}" -a hash
assert_rc 2
assert_out_empty
assert_err_contains '--key-file FILE'
assert_err_contains 'PIISCRUB_KEY_FILE=FILE'
assert_err_contains 'head -c 32 /dev/urandom > key'

tcase "-a hash with --key-file: [ENTITY:hex] tokens, equal values give equal tokens"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/key1"
assert_rc 0
cp "$OUT" "$TMP/h1"
if grep -Eq '^a \[EMAIL:[0-9a-f]{8,64}\] b \[PHONE:[0-9a-f]{8,64}\]$' "$OUT"; then pass; else fail "no hash tokens on line 1"; fi
t1=$(sed -n 1p "$OUT" | grep -Eo '\[EMAIL:[0-9a-f]+\]')
t2=$(sed -n 2p "$OUT" | grep -Eo '\[EMAIL:[0-9a-f]+\]')
if [ -n "$t1" ] && [ "$t1" = "$t2" ]; then pass; else fail "same email, different tokens: '$t1' vs '$t2'"; fi
assert_not_contains "$OUT" 'jane'
assert_not_contains "$ERR" 'first-secret-key'
assert_not_contains "$OUT" 'first-secret-key'

tcase "same key, second run: same tokens"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/key1"
assert_rc 0
assert_out_file "$TMP/h1"

tcase "a trailing newline or CRLF in the key file is not part of the key"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/key1nl"
assert_out_file "$TMP/h1"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/key1crlf"
assert_out_file "$TMP/h1"

tcase "PIISCRUB_KEY_FILE gives the key too"
LAST_CMD="PIISCRUB_KEY_FILE=key1 piiscrub -a hash"
RC=0
printf '%s' "$IN" | PIISCRUB_KEY_FILE="$TMP/key1" "$BIN" "${R[@]}" -a hash >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_out_file "$TMP/h1"

tcase "--key-file wins over PIISCRUB_KEY_FILE"
RC=0
printf '%s' "$IN" | PIISCRUB_KEY_FILE="$TMP/key2" "$BIN" "${R[@]}" -a hash --key-file "$TMP/key1" >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
assert_out_file "$TMP/h1"

tcase "another key gives other tokens"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/key2"
assert_rc 0
if grep -Eq '\[EMAIL:[0-9a-f]+\]' "$OUT" && ! cmp -s "$OUT" "$TMP/h1"; then pass; else fail "key2 gave the same tokens as key1"; fi

tcase "an empty key file is refused"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/empty"
assert_rc 2
assert_out_empty
assert_err_contains 'empty'
run "$IN" "${R[@]}" -a hash --key-file "$TMP/newline-only"
assert_rc 2
assert_err_contains 'empty'

tcase "an empty PIISCRUB_KEY_FILE key is refused and named"
RC=0
printf '%s' "$IN" | PIISCRUB_KEY_FILE="$TMP/empty" "$BIN" "${R[@]}" -a hash >"$OUT" 2>"$ERR" || RC=$?
assert_rc 2
assert_err_contains 'PIISCRUB_KEY_FILE'

tcase "a missing key file: exit 2, named with the reason"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/nope"
assert_rc 2
assert_err_contains "$TMP/nope"
assert_err_contains 'No such file or directory'

tcase "a key file readable by others: a warning, the run goes on"
cp "$TMP/key1" "$TMP/open-key"
chmod 644 "$TMP/open-key"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/open-key"
assert_rc 0
assert_err_contains 'warning'
assert_err_contains 'chmod 600'
assert_out_file "$TMP/h1"
tcase "a private key file: no warning"
run "$IN" "${R[@]}" -a hash --key-file "$TMP/key1"
assert_err_empty

tcase "a rule with action: hash needs a key even without -a hash"
run $'uid=42\n' -r "$BAD/hash.yaml"
assert_rc 2
assert_err_contains '--key-file'
run $'uid=42\n' -r "$BAD/hash.yaml" --key-file "$TMP/key1"
assert_rc 0
if grep -Eq '^\[USER:[0-9a-f]+\]$' "$OUT"; then pass; else fail "rule-level hash not applied"; fi

tcase "--check and --test-rules do not need a key (they never write a token)"
run $'uid=42\n' -r "$BAD/hash.yaml" --check
assert_rc 1
run '' -r "$BAD/hash.yaml" --test-rules
assert_rc 0

finish
