"""Model providers: every model is an OpenAI-compatible endpoint resolved from the spec."""

from agent_runtime.models._endpoints import ModelEndpoint, demo_base_url, resolve_model
from agent_runtime.models._pricing import price_per_million

__all__ = ["ModelEndpoint", "demo_base_url", "price_per_million", "resolve_model"]
