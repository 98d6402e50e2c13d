"""The graphs service: names for new graphs and the cards it builds from the store."""

from __future__ import annotations

from pathlib import Path

from app.services import graphs


def test_next_graph_name_takes_the_first_free_number() -> None:
    assert graphs.next_graph_name([]) == "Untitled graph"
    assert graphs.next_graph_name(["Untitled graph"]) == "Untitled graph 2"
    taken = ["Untitled graph", "Untitled graph 2", "Untitled graph 4"]
    assert graphs.next_graph_name(taken) == "Untitled graph 3"


def test_store_lives_in_the_data_dir(data_dir: Path) -> None:
    card = graphs.create_graph()

    assert (data_dir / "orchestrall.db").is_file()
    assert graphs.list_graphs() == [card]
    assert graphs.list_graphs(search="nothing like it") == []


def test_store_is_reopened_after_close(data_dir: Path) -> None:
    card = graphs.create_graph()
    graphs.close_store()

    assert graphs.list_graphs() == [card]
