#!/usr/bin/env bash
# Debian packages the project needs: Qt's offscreen/xcb runtime libraries, fonts with
# Persian glyphs, and the PostgreSQL server the server tests run on (scripts/test-postgres.sh
# starts a throw-away cluster of it). Installs only what is missing, so a warm machine pays nothing.
set -euo pipefail

PACKAGES=(
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-randr0
  libxcb-render-util0 libxcb-image0 libxcb-xinerama0
  fonts-dejavu-core fonts-farsiweb
)
# `--test`: what only the test suite needs: a PostgreSQL server for the server tests and
# Chromium with its driver for the web form's browser test
if [ "${1:-}" = "--test" ]; then
  PACKAGES=(postgresql chromium chromium-driver)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: not a Debian-like system; install the equivalents of: ${missing[*]}" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "system-deps: need root to install: ${missing[*]}" >&2; exit 1; fi
fi
echo "system-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
