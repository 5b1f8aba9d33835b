"""`pausepoint serve` (the HTTP server and web page) and `pausepoint keys add USER`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from pausepoint.api.auth import check_bind, hash_key, new_key, parse_keys
from pausepoint.cli.common import ConfigOption, load_settings
from pausepoint.errors import ConfigurationError
from pausepoint.settings import Settings

console = Console()
err_console = Console(stderr=True)

keys_app = typer.Typer(help="API keys for the HTTP server.", no_args_is_help=True)


def serve(
    host: Annotated[str | None, typer.Option(help="Address (default PAUSEPOINT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PAUSEPOINT_PORT).")] = None,
    config: ConfigOption = None,
) -> None:
    """Serve the JSON API, the chat WebSocket, SSE events and the web page."""
    import uvicorn

    from pausepoint.api import create_app

    settings = load_settings(config)
    host = host or settings.host
    port = settings.port if port is None else port
    try:
        check_bind(settings, host)
        app = create_app(settings)
    except ConfigurationError as exc:
        err_console.print(f"[red]error[/red] ({exc.code}): {exc.detail}")
        raise typer.Exit(2) from exc
    shown = f"[{host}]" if ":" in host else host
    console.print(f"Pausepoint: open http://{shown}:{port}/ (API docs at /docs)")
    if not parse_keys(settings.api_keys):
        console.print("No API keys configured: open to this machine only, as the user 'local'.")
    uvicorn.run(
        app,
        host=host,
        port=port,
        timeout_graceful_shutdown=5,
        log_level="info",
        ws="websockets-sansio",
    )


@keys_app.command("add")
def add_key(user: Annotated[str, typer.Argument(help="The user the key acts as.")]) -> None:
    """Make a new API key for USER; print it once and the settings line that admits it."""
    if not user or ":" in user or "," in user:
        err_console.print("[red]error[/red]: a user name has no ':' or ','")
        raise typer.Exit(2)
    key = new_key()
    entries = [e for e in Settings().api_keys.split(",") if e.strip()]
    line = ",".join([*entries, f"{user}:{hash_key(key)}"])
    console.print(f"API key for {user} (shown once; keep it secret):", highlight=False)
    print(key)
    console.print("Put this line in .env (it keeps the existing keys):", highlight=False)
    print(f"PAUSEPOINT_API_KEYS={line}")
