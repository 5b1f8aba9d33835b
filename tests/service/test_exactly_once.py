"""Answers are validated first, applied exactly once, and never lost once acknowledged."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from pausepoint.agents.fakes import ScriptedChatModel
from pausepoint.domain import ThreadStatus
from pausepoint.errors import AlreadyAnswered, Conflict, InvalidAnswer, PausepointError
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

UPDATE = {"decision": "update", "comments": "make it funnier"}


async def test_twenty_concurrent_answers_exactly_one_wins_and_the_writer_runs_once(
    settings: Settings,
) -> None:
    model = ScriptedChatModel(replies=["First draft.", "Funnier draft.", "spare"])
    async with ThreadService.open(settings, chat_model=model) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
        answers = {view.pauses[0].interrupt_id: UPDATE}
        results = await asyncio.gather(
            *(service.resume(view.thread_id, answers, "ann") for _ in range(20)),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        losers = [r for r in results if isinstance(r, BaseException)]
        assert len(winners) == 1
        assert len(losers) == 19
        assert all(isinstance(e, Conflict) for e in losers), losers
        assert winners[0].pauses[0].context["draft"] == "Funnier draft."
        assert len(model.calls) == 2  # the first draft and exactly one revision
        assert len(await service.decisions(view.thread_id)) == 1


@pytest.mark.parametrize(
    ("answer", "loc", "words"),
    [
        ({}, "decision", "field required"),
        ({"decision": "update"}, "comments", "field required"),
        ({"decision": "update", "comments": "   "}, "comments", "only spaces"),
        ({"decision": "update", "comments": 42}, "comments", "not of type 'string'"),
        ({"decision": "maybe"}, "decision", "must be one of ['accept', 'update']"),
        ("accept", "", "must be an object with a 'decision' field, not str"),
    ],
)
async def test_bad_answer_is_refused_and_the_thread_waits_exactly_as_before(
    service: ThreadService, answer: Any, loc: str, words: str
) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    with pytest.raises(InvalidAnswer) as caught:
        await service.answer(view.thread_id, answer, "ann")
    assert caught.value.fields[0]["loc"] == loc
    assert words in caught.value.fields[0]["message"]
    assert words in caught.value.detail
    after = await service.get(view.thread_id)
    assert after.status is ThreadStatus.WAITING
    assert after.pauses == view.pauses
    assert await service.decisions(view.thread_id) == []
    assert len(await service.inbox("ann")) == 1


async def test_unknown_or_stale_pause_id_is_a_conflict_and_writes_nothing(
    service: ThreadService,
) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    with pytest.raises(Conflict, match="not pending"):
        await service.resume(view.thread_id, {"no-such-pause": {"decision": "accept"}}, "ann")
    stale = view.pauses[0].interrupt_id
    moved = await service.answer(view.thread_id, UPDATE, "ann")
    with pytest.raises(Conflict, match="not pending"):
        await service.resume(view.thread_id, {stale: {"decision": "accept"}}, "ann")
    assert (await service.get(view.thread_id)).pauses == moved.pauses
    assert len(await service.decisions(view.thread_id)) == 1


async def test_someone_else_may_not_answer_a_pause_assigned_to_a_reviewer(
    service: ThreadService,
) -> None:
    view = await service.start("story", {"prompt": "a fox", "reviewer": "bob"}, "ann")
    with pytest.raises(PausepointError, match="waits for 'bob'") as caught:
        await service.answer(view.thread_id, {"decision": "accept"}, "mallory")
    assert caught.value.status == 403
    done = await service.answer(view.thread_id, {"decision": "accept"}, "bob")
    assert done.status is ThreadStatus.COMPLETED
    assert [d.actor for d in await service.decisions(view.thread_id)] == ["bob"]


async def _pausepoint(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """Run `pausepoint ARGS` as a separate OS process; return (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pausepoint",
        *args,
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=300)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def _env(db_url: str, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("PAUSEPOINT_")}
    return {**env, "PAUSEPOINT_DATABASE_URL": db_url, **extra}


async def test_twenty_processes_answering_at_once_exactly_one_succeeds(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    async with ThreadService.open(settings, chat_model=None) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
    args = ["answer", view.thread_id, json.dumps(UPDATE), "--json", "--as", "ann"]
    args += ["--pause", view.pauses[0].interrupt_id]
    outcomes = await asyncio.gather(
        *(_pausepoint(tmp_path, _env(db_url), *args) for _ in range(20))
    )
    codes = sorted(code for code, _, _ in outcomes)
    assert codes == [0] + [3] * 19, outcomes
    for code, out, _ in outcomes:
        body = json.loads(out)
        if code == 3:
            assert body["error"] in {"already_answered", "conflict", "nothing_to_answer"}
    async with ThreadService.open(settings, chat_model=None) as service:
        after = await service.get(view.thread_id)
        assert after.pauses[0].context["revision"] == 2  # exactly one revision was written
        assert len(await service.decisions(view.thread_id)) == 1


async def test_decision_recorded_before_a_crash_is_applied_once_at_next_start(
    settings: Settings, db_url: str, tmp_path: Path
) -> None:
    async with ThreadService.open(settings, chat_model=None) as service:
        view = await service.start("story", {"prompt": "a fox"}, "ann")
    code, _, err = await _pausepoint(
        tmp_path,
        _env(db_url, PAUSEPOINT_FAILPOINT="after_decision", PAUSEPOINT_LEASE_SECONDS="600"),
        *["answer", view.thread_id, json.dumps(UPDATE), "--as", "ann"],
    )
    assert code == -9, err  # killed between recording the decision and applying it
    async with ThreadService.open(settings, chat_model=None, recover=False) as service:
        [pending] = await service.decisions(view.thread_id)
        assert pending.applied_at is None
        # the answer was acknowledged: the thread runs (for the next process to finish), its
        # pause no longer waits for anyone
        stopped = await service.get(view.thread_id)
        assert (stopped.status, stopped.pauses) == (ThreadStatus.RUNNING, [])
        assert await service.inbox("ann") == []
    async with ThreadService.open(settings, chat_model=None) as service:  # start-up recovery
        after = await service.get(view.thread_id)
        assert after.status is ThreadStatus.WAITING
        assert after.pauses[0].context["revision"] == 2
        assert "laughed" in after.pauses[0].context["draft"]
        [applied] = await service.decisions(view.thread_id)
        assert applied.applied_at is not None
        assert await service.recover() == 0  # nothing left to apply, nothing applied twice
        assert (await service.get(view.thread_id)).pauses == after.pauses
        with pytest.raises(Conflict):
            await service.resume(view.thread_id, {pending.interrupt_id: UPDATE}, "ann")


async def test_recording_the_same_decision_twice_is_refused_by_the_database(
    service: ThreadService,
) -> None:
    view = await service.start("story", {"prompt": "a fox"}, "ann")
    await service.answer(view.thread_id, {"decision": "accept"}, "ann")
    [decision] = await service.decisions(view.thread_id)
    store = service._store
    with pytest.raises(AlreadyAnswered):
        await store.record_decisions([decision])
