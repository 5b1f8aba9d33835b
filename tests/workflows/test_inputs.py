"""Inputs are checked at start: a bad one is refused naming the field, and no thread exists.

The bundled workflows' input schemas say what they accept (a version pattern, the targets
there are, the invoice as an object with its fields and lines), so every door can show it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pausepoint.domain import ThreadStatus
from pausepoint.errors import InvalidInput
from pausepoint.service.threads import ThreadService
from pausepoint.workflows.dag import FieldSpec, SpecError, StepSpec, WorkflowSpec, dag_workflow

INVOICE: dict[str, Any] = {
    "number": "INV-7",
    "vendor": "Acme",
    "issue_date": "2026-01-02",
    "due_date": "2026-02-01",
    "lines": [{"description": "bolts", "quantity": 10, "unit_price": 2.5}],
    "tax_rate": 0.2,
    "tax": 5.0,
    "total": 30.0,
}


async def refused(service: ThreadService, workflow: str, input: dict[str, Any]) -> list[str]:
    """Start `workflow` on a bad `input`: the locations of the fields named, checking that
    no thread was made."""
    with pytest.raises(InvalidInput) as err:
        await service.start(workflow, input, "ann")
    assert await service.list_threads() == []
    return [f["loc"] for f in err.value.fields]


@pytest.mark.parametrize("version", ["2.1", "latest", "v2", "2.1.0-beta", ""])
async def test_a_deploy_version_that_is_not_a_release_is_refused_at_start(
    service: ThreadService, version: str
) -> None:
    assert await refused(service, "deploy", {"service": "user-api", "version": version}) == [
        "version"
    ]


@pytest.mark.parametrize("version", ["v2.1.0", "2.1.0"])
async def test_a_release_version_with_or_without_v_starts_the_deploy(
    service: ThreadService, version: str
) -> None:
    view = await service.start("deploy", {"service": "user-api", "version": version}, "ann")
    assert view.status is ThreadStatus.WAITING
    assert view.pauses[0].context["version"] == version


async def test_a_deploy_target_is_staging_or_production_and_the_schema_says_so(
    service: ThreadService,
) -> None:
    bad = {"service": "user-api", "version": "v2.1.0", "target": "moon"}
    assert await refused(service, "deploy", bad) == ["target"]

    schema = service.workflows.get("deploy").input_schema()
    assert schema["properties"]["target"]["enum"] == ["staging", "production"]
    assert schema["properties"]["target"]["default"] == "production"
    assert schema["properties"]["version"]["pattern"]
    staging = await service.start("deploy", {**bad, "target": "staging"}, "ann")
    assert staging.pauses[0].context["target"] == "staging"


async def test_the_invoice_input_is_an_object_with_its_fields_and_lines(
    service: ThreadService,
) -> None:
    schema = service.workflows.get("invoice").input_schema()
    invoice = schema["$defs"][schema["properties"]["invoice"]["$ref"].rsplit("/", 1)[1]]
    assert invoice["type"] == "object"
    assert {"number", "vendor", "issue_date", "lines", "total"} <= set(invoice["required"])
    assert invoice["properties"]["lines"]["type"] == "array"

    no_lines = {k: v for k, v in INVOICE.items() if k != "lines"}
    assert await refused(service, "invoice", {"invoice": no_lines}) == ["invoice.lines"]
    bad_date = {**INVOICE, "due_date": "someday"}
    assert await refused(service, "invoice", {"invoice": bad_date}) == ["invoice.due_date"]
    assert await refused(service, "invoice", {"invoice": "{not json"}) == ["invoice"]
    assert await refused(service, "invoice", {}) == ["invoice"]


async def test_an_invoice_as_an_object_or_as_json_text_starts_alike(
    service: ThreadService,
) -> None:
    odd = {**INVOICE, "total": 31.0}  # wrong total: valid input, held for review
    as_object = await service.start("invoice", {"invoice": odd}, "ann")
    as_text = await service.start("invoice", {"invoice": json.dumps(odd)}, "ann")
    assert as_object.status is as_text.status is ThreadStatus.WAITING
    assert as_object.pauses[0].context == as_text.pauses[0].context
    assert as_object.pauses[0].context["currency"] == "EUR"


def test_a_spec_file_input_can_say_its_enum_and_pattern() -> None:
    spec = WorkflowSpec(
        name="t",
        inputs={
            "size": FieldSpec(enum=("s", "m"), required=False, default="m"),
            "code": FieldSpec(pattern=r"^[A-Z]{3}$"),
        },
        steps=(StepSpec(id="look", agent="echo", input="{{ size }} {{ code }}"),),
    )
    workflow = dag_workflow(spec, {"echo": object()})  # type: ignore[dict-item]
    assert workflow.parse_input({"code": "ABC"}) == {"size": "m", "code": "ABC"}
    with pytest.raises(InvalidInput) as err:
        workflow.parse_input({"code": "abc", "size": "xl"})
    assert sorted(f["loc"] for f in err.value.fields) == ["code", "size"]


def test_a_spec_input_default_outside_its_enum_is_refused_at_load_time() -> None:
    spec = WorkflowSpec(
        name="t",
        inputs={"size": FieldSpec(enum=("s", "m"), required=False, default="xl")},
        steps=(StepSpec(id="look", agent="echo"),),
    )
    with pytest.raises(SpecError, match=r"input 'size' defaults to 'xl', not in its enum"):
        dag_workflow(spec, {"echo": object()})  # type: ignore[dict-item]


def test_the_cli_refuses_a_bad_deploy_version_with_exit_4_naming_the_field(
    run_cli: Any,
) -> None:
    bad = run_cli("run", "deploy", "--input", '{"service": "user-api", "version": "2.1"}', "--json")
    assert bad.code == 4, bad.stdout + bad.stderr
    body = bad.json()
    assert body["error"] == "invalid_input"
    assert [f["loc"] for f in body["fields"]] == ["version"]
    assert run_cli("threads", "--json").json()["threads"] == []

    readme = run_cli(  # the README's example
        "run", "deploy", "--input", '{"service": "user-api", "version": "v2.1.0"}', "--json"
    )
    assert readme.code == 0, readme.stderr
    assert readme.json()["status"] == "waiting"
