"""Studio entry point: the story review loop, compiled without a checkpointer.

`langgraph dev` brings its own checkpointer; the chat model comes from PAUSEPOINT_MODEL.
"""

from pausepoint.agents.models import make_chat_model
from pausepoint.settings import Settings
from pausepoint.workflows.registry import BuildContext
from pausepoint.workflows.story import build

graph = build(BuildContext(chat_model=make_chat_model(Settings().model))).compile()
