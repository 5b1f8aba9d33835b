"""The research spec from the `workflows/` folder: fan-out, one human branch, fan-in."""

from __future__ import annotations

from pathlib import Path

from pausepoint.domain import ThreadStatus
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings

FOLDER = Path(__file__).resolve().parents[2] / "workflows"


async def test_research_runs_lookups_while_the_expert_branch_waits(db_url: str) -> None:
    settings = Settings(database_url=db_url, workflows_dir=FOLDER, _env_file=None)  # type: ignore[call-arg]
    async with ThreadService.open(settings, chat_model=None) as service:
        view = await service.start("research", {"topic": "river otters"}, "ann")
        assert view.status is ThreadStatus.WAITING
        (pause,) = view.pauses
        assert pause.step == "expert" and pause.kind == "form"
        assert {s: view.steps[s]["status"] for s in ("papers", "news", "code", "merge")} == {
            "papers": "completed",
            "news": "completed",
            "code": "completed",
            "merge": "pending",
        }
        done = await service.answer(view.thread_id, {"notes": "they hold hands"}, "ann")
    assert done.status is ThreadStatus.COMPLETED
    assert "they hold hands" in done.result["summary"]["summary"]
