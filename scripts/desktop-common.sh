#!/usr/bin/env bash
# Shared by the scripts/desktop-*.sh scripts: sourced, not run.
#
#   desktop_setup        Debian packages (core + desktop), the UI's npm
#                        packages when package-lock.json changed
#   desktop_build_ui     ui/dist (Vite)
#   desktop_build_app    target/desktop/brygga-desktop with the bundled UI
#                        (the `desktop` profile of Cargo.toml: as it ships)
#   desktop_ensure_tool  cargo install NAME --locked when NAME is missing

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target_dir="${CARGO_TARGET_DIR:-$root/target}"
app_bin="$target_dir/desktop/brygga-desktop"

# Blank or black windows under Xvfb and on some GPUs otherwise.
export WEBKIT_DISABLE_COMPOSITING_MODE="${WEBKIT_DISABLE_COMPOSITING_MODE:-1}"
export WEBKIT_DISABLE_DMABUF_RENDERER="${WEBKIT_DISABLE_DMABUF_RENDERER:-1}"

dlog() { printf 'desktop: %s\n' "$*" >&2; }

# npm ci in DIR when its lock file is newer than what is installed.
npm_ci_if_needed() {
    local dir="$1"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] ||
        [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        dlog "npm ci in ${dir#"$root"/}"
        (cd "$dir" && npm ci --no-audit --no-fund)
    fi
}

desktop_setup() {
    "$root/scripts/setup-debian.sh" core desktop
    if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
        dlog "node and npm are needed (Node 20 or newer)"
        return 1
    fi
    npm_ci_if_needed "$root/ui"
}

desktop_build_ui() {
    dlog "building the UI (ui/dist)"
    (cd "$root/ui" && npm run build)
}

desktop_build_app() {
    desktop_build_ui
    dlog "building brygga-desktop (desktop profile, custom protocol: serves ui/dist)"
    (cd "$root" && cargo build --profile desktop -p brygga-desktop)
}

desktop_ensure_tool() {
    local name="$1"
    if ! command -v "$name" >/dev/null 2>&1; then
        dlog "installing $name (cargo install $name --locked)"
        cargo install "$name" --locked
    fi
}
