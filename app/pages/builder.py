"""The builder page: one graph on the canvas, with its palette, properties and problems.

Layout (fits 1280 x 800): the app header; a top bar (graph name, save state, undo,
redo, import, export with its menu of formats, versions); then the node palette on
the left, the canvas with the problems list under it in the middle, and the side
panel (properties or versions) on the right. A version being previewed replaces
the canvas, read-only.
"""

from __future__ import annotations

import reflex as rx

from agent_runtime.spec import MAX_SPEC_BYTES
from app import paths
from app.pages.builder_panel import side_panel
from app.pages.builder_publish import publish_button, publish_dialog
from app.pages.builder_run_state import BuilderRunState
from app.pages.builder_state import BuilderState
from app.services.builder import EXPORT_CHOICES
from components.graph_canvas import graph_canvas
from components.header import header
from components.node_palette import node_palette
from components.problems_list import problems_list

IMPORT_UPLOAD_ID = "import-spec"
EXPORT_ICONS = {"json": "file-json", "langgraph": "workflow", "crewai": "users", "autogen": "bot"}
PALETTE_WIDTH = "208px"
PANEL_WIDTH = "360px"
PROBLEMS_HEIGHT = "168px"


def _undo_redo() -> rx.Component:
    def button(op: str, icon: str, label: str, enabled: rx.Var) -> rx.Component:
        return rx.tooltip(
            rx.icon_button(
                rx.icon(icon, size=16),
                on_click=BuilderState.handle_ops([{"op": op}]),
                disabled=~enabled | BuilderState.previewing,
                variant="ghost",
                color_scheme="gray",
                aria_label=label,
                data_testid=op,
            ),
            content=label,
        )

    return rx.hstack(
        button("undo", "undo-2", "Undo (Ctrl+Z)", BuilderState.can_undo),
        button("redo", "redo-2", "Redo (Ctrl+Shift+Z)", BuilderState.can_redo),
        spacing="3",
        align="center",
    )


def save_state() -> rx.Component:
    """Saved / Saving… / Unsaved changes / Save failed: …, and Draft: N problems."""
    status = BuilderState.save_status
    icon = rx.match(
        status,
        ("saving", rx.spinner(size="1")),
        ("unsaved", rx.icon("circle-dot", size=14, color="var(--amber-10)")),
        ("error", rx.icon("circle-x", size=14, color="var(--red-10)")),
        rx.icon("cloud-check", size=14, color="var(--green-10)"),
    )
    return rx.hstack(
        icon,
        rx.text(
            BuilderState.save_label,
            size="2",
            color=rx.cond(status == "error", "var(--red-11)", "var(--gray-11)"),
            title=BuilderState.save_label,
            max_width="300px",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
            data_testid="save-status",
        ),
        rx.cond(
            status == "error",
            rx.button(
                "Retry",
                size="1",
                variant="soft",
                on_click=BuilderState.save_now,
                data_testid="save-retry",
            ),
        ),
        rx.cond(
            BuilderState.draft_label != "",
            rx.badge(
                rx.icon("pencil-line", size=12),
                BuilderState.draft_label,
                color_scheme="amber",
                variant="soft",
                data_testid="draft-status",
            ),
        ),
        align="center",
        spacing="2",
        role="status",
        aria_live="polite",
        data_testid="save-state",
        data_status=status,
    )


def graph_name() -> rx.Component:
    """The graph's name, edited in place (Enter or leaving the field saves it)."""
    return rx.form(
        rx.input(
            name="name",
            default_value=BuilderState.graph_name,
            key=BuilderState.title_version,
            on_blur=BuilderState.rename_graph,
            aria_label="Graph name",
            variant="soft",
            color_scheme="gray",
            size="3",
            max_length=200,
            width="280px",
            font_weight="600",
            data_testid="graph-name",
        ),
        on_submit=BuilderState.submit_name,
        reset_on_submit=False,
    )


def import_button() -> rx.Component:
    return rx.upload.root(
        rx.button(
            rx.icon("upload", size=15),
            "Import",
            variant="soft",
            color_scheme="gray",
            data_testid="import-button",
        ),
        id=IMPORT_UPLOAD_ID,
        multiple=True,  # CrewAI's agents.yaml and tasks.yaml come as two files
        max_files=2,
        max_size=MAX_SPEC_BYTES,
        no_drag=True,
        on_drop=BuilderState.import_spec(rx.upload_files(upload_id=IMPORT_UPLOAD_ID)),
        on_drop_rejected=BuilderState.import_rejected,
        data_testid="import-spec",
    )


def export_menu() -> rx.Component:
    """Export: the button downloads the spec JSON; the arrow beside it offers every format."""
    items = [
        rx.dropdown_menu.item(
            rx.hstack(
                rx.icon(EXPORT_ICONS[choice.target], size=16),
                rx.vstack(
                    rx.text(choice.label, size="2", weight="medium"),
                    rx.text(choice.hint, size="1", color="var(--gray-11)"),
                    spacing="0",
                ),
                align="center",
                spacing="3",
            ),
            on_select=BuilderState.export_as(choice.target),
            height="auto",
            padding_y="6px",
            data_testid=f"export-{choice.target}",
        )
        for choice in EXPORT_CHOICES
    ]
    return rx.hstack(
        rx.button(
            rx.icon("download", size=15),
            "Export",
            variant="soft",
            color_scheme="gray",
            on_click=BuilderState.export_spec,
            border_top_right_radius="0",
            border_bottom_right_radius="0",
            data_testid="export-button",
        ),
        rx.dropdown_menu.root(
            rx.dropdown_menu.trigger(
                rx.icon_button(
                    rx.icon("chevron-down", size=15),
                    variant="soft",
                    color_scheme="gray",
                    aria_label="Export as",
                    border_top_left_radius="0",
                    border_bottom_left_radius="0",
                    border_left="1px solid var(--gray-a6)",
                    data_testid="export-menu",
                ),
            ),
            rx.dropdown_menu.content(
                rx.text(
                    "Export as",
                    size="1",
                    weight="medium",
                    color="var(--gray-11)",
                    padding="4px 8px",
                ),
                *items,
                align="end",
                size="2",
                min_width="280px",
                data_testid="export-formats",
            ),
        ),
        spacing="0",
        align="center",
    )


def top_bar() -> rx.Component:
    return rx.hstack(
        rx.tooltip(
            rx.link(
                rx.icon_button(
                    rx.icon("arrow-left", size=16),
                    variant="ghost",
                    color_scheme="gray",
                    aria_label="All graphs",
                ),
                href=paths.HOME,
                data_testid="back-to-graphs",
            ),
            content="All graphs",
        ),
        graph_name(),
        save_state(),
        rx.spacer(),
        _undo_redo(),
        rx.separator(orientation="vertical", size="1"),
        import_button(),
        export_menu(),
        rx.link(
            rx.button(rx.icon("library", size=15), "Knowledge", variant="soft", tabindex=-1),
            href=paths.knowledge_path(BuilderState.loaded_id),
            data_testid="knowledge-link",
        ),
        rx.button(
            rx.icon("history", size=15),
            "Versions",
            variant=rx.cond(BuilderState.side_tab == "versions", "solid", "soft"),
            on_click=BuilderState.choose_tab("versions"),
            data_testid="versions-button",
        ),
        publish_button(),
        align="center",
        spacing="3",
        padding="8px 16px",
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        width="100%",
        data_testid="builder-top-bar",
    )


def import_error() -> rx.Component:
    return rx.cond(
        BuilderState.import_error != "",
        rx.callout.root(
            rx.callout.icon(rx.icon("file-warning", size=16)),
            rx.callout.text(BuilderState.import_error),
            rx.icon_button(
                rx.icon("x", size=14),
                on_click=BuilderState.dismiss_import_error,
                variant="ghost",
                color_scheme="red",
                size="1",
                aria_label="Dismiss",
                margin_left="auto",
            ),
            color_scheme="red",
            role="alert",
            size="1",
            margin="8px 16px 0",
            display="flex",
            align_items="center",
            data_testid="import-error",
        ),
    )


def import_warnings() -> rx.Component:
    """What an AutoGen or CrewAI import left out (tools, settings), until dismissed."""
    return rx.cond(
        BuilderState.import_warnings.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle-alert", size=16)),
            rx.vstack(
                rx.text("Imported, with these differences:", weight="medium", size="2"),
                rx.foreach(BuilderState.import_warnings, lambda w: rx.text("• ", w, size="1")),
                spacing="1",
            ),
            rx.icon_button(
                rx.icon("x", size=14),
                on_click=BuilderState.dismiss_import_warnings,
                variant="ghost",
                color_scheme="amber",
                size="1",
                aria_label="Dismiss",
                margin_left="auto",
            ),
            color_scheme="amber",
            role="status",
            size="1",
            margin="8px 16px 0",
            display="flex",
            align_items="start",
            data_testid="import-warnings",
        ),
    )


def preview_overlay() -> rx.Component:
    """A saved version, read-only, over the editing canvas."""
    banner = rx.hstack(
        rx.icon("eye", size=16),
        rx.text(
            f"Previewing version {BuilderState.preview_version} (read-only)",
            weight="medium",
            size="2",
        ),
        rx.spacer(),
        rx.button(
            rx.icon("history", size=14),
            "Restore this version",
            size="2",
            on_click=BuilderState.restore(BuilderState.preview_version),
            data_testid="restore-previewed",
        ),
        rx.button(
            "Back to editing",
            size="2",
            variant="soft",
            color_scheme="gray",
            on_click=BuilderState.close_preview,
            data_testid="close-preview",
        ),
        align="center",
        spacing="3",
        padding="8px 12px",
        background="var(--accent-a3)",
        border_bottom="1px solid var(--accent-a6)",
        width="100%",
    )
    return rx.flex(
        banner,
        rx.box(
            graph_canvas(
                graph=BuilderState.preview_canvas,
                revision=BuilderState.preview_version,
                read_only=True,
                data_testid="preview-canvas",
            ),
            flex="1",
            min_height="0",
        ),
        direction="column",
        position="absolute",
        inset="0",
        z_index="5",
        background="var(--gray-2)",
        data_testid="version-preview",
    )


def canvas_area() -> rx.Component:
    return rx.flex(
        rx.box(
            graph_canvas(
                graph=BuilderState.canvas,
                revision=BuilderState.revision,
                selected_id=BuilderState.selected_id,
                running_id=BuilderRunState.running_id,
                on_ops=BuilderState.handle_ops,
                on_select=BuilderState.handle_select,
                can_undo=BuilderState.can_undo,
                can_redo=BuilderState.can_redo,
            ),
            rx.cond(BuilderState.previewing, preview_overlay()),
            position="relative",
            flex="1",
            min_height="0",
        ),
        problems_list(
            BuilderState.problems,
            BuilderState.focus_problem,
            max_height=PROBLEMS_HEIGHT,
            flex_shrink="0",
            border_top="1px solid var(--gray-a5)",
            background="var(--color-panel-solid)",
        ),
        direction="column",
        flex="1",
        min_width="0",
    )


def workspace() -> rx.Component:
    return rx.flex(
        rx.box(
            rx.text(
                "Nodes",
                size="1",
                weight="medium",
                color_scheme="gray",
                margin_bottom="8px",
                text_transform="uppercase",
                letter_spacing="0.04em",
            ),
            node_palette(read_only=BuilderState.previewing),
            width=PALETTE_WIDTH,
            flex_shrink="0",
            padding="12px",
            overflow_y="auto",
            border_right="1px solid var(--gray-a5)",
            background="var(--color-panel-solid)",
        ),
        canvas_area(),
        rx.box(
            side_panel(),
            width=PANEL_WIDTH,
            flex_shrink="0",
            border_left="1px solid var(--gray-a5)",
            background="var(--color-panel-solid)",
            min_height="0",
        ),
        flex="1",
        min_height="0",
        width="100%",
    )


def load_problem() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("file-question", size=32, color="var(--gray-10)"),
            rx.heading("Graph not available", size="5", as_="h1"),
            rx.text(BuilderState.load_error, color_scheme="gray", align="center"),
            rx.link(rx.button("Back to all graphs"), href=paths.HOME),
            align="center",
            spacing="3",
            max_width="440px",
        ),
        flex="1",
        data_testid="builder-error",
    )


def builder_page() -> rx.Component:
    return rx.flex(
        header(),
        rx.cond(
            BuilderState.load_error != "",
            load_problem(),
            rx.cond(
                BuilderState.loaded_id != "",
                rx.flex(
                    top_bar(),
                    import_error(),
                    import_warnings(),
                    workspace(),
                    publish_dialog(),
                    direction="column",
                    flex="1",
                    min_height="0",
                ),
                rx.center(rx.spinner(size="3"), flex="1"),
            ),
        ),
        direction="column",
        height="100vh",
        overflow="hidden",
        background="var(--gray-2)",
        data_testid="builder-page",
    )
