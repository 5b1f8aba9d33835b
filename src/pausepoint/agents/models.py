"""The chat-model factory: the one place that turns `PAUSEPOINT_MODEL` into a model."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from pausepoint.errors import ConfigurationError

OFFLINE = "offline"


def make_chat_model(name: str) -> BaseChatModel | None:
    """`offline` -> None (the deterministic built-in agents); `provider:model` -> a chat model.

    A named model needs LangChain's `init_chat_model` (`pip install 'pausepoint[models]'`)
    and the provider's package and key.
    """
    if name == OFFLINE:
        return None
    if ":" not in name:
        raise ConfigurationError(
            f"PAUSEPOINT_MODEL={name!r} is not 'offline' or 'provider:model' (e.g. openai:gpt-4o)"
        )
    try:
        from langchain.chat_models import init_chat_model
    except ImportError as exc:
        raise ConfigurationError(
            f"PAUSEPOINT_MODEL={name!r} needs the 'models' extra: pip install 'pausepoint[models]'"
        ) from exc
    try:
        model: BaseChatModel = init_chat_model(name)
    except Exception as exc:
        raise ConfigurationError(f"cannot load chat model {name!r}: {exc}") from exc
    return model
