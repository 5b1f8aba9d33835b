"""Pausepoint: a human-in-the-loop agent orchestrator on LangGraph."""

__version__ = "0.1.0"
