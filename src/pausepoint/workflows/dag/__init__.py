"""Dependency-graph workflows: steps that start when their inputs are ready.

Write a `WorkflowSpec` (or a YAML/JSON file), give agents, get a `Workflow` with
`dag_workflow(spec, agents)`.
"""

from pausepoint.workflows.dag.agents import RequiresApproval, StepAgent, StepRequest
from pausepoint.workflows.dag.spec import FieldSpec, SpecError, StepSpec, WorkflowSpec
from pausepoint.workflows.dag.workflow import dag_workflow

__all__ = [
    "FieldSpec",
    "RequiresApproval",
    "SpecError",
    "StepAgent",
    "StepRequest",
    "StepSpec",
    "WorkflowSpec",
    "dag_workflow",
]
