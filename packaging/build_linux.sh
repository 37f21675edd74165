#!/usr/bin/env bash
# Build the Linux bundle here: dist/helpdesk/ (one folder: the `helpdesk` executable,
# its libraries, share/ with the .desktop file and icons, install.sh) and
# dist/helpdesk-<version>-linux-<arch>.tar.gz to hand to agents' desktops.
# Uses the project's .venv (`make bundle` sets it up) and installs PyInstaller into it
# (the `packaging` optional group of pyproject.toml) when it is missing.
#   bash packaging/build_linux.sh            # build
#   bash packaging/build_linux.sh --if-stale # only when a source is newer than the bundle
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DIST=dist/helpdesk

if [ "${1:-}" = "--if-stale" ] && [ -x "$DIST/helpdesk" ]; then
  newer="$(find core desktop sync packaging pyproject.toml -newer "$DIST/helpdesk" -type f \
    ! -path '*/__pycache__/*' ! -name '*.pyc' -print -quit)"
  if [ -z "$newer" ]; then
    echo "build_linux: $DIST is newer than every source; kept"
    exit 0
  fi
  echo "build_linux: $newer changed; building again"
fi

test -x "$BIN/python" || { echo "build_linux: no $BIN/python; run 'make setup' first" >&2; exit 1; }
if ! "$BIN/python" -c "import PyInstaller" 2>/dev/null; then
  "$BIN/python" -m pip install -q -e '.[packaging]'
fi

started=$(date +%s)
"$BIN/pyinstaller" --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/helpdesk.spec
mkdir -p "$DIST/share/icons"
cp packaging/linux/helpdesk.desktop "$DIST/share/"
cp packaging/icons/helpdesk.svg packaging/icons/helpdesk-*.png "$DIST/share/icons/"
cp packaging/linux/install.sh "$DIST/install.sh"
touch "$DIST/helpdesk"  # the bundle's age, for --if-stale

version="$("$BIN/python" -c 'import importlib.metadata as m; print(m.version("helpdesk"))')"
archive="dist/helpdesk-$version-linux-$(uname -m).tar.gz"
tar -C dist -czf "$archive" helpdesk
echo "build_linux: $DIST ($(du -sh "$DIST" | cut -f1)), $archive ($(du -sh "$archive" | cut -f1)) in $(( $(date +%s) - started )) s"
