"""What one node execution used: its tokens and cost, reported in its ``node_finished``.

Shared by every backend; it imports no framework.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Usage"]


@dataclass
class Usage:
    """Tokens and cost one node used."""

    prompt: int = 0
    completion: int = 0
    cost: float | None = 0.0

    def add(self, prompt: int, completion: int, cost: float | None) -> None:
        self.prompt += prompt
        self.completion += completion
        self.cost = None if cost is None or self.cost is None else self.cost + cost
