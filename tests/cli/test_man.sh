# Man pages (man/): they render without warnings, and they keep up with the binary (options, validators, example).
. "$(dirname "$0")/lib.sh" "$@"

M1=$SRC/man/piiscrub.1
M5=$SRC/man/piiscrub-rules.5

tcase "both pages render without warnings"
if command -v groff >/dev/null 2>&1; then
    for page in "$M1" "$M5"; do
        if groff -man -ww -z "$page" 2>"$TMP/groff.err" && [ ! -s "$TMP/groff.err" ]; then pass; else
            fail "groff warnings for $(basename "$page"): $(head -n 5 "$TMP/groff.err")"; fi
    done
else
    echo "note: groff not installed (apt-get install groff-base); rendering not checked"
fi
if command -v man >/dev/null 2>&1; then
    for page in "$M1" "$M5"; do
        if MANWIDTH=80 man -l --warnings=w "$page" >"$TMP/page.txt" 2>"$TMP/man.err" && [ ! -s "$TMP/man.err" ]; then
            pass; else fail "man -l warnings for $(basename "$page"): $(head -n 5 "$TMP/man.err")"; fi
        [ "$(wc -l <"$TMP/page.txt")" -gt 100 ] && pass || fail "$(basename "$page") renders to almost nothing"
    done
else
    echo "note: man not installed (apt-get install man-db); man -l not checked"
fi

# The roff source with \- as -, to compare with what the binary says.
sed 's/\\-/-/g' "$M1" >"$TMP/m1"
sed 's/\\-/-/g; s/\\e/\\/g' "$M5" >"$TMP/m5"

tcase "piiscrub(1): every option of --help, every exit status, the sections a newcomer looks for"
"$BIN" --help >"$TMP/help"
for o in $(grep -o -- '--[a-z][a-z-]*' "$TMP/help" | sort -u) -r -j -f -a -o -V -h; do
    if grep -q -- "$o\\b" "$TMP/m1"; then pass; else fail "piiscrub.1 does not mention $o"; fi
done
for s in NAME SYNOPSIS DESCRIPTION OPTIONS '"EXIT STATUS"' ENVIRONMENT FILES EXAMPLES '"SEE ALSO"'; do
    if grep -qx "\\.SH $s" "$M1"; then pass; else fail "piiscrub.1 has no section $s"; fi
done
for code in 0 1 2 3 4; do
    if sed -n '/^\.SH "EXIT STATUS"/,/^\.SH ENVIRONMENT/p' "$M1" | grep -qx "\\.B $code"; then pass; else
        fail "exit status $code not in EXIT STATUS"; fi
done
assert_contains "$TMP/m1" 'PIISCRUB_KEY_FILE'
assert_contains "$TMP/m1" 'share/piiscrub/rules'
assert_contains "$TMP/m1" 'piiscrub-rules (5)'

tcase "piiscrub-rules(5): every rule key and every validator the binary knows"
for k in version pack rules id pattern entity description flags keywords group validate context words window \
    required allow min_entropy priority action examples match no_match caseless multiline dotall extended ucp ungreedy; do
    if grep -q -- "$k" "$TMP/m5"; then pass; else fail "piiscrub-rules.5 does not mention $k"; fi
done
printf 'version: 1\nrules:\n  - id: x\n    pattern: x\n    validate: no-such-validator\n' >"$TMP/v.yaml"
run '' -r "$TMP/v.yaml" --list-rules
assert_rc 2
vals=$(sed -n 's/.*validators are: //p' "$ERR" | tr -d ' ' | tr ',' ' ')
[ -n "$vals" ] && pass || fail "could not read the validator list from the error message"
for v in $vals; do
    if grep -qx "\\.B $v" "$TMP/m5"; then pass; else fail "validator $v is not in VALIDATORS"; fi
done

tcase "the EXAMPLE rule file of piiscrub-rules(5) loads and its examples pass"
if command -v man >/dev/null 2>&1; then
    MANWIDTH=200 man -l "$M5" 2>/dev/null | sed -n '/^EXAMPLE$/,/^FILES$/p' | sed '1d;$d; s/^       //' >"$TMP/ex.yaml"
    run '' -r "$TMP/ex.yaml" --test-rules
    assert_rc 0
    assert_out_contains '5 examples, 5 passed, 0 failed'
else
    echo "note: man not installed; the example is not run"
fi

finish
