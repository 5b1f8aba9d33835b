"""Orchestrator figures: directory search over 1,000 cards, offline planning, a full request.

Run: LANGGRAPH_STRICT_MSGPACK=true .venv/bin/python bench/orchestrator.py
"""

from __future__ import annotations

import asyncio
import gc
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from pausepoint.agents.cards import AgentCard, AgentSkill
from pausepoint.agents.directory import AgentDirectory
from pausepoint.orchestrator.offline import (
    capabilities_of,
    plan_tasks,
    split_request,
    symbol_capabilities,
)
from pausepoint.orchestrator.ranking import choose
from pausepoint.orchestrator.state import TaskAgentPair
from pausepoint.orchestrator.workflow import directory_agents
from pausepoint.service.catalog import bundled
from pausepoint.service.threads import ThreadService
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext

_VOCABULARY = """
invoice payment weather forecast translate french german summarize text image resize
calendar meeting schedule email draft review code deploy server database backup restore
ticket support refund order shipping track parcel stock price currency exchange convert
recipe cooking travel flight hotel booking legal contract sign approve budget report
"""
WORDS = re.findall(r"[a-z]+", _VOCABULARY)


def make_cards(n: int, rng: random.Random) -> list[AgentCard]:
    cards = []
    for i in range(n):
        tags = tuple(rng.sample(WORDS, 6))
        cards.append(
            AgentCard(
                name=f"agent-{i}",
                description=f"Handles {' and '.join(tags[:3])} requests for team {i}",
                skills=(
                    AgentSkill(
                        id="s",
                        name=tags[0],
                        tags=tags,
                        examples=(f"please {tags[0]} the {tags[1]} for {tags[2]}",),
                    ),
                ),
            )
        )
    return cards


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def bench_directory(n: int = 1000, queries: int = 300) -> tuple[float, float]:
    rng = random.Random(7)
    cards = make_cards(n, rng)
    gc.collect()  # a one-shot timing: not a collection of what the imports left behind
    t0 = time.perf_counter()
    directory = AgentDirectory(cards)
    index_ms = (time.perf_counter() - t0) * 1000
    samples = []
    for _ in range(queries):
        query = " ".join(rng.sample(WORDS, 4))
        t0 = time.perf_counter()
        directory.search(query, limit=5)
        samples.append(time.perf_counter() - t0)
    return index_ms, median_ms(samples)


def bench_planning(rounds: int = 300) -> float:
    agents = directory_agents(bundled(), BuildContext())
    directory = AgentDirectory(a.card for a in agents)
    kinds = {a.card.name: a.card.kind for a in agents}
    prompt = "Convert 5 km to miles. What is 2 + 3 * 4? Then summarize: It rained. It stopped."
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        tasks = split_request(prompt)
        pairs = {}
        for t in tasks:
            terms = (*capabilities_of(t.text), *symbol_capabilities(t.text))
            found = directory.search(" ".join((t.text.partition(":")[0], *terms)))
            best = choose(found).best
            assert best is not None
            pairs[t.id] = TaskAgentPair(task_id=t.id, agent=best.card.name, score=best.score)
        plan_tasks(tasks, pairs, kinds)
        samples.append(time.perf_counter() - t0)
    return median_ms(samples)


async def bench_request(rounds: int = 30) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'b.db'}", _env_file=None)  # type: ignore[call-arg]
        async with ThreadService.open(settings, chat_model=None) as svc:
            samples = []
            for _ in range(rounds):
                t0 = time.perf_counter()
                await svc.start("orchestrator", {"prompt": "convert 5 km to miles"}, "bench")
                samples.append(time.perf_counter() - t0)
    return median_ms(samples)


def main() -> None:
    index_ms, search_ms = bench_directory()
    print(f"directory: index 1,000 cards {index_ms:.1f} ms; search median {search_ms:.3f} ms")
    print(
        f"offline planning (parse, search, rank, plan; 3 tasks): median {bench_planning():.3f} ms"
    )
    request_ms = asyncio.run(bench_request())
    print(f"full offline request through ThreadService on SQLite: median {request_ms:.1f} ms")


if __name__ == "__main__":
    main()
