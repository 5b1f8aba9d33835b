"""Thread leases on a real SQLite file: a hold longer than the lease keeps the thread (it is
renewed while held), and the thread is free again once the hold ends."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pausepoint.persistence.sql import SqliteStore
from pausepoint.service.leases import Leases

TTL = 0.6


async def test_a_hold_longer_than_the_lease_keeps_the_thread_until_it_ends(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "leases.db", 5_000)
    try:
        mine, theirs = Leases(store, TTL), Leases(store, TTL)  # two holders, as two processes
        async with mine.hold("t1") as held:
            assert held
            for _ in range(5):  # 2 s: over three lifetimes of a lease never renewed
                await asyncio.sleep(TTL * 2 / 3)
                async with theirs.hold("t1", wait=False) as taken:
                    assert not taken, "the lease ran out while its holder still held the thread"
        async with theirs.hold("t1", wait=False) as taken:
            assert taken, "the thread stayed taken after the hold ended"
    finally:
        await store.close()


async def test_a_short_hold_frees_the_thread_at_once(tmp_path: Path) -> None:
    store = await SqliteStore.open(tmp_path / "leases.db", 5_000)
    try:
        mine, theirs = Leases(store, 30.0), Leases(store, 30.0)
        for _ in range(3):
            async with mine.hold("t1") as held:
                assert held
            async with theirs.hold("t1", wait=False) as taken:
                assert taken
    finally:
        await store.close()
