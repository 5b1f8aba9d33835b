"""A reply in words mapped onto a pause's form: the one function every door that takes text
(chat, WebSocket, A2A, the CLI) uses, so each door understands the same replies."""

from __future__ import annotations

from typing import Any

from pausepoint.domain import Action, Pause
from pausepoint.errors import InvalidAnswer, InvalidRequest
from pausepoint.forms.checks import summary
from pausepoint.forms.fields import Form, pairs_in
from pausepoint.jsontext import parse_json


def _refusal(pause: Pause, problems: list[dict[str, Any]], hint: str = "") -> InvalidAnswer:
    return InvalidAnswer(
        f"invalid answer to {pause.title!r}: {summary(problems, 'answer')}{hint}", fields=problems
    )


def _filled(pause: Pause, form: Form, pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The answer `field: value` pairs give, each value typed by its field; a value that does
    not fit refuses the reply, naming it and the required fields not given."""
    answer: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    for name, value in pairs:
        if name in answer or any(p["loc"] == name for p in problems):
            problems.append({"loc": name, "message": "given twice"})
            continue
        try:
            answer[name] = form.coerce(name, value)
        except ValueError as exc:
            problems.append({"loc": name, "message": str(exc)})
    if problems:
        given = {name for name, _ in pairs}
        missing = [{"loc": n, "message": "field required"} for n in form.required if n not in given]
        raise _refusal(pause, problems + missing)
    return answer


def _with_field(pause: Pause, form: Form, action: Action, text: str) -> dict[str, Any]:
    """`action`'s answer with its one typed-in field filled with `text`."""
    field = action.fields[0]
    try:
        return {**action.answer, field: form.coerce(field, text)}
    except ValueError as exc:
        raise _refusal(pause, [{"loc": field, "message": str(exc)}]) from None


#: The decisions other tools' reviews are answered with (Agent Inbox's and LangChain's), any of
#: which a person may type whether or not the pause in front of them allows it.
DECISION_WORDS = frozenset({"accept", "approve", "edit", "ignore", "reject", "respond", "response"})


def _not_allowed(pause: Pause, word: str) -> InvalidAnswer | None:
    """The refusal of a decision `word` a tool review does not allow (it is not one of its
    actions), so that "edit" to a review allowing approve and reject is refused rather than
    taken as a rejection's message; None when `word` is not such a decision."""
    word = word.strip().lower()
    if not pause.resume_as or word not in DECISION_WORDS:
        return None
    if any(word in _action_names(a) for a in pause.actions):
        return None
    choices = ", ".join(a.label + "".join(f": <{f}>" for f in a.fields) for a in pause.actions)
    problem = {"loc": "type", "message": f"{word!r} is not allowed here"}
    return _refusal(pause, [problem], f"; choose one of: {choices}")


def _action_names(action: Action) -> set[str]:
    names = {action.label.strip().lower()}
    names.update(v.strip().lower() for v in action.answer.values() if isinstance(v, str))
    return names


def _single_text_field(schema: dict[str, Any] | None) -> str | None:
    """The one string property an object schema needs, if it has exactly one."""
    if not schema or schema.get("type") != "object":
        return None
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return None
    strings = [
        n for n, p in properties.items() if isinstance(p, dict) and p.get("type") == "string"
    ]
    required = set(schema.get("required", []))
    if len(strings) == 1 and (len(properties) == 1 or required <= set(strings)):
        return str(strings[0])
    return None


def _json_object(pause: Pause, form: Form, text: str, free_text: bool) -> Any:
    """A reply that is a JSON object for the form: its keys are the form's fields, or the form
    takes no free text (then text that starts like JSON but is not is refused)."""
    if not form.fields or not text.startswith("{"):
        return None
    try:
        value = parse_json(text, "the reply")
    except InvalidRequest as exc:
        if free_text:
            return None
        raise _refusal(pause, [{"loc": "", "message": exc.detail}]) from None
    if isinstance(value, dict) and (not free_text or set(value) <= set(form.fields)):
        return value
    return None


def _how_to_answer(pause: Pause, form: Form) -> InvalidAnswer:
    """The refusal of a reply that fits no way of answering: it names the required fields and
    says how to answer (the actions, else `field: value` lines or JSON)."""
    problems = [{"loc": n, "message": "field required"} for n in form.required]
    if pause.actions:
        choices = (a.label + "".join(f": <{f}>" for f in a.fields) for a in pause.actions)
        hint = "; choose one of: " + ", ".join(choices)
    else:
        listed = ", ".join(f"{n}{'*' if n in form.required else ''}" for n in form.fields)
        hint = f"; reply with `field: value` lines ({listed}) or a JSON object"
    return _refusal(pause, problems or [{"loc": "", "message": "fill in the form"}], hint)


def fields_from_text(pause: Pause, text: str) -> dict[str, Any] | None:
    """A reply's `field: value` lines (or `;`-separated pairs) as answer fields: names matched
    in any case or by title, each value typed by its field (numbers, yes/no, enums in any case,
    JSON for objects and lists). None when the text does not start with a field of the form; a
    value that does not fit raises InvalidAnswer naming it and any required field not given."""
    form = Form.of(pause.response_schema)
    pairs = pairs_in(text.strip(), form)
    return None if pairs is None else _filled(pause, form, pairs)


def answer_from_text(pause: Pause, text: str) -> Any:
    """Map a plain-text reply (a chat message) onto `pause`'s answer; validation comes after.

    In order:
    0. a tool review (another dialect's: Agent Inbox, LangChain's HITL) refuses a decision
       word it does not allow ("edit" where only approve and reject are);
    1. the text names an action (its label or an answer value, any case: "accept") -> that
       action's answer; "update: make it funnier" -> that action with its one field filled in;
    2. a JSON object -> taken when its keys are the form's fields, and always by a form of
       several fields that takes no free text (there, text that starts with `{` but is not JSON
       is refused);
    3. exactly one action takes one typed-in field ("Update with comments") -> that action with
       the text in the field;
    4. a string schema, or none -> the text as it is;
    5. a form of several fields -> `field: value` lines, as `fields_from_text` reads them;
    6. an object schema needing one string field -> {field: text}; a form of one field ->
       {field: the text as the field's type}.
    A reply that fits a form of fields in none of these ways raises InvalidAnswer naming the
    required fields and saying how to answer.
    """
    stripped = text.strip()
    for action in pause.actions:
        if stripped.lower() in _action_names(action):
            return dict(action.answer)
    head, colon, rest = stripped.partition(":")
    if (refused := _not_allowed(pause, head if colon else stripped)) is not None:
        raise refused
    schema = pause.response_schema
    form = Form.of(schema)
    if colon:
        for action in pause.actions:
            if head.strip().lower() in _action_names(action) and len(action.fields) == 1:
                return _with_field(pause, form, action, rest.strip())
    typed = [a for a in pause.actions if len(a.fields) == 1]
    free_text = len(typed) == 1 or len(form.fields) == 1
    if (given := _json_object(pause, form, stripped, free_text)) is not None:
        return given
    if len(typed) == 1:
        return _with_field(pause, form, typed[0], stripped)
    if not schema or schema.get("type") == "string":
        return text
    if len(form.fields) > 1 and (pairs := pairs_in(stripped, form)) is not None:
        return _filled(pause, form, pairs)
    if (field := _single_text_field(schema)) is not None:
        return {field: text}
    if len(form.fields) == 1:
        return _filled(pause, form, [(next(iter(form.fields)), stripped)])
    if form.fields:
        raise _how_to_answer(pause, form)
    return text
