#!/usr/bin/env bash
# Measures the desktop app (figures for README.md, "Desktop app"):
#
#   - time from process start to the unlock screen: the UI calls the
#     `ui_ready` command once its first screen is drawn and the app prints
#     `brygga: ui_ready … unix_ms=…` to stderr; this script takes the time
#     just before it starts the process and reports the difference (median
#     of RUNS starts, the first, cold one reported apart);
#   - idle memory: 5 s after the unlock screen shows, the resident set (RSS)
#     of the app and every process it started (WebKitWebProcess,
#     WebKitNetworkProcess), summed from /proc/PID/status, and the
#     proportional set size (PSS, shared pages divided among the processes
#     that share them) from /proc/PID/smaps_rollup;
#   - the same memory figures for WebKitGTK's own MiniBrowser showing
#     about:blank (when the Debian package ships it): the floor of the web
#     engine on this machine, which no app built on it can go below;
#   - the same again with the demo caseload open (a journal made with the
#     demo data, Noah's case and its chart seen, back on the caseload;
#     tests/e2e/measure-demo.mjs through tauri-driver), and Brygga's own
#     share: that PSS less the floor's, both taken in this one run;
#   - the size of the .deb in target/desktop/bundle/deb/ when there is one
#     (scripts/desktop-build.sh --deb makes it).
#
#   scripts/desktop-measure.sh                  build, then measure
#   BRYGGA_MEASURE_NO_BUILD=1 scripts/desktop-measure.sh
#   RUNS=5 (default)
#
# Runs under xvfb-run when there is no display. A bench script, not a test:
# the figures depend on the machine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/desktop-common.sh"

if [ -z "${DISPLAY:-}" ]; then
    exec xvfb-run -a -s "-screen 0 1280x900x24" "$0" "$@"
fi

runs="${RUNS:-5}"
if [ -z "${BRYGGA_MEASURE_NO_BUILD:-}" ]; then
    desktop_setup
    desktop_build_app
fi
desktop_ensure_tool tauri-driver
npm_ci_if_needed "$root/tests/e2e"
(cd "$root" && cargo build --release -p brygga-cli >&2)
cli="$target_dir/release/brygga"

data="$(mktemp -d "${TMPDIR:-/tmp}/brygga-measure.XXXXXX")"
log="$data.log"
pid=""
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
    rm -rf "$data" "$log"
}
trap cleanup EXIT

# A journal to unlock (fictional author, throwaway passphrase).
BRYGGA_DATA_DIR="$data" BRYGGA_PASSPHRASE="mätning endast fiktiv data" \
    "$cli" init --author "Fiktiv Mätare" >/dev/null

# All descendants of a pid, the pid included.
tree() {
    local p="$1" c
    echo "$p"
    for c in $(pgrep -P "$p" || true); do tree "$c"; done
}

now_ms() { date +%s%3N; }

# Sets rss_kb, pss_kb and procs to the sums over PID and its descendants.
measure_tree() {
    local p r s
    rss_kb=0
    pss_kb=0
    procs=""
    for p in $(tree "$1"); do
        r=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
        s=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null || echo 0)
        rss_kb=$((rss_kb + ${r:-0}))
        pss_kb=$((pss_kb + ${s:-0}))
        procs+="$(cat "/proc/$p/comm" 2>/dev/null) $((${r:-0} / 1024))MB; "
    done
}

startups=()
for i in $(seq 1 "$runs"); do
    : >"$log"
    t0=$(now_ms)
    BRYGGA_DATA_DIR="$data" "$app_bin" 2>"$log" &
    pid=$!
    ready=""
    for _ in $(seq 1 300); do
        ready=$(grep -o 'unix_ms=[0-9]*' "$log" | head -1 | cut -d= -f2 || true)
        [ -n "$ready" ] && break
        sleep 0.05
    done
    if [ -z "$ready" ]; then
        dlog "the app did not report ui_ready within 15 s; its stderr:"
        cat "$log" >&2
        exit 1
    fi
    startups+=($((ready - t0)))
    if [ "$i" -eq "$runs" ]; then
        sleep 5
        measure_tree "$pid"
        app_rss_kb=$rss_kb
        app_pss_kb=$pss_kb
        app_procs=$procs
    fi
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
done

# The engine's floor: MiniBrowser with an empty page, same environment.
minibrowser=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
floor="MiniBrowser not installed"
floor_pss_kb=""
if [ -x "$minibrowser" ]; then
    "$minibrowser" about:blank 2>/dev/null &
    pid=$!
    sleep 8
    measure_tree "$pid"
    floor="RSS sum $((rss_kb / 1024)) MiB, PSS sum $((pss_kb / 1024)) MiB ($procs)"
    floor_pss_kb=$pss_kb
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=""
fi

# The demo caseload open, through the driver (its own line on stdout).
demo_line=$(cd "$root/tests/e2e" && BRYGGA_APP="$app_bin" \
    WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 \
    node measure-demo.mjs | grep '^demo_memory ' || true)
demo="not measured (tests/e2e/measure-demo.mjs printed nothing)"
if [ -n "$demo_line" ]; then
    demo_rss_kb=$(sed -n 's/.*rss_kb=\([0-9]*\).*/\1/p' <<<"$demo_line")
    demo_pss_kb=$(sed -n 's/.*pss_kb=\([0-9]*\).*/\1/p' <<<"$demo_line")
    demo="RSS sum $((demo_rss_kb / 1024)) MiB, PSS sum $((demo_pss_kb / 1024)) MiB (${demo_line##*processes=})"
    if [ -n "$floor_pss_kb" ]; then
        demo+="; Brygga's own share above the floor: $(((demo_pss_kb - floor_pss_kb) / 1024)) MiB PSS"
    fi
fi

first="${startups[0]}"
warm=("${startups[@]:1}")
[ "${#warm[@]}" -gt 0 ] || warm=("$first")
median=$(printf '%s\n' "${warm[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')

deb=$(ls -1 "$target_dir"/desktop/bundle/deb/*.deb 2>/dev/null | head -1 || true)
if [ -n "$deb" ]; then
    deb_size="$(stat -c %s "$deb") bytes ($(awk -v b="$(stat -c %s "$deb")" 'BEGIN {printf "%.1f", b/1048576}') MiB) $(basename "$deb")"
else
    deb_size="no .deb built (scripts/desktop-build.sh --deb)"
fi
bin_size=$(awk -v b="$(stat -c %s "$app_bin")" 'BEGIN {printf "%.1f MiB", b/1048576}')

cat <<EOT
Brygga desktop measurements ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)
start to unlock screen: median ${median} ms over $((runs - 1)) warm starts (all: ${startups[*]} ms; first ${first} ms)
idle memory after the unlock screen: RSS sum $((app_rss_kb / 1024)) MiB, PSS sum $((app_pss_kb / 1024)) MiB
  processes: ${app_procs}
WebKitGTK floor (MiniBrowser, about:blank): ${floor}
with the demo caseload open: ${demo}
load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)
app binary: ${bin_size}
deb: ${deb_size}
EOT
