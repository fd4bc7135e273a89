# The daily commands of agent-focus. `just --list` shows them; every recipe calls the CLI.
# `just` itself comes with the dev extra (rust-just on PyPI) or your package manager.

# Morning: update metrics, recap yesterday, plan today, show the day
ai-morning:
    focus morning

# Evening: update, commit AGENT_FOCUS.md alone, show job readiness
ai-evening:
    focus evening

# Sprint and portfolio progress of this worktree's agent
focus-status:
    focus status

# Tick a sprint task: just focus-complete "Set up MLflow"
focus-complete task:
    focus complete {{quote(task)}}

# Write AGENT_FOCUS.md and .agent.env for an agent: just focus-init A1
focus-init agent:
    focus init --agent {{agent}}

# Plan today's tasks into the sprint (offline without a key)
focus-plan:
    focus plan

# Align identity, services and portfolio with AI_JOB_STRATEGY.md
focus-sync:
    focus sync

# What the LLM calls of every agent cost
usage:
    focus usage --by agent

# Collect real metrics into Progress Metrics; re-check portfolio files
focus-update:
    focus update

# The live metrics of MLflow and Prometheus, or NO DATA AVAILABLE and why
real-metrics:
    focus metrics

# Gate on the SLOs of focus.yaml: exit 0 met, 3 violated, 4 no data
slo-check:
    focus slo

# Start MLflow (:5000) and Prometheus (:9090) on loopback, state in .focus-services/
services-up:
    focus services up

# Stop what services-up started
services-down:
    focus services down

# Every agent of this clone, one line each
focus-all:
    focus status --all

# Every agent live in one terminal
dashboard:
    focus dashboard

# Every agent's activity as it happens
activity:
    focus log --follow

# A day with four agents in a temporary folder, from nothing
demo:
    bash scripts/demo.sh

# Run every test (the README's second command, without the install)
test:
    python3 -m pytest

# Lint and type-check
lint:
    python3 -m ruff check src tests bench
    python3 -m ruff format --check src tests bench
    python3 -m mypy

# Mutation testing of focusfile/ and planner/merge.py: score and survivors in docs/testing.md
mutants:
    rm -rf mutants
    env -u PYTHONPATH FOCUS_MUTANTS=1 python3 -m mutmut run --max-children {{num_cpus()}}
    python3 -m mutmut results

# Benchmarks: cold start and the 3,000-task file (figures go in docs/performance.md)
bench:
    python3 bench/run.py
