"""Entry points: the `focus` command line (one module per command group) and the MCP server."""

from agent_focus.cli.app import main, script

__all__ = ["main", "script"]
