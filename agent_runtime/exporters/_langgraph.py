"""LangGraph export: a readable Python module building the same graph with LangGraph's API.

Files: ``graph.py`` (the ``StateGraph``; ``graph`` is the compiled graph),
``langgraph.json`` (for ``langgraph dev`` / LangGraph Platform),
``requirements.txt``, ``.env.example`` (variable names only) and ``README.md``.

Every spec node becomes a node of the same id: agents call their model with the
same system prompt as Orchestrall's backends (tool loop capped at
``max_iterations``), tool steps call their tool, routers become conditional
edges, human steps ``interrupt()``. Memory and parallel branches are refused.
"""

from __future__ import annotations

import builtins
import json

from agent_runtime.compiler import agent_system_prompt, router_system_prompt
from agent_runtime.exporters import _langgraph_helpers as helpers
from agent_runtime.exporters._bundle import (
    ExportBundle,
    ExportOptions,
    constant_name,
    docstring,
    identifier,
    lit,
    py_str,
    snake_name,
)
from agent_runtime.exporters._plan import (
    NOT_EXPORTED,
    ModelPlan,
    check,
    features,
    model_plan,
    used_models,
)
from agent_runtime.exporters._readme import env_example, readme
from agent_runtime.exporters._tool_source import tool_function
from agent_runtime.spec import GraphSpec

TARGET = "LangGraph"
CAPABILITIES = frozenset(
    {
        "node.input",
        "node.output",
        "node.agent",
        "node.tool",
        "node.router",
        "node.human",
        "router.rules",
        "router.llm",
        "human.approval",
        "human.input",
        "agent.tools",
        "loop",
        "threads",
        "checkpoints",
    }
)
_RESERVED = {
    "Any", "TypedDict", "State", "builder", "graph", "main", "json", "os", "re", "sys",
    "functools", "tool", "interrupt", "ChatOpenAI", "AzureChatOpenAI", "START", "END",
    "StateGraph", "AIMessage", "HumanMessage", "SystemMessage", "ToolMessage", "require_env",
    "as_text", "text_of", "input_text", "call_tool", "run_agent", "value_of", "equals",
    "contains", "matches", "choose_route", "read_route", "decision", "human_answer",
    "TEMPLATE", "render_value", *dir(builtins),
}  # fmt: skip


def export_langgraph(spec: GraphSpec, options: ExportOptions) -> ExportBundle:
    """The LangGraph project of ``spec`` (ExportError when it uses memory or fan-out)."""
    check(spec, TARGET, CAPABILITIES)
    module = _Module(spec, options)
    slug = snake_name(spec.name)
    plans = [model_plan(m, options.demo_base_url) for m in used_models(spec)]
    packages = ["langgraph>=1.0", "langchain-openai>=1.0"]
    if any(t.kind == "builtin" and t.name == "http_request" for t in spec.tools):
        packages.append("httpx>=0.27")
    run = [
        "pip install -r requirements.txt",
        'python graph.py "your message"',
        "# or serve it: pip install 'langgraph-cli[inmem]' && langgraph dev",
    ]
    files = {
        "graph.py": module.source(),
        "langgraph.json": json.dumps(
            {
                "dependencies": ["."],
                "graphs": {slug: "./graph.py:graph"},
                "python_version": "3.11",
            },
            indent=2,
        )
        + "\n",
        "requirements.txt": "\n".join(packages) + "\n",
        ".env.example": env_example(plans),
        "README.md": readme(spec, "LangGraph", plans, run, module.notes),
    }
    return ExportBundle("langgraph", files, tuple(module.notes))


class _Module:
    """Builds graph.py section by section."""

    def __init__(self, spec: GraphSpec, options: ExportOptions) -> None:
        self.spec = spec
        self.options = options
        self.taken = set(_RESERVED)
        self.notes = [f"{NOT_EXPORTED}; max_steps is LangGraph's recursion limit"]
        self.kinds = {n.kind for n in spec.nodes}
        self.feature_names = {f for f, _ in features(spec)}
        self.models = {m.id: identifier(f"{m.id}_model", taken=self.taken) for m in spec.models}
        self.tools = {t.id: identifier(t.id, fallback="tool", taken=self.taken) for t in spec.tools}
        self.funcs = {n.id: self._step_name(n.id) for n in spec.nodes}

    def _step_name(self, node_id: str) -> str:
        """A step's function name: its id, or ``<id>_step`` when that is taken (``input``)."""
        name = identifier(node_id, fallback="step")
        return identifier(name if name not in self.taken else f"{name}_step", taken=self.taken)

    # ------------------------------------------------------------ pieces ---

    def source(self) -> str:
        spec = self.spec
        parts = [self._header(), self._imports(), helpers.STATE]
        parts.append(self._section("models"))
        if any(p.key_env for p in self._plans()):
            parts.append(helpers.REQUIRE_ENV)
        parts.extend(self._model_function(p) for p in self._plans())
        if spec.tools:
            parts.append(self._section("tools"))
            parts.extend(self._tool(t) for t in spec.tools)
        parts.append(self._section("helpers"))
        parts.append(helpers.TEXT)
        if "node.agent" in self.feature_names or "node.tool" in self.feature_names:
            parts.append(helpers.CALL_TOOL)
        parts.append(helpers.RUN_AGENT)
        if "router.rules" in self.feature_names or "node.tool" in self.feature_names:
            parts.append(helpers.CONDITIONS)
        if "node.tool" in self.feature_names:
            parts.append(helpers.TEMPLATES)
        if "router.llm" in self.feature_names:
            parts.append(helpers.CHOOSE_ROUTE)
        if "node.router" in self.feature_names or "human.approval" in self.feature_names:
            parts.append(helpers.READ_ROUTE)
        if "node.human" in self.feature_names:
            parts.append(helpers.HUMAN)
        parts.append(self._section("steps"))
        parts.extend(self._node(n) for n in spec.nodes)
        parts.append(self._section("graph"))
        parts.append(self._graph())
        field = next(n for n in spec.nodes if n.kind == "input").fields[0].name
        main = helpers.MAIN_WITH_PEOPLE if "node.human" in self.feature_names else helpers.MAIN
        parts.append(main.replace("{FIELD: text}", f"{{{lit(field)}: text}}"))
        head, *rest = (p.strip("\n") for p in parts)
        return head + "\n\n" + "\n\n\n".join(rest) + "\n"

    def _plans(self) -> list[ModelPlan]:
        return [model_plan(m, self.options.demo_base_url) for m in used_models(self.spec)]

    @staticmethod
    def _section(name: str) -> str:
        return f"# {'-' * (70 - len(name))} {name} ---"

    def _header(self) -> str:
        spec = self.spec
        lines = [f"{spec.name} — a LangGraph graph exported from Orchestrall.", ""]
        if spec.description:
            lines += [spec.description, ""]
        lines += [
            "Run it with the packages of requirements.txt installed:",
            "",
            '    python graph.py "your message"',
            "",
            "or serve it with the LangGraph CLI (`langgraph dev`, see langgraph.json).",
        ]
        names = [n for p in self._plans() for n in p.env_names]
        if names:
            lines += ["Environment variables (see .env.example): " + ", ".join(names) + "."]
        return f"{py_str(chr(10).join(lines) + chr(10))}"

    def _imports(self) -> str:
        providers = {p.spec.provider for p in self._plans()}
        lines = ["import functools", "import json"]
        lines += ["import os"] if any(p.env_names for p in self._plans()) else []
        needs_re = self.feature_names & {"router.rules", "router.llm", "node.tool"}
        lines += ["import re"] if needs_re else []
        lines += ["import sys", "from typing import Any, TypedDict", ""]
        lines.append("from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage")
        if self.spec.tools:
            lines.append("from langchain_core.tools import tool")
        chat = ["AzureChatOpenAI"] if "azure_openai" in providers else []
        chat += ["ChatOpenAI"] if providers - {"azure_openai"} else []
        lines.append(f"from langchain_openai import {', '.join(chat)}")
        lines.append("from langgraph.graph import END, START, StateGraph")
        if "node.human" in self.feature_names:
            lines.append("from langgraph.types import interrupt")
        return "\n".join(lines)

    def _model_function(self, plan: ModelPlan) -> str:
        model = plan.spec
        args: list[str] = []
        if model.provider == "azure_openai":
            args += [
                f"azure_endpoint={lit(model.base_url)}",
                f"azure_deployment={lit(model.model)}",
                f"api_version={lit(model.api_version)}",
            ]
        else:
            args.append(f"model={lit(model.model)}")
            if plan.base_url_env:
                url = f"os.environ.get({lit(plan.base_url_env)}, {lit(plan.base_url)})"
                args.append(f"base_url={url}")
            else:
                args.append(f"base_url={lit(plan.base_url)}")
        key = f"require_env({lit(plan.key_env)})" if plan.key_env else lit(plan.fixed_key)
        args.append(f"api_key={key}")
        if model.temperature is not None:
            args.append(f"temperature={lit(model.temperature)}")
        if model.max_tokens is not None:
            args.append(f"max_tokens={lit(model.max_tokens)}")
        args.append("timeout=60")
        cls = "AzureChatOpenAI" if model.provider == "azure_openai" else "ChatOpenAI"
        body = "".join(f"        {a},\n" for a in args)
        summary, *details = plan.doc_lines()
        doc = docstring(summary + ".", [d + "." for d in details])
        name = self.models[model.id]
        return (
            f"@functools.cache\ndef {name}() -> {cls}:\n    {doc}\n    return {cls}(\n{body}    )\n"
        )

    def _tool(self, tool) -> str:
        decorator = f"@tool({lit(tool.id)})"
        return tool_function(tool, self.tools[tool.id], decorator=decorator)

    # ------------------------------------------------------------- nodes ---

    def _node(self, node) -> str:
        name = self.funcs[node.id]
        head = f"def {name}(state: State) -> dict[str, Any]:\n"
        if node.kind == "input":
            fields = [f.name for f in node.fields]
            doc = py_str(f"Input '{node.label or node.id}': the run's {', '.join(fields)}.")
            text = f'input_text(state.get("input") or {{}}, {lit(fields)})'
            return head + f'    {doc}\n    return {{"last": {text}}}\n'
        if node.kind == "output":
            doc = py_str(f"Output '{node.label or node.id}': the run's result.")
            return head + f'    {doc}\n    return {{"output": state.get("last", "")}}\n'
        if node.kind == "agent":
            return self._agent(node, name, head)
        if node.kind == "tool":
            const = constant_name(f"{name}_arguments", taken=self.taken)
            doc = py_str(f"Tool step: calls {node.tool} (templates filled from the state).")
            return (
                f"{const} = {lit(dict(node.arguments))}\n\n\n{head}    {doc}\n"
                f"    arguments = render_value({const}, state)\n"
                f'    return {{"last": call_tool({self.tools[node.tool]}, arguments)}}\n'
            )
        if node.kind == "router":
            return self._router(node, name, head)
        return self._human(node, name, head)

    def _agent(self, node, name: str, head: str) -> str:
        prompt = constant_name(f"{name}_prompt", taken=self.taken)
        model = self.models[node.model or self.spec.default_model]
        tools = "[" + ", ".join(self.tools[t] for t in node.tools) + "]"
        doc = py_str(f"Agent '{node.name}'.")
        return (
            f"{prompt} = {py_str(agent_system_prompt(node))}\n\n\n{head}    {doc}\n"
            "    answer = run_agent(\n"
            f"        {model}(),\n"
            f"        {prompt},\n"
            '        state.get("last", ""),\n'
            f"        tools={tools},\n"
            f"        max_iterations={node.max_iterations},\n"
            "    )\n"
            '    return {"last": answer}\n'
        )

    def _router(self, node, name: str, head: str) -> str:
        title = node.label or node.id
        if node.strategy == "llm":
            prompt = constant_name(f"{name}_prompt", taken=self.taken)
            model = self.models[node.model or self.spec.default_model]
            routes = [r.name for r in node.routes]
            doc = py_str(f"Router '{title}': the model names a route, else {node.default_route}.")
            return (
                f"{prompt} = {py_str(router_system_prompt(node))}\n\n\n{head}    {doc}\n"
                f'    messages = [SystemMessage({prompt}), HumanMessage(state.get("last", ""))]\n'
                f"    answer = text_of({model}().invoke(messages))\n"
                f"    route = choose_route(answer, {lit(routes)}, {lit(node.default_route)})\n"
                '    return {"route": route}\n'
            )
        doc = py_str(
            f"Router '{title}': rules in order, the first that holds wins; "
            f"otherwise {node.default_route}."
        )
        lines = [head + f"    {doc}"]
        for route in node.routes:
            cond = route.condition
            wanted = lit(cond.pattern if cond.op == "regex" else cond.value)
            call = "matches" if cond.op == "regex" else cond.op
            lines.append(
                f"    if {call}(value_of(state, {lit(cond.field)}), {wanted}, "
                f"case_sensitive={cond.case_sensitive}):\n"
                f'        return {{"route": {lit(route.name)}}}'
            )
        lines.append(f'    return {{"route": {lit(node.default_route)}}}')
        return "\n".join(lines) + "\n"

    def _human(self, node, name: str, head: str) -> str:
        prompt = constant_name(f"{name}_prompt", taken=self.taken)
        if node.mode == "approval":
            doc = (
                "Human approval: the run pauses until resumed with "
                'Command(resume={"approved": True}) or {"approved": False, "comment": ...}.'
            )
            result = 'decision(answer, state.get("last", ""))'
        else:
            doc = 'Human input: the run pauses until resumed with Command(resume={"answer": ...}).'
            result = "human_answer(answer)"
        return (
            f"{prompt} = {py_str(node.prompt)}\n\n\n{head}    {py_str(doc)}\n"
            "    asked = {\n"
            f'        "node_id": {lit(node.id)},\n'
            f'        "mode": {lit(node.mode)},\n'
            f'        "prompt": {prompt},\n'
            '        "proposal": state.get("last", ""),\n'
            "    }\n"
            f"    answer = interrupt(asked)\n    return {result}\n"
        )

    # ------------------------------------------------------------- graph ---

    def _graph(self) -> str:
        spec = self.spec
        lines = ["builder = StateGraph(State)"]
        lines += [f"builder.add_node({lit(n.id)}, {self.funcs[n.id]})" for n in spec.nodes]
        entry = next(n for n in spec.nodes if n.kind == "input")
        lines.append(f"builder.add_edge(START, {lit(entry.id)})")
        for node in spec.nodes:
            edges = [e for e in spec.edges if e.source == node.id]
            if node.kind == "router":
                paths = lit({e.route: e.target for e in edges})
                lines.append(f"builder.add_conditional_edges({lit(node.id)}, read_route, {paths})")
            elif node.kind == "human" and node.mode == "approval":
                paths = {"approved": "__end__", "rejected": "__end__"}
                paths.update({e.route or "approved": e.target for e in edges})
                mapped = ", ".join(
                    f"{lit(k)}: {'END' if v == '__end__' else lit(v)}" for k, v in paths.items()
                )
                lines.append(
                    f"builder.add_conditional_edges({lit(node.id)}, read_route, {{{mapped}}})"
                )
            elif node.kind == "output":
                lines.append(f"builder.add_edge({lit(node.id)}, END)")
            else:
                lines += [f"builder.add_edge({lit(node.id)}, {lit(e.target)})" for e in edges]
        limit = spec.limits.max_steps + 1
        lines += [
            "",
            f"graph = builder.compile(name={lit(spec.name)}).with_config(recursion_limit={limit})",
            '"""The compiled graph: graph.invoke({"input": {"message": "..."}})["output"]."""',
        ]
        return "\n".join(lines) + "\n"
