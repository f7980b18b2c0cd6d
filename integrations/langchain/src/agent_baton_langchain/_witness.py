"""What a chat model really received, seen by a callback handler during one model call.

Middleware listed after ours (a ``@dynamic_prompt``, say) may replace the system message we
extended; only the model's own ``on_chat_model_start`` event tells what reached it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import BaseMessage
from langchain_core.tracers.context import register_configure_hook


class ModelInputs(BaseCallbackHandler):
    """Collects the messages of every chat model started while it is current."""

    run_inline = True  # record in order, on the caller's thread, also in async runs

    def __init__(self, outer: ModelInputs | None) -> None:
        self.prompts: list[list[BaseMessage]] = []
        self._outer = outer  # an enclosing recording (two middleware on one agent) sees it too

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: list[list[BaseMessage]], **kwargs: Any
    ) -> None:
        """Keep what the model was given."""
        recorder: ModelInputs | None = self
        while recorder is not None:
            recorder.prompts.extend(list(prompt) for prompt in messages)
            recorder = recorder._outer


_current: ContextVar[ModelInputs | None] = ContextVar("agent_baton_model_inputs", default=None)
# LangChain adds the handler in this variable to every callback manager configured while it
# is set (as it does for tracing), so no config has to be threaded through.
register_configure_hook(_current, inheritable=True)


@contextmanager
def model_inputs() -> Iterator[ModelInputs]:
    """Record the inputs of the chat models called inside the ``with`` block."""
    recorder = ModelInputs(_current.get())
    token = _current.set(recorder)
    try:
        yield recorder
    finally:
        _current.reset(token)
