"""The control room: `focus serve`."""

from __future__ import annotations

from typing import Annotated

import typer

from agent_focus.cli.output import say

group = typer.Typer()


@group.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on. Anything but loopback needs the token for reads too."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free one).", min=0, max=65535)] = 8765,
    open_page: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser.")
    ] = False,
    show_token: Annotated[
        bool, typer.Option("--show-token", help="Print the token that writes need, and exit.")
    ] = False,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            help="Another name this server may be reached by (a Host header); repeatable."
        ),
    ] = None,
) -> None:
    """The control room: a live web page and HTTP API for every agent of this clone.

    Prints its URL, then serves until Ctrl-C: every agent's state, task, progress, tests,
    spend and overlaps, the live event feed, SLOs and charts, updated over server-sent
    events; a JSON API (`/api/openapi.json` describes it) with the same objects as the
    CLI's `--json`; and triggers (`POST /api/agents/A1/complete`, `.../plan`,
    `/api/update`) that need `Authorization: Bearer TOKEN`. Alerts of focus.yaml are
    evaluated while it runs. Needs the `serve` extra: `pip install 'agent-focus[serve]'`.
    Example: `focus serve --port 8765 --open`
    """
    from agent_focus.readers.workspace import Workspace

    workspace = Workspace.resolve()
    if show_token:
        from agent_focus.serve.guard import load_or_create_token, token_path

        token = load_or_create_token(workspace.state_dir)
        say(f"focus: the token is in {token_path(workspace.state_dir)} (mode 0600)")
        typer.echo(token)
        return
    try:
        import sse_starlette  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        from agent_focus.errors import FocusError

        raise FocusError(
            f"focus serve needs the serve extra ({exc.name} is missing): "
            "pip install 'agent-focus[serve]'"
        ) from None
    from agent_focus.readers.workspace import git_common_dir
    from agent_focus.serve.run import serve as run_server
    from agent_focus.serve.watch import alerts_loop

    if git_common_dir(workspace.root) is None:
        from agent_focus.errors import FocusError

        raise FocusError(
            "not inside a git repository: run focus serve in a clone whose agents it should show",
            path=workspace.root,
        )

    def opened(url: str) -> None:
        if open_page:
            import webbrowser

            webbrowser.open(url)

    run_server(
        workspace.root, workspace.state_dir, host, port,
        allowed_hosts=tuple(allow_host or ()), on_ready=opened, background=[alerts_loop],
    )  # fmt: skip
