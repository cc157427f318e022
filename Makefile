# Lookout's commands. `make run` and `make test` do all set-up on a fresh Debian 12 machine with rustup.
SHELL := /bin/bash
TOOLS ?= $(HOME)/.cache/lookout-tools
export PATH := $(TOOLS)/binaryen-132.0.0/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export LOOKOUT_TOOLS := $(TOOLS)

LISTEN ?= 127.0.0.1:3000
DATA_DIR ?= ./data

.PHONY: run build ui tools test test-tools bench fuzz fmt clean

## run: install what is missing, build in release mode, start Lookout with the demo on
run: build
	./target/release/lookout --listen $(LISTEN) --data-dir $(DATA_DIR) $(ARGS)

## build: target/release/lookout, with the UI embedded
build: ui
	cargo build --release --locked -p lookout-server --bin lookout

## ui: the WASM bundle in frontend/dist, rebuilt only when what it is built from changed
ui: tools
	scripts/ui.sh

tools:
	scripts/install-tools.sh build

test-tools:
	scripts/install-tools.sh test

## test: clippy, then every test (tidy, unit, HTTP, browser), after installing what they need
test: test-tools ui
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo build --locked -p lookout-server --bin lookout
	scripts/scratch.sh cargo test --locked
	scripts/scratch.sh cargo test --locked -p lookout-frontend

## bench: the benchmarks whose figures are in BENCHMARKS.md (installs Prometheus, VictoriaMetrics and ripgrep to compare); BENCH=metrics, logs, alerts or ui runs one part
bench: test-tools ui
	scripts/bench.sh

## fuzz: every parser's fuzz target for FUZZ_SECONDS each (default 60); nightly and cargo-fuzz, installed when missing
fuzz:
	scripts/fuzz.sh

fmt:
	cargo fmt --all

clean:
	cargo clean
	rm -rf frontend/dist
