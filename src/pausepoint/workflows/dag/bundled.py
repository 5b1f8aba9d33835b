"""The bundled dependency-graph workflows and the spec folder (`PAUSEPOINT_WORKFLOWS_DIR`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pausepoint.workflows.dag.deploy import DEPLOY_SPEC, deploy_agents
from pausepoint.workflows.dag.invoice import INVOICE_SPEC, InvoiceInput, invoice_agents
from pausepoint.workflows.dag.loader import load_spec, spec_files
from pausepoint.workflows.dag.research import research_agents
from pausepoint.workflows.dag.workflow import dag_workflow
from pausepoint.workflows.registry import Workflow

if TYPE_CHECKING:
    from pausepoint.settings import Settings


def ledger_path(settings: Settings | None) -> Path:
    """The invoice ledger: beside the SQLite database, else under .pausepoint/."""
    db = settings.sqlite_path if settings is not None else None
    return (db.parent if db is not None else Path(".pausepoint")) / "ledger.jsonl"


def builtin_agents(settings: Settings | None = None) -> dict[str, Any]:
    """Every offline agent a spec file may name."""
    return {**invoice_agents(ledger_path(settings)), **deploy_agents(), **research_agents()}


def bundled_dags(settings: Settings | None = None) -> list[Workflow]:
    agents = builtin_agents(settings)
    return [
        dag_workflow(
            INVOICE_SPEC,
            agents,
            examples=("check and post this invoice; ask me if the totals are off",),
            input_model=InvoiceInput,
        ),
        dag_workflow(
            DEPLOY_SPEC,
            agents,
            examples=("deploy user-api v2.1.0 to production after I approve the plan",),
        ),
    ]


def load_folder(folder: Path, settings: Settings | None = None) -> list[Workflow]:
    """A workflow for each spec file in `folder` (none if it does not exist)."""
    agents = builtin_agents(settings)
    return [dag_workflow(load_spec(path), agents) for path in spec_files(folder)]
