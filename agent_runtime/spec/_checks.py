"""Graph-level checks: ids, references, structure, routes, templates, HTTP tools."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any
from urllib.parse import urlsplit

from agent_runtime.spec import _models as m
from agent_runtime.spec._graph import reachable, strongly_connected
from agent_runtime.spec._problems import Problem, json_path

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_HUMAN_ROUTES = {"approval": {"approved", "rejected"}, "input": set()}


def _raw_ids(data: dict[str, Any], section: str) -> list[str]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


class GraphChecker:
    """Runs every graph-level check over the parsed sections of one spec."""

    def __init__(self, data: dict[str, Any], parsed: dict[str, list[Any]], builtin_tools: set[str]):
        self.data = data
        self.parsed = parsed
        self.builtin_tools = builtin_tools
        self.problems: list[Problem] = []
        self.model_ids = set(_raw_ids(data, "models"))
        self.tool_ids = set(_raw_ids(data, "tools"))
        self.memory_ids = set(_raw_ids(data, "memories"))
        self.node_ids = set(_raw_ids(data, "nodes"))
        self.nodes: dict[str, tuple[int, Any]] = {n.id: (i, n) for i, n in parsed["nodes"]}
        inputs = [n for _, n in self.nodes.values() if n.kind == "input"]
        self.input_fields = {f.name for n in inputs for f in n.fields}

    def add(
        self, code: str, message: str, hint: str = "", path: tuple[Any, ...] = (), **ids: Any
    ) -> None:
        self.problems.append(
            Problem(code=code, message=message, hint=hint, path=json_path(path), **ids)
        )

    def run(self) -> list[Problem]:
        """All graph-level problems."""
        self._duplicates()
        self._default_model()
        self._manager()
        self._tools()
        for index, node in self.parsed["nodes"]:
            self._node_refs(index, node)
        self._edges_and_structure()
        return self.problems

    # -- ids and references ----------------------------------------------

    def _duplicates(self) -> None:
        for section in ("models", "tools", "memories", "nodes", "edges"):
            counts = Counter(_raw_ids(self.data, section))
            for index, item_id in enumerate(_raw_ids(self.data, section)):
                if counts[item_id] > 1:
                    counts[item_id] = 0  # report each duplicate id once
                    ids = {"node_id": item_id} if section == "nodes" else {}
                    if section == "edges":
                        ids = {"edge_id": item_id}
                    self.add(
                        "duplicate_id",
                        f"Id '{item_id}' is used more than once in {section}.",
                        "Give each one its own id.",
                        (section, index, "id"),
                        **ids,
                    )

    def _model_ref(
        self, ref: str | None, path: tuple[Any, ...], node_id: str | None = None
    ) -> None:
        if ref is None:
            if self.data.get("default_model") is None:
                self.add(
                    "no_model",
                    "No model is chosen here and the graph has no default model.",
                    "Pick a model, or set the graph's default model.",
                    path,
                    node_id=node_id,
                )
        elif ref not in self.model_ids:
            self.add(
                "unknown_model",
                f"Model '{ref}' is not in the graph's models.",
                _choices(self.model_ids, "models"),
                path,
                node_id=node_id,
            )

    def _default_model(self) -> None:
        ref = self.data.get("default_model")
        if isinstance(ref, str) and ref not in self.model_ids:
            self._model_ref(ref, ("default_model",))

    def _manager(self) -> None:
        manager = self.data.get("manager")
        if isinstance(manager, dict):
            ref = manager.get("model")
            self._model_ref(ref if isinstance(ref, str) else None, ("manager", "model"))

    def _tools(self) -> None:
        for index, tool in self.parsed["tools"]:
            path = ("tools", index)
            if tool.kind == "builtin":
                if tool.name not in self.builtin_tools:
                    self.add(
                        "unknown_builtin_tool",
                        f"There is no built-in tool named '{tool.name}'.",
                        _choices(self.builtin_tools, "built-in tools"),
                        (*path, "name"),
                    )
                elif tool.name == "http_request" and not tool.allowed_hosts:
                    self.add(
                        "http_no_allowed_hosts",
                        f"Tool '{tool.id}' (http_request) has no allowed_hosts.",
                        'List the hosts it may call, e.g. ["api.example.com"].',
                        (*path, "allowed_hosts"),
                    )
                continue
            self._http_tool(tool, path)

    def _http_tool(self, tool: m.HttpToolSpec, path: tuple[Any, ...]) -> None:
        host = urlsplit(_PLACEHOLDER.sub("x", tool.url)).hostname or ""
        if "{" in (urlsplit(tool.url).netloc or ""):
            self.add(
                "http_host_not_fixed",
                f"Tool '{tool.id}' builds its host from a parameter.",
                "Put parameters in the path or query only; the host must be fixed.",
                (*path, "url"),
            )
        elif host.lower() not in {h.lower() for h in tool.allowed_hosts}:
            self.add(
                "http_host_not_allowed",
                f"Tool '{tool.id}' calls host '{host}', which is not in its allowed_hosts.",
                f"Add '{host}' to allowed_hosts if this tool may call it.",
                (*path, "url"),
            )
        schema = tool.parameters
        props = schema.get("properties") if isinstance(schema, dict) else None
        if schema.get("type") != "object" or not isinstance(props, dict):
            self.add(
                "http_bad_parameters",
                f"Tool '{tool.id}' parameters must be a JSON Schema object with properties.",
                'Write {"type": "object", "properties": {...}}.',
                (*path, "parameters"),
            )
            return
        for name in _PLACEHOLDER.findall(tool.url):
            if name not in props:
                self.add(
                    "http_param_undeclared",
                    f"URL placeholder '{{{name}}}' of tool '{tool.id}' is not a parameter.",
                    f"Add '{name}' to the tool's parameters.",
                    (*path, "url"),
                )

    def _node_refs(self, index: int, node: Any) -> None:
        path, nid = ("nodes", index), node.id
        if node.kind == "agent":
            self._model_ref(node.model, (*path, "model"), nid)
            for j, ref in enumerate(node.tools):
                if ref not in self.tool_ids:
                    self.add(
                        "unknown_tool",
                        f"Tool '{ref}' is not in the graph's tools.",
                        _choices(self.tool_ids, "tools"),
                        (*path, "tools", j),
                        node_id=nid,
                    )
            for j, ref in enumerate(node.memory):
                if ref not in self.memory_ids:
                    self.add(
                        "unknown_memory",
                        f"Memory '{ref}' is not in the graph's memories.",
                        _choices(self.memory_ids, "memories"),
                        (*path, "memory", j),
                        node_id=nid,
                    )
            if node.remember is not None:
                self._remember(node, path)
        elif node.kind == "tool":
            if node.tool not in self.tool_ids:
                self.add(
                    "unknown_tool",
                    f"Tool '{node.tool}' is not in the graph's tools.",
                    _choices(self.tool_ids, "tools"),
                    (*path, "tool"),
                    node_id=nid,
                )
            self._templates(node.arguments, (*path, "arguments"), nid)
        elif node.kind == "memory":
            if node.memory not in self.memory_ids:
                self.add(
                    "unknown_memory",
                    f"Memory '{node.memory}' is not in the graph's memories.",
                    _choices(self.memory_ids, "memories"),
                    (*path, "memory"),
                    node_id=nid,
                )
            self._templates(node.query, (*path, "query"), nid)
        elif node.kind == "router":
            self._router(node, path)

    def _remember(self, node: m.AgentNode, path: tuple[Any, ...]) -> None:
        """An agent's ``remember`` memory exists, takes facts, and its tool name is free."""
        ref, nid = node.remember, node.id
        types = {mem.id: mem.type for _, mem in self.parsed["memories"]}
        if ref not in self.memory_ids:
            self.add(
                "unknown_memory",
                f"Memory '{ref}' is not in the graph's memories.",
                _choices(self.memory_ids, "memories"),
                (*path, "remember"),
                node_id=nid,
            )
        elif types.get(ref) == "knowledge_base":
            self.add(
                "remember_into_knowledge_base",
                f"Agent '{nid}' cannot remember facts in '{ref}': it is a knowledge base, "
                "which holds the documents uploaded on its knowledge page.",
                "Choose a long-term or conversation memory.",
                (*path, "remember"),
                node_id=nid,
            )
        if "remember" in node.tools:
            self.add(
                "remember_name_taken",
                f"Agent '{nid}' has a tool with the id 'remember', the name of its remember tool.",
                "Rename that tool, or stop the agent remembering.",
                (*path, "tools", node.tools.index("remember")),
                node_id=nid,
            )

    def _router(self, node: m.RouterNode, path: tuple[Any, ...]) -> None:
        nid = node.id
        names = Counter(r.name for r in node.routes)
        for name, count in names.items():
            if count > 1:
                self.add(
                    "duplicate_route",
                    f"Route '{name}' is declared {count} times.",
                    "Give each route its own name.",
                    (*path, "routes"),
                    node_id=nid,
                )
        if node.default_route is None:
            self.add(
                "router_no_default",
                f"Router '{nid}' has no default route.",
                "Set default_route: the route taken when no other route matches.",
                (*path, "default_route"),
                node_id=nid,
            )
        if not node.routes:
            self.add(
                "router_no_routes",
                f"Router '{nid}' has no routes.",
                "Add at least one route.",
                (*path, "routes"),
                node_id=nid,
            )
        if node.strategy == "llm":
            self._model_ref(node.model, (*path, "model"), nid)
        for j, route in enumerate(node.routes):
            if node.strategy == "rules" and route.condition is None:
                self.add(
                    "route_no_condition",
                    f"Route '{route.name}' has no condition.",
                    "Rules routers need a condition on every route (equals, contains or regex).",
                    (*path, "routes", j),
                    node_id=nid,
                )
            if route.condition is not None:
                self._value_ref(
                    route.condition.field, (*path, "routes", j, "condition", "field"), nid
                )

    def _value_ref(self, ref: str, path: tuple[Any, ...], node_id: str) -> None:
        if ref.startswith("input.") and ref[6:] not in self.input_fields:
            self.add(
                "unknown_input_field",
                f"'{ref}' names an input field that does not exist.",
                _choices(self.input_fields, "input fields"),
                path,
                node_id=node_id,
            )

    def _templates(self, value: Any, path: tuple[Any, ...], node_id: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self._templates(item, (*path, key), node_id)
        elif isinstance(value, list):
            for j, item in enumerate(value):
                self._templates(item, (*path, j), node_id)
        elif isinstance(value, str):
            for ref in m.TEMPLATE_RE.findall(value):
                if not re.fullmatch(m.VALUE_REF_PATTERN, ref):
                    self.add(
                        "bad_template",
                        f"'{{{{ {ref} }}}}' is not a value Orchestrall can fill in.",
                        "Use {{ last_output }}, {{ input.<field> }} or {{ state.<key> }}.",
                        path,
                        node_id=node_id,
                    )
                else:
                    self._value_ref(ref, path, node_id)

    # -- structure --------------------------------------------------------

    def _edges_and_structure(self) -> None:
        adjacency: dict[str, list[str]] = defaultdict(list)
        out_routes: dict[str, list[tuple[int, m.EdgeSpec]]] = defaultdict(list)
        for index, edge in self.parsed["edges"]:
            path, eid = ("edges", index), edge.id
            dangling = [end for end in (edge.source, edge.target) if end not in self.node_ids]
            for end in dangling:
                self.add(
                    "dangling_edge",
                    f"Edge '{eid}' points to node '{end}', which does not exist.",
                    "Connect it to an existing node or delete the edge.",
                    path,
                    edge_id=eid,
                )
            if dangling:
                continue
            adjacency[edge.source].append(edge.target)
            out_routes[edge.source].append((index, edge))
            self._edge_ends(index, edge)
        self._edge_routes(out_routes)
        inputs = [(i, n.id) for i, n in self.parsed["nodes"] if n.kind == "input"]
        outputs = [n.id for _, n in self.parsed["nodes"] if n.kind == "output"]
        if not inputs:
            self.add(
                "no_input",
                "The graph has no input node.",
                "Add an input node where runs start.",
                ("nodes",),
            )
        for index, extra in inputs[1:]:
            self.add(
                "multiple_inputs",
                "The graph has more than one input node.",
                "Keep one input node; declare several fields on it instead.",
                ("nodes", index),
                node_id=extra,
            )
        if not outputs:
            self.add(
                "no_output",
                "The graph has no output node.",
                "Add an output node where runs end.",
                ("nodes",),
            )
        if not inputs or not outputs:
            return
        self._reachability(inputs[0][1], outputs, adjacency)

    def _edge_ends(self, index: int, edge: m.EdgeSpec) -> None:
        source, target = self.nodes.get(edge.source), self.nodes.get(edge.target)
        if target and target[1].kind == "input":
            self.add(
                "input_has_incoming",
                f"Edge '{edge.id}' leads into the input node.",
                "Runs start at the input node; nothing may lead into it.",
                ("edges", index),
                edge_id=edge.id,
            )
        if source and source[1].kind == "output":
            self.add(
                "output_has_outgoing",
                f"Edge '{edge.id}' leaves the output node.",
                "Runs end at an output node; add another node before it instead.",
                ("edges", index),
                edge_id=edge.id,
            )

    def _edge_routes(self, out_routes: dict[str, list[tuple[int, m.EdgeSpec]]]) -> None:
        for source, edges in out_routes.items():
            if source not in self.nodes:
                continue
            node_index, node = self.nodes[source]
            if node.kind == "router":
                allowed = {r.name for r in node.routes} | ({node.default_route} - {None})
            elif node.kind == "human":
                allowed = _HUMAN_ROUTES[node.mode]
            else:
                allowed = set()
            used = Counter(e.route for _, e in edges)
            for index, edge in edges:
                if edge.route is None and node.kind == "router":
                    self.add(
                        "edge_no_route",
                        f"Edge '{edge.id}' leaves router '{source}' without a route.",
                        _choices(allowed, "routes"),
                        ("edges", index),
                        edge_id=edge.id,
                    )
                elif edge.route is not None and edge.route not in allowed:
                    hint = (
                        _choices(allowed, "routes") if allowed else "Remove 'route' from this edge."
                    )
                    self.add(
                        "bad_route",
                        f"Edge '{edge.id}' names route '{edge.route}', which "
                        f"node '{source}' does not have.",
                        hint,
                        ("edges", index, "route"),
                        edge_id=edge.id,
                    )
                elif edge.route is not None and used[edge.route] > 1 and node.kind == "router":
                    used[edge.route] = 0
                    self.add(
                        "route_multiple_edges",
                        f"Route '{edge.route}' of router '{source}' has more than one edge.",
                        "Connect each route once.",
                        ("edges", index),
                        edge_id=edge.id,
                    )
            if node.kind == "router":
                for route in sorted(allowed - set(used)):
                    self.add(
                        "route_unconnected",
                        f"Route '{route}' of router '{source}' is not connected.",
                        "Drag an edge from this route to the node it should lead to.",
                        ("nodes", node_index),
                        node_id=source,
                    )

    def _reachability(
        self, start: str, outputs: list[str], adjacency: dict[str, list[str]]
    ) -> None:
        order = list(self.nodes)
        forward = reachable([start], adjacency)
        reverse: dict[str, list[str]] = defaultdict(list)
        for src, targets in adjacency.items():
            for dst in targets:
                reverse[dst].append(src)
        can_finish = reachable(outputs, reverse)
        trapped: set[str] = set()
        for component in strongly_connected(order, adjacency):
            members = set(component)
            is_cycle = len(component) > 1 or component[0] in adjacency.get(component[0], ())
            if not is_cycle or any(
                t not in members for c in component for t in adjacency.get(c, ())
            ):
                continue
            trapped |= members
            loop = " → ".join([*component, component[0]])
            self.add(
                "cycle_no_exit",
                f"The loop {loop} has no way out.",
                "Add an edge (for example a router route) that leaves the loop.",
                ("nodes", self.nodes[component[0]][0]),
                node_id=component[0],
            )
        for nid in order:
            index = self.nodes[nid][0]
            if nid not in forward:
                self.add(
                    "unreachable",
                    f"Node '{nid}' cannot be reached from the input node.",
                    "Connect an edge into it, or delete it.",
                    ("nodes", index),
                    node_id=nid,
                )
            elif nid not in can_finish and nid not in trapped:
                self.add(
                    "cannot_reach_output",
                    f"Node '{nid}' has no path to an output node.",
                    "Connect it onward to a node that leads to an output.",
                    ("nodes", index),
                    node_id=nid,
                )


def _choices(options: set[str] | Any, what: str) -> str:
    options = sorted(options)
    if not options:
        return f"The graph has no {what} yet; add one first."
    shown = ", ".join(options[:10]) + (" …" if len(options) > 10 else "")
    return f"Known {what}: {shown}."
