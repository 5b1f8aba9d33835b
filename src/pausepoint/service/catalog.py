"""Which workflows this process serves: the bundled ones, a folder of specs, remote agents,
and the orchestrator over all of them."""

from __future__ import annotations

from pausepoint.orchestrator.workflow import orchestrator_workflow
from pausepoint.settings import Settings
from pausepoint.workflows.dag.bundled import bundled_dags, load_folder
from pausepoint.workflows.registry import WorkflowRegistry
from pausepoint.workflows.remote import REMOTE, remote_agent_workflows
from pausepoint.workflows.story import STORY


def bundled(settings: Settings | None = None) -> WorkflowRegistry:
    """The workflows that ship with Pausepoint, plus the specs in `settings.workflows_dir`."""
    registry = WorkflowRegistry({w.name: w for w in (STORY, REMOTE, *bundled_dags(settings))})
    if settings is not None and settings.workflows_dir is not None:
        for workflow in load_folder(settings.workflows_dir, settings):
            registry.register(workflow)
    if settings is not None and settings.remote_agents:
        for workflow in remote_agent_workflows(settings.remote_agents):
            registry.register(workflow)
    # last: the orchestrator's agents are the workflows registered before it
    registry.register(orchestrator_workflow(registry))
    return registry
