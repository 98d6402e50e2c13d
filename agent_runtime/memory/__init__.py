"""Vector and conversation memory behind one interface, on Chroma.

    memory = ChromaMemory(settings, secrets=run_secrets)   # what Runtime uses by default
    hits = await memory.retrieve(spec, "question", scope=MemoryScope(graph_id, thread_id))
    kb = KnowledgeBases(settings)                          # documents, for the UI and CLI
    kb.add_document(graph_id, "docs", "guide.md", data)

Chroma runs embedded under ``<data_dir>/chroma`` (one owner process) or as a
server (``ORCHESTRALL_CHROMA_URL``); embeddings come from the bundled
all-MiniLM-L6-v2 on CPU, or an OpenAI-compatible endpoint. ``InMemoryMemory``
(word overlap, nothing persisted) stays for tests that need no vectors.
Nothing here imports Chroma, torch or sentence-transformers until used. See
``docs/memory.md``.
"""

from agent_runtime.memory._base import InMemoryMemory, Memory, MemoryHit, MemoryScope
from agent_runtime.memory._chroma import VectorStore, collection_name, score_of
from agent_runtime.memory._chroma_memory import ChromaMemory
from agent_runtime.memory._chunking import Chunk, chunk_text
from agent_runtime.memory._documents import extract_text
from agent_runtime.memory._embedders import (
    LOCAL_MODEL_NAME,
    Embedder,
    LocalEmbedder,
    OpenAIEmbedder,
    embedder_for,
)
from agent_runtime.memory._knowledge import ChunkInfo, DocumentInfo, KnowledgeBases, Progress
from agent_runtime.memory._remember import REMEMBER, bind_memory, remember_tool

__all__ = [
    "LOCAL_MODEL_NAME",
    "REMEMBER",
    "ChromaMemory",
    "Chunk",
    "ChunkInfo",
    "DocumentInfo",
    "Embedder",
    "InMemoryMemory",
    "KnowledgeBases",
    "LocalEmbedder",
    "Memory",
    "MemoryHit",
    "MemoryScope",
    "OpenAIEmbedder",
    "Progress",
    "VectorStore",
    "bind_memory",
    "chunk_text",
    "collection_name",
    "embedder_for",
    "extract_text",
    "remember_tool",
    "score_of",
]
