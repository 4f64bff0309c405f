#!/bin/sh
# Install the built bundle (make package) for the current user, no root needed:
#
#   packaging/linux/install.sh [BUNDLE]        # default: dist/streamwright
#   packaging/linux/install.sh --uninstall
#
# The bundle goes to $PREFIX/opt/streamwright (PREFIX defaults to ~/.local),
# the command to $PREFIX/bin/streamwright (a symlink), and the desktop entry,
# icons, AppStream metainfo and the project file type to $PREFIX/share, where
# application menus and software centres look. PREFIX=/usr/local as root
# installs it for every user.
set -eu

APP_ID=io.streamwright.Streamwright
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX=${PREFIX:-$HOME/.local}
SHARE=$PREFIX/share
TARGET=$PREFIX/opt/streamwright
SIZES="16 24 32 48 64 128 256 512"

refresh() {
    # Caches the desktop keeps; each tool may be missing on a minimal system.
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" || true
    command -v update-mime-database >/dev/null 2>&1 && update-mime-database "$SHARE/mime" || true
    command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t -f "$SHARE/icons/hicolor" || true
}

if [ "${1:-}" = "--uninstall" ]; then
    rm -rf "$TARGET"
    [ -L "$PREFIX/bin/streamwright" ] && rm -f "$PREFIX/bin/streamwright"
    rm -f "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml" \
          "$SHARE/mime/packages/$APP_ID.xml" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
    for size in $SIZES; do rm -f "$SHARE/icons/hicolor/${size}x${size}/apps/$APP_ID.png"; done
    refresh
    echo "removed Streamwright from $PREFIX"
    exit 0
fi

BUNDLE=${1:-$ROOT/dist/streamwright}
if [ ! -x "$BUNDLE/streamwright" ]; then
    echo "install.sh: no bundle at $BUNDLE; build it first with: make package" >&2
    exit 1
fi

mkdir -p "$PREFIX/opt" "$PREFIX/bin"
rm -rf "$TARGET.new"
cp -a "$BUNDLE" "$TARGET.new"
rm -rf "$TARGET"
mv "$TARGET.new" "$TARGET"
ln -sfn "$TARGET/streamwright" "$PREFIX/bin/streamwright"

# The entry names the executable by absolute path: ~/.local/bin is not on the
# PATH a desktop session starts applications with everywhere.
mkdir -p "$SHARE/applications"
sed -e "s|^Exec=streamwright |Exec=$TARGET/streamwright |" -e "s|^TryExec=streamwright\$|TryExec=$TARGET/streamwright|" \
    "$HERE/$APP_ID.desktop" > "$SHARE/applications/$APP_ID.desktop"
install -D -m 644 "$HERE/$APP_ID.metainfo.xml" "$SHARE/metainfo/$APP_ID.metainfo.xml"
install -D -m 644 "$HERE/$APP_ID.mime.xml" "$SHARE/mime/packages/$APP_ID.xml"
ICONS=$ROOT/resources/icons/app
install -D -m 644 "$ICONS/streamwright.svg" "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
for size in $SIZES; do
    install -D -m 644 "$ICONS/streamwright-$size.png" "$SHARE/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
refresh

echo "installed Streamwright to $TARGET"
echo "  menu entry: $SHARE/applications/$APP_ID.desktop"
echo "  command:    $PREFIX/bin/streamwright"
case ":$PATH:" in *":$PREFIX/bin:"*) ;; *) echo "  ($PREFIX/bin is not on your PATH; add it to run 'streamwright' from a terminal)" ;; esac
