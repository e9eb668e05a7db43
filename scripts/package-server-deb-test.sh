#!/usr/bin/env bash
# The Debian package of the server on a clean Debian (docs/adr/0038):
#
#   scripts/package-server-deb-test.sh
#   BRYGGA_DEB=path/to/brygga-server_….deb scripts/package-server-deb-test.sh
#
# Builds the .deb (scripts/package-server-deb.sh), unpacks a minimal Debian
# root (debootstrap --variant=minbase, made once and kept as a tarball in
# ${BRYGGA_DEBIAN_ROOT_CACHE:-~/.cache/brygga}), installs the package into a
# fresh copy with `dpkg -i` (its maintainer scripts run there), checks the
# unit with systemd-analyze when there is one, runs the unit's ExecStart as
# the unit's user with the unit's environment file, enrols two laptops (the
# `brygga` CLI of this build) that sync through it, renews the certificate
# and then serves one a CA signed from the server's request (openssl plays
# the CA), syncing again each time, then removes and purges the package
# (the data stays).
# Needs root (chroot, debootstrap); the machine has no systemd as PID 1, so
# the unit's command is run by hand, not by systemctl.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { printf 'package-test: %s\n' "$*" >&2; }
fail() {
    log "FAILED: $*"
    exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root (chroot and debootstrap need it)"
"$root/scripts/setup-debian.sh" package

started=$SECONDS
target_dir="${CARGO_TARGET_DIR:-$root/target}"
cargo build -p brygga-cli >&2
brygga="$target_dir/debug/brygga"
# BRYGGA_DEB: test this package instead of building one.
deb="${BRYGGA_DEB:-$("$root/scripts/package-server-deb.sh")}"
log "built $deb"

# The clean Debian: the host's release, so that the binary's C library is there.
suite="$(. /etc/os-release && echo "$VERSION_CODENAME")"
cache="${BRYGGA_DEBIAN_ROOT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/brygga}"
tarball="$cache/debian-$suite-minbase.tar"
mkdir -p "$cache"
if [ ! -s "$tarball" ]; then
    log "making a minimal Debian $suite root (once; kept in $tarball)"
    fresh="$(mktemp -d)"
    # adduser is the package's one dependency beyond the C library: what
    # apt would fetch with it.
    debootstrap --variant=minbase --include=adduser "$suite" "$fresh" \
        "${BRYGGA_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
    tar -C "$fresh" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf "$fresh"
fi

work="$(mktemp -d)"
chroot_dir="$work/root"
server_pid=""
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
}
cleanup() {
    stop_server
    rm -rf "$work"
}
trap cleanup EXIT
mkdir "$chroot_dir"
tar -C "$chroot_dir" -xf "$tarball"
# The root as a Debian root is: tar gives it the mode of the directory the
# tarball was made from (mktemp's 0700), which would shut out every user
# but root, the server's own among them.
chmod 0755 "$chroot_dir"
getent passwd brygga >/dev/null && fail "the clean root is not clean"
chroot "$chroot_dir" getent passwd brygga >/dev/null && fail "the clean root has a brygga user"

log "dpkg -i into the clean root"
cp "$deb" "$chroot_dir/tmp/"
chroot "$chroot_dir" dpkg -i "/tmp/$(basename "$deb")" >&2

# What the maintainer scripts made.
in_root() { chroot "$chroot_dir" "$@"; }
in_root getent passwd brygga >/dev/null || fail "postinst made no brygga user"
[ "$(in_root stat -c '%U %a' /var/lib/brygga-server)" = "brygga 700" ] ||
    fail "the data directory is not brygga's alone"
[ "$(in_root stat -c '%U:%G %a' /etc/brygga-server/brygga-server.conf)" = "root:brygga 640" ] ||
    fail "the configuration is not root:brygga 0640"
[ "$(in_root stat -c '%U %a' /var/lib/brygga-server/tls/key.pem)" = "brygga 600" ] ||
    fail "postinst made no private TLS key for brygga"
in_root dpkg-query -W -f='${Conffiles}\n' brygga-server | grep -q brygga-server.conf ||
    fail "the configuration is not a conffile"

unit="$chroot_dir/lib/systemd/system/brygga-server.service"
if command -v systemd-analyze >/dev/null; then
    # A root of its own: the installed unit and binary, and the host's
    # targets the unit names (the minimal Debian has no systemd). A unit
    # that does not parse is only warned about, so any output fails too.
    verify="$work/verify"
    install -d "$verify/lib/systemd/system" "$verify/usr/bin"
    cp "$unit" "$verify/lib/systemd/system/"
    cp "$chroot_dir/usr/bin/brygga-server" "$verify/usr/bin/"
    cp /lib/systemd/system/*.target "$verify/lib/systemd/system/"
    if ! said="$(systemd-analyze verify --root="$verify" /lib/systemd/system/brygga-server.service 2>&1)" ||
        [ -n "$said" ]; then
        fail "systemd-analyze verify: $said"
    fi
    log "systemd-analyze verify: the unit is valid"
else
    log "no systemd-analyze here: the unit is not verified"
fi

# The unit as systemd would run it: its user, its environment file, its
# ExecStart. The administrator's one change: a free port on loopback.
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
user="$(unit_value User)"
exec_start="$(unit_value ExecStart)"
env_file="$(unit_value EnvironmentFile)"
[ "$user" = brygga ] || fail "the unit runs as '$user'"
port=""
for _ in $(seq 1 50); do
    candidate="$(shuf -i 20000-60000 -n 1)"
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        port="$candidate"
        break
    fi
done
[ -n "$port" ] || fail "no free port on loopback"
sed -i "s/^BRYGGA_SERVER_LISTEN=.*/BRYGGA_SERVER_LISTEN=127.0.0.1:$port/" "$chroot_dir$env_file"
mapfile -t settings < <(grep -E '^[A-Z_]+=' "$chroot_dir$env_file")
# Numeric: the host has no such user.
uid="$(in_root id -u "$user")"
gid="$(in_root id -g "$user")"
as_unit() {
    chroot --userspec="$uid:$gid" --groups="$gid" "$chroot_dir" \
        env -i PATH=/usr/bin:/bin "${settings[@]}" "$@"
}
start_server() {
    # shellcheck disable=SC2086 # ExecStart is a command line
    as_unit $exec_start 2>"$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 100); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            return 0
        fi
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; fail "the server stopped"; }
        sleep 0.1
    done
    cat "$work/server.log" >&2
    fail "the server did not listen on $port"
}
start_server
log "the unit's ExecStart ($exec_start) listens on 127.0.0.1:$port as $user"

as_unit /usr/bin/brygga-server team add "Team Norra" >&2
as_unit /usr/bin/brygga-server user add anna --team "Team Norra" >&2
as_unit /usr/bin/brygga-server user add bo --team "Team Norra" >&2
export BRYGGA_PASSPHRASE="fiktiv lösenfras för paketprovet"
laptop() {
    local dir="$work/laptop-$1"
    shift
    "$brygga" --data-dir "$dir" "$@" </dev/null
}
url="https://127.0.0.1:$port"
for who in anna bo; do
    laptop "$who" init --author "Fiktiv ${who^}" >/dev/null
    code="$(as_unit /usr/bin/brygga-server device enroll-code --user "$who" 2>/dev/null)"
    laptop "$who" enroll --server "$url" --code "$code" --name "$who-laptop" >&2
done
# Anna registers a pupil and syncs; Bo's laptop must then have the pupil.
a_pupil_travels() {
    local name="$1" personnummer="$2"
    laptop anna pupil add --name "$name" --personnummer "$personnummer" \
        --school "Norra skolan" --grade 8 >/dev/null
    laptop anna sync >&2
    laptop bo sync >&2
    laptop bo pupil list | grep -q "$name"
}
a_pupil_travels "Fiktiv Elev Paketsson" 20120417-9939 ||
    fail "bo's laptop did not get anna's pupil through the packaged server"
log "two laptops enrolled and synced through the packaged server"

# A renewed certificate (same key): the laptops sync on, unenrolled again.
pin="$(as_unit /usr/bin/brygga-server cert fingerprint)"
stop_server
as_unit /usr/bin/brygga-server cert renew --name brygga.kommun.example --days 397 >/dev/null 2>&1
[ "$(as_unit /usr/bin/brygga-server cert fingerprint)" = "$pin" ] || fail "renew changed the key"
start_server
a_pupil_travels "Fiktiv Elev Förnyadsson" 20121008-9882 ||
    fail "a laptop stopped syncing after the certificate was renewed"
log "the laptops sync on after the certificate was renewed"

# A certificate from the municipality's CA (a throwaway one here), signed
# from the server's own signing request, as the README says.
as_unit /usr/bin/brygga-server cert csr --name brygga.kommun.example >"$work/brygga.csr"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
    -subj "/CN=Fiktiva kommunens CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl x509 -req -in "$work/brygga.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 30 -copy_extensions copyall -out "$work/signed.pem" 2>/dev/null
cat "$work/signed.pem" "$work/ca.pem" >"$chroot_dir/var/lib/brygga-server/tls/cert.pem"
stop_server
[ "$(as_unit /usr/bin/brygga-server cert fingerprint)" = "$pin" ] || fail "the CA's certificate has another key"
start_server
a_pupil_travels "Fiktiv Elev Kommunsson" 20110315-2383 ||
    fail "a laptop stopped syncing with the certificate the CA signed"
log "the laptops sync on with a certificate the CA signed"
stop_server

# Removing stops and keeps everything; purging removes the user, not the data.
in_root dpkg -r brygga-server >&2
in_root getent passwd brygga >/dev/null || fail "remove took the user"
in_root dpkg --purge brygga-server >&2
in_root getent passwd brygga >/dev/null && fail "purge left the user"
[ -s "$chroot_dir/var/lib/brygga-server/server.db" ] || fail "purge took the data"
[ ! -e "$chroot_dir/etc/brygga-server/brygga-server.conf" ] || fail "purge left the configuration"
log "remove and purge: the user goes, the data stays"

log "passed in $((SECONDS - started)) s"
