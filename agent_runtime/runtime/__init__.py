"""Running graphs: the Runtime compiles (cached), executes, resumes and cancels runs."""

from agent_runtime.runtime._runtime import Runtime
from agent_runtime.runtime._support import backend_support, secret_names

__all__ = ["Runtime", "backend_support", "secret_names"]
