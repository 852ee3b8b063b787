# End-to-end: --progress / --no-progress: a status line on stderr that never touches stdout or --stats.
. "$(dirname "$0")/lib.sh" "$@"

R=(-r "$RULES/basic.yaml")

# About 12 MB in many chunks, so that the pipeline calls the progress hook many times.
python3 - "$TMP/big" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(150000):
        f.write("row %d mail user%d@corp.example.org call (555) 867-5309 and some plain words\n" % (i, i))
PY

tcase "forced --progress on a pipe does not change stdout"
"$BIN" "${R[@]}" --no-progress -j 2 <"$TMP/big" | cat >"$TMP/plain"
"$BIN" "${R[@]}" --progress -j 2 <"$TMP/big" 2>"$TMP/err1" | cat >"$TMP/prog"
assert_files_equal "$TMP/plain" "$TMP/prog"
if [ -s "$TMP/plain" ] && ! grep -q 'finding' "$TMP/prog"; then pass; else fail "progress text reached stdout"; fi

tcase "the status line: carriage returns, percent (size known), MB/s, findings, a final newline"
assert_contains "$TMP/err1" '100%'
assert_contains "$TMP/err1" 'MB/s'
assert_contains "$TMP/err1" '300000 findings'
if grep -q $'\r' "$TMP/err1"; then pass; else fail "no carriage return in the status line"; fi
if [ "$(tail -c 1 "$TMP/err1" | od -An -c | tr -d ' ')" = '\n' ]; then pass; else fail "status line not ended by a newline"; fi
if [ "$(wc -l <"$TMP/err1")" -eq 1 ]; then pass; else fail "expected one line on stderr"; fi

tcase "size unknown (a pipe in): no percent, no ETA"
cat "$TMP/big" | "$BIN" "${R[@]}" --progress -j 1 2>"$TMP/err2" >/dev/null
assert_contains "$TMP/err2" 'findings'
assert_not_contains "$TMP/err2" '%'
assert_not_contains "$TMP/err2" 'ETA'

tcase "files as arguments: the sizes add up"
"$BIN" "${R[@]}" --progress -o "$TMP/o3" "$TMP/big" "$TMP/big" 2>"$TMP/err3"
assert_contains "$TMP/err3" '100%'
assert_contains "$TMP/err3" '600000 findings'

tcase "--progress with --stats: the stats JSON is a line of its own, after the status line"
"$BIN" "${R[@]}" --progress --stats -o "$TMP/o4" <"$TMP/big" 2>"$TMP/err4"
tail -n 1 "$TMP/err4" >"$TMP/stats4"
assert_json "$TMP/stats4" 'assert d["findings"] == 300000, d'
head -n 1 "$TMP/err4" >"$TMP/line4"
assert_contains "$TMP/line4" 'findings'
assert_not_contains "$TMP/line4" '{'

tcase "--check with --progress: the listing stays on stdout, whole lines"
printf 'a jane@corp.example.org\n' >"$TMP/small"
run_file "$TMP/small" "${R[@]}" --check --progress
assert_rc 1
assert_out $'stdin:1:3: email (EMAIL)\n'
assert_err_contains '1 finding'

tcase "--no-progress, and the default when stderr is not a terminal: nothing on stderr"
run_file "$TMP/small" "${R[@]}" --no-progress
assert_rc 0
assert_err_empty
run_file "$TMP/small" "${R[@]}"
assert_err_empty
run_file "$TMP/small" "${R[@]}" --progress --no-progress
assert_err_empty

tcase "default on a terminal: shown when stderr is a terminal and stdout is not"
if command -v script >/dev/null 2>&1; then
    # script(1) gives the command a terminal; stdout goes to a file, so the status line is wanted. The first
    # line is drawn after a quarter of a second, so the run must last longer than that (~70 MB on one thread).
    b="'$TMP/big'"
    script -qec "'$BIN' -r '$RULES/basic.yaml' -j 1 -o '$TMP/o5' $b $b $b $b $b $b" /dev/null >"$TMP/tty5" 2>&1 </dev/null
    assert_contains "$TMP/tty5" 'findings'
    assert_contains "$TMP/tty5" 'ETA'
    cat "$TMP/plain" "$TMP/plain" "$TMP/plain" "$TMP/plain" "$TMP/plain" "$TMP/plain" >"$TMP/plain6"
    assert_files_equal "$TMP/o5" "$TMP/plain6"
    # stdout on the same terminal: no status line mixed into the redacted text.
    script -qec "'$BIN' -r '$RULES/basic.yaml' '$TMP/small'" /dev/null >"$TMP/tty6" 2>&1 </dev/null
    assert_not_contains "$TMP/tty6" 'finding'
    assert_contains "$TMP/tty6" 'a [EMAIL]'
else
    echo "note: script(1) not found; the terminal default is not tested"
fi

finish
