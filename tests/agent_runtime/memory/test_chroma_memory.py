"""``ChromaMemory``: the Memory protocol on Chroma, as runs use it; one owner per embedded store."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from agent_runtime.errors import ConfigurationError, RunError
from agent_runtime.memory import ChromaMemory, LocalEmbedder, MemoryScope
from agent_runtime.runtime import Runtime
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec
from agent_runtime.store import open_store

FACTS = MemorySpec(id="facts", type="long_term")
CHAT = MemorySpec(id="chat", type="conversation")


@pytest.fixture
async def memory(settings: Settings, embedder: LocalEmbedder):
    chroma = ChromaMemory(settings, embedder=embedder)
    yield chroma
    await chroma.aclose()


async def test_long_term_memory_spans_threads(memory: ChromaMemory) -> None:
    item = await memory.store(
        FACTS, "The sky on Mars is butterscotch.", scope=MemoryScope("g", "t1")
    )
    hits = await memory.retrieve(
        FACTS, "what colour is the Martian sky", scope=MemoryScope("g", "t2")
    )
    assert [(h.id, h.text) for h in hits] == [(item, "The sky on Mars is butterscotch.")]
    assert "thread_id" not in hits[0].metadata and hits[0].metadata["created_at"] > 0
    assert await memory.retrieve(FACTS, "Mars", scope=MemoryScope("another-graph")) == []


async def test_conversation_memory_stays_in_its_thread(memory: ChromaMemory) -> None:
    await memory.store(CHAT, "My cat is called Pixel.", scope=MemoryScope("g", "t-one"))
    await memory.store(CHAT, "My dog is called Byte.", scope=MemoryScope("g", "t-two"))
    one = await memory.retrieve(CHAT, "what is my pet called", scope=MemoryScope("g", "t-one"))
    two = await memory.retrieve(CHAT, "what is my pet called", scope=MemoryScope("g", "t-two"))
    assert [h.text for h in one] == ["My cat is called Pixel."]
    assert [h.text for h in two] == ["My dog is called Byte."]
    assert one[0].metadata["thread_id"] == "t-one"


async def test_filters_min_score_and_top_k(memory: ChromaMemory) -> None:
    scope = MemoryScope("g")
    for lang, text in [("en", "Invoices are due in 30 days."), ("fr", "Les factures sont dues.")]:
        await memory.store(FACTS, text, scope=scope, metadata={"lang": lang, "n": 1, "x": None})
    await memory.store(FACTS, "Penguins live in the southern hemisphere.", scope=scope)

    hits = await memory.retrieve(FACTS, "when must invoices be paid", scope=scope, top_k=3)
    assert hits[0].text == "Invoices are due in 30 days." and len(hits) == 3
    assert hits[0].metadata["lang"] == "en" and "x" not in hits[0].metadata
    french = await memory.retrieve(FACTS, "invoices", scope=scope, filters={"lang": "fr", "n": 1})
    assert [h.text for h in french] == ["Les factures sont dues."]
    close = await memory.retrieve(FACTS, "when must invoices be paid", scope=scope, min_score=0.5)
    assert [h.text for h in close] == ["Invoices are due in 30 days."]
    assert all(0 <= h.score <= 1 for h in hits)
    assert len(await memory.retrieve(FACTS, "invoices", scope=scope, top_k=1)) == 1

    with pytest.raises(RunError) as caught:
        await memory.retrieve(FACTS, "x", scope=scope, filters={"lang": None})
    assert caught.value.code == "bad_memory_filter"


async def test_a_runtime_uses_chroma_by_default_and_opens_it_only_when_used(tmp_path) -> None:
    settings = Settings(_env_file=None, data_dir=tmp_path)
    store = open_store(settings=settings)
    runtime = Runtime(settings=settings, store=store)
    try:
        assert isinstance(runtime.services.memory, ChromaMemory)
        assert not (tmp_path / "chroma").exists()  # nothing opened, nothing loaded yet
    finally:
        await runtime.aclose()
        store.close()


async def test_with_celery_workers_memory_needs_the_chroma_server(tmp_path, embedder) -> None:
    """Workers are other processes: embedded Chroma is refused, with what to do."""
    settings = Settings(_env_file=None, data_dir=tmp_path, broker_url="redis://127.0.0.1:6379/0")
    memory = ChromaMemory(settings, embedder=embedder)
    with pytest.raises(ConfigurationError, match="ORCHESTRALL_CHROMA_URL") as caught:
        await memory.retrieve(FACTS, "anything", scope=MemoryScope("g"))
    assert caught.value.code == "chroma_server_required"
    assert not (tmp_path / "chroma").exists()


_OTHER_PROCESS = """
import sys
from pathlib import Path
from agent_runtime.errors import ConfigurationError
from agent_runtime.memory import LocalEmbedder, VectorStore
from agent_runtime.settings import Settings

settings = Settings(_env_file=None, data_dir=Path(sys.argv[1]))
store = VectorStore(settings, LocalEmbedder())  # name and dimension only: no model loads
try:
    store.count("g", "facts")
except ConfigurationError as exc:
    print(exc.code, exc)
else:
    print("opened", store.count("g", "facts"))
store.close()
"""


async def test_one_process_owns_the_embedded_store(
    memory: ChromaMemory, settings: Settings
) -> None:
    await memory.store(FACTS, "owned here", scope=MemoryScope("g"))

    def other_process() -> str:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(_OTHER_PROCESS), str(settings.data_dir)],
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout  # fmt: skip

    refused = other_process()
    assert refused.startswith("chroma_busy") and "ORCHESTRALL_CHROMA_URL" in refused
    await memory.aclose()  # the owner lets go: another process may take over
    assert other_process().strip() == "opened 1"


def test_importing_memory_loads_no_chroma_torch_or_model() -> None:
    probe = (
        "import agent_runtime.memory, agent_runtime.runtime, sys; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.split())
    assert not loaded & {"chromadb", "torch", "sentence_transformers", "transformers", "pypdf"}


async def test_storing_a_text_again_refreshes_it(memory: ChromaMemory) -> None:
    first = await memory.store(FACTS, "Zebras are striped.", scope=MemoryScope("g", "t1"))
    again = await memory.store(
        FACTS, "Zebras are striped.", scope=MemoryScope("g", "t2"), metadata={"v": 2}
    )
    assert first == again and memory.vectors.count("g", "facts") == 1
    (hit,) = await memory.retrieve(FACTS, "zebra", scope=MemoryScope("g"))
    assert hit.metadata["v"] == 2
    one = await memory.store(CHAT, "Zebras are striped.", scope=MemoryScope("g", "t1"))
    two = await memory.store(CHAT, "Zebras are striped.", scope=MemoryScope("g", "t2"))
    assert one != two  # the same words in two conversations are two items


def test_filtered_queries_rank_exactly_small_matches_and_use_hnsw_for_large(
    settings: Settings, embedder: LocalEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter matching few items is ranked exactly (same order as HNSW); many go to HNSW."""
    from agent_runtime.memory import _chroma

    store = _chroma.VectorStore(settings, embedder)
    try:
        texts = [f"Fact {i}: the {w} is in room {i}." for i, w in enumerate(["printer"] * 12)]
        texts += ["The coffee machine is on the third floor.", "Parking is behind the building."]
        metas = [{"group": "a" if i % 2 else "b"} for i in range(len(texts))]
        store.add("g", "m", [f"id{i}" for i in range(len(texts))], texts, metas)
        where = {"group": {"$eq": "a"}}
        exact = store.query("g", "m", "where is the printer", top_k=3, where=where)
        collection = store.collection("g", "m", create=False)
        (vector,) = embedder.embed(["where is the printer"])
        hnsw = store.query_vector(collection, vector, top_k=3, where=where)
        assert [h.id for h in exact] == [h.id for h in hnsw]
        assert [h.score for h in exact] == pytest.approx([h.score for h in hnsw], abs=1e-3)
        assert all(h.metadata["group"] == "a" for h in exact)

        monkeypatch.setattr(_chroma, "EXACT_LIMIT", 3)  # 7 items match: more than the limit
        assert store.query_exact(collection, vector, top_k=3, where=where) is None
        large = store.query("g", "m", "where is the printer", top_k=3, where=where)
        assert [h.id for h in large] == [h.id for h in hnsw]
        assert store.query("g", "m", "x", where={"group": {"$eq": "none"}}) == []
    finally:
        store.close()
