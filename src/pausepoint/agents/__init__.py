"""Agents: the chat-model factory and the agents workflows call."""
