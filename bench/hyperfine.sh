#!/usr/bin/env bash
# The same cold-start comparison with hyperfine (Debian package `hyperfine`).
#   bash bench/hyperfine.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is not installed: apt-get install -y hyperfine" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
hyperfine --warmup 3 --runs 30 -N \
  "python3 -c pass" \
  "focus status --file AGENT_FOCUS.md"
hyperfine --warmup 2 --runs 30 -N \
  --prepare "cp tests/fixtures/focusfiles/large-3000.md $tmp/f.md" \
  "focus complete 'Task 2999' --file $tmp/f.md"
