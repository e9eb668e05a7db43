#!/usr/bin/env bash
# Runs Brygga.
#
#   ./scripts/run.sh              the desktop app: builds the UI and the app
#                                 (as it ships) and opens its window. On a machine
#                                 without a display: xvfb-run ./scripts/run.sh
#   ./scripts/run.sh --cli-demo   a demo of the `brygga` CLI: a fresh journal in
#                                 a temporary folder, filled with fictional data
#   ./scripts/run.sh ARGS...      `brygga ARGS...` against your own journal
#                                 (--data-dir, BRYGGA_DATA_DIR or the platform
#                                 default; BRYGGA_PASSPHRASE or a prompt)
#
# Installs what is missing on a Debian machine first. The app and the CLI use
# the same journal folder: BRYGGA_DATA_DIR, else the platform data directory.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ "$#" -eq 0 ]; then
    # shellcheck source=desktop-common.sh
    source "$root/scripts/desktop-common.sh"
    desktop_setup
    desktop_build_app >&2
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
        echo "run.sh: no display; on a headless machine run: xvfb-run ./scripts/run.sh" >&2
    fi
    exec "$app_bin"
fi

"$root/scripts/setup-debian.sh" core
echo "run.sh: building the brygga CLI (release)" >&2
cargo build --release -p brygga-cli >&2
brygga_bin="${CARGO_TARGET_DIR:-$root/target}/release/brygga"

if [ "$1" != "--cli-demo" ]; then
    exec "$brygga_bin" "$@"
fi

# ------------------------------------------------------------------ demo ----
# Every person, school and number below is made up. 20120417-9939 is a
# fictional personnummer with a valid check digit.

# Shows a command as it could be typed, then runs it.
show() {
    local line="" arg
    for arg in "$@"; do
        case "$arg" in
            "" | *[[:space:]\"\'\$\`\\]*) line+=" \"${arg//\"/\\\"}\"" ;;
            *) line+=" $arg" ;;
        esac
    done
    printf '\n$%s\n' "$line"
}
run() {
    show brygga "$@"
    "$brygga_bin" "$@"
}
# run_capture VAR ARGS...: like run, and keeps what it printed (an id) in VAR.
run_capture() {
    local var="$1" out
    shift
    show brygga "$@"
    out="$("$brygga_bin" "$@")"
    printf '%s\n' "$out"
    printf -v "$var" '%s' "$out"
}

demo_dir="$(mktemp -d "${TMPDIR:-/tmp}/brygga-demo.XXXXXX")"
demo_pass="demo-lösenord-endast-för-fiktiva-data"
export BRYGGA_DATA_DIR="$demo_dir"
export BRYGGA_PASSPHRASE="$demo_pass"

cat <<EOF
Brygga demo: all names, numbers and events below are fictional.
Journal folder: $demo_dir   (BRYGGA_DATA_DIR)
Passphrase:     $demo_pass   (BRYGGA_PASSPHRASE; a demo passphrase, never use a known one for real data)
EOF

# The ids the CLI prints when it creates something.
pupil_id="" case_id="" entry_id=""

run init --author "Fiktiv Handläggare"

run_capture pupil_id pupil add --name "Fiktiv Elev" --personnummer 20120417-9939 \
    --school "Fiktiva skolan" --grade 8

run_capture case_id case open --pupil "$pupil_id"

run_capture entry_id entry add --case "$case_id" --kind home-visit \
    --at 2026-11-25T09:00:00+01:00 \
    --text "Fiktivt hembesök. Eleven och vårdnadshavaren berättade att morgnarna är svårast. Vi kom överens om att mötas vid skolans entré på tisdag klockan 08.15." \
    --field place=hemmet --field purpose=motivation

run entry sign "$entry_id"

run entry correct "$entry_id" \
    --text "Mötet vid entrén är på onsdag klockan 08.15, inte på tisdag." \
    --reason "Fel veckodag i den signerade anteckningen."

run entry list --case "$case_id"
run entry show "$entry_id"

# The first word is in the entry, the second only in its correction.
run search morgnarna
run search onsdag

run audit list
run audit verify

# A wrong passphrase is refused with exit code 3 and changes nothing.
show BRYGGA_PASSPHRASE=fel-lösenord brygga case list
set +e
BRYGGA_PASSPHRASE="fel-lösenord" "$brygga_bin" case list
rc=$?
set -e
echo "exit code: $rc"
if [ "$rc" -ne 3 ]; then
    echo "run.sh: expected exit code 3 for a wrong passphrase, got $rc" >&2
    exit 1
fi

cat <<EOF

Demo done. The encrypted journal stays in $demo_dir. Go on with it, e.g.
  BRYGGA_DATA_DIR=$demo_dir BRYGGA_PASSPHRASE=$demo_pass ./scripts/run.sh entry list --case $case_id
and remove it with
  rm -r $demo_dir
EOF
