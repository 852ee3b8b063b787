#!/usr/bin/env bash
# Installs what piiscrub needs to build and test on Debian 12 (as root, or with sudo). Skips what is there.
set -euo pipefail
pkgs=(build-essential cmake pkg-config libpcre2-dev libyaml-dev libssl-dev libcmocka-dev libxxhash-dev python3 valgrind clang libclang-rt-14-dev)
pkgs+=(groff-base man-db zsh fish bash-completion) # man page and shell completion tests (issue 8)
pkgs+=(python3-dask python3-distributed parallel binutils) # Python binding, Dask and GNU parallel scale-out tests (issue 7)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${missing[@]}"
fi
