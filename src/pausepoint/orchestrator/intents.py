"""What a request asks for before any agent is chosen: guidance, or a list of agents.

Both rules read the request's head (the words before a `:`, which starts data) and hold for
the offline planner and a chat model alike, before either parses the request:

* **Guidance.** A request that asks to be guided is answered with a question, not a plan:
  "I need guidance" (or advice, or direction), "guide me", "I'm not sure", "not sure how",
  "I don't know what/how/where", "no idea", "where do I start", and "help me ... but ..."
  ("Help me analyze data but I need guidance"). The person's answer is the request from then
  on (the question asks for the task in their words, with its data), and is read again: it may
  be planned, be a find request, or ask for guidance once more.
* **Finding agents.** A request of one sentence that asks to find, search for, look for, look
  up, list, show, recommend or suggest agents ("Find me a weather agent", "list all agents"),
  or asks which/what agents there are, is answered from the directory: the matches for the
  remaining words (every agent when none remain), and no agent or workflow is run.

A third rule needs the plan and lives in the graph: a task without dependencies whose agent
declares `needs` (agents.base.Needs) that the task's words do not meet is asked for that data
before anything runs ("Which numbers should I analyse?"); the answer joins the task as data.
"""

from __future__ import annotations

import re

from pausepoint.orchestrator.offline import split_request

_GUIDANCE = re.compile(
    r"\b(?:need|want|would like|could use|looking for|ask(?:ing)? for|give me)\s+"
    r"(?:some\s+|your\s+|a\s+little\s+)?(?:guidance|advice|direction)\b"
    r"|\bguide me\b"
    r"|\b(?:i'?m|i am)\s+(?:not sure|unsure)\b|\bnot sure (?:how|what|where|which)\b"
    r"|\b(?:don'?t|do not)\s+know\s+(?:how|what|where|which)\b|\bno idea\b"
    r"|\bwhere (?:do|should|can) i (?:start|begin)\b"
    r"|\bhelp me\b[^.;!?]*\bbut\b",
    re.IGNORECASE,
)

_FIND = re.compile(
    r"^\s*(?:(?:please|can you|could you|would you)\s+)*"
    r"(?:find|search(?:\s+for)?|look\s+(?:for|up)|list|show|recommend|suggest)\b(?P<query>.*)$"
    r"|^\s*(?:which|what)\b(?P<which>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_AGENTS = re.compile(r"\bagents?\b", re.IGNORECASE)
#: Words of a find request that say which agents in general, not what they do.
_FILLER = re.compile(
    r"\b(?:me|us|a|an|the|all|any|some|every|available|existing|registered|good|best|"
    r"suitable|right|there|here|is|are|that|which|who|can|could|will|would|to|for|of|you|do|"
    r"does|have|has)\b",
    re.IGNORECASE,
)


def _head(request: str) -> str:
    return request.partition(":")[0]


def asks_for_guidance(request: str) -> bool:
    """True when the request asks to be guided (see the module docstring for the phrases)."""
    return _GUIDANCE.search(_head(request)) is not None


def find_query(request: str) -> str | None:
    """For a request to find agents, the words the agents should match ("" for every agent);
    None when the request asks for something else."""
    head = _head(request).strip()
    match = _FIND.match(head)
    if match is None or _AGENTS.search(head) is None or len(split_request(head)) > 1:
        return None
    words = match.group("query") if match.group("query") is not None else match.group("which")
    words = _FILLER.sub(" ", _AGENTS.sub(" ", words))
    return " ".join(re.findall(r"[\w'-]+", words))
