#!/usr/bin/env bash
# End-to-end test of the real desktop app: builds the binary as it ships with
# the bundled UI, then drives it through tauri-driver + WebKitWebDriver
# under Xvfb (tests/e2e/desktop.test.mjs). Screenshots of the main screens
# land in test-artifacts/screenshots/.
#
#   scripts/desktop-e2e.sh            build, then test
#   BRYGGA_E2E_NO_BUILD=1 scripts/desktop-e2e.sh   test the existing binary
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/desktop-common.sh"

desktop_setup
desktop_ensure_tool tauri-driver
npm_ci_if_needed "$root/tests/e2e"
if [ -z "${BRYGGA_E2E_NO_BUILD:-}" ]; then
    desktop_build_app
fi
rm -rf "$root/test-artifacts/screenshots"
mkdir -p "$root/test-artifacts/screenshots"
export BRYGGA_APP="$app_bin"
# The server the sync and team tests start: the test stage's debug build,
# in the same target folder as the app (CARGO_TARGET_DIR is respected).
if [ -z "${BRYGGA_SERVER:-}" ] && [ -x "$target_dir/debug/brygga-server" ]; then
    export BRYGGA_SERVER="$target_dir/debug/brygga-server"
fi
# A private D-Bus as both the session and the system bus of the app, so
# that the test can send the suspend and screen-lock signals the shell
# listens for (src-tauri/src/system_lock.rs).
bus=$(dbus-daemon --session --fork --print-address=1 --print-pid=1)
export DBUS_SESSION_BUS_ADDRESS="$(sed -n 1p <<<"$bus")"
export DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS"
bus_pid="$(sed -n 2p <<<"$bus")"
trap 'kill "$bus_pid" 2>/dev/null || true' EXIT
cd "$root/tests/e2e"
xvfb-run -a -s "-screen 0 1280x900x24" node --test --test-force-exit --test-concurrency=1 desktop.test.mjs demo.test.mjs sync.test.mjs team.test.mjs start_again.test.mjs meeting.test.mjs
dlog "screenshots: $(ls "$root/test-artifacts/screenshots" | wc -l) in test-artifacts/screenshots/"
