"""The LangGraph API (what `langgraph dev` serves, and langgraph-sdk, RemoteGraph, Agent Inbox
and Studio speak) at the server root, over the same ThreadService as every other door.

Routers per resource (`meta`, `assistants`, `threads`); `shapes` turns Pausepoint's values
into the API's JSON (`thread_state`, `thread`, `assistant`...), for these routers and the runs
routes built on them; `checkpoints` reads what the API shows of a thread's checkpoints.
"""
