"""A template's page (``/marketplace/[slug]``).

Its title, summary and facts; "Use this template" (with a version picker) installs a
copy and opens it in the builder. Then a read-only preview of its graph on the
builder's canvas, the readme (Markdown), the backends it runs on, the secrets it
needs (by name: they are set in Settings), its versions with their changelogs, and
the ratings: a summary, my rating and review (one per person, editable), everyone's.
"""

from __future__ import annotations

import reflex as rx

from app import paths
from app.pages.marketplace_detail_state import TemplateState
from app.services.marketplace import ReviewView, StarBar, VersionView
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
        align="center",
        spacing="2",
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
        rx.text(card.origin),
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


# -- ratings ---------------------------------------------------------------------------------


def _bar(bar: rx.Var[StarBar]) -> rx.Component:
    return rx.hstack(
        rx.text(bar.stars, " ★", size="1", width="28px"),
        rx.progress(value=bar.percent, max=100, flex="1", color_scheme="amber"),
        rx.text(bar.count, size="1", color_scheme="gray", width="20px", text_align="right"),
        align="center",
        spacing="2",
        width="100%",
    )


def star_picker() -> rx.Component:
    def star(n: int) -> rx.Component:
        on = S.draft_stars >= n
        return rx.icon_button(
            rx.icon(
                "star",
                size=22,
                fill=rx.cond(on, "var(--amber-9)", "none"),
                color=rx.cond(on, "var(--amber-9)", "var(--gray-8)"),
            ),
            variant="ghost",
            type="button",
            on_click=S.choose_stars(n),
            aria_label=f"{n} star{'s' if n > 1 else ''}",
            aria_pressed=on,
            data_testid=f"star-{n}",
        )

    return rx.hstack(
        *(star(n) for n in range(1, 6)),
        spacing="2",
        data_testid="star-picker",
        data_stars=S.draft_stars,
    )


def review_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(
                rx.cond(S.my_stars > 0, "Your review", "Rate this template"),
                size="3",
                weight="medium",
                as_="h3",
            ),
            star_picker(),
            rx.text_area(
                name="review",
                default_value=S.draft_text,
                key=S.review_key,
                placeholder="A short review: what it did for you (optional)",
                max_length=1000,
                rows="3",
                width="100%",
                data_testid="review-text",
            ),
            rx.cond(
                S.rating_error != "",
                rx.text(
                    S.rating_error,
                    color_scheme="red",
                    size="2",
                    role="alert",
                    data_testid="review-error",
                ),
            ),
            rx.button(
                rx.cond(S.my_stars > 0, "Update review", "Save review"),
                type="submit",
                loading=S.saving_review,
                data_testid="review-save",
            ),
            spacing="2",
            width="100%",
            align="start",
        ),
        on_submit=S.save_review,
        reset_on_submit=False,
        width="100%",
    )


def _review(review: rx.Var[ReviewView]) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(review.stars_text, color="var(--amber-9)", size="2", letter_spacing="1px"),
            rx.text(review.reviewer, weight="medium", size="2"),
            rx.cond(review.mine, rx.badge("yours", size="1", variant="soft")),
            rx.spacer(),
            rx.text(review.date, size="1", color_scheme="gray"),
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(review.text != "", rx.text(review.text, size="2", white_space="pre-line")),
        spacing="1",
        width="100%",
        padding_y="10px",
        border_top="1px solid var(--gray-a4)",
        data_testid="review",
        data_reviewer=review.reviewer,
    )


def ratings() -> rx.Component:
    summary = rx.vstack(
        rx.text(S.rating_summary, size="3", weight="medium", data_testid="rating-summary"),
        rx.foreach(S.star_bars, _bar),
        spacing="2",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.heading("Ratings and reviews", size="4", as_="h2"),
            rx.flex(
                rx.box(summary, flex="1 1 240px", min_width="0"),
                rx.box(review_form(), flex="2 1 360px", min_width="0"),
                spacing="6",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                S.has_reviews,
                rx.vstack(
                    rx.foreach(S.reviews, _review),
                    spacing="0",
                    width="100%",
                    data_testid="review-list",
                ),
                rx.text("No reviews yet: be the first.", size="2", color_scheme="gray"),
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
        data_testid="template-ratings",
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
        graph_preview(),
        rx.flex(
            rx.box(readme(), flex="2 1 560px", min_width="0"),
            rx.box(side_panel(), flex="1 1 280px", min_width="0"),
            spacing="4",
            align="start",
            wrap="wrap",
            width="100%",
        ),
        ratings(),
        spacing="5",
        width="100%",
        data_testid="template-page",
        data_slug=S.shown_slug,
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
