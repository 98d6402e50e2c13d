"""Known prices (USD per million tokens, input and output) for cost on run events.

Models not listed have no known price: their cost is reported as unknown
(``None``), never guessed. The demo model is free.
"""

from __future__ import annotations

PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
}


def price_per_million(provider: str, model: str) -> tuple[float | None, float | None]:
    """(input, output) price per million tokens, or (None, None) when unknown."""
    if provider == "demo":
        return 0.0, 0.0
    if provider in ("openai", "azure_openai") and model in PRICES:
        return PRICES[model]
    return None, None
