"""Small offline agents for fan-out/fan-in specs (the `workflows/research.yaml` example)."""

from __future__ import annotations

from typing import Any

from pausepoint.workflows.dag.agents import StepRequest


class LookupAgent:
    """Finds notes on the step's input: deterministic, one line per word."""

    async def run(self, request: StepRequest) -> Any:
        words = [w.strip(".,:;").lower() for w in request.input.split() if len(w) > 3]
        return {"source": request.step, "notes": [f"{request.step}: {w}" for w in words[:5]]}


class MergeAgent:
    """Merges the notes of every earlier step found in the context."""

    async def run(self, request: StepRequest) -> Any:
        notes: list[str] = []
        for value in request.context.values():
            if isinstance(value, dict) and isinstance(value.get("notes"), list):
                notes.extend(str(n) for n in value["notes"])
        return {"notes": sorted(set(notes))}


class SummaryAgent:
    async def run(self, request: StepRequest) -> Any:
        return {"summary": request.input[:500]}


def research_agents() -> dict[str, Any]:
    return {
        "research.lookup": LookupAgent(),
        "research.merge": MergeAgent(),
        "research.summarize": SummaryAgent(),
    }
