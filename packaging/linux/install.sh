#!/usr/bin/env bash
# Install the unpacked Helpdesk bundle for the current user (no root): the folder goes to
# ~/.local/opt/helpdesk, the menu entry to ~/.local/share/applications, the icons to
# ~/.local/share/icons/hicolor, and a `helpdesk` link to ~/.local/bin.
# Run from the unpacked folder: ./install.sh    (./install.sh --uninstall removes it again)
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PREFIX="${XDG_DATA_HOME:-$HOME/.local/share}"
TARGET="$HOME/.local/opt/helpdesk"
APPS="$PREFIX/applications"
ICONS="$PREFIX/icons/hicolor"

if [ "${1:-}" = "--uninstall" ]; then
  rm -rf "$TARGET" "$APPS/helpdesk.desktop" "$HOME/.local/bin/helpdesk"
  rm -f "$ICONS"/*/apps/helpdesk.png "$ICONS/scalable/apps/helpdesk.svg"
  echo "Helpdesk removed (the cache and settings stay; see the README to remove them)"
  exit 0
fi

if [ "$HERE" != "$TARGET" ]; then
  rm -rf "$TARGET.new"
  mkdir -p "$(dirname "$TARGET")"
  cp -a "$HERE" "$TARGET.new"
  rm -rf "$TARGET"
  mv "$TARGET.new" "$TARGET"
fi
mkdir -p "$APPS" "$ICONS/scalable/apps" "$HOME/.local/bin"
sed "s|@BUNDLE@|$TARGET|g" "$TARGET/share/helpdesk.desktop" > "$APPS/helpdesk.desktop"
for png in "$TARGET"/share/icons/helpdesk-*.png; do
  size="$(basename "$png" .png)"; size="${size#helpdesk-}"
  mkdir -p "$ICONS/${size}x${size}/apps"
  cp "$png" "$ICONS/${size}x${size}/apps/helpdesk.png"
done
cp "$TARGET/share/icons/helpdesk.svg" "$ICONS/scalable/apps/helpdesk.svg"
ln -sf "$TARGET/helpdesk" "$HOME/.local/bin/helpdesk"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$APPS" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$PREFIX/icons/hicolor" || true
echo "Helpdesk installed in $TARGET (menu: Office > Helpdesk; command: helpdesk)"
