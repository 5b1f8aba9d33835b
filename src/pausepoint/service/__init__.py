"""The service layer: ThreadService (the only caller of the graphs) and the event bus."""
