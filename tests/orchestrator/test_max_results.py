"""`max_results` in the orchestrator's input caps the directory's candidates per task."""

from collections.abc import Callable
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidInput
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import Workflow, WorkflowRegistry

LANGUAGES = ("french", "german", "spanish")


@pytest.fixture
def translators(stub_workflow: Callable[..., Workflow]) -> WorkflowRegistry:
    """Three translators that fit "translate this letter" equally well, and the orchestrator."""
    registry = WorkflowRegistry()
    for language in LANGUAGES:
        registry.register(
            stub_workflow(
                name=f"translate-{language}",
                description=f"Translates a letter into {language.title()}.",
                tags=("translate", "translation", "letter"),
            )
        )
    registry.register(orchestrator_workflow(registry))
    return registry


async def test_max_results_caps_the_candidates_a_person_is_asked_to_choose_from(
    settings: Settings, translators: WorkflowRegistry
) -> None:
    request = "translate this letter"
    async with ThreadService.open(settings, workflows=translators, chat_model=None) as svc:
        default = await svc.start("orchestrator", {"prompt": request}, "ann")
        capped = await svc.start("orchestrator", {"prompt": request, "max_results": 2}, "ann")

    [every] = default.pauses
    assert {a.label for a in every.actions} == {f"translate-{x}" for x in LANGUAGES}
    [two] = capped.pauses
    assert [a.label for a in two.actions] == [a.label for a in every.actions][:2]
    assert two.response_schema is not None
    assert two.response_schema["properties"]["agent"]["enum"] == [a.label for a in two.actions]
    assert len(two.context["candidates"]) == 2


async def test_max_results_one_takes_the_best_candidate_without_asking(
    settings: Settings, translators: WorkflowRegistry
) -> None:
    async with ThreadService.open(settings, workflows=translators, chat_model=None) as svc:
        view = await svc.start(
            "orchestrator", {"prompt": "translate this letter", "max_results": 1}, "ann"
        )

    assert view.status is ThreadStatus.COMPLETED
    [pair] = view.result["task_agent_pairs"]
    assert (pair["agent"], pair["chosen_by"]) == ("translate-french", "ranked")


@pytest.mark.parametrize("bad", [0, 51, -3, "5", 2.5, True])
async def test_a_bad_max_results_is_refused_at_start_naming_the_field_and_starts_nothing(
    service: ThreadService, bad: Any
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await service.start(
            "orchestrator", {"prompt": "list all agents", "max_results": bad}, "ann"
        )

    assert [f["loc"] for f in refused.value.fields] == ["max_results"]
    assert await service.list_threads() == []
