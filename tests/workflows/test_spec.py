"""Spec errors are found at load time and name the step."""

from __future__ import annotations

from pathlib import Path

import pytest

from pausepoint.workflows.dag import SpecError, StepSpec, WorkflowSpec, dag_workflow
from pausepoint.workflows.dag.bundled import load_folder
from pausepoint.workflows.dag.loader import load_spec

AGENTS = {"echo": object()}


def spec(*steps: StepSpec) -> WorkflowSpec:
    return WorkflowSpec(name="t", inputs={"topic": {}}, steps=steps)  # type: ignore[dict-item]


def test_unknown_agent_is_refused_naming_the_step() -> None:
    with pytest.raises(SpecError, match=r"step 'draft' uses unknown agent 'writer'"):
        dag_workflow(spec(StepSpec(id="draft", agent="writer")), AGENTS)  # type: ignore[arg-type]


def test_dependency_on_a_missing_step_is_refused_naming_both() -> None:
    bad = spec(StepSpec(id="b", agent="echo", depends_on=("a",)))
    with pytest.raises(SpecError, match=r"step 'b' depends on missing step 'a'"):
        dag_workflow(bad, AGENTS)  # type: ignore[arg-type]


def test_cycle_is_refused_naming_its_steps() -> None:
    bad = spec(
        StepSpec(id="a", agent="echo", depends_on=("c",)),
        StepSpec(id="b", agent="echo", depends_on=("a",)),
        StepSpec(id="c", agent="echo", depends_on=("b",)),
    )
    with pytest.raises(SpecError, match=r"cycle: a -> c -> b -> a"):
        dag_workflow(bad, AGENTS)  # type: ignore[arg-type]


def test_template_variable_nothing_provides_is_refused_naming_the_step() -> None:
    bad = spec(
        StepSpec(id="a", agent="echo", input="{{ topic }}", output="notes"),
        StepSpec(id="b", agent="echo", input="{{ notes }} and {{ summary }}", depends_on=("a",)),
    )
    with pytest.raises(SpecError, match=r"step 'b' reads \{\{ summary \}\}"):
        dag_workflow(bad, AGENTS)  # type: ignore[arg-type]


def test_variable_from_a_step_that_is_not_an_ancestor_is_refused() -> None:
    bad = spec(
        StepSpec(id="a", agent="echo", output="notes"),
        StepSpec(id="b", agent="echo", input="{{ notes }}"),
    )
    with pytest.raises(SpecError, match=r"step 'b' reads \{\{ notes \}\}"):
        dag_workflow(bad, AGENTS)  # type: ignore[arg-type]


def test_yaml_spec_with_a_bad_field_names_file_and_step(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nsteps:\n  - id: first\n    agent: echo\n    retries: -1\n")
    with pytest.raises(SpecError, match=r"bad.yaml: step 'first' retries"):
        load_spec(path)


def test_folder_of_specs_becomes_workflows(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text(
        '{"name": "notes", "inputs": {"topic": {}}, "steps": '
        '[{"id": "look", "agent": "research.lookup", "input": "{{ topic }}"}]}'
    )
    (workflow,) = load_folder(tmp_path)
    assert workflow.name == "notes"
    assert workflow.parse_input({"topic": "owls"}) == {"topic": "owls"}
