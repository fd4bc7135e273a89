#!/usr/bin/env bash
# A day with four agents, from nothing, in a temporary folder (or $1):
# a repository with the example strategy, a worktree per agent, the morning routine in
# each, a task ticked, the evening routine, and every agent in one table.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
base="${1:-$(mktemp -d -t focus-demo-XXXXXX)}"
mkdir -p "$base/main"
cd "$base/main"
git init -q
cp "$here/AI_JOB_STRATEGY.md" "$here/focus.yaml" .
git add -A
git -c user.name="focus demo" -c user.email="demo@localhost" commit -qm "Job strategy for four agents"

for agent in A1 A2 A3 A4; do
  focus agents add "$agent"
done
for tree in "$base"/wt-*; do
  echo; echo "=== $(basename "$tree") ==="
  (cd "$tree" && focus morning)
done

cd "$base/wt-a1-mlops"
focus complete 1
git -c user.name="focus demo" -c user.email="demo@localhost" commit -q --allow-empty -m "A1: work of the day"
GIT_AUTHOR_NAME="focus demo" GIT_AUTHOR_EMAIL="demo@localhost" \
GIT_COMMITTER_NAME="focus demo" GIT_COMMITTER_EMAIL="demo@localhost" focus evening
echo; echo "=== every agent ==="
focus status --all
echo; echo "The demo lives in $base"
