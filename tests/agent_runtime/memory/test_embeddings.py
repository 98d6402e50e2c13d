"""Embedders: the bundled model offline, an OpenAI-compatible endpoint over real HTTP, and the
refusal to mix vectors of two models in one collection."""

from __future__ import annotations

import math

import pytest

from agent_runtime.errors import ConfigurationError, ModelEndpointError
from agent_runtime.memory import (
    LOCAL_MODEL_NAME,
    KnowledgeBases,
    LocalEmbedder,
    OpenAIEmbedder,
    embedder_for,
)
from agent_runtime.settings import Settings
from tests.agent_runtime.memory.conftest import hash_vector

KEY = "sk-test-embeddings"


def test_the_bundled_model_embeds_offline(embedder: LocalEmbedder) -> None:
    cat, kitten, tax = embedder.embed(["a cat", "a small kitten", "quarterly tax return"])
    assert embedder.name == LOCAL_MODEL_NAME and embedder.dimension() == len(cat) == 384
    assert math.isclose(sum(x * x for x in cat), 1.0, abs_tol=1e-5)  # unit length

    def cos(a: list[float], b: list[float]) -> float:
        return sum(x * y for x, y in zip(a, b, strict=True))

    assert cos(cat, kitten) > cos(cat, tax) + 0.2


def _endpoint_settings(tmp_path, url: str, **extra) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path,
        embedding_base_url=url,
        embedding_model="hash-16",
        embedding_api_key_secret="EMBEDDINGS_KEY",
        **extra,
    )


def test_an_openai_compatible_endpoint(tmp_path, embeddings_server: str) -> None:
    embedder = embedder_for(
        _endpoint_settings(tmp_path, embeddings_server), {"EMBEDDINGS_KEY": KEY}
    )
    assert isinstance(embedder, OpenAIEmbedder) and embedder.name == "hash-16"
    texts = [f"text {i}" for i in range(150)]  # three requests of at most 64
    vectors = embedder.embed(texts)
    assert vectors == [pytest.approx(hash_vector(t, 16)) for t in texts]
    assert embedder.dimension() == 16 and KEY not in repr(embedder)
    embedder.close()


def test_endpoint_errors_are_clear(tmp_path, embeddings_server: str) -> None:
    settings = _endpoint_settings(tmp_path, embeddings_server)
    with pytest.raises(ConfigurationError, match="EMBEDDINGS_KEY") as missing:
        embedder_for(settings, {})
    assert missing.value.code == "missing_secret"

    wrong = embedder_for(settings, {"EMBEDDINGS_KEY": "sk-wrong"})
    with pytest.raises(ModelEndpointError) as refused:
        wrong.embed(["x"])
    assert refused.value.code == "embeddings_auth" and "sk-wrong" not in str(refused.value)
    wrong.close()

    gone = OpenAIEmbedder("http://127.0.0.1:9/v1", "m", KEY, timeout=2)
    with pytest.raises(ModelEndpointError) as down:
        gone.embed(["x"])
    assert down.value.code == "embeddings_unavailable"
    gone.close()


def test_a_collection_refuses_another_embedding_model(
    tmp_path, embedder: LocalEmbedder, embeddings_server: str
) -> None:
    local = KnowledgeBases(Settings(_env_file=None, data_dir=tmp_path), embedder=embedder)
    doc = local.add_document("g", "docs", "a.txt", b"Vectors of the bundled model.")
    local.close()

    remote = KnowledgeBases(
        _endpoint_settings(tmp_path, embeddings_server), secrets={"EMBEDDINGS_KEY": KEY}
    )
    try:
        for attempt in (
            lambda: remote.search("g", "docs", "vectors"),
            lambda: remote.add_document("g", "docs", "b.txt", b"Other vectors."),
            lambda: remote.list_documents("g", "docs"),
        ):
            with pytest.raises(ConfigurationError) as caught:
                attempt()
            assert caught.value.code == "embedding_mismatch"
            message = str(caught.value)
            assert LOCAL_MODEL_NAME in message and "384" in message
            assert "hash-16" in message and "16 dimensions" in message

        # Emptying the memory is the way to switch models; then the new one is recorded.
        assert remote.clear("g", "docs") is True
        remote.add_document("g", "docs", "b.txt", b"Other vectors.")
        assert [d.filename for d in remote.list_documents("g", "docs")] == ["b.txt"]
    finally:
        remote.close()

    again = KnowledgeBases(Settings(_env_file=None, data_dir=tmp_path), embedder=embedder)
    try:
        with pytest.raises(ConfigurationError, match="hash-16"):
            again.search("g", "docs", "vectors")
    finally:
        again.close()
    assert doc.chunks == 1
