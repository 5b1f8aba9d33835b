"""Text onto forms: a reply in words answers a form of several fields (the one mapping every
door uses), values typed by the form's schema, and a reply that does not fit names the fields."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from pausepoint.domain import Pause
from pausepoint.errors import InvalidAnswer
from pausepoint.forms import answer_from_text, fields_from_text, schema_of, validate_answer
from pausepoint.workflows.dag.bundled import bundled_dags
from pausepoint.workflows.dag.deploy import DeploymentPlan
from pausepoint.workflows.dag.pauses import approval_actions, approval_schema
from pausepoint.workflows.remote import RemoteInput


class Tuning(BaseModel):
    replicas: int = Field(ge=1)
    ratio: float
    canary: bool
    region: Literal["eu-west", "us-east"]
    note: str | None = None
    labels: dict[str, str] | None = None


class Count(BaseModel):
    count: int


class Note(BaseModel):
    text: str


def form(model_or_schema: Any, title: str = "Fill in") -> Pause:
    schema = model_or_schema if isinstance(model_or_schema, dict) else schema_of(model_or_schema)
    return Pause(interrupt_id="i1", kind="form", title=title, response_schema=schema)


def deploy_input_form() -> Pause:
    """The form the orchestrator asks with when a request does not give deploy its input."""
    deploy = next(w for w in bundled_dags() if w.name == "deploy")
    return form(deploy.input_schema(), "What should deploy start with?")


def deploy_approval() -> Pause:
    return Pause(
        interrupt_id="i1",
        kind="approval",
        title="Deploy user-api v2.1.0 to production",
        response_schema=approval_schema(schema_of(DeploymentPlan)),
        actions=approval_actions("d" * 64),
    )


def mapped(pause: Pause, text: str) -> Any:
    answer = answer_from_text(pause, text)
    assert validate_answer(pause.response_schema, answer) == []
    return answer


def refusal(pause: Pause, text: str) -> InvalidAnswer:
    with pytest.raises(InvalidAnswer) as caught:
        answer_from_text(pause, text)
    return caught.value


def test_a_json_object_answers_a_form_of_several_fields() -> None:
    assert mapped(deploy_input_form(), '{"service": "user-api", "version": "v2.1.0"}') == {
        "service": "user-api",
        "version": "v2.1.0",
    }


def test_field_lines_answer_a_form_in_any_case_by_name_or_title() -> None:
    expected = {"service": "user-api", "version": "v2.1.0", "target": "staging"}
    assert mapped(deploy_input_form(), "service: user-api\nversion: v2.1.0\ntarget: staging") == (
        expected
    )
    assert mapped(deploy_input_form(), "SERVICE: user-api; Version: v2.1.0; target:staging") == (
        expected
    )
    remote = form(RemoteInput)
    assert mapped(remote, "url: http://127.0.0.1:8001\nTimeout Seconds: 5") == {
        "url": "http://127.0.0.1:8001",
        "timeout_seconds": 5,
    }


def test_values_are_typed_by_the_schema() -> None:
    text = (
        "replicas: 3\nratio: 0.25\ncanary: Yes\nregion: EU-West\nnote: none\n"
        'labels: {"team": "core"}'
    )
    assert mapped(form(Tuning), text) == {
        "replicas": 3,
        "ratio": 0.25,
        "canary": True,
        "region": "eu-west",
        "note": None,
        "labels": {"team": "core"},
    }
    assert mapped(form(Tuning), "replicas: 1; ratio: 2; canary: no; region: us-east") == {
        "replicas": 1,
        "ratio": 2,
        "canary": False,
        "region": "us-east",
    }


def test_a_value_runs_on_over_a_separator_that_names_no_field() -> None:
    remote = form(RemoteInput)
    assert mapped(remote, "url: http://x.test\nmessage: hi; see you: soon\nthere") == {
        "url": "http://x.test",
        "message": "hi; see you: soon\nthere",
    }


def test_values_that_do_not_fit_are_refused_naming_each_field_and_the_missing_ones() -> None:
    refused = refusal(form(Tuning), "replicas: many\ncanary: perhaps\nregion: mars")
    assert refused.fields == [
        {"loc": "replicas", "message": "must be a whole number, not 'many'"},
        {"loc": "canary", "message": "must be yes or no, not 'perhaps'"},
        {"loc": "region", "message": "must be one of ['eu-west', 'us-east'], not 'mars'"},
        {"loc": "ratio", "message": "field required"},
    ]
    assert refused.detail.startswith("invalid answer to 'Fill in': replicas: must be a whole")


def test_a_field_given_twice_is_refused() -> None:
    refused = refusal(deploy_input_form(), "service: a\nversion: v1.0.0\nservice: b")
    assert refused.fields == [{"loc": "service", "message": "given twice"}]


def test_a_reply_that_fits_no_field_names_the_required_fields_and_how_to_answer() -> None:
    refused = refusal(deploy_input_form(), "deploy user-api please")
    assert refused.fields == [
        {"loc": "service", "message": "field required"},
        {"loc": "version", "message": "field required"},
    ]
    assert "`field: value` lines (service*, version*, target) or a JSON object" in refused.detail
    assert "is not of type" not in refused.detail


def test_text_that_starts_like_json_but_is_not_is_refused_by_a_form_of_fields() -> None:
    refused = refusal(deploy_input_form(), '{"service": "user-api",')
    assert refused.fields[0]["loc"] == ""
    assert "the reply is not valid JSON" in refused.fields[0]["message"]


def test_missing_required_fields_are_left_to_validation_to_name() -> None:
    pause = deploy_input_form()
    answer = answer_from_text(pause, "version: v2.1.0")
    assert validate_answer(pause.response_schema, answer) == [
        {"loc": "service", "message": "field required"}
    ]


def test_the_remote_input_form_still_takes_a_url_alone() -> None:
    assert mapped(form(RemoteInput), "http://127.0.0.1:8001") == {"url": "http://127.0.0.1:8001"}


def test_an_approval_is_answered_by_its_actions_or_as_field_lines() -> None:
    approval = deploy_approval()
    plan = '{"target": "staging", "service": "user-api", "version": "v2.1.0", '
    plan += '"estimated_downtime": "1 minute"}'
    assert mapped(approval, f"approve with changes: {plan}")["edited_payload"]["target"] == (
        "staging"
    )
    assert mapped(approval, "Reject: too risky") == {"decision": "reject", "reason": "too risky"}
    assert mapped(approval, "decision: Reject\nreason: not today") == {
        "decision": "reject",
        "reason": "not today",
    }
    bad_plan = refusal(approval, "approve with changes: make it staging")
    assert bad_plan.fields[0]["loc"] == "edited_payload"
    assert "must be a JSON object" in bad_plan.fields[0]["message"]
    vague = refusal(approval, "looks good")
    assert vague.fields == [{"loc": "decision", "message": "field required"}]
    assert "choose one of: Approve, Approve with changes: <edited_payload>" in vague.detail


def test_a_form_of_one_field_gets_the_text_typed_and_a_text_field_keeps_it_whole() -> None:
    assert mapped(form(Count), " 3 ") == {"count": 3}
    assert refusal(form(Count), "three").fields == [
        {"loc": "count", "message": "must be a whole number, not 'three'"}
    ]
    assert mapped(form(Note), "text: with a colon") == {"text": "text: with a colon"}


def test_fields_from_text_reads_only_replies_that_start_with_a_field() -> None:
    assert fields_from_text(deploy_input_form(), "just words") is None
    assert fields_from_text(deploy_input_form(), "Target: production") == {"target": "production"}
