"""Failpoints (tests only): kill this process at a named point, to prove what survives.

`PAUSEPOINT_FAILPOINT=name` (or `name@N`, its N-th time in this process) names the point; the
crash trials (bench/, tests/service/) set it in a worker and check what the next one finds.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal

logger = logging.getLogger(__name__)


class Failpoints:
    """The failpoint this process was started with, and how often it was reached."""

    def __init__(self, chosen: str | None) -> None:
        self._name, _, nth = (chosen or "").partition("@")
        self._nth = int(nth or 1)
        self._hits = 0

    def hit(self, name: str) -> None:
        """SIGKILL this process when `name` is the chosen failpoint (its N-th time)."""
        if name != self._name:
            return
        self._hits += 1
        if self._hits >= self._nth:
            logger.error("failpoint %s: killing this process", name)
            os.kill(os.getpid(), signal.SIGKILL)

    async def soon(self, name: str) -> None:
        """`hit`, once what was just acknowledged has reached whoever waits for it."""
        if name == self._name:
            await asyncio.sleep(0.05)
            self.hit(name)
