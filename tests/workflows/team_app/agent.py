"""Mailer: a LangChain agent that sends emails and deletes drafts once a person has reviewed the
call.

`create_agent` with `HumanInTheLoopMiddleware` over its tools, without a checkpointer (Pausepoint
adds its own). The chat model is a script, not a network: it reads the person's request and
asks for the tools it names, then reports what the tools said.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolCall, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool, tool

#: What the script understands, one request per `;`-separated part of the person's message.
REQUESTS = (
    ("send_email", re.compile(r"email (?P<to>\S+) about (?P<subject>.+)", re.IGNORECASE)),
    ("delete_draft", re.compile(r"delete the draft (?P<subject>.+)", re.IGNORECASE)),
    ("book_room", re.compile(r"book a room for (?P<when>.+)", re.IGNORECASE)),
)


@tool
def send_email(to: str, subject: str) -> str:
    """Send an email to `to` with subject `subject`."""
    return f"Sent {subject!r} to {to}"


@tool
def delete_draft(subject: str) -> str:
    """Delete the draft with subject `subject`."""
    return f"Deleted the draft {subject!r}"


@tool
def book_room(when: str) -> str:
    """Book a meeting room for `when`."""
    return f"Booked a room for {when}"


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from the conversation alone, so a restart changes nothing:
    after the person's request it calls the tools the request names; after the tools it
    reports their results in one text answer."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        last = messages[-1]
        if isinstance(last, HumanMessage):
            reply = AIMessage(content="", tool_calls=self._calls_for(last.text))
        else:
            results = [m.text for m in messages if isinstance(m, ToolMessage)]
            reply = AIMessage(content="Done. " + " | ".join(results))
        return ChatResult(generations=[ChatGeneration(message=reply)])

    @staticmethod
    def _calls_for(request: str) -> list[ToolCall]:
        calls: list[ToolCall] = []
        for part in request.split(";"):
            for name, pattern in REQUESTS:
                if match := pattern.search(part.strip()):
                    calls.append(
                        ToolCall(name=name, args=match.groupdict(), id=f"call_{len(calls) + 1}")
                    )
        return calls

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        return self  # the script already knows its tools

    @property
    def _llm_type(self) -> str:
        return "scripted"


graph = create_agent(
    model=ScriptedChatModel(),
    tools=[send_email, delete_draft, book_room],
    middleware=[
        HumanInTheLoopMiddleware(
            interrupt_on={
                "send_email": {"allowed_decisions": ["approve", "edit", "reject"]},
                "delete_draft": {"allowed_decisions": ["approve", "reject"]},
                "book_room": True,  # every decision, `respond` too
            }
        )
    ],
    system_prompt="You send the emails the person asks for.",
)
