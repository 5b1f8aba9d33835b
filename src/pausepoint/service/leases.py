"""Thread leases: only one task in this process and one process in the database runs a thread
at a time. A lease is renewed while held and taken over when it expires or its process is gone
(a holder on this host whose pid no longer runs)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from pausepoint.persistence.store import Store

logger = logging.getLogger(__name__)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Leases:
    """The leases this process holds, as `host:pid:nonce`, for `ttl` seconds at a time."""

    def __init__(self, store: Store, ttl: float) -> None:
        self._store = store
        self._ttl = ttl
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, thread_id: str, *, wait: bool = True) -> AsyncIterator[bool]:
        """Hold the thread: one task in this process, one process in the database. Yields
        False (holding nothing) when `wait` is off and someone else holds it."""
        lock = self._locks.get(thread_id)
        if lock is None:
            lock = self._locks[thread_id] = asyncio.Lock()
        if not wait and lock.locked():
            yield False
            return
        async with lock:
            if not await self._take(thread_id, wait=wait):
                yield False
                return
            # a hold shorter than a third of the lease (most) renews nothing: a timer, not a
            # task, so that it costs nothing to stop
            renewal = _Renewal(lambda: self.renew(thread_id), self._ttl / 3)
            try:
                yield True
            finally:
                await renewal.stop()
                await self._store.release_lease(thread_id, self.holder)

    async def _take(self, thread_id: str, *, wait: bool) -> bool:
        while True:
            now = time.time()
            if await self._store.try_lease(thread_id, self.holder, now + self._ttl, now):
                return True
            current = await self._store.lease_holder(thread_id)
            if current is not None and self._is_orphan(current[0]):
                logger.warning("taking over thread %s from dead holder %s", thread_id, current[0])
                await self._store.release_lease(thread_id, current[0])
                continue
            if not wait:
                return False
            await asyncio.sleep(0.05)

    def _is_orphan(self, holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        return host == socket.gethostname() and pid.isdigit() and not _pid_alive(int(pid))

    async def renew(self, thread_id: str) -> None:
        """Extend the held lease on the thread by a whole `ttl` from now."""
        now = time.time()
        await self._store.try_lease(thread_id, self.holder, now + self._ttl, now)


class _Renewal:
    """Calls `renew` every `every` seconds until stopped: a timer that starts one renewal at
    a time (one still going when the hold ends is stopped; one that fails is logged and tried
    again at the next turn)."""

    def __init__(self, renew: Callable[[], Awaitable[None]], every: float) -> None:
        self._renew = renew
        self._every = every
        self._loop = asyncio.get_running_loop()
        self._renewing: asyncio.Task[None] | None = None
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(every, self._due)
        self._stopped = False

    def _due(self) -> None:
        self._renewing = asyncio.create_task(self._renewed())

    async def _renewed(self) -> None:
        try:
            await self._renew()
        except Exception:
            logger.exception("renewing a lease failed; trying again in %.1f s", self._every)
        if not self._stopped:
            self._timer = self._loop.call_later(self._every, self._due)

    async def stop(self) -> None:
        self._stopped = True
        if self._timer is not None:
            self._timer.cancel()
        if self._renewing is not None and not self._renewing.done():
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing
