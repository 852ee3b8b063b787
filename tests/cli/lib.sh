# lib.sh — shared helpers for the piiscrub end-to-end tests.
# A test script does:   . "$(dirname "$0")/lib.sh" "$@"   ... cases ...   finish
# Each case runs the binary with `run` (stdin from a string) or `run_file` (stdin from a file), which leaves the exit
# status in $RC, stdout in $OUT and stderr in $ERR (files); the assert_* helpers check them and name the failing case.

set -u

if [ $# -lt 2 ]; then
    echo "usage: bash $0 <path-to-piiscrub> <source-dir>" >&2
    exit 2
fi
BIN=$1
SRC=$(cd "$2" && pwd)
case $BIN in */*) BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN") ;; esac
RULES=$SRC/tests/cli/rules
BAD=$SRC/tests/cli/bad
TMP=$(mktemp -d "${TMPDIR:-/tmp}/piiscrub-cli.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
RC=0
CASE="(none)"
LAST_CMD=""
FAILS=0
CHECKS=0
# Keys in the environment of the caller must not change what the tests see.
unset PIISCRUB_KEY_FILE

# tcase NAME: names the checks that follow, in failure messages.
tcase() { CASE=$1; }

# run INPUT ARGS...: runs piiscrub ARGS with INPUT (a string, written as is) on stdin.
run() {
    local input=$1
    shift
    printf '%s' "$input" >"$TMP/stdin"
    run_file "$TMP/stdin" "$@"
}

# run_file FILE ARGS...: runs piiscrub ARGS with FILE on stdin.
run_file() {
    local in=$1
    shift
    LAST_CMD="piiscrub $* < $in"
    RC=0
    # PIISCRUB_TEST_WRAPPER (e.g. "valgrind --error-exitcode=97 -q") runs every case under a checker; its findings
    # turn into a distinct exit status and stderr text, which the case then reports.
    ${PIISCRUB_TEST_WRAPPER:-} "$BIN" "$@" <"$in" >"$OUT" 2>"$ERR" || RC=$?
    if [ -n "${PIISCRUB_TEST_WRAPPER:-}" ] && [ "$RC" -eq 97 ]; then
        fail "the checker ($PIISCRUB_TEST_WRAPPER) found errors"
    fi
}

fail() {
    FAILS=$((FAILS + 1))
    {
        echo "FAIL [$CASE]: $*"
        echo "  command: $LAST_CMD"
        echo "  exit status: $RC"
        echo "  stdout (first lines):"
        head -c 2000 "$OUT" 2>/dev/null | head -n 10 | cat -A | sed 's/^/    /'
        echo "  stderr (first lines):"
        head -c 2000 "$ERR" 2>/dev/null | head -n 10 | sed 's/^/    /'
    } >&2
}

pass() { CHECKS=$((CHECKS + 1)); }

# A misspelt assertion must fail the test, not pass unnoticed.
command_not_found_handle() {
    fail "no such command: $1 (a typo in the test?)"
    return 127
}

assert_rc() {
    if [ "$RC" -eq "$1" ]; then pass; else fail "expected exit status $1, got $RC"; fi
}

# assert_out TEXT: stdout is exactly TEXT (bytes, newlines included; use $'...\n').
assert_out() {
    printf '%s' "$1" >"$TMP/expected"
    assert_out_file "$TMP/expected"
}

assert_out_file() {
    if cmp -s "$1" "$OUT"; then
        pass
    else
        fail "stdout differs from the expected bytes:
$(diff <(cat -A "$1") <(cat -A "$OUT") | head -n 20 | sed 's/^/    /')"
    fi
}

assert_out_empty() {
    if [ ! -s "$OUT" ]; then pass; else fail "expected no output on stdout"; fi
}

assert_err_empty() {
    if [ ! -s "$ERR" ]; then pass; else fail "expected nothing on stderr"; fi
}

# assert_contains FILE TEXT / assert_not_contains FILE TEXT: fixed-string search.
assert_contains() {
    if grep -qF -- "$2" "$1"; then pass; else fail "$(basename "$1") does not contain: $2"; fi
}

assert_not_contains() {
    if grep -qF -- "$2" "$1"; then fail "$(basename "$1") must not contain: $2"; else pass; fi
}

assert_err_contains() { assert_contains "$ERR" "$1"; }
assert_out_contains() { assert_contains "$OUT" "$1"; }

# assert_files_equal A B: byte-identical files.
assert_files_equal() {
    if cmp -s "$1" "$2"; then pass; else fail "$1 and $2 differ: $(cmp "$1" "$2" 2>&1 | head -n 1)"; fi
}

# assert_json FILE PYTHON / assert_jsonl FILE PYTHON: runs PYTHON with the parsed JSON of FILE bound to `d` (one JSON value) or `lines` (JSONL);
# the snippet must not raise.
assert_json() {
    local file=$1 code=$2 msg
    if msg=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[2])
' "$file" "$code" 2>&1); then pass; else fail "JSON check failed on $(basename "$file"): $code
$(echo "$msg" | tail -n 3 | sed 's/^/    /')"; fi
}

assert_jsonl() {
    local file=$1 code=$2 msg
    if msg=$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
exec(sys.argv[2])
' "$file" "$code" 2>&1); then pass; else fail "JSONL check failed on $(basename "$file"): $code
$(echo "$msg" | tail -n 3 | sed 's/^/    /')"; fi
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$(basename "$0"): $FAILS check(s) FAILED, $CHECKS passed" >&2
        exit 1
    fi
    echo "$(basename "$0"): all $CHECKS checks passed"
    exit 0
}
