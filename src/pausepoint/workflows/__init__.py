"""Workflows: graphs that pause for people, and the registry every door reads."""
