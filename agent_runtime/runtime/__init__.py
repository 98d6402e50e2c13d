"""Running graphs: the Runtime compiles (cached), executes, resumes and cancels runs."""

from agent_runtime.runtime._runtime import Runtime

__all__ = ["Runtime"]
