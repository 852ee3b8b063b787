#!/usr/bin/env bash
# The throughput benchmark of piiscrub, in one command (see bench/README.md):
#   bash bench/run.sh
# installs what it needs (apt), builds a Release binary, generates the corpora into bench/out/ (git-ignored), times
# piiscrub against cat, ripgrep, sed, perl and Python, and writes bench/RESULTS.md.
#
# Environment:
#   BENCH_MB=100          size of each corpus in MB (10^6 bytes)
#   BENCH_RUNS=5          timed runs per tool and corpus (the median is reported)
#   BENCH_SEED=20231001   corpus seed
#   BENCH_SKIP_RSS=1      skip the peak-RSS runs on a 1 GiB input
#   BENCH_TOOLS=a,b       only these tools: cat,piiscrub-j1,piiscrub-j2,rg,sed,perl,python
#   BENCH_CORPORA=a,b     only these corpora: prose,logs,jsonl
#   BENCH_JSONL_FORMAT=auto|jsonl|text   how piiscrub reads the JSONL corpus (auto: -f jsonl when it works)
#   BENCH_BUILD_DIR=build-bench          CMake build directory (relative to the project root)
#   BENCH_BIN=PATH        time this binary instead of building one
#   BENCH_NO_APT=1        do not install anything; fail if a tool is missing
#   BENCH_RESULTS=PATH    where to write the report (default bench/RESULTS.md)
#   BENCH_OUT=DIR         corpora and logs (default bench/out)
#   BENCH_SCRATCH=DIR     where the outputs are written (default /dev/shm when it has room, else DIR/run)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"

mb=${BENCH_MB:-100}
runs=${BENCH_RUNS:-5}
seed=${BENCH_SEED:-20231001}
out=${BENCH_OUT:-$here/out}
build_dir=${BENCH_BUILD_DIR:-build-bench}
results=${BENCH_RESULTS:-$here/RESULTS.md}

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- 1. tools and prose sources (Debian packages) -------------------------------------------------------------------
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=0
apt_install() {
    [ "${BENCH_NO_APT:-0}" = 1 ] && die "missing packages: $* (BENCH_NO_APT=1)"
    if [ "$apt_updated" = 0 ]; then
        as_root apt-get update -qq >&2 || say "apt-get update failed; trying the cached lists"
        apt_updated=1
    fi
    say "installing: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# The newest linux-doc-X.Y that is installed, else the newest that apt offers.
linux_doc=$(dpkg-query -W -f='${Package}\n' 'linux-doc-[0-9]*' 2>/dev/null | sort -V | tail -n1 || true)
if [ -z "$linux_doc" ] || ! installed "$linux_doc"; then
    linux_doc=$(apt-cache search --names-only '^linux-doc-[0-9.]+$' 2>/dev/null | awk '{print $1}' | sort -V | tail -n1)
    if [ -z "$linux_doc" ] && [ "${BENCH_NO_APT:-0}" != 1 ]; then
        as_root apt-get update -qq >&2 || true
        apt_updated=1
        linux_doc=$(apt-cache search --names-only '^linux-doc-[0-9.]+$' 2>/dev/null | awk '{print $1}' | sort -V |
            tail -n1)
    fi
fi
need=()
for p in ripgrep time perl sed cmake make gcc pkg-config libpcre2-dev libyaml-dev libssl-dev \
         r-cran-janeaustenr fortunes jargon-text $linux_doc; do
    installed "$p" || need+=("$p")
done
[ ${#need[@]} -eq 0 ] || apt_install "${need[@]}"
command -v rg >/dev/null || die "ripgrep (rg) is not installed"
[ -x /usr/bin/time ] || die "/usr/bin/time is not installed (package time)"
python=$(python3 -c 'import sys; print(sys.executable)') || die "python3 is needed"

# ---- 2. Release build ----------------------------------------------------------------------------------------------
if [ -n "${BENCH_BIN:-}" ]; then
    bin=$BENCH_BIN
    [ -x "$bin" ] || die "BENCH_BIN=$bin is not executable"
else
    say "building Release in $build_dir"
    cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPS_BUILD_TESTS=OFF >/dev/null
    cmake --build "$build_dir" --target piiscrub -j "$(nproc)" >/dev/null
    bin=$root/$build_dir/piiscrub
fi
"$bin" --version >&2

# ---- 3. peers' patterns are the translation of the reference set ----------------------------------------------------
"$python" "$here/peers/translate.py" --check

# ---- 4. corpora, regenerated only when the generator, the size or the seed changed --------------------------------
mkdir -p "$out"
key="mb=$mb seed=$seed gen=$(sha256sum "$here/gen_corpus.py" | cut -c1-16) doc=$linux_doc"
if [ -f "$out/corpora.key" ] && [ "$(cat "$out/corpora.key")" = "$key" ] &&
   [ -f "$out/prose.txt" ] && [ -f "$out/logs.txt" ] && [ -f "$out/records.jsonl" ]; then
    say "corpora up to date in bench/out ($key)"
else
    say "generating corpora: $key"
    rm -f "$out/corpora.key"
    "$python" "$here/gen_corpus.py" --mb "$mb" --seed "$seed" --outdir "$out"
    printf '%s\n' "$key" > "$out/corpora.key"
fi

# ---- 5. measure and report ----------------------------------------------------------------------------------------
# Outputs, and the copy of each corpus that the tools read, go to tmpfs when it has room (tmpfs spares the runs the
# noise of disk write-back, and of reading pages the kernel reclaimed); BENCH_SCRATCH=DIR overrides, and bench/out/run
# is the fallback.
scratch=${BENCH_SCRATCH:-}
if [ -z "$scratch" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
    rss_kb=$([ "${BENCH_SKIP_RSS:-0}" = 1 ] && echo 0 || echo $((1100 * 1024)))
    need_kb=$(awk -v mb="$mb" -v r="$rss_kb" 'BEGIN { printf "%d", mb * 1000 * 9 / 1.024 + r }') # outputs, input
    free_kb=$(df -Pk /dev/shm | awk 'NR == 2 { print $4 }')
    if [ "${free_kb:-0}" -gt "$need_kb" ]; then scratch=/dev/shm; fi
fi

cmd="bash bench/run.sh"
[ "$mb" = 100 ] || cmd="BENCH_MB=$mb $cmd"
[ "$runs" = 5 ] || cmd="BENCH_RUNS=$runs $cmd"
args=(--bin "$bin" --out "$out" --peers "$here/peers" --results "$results" --runs "$runs" --python "$python"
      --jsonl-format "${BENCH_JSONL_FORMAT:-auto}" --command "$cmd")
[ -n "${BENCH_BIN:-}" ] || args+=(--build-dir "$root/$build_dir")
if [ "${BENCH_SKIP_RSS:-0}" = 1 ]; then args+=(--skip-rss); fi
if [ -n "${BENCH_TOOLS:-}" ]; then args+=(--tools "$BENCH_TOOLS"); fi
if [ -n "${BENCH_CORPORA:-}" ]; then args+=(--corpora "$BENCH_CORPORA"); fi
if [ -n "$scratch" ]; then args+=(--scratch "$scratch"); fi
"$python" "$here/measure.py" "${args[@]}"

# ---- 6. JSONL against text mode on the same content (issue 5), appended to the report ------------------------------
if [ -z "${BENCH_CORPORA:-}" ] || [[ ",$BENCH_CORPORA," == *,jsonl,* ]]; then
    say "jsonl versus text mode: bash bench/jsonl_ratio.sh $bin 10"
    ratio=$(bash "$here/jsonl_ratio.sh" "$bin" 10)
    shown=${bin#"$root"/}
    {
        printf '\n## JSONL versus text mode (issue 5: >= 80 %%)\n\n'
        printf '`bash bench/jsonl_ratio.sh %s 10`: the first 10 MB of the prose as text and as JSONL records of three\n' "$shown"
        printf 'shapes, and the first 10 MB of the training records above, `-j 1`, medians of 11 alternating runs (CPU\n'
        printf 'time). Same text content in both modes; for documents and records, text mode reads the same texts as\n'
        printf 'NUL-separated records (the same subjects and matches); documents-as-lines compares the documents with the\n'
        printf 'original lines, one record each (no context over line edges); records scans the `text` field\n'
        printf '(`--field text`), records-all-strings every string (ids and metadata too, which text mode does not read).\n\n'
        printf '%s\n' "$ratio" | sed 's/^/    /'
    } >>"$results"
fi

# ---- 7. other shapes of text against ripgrep (where piiscrub is weak), appended to the report ----------------------
if [ -z "${BENCH_CORPORA:-}" ]; then
    say "other shapes: bash bench/shapes.sh $bin"
    shapes=$(bash "$here/shapes.sh" "$bin")
    {
        printf '
## Other shapes of text

'
        printf '`bash bench/shapes.sh %s`: text shaped unlike the corpora above (see the script), `-j 1` against
' "${bin#"$root"/}"
        printf 'ripgrep with the reference patterns, medians of 5 alternating runs (CPU time).

'
        printf '%s\n' "$shapes"
    } >>"$results"
fi
