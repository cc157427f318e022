#!/usr/bin/env bash
# Installs what building (and, with "test", testing) Lookout needs, skipping whatever is already
# there at the right version. Versions are pinned here and in Trunk.toml; wasm-bindgen-cli must
# match the wasm-bindgen version in Cargo.lock.
#
# usage: scripts/install-tools.sh build|test
set -euo pipefail

mode=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
tools=${LOOKOUT_TOOLS:-$HOME/.cache/lookout-tools}
trunk_version=0.21.14
binaryen_version=132.0.0
wasm_bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, "", $0); print; exit }' "$root/Cargo.lock")

say() { printf '==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} = 0 ] && return 0
  say "installing ${missing[*]} from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust with rustup first (https://rustup.rs)" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $trunk_version" ]; then
  say "installing trunk $trunk_version (a long build, done once)"
  cargo install --locked trunk --version "$trunk_version"
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen_version"
  # Not --locked: one of its locked dependencies is no longer in the registry.
  cargo install wasm-bindgen-cli --version "$wasm_bindgen_version" --force
fi

# Debian's binaryen (wasm-opt 108) produces a bundle that loads but renders nothing; use 132 from npm.
if [ ! -x "$tools/binaryen-$binaryen_version/node_modules/.bin/wasm-opt" ]; then
  command -v npm >/dev/null || apt_install npm
  say "installing wasm-opt (binaryen $binaryen_version) from npm"
  mkdir -p "$tools/binaryen-$binaryen_version"
  npm install --silent --prefix "$tools/binaryen-$binaryen_version" "binaryen@$binaryen_version" >/dev/null
fi

if [ "$mode" = test ]; then
  # `make test` runs clippy; rustup's minimal profile leaves it out.
  if ! cargo clippy --version >/dev/null 2>&1; then
    say "adding clippy"
    rustup component add clippy
  fi
  # Chromium for the browser tests; Prometheus 2.42 and Alertmanager 0.25 for the tests that
  # compare answers with them (promtool checks rule tests, amtool drives the API, alerts are
  # delivered to Alertmanager); aiosmtpd as the SMTP server email notifications go to; openssl
  # makes the test certificates (STARTTLS mail, Lookout's HTTPS) and curl reads HTTPS.
  apt_install chromium chromium-driver prometheus prometheus-alertmanager python3-aiosmtpd tzdata openssl curl
  # PostgreSQL 15 and its exporter, and a venv of pinned Python clients (psycopg's pool, the
  # Prometheus client, python-logging-loki) for the services the tests run against them. The
  # packages' own services are not needed: tests start their own servers.
  apt_install postgresql prometheus-postgres-exporter python3-venv
  as_root systemctl stop prometheus-postgres-exporter 2>/dev/null || true
  requirements="$root/tests/python/requirements.txt"
  venv="$tools/venv"
  if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
    say "installing the tests' Python clients into $venv"
    rm -rf "$venv"
    /usr/bin/python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
  fi
fi
