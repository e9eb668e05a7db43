#!/usr/bin/env bash
# The whole test suite of Brygga: the one command CI runs (.ci/run).
#
#   ./scripts/test.sh            every stage, in order
#   ./scripts/test.sh STAGE...   only the named stages (see STAGES below)
#
# Installs what is missing on a Debian machine first (scripts/setup-debian.sh).
# BRYGGA_STRESS=1 is passed through to the tests unchanged: the crash test
# then kills the writer and the reader many more times.
# BRYGGA_WINDOWS=1 adds the stage windows to a run of every stage; without it
# that stage runs only when named (`./scripts/test.sh windows`).
#
# Exits non-zero as soon as a stage fails.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# The stages, in the order they run. A later piece of work adds its stage as a
# function below and its name here.
STAGES=(setup fmt clippy test bench server_postgres package ui desktop_e2e)
if [ -n "${BRYGGA_WINDOWS:-}" ]; then
    STAGES+=(windows)
fi
#   ui               - the Svelte UI: svelte-check + tsc, vitest unit tests,
#                      the production build, and headless-Chromium tests of
#                      the built UI on the real app (brygga-ui-bridge: the
#                      desktop app's commands on Tauri's mock runtime over a
#                      real journal) and a real brygga-server (axe audit of
#                      every screen, the keyboard-only check-in board); and
#                      the server's web pages on a real brygga-server (login
#                      with TOTP, roles, CSRF, idle timeout, CSP, axe;
#                      screenshots in test-artifacts/web-screenshots/)
#   desktop_e2e      - the release app under Xvfb, driven through tauri-driver /
#                      WebKitWebDriver (scripts/desktop-e2e.sh); screenshots in
#                      test-artifacts/screenshots/
#   server_postgres  - brygga-server's tests against a PostgreSQL started here
#                      (scripts/postgres-test.sh)
#   package          - the server's .deb (of the test build) installed with dpkg -i into a clean
#                      minimal Debian (debootstrap, cached), its unit's
#                      ExecStart run as its user there, two laptops enrolled
#                      and synced through it, the certificate renewed
#                      (scripts/package-server-deb-test.sh; needs root)
#   windows          - not in the default run (CI's time budget): only with
#                      BRYGGA_WINDOWS=1 or when named. The Windows build
#                      (x86_64-pc-windows-gnu, mingw-w64): clippy over the
#                      core, the CLI and the desktop shell, the core's and
#                      the CLI's tests under Wine, and the NSIS installer
#                      built around a debug build of the app and its
#                      contents checked (scripts/package-windows.sh --profile
#                      dev; docs/windows.md)

# Features the workspace is checked and tested with. bench-plaintext only
# lets the benchmark open an unkeyed database to measure the encryption
# overhead; ui-bridge builds brygga-ui-bridge for the UI's browser tests
# (and so has clippy check it). Neither is part of a shipped binary.
FEATURES=(--features brygga-core/bench-plaintext,brygga-desktop/ui-bridge)

banner() {
    printf '\n==== test.sh: %s ====\n' "$*"
}

# ---------------------------------------------------------------- stages ----

stage_setup() {
    # desktop: the workspace includes the Tauri app (src-tauri), which
    # clippy and the tests compile against WebKitGTK.
    "$root/scripts/setup-debian.sh" core desktop
    if ! command -v cargo >/dev/null 2>&1; then
        echo "test.sh: cargo not found; install the Rust toolchain with rustup (https://rustup.rs)" >&2
        return 1
    fi
    # rustfmt and clippy come with rustup's default profile; add them when the
    # toolchain was installed with the minimal one.
    if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
        rustup component add rustfmt clippy ||
            echo "test.sh: 'rustup component add rustfmt clippy' failed" >&2
        cargo fmt --version >/dev/null
        cargo clippy --version >/dev/null
    fi
    cargo --version
    rustc --version
    echo "test.sh: $(free_disk) of disk free for the build (a whole run takes about 11 GB)"
    if [ -n "${BRYGGA_STRESS:-}" ]; then
        echo "BRYGGA_STRESS=${BRYGGA_STRESS}: the crash test runs in stress mode"
    fi
}

stage_fmt() {
    cargo fmt --all -- --check
}

stage_clippy() {
    cargo clippy --workspace --all-targets "${FEATURES[@]}" -- -D warnings
    # unsafe_code is `deny`, not `forbid`, for one reviewed module (ADR 0039):
    # the compiler would accept another allow, so this stage does not.
    local allowed
    allowed=$(grep -rl --include='*.rs' 'allow(unsafe_code)' crates src-tauri tests || true)
    if [ "$allowed" != "src-tauri/src/system_lock/mod.rs" ]; then
        echo "test.sh: allow(unsafe_code) belongs in src-tauri/src/system_lock/mod.rs alone (ADR 0039); found in: ${allowed:-nowhere}" >&2
        return 1
    fi
}

stage_test() {
    # The PostgreSQL tests of brygga-server run in stage server_postgres.
    cargo test --workspace "${FEATURES[@]}" -- --skip postgres
}

# Runs every benchmark once in test mode, small: proves the benchmarks still
# build and run, without measuring (the figures in README.md come from full
# `cargo bench` runs). They are built with the test profile and features the
# test stage compiled everything with, so only the bench binaries are new
# (building them in the bench profile took ten minutes of CI); `--bench NAME`
# selects the bench targets alone, so no unit test runs a second time. The
# first-sync bench starts the brygga-server of the same profile, which the
# test stage built.
stage_bench() {
    cargo test --workspace "${FEATURES[@]}" --bench journal --bench first_sync -- --test
}

stage_ui() {
    (
        # shellcheck source=desktop-common.sh
        source "$root/scripts/desktop-common.sh"
        desktop_setup
        cd "$root/ui"
        npm run check
        npm test
        npm run build
        # The same features as the test stage, so that nothing is rebuilt.
        cargo build "${FEATURES[@]}" -p brygga-desktop --bin brygga-ui-bridge -p brygga-server --bin brygga-server
        export BRYGGA_UI_BRIDGE="$target_dir/debug/brygga-ui-bridge" BRYGGA_SERVER="$target_dir/debug/brygga-server"
        npm run test:browser
    )
}

stage_desktop_e2e() {
    "$root/scripts/desktop-e2e.sh"
}

# brygga-server's tests (the store story and the HTTP scenarios) against a
# throwaway PostgreSQL cluster that scripts/postgres-test.sh installs,
# starts on 127.0.0.1 and removes again. The `test` stage runs the SQLite
# half; it skips the PostgreSQL half (tests named postgres*), which needs
# BRYGGA_TEST_POSTGRES_URL and fails without it when CI=true.
# brygga-cli is named so that its binary is rebuilt: the end-to-end
# scenarios in tests/ run it.
stage_server_postgres() {
    "$root/scripts/postgres-test.sh" cargo test -p brygga-server -p brygga-cli -p brygga-e2e -- postgres
}

# The package is built from the test build of brygga-server, which the
# earlier stages made: what the stage checks (the package's files, its
# scripts, the unit, sync through it) is the same for the release binary
# that ships, and a release build would add over seven minutes.
stage_package() {
    BRYGGA_DEB_PROFILE=dev "$root/scripts/package-server-deb-test.sh"
}

# The Windows build of the core, the CLI and the desktop shell, checked by
# clippy (the code behind cfg(windows) has no other check here), and the
# core's and the CLI's tests run under 64-bit Wine. Wine gets a prefix of
# its own under target/, created on the first run without the Mono and Gecko
# installers it would offer (no test needs .NET or a browser engine).
# The tests that cannot run on Windows or under Wine are listed in
# docs/windows.md, with how they are checked on a Windows machine. Last, the
# installer: built by makensis around a debug build of the app, its contents
# listed and checked (the same script builds the shipped one).
stage_windows() {
    "$root/scripts/setup-debian.sh" windows
    local windows=(--target x86_64-pc-windows-gnu)
    cargo clippy "${windows[@]}" -p brygga-core -p brygga-cli -p brygga-desktop --all-targets -- -D warnings
    (
        export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
        export WINEPREFIX="${CARGO_TARGET_DIR:-$root/target}/wine-prefix"
        export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
        if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
            wineboot --init
        fi
        # Wine 8 (Debian 12) has no bcryptprimitives.dll, where Rust's
        # standard library gets its random bytes: a stand-in for the prefix
        # (scripts/wine/bcryptprimitives.c). Wine 9 brings its own.
        local prng="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
        if [ ! -f "$prng" ]; then
            x86_64-w64-mingw32-gcc -O2 -shared -o "$prng" "$root/scripts/wine/bcryptprimitives.c" \
                "$root/scripts/wine/bcryptprimitives.def" -lbcrypt
        fi
        cargo test "${windows[@]}" -p brygga-core -p brygga-cli
    )
    "$root/scripts/package-windows.sh" --profile dev
}

# ----------------------------------------------------------------- main ----

# The free space where the build writes, for the log: a build that runs
# out of disk fails with an I/O error far from its cause.
free_disk() {
    local dir="${CARGO_TARGET_DIR:-$root/target}"
    [ -d "$dir" ] || dir="$root"
    df -h --output=avail "$dir" | tail -n 1 | tr -d ' '
}

if [ "$#" -gt 0 ]; then
    selected=("$@")
else
    selected=("${STAGES[@]}")
fi
for stage in "${selected[@]}"; do
    if ! declare -F "stage_$stage" >/dev/null; then
        echo "test.sh: unknown stage '$stage' (stages: ${STAGES[*]})" >&2
        exit 2
    fi
done

# A clean clone builds everything once: incremental data would only take
# disk (gigabytes of it) that the build itself may need.
if [ -n "${CI:-}" ]; then
    export CARGO_INCREMENTAL=0
fi

current=""
started=$SECONDS
on_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ] && [ -n "$current" ]; then
        printf '\n==== test.sh: FAILED in stage %s (exit %s) ====\n' "$current" "$rc" >&2
    fi
}
trap on_exit EXIT

for stage in "${selected[@]}"; do
    current="$stage"
    banner "$stage"
    stage_start=$SECONDS
    # Called directly, not in an `if`, so that `set -e` stays in force
    # inside the stage and its first failing command fails the run.
    "stage_$stage"
    echo "test.sh: stage $stage passed in $((SECONDS - stage_start)) s; $(free_disk) free"
done
current=""

banner "all stages passed (${selected[*]}) in $((SECONDS - started)) s"
