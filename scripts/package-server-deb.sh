#!/usr/bin/env bash
# Builds the Debian package of the server (docs/adr/0038):
#
#   scripts/package-server-deb.sh             cargo build --release, then the .deb
#   BRYGGA_DEB_NO_BUILD=1 scripts/package-server-deb.sh   the .deb of the binary built already
#   BRYGGA_DEB_PROFILE=dev scripts/package-server-deb.sh  the test build's binary instead
#       (scripts/test.sh's package stage: it tests what the package does on
#       a Debian, which the profile does not change; what ships is release)
#
# Writes target/debian/brygga-server_<version>_<arch>.deb and prints its
# path. Needs only dpkg-deb (Debian's dpkg). What goes in: the release
# binary (/usr/bin), the unit (/lib/systemd/system), the configuration
# (/etc/brygga-server, a conffile), the maintainer scripts and the
# README; all of them from crates/server/debian/ and the build.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

target_dir="${CARGO_TARGET_DIR:-$root/target}"
profile="${BRYGGA_DEB_PROFILE:-release}"
case "$profile" in
    release) profile_dir=release ;;
    dev) profile_dir=debug ;;
    *)
        echo "package-server-deb: BRYGGA_DEB_PROFILE is release or dev, not '$profile'" >&2
        exit 2
        ;;
esac
if [ -z "${BRYGGA_DEB_NO_BUILD:-}" ]; then
    cargo build --profile "$profile" -p brygga-server >&2
fi
binary="$target_dir/$profile_dir/brygga-server"
if [ ! -x "$binary" ]; then
    echo "package-server-deb: $binary is missing (cargo build --profile $profile -p brygga-server)" >&2
    exit 1
fi

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)"
arch="$(dpkg --print-architecture)"
# The binary needs the C library it was built against, or newer.
libc="$(dpkg-query -W -f='${Version}' libc6 | sed 's/-.*//')"
src="$root/crates/server/debian"
out="$target_dir/debian"
stage="$out/brygga-server_${version}_${arch}"

rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" \
    "$stage/etc/brygga-server" "$stage/usr/share/doc/brygga-server"
install -m 0755 "$binary" "$stage/usr/bin/brygga-server"
install -m 0644 "$src/brygga-server.service" "$stage/lib/systemd/system/"
install -m 0640 "$src/brygga-server.conf" "$stage/etc/brygga-server/"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/brygga-server/README.md"
install -m 0644 "$root/crates/server/README.md" "$stage/usr/share/doc/brygga-server/SERVER.md"
install -m 0644 "$root/docs/backup.md" "$stage/usr/share/doc/brygga-server/backup.md"
for script in postinst prerm postrm; do
    install -m 0755 "$src/$script" "$stage/DEBIAN/$script"
done
echo /etc/brygga-server/brygga-server.conf >"$stage/DEBIAN/conffiles"
size_kib="$(du -sk --exclude=DEBIAN "$stage" | cut -f1)"
cat >"$stage/DEBIAN/control" <<CONTROL
Package: brygga-server
Version: $version
Architecture: $arch
Maintainer: Brygga <brygga@localhost>
Section: net
Priority: optional
Depends: adduser, libc6 (>= $libc)
Installed-Size: $size_kib
Description: the municipal sync server of Brygga
 Brygga is the case journal of the family therapists of a municipality's
 social services who work in schools. Each laptop keeps its journal
 encrypted and syncs it to this server (SQLite or PostgreSQL), which also
 serves the web pages of administrators, unit managers and auditors.
 Runs as the system user brygga under a hardened systemd unit; settings
 in /etc/brygga-server/brygga-server.conf, data in /var/lib/brygga-server.
CONTROL

deb="$out/brygga-server_${version}_${arch}.deb"
dpkg-deb --root-owner-group --build "$stage" "$deb" >&2
echo "$deb"
