"""Studio entry point: the invoice workflow: check an invoice, ask a person when the totals
are off, post it.

Compiled without a checkpointer (`langgraph dev` brings its own), from the same `Workflow` every
other door serves (service/catalog.py); the chat model comes from PAUSEPOINT_MODEL.
"""

from pausepoint.service.catalog import studio_graph

graph = studio_graph("invoice")
