#!/usr/bin/env bash
# Builds the desktop app: the UI (ui/dist) and the binary
# target/desktop/brygga-desktop (Cargo's `desktop` profile: the release
# profile optimised for size), which serves the bundled UI.
#
#   scripts/desktop-build.sh         the binary
#   scripts/desktop-build.sh --deb   and the Debian package
#                                    target/desktop/bundle/deb/brygga_VERSION_ARCH.deb
#
# The .deb is assembled with dpkg-deb, the same layout tauri-bundler makes
# (binary in /usr/bin, a .desktop entry, hicolor icons), so no extra tool has
# to be installed or downloaded. Only .deb: AppImage bundling downloads tools
# at build time. `cargo tauri build --bundles deb` reads the same
# tauri.conf.json where tauri-cli is installed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/desktop-common.sh"

desktop_setup
desktop_build_app
ls -l "$app_bin"
if [ "${1:-}" != "--deb" ]; then
    exit 0
fi

version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$root/tauri.conf.json" | head -1)
arch=$(dpkg --print-architecture)
out="$target_dir/desktop/bundle/deb"
stage="$(mktemp -d "${TMPDIR:-/tmp}/brygga-deb.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
pkg="$stage/brygga_${version}_${arch}"

install -Dm755 "$app_bin" "$pkg/usr/bin/brygga-desktop"
for size in 32x32 128x128; do
    install -Dm644 "$root/src-tauri/icons/$size.png" "$pkg/usr/share/icons/hicolor/$size/apps/brygga-desktop.png"
done
install -Dm644 "$root/src-tauri/icons/128x128@2x.png" "$pkg/usr/share/icons/hicolor/256x256@2/apps/brygga-desktop.png"
install -d "$pkg/usr/share/applications" "$pkg/DEBIAN"
cat >"$pkg/usr/share/applications/brygga-desktop.desktop" <<EOT
[Desktop Entry]
Type=Application
Name=Brygga
Comment=Encrypted case journal for school-based family therapists
Comment[sv]=Krypterad journal för familjebehandlare i skolan
Exec=brygga-desktop
Icon=brygga-desktop
Terminal=false
Categories=Office;
EOT
cat >"$pkg/DEBIAN/control" <<EOT
Package: brygga
Version: $version
Architecture: $arch
Maintainer: Brygga developers <brygga@example.invalid>
Installed-Size: $(du -sk "$pkg/usr" | cut -f1)
Depends: libwebkit2gtk-4.1-0, libgtk-3-0
Section: misc
Priority: optional
Description: Encrypted case journal for school-based family therapists
 Brygga keeps an encrypted, offline-first case journal for the family
 therapists of a municipality's social services who work inside schools.
EOT
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$pkg" "$out/" >&2
ls -l "$out"/brygga_"${version}"_"${arch}".deb
