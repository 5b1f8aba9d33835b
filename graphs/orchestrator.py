"""Studio entry point: the orchestrator over the bundled agents and workflows.

Compiled without a checkpointer (`langgraph dev` brings its own), from the same `Workflow` every
other door serves (service/catalog.py); the chat model comes from PAUSEPOINT_MODEL, plan
approval from PAUSEPOINT_APPROVE_PLANS.
"""

from pausepoint.service.catalog import studio_graph

graph = studio_graph("orchestrator")
