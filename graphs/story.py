"""Studio entry point: the story review loop: a writer drafts, a person reviews until they accept.

Compiled without a checkpointer (`langgraph dev` brings its own), from the same `Workflow` every
other door serves (service/catalog.py); the chat model comes from PAUSEPOINT_MODEL.
"""

from pausepoint.service.catalog import studio_graph

graph = studio_graph("story")
