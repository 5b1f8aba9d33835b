"""The team's own package, imported as `teamlib` (langgraph.json's "dependencies": ["."])."""
