"""Snapshots of the LangGraph structure compiled from each example spec.

A change in how specs compile to LangGraph shows up as a diff here. When the
change is intended, regenerate the snapshots and review them like code::

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/agent_runtime/backends/test_langgraph_snapshots.py
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent_runtime.backends.langgraph_backend._backend import fused_outputs
from agent_runtime.spec import load_spec_file
from tests.agent_runtime.backends._offline import (
    EXAMPLES,
    UPDATE_ENV,
    check_snapshot,
    compile_offline,
)

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def compile_example(spec: Any) -> Any:
    """The LangGraph executable of ``spec`` (``.structure`` has no checkpointer)."""
    return compile_offline(spec, "langgraph")


def describe(executable: Any, title: str) -> str:
    """A sorted, deterministic listing of the LangGraph builder: nodes, edges, routed edges.

    Read from the ``StateGraph`` builder itself (what was compiled), not from a
    drawing of it: deferred joins are marked, routes name the target per route.
    """
    builder = executable.builder
    kinds = {n.id: n.kind for n in executable.graph.nodes}
    lines = [f"# LangGraph structure of {title}", "nodes:"]
    for node_id in sorted(builder.nodes):
        defer = "  deferred join" if builder.nodes[node_id].defer else ""
        lines.append(f"  {node_id}  ({kinds.get(node_id, '?')}){defer}")
    fused = {o.id: before for before, o in fused_outputs(executable.graph).items()}
    for node_id in sorted(set(kinds) - set(builder.nodes)):
        where = f"done by {fused[node_id]}" if node_id in fused else "the graph's input"
        lines.append(f"  {node_id}  ({kinds[node_id]})  folded: {where}")
    lines.append("edges:")
    edges = [f"  {source} -> {target}" for source, target in builder.edges]
    for source, branches in builder.branches.items():
        for branch in branches.values():
            edges += [f"  {source} -> {t}  [route: {r}]" for r, t in (branch.ends or {}).items()]
    lines += sorted(edges)
    return "\n".join(lines) + "\n"


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_compiles_to_its_snapshot(example: Path) -> None:
    executable = compile_example(load_spec_file(example))
    text = describe(executable, f"examples/{example.name}")
    check_snapshot(f"{example.stem}.txt", text, SNAPSHOTS)


def test_every_snapshot_has_an_example() -> None:
    stale = {p.stem for p in SNAPSHOTS.glob("*.txt")} - {p.stem for p in EXAMPLES}
    assert not stale, f"snapshots without an example (delete them): {sorted(stale)}"


def test_compiling_twice_gives_the_same_listing() -> None:
    spec = load_spec_file(EXAMPLES[0])
    assert describe(compile_example(spec), "x") == describe(compile_example(spec), "x")


def test_a_changed_graph_fails_with_a_diff(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    (tmp_path / "g.txt").write_text("nodes:\n  a\n  b\n", encoding="utf-8")
    check_snapshot("g.txt", "nodes:\n  a\n  b\n", tmp_path)  # equal: passes

    with pytest.raises(pytest.fail.Exception) as info:
        check_snapshot("g.txt", "nodes:\n  a\n  c\n", tmp_path)

    message = str(info.value)
    assert "-  b" in message
    assert "+  c" in message
    assert f"{UPDATE_ENV}=1" in message
    with pytest.raises(pytest.fail.Exception, match="No snapshot"):
        check_snapshot("missing.txt", "x", tmp_path)


def test_update_mode_writes_the_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    check_snapshot("new.txt", "nodes:\n  a\n", tmp_path)
    assert (tmp_path / "new.txt").read_text(encoding="utf-8") == "nodes:\n  a\n"
