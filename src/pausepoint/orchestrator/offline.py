"""The deterministic offline planner: sentence and "then" splitting, directory ranking.

* parse: sentences (and `;`, `and also`) become independent tasks; `then` makes a task
  depend on the one before. A `:` starts data (a text to summarise, numbers): the rest of
  the request belongs to that clause, whatever punctuation it holds.
* plan: a task that depends on the previous one and goes to the same workflow joins it (a
  workflow is a whole process: "write a story and then get it reviewed" is one story run);
  waves follow the dependencies.
* aggregate: one line per task, the agent's own words.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from pausepoint.agents.scoring import tokenize
from pausepoint.orchestrator.state import PlannedTask, TaskAgentPair, TaskResult, TaskSpec

_THEN = re.compile(r"\s*(?:,\s*)?\b(?:and then|then|after that|afterwards)\b\s*", re.IGNORECASE)
_INDEPENDENT = re.compile(r"(?<=[.!?;])\s+|\n+|\s*;\s*|\s+and also\s+", re.IGNORECASE)


def split_request(prompt: str) -> list[TaskSpec]:
    """Split a request into tasks; `then` chains a task to the one before it."""
    head, colon, data = prompt.strip().partition(":")
    tasks: list[TaskSpec] = []
    sentences = [s for s in _INDEPENDENT.split(head) if s and s.strip(" .;")]
    for s_index, sentence in enumerate(sentences):
        parts = [p for p in _THEN.split(sentence) if p and p.strip(" ,.")]
        for p_index, part in enumerate(parts):
            text = part.strip().rstrip(".;, ")
            if colon and s_index == len(sentences) - 1 and p_index == len(parts) - 1:
                text = f"{text}:{data}"
            depends = (tasks[-1].id,) if p_index > 0 and tasks else ()
            tasks.append(TaskSpec(id=f"t{len(tasks) + 1}", text=text, depends_on=depends))
    if not tasks:
        tasks.append(TaskSpec(id="t1", text=prompt.strip()))
    return tasks


def capabilities_of(text: str) -> tuple[str, ...]:
    """The content words of a task (the head before any data), in order, without repeats."""
    head = text.partition(":")[0]
    seen: dict[str, None] = {}
    for token in tokenize(head):
        if not token.replace(".", "").isdigit():
            seen.setdefault(token, None)
    return tuple(seen)


def plan_tasks(
    tasks: Sequence[TaskSpec], pairs: Mapping[str, TaskAgentPair], kinds: Mapping[str, str]
) -> list[PlannedTask]:
    """Merge `then`-chained tasks of one workflow; number the waves by dependency depth."""
    merged: list[PlannedTask] = []
    alias: dict[str, str] = {}
    for task in tasks:
        agent = pairs[task.id].agent
        kind = kinds.get(agent, "local")
        depends = tuple(dict.fromkeys(alias.get(d, d) for d in task.depends_on))
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and kind == "workflow"
            and previous.agent == agent
            and depends == (previous.id,)
        ):
            alias[task.id] = previous.id
            continue
        merged.append(
            PlannedTask(id=task.id, text=task.text, agent=agent, kind=kind, depends_on=depends)
        )
    waves: dict[str, int] = {}
    planned: list[PlannedTask] = []
    for step in merged:
        wave = 1 + max((waves[d] for d in step.depends_on if d in waves), default=-1)
        waves[step.id] = wave
        planned.append(step.model_copy(update={"wave": wave}))
    return planned


def summarize_results(plan: Sequence[PlannedTask], results: Sequence[TaskResult]) -> str:
    """One line per task: the agent's output, or why it did not run."""
    by_task = {r.task_id: r for r in results}
    lines: list[str] = []
    for task in plan:
        result = by_task.get(task.id)
        if result is None:
            continue
        if result.status == "done" and result.output is not None:
            body = result.output.text
        else:
            body = f"({result.status}: {result.error})"
        lines.append(body if len(plan) == 1 else f"{task.agent}: {body}")
    return "\n".join(lines)


_SYMBOLS = (
    (re.compile(r"\d\s*\+\s*\d"), "add"),
    (re.compile(r"\d\s*-\s*\d"), "subtract"),
    (re.compile(r"\d\s*[*x]\s*\d"), "multiply"),
    (re.compile(r"\d\s*/\s*\d"), "divide"),
    (re.compile(r"\d\s*%"), "percent"),
    (re.compile(r"\bsqrt\s*\("), "square root"),
)


def symbol_capabilities(text: str) -> tuple[str, ...]:
    """Capabilities written as symbols: `2 + 3` asks for addition even without the word."""
    head = text.partition(":")[0]
    return tuple(word for pattern, word in _SYMBOLS if pattern.search(head))
