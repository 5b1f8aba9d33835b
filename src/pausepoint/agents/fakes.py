"""Working fakes for outside dependencies, shipped for tests and offline demos."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field, PrivateAttr


class ScriptedChatModel(BaseChatModel):
    """A chat model that replies with `replies` in order and records every prompt it got.

    Raises IndexError when asked more often than it has replies, so a test notices
    an unexpected extra call.
    """

    replies: list[str] = Field(default_factory=list)
    _calls: list[list[BaseMessage]] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted"

    @property
    def calls(self) -> Sequence[list[BaseMessage]]:
        return self._calls

    def _next(self, messages: list[BaseMessage]) -> ChatResult:
        index = len(self._calls)
        self._calls.append(list(messages))
        if index >= len(self.replies):
            raise IndexError(f"scripted model has {len(self.replies)} replies; call {index + 1}")
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self.replies[index]))])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._next(messages)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._next(messages)
