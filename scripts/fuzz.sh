#!/usr/bin/env bash
# Runs every fuzz target in fuzz/ for FUZZ_SECONDS each (default 60), two at a time, seeded
# from fuzz/seeds/<target> and the conformance material in ../shared (read, never copied).
# Needs the nightly toolchain and cargo-fuzz (installed here when missing). A crash leaves its
# input in fuzz/artifacts/<target>/; turn it into a regression test before fixing it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/fuzz"
seconds=${FUZZ_SECONDS:-60}
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --version 0.13.2
cargo +nightly fuzz build -O
targets=$(cargo +nightly fuzz list)
shared="$root/../shared/conformance"
run() {
  local target=$1 seeds=()
  mkdir -p "corpus/$target"
  [ -d "seeds/$target" ] && seeds+=("seeds/$target")
  case $target in
    exposition) [ -d "$shared/exposition" ] && seeds+=("$shared/exposition") ;;
    config_yaml) [ -d "$shared/alertmanager" ] && seeds+=("$shared/alertmanager") ;;
    promql) [ -d "$shared/promqltest" ] && seeds+=("$shared/promqltest") ;;
  esac
  cargo +nightly fuzz run -O "$target" "corpus/$target" "${seeds[@]}" -- \
    -max_total_time="$seconds" -max_len=8192 -rss_limit_mb=2048 -timeout=10 2>&1 |
    grep -E '^#[0-9]+[[:space:]]+DONE|^Done [0-9]+ runs|SUMMARY|panicked|ERROR' | sed "s/^/$target: /" || true
}
set -- $targets
while [ $# -gt 0 ]; do
  run "$1" & first=$!
  if [ $# -gt 1 ]; then run "$2" & second=$!; wait $second; shift; fi
  wait $first; shift
done
crashes=$(find artifacts -type f 2>/dev/null | wc -l)
echo "fuzz: $seconds s per target; $crashes crash input(s) in fuzz/artifacts"
[ "$crashes" = 0 ]
