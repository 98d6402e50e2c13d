"""Lowering: validated GraphSpec → IRGraph (resolved models, tools, explicit control flow)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from agent_runtime.compiler._ir import END, IRGraph, IRNode
from agent_runtime.memory import remember_tool
from agent_runtime.models import ModelEndpoint, resolve_model
from agent_runtime.settings import Settings
from agent_runtime.spec import GraphSpec, spec_hash
from agent_runtime.spec._graph import strongly_connected
from agent_runtime.tools import ResolvedTool, resolve_tool


def _features(spec: GraphSpec, nodes: list[IRNode]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    tools_by_id = {t.id: t for t in spec.tools}
    for node in nodes:
        s = node.spec
        found.append((f"node.{node.kind}", node.id))
        if node.kind == "router":
            found.append((f"router.{s.strategy}", node.id))
        elif node.kind == "human":
            found.append((f"human.{s.mode}", node.id))
        elif node.kind == "memory":
            found.append((f"memory.{s.operation}", node.id))
        elif node.kind == "agent":
            if s.tools:
                found.append(("agent.tools", node.id))
            if any(tools_by_id[t].kind == "http" for t in s.tools):
                found.append(("tool.http", node.id))
            if s.memory:
                found.append(("agent.memory", node.id))
            if s.remember:
                found.append(("agent.remember", node.id))
        if len(node.targets) > 1:
            found.append(("fan_out", node.id))
    if spec.manager is not None:
        agents = [n.id for n in nodes if n.kind == "agent"]
        found.append(("team.manager", agents[0] if agents else nodes[0].id))
    adjacency = {n.id: [*n.targets, *(t for t in n.routes.values() if t != END)] for n in nodes}
    for component in strongly_connected([n.id for n in nodes], adjacency):
        if len(component) > 1 or component[0] in adjacency[component[0]]:
            found.append(("loop", component[0]))
    return found


def lower(spec: GraphSpec, *, settings: Settings, secrets: Mapping[str, str]) -> IRGraph:
    """The IR of a *valid* spec; missing secrets or URLs raise ConfigurationError."""
    timeout = min(60.0, float(spec.limits.timeout_seconds))
    endpoints: dict[str, ModelEndpoint] = {}

    def endpoint(model_id: str | None) -> ModelEndpoint:
        model_id = model_id or spec.default_model
        if model_id not in endpoints:
            model_spec = next(m for m in spec.models if m.id == model_id)
            endpoints[model_id] = resolve_model(model_spec, settings, secrets, timeout)
        return endpoints[model_id]

    tools: dict[str, ResolvedTool] = {t.id: resolve_tool(t, secrets) for t in spec.tools}
    memories = {m.id: m for m in spec.memories}
    out_edges = defaultdict(list)
    preds = defaultdict(list)
    kinds = {n.id: n for n in spec.nodes}
    routed_from: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for edge in spec.edges:
        out_edges[edge.source].append(edge)
        preds[edge.target].append(edge.source)
        source = kinds[edge.source]
        if source.kind == "router":
            routed_from[edge.target][edge.source].append(edge.route)
        elif source.kind == "human" and source.mode == "approval":
            routed_from[edge.target][edge.source].append(edge.route or "approved")

    nodes: list[IRNode] = []
    for s in spec.nodes:
        edges = out_edges[s.id]
        targets: tuple[str, ...] = ()
        routes: dict[str, str] = {}
        default_route = None
        model = None
        node_tools: tuple[ResolvedTool, ...] = ()
        node_memories = ()
        if s.kind == "router":
            routes = {e.route: e.target for e in edges}
            default_route = s.default_route
            if s.strategy == "llm":
                model = endpoint(s.model)
        elif s.kind == "human" and s.mode == "approval":
            routes = {"approved": END, "rejected": END}
            for e in edges:
                routes[e.route or "approved"] = e.target
            default_route = "approved"
        else:
            targets = tuple(e.target for e in edges)
        if s.kind == "agent":
            model = endpoint(s.model)
            node_tools = tuple(tools[t] for t in s.tools)
            if s.remember is not None:
                node_tools += (remember_tool(memories[s.remember], s.id),)
            node_memories = tuple(memories[m] for m in s.memory)
        elif s.kind == "tool":
            node_tools = (tools[s.tool],)
        elif s.kind == "memory":
            node_memories = (memories[s.memory],)
        nodes.append(
            IRNode(
                id=s.id,
                kind=s.kind,
                label=s.label or getattr(s, "name", None) or s.id,
                spec=s,
                model=model,
                tools=node_tools,
                memories=node_memories,
                targets=targets,
                routes=routes,
                default_route=default_route,
                predecessors=tuple(dict.fromkeys(preds[s.id])),
                routed_from={p: tuple(r) for p, r in routed_from[s.id].items()},
            )
        )
    entry = next(n for n in spec.nodes if n.kind == "input")
    manager = endpoint(spec.manager.model) if spec.manager is not None else None
    return IRGraph(
        name=spec.name,
        spec_hash=spec_hash(spec, include_layout=False),
        entry=entry.id,
        nodes=tuple(nodes),
        outputs=tuple(n.id for n in spec.nodes if n.kind == "output"),
        limits=spec.limits,
        input_fields=tuple(entry.fields),
        features=tuple(_features(spec, nodes)),
        endpoints=tuple(endpoints.values()),
        manager=manager,
        manager_instructions=spec.manager.instructions if spec.manager is not None else "",
    )
