"""Route paths of the app: a leaf module, so pages can link without importing each other."""

HOME = "/"
BUILDER = "/graphs/[graph_id]"
"""The builder page of one graph; link with ``builder_path(graph_id)``."""


def builder_path(graph_id: str) -> str:
    """The URL of a graph's builder page."""
    return f"/graphs/{graph_id}"
