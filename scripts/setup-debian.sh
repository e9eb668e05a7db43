#!/usr/bin/env bash
# Installs the Debian packages Brygga needs, and only those that are missing.
#
#   scripts/setup-debian.sh [GROUP...]      GROUP: core (default), desktop, postgres, package, windows, all
#
# Safe to run again and again: a package that is already installed is left
# alone, and `apt-get update` runs only when something has to be installed.
# Non-interactive (works with CI=true and no stdin). Runs apt-get directly as
# root, through sudo otherwise.
#
# The Rust toolchain itself is not installed here: it comes from rustup, and
# Debian's rustc is older than the workspace's rust-version.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

log() { printf 'setup-debian: %s\n' "$*" >&2; }

# What each group needs.
#   core:     a C toolchain, perl and make build the SQLCipher and OpenSSL that
#             rusqlite's bundled-sqlcipher-vendored-openssl feature compiles;
#             sqlite3 is used by the test that proves plain SQLite cannot read
#             the journal; poppler-utils gives pdftotext, which the tests of
#             the PDF exports read their text back with.
#   desktop:  Tauri 2 on WebKitGTK 4.1, plus Xvfb, WebKitWebDriver and
#             screenshot tools for the end-to-end tests of the desktop app.
#   postgres: the PostgreSQL server the server's storage tests run against.
#   package:  the server's Debian package test: debootstrap makes the clean
#             Debian it installs into, systemd's systemd-analyze checks the
#             unit, openssl plays the municipality's CA
#             (scripts/package-server-deb-test.sh).
#   windows:  the cross-build for Windows laptops (docs/windows.md): the
#             mingw-w64 C toolchain the vendored SQLCipher and OpenSSL
#             compile with, 64-bit Wine to run the test suites of the
#             Windows build (wine gives the `wine` command, wine64 the
#             64-bit loader; no 32-bit multiarch is needed), NSIS for the
#             installer and p7zip to list what the installer holds. The
#             rustup target x86_64-pc-windows-gnu is added as well.
group_packages() {
    case "$1" in
        core)
            echo build-essential pkg-config libssl-dev perl make sqlite3 poppler-utils
            ;;
        desktop)
            echo libwebkit2gtk-4.1-dev build-essential file libxdo-dev libssl-dev \
                libayatana-appindicator3-dev librsvg2-dev xvfb xauth webkit2gtk-driver \
                imagemagick chromium dbus-daemon dbus-bin
            ;;
        postgres)
            echo postgresql
            ;;
        package)
            echo debootstrap systemd openssl
            ;;
        windows)
            echo gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine wine64 nsis p7zip-full
            ;;
        *)
            return 1
            ;;
    esac
}

usage() {
    echo "usage: $0 [core|desktop|postgres|package|windows|all]..." >&2
    exit 2
}

groups=("$@")
if [ "${#groups[@]}" -eq 0 ]; then
    groups=(core)
fi

selected=()
for group in "${groups[@]}"; do
    case "$group" in
        -h | --help) usage ;;
        all) selected+=(core desktop postgres package windows) ;;
        *) selected+=("$group") ;;
    esac
done

wanted=()
for g in "${selected[@]}"; do
    if ! pkgs=$(group_packages "$g"); then
        log "unknown package group '$g'"
        usage
    fi
    # shellcheck disable=SC2206 # package names never contain spaces or globs
    wanted+=($pkgs)
done

is_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

missing=()
for pkg in "${wanted[@]}"; do
    if is_installed "$pkg"; then
        continue
    fi
    # Each package once, even when two groups name it.
    case " ${missing[*]-} " in
        *" $pkg "*) ;;
        *) missing+=("$pkg") ;;
    esac
done

# The Windows target's standard library comes from rustup, not from Debian.
add_rust_targets() {
    case " ${selected[*]} " in
        *" windows "*) ;;
        *) return 0 ;;
    esac
    if rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
        return 0
    fi
    if ! command -v rustup >/dev/null 2>&1; then
        log "rustup not found: add the target x86_64-pc-windows-gnu to your toolchain yourself"
        exit 1
    fi
    log "adding the rustup target x86_64-pc-windows-gnu"
    rustup target add x86_64-pc-windows-gnu >&2
}

if [ "${#missing[@]}" -eq 0 ]; then
    log "all packages for: ${groups[*]} are installed"
    add_rust_targets
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1; then
    # Without a terminal sudo must not wait for a password it cannot get.
    if [ -t 0 ]; then
        as_root=(sudo)
    else
        as_root=(sudo -n)
    fi
else
    log "these packages are missing: ${missing[*]}"
    log "run this script as root, or install sudo, or install them yourself"
    exit 1
fi

# Wait for another apt/dpkg (unattended-upgrades, say) instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=300)

log "installing: ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -q >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -q \
    --no-install-recommends "${missing[@]}" >&2
log "installed: ${missing[*]}"
add_rust_targets
