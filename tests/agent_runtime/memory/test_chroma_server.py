"""The scale-out path: a real Chroma server (``chroma run``) through the HTTP client."""

from __future__ import annotations

import uuid

import pytest

from agent_runtime.errors import ConfigurationError, StoreError
from agent_runtime.memory import ChromaMemory, KnowledgeBases, MemoryScope, VectorStore
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec
from tests.agent_runtime.memory._corpus import DOCUMENTS
from tests.agent_runtime.memory.conftest import free_port


@pytest.fixture
def server_settings(tmp_path, chroma_server: str) -> Settings:
    # A broker too: this is how Celery deployments run, and the server is what they need.
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        chroma_url=chroma_server,
        broker_url="redis://127.0.0.1:6379/0",
    )


async def test_knowledge_and_memory_live_on_the_server(server_settings: Settings, embedder) -> None:
    graph = f"g-{uuid.uuid4().hex[:8]}"  # the server outlives each test
    kb = KnowledgeBases(server_settings, embedder=embedder)
    other = VectorStore(server_settings, embedder)  # another client, as another process has
    memory = ChromaMemory(server_settings, embedder=embedder)
    try:
        doc = kb.add_document(graph, "handbook", "security.md", DOCUMENTS["security.md"].encode())
        (hit, *_) = kb.search(graph, "handbook", "How long must my password be?")
        assert "at least 14 characters" in " ".join(hit.text.split())
        assert other.count(graph, "handbook") == doc.chunks  # seen by every client at once

        chat = MemorySpec(id="chat", type="conversation")
        await memory.store(chat, "My cat is called Pixel.", scope=MemoryScope(graph, "t1"))
        hits = await memory.retrieve(chat, "my cat", scope=MemoryScope(graph, "t1"))
        assert [h.text for h in hits] == ["My cat is called Pixel."]
        assert await memory.retrieve(chat, "my cat", scope=MemoryScope(graph, "t2")) == []

        assert kb.delete_document(graph, "handbook", doc.id) == doc.chunks
        assert other.count(graph, "handbook") == 0
        assert not (server_settings.data_dir / "chroma").exists()  # nothing embedded
    finally:
        await memory.aclose()
        other.close()
        kb.close()


def test_an_unreachable_server_is_a_clear_error(tmp_path, embedder) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    store = VectorStore(Settings(_env_file=None, data_dir=tmp_path, chroma_url=url), embedder)
    with pytest.raises(StoreError, match="cannot be reached") as caught:
        store.count("g", "m")
    assert caught.value.code == "memory_unavailable" and url in str(caught.value)


@pytest.mark.parametrize("url", ["localhost:8000", "ftp://host:8000", "http://host:8000/chroma"])
def test_a_malformed_server_url_is_refused(tmp_path, embedder, url: str) -> None:
    store = VectorStore(Settings(_env_file=None, data_dir=tmp_path, chroma_url=url), embedder)
    with pytest.raises(ConfigurationError) as caught:
        store.count("g", "m")
    assert caught.value.code == "bad_chroma_url"
