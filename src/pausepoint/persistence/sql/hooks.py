"""The dialect hooks `SqlStore` provides (`SqlStore` says what each does), declared once for the
mixins that hold one table's SQL each (thread_rows.py, api_threads.py, api_runs.py, outbox.py)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol


class Row(Protocol):
    def __getitem__(self, key: str, /) -> Any: ...


class DialectHooks(ABC):
    @abstractmethod
    async def _execute(
        self, sql: str, args: Sequence[Any] = (), *, scan: bool = False
    ) -> Sequence[Row]: ...

    @staticmethod
    @abstractmethod
    def _time(value: datetime) -> Any: ...

    @staticmethod
    @abstractmethod
    def _read_time(value: Any) -> datetime: ...

    @staticmethod
    @abstractmethod
    def _json(value: Any) -> Any: ...

    @staticmethod
    @abstractmethod
    def _read_json(value: Any) -> Any: ...

    @staticmethod
    @abstractmethod
    def _among(column: str, values: Sequence[str]) -> tuple[str, Sequence[Any]]: ...
