"""The authoring surface: everything a workflow author imports, from one place.

    from pausepoint.workflows import Action, BuildContext, PauseRequest, Workflow, ask

A graph node pauses with `ask(PauseRequest(...), AnswerModel)`; a `Workflow` names the graph's
builder, its input model and its result; a dependency-graph workflow is a `WorkflowSpec` with
step agents (`StepAgent`, returning `RequiresApproval` to have a person approve a payload)
turned into a `Workflow` by `dag_workflow`. A node says what it is doing with `report(text)`.
"""

from pausepoint.domain import Action, OnTimeout, Pause, PauseRequest
from pausepoint.forms import ask, schema_of
from pausepoint.workflows.dag import (
    FieldSpec,
    RequiresApproval,
    SpecError,
    StepAgent,
    StepRequest,
    StepSpec,
    WorkflowSpec,
    dag_workflow,
)
from pausepoint.workflows.progress import report
from pausepoint.workflows.registry import BuildContext, StateFileCodec, Workflow, WorkflowRegistry

__all__ = [
    "Action",
    "BuildContext",
    "FieldSpec",
    "OnTimeout",
    "Pause",
    "PauseRequest",
    "RequiresApproval",
    "SpecError",
    "StateFileCodec",
    "StepAgent",
    "StepRequest",
    "StepSpec",
    "Workflow",
    "WorkflowRegistry",
    "WorkflowSpec",
    "ask",
    "dag_workflow",
    "report",
    "schema_of",
]
