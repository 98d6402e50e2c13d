"""Vector and conversation memory behind one interface (in-process now; Chroma later)."""

from agent_runtime.memory._base import InMemoryMemory, Memory, MemoryHit, MemoryScope

__all__ = ["InMemoryMemory", "Memory", "MemoryHit", "MemoryScope"]
