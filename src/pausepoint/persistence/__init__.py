"""Persistence: the checkpointer, the decision log, the pause index and thread leases."""
