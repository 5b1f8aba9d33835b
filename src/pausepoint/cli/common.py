"""What every `pausepoint` command shares: consoles, options, exit codes, the service call.

Exit codes: 0 ok, 2 usage, 3 conflict, 4 invalid answer or input, 5 not found, 1 otherwise.
With `--json` an error is one object `{"error": code, "detail": text, "fields": [...]}`;
`fields` is always there, empty when no field is to blame. The actor is `--as NAME`, else the
open server's user `local` when no API keys are set (so the web page and HTTP on this machine
see what the CLI starts), else the OS user. `--config PATH` names the langgraph.json (or its
folder) whose graphs are served, over PAUSEPOINT_CONFIG and the working directory's.
"""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from pausepoint.errors import (
    ConfigurationError,
    Conflict,
    InvalidAnswer,
    InvalidInput,
    InvalidRequest,
    NotFound,
    PausepointError,
)
from pausepoint.jsontext import parse_json as parse_json_text
from pausepoint.service.catalog import use_config
from pausepoint.service.threads import ThreadService
from pausepoint.settings import LOCAL_USER, Settings

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)

EXIT_CODES: list[tuple[type[PausepointError], int]] = [
    (Conflict, 3),
    (InvalidAnswer, 4),
    (InvalidInput, 4),
    (InvalidRequest, 4),
    (NotFound, 5),
]

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help=f"Act as this user (default: {LOCAL_USER!r} with no API keys set, else your OS user).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
NoWaitOption = Annotated[
    bool,
    typer.Option(
        "--no-wait",
        help="Return once it is stored, the thread running on in the background "
        "(follow it with `pausepoint watch THREAD`).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="The langgraph.json (or the folder holding one) whose graphs are served; "
        "overrides PAUSEPOINT_CONFIG and ./langgraph.json.",
        show_default=False,
    ),
]


def actor_name(name: str | None) -> str:
    """Who a command acts as: `name`, else the open server's user (no PAUSEPOINT_API_KEYS),
    else the OS user (with keys, HTTP callers are named by their keys; `local` is nobody)."""
    if name:
        return name
    keyed = any(entry.strip() for entry in Settings().api_keys.split(","))
    return getpass.getuser() if keyed else LOCAL_USER


def error_body(error: PausepointError) -> dict[str, Any]:
    """The `--json` form of an error: `error`, `detail` and `fields` (empty if none)."""
    body = error.to_dict()
    body.setdefault("fields", [])
    return body


def exit_code(error: PausepointError) -> int:
    """The exit code of a command that ends in `error`."""
    return next((c for cls, c in EXIT_CODES if isinstance(error, cls)), 1)


def fail(error: PausepointError, as_json: bool, *, code: int | None = None) -> NoReturn:
    """Print `error` (one JSON object with `as_json`) and exit with `code`, else its class's."""
    fail_body(error_body(error), exit_code(error) if code is None else code, as_json)


def fail_body(body: dict[str, Any], code: int, as_json: bool) -> NoReturn:
    """Print an error in its `--json` form `body` (as is with `as_json`) and exit with `code`."""
    if as_json:
        print(json.dumps(body))
    else:
        err_console.print(f"[red]error[/red] ({body['error']}): {body['detail']}")
        for field in body.get("fields", []):
            err_console.print(f"  - {field.get('loc') or 'answer'}: {field.get('message')}")
    raise typer.Exit(code)


def parse_json(text: str, what: str, as_json: bool) -> Any:
    try:
        return parse_json_text(text, what)
    except InvalidRequest as exc:
        fail(exc, as_json)


def parse_answer_arg(text: str, what: str, as_json: bool) -> tuple[Any, str | None]:
    """An answer argument as `(json_value, None)`, or `(None, text)` for a reply in words: text
    that is not JSON (and does not start like it, with `{` or `[`), or a JSON string."""
    try:
        value = parse_json_text(text, what)
    except InvalidRequest as exc:
        if text.lstrip().startswith(("{", "[")):
            fail(exc, as_json)
        return None, text
    return (None, value) if isinstance(value, str) else (value, None)


def load_settings(config: Path | None, as_json: bool = False) -> Settings:
    """The environment's settings, serving the langgraph.json `config` names when given. No
    langgraph.json there is a usage error (exit 2) naming the path."""
    settings = Settings()
    if config is None:
        return settings
    try:
        return use_config(settings, config)
    except ConfigurationError:
        problem = f"--config {config} is neither a langgraph.json nor a folder holding one"
        fail(ConfigurationError(problem), as_json, code=2)


def with_service(
    call: Callable[[ThreadService], Awaitable[T]], as_json: bool, config: Path | None
) -> T:
    """`call` on a ThreadService serving `config` (see load_settings); its domain error is
    printed and becomes the exit code."""
    settings = load_settings(config, as_json)

    async def go() -> T:
        async with ThreadService.open(settings) as service:
            return await call(service)

    try:
        return asyncio.run(go())
    except PausepointError as error:
        fail(error, as_json)


def print_json(value: BaseModel | list[Any] | dict[str, Any]) -> None:
    if isinstance(value, BaseModel):
        print(value.model_dump_json())
    else:
        print(json.dumps(value, default=str))
