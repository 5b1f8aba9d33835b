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
            found = value.get("notes") if isinstance(value, dict) else None
            if isinstance(found, list):
                notes.extend(str(n) for n in found)
            elif isinstance(found, str):  # a person's notes, one per line
                notes.extend(line.strip() for line in found.splitlines() if line.strip())
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
