from collections.abc import Callable

import pytest

from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.agents.directory import AgentDirectory
from pausepoint.orchestrator.workflow import directory_agents
from pausepoint.service.catalog import bundled
from pausepoint.workflows.registry import BuildContext, Workflow


def bundled_directory() -> AgentDirectory:
    return AgentDirectory(a.card for a in directory_agents(bundled(), BuildContext()))


@pytest.mark.parametrize(
    ("request_text", "agent"),
    [
        ("convert 5 km to miles", "unit-converter"),
        ("how many pounds is 12 kg", "unit-converter"),
        ("what is the average and median of 4, 8, 15, 16", "statistics"),
        ("calculate 15% of 80", "calculator"),
        ("summarize this article for me", "summarizer"),
        ("write a short story about a lighthouse keeper", "story"),
        ("get my draft reviewed", "story"),
    ],
)
def test_directory_ranks_the_fitting_agent_first(request_text: str, agent: str) -> None:
    found = bundled_directory().search(request_text)
    assert found[0].card.name == agent


def test_every_registered_workflow_is_an_agent_with_its_tags_and_examples(
    stub_workflow: Callable[..., Workflow],
) -> None:
    registry = bundled()
    registry.register(
        stub_workflow(
            name="invoice-approval",
            description="Routes a supplier invoice to finance for approval before payment.",
            tags=("invoice", "payment", "finance", "approval"),
            examples=("pay the invoice from ACME",),
        )
    )
    directory = AgentDirectory(a.card for a in directory_agents(registry, BuildContext()))

    card = directory.get("invoice-approval")
    assert card is not None and card.kind == "workflow"
    assert "finance" in card.tags and "pay the invoice from ACME" in card.examples
    assert directory.search("please pay this supplier invoice")[0].card.name == "invoice-approval"
    assert directory.get("orchestrator") is None  # it does not plan with itself


def test_agent_card_maps_onto_an_a2a_card_and_back() -> None:
    card = AgentCard(
        name="weather",
        description="Forecasts",
        kind="remote",
        url="http://127.0.0.1:9999/",
        skills=(AgentSkill(id="f", name="Forecast", tags=("weather",), examples=("rain?",)),),
    )
    a2a = card.to_a2a()
    assert a2a["skills"][0]["tags"] == ["weather"]
    assert a2a["defaultInputModes"] == ["text/plain"]
    assert AgentCard.from_a2a(a2a) == card


def test_search_over_a_thousand_cards_finds_the_only_matching_one() -> None:
    cards = [
        AgentCard(name=f"agent-{i}", description=f"Handles topic{i} and topic{i + 1} requests")
        for i in range(1000)
    ]
    cards.append(AgentCard(name="tide-tables", description="Predicts harbour tides"))
    directory = AgentDirectory(cards)
    assert [c.card.name for c in directory.search("when are the tides at the harbour")] == [
        "tide-tables"
    ]
    assert len(directory.search("topic500 requests", limit=3)) == 3
