#!/usr/bin/env bash
# Installs what fivehours needs on a fresh Debian or Ubuntu machine that has only Swift:
#   to build and run:  libxml2-dev libssl-dev libxlsxwriter-dev zlib1g-dev pkg-config
#   for the tests:     chromium chromium-headless-shell fonts-wqy-zenhei tidy poppler-utils
#                      libreoffice-calc-nogui python3-pip, and openpyxl from PyPI
# (the browser tests render the reports in headless Chromium, with a Chinese font, and print
# them to A4; tidy checks the markup; LibreOffice and openpyxl read the workbooks back). Only missing packages are installed; run it as root or
# with sudo available. `scripts/setup.sh --run-only` installs the first group alone.
set -euo pipefail

build=(libxml2-dev libssl-dev libxlsxwriter-dev zlib1g-dev pkg-config)
tests=(chromium chromium-headless-shell fonts-wqy-zenhei tidy poppler-utils libreoffice-calc-nogui python3-pip)
wanted=("${build[@]}")
[ "${1:-}" = "--run-only" ] || wanted+=("${tests[@]}")

need=()
for pkg in "${wanted[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# openpyxl reads the workbooks back in WorkbookClientTests.
need_openpyxl() { [ "${1:-}" != "--run-only" ] && ! python3 -c 'import openpyxl' 2>/dev/null; }
if [ ${#need[@]} -eq 0 ]; then
  if need_openpyxl "${1:-}"; then
    python3 -m pip install -q openpyxl 2>/dev/null || python3 -m pip install -q --break-system-packages openpyxl
  fi
  echo "setup: everything is installed (${wanted[*]})"
  exit 0
fi

if ! command -v apt-get >/dev/null; then
  echo "setup: this is not a Debian-like system; install by hand: ${need[*]}" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then sudo="sudo"; else
    echo "setup: run as root (or install sudo) to install: ${need[*]}" >&2
    exit 1
  fi
fi
echo "setup: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
if need_openpyxl "${1:-}"; then
  python3 -m pip install -q openpyxl 2>/dev/null || python3 -m pip install -q --break-system-packages openpyxl
fi
echo "setup: done"
