"""State of a graph's knowledge page (``/graphs/[graph_id]/knowledge``).

Uploads are read in the upload handler and embedded one after another by a
background event (``ingest``) that shows each file's chunks as they embed. Every
service call that may embed (uploads, search) or open Chroma runs in a thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import threading

import reflex as rx

from agent_runtime.errors import OrchestrallError
from app.services import knowledge
from app.services.knowledge import ChunkRow, DocumentRow, HitRow, KnowledgeBaseView

UPLOAD_ID = "knowledge-upload"
POLL_S = 0.25  # how often a running upload's progress is shown

# Files read by the upload handler, waiting for ``ingest``: upload key -> (name, bytes).
# Process-local, like the app's one KnowledgeBases; never in the (serialised) state.
_staged: dict[str, tuple[str, bytes]] = {}
_staged_lock = threading.Lock()
_keys = itertools.count(1)


def _chunks(count: int) -> str:
    return f"{count} chunk" if count == 1 else f"{count} chunks"


@dataclasses.dataclass(frozen=True)
class UploadRow:
    """One uploaded file on its way in: waiting, embedding (done of total chunks), done, failed."""

    key: str
    filename: str
    status: str = "waiting"
    done: int = 0
    total: int = 0
    percent: int = 0
    message: str = ""


class KnowledgeState(rx.State):
    """One graph's knowledge bases: pick one, upload, browse documents and chunks, search."""

    loaded_graph_id: str = ""  # the graph shown (the route var is ``graph_id``)
    graph_name: str = ""
    bases: list[KnowledgeBaseView] = []
    memory_id: str = ""
    documents: list[DocumentRow] = []
    open_document_id: str = ""
    chunks: list[ChunkRow] = []
    uploads: list[UploadRow] = []
    ingesting: bool = False
    query: str = ""
    hits: list[HitRow] = []
    searched: str = ""  # the query the hits are for
    searching: bool = False
    delete_id: str = ""
    delete_name: str = ""
    loaded: bool = False
    error: str = ""

    @rx.var
    def has_bases(self) -> bool:
        return len(self.bases) > 0

    @rx.var
    def several_bases(self) -> bool:
        return len(self.bases) > 1

    @rx.var
    def base_ids(self) -> list[str]:
        return [base.id for base in self.bases]

    @rx.var
    def base_description(self) -> str:
        return next((b.description for b in self.bases if b.id == self.memory_id), "")

    @rx.var
    def has_documents(self) -> bool:
        return len(self.documents) > 0

    @rx.var
    def hits_summary(self) -> str:
        """What the search results are: "Top 3 chunks for “…” (score: 1 is the closest)"."""
        if not self.hits:
            return ""
        top = "The closest chunk" if len(self.hits) == 1 else f"Top {len(self.hits)} chunks"
        return f"{top} for “{self.searched}” (score: 1 is the closest)."

    @rx.var
    def delete_open(self) -> bool:
        return self.delete_id != ""

    # -- loading -------------------------------------------------------------------

    @rx.event
    def load_knowledge(self):
        """On page load: the URL's graph, its knowledge bases, the first one's documents."""
        # ``graph_id`` is the dynamic route var Reflex adds for ``/graphs/[graph_id]/knowledge``.
        self.loaded_graph_id = str(self.graph_id)
        self.bases, self.documents, self.chunks, self.hits = [], [], [], []
        self.open_document_id, self.searched, self.query, self.delete_id = "", "", "", ""
        self.uploads = [u for u in self.uploads if u.status in ("waiting", "embedding")]
        self.loaded, self.error = False, ""
        try:
            found = knowledge.knowledge_bases(self.loaded_graph_id)
        except OrchestrallError as exc:
            self.graph_name, self.loaded = "", True
            self.error = f"Could not open this graph's knowledge: {exc.message}"
            return None
        self.graph_name, self.bases = found.graph_name, found.bases
        if self.memory_id not in self.base_ids:
            self.memory_id = found.bases[0].id if found.bases else ""
        if not found.bases:
            self.loaded = True
            return None
        return KnowledgeState.refresh_documents

    @rx.event(background=True)
    async def refresh_documents(self):
        """Re-read the chosen knowledge base's documents (and the open one's chunks)."""
        async with self:
            graph_id, memory_id, open_id = (
                self.loaded_graph_id,
                self.memory_id,
                self.open_document_id,
            )
        try:
            docs = await asyncio.to_thread(knowledge.list_documents, graph_id, memory_id)
            error = ""
        except OrchestrallError as exc:
            docs, error = [], f"Could not list the documents: {exc.message}"
        chunks: list[ChunkRow] = []
        if open_id and any(doc.id == open_id for doc in docs):
            chunks = await asyncio.to_thread(knowledge.list_chunks, graph_id, memory_id, open_id)
        async with self:
            if (self.loaded_graph_id, self.memory_id) != (graph_id, memory_id):
                return
            self.documents, self.error, self.loaded = docs, error, True
            if not chunks:
                self.open_document_id = ""
            self.chunks = chunks

    @rx.event
    def choose_memory(self, memory_id: str):
        self.memory_id = memory_id
        self.documents, self.chunks, self.hits = [], [], []
        self.open_document_id, self.searched = "", ""
        return KnowledgeState.refresh_documents

    # -- uploads ---------------------------------------------------------------------

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        """Take the dropped files; ``ingest`` embeds them one by one."""
        if not self.memory_id or not files:
            return None
        added = []
        for file in files:
            key = f"u{next(_keys)}"
            name = file.name or file.filename or "document"
            data = await file.read()
            with _staged_lock:
                _staged[key] = (name, data)
            added.append(UploadRow(key, name))
        self.uploads = [*self.uploads, *added]
        if self.ingesting:
            return None  # the running ingest picks them up
        self.ingesting = True
        return KnowledgeState.ingest

    @rx.event
    def upload_rejected(self, rejected: list[dict]):
        """Files the drop zone refused (wrong type): say which, and what it takes."""
        names = ", ".join(str(r.get("file", {}).get("path", "a file")) for r in rejected or [])
        accepted = ", ".join(knowledge.ACCEPTED_EXTENSIONS)
        return rx.toast.error(f"Not uploaded: {names}. A knowledge base takes {accepted} files.")

    def _update(self, key: str, **changes: object) -> None:
        self.uploads = [
            dataclasses.replace(u, **changes) if u.key == key else u  # type: ignore[arg-type]
            for u in self.uploads
        ]

    @rx.event
    def dismiss_uploads(self):
        """Clear the finished and failed uploads from the list."""
        self.uploads = [u for u in self.uploads if u.status in ("waiting", "embedding")]

    @rx.event(background=True)
    async def ingest(self):
        """Embed the waiting uploads, one at a time, showing each one's progress."""
        while True:
            async with self:
                waiting = next((u for u in self.uploads if u.status == "waiting"), None)
                if waiting is None:
                    self.ingesting = False
                    return
                self._update(waiting.key, status="embedding")
                graph_id, memory_id = self.loaded_graph_id, self.memory_id
            with _staged_lock:
                name, data = _staged.pop(waiting.key, (waiting.filename, b""))
            await self._ingest_one(waiting.key, graph_id, memory_id, name, data)

    async def _ingest_one(
        self, key: str, graph_id: str, memory_id: str, name: str, data: bytes
    ) -> None:
        latest = [0, 0]

        def progress(done: int, total: int) -> None:
            latest[:] = [done, total]

        task = asyncio.ensure_future(
            asyncio.to_thread(knowledge.upload, graph_id, memory_id, name, data, progress)
        )
        while True:
            finished, _ = await asyncio.wait({task}, timeout=POLL_S)
            if finished:
                break
            done, total = latest
            async with self:
                percent = done * 100 // total if total else 0
                self._update(key, done=done, total=total, percent=percent)
        try:
            row = task.result()
        except OrchestrallError as exc:
            async with self:
                self._update(key, status="failed", message=exc.message)
            return
        except Exception as exc:  # a file must never stop the others
            async with self:
                self._update(key, status="failed", message=f"Could not add {name}: {exc}")
            return
        async with self:
            self._update(
                key,
                status="done",
                done=row.chunks,
                total=row.chunks,
                percent=100,
                message=_chunks(row.chunks),
            )
            same_base = (self.loaded_graph_id, self.memory_id) == (graph_id, memory_id)
        if same_base:
            await self._reload_documents(graph_id, memory_id)

    async def _reload_documents(self, graph_id: str, memory_id: str) -> None:
        try:
            docs = await asyncio.to_thread(knowledge.list_documents, graph_id, memory_id)
        except OrchestrallError as exc:
            async with self:
                self.error = f"Could not list the documents: {exc.message}"
            return
        async with self:
            if (self.loaded_graph_id, self.memory_id) == (graph_id, memory_id):
                self.documents = docs

    # -- documents ---------------------------------------------------------------------

    @rx.event(background=True)
    async def toggle_document(self, document_id: str):
        """Open a document's chunks under its row, or close them."""
        async with self:
            if self.open_document_id == document_id:
                self.open_document_id, self.chunks = "", []
                return
            graph_id, memory_id = self.loaded_graph_id, self.memory_id
        try:
            chunks = await asyncio.to_thread(
                knowledge.list_chunks, graph_id, memory_id, document_id
            )
        except OrchestrallError as exc:
            async with self:
                self.error = f"Could not read the chunks: {exc.message}"
            return
        async with self:
            self.open_document_id, self.chunks = document_id, chunks

    @rx.event
    def ask_delete(self, document_id: str, filename: str):
        self.delete_id, self.delete_name = document_id, filename

    @rx.event
    def set_delete_open(self, is_open: bool):
        if not is_open:
            self.delete_id, self.delete_name = "", ""

    @rx.event
    def delete_document(self):
        """Delete the document asked about, with its chunks."""
        document_id, name = self.delete_id, self.delete_name
        self.delete_id, self.delete_name = "", ""
        if not document_id:
            return None
        try:
            gone = knowledge.delete_document(self.loaded_graph_id, self.memory_id, document_id)
        except OrchestrallError as exc:
            return rx.toast.error(f"Could not delete {name}: {exc.message}")
        self.documents = [doc for doc in self.documents if doc.id != document_id]
        self.hits = [hit for hit in self.hits if hit.document_id != document_id]
        if self.open_document_id == document_id:
            self.open_document_id, self.chunks = "", []
        return rx.toast.success(f"Deleted {name} and its {gone} chunks.")

    # -- search ------------------------------------------------------------------------

    @rx.event
    def set_query(self, query: str):
        self.query = query

    @rx.event(background=True)
    async def search(self, form: dict | None = None):
        """The top chunks for the query, with their scores."""
        async with self:
            query = str((form or {}).get("query", self.query) or "").strip()
            self.query = query
            if not query or not self.memory_id:
                self.hits, self.searched = [], ""
                return
            self.searching = True
            graph_id, memory_id = self.loaded_graph_id, self.memory_id
        try:
            hits = await asyncio.to_thread(knowledge.search, graph_id, memory_id, query)
            error = ""
        except OrchestrallError as exc:
            hits, error = [], f"Search failed: {exc.message}"
        async with self:
            self.hits, self.searched, self.searching = hits, query, False
            if error:
                self.error = error
