"""Which workflows this process serves: Pausepoint's own, or a team's langgraph.json.

The langgraph.json is the one PAUSEPOINT_CONFIG names, else the working directory's.

* **Pausepoint's own project** — no langgraph.json, or one whose every graph is an entry point
  in Pausepoint's `graphs/` folder (the repository's own langgraph.json): the bundled workflows
  (story, remote, invoice, deploy), the specs in PAUSEPOINT_WORKFLOWS_DIR, the remote agents, and
  the orchestrator over all of them, each served by its own `Workflow` (forms, results, state
  files), exactly as with no file at all. No graph module is imported to decide this.
* **A team's folder** — any other langgraph.json: each of its graphs is a workflow named by its
  key (workflows/project/), beside the specs and remote agents, with an orchestrator over them
  (unless the team has a graph named `orchestrator`). An entry pointing at one of Pausepoint's
  `graphs/` files is served by that bundled workflow. The demo workflows join only with
  PAUSEPOINT_INCLUDE_BUNDLED; a team's graph of the same name wins.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from langgraph.pregel import Pregel

from pausepoint.agents.models import make_chat_model
from pausepoint.orchestrator.workflow import NAME as ORCHESTRATOR
from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.settings import Settings
from pausepoint.workflows.dag.bundled import bundled_dags, load_folder
from pausepoint.workflows.project import (
    GraphEntry,
    Project,
    extra_types,
    find_config,
    load_workflow,
    prepare,
    read_project,
)
from pausepoint.workflows.registry import BuildContext, Workflow, WorkflowRegistry
from pausepoint.workflows.remote import REMOTE, remote_agent_workflows
from pausepoint.workflows.story import STORY

logger = logging.getLogger(__name__)

#: Pausepoint's Studio entry points (a source checkout's graphs/ folder).
GRAPHS_DIR = Path(__file__).resolve().parents[3] / "graphs"

__all__ = ["GRAPHS_DIR", "bundled", "project_of", "studio_graph", "use_config"]


def bundled(settings: Settings | None = None) -> WorkflowRegistry:
    """The workflows this process serves (see the module's docstring). Without settings:
    Pausepoint's bundled workflows only, whatever the working directory holds."""
    project = project_of(settings) if settings is not None else None
    if project is None or all(_is_ours(e) for e in project.graphs):
        return _with_orchestrator(_ours(settings), extra_types(project, settings))
    return _team(project, settings)


def project_of(settings: Settings) -> Project | None:
    """The langgraph.json `settings` point at (PAUSEPOINT_CONFIG, else the working
    directory's), read and checked; None when there is none."""
    path = find_config(settings)
    return read_project(path) if path is not None else None


def use_config(settings: Settings, path: Path) -> Settings:
    """`settings` serving the langgraph.json at `path` (a file, or a folder holding one): what
    a `--config PATH` option gives. ConfigurationError if there is none there."""
    chosen = settings.model_copy(update={"config": path.expanduser().resolve()})
    find_config(chosen)
    return chosen


def studio_graph(name: str, settings: Settings | None = None) -> Pregel[Any, Any, Any, Any]:
    """Workflow `name` compiled without a checkpointer, for graphs/ (`langgraph dev` brings its
    own), with the chat model of PAUSEPOINT_MODEL."""
    settings = settings if settings is not None else Settings()
    ctx = BuildContext(chat_model=make_chat_model(settings.model), settings=settings)
    return bundled(settings).get(name).runnable(ctx, None)


def _ours(settings: Settings | None) -> WorkflowRegistry:
    """Pausepoint's demo workflows, the spec folder's and the remote agents'."""
    registry = WorkflowRegistry({w.name: w for w in (STORY, REMOTE, *bundled_dags(settings))})
    for workflow in _configured(settings):
        registry.register(workflow)
    return registry


def _configured(settings: Settings | None) -> list[Workflow]:
    """The workflows of PAUSEPOINT_WORKFLOWS_DIR and PAUSEPOINT_REMOTE_AGENTS."""
    found: list[Workflow] = []
    if settings is not None and settings.workflows_dir is not None:
        found.extend(load_folder(settings.workflows_dir, settings))
    if settings is not None and settings.remote_agents:
        found.extend(remote_agent_workflows(settings.remote_agents))
    return found


def _team(project: Project, settings: Settings | None) -> WorkflowRegistry:
    prepare(project)
    types = extra_types(project, settings)
    ours = _ours(settings)
    registry = WorkflowRegistry()
    if settings is not None and settings.include_bundled:
        for workflow in ours:
            registry.register(workflow)
    for workflow in _configured(settings):
        registry.register(workflow)
    for entry in project.graphs:
        if not _is_ours(entry):
            registry.register(load_workflow(project, entry, types))
        elif (stem := _stem(entry)) != ORCHESTRATOR:
            registry.register(_bundled_for(project, entry, ours, stem))
    if ORCHESTRATOR in registry:
        logger.info(
            "%s has a graph named %r: it is served instead of ours", project.path, ORCHESTRATOR
        )
        return registry
    return _with_orchestrator(registry, types)


def _with_orchestrator(registry: WorkflowRegistry, types: tuple[type, ...]) -> WorkflowRegistry:
    """`registry` and, registered last, the orchestrator whose agents are the others; it also
    carries the serializable types named by hand (the allow-list is the union of all)."""
    orchestrator = orchestrator_workflow(registry)
    if types:
        state_types = (*orchestrator.state_types, *types)
        orchestrator = dataclasses.replace(orchestrator, state_types=state_types)
    registry.register(orchestrator)
    return registry


def _is_ours(entry: GraphEntry) -> bool:
    return entry.file is not None and entry.file.parent == GRAPHS_DIR


def _stem(entry: GraphEntry) -> str:
    assert entry.file is not None
    return entry.file.stem


def _bundled_for(
    project: Project, entry: GraphEntry, ours: WorkflowRegistry, stem: str
) -> Workflow:
    if stem not in ours:
        raise project.problem(
            entry,
            f"names Pausepoint's graphs/{stem}.py, which serves no workflow here "
            f"(bundled: {', '.join(w.name for w in ours)})",
        )
    workflow = ours.get(stem)
    return workflow if workflow.name == entry.key else dataclasses.replace(workflow, name=entry.key)
