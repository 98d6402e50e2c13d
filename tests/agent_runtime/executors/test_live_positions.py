"""The runtime's event listener: what executors publish live, and where it is stored."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from agent_runtime.runtime import Runtime
from tests.agent_runtime.executors._graphs import LONG_ANSWER, verbose_graph


async def test_each_live_event_knows_the_seq_it_is_stored_under(settings, store):
    heard: list[tuple[Any, int]] = []

    async def listener(event: Any, stored_seq: int) -> None:
        heard.append((event, stored_seq))

    runtime = Runtime(settings=settings, store=store, listener=listener)
    graph_id = store.create_graph("Verbose", spec=verbose_graph()).id
    run_id = runtime.start(graph_id, {"message": "go on"}).id
    try:
        yielded = [event async for event in runtime.execute(run_id)]
    finally:
        await runtime.aclose()

    assert [event for event, _ in heard] == yielded  # every event, as it was yielded
    stored = {e.seq: e for e in store.list_run_events(run_id)}
    deltas: dict[int, list[str]] = defaultdict(list)
    for event, stored_seq in heard:
        if event.type == "token":
            assert event.seq == 0
            deltas[stored_seq].append(event.delta)
        else:
            assert (stored_seq, stored[stored_seq].type) == (event.seq, event.type)
    token_rows = {seq: e for seq, e in stored.items() if e.type == "token"}
    assert len(token_rows) >= 5  # the long answer was cut into several stored events
    assert set(deltas) == set(token_rows)
    for seq, row in token_rows.items():
        assert "".join(deltas[seq]) == row.payload["delta"]
    assert "".join("".join(deltas[s]) for s in sorted(deltas)).startswith(LONG_ANSWER)
