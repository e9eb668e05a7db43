#!/usr/bin/env bash
# Regenerates ui/src/lib/bindings/ (TypeScript types of everything that
# crosses IPC) from the Rust types with ts-rs. `cargo test` fails while the
# committed files differ from what this writes.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
BRYGGA_UPDATE_BINDINGS=1 cargo test -p brygga-desktop --lib bindings
git status --short ui/src/lib/bindings/ || true
