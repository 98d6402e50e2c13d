"""What every exporter needs to know about a spec: its features, its path and its models.

``check(spec, target, capabilities)`` refuses, with one ``ExportError`` naming
every node, what a target cannot express (feature words are the runtime's own
``FEATURES``). ``pipeline(spec)`` is the straight path input → steps → output of
a graph without branches. ``ModelPlan`` says where a model's settings come from:
environment-variable *names* only, never a secret value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from agent_runtime.compiler import FEATURES
from agent_runtime.exporters._bundle import DEMO_BASE_URL_ENV, refuse
from agent_runtime.spec import AgentNode, GraphSpec, ModelSpec
from agent_runtime.spec._graph import strongly_connected

OPENAI_BASE_URL = "https://api.openai.com/v1"
NOT_EXPORTED = (
    "conversation threads and the timeout_seconds and max_tokens run limits are not exported"
)
SDK_KEY_ENV = {"openai": "OPENAI_API_KEY", "azure_openai": "AZURE_OPENAI_API_KEY"}
"""The variable each provider's SDK reads its key from when none is passed."""


def features(spec: GraphSpec) -> list[tuple[str, str]]:
    """(feature, node id) pairs the graph uses, in node order (as ``compiler.lower`` finds them)."""
    tools = {t.id: t for t in spec.tools}
    out_edges: dict[str, list[str]] = defaultdict(list)
    for edge in spec.edges:
        out_edges[edge.source].append(edge.target)
    found: list[tuple[str, str]] = []
    for node in spec.nodes:
        found.append((f"node.{node.kind}", node.id))
        if node.kind == "router":
            found.append((f"router.{node.strategy}", node.id))
        elif node.kind == "human":
            found.append((f"human.{node.mode}", node.id))
        elif node.kind == "memory":
            found.append((f"memory.{node.operation}", node.id))
        elif node.kind == "agent":
            if node.tools:
                found.append(("agent.tools", node.id))
            if any(tools[t].kind == "http" for t in node.tools):
                found.append(("tool.http", node.id))
            if node.memory:
                found.append(("agent.memory", node.id))
            if node.remember:
                found.append(("agent.remember", node.id))
        elif node.kind == "tool" and tools[node.tool].kind == "http":
            found.append(("tool.http", node.id))
        branching = node.kind == "router" or (node.kind == "human" and node.mode == "approval")
        if not branching and len(out_edges[node.id]) > 1:
            found.append(("fan_out", node.id))
    ids = [n.id for n in spec.nodes]
    for component in strongly_connected(ids, dict(out_edges)):
        if len(component) > 1 or component[0] in out_edges[component[0]]:
            found.append(("loop", component[0]))
    return found


def check(spec: GraphSpec, target: str, capabilities: frozenset[str]) -> None:
    """Raise ExportError naming every node that uses a feature ``target`` cannot express."""
    missing: dict[str, list[str]] = {}
    for feature, node in features(spec):
        if feature not in capabilities:
            missing.setdefault(node, []).append(FEATURES.get(feature, feature))
    problems = [(node, "uses " + ", ".join(words)) for node, words in missing.items()]
    if not any(n.kind == "agent" for n in spec.nodes):
        problems.append(("", "it has no agent"))
    if problems:
        raise refuse(target, problems)


def pipeline(spec: GraphSpec) -> list:
    """The nodes between input and output of a straight path (call after ``check``)."""
    following = {e.source: e.target for e in spec.edges}
    by_id = {n.id: n for n in spec.nodes}
    node = next(n for n in spec.nodes if n.kind == "input")
    steps = []
    while node.id in following:
        node = by_id[following[node.id]]
        if node.kind == "output":
            break
        steps.append(node)
    return steps


def agent_model(spec: GraphSpec, node: AgentNode) -> ModelSpec:
    """The model an agent (or LLM router) uses: its own, else the graph's default."""
    model_id = node.model or spec.default_model
    return next(m for m in spec.models if m.id == model_id)


@dataclass(frozen=True)
class ModelPlan:
    """A model's client settings as generated code reads them.

    ``key_env`` is the variable holding the API key (the spec's ``api_key_secret``
    name, else the SDK's own variable) or None when no key is needed
    (``fixed_key`` is then sent: ``demo`` or ``not-needed``). ``base_url_env``
    names a variable that overrides ``base_url`` when set.
    """

    spec: ModelSpec
    base_url: str | None
    base_url_env: str | None
    key_env: str | None
    fixed_key: str | None

    @property
    def env_names(self) -> list[str]:
        return [name for name in (self.base_url_env, self.key_env) if name]

    def describe(self) -> str:
        """One line for READMEs: which model, where, which variables."""
        return "; ".join(self.doc_lines())

    def doc_lines(self) -> list[str]:
        """Which model, where it answers and which variables it reads, a line each."""
        where = {"demo": "the Orchestrall demo model", "azure_openai": "Azure OpenAI"}.get(
            self.spec.provider, self.base_url or "OpenAI"
        )
        lines = [f"Model '{self.spec.id}': {self.spec.model} on {where}"]
        if self.base_url_env:
            lines.append(f"URL from ${self.base_url_env} (default {self.base_url})")
        if self.key_env:
            lines.append(f"API key from ${self.key_env}")
        return lines


def model_plan(model: ModelSpec, demo_base_url: str) -> ModelPlan:
    """Where ``model``'s URL and key come from in an export (names of variables, never values)."""
    if model.provider == "demo":
        return ModelPlan(model, demo_base_url, DEMO_BASE_URL_ENV, None, "demo")
    if model.provider == "openai":
        key = model.api_key_secret or SDK_KEY_ENV["openai"]
        if model.base_url:
            return ModelPlan(model, model.base_url, None, key, None)
        return ModelPlan(model, OPENAI_BASE_URL, "OPENAI_BASE_URL", key, None)
    if model.provider == "azure_openai":
        key = model.api_key_secret or SDK_KEY_ENV["azure_openai"]
        return ModelPlan(model, model.base_url, None, key, None)
    if model.api_key_secret:
        return ModelPlan(model, model.base_url, None, model.api_key_secret, None)
    return ModelPlan(model, model.base_url, None, None, "not-needed")


def used_models(spec: GraphSpec) -> list[ModelSpec]:
    """The models agents and LLM routers use, in the spec's model order."""
    used = set()
    for node in spec.nodes:
        if node.kind == "agent" or (node.kind == "router" and node.strategy == "llm"):
            used.add(node.model or spec.default_model)
    return [m for m in spec.models if m.id in used]
