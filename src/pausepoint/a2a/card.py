"""The agent card: one skill per registered workflow, the interfaces this server serves."""

from __future__ import annotations

from a2a.types.a2a_pb2 import AgentCapabilities, AgentCard, AgentInterface, AgentSkill
from a2a.utils.constants import PROTOCOL_VERSION_0_3, PROTOCOL_VERSION_1_0, TransportProtocol

from pausepoint.a2a.starts import ORCHESTRATOR
from pausepoint.workflows.registry import Workflow, WorkflowRegistry

#: Where the bindings live, relative to the server's base URL.
JSONRPC_PATH = "/a2a"
REST_PATH = "/a2a/rest"


def _skill(workflow: Workflow) -> AgentSkill:
    if workflow.name == ORCHESTRATOR:
        return AgentSkill(
            id=ORCHESTRATOR,
            name="Chat with the orchestrator",
            description=f"{workflow.description} Send plain text; it plans and asks when needed.",
            tags=["chat", *workflow.tags],
            examples=list(workflow.examples),
            input_modes=["text/plain"],
        )
    return AgentSkill(
        id=workflow.name,
        name=workflow.name,
        description=(
            f"{workflow.description} Start it with a data part "
            f'{{"workflow": "{workflow.name}", "input": {{...}}}}; when it pauses the task is '
            "input-required with the pause (schema and actions) in a data part."
        ),
        tags=list(workflow.tags) or [workflow.name],
        examples=list(workflow.examples),
        input_modes=["application/json", "text/plain"],
    )


def build_card(workflows: WorkflowRegistry, base_url: str) -> AgentCard:
    """The card for a server reachable at `base_url` (no trailing slash)."""
    rpc, rest = base_url + JSONRPC_PATH, base_url + REST_PATH
    return AgentCard(
        name="Pausepoint",
        description=(
            "Human-in-the-loop workflows: any step can pause for a person. A paused thread is "
            "an input-required task; answer it with a follow-up message on the same task."
        ),
        version="0.1.0",
        supported_interfaces=[
            AgentInterface(
                url=rpc,
                protocol_binding=TransportProtocol.JSONRPC,
                protocol_version=PROTOCOL_VERSION_1_0,
            ),
            AgentInterface(
                url=rest,
                protocol_binding=TransportProtocol.HTTP_JSON,
                protocol_version=PROTOCOL_VERSION_1_0,
            ),
            AgentInterface(
                url=rpc,
                protocol_binding=TransportProtocol.JSONRPC,
                protocol_version=PROTOCOL_VERSION_0_3,
            ),
        ],
        capabilities=AgentCapabilities(streaming=True, push_notifications=False),
        default_input_modes=["text/plain", "application/json"],
        default_output_modes=["text/plain", "application/json"],
        skills=[_skill(w) for w in workflows],
    )
