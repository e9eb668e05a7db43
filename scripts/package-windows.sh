#!/usr/bin/env bash
# Builds the Windows installer of the desktop app from Linux and checks what
# it holds (docs/windows.md):
#
#   scripts/package-windows.sh                 # as it ships: the desktop profile
#   scripts/package-windows.sh --profile dev   # around a debug build (scripts/test.sh windows)
#
# 1. the UI (ui/dist) and brygga-desktop.exe for x86_64-pc-windows-gnu with
#    mingw-w64, in Cargo's `desktop` profile (as the Linux app ships) or the
#    profile named;
# 2. the NSIS installer from src-tauri/windows/installer.nsi with Debian's
#    makensis: target/x86_64-pc-windows-gnu/PROFILE/bundle/nsis/Brygga_VERSION_x64-setup.exe;
# 3. its contents listed with 7-Zip: exactly the app, its icon, WebView2's
#    loader and the uninstaller, besides NSIS's own plugins; the app a
#    64-bit Windows executable with its icon and the bundled UI inside that
#    needs no DLL of mingw-w64's, the icon the repository's; no database,
#    key file, fixture or test file.
#
# The test stage packages a debug build: the desktop profile's first Windows
# build compiles every dependency again with fat LTO, and what the check
# looks at (the installer script, what goes in, what stays out) is the same
# for both. Only a debug build opens a console beside its window.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/desktop-common.sh"

profile=desktop
if [ "${1:-}" = "--profile" ] && [ -n "${2:-}" ]; then
    profile="$2"
elif [ "$#" -gt 0 ]; then
    echo "usage: scripts/package-windows.sh [--profile PROFILE]" >&2
    exit 2
fi
# Cargo writes the dev profile's output to debug/; windows_subsystem is
# "windows" only without debug assertions (src-tauri/src/main.rs).
case "$profile" in
dev) profile_dir=debug subsystem=console ;;
*) profile_dir="$profile" subsystem=GUI ;;
esac

triple=x86_64-pc-windows-gnu
"$root/scripts/setup-debian.sh" windows
desktop_setup
desktop_build_ui
dlog "building brygga-desktop.exe ($triple, $profile profile)"
(cd "$root" && cargo build --profile "$profile" --target "$triple" -p brygga-desktop)

exe="$target_dir/$triple/$profile_dir/brygga-desktop.exe"
icon="$root/src-tauri/icons/icon.ico"
# Copied beside the exe by tauri-build (src-tauri/windows/installer.nsi).
loader="$(dirname "$exe")/WebView2Loader.dll"
version=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$root/tauri.conf.json" | head -1)
out_dir="$target_dir/$triple/$profile_dir/bundle/nsis"
installer="$out_dir/Brygga_${version}_x64-setup.exe"
mkdir -p "$out_dir"
rm -f "$installer"
makensis -V2 -DVERSION="$version" -DAPP_EXE="$exe" -DICON="$icon" -DWEBVIEW2_LOADER="$loader" -DOUTFILE="$installer" \
    "$root/src-tauri/windows/installer.nsi"

fail() {
    printf 'package-windows: %s\n' "$*" >&2
    exit 1
}

# What the installer holds, one path a line.
listing=$(7z l -slt "$installer" | sed -n 's/^Path = //p' | tail -n +2 | sort)
expected=$(printf '%s\n' brygga-desktop.exe icon.ico uninstall.exe WebView2Loader.dll | sort)
files=$(grep -v '^\$PLUGINSDIR/' <<<"$listing" || true)
if [ "$files" != "$expected" ]; then
    fail "the installer holds $(tr '\n' ' ' <<<"$files")instead of $(tr '\n' ' ' <<<"$expected")"
fi
# NSIS's own pieces: the plugins the script uses and the wizard's picture.
plugins=$(grep '^\$PLUGINSDIR/' <<<"$listing" || true)
if grep -v -E '^\$PLUGINSDIR/([A-Za-z]+\.dll|modern-wizard\.bmp)$' <<<"$plugins"; then
    fail "unexpected files among the installer's plugins (above)"
fi
if grep -i -E '\.(db|db-wal|db-shm|json|sqlite|csv|pdf)$|fixture|test' <<<"$listing"; then
    fail "the installer holds data or test files (above)"
fi

unpacked="$(mktemp -d "${TMPDIR:-/tmp}/brygga-nsis.XXXXXX")"
trap 'rm -rf "$unpacked"' EXIT
7z x -bd -y -o"$unpacked" "$installer" brygga-desktop.exe icon.ico WebView2Loader.dll >/dev/null
cmp -s "$unpacked/brygga-desktop.exe" "$exe" || fail "the installer's brygga-desktop.exe is not the one just built"
cmp -s "$unpacked/icon.ico" "$icon" || fail "the installer's icon.ico is not src-tauri/icons/icon.ico"
cmp -s "$unpacked/WebView2Loader.dll" "$loader" || fail "the installer's WebView2Loader.dll is not the one the app was linked with"
file -b "$exe" | grep -q "PE32+ executable ($subsystem) x86-64" ||
    fail "brygga-desktop.exe is not a 64-bit Windows $subsystem executable: $(file -b "$exe")"
# The DLLs the app loads: Windows' own and WebView2's loader, which the
# installer ships; none of mingw-w64's runtime (libgcc_s, libwinpthread,
# libstdc++), which a Windows laptop does not have.
imports=$(x86_64-w64-mingw32-objdump -p "$exe" | sed -n 's/^\tDLL Name: //p')
grep -q -x -i 'WebView2Loader.dll' <<<"$imports" || fail "brygga-desktop.exe does not load WebView2Loader.dll; is it still needed in the installer?"
if grep -i -E '^lib' <<<"$imports"; then
    fail "brygga-desktop.exe needs mingw-w64 runtime DLLs (above) that the installer does not ship"
fi
# The icon is a resource of the executable (Explorer, the taskbar).
x86_64-w64-mingw32-objdump -h "$exe" | grep -q '\.rsrc' || fail "brygga-desktop.exe has no resources (icon)"
# The UI is inside the executable, not beside it: Tauri embeds ui/dist
# compressed, under the assets' own paths.
for asset in "$root"/ui/dist/assets/*.js; do
    name="/assets/$(basename "$asset")"
    grep -a -q -F "$name" "$exe" || fail "brygga-desktop.exe does not hold the UI just built ($name)"
done

size=$(stat -c %s "$installer")
dlog "$installer: $size bytes ($((size / 1024)) KiB); holds:"
sed 's/^/    /' <<<"$listing" >&2
