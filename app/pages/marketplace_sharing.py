"""The browse page's sharing controls: the source picker, "Manage sources" and "Import bundle".

The source picker chooses whose catalogue the page browses: this instance's, or a
remembered other instance's (by name). "Manage sources" adds one (address and name)
and removes them. "Import bundle" takes one ``.json`` bundle file; a refusal is
shown in the dialog, an import opens the template's page.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from app.pages.marketplace_import_state import UPLOAD_ID, BundleImportState
from app.pages.marketplace_sources_state import SourcesState
from app.pages.marketplace_state import LOCAL, MarketplaceState
from app.services.marketplace_bundles import BUNDLE_SUFFIX, MAX_BUNDLE_BYTES, MAX_BUNDLE_TEXT
from app.services.marketplace_sources import SourceView

M = MarketplaceState


def source_select() -> rx.Component:
    return rx.hstack(
        rx.text("Source", size="2", color_scheme="gray", as_="label"),
        rx.select.root(
            rx.select.trigger(aria_label="Source", min_width="160px", data_testid="source-select"),
            rx.select.content(
                rx.select.item("This instance", value=LOCAL),
                rx.cond(M.sources.length() > 0, rx.select.separator()),
                rx.foreach(
                    M.sources,
                    lambda s: rx.select.item(s.name, value=s.url, data_testid="source-option"),
                ),
            ),
            value=M.source,
            on_change=M.choose_source,
            size="2",
        ),
        align="center",
        spacing="2",
    )


def remote_banner() -> rx.Component:
    """Says whose catalogue is shown when it is another instance's."""
    return rx.cond(
        M.is_remote,
        rx.callout(
            rx.text(
                "Browsing ",
                rx.text.strong(M.source_name),
                " (",
                rx.code(M.source, variant="ghost"),
                "). Using one of its templates checks it and copies it here.",
            ),
            icon="globe",
            color_scheme="blue",
            variant="surface",
            width="100%",
            data_testid="remote-banner",
        ),
    )


# -- Manage sources ------------------------------------------------------------------------


def _source_row(source: rx.Var[SourceView]) -> rx.Component:
    return rx.hstack(
        rx.icon("globe", size=16, color="var(--gray-10)", flex_shrink="0"),
        rx.vstack(
            rx.text(source.name, weight="medium", size="2"),
            rx.text(source.url, size="1", color_scheme="gray", overflow_wrap="anywhere"),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            rx.icon("trash-2", size=14),
            "Remove",
            variant="ghost",
            color_scheme="red",
            size="1",
            loading=SourcesState.removing == source.url,
            on_click=SourcesState.remove_source(source.url),
            aria_label="Remove " + source.name,
            data_testid="source-remove",
        ),
        align="center",
        spacing="3",
        width="100%",
        padding_y="8px",
        border_top="1px solid var(--gray-a4)",
        data_testid="source-row",
        data_url=source.url,
    )


def _field(label: str, name: str, placeholder: str, **props) -> rx.Component:
    wrong = SourcesState.error_field == name
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"source-{name}"),
        rx.input(
            id=f"source-{name}",
            name=name,
            placeholder=placeholder,
            color_scheme=rx.cond(wrong, "red", "violet"),
            width="100%",
            data_testid=f"source-{name}",
            **props,
        ),
        spacing="1",
        width="100%",
        **({"flex": "2 1 260px"} if name == "url" else {"flex": "1 1 160px"}),
    )


def add_source_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.flex(
                _field("Address", "url", "http://other-host:8000", type="text"),
                _field("Name", "name", "Team A", max_length=80),
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                SourcesState.error != "",
                rx.text(
                    rx.icon("circle-alert", size=14, flex_shrink="0"),
                    SourcesState.error,
                    color_scheme="red",
                    size="2",
                    role="alert",
                    display="flex",
                    gap="6px",
                    data_testid="source-error",
                ),
                rx.text(
                    "The backend address of another Orchestrall that shares its catalogue "
                    "(ORCHESTRALL_SERVE_CATALOGUE=true).",
                    size="1",
                    color_scheme="gray",
                ),
            ),
            rx.button(
                rx.icon("plus", size=14),
                "Add source",
                type="submit",
                loading=SourcesState.adding,
                data_testid="source-add",
            ),
            spacing="3",
            align="start",
            width="100%",
        ),
        key=SourcesState.form_key,
        on_submit=SourcesState.add_source,
        reset_on_submit=False,
        width="100%",
    )


def sources_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("settings-2", size=15),
                "Manage sources",
                variant="soft",
                color_scheme="gray",
                data_testid="manage-sources",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Template sources"),
            rx.dialog.description(
                "Other Orchestrall instances whose shared templates you can browse here.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.cond(
                    M.sources.length() > 0,
                    rx.vstack(
                        rx.foreach(M.sources, _source_row),
                        spacing="0",
                        width="100%",
                        data_testid="source-list",
                    ),
                    rx.text(
                        "No sources yet: add one below.",
                        size="2",
                        color_scheme="gray",
                        data_testid="source-list-empty",
                    ),
                ),
                rx.heading("Add a source", size="3", weight="medium", as_="h3"),
                add_source_form(),
                rx.hstack(
                    rx.dialog.close(rx.button("Done", variant="soft", color_scheme="gray")),
                    justify="end",
                    width="100%",
                ),
                spacing="4",
                width="100%",
                margin_top="16px",
            ),
            max_width="560px",
            data_testid="sources-dialog",
        ),
        open=SourcesState.open,
        on_open_change=SourcesState.set_open,
    )


# -- Import bundle ------------------------------------------------------------------------


def _refused_files(rejected: rx.Var) -> rx.Var:
    """Each file the drop zone refused as ``path|code,code`` (a File does not travel)."""

    def record(item: rx.Var) -> rx.Var:
        item = item.to(ObjectVar)
        codes = item["errors"].to(ArrayVar).map(lambda e: e.to(ObjectVar)["code"])
        return f"{item['file'].to(ObjectVar)['path']}|{codes.join(',')}"

    return rejected.to(ArrayVar).map(record)


def _drop_zone() -> rx.Component:
    return rx.upload.root(
        rx.vstack(
            rx.cond(
                BundleImportState.importing,
                rx.spinner(size="3"),
                rx.icon("file-json", size=24, color="var(--accent-11)"),
            ),
            rx.cond(
                BundleImportState.importing,
                rx.text("Checking and importing ", BundleImportState.filename, "…", size="2"),
                rx.text("Drop a bundle here or click to choose", weight="medium", size="2"),
            ),
            rx.text(
                f"One .json file ({BUNDLE_SUFFIX}), up to {MAX_BUNDLE_TEXT}",
                size="1",
                color_scheme="gray",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=False,
        max_files=1,
        max_size=MAX_BUNDLE_BYTES,
        accept={"application/json": [".json"]},
        disabled=BundleImportState.importing,
        on_drop=BundleImportState.handle_upload(rx.upload_files(upload_id=UPLOAD_ID)),
        on_drop_rejected=lambda rejected: BundleImportState.upload_rejected(
            _refused_files(rejected)
        ),
        border="1px dashed var(--accent-7)",
        border_radius="var(--radius-3)",
        background="var(--accent-2)",
        padding="28px",
        width="100%",
        cursor="pointer",
        data_testid="bundle-upload",
    )


def import_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(
                rx.icon("file-up", size=15),
                "Import bundle",
                variant="soft",
                data_testid="import-bundle",
            )
        ),
        rx.dialog.content(
            rx.dialog.title("Import a template bundle"),
            rx.dialog.description(
                "A bundle is a template with all its versions, downloaded from a template's "
                "page. It is checked (format, graphs, content hashes, secrets) before anything "
                "is stored; nothing in it is run.",
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                _drop_zone(),
                rx.cond(
                    BundleImportState.error != "",
                    rx.callout(
                        BundleImportState.error,
                        icon="shield-alert",
                        color_scheme="red",
                        width="100%",
                        role="alert",
                        data_testid="import-error",
                    ),
                ),
                rx.hstack(
                    rx.dialog.close(
                        rx.button(
                            "Close",
                            variant="soft",
                            color_scheme="gray",
                            disabled=BundleImportState.importing,
                        )
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="4",
                width="100%",
                margin_top="16px",
            ),
            max_width="520px",
            data_testid="import-dialog",
        ),
        open=BundleImportState.open,
        on_open_change=BundleImportState.set_open,
    )


def sharing_controls() -> rx.Component:
    """Source picker, Manage sources, Import bundle: the top right of the browse page."""
    return rx.hstack(
        source_select(),
        sources_dialog(),
        import_dialog(),
        spacing="3",
        align="center",
        wrap="wrap",
    )
