#!/usr/bin/env bash
# Scanning a block on the core that wrote it against scanning it on the other core (see crosscore.c). Needs 2 cores.
set -euo pipefail
cd "$(dirname "$0")"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cc -O2 -std=c11 -Wall -Wextra -o "$out" crosscore.c -lpthread
for i in 1 2 3; do "$out"; done
