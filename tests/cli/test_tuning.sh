# test_tuning.sh — --profile and --block-size: the cost table names the rules that ran, and the output is the same
# bytes for every block size and thread count (the pipeline's invariant, seen from the command line).
. "$(dirname "$0")/lib.sh" "$@"
R=(-r "$RULES/basic.yaml")

tcase "--profile prints a per-rule cost table on stderr and leaves stdout alone"
run $'mail jane.doe@mail.example.net\ncard 4111 1111 1111 1111\nplain\n' "${R[@]}" --profile
assert_rc 0
assert_out $'mail [EMAIL]\ncard [CREDIT_CARD]\nplain\n'
assert_err_contains "RULE"
assert_err_contains "NS/RUN"
assert_err_contains "CALLS/RUN"
grep -qE '^email +[0-9.]+% ' "$ERR" && pass || fail "no row for the email rule"
grep -qE '^card .* 1  in runs of its bytes with [0-9]+\+ digits +a digit$' "$ERR" && pass || fail "the card row must show its 1 finding, where its search starts and its trigger"
grep -qE "^email .* within 64 B before '@' \(and [0-9]+ B before '\.'\) +a rare byte" "$ERR" && pass || fail "the email row must show its bounded search, and its second bound"
assert_not_contains "$ERR" "no prefilter trigger"

tcase "--profile names the rules without a prefilter trigger (they turn the prefilter off)"
printf 'version: 1\nrules:\n  - id: three-letters\n    pattern: "\\\\b[a-z]{3}\\\\b"\n' >"$TMP/w.yaml"
run $'the cat\n' -r "$TMP/w.yaml" --profile
assert_rc 0
assert_out $'[THREE_LETTERS] [THREE_LETTERS]\n'
grep -qE '^three-letters .* anywhere +NONE$' "$ERR" && pass || fail "the rule without a trigger must say NONE, searched anywhere"
assert_err_contains "1 rule(s) with no prefilter trigger"

tcase "--profile: a rule that needs a digit only in its lookahead does not run on a record without one"
printf 'version: 1\nrules:\n  - {id: lic, pattern: "(?=[A-Z]{0,8}\\\\d)[A-Z]{2,8}"}\n  - {id: at, pattern: "@x"}\n' >"$TMP/d.yaml"
run $'ABCD q@x\nABCD q@x\nABCD9 q@x\n' -r "$TMP/d.yaml" --profile
assert_rc 0
assert_out $'ABCD q[AT]\nABCD q[AT]\n[LIC]9 q[AT]\n'
awk '$1 == "lic" { print $4 }' "$ERR" | grep -qx 1 && pass || fail "lic must run on the one record with a digit, not on the two without: $(grep '^lic' "$ERR")"

tcase "--block-size: same bytes for every block size and thread count"
run_file "$SRC/corpus/sample.txt" -j 1
cp "$OUT" "$TMP/ref"
for bs in 1 7 64 4096 1048576; do
    for j in 1 2 8; do
        run_file "$SRC/corpus/sample.txt" -j "$j" --block-size "$bs"
        assert_rc 0
        assert_files_equal "$TMP/ref" "$OUT"
    done
done

tcase "--block-size takes K, M and G (KiB, MiB, GiB) as zstd does: 4K is 4096 bytes"
for bs in 4K 4KB 4KiB; do
    run_file "$SRC/corpus/sample.txt" -j 2 --block-size "$bs"
    assert_rc 0
    assert_files_equal "$TMP/ref" "$OUT"
done
run $'x\n' "${R[@]}" --block-size 1G
assert_rc 0

tcase "--block-size must be a size from 1 byte to 1G"
for bs in 0 2G 4X 1.5M -1 K 18446744073709551615K; do
    run $'x\n' "${R[@]}" --block-size "$bs"
    assert_rc 2
    assert_err_contains "invalid value '$bs' for --block-size: expected a size from 1 byte to 1G"
done

finish
