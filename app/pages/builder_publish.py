"""The builder's Publish button and dialog: share the graph as a marketplace template.

The form (new template, or a new version of one of mine; title, summary, category,
tags, version, changelog, readme), then a preview of exactly the JSON that will be
shared, then a link to the published template's page.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.pages.builder_publish_state import PublishState
from app.pages.builder_state import BuilderState
from app.paths import template_path
from app.services.marketplace import CATEGORIES

S = PublishState


def publish_button() -> rx.Component:
    """Saves unsaved edits, then opens the dialog."""
    return rx.button(
        rx.icon("store", size=15),
        "Publish",
        variant="soft",
        on_click=[BuilderState.save_now, PublishState.open_dialog(BuilderState.loaded_id)],
        disabled=BuilderState.previewing,
        data_testid="publish-button",
    )


# -- the form -----------------------------------------------------------------------------


def _field(name: str, label: str, control: rx.Component, hint: str = "") -> rx.Component:
    problem = S.errors.contains(name)
    return rx.vstack(
        rx.text(label, as_="label", size="2", weight="medium", html_for=f"publish-{name}"),
        control,
        rx.cond(
            problem,
            rx.text(
                rx.icon("circle-alert", size=14, flex_shrink="0"),
                S.errors[name],
                color_scheme="red",
                size="1",
                role="alert",
                display="flex",
                gap="6px",
                data_testid="field-error",
            ),
            rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        ),
        spacing="1",
        width="100%",
        data_testid=f"publish-field-{name}",
    )


def _input(name: str, **props: Any) -> rx.Component:
    return rx.input(
        id=f"publish-{name}",
        value=getattr(S, name),
        on_change=lambda v: S.set_field(name, v),
        color_scheme=rx.cond(S.errors.contains(name), "red", "violet"),
        width="100%",
        data_testid=f"publish-{name}",
        **props,
    )


def _text_area(name: str, rows: str, **props: Any) -> rx.Component:
    return rx.text_area(
        id=f"publish-{name}",
        value=getattr(S, name),
        on_change=lambda v: S.set_field(name, v),
        rows=rows,
        color_scheme=rx.cond(S.errors.contains(name), "red", "violet"),
        width="100%",
        data_testid=f"publish-{name}",
        **props,
    )


def _mode_picker() -> rx.Component:
    mode = rx.cond(
        S.has_mine,
        rx.segmented_control.root(
            rx.segmented_control.item("New template", value="new"),
            rx.segmented_control.item("New version of mine", value="version"),
            value=S.mode,
            on_change=S.choose_mode,
            data_testid="publish-mode",
        ),
        rx.badge("New template", variant="soft", size="2"),
    )
    target = rx.cond(
        S.mode == "version",
        rx.select.root(
            rx.select.trigger(aria_label="Template", data_testid="publish-target"),
            rx.select.content(rx.foreach(S.mine, lambda m: rx.select.item(m.label, value=m.slug))),
            value=S.slug,
            on_change=S.choose_target,
        ),
    )
    return rx.vstack(
        rx.hstack(mode, target, align="center", spacing="3", wrap="wrap"),
        rx.cond(
            S.errors.contains("slug"),
            rx.text(S.errors["slug"], color_scheme="red", size="1", role="alert"),
        ),
        spacing="1",
    )


def publish_form() -> rx.Component:
    category = rx.select.root(
        rx.select.trigger(id="publish-category", width="100%", data_testid="publish-category"),
        rx.select.content(*(rx.select.item(c, value=c) for c in CATEGORIES)),
        value=S.category,
        on_change=lambda v: S.set_field("category", v),
    )
    return rx.vstack(
        _mode_picker(),
        _field("title", "Title", _input("title", max_length=80)),
        _field(
            "summary",
            "Summary",
            _text_area("summary", "2", max_length=280),
            "One or two sentences for the card (10 to 280 characters).",
        ),
        rx.hstack(
            rx.box(_field("category", "Category", category), flex="1"),
            rx.box(
                _field(
                    "tags",
                    "Tags",
                    _input("tags", placeholder="support, email"),
                    "Comma-separated, lower case.",
                ),
                flex="1",
            ),
            rx.box(_field("version", "Version", _input("version", max_length=40)), width="120px"),
            spacing="3",
            width="100%",
            align="start",
        ),
        _field(
            "changelog",
            "What changed",
            _text_area("changelog", "2", placeholder="What is new in this version"),
        ),
        _field(
            "readme",
            "Readme (Markdown)",
            _text_area("readme", "7", font_family="var(--code-font-family)", font_size="12px"),
        ),
        spacing="3",
        width="100%",
    )


# -- the steps ---------------------------------------------------------------------------------


def _buttons(*buttons: rx.Component) -> rx.Component:
    return rx.hstack(*buttons, justify="end", spacing="3", width="100%", margin_top="16px")


def _cancel(label: str = "Cancel") -> rx.Component:
    return rx.dialog.close(
        rx.button(
            label, variant="soft", color_scheme="gray", type="button", data_testid="publish-cancel"
        ),
    )


def form_step() -> rx.Component:
    return rx.vstack(
        rx.cond(
            S.loading,
            rx.center(rx.spinner(size="3"), padding_y="48px", width="100%"),
            rx.box(
                publish_form(),
                max_height="56vh",
                overflow_y="auto",
                padding_right="8px",
                width="100%",
            ),
        ),
        rx.cond(
            S.errors.contains("graph"),
            rx.callout(
                S.errors["graph"],
                icon="triangle-alert",
                color_scheme="red",
                width="100%",
                data_testid="publish-graph-error",
            ),
        ),
        _buttons(
            _cancel(),
            rx.button(
                rx.icon("eye", size=15),
                "Preview",
                loading=S.working,
                disabled=S.loading,
                on_click=S.show_preview,
                data_testid="publish-preview",
            ),
        ),
        spacing="3",
        width="100%",
    )


def preview_step() -> rx.Component:
    return rx.vstack(
        rx.text(
            "This is exactly what will be shared: the template, and this release with its "
            "graph. Secrets appear by name only.",
            size="2",
            color_scheme="gray",
        ),
        rx.box(
            rx.el.pre(
                S.preview_text,
                margin="0",
                white_space="pre",
                font_size="12px",
                font_family="var(--code-font-family)",
            ),
            max_height="52vh",
            overflow="auto",
            padding="12px",
            background="var(--gray-2)",
            border="1px solid var(--gray-a5)",
            border_radius="var(--radius-3)",
            width="100%",
            data_testid="publish-preview-json",
        ),
        _buttons(
            rx.button(
                "Back",
                variant="soft",
                color_scheme="gray",
                on_click=S.back_to_form,
                data_testid="publish-back",
            ),
            rx.button(
                rx.icon("upload", size=15),
                "Publish",
                loading=S.working,
                on_click=S.publish,
                data_testid="publish-confirm",
            ),
        ),
        spacing="3",
        width="100%",
    )


def done_step() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("circle-check", size=22, color="var(--green-10)"),
            rx.text(
                "Published ",
                rx.text.strong(S.published_title),
                " version ",
                S.published_version,
                ".",
                size="3",
            ),
            align="center",
            spacing="2",
        ),
        rx.text(
            "Others on this instance can find it in the marketplace now.",
            size="2",
            color_scheme="gray",
        ),
        _buttons(
            _cancel("Close"),
            rx.link(
                rx.button(rx.icon("arrow-up-right", size=15), "Open its page", tabindex=-1),
                href=template_path(S.published_slug),
                data_testid="publish-template-link",
            ),
        ),
        spacing="3",
        width="100%",
        data_testid="publish-done",
    )


def publish_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Publish to the marketplace"),
            rx.dialog.description(
                "Share the saved graph as a template others can use.",
                rx.cond(S.source != "", rx.text.span(" ", S.source, ".")),
                size="2",
                color_scheme="gray",
                margin_bottom="12px",
            ),
            rx.cond(
                S.error != "",
                rx.callout(
                    S.error,
                    icon="triangle-alert",
                    color_scheme="red",
                    width="100%",
                    margin_bottom="12px",
                    data_testid="publish-error",
                ),
            ),
            rx.match(
                S.step,
                ("preview", preview_step()),
                ("done", done_step()),
                form_step(),
            ),
            max_width="760px",
            data_testid="publish-dialog",
            data_step=S.step,
        ),
        open=S.is_open,
        on_open_change=S.set_open,
    )
