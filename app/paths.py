"""Route paths of the app: a leaf module, so pages can link without importing each other."""

HOME = "/"
BUILDER = "/graphs/[graph_id]"
"""The builder page of one graph; link with ``builder_path(graph_id)``."""


def builder_path(graph_id: str) -> str:
    """The URL of a graph's builder page."""
    return f"/graphs/{graph_id}"


KNOWLEDGE = "/graphs/[graph_id]/knowledge"
"""A graph's documents, chunks and search; link with ``knowledge_path(graph_id)``."""


def knowledge_path(graph_id: str) -> str:
    """The URL of a graph's knowledge page."""
    return f"/graphs/{graph_id}/knowledge"


RUNS = "/runs"
"""Every graph's runs, newest first; link with ``runs_path()``."""
GRAPH_RUNS = "/graphs/[graph_id]/runs"
"""One graph's runs; link with ``runs_path(graph_id)``."""
RUN = "/runs/[run_id]"
"""One run in full; link with ``run_path(run_id)``."""


def runs_path(graph_id: str | None = None) -> str:
    """The URL of the run history: of every graph, or of ``graph_id``."""
    return f"/graphs/{graph_id}/runs" if graph_id else "/runs"


def run_path(run_id: str) -> str:
    """The URL of one run's page."""
    return f"/runs/{run_id}"


COMPARE = "/runs/compare/[run_a]/[run_b]"
"""Two runs side by side; link with ``compare_path(run_a, run_b)``."""


def compare_path(run_a: str, run_b: str) -> str:
    """The URL of the comparison of two runs (A on the left, B on the right)."""
    return f"/runs/compare/{run_a}/{run_b}"


MARKETPLACE = "/marketplace"
"""Templates to browse, search and filter; link with ``MARKETPLACE``."""
TEMPLATE = "/marketplace/[slug]"
"""One template's page; link with ``template_path(slug)``."""


def template_path(slug: str) -> str:
    """The URL of a template's page in the marketplace."""
    return f"/marketplace/{slug}"
