#!/usr/bin/env bash
# The whole test suite: install dependencies, build with warnings as errors, run every unit and end-to-end test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
build=${PS_TEST_BUILD_DIR:-build-test}
cmake -S . -B "$build" -DPS_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"
