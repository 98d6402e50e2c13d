"""A bounded in-memory log of the chat requests the demo model answered (for tests).

Tests read it to check what an agent was sent (its system prompt, the thread's
earlier turns, the tools it was offered) without any mock::

    with ScriptedModelServer(script=...) as server:
        ...  # run a graph
        sent = [r for r in server.requests if r.agent == "Researcher"]
        assert "earlier question" in sent[-1].text

Only well-formed ``/v1/chat/completions`` requests are logged; the oldest
entries are dropped beyond ``maxlen`` (200 by default).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._engine import Conversation, agent_name, message_text

__all__ = ["REQUEST_LOG_SIZE", "RecordedRequest", "RequestLog"]

REQUEST_LOG_SIZE = 200


@dataclass(frozen=True)
class RecordedRequest:
    """One chat request as the server parsed it, and which rule answered it.

    ``messages`` and ``tools`` are the request's own JSON values; ``rule`` is
    the index of the answering rule (``None`` for the default answer).
    """

    model: str
    messages: list[dict[str, Any]]
    tools: list[dict[str, Any]] = field(default_factory=list)
    stream: bool = False
    rule: int | None = None

    @property
    def system(self) -> str:
        """The system prompt: every ``system`` and ``developer`` message, joined by newlines."""
        return "\n".join(
            message_text(m) for m in self.messages if m.get("role") in ("system", "developer")
        )

    @property
    def agent(self) -> str:
        """The agent's name as the demo model reads it from the system prompt."""
        return agent_name(self.system)

    @property
    def task(self) -> str:
        """The task as the demo model reads it (a framework's wrapping read through)."""
        return Conversation.build(self.model, self.messages).task

    @property
    def tool_names(self) -> list[str]:
        """Names of the offered tools, in request order."""
        return [
            str(t["function"].get("name"))
            for t in self.tools
            if isinstance(t, Mapping) and isinstance(t.get("function"), Mapping)
        ]

    @property
    def text(self) -> str:
        """The text of every message, one per line (for ``in`` checks)."""
        return "\n".join(message_text(m) for m in self.messages)

    def texts(self, role: str) -> list[str]:
        """The texts of the messages with this role, in order."""
        return [message_text(m) for m in self.messages if m.get("role") == role]


class RequestLog:
    """The last ``maxlen`` recorded requests; safe to read while the server thread writes."""

    def __init__(self, maxlen: int = REQUEST_LOG_SIZE) -> None:
        self._items: deque[RecordedRequest] = deque(maxlen=maxlen)
        self._lock = threading.Lock()

    @property
    def maxlen(self) -> int:
        return self._items.maxlen or 0

    def append(self, item: RecordedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[RecordedRequest]:
        """The logged requests, oldest first (a copy)."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
