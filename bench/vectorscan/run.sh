#!/usr/bin/env bash
# The measurement behind the choice of piiscrub's own prefilter over Vectorscan (bench/RESULTS.md, "Why not
# Vectorscan"): compiles every built-in rule's pattern into one Vectorscan database in prefilter mode and times a scan
# of the bench corpora, whole and line by line.
#   bash bench/vectorscan/run.sh [CORPUS...]     (default: bench/out/prose.txt bench/out/logs.txt)
# Installs libvectorscan-dev with apt when it is missing (it is not a dependency of piiscrub).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
if ! pkg-config --exists libhs; then
    sudo_=""; [ "$(id -u)" -eq 0 ] || sudo_=sudo
    $sudo_ apt-get install -y -qq libvectorscan-dev >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$root/rules" "$work/pats.txt" <<'PY'
import glob, os, sys, yaml
with open(sys.argv[2], 'w') as out:
    for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.yaml'))):
        for r in yaml.safe_load(open(f))['rules']:
            flags = r.get('flags', [])
            out.write(('i' if 'caseless' in flags else '-') + '\t' + r['id'] + '\t' + r['pattern'].replace('\n', ' ') + '\n')
PY
cc -O2 -o "$work/probe" "$here/probe.c" $(pkg-config --cflags --libs libhs)
[ $# -gt 0 ] || set -- "$root/bench/out/prose.txt" "$root/bench/out/logs.txt"
cd "$work"
for f in "$@"; do
    echo "== $f"
    ./probe "$f"
done
