"""AutoGen backend (imported only when a run asks for ``autogen``).

Specs run on AutoGen AgentChat: agents are ``AssistantAgent``s on AutoGen's
OpenAI client with registry tools as ``FunctionTool``s, a straight path is a
``RoundRobinGroupChat``, anything with routes, branches, loops or human steps a
``GraphFlow``. See ``docs/backend-autogen.md``.
"""

from ._backend import AutoGenBackend, AutoGenExecutable

BACKEND = AutoGenBackend()

__all__ = ["BACKEND", "AutoGenBackend", "AutoGenExecutable"]
