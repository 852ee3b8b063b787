# End-to-end: the shared library and the Python binding (python/), against this binary, byte for byte.
# Runs python/tests with Debian's /usr/bin/python3 (its python3-dask / python3-distributed are for that interpreter,
# not for another python3 earlier on PATH).
. "$(dirname "$0")/lib.sh" "$@"

LIB=$(dirname "$BIN")/libpiiscrub.so
PY=/usr/bin/python3

tcase "the shared library is built beside the binary, versioned"
if [ -e "$LIB" ]; then pass; else fail "no $LIB (target piiscrub_shared)"; fi
real=$(readlink -f "$LIB")
case $real in *libpiiscrub.so.0.*) pass ;; *) fail "libpiiscrub.so does not point to a versioned file: $real" ;; esac
if objdump -p "$LIB" 2>/dev/null | grep -q 'SONAME *libpiiscrub.so.0$'; then pass; else fail "SONAME is not libpiiscrub.so.0"; fi

tcase "only ps_ symbols are exported"
nm -D --defined-only "$LIB" >"$TMP/syms" 2>"$ERR" || fail "nm failed"
others=$(awk '{print $NF}' "$TMP/syms" | grep -v '^ps_' || true)
if [ -z "$others" ]; then pass; else fail "exported symbols without the ps_ prefix: $(echo $others | head -c 500)"; fi
if grep -q ' ps_run$' "$TMP/syms" && grep -q ' ps_engine_compile$' "$TMP/syms"; then pass; else fail "ps_run / ps_engine_compile not exported"; fi

# A sanitizer build's library needs its runtime preloaded into the interpreter: the binding is tested in normal builds.
if ldd "$LIB" 2>/dev/null | grep -Eq 'lib(a|t|ub)san'; then
    echo "$(basename "$0"): sanitizer build, Python tests skipped"
    finish
fi

tcase "python3 -m unittest: CLI and binding agree (python/tests)"
if [ ! -x "$PY" ]; then
    fail "$PY not found (apt-get install python3)"
    finish
fi
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
LAST_CMD="$PY -m unittest discover -s python/tests"
RC=0
PIISCRUB_CLI=$BIN PIISCRUB_LIBRARY=$LIB timeout 120 "$PY" -m unittest discover -s "$SRC/python/tests" -t "$SRC/python/tests" \
    >"$OUT" 2>"$ERR" || RC=$?
assert_rc 0
[ "$RC" -eq 0 ] || tail -n 80 "$ERR" >&2
# unittest reports on stderr; a skip of the Dask tests (no python3-dask) would hide a scale-out regression.
if grep -q 'skipped' "$ERR"; then fail "tests were skipped: $(grep -o 'skipped [^)]*' "$ERR" | head -3)"; else pass; fi

finish
