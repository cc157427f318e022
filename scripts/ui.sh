#!/usr/bin/env bash
# Builds the web UI into frontend/dist with trunk, unless nothing it is built from changed since
# the last build: trunk rewrites every file of dist even when nothing changed, and the server's
# build script then embeds them all again and relinks, which turned a no-change `make run` into
# minutes. What the UI is built from: the crates the frontend compiles (found with cargo tree),
# the style, the HTML, the trunk and cargo settings and the lock file.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=target/ui-inputs.sha256
# First, so cargo tree below can read every manifest offline on a fresh machine.
cargo fetch --locked
crates=$(cargo tree --locked --offline -p lookout-frontend --target wasm32-unknown-unknown -e normal --prefix none \
  | grep -o "($PWD/[^)]*)" | tr -d '()' | sort -u)
# shellcheck disable=SC2086 # one path a word
inputs=$(find $crates "$PWD/style" "$PWD/Trunk.toml" "$PWD/Cargo.toml" "$PWD/Cargo.lock" \
  -path "$PWD/frontend/dist" -prune -o -type f -print0 \
  | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)

if [ -f frontend/dist/index.html ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
  echo "ui: frontend/dist is up to date"
  exit 0
fi
trunk build --release --offline
mkdir -p target
echo "$inputs" > "$stamp"
