#!/usr/bin/env bash
# Runs a command with TMPDIR set to a fresh directory that is removed afterwards, whatever the
# command's outcome: the tests' stores, configs, PostgreSQL clusters and browser profiles live in
# the system's temporary directory and would otherwise be left behind run after run.
set -uo pipefail
scratch=$(mktemp -d -t lookout-test-XXXXXX)
# Readable by the `postgres` user, which the PostgreSQL tests run initdb as.
chmod 755 "$scratch"
trap 'rm -rf "$scratch"' EXIT
TMPDIR="$scratch" "$@"
