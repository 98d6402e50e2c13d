"""Source text of the helper functions a LangGraph export includes (only those it uses).

They restate Orchestrall's shared semantics (``compiler._values``, the agent tool
loop of the LangGraph backend, human decisions) in plain Python with no import
of Orchestrall, so the generated module runs on its own.
"""

from __future__ import annotations

STATE = '''
class State(TypedDict, total=False):
    """What flows from step to step."""

    input: dict[str, Any]  # the run's input fields, e.g. {"message": "..."}
    last: str  # the text the previous step produced
    route: str  # the latest router (or reviewer) decision
    output: str  # the run's output
'''

REQUIRE_ENV = '''
def require_env(name: str) -> str:
    """The value of an environment variable a model needs, or a clear error."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"Set the environment variable {name}: a model of this graph needs it.")
    return value
'''

TEXT = '''
def as_text(value: Any) -> str:
    """A value as text: strings as they are, other JSON values as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\\n\\n".join(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def text_of(message: Any) -> str:
    """A chat message's text (joining the text parts of list content)."""
    content = message.content
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def input_text(values: dict[str, Any], fields: list[str]) -> str:
    """The text the input step passes on: the message, or one "name: value" line per field."""
    if fields == ["message"]:
        return as_text(values.get("message"))
    return "\\n".join(f"{name}: {as_text(values.get(name))}" for name in fields if name in values)
'''

CALL_TOOL = '''
def call_tool(tool: Any, arguments: dict[str, Any]) -> str:
    """Call a tool; its failure comes back as text starting with "error:" for the agent."""
    if tool is None:
        return "error: no such tool"
    try:
        return str(tool.invoke(arguments))
    except Exception as exc:  # the agent reads the error and carries on
        return f"error: {exc}"
'''

RUN_AGENT = '''
def run_agent(
    model: Any, system_prompt: str, task: str, tools: list[Any], max_iterations: int
) -> str:
    """One agent step: the model answers the task, calling its tools for at most
    ``max_iterations`` rounds; after that it answers without tools."""
    messages: list[Any] = [SystemMessage(system_prompt), HumanMessage(task)]
    by_name = {t.name: t for t in tools}
    with_tools = model.bind_tools(tools) if tools else model
    for _ in range(max_iterations if tools else 0):
        reply = with_tools.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            return text_of(reply)
        for call in reply.tool_calls:
            result = call_tool(by_name.get(call["name"]), call["args"])
            messages.append(ToolMessage(result, tool_call_id=call["id"]))
    return text_of(model.invoke(messages))
'''

CONDITIONS = '''
def value_of(state: State, ref: str) -> Any:
    """The value a router condition reads: last_output or input.<field>."""
    if ref == "last_output":
        return state.get("last", "")
    root, _, key = ref.partition(".")
    return (state.get("input") or {}).get(key) if root == "input" else None


def equals(value: Any, expected: Any, case_sensitive: bool = False) -> bool:
    if isinstance(value, bool | int | float) and isinstance(expected, bool | int | float):
        return value == expected and isinstance(value, bool) == isinstance(expected, bool)
    left, right = as_text(value).strip(), as_text(expected).strip()
    return left == right if case_sensitive else left.lower() == right.lower()


def contains(value: Any, text: str, case_sensitive: bool = False) -> bool:
    if case_sensitive:
        return text in as_text(value)
    return text.lower() in as_text(value).lower()


def matches(value: Any, pattern: str, case_sensitive: bool = False) -> bool:
    flags = 0 if case_sensitive else re.IGNORECASE
    return re.search(pattern, as_text(value), flags) is not None
'''

CHOOSE_ROUTE = '''
def choose_route(answer: str, routes: list[str], default: str) -> str:
    """The route a model's answer names: the exact name first, then a mention, else default."""
    cleaned = answer.strip().strip("\\"'`.").lower()
    by_lower = {r.lower(): r for r in routes}
    if cleaned in by_lower:
        return by_lower[cleaned]
    for route in sorted(routes, key=len, reverse=True):
        if re.search(rf"\\b{re.escape(route.lower())}\\b", answer.lower()):
            return route
    return default
'''

READ_ROUTE = '''
def read_route(state: State) -> str:
    """Which way a router or reviewer decided (the key of its conditional edges)."""
    return state["route"]
'''

HUMAN = '''
def decision(answer: Any, proposal: str) -> dict[str, Any]:
    """A reviewer's answer to an approval: approved, or rejected with feedback to revise."""
    answer = answer if isinstance(answer, dict) else {"answer": str(answer)}
    if answer.get("approved"):
        return {"route": "approved"}
    comment = as_text(answer.get("comment", "")) or "no reason given"
    feedback = f"Rejected by the reviewer: {comment}\\n\\nDraft:\\n{proposal}"
    return {"route": "rejected", "last": feedback}


def human_answer(answer: Any) -> dict[str, Any]:
    """A person's free-text answer becomes the next step's input."""
    answer = answer if isinstance(answer, dict) else {"answer": str(answer)}
    return {"last": as_text(answer.get("answer", ""))}
'''

TEMPLATES = '''
TEMPLATE = re.compile(r"\\{\\{\\s*([^{}]*?)\\s*\\}\\}")


def render_value(value: Any, state: State) -> Any:
    """Fill {{ last_output }} and {{ input.<field> }} in tool arguments (text substitution)."""
    if isinstance(value, str):
        only = TEMPLATE.fullmatch(value.strip())
        if only:  # a lone placeholder keeps the value's own type
            return value_of(state, only.group(1).strip())
        return TEMPLATE.sub(lambda m: as_text(value_of(state, m.group(1).strip())), value)
    if isinstance(value, list):
        return [render_value(v, state) for v in value]
    if isinstance(value, dict):
        return {k: render_value(v, state) for k, v in value.items()}
    return value
'''

MAIN = '''
def main(argv: list[str]) -> None:
    """python graph.py "your message"   (or a JSON object of the input fields)"""
    text = " ".join(argv) or input("Message: ")
    inputs = json.loads(text) if text.lstrip().startswith("{") else {FIELD: text}
    print(graph.invoke({"input": inputs}).get("output", ""))


if __name__ == "__main__":
    main(sys.argv[1:])
'''

MAIN_WITH_PEOPLE = '''
def main(argv: list[str]) -> None:
    """python graph.py "your message": runs in this terminal, asking you at the human steps."""
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.types import Command

    text = " ".join(argv) or input("Message: ")
    inputs = json.loads(text) if text.lstrip().startswith("{") else {FIELD: text}
    runnable = builder.compile(checkpointer=InMemorySaver()).with_config(graph.config)
    config = {"configurable": {"thread_id": "main"}}
    result = runnable.invoke({"input": inputs}, config)
    while result.get("__interrupt__"):
        asked = result["__interrupt__"][0].value
        print(asked["proposal"])
        reply = input(f"{asked['prompt']} ")
        if asked["mode"] == "approval":
            approved = reply.strip().lower() in ("y", "yes", "ok", "approve", "approved")
            answer = {"approved": approved, "comment": "" if approved else reply}
        else:
            answer = {"answer": reply}
        result = runnable.invoke(Command(resume=answer), config)
    print(result.get("output", ""))


if __name__ == "__main__":
    main(sys.argv[1:])
'''
