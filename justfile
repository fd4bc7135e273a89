# The daily commands of agent-focus. `just --list` shows them; every recipe calls the CLI.
# `just` itself comes with the dev extra (rust-just on PyPI) or your package manager.

# Sprint and portfolio progress of this worktree's agent
focus-status:
    focus status

# Tick a sprint task: just focus-complete "Set up MLflow"
focus-complete task:
    focus complete {{quote(task)}}

# Write AGENT_FOCUS.md and .agent.env for an agent: just focus-init A1
focus-init agent:
    focus init --agent {{agent}}

# Run every test (the README's second command, without the install)
test:
    python3 -m pytest

# Lint and type-check
lint:
    python3 -m ruff check src tests bench
    python3 -m ruff format --check src tests bench
    python3 -m mypy

# Benchmarks: cold start and the 3,000-task file (figures go in docs/performance.md)
bench:
    python3 bench/run.py
