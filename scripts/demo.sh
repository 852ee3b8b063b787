#!/usr/bin/env bash
# One command from a fresh Debian 12 machine: install dependencies, build, and redact the bundled sample.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "== corpus/sample.txt, redacted by build/piiscrub (stats on stderr):"
build/piiscrub --stats corpus/sample.txt
