# The Debian package: CPack builds piiscrub_<ver>_<arch>.deb in a scratch build, and it holds what a newcomer needs.
# Skipped (with a message, exit 0) where dpkg-deb or cpack is missing. Takes ~10-60 s: it builds the library again.
. "$(dirname "$0")/lib.sh" "$@"

for tool in dpkg-deb cpack cmake; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIPPED: $tool not found; the .deb is not tested"
        exit 0
    fi
done

tcase "cmake --build --target package makes piiscrub_<version>_<arch>.deb"
B=$TMP/build
if cmake -S "$SRC" -B "$B" -DPS_BUILD_TESTS=OFF -DCMAKE_BUILD_TYPE=Release >"$TMP/cfg.log" 2>&1 &&
    cmake --build "$B" -j"$(nproc)" >"$TMP/build.log" 2>&1 &&
    cmake --build "$B" --target package >"$TMP/pkg.log" 2>&1; then pass; else
    fail "package build failed: $(tail -n 20 "$TMP/cfg.log" "$TMP/build.log" "$TMP/pkg.log" 2>/dev/null)"
    finish
fi
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
ver=$(sed -n 's/^#define PS_VERSION_STRING "\(.*\)"/\1/p' "$SRC/include/piiscrub.h")
DEB=$B/piiscrub_${ver}_${arch}.deb
if [ -f "$DEB" ]; then pass; else fail "no $DEB; made: $(ls "$B"/*.deb 2>/dev/null)"; finish; fi

tcase "the package lists the binary, library, header, pkg-config file, man pages, completions, rule packs"
dpkg-deb -c "$DEB" | awk '{print $NF}' | sed 's|^\./|/|' >"$TMP/list"
for f in /usr/bin/piiscrub /usr/include/piiscrub.h /usr/share/man/man1/piiscrub.1 \
    /usr/share/man/man5/piiscrub-rules.5 /usr/share/bash-completion/completions/piiscrub \
    /usr/share/zsh/site-functions/_piiscrub /usr/share/fish/vendor_completions.d/piiscrub.fish; do
    if grep -qx -- "$f" "$TMP/list"; then pass; else fail "$f is not in the package"; fi
done
for pat in '/usr/lib/\(.*/\)\?libpiiscrub\.a' '/usr/lib/\(.*/\)\?pkgconfig/piiscrub\.pc'; do
    if grep -qx -- "$pat" "$TMP/list"; then pass; else fail "nothing like $pat in the package"; fi
done
for y in "$SRC"/rules/*.yaml; do
    f=/usr/share/piiscrub/rules/$(basename "$y")
    if grep -qx -- "$f" "$TMP/list"; then pass; else fail "$f is not in the package"; fi
done
if ! grep -q '^/usr/local' "$TMP/list"; then pass; else fail "the package installs into /usr/local"; fi

tcase "control fields: name, version, architecture, dependencies"
[ "$(dpkg-deb -f "$DEB" Package)" = piiscrub ] && pass || fail "Package field"
[ "$(dpkg-deb -f "$DEB" Version)" = "$ver" ] && pass || fail "Version field"
[ "$(dpkg-deb -f "$DEB" Architecture)" = "$arch" ] && pass || fail "Architecture field"
dep=$(dpkg-deb -f "$DEB" Depends)
for d in libpcre2-8-0 libyaml-0-2 libssl3; do
    case $dep in *"$d"*) pass ;; *) fail "Depends lacks $d: $dep" ;; esac
done

tcase "unpacked in a clean tree: the binary runs, the pc file points at /usr, the man page renders"
R=$TMP/root
mkdir -p "$R"
dpkg-deb -x "$DEB" "$R"
if "$R/usr/bin/piiscrub" --version | grep -q "^piiscrub $ver "; then pass; else fail "the packaged binary does not run"; fi
out=$(printf 'mail jane@corp.example.org\n' | "$R/usr/bin/piiscrub" -r "$R/usr/share/piiscrub/rules")
[ "$out" = "mail [EMAIL]" ] && pass || fail "the packaged rule packs do not redact an email: $out"
pc=$(find "$R/usr/lib" -name piiscrub.pc | head -n 1)
if grep -qx 'prefix=/usr' "$pc"; then pass; else fail "pc file: $(head -n 1 "$pc")"; fi
if command -v man >/dev/null 2>&1; then
    if MANWIDTH=80 man -l "$R/usr/share/man/man1/piiscrub.1" 2>/dev/null | grep -q 'EXIT STATUS'; then pass; else
        fail "the packaged man page does not render"; fi
fi

finish
