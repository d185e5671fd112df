#!/usr/bin/env bash
# Makes sure the system programs a job drives are on this machine, before the
# job starts: installs the missing ones with Debian's apt when this user may
# (root, or sudo without a password), otherwise stops at once with one line
# naming what to install. Set NO_SYSTEM_INSTALL=1 to only check.
#
# usage: scripts/ensure-system-tools.sh tests|bench
set -euo pipefail

# Each job's needs as "probe=package": the probe is a command on PATH, or
# py:<module> for a library of Debian's /usr/bin/python3 (the only Python that
# sees Debian's python3-* packages).
TESTS=(
  dcmdump=dcmtk     # reads de-identified DICOM output, encodes JPEG test files
  chromium=chromium # renders the demo pages in the browser test
  dciodvfy=dicom3tools # checks every DICOM SR written against its IOD
)
BENCH=(
  py:pydicom=python3-pydicom # the pydicom + numpy + Pillow baseline
  py:numpy=python3-numpy
  py:PIL=python3-pil
)
# Wanted but not required: installed when possible; the job itself says in one
# line which are missing and leaves their part out.
BENCH_OPTIONAL=(
  opj_decompress=libopenjp2-tools # native JPEG 2000 decoder beside ours
  dcmdjpls=dcmtk                  # CharLS (JPEG-LS) inside dcmtk
  gdcmconv=libgdcm-tools          # OpenJPEG and CharLS inside GDCM
)
optional=()

have() {
  case "$1" in
    py:*) /usr/bin/python3 -c "import ${1#py:}" >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

case "${1:-}" in
  tests) needs=("${TESTS[@]}") ;;
  bench) needs=("${BENCH[@]}"); optional=("${BENCH_OPTIONAL[@]}") ;;
  *) echo "usage: $0 tests|bench" >&2; exit 2 ;;
esac

missing_packages() {
  local seen=" " out=()
  for need in "${needs[@]}"; do
    local probe=${need%%=*} package=${need#*=}
    if ! have "$probe" && [[ "$seen" != *" $package "* ]]; then
      out+=("$package"); seen+="$package "
    fi
  done
  echo "${out[@]:-}"
}

read -r -a missing <<<"$(missing_packages)"
read -r -a missing_optional <<<"$(needs=("${optional[@]:-}") && missing_packages)"
if [ ${#missing[@]} -eq 0 ]; then
  # Best effort only, and only as root or with sudo: the job reports what is still missing.
  if [ ${#missing_optional[@]} -gt 0 ] && [ "${NO_SYSTEM_INSTALL:-}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
    sudo_or_root=(); [ "$(id -u)" -eq 0 ] || sudo_or_root=(sudo -n)
    if [ "$(id -u)" -eq 0 ] || sudo -n true >/dev/null 2>&1; then
      echo "Installing ${missing_optional[*]} with apt-get (wanted by '$1')..."
      { "${sudo_or_root[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_or_root[@]}" apt-get install -y -qq \
        --no-install-recommends "${missing_optional[@]}" >/dev/null; } || true
    fi
  fi
  exit 0
fi

stop() {
  echo "Missing system packages for '$1': ${missing[*]}. Install them (Debian/Ubuntu: sudo apt-get install ${missing[*]}) and run again." >&2
  exit 1
}

[ "${NO_SYSTEM_INSTALL:-}" = 1 ] && stop "$1"
command -v apt-get >/dev/null 2>&1 || stop "$1"
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif sudo -n true >/dev/null 2>&1; then
  as_root=(sudo -n)
else
  stop "$1"
fi

echo "Installing ${missing[*]} with apt-get (needed by '$1')..."
if ! { "${as_root[@]}" apt-get update -qq \
  && DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
  stop "$1"
fi
read -r -a missing <<<"$(missing_packages)"
[ ${#missing[@]} -eq 0 ] || stop "$1"
