"""`focus serve`: the control room, a live web page and HTTP API over this clone's journal,
focus files and worktrees (the `serve` extra: Starlette, uvicorn, sse-starlette)."""
