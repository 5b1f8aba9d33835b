"""The orchestrator: from a request to a plan of agents, asking the user when it must."""
