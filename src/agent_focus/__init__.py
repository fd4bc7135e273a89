"""agent-focus: plan the day for AI coding agents working side by side in git worktrees."""

__version__ = "0.1.0"
