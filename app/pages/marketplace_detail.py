"""A template's page (``/marketplace/[slug]``).

Its title, summary and facts; "Use this template" (with a version picker) installs a
copy and opens it in the builder; "Download bundle" saves it with all its versions as
one .json file. Then a read-only preview of its graph on the builder's canvas, the
readme (Markdown), the backends it runs on, the secrets it needs (by name: they are
set in Settings), its versions with their changelogs, and the ratings
(``marketplace_detail_ratings``).

A template of another instance (``?source=<url>``) shows the same, from that
catalogue, with neither reviews nor a bundle download; using it copies it here.
"""

from __future__ import annotations

import reflex as rx

from app import paths
from app.pages.marketplace_detail_ratings import ratings
from app.pages.marketplace_detail_state import TemplateState
from app.services.marketplace import VersionView
from components.graph_canvas import graph_canvas
from components.page_shell import page_shell
from components.template_card import backend_chips, rating_line

S = TemplateState
SETTINGS_HREF = "/settings"  # ``app.pages.settings.SETTINGS``
CANVAS_HEIGHT = "360px"


def _section(title: str, *children: rx.Component, **props) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="3", weight="medium", as_="h2"),
        *children,
        spacing="2",
        width="100%",
        **props,
    )


# -- top ------------------------------------------------------------------------------------


def install_controls() -> rx.Component:
    return rx.hstack(
        rx.cond(
            S.versions.length() > 1,
            rx.select.root(
                rx.select.trigger(aria_label="Version to install", data_testid="install-version"),
                rx.select.content(
                    rx.foreach(S.version_choices, lambda v: rx.select.item("v" + v, value=v))
                ),
                value=S.install_version,
                on_change=S.choose_version,
                size="3",
            ),
        ),
        rx.button(
            rx.icon("copy-plus", size=16),
            S.install_label,
            size="3",
            loading=S.installing,
            on_click=S.install,
            data_testid="use-template",
        ),
        rx.cond(
            ~S.is_remote,
            rx.tooltip(
                rx.button(
                    rx.icon("file-down", size=16),
                    "Download bundle",
                    size="3",
                    variant="soft",
                    color_scheme="gray",
                    loading=S.downloading,
                    on_click=S.download_bundle,
                    data_testid="download-bundle",
                ),
                content="The template with all its versions, as one .json file to import "
                "on another Orchestrall",
            ),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def source_note() -> rx.Component:
    """Where a template of another instance comes from."""
    return rx.cond(
        S.is_remote,
        rx.callout(
            rx.text(
                "A template of ",
                rx.text.strong(S.source_name),
                " (",
                rx.code(S.shown_source, variant="ghost"),
                "). Using it checks its bundle and copies it here; reviews stay there.",
            ),
            icon="globe",
            color_scheme="blue",
            variant="surface",
            width="100%",
            data_testid="template-source",
        ),
    )


def title_block() -> rx.Component:
    card = S.card
    facts = rx.hstack(
        rx.badge(card.category, variant="soft", radius="full"),
        rx.badge("v", card.version, variant="outline", color_scheme="gray"),
        rx.text("by ", card.author, data_testid="template-author"),
        rx.text("·"),
        rating_line(card.rating_text, card.ratings_text),
        rx.text("·"),
        rx.text(card.installs_text, data_testid="template-installs"),
        rx.text("·"),
        rx.text(rx.cond(S.is_remote, "From " + S.source_name, card.origin)),
        align="center",
        spacing="2",
        wrap="wrap",
        color="var(--gray-11)",
        font_size="var(--font-size-2)",
    )
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow-left", size=14), rx.text("Marketplace"), spacing="1", align="center"
            ),
            href=paths.MARKETPLACE,
            size="2",
            color_scheme="gray",
            data_testid="back-to-marketplace",
        ),
        rx.hstack(
            rx.vstack(
                rx.heading(card.title, size="7", as_="h1", data_testid="template-title"),
                rx.text(card.summary, size="3", color_scheme="gray"),
                facts,
                spacing="2",
                flex="1",
                min_width="0",
            ),
            install_controls(),
            align="start",
            spacing="5",
            width="100%",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )


# -- main column ---------------------------------------------------------------------------


def graph_preview() -> rx.Component:
    return rx.card(
        rx.box(
            graph_canvas(
                graph=S.canvas,
                revision=S.canvas_revision,
                read_only=True,
                data_testid="template-canvas",
            ),
            height=CANVAS_HEIGHT,
            border_radius="var(--radius-3)",
            overflow="hidden",
        ),
        rx.text(
            "A read-only preview of version ",
            S.card.version,
            ": ",
            S.node_count,
            " nodes. Use the template to edit your own copy.",
            size="1",
            color_scheme="gray",
            margin_top="8px",
        ),
        width="100%",
        data_testid="template-preview",
    )


def readme() -> rx.Component:
    """The readme as Markdown; raw HTML in it is not rendered (templates come from others)."""
    text = rx.markdown(S.readme, use_raw=False, use_math=False, use_katex=False)
    return rx.card(
        rx.box(text, class_name="template-readme", width="100%"),
        width="100%",
        data_testid="template-readme",
    )


# -- side column --------------------------------------------------------------------------


def _version(version: rx.Var[VersionView]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text("v", version.version, weight="bold", size="2"),
            rx.cond(version.latest, rx.badge("latest", color_scheme="green", size="1")),
            rx.spacer(),
            rx.text(version.date, size="1", color_scheme="gray"),
            align="center",
            width="100%",
        ),
        rx.text(
            rx.cond(version.changelog != "", version.changelog, "No changelog."),
            size="2",
            color_scheme="gray",
            white_space="pre-line",
        ),
        spacing="1",
        width="100%",
        padding_left="10px",
        border_left="2px solid var(--accent-a6)",
        data_testid="template-version",
        data_version=version.version,
    )


def side_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            _section("Runs on", backend_chips(S.card.backends, size="2")),
            _section(
                "Secrets it needs",
                rx.cond(
                    S.has_secrets,
                    rx.vstack(
                        rx.foreach(
                            S.secrets,
                            lambda name: rx.hstack(
                                rx.icon("key-round", size=14, color="var(--amber-10)"),
                                rx.code(name, size="2"),
                                align="center",
                                spacing="2",
                            ),
                        ),
                        rx.text(
                            "Only the names are shared. Set their values in ",
                            rx.link("Settings → Secrets", href=SETTINGS_HREF),
                            " before running.",
                            size="1",
                            color_scheme="gray",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    rx.text("None: it runs without keys.", size="2", color_scheme="gray"),
                ),
                data_testid="template-secrets",
            ),
            rx.cond(
                S.card.tags.length() > 0,
                _section(
                    "Tags",
                    rx.hstack(
                        rx.foreach(
                            S.card.tags, lambda t: rx.badge(t, variant="soft", color_scheme="gray")
                        ),
                        wrap="wrap",
                        spacing="1",
                    ),
                ),
            ),
            _section(
                "Versions",
                rx.vstack(rx.foreach(S.versions, _version), spacing="3", width="100%"),
                data_testid="template-versions",
            ),
            spacing="5",
            width="100%",
        ),
        width="100%",
    )


# -- page -------------------------------------------------------------------------------------


def not_found() -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon("file-question", size=32, color="var(--gray-10)"),
            rx.heading("Template not available", size="5", as_="h1"),
            rx.text(S.load_error, color_scheme="gray", align="center"),
            rx.link(rx.button("Back to the marketplace"), href=paths.MARKETPLACE),
            align="center",
            spacing="3",
            max_width="440px",
        ),
        padding_y="72px",
        width="100%",
        data_testid="template-error",
    )


def template_body() -> rx.Component:
    return rx.vstack(
        title_block(),
        source_note(),
        graph_preview(),
        rx.flex(
            rx.box(readme(), flex="2 1 560px", min_width="0"),
            rx.box(side_panel(), flex="1 1 280px", min_width="0"),
            spacing="4",
            align="start",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(~S.is_remote, ratings()),
        spacing="5",
        width="100%",
        data_testid="template-page",
        data_slug=S.shown_slug,
        data_source=S.shown_source,
    )


def template_page() -> rx.Component:
    return page_shell(
        rx.cond(
            S.load_error != "",
            not_found(),
            rx.cond(
                S.loaded,
                template_body(),
                rx.center(rx.spinner(size="3"), padding_y="72px", width="100%"),
            ),
        )
    )
