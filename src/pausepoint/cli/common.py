"""What every `pausepoint` command shares: consoles, options, exit codes, the service call.

Exit codes: 0 ok, 2 usage, 3 conflict, 4 invalid answer or input, 5 not found, 1 otherwise.
"""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel
from rich.console import Console

from pausepoint.errors import (
    Conflict,
    InvalidAnswer,
    InvalidInput,
    InvalidRequest,
    NotFound,
    PausepointError,
)
from pausepoint.jsontext import parse_json as parse_json_text
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

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

AsOption = Annotated[str | None, typer.Option("--as", help="Act as this user (default: you).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def actor_name(name: str | None) -> str:
    return name or getpass.getuser()


def fail(error: PausepointError, as_json: bool) -> NoReturn:
    code = next((c for cls, c in EXIT_CODES if isinstance(error, cls)), 1)
    if as_json:
        print(json.dumps(error.to_dict()))
    else:
        err_console.print(f"[red]error[/red] ({error.code}): {error.detail}")
        for field in error.fields:
            err_console.print(f"  - {field.get('loc') or 'answer'}: {field.get('message')}")
    raise typer.Exit(code)


def parse_json(text: str, what: str, as_json: bool) -> Any:
    try:
        return parse_json_text(text, what)
    except InvalidRequest as exc:
        fail(exc, as_json)


def with_service(call: Callable[[ThreadService], Awaitable[T]], as_json: bool) -> T:
    async def go() -> T:
        async with ThreadService.open(Settings()) as service:
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
