"""Embedded Chroma keeps everything across a process restart: a new process reopens the data dir."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from agent_runtime.memory import ChromaMemory, KnowledgeBases, MemoryScope
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec
from tests.agent_runtime.memory._corpus import DOCUMENTS

_REOPEN = """
import asyncio, json, sys
from pathlib import Path
from agent_runtime.memory import ChromaMemory, KnowledgeBases, MemoryScope
from agent_runtime.settings import Settings
from agent_runtime.spec import MemorySpec

settings = Settings(_env_file=None, data_dir=Path(sys.argv[1]))
kb = KnowledgeBases(settings)
docs = kb.list_documents("g", "handbook")
hit = kb.search("g", "handbook", "Where can I leave my bike?")[0]
chat = MemorySpec(id="chat", type="conversation")
memory = ChromaMemory(settings, store=kb.vectors)
said = asyncio.run(memory.retrieve(chat, "cat", scope=MemoryScope("g", "t1")))
other = asyncio.run(memory.retrieve(chat, "cat", scope=MemoryScope("g", "t2")))
print(json.dumps({
    "docs": [[d.id, d.filename, d.chunks] for d in docs],
    "chunks": [c.text for c in kb.list_chunks("g", "handbook", docs[0].id)],
    "hit": [hit.metadata["filename"], hit.score],
    "thread": [h.text for h in said], "other_thread": [h.text for h in other],
}))
kb.close()
"""


async def test_documents_and_memories_survive_a_restart(settings: Settings, embedder) -> None:
    kb = KnowledgeBases(settings, embedder=embedder)
    office = kb.add_document("g", "handbook", "office.md", DOCUMENTS["office.md"].encode())
    leave = kb.add_document("g", "handbook", "leave.md", DOCUMENTS["leave.md"].encode())
    kb.delete_document("g", "handbook", leave.id)
    expected_hit = kb.search("g", "handbook", "Where can I leave my bike?")[0]
    chunks = [c.text for c in kb.list_chunks("g", "handbook", office.id)]
    memory = ChromaMemory(settings, store=kb.vectors)
    chat = MemorySpec(id="chat", type="conversation")
    await memory.store(chat, "My cat is called Pixel.", scope=MemoryScope("g", "t1"))
    kb.close()  # the process lets go of the store, as an app that stops does

    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_REOPEN), str(settings.data_dir)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])

    assert seen["docs"] == [[office.id, "office.md", office.chunks]]  # the deleted one stays gone
    assert seen["chunks"] == chunks
    assert seen["hit"][0] == "office.md"
    assert abs(seen["hit"][1] - expected_hit.score) < 1e-3
    assert seen["thread"] == ["My cat is called Pixel."] and seen["other_thread"] == []
