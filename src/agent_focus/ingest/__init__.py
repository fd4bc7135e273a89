"""Reading the agents' own session logs (Claude Code transcripts, Codex rollouts) into the
journal, incrementally: one row per model call, de-duplicated as ccusage does."""
