"""A team's LangGraph project: every graph of its langgraph.json as a Pausepoint workflow.

    project = read_project(find_config(settings))    # checked, nothing imported yet
    prepare(project)                                 # its "env", its folders on the import path
    types = extra_types(project, settings)           # "pausepoint.serializable_types" and the setting
    workflow = load_workflow(project, entry, types)  # per entry of project.graphs

`config` reads the file, `loading` imports a graph and checks it, `statetypes` finds the types
its checkpoints keep, `foreign` makes the Workflow. Which of them a process serves (and whether
a langgraph.json is Pausepoint's own) is service/catalog.py's business.
"""

from __future__ import annotations

from pausepoint.settings import Settings
from pausepoint.workflows.project.config import (
    CONFIG_NAME,
    GraphEntry,
    Project,
    add_import_paths,
    apply_env,
    find_config,
    read_project,
)
from pausepoint.workflows.project.foreign import final_state, foreign_workflow
from pausepoint.workflows.project.loading import LoadedGraph, load_graph
from pausepoint.workflows.project.statetypes import resolve_types, state_types_of, types_in
from pausepoint.workflows.registry import Workflow

__all__ = [
    "CONFIG_NAME",
    "GraphEntry",
    "LoadedGraph",
    "Project",
    "extra_types",
    "final_state",
    "find_config",
    "load_graph",
    "load_workflow",
    "prepare",
    "read_project",
    "resolve_types",
    "state_types_of",
    "types_in",
]


def prepare(project: Project) -> None:
    """Before importing any of the project's graphs: its `"env"` into the environment, its
    folder and local dependencies onto the import path."""
    apply_env(project)
    add_import_paths(project)


def extra_types(project: Project | None, settings: Settings | None) -> tuple[type, ...]:
    """The serializable types named by hand: in the project's `"pausepoint"` section and in
    PAUSEPOINT_SERIALIZABLE_TYPES (after `prepare`: they may live in the project)."""
    named = resolve_types(
        project.serializable_types if project is not None else (),
        f"{project.path if project else 'langgraph.json'} (pausepoint.serializable_types)",
    )
    configured = resolve_types(
        settings.serializable_types if settings is not None else (),
        "PAUSEPOINT_SERIALIZABLE_TYPES",
    )
    return (*named, *configured)


def load_workflow(project: Project, entry: GraphEntry, types: tuple[type, ...] = ()) -> Workflow:
    """Import `entry`'s graph and make it a workflow that also allows `types`."""
    return foreign_workflow(load_graph(project, entry), types)
