"""The shared journal of a clone: LLM calls and events, in one SQLite file."""
