"""The step semantics every backend shares (``backends/_steps.py``), checked on their own.

The conformance suite checks them through every backend; these tests name the
rules themselves: what a join receives, what the input node passes on, what a
person's answer means.
"""

from __future__ import annotations

from agent_runtime.backends._steps import (
    Outcome,
    human_outcome,
    input_text,
    person_said,
    received_by_join,
)
from tests.agent_runtime.backends._offline import lower_offline
from tests.agent_runtime.conformance._graphs import (
    agent,
    chain,
    condition,
    edge,
    graph,
    input_node,
    linear,
    output_node,
    route,
    router,
)


def _join_graph() -> dict:
    nodes = [input_node(), agent("a", "A"), agent("b", "B"), agent("j", "J"), output_node()]
    edges = [*chain("input", "a", "j", "output"), *chain("input", "b", "j")]
    return graph("Join", nodes, edges)


def test_a_join_receives_what_is_new_for_it_in_edge_order() -> None:
    join = lower_offline(_join_graph()).node("j")
    outputs = {"b": (3, "from b"), "a": (2, "from a")}

    assert received_by_join(join, outputs, {}) == "from a\n\nfrom b"
    assert received_by_join(join, {**outputs, "j": (2, "joined")}, {}) == "from b"
    assert received_by_join(join, {**outputs, "j": (4, "joined")}, {}) is None  # nothing new


def test_a_join_counts_a_router_only_when_its_chosen_route_leads_there() -> None:
    size = router("size", [route("deep", condition("contains", value="long"))], default="short")
    nodes = [input_node(), size, agent("a", "Analyst"), output_node()]
    edges = [edge("input", "size"), edge("size", "a", "deep"), edge("size", "output", "short"),
             edge("a", "output")]  # fmt: skip
    out = lower_offline(graph("Shortcut", nodes, edges)).node("output")
    assert out.routed_from == {"size": ("short",)}
    outputs = {"size": (2, "question"), "a": (3, "analysis")}

    assert received_by_join(out, outputs, {"size": "deep"}) == "analysis"
    assert received_by_join(out, {"size": (2, "question")}, {"size": "short"}) == "question"


def test_a_node_with_one_predecessor_is_no_join() -> None:
    a = lower_offline(_join_graph()).node("a")
    assert received_by_join(a, {"input": (1, "hi")}, {}) is None


def test_the_input_node_passes_the_message_or_one_line_per_field() -> None:
    plain = lower_offline(linear("Plain", agent("a", "A"))).node("input")
    fields = [{"name": "topic"}, {"name": "tone"}]
    form = lower_offline(
        graph("Form", [input_node(fields=fields), output_node()], [edge("input", "output")])
    ).node("input")

    assert input_text(plain, {"message": "hello"}) == "hello"
    assert input_text(form, {"topic": "bees", "tone": ["warm", "short"]}) == (
        "topic: bees\ntone: warm\n\nshort"
    )
    assert input_text(form, {"tone": "dry"}) == "tone: dry"


def test_what_a_persons_answer_means() -> None:
    assert person_said("input", {"answer": "for Ada", "comment": "x"}) == "for Ada"
    assert person_said("approval", {"approved": False, "comment": "shorter"}) == "shorter"

    assert human_outcome("input", "for Ada", False, "draft") == Outcome("for Ada", "for Ada")
    assert human_outcome("approval", "ok", True, "draft") == Outcome(
        "approved: ok", "draft", "approved"
    )
    assert human_outcome("approval", "", True, "draft").output == "approved"
    assert human_outcome("approval", "", False, "draft") == Outcome(
        "rejected: ",
        "Rejected by the reviewer: no reason given\n\nDraft:\ndraft",
        "rejected",
    )
