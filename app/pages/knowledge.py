"""A graph's knowledge page (``/graphs/[graph_id]/knowledge``).

Pick one of the graph's knowledge bases, upload .txt, .md, .pdf and .html files
(each shows its chunks embedding, or why it was refused), browse the documents
and their chunks, delete a document, and search: the top chunks with scores.
"""

from __future__ import annotations

import reflex as rx

from app.pages.knowledge_state import UPLOAD_ID, KnowledgeState, UploadRow
from app.paths import builder_path
from app.services.knowledge import ACCEPTED_EXTENSIONS, ChunkRow, DocumentRow, HitRow
from components.confirm_dialog import confirm_delete_dialog
from components.page_shell import page_shell

ACCEPT = {
    "text/plain": [".txt"],
    "text/markdown": [".md"],
    "application/pdf": [".pdf"],
    "text/html": [".html", ".htm"],
}
NO_BASE_HINT = (
    "Open the graph in the builder and, with nothing selected, add a memory of type "
    "knowledge_base under Memories in the graph's settings. Its documents are managed here."
)


# -- top -----------------------------------------------------------------------------


def _nav_link(icon: str, label: str, href: rx.Var | str, testid: str) -> rx.Component:
    return rx.link(
        rx.button(rx.icon(icon, size=15), label, variant="soft", color_scheme="gray", tabindex=-1),
        href=href,
        data_testid=testid,
    )


def title_bar() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.heading("Knowledge of ", KnowledgeState.graph_name, size="7", as_="h1"),
            rx.text(
                "Documents the graph's agents and memory nodes retrieve from.",
                color_scheme="gray",
                size="3",
            ),
            spacing="1",
        ),
        rx.spacer(),
        _nav_link(
            "workflow", "Builder", builder_path(KnowledgeState.loaded_graph_id), "builder-link"
        ),
        _nav_link(
            "history",
            "Runs",
            builder_path(KnowledgeState.loaded_graph_id) + "/runs",
            "graph-runs-link",
        ),
        align="end",
        spacing="3",
        width="100%",
    )


def base_picker() -> rx.Component:
    """The knowledge base shown: a select when there are several, else its name."""
    picker = rx.cond(
        KnowledgeState.several_bases,
        rx.select.root(
            rx.select.trigger(aria_label="Knowledge base", data_testid="knowledge-base-select"),
            rx.select.content(
                rx.foreach(KnowledgeState.base_ids, lambda i: rx.select.item(i, value=i))
            ),
            value=KnowledgeState.memory_id,
            on_change=KnowledgeState.choose_memory,
        ),
        rx.code(KnowledgeState.memory_id, size="3", data_testid="knowledge-base-name"),
    )
    return rx.hstack(
        rx.icon("library", size=18, color="var(--accent-11)"),
        rx.text("Knowledge base", weight="medium", size="3"),
        picker,
        rx.text(KnowledgeState.base_description, color_scheme="gray", size="2", trim="both"),
        align="center",
        spacing="3",
    )


def no_bases() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon("library", size=32, color="var(--gray-9)"),
            rx.heading("This graph has no knowledge base", size="4", as_="h2"),
            rx.text(NO_BASE_HINT, color_scheme="gray", size="2", text_align="center"),
            rx.link(
                rx.button("Open the builder"), href=builder_path(KnowledgeState.loaded_graph_id)
            ),
            align="center",
            spacing="3",
            padding_y="32px",
            max_width="520px",
            margin_x="auto",
        ),
        width="100%",
        data_testid="knowledge-empty",
    )


# -- uploads ---------------------------------------------------------------------------


def _upload_row(row: rx.Var[UploadRow]) -> rx.Component:
    detail = rx.match(
        row.status,
        ("waiting", rx.text("Waiting…", size="1", color_scheme="gray")),
        (
            "embedding",
            rx.hstack(
                rx.progress(value=row.percent, max=100, width="160px"),
                rx.text(
                    rx.cond(
                        row.total > 0,
                        rx.fragment(row.done, " of ", row.total, " chunks"),
                        "Reading…",
                    ),
                    size="1",
                    color_scheme="gray",
                ),
                align="center",
                spacing="2",
            ),
        ),
        ("done", rx.text("Added · ", row.message, size="1", color_scheme="green")),
        rx.text(row.message, size="1", color_scheme="red"),
    )
    icon = rx.match(
        row.status,
        ("done", rx.icon("circle-check", size=16, color="var(--green-11)")),
        ("failed", rx.icon("circle-x", size=16, color="var(--red-11)")),
        ("embedding", rx.spinner(size="1")),
        rx.icon("clock", size=16, color="var(--gray-10)"),
    )
    return rx.hstack(
        rx.center(icon, width="16px", flex_shrink="0"),
        rx.text(row.filename, size="2", weight="medium", trim="both", flex_shrink="0"),
        rx.box(detail, flex="1", min_width="0"),
        align="center",
        spacing="2",
        width="100%",
        data_testid="upload-" + row.filename,
        data_status=row.status,
    )


def upload_area() -> rx.Component:
    accepted = ", ".join(ACCEPTED_EXTENSIONS)
    return rx.vstack(
        rx.upload.root(
            rx.vstack(
                rx.icon("upload", size=22, color="var(--accent-11)"),
                rx.text("Drop files here or click to choose", weight="medium", size="2"),
                rx.text(f"{accepted} · several at once", size="1", color_scheme="gray"),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            multiple=True,
            accept=ACCEPT,
            on_drop=KnowledgeState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
            on_drop_rejected=KnowledgeState.upload_rejected,
            border="1px dashed var(--accent-7)",
            border_radius="var(--radius-3)",
            background="var(--accent-2)",
            padding="20px",
            width="100%",
            cursor="pointer",
            data_testid="knowledge-upload",
        ),
        rx.cond(
            KnowledgeState.uploads.length() > 0,
            rx.vstack(
                rx.foreach(KnowledgeState.uploads, _upload_row),
                rx.cond(
                    ~KnowledgeState.ingesting,
                    rx.button(
                        "Clear",
                        variant="ghost",
                        size="1",
                        color_scheme="gray",
                        on_click=KnowledgeState.dismiss_uploads,
                    ),
                ),
                spacing="2",
                width="100%",
                data_testid="upload-list",
            ),
        ),
        spacing="3",
        width="100%",
    )


# -- documents ---------------------------------------------------------------------------


def _chunk(chunk: rx.Var[ChunkRow]) -> rx.Component:
    return rx.box(
        rx.text(
            "Chunk ",
            chunk.index,
            " · from character ",
            chunk.start,
            size="1",
            color_scheme="gray",
            weight="medium",
        ),
        rx.text(chunk.text, size="2", white_space="pre-wrap"),
        padding="8px 12px",
        border_left="3px solid var(--accent-6)",
        background="var(--gray-2)",
        border_radius="var(--radius-2)",
        data_testid="chunk-" + chunk.index.to(str),
    )


def _document_row(doc: rx.Var[DocumentRow]) -> rx.Component:
    is_open = KnowledgeState.open_document_id == doc.id
    return rx.fragment(
        rx.table.row(
            rx.table.cell(
                rx.button(
                    rx.icon(rx.cond(is_open, "chevron-down", "chevron-right"), size=14),
                    doc.filename,
                    variant="ghost",
                    size="2",
                    on_click=KnowledgeState.toggle_document(doc.id),
                    aria_label="Show its chunks",
                    data_testid="document-open",
                ),
            ),
            rx.table.cell(doc.kind),
            rx.table.cell(doc.size),
            rx.table.cell(doc.chunks, data_testid="document-chunks"),
            rx.table.cell(doc.added),
            rx.table.cell(
                rx.icon_button(
                    rx.icon("trash-2", size=14),
                    variant="ghost",
                    color_scheme="red",
                    on_click=KnowledgeState.ask_delete(doc.id, doc.filename),
                    aria_label="Delete document",
                    data_testid="document-delete",
                ),
            ),
            align="center",
            data_testid="document-" + doc.filename,
        ),
        rx.cond(
            is_open,
            rx.table.row(
                rx.table.cell(
                    rx.vstack(
                        rx.foreach(KnowledgeState.chunks, _chunk),
                        spacing="2",
                        width="100%",
                        max_height="420px",
                        overflow_y="auto",
                    ),
                    col_span=6,
                ),
                data_testid="document-chunk-list",
            ),
        ),
    )


def documents_table() -> rx.Component:
    heads = ("Document", "Type", "Size", "Chunks", "Added (UTC)", "")
    return rx.cond(
        KnowledgeState.has_documents,
        rx.table.root(
            rx.table.header(rx.table.row(*(rx.table.column_header_cell(h) for h in heads))),
            rx.table.body(rx.foreach(KnowledgeState.documents, _document_row)),
            variant="surface",
            size="1",
            width="100%",
            data_testid="documents-table",
        ),
        rx.center(
            rx.cond(
                KnowledgeState.loaded,
                rx.text("No documents yet: upload some above.", color_scheme="gray", size="2"),
                rx.spinner(size="3"),
            ),
            padding_y="32px",
            width="100%",
            data_testid="documents-empty",
        ),
    )


def delete_dialog() -> rx.Component:
    return confirm_delete_dialog(
        "Delete ",
        KnowledgeState.delete_name,
        "?",
        description="The document and all its chunks leave the knowledge base.",
        on_confirm=KnowledgeState.delete_document,
        open=KnowledgeState.delete_open,
        on_open_change=KnowledgeState.set_delete_open,
        confirm_testid="confirm-delete-document",
    )


# -- search ------------------------------------------------------------------------------


def _hit(hit: rx.Var[HitRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge("#", hit.rank, variant="soft", color_scheme="gray"),
                rx.badge("score ", hit.score_text, color_scheme="green", data_testid="hit-score"),
                rx.spacer(),
                rx.text(
                    hit.filename, " · chunk ", hit.chunk, size="1", color_scheme="gray", trim="both"
                ),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.text(
                hit.text,
                size="2",
                white_space="pre-line",
                max_height="200px",
                overflow_y="auto",
                data_testid="hit-text",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="search-hit",
    )


def search_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Search", size="4", as_="h2"),
            rx.form(
                rx.hstack(
                    rx.input(
                        name="query",
                        value=KnowledgeState.query,
                        on_change=KnowledgeState.set_query,
                        placeholder="Ask what the documents say…",
                        flex="1",
                        data_testid="knowledge-query",
                    ),
                    rx.button(
                        rx.icon("search", size=15),
                        "Search",
                        type="submit",
                        loading=KnowledgeState.searching,
                        data_testid="knowledge-search",
                    ),
                    width="100%",
                    spacing="2",
                ),
                on_submit=KnowledgeState.search,
                reset_on_submit=False,
                width="100%",
            ),
            rx.cond(
                KnowledgeState.searched != "",
                rx.cond(
                    KnowledgeState.hits.length() > 0,
                    rx.vstack(
                        rx.text(KnowledgeState.hits_summary, size="1", color_scheme="gray"),
                        rx.foreach(KnowledgeState.hits, _hit),
                        spacing="2",
                        width="100%",
                        data_testid="search-results",
                    ),
                    rx.text(
                        "Nothing found: the knowledge base is empty.",
                        size="2",
                        color_scheme="gray",
                        data_testid="search-results",
                    ),
                ),
                rx.text(
                    "Search finds the chunks closest in meaning to your words, as agents do.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        data_testid="knowledge-search-panel",
    )


# -- page --------------------------------------------------------------------------------


def knowledge_body() -> rx.Component:
    return rx.vstack(
        base_picker(),
        rx.flex(
            rx.vstack(
                rx.card(
                    rx.vstack(
                        rx.heading("Documents", size="4", as_="h2"),
                        upload_area(),
                        documents_table(),
                        spacing="3",
                        width="100%",
                    ),
                    width="100%",
                ),
                flex="3 1 560px",
                min_width="0",
            ),
            rx.box(search_panel(), flex="2 1 360px", min_width="0"),
            spacing="5",
            align="start",
            wrap="wrap",
            width="100%",
        ),
        delete_dialog(),
        spacing="4",
        width="100%",
    )


def knowledge_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            title_bar(),
            rx.cond(
                KnowledgeState.error != "",
                rx.callout(
                    KnowledgeState.error,
                    icon="triangle-alert",
                    color_scheme="red",
                    data_testid="knowledge-error",
                ),
            ),
            rx.cond(
                KnowledgeState.has_bases,
                knowledge_body(),
                rx.cond(
                    KnowledgeState.loaded & (KnowledgeState.graph_name != ""),
                    no_bases(),
                    rx.cond(
                        ~KnowledgeState.loaded,
                        rx.center(rx.spinner(size="3"), padding_y="48px", width="100%"),
                    ),
                ),
            ),
            spacing="5",
            width="100%",
        )
    )
