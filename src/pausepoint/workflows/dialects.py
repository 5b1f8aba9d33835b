"""Interrupt dialects: what teams pass to `interrupt()`, read as the Pause every door shows, and
the person's answer turned back into the resume value the graph expects.

* Pausepoint's own `PauseRequest` (a dict with a `title`, from `ask()`): as it is.
* A plain string: the question. The answer is what the person gives.
* Any other dict: its `question` / `message` / `description` / `prompt` / `text` key is the
  pause's text, the rest its context. With `interrupt(value, response_schema=Model)` the schema
  is the pause's form in every dialect.
* Agent Inbox's `HumanInterrupt` (`action_request`, `config.allow_*`, `description`; usually a
  list of one): actions Accept / Edit / Respond / Ignore as the flags allow, Edit a form
  prefilled with the request's args. The person answers one `HumanResponse`
  (`{"type": "accept"}`, `{"type": "edit", "args": {...}}`, `{"type": "response", "args":
  "text"}`, `{"type": "ignore"}`); a type the flags forbid fails the form. The graph gets what
  it asked for: a list of one response for a list of one request.
* LangChain's `HumanInTheLoopMiddleware` (`action_requests`, `review_configs` with
  `allowed_decisions`): approve / edit (prefilled) / reject (asks for a message) / respond
  (answers for the tool, with a message) per request, as its config allows. The person answers
  `{"decisions": [...]}`, each decision one its request allows, or, with one request, one
  decision; the graph gets `{"decisions": [...]}` with edits as `edited_action`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pausepoint.domain import Action, Pause

TEXT_KEYS = ("question", "message", "description", "prompt", "text")

#: Pause.resume_as values.
HUMAN_RESPONSES = "agent_inbox"
HUMAN_RESPONSE = "agent_inbox_one"
HITL_DECISIONS = "hitl"

_INBOX_TYPES = (
    ("accept", "Accept"),
    ("edit", "Edit"),
    ("response", "Respond"),
    ("ignore", "Ignore"),
)
_HITL_TYPES = (
    ("approve", "Approve"),
    ("edit", "Edit"),
    ("reject", "Reject"),
    ("respond", "Respond"),
)
#: The answer fields an action's form asks for, by decision type.
_HITL_FIELDS = {"edit": ["args"], "reject": ["message"], "respond": ["message"]}


def pause_of(interrupt_id: str, value: Any, schema: Any) -> Pause:
    """The Pause for a LangGraph interrupt with `value` and `response_schema` `schema`."""
    schema = schema if isinstance(schema, dict) else None
    request = _human_interrupt(value)
    if request is not None:
        return _inbox_pause(interrupt_id, request, many=isinstance(value, list))
    if _is_hitl(value):
        return _hitl_pause(interrupt_id, value)
    if isinstance(value, dict) and "title" in value:
        return Pause.model_validate(
            {**value, "interrupt_id": interrupt_id, "response_schema": schema}
        )
    if isinstance(value, dict):
        key = next((k for k in TEXT_KEYS if isinstance(value.get(k), str)), None)
        text = str(value[key]) if key else "Input needed"
        title, _, message = text.partition("\n")
        context = {k: v for k, v in value.items() if k != key}
        return Pause(
            interrupt_id=interrupt_id,
            kind="question",
            title=title,
            message=message.strip(),
            context=context,
            response_schema=schema,
        )
    return Pause(
        interrupt_id=interrupt_id,
        kind="question",
        title=str(value) if isinstance(value, str) else "Input needed",
        context={} if isinstance(value, str) else {"value": value},
        response_schema=schema,
    )


def form_answer(pause: Pause, answer: Any) -> Any:
    """`answer` as the pause's form takes it, when given in the graph's own dialect: Agent
    Inbox's list of one `HumanResponse` (an edit's `args` the whole `ActionRequest`, an
    accept's or ignore's `args` null), which `resume_value` then gives back as it was."""
    if pause.resume_as not in (HUMAN_RESPONSES, HUMAN_RESPONSE):
        return answer
    if isinstance(answer, list) and len(answer) == 1:
        answer = answer[0]
    if not isinstance(answer, dict):
        return answer
    kind, args = answer.get("type"), answer.get("args")
    if kind in ("accept", "ignore") and args is None:
        return {"type": kind}
    if (
        kind == "edit"
        and isinstance(args, dict)
        and set(args) == {"action", "args"}
        and args["action"] == pause.context.get("action")
    ):
        return {"type": "edit", "args": args["args"]}
    return answer


def resume_value(pause: Pause, answer: Any) -> Any:
    """What the graph gets back for `answer` (already checked against the pause's form)."""
    if pause.resume_as in (HUMAN_RESPONSES, HUMAN_RESPONSE):
        response = _human_response(pause, answer)
        return [response] if pause.resume_as == HUMAN_RESPONSES else response
    if pause.resume_as == HITL_DECISIONS:
        requests = pause.context.get("action_requests") or []
        given = answer.get("decisions") if isinstance(answer, dict) else None
        decisions = given if isinstance(given, list) else [answer]
        return {
            "decisions": [_hitl_decision(r, d) for r, d in zip(requests, decisions, strict=False)]
        }
    return answer


def _tagged_union(variants: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """A union told apart by its `type` field, spelled as pydantic spells one (the forms read
    it so: a bad `type` names the allowed ones)."""
    return {
        "$defs": dict(variants),
        "oneOf": [{"$ref": f"#/$defs/{t}"} for t in variants],
        "discriminator": {
            "propertyName": "type",
            "mapping": {t: f"#/$defs/{t}" for t in variants},
        },
    }


# Agent Inbox


def _human_interrupt(value: Any) -> Mapping[str, Any] | None:
    item = value[0] if isinstance(value, list) and len(value) == 1 else value
    if isinstance(item, dict) and isinstance(item.get("action_request"), dict):
        return item
    return None


def _inbox_pause(interrupt_id: str, request: Mapping[str, Any], *, many: bool) -> Pause:
    action = request["action_request"]
    name, args = str(action.get("action", "action")), dict(action.get("args") or {})
    config = request.get("config") or {}
    allowed = [
        (t, label)
        for t, label in _INBOX_TYPES
        if config.get(f"allow_{t if t != 'response' else 'respond'}")
    ]
    description = str(request.get("description") or f"Review {name}")
    title, _, message = description.partition("\n")
    variants = [_inbox_variant(t, args) for t, _ in allowed]
    return Pause(
        interrupt_id=interrupt_id,
        kind="review",
        title=title,
        message=message.strip(),
        context={"action": name, "args": args},
        actions=[
            Action(
                label=label,
                answer={"type": t},
                fields=["args"] if t in ("edit", "response") else [],
            )
            for t, label in allowed
        ],
        response_schema=_tagged_union({t: v for (t, _), v in zip(allowed, variants, strict=True)}),
        resume_as=HUMAN_RESPONSES if many else HUMAN_RESPONSE,
    )


def _inbox_variant(kind: str, args: Mapping[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {"type": {"const": kind}}
    required = ["type"]
    if kind == "edit":
        properties["args"] = {"type": "object", "default": dict(args), "title": "Arguments"}
        required.append("args")
    elif kind == "response":
        properties["args"] = {"type": "string", "minLength": 1, "title": "Response"}
        required.append("args")
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _human_response(pause: Pause, answer: Mapping[str, Any]) -> dict[str, Any]:
    kind = answer["type"]
    if kind == "edit":
        return {
            "type": "edit",
            "args": {"action": pause.context.get("action"), "args": answer["args"]},
        }
    if kind == "response":
        return {"type": "response", "args": answer["args"]}
    return {"type": kind, "args": None}


# LangChain's HumanInTheLoopMiddleware


def _is_hitl(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("action_requests"), list)
        and isinstance(value.get("review_configs"), list)
    )


def _hitl_pause(interrupt_id: str, value: Mapping[str, Any]) -> Pause:
    requests: list[dict[str, Any]] = [dict(r) for r in value["action_requests"]]
    configs = {c.get("action_name"): c for c in value["review_configs"] if isinstance(c, dict)}
    per_request = [_hitl_variants(r, configs.get(r.get("name"))) for r in requests]
    first = requests[0] if requests else {}
    text = str(first.get("description") or f"Review the call to {first.get('name', 'a tool')}")
    title, _, message = text.partition("\n")
    if len(requests) > 1:
        title = f"Review {len(requests)} tool calls"
    decisions = {
        "type": "object",
        "properties": {
            "decisions": {
                "type": "array",
                # the n-th decision is for the n-th request: one of the decisions it allows
                "prefixItems": [{"anyOf": vs} for vs in per_request],
                "items": False,
                "minItems": len(requests),
            }
        },
        "required": ["decisions"],
        "additionalProperties": False,
    }
    one = per_request[0] if len(requests) == 1 else []
    actions = []
    if len(requests) == 1:
        allowed = _allowed(configs.get(first.get("name")))
        actions = [
            Action(
                label=label,
                answer={"type": t},
                fields=_HITL_FIELDS.get(t, []),
            )
            for t, label in _HITL_TYPES
            if t in allowed
        ]
    return Pause(
        interrupt_id=interrupt_id,
        kind="review",
        title=title,
        message=message.strip(),
        context={"action_requests": requests},
        actions=actions,
        response_schema={"anyOf": [*one, decisions]},
        resume_as=HITL_DECISIONS,
    )


def _allowed(config: Mapping[str, Any] | None) -> Sequence[str]:
    allowed = (config or {}).get("allowed_decisions")
    return list(allowed) if isinstance(allowed, list) else [t for t, _ in _HITL_TYPES]


def _hitl_variants(
    request: Mapping[str, Any], config: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    variants = []
    for kind in _allowed(config):
        properties: dict[str, Any] = {"type": {"const": kind}}
        required = ["type"]
        if kind == "edit":
            properties["args"] = {
                "type": "object",
                "default": dict(request.get("args") or {}),
                "title": "Arguments",
            }
            required.append("args")
        elif kind == "reject":
            properties["message"] = {"type": "string", "title": "Why"}
        elif kind == "respond":
            properties["message"] = {"type": "string", "minLength": 1, "title": "Response"}
            required.append("message")
        variants.append(
            {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": False,
            }
        )
    return variants


def _hitl_decision(request: Mapping[str, Any], decision: Mapping[str, Any]) -> dict[str, Any]:
    kind = decision["type"]
    if kind == "edit":
        return {
            "type": "edit",
            "edited_action": {"name": request.get("name"), "args": decision["args"]},
        }
    if kind == "reject":
        return {
            "type": "reject",
            **({"message": decision["message"]} if "message" in decision else {}),
        }
    if kind == "respond":
        return {"type": "respond", "message": decision["message"]}
    return {"type": kind}
