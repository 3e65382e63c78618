#!/usr/bin/env bash
# Process time and peak memory of the built `xtask codegen --check` (the whole generator, as a
# maintainer or CI runs it), side by side with openapi-generator generating a Rust client for
# the same spec. Run by `cargo xtask bench process`.
#
# Wall time is measured with bash's $EPOCHREALTIME around each run (no extra process); peak
# memory is GNU time's "Maximum resident set size" (`/usr/bin/time -f %M`, the figure `-v`
# prints), in separate runs for xtask so that the wrapper's cost stays out of its timings. For
# openapi-generator, the Python wrapper runs java as a child; GNU time reports the largest
# process of the tree, the JVM. The spawn cost of /bin/true is measured the same way, in the
# same run, as the floor.
#
# Settings (environment): RUNS (xtask runs, 20), RSS_RUNS (5), OAG_RUNS (5),
# OAG_VERSION (7.26.0), OAG_VENV (the virtualenv openapi-generator-cli is installed into).
#
# It fails, never skips, when a prerequisite is missing.

set -euo pipefail
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
RUNS=${RUNS:-20}
RSS_RUNS=${RSS_RUNS:-5}
OAG_RUNS=${OAG_RUNS:-5}
OAG_VERSION=${OAG_VERSION:-7.26.0}
OAG_VENV=${OAG_VENV:-${TMPDIR:-/tmp}/edge-cache-bench-venv}
target_dir=${CARGO_TARGET_DIR:-$root/target}
spec=spec/edge-cache.yaml

die() {
    echo "error: $*" >&2
    exit 1
}

# --- Prerequisites: a clear message, never a silent skip.
[ -n "${EPOCHREALTIME:-}" ] || die "bash 5 or newer is needed (\$EPOCHREALTIME)"
[ -x /usr/bin/time ] || die "GNU time (/usr/bin/time) is needed for peak memory. Debian: apt-get update && apt-get install -y time"
command -v java >/dev/null 2>&1 \
    || die "java was not found. openapi-generator needs a Java runtime, 11 or newer. Debian: apt-get install -y openjdk-17-jre-headless"
command -v python3 >/dev/null 2>&1 \
    || die "python3 was not found. openapi-generator-cli is installed from PyPI with pip. Debian: apt-get install -y python3 python3-venv python3-pip"

oag="$OAG_VENV/bin/openapi-generator-cli"
if [ ! -x "$oag" ] || [ "$("$oag" version 2>/dev/null | tail -n 1)" != "$OAG_VERSION" ]; then
    echo "installing openapi-generator-cli==$OAG_VERSION (it carries its jar) into $OAG_VENV" >&2
    python3 -m venv "$OAG_VENV" \
        || die "cannot create a Python virtualenv at $OAG_VENV. Debian: apt-get install -y python3-venv"
    "$OAG_VENV/bin/python" -m pip --version >/dev/null 2>&1 \
        || die "pip is not available in the virtualenv $OAG_VENV. Debian: apt-get install -y python3-pip python3-venv"
    "$OAG_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "openapi-generator-cli==$OAG_VERSION" \
        || die "pip install openapi-generator-cli==$OAG_VERSION failed (set OAG_VERSION to another 7.x release?)"
fi

echo "building xtask (release)" >&2
cargo build --release --quiet -p xtask || die "cannot build xtask: cargo build --release -p xtask failed"
xtask="$target_dir/release/xtask"
[ -x "$xtask" ] || die "$xtask was not built"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# median_ms FILE: the median of the microsecond figures in FILE, in milliseconds.
median_ms() { sort -n "$1" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1000}'; }
# median_mib FILE: the median of the KiB figures in FILE, in MiB.
median_mib() { sort -n "$1" | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "%.1f", m / 1024}'; }
minmax_ms() { sort -n "$1" | awk 'NR==1 {lo=$1} {hi=$1} END {printf "%.1f..%.1f", lo / 1000, hi / 1000}'; }

# time_runs N OUT CMD...: wall time of N runs, in microseconds, one a line in OUT. Fails on a
# failed run.
time_runs() {
    local n=$1 out=$2
    shift 2
    : >"$out"
    for ((i = 0; i < n; i++)); do
        local t0=${EPOCHREALTIME/./}
        "$@" >"$tmp/last.log" 2>&1 || { cat "$tmp/last.log" >&2; die "failed: $*"; }
        local t1=${EPOCHREALTIME/./}
        echo $((t1 - t0)) >>"$out"
    done
}

# rss_runs N OUT CMD...: peak RSS of N runs, in KiB, one a line in OUT.
rss_runs() {
    local n=$1 out=$2
    shift 2
    : >"$out"
    for ((i = 0; i < n; i++)); do
        /usr/bin/time -f '%M' -o "$tmp/rss" "$@" >"$tmp/last.log" 2>&1 || { cat "$tmp/last.log" >&2; die "failed: $*"; }
        tail -n 1 "$tmp/rss" >>"$out"
    done
}

echo "process-time: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), shared with other jobs"
echo "process-time: $(java -version 2>&1 | head -n 1); openapi-generator $("$oag" version 2>/dev/null | tail -n 1)"

# --- xtask codegen --check: must pass (the generated files are up to date), then timed.
"$xtask" codegen --check >"$tmp/check.log" 2>&1 || {
    head -n 40 "$tmp/check.log" >&2
    die "xtask codegen --check failed (stale generated files?): run cargo xtask codegen first"
}
"$xtask" codegen --check >/dev/null 2>&1 # warm the page cache
time_runs "$RUNS" "$tmp/true.us" /bin/true
time_runs "$RUNS" "$tmp/xtask.us" "$xtask" codegen --check
rss_runs "$RSS_RUNS" "$tmp/xtask.kib" "$xtask" codegen --check

true_ms=$(median_ms "$tmp/true.us")
xtask_ms=$(median_ms "$tmp/xtask.us")
xtask_mib=$(median_mib "$tmp/xtask.kib")
echo
echo "/bin/true (spawn floor): median $true_ms ms over $RUNS runs ($(minmax_ms "$tmp/true.us") ms)"
echo "xtask codegen --check:   median $xtask_ms ms over $RUNS runs ($(minmax_ms "$tmp/xtask.us") ms), peak RSS $xtask_mib MiB (median of $RSS_RUNS); goal <= 25 ms"

# --- openapi-generator: a Rust client for the same spec, into a fresh directory each run.
: >"$tmp/oag.us"
: >"$tmp/oag.kib"
for ((i = 0; i < OAG_RUNS; i++)); do
    out="$tmp/oag-out"
    rm -rf "$out"
    t0=${EPOCHREALTIME/./}
    /usr/bin/time -f '%M' -o "$tmp/rss" "$oag" generate -i "$spec" -g rust -o "$out" >"$tmp/oag.log" 2>&1 \
        || { tail -n 40 "$tmp/oag.log" >&2; die "openapi-generator-cli generate -i $spec -g rust failed"; }
    t1=${EPOCHREALTIME/./}
    echo $((t1 - t0)) >>"$tmp/oag.us"
    tail -n 1 "$tmp/rss" >>"$tmp/oag.kib"
done
oag_files=$(find "$tmp/oag-out" -type f | wc -l)
oag_ms=$(median_ms "$tmp/oag.us")
oag_mib=$(median_mib "$tmp/oag.kib")
echo "openapi-generator -g rust: median $oag_ms ms over $OAG_RUNS runs ($(minmax_ms "$tmp/oag.us") ms), peak RSS $oag_mib MiB (median); $oag_files files written"

time_ratio=$(awk -v a="$oag_ms" -v b="$xtask_ms" 'BEGIN {printf "%.1f", a / b}')
rss_ratio=$(awk -v a="$oag_mib" -v b="$xtask_mib" 'BEGIN {printf "%.1f", a / b}')
echo "ratios: openapi-generator/xtask wall time = $time_ratio x, peak RSS = $rss_ratio x"
echo
echo "SUMMARY process-time true_ms=$true_ms xtask_ms=$xtask_ms xtask_rss_mib=$xtask_mib oag_ms=$oag_ms oag_rss_mib=$oag_mib time_ratio=$time_ratio rss_ratio=$rss_ratio"
