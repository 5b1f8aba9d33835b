"""Studio entry point: the orchestrator over the bundled agents and workflows, no checkpointer.

`langgraph dev` brings its own checkpointer; the chat model comes from PAUSEPOINT_MODEL and
plan approval from PAUSEPOINT_APPROVE_PLANS.
"""

from pausepoint.agents.models import make_chat_model
from pausepoint.service.catalog import bundled
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext

_settings = Settings()
graph = (
    bundled()
    .get("orchestrator")
    .build(BuildContext(chat_model=make_chat_model(_settings.model), settings=_settings))
    .compile()
)
